// SPDX-License-Identifier: MIT
// process_fork: a copy of the whole process — guest memory (shared memory stays shared),
// the runtime, the extensions and the host's handles — in which only the calling thread
// runs on. Host descriptors are copied as fork copies them, so the child shares each open
// file description with its parent, as a Linux child does; what is private to a process
// (events, threads) gets its own descriptor in the child. The processes forked from the
// guest's first runtime form its tree: the first adopts their orphans (it is their
// subreaper) and none of them outlives it.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "fd.h"
#include "guest_memory.h"
#include "handles.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"

namespace bsc::host {
namespace {

// The first runtime of the tree, which every process forked from it watches.
int tree_root = -1;

// The child ends when the tree's first runtime does: killing `bascule run` leaves no
// guest process behind. A thread of the runtime's own waits for it (with every signal
// blocked, so that none meant for the guest lands there).
void watch_tree_root() {
    if (tree_root < 0)
        return;
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    std::thread([] {
        pollfd root{tree_root, POLLIN, 0};
        while (::poll(&root, 1, -1) != 1) {
        }
        ::kill(::getpid(), SIGKILL);
    }).detach();
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

} // namespace

void become_tree_root() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    tree_root = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
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
        watch_tree_root();
        if (bsc_status s = write_guest(child, BSC_NO_HANDLE))
            return s;
        return write_guest(child_id, uint64_t{0});
    }
    if (bsc_status s = publish_process(pid, child)) {
        ::kill(pid, SIGKILL);
        return s;
    }
    return write_guest(child_id, static_cast<uint64_t>(pid));
}
