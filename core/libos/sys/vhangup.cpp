// SPDX-License-Identifier: MIT
// vhangup: hangs up the caller's controlling terminal, for a caller with
// CAP_SYS_TTY_CONFIG (EPERM otherwise), as tty_vhangup_self does.
#include <asm-generic/errno.h>
#include <linux/capability.h>

#include "process_state.h"
#include "process_tree.h"
#include "syscalls.h"

namespace libos {
namespace {

constexpr int64_t kOutsideSession = 1; // the session the guest was started in (the runtime's)

// Whether the runtime has a controlling terminal: the host's /dev/tty opens.
bool runtime_has_terminal() {
    bsc_handle tty;
    if (abi().stream_open("file:/dev/tty", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                          BSC_OPTION_NONBLOCK, &tty) != BSC_OK)
        return false;
    abi().object_close(tty);
    return true;
}

} // namespace

int64_t sys_vhangup(Syscall &) {
    if (!capable(CAP_SYS_TTY_CONFIG))
        return -EPERM;
    // A session the guest made (setsid) never gets a controlling terminal (the guest
    // opens none as one): nothing to hang up. Nor when the runtime runs without one.
    if (session_of(0) != kOutsideSession || !runtime_has_terminal())
        return 0;
    report_unsupported("vhangup", "hanging up the controlling terminal");
    return -ENOSYS;
}

} // namespace libos
