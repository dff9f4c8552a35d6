// SPDX-License-Identifier: MIT
// process_fork: a copy of the whole process — guest memory (shared memory stays shared),
// the runtime, the extensions and the host's handles — in which only the calling thread
// runs on. Host descriptors are copied as fork copies them, so the child shares each open
// file description with its parent, as a Linux child does; what is private to a process
// (events, threads) gets its own descriptor in the child. The processes forked from the
// guest's first runtime form its tree: the first adopts their orphans (it is their
// subreaper) and none of them outlives it (the lifeline below).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>

#include "fd.h"
#include "guest_memory.h"
#include "handles.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"

namespace bsc::host {
namespace {

// The tree's lifeline: a pipe whose write end only the first runtime holds. When it
// ends, the pipe's readers see its end, and the kernel sends each process that asked for
// it (O_ASYNC, F_SETSIG) SIGKILL: killing `bascule run`, even with SIGKILL, leaves no
// guest process behind. No thread waits for it.
int lifeline_read = -1, lifeline_write = -1;

std::atomic<ForkChildHook> fork_child_hook{nullptr};

// In a new child: drop the write end, and ask for SIGKILL on the read end's hang-up, on
// a description of its own (the owner of a signal is one per open file description).
void hold_lifeline() {
    if (lifeline_read < 0)
        return;
    ::close(lifeline_write);
    lifeline_write = -1;
    std::string own = "/proc/self/fd/" + std::to_string(lifeline_read);
    int fd = ::open(own.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ::close(lifeline_read);
    lifeline_read = fd;
    if (fd < 0 || ::fcntl(fd, F_SETOWN, ::getpid()) != 0 || ::fcntl(fd, F_SETSIG, SIGKILL) != 0 ||
        ::fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) != 0)
        ::kill(::getpid(), SIGKILL); // a child that could outlive the tree does not start
    // The first runtime may have ended already (before this child's own copy of the write
    // end went, above): then no hang-up comes any more, and the pipe reads as ended now.
    char byte;
    if (::read(fd, &byte, 1) == 0)
        ::kill(::getpid(), SIGKILL);
}

} // namespace

void set_fork_child_hook(ForkChildHook hook) { fork_child_hook.store(hook); }

void become_tree_root() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        return;
    lifeline_read = ends[0], lifeline_write = ends[1];
    // A child opens the pipe again (hold_lifeline), as whatever ids its guest has taken
    // since: a pipe is its creator's alone (0600), so it is made readable by anyone. Only
    // who may trace a process of the tree can name it (/proc/PID/fd), and it carries no data.
    ::fchmod(lifeline_read, 0444);
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_process_fork(bsc_handle *child, uint64_t *child_id) {
    if (bsc_status s = probe_out(child))
        return s;
    if (bsc_status s = probe_out(child_id))
        return s;
    pid_t pid;
    {
        std::scoped_lock whole(handles().mutex(), memory_map_mutex(), live_threads_mutex());
        pid = ::fork();
    }
    if (pid < 0)
        return errno == ENOMEM ? BSC_E_NO_MEMORY : BSC_E_AGAIN;
    if (pid == 0) {
        threads_after_fork();
        events_after_fork();
        notices_after_fork();
        handles().published().after_fork();
        hold_lifeline();
        if (ForkChildHook hook = fork_child_hook.load()) {
            // The threads the hook starts are the runtime's: a signal for the guest must
            // not land in one of them (a guest thread's mask is restored after).
            sigset_t previous;
            ::pthread_sigmask(SIG_SETMASK, nullptr, &previous);
            set_async_signals_blocked(true);
            hook();
            ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        }
        if (bsc_status s = write_guest(child, BSC_NO_HANDLE))
            return s;
        return write_guest(child_id, uint64_t{0});
    }
    if (bsc_status s = publish_process(pid, true, child)) {
        ::kill(pid, SIGKILL);
        return s;
    }
    return write_guest(child_id, static_cast<uint64_t>(pid));
}
