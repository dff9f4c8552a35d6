// SPDX-License-Identifier: MIT
// The eventfd family: eventfd, eventfd2 (EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC), and an
// eventfd's reads, writes, polls and other calls.
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t read_counter(int fd) {
    uint64_t value = 0;
    CHECK_EQ(read(fd, &value, sizeof value), 8);
    return value;
}

static void add(int fd, uint64_t value) { CHECK_EQ(write(fd, &value, sizeof value), 8); }

TEST(eventfd_counter) {
    int fd = CHECK_OK(syscall(SYS_eventfd2, 3, 0));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    add(fd, 4);
    CHECK_EQ(read_counter(fd), 7); // the whole value, and back to 0
    add(fd, 0);
    uint64_t buf[2];
    CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
    close(fd);
    fd = CHECK_OK(syscall(SYS_eventfd, 5));
    CHECK_EQ(read_counter(fd), 5);
    close(fd);
}

TEST(eventfd_semaphore) {
    int fd = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    CHECK_EQ(read_counter(fd), 1);
    CHECK_EQ(read_counter(fd), 1);
    uint64_t value;
    CHECK_ERR(read(fd, &value, 8), EAGAIN);
    close(fd);
}

TEST(eventfd_flags) {
    int fd = CHECK_OK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
    close(fd);
    CHECK_ERR(syscall(SYS_eventfd2, 0, 0x10), EINVAL);
    CHECK_ERR(syscall(SYS_eventfd2, 0, O_APPEND), EINVAL);
}

TEST(eventfd_bad_transfers) {
    int fd = CHECK_OK(eventfd(1, EFD_NONBLOCK));
    char small[7];
    CHECK_ERR(read(fd, small, sizeof small), EINVAL);
    CHECK_ERR(write(fd, small, sizeof small), EINVAL);
    CHECK_ERR(syscall(SYS_write, fd, BAD_PTR, 8), EFAULT);
    uint64_t all = UINT64_MAX;
    CHECK_ERR(write(fd, &all, 8), EINVAL);
    // Up to UINT64_MAX - 1 in all; more would block.
    add(fd, UINT64_MAX - 2);
    uint64_t one = 1;
    CHECK_ERR(write(fd, &one, 8), EAGAIN);
    CHECK_EQ(read_counter(fd), UINT64_MAX - 1);
    char buf[8];
    CHECK_ERR(pread(fd, buf, 8, 0), ESPIPE);
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, 8), EAGAIN); // nothing to take first
    close(fd);
}

TEST(eventfd_other_calls) {
    int fd = CHECK_OK(eventfd(0, 0));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode, 0600); // an anonymous inode: no file type
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(lseek(fd, 5, SEEK_SET), 0);
    CHECK_ERR(lseek(fd, 0, 9), EINVAL);
    CHECK_ERR(fsync(fd), EINVAL);
    CHECK_ERR(ftruncate(fd, 0), EINVAL);
    int n;
    CHECK_ERR(ioctl(fd, FIONREAD, &n), ENOTTY);
    close(fd);
}

TEST(eventfd_poll_and_select) {
    int fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT);
    add(fd, 1);
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN | POLLOUT);
    add(fd, UINT64_MAX - 2); // full: no longer writable
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN);
    read_counter(fd);
    p.events = POLLIN;
    CHECK_EQ(poll(&p, 1, 1), 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval zero = {0, 0};
    CHECK_EQ(select(fd + 1, &r, NULL, NULL, &zero), 0);
    add(fd, 2);
    FD_SET(fd, &r);
    CHECK_EQ(select(fd + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(fd, &r));
    // Beside a pipe in one poll.
    int pipe_fds[2];
    CHECK_OK(pipe(pipe_fds));
    struct pollfd both[2] = {{pipe_fds[0], POLLIN, 0}, {fd, POLLIN, 0}};
    CHECK_EQ(poll(both, 2, -1), 1);
    CHECK_EQ(both[0].revents, 0);
    CHECK_EQ(both[1].revents, POLLIN);
    close(pipe_fds[0]), close(pipe_fds[1]), close(fd);
}

TEST(eventfd_readv_writev) {
    int fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    uint64_t value = 9;
    struct iovec v = {&value, 8};
    CHECK_EQ(writev(fd, &v, 1), 8);
    value = 0;
    CHECK_EQ(readv(fd, &v, 1), 8);
    CHECK_EQ(value, 9);
    // A read's 8 bytes may span segments; a write is made segment by segment.
    uint32_t halves[2] = {5, 0};
    struct iovec split[2] = {{&halves[0], 4}, {&halves[1], 4}};
    CHECK_ERR(writev(fd, split, 2), EINVAL);
    add(fd, 5);
    halves[0] = halves[1] = 7;
    CHECK_EQ(readv(fd, split, 2), 8);
    CHECK_EQ(halves[0], 5);
    CHECK_EQ(halves[1], 0);
    close(fd);
}

// A child that fork made holds the same eventfd: one counter, seen and changed by both
// (the LTP tests eventfd05 and eventfd2_03).
TEST(eventfd_shared_after_fork) {
    int fd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        uint64_t value = 0xdeadbeef;
        _exit(write(fd, &value, sizeof value) == 8 ? 0 : 1);
    }
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_EQ(read_counter(fd), 0xdeadbeef);
    uint64_t value;
    CHECK_ERR(read(fd, &value, 8), EAGAIN); // taken once, by either process
    close(fd);
}

// Blocking semaphores across processes: the parent waits on the one the child posts to,
// and the child on the one the parent posts to (a write wakes a reader of another process).
TEST(eventfd_semaphore_between_processes) {
    int to_parent = CHECK_OK(eventfd(0, EFD_SEMAPHORE));
    int to_child = CHECK_OK(eventfd(0, EFD_SEMAPHORE));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        uint64_t one = 1, got = 0;
        if (write(to_parent, &one, 8) != 8 || read(to_child, &got, 8) != 8 || got != 1)
            _exit(1);
        uint64_t three = 3;
        _exit(write(to_parent, &three, 8) == 8 ? 0 : 2);
    }
    CHECK_EQ(read_counter(to_parent), 1);
    add(to_child, 1);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(read_counter(to_parent), 1);
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    close(to_parent), close(to_child);
}
