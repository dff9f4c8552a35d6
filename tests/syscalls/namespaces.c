// SPDX-License-Identifier: MIT
// The namespace family: unshare and setns as Linux answers them for what the process
// already is (nothing to unshare, its own namespaces to enter) and for an unprivileged
// caller (EPERM for a new namespace), with their flag and descriptor errors.
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

// The namespaces a caller without CAP_SYS_ADMIN may not make (a user namespace it may,
// where the machine allows it, so it is not among them).
static const int kPrivilegedKinds[] = {CLONE_NEWNS,  CLONE_NEWUTS,    CLONE_NEWIPC,
                                       CLONE_NEWNET, CLONE_NEWPID,    CLONE_NEWCGROUP,
                                       CLONE_NEWTIME};

static int open_namespace(const char *name) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

static int pidfd_of_self(void) { return (int)syscall(SYS_pidfd_open, getpid(), 0); }

// Nothing shared with another thread: nothing to unshare, whatever the flags ask of it.
TEST(unshare_what_a_single_thread_has) {
    CHECK_OK(unshare(0));
    CHECK_OK(unshare(CLONE_FS));
    CHECK_OK(unshare(CLONE_FILES));
    CHECK_OK(unshare(CLONE_SYSVSEM)); // no SEM_UNDO was asked: no undo list to leave
    CHECK_OK(unshare(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM));
    CHECK_OK(unshare(CLONE_FS | CLONE_FILES | CLONE_SYSVSEM));
}

TEST(unshare_unknown_flags) {
    CHECK_ERR(unshare(CLONE_PTRACE), EINVAL);
    CHECK_ERR(unshare(CLONE_VFORK), EINVAL);
    CHECK_ERR(unshare(SIGCHLD), EINVAL); // clone's signal byte
    CHECK_ERR(unshare(CLONE_SETTLS | CLONE_FS), EINVAL);
    CHECK_ERR(unshare(-1), EINVAL);
}

static pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
static void *held_thread(void *unused) {
    (void)unused;
    pthread_mutex_lock(&hold);
    pthread_mutex_unlock(&hold);
    return NULL;
}

// With a second thread, the thread group, signal handlers and memory are shared: EINVAL,
// and a user namespace (which implies CLONE_THREAD) too.
TEST(unshare_in_a_process_of_two_threads) {
    pthread_t thread;
    pthread_mutex_lock(&hold);
    CHECK_EQ(pthread_create(&thread, NULL, held_thread, NULL), 0);
    CHECK_ERR(unshare(CLONE_THREAD), EINVAL);
    CHECK_ERR(unshare(CLONE_SIGHAND), EINVAL);
    CHECK_ERR(unshare(CLONE_VM), EINVAL);
    CHECK_ERR(unshare(CLONE_NEWUSER), EINVAL);
    pthread_mutex_unlock(&hold);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

static void new_namespaces_as_nobody(void) {
    for (size_t i = 0; i < sizeof kPrivilegedKinds / sizeof *kPrivilegedKinds; i++)
        CHECK_ERR(unshare(kPrivilegedKinds[i]), EPERM);
    CHECK_ERR(unshare(CLONE_NEWUTS | CLONE_FS), EPERM);
    CHECK_ERR(unshare(CLONE_PTRACE | CLONE_NEWNS), EINVAL); // the flags first
    int uts = open_namespace("uts");
    CHECK(uts >= 0);
    CHECK_ERR(setns(uts, CLONE_NEWUTS), EPERM);
    CHECK_ERR(setns(uts, CLONE_NEWIPC), EINVAL); // not the descriptor's kind
    close(uts);
    int user = open_namespace("user");
    CHECK_ERR(setns(user, 0), EINVAL); // its own user namespace
    close(user);
}

TEST(unshare_and_setns_without_the_privilege) { check_in_child_as_nobody(new_namespaces_as_nobody); }

TEST(setns_errors) {
    CHECK_ERR(setns(-1, 0), EBADF);
    CHECK_ERR(setns(999, 0), EBADF);
    int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(setns(fd, 0), EINVAL); // neither a namespace nor a pidfd
    close(fd);
    int uts = CHECK_OK(open_namespace("uts"));
    CHECK_ERR(setns(uts, CLONE_NEWNET), EINVAL);
    CHECK_ERR(setns(uts, CLONE_NEWUTS | CLONE_NEWNET), EINVAL);
    close(uts);
    int user = CHECK_OK(open_namespace("user"));
    CHECK_ERR(setns(user, CLONE_NEWUSER), EINVAL); // no capabilities gained by re-entering
    close(user);
    int pidfd = CHECK_OK(pidfd_of_self());
    CHECK_ERR(setns(pidfd, 0), EINVAL); // a pidfd needs the kinds
    CHECK_ERR(setns(pidfd, CLONE_FS), EINVAL);
    CHECK_ERR(setns(pidfd, CLONE_NEWUTS | CLONE_VM), EINVAL);
    close(pidfd);
}

// A privileged caller may enter the namespaces it is in: nothing changes, but for the
// mount namespace's root, which becomes the working directory. In a child, which may
// then go on in "/".
static const char *const kNamespaceNames[] = {"uts", "ipc", "net", "pid", "cgroup", "time",
                                              "pid_for_children", "time_for_children"};

TEST(setns_into_its_own_namespaces) {
    if (check_capable(CAP_SYS_ADMIN) != 1)
        return;
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        for (size_t i = 0; i < sizeof kNamespaceNames / sizeof *kNamespaceNames; i++) {
            int fd = open_namespace(kNamespaceNames[i]);
            CHECK(fd >= 0);
            CHECK_EQ(setns(fd, 0), 0);
            close(fd);
        }
        int uts = open_namespace("uts");
        CHECK_EQ(setns(uts, CLONE_NEWUTS), 0);
        close(uts);
        int pidfd = pidfd_of_self();
        CHECK_EQ(setns(pidfd, CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC), 0);
        close(pidfd);
        int mnt = open_namespace("mnt");
        CHECK_EQ(setns(mnt, CLONE_NEWNS), 0);
        char cwd[64];
        CHECK(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, "/") == 0);
        close(mnt);
        _exit(check_failure_count());
    }
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
}

// With a second thread, a mount namespace is not entered alone (EINVAL: the file-system
// context is shared), nor a time namespace (EUSERS); the others are.
TEST(setns_in_a_process_of_two_threads) {
    if (check_capable(CAP_SYS_ADMIN) != 1)
        return;
    pthread_t thread;
    pthread_mutex_lock(&hold);
    CHECK_EQ(pthread_create(&thread, NULL, held_thread, NULL), 0);
    int mnt = CHECK_OK(open_namespace("mnt"));
    CHECK_ERR(setns(mnt, CLONE_NEWNS), EINVAL);
    close(mnt);
    int time = CHECK_OK(open_namespace("time"));
    CHECK_ERR(setns(time, 0), EUSERS);
    close(time);
    int uts = CHECK_OK(open_namespace("uts"));
    CHECK_OK(setns(uts, 0));
    close(uts);
    pthread_mutex_unlock(&hold);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

// ---- New namespaces, for a caller with CAP_SYS_ADMIN ----

// The inode of /proc/PID/ns/NAME, which names the namespace (0 if it cannot be read).
static ino_t namespace_inode(pid_t pid, const char *name) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, name);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int privileged(void) { return check_capable(CAP_SYS_ADMIN) == 1; }

static const char kHostName[] = "bascule-ns-test";

// unshare makes the caller's own namespace of each kind: /proc/self/ns shows another
// inode, its parent's stays; a UTS namespace takes its own host name, which the parent
// does not see.
static void unshare_each_kind(void) {
    const struct {
        int flag;
        const char *name;
    } kinds[] = {{CLONE_NEWUTS, "uts"}, {CLONE_NEWIPC, "ipc"},       {CLONE_NEWNET, "net"},
                 {CLONE_NEWNS, "mnt"},  {CLONE_NEWCGROUP, "cgroup"}};
    pid_t parent = getppid();
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        ino_t before = namespace_inode(getpid(), kinds[i].name);
        CHECK(before != 0);
        CHECK_OK(unshare(kinds[i].flag));
        ino_t after = namespace_inode(getpid(), kinds[i].name);
        CHECK(after != 0 && after != before);
        CHECK_EQ(namespace_inode(parent, kinds[i].name), before);
    }
    CHECK_OK(sethostname(kHostName, strlen(kHostName)));
    struct utsname names;
    CHECK_OK(uname(&names));
    CHECK(strcmp(names.nodename, kHostName) == 0);
}

TEST(unshare_new_namespaces) {
    if (!privileged())
        return;
    struct utsname before, after;
    CHECK_OK(uname(&before));
    check_in_child(unshare_each_kind);
    CHECK_OK(uname(&after));
    CHECK(strcmp(before.nodename, after.nodename) == 0);
}

// sethostname's checks in the kernel's order: the length, then the name's address.
static void sethostname_errors_as_root(void) {
    CHECK_OK(unshare(CLONE_NEWUTS));
    CHECK_ERR(syscall(SYS_sethostname, kHostName, -1), EINVAL);
    CHECK_ERR(syscall(SYS_sethostname, kHostName, 65), EINVAL);
    CHECK_ERR(syscall(SYS_sethostname, BAD_PTR, 4), EFAULT);
    CHECK_OK(syscall(SYS_setdomainname, "bascule", 7));
    struct utsname names;
    CHECK_OK(uname(&names));
    CHECK(strcmp(names.domainname, "bascule") == 0);
}

TEST(sethostname_errors) {
    if (privileged())
        check_in_child(sethostname_errors_as_root);
}

static void sethostname_as_nobody(void) {
    CHECK_ERR(syscall(SYS_sethostname, kHostName, 65), EPERM); // the privilege first
    CHECK_ERR(syscall(SYS_setdomainname, kHostName, 4), EPERM);
}

TEST(sethostname_without_the_privilege) { check_in_child_as_nobody(sethostname_as_nobody); }

// Two processes in one namespace show one inode: a child shares its parent's until it
// makes its own.
TEST(namespaces_shared_with_a_child) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t child = check_fork_held(release);
    if (child == 0)
        _exit(0);
    CHECK(child > 0);
    close(release[0]);
    const char *names[] = {"uts", "ipc", "net", "mnt", "cgroup", "time", "pid", "user"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        ino_t own = namespace_inode(getpid(), names[i]);
        CHECK(own != 0);
        CHECK_EQ(namespace_inode(child, names[i]), own);
    }
    close(release[1]);
    CHECK_EQ(waitpid(child, NULL, 0), child);
}

// clone's CLONE_NEW* flags: the child is made in new namespaces; CLONE_NEWIPC with
// CLONE_SYSVSEM is EINVAL, after the privilege's EPERM.
static int clone_child_namespaces(int flags, pid_t parent) {
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid == 0) {
        int differ = namespace_inode(getpid(), "uts") != namespace_inode(parent, "uts") &&
                     namespace_inode(getpid(), "net") != namespace_inode(parent, "net") &&
                     namespace_inode(getpid(), "ipc") != namespace_inode(parent, "ipc") &&
                     namespace_inode(getpid(), "mnt") == namespace_inode(parent, "mnt");
        _exit(differ ? 0 : 1);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

TEST(clone_into_new_namespaces) {
    if (!privileged())
        return;
    CHECK_EQ(clone_child_namespaces(CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC, getpid()), 0);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, NULL, NULL, NULL, NULL),
              EINVAL);
}

// clone3 takes CLONE_NEWTIME (in clone's signal byte): the child is in the new time
// namespace itself, and its children after it.
TEST(clone3_into_a_new_time_namespace) {
    if (!privileged())
        return;
    struct clone_args args = {.flags = CLONE_NEWTIME, .exit_signal = SIGCHLD};
    pid_t parent = getpid();
    pid_t pid = CHECK_OK((pid_t)syscall(SYS_clone3, &args, sizeof args));
    if (pid == 0) {
        ino_t time = namespace_inode(getpid(), "time");
        _exit(time != namespace_inode(parent, "time") &&
                      time == namespace_inode(getpid(), "time_for_children")
                  ? 0
                  : 1);
    }
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
}

static void clone_as_nobody(void) {
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, NULL, NULL, NULL, NULL), EPERM);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, NULL, NULL, NULL, NULL),
              EPERM);
}

TEST(clone_new_namespaces_without_the_privilege) { check_in_child_as_nobody(clone_as_nobody); }

// setns into another process's namespaces, by its /proc/PID/ns descriptor or its pidfd:
// the caller's inode becomes the other's, and a UTS namespace's name comes with it.
static pid_t held_in_new_uts(int release[2]) {
    int ready[2];
    if (pipe(ready) != 0 || pipe(release) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        if (unshare(CLONE_NEWUTS | CLONE_NEWNET) != 0 ||
            sethostname(kHostName, strlen(kHostName)) != 0)
            _exit(1);
        close(ready[1]);
        check_await_release(release);
        _exit(0);
    }
    close(ready[1]);
    close(release[0]);
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 0); // its end closes once it is set up
    close(ready[0]);
    return pid;
}

static pid_t other;

static void enter_by_descriptor(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)other);
    int fd = CHECK_OK(open(path, O_RDONLY | O_CLOEXEC));
    CHECK_ERR(setns(fd, CLONE_NEWNET), EINVAL);
    CHECK_OK(setns(fd, CLONE_NEWUTS));
    close(fd);
    CHECK_EQ(namespace_inode(getpid(), "uts"), namespace_inode(other, "uts"));
    CHECK(namespace_inode(getpid(), "net") != namespace_inode(other, "net"));
    struct utsname names;
    CHECK_OK(uname(&names));
    CHECK(strcmp(names.nodename, kHostName) == 0);
}

static void enter_by_pidfd(void) {
    int pidfd = CHECK_OK((int)syscall(SYS_pidfd_open, other, 0));
    CHECK_OK(setns(pidfd, CLONE_NEWUTS | CLONE_NEWNET));
    close(pidfd);
    CHECK_EQ(namespace_inode(getpid(), "uts"), namespace_inode(other, "uts"));
    CHECK_EQ(namespace_inode(getpid(), "net"), namespace_inode(other, "net"));
}

TEST(setns_into_another_process) {
    if (!privileged())
        return;
    int release[2];
    other = held_in_new_uts(release);
    CHECK(other > 0);
    check_in_child(enter_by_descriptor);
    check_in_child(enter_by_pidfd);
    close(release[1]);
    int status = -1;
    CHECK_EQ(waitpid(other, &status, 0), other);
    CHECK_EQ(status, 0);
}

// ---- Time namespaces ----

static const long long kMonotonicOffset = 1000, kBoottimeOffset = 2000; // seconds

static long long seconds_of(clockid_t clock) {
    struct timespec now;
    return clock_gettime(clock, &now) == 0 ? (long long)now.tv_sec : -1;
}

static long long elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

// In the new time namespace, an absolute deadline is on its clock: it comes when that
// clock reaches it, not 1000 s later or at once.
static void absolute_deadlines_in_the_namespace(void) {
    struct timespec start, deadline;
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &start));
    deadline = start;
    deadline.tv_nsec += 20 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL), 0);
    long long waited = elapsed_ms(&start);
    CHECK(waited >= 20 && waited < 10000);
    int timer = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &start));
    struct itimerspec value = {.it_value = start};
    value.it_value.tv_nsec += 20 * 1000000;
    if (value.it_value.tv_nsec >= 1000000000) {
        value.it_value.tv_sec++;
        value.it_value.tv_nsec -= 1000000000;
    }
    CHECK_OK(timerfd_settime(timer, TFD_TIMER_ABSTIME, &value, NULL));
    uint64_t expirations = 0;
    CHECK_EQ(read(timer, &expirations, sizeof expirations), (ssize_t)sizeof expirations);
    waited = elapsed_ms(&start);
    CHECK(expirations == 1 && waited >= 19 && waited < 10000);
    close(timer);
}

static void clocks_with_offsets(long long monotonic, long long boottime) {
    CHECK(seconds_of(CLOCK_MONOTONIC) >= monotonic + kMonotonicOffset);
    CHECK(seconds_of(CLOCK_MONOTONIC) < monotonic + kMonotonicOffset + 600);
    CHECK(seconds_of(CLOCK_BOOTTIME) >= boottime + kBoottimeOffset);
    struct sysinfo info;
    CHECK_OK(sysinfo(&info));
    CHECK(info.uptime >= boottime + kBoottimeOffset);
    char text[128];
    double uptime = 0;
    CHECK(check_read_file("/proc/uptime", text, sizeof text) > 0 &&
          sscanf(text, "%lf", &uptime) == 1);
    CHECK(uptime >= (double)(boottime + kBoottimeOffset));
    absolute_deadlines_in_the_namespace();
}

// A new time namespace is for the children made after (time_for_children); its offsets
// are written before the first of them, whose CLOCK_MONOTONIC and CLOCK_BOOTTIME (and
// what is read from them) show them. A thread stays in its creator's. Once a child is in
// it, its offsets are fixed (EACCES).
static void time_namespace_for_children(void) {
    ino_t time = namespace_inode(getpid(), "time");
    CHECK_OK(unshare(CLONE_NEWTIME));
    CHECK_EQ(namespace_inode(getpid(), "time"), time);
    CHECK(namespace_inode(getpid(), "time_for_children") != time);
    pthread_t thread;
    pthread_mutex_lock(&hold);
    CHECK_EQ(pthread_create(&thread, NULL, held_thread, NULL), 0);
    pthread_mutex_unlock(&hold);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    char offsets[64];
    int length = snprintf(offsets, sizeof offsets, "monotonic %lld 0\nboottime %lld 0\n",
                          kMonotonicOffset, kBoottimeOffset);
    int fd = CHECK_OK(open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC));
    CHECK_EQ(write(fd, offsets, (size_t)length), length);
    long long monotonic = seconds_of(CLOCK_MONOTONIC), boottime = seconds_of(CLOCK_BOOTTIME);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        clocks_with_offsets(monotonic, boottime);
        _exit(check_failure_count() ? 1 : 0);
    }
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    CHECK_ERR(write(fd, offsets, (size_t)length), EACCES);
    close(fd);
    CHECK(seconds_of(CLOCK_MONOTONIC) < monotonic + kMonotonicOffset); // the caller's own
}

TEST(time_namespace_offsets) {
    if (privileged())
        check_in_child(time_namespace_for_children);
}

// exec puts a process in the time namespace made for its children (Linux's
// exec_task_namespaces): the program it runs reads it as its own.
static void exec_enters_time_for_children(void) {
    CHECK_OK(unshare(CLONE_NEWTIME));
    char wanted[64] = "", shown[64] = "";
    CHECK(readlink("/proc/self/ns/time_for_children", wanted, sizeof wanted - 1) > 0);
    int out[2];
    CHECK_OK(pipe(out));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        // The fork's child is in it already; its own exec, after a new unshare, moves it.
        if (unshare(CLONE_NEWTIME) != 0 || dup2(out[1], 1) != 1)
            _exit(2);
        execl("/bin/readlink", "readlink", "/proc/self/ns/time_for_children", "/proc/self/ns/time",
              (char *)NULL);
        _exit(3);
    }
    close(out[1]);
    char text[160] = "";
    ssize_t length = 0, n;
    while ((n = read(out[0], text + length, sizeof text - 1 - (size_t)length)) > 0)
        length += n;
    close(out[0]);
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    // Two lines read by the program the child exec'd: its time_for_children, its time.
    char *newline = strchr(text, '\n');
    CHECK(newline != NULL);
    if (newline) {
        *newline = 0;
        snprintf(shown, sizeof shown, "%s", newline + 1);
        shown[strcspn(shown, "\n")] = 0;
        CHECK(strcmp(text, shown) == 0);   // it is in the one made for its children
        CHECK(strcmp(wanted, shown) != 0); // not in the one it was forked into
    }
}

TEST(exec_enters_the_time_namespace_for_children) {
    if (privileged())
        check_in_child(exec_enters_time_for_children);
}

#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, uint64_t)
#endif

// NS_GET_MNTNS_ID: a mount namespace's id (EINVAL for another kind), another one's after
// an unshare (as root, in a child).
static uint64_t mount_namespace_id(void) {
    uint64_t id = 0;
    int mnt = CHECK_OK(open_namespace("mnt"));
    CHECK_OK(ioctl(mnt, NS_GET_MNTNS_ID, &id));
    close(mnt);
    return id;
}

static void new_mount_namespace_id(void) {
    uint64_t before = mount_namespace_id();
    CHECK_OK(unshare(CLONE_NEWNS));
    uint64_t after = mount_namespace_id();
    CHECK(after != 0 && after != before);
}

TEST(mount_namespace_id) {
    CHECK(mount_namespace_id() != 0);
    uint64_t id = 0;
    int uts = CHECK_OK(open_namespace("uts"));
    CHECK_ERR(ioctl(uts, NS_GET_MNTNS_ID, &id), EINVAL);
    close(uts);
    if (privileged())
        check_in_child(new_mount_namespace_id);
}
