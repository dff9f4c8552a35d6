// SPDX-License-Identifier: MIT
// Signal system calls (rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// rt_sigreturn, sigaltstack, pause, kill, tkill, tgkill) and the delivery of faults and
// pending signals to handlers.
#include <asm-generic/errno.h>
#include <linux/resource.h>
#include <linux/signal.h>

#include "core_dump.h"
#include "disassembler.h"
#include "fork_locks.h"
#include "heap.h"
#include "process_state.h"
#include "process_tree.h"
#include "memory.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "timespec.h"
#include "user_memory.h"
#include "vdso.h"

namespace libos {
namespace {

constexpr int kSignals = 64;
constexpr uint64_t kFirstRealtime = 32; // SIGRTMIN as the kernel counts: signals below are standard
constexpr uint64_t kDefault = 0, kIgnore = 1; // SIG_DFL and SIG_IGN as handler values

// The process's: the handlers, and the signals sent to it rather than to one of its
// threads (kill, interval timers), with what each says. Each thread's own mask and
// pending signals are in its ThreadSignals. Lock order: the thread list's, then this.
KernelSigaction actions[kSignals + 1];
uint64_t shared_pending;
SignalInfo shared_info[kSignals + 1];
QueuedSignal *shared_queued;
Spinlock signal_lock;
LIBOS_FORK_LOCK(signal_lock);

ThreadSignals &own() { return current_thread().signals; }

uint64_t bit(uint64_t sig) { return uint64_t{1} << (sig - 1); }
constexpr uint64_t kUnblockable = (uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1));

// A pending set's queue of real-time signals pending again (QueuedSignal), the signal
// lock held: appended to, taken from oldest first, emptied of some signals.
void queue_again(QueuedSignal *&queue, const SignalInfo &info) {
    QueuedSignal **tail = &queue;
    while (*tail)
        tail = &(*tail)->next;
    *tail = create<QueuedSignal>();
    (*tail)->info = info;
}

// Moves the oldest queued instance of `sig` into `infos[sig]`: whether there was one.
bool take_queued(QueuedSignal *&queue, uint64_t sig, SignalInfo *infos) {
    for (QueuedSignal **at = &queue; *at; at = &(*at)->next) {
        if (static_cast<uint64_t>((*at)->info.signo) != sig)
            continue;
        QueuedSignal *entry = *at;
        infos[sig] = entry->info;
        *at = entry->next;
        destroy(entry);
        return true;
    }
    return false;
}

void drop_queued(QueuedSignal *&queue, uint64_t signals) {
    for (QueuedSignal **at = &queue; *at;) {
        QueuedSignal *entry = *at;
        if (!(signals & bit(static_cast<uint64_t>(entry->info.signo)))) {
            at = &entry->next;
            continue;
        }
        *at = entry->next;
        destroy(entry);
    }
}

uint64_t queued_count(const QueuedSignal *queue) {
    uint64_t n = 0;
    for (; queue; queue = queue->next)
        n++;
    return n;
}

int signal_for(const bsc_exception &exception) {
    switch (exception.kind) {
    case BSC_EXCEPTION_BUS: return SIGBUS;
    case BSC_EXCEPTION_ILLEGAL: return SIGILL;
    case BSC_EXCEPTION_ARITHMETIC: return SIGFPE;
    case BSC_EXCEPTION_BREAKPOINT: return SIGTRAP;
    default: return SIGSEGV;
    }
}

// Signals whose default action is to do nothing.
bool ignored_by_default(uint64_t sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

bool ignored(uint64_t sig, const KernelSigaction &action) {
    return action.handler == kIgnore || (action.handler == kDefault && ignored_by_default(sig));
}

// Signals whose default action dumps core (the kernel's SIG_KERNEL_COREDUMP_MASK).
bool dumps_core(uint64_t sig) {
    return sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT ||
           sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV || sig == SIGXCPU ||
           sig == SIGXFSZ || sig == SIGSYS;
}

// The process ends as killed by `sig`; a signal that dumps core writes the program's core
// file first where Linux would (core_dump.cpp), and its parent's wait then says so. The
// host's kernel never dumps the runtime.
[[noreturn]] void terminate(int sig, const CoreCause *cause = nullptr) {
    if (cause && dumps_core(static_cast<uint64_t>(sig)) && dump_core(*cause))
        note_core_dumped();
    exit_process(-sig);
}

// The same for a fault or a system call's end (`syscall`) in `context`.
[[noreturn]] void terminate(const SignalInfo &info, const bsc_cpu_context &context,
                            int64_t syscall) {
    CoreCause cause{info, context, syscall};
    terminate(info.signo, &cause);
}

// Signals whose default action stops the process.
bool stops_by_default(uint64_t sig) {
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

// The default action of a stop signal: every thread of the process stops until a
// SIGCONT; the parent learns of it (the host tells it, as it tells it of an exit).
void stop_process() {
    bsc_handle self;
    if (abi().process_open(0, &self) != BSC_OK)
        return;
    note_stopped(true);
    abi().process_signal(self, BSC_PROCESS_STOP); // returns once continued
    note_stopped(false);
    abi().object_close(self);
}

// A call that returned kRestartSyscall starts again (back on its `syscall` instruction,
// its number in rax) unless a handler without SA_RESTART runs: then it fails with EINTR.
// kRestartNoInterrupt starts again after any handler, kRestartNoHandler after none.
void settle_interrupted_call(bsc_cpu_context &c, int64_t syscall, bool handler_runs,
                             uint64_t flags) {
    if (syscall == kNoSyscall)
        return;
    bool always = c.rax == static_cast<uint64_t>(-kRestartNoInterrupt);
    bool without_handler = c.rax == static_cast<uint64_t>(-kRestartNoHandler);
    if (!always && !without_handler && c.rax != static_cast<uint64_t>(-kRestartSyscall))
        return;
    if (handler_runs && (without_handler || (!(flags & SA_RESTART) && !always))) {
        c.rax = static_cast<uint64_t>(-int64_t{EINTR});
        return;
    }
    c.rax = static_cast<uint64_t>(syscall);
    c.rip -= 2; // the length of `syscall`
}

// A waiting call's mask is replaced by the one from before it, unless a handler took it.
void end_wait_mask() {
    SpinGuard guard(signal_lock);
    ThreadSignals &t = own();
    if (t.waiting_with_mask)
        t.blocked = t.mask_before_wait;
    t.waiting_with_mask = false;
}

void act(bsc_cpu_context &context, uint64_t sig, const SignalInfo &info, int64_t syscall);

// A handler's frame could not be pushed (the kernel's force_sigsegv): SIGSEGV follows, to
// its handler if it has one that is neither blocked nor ignored and the failed delivery
// was not already SIGSEGV's; otherwise SIGSEGV kills, its action reset to the default.
void force_sigsegv(bsc_cpu_context &context, uint64_t failed_sig) {
    bool fatal;
    {
        SpinGuard guard(signal_lock);
        KernelSigaction &segv = actions[SIGSEGV];
        fatal = failed_sig == SIGSEGV || (own().blocked & bit(SIGSEGV)) || segv.handler <= kIgnore;
        if (fatal)
            segv.handler = kDefault;
    }
    SignalInfo info{SIGSEGV, kSiKernel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (fatal)
        terminate(info, context, kNoSyscall);
    act(context, SIGSEGV, info, kNoSyscall);
}

// Takes the action for `sig` now: its default, nothing, or its handler (a frame on the
// program's stack; the handler runs when the context is resumed). As in the kernel,
// SA_RESETHAND takes effect as the signal is taken, the handler's mask only once its
// frame is pushed.
void act(bsc_cpu_context &context, uint64_t sig, const SignalInfo &info, int64_t syscall) {
    KernelSigaction action;
    uint64_t old_mask;
    {
        SpinGuard guard(signal_lock);
        action = actions[sig];
        // The handler returns to the mask from before a waiting call (sigsuspend, ppoll).
        old_mask = own().waiting_with_mask ? own().mask_before_wait : own().blocked;
        if (action.handler > kIgnore && (action.flags & SA_RESETHAND))
            actions[sig].handler = kDefault;
    }
    bool handler_runs = action.handler > kIgnore;
    // A fatal signal ends the process with the registers the call left (the kernel dumps
    // core before it would restart the call).
    if (!handler_runs && !ignored(sig, action) && !stops_by_default(sig))
        terminate(info, context, syscall);
    settle_interrupted_call(context, syscall, handler_runs, action.flags);
    if (ignored(sig, action))
        return;
    if (!handler_runs && stops_by_default(sig))
        return stop_process();
    if (!push_signal_frame(context, info, action, old_mask))
        return force_sigsegv(context, sig);
    SpinGuard guard(signal_lock);
    ThreadSignals &t = own();
    t.waiting_with_mask = false;
    t.blocked |= action.mask & ~kUnblockable;
    if (!(action.flags & SA_NODEFER))
        t.blocked |= bit(sig);
}

// Of the signals in `ready` (not none), the one Linux takes first (next_signal): the
// synchronous ones (faults) before the others, the lowest number first.
uint64_t next_signal(uint64_t ready) {
    uint64_t synchronous =
        bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE) | bit(SIGSYS);
    uint64_t first = ready & synchronous ? ready & synchronous : ready;
    return static_cast<uint64_t>(__builtin_ctzll(first)) + 1;
}

// Takes the first pending signal of `mask` (and not blocked, if `unblocked`) from the
// calling thread's pending set, else from the process's, as dequeue_signal does: false if
// there is none. A POSIX timer's signal that its timer drops is skipped, as Linux skips it.
bool take_signal(uint64_t mask, bool unblocked, SignalInfo &info) {
    for (;;) {
        {
            SpinGuard guard(signal_lock);
            ThreadSignals &t = own();
            uint64_t wanted = mask & (unblocked ? ~t.blocked : ~uint64_t{0});
            bool thread_first = t.pending & wanted;
            uint64_t &pending = thread_first ? t.pending : shared_pending;
            if (!(pending & wanted))
                return false;
            uint64_t sig = next_signal(pending & wanted);
            SignalInfo *infos = thread_first ? t.pending_info : shared_info;
            info = infos[sig];
            if (!take_queued(thread_first ? t.queued : shared_queued, sig, infos))
                pending &= ~bit(sig);
        }
        if (info.code != kSiTimer || posix_timer_signal_taken(info))
            return true;
    }
}

// Sleeps until a signal is pending: its handler runs as the call returns EINTR. It sleeps
// on the thread's signal event too, which a signal raised after the check sets (an
// interrupt landing before the downcall would be spent on the LibOS's own code).
int64_t wait_for_signal() {
    bsc_wait_item item{signal_wakeup(), BSC_WAIT_READ, 0};
    uint32_t ready;
    while (!signal_pending())
        abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready);
    return -EINTR;
}

} // namespace

void deliver_pending_signals(bsc_cpu_context &context, int64_t syscall) {
    park_for_core_dump(context, syscall);
    exit_if_asked();
    collect_process_events();
    SignalInfo info;
    if (take_signal(~uint64_t{0}, true, info))
        act(context, static_cast<uint64_t>(info.signo), info, syscall);
    else
        settle_interrupted_call(context, syscall, false, 0);
    end_wait_mask();
}

bool take_pending_signal(uint64_t mask, SignalInfo &info) {
    // A signal another process sent is pending once collected: without this, a wait for
    // it (sigwaitinfo, a signalfd's read) missed it and, if it is not blocked, ended with
    // EINTR as if another signal had come.
    collect_process_events();
    return take_signal(mask, false, info);
}

void deliver_exception(bsc_exception &exception) {
    bsc_cpu_context &c = exception.context;
    // Below the stack, the stack grows first: a LibOS copy to the program's stack too.
    StackFault stack = exception.kind == BSC_EXCEPTION_MEMORY ? grow_stack(exception.address)
                                                              : StackFault::elsewhere;
    if (stack == StackFault::grown)
        return;
    if (exception.kind == BSC_EXCEPTION_MEMORY && user_copy_fault(c.rip, c.rax, c.rcx))
        return;
    if (exception.kind == BSC_EXCEPTION_INTERRUPT) {
        // Another process may have sent a signal, or a child changed: collected as the
        // program resumes (resume_after_exception), at once if the program or a vDSO call
        // was interrupted. Inside the LibOS serving a system call, a signal waits for the
        // call's end.
        note_process_event();
        // A wait on the thread's signal event that this interrupt came just before ends at
        // once and looks again (its check has passed; the event stays set for it).
        if (current_thread().signal_event != BSC_NO_HANDLE)
            abi().event_set(current_thread().signal_event);
        return;
    }
    int sig = signal_for(exception);
    if (verbose())
        log("signal %d for a fault at rip %lx, address %lx", sig, c.rip, exception.address);
    bool unhandled;
    {
        SpinGuard guard(signal_lock);
        unhandled = (own().blocked & bit(sig)) || actions[sig].handler == kIgnore;
    }
    bool unmapped = exception.code != BSC_FAULT_PROTECTION || stack == StackFault::refused;
    int32_t code = exception.kind == BSC_EXCEPTION_MEMORY
                       ? (unmapped ? 1 /* SEGV_MAPERR */ : 2 /* SEGV_ACCERR */)
                   : exception.kind == BSC_EXCEPTION_ARITHMETIC && exception.code == BSC_ARITH_DIVIDE
                       ? 1 /* FPE_INTDIV */
                   : exception.kind == BSC_EXCEPTION_BUS && exception.code != 0
                       ? static_cast<int32_t>(exception.code) // BUS_ADRERR, BUS_MCEERR_AR
                       : kSiKernel;
    SignalInfo info{sig, code, exception.address, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (unhandled) // a blocked or ignored synchronous fault kills, as on Linux
        terminate(info, c, kNoSyscall);
    act(c, static_cast<uint64_t>(sig), info, kNoSyscall);
}

namespace {

// Whether `c` is in the LibOS's own code rather than the program's: anything on the
// exception stack it serves calls on (an extension's code below it too), or its image
// (the disassembler's included) outside a vDSO call.
bool inside_libos(const bsc_cpu_context &c) {
    if (on_exception_stack(current_thread(), c.rsp))
        return true;
    uint64_t image = start_info().image_base;
    bool in_image = c.rip - image < start_info().image_size || in_decoder(c.rip);
    return in_image && !in_vdso_call(c);
}

// While set, the host raises no interrupt on this thread: one waits for the resumption
// (ABI 1.14, "Holding interrupts"), which clears the hold.
void hold_interrupts(bool held) {
    __atomic_store_n(&tcb().interrupts_held, held ? 1u : 0u, __ATOMIC_SEQ_CST);
}

[[noreturn]] void restore(const bsc_cpu_context &context) {
    abi().thread_context_restore(&context);
    panic("thread_context_restore failed");
}

} // namespace

// Each look at what is due (signal_pending, which collects what an interrupt brought)
// comes with interrupts held: no interrupt lands in it, and a signal raised after it is
// delivered by the interrupt the host raises as `program` resumes.
void resume_program(bsc_cpu_context &program) {
    for (;;) {
        hold_interrupts(true);
        if (!signal_pending())
            break;
        hold_interrupts(false);
        deliver_pending_signals(program, kNoSyscall);
    }
    restore(program);
}

void resume_after_exception(bsc_cpu_context &context) {
    if (!inside_libos(context))
        resume_program(context);
    restore(context);
}

namespace {

// A thread to run a signal sent to the process (the list and signal locks held), as
// complete_signal chooses: the calling program thread or the first that does not block
// it; null if all block it (it stays pending for the first to unblock it).
Thread *recipient(uint64_t sig) {
    Thread &self = current_thread();
    if (self.tid && !(self.signals.blocked & bit(sig)))
        return &self;
    for (uint32_t i = 0; i < thread_list::count; i++)
        if (!(thread_list::threads[i]->signals.blocked & bit(sig)))
            return thread_list::threads[i];
    return nullptr;
}

// Lets `target` (another thread than the caller's) see a new pending signal now: its
// blocking call ends, or its code stops at the next instruction, to run the handler.
// Every thread waiting on a signalfd looks again (the list lock held).
void notify(Thread *target) {
    if (target && target != &current_thread())
        abi().thread_interrupt(target->handle);
    for (uint32_t i = 0; i < thread_list::count; i++)
        if (thread_list::threads[i]->signal_event != BSC_NO_HANDLE)
            abi().event_set(thread_list::threads[i]->signal_event);
}

// After the calling thread's mask went from `old` to what it is, a signal pending for the
// process that it now blocks goes to a thread that does not (retarget_shared_pending); the
// list lock held.
void retarget_shared(uint64_t old) {
    for (;;) {
        Thread *target;
        {
            SpinGuard guard(signal_lock);
            uint64_t newly = own().blocked & ~old & shared_pending;
            if (!newly)
                return;
            uint64_t sig = next_signal(newly);
            old |= bit(sig);
            target = recipient(sig);
        }
        if (target)
            notify(target);
    }
}

// A pending set: the process's, or a thread's.
struct PendingSet {
    uint64_t &pending;
    SignalInfo *infos;
    QueuedSignal *&queued;
};

PendingSet process_set() { return {shared_pending, shared_info, shared_queued}; }
PendingSet thread_set(ThreadSignals &t) { return {t.pending, t.pending_info, t.queued}; }

// Makes `info` pending in `set` unless the target ignores it without blocking it (Linux
// drops it then), or, if `once`, it is pending there already; the signal lock held. A
// standard signal pending already keeps the siginfo it came with (legacy_queue: the
// second is not queued), so its handler answers the first sender; a real-time one is
// queued behind it, unless it comes `lost` (past RLIMIT_SIGPENDING: check_queue).
Queued make_pending(const SignalInfo &info, uint64_t target_blocked, PendingSet set, bool once,
                    bool lost = false) {
    auto sig = static_cast<uint64_t>(info.signo);
    if (!(target_blocked & bit(sig)) && ignored(sig, actions[sig]))
        return Queued::dropped;
    if (once && (set.pending & bit(sig)))
        return Queued::busy;
    if (set.pending & bit(sig)) {
        if (sig >= kFirstRealtime && !lost)
            queue_again(set.queued, info);
        return Queued::yes;
    }
    set.pending |= bit(sig);
    set.infos[sig] = info;
    return Queued::yes;
}

// RLIMIT_SIGPENDING, as __send_signal_locked asks sigqueue_alloc (the signal lock held):
// a signal that would be queued past the limit is EAGAIN if it is a real-time one not
// sent by kill; otherwise it is made pending all the same, its siginfo lost (SI_USER, no
// sender, and no instance more of one pending already: `lost`). A standard signal sent by
// kill or the kernel (code >= 0) is never refused, nor one pending already. What counts
// as queued is what is pending for the process and for the target thread, every instance
// (Linux counts the user's, in every process: the limit 0, which refuses every queued
// signal, is exact). 0 or -EAGAIN; `queued` is what to make pending.
int64_t check_queue(const SignalInfo &info, const ThreadSignals &target, SignalInfo &queued,
                    bool &lost) {
    auto sig = static_cast<uint64_t>(info.signo);
    queued = info;
    lost = false;
    bool standard = sig < kFirstRealtime;
    if (sig == SIGKILL || (standard && (target.pending & bit(sig))) ||
        (standard && info.code >= 0))
        return 0;
    uint64_t pending_now = static_cast<uint64_t>(__builtin_popcountll(target.pending) +
                                                 __builtin_popcountll(shared_pending)) +
                           queued_count(target.queued) + queued_count(shared_queued);
    if (pending_now < soft_limit(RLIMIT_SIGPENDING))
        return 0;
    if (!standard && info.code != kSiUser)
        return -EAGAIN;
    queued = lost_signal(info.signo);
    lost = true;
    return 0;
}

// raise_signal_info, and queue_timer_signal's for the process; `result` is check_queue's
// (0, or -EAGAIN past the limit), asked of the thread a pid names: the first.
Queued pend_for_process(const SignalInfo &info, bool once, int64_t &result) {
    auto sig = static_cast<uint64_t>(info.signo);
    thread_list::lock();
    Thread *target = nullptr;
    Queued queued = Queued::dropped;
    {
        SpinGuard guard(signal_lock);
        static const ThreadSignals none{};
        const ThreadSignals &leader = thread_list::count ? thread_list::threads[0]->signals : none;
        SignalInfo to_queue = info;
        bool lost = false;
        // A POSIX timer's signal (`once`) has its queue entry from timer_create on.
        result = once ? 0 : check_queue(info, leader, to_queue, lost);
        if (result == 0)
            queued = make_pending(to_queue, leader.blocked, process_set(), once, lost);
        if (queued == Queued::yes)
            target = recipient(sig);
    }
    if (queued == Queued::yes)
        notify(target);
    thread_list::unlock();
    return queued;
}


// raise_thread_signal_info, and queue_timer_signal's for a thread: false if `tid` is none
// of the program's threads; `result` is check_queue's (0, or -EAGAIN past the limit).
bool pend_for_thread(int64_t tid, const SignalInfo &info, bool once, Queued &queued,
                     int64_t &result) {
    auto sig = static_cast<uint64_t>(info.signo);
    queued = Queued::dropped;
    result = 0;
    return with_thread(tid, [&](Thread &t) {
        if (sig == 0)
            return;
        {
            SpinGuard guard(signal_lock);
            SignalInfo to_queue = info;
            bool lost = false;
            // An ignored signal is dropped before anything is queued (prepare_signal).
            if (!once && (t.signals.blocked & bit(sig) || !ignored(sig, actions[sig])))
                result = check_queue(info, t.signals, to_queue, lost);
            if (result == 0)
                queued = make_pending(to_queue, t.signals.blocked, thread_set(t.signals), once,
                                      lost);
        }
        if (queued == Queued::yes)
            notify(t.signals.blocked & bit(sig) ? nullptr : &t);
    });
}

} // namespace

SignalInfo sent_signal(uint64_t sig, int32_t code) {
    return SignalInfo{static_cast<int32_t>(sig), code, 0, current_pid(), identity().user_id,
                      0, 0, 0, 0, 0, 0, 0};
}

namespace {

// The program's siginfo_t: the kernel's own (48 bytes: the header and the union's 32),
// then the bytes only a form unknown to it may use.
struct ProgramSiginfo {
    int32_t signo, error, code, padding;
    uint8_t fields[32];
    uint8_t expansion[80];
};
static_assert(sizeof(ProgramSiginfo) == 128);

// Whether the kernel knows the form of a program's (signal, code) (known_siginfo_layout):
// the kernel's codes, the user's from SI_DETHREAD up, SI_ASYNCNL, and the positive codes
// each signal defines (any signal's POLL_* ones when it defines none).
bool known_siginfo_layout(int32_t signo, int32_t code) {
    constexpr int32_t kSiKernel = 0x80, kSiDethread = -7, kSiAsyncnl = -60, kLastPollCode = 6;
    if (code == kSiKernel || code == kSiAsyncnl || (code <= 0 && code >= kSiDethread))
        return true;
    if (code < 0)
        return false;
    for (const OwnCodes &own : kOwnCodes)
        if (own.signo == signo)
            return code <= own.limit;
    return code <= kLastPollCode;
}

template <class T> T field_at(const ProgramSiginfo &given, size_t offset) {
    T value;
    memcpy(&value, given.fields + offset, sizeof value);
    return value;
}

} // namespace

// The fields of the union its form names are kept (a form's other bytes, and SIGSYS's
// syscall and arch, are not: limits in SYSCALLS.md).
int64_t program_signal_info(uint64_t address, SignalInfo &info) {
    ProgramSiginfo given;
    if (!get_user(address, given))
        return -EFAULT;
    if (!known_siginfo_layout(given.signo, given.code))
        for (uint8_t byte : given.expansion)
            if (byte)
                return -E2BIG;
    info = {};
    info.signo = given.signo;
    info.code = given.code;
    info.error = given.error;
    switch (siginfo_layout(given.signo, given.code)) {
    case SiginfoLayout::rt:
        info.value = field_at<uint64_t>(given, 8);
        [[fallthrough]];
    case SiginfoLayout::kill:
        info.pid = field_at<int32_t>(given, 0);
        info.uid = field_at<uint32_t>(given, 4);
        break;
    case SiginfoLayout::timer:
        info.timer_id = field_at<int32_t>(given, 0);
        info.overrun = field_at<int32_t>(given, 4);
        info.value = field_at<uint64_t>(given, 8);
        break;
    case SiginfoLayout::poll:
        info.address = field_at<uint64_t>(given, 0); // the band, as poll_signal keeps it
        info.status = field_at<int32_t>(given, 8);   // the descriptor
        break;
    case SiginfoLayout::fault:
    case SiginfoLayout::sys:
        info.address = field_at<uint64_t>(given, 0);
        break;
    case SiginfoLayout::child:
        info.pid = field_at<int32_t>(given, 0);
        info.uid = field_at<uint32_t>(given, 4);
        info.status = field_at<int32_t>(given, 8);
        info.utime = field_at<int64_t>(given, 16) * kNanosPerTick;
        info.stime = field_at<int64_t>(given, 24) * kNanosPerTick;
        break;
    }
    return 0;
}

SignalInfo lost_signal(int32_t sig) {
    SignalInfo info{};
    info.signo = sig;
    info.code = kSiUser;
    return info;
}

int64_t raise_signal_info(const SignalInfo &info) {
    auto sig = static_cast<uint64_t>(static_cast<uint32_t>(info.signo));
    if (sig == 0 || sig > kSignals)
        return 0;
    int64_t result;
    pend_for_process(info, false, result);
    return result;
}

int64_t raise_signal(uint64_t sig, int32_t code) {
    if (sig > kSignals)
        return -EINVAL;
    raise_signal_info(sent_signal(sig, code));
    return 0;
}

int64_t raise_thread_signal(int64_t tid, uint64_t sig, int32_t code) {
    if (sig > kSignals)
        return -EINVAL;
    return raise_thread_signal_info(tid, sent_signal(sig, code));
}

int64_t raise_thread_signal_info(int64_t tid, const SignalInfo &info) {
    Queued queued;
    int64_t result;
    return pend_for_thread(tid, info, false, queued, result) ? result : -ESRCH;
}

Queued queue_timer_signal(const SignalInfo &info, int64_t tid) {
    Queued queued = Queued::dropped;
    int64_t result;
    if (!tid)
        return pend_for_process(info, true, result);
    pend_for_thread(tid, info, true, queued, result);
    return queued;
}

bsc_handle signal_wakeup() {
    Thread &self = current_thread();
    thread_list::lock(); // notify reads it under this lock
    if (self.signal_event == BSC_NO_HANDLE && abi().event_create(0, &self.signal_event) != BSC_OK)
        self.signal_event = BSC_NO_HANDLE;
    thread_list::unlock();
    if (self.signal_event == BSC_NO_HANDLE)
        panic("cannot create a thread's signal event");
    return self.signal_event;
}

void wake_signal_waiters() {
    thread_list::lock();
    for (uint32_t i = 0; i < thread_list::count; i++)
        if (thread_list::threads[i]->signal_event != BSC_NO_HANDLE)
            abi().event_set(thread_list::threads[i]->signal_event);
    thread_list::unlock();
}

bool child_stops_reported() {
    SpinGuard guard(signal_lock);
    return !(actions[SIGCHLD].flags & SA_NOCLDSTOP);
}

bool children_reaped_at_once() {
    SpinGuard guard(signal_lock);
    return actions[SIGCHLD].handler == kIgnore || (actions[SIGCHLD].flags & SA_NOCLDWAIT);
}

bool signal_pending() {
    if (current_thread().exit_requested || core_dump_stops_thread())
        return true; // its wait ends, and so does the thread (or it parks for a core dump)
    // What an interrupt brought (a signal from another process, a child's change) is
    // looked at here too: the waits that ask are safe points.
    collect_process_events();
    SpinGuard guard(signal_lock);
    ThreadSignals &t = own();
    return (t.pending | shared_pending) & ~t.blocked;
}

void end_if_killed() {
    collect_process_events();
    bool killed;
    {
        SpinGuard guard(signal_lock);
        killed = (own().pending | shared_pending) & bit(SIGKILL);
    }
    if (killed)
        terminate(SIGKILL);
}

void clear_pending_signals() {
    SpinGuard guard(signal_lock);
    shared_pending = 0;
    own().pending = 0;
    drop_queued(shared_queued, ~uint64_t{0});
    drop_queued(own().queued, ~uint64_t{0});
}

void drop_thread_signals(ThreadSignals &signals) {
    SpinGuard guard(signal_lock);
    drop_queued(signals.queued, ~uint64_t{0});
}

void reset_signals_for_exec() {
    SpinGuard guard(signal_lock);
    for (KernelSigaction &action : actions) // flush_signal_handlers: flags and masks too
        action = {action.handler == kIgnore ? kIgnore : kDefault, 0, 0, 0};
    current_thread().alternate_stack = {0, SS_DISABLE, 0};
}

void block_for_wait(uint64_t mask) {
    SpinGuard guard(signal_lock);
    ThreadSignals &t = own();
    t.mask_before_wait = t.blocked;
    t.waiting_with_mask = true;
    t.blocked = mask & ~kUnblockable;
}

SignalSets signal_sets(const Thread &thread) {
    SpinGuard guard(signal_lock);
    const ThreadSignals &t = thread.signals;
    SignalSets sets{t.pending, shared_pending, t.blocked, 0, 0};
    for (uint64_t sig = 1; sig <= kSignals; sig++) {
        if (actions[sig].handler == kIgnore)
            sets.ignored |= bit(sig);
        else if (actions[sig].handler != kDefault)
            sets.caught |= bit(sig);
    }
    return sets;
}

int64_t sys_rt_sigaction(Syscall &call) {
    uint64_t sig = call.arg[0];
    // In the kernel's order: the set's size, then reading the new action, then the signal.
    if (call.arg[3] != 8)
        return -EINVAL;
    KernelSigaction wanted{};
    if (call.arg[1] && !get_user(call.arg[1], wanted))
        return -EFAULT;
    if (sig < 1 || sig > kSignals || (call.arg[1] && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    KernelSigaction old;
    bool discarded = call.arg[1] && ignored(sig, wanted), unignored = false;
    thread_list::lock();
    {
        SpinGuard guard(signal_lock);
        old = actions[sig];
        unignored = call.arg[1] && !discarded && old.handler == kIgnore;
        if (call.arg[1]) {
            actions[sig] = wanted;
            if (discarded) { // what is pending is dropped, as on Linux
                shared_pending &= ~bit(sig);
                drop_queued(shared_queued, bit(sig));
                for (uint32_t i = 0; i < thread_list::count; i++) {
                    thread_list::threads[i]->signals.pending &= ~bit(sig);
                    drop_queued(thread_list::threads[i]->signals.queued, bit(sig));
                }
            }
        }
    }
    thread_list::unlock();
    if (discarded) // a POSIX timer's signal goes on a list of its own (posix_timers.cpp)
        posix_timer_signals_discarded(sig);
    else if (unignored)
        posix_timer_signals_unignored(sig);
    return !call.arg[2] || put_user(call.arg[2], old) ? 0 : -EFAULT;
}

int64_t sys_rt_sigprocmask(Syscall &call) {
    if (call.arg[3] != 8)
        return -EINVAL;
    uint64_t set = 0;
    if (call.arg[1] && !get_user(call.arg[1], set))
        return -EFAULT;
    uint64_t old;
    thread_list::lock();
    {
        SpinGuard guard(signal_lock);
        ThreadSignals &t = own();
        old = t.blocked;
        if (call.arg[1]) {
            switch (call.arg[0]) {
            case SIG_BLOCK: t.blocked |= set; break;
            case SIG_UNBLOCK: t.blocked &= ~set; break;
            case SIG_SETMASK: t.blocked = set; break;
            default: thread_list::unlock(); return -EINVAL;
            }
            t.blocked &= ~kUnblockable;
        }
    }
    retarget_shared(old);
    thread_list::unlock();
    return !call.arg[2] || put_user(call.arg[2], old) ? 0 : -EFAULT;
}

// The signals that are pending because they are blocked.
int64_t sys_rt_sigpending(Syscall &call) {
    if (call.arg[1] > 8)
        return -EINVAL;
    uint64_t set;
    collect_posted_signals();
    {
        SpinGuard guard(signal_lock);
        set = (own().pending | shared_pending) & own().blocked;
    }
    return copy_to_user(call.arg[0], &set, call.arg[1]) ? 0 : -EFAULT;
}

int64_t sys_rt_sigsuspend(Syscall &call) {
    uint64_t mask;
    if (call.arg[1] != 8)
        return -EINVAL;
    if (!get_user(call.arg[0], mask))
        return -EFAULT;
    block_for_wait(mask);
    return wait_for_signal();
}

int64_t sys_rt_sigreturn(Syscall &c) {
    uint64_t mask;
    if (!pop_signal_frame(c.context, mask))
        terminate(SignalInfo{SIGSEGV, kSiKernel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, c.context,
                  kNoSyscall);
    {
        SpinGuard guard(signal_lock);
        own().blocked = mask & ~kUnblockable;
    }
    return static_cast<int64_t>(c.context.rax); // the restored context, untouched
}

int64_t sys_pause(Syscall &) { return wait_for_signal(); }

// rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending signal of `set` (blocked
// or not) and returns its number, with its siginfo; else waits up to the timeout (EAGAIN
// when it passes, 0 at once) for one to come. Another signal that is not blocked ends the
// wait with EINTR once its handler has run, as Linux.
int64_t sys_rt_sigtimedwait(Syscall &call) {
    if (call.arg[3] != 8)
        return -EINVAL;
    uint64_t set;
    if (!get_user(call.arg[0], set))
        return -EFAULT;
    set &= ~kUnblockable;
    int64_t timeout;
    if (int64_t error = timespec_from_user(call.arg[2], timeout))
        return error;
    int64_t deadline = timeout < 0 ? -1 : clock_now(BSC_CLOCK_MONOTONIC) + timeout;
    bsc_wait_item item{signal_wakeup(), BSC_WAIT_READ, 0};
    for (;;) {
        SignalInfo info;
        collect_posted_signals();
        if (take_pending_signal(set, info))
            return !call.arg[1] || put_siginfo(call.arg[1], info) ? info.signo : -EFAULT;
        if (signal_pending())
            return -EINTR;
        int64_t left = deadline < 0 ? BSC_WAIT_FOREVER : deadline - clock_now(BSC_CLOCK_MONOTONIC);
        if (deadline >= 0 && left <= 0)
            return -EAGAIN;
        uint32_t ready;
        abi().objects_wait_any(&item, 1, left, &ready);
    }
}

// The signal argument of kill, tkill and tgkill: an int, a negative one out of range.
uint64_t signal_argument(uint64_t arg) {
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(arg)));
}

// A pid that kill and rt_sigqueueinfo take: a thread id of the caller's own stands for
// its process, as on Linux (the thread's group is signalled).
int32_t process_of(int32_t pid) { return pid > 0 && is_thread_of_process(pid) ? current_pid() : pid; }

// kill: a process of the guest, a process group (0: the caller's), or every process but
// the caller (-1). Nothing outside the guest can be reached: ESRCH.
int64_t sys_kill(Syscall &c) {
    int32_t pid = static_cast<int32_t>(c.arg[0]);
    uint64_t sig = signal_argument(c.arg[1]);
    SignalInfo info = sent_signal(sig, kSiUser); // checked once a target is found
    if (pid > 0)
        return signal_process(process_of(pid), info);
    if (pid == -1)
        return signal_every_process(info);
    if (pid == INT32_MIN)
        return -ESRCH; // -pid overflows: no such group
    int64_t group = pid == 0 ? process_group_of(0) : -int64_t{pid};
    return signal_group(static_cast<int32_t>(group), info);
}

// A thread of the caller's process, or the initial thread of another process of the
// guest (its tid is its pid); another process's other threads are not reached (ESRCH).
int64_t thread_kill(int32_t tid, const SignalInfo &info) {
    bool valid = static_cast<uint32_t>(info.signo) <= kSignals;
    if (is_thread_of_process(tid) || tid == current_pid())
        return valid ? raise_thread_signal_info(tid, info) : -EINVAL;
    if (!valid)
        return process_exists(tid) ? -EINVAL : -ESRCH;
    return signal_initial_thread(tid, info);
}

// tgkill's and rt_tgsigqueueinfo's target: ESRCH for a thread not of the group `tgid`.
bool in_group(int32_t tgid, int32_t tid) {
    return tgid == current_pid() ? is_thread_of_process(tid) : tgid == tid;
}

int64_t sys_tkill(Syscall &c) {
    int32_t tid = static_cast<int32_t>(c.arg[0]);
    if (tid <= 0)
        return -EINVAL;
    return thread_kill(tid, sent_signal(signal_argument(c.arg[1]), kSiTkill));
}

int64_t sys_tgkill(Syscall &c) {
    int32_t tgid = static_cast<int32_t>(c.arg[0]), tid = static_cast<int32_t>(c.arg[1]);
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (!in_group(tgid, tid))
        return -ESRCH;
    return thread_kill(tid, sent_signal(signal_argument(c.arg[2]), kSiTkill));
}

// Whether a program may send its own siginfo to `target` (a tid, as the kernel compares
// it): a code that would pass for the kernel's or for kill's and tkill's (which name
// their sender) only to the calling thread's own id.
bool may_queue(const SignalInfo &info, int32_t target) {
    return (info.code < 0 && info.code != kSiTkill) || target == current_tid();
}

// rt_sigqueueinfo: the program's siginfo, with `sig`, to a process (do_rt_sigqueueinfo).
int64_t sys_rt_sigqueueinfo(Syscall &c) {
    int32_t pid = static_cast<int32_t>(c.arg[0]);
    SignalInfo info;
    if (int64_t error = program_signal_info(c.arg[2], info))
        return error;
    if (!may_queue(info, pid))
        return -EPERM;
    info.signo = static_cast<int32_t>(signal_argument(c.arg[1]));
    if (pid <= 0)
        return -ESRCH;
    if (process_of(pid) != current_pid())
        return signal_process(pid, info);
    if (static_cast<uint32_t>(info.signo) > kSignals)
        return -EINVAL;
    return info.signo ? raise_signal_info(info) : 0;
}

// rt_tgsigqueueinfo: the same to one thread (do_rt_tgsigqueueinfo).
int64_t sys_rt_tgsigqueueinfo(Syscall &c) {
    int32_t tgid = static_cast<int32_t>(c.arg[0]), tid = static_cast<int32_t>(c.arg[1]);
    SignalInfo info;
    if (int64_t error = program_signal_info(c.arg[3], info))
        return error;
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (!may_queue(info, tid))
        return -EPERM;
    info.signo = static_cast<int32_t>(signal_argument(c.arg[2]));
    if (!in_group(tgid, tid))
        return -ESRCH;
    return thread_kill(tid, info);
}

int64_t sys_sigaltstack(Syscall &call) {
    SignalStack wanted;
    if (call.arg[0] && !get_user(call.arg[0], wanted))
        return -EFAULT;
    SignalStack old = alternate_stack(call.context.rsp);
    if (call.arg[0])
        if (int64_t error = set_alternate_stack(wanted, call.context.rsp))
            return error;
    return !call.arg[1] || put_user(call.arg[1], old) ? 0 : -EFAULT;
}

} // namespace libos
