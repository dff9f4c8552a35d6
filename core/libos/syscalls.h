// SPDX-License-Identifier: MIT
// System call dispatch: every call the LibOS implements is named once in
// LIBOS_SYSCALLS, defined in the file of its family as sys_NAME.
#pragma once

#include <asm/unistd.h>

// Calls newer than the build machine's kernel headers (Linux 6.5: 451, 6.6: 452, 6.8: 457
// and 458).
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif

#include "kernel.h"

namespace libos {

// The arguments of a trapped system call, and the interrupted context (which a call such
// as rt_sigreturn may replace).
struct Syscall {
    uint64_t arg[6];
    bsc_cpu_context &context;
};

// Serves the system call in `context` and stores its result in rax; `patched`: it came
// from a patched site (the host's system call entry), not a trap, which --strace says.
void handle_syscall(bsc_cpu_context &context, bool patched);

// clang-format off
#define LIBOS_SYSCALLS(X)                                                               \
    /* sys/files.cpp */                                                                 \
    X(read) X(write) X(pread64) X(pwrite64) X(readv) X(writev) X(preadv) X(pwritev)     \
    X(preadv2) X(pwritev2) X(lseek) X(close) X(close_range) X(dup) X(dup2) X(dup3)      \
    X(fsync) X(fdatasync) X(ftruncate) X(getdents64) X(fstat) X(fchmod) X(fchown)       \
    X(fchdir) X(fadvise64) X(cachestat) X(sync) X(syncfs) X(sync_file_range)             \
    X(readahead)                                                                        \
    /* sys/fallocate.cpp */                                                             \
    X(fallocate)                                                                        \
    /* sys/fcntl.cpp */                                                                 \
    X(fcntl) X(flock) X(ioctl)                                                          \
    /* sys/eventfd.cpp */                                                               \
    X(eventfd) X(eventfd2)                                                              \
    /* sys/epoll.cpp */                                                                 \
    X(epoll_create) X(epoll_create1) X(epoll_ctl) X(epoll_wait) X(epoll_pwait)          \
    X(epoll_pwait2)                                                                     \
    /* sys/timerfd.cpp */                                                               \
    X(timerfd_create) X(timerfd_settime) X(timerfd_gettime)                             \
    /* sys/signalfd.cpp */                                                              \
    X(signalfd) X(signalfd4)                                                            \
    /* sys/aio.cpp */                                                                   \
    X(io_setup) X(io_destroy) X(io_submit) X(io_cancel) X(io_getevents) X(io_pgetevents) \
    /* sys/memfd.cpp */                                                                 \
    X(memfd_create)                                                                     \
    /* sys/sysv_shm.cpp, sys/sysv_sem.cpp, sys/sysv_msg.cpp */                         \
    X(shmget) X(shmat) X(shmdt) X(shmctl) X(semget) X(semop) X(semtimedop) X(semctl)    \
    X(msgget) X(msgsnd) X(msgrcv) X(msgctl)                                             \
    /* sys/keys.cpp */                                                                  \
    X(add_key) X(request_key) X(keyctl)                                                 \
    /* sys/mqueue.cpp */                                                                \
    X(mq_open) X(mq_unlink) X(mq_timedsend) X(mq_timedreceive) X(mq_notify)             \
    X(mq_getsetattr)                                                                    \
    /* sys/inotify.cpp */                                                               \
    X(inotify_init) X(inotify_init1) X(inotify_add_watch) X(inotify_rm_watch)          \
    /* sys/fanotify.cpp */                                                              \
    X(fanotify_init) X(fanotify_mark)                                                   \
    /* sys/userfaultfd.cpp */                                                           \
    X(userfaultfd)                                                                      \
    /* sys/splice.cpp */                                                                \
    X(sendfile) X(splice) X(tee) X(vmsplice) X(copy_file_range)                         \
    /* sys/paths.cpp */                                                                 \
    X(open) X(openat) X(openat2) X(creat) X(stat) X(lstat) X(newfstatat) X(statx)      \
    X(access) X(faccessat) X(faccessat2) X(readlink) X(readlinkat) X(getcwd) X(chdir)  \
    X(chroot) X(mkdir) X(mkdirat) X(mknod) X(mknodat) X(rmdir) X(unlink) X(unlinkat)   \
    X(rename) X(renameat) X(renameat2)                                                 \
    X(link) X(linkat) X(symlink) X(symlinkat) X(chmod) X(fchmodat) X(fchmodat2)         \
    X(chown) X(lchown) X(fchownat) X(utimensat) X(futimesat) X(truncate) X(umask)       \
    X(statfs) X(fstatfs) X(getxattr) X(lgetxattr) X(fgetxattr) X(listxattr)             \
    X(llistxattr) X(flistxattr) X(setxattr) X(lsetxattr) X(fsetxattr) X(removexattr)    \
    X(lremovexattr) X(fremovexattr)                                                     \
    /* sys/file_handles.cpp */                                                          \
    X(name_to_handle_at) X(open_by_handle_at)                                           \
    /* sys/mount.cpp */                                                                 \
    X(mount) X(umount2) X(sysfs)                                                        \
    /* sys/mount_api.cpp */                                                             \
    X(fsopen) X(fspick) X(open_tree) X(fsconfig) X(fsmount) X(move_mount)               \
    X(mount_setattr) X(statmount) X(listmount)                                          \
    /* sys/memory.cpp */                                                                \
    X(mmap) X(munmap) X(mprotect) X(mremap) X(brk) X(madvise) X(msync)                  \
    X(remap_file_pages)                                                                 \
    /* sys/mlock.cpp */                                                                 \
    X(mlock) X(mlock2) X(munlock) X(mlockall) X(munlockall) X(mincore)                  \
    /* sys/process.cpp */                                                               \
    X(getpid) X(getppid) X(getpgrp) X(getpgid) X(getsid) X(setpgid) X(uname)           \
    X(prlimit64) X(getrlimit) X(setrlimit) X(sysinfo) X(getrusage) X(arch_prctl)        \
    X(rseq) X(getcpu) X(getrandom) X(sethostname) X(setdomainname)                     \
    /* sys/prctl.cpp */                                                                 \
    X(prctl) X(seccomp)                                                                 \
    /* sys/pidfd.cpp */                                                                 \
    X(pidfd_open) X(pidfd_send_signal) X(pidfd_getfd)                                   \
    /* sys/process_vm.cpp */                                                            \
    X(process_vm_readv) X(process_vm_writev)                                            \
    /* sys/kcmp.cpp */                                                                  \
    X(kcmp)                                                                             \
    /* sys/namespaces.cpp */                                                            \
    X(unshare) X(setns)                                                                 \
    /* sys/threads.cpp */                                                               \
    X(clone) X(clone3) X(exit) X(exit_group) X(gettid) X(set_tid_address)               \
    X(set_robust_list) X(get_robust_list)                                               \
    /* sys/fork.cpp, sys/exec.cpp, sys/wait.cpp */                                      \
    X(fork) X(vfork) X(execve) X(execveat) X(wait4) X(waitid) X(setsid)                 \
    /* sys/credentials.cpp */                                                           \
    X(getuid) X(geteuid) X(getgid) X(getegid) X(getresuid) X(getresgid) X(getgroups)    \
    X(setgroups) X(setuid) X(setgid) X(setreuid) X(setregid) X(setresuid)               \
    X(setresgid) X(setfsuid) X(setfsgid) X(capget) X(capset)                            \
    /* sys/sched.cpp */                                                                 \
    X(sched_getaffinity) X(sched_setaffinity) X(sched_yield) X(sched_getscheduler)      \
    X(sched_setscheduler) X(sched_getparam) X(sched_setparam)                           \
    X(sched_get_priority_max) X(sched_get_priority_min) X(sched_rr_get_interval)        \
    X(getpriority) X(setpriority) X(ioprio_get) X(ioprio_set) X(sched_setattr)          \
    X(sched_getattr)                                                                    \
    /* sys/time.cpp */                                                                  \
    X(clock_gettime) X(clock_getres) X(clock_settime) X(gettimeofday) X(time)           \
    X(nanosleep) X(clock_nanosleep) X(times)                                            \
    /* sys/futex.cpp */                                                                 \
    X(futex) X(futex_waitv)                                                             \
    /* sys/personality.cpp */                                                           \
    X(personality)                                                                      \
    /* sys/ustat.cpp, sys/vhangup.cpp */                                                \
    X(ustat) X(vhangup)                                                                 \
    /* sys/signals.cpp */                                                               \
    X(rt_sigaction) X(rt_sigprocmask) X(rt_sigpending) X(rt_sigsuspend) X(rt_sigreturn)     \
    X(sigaltstack) X(pause) X(kill) X(tkill) X(tgkill) X(rt_sigtimedwait)              \
    X(rt_sigqueueinfo) X(rt_tgsigqueueinfo)                                             \
    /* sys/timers.cpp */                                                                \
    X(alarm) X(setitimer) X(getitimer)                                                  \
    /* sys/posix_timers.cpp */                                                          \
    X(timer_create) X(timer_settime) X(timer_gettime) X(timer_getoverrun)              \
    X(timer_delete)                                                                     \
    /* sys/pipes.cpp */                                                                 \
    X(pipe) X(pipe2) X(poll) X(ppoll) X(select) X(pselect6)                             \
    /* sys/sockets.cpp, sys/socket_messages.cpp, sys/socket_options.cpp */              \
    X(socket) X(socketpair) X(bind) X(listen) X(accept) X(accept4) X(connect)           \
    X(getsockname) X(getpeername) X(shutdown) X(sendto) X(recvfrom) X(sendmsg)          \
    X(recvmsg) X(sendmmsg) X(recvmmsg) X(getsockopt) X(setsockopt)
// clang-format on

#define LIBOS_DECLARE_SYSCALL(name) int64_t sys_##name(Syscall &call);
LIBOS_SYSCALLS(LIBOS_DECLARE_SYSCALL)
#undef LIBOS_DECLARE_SYSCALL

} // namespace libos
