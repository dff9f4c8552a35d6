// SPDX-License-Identifier: MIT
// The fallocate family: fallocate's modes on a regular file, its errors in the kernel's
// order, and glibc's posix_fallocate over it.
#include "check.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 4096

static long long size_of(int fd) {
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    return st.st_size;
}

// A file of `blocks` blocks, block i filled with the letter 'a' + i.
static int lettered_file(int blocks) {
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0600));
    char block[BLOCK];
    for (int i = 0; i < blocks; i++) {
        memset(block, 'a' + i, sizeof block);
        CHECK_EQ(write(fd, block, sizeof block), BLOCK);
    }
    return fd;
}

static char byte_at(int fd, off_t offset) {
    char c = 0;
    CHECK_EQ(pread(fd, &c, 1, offset), 1);
    return c;
}

TEST(fallocate_allocates_and_keeps_size) {
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0600));
    CHECK_OK(fallocate(fd, 0, 0, 3 * BLOCK));
    CHECK_EQ(size_of(fd), 3 * BLOCK);
    CHECK_EQ(byte_at(fd, BLOCK), 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_blocks >= 3 * BLOCK / 512);
    // KEEP_SIZE reserves past the end without moving it; a range inside changes nothing.
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 3 * BLOCK, 2 * BLOCK));
    CHECK_EQ(size_of(fd), 3 * BLOCK);
    CHECK_OK(fstat(fd, &st));
    CHECK(st.st_blocks >= 5 * BLOCK / 512);
    CHECK_OK(fallocate(fd, 0, 0, BLOCK));
    CHECK_EQ(size_of(fd), 3 * BLOCK);
    close(fd);
}

TEST(fallocate_punches_and_zeroes) {
    int fd = lettered_file(3);
    CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BLOCK, BLOCK));
    CHECK_EQ(size_of(fd), 3 * BLOCK);
    CHECK_EQ(byte_at(fd, BLOCK - 1), 'a');
    CHECK_EQ(byte_at(fd, BLOCK), 0);
    CHECK_EQ(byte_at(fd, 2 * BLOCK), 'c');
    // ZERO_RANGE past the end grows the file unless KEEP_SIZE (where the file system has it).
    if (fallocate(fd, FALLOC_FL_ZERO_RANGE, 2 * BLOCK, 2 * BLOCK) == 0) {
        CHECK_EQ(size_of(fd), 4 * BLOCK);
        CHECK_EQ(byte_at(fd, 2 * BLOCK), 0);
        CHECK_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 5 * BLOCK));
        CHECK_EQ(size_of(fd), 4 * BLOCK);
        CHECK_EQ(byte_at(fd, 0), 0);
    } else {
        CHECK_EQ(errno, EOPNOTSUPP);
    }
    close(fd);
}

TEST(fallocate_collapses_and_inserts_ranges) {
    int fd = lettered_file(3);
    if (fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, BLOCK, BLOCK) != 0) {
        CHECK_EQ(errno, EOPNOTSUPP); // the file system has no such mode
        close(fd);
        return;
    }
    CHECK_EQ(size_of(fd), 2 * BLOCK);
    CHECK_EQ(byte_at(fd, BLOCK), 'c');
    CHECK_OK(fallocate(fd, FALLOC_FL_INSERT_RANGE, BLOCK, BLOCK));
    CHECK_EQ(size_of(fd), 3 * BLOCK);
    CHECK_EQ(byte_at(fd, BLOCK), 0);
    CHECK_EQ(byte_at(fd, 2 * BLOCK), 'c');
    // Not on block boundaries, or reaching the end: EINVAL from the file system.
    CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 1, BLOCK), EINVAL);
    CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, BLOCK, 2 * BLOCK), EINVAL);
    CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 3 * BLOCK, BLOCK), EINVAL);
    close(fd);
}

TEST(fallocate_checks_arguments_first) {
    int fd = CHECK_OK(open("f", O_RDONLY | O_CREAT, 0600));
    CHECK_ERR(fallocate(fd, 0, -1, 1), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR(fallocate(fd, 0, 0, -1), EINVAL);
    // Unknown bits and impossible combinations, before the descriptor's access.
    CHECK_ERR(fallocate(fd, 0x100, 0, 1), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0,
                        1),
              EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 1), EOPNOTSUPP);
    CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE | FALLOC_FL_KEEP_SIZE, 0, 1), EOPNOTSUPP);
    // Valid modes reach the access check: a read-only descriptor is EBADF.
    CHECK_ERR(fallocate(fd, 0, 0, 1), EBADF);
    CHECK_ERR(fallocate(fd, FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 1), EBADF);
    CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 1), EBADF);
    close(fd);
    CHECK_ERR(fallocate(fd, 0, 0, 1), EBADF);
    CHECK_ERR(fallocate(-1, 0, 0, 1), EBADF);
    int path_only = CHECK_OK(open("f", O_PATH));
    CHECK_ERR(fallocate(path_only, 0, 0, 1), EBADF);
    close(path_only);
}

TEST(fallocate_on_what_is_no_regular_file) {
    int ends[2];
    CHECK_OK(pipe(ends));
    CHECK_ERR(fallocate(ends[1], 0, 0, 1), ESPIPE);
    CHECK_ERR(fallocate(ends[0], 0, 0, 1), EBADF);
    int pair[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    CHECK_ERR(fallocate(pair[0], 0, 0, 1), ENODEV);
    int event = CHECK_OK(eventfd(0, 0));
    CHECK_ERR(fallocate(event, 0, 0, 1), ENODEV);
    int null = CHECK_OK(open("/dev/null", O_WRONLY));
    CHECK_ERR(fallocate(null, 0, 0, 1), ENODEV);
    int random = CHECK_OK(open("/dev/urandom", O_WRONLY));
    CHECK_ERR(fallocate(random, 0, 0, 1), ENODEV);
    int poll = CHECK_OK(epoll_create1(0));
    CHECK_ERR(fallocate(poll, 0, 0, 1), ENODEV);
    close(random), close(poll);
    int directory = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(fallocate(directory, 0, 0, 1), EBADF);
    close(ends[0]), close(ends[1]), close(pair[0]), close(pair[1]);
    close(event), close(null), close(directory);
}

TEST(fallocate_beyond_the_largest_file_is_efbig) {
    int fd = CHECK_OK(open("f", O_WRONLY | O_CREAT, 0600));
    CHECK_ERR(fallocate(fd, 0, INT64_MAX - 1, 2), EFBIG); // wraps through zero
    CHECK_ERR(fallocate(fd, 0, (off_t)1 << 62, 1), EFBIG);
    CHECK_EQ(size_of(fd), 0);
    // An append-only descriptor still allocates (only the inode flag forbids it).
    int append = CHECK_OK(open("f", O_WRONLY | O_APPEND));
    CHECK_OK(fallocate(append, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1));
    close(fd), close(append);
}

TEST(posix_fallocate_over_fallocate) {
    int fd = CHECK_OK(open("f", O_RDWR | O_CREAT, 0600));
    CHECK_EQ(posix_fallocate(fd, 0, 10000), 0);
    CHECK_EQ(size_of(fd), 10000);
    CHECK_EQ(posix_fallocate(fd, -1, 1), EINVAL); // an error number, not -1 and errno
    int ends[2];
    CHECK_OK(pipe(ends));
    CHECK_EQ(posix_fallocate(ends[1], 0, 1), ESPIPE);
    int readonly = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(posix_fallocate(readonly, 0, 1), EBADF);
    close(fd), close(ends[0]), close(ends[1]), close(readonly);
}
