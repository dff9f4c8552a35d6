// SPDX-License-Identifier: MIT
// The native AIO family: io_setup, io_submit, io_getevents, io_pgetevents, io_cancel,
// io_destroy by their raw system calls (no libaio), the ring the kernel maps included.
#include "check.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ring {
    unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
};

static long io_setup(unsigned nr, aio_context_t *ctx) { return syscall(SYS_io_setup, nr, ctx); }
static long io_destroy(aio_context_t ctx) { return syscall(SYS_io_destroy, ctx); }
static long io_submit(aio_context_t ctx, long nr, struct iocb **iocbs) {
    return syscall(SYS_io_submit, ctx, nr, iocbs);
}
static long io_getevents(aio_context_t ctx, long min, long nr, struct io_event *ev,
                         struct timespec *ts) {
    return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static aio_context_t setup(unsigned nr) {
    aio_context_t ctx = 0;
    CHECK_OK(io_setup(nr, &ctx));
    return ctx;
}

static struct iocb request(int fd, int opcode, void *buf, size_t size, long long offset) {
    struct iocb cb;
    memset(&cb, 0, sizeof cb);
    cb.aio_fildes = fd;
    cb.aio_lio_opcode = opcode;
    cb.aio_buf = (uintptr_t)buf;
    cb.aio_nbytes = size;
    cb.aio_offset = offset;
    cb.aio_data = 0x1234;
    cb.aio_key = 77; // the kernel clears it
    return cb;
}

// Submits one request, which must be taken, and reaps its event.
static struct io_event one(aio_context_t ctx, struct iocb *cb) {
    struct iocb *list[1] = {cb};
    CHECK_EQ(io_submit(ctx, 1, list), 1);
    struct io_event ev;
    memset(&ev, 0, sizeof ev);
    CHECK_EQ(io_getevents(ctx, 1, 1, &ev, NULL), 1);
    CHECK_EQ(ev.obj, (uintptr_t)cb);
    CHECK_EQ(ev.data, 0x1234);
    CHECK_EQ(ev.res2, 0);
    CHECK_EQ(cb->aio_key, 0);
    return ev;
}

// The ring's mapping as /proc/self/maps shows it: its size, or 0 if not there.
static unsigned long mapping_size(aio_context_t ctx) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long start, end, found = 0;
    while (fgets(line, sizeof line, maps))
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start == ctx) {
            CHECK(strstr(line, " rw-s ") != NULL);
            CHECK(strstr(line, "/[aio] (deleted)") != NULL);
            found = end - start;
        }
    fclose(maps);
    return found;
}

TEST(aio_setup_maps_the_ring) {
    aio_context_t ctx = setup(1);
    struct ring *r = (struct ring *)ctx;
    CHECK_EQ(r->id, 0);
    CHECK_EQ(r->nr, 127); // one page for up to 15 possible processors
    CHECK_EQ(r->head, 0);
    CHECK_EQ(r->tail, 0);
    CHECK_EQ(r->magic, 0xa10a10a1);
    CHECK_EQ(r->compat_features, 1);
    CHECK_EQ(r->incompat_features, 0);
    CHECK_EQ(r->header_length, 32);
    CHECK_EQ(mapping_size(ctx), 4096);
    aio_context_t second = setup(1000); // 2 * 1000 + 2 slots: 16 pages, 2047 slots
    CHECK_EQ(((struct ring *)second)->id, 1);
    CHECK_EQ(((struct ring *)second)->nr, 2047);
    CHECK_EQ(mapping_size(second), 16 * 4096);
    // The ring does not grow (VM_DONTEXPAND); shrinking is an unmap of its tail.
    CHECK(mremap((void *)ctx, 4096, 8192, 0) == MAP_FAILED && errno == EFAULT);
    CHECK(mremap((void *)second, 16 * 4096, 8192, 0) == (void *)second);
    CHECK_EQ(mapping_size(second), 8192);
    CHECK_OK(io_destroy(ctx));
    CHECK_EQ(mapping_size(ctx), 0); // unmapped
    CHECK_ERR(io_destroy(ctx), EINVAL);
    aio_context_t third = setup(1); // the lowest free id again
    CHECK_EQ(((struct ring *)third)->id, 0);
    CHECK_OK(io_destroy(third));
    CHECK_OK(io_destroy(second));
}

TEST(aio_setup_errors) {
    aio_context_t ctx = 0;
    CHECK_ERR(io_setup(0, &ctx), EINVAL);
    CHECK_ERR(io_setup(1, BAD_PTR), EFAULT);
    ctx = 1;
    CHECK_ERR(io_setup(1, &ctx), EINVAL); // *ctxp must be 0
    ctx = 0;
    CHECK_ERR(io_setup(-1, &ctx), EINVAL);       // twice that is too many slots
    CHECK_ERR(io_setup(0x400001, &ctx), EINVAL); // the same, just
    CHECK_ERR(io_setup(0x80000000u, &ctx), EAGAIN); // twice that wraps to 0
    FILE *f = fopen("/proc/sys/fs/aio-max-nr", "r");
    unsigned long max = 0;
    CHECK(f && fscanf(f, "%lu", &max) == 1);
    fclose(f);
    if (max < 0x400000)
        CHECK_ERR(io_setup(max + 1, &ctx), EAGAIN);
    CHECK_EQ(ctx, 0);
    CHECK_ERR(io_destroy(0), EINVAL);
    CHECK_ERR(io_destroy((aio_context_t)BAD_PTR), EINVAL);
}

TEST(aio_read_write_file) {
    aio_context_t ctx = setup(8);
    int fd = CHECK_OK(open("file", O_RDWR | O_CREAT | O_TRUNC, 0600));
    char data[] = "hello, aio", back[32] = {0};
    struct iocb cb = request(fd, IOCB_CMD_PWRITE, data, 10, 5);
    CHECK_EQ(one(ctx, &cb).res, 10);
    struct ring *r = (struct ring *)ctx;
    CHECK_EQ(r->tail, 1);
    CHECK_EQ(r->head, 1);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); // the position is not used
    cb = request(fd, IOCB_CMD_PREAD, back, sizeof back, 5);
    CHECK_EQ(one(ctx, &cb).res, 10);
    CHECK_MEM(back, data, 10);
    char a[3], b[4];
    struct iovec iov[2] = {{a, 3}, {b, 4}};
    cb = request(fd, IOCB_CMD_PREADV, iov, 2, 6);
    CHECK_EQ(one(ctx, &cb).res, 7);
    CHECK_MEM(a, "ell", 3);
    CHECK_MEM(b, "o, a", 4);
    cb = request(fd, IOCB_CMD_PWRITEV, iov, 2, 0);
    CHECK_EQ(one(ctx, &cb).res, 7);
    cb = request(fd, IOCB_CMD_FSYNC, NULL, 0, 0);
    CHECK_EQ(one(ctx, &cb).res, 0);
    cb = request(fd, IOCB_CMD_FDSYNC, NULL, 0, 0);
    CHECK_EQ(one(ctx, &cb).res, 0);
    cb = request(fd, IOCB_CMD_PREAD, BAD_PTR, 4, 0); // the transfer faults, not the submit
    CHECK_EQ(one(ctx, &cb).res, -EFAULT);
    cb = request(fd, IOCB_CMD_PREAD, back, 4, 1000); // past the end
    CHECK_EQ(one(ctx, &cb).res, 0);
    close(fd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_pipe_and_eventfd) {
    aio_context_t ctx = setup(4);
    int p[2];
    CHECK_OK(pipe(p));
    int efd = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    char buf[8];
    struct iocb cb = request(p[1], IOCB_CMD_PWRITE, "abc", 3, 0);
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = efd;
    CHECK_EQ(one(ctx, &cb).res, 3);
    cb = request(p[0], IOCB_CMD_PREAD, buf, sizeof buf, 0);
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = efd;
    CHECK_EQ(one(ctx, &cb).res, 3);
    uint64_t count = 0;
    CHECK_EQ(read(efd, &count, 8), 8);
    CHECK_EQ(count, 2); // one per completion
    cb = request(p[0], IOCB_CMD_FSYNC, NULL, 0, 0);
    struct iocb *list[1] = {&cb};
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // a pipe has no fsync
    cb = request(p[0], IOCB_CMD_PREAD, buf, 1, -1);
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // a negative offset, even for a pipe
    cb = request(efd, IOCB_CMD_PWRITE, &count, 8, 0);
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // an eventfd has no write_iter
    cb = request(efd, IOCB_CMD_PREAD, &count, 8, 0);
    CHECK_EQ(one(ctx, &cb).res, -EAGAIN); // its read_iter, non-blocking
    cb = request(p[1], IOCB_CMD_PWRITE, "x", 1, 0);
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = p[0];
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // not an eventfd
    cb.aio_resfd = 999;
    CHECK_ERR(io_submit(ctx, 1, list), EBADF);
    close(p[0]);
    close(p[1]);
    close(efd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_eventfd_overflow) {
    // A completion's signal takes an eventfd to UINT64_MAX, which poll shows as POLLERR.
    aio_context_t ctx = setup(1);
    int efd = CHECK_OK(eventfd(0, 0));
    uint64_t max = UINT64_MAX - 1;
    CHECK_EQ(write(efd, &max, 8), 8);
    int fd = CHECK_OK(open("file", O_RDWR | O_CREAT, 0600));
    struct iocb cb = request(fd, IOCB_CMD_PWRITE, "z", 1, 0);
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = efd;
    CHECK_EQ(one(ctx, &cb).res, 1);
    struct pollfd p = {efd, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN | POLLERR);
    uint64_t value = 0;
    CHECK_EQ(read(efd, &value, 8), 8);
    CHECK_EQ(value, UINT64_MAX);
    close(fd);
    close(efd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_submit_errors) {
    aio_context_t ctx = setup(4);
    int fd = CHECK_OK(open("file", O_RDONLY | O_CREAT, 0600));
    char buf[4];
    struct iocb good = request(fd, IOCB_CMD_PREAD, buf, 4, 0);
    struct iocb bad = request(999, IOCB_CMD_PREAD, buf, 4, 0);
    struct iocb *list[2] = {&bad, &good};
    CHECK_ERR(io_submit(ctx, 1, list), EBADF);
    CHECK_ERR(io_submit(ctx, -1, list), EINVAL);
    CHECK_ERR(io_submit(0, 1, list), EINVAL);
    CHECK_EQ(io_submit(ctx, 0, list), 0);
    CHECK_ERR(io_submit(ctx, 1, BAD_PTR), EFAULT);
    struct iocb *unreadable[1] = {BAD_PTR};
    CHECK_ERR(io_submit(ctx, 1, unreadable), EFAULT);
    bad = request(fd, 42, buf, 4, 0);
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // no such operation
    bad = request(fd, IOCB_CMD_PREAD, buf, 4, 0);
    bad.aio_reserved2 = 1;
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL);
    bad = request(fd, IOCB_CMD_PREAD, buf, -1, 0);
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // a negative size
    bad = request(fd, IOCB_CMD_PWRITE, buf, 4, 0);
    CHECK_ERR(io_submit(ctx, 1, list), EBADF); // not open for writing
    bad = request(fd, IOCB_CMD_PREAD, buf, 4, 0);
    bad.aio_rw_flags = 0x40000000;
    CHECK_ERR(io_submit(ctx, 1, list), EOPNOTSUPP);
    bad = request(fd, IOCB_CMD_FSYNC, buf, 0, 0);
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL); // fsync takes no buffer
    bad = request(fd, IOCB_CMD_PREAD, buf, 4, 0);
    bad.aio_flags = IOCB_FLAG_IOPRIO;
    bad.aio_reqprio = 7 << 13; // IOPRIO_CLASS_INVALID
    CHECK_ERR(io_submit(ctx, 1, list), EINVAL);
    // A partial submission counts what was taken.
    list[0] = &good;
    list[1] = &bad;
    CHECK_EQ(io_submit(ctx, 2, list), 1);
    struct io_event ev[2];
    CHECK_EQ(io_getevents(ctx, 1, 2, ev, NULL), 1);
    close(fd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_getevents) {
    aio_context_t ctx = setup(4);
    struct io_event ev[4];
    struct timespec zero = {0, 0}, short_wait = {0, 20 * 1000 * 1000};
    CHECK_EQ(io_getevents(ctx, 1, 4, ev, &zero), 0);
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    CHECK_EQ(io_getevents(ctx, 1, 4, ev, &short_wait), 0);
    clock_gettime(CLOCK_MONOTONIC, &after);
    CHECK((after.tv_sec - before.tv_sec) * 1000000000L + after.tv_nsec - before.tv_nsec >=
          20 * 1000 * 1000);
    CHECK_ERR(io_getevents(ctx, 2, 1, ev, NULL), EINVAL);
    CHECK_ERR(io_getevents(ctx, -1, 1, ev, NULL), EINVAL);
    CHECK_ERR(io_getevents(0, 0, 1, ev, NULL), EINVAL);
    CHECK_ERR(io_getevents(ctx, 0, 1, ev, BAD_PTR), EFAULT);
    int fd = CHECK_OK(open("file", O_RDWR | O_CREAT, 0600));
    struct iocb cb = request(fd, IOCB_CMD_FSYNC, NULL, 0, 0);
    struct iocb *list[1] = {&cb};
    CHECK_EQ(io_submit(ctx, 1, list), 1);
    CHECK_ERR(io_getevents(ctx, 1, 1, BAD_PTR, NULL), EFAULT); // the event stays
    CHECK_EQ(io_getevents(ctx, 0, 0, ev, NULL), 0);
    CHECK_EQ(io_getevents(ctx, 1, 1, ev, NULL), 1);
    CHECK_EQ(ev[0].res, 0);
    // io_cancel: a completed request is not found; the key must be 0.
    CHECK_ERR(syscall(SYS_io_cancel, ctx, &cb, ev), EINVAL);
    CHECK_ERR(syscall(SYS_io_cancel, ctx, BAD_PTR, ev), EFAULT);
    CHECK_ERR(syscall(SYS_io_cancel, 0, &cb, ev), EINVAL);
    close(fd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_getevents_interrupted) {
    aio_context_t ctx = setup(1);
    struct io_event ev;
    check_interrupts_start(20000, SA_RESTART); // never restarted all the same
    CHECK_ERR(io_getevents(ctx, 1, 1, &ev, NULL), EINTR);
    check_interrupts_stop();
    // io_pgetevents: its mask's size, the mask and the sigset structure are checked.
    struct timespec zero = {0, 0};
    sigset_t mask;
    sigemptyset(&mask);
    struct {
        sigset_t *mask;
        size_t size;
    } sigset = {&mask, 8};
    CHECK_EQ(syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &zero, &sigset), 0);
    sigset.size = 16;
    CHECK_ERR(syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &zero, &sigset), EINVAL);
    sigset.size = 8;
    sigset.mask = BAD_PTR;
    CHECK_ERR(syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &zero, &sigset), EFAULT);
    CHECK_ERR(syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &zero, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_io_pgetevents, 0, 1, 1, &ev, &zero, NULL), EINVAL);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_requests_run_out) {
    aio_context_t ctx = setup(1);
    int fd = CHECK_OK(open("file", O_RDWR | O_CREAT, 0600));
    struct iocb cb = request(fd, IOCB_CMD_FSYNC, NULL, 0, 0);
    struct iocb *list[1] = {&cb};
    long taken = 0;
    while (io_submit(ctx, 1, list) == 1)
        taken++;
    CHECK_EQ(errno, EAGAIN);
    CHECK(taken >= 100 && taken <= 126); // at most the ring's 127 slots less one
    struct io_event ev[128];
    CHECK_EQ(io_getevents(ctx, taken, 128, ev, NULL), taken);
    CHECK_EQ(io_submit(ctx, 1, list), 1); // the reaped ones are given back
    close(fd);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_fork_child_has_no_context) {
    aio_context_t ctx = setup(1);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct iocb cb = request(1, IOCB_CMD_FSYNC, NULL, 0, 0);
        struct iocb *list[1] = {&cb};
        // The ring is still mapped, but the child has no context.
        int ok = ((struct ring *)ctx)->magic == 0xa10a10a1 && io_submit(ctx, 1, list) == -1 &&
                 errno == EINVAL && io_destroy(ctx) == -1 && errno == EINVAL;
        aio_context_t own = 0;
        ok = ok && io_setup(1, &own) == 0 && ((struct ring *)own)->id == 0;
        _exit(ok ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    CHECK_OK(io_destroy(ctx));
}

TEST(aio_pgetevents_restarts_after_a_stop) {
    // A signal that runs no handler (a stop, then SIGCONT) starts io_pgetevents again
    // (ERESTARTNOHAND): the child's wait ends by its timeout with 0, not EINTR.
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        aio_context_t own = 0;
        struct io_event ev;
        struct timespec wait = {0, 400 * 1000 * 1000};
        if (io_setup(1, &own) != 0)
            _exit(4);
        long r = syscall(SYS_io_pgetevents, own, 1, 1, &ev, &wait, NULL);
        _exit(r == 0 ? 0 : r == -1 && errno == EINTR ? 2 : 3);
    }
    usleep(150 * 1000);
    CHECK_OK(kill(pid, SIGSTOP));
    usleep(50 * 1000);
    CHECK_OK(kill(pid, SIGCONT));
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

static int destroy_pipe[2];
static aio_context_t destroy_ctx;
static int destroy_written; // set just before the late write

static void *blocked_reader(void *arg) {
    (void)arg;
    char buf[4];
    struct iocb cb = request(destroy_pipe[0], IOCB_CMD_PREAD, buf, sizeof buf, 0);
    struct iocb *list[1] = {&cb};
    return (void *)io_submit(destroy_ctx, 1, list);
}

static void *late_writer(void *arg) {
    (void)arg;
    usleep(300 * 1000);
    __atomic_store_n(&destroy_written, 1, __ATOMIC_SEQ_CST);
    write(destroy_pipe[1], "abcd", 4);
    return NULL;
}

TEST(aio_destroy_waits_for_requests) {
    // io_destroy returns once a request another thread is doing (a read from an empty
    // pipe, done inside its io_submit) is done.
    destroy_ctx = setup(1);
    CHECK_OK(pipe(destroy_pipe));
    pthread_t reader, writer;
    CHECK_EQ(pthread_create(&reader, NULL, blocked_reader, NULL), 0);
    usleep(150 * 1000); // the reader is in its io_submit by now
    CHECK_EQ(pthread_create(&writer, NULL, late_writer, NULL), 0);
    CHECK_OK(io_destroy(destroy_ctx));
    int written = __atomic_load_n(&destroy_written, __ATOMIC_SEQ_CST);
    void *submitted;
    CHECK_EQ(pthread_join(reader, &submitted), 0);
    CHECK_EQ(pthread_join(writer, NULL), 0);
    if ((long)submitted == 1) // else the reader came after the destruction (EINVAL)
        CHECK_EQ(written, 1); // its read, which the write ended, was done before
    close(destroy_pipe[0]);
    close(destroy_pipe[1]);
}
