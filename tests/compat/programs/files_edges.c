// SPDX-License-Identifier: MIT
// Edge cases of the file system calls, printed so a run under bascule can be compared
// with a native one: errno on bad paths and descriptors, EFAULT, short reads, O_APPEND,
// O_EXCL, dup and lseek semantics, directories, statfs, faccessat2 and renameat2 flags,
// fdatasync.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "show.h"

static void *const bad = (void *)16;

int main(void) {
    char buf[64];
    SHOW("open missing", open("no/such/file", O_RDONLY));
    SHOW("open through a file", open("data.txt/x", O_RDONLY));
    int fd = open("data.txt", O_RDWR | O_CREAT | O_TRUNC, 0640);
    SHOW("write", write(fd, "0123456789", 10));
    SHOW("open O_EXCL existing", open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0600));
    SHOW("lseek to 4", lseek(fd, 4, SEEK_SET));
    SHOW("short read", read(fd, buf, sizeof buf));
    SHOW("read at end", read(fd, buf, sizeof buf));
    SHOW("pread at 8", pread(fd, buf, 4, 8));
    SHOW("lseek past end", lseek(fd, 100, SEEK_SET));
    SHOW("lseek negative", lseek(fd, -1, SEEK_SET));
    SHOW("read bad buffer", syscall(SYS_read, fd, bad, 4));
    SHOW("write bad buffer", syscall(SYS_write, fd, bad, 4));
    SHOW("open bad path pointer", syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
    SHOW("stat bad result pointer", syscall(SYS_newfstatat, AT_FDCWD, "data.txt", bad, 0));
    int copy = dup(fd);
    SHOW("dup shares the offset", lseek(copy, 0, SEEK_CUR));
    SHOW("close", close(copy));
    SHOW("close again", close(copy));
    SHOW("read closed", read(copy, buf, 1));
    SHOW("read fd 999", read(999, buf, 1));
    SHOW("fcntl F_GETFL", fcntl(fd, F_GETFL) & O_ACCMODE);
    close(fd);

    int app = open("data.txt", O_WRONLY | O_APPEND);
    SHOW("lseek 0 then append", lseek(app, 0, SEEK_SET));
    SHOW("append write", write(app, "ab", 2));
    SHOW("offset after append", lseek(app, 0, SEEK_CUR));
    close(app);
    struct stat st;
    SHOW("stat size", stat("data.txt", &st) == 0 ? st.st_size : -1);
    SHOW("stat mode", stat("data.txt", &st) == 0 ? (long)(st.st_mode & 07777) : -1);

    SHOW("mkdir", mkdir("dir", 0755));
    SHOW("mkdir again", mkdir("dir", 0755));
    SHOW("rmdir a file", rmdir("data.txt"));
    SHOW("unlink a directory", unlink("dir"));
    SHOW("read a directory", read(open("dir", O_RDONLY), buf, 1));
    SHOW("open dir for writing", open("dir", O_WRONLY));
    SHOW("O_DIRECTORY on a file", open("data.txt", O_RDONLY | O_DIRECTORY));
    SHOW("rename into dir", rename("data.txt", "dir/moved.txt"));
    SHOW("rmdir non-empty", rmdir("dir"));
    SHOW("symlink", symlink("dir/moved.txt", "link"));
    ssize_t n = readlink("link", buf, sizeof buf);
    printf("readlink -> %.*s\n", (int)n, buf);
    SHOW("readlink a file", readlink("dir/moved.txt", buf, sizeof buf));
    SHOW("chdir into dir", chdir("dir"));
    printf("getcwd ends with /dir: %d\n", getcwd(buf, sizeof buf) && strstr(buf, "/dir") != NULL);
    SHOW("getcwd too small", getcwd(buf, 2) == NULL ? -1 : 0);
    SHOW("access R_OK", access("moved.txt", R_OK));
    SHOW("access missing", access("nothing", F_OK));
    SHOW("truncate", truncate("moved.txt", 3));
    SHOW("stat after truncate", stat("moved.txt", &st) == 0 ? st.st_size : -1);
    SHOW("chdir back", chdir(".."));
    DIR *d = opendir("dir");
    int entries = 0;
    while (readdir(d))
        entries++;
    closedir(d);
    printf("entries in dir (with . and ..): %d\n", entries);
    SHOW("unlink", unlink("dir/moved.txt"));
    SHOW("rmdir", rmdir("dir"));
    struct statfs volume;
    SHOW("statfs .", statfs(".", &volume));
    SHOW("statfs missing", statfs("nothing", &volume));
    SHOW("statfs bad result pointer", syscall(SYS_statfs, ".", bad));
    SHOW("fstatfs fd 999", fstatfs(999, &volume));
    int a = open("a.txt", O_RDWR | O_CREAT | O_TRUNC, 0644), b;
    write(a, "aaa", 3);
    b = open("b.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(b, "b", 1);
    SHOW("fdatasync", fdatasync(a));
    SHOW("fdatasync fd 999", fdatasync(999));
    SHOW("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "a.txt", R_OK, AT_EACCESS));
    SHOW("faccessat2 bad flag", syscall(SYS_faccessat2, AT_FDCWD, "a.txt", R_OK, 1));
    SHOW("faccessat2 AT_EMPTY_PATH", syscall(SYS_faccessat2, a, "", W_OK, AT_EMPTY_PATH));
    SHOW("renameat2 NOREPLACE onto a file", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "b.txt", RENAME_NOREPLACE));
    SHOW("renameat2 EXCHANGE", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "b.txt", RENAME_EXCHANGE));
    SHOW("size of a.txt after the exchange", stat("a.txt", &st) == 0 ? st.st_size : -1);
    SHOW("renameat2 EXCHANGE with a missing one", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "c.txt", RENAME_EXCHANGE));
    SHOW("renameat2 EXCHANGE|NOREPLACE", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "b.txt", RENAME_EXCHANGE | RENAME_NOREPLACE));
    SHOW("renameat2 unknown flag", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "c.txt", 0x100));
    SHOW("renameat2 NOREPLACE to a new name", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "c.txt", RENAME_NOREPLACE));
    close(a);
    close(b);
    int p[2];
    SHOW("pipe", pipe(p));
    SHOW("fsync a pipe", fsync(p[1]));
    SHOW("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
    SHOW("write to pipe", write(p[1], "xyz", 3));
    close(p[1]);
    SHOW("read pipe", read(p[0], buf, sizeof buf));
    SHOW("read pipe at eof", read(p[0], buf, sizeof buf));
    return 0;
}
