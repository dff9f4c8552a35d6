// SPDX-License-Identifier: MIT
// name_to_handle_at and open_by_handle_at: a handle names the object, opens it again
// (with CAP_DAC_READ_SEARCH), its mount id is statx's; the size rules (EOVERFLOW with the
// size needed written back), the flags, and the errors in the kernel's order.
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif

static struct file_handle *new_handle(unsigned size) {
    struct file_handle *handle = calloc(1, sizeof *handle + MAX_HANDLE_SZ);
    handle->handle_bytes = size;
    return handle;
}

TEST(name_to_handle_at_names_the_object) {
    check_write_file("f", "hello");
    CHECK_OK(symlink("f", "link"));
    struct file_handle *handle = new_handle(MAX_HANDLE_SZ), *again = new_handle(MAX_HANDLE_SZ);
    int mount_id = -1;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0));
    CHECK(handle->handle_bytes > 0 && handle->handle_bytes <= MAX_HANDLE_SZ);
    struct statx sx;
    CHECK_OK(statx(AT_FDCWD, "f", 0, STATX_MNT_ID, &sx));
    CHECK_EQ(mount_id, sx.stx_mnt_id);
    // The same object by a link followed, by its descriptor, relative to a directory.
    int other = -1;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "link", again, &other, AT_SYMLINK_FOLLOW));
    CHECK_EQ(again->handle_bytes, handle->handle_bytes);
    CHECK_MEM(again->f_handle, handle->f_handle, handle->handle_bytes);
    int fd = CHECK_OK(open("f", O_RDONLY));
    again->handle_bytes = MAX_HANDLE_SZ;
    CHECK_OK(name_to_handle_at(fd, "", again, &other, AT_EMPTY_PATH));
    CHECK_MEM(again->f_handle, handle->f_handle, handle->handle_bytes);
    int dir = CHECK_OK(open(".", O_DIRECTORY));
    again->handle_bytes = MAX_HANDLE_SZ;
    CHECK_OK(name_to_handle_at(dir, "f", again, &other, 0));
    CHECK_MEM(again->f_handle, handle->f_handle, handle->handle_bytes);
    // Without AT_SYMLINK_FOLLOW the link itself.
    again->handle_bytes = MAX_HANDLE_SZ;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "link", again, &other, 0));
    CHECK(memcmp(again->f_handle, handle->f_handle, handle->handle_bytes) != 0);
    again->handle_bytes = MAX_HANDLE_SZ;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", again, &other, AT_HANDLE_FID));
    close(fd);
    close(dir);
    free(handle);
    free(again);
}

TEST(name_to_handle_at_sizes_and_errors) {
    check_write_file("f", "x");
    struct file_handle *handle = new_handle(MAX_HANDLE_SZ);
    int mount_id = -1;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0));
    unsigned needed = handle->handle_bytes;
    // Too little room: EOVERFLOW, the size needed written back, the mount id too.
    struct file_handle *small = new_handle(0);
    int small_id = -1;
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", small, &small_id, 0), EOVERFLOW);
    CHECK_EQ(small->handle_bytes, needed);
    CHECK_EQ(small_id, mount_id);
    small->handle_bytes = needed - 1;
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", small, &small_id, 0), EOVERFLOW);
    small->handle_bytes = MAX_HANDLE_SZ + 1;
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", small, &small_id, 0), EINVAL);
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0x8000), EINVAL);
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, AT_HANDLE_FID | 0x002), EINVAL);
    CHECK_ERR(name_to_handle_at(-1, "f", handle, &mount_id, 0), EBADF);
    int file = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(name_to_handle_at(file, "f", handle, &mount_id, 0), ENOTDIR);
    close(file);
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "missing", handle, &mount_id, 0), ENOENT);
    CHECK_ERR(name_to_handle_at(AT_FDCWD, "", handle, &mount_id, 0), ENOENT);
    CHECK_ERR(syscall(SYS_name_to_handle_at, AT_FDCWD, BAD_PTR, handle, &mount_id, 0), EFAULT);
    CHECK_ERR(syscall(SYS_name_to_handle_at, AT_FDCWD, "f", BAD_PTR, &mount_id, 0), EFAULT);
    CHECK_ERR(syscall(SYS_name_to_handle_at, AT_FDCWD, "f", handle, BAD_PTR, 0), EFAULT);
    // A pipe's file system exports no handles.
    int ends[2];
    CHECK_OK(pipe(ends));
    handle->handle_bytes = MAX_HANDLE_SZ;
    CHECK_ERR(name_to_handle_at(ends[0], "", handle, &mount_id, AT_EMPTY_PATH), EOPNOTSUPP);
    close(ends[0]);
    close(ends[1]);
    free(handle);
    free(small);
}

TEST(open_by_handle_at_opens_it_again) {
    if (check_capable(CAP_DAC_READ_SEARCH) != 1)
        return;
    check_write_file("f", "hello");
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(symlink("f", "link"));
    struct file_handle *handle = new_handle(MAX_HANDLE_SZ), *dir_handle = new_handle(MAX_HANDLE_SZ);
    struct file_handle *link_handle = new_handle(MAX_HANDLE_SZ);
    int mount_id;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0));
    CHECK_OK(name_to_handle_at(AT_FDCWD, "d", dir_handle, &mount_id, 0));
    CHECK_OK(name_to_handle_at(AT_FDCWD, "link", link_handle, &mount_id, 0));
    int fd = CHECK_OK(open_by_handle_at(AT_FDCWD, handle, O_RDWR));
    char text[8] = {0};
    CHECK_EQ(read(fd, text, 5), 5);
    CHECK_STR(text, "hello");
    struct stat by_handle, by_name;
    CHECK_OK(fstat(fd, &by_handle));
    CHECK_OK(stat("f", &by_name));
    CHECK_EQ(by_handle.st_ino, by_name.st_ino);
    close(fd);
    // The mount descriptor may be any object on the mount: a file, a directory.
    int any = CHECK_OK(open("f", O_RDONLY));
    fd = CHECK_OK(open_by_handle_at(any, handle, O_RDONLY | O_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
    fd = CHECK_OK(open_by_handle_at(AT_FDCWD, dir_handle, O_RDONLY | O_DIRECTORY));
    CHECK_OK(fstat(fd, &by_handle));
    CHECK(S_ISDIR(by_handle.st_mode));
    close(fd);
    CHECK_ERR(open_by_handle_at(AT_FDCWD, link_handle, O_RDONLY), ELOOP);
    CHECK_ERR(open_by_handle_at(AT_FDCWD, dir_handle, O_RDWR), EISDIR);
    // Errors in the kernel's order: the handle's size and type, the mount descriptor.
    CHECK_ERR(open_by_handle_at(-1, handle, O_RDONLY), EBADF);
    unsigned bytes = handle->handle_bytes;
    handle->handle_bytes = 0;
    CHECK_ERR(open_by_handle_at(-1, handle, O_RDONLY), EINVAL);
    handle->handle_bytes = MAX_HANDLE_SZ + 1;
    CHECK_ERR(open_by_handle_at(AT_FDCWD, handle, O_RDONLY), EINVAL);
    handle->handle_bytes = bytes;
    CHECK_ERR(open_by_handle_at(AT_FDCWD, BAD_PTR, O_RDONLY), EFAULT);
    int ends[2];
    CHECK_OK(pipe(ends));
    CHECK_ERR(open_by_handle_at(ends[0], handle, O_RDONLY), ESTALE);
    close(ends[0]);
    close(ends[1]);
    // The mount descriptor's own name may be gone: the descriptor names the mount. A
    // removed file no descriptor holds does not decode.
    CHECK_OK(rename("f", "g"));
    CHECK_OK(unlink("g"));
    fd = CHECK_OK(open_by_handle_at(any, handle, O_RDONLY));
    close(fd);
    close(any);
    CHECK_ERR(open_by_handle_at(AT_FDCWD, handle, O_RDONLY), ESTALE);
    free(handle);
    free(dir_handle);
    free(link_handle);
}

// Root without CAP_DAC_READ_SEARCH: EPERM, after the handle's and descriptor's checks.
static void open_without_the_capability(struct file_handle *handle) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    CHECK_OK(syscall(SYS_capget, &header, data));
    data[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
    CHECK_OK(syscall(SYS_capset, &header, data));
    CHECK_ERR(open_by_handle_at(AT_FDCWD, handle, O_RDONLY), EPERM);
    CHECK_ERR(open_by_handle_at(-1, handle, O_RDONLY), EBADF);
    int mount_id;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0)); // needs no privilege
}

TEST(open_by_handle_at_needs_the_privilege) {
    if (check_capable(CAP_DAC_READ_SEARCH) != 1)
        return;
    check_write_file("f", "x");
    struct file_handle *handle = new_handle(MAX_HANDLE_SZ);
    int mount_id;
    CHECK_OK(name_to_handle_at(AT_FDCWD, "f", handle, &mount_id, 0));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        open_without_the_capability(handle);
        _exit(check_failure_count() ? 1 : 0);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(handle);
}
