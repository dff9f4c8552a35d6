// SPDX-License-Identifier: MIT
// The paths family: open, openat, creat, the stat family, access, faccessat2, readlink,
// getcwd, chdir, mkdir, rmdir, unlink, rename, link, symlink, chmod, chown, utimensat,
// truncate, umask, statfs, the xattr calls, O_PATH, /dev/tty and the program's /proc.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static mode_t mode_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static int is_root(void) { return geteuid() == 0; }

// A path of `length` bytes made of short components.
static char *long_path(size_t length) {
    char *path = malloc(length + 1);
    for (size_t i = 0; i < length; i++)
        path[i] = i % 2 ? '/' : 'a';
    path[length] = 0;
    return path;
}

// ---- umask ------------------------------------------------------------------------

TEST(umask_alone_masks_created_objects) {
    mode_t old = umask(002);
    CHECK_OK(mkdir("d", 0777));
    CHECK_EQ(mode_of("d"), 0775);
    int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0666));
    close(fd);
    CHECK_EQ(mode_of("f"), 0664);
    fd = CHECK_OK(creat("c", 0777));
    close(fd);
    CHECK_EQ(mode_of("c"), 0775);
    CHECK_OK(mkdirat(AT_FDCWD, "s", 07777)); // mkdir keeps the sticky bit only
    CHECK_EQ(mode_of("s"), 01775);
    CHECK_EQ(umask(077), 002);
    CHECK_OK(mkdir("private", 0777));
    CHECK_EQ(mode_of("private"), 0700);
    CHECK_OK(symlink("f", "link")); // links are not masked
    CHECK_EQ(mode_of("link"), 0777);
    CHECK_EQ(umask(0xffff), 077); // only the permission bits are kept
    CHECK_EQ(umask(old), 0777);
}

TEST(umask_does_not_touch_existing_files) {
    mode_t old = umask(0);
    int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0600));
    close(fd);
    umask(077);
    fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0666));
    close(fd);
    CHECK_EQ(mode_of("f"), 0600);
    CHECK_ERR(open("f", O_CREAT | O_EXCL | O_WRONLY, 0666), EEXIST);
    umask(old);
}

// ---- chown ------------------------------------------------------------------------

TEST(chown_looks_the_path_up) {
    CHECK_ERR(chown("missing", -1, -1), ENOENT);
    CHECK_ERR(lchown("missing", -1, -1), ENOENT);
    CHECK_ERR(fchownat(AT_FDCWD, "missing", -1, -1, 0), ENOENT);
    CHECK_ERR(chown("", -1, -1), ENOENT);
    check_write_file("f", "x");
    CHECK_ERR(chown("f/x", -1, -1), ENOTDIR);
    CHECK_ERR(syscall(SYS_chown, BAD_PTR, -1, -1), EFAULT);
    CHECK_ERR(fchownat(AT_FDCWD, "f", -1, -1, 0x8000), EINVAL);
    CHECK_OK(chown("f", -1, -1));
    CHECK_OK(chown("f", getuid(), getgid()));
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(chown("dangling", -1, -1), ENOENT);
    CHECK_OK(lchown("dangling", -1, -1));
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(fchownat(fd, "", -1, -1, AT_EMPTY_PATH));
    CHECK_ERR(fchownat(fd, "", -1, -1, 0), ENOENT);
    close(fd);
    CHECK_ERR(fchownat(999, "", -1, -1, AT_EMPTY_PATH), EBADF);
    if (!is_root())
        CHECK_ERR(chown("f", 0, -1), EPERM);
}

// ---- extended attributes ------------------------------------------------------------

TEST(xattr_missing_paths_and_bad_arguments) {
    char buffer[64];
    CHECK_ERR(listxattr("missing", buffer, sizeof buffer), ENOENT);
    CHECK_ERR(llistxattr("missing", NULL, 0), ENOENT);
    CHECK_ERR(getxattr("missing", "user.a", buffer, sizeof buffer), ENOENT);
    CHECK_ERR(setxattr("missing", "user.a", "1", 1, 0), ENOENT);
    CHECK_ERR(removexattr("missing", "user.a"), ENOENT);
    CHECK_ERR(fgetxattr(999, "user.a", buffer, sizeof buffer), EBADF);
    CHECK_ERR(flistxattr(999, buffer, sizeof buffer), EBADF);
    check_write_file("f", "x");
    CHECK_ERR(setxattr("f", "user.a", "1", 1, 4), EINVAL);
    CHECK_ERR(setxattr("f", "", "1", 1, 0), ERANGE);
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    memcpy(name, "user.", 5);
    CHECK_ERR(getxattr("f", name, buffer, sizeof buffer), ERANGE);
    CHECK_ERR(syscall(SYS_setxattr, "f", "user.a", buffer, 65537, 0), E2BIG);
    CHECK_ERR(syscall(SYS_getxattr, "f", BAD_PTR, buffer, sizeof buffer), EFAULT);
    CHECK_ERR(syscall(SYS_setxattr, "f", "user.a", BAD_PTR, 4, 0), EFAULT);
    CHECK_ERR(syscall(SYS_listxattr, BAD_PTR, buffer, sizeof buffer), EFAULT);
}

// The file system under the test directory may lack user xattrs (tmpfs before 6.6):
// then every call answers EOPNOTSUPP, natively and under bascule alike.
TEST(xattr_get_set_list_remove) {
    check_write_file("f", "x");
    char value[64], list[256];
    if (setxattr("f", "user.colour", "blue", 4, 0) != 0) {
        CHECK_EQ(errno, EOPNOTSUPP);
        CHECK_ERR(getxattr("f", "user.colour", value, sizeof value), EOPNOTSUPP);
        return;
    }
    CHECK_EQ(getxattr("f", "user.colour", value, sizeof value), 4);
    CHECK_MEM(value, "blue", 4);
    CHECK_EQ(getxattr("f", "user.colour", NULL, 0), 4);
    CHECK_ERR(getxattr("f", "user.colour", value, 2), ERANGE);
    CHECK_ERR(getxattr("f", "user.none", value, sizeof value), ENODATA);
    CHECK_ERR(setxattr("f", "user.colour", "red", 3, XATTR_CREATE), EEXIST);
    CHECK_ERR(setxattr("f", "user.none", "red", 3, XATTR_REPLACE), ENODATA);
    CHECK_OK(setxattr("f", "user.colour", "red", 3, XATTR_REPLACE));
    CHECK_EQ(getxattr("f", "user.colour", value, sizeof value), 3);
    CHECK_OK(setxattr("f", "user.empty", "", 0, XATTR_CREATE));
    CHECK_EQ(getxattr("f", "user.empty", value, sizeof value), 0);
    ssize_t needed = listxattr("f", NULL, 0);
    CHECK(needed >= (ssize_t)sizeof "user.colour" + (ssize_t)sizeof "user.empty");
    CHECK_EQ(listxattr("f", list, sizeof list), needed);
    CHECK(memmem(list, needed, "user.colour", sizeof "user.colour") != NULL);
    CHECK_ERR(listxattr("f", list, 3), ERANGE);
    CHECK_ERR(setxattr("f", "nonsense.a", "1", 1, 0), EOPNOTSUPP);
    CHECK_OK(removexattr("f", "user.colour"));
    CHECK_ERR(removexattr("f", "user.colour"), ENODATA);
    CHECK_ERR(getxattr("f", "user.colour", value, sizeof value), ENODATA);
}

TEST(xattr_descriptor_and_link_forms) {
    check_write_file("f", "x");
    CHECK_OK(symlink("f", "link"));
    char value[64], list[256];
    int fd = CHECK_OK(open("f", O_RDWR));
    if (fsetxattr(fd, "user.k", "v", 1, 0) != 0) {
        CHECK_EQ(errno, EOPNOTSUPP);
        close(fd);
        return;
    }
    CHECK_EQ(fgetxattr(fd, "user.k", value, sizeof value), 1);
    CHECK_EQ(getxattr("link", "user.k", value, sizeof value), 1); // followed
    CHECK_ERR(lgetxattr("link", "user.k", value, sizeof value), ENODATA);
    CHECK_ERR(lsetxattr("link", "user.k", "v", 1, 0), EPERM); // user.* only on files, dirs
    CHECK(flistxattr(fd, list, sizeof list) >= (ssize_t)sizeof "user.k");
    CHECK_ERR(fsetxattr(fd, "user.k", "v", 1, XATTR_CREATE), EEXIST);
    CHECK_OK(fremovexattr(fd, "user.k"));
    CHECK_ERR(fremovexattr(fd, "user.k"), ENODATA);
    CHECK_OK(lremovexattr("f", "user.k") == -1 && errno == ENODATA ? 0 : -1);
    int path_fd = CHECK_OK(open("f", O_PATH));
    CHECK_ERR(fgetxattr(path_fd, "user.k", value, sizeof value), EBADF);
    close(path_fd);
    close(fd);
}

// ---- O_PATH ------------------------------------------------------------------------

TEST(o_path_on_a_symlink_opens_the_link) {
    check_write_file("f", "data");
    CHECK_OK(symlink("f", "link"));
    int fd = CHECK_OK(openat(AT_FDCWD, "link", O_PATH | O_NOFOLLOW));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
    CHECK(S_ISLNK(st.st_mode));
    char text[16] = {0};
    CHECK_EQ(readlinkat(fd, "", text, sizeof text), 1);
    CHECK_STR(text, "f");
    char byte;
    CHECK_ERR(read(fd, &byte, 1), EBADF);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_ERR(fchdir(fd), ENOTDIR);
    CHECK_OK(close(fd));
    CHECK_ERR(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("missing", O_PATH | O_NOFOLLOW), ENOENT);
}

TEST(o_path_on_files_and_directories) {
    check_write_file("f", "data");
    CHECK_OK(mkdir("d", 0755));
    check_write_file("d/inner", "x");
    int fd = CHECK_OK(open("f", O_PATH));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 4);
    char byte;
    CHECK_ERR(read(fd, &byte, 1), EBADF);
    CHECK_ERR(lseek(fd, 0, SEEK_SET), EBADF);
    char text[8];
    CHECK_ERR(readlinkat(fd, "", text, sizeof text), ENOENT);
    close(fd);
    CHECK_ERR(open("f", O_PATH | O_DIRECTORY), ENOTDIR);
    int dir = CHECK_OK(open("d", O_PATH | O_DIRECTORY));
    int inner = CHECK_OK(openat(dir, "inner", O_RDONLY));
    CHECK_EQ(read(inner, &byte, 1), 1);
    close(inner);
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_OK(fchdir(dir));
    CHECK_OK(access("inner", F_OK));
    CHECK_OK(chdir(cwd));
    close(dir);
}

// ---- /dev/tty ----------------------------------------------------------------------

// With a controlling terminal the open succeeds; without one (ctest, CI, setsid) Linux
// answers ENXIO, never ENOENT.
TEST(dev_tty_without_a_terminal_is_enxio) {
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd >= 0)
        close(fd);
    else
        CHECK_EQ(errno, ENXIO);
}

// ---- /proc -------------------------------------------------------------------------


extern char *program_invocation_name;
extern char **environ;

TEST(proc_self_is_the_program) {
    char text[64], expected[64];
    snprintf(expected, sizeof expected, "%d", getpid());
    ssize_t n = CHECK_OK(readlink("/proc/self", text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    CHECK_STR(text, expected);
    char buffer[8192];
    n = CHECK_OK(check_read_file("/proc/self/cmdline", buffer, sizeof buffer));
    CHECK(n > (ssize_t)strlen(program_invocation_name));
    CHECK_STR(buffer, program_invocation_name);
    if (environ[0]) {
        CHECK_OK(check_read_file("/proc/self/environ", buffer, sizeof buffer));
        CHECK_STR(buffer, environ[0]);
    }
    const char *base = strrchr(program_invocation_name, '/');
    snprintf(expected, sizeof expected, "%.15s\n", base ? base + 1 : program_invocation_name);
    CHECK_OK(check_read_file("/proc/self/comm", buffer, sizeof buffer));
    CHECK_STR(buffer, expected);
    snprintf(expected, sizeof expected, "/proc/%d/comm", getpid());
    CHECK_OK(check_read_file(expected, text, sizeof text));
    CHECK_STR(text, buffer);
}

TEST(proc_self_stat_and_status) {
    char buffer[8192];
    CHECK_OK(check_read_file("/proc/self/stat", buffer, sizeof buffer));
    int pid = 0, ppid = 0;
    char state = 0;
    const char *after_name = strrchr(buffer, ')');
    CHECK(after_name != NULL);
    CHECK_EQ(sscanf(buffer, "%d", &pid), 1);
    CHECK_EQ(pid, getpid());
    if (after_name) {
        CHECK_EQ(sscanf(after_name, ") %c %d", &state, &ppid), 2);
        CHECK_EQ(ppid, getppid());
        CHECK(state == 'R' || state == 'S');
        // Field 22, the start time in ticks since boot: not after now.
        unsigned long long start = 0;
        const char *field = after_name + 2;
        for (int i = 3; i < 22 && field; i++)
            field = strchr(field, ' ') ? strchr(field, ' ') + 1 : NULL;
        CHECK(field && sscanf(field, "%llu", &start) == 1);
        struct timespec boot;
        clock_gettime(CLOCK_BOOTTIME, &boot);
        CHECK(start > 0 && start <= (unsigned long long)boot.tv_sec * 100 + boot.tv_nsec / 10000000);
    }
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    void (*old_handler)(int) = signal(SIGUSR2, SIG_IGN);
    CHECK_OK(check_read_file("/proc/self/status", buffer, sizeof buffer));
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR2, old_handler);
    char line[64];
    snprintf(line, sizeof line, "\nPid:\t%d\n", getpid());
    CHECK(strstr(buffer, line) != NULL);
    snprintf(line, sizeof line, "\nPPid:\t%d\n", getppid());
    CHECK(strstr(buffer, line) != NULL);
    snprintf(line, sizeof line, "\nUid:\t%d\t", getuid());
    CHECK(strstr(buffer, line) != NULL);
    unsigned long long blocked = 0, ignored = 0;
    const char *at = strstr(buffer, "SigBlk:\t");
    CHECK(at && sscanf(at, "SigBlk:\t%llx", &blocked) == 1);
    CHECK(blocked & (1ull << (SIGUSR1 - 1)));
    at = strstr(buffer, "SigIgn:\t");
    CHECK(at && sscanf(at, "SigIgn:\t%llx", &ignored) == 1);
    CHECK(ignored & (1ull << (SIGUSR2 - 1)));
    mode_t mask = umask(027);
    CHECK_OK(check_read_file("/proc/self/status", buffer, sizeof buffer));
    umask(mask);
    CHECK(strstr(buffer, "\nUmask:\t0027\n") != NULL);
}

// ".." after a /proc link leaves what the link leads to, as the kernel walks it.
TEST(proc_links_then_dot_dot) {
    struct stat root, above_root, parent, above_cwd;
    CHECK_OK(stat("/", &root));
    CHECK_OK(stat("/proc/self/root/..", &above_root));
    CHECK_EQ(above_root.st_ino, root.st_ino);
    CHECK_OK(stat("..", &parent));
    CHECK_OK(stat("/proc/self/cwd/..", &above_cwd));
    CHECK_EQ(above_cwd.st_ino, parent.st_ino);
    CHECK_EQ(above_cwd.st_dev, parent.st_dev);
}

// The resident set /proc shows: status's VmRSS (RssAnon + RssFile + RssShmem), statm's
// resident pages and stat's rss agree in kind, and 16 MiB the program touches show up in
// them, as pages it maps but never touches do not.
static unsigned long long status_kilobytes(const char *name) {
    char buffer[4096], key[32];
    unsigned long long kb = 0;
    if (check_read_file("/proc/self/status", buffer, sizeof buffer) < 0)
        return 0;
    snprintf(key, sizeof key, "\n%s:", name);
    const char *at = strstr(buffer, key);
    return at && sscanf(at + strlen(key), " %llu kB", &kb) == 1 ? kb : 0;
}

TEST(proc_self_resident_memory) {
    unsigned long long rss = status_kilobytes("VmRSS");
    CHECK(rss > 0 && rss <= status_kilobytes("VmSize"));
    CHECK_EQ(status_kilobytes("RssAnon") + status_kilobytes("RssFile") +
                 status_kilobytes("RssShmem"),
             rss);
    size_t size = 16 << 20;
    unsigned long long before = status_kilobytes("RssAnon");
    char *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(memory != MAP_FAILED);
    unsigned long long untouched = status_kilobytes("RssAnon");
    CHECK(untouched < before + 1024); // mapping alone adds (almost) nothing
    memset(memory, 1, size);
    unsigned long long touched = status_kilobytes("RssAnon");
    CHECK(touched >= untouched + (size >> 10) - 1024);
    char statm[256];
    unsigned long long pages = 0, resident = 0, shared = 0;
    CHECK_OK(check_read_file("/proc/self/statm", statm, sizeof statm));
    CHECK_EQ(sscanf(statm, "%llu %llu %llu", &pages, &resident, &shared), 3);
    CHECK(resident >= (size >> 12) && resident <= pages && shared <= resident);
    munmap(memory, size);
    CHECK(status_kilobytes("RssAnon") + 1024 < touched); // given back
}

TEST(proc_self_links) {
    char cwd[PATH_MAX], text[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    ssize_t n = CHECK_OK(readlink("/proc/self/cwd", text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    CHECK_STR(text, cwd);
    n = CHECK_OK(readlink("/proc/self/root", text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    CHECK_STR(text, "/");
    check_write_file("f", "x");
    int fd = CHECK_OK(open("f", O_RDONLY));
    char link[64], expected[PATH_MAX + 4];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = CHECK_OK(readlink(link, text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    snprintf(expected, sizeof expected, "%s/f", cwd);
    CHECK_STR(text, expected);
    struct stat by_link, by_fd;
    CHECK_OK(stat(link, &by_link));
    CHECK_OK(fstat(fd, &by_fd));
    CHECK_EQ(by_link.st_ino, by_fd.st_ino);
    int again = CHECK_OK(open(link, O_RDONLY));
    close(again);
    struct stat dev_fd;
    if (lstat("/dev/fd", &dev_fd) == 0) { // the host's link into /proc/self/fd
        snprintf(link, sizeof link, "/dev/fd/%d", fd);
        CHECK_OK(stat(link, &by_link));
        CHECK_EQ(by_link.st_ino, by_fd.st_ino);
        again = CHECK_OK(open(link, O_RDONLY));
        close(again);
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    }
    CHECK_OK(access("/proc/self/cwd/f", F_OK));
    close(fd);
    CHECK_ERR(readlink(link, text, sizeof text), ENOENT);
    CHECK_ERR(readlink("/proc/self/cmdline", text, sizeof text), EINVAL);
    snprintf(link, sizeof link, "/proc/%d", getpid());
    CHECK_ERR(readlink(link, text, sizeof text), EINVAL);
    char *real = realpath("/proc/self/exe", NULL);
    CHECK(real != NULL);
    n = CHECK_OK(readlink("/proc/self/exe", text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    if (real)
        CHECK_STR(real, text);
    free(real);
    // A pipe has no path: its link names it, and opening the link opens the pipe.
    int ends[2];
    CHECK_OK(pipe(ends));
    snprintf(link, sizeof link, "/proc/self/fd/%d", ends[0]);
    n = CHECK_OK(readlink(link, text, sizeof text));
    text[n > 0 ? n : 0] = 0;
    CHECK(strncmp(text, "pipe:[", 6) == 0);
    int reader = CHECK_OK(open(link, O_RDONLY));
    CHECK_EQ(write(ends[1], "p", 1), 1);
    char byte = 0;
    CHECK_EQ(read(reader, &byte, 1), 1);
    CHECK_EQ(byte, 'p');
    snprintf(link, sizeof link, "/proc/self/fd/%d/x", ends[0]);
    struct stat st;
    CHECK_ERR(stat(link, &st), ENOTDIR);
    close(reader);
    close(ends[0]);
    close(ends[1]);
}

TEST(proc_fd_listing_and_other_processes) {
    int fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    DIR *dir = opendir("/proc/self/fd");
    CHECK(dir != NULL);
    int seen = 0;
    char name[16];
    snprintf(name, sizeof name, "%d", fd);
    for (struct dirent *e; dir && (e = readdir(dir));)
        seen |= strcmp(e->d_name, name) == 0;
    if (dir)
        closedir(dir);
    CHECK(seen);
    close(fd);
    dir = opendir("/proc");
    CHECK(dir != NULL);
    int own = 0, self = 0;
    snprintf(name, sizeof name, "%d", getpid());
    for (struct dirent *e; dir && (e = readdir(dir));) {
        own |= strcmp(e->d_name, name) == 0;
        self |= strcmp(e->d_name, "self") == 0;
    }
    if (dir)
        closedir(dir);
    CHECK(own && self);
    // No pid reaches PID_MAX_LIMIT: this process exists in no one's view.
    char text[64];
    CHECK_ERR(open("/proc/4194304/cmdline", O_RDONLY), ENOENT);
    CHECK_ERR(readlink("/proc/4194304/exe", text, sizeof text), ENOENT);
    struct stat st;
    CHECK_ERR(stat("/proc/4194304", &st), ENOENT);
    CHECK_ERR(open("/proc/self/no-such-entry", O_RDONLY), ENOENT);
    CHECK_OK(stat("/proc/self/status", &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_OK(lstat("/proc/self/exe", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(stat("/proc/self/fd", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_OK(check_read_file("/proc/uptime", text, sizeof text)); // the system's: the host's
    CHECK_OK(stat("/proc/self/mountinfo", &st)); // the namespace's: the runtime's
}

// ---- path resolution ---------------------------------------------------------------

TEST(path_limits_and_loops) {
    struct stat st;
    char *path = long_path(4200);
    CHECK_ERR(stat(path, &st), ENAMETOOLONG);
    CHECK_ERR(open(path, O_RDONLY), ENAMETOOLONG);
    free(path);
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    CHECK_ERR(stat(name, &st), ENAMETOOLONG);
    CHECK_ERR(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    CHECK_ERR(mkdir(name, 0755), ENAMETOOLONG);
    char below_missing[320];
    snprintf(below_missing, sizeof below_missing, "missing/%s", name);
    CHECK_ERR(stat(below_missing, &st), ENOENT); // the file system checks, once it is reached
    CHECK_OK(symlink("loop", "loop"));
    CHECK_ERR(stat("loop", &st), ELOOP);
    CHECK_ERR(open("loop", O_RDONLY), ELOOP);
    CHECK_ERR(stat("loop/x", &st), ELOOP);
    CHECK_OK(lstat("loop", &st));
    CHECK(S_ISLNK(st.st_mode));
}

TEST(dot_and_dot_dot_are_walked) {
    struct stat st;
    check_write_file("f", "x");
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(mkdir("d/sub", 0755));
    check_write_file("d/g", "y");
    CHECK_OK(symlink("d/sub", "link"));
    CHECK_ERR(stat("f/..", &st), ENOTDIR);
    CHECK_ERR(stat("f/.", &st), ENOTDIR);
    CHECK_ERR(stat("missing/../f", &st), ENOENT);
    CHECK_OK(stat("link/../g", &st)); // ".." leaves the directory the link led to
    CHECK_ERR(stat("link/../f", &st), ENOENT);
    CHECK_OK(stat("d/./sub/..", &st));
    CHECK(S_ISDIR(st.st_mode));
}

// Chains of ".." are walked on from where the walk is (the working directory, a
// descriptor's directory, the directory a link led to), each name before a ".." checked
// to be a directory, as the kernel walks them.
TEST(dot_dot_chains_walk_on_from_where_they_are) {
    struct stat st;
    CHECK_OK(mkdir("c", 0755));
    CHECK_OK(mkdir("c/sub", 0755));
    CHECK_OK(mkdir("c/sub/deep", 0755));
    check_write_file("c/sub/g", "y");
    check_write_file("c/h", "z");
    CHECK_OK(symlink("c/sub/deep", "deep_link"));
    CHECK_OK(stat("c/sub/deep/../../sub/deep/../g", &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_OK(stat("deep_link/../g", &st));       // leaves c/sub/deep, not the link
    CHECK_OK(stat("deep_link/../../h", &st));
    CHECK_ERR(stat("deep_link/../../g", &st), ENOENT);
    CHECK_ERR(stat("c/sub/g/../g", &st), ENOTDIR); // a file before ".."
    CHECK_ERR(stat("c/missing/../h", &st), ENOENT);
    int dir = open("c", O_RDONLY | O_DIRECTORY);
    CHECK(dir >= 0);
    CHECK_OK(fstatat(dir, "sub/deep/../g", &st, 0));
    CHECK_OK(fstatat(dir, "../c/sub/../h", &st, 0));
    CHECK_ERR(fstatat(dir, "sub/g/../g", &st, 0), ENOTDIR);
    CHECK_ERR(fstatat(999, "sub/../h", &st, 0), EBADF);
    int file = open("c/h", O_RDONLY);
    CHECK(file >= 0);
    CHECK_ERR(fstatat(file, "x/../h", &st, 0), ENOTDIR);
    CHECK_ERR(fstatat(dir, (const char *)1, &st, 0), EFAULT);
    CHECK_ERR(fstatat(dir, "sub/../h", &st, 0x40000000), EINVAL);
    CHECK_OK(chdir("c/sub/deep"));
    CHECK_OK(stat("../../sub/deep/../g", &st));
    CHECK_ERR(stat("../g/..", &st), ENOTDIR);
    CHECK_OK(chdir("../../.."));
    CHECK_OK(stat("c/h", &st));
    close(file);
    close(dir);
}

TEST(search_permission) {
    CHECK_OK(mkdir("closed", 0700));
    check_write_file("closed/f", "x");
    CHECK_OK(chmod("closed", 0600));
    struct stat st;
    if (is_root()) {
        CHECK_OK(stat("closed/f", &st));
    } else {
        CHECK_ERR(stat("closed/f", &st), EACCES);
        CHECK_ERR(open("closed/f", O_RDONLY), EACCES);
        CHECK_ERR(chdir("closed"), EACCES);
    }
    CHECK_OK(chmod("closed", 0700));
}

// ---- each call -------------------------------------------------------------------------

TEST(open_and_openat) {
    int fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0644));
    CHECK_EQ(write(fd, "abc", 3), 3);
    close(fd);
    CHECK_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
    CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open("missing", O_RDONLY), ENOENT);
    CHECK_ERR(open("missing/f", O_CREAT | O_RDWR, 0644), ENOENT);
    CHECK_ERR(syscall(SYS_open, BAD_PTR, O_RDONLY), EFAULT);
    CHECK_ERR(openat(999, "f", O_RDONLY), EBADF);
    fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
    close(fd);
    CHECK_ERR(open("f/", O_RDONLY), ENOTDIR);
    CHECK_ERR(open(".", O_WRONLY), EISDIR);
    CHECK_ERR(open("", O_RDONLY), ENOENT);
    CHECK_ERR(syscall(SYS_open, ".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
    fd = CHECK_OK(open("f", O_RDWR | O_TRUNC));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);
    close(fd);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    fd = CHECK_OK(openat(dir, "f", O_RDONLY));
    close(fd);
    close(dir);
}

TEST(creat_truncates_and_refuses_directories) {
    check_write_file("f", "abc");
    int fd = CHECK_OK(creat("f", 0644));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);
    close(fd);
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(creat("d", 0644), EISDIR);
    CHECK_ERR(creat("missing/f", 0644), ENOENT);
    CHECK_ERR(syscall(SYS_creat, BAD_PTR, 0644), EFAULT);
}

TEST(stat_lstat_fstatat_statx) {
    check_write_file("f", "hello");
    CHECK_OK(symlink("f", "link"));
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 5);
    CHECK_EQ(st.st_nlink, 1);
    CHECK_EQ(st.st_uid, geteuid());
    CHECK_OK(lstat("link", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(st.st_size, 1);
    CHECK_OK(fstatat(AT_FDCWD, "link", &st, 0));
    CHECK(S_ISREG(st.st_mode));
    CHECK_OK(fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(fstatat(AT_FDCWD, "f", &st, 0x8000), EINVAL);
    CHECK_ERR(stat("missing", &st), ENOENT);
    CHECK_ERR(syscall(SYS_stat, "f", BAD_PTR), EFAULT);
    CHECK_ERR(fstatat(AT_FDCWD, "", &st, 0), ENOENT);
    CHECK_OK(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
    CHECK(S_ISDIR(st.st_mode));
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
    CHECK_EQ(st.st_size, 5);
    close(fd);
    struct statx sx;
    CHECK_OK(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
    CHECK_EQ(sx.stx_size, 5);
    CHECK(S_ISREG(sx.stx_mode));
    CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
    CHECK_ERR(statx(AT_FDCWD, "f", AT_STATX_SYNC_TYPE, STATX_BASIC_STATS, &sx), EINVAL);
    CHECK_ERR(statx(AT_FDCWD, "f", 0, 0x80000000u, &sx), EINVAL);
    CHECK_ERR(statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx), ENOENT);
    CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BAD_PTR), EFAULT);
}

// statx's fields beyond stat's, as the file system gives them: by path and by
// descriptor the same answer; the VFS's own attribute bits (the root of a mount) always.
TEST(statx_details) {
    struct timespec before;
    CHECK_OK(clock_gettime(CLOCK_REALTIME_COARSE, &before));
    check_write_file("f", "hello");
    struct statx by_path, by_fd, plain;
    unsigned want = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID | STATX_DIOALIGN;
    CHECK_OK(statx(AT_FDCWD, "f", 0, want, &by_path));
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(statx(fd, "", AT_EMPTY_PATH, want, &by_fd));
    CHECK_EQ(by_fd.stx_mask, by_path.stx_mask);
    CHECK_EQ(by_fd.stx_attributes, by_path.stx_attributes);
    CHECK_EQ(by_fd.stx_attributes_mask, by_path.stx_attributes_mask);
    CHECK_EQ(by_fd.stx_mnt_id, by_path.stx_mnt_id);
    CHECK_EQ(by_fd.stx_btime.tv_sec, by_path.stx_btime.tv_sec);
    CHECK_EQ(by_fd.stx_btime.tv_nsec, by_path.stx_btime.tv_nsec);
    CHECK_EQ(by_fd.stx_dio_offset_align, by_path.stx_dio_offset_align);
    // Linux names the mount always, and its VFS tells whether this is a mount's root.
    CHECK(by_path.stx_mask & STATX_MNT_ID);
    CHECK(by_path.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT);
    CHECK(!(by_path.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    if (by_path.stx_mask & STATX_BTIME) { // made just now
        CHECK(by_path.stx_btime.tv_sec >= before.tv_sec);
        CHECK(by_path.stx_btime.tv_sec <= by_path.stx_mtime.tv_sec);
    }
    // Asked for nothing, the file system answers the same attributes.
    CHECK_OK(statx(AT_FDCWD, "f", 0, 0, &plain));
    CHECK_EQ(plain.stx_attributes_mask, by_path.stx_attributes_mask);
    CHECK(plain.stx_mask & STATX_MNT_ID);
    CHECK(!(plain.stx_mask & STATX_DIOALIGN));
    struct statx root;
    CHECK_OK(statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &root));
    CHECK(root.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    // An O_PATH descriptor of a link, and the link by path, are the link itself.
    CHECK_OK(symlink("f", "link"));
    int path_fd = CHECK_OK(open("link", O_PATH | O_NOFOLLOW));
    struct statx link_by_fd, link_by_path;
    CHECK_OK(statx(path_fd, "", AT_EMPTY_PATH, want, &link_by_fd));
    CHECK_OK(statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, want, &link_by_path));
    CHECK(S_ISLNK(link_by_fd.stx_mode));
    CHECK_EQ(link_by_fd.stx_mask, link_by_path.stx_mask);
    CHECK_EQ(link_by_fd.stx_attributes_mask, link_by_path.stx_attributes_mask);
    close(path_fd);
    // An append-only file shows it (root, on a file system with the flag).
    int flags = FS_APPEND_FL;
    if (ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0) {
        CHECK_OK(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &by_path));
        CHECK(by_path.stx_attributes & STATX_ATTR_APPEND);
        flags = 0;
        CHECK_OK(ioctl(fd, FS_IOC_SETFLAGS, &flags));
    }
    close(fd);
    CHECK_ERR(statx(fd, "", AT_EMPTY_PATH, want, &by_fd), EBADF);
    CHECK_ERR(syscall(SYS_statx, AT_FDCWD, BAD_PTR, 0, want, &by_fd), EFAULT);
    CHECK_ERR(statx(AT_FDCWD, "f", 0x40000000, want, &by_fd), EINVAL);
}

// Lets the test's children that become nobody reach its directory by its whole path too
// (the scratch directory above it is mkdtemp's 0700).
static void allow_nobody_here(void) {
    CHECK_OK(chmod("..", 0711));
    CHECK_OK(chmod(".", 0755));
}

// O_NOATIME: reading through the descriptor leaves the access time as it was; only the
// file's owner (or CAP_FOWNER) may ask.
static void noatime_as_nobody(void) {
    CHECK_ERR(open("f", O_RDONLY | O_NOATIME), EPERM);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(fcntl(fd, F_SETFL, O_NOATIME), EPERM);
    close(fd);
}

TEST(open_noatime) {
    check_write_file("f", "hello");
    CHECK_OK(chmod("f", 0644));
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, "f", old, 0));
    char c;
    int fd = CHECK_OK(open("f", O_RDONLY | O_NOATIME));
    CHECK(fcntl(fd, F_GETFL) & O_NOATIME);
    CHECK_EQ(read(fd, &c, 1), 1);
    close(fd);
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_atime, 1000);
    // Turned on later with F_SETFL, and off again: then a read updates it.
    fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(fcntl(fd, F_SETFL, O_NOATIME));
    CHECK_EQ(pread(fd, &c, 1, 0), 1);
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_atime, 1000);
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK(!(fcntl(fd, F_GETFL) & O_NOATIME));
    CHECK_EQ(pread(fd, &c, 1, 0), 1);
    CHECK_OK(stat("f", &st));
    CHECK(st.st_atime != 1000);
    close(fd);
    CHECK_ERR(fcntl(fd, F_SETFL, O_NOATIME), EBADF);
    CHECK_ERR(syscall(SYS_open, BAD_PTR, O_RDONLY | O_NOATIME), EFAULT);
    if (is_root()) {
        CHECK_OK(chown("f", 0, 0));
        allow_nobody_here();
        check_in_child_as_nobody(noatime_as_nobody);
    }
}

// A new file asking for set-group-ID with group execute in a set-group-ID directory whose
// group is not the caller's loses set-group-ID (the kernel's mode_strip_sgid), before the
// umask is applied: one without group execute keeps it, as does a directory.
static void setgid_as_nobody(void) {
    mode_t old = umask(S_IXGRP);
    int fd = CHECK_OK(open("d/open", O_CREAT | O_RDWR, 02755));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0745);
    CHECK_EQ(st.st_gid, 1234);
    close(fd);
    CHECK_OK(mknod("d/node", S_IFREG | 02755, 0));
    CHECK_EQ(mode_of("d/node"), 0745);
    umask(0);
    CHECK_OK(close(CHECK_OK(creat("d/creat", 02755))));
    CHECK_EQ(mode_of("d/creat"), 0755);
    CHECK_OK(close(CHECK_OK(creat("d/kept", 02745))));
    CHECK_EQ(mode_of("d/kept"), 02745);
    CHECK_OK(mkdir("d/dir", 02755));
    CHECK_EQ(mode_of("d/dir"), 02755);
    umask(old);
    CHECK_ERR(creat("d/missing/f", 02755), ENOENT);
    CHECK_ERR(syscall(SYS_creat, BAD_PTR, 02755), EFAULT);
    CHECK_ERR(mknod("d/bad", 0170000 | 02755, 0), EINVAL);
}

TEST(create_in_setgid_directory) {
    if (!is_root())
        return;
    allow_nobody_here();
    CHECK_OK(mkdir("d", 0777));
    CHECK_OK(chown("d", 65534, 1234));
    CHECK_OK(chmod("d", 02777));
    check_in_child_as_nobody(setgid_as_nobody);
    // The caller in the directory's group keeps it.
    int fd = CHECK_OK(open("d/root", O_CREAT | O_RDWR, 02755));
    close(fd);
    mode_t mask = umask(0);
    umask(mask);
    CHECK_EQ(mode_of("d/root"), 02755 & ~mask);
}

// A /proc/self/fd/N link names the open file's object itself: chmod through an O_PATH
// descriptor of a symbolic link changes the link, which Linux refuses (EOPNOTSUPP since
// 6.6), and never the file the link leads to; chown changes the link's owner.
TEST(chmod_through_a_descriptor_link) {
    check_write_file("f", "x");
    CHECK_OK(chmod("f", 0644));
    CHECK_OK(symlink("f", "link"));
    int fd = CHECK_OK(open("link", O_PATH | O_NOFOLLOW));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    CHECK_ERR(chmod(path, 0), EOPNOTSUPP);
    CHECK_EQ(mode_of("f"), 0644);
    CHECK_EQ(mode_of("link"), 0777);
    CHECK_OK(chown(path, -1, -1));
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, path, times, 0));
    struct stat st;
    CHECK_OK(lstat("link", &st));
    CHECK_EQ(st.st_mtime, 1000);
    CHECK_OK(stat("f", &st));
    CHECK(st.st_mtime != 1000);
    close(fd);
    // An open file's link changes the file.
    fd = CHECK_OK(open("f", O_RDONLY));
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    CHECK_OK(chmod(path, 0600));
    CHECK_EQ(mode_of("f"), 0600);
    close(fd);
    CHECK_ERR(chmod(path, 0600), ENOENT);
    CHECK_ERR(syscall(SYS_chmod, BAD_PTR, 0600), EFAULT);
    CHECK_ERR(fchownat(AT_FDCWD, "f", -1, -1, 0x8000), EINVAL);
}

TEST(access_and_faccessat2) {
    check_write_file("f", "x");
    CHECK_OK(chmod("f", 0644));
    CHECK_OK(access("f", F_OK));
    CHECK_OK(access("f", R_OK | W_OK));
    CHECK_ERR(access("f", X_OK), EACCES); // no execute bit: even root is refused
    CHECK_ERR(access("f", 8), EINVAL);
    CHECK_ERR(access("missing", F_OK), ENOENT);
    CHECK_ERR(syscall(SYS_access, BAD_PTR, F_OK), EFAULT);
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0), ENOENT);
    CHECK_OK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x8000), EINVAL);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH));
    close(fd);
    if (!is_root()) {
        CHECK_OK(chmod("f", 0400));
        CHECK_ERR(access("f", W_OK), EACCES);
    }
}

// A /proc/sys file is writable by its own rules, not its mode bits alone (the user
// namespace counts want CAP_SYS_RESOURCE): access(W_OK) answers as opening it does.
TEST(access_of_proc_sys_files) {
    static const char *const files[] = {"/proc/sys/user/max_user_namespaces",
                                        "/proc/sys/kernel/hostname", "/proc/sys/kernel/version",
                                        "/proc/sys/vm/overcommit_memory"};
    for (unsigned i = 0; i < sizeof files / sizeof *files; i++) {
        int fd = open(files[i], O_WRONLY);
        int opened_errno = errno;
        if (fd >= 0)
            close(fd);
        if (fd >= 0)
            CHECK_OK(access(files[i], W_OK));
        else if (opened_errno == EACCES || opened_errno == EPERM)
            CHECK_ERR(access(files[i], W_OK), EACCES);
        CHECK_OK(access(files[i], R_OK));
    }
}

TEST(readlink_and_readlinkat) {
    CHECK_OK(symlink("target-text", "link"));
    char text[64] = {0};
    CHECK_EQ(readlink("link", text, sizeof text), 11);
    CHECK_MEM(text, "target-text", 11);
    memset(text, 0, sizeof text);
    CHECK_EQ(readlink("link", text, 4), 4); // cut short, not terminated
    CHECK_STR(text, "targ");
    check_write_file("f", "x");
    CHECK_ERR(readlink("f", text, sizeof text), EINVAL);
    CHECK_ERR(readlink("link", text, 0), EINVAL);
    CHECK_ERR(readlink("missing", text, sizeof text), ENOENT);
    CHECK_ERR(syscall(SYS_readlink, "link", BAD_PTR, 64), EFAULT);
    CHECK_ERR(readlinkat(999, "link", text, sizeof text), EBADF);
    CHECK_ERR(readlinkat(AT_FDCWD, "", text, sizeof text), ENOENT);
}

TEST(getcwd_and_chdir) {
    char cwd[PATH_MAX], now[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_EQ(syscall(SYS_getcwd, now, sizeof now), strlen(cwd) + 1);
    CHECK_ERR(syscall(SYS_getcwd, now, 1), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, now, 0), ERANGE);
    CHECK_ERR(syscall(SYS_getcwd, BAD_PTR, sizeof now), EFAULT);
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(symlink("d", "link"));
    CHECK_OK(chdir("link"));
    CHECK(getcwd(now, sizeof now) != NULL);
    char expected[PATH_MAX + 4];
    snprintf(expected, sizeof expected, "%s/d", cwd);
    CHECK_STR(now, expected); // the directory's real path, not the link's
    CHECK_OK(chdir(".."));
    CHECK(getcwd(now, sizeof now) != NULL);
    CHECK_STR(now, cwd);
    int dir = CHECK_OK(open("link", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fchdir(dir));
    CHECK(getcwd(now, sizeof now) != NULL);
    CHECK_STR(now, expected);
    // Relative to a directory found through a link, and through a link again: the real
    // path still; an O_PATH directory under a link is named by its real path too.
    CHECK_OK(chdir(cwd));
    CHECK_OK(mkdir("d/e", 0755));
    CHECK_OK(symlink("e", "d/to_e"));
    char inner_expected[PATH_MAX + 8];
    snprintf(inner_expected, sizeof inner_expected, "%s/e", expected);
    int inner = CHECK_OK(openat(dir, "to_e", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fchdir(inner));
    CHECK(getcwd(now, sizeof now) != NULL);
    CHECK_STR(now, inner_expected);
    close(inner);
    CHECK_OK(chdir(cwd));
    inner = CHECK_OK(open("link/e", O_PATH | O_NOFOLLOW | O_DIRECTORY));
    CHECK_OK(fchdir(inner));
    CHECK(getcwd(now, sizeof now) != NULL);
    CHECK_STR(now, inner_expected);
    close(inner);
    CHECK_OK(chdir(cwd));
    close(dir);
    check_write_file("f", "x");
    CHECK_ERR(chdir("f"), ENOTDIR);
    CHECK_ERR(chdir("missing"), ENOENT);
    CHECK_ERR(syscall(SYS_chdir, BAD_PTR), EFAULT);
    CHECK_OK(chdir(cwd));
}

TEST(mkdir_and_rmdir) {
    CHECK_OK(mkdir("d", 0755));
    struct stat st;
    CHECK_OK(stat("d", &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_ERR(mkdir("d", 0755), EEXIST);
    CHECK_ERR(mkdir("missing/d", 0755), ENOENT);
    CHECK_ERR(mkdirat(999, "x", 0755), EBADF);
    CHECK_ERR(syscall(SYS_mkdir, BAD_PTR, 0755), EFAULT);
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(mkdir("dangling", 0755), EEXIST);
    check_write_file("d/f", "x");
    CHECK_ERR(rmdir("d"), ENOTEMPTY);
    CHECK_ERR(rmdir("d/f"), ENOTDIR);
    CHECK_ERR(rmdir("d/."), EINVAL);
    CHECK_ERR(rmdir("missing"), ENOENT);
    CHECK_OK(unlink("d/f"));
    CHECK_OK(rmdir("d"));
    CHECK_ERR(stat("d", &st), ENOENT);
}

TEST(unlink_and_unlinkat) {
    check_write_file("f", "x");
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(unlink("f"));
    CHECK_ERR(access("f", F_OK), ENOENT);
    CHECK_ERR(unlink("f"), ENOENT);
    CHECK_ERR(unlink("d"), EISDIR);
    check_write_file("g", "x");
    CHECK_ERR(unlinkat(AT_FDCWD, "g", AT_REMOVEDIR), ENOTDIR);
    CHECK_ERR(unlinkat(AT_FDCWD, "g", 0x8000), EINVAL);
    CHECK_OK(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
    CHECK_OK(unlinkat(AT_FDCWD, "g", 0));
    CHECK_ERR(syscall(SYS_unlink, BAD_PTR), EFAULT);
}

// The working directory is the directory, not its name: it stays the same directory when
// the process renames it or one of its ancestors, or exchanges it.
static void check_cwd_is(const char *expected) {
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR(cwd, expected);
}

TEST(working_directory_follows_its_rename) {
    char top[PATH_MAX], path[PATH_MAX + 32], moved[PATH_MAX + 32];
    CHECK(getcwd(top, sizeof top) != NULL);
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("a/b", 0755));
    CHECK_OK(chdir("a/b"));
    snprintf(path, sizeof path, "%s/a/b", top);
    snprintf(moved, sizeof moved, "%s/a/c", top);
    CHECK_OK(rename(path, moved)); // the directory itself, by its full name
    check_cwd_is(moved);
    check_write_file("f", "x");
    CHECK_OK(access(moved, F_OK));
    CHECK_OK(rename("f", "g")); // relative names resolve in the moved directory
    CHECK_OK(rename("../../a", "../../z")); // an ancestor, by a relative name
    snprintf(moved, sizeof moved, "%s/z/c", top);
    check_cwd_is(moved);
    snprintf(path, sizeof path, "%s/z/c/g", top);
    CHECK_OK(access(path, F_OK));
    CHECK_OK(mkdir("../other", 0755));
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, ".", AT_FDCWD, "../other", RENAME_EXCHANGE), EBUSY);
    CHECK_ERR(rename("../c/..", "../x"), EBUSY); // only names are renamed
    CHECK_ERR(rename("g", "/"), EBUSY);
    CHECK_ERR(rename("g", "."), EBUSY);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "g", AT_FDCWD, "..", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(rename("missing/.", "x"), ENOENT);
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "../c", AT_FDCWD, "../other", RENAME_EXCHANGE));
    snprintf(moved, sizeof moved, "%s/z/other", top);
    check_cwd_is(moved);
    CHECK_OK(access("g", F_OK));
    CHECK_OK(rename("../c", "../renamed")); // the other directory: the cwd stays
    check_cwd_is(moved);
    CHECK_OK(symlink("z", "../../link"));
    CHECK_OK(rename("../other", "../../link/last")); // to a name a link leads through
    snprintf(moved, sizeof moved, "%s/z/last", top);
    check_cwd_is(moved);
    CHECK_OK(chdir(top));
}

TEST(rename_and_renameat2) {
    check_write_file("a", "A");
    check_write_file("b", "B");
    CHECK_OK(rename("a", "c"));
    CHECK_ERR(access("a", F_OK), ENOENT);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
    CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b", RENAME_EXCHANGE));
    char text[4] = {0};
    int fd = CHECK_OK(open("b", O_RDONLY));
    CHECK_EQ(read(fd, text, 3), 1);
    CHECK_STR(text, "A");
    close(fd);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b",
                      RENAME_EXCHANGE | RENAME_NOREPLACE),
              EINVAL);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
    CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b", 0x100), EINVAL);
    CHECK_ERR(rename("missing", "x"), ENOENT);
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(mkdir("e", 0755));
    check_write_file("e/f", "x");
    CHECK_ERR(rename("d", "e"), ENOTEMPTY);
    CHECK_ERR(rename("b", "e"), EISDIR);
    CHECK_ERR(rename("d", "b"), ENOTDIR);
}

TEST(link_and_linkat) {
    check_write_file("f", "x");
    CHECK_OK(link("f", "g"));
    struct stat st, target;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_nlink, 2);
    CHECK_ERR(link("f", "g"), EEXIST);
    CHECK_ERR(link("missing", "h"), ENOENT);
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(link("d", "h"), EPERM);
    CHECK_OK(symlink("f", "sym"));
    CHECK_OK(linkat(AT_FDCWD, "sym", AT_FDCWD, "plain", 0)); // the link itself
    CHECK_OK(lstat("plain", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(linkat(AT_FDCWD, "sym", AT_FDCWD, "followed", AT_SYMLINK_FOLLOW));
    CHECK_OK(lstat("followed", &st));
    CHECK_OK(stat("f", &target));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_ino, target.st_ino);
    CHECK_ERR(linkat(AT_FDCWD, "f", AT_FDCWD, "x", 0x8000), EINVAL);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(linkat(fd, "", AT_FDCWD, "by_descriptor", AT_EMPTY_PATH)); // its opener may
    CHECK_OK(stat("by_descriptor", &st));
    CHECK_EQ(st.st_ino, target.st_ino);
    close(fd);
    CHECK_ERR(syscall(SYS_link, BAD_PTR, "x"), EFAULT);
}

// A file with the most hard links its file system allows (ext4: 65000) takes no more:
// EMLINK, not a descriptor table's EMFILE. A file system without a limit is not tested.
TEST(link_past_the_most_links) {
    check_write_file("f", "x");
    CHECK_OK(mkdir("links", 0755));
    char name[64];
    int made = 0, error = 0;
    for (; made < 70000; made++) {
        snprintf(name, sizeof name, "links/%d", made);
        if (link("f", name) != 0) {
            error = errno;
            break;
        }
    }
    if (made == 70000)
        return;
    CHECK_EQ(error, EMLINK);
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_nlink, made + 1);
    CHECK_ERR(linkat(AT_FDCWD, "f", AT_FDCWD, "one_more", 0), EMLINK);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(linkat(fd, "", AT_FDCWD, "one_more", AT_EMPTY_PATH), EMLINK);
    close(fd);
    CHECK_ERR(linkat(fd, "", AT_FDCWD, "one_more", AT_EMPTY_PATH), EBADF);
    CHECK_ERR(linkat(AT_FDCWD, "f", AT_FDCWD, "one_more", 0x8000), EINVAL);
    CHECK_ERR(syscall(SYS_link, "f", BAD_PTR), EFAULT);
}

TEST(symlink_and_symlinkat) {
    CHECK_OK(symlink("anything", "link"));
    struct stat st;
    CHECK_OK(lstat("link", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(st.st_size, 8);
    CHECK_ERR(symlink("x", "link"), EEXIST);
    CHECK_ERR(symlink("", "empty"), ENOENT);
    CHECK_ERR(symlink("x", "missing/link"), ENOENT);
    CHECK_ERR(symlinkat("x", 999, "l2"), EBADF);
    CHECK_ERR(syscall(SYS_symlink, BAD_PTR, "l3"), EFAULT);
}

TEST(chmod_and_fchmodat) {
    check_write_file("f", "x");
    CHECK_OK(chmod("f", 0600));
    CHECK_EQ(mode_of("f"), 0600);
    CHECK_OK(symlink("f", "link"));
    CHECK_OK(chmod("link", 0640)); // follows the link
    CHECK_EQ(mode_of("f"), 0640);
    CHECK_OK(fchmodat(AT_FDCWD, "f", 04755, 0));
    CHECK_EQ(mode_of("f"), 04755);
    CHECK_ERR(chmod("missing", 0644), ENOENT);
    CHECK_ERR(chmod("f/x", 0644), ENOTDIR);
    CHECK_ERR(syscall(SYS_chmod, BAD_PTR, 0644), EFAULT);
    CHECK_ERR(syscall(SYS_fchmodat, 999, "f", 0644), EBADF);
}

// fchmodat2 (Linux 6.6): fchmodat with flags; a symbolic link's own mode cannot change.
TEST(fchmodat2_flags_and_edges) {
    check_write_file("f", "x");
    CHECK_OK(symlink("f", "link"));
    CHECK_OK(syscall(452, AT_FDCWD, "f", 0640, 0));
    CHECK_EQ(mode_of("f"), 0640);
    CHECK_OK(syscall(452, AT_FDCWD, "link", 0604, 0)); // follows the link
    CHECK_EQ(mode_of("f"), 0604);
    CHECK_OK(syscall(452, AT_FDCWD, "f", 0600, AT_SYMLINK_NOFOLLOW)); // not a link: changes
    CHECK_EQ(mode_of("f"), 0600);
    CHECK_ERR(syscall(452, AT_FDCWD, "link", 0644, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
    CHECK_EQ(mode_of("f"), 0600);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(syscall(452, fd, "", 0644, AT_EMPTY_PATH));
    CHECK_EQ(mode_of("f"), 0644);
    CHECK_ERR(syscall(452, fd, "", 0644, 0), ENOENT); // an empty path without the flag
    int link_fd = CHECK_OK(open("link", O_PATH | O_NOFOLLOW));
    CHECK_ERR(syscall(452, link_fd, "", 0644, AT_EMPTY_PATH), EOPNOTSUPP);
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(chdir("d"));
    CHECK_OK(syscall(452, AT_FDCWD, "", 0700, AT_EMPTY_PATH)); // the working directory
    CHECK_OK(chdir(".."));
    CHECK_EQ(mode_of("d"), 0700);
    CHECK_ERR(syscall(452, AT_FDCWD, "f", 0644, 0x8000), EINVAL); // an unknown flag
    CHECK_ERR(syscall(452, AT_FDCWD, "f", 0644, AT_SYMLINK_FOLLOW), EINVAL);
    CHECK_ERR(syscall(452, AT_FDCWD, BAD_PTR, 0644, 0), EFAULT);
    CHECK_ERR(syscall(452, 999, "f", 0644, 0), EBADF);
    CHECK_ERR(syscall(452, 999, "", 0644, AT_EMPTY_PATH), EBADF);
    CHECK_ERR(syscall(452, AT_FDCWD, "missing", 0644, AT_SYMLINK_NOFOLLOW), ENOENT);
    close(fd), close(link_fd);
}

// futimesat: utimensat's work with microseconds and no flags.
TEST(futimesat_times_and_edges) {
    check_write_file("f", "x");
    struct timeval times[2] = {{1000, 5}, {2000, 999999}};
    CHECK_OK(syscall(SYS_futimesat, AT_FDCWD, "f", times));
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_atim.tv_sec, 1000);
    CHECK_EQ(st.st_atim.tv_nsec, 5000);
    CHECK_EQ(st.st_mtim.tv_sec, 2000);
    CHECK_EQ(st.st_mtim.tv_nsec, 999999000);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(syscall(SYS_futimesat, dir, "f", NULL)); // both now
    CHECK_OK(stat("f", &st));
    CHECK(st.st_mtim.tv_sec > 2000);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(syscall(SYS_futimesat, fd, NULL, times)); // no path: the open file
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_mtim.tv_sec, 2000);
    struct timeval bad[2] = {{0, 1000000}, {0, 0}}, negative[2] = {{0, 0}, {0, -1}};
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, "f", bad), EINVAL);
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, "missing", negative), EINVAL); // before lookup
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, "f", BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, BAD_PTR, times), EFAULT);
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, NULL, times), EFAULT);
    CHECK_ERR(syscall(SYS_futimesat, AT_FDCWD, "missing", times), ENOENT);
    CHECK_ERR(syscall(SYS_futimesat, 999, "f", times), EBADF);
    CHECK_ERR(syscall(SYS_futimesat, 999, NULL, times), EBADF);
    CHECK_ERR(syscall(SYS_futimesat, dir, "f/x", times), ENOTDIR);
    close(fd), close(dir);
}

TEST(utimensat_times) {
    check_write_file("f", "x");
    struct timespec times[2] = {{1000, 5}, {2000, 7}};
    CHECK_OK(utimensat(AT_FDCWD, "f", times, 0));
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_atim.tv_sec, 1000);
    CHECK_EQ(st.st_mtim.tv_sec, 2000);
    CHECK_EQ(st.st_mtim.tv_nsec, 7);
    struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    CHECK_OK(utimensat(AT_FDCWD, "f", omit_now, 0));
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_atim.tv_sec, 1000);
    CHECK(st.st_mtim.tv_sec > 2000);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    CHECK_OK(utimensat(AT_FDCWD, "missing", omit, 0)); // nothing to do: no lookup
    CHECK_OK(symlink("f", "link"));
    CHECK_OK(utimensat(AT_FDCWD, "link", times, AT_SYMLINK_NOFOLLOW));
    CHECK_OK(lstat("link", &st));
    CHECK_EQ(st.st_mtim.tv_sec, 2000);
    CHECK_OK(stat("f", &st));
    CHECK(st.st_mtim.tv_sec > 2000);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    CHECK_ERR(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "f", times, 0x8000), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, "missing", times, 0), ENOENT);
    CHECK_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", BAD_PTR, 0), EFAULT);
    CHECK_OK(utimensat(AT_FDCWD, "f", NULL, 0));
    // No path and a descriptor: futimens, which takes no flag (LTP utimensat01).
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(syscall(SYS_utimensat, fd, NULL, NULL, AT_SYMLINK_NOFOLLOW), EINVAL);
    CHECK_ERR(syscall(SYS_utimensat, fd, NULL, NULL, AT_EMPTY_PATH), EINVAL);
    CHECK_OK(syscall(SYS_utimensat, fd, NULL, NULL, 0));
    close(fd);
    CHECK_ERR(syscall(SYS_utimensat, 999, NULL, NULL, 0), EBADF);
}

TEST(truncate_by_path) {
    check_write_file("f", "hello");
    CHECK_OK(truncate("f", 2));
    struct stat st;
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_size, 2);
    CHECK_OK(truncate("f", 10000));
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_size, 10000);
    CHECK_ERR(truncate("f", -1), EINVAL);
    CHECK_OK(mkdir("d", 0755));
    CHECK_ERR(truncate("d", 0), EISDIR);
    CHECK_ERR(truncate("missing", 0), ENOENT);
    CHECK_ERR(syscall(SYS_truncate, BAD_PTR, 0), EFAULT);
}

TEST(statfs_by_path_and_descriptor) {
    struct statfs fs;
    CHECK_OK(statfs(".", &fs));
    CHECK(fs.f_bsize > 0);
    CHECK(fs.f_namelen > 0);
    CHECK_ERR(statfs("missing", &fs), ENOENT);
    CHECK_ERR(syscall(SYS_statfs, ".", BAD_PTR), EFAULT);
    CHECK_ERR(fstatfs(999, &fs), EBADF);
    int fd = CHECK_OK(open(".", O_RDONLY));
    CHECK_OK(fstatfs(fd, &fs));
    close(fd);
}

TEST(faccessat_renameat_symlinkat_lstat) {
    check_write_file("f", "x");
    CHECK_OK(syscall(SYS_faccessat, AT_FDCWD, "f", R_OK));
    CHECK_ERR(syscall(SYS_faccessat, AT_FDCWD, "missing", F_OK), ENOENT);
    CHECK_ERR(syscall(SYS_faccessat, AT_FDCWD, "f", 0x10), EINVAL);
    CHECK_ERR(syscall(SYS_faccessat, 999, "f", F_OK), EBADF);
    CHECK_OK(syscall(SYS_renameat, AT_FDCWD, "f", AT_FDCWD, "g"));
    CHECK_ERR(syscall(SYS_renameat, AT_FDCWD, "f", AT_FDCWD, "h"), ENOENT);
    CHECK_ERR(syscall(SYS_renameat, 999, "g", AT_FDCWD, "h"), EBADF);
    CHECK_ERR(syscall(SYS_renameat, AT_FDCWD, BAD_PTR, AT_FDCWD, "h"), EFAULT);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(symlinkat("g", dir, "link"));
    CHECK_ERR(symlinkat("g", dir, "link"), EEXIST);
    CHECK_ERR(syscall(SYS_symlinkat, "g", dir, BAD_PTR), EFAULT);
    int file = CHECK_OK(open("g", O_RDONLY));
    CHECK_ERR(symlinkat("g", file, "l2"), ENOTDIR);
    close(file);
    close(dir);
    struct stat st;
    CHECK_OK(lstat("link", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(lstat("missing", &st), ENOENT);
    CHECK_ERR(lstat("g/x", &st), ENOTDIR);
    CHECK_ERR(syscall(SYS_lstat, "link", BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_lstat, BAD_PTR, &st), EFAULT);
}

TEST(xattr_link_and_descriptor_edges) {
    char buffer[64];
    CHECK_ERR(lgetxattr("missing", "user.a", buffer, sizeof buffer), ENOENT);
    CHECK_ERR(lsetxattr("missing", "user.a", "1", 1, 0), ENOENT);
    CHECK_ERR(lremovexattr("missing", "user.a"), ENOENT);
    CHECK_ERR(fsetxattr(999, "user.a", "1", 1, 0), EBADF);
    CHECK_ERR(fremovexattr(999, "user.a"), EBADF);
    check_write_file("f", "x");
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(fsetxattr(fd, "user.a", "1", 1, 8), EINVAL);
    CHECK_ERR(fgetxattr(fd, "", buffer, sizeof buffer), ERANGE);
    CHECK_ERR(fremovexattr(fd, ""), ERANGE);
    CHECK_ERR(syscall(SYS_fgetxattr, fd, BAD_PTR, buffer, sizeof buffer), EFAULT);
    CHECK_EQ(flistxattr(fd, NULL, 0) >= 0 || errno == EOPNOTSUPP, 1);
    close(fd);
}
