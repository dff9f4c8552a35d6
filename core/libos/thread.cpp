// SPDX-License-Identifier: MIT
// Per-thread LibOS state, exception stacks, the list of the program's threads, and how
// threads start and end.
#include "thread.h"

#include <asm-generic/errno.h>
#include <stddef.h>

#include "fork_locks.h"
#include "futex.h"
#include "heap.h"
#include "process_state.h"
#include "process_tree.h"
#include "spinlock.h"
#include "user_memory.h"

namespace libos {

namespace thread_list {
Thread *threads[kMaxThreads];
uint32_t count;
namespace {
Spinlock list_lock;
LIBOS_FORK_LOCK(list_lock);
} // namespace
void lock() { list_lock.lock(); }
void unlock() { list_lock.unlock(); }
} // namespace thread_list

namespace {

// The whole span the host counts as the exception stack: a program's stack mapped just
// below a smaller one would be taken for it (its pages are touched only as used).
constexpr uint64_t kExceptionStackSize = BSC_EXCEPTION_STACK_SPAN;

int32_t leader_exit_code; // the initial thread's exit code, once it has exited
Thread *initial_thread;   // the thread with the process's id, whose block the host made

// Threads that called exit, to be freed once the host has let go of them (their handle
// becomes ready then).
Thread *exited[thread_list::kMaxThreads];
uint32_t exited_count;
Spinlock exited_lock;
LIBOS_FORK_LOCK(exited_lock);

uint64_t exception_stack_top(const Thread &thread) {
    return thread.exception_stack + kExceptionStackSize;
}

// Makes `thread` the calling thread's: the block %gs leads to, and where its exceptions run.
void adopt(Thread &thread) {
    tcb().exception_stack_top = exception_stack_top(thread);
    tcb().guest[0] = reinterpret_cast<uint64_t>(&thread);
}

Thread *new_thread() {
    Thread *thread = create<Thread>();
    thread->handle = BSC_NO_HANDLE;
    thread->signal_event = BSC_NO_HANDLE;
    thread->exception_stack = reinterpret_cast<uint64_t>(allocate(kExceptionStackSize));
    return thread;
}

uint64_t xstate_block_size(uint32_t size) { return size + 64; }

void free_thread(Thread *thread) {
    drop_thread_signals(thread->signals);
    if (thread->handle != BSC_NO_HANDLE)
        abi().object_close(thread->handle);
    if (thread->signal_event != BSC_NO_HANDLE)
        abi().object_close(thread->signal_event);
    if (thread->start_xstate)
        release(thread->start_xstate, xstate_block_size(thread->start.xstate_size));
    release(reinterpret_cast<void *>(thread->exception_stack), kExceptionStackSize);
    destroy(thread);
}

bool host_is_done_with(const Thread &thread) {
    bsc_wait_item item{thread.handle, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    bsc_status status = abi().objects_wait_any(&item, 1, 0, &ready);
    return (status == BSC_OK && ready) || status == BSC_E_BAD_HANDLE; // unknown: gone too
}

// Frees the exited threads the host has finished with.
void free_exited_threads() {
    SpinGuard guard(exited_lock);
    for (uint32_t i = 0; i < exited_count;) {
        if (!host_is_done_with(*exited[i])) {
            i++;
            continue;
        }
        free_thread(exited[i]);
        exited[i] = exited[--exited_count];
    }
}

void remember_exited(Thread *thread) {
    for (;;) {
        {
            SpinGuard guard(exited_lock);
            if (exited_count < thread_list::kMaxThreads) {
                exited[exited_count++] = thread;
                return;
            }
        }
        free_exited_threads(); // full of threads the host is about to let go of
        abi().thread_yield();
    }
}

// Takes `thread` out of the list; how many program threads are left.
uint32_t unlist(Thread *thread) {
    thread_list::lock();
    uint32_t i = 0;
    while (i < thread_list::count && thread_list::threads[i] != thread)
        i++;
    for (; i + 1 < thread_list::count; i++)
        thread_list::threads[i] = thread_list::threads[i + 1];
    uint32_t left = --thread_list::count;
    if (thread == initial_thread)
        leader_exit_code = thread->exit_code;
    thread_list::unlock();
    note_thread_count(left);
    return left;
}

bsc_handle create_host_thread(Thread *thread) {
    bsc_thread_start request{exception_stack_top(*thread), reinterpret_cast<uint64_t>(&thread->tcb),
                             reinterpret_cast<uint64_t>(thread), 0};
    return abi().thread_create(&request, &thread->handle) == BSC_OK ? thread->handle
                                                                    : BSC_NO_HANDLE;
}

} // namespace

void initialise_main_thread() {
    Thread *thread = new_thread();
    thread->tid = static_cast<uint32_t>(current_pid());
    thread->handle = start_info().thread;
    initial_thread = thread;
    adopt(*thread);
    thread_list::threads[thread_list::count++] = thread;
}

bsc_tcb &tcb() {
    uint64_t self;
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return *reinterpret_cast<bsc_tcb *>(self);
}

Thread &current_thread() { return *reinterpret_cast<Thread *>(tcb().guest[0]); }

bool on_exception_stack(const Thread &thread, uint64_t sp) {
    return sp - thread.exception_stack <= kExceptionStackSize;
}

uint32_t thread_count() {
    thread_list::lock();
    uint32_t n = thread_list::count;
    thread_list::unlock();
    return n;
}

bool is_thread_of_process(int64_t id) {
    return id == current_pid() || thread_lives(id);
}

bsc_handle start_internal_thread(void (*fn)()) {
    Thread *thread = new_thread();
    thread->internal = fn;
    if (create_host_thread(thread) == BSC_NO_HANDLE)
        panic("cannot start a LibOS thread");
    return thread->handle;
}

Thread *new_program_thread() {
    free_exited_threads();
    Thread *thread = new_thread();
    Thread &parent = current_thread();
    thread->signals.blocked = parent.signals.blocked;
    memcpy(thread->name, parent.name, sizeof thread->name);
    inherit_prctl_state(*thread, parent);
    thread_list::lock();
    bool room = thread_list::count < thread_list::kMaxThreads;
    uint32_t threads = thread_list::count + (room ? 1 : 0);
    if (room) {
        thread->tid = static_cast<uint32_t>(allocate_thread_id());
        thread_list::threads[thread_list::count++] = thread;
    }
    thread_list::unlock();
    note_thread_count(threads);
    if (room)
        return thread;
    free_thread(thread);
    return nullptr;
}

int64_t start_program_thread(Thread *thread) {
    if (create_host_thread(thread) != BSC_NO_HANDLE)
        return 0;
    unlist(thread);
    free_thread(thread);
    return -EAGAIN; // what clone answers when the kernel cannot make the thread
}

void start_thread(uint64_t argument) {
    auto *thread = reinterpret_cast<Thread *>(argument);
    adopt(*thread);
    if (thread->internal) {
        thread->internal();
        abi().thread_exit();
        panic("thread_exit returned");
    }
    if (thread->child_set_tid)
        put_user(thread->child_set_tid, thread->tid); // a bad address is ignored, as by Linux
    resume_program(thread->start);
}

void become_only_thread() {
    Thread &self = current_thread();
    for (uint32_t i = 0; i < thread_list::count; i++)
        if (thread_list::threads[i] != &self)
            free_thread(thread_list::threads[i]);
    thread_list::threads[0] = &self;
    thread_list::count = 1;
    for (uint32_t i = 0; i < exited_count; i++)
        free_thread(exited[i]);
    exited_count = 0;
    self.tid = static_cast<uint32_t>(current_pid());
    initial_thread = &self;
    leader_exit_code = 0;
}

void end_other_threads() {
    Thread &self = current_thread();
    for (;;) {
        uint32_t others = 0;
        for_each_thread([&](Thread &t) {
            if (&t == &self)
                return true;
            others++;
            if (!t.exit_requested) {
                t.exit_requested = true;
                abi().thread_interrupt(t.handle);
            }
            return true;
        });
        if (others == 0)
            break;
        abi().thread_yield();
    }
    thread_list::lock();
    self.tid = static_cast<uint32_t>(current_pid()); // the leader's id, as de_thread gives it
    initial_thread = &self;
    thread_list::unlock();
}

void exit_if_asked() {
    if (current_thread().exit_requested)
        exit_thread(0);
}

void exit_thread(int32_t code) {
    Thread &thread = current_thread();
    thread.exit_code = code;
    release_robust_futexes(thread);
    if (unlist(&thread) == 0)
        exit_process(leader_exit_code);
    // Once it is out of the list: a thread that joins it sees it gone from /proc too.
    if (thread.clear_child_tid && put_user(thread.clear_child_tid, uint32_t{0}))
        futex_wake(thread.clear_child_tid, 1); // pthread_join's wait
    if (&thread != initial_thread) // its block stays: the host started it
        remember_exited(&thread);
    abi().thread_exit();
    panic("thread_exit returned");
}

} // namespace libos
