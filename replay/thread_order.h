// SPDX-License-Identifier: MIT
// Where guest threads take turns, the same for record and replay (README.md, "Threads").
// While recording, one guest thread runs at a time; it gives up its turn only where a
// replay can find the same place again from the thread's own execution: at a call that
// may wait, at thread_yield, process_signal and thread_exit, and (recorded as a SwitchEvent) at a system
// call or timestamp exception when another thread is waiting.
#pragma once

#include <cstdint>

#include "bascule.h"
#include "call_roles.h"

namespace bsc::replay {

// A call before which the caller gives up its turn and after which it waits for it again.
// process_signal too: a STOP of the caller's own process (the LibOS's SIGSTOP) waits in it
// until another process sends CONTINUE, which it could not while the stopped one held
// the turn.
constexpr bool gives_up_turn(roles::Slot slot) {
    return (roles::of(slot).flags & BSC_CALL_BLOCKS) || slot == roles::Slot::thread_yield ||
           slot == roles::Slot::process_signal;
}

// An exception at which the running thread may let another run: guest program code,
// where the LibOS holds none of its locks.
constexpr bool is_switch_point(uint32_t exception_kind) {
    return exception_kind == BSC_EXCEPTION_SYSCALL || exception_kind == BSC_EXCEPTION_TIMESTAMP;
}

} // namespace bsc::replay
