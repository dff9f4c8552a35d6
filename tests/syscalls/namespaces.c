// SPDX-License-Identifier: MIT
// The namespace family: unshare and setns as Linux answers them for what the process
// already is (nothing to unshare, its own namespaces to enter) and for an unprivileged
// caller (EPERM for a new namespace), with their flag and descriptor errors.
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
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
