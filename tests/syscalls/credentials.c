// SPDX-License-Identifier: MIT
// The credentials family: the user and group ids, the supplementary groups, and the
// set*id calls' permission rules. Every case holds as root and as an ordinary user;
// none changes an id (the change cases expect EPERM only where Linux gives it).
#include "check.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
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
