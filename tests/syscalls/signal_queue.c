// SPDX-License-Identifier: MIT
// Queued signals: rt_sigqueueinfo and rt_tgsigqueueinfo (sigqueue, pthread_sigqueue), a
// program's own siginfo as its handler, sigwaitinfo and a signalfd see it, every instance
// of a real-time signal kept in order while a standard one is kept once, and the checks
// (EPERM for a code only the kernel or kill may send, E2BIG, EINVAL, ESRCH, EFAULT).
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long queue_info(pid_t pid, int sig, siginfo_t *info) {
    return syscall(SYS_rt_sigqueueinfo, pid, sig, info);
}

static long queue_thread_info(pid_t tgid, pid_t tid, int sig, siginfo_t *info) {
    return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, info);
}

// A siginfo as glibc's sigqueue makes it.
static siginfo_t queued(int code, int value) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_code = code;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_int = value;
    return info;
}

static sigset_t just(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    return set;
}

TEST(realtime_instances_queue_in_order) {
    int sig = SIGRTMIN + 1;
    sigset_t set = just(sig), old;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    for (int value = 1; value <= 3; value++)
        CHECK_OK(sigqueue(getpid(), sig, (union sigval){.sival_int = value}));
    for (int value = 1; value <= 3; value++) {
        siginfo_t info;
        CHECK_EQ(sigwaitinfo(&set, &info), sig);
        CHECK_EQ(info.si_code, SI_QUEUE);
        CHECK_EQ(info.si_value.sival_int, value);
        CHECK_EQ(info.si_pid, getpid());
        CHECK_EQ(info.si_uid, getuid());
    }
    struct timespec none = {0, 0};
    CHECK_ERR(sigtimedwait(&set, NULL, &none), EAGAIN);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(standard_signal_is_kept_once) {
    sigset_t set = just(SIGUSR2), old;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 7}));
    CHECK_OK(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 8}));
    siginfo_t info;
    CHECK_EQ(sigwaitinfo(&set, &info), SIGUSR2);
    CHECK_EQ(info.si_value.sival_int, 7); // the first sender's
    struct timespec none = {0, 0};
    CHECK_ERR(sigtimedwait(&set, NULL, &none), EAGAIN);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(ignoring_drops_every_queued_instance) {
    int sig = SIGRTMIN + 2;
    sigset_t set = just(sig), old, pending;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(sigqueue(getpid(), sig, (union sigval){.sival_int = 1}));
    CHECK_OK(sigqueue(getpid(), sig, (union sigval){.sival_int = 2}));
    signal(sig, SIG_IGN);
    signal(sig, SIG_DFL);
    CHECK_OK(sigpending(&pending));
    CHECK(!sigismember(&pending, sig));
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

static volatile sig_atomic_t got_signo, got_code, got_value, got_errno;
static volatile pid_t got_pid;

static void on_queued(int sig, siginfo_t *info, void *context) {
    (void)context;
    got_signo = sig;
    got_code = info->si_code;
    got_value = info->si_value.sival_int;
    got_errno = info->si_errno;
    got_pid = info->si_pid;
}

static void install(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_queued;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(sig, &sa, NULL));
}

TEST(handler_sees_the_program_s_siginfo) {
    int sig = SIGRTMIN + 3;
    install(sig);
    got_signo = 0;
    siginfo_t info = queued(SI_QUEUE, 1234);
    info.si_errno = 5;
    info.si_pid = 4242; // the program says what it likes: it is passed on as it is
    CHECK_OK(queue_info(getpid(), sig, &info));
    CHECK_EQ(got_signo, sig);
    CHECK_EQ(got_code, SI_QUEUE);
    CHECK_EQ(got_value, 1234);
    CHECK_EQ(got_errno, 5);
    CHECK_EQ(got_pid, 4242);
    // To itself a program may use any code, a kernel's one too.
    got_signo = 0;
    info = queued(SI_USER, 0);
    CHECK_OK(queue_info(getpid(), sig, &info));
    CHECK_EQ(got_signo, sig);
    CHECK_EQ(got_code, SI_USER);
    signal(sig, SIG_DFL);
}

static pid_t worker_tid;
static volatile sig_atomic_t worker_go;

static void *worker(void *unused) {
    (void)unused;
    worker_tid = (pid_t)syscall(SYS_gettid);
    sigset_t set = just(SIGRTMIN + 4);
    siginfo_t info;
    if (sigwaitinfo(&set, &info) != SIGRTMIN + 4 || info.si_value.sival_int != 99 ||
        info.si_code != SI_QUEUE)
        return (void *)1;
    return NULL;
}

TEST(tgsigqueueinfo_reaches_one_thread) {
    int sig = SIGRTMIN + 4;
    sigset_t set = just(sig), old;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old)); // the thread inherits the mask
    worker_tid = 0;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, worker, NULL), 0);
    while (__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST) == 0)
        usleep(1000);
    siginfo_t info = queued(SI_QUEUE, 99);
    CHECK_OK(queue_thread_info(getpid(), worker_tid, sig, &info));
    void *result;
    CHECK_EQ(pthread_join(thread, &result), 0);
    CHECK(result == NULL);
    // The thread's id is gone with it.
    CHECK_ERR(queue_thread_info(getpid(), worker_tid, sig, &info), ESRCH);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(signalfd_reads_the_value) {
    int sig = SIGRTMIN + 5;
    sigset_t set = just(sig), old;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    int fd = CHECK_OK(signalfd(-1, &set, 0));
    siginfo_t info = queued(SI_QUEUE, -77);
    CHECK_OK(queue_info(getpid(), sig, &info));
    struct signalfd_siginfo record;
    CHECK_EQ(read(fd, &record, sizeof record), sizeof record);
    CHECK_EQ(record.ssi_signo, sig);
    CHECK_EQ(record.ssi_code, SI_QUEUE);
    CHECK_EQ(record.ssi_int, -77);
    CHECK_EQ((int32_t)record.ssi_ptr, -77);
    CHECK_EQ(record.ssi_pid, getpid());
    close(fd);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

static int waker[2];

static void *sleeper(void *unused) {
    (void)unused;
    worker_tid = (pid_t)syscall(SYS_gettid);
    char byte;
    return read(waker[0], &byte, 1) == 1 ? NULL : (void *)1;
}

// A thread's id stands for its process (the signal is the process's, not the thread's).
TEST(a_thread_id_names_its_process) {
    int sig = SIGRTMIN + 6;
    sigset_t set = just(sig), old;
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old)); // the thread inherits the mask
    CHECK_OK(pipe(waker));
    worker_tid = 0;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, sleeper, NULL), 0);
    while (__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST) == 0)
        usleep(1000);
    siginfo_t info = queued(SI_QUEUE, 5);
    CHECK_OK(queue_info(worker_tid, sig, &info));
    CHECK_OK(kill(worker_tid, sig));
    CHECK_EQ(sigwaitinfo(&set, &info), sig); // the main thread takes both: they are shared
    CHECK_EQ(info.si_value.sival_int, 5);
    CHECK_EQ(sigwaitinfo(&set, &info), sig);
    CHECK_EQ(info.si_code, SI_USER);
    CHECK_EQ(write(waker[1], "x", 1), 1);
    void *result;
    CHECK_EQ(pthread_join(thread, &result), 0);
    CHECK(result == NULL);
    close(waker[0]);
    close(waker[1]);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(checks_in_the_kernel_s_order) {
    siginfo_t info = queued(SI_QUEUE, 1);
    CHECK_ERR(queue_info(getpid(), SIGUSR1, BAD_PTR), EFAULT);
    CHECK_ERR(queue_info(getpid(), 65, &info), EINVAL);
    CHECK_ERR(queue_info(getpid(), -1, &info), EINVAL);
    CHECK_ERR(queue_info(0, SIGUSR1, &info), ESRCH);
    CHECK_ERR(queue_info(-1, SIGUSR1, &info), ESRCH);
    CHECK_OK(queue_info(getpid(), 0, &info)); // signal 0: only the checks
    CHECK_ERR(queue_thread_info(0, getpid(), SIGUSR1, &info), EINVAL);
    CHECK_ERR(queue_thread_info(getpid(), 0, SIGUSR1, &info), EINVAL);
    CHECK_ERR(queue_thread_info(getpid(), getpid(), SIGUSR1, BAD_PTR), EFAULT);
    CHECK_ERR(queue_thread_info(getpid(), getpid(), 65, &info), EINVAL);
    // A code of no known form whose bytes past the kernel's siginfo are not all zero.
    siginfo_t odd = queued(-20, 0);
    ((unsigned char *)&odd)[100] = 1;
    CHECK_ERR(queue_info(getpid(), SIGUSR1, &odd), E2BIG);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    // To another process, a code that would pass for the kernel's or for kill's and tkill's
    // (which name their sender) is refused; SI_QUEUE is not.
    siginfo_t as_kernel = queued(SI_KERNEL, 0), as_kill = queued(SI_USER, 0),
              as_tkill = queued(SI_TKILL, 0);
    CHECK_ERR(queue_info(child, SIGUSR1, &as_kernel), EPERM);
    CHECK_ERR(queue_info(child, SIGUSR1, &as_kill), EPERM);
    CHECK_ERR(queue_info(child, SIGUSR1, &as_tkill), EPERM);
    CHECK_ERR(queue_thread_info(child, child, SIGUSR1, &as_kill), EPERM);
    CHECK_ERR(queue_thread_info(getpid(), child, SIGUSR1, &info), ESRCH); // not our thread
    CHECK_ERR(syscall(SYS_tgkill, getpid(), child, SIGUSR1), ESRCH);
    CHECK_OK(queue_info(child, SIGTERM, &info));
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CHECK_ERR(queue_info(child, SIGUSR1, &info), ESRCH); // reaped
}
