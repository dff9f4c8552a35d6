// SPDX-License-Identifier: MIT
// The loop and block drivers' ioctl requests: /dev/loop-control's LOOP_CTL_*, a loop
// device bound to a file (LOOP_SET_FD, LOOP_CONFIGURE, the status structures, the block
// size, LOOP_CLR_FD) and the block layer's queries on it, with their errors. They need
// CAP_SYS_ADMIN and /dev/loop-control: without them a test checks what an unprivileged
// program gets and says it skipped the rest.
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/cdrom.h>
#include <linux/fd.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int have_loop_devices(const char *test) {
    if (check_capable(CAP_SYS_ADMIN) == 1 && access("/dev/loop-control", F_OK) == 0)
        return 1;
    if (access("/dev/loop-control", F_OK) == 0)
        CHECK_ERR(open("/dev/loop-control", O_RDWR), EACCES); // mode 0600, root's
    fprintf(stderr, "%s: skipped, needs CAP_SYS_ADMIN and /dev/loop-control\n", test);
    return 0;
}

static int backing_file(const char *name, off_t size) {
    int fd = CHECK_OK(open(name, O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_OK(ftruncate(fd, size));
    return fd;
}

// A loop device of the test's own, made with LOOP_CTL_ADD far above the numbers
// LOOP_CTL_GET_FREE hands out (the lowest free one), so that no program running beside
// this one (another stack's run of it, LTP) takes it: its number, the device opened
// read-write in *fd.
static int open_own_loop(int *fd) {
    int control = CHECK_OK(open("/dev/loop-control", O_RDWR));
    CHECK(ioctl(control, LOOP_CTL_GET_FREE) >= 0);
    int number = -1;
    for (int n = 512 + (getpid() % 512) * 2; number < 0 && n < 4096; n++)
        number = ioctl(control, LOOP_CTL_ADD, n); // EEXIST: taken, the next one
    CHECK(number >= 0);
    close(control);
    char path[64];
    snprintf(path, sizeof path, "/dev/loop%d", number);
    *fd = CHECK_OK(open(path, O_RDWR));
    return number;
}

// Binds a device of the test's own to `file`: its number, the device in *fd.
static int bind_own_loop(int *fd, int file) {
    int number = open_own_loop(fd);
    CHECK_OK(ioctl(*fd, LOOP_SET_FD, file));
    return number;
}

// Removes the device (once its last opener is gone).
static void remove_own_loop(int number) {
    int control = CHECK_OK(open("/dev/loop-control", O_RDWR));
    for (int i = 0; i < 200 && ioctl(control, LOOP_CTL_REMOVE, number) != 0; i++) {
        CHECK_EQ(errno, EBUSY);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    close(control);
}

// Unbinds the device and waits until it is free (it is freed at its last close).
static void release_loop(int fd, int number) {
    CHECK_OK(ioctl(fd, LOOP_CLR_FD, 0));
    close(fd);
    char path[64];
    snprintf(path, sizeof path, "/dev/loop%d", number);
    fd = CHECK_OK(open(path, O_RDONLY));
    struct loop_info64 info;
    for (int i = 0; i < 200 && ioctl(fd, LOOP_GET_STATUS64, &info) == 0; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    CHECK_ERR(ioctl(fd, LOOP_GET_STATUS64, &info), ENXIO);
    close(fd);
    remove_own_loop(number);
}

TEST(loop_bind_query_and_clear) {
    if (!have_loop_devices("loop_bind_query_and_clear"))
        return;
    int file = backing_file("backing", 1 << 20);
    int loop;
    int number = bind_own_loop(&loop, file);
    uint64_t bytes = 0;
    CHECK_OK(ioctl(loop, BLKGETSIZE64, &bytes));
    CHECK_EQ(bytes, 1 << 20);
    unsigned long sectors = 0;
    CHECK_OK(ioctl(loop, BLKGETSIZE, &sectors));
    CHECK_EQ(sectors, 2048);
    int logical = 0, read_only = -1;
    CHECK_OK(ioctl(loop, BLKSSZGET, &logical));
    CHECK_EQ(logical, 512);
    unsigned int physical = 0;
    CHECK_OK(ioctl(loop, BLKPBSZGET, &physical));
    CHECK(physical >= 512);
    CHECK_OK(ioctl(loop, BLKROGET, &read_only));
    CHECK_EQ(read_only, 0);
    struct stat st;
    CHECK_OK(fstat(file, &st));
    struct loop_info64 info;
    memset(&info, 0, sizeof info);
    CHECK_OK(ioctl(loop, LOOP_GET_STATUS64, &info));
    CHECK_EQ(info.lo_number, number);
    CHECK_EQ(info.lo_inode, st.st_ino);
    // A name and an offset set with LOOP_SET_STATUS64 come back, the size follows.
    strcpy((char *)info.lo_file_name, "named");
    info.lo_offset = 4096;
    CHECK_OK(ioctl(loop, LOOP_SET_STATUS64, &info));
    struct loop_info64 again;
    CHECK_OK(ioctl(loop, LOOP_GET_STATUS64, &again));
    CHECK_STR((char *)again.lo_file_name, "named");
    CHECK_EQ(again.lo_offset, 4096);
    CHECK_OK(ioctl(loop, BLKGETSIZE64, &bytes));
    CHECK_EQ(bytes, (1 << 20) - 4096);
    struct loop_info old; // the old structure
    CHECK_OK(ioctl(loop, LOOP_GET_STATUS, &old));
    CHECK_EQ(old.lo_number, number);
    CHECK_EQ(old.lo_offset, 4096);
    // What is written to the device lands in the file, at the offset.
    char block[512], back[512];
    memset(block, 'x', sizeof block);
    CHECK_EQ(pwrite(loop, block, sizeof block, 0), sizeof block);
    CHECK_OK(fsync(loop));
    CHECK_OK(ioctl(loop, BLKFLSBUF, 0));
    CHECK_EQ(pread(file, back, sizeof back, 4096), sizeof back);
    CHECK_MEM(back, block, sizeof block);
    // A bound device takes no other file.
    int other = backing_file("other", 4096);
    CHECK_ERR(ioctl(loop, LOOP_SET_FD, other), EBUSY);
    close(other);
    release_loop(loop, number);
    close(file);
}

TEST(loop_configure_read_only_with_block_size) {
    if (!have_loop_devices("loop_configure_read_only_with_block_size"))
        return;
    int file = backing_file("backing", 1 << 20);
    int loop;
    int number = open_own_loop(&loop);
    struct loop_config config;
    memset(&config, 0, sizeof config);
    config.fd = 1000; // no such descriptor
    CHECK_ERR(ioctl(loop, LOOP_CONFIGURE, &config), EBADF);
    config.fd = (uint32_t)file;
    config.block_size = 4096;
    config.info.lo_flags = LO_FLAGS_READ_ONLY;
    CHECK_OK(ioctl(loop, LOOP_CONFIGURE, &config));
    int logical = 0, read_only = 0;
    CHECK_OK(ioctl(loop, BLKSSZGET, &logical));
    CHECK_EQ(logical, 4096);
    CHECK_OK(ioctl(loop, BLKROGET, &read_only));
    CHECK_EQ(read_only, 1);
    struct loop_info64 info;
    CHECK_OK(ioctl(loop, LOOP_GET_STATUS64, &info));
    CHECK(info.lo_flags & LO_FLAGS_READ_ONLY);
    char block[4096] = {0};
    CHECK_ERR(pwrite(loop, block, sizeof block, 0), EPERM); // a read-only device
    release_loop(loop, number);
    close(file);
}

TEST(loop_request_errors) {
    if (!have_loop_devices("loop_request_errors"))
        return;
    int file = backing_file("backing", 1 << 20);
    uint64_t bytes;
    CHECK_ERR(ioctl(file, BLKGETSIZE64, &bytes), ENOTTY); // a regular file has no such request
    int control = CHECK_OK(open("/dev/loop-control", O_RDWR));
    CHECK_ERR(ioctl(control, LOOP_CTL_REMOVE, -1), EINVAL);
    int loop;
    int number = open_own_loop(&loop);
    CHECK_ERR(ioctl(control, LOOP_CTL_ADD, number), EEXIST);
    close(control);
    struct loop_info64 info;
    CHECK_ERR(ioctl(loop, LOOP_GET_STATUS64, &info), ENXIO); // free: not bound
    CHECK_ERR(ioctl(loop, LOOP_CLR_FD, 0), ENXIO);
    CHECK_ERR(ioctl(loop, LOOP_SET_FD, 1000), EBADF);
    CHECK_OK(ioctl(loop, LOOP_SET_FD, file));
    CHECK_ERR(ioctl(loop, LOOP_GET_STATUS64, NULL), EINVAL);
    CHECK_ERR(ioctl(loop, LOOP_GET_STATUS64, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(loop, LOOP_SET_STATUS64, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(loop, BLKGETSIZE64, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(loop, BLKSSZGET, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(loop, LOOP_SET_BLOCK_SIZE, 3), EINVAL); // not a power of two
    // A device set read-only refuses writes until it is set back.
    int on = 1, off = 0, read_only = 0;
    CHECK_OK(ioctl(loop, BLKROSET, &on));
    CHECK_OK(ioctl(loop, BLKROGET, &read_only));
    CHECK_EQ(read_only, 1);
    CHECK_ERR(pwrite(loop, "x", 1, 0), EPERM);
    CHECK_OK(ioctl(loop, BLKROSET, &off));
    CHECK_ERR(ioctl(loop, BLKROSET, BAD_PTR), EFAULT);
    // O_EXCL without O_CREAT claims a block device: a second claim is EBUSY.
    char path[64];
    snprintf(path, sizeof path, "/dev/loop%d", number);
    int claimed = CHECK_OK(open(path, O_RDONLY | O_EXCL));
    CHECK_ERR(open(path, O_RDONLY | O_EXCL), EBUSY);
    int plain = CHECK_OK(open(path, O_RDONLY)); // an open that claims nothing still works
    CHECK_OK(close(plain));
    CHECK_OK(close(claimed));
    release_loop(loop, number);
    close(file);
}

// What libblkid and mkfs ask of every block device to tell a CD-ROM or a floppy: the loop
// driver knows none of them (EINVAL), bound or not, whatever the argument.
TEST(loop_answers_other_drivers_probes) {
    if (!have_loop_devices("loop_answers_other_drivers_probes"))
        return;
    int file = backing_file("backing", 1 << 20);
    int loop;
    int number = bind_own_loop(&loop, file);
    long last = 0;
    struct floppy_fdc_state state;
    CHECK_ERR(ioctl(loop, CDROM_GET_CAPABILITY, NULL), EINVAL);
    CHECK_ERR(ioctl(loop, CDROM_LAST_WRITTEN, &last), EINVAL);
    CHECK_ERR(ioctl(loop, CDROM_LAST_WRITTEN, BAD_PTR), EINVAL);
    CHECK_ERR(ioctl(loop, FDGETFDCSTAT, &state), EINVAL);
    CHECK_ERR(ioctl(file, CDROM_GET_CAPABILITY, NULL), ENOTTY); // a regular file's answer
    CHECK_ERR(ioctl(-1, CDROM_GET_CAPABILITY, NULL), EBADF);
    release_loop(loop, number);
    close(file);
}
