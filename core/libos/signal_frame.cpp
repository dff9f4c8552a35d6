// SPDX-License-Identifier: MIT
// Linux's x86-64 signal frame (struct rt_sigframe), built on the program's stack or its
// alternate signal stack for a handler and read back by rt_sigreturn, in the kernel's
// exact layout: programs and glibc read it through ucontext_t.
#include <stddef.h>

#include <asm-generic/errno.h>
#include <linux/signal.h>

#include "signals.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    uint64_t rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};

struct Ucontext {
    uint64_t flags, link;
    SignalStack stack;
    Sigcontext mcontext;
    uint64_t sigmask;
};

struct Siginfo {
    int32_t signo, error, code, padding;
    union {
        struct { // kill's, and (with a value) a program's queued signals' (SI_QUEUE)
            int32_t pid;
            uint32_t uid;
            uint64_t value;
        } kill;
        struct { // SIGCHLD's
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t padding;
            int64_t utime, stime; // clock ticks
        } child;
        struct { // a POSIX timer's (SI_TIMER)
            int32_t timer_id, overrun;
            uint64_t value;
        } timer;
        struct { // SIGIO's (SIGPOLL)
            int64_t band;
            int32_t fd;
        } poll;
        uint64_t address;
    } fields;
    uint8_t rest[128 - 16 - 32];
};

struct RtSigframe {
    uint64_t return_address; // sa_restorer: calls rt_sigreturn
    Ucontext uc;
    Siginfo info;
};

static_assert(sizeof(Sigcontext) == 256 && sizeof(Siginfo) == 128);

// The kernel's siginfo for `info`: a fault's address, a child's status and times, a POSIX
// timer's id, overrun and value, SIGIO's band and descriptor, or the sender's pid and uid
// (and the value a program queued with it).
Siginfo siginfo_of(const SignalInfo &info) {
    Siginfo out{};
    out.signo = info.signo;
    out.error = info.error;
    out.code = info.code;
    if (info.code == kSiTimer)
        out.fields.timer = {info.timer_id, info.overrun, info.value};
    else if (info.code == kSiMesgq) // _rt: the sender's pid and uid, then the value
        out.fields.timer = {info.pid, static_cast<int32_t>(info.uid), info.value};
    else if (is_poll_signal(info))
        out.fields.poll = {static_cast<int64_t>(info.address), info.status};
    else if (info.address)
        out.fields.address = info.address;
    else if (is_child_signal(info))
        out.fields.child = {info.pid, info.uid, info.status, 0, info.utime / kNanosPerTick,
                            info.stime / kNanosPerTick};
    else
        out.fields.kill = {info.pid, info.uid, info.value};
    return out;
}
static_assert(offsetof(RtSigframe, uc) == 8 && offsetof(Ucontext, mcontext) == 40);

constexpr uint64_t kRedZone = 128;
constexpr uint64_t kFlagsKept = 0xcd5; // CF PF AF ZF SF TF DF OF: what sigreturn restores
constexpr uint64_t kUcFpXstate = 1, kUcSigcontextSs = 2, kUcStrictRestoreSs = 4;

void save(const bsc_cpu_context &c, Sigcontext &m) {
    m = Sigcontext{c.r8,  c.r9,  c.r10, c.r11, c.r12, c.r13, c.r14, c.r15, c.rdi, c.rsi,
                   c.rbp, c.rbx, c.rdx, c.rax, c.rcx, c.rsp, c.rip, c.rflags,
                   0x33,  0,     0,     0x2b,  0,     0,     0,     0,     0,     {}};
}

void restore(const Sigcontext &m, bsc_cpu_context &c) {
    c.r8 = m.r8, c.r9 = m.r9, c.r10 = m.r10, c.r11 = m.r11, c.r12 = m.r12, c.r13 = m.r13;
    c.r14 = m.r14, c.r15 = m.r15, c.rdi = m.rdi, c.rsi = m.rsi, c.rbp = m.rbp, c.rbx = m.rbx;
    c.rdx = m.rdx, c.rax = m.rax, c.rcx = m.rcx, c.rsp = m.rsp, c.rip = m.rip;
    c.rflags = (c.rflags & ~kFlagsKept) | (m.eflags & kFlagsKept);
}

// Whether sp is on the alternate stack (the kernel's __on_sig_stack).
bool within(const SignalStack &stack, uint64_t sp) {
    return sp > stack.sp && sp - stack.sp <= stack.size;
}

// The kernel's on_sig_stack: a stack that disarms itself never counts as in use.
bool in_use(const SignalStack &stack, uint64_t sp) {
    return !(stack.flags & SS_AUTODISARM) && within(stack, sp);
}

// SS_DISABLE, SS_ONSTACK or 0 (set up and free) at sp: the kernel's sas_ss_flags.
uint32_t state(const SignalStack &stack, uint64_t sp) {
    return stack.size == 0 ? SS_DISABLE : in_use(stack, sp) ? SS_ONSTACK : 0;
}

// Where the frame's FPU area goes (the kernel's get_sigframe): below the red zone, or at
// the top of the alternate stack for an SA_ONSTACK handler not already running on it.
// 0 if the frame would overflow the alternate stack.
uint64_t fpstate_address(const bsc_cpu_context &c, const KernelSigaction &action,
                         uint64_t xsize) {
    const SignalStack &alternate = current_thread().alternate_stack;
    bool on_alternate = in_use(alternate, c.rsp);
    uint64_t sp = c.rsp - kRedZone;
    if ((action.flags & SA_ONSTACK) && state(alternate, sp) == 0) {
        sp = alternate.sp + alternate.size;
        on_alternate = true;
    }
    uint64_t fpstate = (sp - xsize) & ~uint64_t{63};
    return on_alternate && !within(alternate, fpstate - sizeof(RtSigframe)) ? 0 : fpstate;
}

} // namespace

SignalStack alternate_stack(uint64_t sp) {
    const SignalStack &s = current_thread().alternate_stack;
    return {s.sp, state(s, sp) | (s.flags & SS_AUTODISARM), s.size};
}

int64_t set_alternate_stack(const SignalStack &wanted, uint64_t sp) {
    SignalStack &s = current_thread().alternate_stack;
    if (in_use(s, sp))
        return -EPERM;
    uint32_t mode = wanted.flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        s = {0, wanted.flags, 0};
        return 0;
    }
    if (wanted.size < MINSIGSTKSZ)
        return -ENOMEM;
    s = wanted;
    return 0;
}

bool push_signal_frame(bsc_cpu_context &c, const SignalInfo &info, const KernelSigaction &action,
                       uint64_t old_mask) {
    // The FPU state first (64-byte aligned), then the frame, so that the handler starts
    // with rsp + 8 16-byte aligned, as after a call.
    uint64_t xsize = c.xstate ? c.xstate_size : 0;
    uint64_t fpstate = fpstate_address(c, action, xsize);
    uint64_t frame_at = ((fpstate - sizeof(RtSigframe)) & ~uint64_t{15}) - 8;
    if (fpstate == 0 ||
        (xsize && !copy_to_user(fpstate, reinterpret_cast<const void *>(c.xstate), xsize)))
        return false;
    RtSigframe frame{};
    frame.return_address = action.restorer;
    frame.uc.flags = kUcSigcontextSs | kUcStrictRestoreSs | (xsize > 512 ? kUcFpXstate : 0);
    frame.uc.stack = current_thread().alternate_stack; // as set, flags included (the kernel's)
    save(c, frame.uc.mcontext);
    frame.uc.mcontext.fpstate = xsize ? fpstate : 0;
    frame.uc.mcontext.oldmask = old_mask;
    frame.uc.sigmask = old_mask;
    frame.info = siginfo_of(info);
    if (!put_user(frame_at, frame))
        return false;
    SignalStack &alternate = current_thread().alternate_stack;
    if (alternate.flags & SS_AUTODISARM) // the frame keeps it, for rt_sigreturn to restore
        alternate = {0, SS_DISABLE, 0};
    c.rsp = frame_at;
    c.rip = action.handler;
    c.rdi = static_cast<uint64_t>(info.signo);
    c.rsi = frame_at + offsetof(RtSigframe, info);
    c.rdx = frame_at + offsetof(RtSigframe, uc);
    c.rax = 0;
    c.rflags &= ~uint64_t{0x500}; // TF and DF clear, as the kernel leaves them
    c.xstate = 0;                 // the handler starts with a clean FPU, as on Linux
    return true;
}

bool put_siginfo(uint64_t address, const SignalInfo &info) {
    return put_user(address, siginfo_of(info));
}

bool pop_signal_frame(bsc_cpu_context &c, uint64_t &mask) {
    // rt_sigreturn is made by the restorer after the handler returned: the return address
    // is popped, so the stack pointer is at the ucontext.
    Ucontext uc;
    uint32_t xsize = c.xstate_size;
    uint64_t frame_sp = c.rsp;
    if (!get_user(frame_sp, uc))
        return false;
    restore(uc.mcontext, c);
    c.xstate = uc.mcontext.fpstate;
    c.xstate_size = uc.mcontext.fpstate ? xsize : 0;
    mask = uc.sigmask;
    // As the kernel's restore_altstack, judged at the frame: refused (and so ignored)
    // while the frame is on the alternate stack, unless that stack disarmed itself.
    set_alternate_stack(uc.stack, frame_sp);
    return true;
}

} // namespace libos
