// SPDX-License-Identifier: MIT
// The fanotify family: fanotify_init, fanotify_mark, and a group's reads (events whose
// descriptors name the files), polls and writes (answers to permission events). A group
// needs CAP_SYS_ADMIN: without it (natively in a container) the tests run nothing.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP_SYS_ADMIN_NUMBER 21

static char event_bytes[8192] __attribute__((aligned(8)));

static int privileged(void) { return check_capable(CAP_SYS_ADMIN_NUMBER) == 1; }

// The path of the open file `fd`, as /proc/self/fd names it.
static void link_of(int fd, char *out, size_t size) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    out[n < 0 ? 0 : n] = 0;
}

// `name` in the working directory, as an absolute path.
static void here(const char *name, char *out, size_t size) {
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK((size_t)snprintf(out, size, "%.2000s/%s", cwd, name) < size);
}

// The events queued now on the non-blocking group: their masks or'ed, each checked to
// come from this process, to name `path` with descriptor flags `fd_flags`, and closed.
static uint64_t drain_events(int group, const char *path, int fd_flags) {
    uint64_t masks = 0;
    ssize_t n;
    while ((n = read(group, event_bytes, sizeof event_bytes)) > 0) {
        struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)event_bytes;
        for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
            CHECK_EQ(m->vers, FANOTIFY_METADATA_VERSION);
            CHECK_EQ(m->metadata_len, sizeof *m);
            CHECK_EQ(m->pid, getpid());
            CHECK(m->fd >= 0);
            char shown[PATH_MAX];
            link_of(m->fd, shown, sizeof shown);
            CHECK_STR(shown, path);
            CHECK_EQ(fcntl(m->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
            CHECK_EQ(fcntl(m->fd, F_GETFD), fd_flags);
            masks |= m->mask;
            CHECK_OK(close(m->fd));
        }
    }
    CHECK_EQ(n, -1);
    CHECK_EQ(errno, EAGAIN);
    return masks;
}

TEST(a_marked_directory_reports_its_childrens_open_modify_close) {
    if (!privileged())
        return;
    int group = CHECK_OK(fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC,
                                       O_RDONLY | O_CLOEXEC));
    CHECK_EQ(fcntl(group, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(group, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    char shown[PATH_MAX];
    link_of(group, shown, sizeof shown);
    CHECK_STR(shown, "anon_inode:[fanotify]");
    CHECK_OK(mkdir("d", 0755));
    CHECK_OK(fanotify_mark(group, FAN_MARK_ADD | FAN_MARK_ONLYDIR,
                           FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD,
                           AT_FDCWD, "d"));
    CHECK_ERR(read(group, event_bytes, sizeof event_bytes), EAGAIN);
    struct pollfd p = {group, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 0);
    int f = CHECK_OK(open("d/f", O_WRONLY | O_CREAT, 0644));
    CHECK_EQ(write(f, "x", 1), 1);
    CHECK_OK(close(f));
    CHECK_EQ(poll(&p, 1, 1000), 1);
    CHECK_EQ(p.revents, POLLIN);
    // FIONREAD: the bytes of the queued events' metadata; EFAULT for a bad pointer; a
    // request the group does not know: ENOTTY.
    int queued = 0;
    CHECK_OK(ioctl(group, FIONREAD, &queued));
    CHECK(queued >= (int)sizeof(struct fanotify_event_metadata));
    CHECK_EQ(queued % sizeof(struct fanotify_event_metadata), 0);
    CHECK_ERR(ioctl(group, FIONREAD, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(group, TCGETS, &queued), ENOTTY);
    char path[PATH_MAX];
    here("d/f", path, sizeof path);
    CHECK_EQ(drain_events(group, path, FD_CLOEXEC), FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE);
    // Removed, the mark reports nothing more; removed again, there is none (ENOENT).
    CHECK_OK(fanotify_mark(group, FAN_MARK_REMOVE,
                           FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD,
                           AT_FDCWD, "d"));
    CHECK_ERR(fanotify_mark(group, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, "d"), ENOENT);
    f = CHECK_OK(open("d/f", O_RDONLY));
    CHECK_OK(close(f));
    CHECK_EQ(drain_events(group, path, FD_CLOEXEC), 0);
    CHECK_OK(close(group));
}

TEST(a_mark_of_an_open_file_and_a_flush) {
    if (!privileged())
        return;
    int group = CHECK_OK(fanotify_init(FAN_NONBLOCK, O_RDONLY));
    check_write_file("f", "abc");
    int f = CHECK_OK(open("f", O_RDONLY));
    // No path: the mark is on dirfd's file; AT_FDCWD is then no descriptor (EBADF).
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD, FAN_ACCESS, AT_FDCWD, NULL), EBADF);
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_ACCESS, f, NULL),
              ENOTDIR);
    CHECK_OK(fanotify_mark(group, FAN_MARK_ADD, FAN_ACCESS, f, NULL));
    char c;
    CHECK_EQ(read(f, &c, 1), 1);
    char path[PATH_MAX];
    here("f", path, sizeof path);
    CHECK_EQ(drain_events(group, path, 0), FAN_ACCESS);
    // A flush takes no other flag than the mark's type; then no event comes.
    CHECK_ERR(fanotify_mark(group, FAN_MARK_FLUSH | FAN_MARK_ONLYDIR, 0, AT_FDCWD, NULL),
              EINVAL);
    CHECK_OK(fanotify_mark(group, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL));
    CHECK_EQ(read(f, &c, 1), 1);
    CHECK_EQ(drain_events(group, path, 0), 0);
    CHECK_OK(close(f));
    CHECK_OK(close(group));
}

// A child opens the marked file; the group's answer decides whether it may.
static int open_in_child(pid_t *child) {
    *child = fork();
    if (*child == 0) {
        int f = open("f", O_RDONLY);
        _exit(f >= 0 ? 0 : errno);
    }
    return *child > 0;
}

static void answer_permission(int group, pid_t child, uint32_t answer, int expected_status) {
    ssize_t n = CHECK_OK(read(group, event_bytes, sizeof event_bytes));
    struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)event_bytes;
    CHECK(FAN_EVENT_OK(m, n));
    CHECK_EQ(m->mask, FAN_OPEN_PERM);
    CHECK_EQ(m->pid, child);
    char shown[PATH_MAX], path[PATH_MAX];
    link_of(m->fd, shown, sizeof shown);
    here("f", path, sizeof path);
    CHECK_STR(shown, path);
    // A response names a decision (EINVAL for another), and FAN_AUDIT needs the group's
    // FAN_ENABLE_AUDIT; a write too short for one is EINVAL, a bad buffer EFAULT.
    struct fanotify_response r = {m->fd, FAN_ALLOW | FAN_DENY};
    CHECK_ERR(write(group, &r, sizeof r), EINVAL);
    r.response = FAN_ALLOW | FAN_AUDIT;
    CHECK_ERR(write(group, &r, sizeof r), EINVAL);
    CHECK_ERR(write(group, &r, sizeof r - 1), EINVAL);
    CHECK_ERR(syscall(SYS_write, group, BAD_PTR, sizeof r), EFAULT);
    r.response = answer;
    CHECK_EQ(write(group, &r, sizeof r), sizeof r);
    // Answered, the event is gone: the same descriptor names none (ENOENT).
    CHECK_ERR(write(group, &r, sizeof r), ENOENT);
    CHECK_OK(close(m->fd));
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), expected_status);
}

TEST(a_permission_event_is_answered_for_a_childs_open) {
    if (!privileged())
        return;
    int group = CHECK_OK(fanotify_init(FAN_CLASS_CONTENT, O_RDONLY));
    check_write_file("f", "abc");
    CHECK_OK(fanotify_mark(group, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, "f"));
    pid_t child;
    CHECK(open_in_child(&child));
    answer_permission(group, child, FAN_DENY, EPERM);
    CHECK(open_in_child(&child));
    answer_permission(group, child, FAN_ALLOW, 0);
    // A descriptor that names no event of the group: ENOENT.
    struct fanotify_response r = {group, FAN_ALLOW};
    CHECK_ERR(write(group, &r, sizeof r), ENOENT);
    CHECK_OK(close(group));
}

TEST(fanotify_init_checks_its_flags) {
    if (!privileged())
        return;
    CHECK_ERR(fanotify_init(0x80000000u, O_RDONLY), EINVAL);
    CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, O_ACCMODE), EINVAL);
    CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, 0x80000000u), EINVAL);
    // A file id report is for notification groups; a name needs the directory's id.
    CHECK_ERR(fanotify_init(FAN_CLASS_CONTENT | FAN_REPORT_FID, O_RDONLY), EINVAL);
    CHECK_ERR(fanotify_init(FAN_REPORT_NAME, O_RDONLY), EINVAL);
}

TEST(fanotify_mark_checks_in_the_kernels_order) {
    if (!privileged())
        return;
    int group = CHECK_OK(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY));
    check_write_file("f", "");
    // The flags and the mask before the descriptor.
    CHECK_ERR(fanotify_mark(-1, 0x80000000u | FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "f"), EINVAL);
    CHECK_ERR(fanotify_mark(-1, FAN_MARK_ADD, 1ull << 32 | FAN_OPEN, AT_FDCWD, "f"), EINVAL);
    CHECK_ERR(fanotify_mark(-1, FAN_MARK_ADD | FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, "f"),
              EINVAL);
    CHECK_ERR(fanotify_mark(-1, FAN_MARK_ADD, 0, AT_FDCWD, "f"), EINVAL);
    CHECK_ERR(fanotify_mark(-1, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "f"), EBADF);
    int pipe_ends[2];
    CHECK_OK(pipe(pipe_ends));
    CHECK_ERR(fanotify_mark(pipe_ends[0], FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "f"), EINVAL);
    // The group before the path: permission events need a content class, a directory
    // entry's events a file id report.
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, "missing"), EINVAL);
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, "missing"), EINVAL);
    // The path.
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, BAD_PTR), EFAULT);
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "missing"), ENOENT);
    CHECK_ERR(fanotify_mark(group, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN, AT_FDCWD, "f"),
              ENOTDIR);
    CHECK_OK(symlink("f", "link"));
    CHECK_OK(fanotify_mark(group, FAN_MARK_ADD | FAN_MARK_DONT_FOLLOW, FAN_OPEN, AT_FDCWD,
                           "link"));
    CHECK_OK(close(pipe_ends[0]));
    CHECK_OK(close(pipe_ends[1]));
    CHECK_OK(close(group));
}

static void init_as_nobody(void) {
    CHECK_ERR(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY), EPERM);
    CHECK_ERR(fanotify_init(FAN_CLASS_CONTENT | FAN_REPORT_FID, O_RDONLY), EPERM);
}

TEST(fanotify_init_needs_cap_sys_admin) {
    if (!privileged())
        return;
    check_in_child_as_nobody(init_as_nobody);
}

TEST(a_group_is_shared_by_dup_and_fork) {
    if (!privileged())
        return;
    int group = CHECK_OK(fanotify_init(FAN_NONBLOCK, O_RDONLY));
    check_write_file("f", "");
    CHECK_OK(fanotify_mark(group, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "f"));
    int copy = CHECK_OK(dup(group));
    pid_t child = fork();
    if (child == 0) {
        int f = open("f", O_RDONLY);
        _exit(f >= 0 ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    ssize_t n = CHECK_OK(read(copy, event_bytes, sizeof event_bytes));
    struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)event_bytes;
    CHECK(FAN_EVENT_OK(m, n));
    CHECK_EQ(m->mask, FAN_OPEN);
    CHECK_EQ(m->pid, child); // a process gone: still its pid, as the kernel kept it
    CHECK_OK(close(m->fd));
    // A buffer too small for one event: EINVAL, the event stays.
    CHECK_OK(close(CHECK_OK(open("f", O_RDONLY))));
    CHECK_ERR(read(group, event_bytes, 4), EINVAL);
    CHECK_ERR(syscall(SYS_read, group, BAD_PTR, sizeof event_bytes), EFAULT);
    CHECK_OK(close(copy));
    CHECK_OK(close(group));
}
