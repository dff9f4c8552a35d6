// SPDX-License-Identifier: MIT
// process_vm_readv and process_vm_writev: between the caller's memory and a process of
// the guest's (the caller's own included), through the ABI's process_memory_read and
// process_memory_write, in mm/process_vm_access.c's order of checks.
#include <asm-generic/errno.h>

#include "heap.h"
#include "iovec.h"
#include "process_tree.h"
#include "syscalls.h"
#include "thread.h"

namespace libos {
namespace {

constexpr uint64_t kTaskSizeMax = (uint64_t{1} << 47) - 4096; // the user address space's end
constexpr uint64_t kChunk = 64 * 1024;

// access_ok, which import_iovec asks of each of the caller's segments.
bool user_range(const Iovec &s) {
    return s.length <= kTaskSizeMax && s.base <= kTaskSizeMax - s.length;
}

// A handle for the process `pid` names: the caller's own (any of its threads), or
// another of the guest's that has not ended (a zombie has no memory: ESRCH, as Linux).
int64_t open_target(int32_t pid, bsc_handle &process) {
    uint64_t host_id = 0;
    if (pid != current_pid() && !is_thread_of_process(pid)) {
        ProcessCard card;
        if (pid <= 0 || !read_card(pid, card) || card.state == 'Z')
            return -ESRCH;
        host_id = card.host_id;
    }
    return abi().process_open(host_id, &process) == BSC_OK ? 0 : -ESRCH;
}

// Moves one remote segment through `bounce`, from `moved` bytes into the local segments;
// the bytes it moved, and whether a fault (either side) ended it early. `denied`: the host
// refused the process's memory to the caller (mm_access's ptrace check).
uint64_t move_segment(bsc_handle process, const Iovec &remote, const IoVector &local,
                      uint64_t moved, char *bounce, bool write, bool &fault, bool &denied) {
    uint64_t done_here = 0;
    while (done_here < remote.length && moved + done_here < local.total) {
        uint64_t want = remote.length - done_here;
        uint64_t room = local.total - moved - done_here;
        want = want < room ? want : room;
        want = want < kChunk ? want : kChunk;
        uint64_t done = 0, at = remote.base + done_here;
        if (write) {
            uint64_t gathered = copy_segments(local, moved + done_here, bounce, want, false);
            if (gathered)
                denied = abi().process_memory_write(process, at, bounce, gathered, &done) ==
                         BSC_E_NOT_PERMITTED;
            fault = gathered < want || done < gathered;
        } else {
            denied = abi().process_memory_read(process, at, bounce, want, &done) ==
                     BSC_E_NOT_PERMITTED;
            uint64_t given = copy_segments(local, moved + done_here, bounce, done, true);
            fault = done < want || given < done;
            done = given;
        }
        done_here += done;
        if (fault)
            break;
    }
    return done_here;
}

int64_t process_vm_transfer(Syscall &call, bool write) {
    if (call.arg[5])
        return -EINVAL;
    IoVector local, remote;
    if (int64_t error = local.import(call.arg[1], call.arg[2]))
        return error;
    for (uint64_t i = 0; i < local.count; i++)
        if (!user_range(local.segments[i]))
            return -EFAULT;
    if (local.total == 0)
        return 0;
    if (int64_t error = remote.import(call.arg[3], call.arg[4]))
        return error;
    if (remote.total == 0)
        return 0; // no page to reach: the target is not looked up
    bsc_handle process;
    if (int64_t error = open_target(static_cast<int32_t>(call.arg[0]), process))
        return error;
    char *bounce = static_cast<char *>(allocate(kChunk));
    uint64_t moved = 0;
    bool fault = false, denied = false;
    for (uint64_t i = 0; i < remote.count && moved < local.total && !fault; i++)
        moved += move_segment(process, remote.segments[i], local, moved, bounce, write, fault,
                              denied);
    release(bounce, kChunk);
    abi().object_close(process);
    // Linux checks its permission before it moves anything: EPERM (mm_access's EACCES).
    if (denied && moved == 0)
        return -EPERM;
    // What moved before a fault is the result; a fault before anything moved is EFAULT.
    return moved ? static_cast<int64_t>(moved) : fault ? -EFAULT : 0;
}

} // namespace

int64_t sys_process_vm_readv(Syscall &call) { return process_vm_transfer(call, false); }
int64_t sys_process_vm_writev(Syscall &call) { return process_vm_transfer(call, true); }

} // namespace libos
