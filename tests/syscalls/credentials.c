// SPDX-License-Identifier: MIT
// The credentials family: the user and group ids, the supplementary groups, the set*id
// calls' rules and the capabilities (capget, capset). Every case holds as root and as an
// ordinary user; the parent never changes an id: a change is made in a child (fork), and
// the cases that need the privilege to change ids run only where the process has it.
#include "check.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>


// An id that is neither the process's nor -1.
static uid_t other_id(uid_t mine) { return mine == 12345 ? 12346 : 12345; }

TEST(id_calls_agree) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    CHECK_OK(getresuid(&r, &e, &s));
    CHECK_OK(getresgid(&gr, &ge, &gs));
    CHECK_EQ(r, getuid());
    CHECK_EQ(e, geteuid());
    CHECK_EQ(gr, getgid());
    CHECK_EQ(ge, getegid());
    // setfsuid(-1) changes nothing and returns the file-system id: the effective one.
    CHECK_EQ(setfsuid(-1), e);
    CHECK_EQ(setfsgid(-1), ge);
    CHECK_ERR(syscall(SYS_getresuid, BAD_PTR, &e, &s), EFAULT);
    CHECK_ERR(syscall(SYS_getresgid, &gr, &ge, BAD_PTR), EFAULT);
}

TEST(getgroups_counts_and_fills) {
    int count = getgroups(0, NULL);
    CHECK(count >= 0);
    gid_t groups[65536];
    CHECK_EQ(getgroups(65536, groups), count);
    if (count > 0) {
        CHECK_ERR(getgroups(count - 1, groups), EINVAL);
        CHECK_ERR(syscall(SYS_getgroups, count, BAD_PTR), EFAULT);
    }
    CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL);
}

TEST(setgroups_needs_the_privilege) {
    gid_t groups[65536];
    int count = getgroups(65536, groups);
    int capable = check_capable(CAP_SETGID);
    if (capable == 0) {
        CHECK_ERR(setgroups(count, groups), EPERM);
        CHECK_ERR(syscall(SYS_setgroups, 70000, groups), EPERM); // the privilege first
    } else if (capable == 1) {
        CHECK_OK(setgroups(count, groups)); // the same groups: nothing changes
        CHECK_ERR(syscall(SYS_setgroups, 70000, groups), EINVAL);
        CHECK_ERR(syscall(SYS_setgroups, 1, BAD_PTR), EFAULT);
        gid_t invalid = (gid_t)-1;
        CHECK_ERR(syscall(SYS_setgroups, 1, &invalid), EINVAL);
    }
}

TEST(setuid_and_setgid_to_the_own_ids) {
    CHECK_OK(setuid(getuid()));
    CHECK_OK(setgid(getgid()));
    CHECK_ERR(syscall(SYS_setuid, -1), EINVAL);
    CHECK_ERR(syscall(SYS_setgid, -1), EINVAL);
    if (check_capable(CAP_SETUID) == 0)
        CHECK_ERR(setuid(other_id(getuid())), EPERM);
    if (check_capable(CAP_SETGID) == 0)
        CHECK_ERR(setgid(other_id(getgid())), EPERM);
}

TEST(setreuid_and_setregid) {
    CHECK_OK(setreuid(-1, -1));
    CHECK_OK(setregid(-1, -1));
    CHECK_OK(setreuid(getuid(), geteuid()));
    CHECK_OK(setregid(getgid(), getegid()));
    if (check_capable(CAP_SETUID) == 0) {
        CHECK_ERR(setreuid(other_id(getuid()), -1), EPERM);
        CHECK_ERR(setreuid(-1, other_id(getuid())), EPERM);
    }
    if (check_capable(CAP_SETGID) == 0)
        CHECK_ERR(setregid(other_id(getgid()), -1), EPERM);
}

TEST(setresuid_and_setresgid) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    CHECK_OK(setresuid(-1, -1, -1));
    CHECK_OK(setresuid(r, e, s));
    CHECK_OK(setresgid(gr, ge, gs));
    uid_t after_r, after_e, after_s;
    getresuid(&after_r, &after_e, &after_s);
    CHECK_EQ(after_r, r);
    CHECK_EQ(after_e, e);
    CHECK_EQ(after_s, s);
    if (check_capable(CAP_SETUID) == 0)
        CHECK_ERR(setresuid(-1, -1, other_id(r)), EPERM);
    if (check_capable(CAP_SETGID) == 0)
        CHECK_ERR(setresgid(other_id(gr), -1, -1), EPERM);
}

TEST(setfsuid_returns_the_old_id) {
    uid_t e = geteuid();
    CHECK_EQ(setfsuid(e), e);
    CHECK_EQ(setfsgid(getegid()), getegid());
    if (check_capable(CAP_SETUID) == 0) { // an id the caller may not take changes nothing
        CHECK_EQ(setfsuid(other_id(e)), e);
        CHECK_EQ(setfsuid(-1), e);
    }
}

// ---- changes, made in a child -------------------------------------------------------------

enum { kNobody = 65534, kOther = 65533 };

struct caps {
    unsigned long long effective, permitted, inheritable;
};

// The calling thread's capabilities (capget, version 3).
static struct caps own_caps(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0}};
    CHECK_OK(syscall(SYS_capget, &header, data));
    struct caps c = {data[0].effective | (unsigned long long)data[1].effective << 32,
                     data[0].permitted | (unsigned long long)data[1].permitted << 32,
                     data[0].inheritable | (unsigned long long)data[1].inheritable << 32};
    return c;
}

static int has_cap(int cap) { return (own_caps().effective >> cap) & 1; }
static int may_change_ids(void) { return has_cap(CAP_SETUID) && has_cap(CAP_SETGID); }

// The calling thread's ids (the raw call: glibc's answers the same, per thread).
static void check_resuid(uid_t r, uid_t e, uid_t s) {
    uid_t ar, ae, as;
    CHECK_OK(syscall(SYS_getresuid, &ar, &ae, &as));
    CHECK_EQ(ar, r);
    CHECK_EQ(ae, e);
    CHECK_EQ(as, s);
}

// Runs `body` in a child as check_in_child, with the scratch directory (the harness's, 0700)
// searchable by every user for the time, as a test directory is: so that a child with other
// ids reaches its files by any path.
static void in_child_reaching_files(void (*body)(void)) {
    struct stat scratch;
    CHECK_OK(stat("..", &scratch));
    CHECK_OK(chmod("..", 0711));
    check_in_child(body);
    CHECK_OK(chmod("..", scratch.st_mode & 07777));
}


static void drop_to_nobody(void) {
    gid_t nobody = kNobody;
    CHECK_OK(setgroups(1, &nobody));
    gid_t groups[4];
    CHECK_EQ(getgroups(4, groups), 1);
    CHECK_EQ(groups[0], kNobody);
    CHECK_OK(setresgid(kNobody, kNobody, kNobody));
    CHECK_OK(setresuid(kNobody, kNobody, kNobody));
    check_resuid(kNobody, kNobody, kNobody);
    CHECK_EQ(getgid(), kNobody);
    CHECK_EQ(setfsuid(-1), kNobody);
    CHECK_EQ(setfsgid(-1), kNobody);
    // Leaving root for good takes every capability.
    struct caps c = own_caps();
    CHECK_EQ(c.effective, 0);
    CHECK_EQ(c.permitted, 0);
    // No way back, and none to other ids.
    CHECK_ERR(setuid(0), EPERM);
    CHECK_ERR(setresuid(-1, 0, -1), EPERM);
    CHECK_ERR(setreuid(kOther, -1), EPERM);
    CHECK_ERR(setgid(0), EPERM);
    CHECK_ERR(setgroups(0, NULL), EPERM);
    CHECK_ERR(syscall(SYS_setgroups, 1, BAD_PTR), EPERM); // the privilege first
    CHECK_EQ(setfsuid(0), kNobody); // refused: the old id, and no change
    CHECK_EQ(setfsuid(-1), kNobody);
    CHECK_OK(setuid(kNobody)); // its own id
}

static void root_owned_secret(void) {
    int fd = CHECK_OK(open("secret", O_CREAT | O_WRONLY | O_TRUNC, 0600));
    CHECK_OK(fchown(fd, 0, 0));
    close(fd);
}

static void dropped_child(void) {
    root_owned_secret();
    int fd = CHECK_OK(open("secret", O_RDONLY)); // opened before the drop: it stays usable
    CHECK_OK(mkdir("private", 0700));
    int dir = CHECK_OK(open("private", O_RDONLY | O_DIRECTORY));
    check_write_file("public", "text");
    drop_to_nobody();
    // What the new ids may do with what root opened and made.
    CHECK_ERR(fchdir(dir), EACCES);
    CHECK_ERR(fcntl(fd, F_SETFL, O_NOATIME), EPERM); // not the file's owner
    CHECK_ERR(open("public", O_RDONLY | O_NOATIME), EPERM);
    CHECK_ERR(open("secret", O_RDONLY | O_NOATIME), EACCES); // the permission first
    CHECK_OK(close(CHECK_OK(open("public", O_RDONLY))));
    CHECK_ERR(timerfd_create(CLOCK_REALTIME_ALARM, 0), EPERM); // no CAP_WAKE_ALARM
    close(dir);
    // The file's permission is now checked against nobody's ids (the host's and the
    // LibOS's checks alike).
    CHECK_ERR(access("secret", R_OK), EACCES);
    CHECK_ERR(open("secret", O_RDONLY), EACCES);
    char byte;
    CHECK_EQ(read(fd, &byte, 1), 0);
    close(fd);
    // Signals: not to a process of another user (kill's permission check), but SIGCONT
    // within the session, to itself, and kill(-1) skips whom it may not signal.
    CHECK_ERR(kill(getppid(), 0), EPERM);
    CHECK_ERR(kill(getppid(), SIGUSR1), EPERM);
    CHECK_OK(kill(getppid(), SIGCONT));
    CHECK_OK(kill(getpid(), 0));
    CHECK_OK(kill(-1, 0));
    // A child of the child inherits the ids.
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        check_resuid(kNobody, kNobody, kNobody);
        _exit(getgid() == kNobody ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(a_privileged_child_drops_to_nobody) {
    if (!may_change_ids())
        return;
    in_child_reaching_files(dropped_child);
    check_resuid(getuid(), geteuid(), geteuid()); // the parent's did not change
}

// setuid as root changes all three ids; setreuid's saved id follows the effective one; an
// effective id left by root takes the effective capabilities, which come back with it.
static void set_and_back_child(void) {
    // A change of the effective id makes the process as dumpable as suid_dumpable says
    // and clears its parent-death signal; one of the real id alone does neither.
    char text[8] = "0";
    check_read_file("/proc/sys/fs/suid_dumpable", text, sizeof text);
    CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1));
    CHECK_OK(setresuid(-1, -1, 0));
    CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
    CHECK_OK(setreuid(-1, kNobody));
    check_resuid(0, kNobody, kNobody);
    CHECK_EQ(prctl(PR_GET_DUMPABLE), atoi(text));
    int signal = -1;
    CHECK_OK(prctl(PR_GET_PDEATHSIG, &signal));
    CHECK_EQ(signal, 0);
    CHECK_EQ(own_caps().effective, 0);
    CHECK(own_caps().permitted != 0);
    CHECK_OK(setreuid(-1, 0)); // the real id is still 0
    check_resuid(0, 0, kNobody);
    CHECK_EQ(own_caps().effective, own_caps().permitted);
    CHECK_OK(setresuid(-1, -1, 0));
    // setfsuid: the old id, and file access as the new one.
    root_owned_secret();
    CHECK_EQ(setfsuid(kNobody), 0);
    CHECK_EQ(setfsuid(-1), kNobody);
    CHECK_ERR(faccessat(AT_FDCWD, "secret", R_OK, AT_EACCESS), EACCES);
    CHECK_ERR(open("secret", O_RDONLY), EACCES);
    CHECK_OK(access("secret", R_OK)); // access checks the real id: root
    CHECK_EQ(setfsuid(0), kNobody);
    CHECK_OK(close(CHECK_OK(open("secret", O_RDONLY))));
    CHECK_OK(setuid(kOther));
    check_resuid(kOther, kOther, kOther);
    CHECK_ERR(setuid(0), EPERM);
    CHECK_ERR(syscall(SYS_setuid, -1), EINVAL);
}

TEST(a_privileged_child_changes_ids_and_back) {
    if (!may_change_ids())
        return;
    in_child_reaching_files(set_and_back_child);
}

// ---- threads: the system call changes the calling thread alone ------------------------------

static int go[2], done[2];

static void *other_thread(void *unused) {
    (void)unused;
    char byte;
    // 1: change this thread's effective id with the raw call, and check it.
    CHECK_EQ(read(go[0], &byte, 1), 1);
    CHECK_OK(syscall(SYS_setresuid, -1, kNobody, -1));
    check_resuid(0, kNobody, 0);
    CHECK_OK(syscall(SYS_setresuid, -1, 0, -1));
    CHECK_EQ(write(done[1], "", 1), 1);
    // 2: the main thread changed every thread with glibc's setresuid.
    CHECK_EQ(read(go[0], &byte, 1), 1);
    check_resuid(0, kOther, 0);
    return NULL;
}

static void threads_child(void) {
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(done));
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, other_thread, NULL), 0);
    char byte;
    CHECK_EQ(write(go[1], "", 1), 1);
    CHECK_EQ(read(done[0], &byte, 1), 1);
    check_resuid(0, 0, 0); // the other thread's change was its own
    CHECK_OK(setresuid(-1, kOther, -1)); // glibc: every thread
    check_resuid(0, kOther, 0);
    CHECK_EQ(write(go[1], "", 1), 1);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

TEST(a_thread_changes_only_its_own_ids) {
    if (!may_change_ids() || getuid() != 0)
        return;
    check_in_child(threads_child);
}

// ---- capget, capset -----------------------------------------------------------------

// /proc/self/status shows the capability sets capget gives, in Linux's lines and order
// (LTP prctl07 reads CapAmb there), and CapBnd and CapAmb after them.
TEST(capabilities_in_proc_status) {
    static char text[8192];
    CHECK_OK(check_read_file("/proc/self/status", text, sizeof text));
    const char *names[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
    unsigned long long shown[5];
    const char *previous = text;
    for (int i = 0; i < 5; i++) {
        const char *line = strstr(text, names[i]);
        CHECK(line != NULL);
        if (!line)
            return;
        CHECK(line > previous); // in this order
        previous = line;
        CHECK_EQ(sscanf(line + 7, " %llx", &shown[i]), 1);
        CHECK_EQ(line[7], '\t');
        CHECK_EQ(strchr(line, '\n') - line, 7 + 1 + 16); // 16 hex digits
    }
    struct caps c = own_caps();
    CHECK_EQ(shown[0], c.inheritable);
    CHECK_EQ(shown[1], c.permitted);
    CHECK_EQ(shown[2], c.effective);
    CHECK_EQ(shown[4] & ~c.permitted, 0); // ambient lies within permitted
}

TEST(capget_versions_and_probing) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2], again[2];
    memset(data, 0xa5, sizeof data);
    CHECK_OK(syscall(SYS_capget, &header, data));
    header.pid = getpid(); // its own id (the main thread's)
    CHECK_OK(syscall(SYS_capget, &header, again));
    CHECK_MEM(again, data, sizeof data);
    header.version = _LINUX_CAPABILITY_VERSION_2;
    CHECK_OK(syscall(SYS_capget, &header, again));
    CHECK_MEM(again, data, sizeof data);
    // Version 1: the first 32 capabilities, one record.
    header.version = _LINUX_CAPABILITY_VERSION_1;
    memset(again, 0x5a, sizeof again);
    CHECK_OK(syscall(SYS_capget, &header, again));
    CHECK_MEM(&again[0], &data[0], sizeof data[0]);
    CHECK_EQ(again[1].effective, 0x5a5a5a5a);
    // A version it does not know: EINVAL, and the preferred one written back; with no
    // data, the probe succeeds.
    header.version = 0x12345678;
    CHECK_ERR(syscall(SYS_capget, &header, again), EINVAL);
    CHECK_EQ(header.version, _LINUX_CAPABILITY_VERSION_3);
    header.version = 0;
    CHECK_OK(syscall(SYS_capget, &header, NULL));
    CHECK_EQ(header.version, _LINUX_CAPABILITY_VERSION_3);
    CHECK_OK(syscall(SYS_capget, &header, NULL)); // a known version, no data
    CHECK_ERR(syscall(SYS_capget, BAD_PTR, again), EFAULT);
    CHECK_ERR(syscall(SYS_capget, &header, BAD_PTR), EFAULT);
    header.pid = -1;
    CHECK_ERR(syscall(SYS_capget, &header, again), EINVAL);
    header.pid = 0x7fffffff; // beyond any pid
    CHECK_ERR(syscall(SYS_capget, &header, again), ESRCH);
}

TEST(capget_of_a_child) {
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char byte;
        read(ready[0], &byte, 1); // until the parent is done
        _exit(0);
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, pid};
    struct __user_cap_data_struct mine[2], child[2];
    CHECK_OK(syscall(SYS_capget, &header, child));
    header.pid = 0;
    CHECK_OK(syscall(SYS_capget, &header, mine));
    CHECK_MEM(child, mine, sizeof mine);
    // capset may change only the caller.
    header.pid = pid;
    CHECK_ERR(syscall(SYS_capset, &header, mine), EPERM);
    CHECK_EQ(write(ready[1], "", 1), 1);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    close(ready[0]);
    close(ready[1]);
}

TEST(capset_checks_and_keeps) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    CHECK_OK(syscall(SYS_capget, &header, data));
    CHECK_OK(syscall(SYS_capset, &header, data)); // the same sets: no change
    header.pid = getpid();
    CHECK_OK(syscall(SYS_capset, &header, data));
    header.version = 1;
    CHECK_ERR(syscall(SYS_capset, &header, data), EINVAL);
    CHECK_EQ(header.version, _LINUX_CAPABILITY_VERSION_3);
    CHECK_ERR(syscall(SYS_capset, &header, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_capset, BAD_PTR, data), EFAULT);
    CHECK_ERR(syscall(SYS_capset, &header, NULL), EFAULT);
    // An effective capability beyond the permitted ones.
    struct caps c = own_caps();
    if (c.permitted != ~0ULL && ~c.permitted & 0xffffffffULL) {
        struct __user_cap_data_struct more[2];
        memcpy(more, data, sizeof more);
        unsigned missing = (unsigned)(~c.permitted & 0xffffffffULL);
        more[0].effective |= missing & -missing;
        CHECK_ERR(syscall(SYS_capset, &header, more), EPERM);
    }
}

static void capset_child(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    CHECK_OK(syscall(SYS_capget, &header, data));
    // Dropping CAP_SETUID from every set: setuid to another id is then refused, and the
    // capability cannot be raised again.
    unsigned bit = 1u << CAP_SETUID;
    data[0].effective &= ~bit;
    data[0].permitted &= ~bit;
    data[0].inheritable &= ~bit;
    CHECK_OK(syscall(SYS_capset, &header, data));
    CHECK_EQ((own_caps().permitted >> CAP_SETUID) & 1, 0);
    CHECK_ERR(setuid(kOther), EPERM);
    data[0].permitted |= bit;
    CHECK_ERR(syscall(SYS_capset, &header, data), EPERM);
    // Version 1 sets the first 32 and clears the others.
    header.version = _LINUX_CAPABILITY_VERSION_1;
    data[0].permitted &= ~bit;
    CHECK_OK(syscall(SYS_capset, &header, data));
    CHECK_EQ(own_caps().permitted >> 32, 0);
}

TEST(capset_drops_a_capability_in_a_child) {
    if (!has_cap(CAP_SETUID))
        return;
    check_in_child(capset_child);
}
