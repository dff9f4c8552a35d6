// SPDX-License-Identifier: MIT
// Host signals become guest exceptions: faults in guest code and interrupts are raised as
// the exception upcall on the guest's stack; thread_context_restore resumes a context.
// Everything here runs behind bsc_entry_signal (gate.S), with the runtime's %fs.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "gate.h"
#include "gate_layout.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "tcb.h"
#include "xstate.h"

namespace bsc::host {
namespace {

constexpr uint64_t kRedZone = 128;
constexpr uint64_t kTrapFlag = 0x100; // rflags.TF: single-step
constexpr uint32_t kMaxXstate = MAX_XSTATE;
constexpr unsigned long kSaRestorer = 0x04000000;

// The kernel's struct sigaction, so that sa_restorer can point into the entry page.
struct KernelSigaction {
    uint64_t handler;
    unsigned long flags;
    uint64_t restorer;
    uint64_t mask;
};

// A handler does not block its own signal (SA_NODEFER): an exception raised in the guest
// leaves it without sigreturn, which would leave the signal blocked. Not so the one that
// is `blocked_while_handled`: one the host's kernel may have queued many of at once, which
// it would deliver nested, frame under frame on the signal stack until it overflowed,
// before the first handler ran. Blocked, they come one after the other.
void install_handler(int sig, unsigned long extra_flags, bool blocked_while_handled = false) {
    KernelSigaction action{entry_page().signal_entry,
                           SA_SIGINFO | SA_ONSTACK | kSaRestorer | extra_flags |
                               (blocked_while_handled ? 0 : SA_NODEFER),
                           entry_page().restorer,
                           blocked_while_handled ? uint64_t{1} << (sig - 1) : 0};
    ::syscall(SYS_rt_sigaction, sig, &action, nullptr, sizeof(uint64_t));
}

void set_signal_blocked(int sig, bool blocked) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

void write_stderr(const char *text) {
    [[maybe_unused]] auto n = ::write(2, text, std::strlen(text));
}

// Async-signal-safe hex formatting for the fatal message.
void append_hex(char *&out, uint64_t value) {
    *out++ = '0';
    *out++ = 'x';
    for (int shift = 60; shift >= 0; shift -= 4)
        *out++ = "0123456789abcdef"[(value >> shift) & 15];
}

uint64_t parse_hex(const char *&p) {
    uint64_t value = 0;
    for (;; p++) {
        unsigned digit = *p >= '0' && *p <= '9' ? unsigned(*p - '0')
                         : *p >= 'a' && *p <= 'f' ? unsigned(*p - 'a' + 10)
                                                  : 16;
        if (digit == 16)
            return value;
        value = value << 4 | digit;
    }
}

// " (PATH+0xOFFSET)" for the mapping of /proc/self/maps that holds `address`, the offset in
// PATH's file, so that a crash names the code (addr2line -e PATH OFFSET). Raw reads and a
// fixed buffer: this runs in a fatal signal.
void append_object_of(char *&out, const char *end, uint64_t address) {
    int fd = static_cast<int>(::syscall(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC));
    if (fd < 0)
        return;
    char buffer[4096 + 1];
    size_t held = 0;
    for (;;) {
        ssize_t n = ::syscall(SYS_read, fd, buffer + held, sizeof buffer - 1 - held);
        if (n <= 0)
            break;
        held += size_t(n);
        buffer[held] = 0;
        char *line = buffer;
        for (char *newline; (newline = std::strchr(line, '\n')); line = newline + 1) {
            *newline = 0;
            const char *p = line;
            uint64_t start = parse_hex(p);
            uint64_t stop = parse_hex(++p);
            if (address < start || address >= stop)
                continue;
            p += 6; // " rwxp "
            uint64_t offset = parse_hex(p);
            const char *path = std::strchr(p, '/');
            size_t length = path ? std::strlen(path) : 0;
            if (path && out + length + 24 < end) {
                *out++ = ' ', *out++ = '(';
                std::memcpy(out, path, length);
                out += length;
                *out++ = '+';
                append_hex(out, address - start + offset);
                *out++ = ')';
            }
            ::syscall(SYS_close, fd);
            return;
        }
        held = size_t(buffer + held - line); // a line cut by the read's end comes again first
        std::memmove(buffer, line, held);
        if (held == sizeof buffer - 1)
            break; // a line longer than the buffer: give up
    }
    ::syscall(SYS_close, fd);
}

[[noreturn]] void fatal_host_fault(int sig, const siginfo_t *info, const ucontext_t *uc) {
    char message[512] = "bascule: fatal signal ";
    const char *end = message + sizeof message - 2;
    char *out = message + std::strlen(message);
    *out++ = static_cast<char>('0' + sig / 10);
    *out++ = static_cast<char>('0' + sig % 10);
    std::memcpy(out, " in the runtime at ", 19);
    out += 19;
    uint64_t rip = static_cast<uint64_t>(uc->uc_mcontext.gregs[REG_RIP]);
    append_hex(out, rip);
    append_object_of(out, end - 40, rip);
    std::memcpy(out, " address ", 9);
    out += 9;
    append_hex(out, reinterpret_cast<uint64_t>(info->si_addr));
    *out++ = '\n';
    *out = 0;
    write_stderr(message);
    die_by_signal(sig); // the runtime's own fault: a core under the user's RLIMIT_CORE
}

struct Classified {
    uint32_t kind, code;
};

Classified classify(int sig, const siginfo_t *info) {
    switch (sig) {
    case SIGSEGV:
        return {BSC_EXCEPTION_MEMORY, info->si_code == SEGV_ACCERR ? uint32_t{BSC_FAULT_PROTECTION}
                                                                   : uint32_t{BSC_FAULT_UNMAPPED}};
    case SIGBUS: // BUS_ADRERR past a stream's end or from a userfault, BUS_MCEERR_AR ...
        return {BSC_EXCEPTION_BUS, info->si_code > 0 ? static_cast<uint32_t>(info->si_code) : 0};
    case SIGILL: return {BSC_EXCEPTION_ILLEGAL, 0};
    case SIGTRAP:
        return {BSC_EXCEPTION_BREAKPOINT, info->si_code == TRAP_TRACE ? uint32_t{BSC_BREAKPOINT_STEP}
                                                                      : uint32_t{BSC_BREAKPOINT_INSTRUCTION}};
    case SIGFPE:
        return {BSC_EXCEPTION_ARITHMETIC, info->si_code == FPE_INTDIV   ? uint32_t{BSC_ARITH_DIVIDE}
                                          : info->si_code == FPE_INTOVF ? uint32_t{BSC_ARITH_OVERFLOW}
                                                                        : uint32_t{BSC_ARITH_FLOAT}};
    default: return {BSC_EXCEPTION_SYSCALL, 0};
    }
}

void context_from_ucontext(const ucontext_t *uc, uint64_t fs, bsc_cpu_context &c) {
    const greg_t *g = uc->uc_mcontext.gregs;
    c = bsc_cpu_context{
        .rax = uint64_t(g[REG_RAX]), .rbx = uint64_t(g[REG_RBX]), .rcx = uint64_t(g[REG_RCX]),
        .rdx = uint64_t(g[REG_RDX]), .rsi = uint64_t(g[REG_RSI]), .rdi = uint64_t(g[REG_RDI]),
        .rbp = uint64_t(g[REG_RBP]), .rsp = uint64_t(g[REG_RSP]), .r8 = uint64_t(g[REG_R8]),
        .r9 = uint64_t(g[REG_R9]),   .r10 = uint64_t(g[REG_R10]), .r11 = uint64_t(g[REG_R11]),
        .r12 = uint64_t(g[REG_R12]), .r13 = uint64_t(g[REG_R13]), .r14 = uint64_t(g[REG_R14]),
        .r15 = uint64_t(g[REG_R15]), .rip = uint64_t(g[REG_RIP]), .rflags = uint64_t(g[REG_EFL]),
        .fs_base = fs, .xstate = 0, .xstate_size = 0, .reserved = 0};
}

void ucontext_from_context(const bsc_cpu_context &c, ucontext_t &uc) {
    greg_t *g = uc.uc_mcontext.gregs;
    g[REG_RAX] = greg_t(c.rax), g[REG_RBX] = greg_t(c.rbx), g[REG_RCX] = greg_t(c.rcx);
    g[REG_RDX] = greg_t(c.rdx), g[REG_RSI] = greg_t(c.rsi), g[REG_RDI] = greg_t(c.rdi);
    g[REG_RBP] = greg_t(c.rbp), g[REG_RSP] = greg_t(c.rsp), g[REG_R8] = greg_t(c.r8);
    g[REG_R9] = greg_t(c.r9), g[REG_R10] = greg_t(c.r10), g[REG_R11] = greg_t(c.r11);
    g[REG_R12] = greg_t(c.r12), g[REG_R13] = greg_t(c.r13), g[REG_R14] = greg_t(c.r14);
    g[REG_R15] = greg_t(c.r15), g[REG_RIP] = greg_t(c.rip), g[REG_EFL] = greg_t(c.rflags);
    // cs = __USER_CS, ss = __USER_DS (the kernel's fixed 64-bit user selectors).
    g[REG_CSGSFS] = greg_t(0x33) | (greg_t(0x2b) << 48);
}

// Where the exception record goes: the thread's exception stack unless the fault
// happened on it, else below the interrupted stack's red zone.
uint64_t exception_stack(uint64_t interrupted_sp) {
    uint64_t top = tcb_field<uint64_t>(current_tcb(), offsetof(bsc_tcb, exception_stack_top));
    bool on_it = interrupted_sp <= top && top - interrupted_sp < BSC_EXCEPTION_STACK_SPAN;
    return top && !on_it ? top : interrupted_sp - kRedZone;
}

// Raises the exception `record` (in guest memory) up the chain. Never returns.
[[noreturn]] void raise_up_chain(bsc_exception *record) {
    chain_upcalls().exception(record);
    write_stderr("bascule: exception upcall returned\n");
    terminate_by_signal(SIGABRT);
}

// Writes the exception record and its FPU state onto the guest stack and raises the
// exception upcall up the chain. Never returns.
[[noreturn]] void raise_in_guest(bsc_exception &ex, const void *xstate, uint32_t size, int sig) {
    uint64_t sp = exception_stack(ex.context.rsp);
    uint64_t xaddr = (sp - size) & ~uint64_t{63};
    uint64_t record = (xaddr - sizeof ex) & ~uint64_t{63};
    ex.context.xstate = size ? xaddr : 0;
    ex.context.xstate_size = size;
    if (copy_to_guest(reinterpret_cast<void *>(xaddr), xstate, size) != BSC_OK ||
        copy_to_guest(reinterpret_cast<void *>(record), &ex, sizeof ex) != BSC_OK) {
        write_stderr("bascule: guest stack unusable for exception delivery\n");
        terminate_by_signal(sig);
    }
    raise_up_chain(reinterpret_cast<bsc_exception *>(record));
}

// An interrupt taken in the host is raised in the guest where it is about to resume.
[[noreturn]] void raise_interrupt(bsc_exception &ex, const void *xstate, uint32_t size) {
    interrupt_raised_in_guest(current_tcb());
    prepare_guest_entry();
    raise_in_guest(ex, xstate, size, SIGSEGV);
}

[[noreturn]] void raise_from_signal(int sig, const siginfo_t *info, const ucontext_t *uc,
                                    uint64_t fs, uint32_t kind, uint32_t code) {
    bsc_exception ex{.kind = kind, .code = code, .address = 0, .context = {}};
    if (kind == BSC_EXCEPTION_MEMORY || kind == BSC_EXCEPTION_BUS)
        ex.address = reinterpret_cast<uint64_t>(info->si_addr);
    context_from_ucontext(uc, fs, ex.context);
    const void *fp = uc->uc_mcontext.fpregs;
    raise_in_guest(ex, fp, fp ? xstate_size_in_frame(fp) : 0, sig);
}

// rdtsc (0f 31) or rdtscp (0f 01 f9) at rip: its length, or 0.
unsigned timestamp_instruction(uint64_t rip) {
    uint8_t code[3] = {};
    if (copy_from_guest(code, reinterpret_cast<void *>(rip), 2) != BSC_OK || code[0] != 0x0f)
        return 0;
    if (code[1] == 0x31)
        return 2;
    if (code[1] == 0x01 && copy_from_guest(code, reinterpret_cast<void *>(rip), 3) == BSC_OK &&
        code[2] == 0xf9)
        return 3;
    return 0;
}

uint32_t &work(uint64_t tcb) { return tcb_field<uint32_t>(tcb, TCB_WORK); }

// A signal for the guest that a thread of the runtime's own took (one an extension
// started from a guest thread's host code has its signal mask): that thread blocks it
// from now on (at once too: the handler has SA_NODEFER, and the kernel would give the
// signal sent next to this running thread again), and the process gets it again, as the
// runtime's, for a guest thread.
void pass_to_guest_thread(int sig, ucontext_t *uc) {
    set_signal_blocked(sig, true);
    sigaddset(&uc->uc_sigmask, sig);
    siginfo_t info = runtime_siginfo(sig);
    ::syscall(SYS_rt_sigqueueinfo, ::getpid(), sig, &info);
}

// Raises a deferred interrupt: the guest is logically at the downcall's return, its
// callee-saved registers and return address where the gate pushed them.
[[noreturn]] void deliver_pending_interrupt(bsc_status status) {
    uint64_t tcb = current_tcb();
    uint64_t saved[GATE_SAVED_REGISTERS + 1];
    uint64_t guest_sp = tcb_field<uint64_t>(tcb, TCB_GUEST_SP);
    if (copy_from_guest(saved, reinterpret_cast<void *>(guest_sp), sizeof saved) != BSC_OK)
        terminate_by_signal(SIGSEGV);
    bsc_exception ex{.kind = BSC_EXCEPTION_INTERRUPT, .code = BSC_INTERRUPT_AT_DOWNCALL_EXIT,
                     .address = 0, .context = {}};
    auto &c = ex.context;
    c.r15 = saved[0], c.r14 = saved[1], c.r13 = saved[2], c.r12 = saved[3];
    c.rbp = saved[4], c.rbx = saved[5], c.rip = saved[6];
    c.rsp = guest_sp + sizeof saved;
    c.rax = uint64_t(uint32_t(status));
    c.rflags = 0x202;
    c.fs_base = tcb_field<uint64_t>(tcb, TCB_GUEST_FS);
    alignas(64) static thread_local uint8_t xstate[kMaxXstate];
    save_xstate(xstate);
    raise_interrupt(ex, xstate, xstate_size());
}

// The frame rt_sigreturn resumes a context from (thread_context_restore), with room for
// the largest XSAVE area and the kernel's trailing magic.
struct ResumeFrame {
    ucontext_t uc;
    alignas(64) uint8_t xstate[kMaxXstate + 64];
};
ResumeFrame &resume_frame() {
    static thread_local ResumeFrame frame;
    return frame;
}

// Resumes `c` through rt_sigreturn, its XSAVE area (if it has one) already in
// resume_frame(); or raises the interrupt that waits (TCB_WORK) there instead.
[[noreturn]] void resume(const bsc_cpu_context &c) {
    ResumeFrame &frame = resume_frame();
    std::memset(&frame.uc, 0, sizeof frame.uc);
    ucontext_from_context(c, frame.uc);
    frame.uc.uc_flags = 0x2 | 0x4; // UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
    if (c.xstate) {
        prepare_xstate_for_sigreturn(frame.xstate, c.xstate_size);
        frame.uc.uc_mcontext.fpregs = reinterpret_cast<fpregset_t>(frame.xstate);
        if (c.xstate_size > 512)
            frame.uc.uc_flags |= 0x1; // UC_FP_XSTATE
    }
    frame.uc.uc_stack = current_signal_stack();
    prepare_guest_entry();
    // Block everything until rt_sigreturn installs the frame's mask (the current one): an
    // interrupt from here on waits in the kernel. One that came before waits in TCB_WORK,
    // held by the guest or not; the guest's hold ends here.
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &frame.uc.uc_sigmask);
    uint64_t tcb = current_tcb();
    tcb_field<uint32_t>(tcb, TCB_INTERRUPTS_HELD) = 0;
    constexpr uint32_t kWaiting = TCB_WORK_INTERRUPT | TCB_WORK_HELD_INTERRUPT;
    if (__atomic_fetch_and(&work(tcb), ~kWaiting, __ATOMIC_RELAXED) & kWaiting) {
        ::pthread_sigmask(SIG_SETMASK, &frame.uc.uc_sigmask, nullptr);
        bsc_exception ex{.kind = BSC_EXCEPTION_INTERRUPT, .code = BSC_INTERRUPT_IN_GUEST,
                         .address = 0, .context = c};
        raise_interrupt(ex, c.xstate ? frame.xstate : nullptr, c.xstate ? c.xstate_size : 0);
    }
    forget_abandoned_frames();
    using Sigreturn = void (*)(ucontext_t *, uint64_t);
    reinterpret_cast<Sigreturn>(entry_page().sigreturn)(&frame.uc, c.fs_base);
    __builtin_unreachable();
}

// The gates (all in the entry page) run with the thread's state already (or still)
// TCB_IN_GUEST: a signal there is not in guest code.
bool in_gate_code(uint64_t rip) { return entry_page().contains(rip); }

// The signals from outside the guest that process_signals_take reports: the terminal's and
// the ones a user sends a process to ask something of it.
constexpr int kOutsideSignals[] = {SIGHUP, SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
                                   SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH};
static_assert(BSC_SIGNAL_INTERRUPT == SIGINT && BSC_SIGNAL_TERMINATE == SIGTERM &&
              BSC_SIGNAL_TERMINAL_STOP == SIGTSTP && BSC_SIGNAL_WINDOW_CHANGED == SIGWINCH &&
              BSC_SIGNAL_USER1 == SIGUSR1 && BSC_SIGNAL_CONTINUE == SIGCONT);

bool outside_signal(int sig) {
    for (int outside : kOutsideSignals)
        if (sig == outside)
            return true;
    return false;
}

// Those that arrived and were not taken yet: sent by a process, or by the terminal.
std::atomic<uint64_t> outside_sent{0}, outside_from_terminal{0};

// The signal watch_signal() watches (0: none) and whom it tells.
std::atomic<int> watched_signal{0};
std::atomic<void (*)()> watched_signal_notify{nullptr};

} // namespace

void watch_signal(int sig, void (*notify)()) {
    watched_signal_notify.store(notify);
    watched_signal.store(sig);
    install_handler(sig, SA_RESTART);
}

// Host code read the time stamp counter (the vDSO does), or is about to start a program
// (which keeps the thread's trap): let it, and note that the trap must be set again
// before the guest runs.
void allow_timestamp_in_host(uint64_t tcb) {
    ::prctl(PR_SET_TSC, PR_TSC_ENABLE);
    if (tcb)
        __atomic_fetch_or(&work(tcb), TCB_WORK_TSC, __ATOMIC_RELAXED);
}

void prepare_guest_entry() {
    uint64_t tcb = current_tcb();
    if (tcb && (__atomic_fetch_and(&work(tcb), ~uint32_t{TCB_WORK_TSC}, __ATOMIC_RELAXED) &
                TCB_WORK_TSC))
        ::prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
}

bsc_status gate_exit_work(bsc_status status) {
    uint64_t tcb = current_tcb();
    prepare_guest_entry();
    if (__atomic_fetch_and(&work(tcb), ~uint32_t{TCB_WORK_INTERRUPT}, __ATOMIC_RELAXED) &
        TCB_WORK_INTERRUPT)
        deliver_pending_interrupt(status);
    return status;
}

void initialise_signals() {
    // A write to a pipe whose reader is gone must return BSC_E_BROKEN_PIPE, not kill us.
    ::signal(SIGPIPE, SIG_IGN);
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS})
        install_handler(sig, 0);
    install_handler(kInterruptSignal, 0);
    // A child process changed: the guest's LibOS looks at its children.
    install_handler(SIGCHLD, 0);
    // What comes from outside the guest is the guest's to act on (process_signals_take),
    // and so is what the host's kernel says about its streams (process_notices_take).
    for (int sig : kOutsideSignals)
        install_handler(sig, 0);
    install_handler(kNoticeSignal, 0, true); // one per event: a flood comes queued
    set_async_signals_blocked(true); // until the thread becomes a guest thread
}

void set_async_signals_blocked(bool blocked) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, kInterruptSignal);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, kNoticeSignal);
    for (int sig : kOutsideSignals)
        sigaddset(&set, sig);
    ::pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

[[noreturn]] void terminate_by_signal(int sig) {
    // The guest died of its signal, not the runtime: no core of the runtime is written,
    // so the parent sees what Linux reports under the guest's own RLIMIT_CORE of 0.
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    die_by_signal(sig);
}

[[noreturn]] void die_by_signal(int sig) {
    ::signal(sig, SIG_DFL);
    set_signal_blocked(sig, false);
    ::raise(sig);
    ::_exit(128 + sig);
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

// `state` is the thread's TCB_STATE when the signal arrived (the entry has set it to
// TCB_IN_HOST for the handler's own code).
extern "C" void bsc_host_signal(int sig, siginfo_t *info, ucontext_t *uc, uint64_t fs,
                                uint32_t state) {
    if (sig == watched_signal.load(std::memory_order_relaxed))
        return watched_signal_notify.load()();
    uint64_t tcb = current_tcb();
    uint64_t rip = static_cast<uint64_t>(uc->uc_mcontext.gregs[REG_RIP]);
    bool in_guest = tcb && state == TCB_IN_GUEST && !in_gate_code(rip);
    if (sig == SIGSEGV && info->si_code == SI_KERNEL) {
        if (unsigned length = timestamp_instruction(rip)) {
            if (!in_guest)
                return allow_timestamp_in_host(tcb);
            raise_from_signal(sig, info, uc, fs, BSC_EXCEPTION_TIMESTAMP, length);
        }
    }
    bool from_runtime = info->si_code == SI_QUEUE && info->si_value.sival_int == kRuntimeSignalTag;
    if (outside_signal(sig) && !from_runtime) {
        bool terminal = info->si_code == SI_KERNEL;
        (terminal ? outside_from_terminal : outside_sent).fetch_or(uint64_t{1} << (sig - 1));
    }
    if (sig == kNoticeSignal && !from_runtime && !notice_arrived(info))
        return; // kept for the interrupt on its way
    if (sig == kInterruptSignal || sig == SIGCHLD || sig == kNoticeSignal || outside_signal(sig)) {
        if (!tcb)
            return pass_to_guest_thread(sig, uc);
        if (sig == kInterruptSignal)
            interrupt_signal_arrived(); // before acting on it, so that no later one is lost
        // The guest holds interrupts (ABI 1.14): this one waits for the next resumption,
        // wherever it came, and ends no wait meanwhile.
        if (tcb_field<uint32_t>(tcb, TCB_INTERRUPTS_HELD)) {
            __atomic_fetch_or(&work(tcb), TCB_WORK_HELD_INTERRUPT, __ATOMIC_RELAXED);
        } else if (in_guest) {
            interrupt_raised_in_guest(tcb);
            if (sig == kNoticeSignal) // blocked for this handler, left without sigreturn
                set_signal_blocked(sig, false);
            raise_from_signal(sig, info, uc, fs, BSC_EXCEPTION_INTERRUPT, 0);
        } else { // in the host or in a gate: delivered at the downcall's exit (see gate.S)
            __atomic_fetch_or(&work(tcb), TCB_WORK_INTERRUPT, __ATOMIC_RELAXED);
            interrupt_in_host(uc);
        }
        if (uint64_t again = entry_page().restart_of(rip))
            uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(again);
        return;
    }
    if (!in_guest && (sig == SIGSEGV || sig == SIGBUS) && recover_guarded_copy(uc))
        return;
    if (!in_guest && sig == SIGTRAP && info->si_code == TRAP_TRACE) {
        // A guest single-stepping (a debugger's trap flag) into a downcall: its step ends
        // in the gate or the host, which go on without the flag.
        uc->uc_mcontext.gregs[REG_EFL] &= ~greg_t{kTrapFlag};
        return;
    }
    if (!in_guest)
        fatal_host_fault(sig, info, uc);
    auto [kind, code] = classify(sig, info);
    if (kind == BSC_EXCEPTION_SYSCALL)
        code = static_cast<uint32_t>(uc->uc_mcontext.gregs[REG_RAX]);
    raise_from_signal(sig, info, uc, fs, kind, code);
}

extern "C" bsc_status host_process_signals_take(uint64_t *sent, uint64_t *from_terminal) {
    if (bsc_status s = probe_out(sent))
        return s;
    if (bsc_status s = probe_out(from_terminal))
        return s;
    if (bsc_status s = write_guest(sent, outside_sent.exchange(0)))
        return s;
    return write_guest(from_terminal, outside_from_terminal.exchange(0));
}

extern "C" bsc_status host_thread_context_restore(const bsc_cpu_context *context) {
    bsc_cpu_context c;
    if (read_guest(context, c) != BSC_OK)
        return BSC_E_FAULT;
    if (c.rip >= (uint64_t{1} << 47) || c.fs_base >= (uint64_t{1} << 47))
        return BSC_E_INVALID;
    if (c.xstate) {
        if (c.xstate_size < 512 || c.xstate_size > kMaxXstate)
            return BSC_E_INVALID;
        if (copy_from_guest(resume_frame().xstate, reinterpret_cast<void *>(c.xstate),
                            c.xstate_size))
            return BSC_E_FAULT;
    }
    resume(c);
}

extern "C" void bsc_raise_syscall(bsc_exception *record) {
    forget_abandoned_frames(); // ASan: the host stack starts afresh
    raise_up_chain(record);
}

// The gate's direct thread_context_restore found work pending: `c` and its XSAVE area
// were read and checked (gate.S), below the host stack's top.
extern "C" [[noreturn]] void bsc_restore_with_work(const bsc_cpu_context *c,
                                                   const void *xstate) {
    forget_abandoned_frames(); // ASan: the copies lie where earlier frames were
    std::memcpy(resume_frame().xstate, xstate, c->xstate_size);
    resume(*c);
}
