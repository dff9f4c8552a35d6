// SPDX-License-Identifier: MIT
// signalfd and signalfd4: a descriptor that reads the pending signals of its mask as
// signalfd_siginfo records, taking them from the pending set as Linux does.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>
#include <asm/signal.h>

#include "fd_table.h"
#include "heap.h"
#include "text_buffer.h"
#include "poll.h"
#include "process_tree.h"
#include "signals.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kFlags = O_CLOEXEC | O_NONBLOCK; // SFD_CLOEXEC, SFD_NONBLOCK
constexpr uint64_t kUnreadable = (uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1));

// The kernel's struct signalfd_siginfo: 128 bytes.
struct SignalRecord {
    uint32_t signo;
    int32_t error, code;
    uint32_t pid, uid;
    int32_t fd;
    uint32_t tid, band, overrun, trapno;
    int32_t status, int_value;
    uint64_t ptr, utime, stime, addr;
    uint16_t addr_lsb, pad2;
    int32_t syscall;
    uint64_t call_addr;
    uint32_t arch;
    uint8_t pad[28];
};
static_assert(sizeof(SignalRecord) == 128);

struct SignalSet {
    uint64_t mask; // the signals it reads, never SIGKILL or SIGSTOP
};

uint64_t &mask_of(OpenFile &file) { return static_cast<SignalSet *>(file.state)->mask; }

// The record of a signal as signalfd_copyinfo fills it: a signal sent by kill or tkill
// carries its sender's pid and uid; a fault its address; a POSIX timer's its id, overrun
// and value.
SignalRecord record_of(const SignalInfo &info) {
    SignalRecord r{};
    r.signo = static_cast<uint32_t>(info.signo);
    r.error = info.error;
    r.code = info.code;
    if (info.code == kSiTimer) {
        r.tid = static_cast<uint32_t>(info.timer_id);
        r.overrun = static_cast<uint32_t>(info.overrun);
        r.ptr = info.value;
        r.int_value = static_cast<int32_t>(info.value);
        return r;
    }
    r.pid = static_cast<uint32_t>(info.pid);
    r.uid = info.uid;
    r.ptr = info.value; // a queued signal's value (0 for the others)
    r.int_value = static_cast<int32_t>(info.value);
    r.addr = info.address;
    if (is_poll_signal(info)) {
        r.addr = 0;
        r.band = static_cast<uint32_t>(info.address);
        r.fd = info.status;
    } else if (is_child_signal(info)) {
        r.status = info.status;
        r.utime = static_cast<uint64_t>(info.utime / kNanosPerTick);
        r.stime = static_cast<uint64_t>(info.stime / kNanosPerTick);
    }
    return r;
}

// read: as many records as fit, at least one; blocks (restartably) until a signal of the
// mask is pending. Like sigtimedwait, it first takes what other guest processes posted,
// whether or not their interrupt has come (Linux's kill made the signal pending).
int64_t signals_transfer(OpenFile &file, uint64_t buffer, uint64_t size, bool write) {
    if (write || size < sizeof(SignalRecord))
        return -EINVAL;
    uint64_t mask = __atomic_load_n(&mask_of(file), __ATOMIC_RELAXED);
    uint64_t done = 0;
    SignalInfo info;
    while (done + sizeof(SignalRecord) <= size) {
        collect_posted_signals();
        if (!take_pending_signal(mask, info)) {
            if (done)
                break;
            if (file.flags & O_NONBLOCK)
                return -EAGAIN;
            if (signal_pending())
                return -kRestartSyscall;
            // A signal made pending while the thread waits sets its wakeup.
            bsc_wait_item item{signal_wakeup(), BSC_WAIT_READ, 0};
            uint32_t ready;
            abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready);
            continue;
        }
        SignalRecord r = record_of(info);
        if (!copy_to_user(buffer + done, &r, sizeof r))
            return done ? static_cast<int64_t>(done) : -EFAULT;
        done += sizeof r;
    }
    return static_cast<int64_t>(done);
}

// A signal made pending while a wait sleeps sets the thread's wakeup, which ends the wait
// to look again.
int16_t signals_ready(OpenFile &file, Wakeups &wake) {
    uint64_t mask = __atomic_load_n(&mask_of(file), __ATOMIC_RELAXED);
    bsc_handle wakeup = signal_wakeup();
    collect_posted_signals();
    SignalSets sets = signal_sets(current_thread());
    if ((sets.pending | sets.shared_pending) & mask)
        return POLLIN;
    make_room(wake.items, wake.count, wake.capacity, 1);
    wake.items[wake.count++] = bsc_wait_item{wakeup, BSC_WAIT_READ, 0};
    return 0;
}

void signals_release(OpenFile &file) { destroy(static_cast<SignalSet *>(file.state)); }

// signalfd_fops has had .read_iter since Linux 6.8, and no write.
// signalfd_show_fdinfo's line: the signals it reads, as render_sigset_t shows a set.
void signals_fdinfo(OpenFile &file, Text &text) {
    text.print("sigmask:\t");
    text.put_hex(__atomic_load_n(&mask_of(file), __ATOMIC_RELAXED), 16);
    text.put("\n", 1);
}

const FileKind kSignals = {signals_transfer, nullptr, anonymous_inode_attributes,
                           signals_release, signals_ready, kReadIter, nullptr, nullptr,
                           signals_fdinfo};

// signalfd4 once the mask is read: a new descriptor for fd -1, else the mask of `fd`'s
// signalfd changes.
int64_t make_or_change(int fd, uint64_t mask, uint64_t flags) {
    if (flags & ~kFlags)
        return -EINVAL;
    mask &= ~kUnreadable;
    if (fd != -1) {
        FileRef file(fd);
        if (!file)
            return -EBADF;
        if (file->kind != &kSignals)
            return -EINVAL;
        __atomic_store_n(&mask_of(*file.get()), mask, __ATOMIC_RELAXED);
        return fd;
    }
    auto *set = create<SignalSet>();
    set->mask = mask;
    return install_anonymous(&kSignals, set, flags);
}

int64_t signalfd_user(uint64_t fd, uint64_t user_mask, uint64_t size, uint64_t flags) {
    uint64_t mask;
    if (size != sizeof mask)
        return -EINVAL;
    if (!get_user(user_mask, mask))
        return -EFAULT;
    return make_or_change(static_cast<int>(fd), mask, flags);
}

} // namespace

int64_t sys_signalfd(Syscall &c) { return signalfd_user(c.arg[0], c.arg[1], c.arg[2], 0); }
int64_t sys_signalfd4(Syscall &c) { return signalfd_user(c.arg[0], c.arg[1], c.arg[2], c.arg[3]); }

} // namespace libos
