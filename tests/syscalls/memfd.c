// SPDX-License-Identifier: MIT
// The memfd family: memfd_create, and its file's reads, writes, size, mapping and seals.
#include "check.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int memfd(const char *name, unsigned flags) {
    return (int)syscall(SYS_memfd_create, name, flags);
}

TEST(memfd_create_normal) {
    int fd = CHECK_OK(memfd("buffer", 0));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0777);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(st.st_nlink, 0); // no name anywhere
    CHECK_EQ(write(fd, "hello", 5), 5);
    char buf[8] = {0};
    CHECK_EQ(pread(fd, buf, 8, 0), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_OK(ftruncate(fd, 4096));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 4096);
    close(fd);
}

TEST(memfd_create_flags) {
    int fd = CHECK_OK(memfd("x", MFD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL); // sealing was not allowed
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x1000), EINVAL);
    close(fd);
    CHECK_ERR(memfd("x", 0x100), EINVAL);
    CHECK_ERR(memfd("x", 0x10 | 0x8), EINVAL); // MFD_EXEC with MFD_NOEXEC_SEAL
}

TEST(memfd_create_names) {
    char name[251];
    memset(name, 'n', sizeof name);
    name[249] = 0; // 249 bytes: the longest
    int fd = CHECK_OK(memfd(name, 0));
    close(fd);
    name[249] = 'n';
    name[250] = 0;
    CHECK_ERR(memfd(name, 0), EINVAL);
    CHECK_ERR(syscall(SYS_memfd_create, BAD_PTR, 0), EFAULT);
    fd = CHECK_OK(memfd("", 0));
    close(fd);
    fd = CHECK_OK(memfd("a/b", 0)); // any bytes
    close(fd);
}

TEST(memfd_shared_mapping) {
    int fd = CHECK_OK(memfd("mapped", 0));
    CHECK_OK(ftruncate(fd, 8192));
    char *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED);
    strcpy(a + 4096, "shared");
    CHECK_STR(b + 4096, "shared");
    char buf[7] = {0};
    CHECK_EQ(pread(fd, buf, 6, 4096), 6);
    CHECK_STR(buf, "shared");
    // /proc/self/maps names it as the kernel does.
    char line[512], wanted[64];
    snprintf(wanted, sizeof wanted, "%lx-", (unsigned long)a);
    FILE *maps = fopen("/proc/self/maps", "r");
    int found = 0;
    while (maps && fgets(line, sizeof line, maps))
        if (strncmp(line, wanted, strlen(wanted)) == 0)
            found = strstr(line, "/memfd:mapped (deleted)") != NULL;
    if (maps)
        fclose(maps);
    CHECK(found);
    munmap(a, 8192), munmap(b, 8192);
    close(fd);
}
