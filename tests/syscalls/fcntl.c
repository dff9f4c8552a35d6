// SPDX-License-Identifier: MIT
// The fcntl family: fcntl (descriptor and status flags, record locks, owner and signal,
// leases, F_NOTIFY, pipe size, seals), flock and ioctl (with the file systems' requests,
// FS_IOC_*FLAGS, FS_IOC_FS*XATTR, FICLONE, FICLONERANGE, and /dev/net/tun's features).
#include "check.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/random.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int make_file(const char *path, const char *text) {
    check_write_file(path, text);
    return open(path, O_RDWR);
}

static long page_size(void) { return sysconf(_SC_PAGESIZE); }

TEST(fcntl_dupfd_lowest) {
    int fd = make_file("f", "x");
    CHECK_EQ(fcntl(fd, F_DUPFD, 100), 100);
    CHECK_EQ(fcntl(fd, F_DUPFD, 100), 101);
    CHECK_EQ(fcntl(100, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 100), 102);
    CHECK_EQ(fcntl(102, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD, 1 << 30), EINVAL);
    CHECK_ERR(fcntl(-1, F_DUPFD, 0), EBADF);
    close(100), close(101), close(102), close(fd);
}

TEST(fcntl_fd_flags) {
    int fd = make_file("f", "x");
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK(fcntl(fd, F_SETFD, 0xfe)); // only FD_CLOEXEC counts
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_ERR(fcntl(-1, F_GETFD), EBADF);
    CHECK_ERR(fcntl(fd, 12345), EINVAL);
    close(fd);
}

TEST(fcntl_status_flags) {
    check_write_file("f", "abc");
    int fd = open("f", O_WRONLY);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_WRONLY);
    CHECK_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR | O_TRUNC));
    int flags = fcntl(fd, F_GETFL);
    CHECK_EQ(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_TRUNC), O_WRONLY | O_APPEND | O_NONBLOCK);
    CHECK_EQ(pwrite(fd, "d", 1, 0), 1); // O_APPEND: at the end, whatever the offset
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
    CHECK_EQ(pwrite(fd, "X", 1, 0), 1);
    char buf[8] = {0};
    int rd = open("f", O_RDONLY);
    CHECK_EQ(read(rd, buf, sizeof buf), 4);
    CHECK_MEM(buf, "Xbcd", 4);
    CHECK_ERR(fcntl(-1, F_SETFL, 0), EBADF);
    close(rd), close(fd);
}

TEST(fcntl_direct_flag_where_there_is_no_direct_io) {
    int fd = open("/dev/null", O_RDWR);
    CHECK_ERR(fcntl(fd, F_SETFL, O_DIRECT), EINVAL);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_DIRECT, 0);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    CHECK_ERR(fcntl(fd, F_SETFL, O_DIRECT), EINVAL);
    close(fd);
}

TEST(fcntl_async_flag) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ASYNC, O_ASYNC);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ASYNC, 0);
    int on = 1;
    CHECK_OK(ioctl(p[0], FIOASYNC, &on));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ASYNC, O_ASYNC);
    on = 0;
    CHECK_OK(ioctl(p[0], FIOASYNC, &on));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ASYNC, 0);
    CHECK_ERR(ioctl(p[0], FIOASYNC, BAD_PTR), EFAULT);
    int fd = make_file("f", "x"); // a regular file has no fasync
    on = 1;
    CHECK_ERR(ioctl(fd, FIOASYNC, &on), ENOTTY);
    on = 0;
    CHECK_OK(ioctl(fd, FIOASYNC, &on)); // no change asked
    close(fd), close(p[0]), close(p[1]);
}

TEST(fcntl_owner_and_signal) {
    int p[2];
    CHECK_OK(pipe(p));
    struct f_owner_ex fresh = {7, 7};
    CHECK_OK(fcntl(p[0], F_GETOWN_EX, &fresh)); // nobody, as a thread id
    CHECK_EQ(fresh.type, F_OWNER_TID);
    CHECK_EQ(fresh.pid, 0);
    CHECK_EQ(fcntl(p[0], F_GETOWN), 0);
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_EQ(fcntl(p[0], F_GETOWN), getpid());
    CHECK_OK(fcntl(p[0], F_SETOWN, 0));
    struct f_owner_ex owner = {7, 7};
    CHECK_OK(fcntl(p[0], F_GETOWN_EX, &owner));
    CHECK_EQ(owner.type, F_OWNER_PID);
    CHECK_EQ(owner.pid, 0);
    owner.type = F_OWNER_TID;
    owner.pid = gettid();
    CHECK_OK(fcntl(p[0], F_SETOWN_EX, &owner));
    CHECK_OK(fcntl(p[0], F_GETOWN_EX, &owner));
    CHECK_EQ(owner.type, F_OWNER_TID);
    CHECK_EQ(owner.pid, gettid());
    owner.type = 5;
    CHECK_ERR(fcntl(p[0], F_SETOWN_EX, &owner), EINVAL);
    CHECK_ERR(fcntl(p[0], F_SETOWN_EX, BAD_PTR), EFAULT);
    CHECK_EQ(fcntl(p[0], F_GETSIG), 0);
    CHECK_OK(fcntl(p[0], F_SETSIG, SIGUSR1));
    CHECK_EQ(fcntl(p[0], F_GETSIG), SIGUSR1);
    CHECK_OK(fcntl(p[0], F_SETSIG, 0));
    CHECK_ERR(fcntl(p[0], F_SETSIG, 65), EINVAL);
    CHECK_ERR(fcntl(p[0], F_SETSIG, -1), EINVAL);
    CHECK_ERR(fcntl(p[0], F_SETOWN, 999999), ESRCH);
    CHECK_ERR(fcntl(-1, F_GETSIG), EBADF);
    close(p[0]), close(p[1]);
}

TEST(fcntl_leases) {
    int fd = make_file("f", "x");
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK);
    CHECK_ERR(fcntl(fd, F_SETLEASE, F_UNLCK), EAGAIN); // no lease to drop
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fcntl(p[0], F_SETLEASE, F_UNLCK), EINVAL);
    CHECK_ERR(fcntl(-1, F_GETLEASE), EBADF);
    close(p[0]), close(p[1]), close(fd);
}

TEST(fcntl_notify) {
    int fd = make_file("f", "x");
    CHECK_OK(fcntl(fd, F_NOTIFY, 0)); // removing nothing works on any file
    CHECK_ERR(fcntl(fd, F_NOTIFY, DN_MODIFY), ENOTDIR);
    CHECK_ERR(fcntl(-1, F_NOTIFY, 0), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fcntl(p[0], F_NOTIFY, DN_CREATE), ENOTDIR);
    close(p[0]), close(p[1]), close(fd);
}

// What the last SIGIO-style signal brought.
static volatile sig_atomic_t io_signals, io_signo, io_code, io_fd, io_fds[4];
static volatile long io_band;
static void on_io(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (io_signals < 4)
        io_fds[io_signals] = info->si_fd;
    io_signals++;
    io_signo = sig, io_code = info->si_code, io_fd = info->si_fd, io_band = info->si_band;
}

static void catch_io(int sig, struct sigaction *old) {
    struct sigaction action = {.sa_sigaction = on_io, .sa_flags = SA_SIGINFO};
    sigemptyset(&action.sa_mask);
    CHECK_OK(sigaction(sig, &action, old));
    io_signals = io_signo = io_code = io_fd = 0, io_band = 0;
}

// Waits up to 5 s for the `count`th signal.
static void await_io(int count) {
    for (int i = 0; i < 5000 && io_signals < count; i++)
        usleep(1000);
    CHECK_EQ(io_signals, count);
}

TEST(fcntl_lease_held) {
    check_write_file("f", "x");
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(fcntl(fd, F_SETLEASE, 7), EINVAL);
    CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK));
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_RDLCK);
    CHECK_EQ(fcntl(fd, F_GETOWN), getpid()); // the lease's owner is the caller's process
    int reader = CHECK_OK(open("f", O_RDONLY)); // no conflict with a read lease
    CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_UNLCK);
    CHECK_ERR(fcntl(fd, F_SETLEASE, F_UNLCK), EAGAIN);
    CHECK_ERR(fcntl(fd, F_SETLEASE, F_WRLCK), EAGAIN); // the file is open elsewhere
    close(reader);
    CHECK_OK(fcntl(fd, F_SETLEASE, F_WRLCK));
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_WRLCK);
    CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK)); // downgraded
    CHECK_EQ(fcntl(fd, F_GETLEASE), F_RDLCK);
    CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
    int writer = CHECK_OK(open("f", O_RDWR));
    CHECK_ERR(fcntl(writer, F_SETLEASE, F_RDLCK), EAGAIN); // open for writing
    CHECK_ERR(fcntl(fd, F_SETLEASE, F_RDLCK), EAGAIN);
    close(writer), close(fd);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(fcntl(dir, F_SETLEASE, F_RDLCK), EINVAL);
    CHECK_EQ(fcntl(dir, F_GETLEASE), F_UNLCK);
    close(dir);
}

// An open for writing by another process breaks a read lease: the holder gets F_SETSIG's
// signal with the descriptor, and the opener waits until the lease is dropped.
TEST(fcntl_lease_break) {
    check_write_file("f", "x");
    int sig = SIGRTMIN + 1;
    struct sigaction old;
    catch_io(sig, &old);
    int fd = CHECK_OK(open("f", O_RDONLY));
    CHECK_OK(fcntl(fd, F_SETSIG, sig));
    CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        int w = open("f", O_WRONLY);
        _exit(w >= 0 ? check_failure_count() : 99);
    }
    await_io(1);
    CHECK_EQ(io_signo, sig);
    CHECK_EQ(io_code, POLL_MSG);
    CHECK_EQ(io_fd, fd);
    CHECK_EQ(io_band, POLLIN | POLLRDNORM | POLLMSG);
    CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    close(fd);
    CHECK_OK(sigaction(sig, &old, NULL));
}

// O_ASYNC on a pipe's read end: each write brings the owner F_SETSIG's signal with
// POLL_IN and the descriptor O_ASYNC was set on; nothing without an owner.
TEST(fcntl_async_signals) {
    int p[2];
    CHECK_OK(pipe(p));
    int sig = SIGRTMIN + 3;
    struct sigaction old;
    catch_io(sig, &old);
    CHECK_OK(fcntl(p[0], F_SETSIG, sig));
    CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
    CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_ASYNC);
    char c;
    CHECK_EQ(write(p[1], "a", 1), 1); // no owner yet
    usleep(20000);
    CHECK_EQ(io_signals, 0);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_EQ(write(p[1], "b", 1), 1);
    await_io(1);
    CHECK_EQ(io_signo, sig);
    CHECK_EQ(io_code, POLL_IN);
    CHECK_EQ(io_fd, p[0]);
    CHECK_EQ(io_band, POLLIN | POLLRDNORM);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    CHECK_EQ(write(p[1], "c", 1), 1);
    usleep(20000);
    CHECK_EQ(io_signals, 1);
    CHECK_EQ(read(p[0], &c, 1), 1);
    int on = 1;
    CHECK_OK(ioctl(p[0], FIOASYNC, &on));
    CHECK_EQ(write(p[1], "d", 1), 1);
    await_io(2);
    close(p[0]), close(p[1]);
    CHECK_OK(sigaction(sig, &old, NULL));
}

// Writers in other processes fill an O_ASYNC pipe faster than its reader runs: every
// write is a SIGIO on its way, and the reader takes them, keeps running and reads every
// byte (its reads end with EINTR as the signals come).
TEST(fcntl_async_flood_from_many_writers) {
    int p[2];
    CHECK_OK(pipe(p));
    struct sigaction old;
    catch_io(SIGIO, &old);
    CHECK_OK(fcntl(p[0], F_SETOWN, getpid()));
    CHECK_OK(fcntl(p[0], F_SETFL, O_ASYNC));
    enum { kWriters = 6, kWrites = 3000 };
    pid_t writers[kWriters];
    for (int i = 0; i < kWriters; i++) {
        writers[i] = CHECK_OK(fork());
        if (writers[i] == 0) {
            close(p[0]);
            for (int n = 0; n < kWrites; n++)
                if (write(p[1], "x", 1) != 1)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    long total = 0;
    char buf[4096];
    for (;;) {
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
        total += n > 0 ? n : 0;
    }
    CHECK_EQ(total, (long)kWriters * kWrites);
    for (int i = 0; i < kWriters; i++) {
        int status = -1;
        CHECK_EQ(waitpid(writers[i], &status, 0), writers[i]);
        CHECK_EQ(status, 0);
    }
    CHECK(io_signals >= 1);
    CHECK_EQ(io_signo, SIGIO);
    close(p[0]);
    CHECK_OK(sigaction(SIGIO, &old, NULL));
}

// One change two watches see (a directory's for its child, the child's own): two
// instances of the real-time signal, each with its own descriptor.
TEST(fcntl_notify_queued) {
    CHECK_OK(mkdir("sub", 0700));
    int sig = SIGRTMIN + 4;
    struct sigaction old;
    catch_io(sig, &old);
    int parent = CHECK_OK(open(".", O_RDONLY));
    int child = CHECK_OK(open("sub", O_RDONLY));
    CHECK_OK(fcntl(parent, F_SETSIG, sig));
    CHECK_OK(fcntl(parent, F_NOTIFY, DN_ATTRIB | DN_MULTISHOT));
    CHECK_OK(fcntl(child, F_SETSIG, sig));
    CHECK_OK(fcntl(child, F_NOTIFY, DN_ATTRIB | DN_MULTISHOT));
    CHECK_OK(chmod("sub", 0755));
    await_io(2);
    CHECK((io_fds[0] == parent && io_fds[1] == child) ||
          (io_fds[0] == child && io_fds[1] == parent));
    close(child), close(parent);
    CHECK_OK(sigaction(sig, &old, NULL));
}

// F_NOTIFY: each change asked for (DN_MULTISHOT: every one) brings F_SETSIG's signal with
// the directory's descriptor, or a plain SIGIO without F_SETSIG.
TEST(fcntl_notify_signals) {
    CHECK_OK(mkdir("d", 0755));
    int sig = SIGRTMIN + 2;
    struct sigaction old, old_io;
    catch_io(sig, &old);
    int dir = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY));
    CHECK_OK(fcntl(dir, F_SETSIG, sig));
    CHECK_OK(fcntl(dir, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
    CHECK_EQ(fcntl(dir, F_GETOWN), getpid());
    check_write_file("d/a", "");
    await_io(1);
    CHECK_EQ(io_signo, sig);
    CHECK_EQ(io_code, POLL_MSG);
    CHECK_EQ(io_fd, dir);
    CHECK_EQ(io_band, POLLIN | POLLRDNORM | POLLMSG);
    check_write_file("d/b", "");
    await_io(2);
    CHECK_OK(fcntl(dir, F_NOTIFY, 0)); // removed
    check_write_file("d/c", "");
    usleep(20000);
    CHECK_EQ(io_signals, 2);
    // Once (no DN_MULTISHOT), as SIGIO.
    CHECK_OK(sigaction(sig, &old, NULL));
    catch_io(SIGIO, &old_io);
    CHECK_OK(fcntl(dir, F_SETSIG, 0));
    CHECK_OK(fcntl(dir, F_NOTIFY, DN_DELETE));
    CHECK_OK(unlink("d/a"));
    await_io(1);
    CHECK_EQ(io_signo, SIGIO);
    CHECK_EQ(io_code, SI_KERNEL);
    CHECK_OK(unlink("d/b"));
    usleep(20000);
    CHECK_EQ(io_signals, 1);
    close(dir);
    CHECK_OK(sigaction(SIGIO, &old_io, NULL));
}

TEST(fcntl_pipe_size) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 16 * page_size());
    CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 3 * page_size()), 4 * page_size()); // a power of two pages
    CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 4 * page_size());
    CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), page_size());
    CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 2 * page_size()), 2 * page_size());
    char data[8192];
    memset(data, 'x', sizeof data);
    CHECK_EQ(write(p[1], data, page_size() + 1), page_size() + 1);
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, page_size()), EBUSY); // below what is buffered
    if (geteuid() != 0)
        CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 1 << 30), EPERM); // above pipe-max-size
    CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, (1U << 31) + 1), EINVAL);
    int fd = make_file("f", "x");
    CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF);
    CHECK_ERR(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
    CHECK_ERR(fcntl(-1, F_GETPIPE_SZ), EBADF);
    close(fd), close(p[0]), close(p[1]);
}

TEST(fcntl_seals_on_other_files) {
    int fd = make_file("f", "x");
    CHECK_ERR(fcntl(fd, F_GET_SEALS), EINVAL);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(fcntl(ro, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    close(ro), close(fd);
}

static void set_lock(int fd, int command, short type, short whence, off_t start, off_t length,
                     int expected_errno) {
    struct flock lock = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = length};
    if (expected_errno)
        CHECK_ERR(fcntl(fd, command, &lock), expected_errno);
    else
        CHECK_OK(fcntl(fd, command, &lock));
}

TEST(fcntl_record_locks) {
    int fd = make_file("f", "0123456789");
    set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 4, 0);
    set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 4, 0);
    set_lock(fd, F_SETLK, F_RDLCK, SEEK_END, -2, 2, 0);
    set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 2, EINVAL);
    set_lock(fd, F_SETLK, 42, SEEK_SET, 0, 2, EINVAL);
    set_lock(fd, F_SETLK, F_WRLCK, 7, 0, 2, EINVAL);
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = -5};
    CHECK_OK(fcntl(fd, F_GETLK, &probe)); // a negative length reaches back from l_start
    CHECK_EQ(probe.l_type, F_UNLCK);      // the process's own locks never conflict
    CHECK_EQ(probe.l_start, 5);           // with no conflict, only l_type changes
    CHECK_EQ(probe.l_len, -5);
    probe.l_len = -6;
    CHECK_ERR(fcntl(fd, F_GETLK, &probe), EINVAL);
    probe.l_type = F_UNLCK;
    probe.l_len = 1;
    CHECK_ERR(fcntl(fd, F_GETLK, &probe), EINVAL);
    CHECK_ERR(fcntl(fd, F_GETLK, BAD_PTR), EFAULT);
    CHECK_ERR(fcntl(-1, F_GETLK, &probe), EBADF);
    int ro = open("f", O_RDONLY);
    set_lock(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1, EBADF);
    int wo = open("f", O_WRONLY);
    set_lock(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1, EBADF);
    close(wo), close(ro), close(fd);
}

TEST(fcntl_process_locks_are_shared_by_descriptors) {
    int a = make_file("f", "0123456789"), b = open("f", O_RDWR);
    set_lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 4, 0);
    set_lock(b, F_SETLK, F_WRLCK, SEEK_SET, 2, 4, 0); // the same process: no conflict
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(b, F_GETLK, &probe));
    CHECK_EQ(probe.l_type, F_UNLCK);
    // An open file description's lock conflicts with the process's.
    int c = open("f", O_RDWR);
    set_lock(c, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1, EAGAIN);
    struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(c, F_OFD_GETLK, &ofd));
    CHECK_EQ(ofd.l_type, F_WRLCK);
    CHECK_EQ(ofd.l_pid, getpid());
    // Closing any descriptor of the file releases the process's locks.
    close(b);
    set_lock(c, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1, 0);
    set_lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1, EAGAIN);
    struct flock held = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    CHECK_OK(fcntl(a, F_GETLK, &held));
    CHECK_EQ(held.l_type, F_WRLCK);
    CHECK_EQ(held.l_pid, -1);
    close(a), close(c);
}

// A descriptor's close drops the process's locks on the file even while another
// descriptor (a dup, or one dup2 replaces) keeps the open file description: an open file
// description's lock (another owner) can be taken at once after it.
TEST(fcntl_process_locks_go_at_the_close_of_a_duplicate) {
    int a = make_file("f", "0123456789"), other = open("f", O_RDWR);
    set_lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 4, 0);
    int copy = CHECK_OK(dup(a));
    set_lock(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1, EAGAIN);
    CHECK_OK(close(copy));
    set_lock(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1, 0);
    set_lock(other, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 1, 0);
    // dup2 over a descriptor of the file closes it: the same.
    set_lock(a, F_SETLK, F_RDLCK, SEEK_SET, 6, 2, 0);
    copy = CHECK_OK(dup(a));
    int spare = open("f", O_RDONLY);
    set_lock(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 6, 1, EAGAIN);
    CHECK_EQ(CHECK_OK(dup2(spare, copy)), copy);
    set_lock(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 6, 1, 0);
    CHECK_ERR(close(99999), EBADF);
    close(spare), close(copy), close(other), close(a);
}

TEST(fcntl_ofd_locks) {
    int a = make_file("f", "0123456789"), b = open("f", O_RDWR);
    set_lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 4, 0);
    set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2, 4, EAGAIN); // another open file
    struct flock probe = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(b, F_OFD_GETLK, &probe));
    CHECK_EQ(probe.l_type, F_WRLCK);
    CHECK_EQ(probe.l_start, 0);
    CHECK_EQ(probe.l_len, 4);
    CHECK_EQ(probe.l_pid, -1);
    struct flock with_pid = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1};
    CHECK_ERR(fcntl(b, F_OFD_SETLK, &with_pid), EINVAL);
    set_lock(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0, 0);
    set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2, 4, 0);
    close(a), close(b);
}

// flock locks belong to the open file: its duplicates share one, another open of the file
// conflicts, and they are a kind apart from record locks.
TEST(flock_belongs_to_the_open_file) {
    int a = make_file("f", "0123456789"), b = open("f", O_RDWR), ro = open("f", O_RDONLY);
    CHECK_OK(flock(a, LOCK_EX));
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    int copy = dup(a);
    CHECK_OK(flock(copy, LOCK_EX | LOCK_NB)); // the same lock
    set_lock(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0); // record locks are another kind
    set_lock(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0, 0);
    CHECK_OK(flock(a, LOCK_SH)); // a downgrade lets other shared holders in
    CHECK_OK(flock(ro, LOCK_SH | LOCK_NB)); // a shared lock needs no write access
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_OK(flock(ro, LOCK_UN));
    close(a);
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK); // its duplicate still holds it
    close(copy);
    CHECK_OK(flock(b, LOCK_EX | LOCK_NB)); // the last descriptor closed: released
    CHECK_OK(flock(b, LOCK_UN));
    CHECK_OK(flock(b, LOCK_UN)); // unlocking nothing
    close(b), close(ro);
}

TEST(flock_errors) {
    int fd = make_file("f", "x");
    CHECK_ERR(flock(fd, 0), EINVAL);
    CHECK_ERR(flock(fd, LOCK_NB), EINVAL);
    CHECK_ERR(flock(fd, LOCK_SH | LOCK_EX), EINVAL);
    CHECK_ERR(flock(fd, 64), EINVAL);
    CHECK_ERR(flock(-1, 0), EINVAL); // the operation is checked first
    CHECK_ERR(flock(-1, LOCK_SH), EBADF);
    CHECK_ERR(flock(12345, LOCK_UN), EBADF);
    CHECK_OK(flock(fd, LOCK_MAND | LOCK_READ)); // ignored since Linux 5.15
    int path = open("f", O_PATH);
    CHECK_ERR(flock(path, LOCK_SH), EBADF);
    CHECK_ERR(flock(path, LOCK_UN), EBADF);
    int neither = CHECK_OK(open("f", 3)); // access mode 3: neither read nor write
    CHECK_ERR(flock(neither, LOCK_SH), EBADF);
    CHECK_OK(flock(neither, LOCK_UN));
    close(neither);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(flock(dir, LOCK_EX | LOCK_NB)); // directories take locks too
    int other_dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(flock(other_dir, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    close(path), close(dir), close(other_dir), close(fd);
}

TEST(ioctl_descriptor_requests) {
    int fd = make_file("f", "x");
    CHECK_OK(ioctl(fd, FIOCLEX));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK(ioctl(fd, FIONCLEX));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    int on = 1;
    CHECK_OK(ioctl(fd, FIONBIO, &on));
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    on = 0;
    CHECK_OK(ioctl(fd, FIONBIO, &on));
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    CHECK_ERR(ioctl(fd, FIONBIO, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(-1, FIOCLEX), EBADF);
    close(fd);
}

TEST(ioctl_fionread) {
    int fd = make_file("f", "0123456789");
    int n = -1;
    CHECK_OK(ioctl(fd, FIONREAD, &n));
    CHECK_EQ(n, 10);
    CHECK_OK(lseek(fd, 4, SEEK_SET));
    CHECK_OK(ioctl(fd, FIONREAD, &n));
    CHECK_EQ(n, 6);
    CHECK_ERR(ioctl(fd, FIONREAD, BAD_PTR), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(ioctl(p[0], FIONREAD, &n));
    CHECK_EQ(n, 0);
    CHECK_EQ(write(p[1], "abc", 3), 3);
    CHECK_OK(ioctl(p[0], FIONREAD, &n));
    CHECK_EQ(n, 3);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(ioctl(dir, FIONREAD, &n), ENOTTY);
    close(dir), close(p[0]), close(p[1]), close(fd);
}

TEST(ioctl_terminal_requests_on_non_terminals) {
    int fd = make_file("f", "x");
    struct termios t;
    struct winsize w;
    int lines;
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(fd, TCSETS, &t), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCGWINSZ, &w), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCMGET, &lines), ENOTTY);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(p[0], TIOCMGET, &lines), ENOTTY);
    close(p[0]), close(p[1]), close(fd);
}

TEST(ioctl_random_device) {
    int fd = open("/dev/urandom", O_RDONLY);
    int count = -1;
    CHECK_OK(ioctl(fd, RNDGETENTCNT, &count));
    CHECK_EQ(count, 256);
    CHECK_ERR(ioctl(fd, RNDGETENTCNT, BAD_PTR), EFAULT);
    struct termios t;
    CHECK_ERR(ioctl(fd, TCGETS, &t), EINVAL); // the random driver's answer to the unknown
    int n;
    CHECK_ERR(ioctl(fd, FIONREAD, &n), EINVAL);
    if (geteuid() != 0) {
        CHECK_ERR(ioctl(fd, RNDZAPENTCNT), EPERM);
        CHECK_ERR(ioctl(fd, RNDADDTOENTCNT, &count), EPERM);
    }
    close(fd);
}

// The file-system flags of a file and a directory of the scratch file system (ext4, tmpfs,
// xfs ... all keep FS_NOATIME_FL), read and set through both requests that name them.
TEST(ioctl_file_system_flags) {
    int fd = make_file("f", "x");
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    int flags = -1, now = -1;
    CHECK_OK(ioctl(dir, FS_IOC_GETFLAGS, &flags));
    CHECK_OK(ioctl(fd, FS_IOC_GETFLAGS, &flags));
    int with = flags | FS_NOATIME_FL;
    CHECK_OK(ioctl(fd, FS_IOC_SETFLAGS, &with));
    CHECK_OK(ioctl(fd, FS_IOC_GETFLAGS, &now));
    CHECK_EQ(now & FS_NOATIME_FL, FS_NOATIME_FL);
    struct fsxattr attributes;
    CHECK_OK(ioctl(fd, FS_IOC_FSGETXATTR, &attributes));
    CHECK_EQ(attributes.fsx_xflags & FS_XFLAG_NOATIME, FS_XFLAG_NOATIME);
    attributes.fsx_xflags &= ~FS_XFLAG_NOATIME;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &attributes) == 0) {
        CHECK_OK(ioctl(fd, FS_IOC_GETFLAGS, &now));
        CHECK_EQ(now & FS_NOATIME_FL, 0);
    } else {
        CHECK_EQ(errno, EOPNOTSUPP); // tmpfs sets its flags with FS_IOC_SETFLAGS only
    }
    CHECK_ERR(ioctl(fd, FS_IOC_GETFLAGS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(fd, FS_IOC_SETFLAGS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(fd, FS_IOC_FSGETXATTR, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(fd, FS_IOC_FSSETXATTR, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(-1, FS_IOC_GETFLAGS, &now), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ioctl(p[0], FS_IOC_GETFLAGS, &now), ENOTTY); // a pipe has no file system's
    close(p[0]), close(p[1]), close(dir), close(fd);
}

// FICLONE and FICLONERANGE share the source's blocks where the file system can (btrfs,
// xfs); ext4 and tmpfs cannot (EOPNOTSUPP). Their checks come first either way.
TEST(ioctl_file_clone) {
    int source = make_file("source", "0123456789");
    int target = CHECK_OK(open("target", O_RDWR | O_CREAT | O_TRUNC, 0600));
    char bytes[16] = {0};
    if (ioctl(target, FICLONE, source) == 0) {
        CHECK_EQ(pread(target, bytes, sizeof bytes, 0), 10);
        CHECK_MEM(bytes, "0123456789", 10);
    } else {
        CHECK_EQ(errno, EOPNOTSUPP);
    }
    struct file_clone_range range = {.src_fd = source, .src_offset = 0, .src_length = 0,
                                     .dest_offset = 0};
    if (ioctl(target, FICLONERANGE, &range) != 0)
        CHECK_EQ(errno, EOPNOTSUPP);
    CHECK_ERR(ioctl(target, FICLONE, -1), EBADF);
    CHECK_ERR(ioctl(target, FICLONERANGE, BAD_PTR), EFAULT);
    range.src_fd = -1;
    CHECK_ERR(ioctl(target, FICLONERANGE, &range), EBADF);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(ioctl(target, FICLONE, dir), EISDIR);
    CHECK_OK(mkfifo("fifo", 0600));
    int fifo = CHECK_OK(open("fifo", O_RDWR));
    CHECK_ERR(ioctl(target, FICLONE, fifo), EINVAL); // no regular file
    int read_only = CHECK_OK(open("target", O_RDONLY));
    CHECK_ERR(ioctl(read_only, FICLONE, source), EBADF);
    int counter = CHECK_OK(eventfd(0, 0));
    CHECK_ERR(ioctl(target, FICLONE, counter), EXDEV); // another file system's
    close(counter), close(read_only), close(fifo), close(dir), close(target), close(source);
}

// /dev/net/tun's TUNGETFEATURES, where the device is there to open.
TEST(ioctl_tun_features) {
    int tun = open("/dev/net/tun", O_RDWR);
    if (tun < 0) {
        fprintf(stderr, "ioctl_tun_features: skipped, no /dev/net/tun to open\n");
        return;
    }
    unsigned int features = 0;
    CHECK_OK(ioctl(tun, TUNGETFEATURES, &features));
    CHECK_EQ(features & (IFF_TUN | IFF_TAP), IFF_TUN | IFF_TAP);
    CHECK_ERR(ioctl(tun, TUNGETFEATURES, BAD_PTR), EFAULT);
    close(tun);
}

// F_CREATED_QUERY (Linux 6.12): whether the open that made the open file created its file;
// an O_PATH descriptor answers too, and the argument is not looked at.
TEST(fcntl_created_query) {
    const int query = 1024 + 4;
    int made = CHECK_OK(open("f", O_CREAT | O_RDWR, 0600));
    CHECK_EQ(fcntl(made, query, 0), 1);
    int copy = CHECK_OK(dup(made)); // the same open file
    CHECK_EQ(fcntl(copy, query, 0), 1);
    CHECK_EQ(fcntl(made, query, 1), 1);
    int again = CHECK_OK(open("f", O_CREAT | O_RDWR, 0600)); // it exists: not created
    CHECK_EQ(fcntl(again, query, 0), 0);
    CHECK_ERR(open("f", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    int excl = CHECK_OK(open("g", O_CREAT | O_EXCL | O_WRONLY, 0600));
    CHECK_EQ(fcntl(excl, query, 0), 1);
    int plain = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(fcntl(plain, query, 0), 0);
    int path = CHECK_OK(open("f", O_PATH));
    CHECK_EQ(fcntl(path, query, 0), 0);
    int made_by_creat = CHECK_OK(creat("h", 0600));
    CHECK_EQ(fcntl(made_by_creat, query, 0), 1);
    int null = CHECK_OK(open("/dev/null", O_RDONLY | O_CREAT, 0600));
    CHECK_EQ(fcntl(null, query, 0), 0);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(fcntl(p[0], query, 0), 0);
    int event = CHECK_OK(eventfd(0, 0));
    CHECK_EQ(fcntl(event, query, 0), 0);
    int memory = CHECK_OK(syscall(SYS_memfd_create, "m", 0));
    CHECK_EQ(fcntl(memory, query, 0), 0);
    CHECK_ERR(fcntl(-1, query, 0), EBADF);
    CHECK_ERR(fcntl(999, query, 0), EBADF);
    close(made), close(copy), close(again), close(excl), close(plain), close(path);
    close(made_by_creat), close(null), close(p[0]), close(p[1]), close(event), close(memory);
}
