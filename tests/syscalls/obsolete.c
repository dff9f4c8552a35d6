// SPDX-License-Identifier: MIT
// Old calls Linux keeps: ustat (the free blocks and inodes of the file system on a
// device) and vhangup (the controlling terminal hung up, with CAP_SYS_TTY_CONFIG).
#include "check.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

struct old_ustat {
    int f_tfree;
    unsigned long f_tinode;
    char f_fname[6], f_fpack[6];
};

static long ustat_call(unsigned dev, void *buffer) { return syscall(SYS_ustat, dev, buffer); }

static long distance(long long a, long long b) { return a > b ? (long)(a - b) : (long)(b - a); }

// The root's file system: statfs's free counts (taken around it, the machine may be
// writing), the rest zero.
TEST(ustat_of_the_root_device) {
    struct stat st;
    CHECK_OK(stat("/", &st));
    struct statfs before, after;
    struct old_ustat u;
    memset(&u, 0x55, sizeof u);
    CHECK_OK(statfs("/", &before));
    CHECK_OK(ustat_call((unsigned)st.st_dev, &u));
    CHECK_OK(statfs("/", &after));
    long slack = distance(before.f_bfree, after.f_bfree) + 4096;
    CHECK(distance(u.f_tfree, (int)before.f_bfree) <= slack);
    CHECK(distance(u.f_tinode, before.f_ffree) <= distance(before.f_ffree, after.f_ffree) + 4096);
    static const char zeros[6];
    CHECK_MEM(u.f_fname, zeros, 6);
    CHECK_MEM(u.f_fpack, zeros, 6);
}

// EINVAL for a device no file system is on, before the buffer is looked at.
TEST(ustat_bad_input) {
    struct stat st;
    CHECK_OK(stat("/", &st));
    struct old_ustat u;
    CHECK_ERR(ustat_call(0xffffffffu, &u), EINVAL);
    CHECK_ERR(ustat_call(0xffffffffu, BAD_PTR), EINVAL);
    CHECK_ERR(ustat_call((unsigned)st.st_dev, BAD_PTR), EFAULT);
}

static void vhangup_refused(void) { CHECK_ERR(syscall(SYS_vhangup), EPERM); }

static void vhangup_without_a_terminal(void) {
    CHECK_OK(setsid()); // a new session has no controlling terminal
    CHECK_OK(syscall(SYS_vhangup));
}

// Without CAP_SYS_TTY_CONFIG: EPERM. With it, in a session without a terminal: nothing
// to hang up.
TEST(vhangup_needs_tty_config) {
    if (geteuid() != 0) {
        vhangup_refused();
        return;
    }
    check_in_child_as_nobody(vhangup_refused);
    check_in_child(vhangup_without_a_terminal);
}
