// SPDX-License-Identifier: MIT
// The mknod family: mknod and mknodat making FIFOs, regular files, sockets and device
// nodes, their errors, and opening what they make (a FIFO's open waits for its other end).
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static mode_t mode_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode : (mode_t)-1;
}

TEST(mknod_makes_each_type) {
    mode_t old = umask(022);
    CHECK_OK(mknod("fifo", S_IFIFO | 0666, 0));
    CHECK_EQ(mode_of("fifo"), S_IFIFO | 0644); // the umask applied once
    CHECK_OK(mknod("plain", 0600, 0));         // no type: a regular file
    CHECK_EQ(mode_of("plain"), S_IFREG | 0600);
    CHECK_OK(mknod("regular", S_IFREG | 0777, 12345)); // the device number is ignored
    CHECK_EQ(mode_of("regular"), S_IFREG | 0755);
    CHECK_OK(mknod("socket", S_IFSOCK | 0700, 0));
    CHECK_EQ(mode_of("socket"), S_IFSOCK | 0700);
    umask(0);
    CHECK_OK(mkfifo("open", 0666)); // glibc's mkfifo is mknodat
    CHECK_EQ(mode_of("open"), S_IFIFO | 0666);
    CHECK_OK(mknod("sticky", S_IFIFO | 07777, 0)); // set-id and sticky bits are kept
    CHECK_EQ(mode_of("sticky"), S_IFIFO | 07777);
    struct stat st;
    CHECK_OK(stat("fifo", &st));
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(st.st_nlink, 1);
    umask(old);
}

TEST(mknod_device_nodes_need_the_privilege) {
    // Whoever may make device nodes gets the number asked for; anyone else EPERM.
    if (mknod("null", S_IFCHR | 0600, makedev(1, 3)) == 0) {
        struct stat st;
        CHECK_OK(stat("null", &st));
        CHECK(S_ISCHR(st.st_mode));
        CHECK_EQ(major(st.st_rdev), 1);
        CHECK_EQ(minor(st.st_rdev), 3);
        int fd = CHECK_OK(open("null", O_WRONLY));
        CHECK_EQ(write(fd, "x", 1), 1);
        close(fd);
        CHECK_OK(mknod("block", S_IFBLK | 0600, makedev(7, 300)));
        CHECK_OK(stat("block", &st));
        CHECK(S_ISBLK(st.st_mode));
        CHECK_EQ(major(st.st_rdev), 7);
        CHECK_EQ(minor(st.st_rdev), 300);
        // A device with no driver behind it: ENXIO, not ENOENT.
        CHECK_OK(mknod("nodriver", S_IFCHR | 0600, makedev(4095, 1)));
        CHECK_ERR(open("nodriver", O_RDONLY), ENXIO);
    } else {
        CHECK_EQ(errno, EPERM);
        CHECK_ERR(mknod("block", S_IFBLK | 0600, makedev(7, 0)), EPERM);
    }
}

TEST(mknod_errors) {
    CHECK_ERR(mknod("d", S_IFDIR | 0755, 0), EPERM);
    CHECK_ERR(mknod("x", 0170000 | 0644, 0), EINVAL);
    CHECK_ERR(mknod("x", S_IFLNK | 0644, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mknod, BAD_PTR, S_IFLNK | 0644, 0), EINVAL); // type first
    CHECK_ERR(syscall(SYS_mknod, BAD_PTR, S_IFIFO | 0644, 0), EFAULT);
    CHECK_ERR(mknod("", S_IFIFO | 0644, 0), ENOENT);
    CHECK_ERR(mknod("missing/x", S_IFIFO | 0644, 0), ENOENT);
    CHECK_OK(mknod("f", S_IFIFO | 0644, 0));
    CHECK_ERR(mknod("f", S_IFIFO | 0644, 0), EEXIST);
    CHECK_ERR(mknod("f", S_IFREG | 0644, 0), EEXIST);
    CHECK_OK(symlink("nowhere", "dangling")); // not followed: the name is taken
    CHECK_ERR(mknod("dangling", S_IFIFO | 0644, 0), EEXIST);
    int fd = CHECK_OK(open("file", O_CREAT | O_WRONLY, 0600));
    CHECK_ERR(mknod("file/x", S_IFIFO | 0644, 0), ENOTDIR);
    // Only the low 16 bits of the mode count (umode_t): this is a FIFO.
    CHECK_OK(syscall(SYS_mknod, "wide", 0x10000 | S_IFIFO | 0600, 0));
    CHECK_EQ(mode_of("wide"), S_IFIFO | 0600);
    close(fd);
}

TEST(mknodat_and_its_directory) {
    CHECK_OK(mkdir("d", 0755));
    int dir = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
    CHECK_OK(mknodat(dir, "fifo", S_IFIFO | 0600, 0));
    CHECK(S_ISFIFO(mode_of("d/fifo")));
    CHECK_OK(mknodat(AT_FDCWD, "here", S_IFIFO | 0600, 0));
    CHECK(S_ISFIFO(mode_of("here")));
    CHECK_ERR(mknodat(999, "x", S_IFIFO | 0600, 0), EBADF);
    CHECK_ERR(mknodat(-1, "x", S_IFIFO | 0600, 0), EBADF);
    char absolute[4096];
    CHECK(getcwd(absolute, sizeof absolute - 8) != NULL);
    strcat(absolute, "/abs");
    CHECK_OK(mknodat(999, absolute, S_IFIFO | 0600, 0)); // an absolute path: no dirfd
    CHECK(S_ISFIFO(mode_of("abs")));
    int file = CHECK_OK(open("plain", O_CREAT | O_RDONLY, 0600));
    CHECK_ERR(mknodat(file, "x", S_IFIFO | 0600, 0), ENOTDIR);
    close(file);
    close(dir);
}

TEST(fifo_nonblocking_opens) {
    CHECK_OK(mkfifo("fifo", 0600));
    // A writer without a reader: ENXIO; a reader never waits.
    CHECK_ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
    int reader = CHECK_OK(open("fifo", O_RDONLY | O_NONBLOCK));
    int writer = CHECK_OK(open("fifo", O_WRONLY | O_NONBLOCK));
    CHECK_EQ(write(writer, "abc", 3), 3);
    char buf[4] = {0};
    CHECK_EQ(read(reader, buf, sizeof buf), 3);
    CHECK_MEM(buf, "abc", 3);
    CHECK_ERR(read(reader, buf, sizeof buf), EAGAIN);
    CHECK_ERR(lseek(reader, 0, SEEK_SET), ESPIPE);
    struct stat st;
    CHECK_OK(fstat(reader, &st));
    CHECK(S_ISFIFO(st.st_mode));
    close(writer);
    CHECK_EQ(read(reader, buf, sizeof buf), 0); // no writer left: the end
    int both = CHECK_OK(open("fifo", O_RDWR)); // never waits on Linux
    close(both);
    close(reader);
    CHECK_OK(mknod("socket", S_IFSOCK | 0600, 0));
    CHECK_ERR(open("socket", O_RDONLY), ENXIO);
}

TEST(fifo_open_waits_for_the_other_end) {
    CHECK_OK(mkfifo("fifo", 0600));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
        int writer = open("fifo", O_WRONLY); // the reader is waiting: no wait
        _exit(writer >= 0 && write(writer, "hi", 2) == 2 ? 0 : 1);
    }
    int reader = CHECK_OK(open("fifo", O_RDONLY)); // waits for the child's open
    char buf[2];
    CHECK_EQ(read(reader, buf, 2), 2);
    CHECK_MEM(buf, "hi", 2);
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(reader);
}

static void on_alarm(int sig) { (void)sig; }

TEST(fifo_open_interrupted_by_a_signal) {
    CHECK_OK(mkfifo("fifo", 0600));
    check_interrupts_start(20000, 0); // no SA_RESTART: the open ends with EINTR
    CHECK_ERR(open("fifo", O_WRONLY), EINTR);
    check_interrupts_stop();
}

TEST(fifo_open_restarted_after_sa_restart) {
    CHECK_OK(mkfifo("fifo", 0600));
    struct sigaction action = {0}, old;
    action.sa_handler = on_alarm;
    action.sa_flags = SA_RESTART; // the open goes on waiting after the handler
    CHECK_OK(sigaction(SIGALRM, &action, &old));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        struct timespec pause = {0, 300 * 1000 * 1000};
        nanosleep(&pause, NULL);
        int reader = open("fifo", O_RDONLY);
        _exit(reader >= 0 ? 0 : 1);
    }
    struct itimerval soon = {{0, 0}, {0, 50 * 1000}};
    CHECK_OK(setitimer(ITIMER_REAL, &soon, NULL));
    int writer = CHECK_OK(open("fifo", O_WRONLY));
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(writer);
    CHECK_OK(sigaction(SIGALRM, &old, NULL));
}
