// SPDX-License-Identifier: MIT
// Guest threads: each is a host pthread whose %gs points at its guest TCB. The pthread's
// own stack is the host stack its downcalls run on; thread_exit unwinds back to where
// the thread entered the guest.
#include <asm/prctl.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "clock.h"
#include "errors.h"
#include "gate.h"
#include "guest_memory.h"
#include "handles.h"
#include "host_calls.h"
#include "internal.h"
#include "tcb.h"
#include "threads.h"

namespace bsc::host {

constinit thread_local uint64_t current_guest_tcb = 0;

// The stack host signal handlers run on, mapped rather than taken from the heap so that
// sanitizers see it as a stack.
class SignalStack {
public:
    static constexpr size_t kSize = SIGNAL_STACK_SIZE;
    SignalStack() = default;
    SignalStack(const SignalStack &) = delete;
    SignalStack &operator=(const SignalStack &) = delete;
    ~SignalStack() { release(); }

    void install() {
        memory_ = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (memory_ != MAP_FAILED) {
            stack_t stack = described();
            ::sigaltstack(&stack, nullptr);
        }
    }
    void release() {
        if (memory_ == MAP_FAILED)
            return;
        stack_t off{nullptr, SS_DISABLE, 0};
        ::sigaltstack(&off, nullptr);
        ::munmap(memory_, kSize);
        memory_ = MAP_FAILED;
    }

    // Whether addr lies on this stack, and its top.
    bool contains(uint64_t addr) const {
        auto base = reinterpret_cast<uint64_t>(memory_);
        return memory_ != MAP_FAILED && addr - base < kSize;
    }
    uint64_t base() const { return memory_ == MAP_FAILED ? 0 : reinterpret_cast<uint64_t>(memory_); }
    uint64_t top() const { return reinterpret_cast<uint64_t>(memory_) + kSize; }
    stack_t described() const {
        return memory_ == MAP_FAILED ? stack_t{nullptr, SS_DISABLE, 0} : stack_t{memory_, 0, kSize};
    }

private:
    void *memory_ = MAP_FAILED;
};

struct Thread : Object {
    Thread() : Object(BSC_TYPE_THREAD, ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "thread:") {}

    uint64_t tcb = 0, stack_top = 0, argument = 0, clear_on_exit = 0;
    jmp_buf exit_jump;
    SignalStack altstack;
    std::mutex mutex; // guards tid and interrupt_requested
    pid_t tid = 0;
    bool interrupt_requested = false;
    bool counted = false; // made by thread_create (live_threads counts it)
    // An interrupt signal is queued for the thread and its handler has not run yet.
    // kInterruptSignal is a real-time signal, which the kernel queues once per send:
    // without this, interrupts sent faster than the thread runs (a short interval timer
    // on a loaded machine) pile up and are delivered nested, one host signal frame each,
    // until the signal stack overflows and the kernel kills the runtime. With it, they
    // coalesce as Linux coalesces a pending standard signal.
    std::atomic<bool> signal_in_flight{false};
    std::atomic<bool> started{false}; // its host thread runs (thread_create waits for it)
};

namespace {

constexpr uint64_t kHostStackGap = 4096;

std::mutex live_mutex;
std::condition_variable live_changed;
int live_threads = 0;

// Through arch_prctl, which every kernel has: the thread is in the host, its system
// calls pass, and these run once a thread.
void set_gs(uint64_t base) {
    ::syscall(SYS_arch_prctl, ARCH_SET_GS, base);
    current_guest_tcb = base;
}
uint64_t get_fs() {
    uint64_t base = 0;
    ::syscall(SYS_arch_prctl, ARCH_GET_FS, &base);
    return base;
}

// Syscall user dispatch: a system call made by guest code (selector BLOCK) becomes a
// SIGSYS, raised in the guest as a BSC_EXCEPTION_SYSCALL; host code runs with the
// selector at ALLOW, and the entry page, where the signal return lives, always passes.
// rdtsc and rdtscp fault too (PR_SET_TSC), raised as BSC_EXCEPTION_TIMESTAMP.
void trap_system_calls(uint64_t tcb, bool on) {
    const auto &page = entry_page();
    if (on) {
        ::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, page.base, page.size,
                tcb + TCB_SELECTOR);
        ::prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
    } else {
        ::prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
        ::prctl(PR_SET_TSC, PR_TSC_ENABLE);
    }
}

// Prepares the calling thread's TCB and signal stack; false if the TCB is not writable.
bool become_guest_thread(Thread &t) {
    bsc_tcb header{};
    header.self = t.tcb;
    if (copy_to_guest(reinterpret_cast<void *>(t.tcb), &header.self, sizeof header.self))
        return false;
    t.altstack.install();
    set_async_signals_blocked(false);
    set_gs(t.tcb);
    uint64_t host_fs = get_fs();
    tcb_field<uint64_t>(t.tcb, TCB_HOST_FS) = host_fs;
    tcb_field<uint64_t>(t.tcb, TCB_FS_NOW) = host_fs;
    tcb_field<uint64_t>(t.tcb, TCB_GUEST_FS) = 0;
    tcb_field<uint32_t>(t.tcb, TCB_STATE) = TCB_IN_HOST;
    tcb_field<uint8_t>(t.tcb, TCB_SELECTOR) = TCB_SELECTOR_ALLOW;
    tcb_field<Thread *>(t.tcb, TCB_THREAD) = &t;
    tcb_field<uint64_t>(t.tcb, TCB_SIGNAL_STACK) = t.altstack.base();
    trap_system_calls(t.tcb, true);
    std::lock_guard lock(t.mutex);
    t.tid = static_cast<pid_t>(::gettid());
    tcb_field<uint32_t>(t.tcb, TCB_WORK) = t.interrupt_requested ? TCB_WORK_INTERRUPT : 0;
    tcb_field<uint32_t>(t.tcb, TCB_WAKE) = 0;
    return true;
}

void leave_guest_thread(Thread &t) {
    trap_system_calls(t.tcb, false);
    set_async_signals_blocked(true);
    set_gs(0);
    t.altstack.release();
    {
        std::lock_guard lock(t.mutex);
        t.tid = 0;
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(t.fd, &one, sizeof one); // the handle becomes readable
}

// Runs `enter` until the thread calls thread_exit (which longjmps back here).
void run_until_exit(Thread &t, const std::function<void()> &enter) {
    if (setjmp(t.exit_jump) == 0) {
        auto here = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
        tcb_field<uint64_t>(t.tcb, TCB_HOST_SP) = (here - kHostStackGap) & ~uint64_t{15};
        enter();
    }
}

void *thread_main(void *raw) {
    std::shared_ptr<Thread> t(std::move(*static_cast<std::shared_ptr<Thread> *>(raw)));
    delete static_cast<std::shared_ptr<Thread> *>(raw);
    t->started.store(true);
    t->started.notify_one();
    if (become_guest_thread(*t))
        run_until_exit(*t, [&] { chain_upcalls().thread_start(t->argument); });
    leave_guest_thread(*t);
    std::lock_guard lock(live_mutex);
    live_threads--;
    live_changed.notify_all();
    return nullptr;
}

bool canonical(uint64_t addr) { return addr < (uint64_t{1} << 47); }

} // namespace

Thread *current_thread() {
    uint64_t tcb = current_tcb();
    return tcb ? tcb_field<Thread *>(tcb, TCB_THREAD) : nullptr;
}

stack_t current_signal_stack() {
    Thread *t = current_thread();
    return t ? t->altstack.described() : stack_t{nullptr, SS_DISABLE, 0};
}

void forget_abandoned_frames() {
#if defined(__SANITIZE_ADDRESS__)
    // The frames between here and the top of this host stack are never returned to:
    // clear their redzones, or the next downcall or signal reusing the stack would trip
    // over them.
    uint64_t tcb = current_tcb();
    Thread *t = current_thread();
    if (!tcb || !t)
        return;
    auto sp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
    uint64_t top = t->altstack.contains(sp) ? t->altstack.top()
                                             : tcb_field<uint64_t>(tcb, TCB_HOST_SP);
    if (sp < top)
        __asan_unpoison_memory_region(reinterpret_cast<void *>(sp - 512), top - sp + 512);
#endif
}

void interrupt_signal_arrived() {
    if (Thread *t = current_thread())
        t->signal_in_flight.store(false);
}

bsc_status host_tid_of(bsc_handle thread, pid_t &tid) {
    auto t = handles().find_as<Thread>(thread);
    if (!t)
        return BSC_E_BAD_HANDLE;
    std::lock_guard lock(t->mutex);
    tid = t->tid;
    return tid ? BSC_OK : BSC_E_NOT_FOUND;
}

bsc_handle thread_handle_of_tid(pid_t tid) {
    bsc_handle found = BSC_NO_HANDLE;
    handles().for_each([&](bsc_handle handle, Object &object) {
        auto *t = dynamic_cast<Thread *>(&object);
        if (!t || found != BSC_NO_HANDLE)
            return;
        std::lock_guard lock(t->mutex);
        if (t->tid == tid)
            found = handle;
    });
    return found;
}

uint64_t current_thread_stack_top() {
    Thread *t = current_thread();
    return t ? t->stack_top : 0;
}

bsc_handle prepare_guest_thread(uint64_t tcb, uint64_t stack_top) {
    if (!guest_owns(tcb, sizeof(bsc_tcb)))
        return BSC_NO_HANDLE;
    auto t = std::make_shared<Thread>();
    t->tcb = tcb;
    t->stack_top = stack_top;
    return handles().insert(t);
}

bsc_status run_as_guest_thread(bsc_handle thread, const std::function<void()> &enter) {
    auto t = handles().find_as<Thread>(thread);
    if (!t)
        return BSC_E_BAD_HANDLE;
    if (!become_guest_thread(*t))
        return BSC_E_FAULT;
    run_until_exit(*t, enter);
    leave_guest_thread(*t);
    return BSC_OK;
}

std::mutex &live_threads_mutex() { return live_mutex; }

void threads_after_fork() {
    Thread *self = current_thread();
    handles().for_each([self](bsc_handle, Object &object) {
        auto *t = dynamic_cast<Thread *>(&object);
        if (!t)
            return;
        // Its own eventfd, not the parent's: ready now for the threads the child lacks.
        int fresh = ::eventfd(t == self ? 0 : 1, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fresh >= 0) {
            ::dup3(fresh, t->fd, O_CLOEXEC);
            ::close(fresh);
        }
        if (t != self)
            t->tid = 0;
    });
    live_threads = self && self->counted ? 1 : 0;
    if (!self)
        return;
    self->tid = static_cast<pid_t>(::gettid());
    trap_system_calls(self->tcb, true); // syscall user dispatch is not inherited
}

void wait_for_guest_threads() {
    std::unique_lock lock(live_mutex);
    live_changed.wait(lock, [] { return live_threads == 0; });
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_thread_create(const bsc_thread_start *start, bsc_handle *thread) {
    bsc_thread_start s;
    if (read_guest(start, s) != BSC_OK)
        return BSC_E_FAULT;
    if (s.stack_top == 0 || s.stack_top % 16 || !guest_owns(s.stack_top - 16, 16) ||
        !guest_owns(s.tcb, sizeof(bsc_tcb)) || s.tcb % 16)
        return BSC_E_INVALID;
    auto t = std::make_shared<Thread>();
    if (t->fd < 0)
        return BSC_E_TOO_MANY;
    t->tcb = s.tcb, t->stack_top = s.stack_top, t->argument = s.argument;
    t->clear_on_exit = s.clear_on_exit;
    bsc_handle handle = handles().insert(t);
    if (handle == BSC_NO_HANDLE)
        return BSC_E_TOO_MANY;
    if (write_guest(thread, handle) != BSC_OK) {
        handles().remove(handle);
        return BSC_E_FAULT;
    }
    {
        std::lock_guard lock(live_mutex);
        live_threads++;
    }
    t->counted = true;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    auto *arg = new std::shared_ptr<Thread>(t);
    pthread_t id;
    int error = ::pthread_create(&id, &attr, thread_main, arg);
    pthread_attr_destroy(&attr);
    if (error) {
        delete arg;
        handles().remove(handle);
        std::lock_guard lock(live_mutex);
        live_threads--;
        return BSC_E_TOO_MANY;
    }
    // The new thread has finished starting before the guest goes on: a fork right after
    // must not copy a lock its start holds. AddressSanitizer's allocator, which a starting
    // thread takes, is not locked across fork as glibc's is, so a child could inherit it
    // held and hang at its first allocation.
    t->started.wait(false);
    return BSC_OK;
}

extern "C" bsc_status host_thread_exit() {
    Thread *t = current_thread();
    if (!t)
        return BSC_E_INVALID;
    if (t->clear_on_exit) {
        auto *word = reinterpret_cast<uint32_t *>(t->clear_on_exit);
        if (write_guest(word, uint32_t{0}) == BSC_OK)
            host_sync_wake(word, UINT32_MAX, nullptr); // what sync_wait waiters wait on
    }
    longjmp(t->exit_jump, 1);
}

extern "C" bsc_status host_thread_yield() {
    ::sched_yield();
    return BSC_OK;
}

extern "C" bsc_status host_thread_interrupt(bsc_handle handle) {
    auto t = handles().find_as<Thread>(handle);
    if (!t)
        return BSC_E_BAD_HANDLE;
    std::lock_guard lock(t->mutex);
    if (t->tid == 0) { // not started yet (or gone): raised as soon as it runs
        t->interrupt_requested = true;
        return BSC_OK;
    }
    if (t->signal_in_flight.exchange(true)) // the one on its way interrupts for both
        return BSC_OK;
    if (::syscall(SYS_tgkill, ::getpid(), t->tid, kInterruptSignal) != 0) {
        t->signal_in_flight.store(false);
        return BSC_E_NOT_FOUND;
    }
    return BSC_OK;
}

extern "C" bsc_status host_thread_set_segment(uint32_t segment, uint64_t base) {
    if (segment != BSC_SEGMENT_FS)
        return BSC_E_NOT_PERMITTED; // %gs holds the TCB
    if (!canonical(base))
        return BSC_E_INVALID;
    uint64_t tcb = current_tcb();
    if (!tcb)
        return BSC_E_INVALID;
    tcb_field<uint64_t>(tcb, TCB_GUEST_FS) = base; // the gate loads it on the way out
    return BSC_OK;
}

// The CPU clock id of thread `tid` for a thread CPU clock of the ABI, or -1 for another.
static clockid_t thread_cpu_clock(pid_t tid, uint32_t clock) {
    switch (clock) {
    case BSC_CLOCK_THREAD_CPU: return cpu_clock_id(tid, kCpuClockScheduler, true);
    case BSC_CLOCK_THREAD_CPU_USER: return cpu_clock_id(tid, kCpuClockUser, true);
    case BSC_CLOCK_THREAD_CPU_ACCOUNTED: return cpu_clock_id(tid, kCpuClockProfile, true);
    default: return -1;
    }
}

extern "C" bsc_status host_thread_time_query(bsc_handle handle, uint32_t clock, int64_t *ns) {
    if (thread_cpu_clock(1, clock) == -1)
        return BSC_E_INVALID;
    pid_t tid = 0;
    if (bsc_status status = host_tid_of(handle, tid))
        return status;
    timespec value;
    // A thread that ended since: its id names no thread of this process (EINVAL).
    if (::syscall(SYS_clock_gettime, thread_cpu_clock(tid, clock), &value) != 0)
        return BSC_E_NOT_FOUND;
    return write_guest(ns, nanoseconds_of(value));
}
