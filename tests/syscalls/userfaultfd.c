// SPDX-License-Identifier: MIT
// The userfaultfd family: userfaultfd(2), /dev/userfaultfd's USERFAULTFD_IOC_NEW, a
// descriptor's requests (UFFDIO_API, REGISTER, UNREGISTER, COPY, ZEROPAGE, WRITEPROTECT),
// its reads of uffd_msg records, poll and epoll on it: faults resolved by a handler thread,
// a read() into a registered page, the non-cooperative events, the errors.
#include "check.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

// A userfaultfd with `flags` whose API is set up with `features`.
static int new_uffd(int flags, uint64_t features) {
    int fd = CHECK_OK((int)syscall(SYS_userfaultfd, flags));
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    CHECK_OK(ioctl(fd, UFFDIO_API, &api));
    CHECK_EQ(api.api, UFFD_API);
    CHECK((api.ioctls & (1ull << _UFFDIO_REGISTER)) != 0);
    return fd;
}

static char *map_pages(int count) {
    char *p = mmap(NULL, (size_t)count * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    return p;
}

static uint64_t register_range(int fd, void *start, uint64_t len, uint64_t mode) {
    struct uffdio_register r = {.range = {.start = (uintptr_t)start, .len = len}, .mode = mode};
    CHECK_OK(ioctl(fd, UFFDIO_REGISTER, &r));
    return r.ioctls;
}

enum resolution { BY_COPY, BY_ZEROPAGE, BY_UNPROTECT };

// One fault, taken by a handler thread: it waits for the descriptor to be readable
// (poll, or epoll), reads the record and resolves the fault as asked.
struct handler {
    int fd;
    enum resolution how;
    int use_epoll;
    struct uffd_msg msg;
    ssize_t got;
    int64_t result; // what COPY or ZEROPAGE wrote back
    pthread_t thread;
};

static void wait_readable(struct handler *h) {
    if (!h->use_epoll) {
        struct pollfd p = {.fd = h->fd, .events = POLLIN};
        CHECK_EQ(poll(&p, 1, -1), 1);
        CHECK_EQ(p.revents, POLLIN);
        return;
    }
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 7};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &e));
    struct epoll_event out;
    CHECK_EQ(epoll_wait(ep, &out, 1, -1), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.u64, 7);
    close(ep);
}

static void *handle_one_fault(void *argument) {
    struct handler *h = argument;
    static char source[PAGE] __attribute__((aligned(PAGE)));
    wait_readable(h);
    h->got = read(h->fd, &h->msg, sizeof h->msg);
    uint64_t page = h->msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1);
    if (h->how == BY_COPY) {
        memset(source, 'u', sizeof source);
        struct uffdio_copy c = {.dst = page, .src = (uintptr_t)source, .len = PAGE};
        CHECK_OK(ioctl(h->fd, UFFDIO_COPY, &c));
        h->result = c.copy;
    } else if (h->how == BY_ZEROPAGE) {
        struct uffdio_zeropage z = {.range = {.start = page, .len = PAGE}};
        CHECK_OK(ioctl(h->fd, UFFDIO_ZEROPAGE, &z));
        h->result = z.zeropage;
    } else {
        struct uffdio_writeprotect w = {.range = {.start = page, .len = PAGE}, .mode = 0};
        CHECK_OK(ioctl(h->fd, UFFDIO_WRITEPROTECT, &w));
    }
    return NULL;
}

static void start_handler(struct handler *h, int fd, enum resolution how) {
    memset(h, 0, sizeof *h);
    h->fd = fd;
    h->how = how;
    CHECK_EQ(pthread_create(&h->thread, NULL, handle_one_fault, h), 0);
}

static void check_fault(const struct handler *h, const void *page, uint64_t flags) {
    CHECK_EQ(h->got, (ssize_t)sizeof(struct uffd_msg));
    CHECK_EQ(h->msg.event, UFFD_EVENT_PAGEFAULT);
    CHECK_EQ(h->msg.arg.pagefault.address, (uintptr_t)page);
    CHECK_EQ(h->msg.arg.pagefault.flags, flags);
}

TEST(copy_resolves_a_missing_fault_with_the_thread_id) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, UFFD_FEATURE_THREAD_ID);
    char *page = map_pages(1);
    uint64_t ioctls = register_range(fd, page, PAGE, UFFDIO_REGISTER_MODE_MISSING);
    CHECK((ioctls & (1ull << _UFFDIO_COPY)) && (ioctls & (1ull << _UFFDIO_ZEROPAGE)));
    struct handler h;
    start_handler(&h, fd, BY_COPY);
    CHECK_EQ(page[100], 'u'); // a read fault, held until the handler copies the page in
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    check_fault(&h, page, 0);
    CHECK_EQ(h.msg.arg.pagefault.feat.ptid, (uint32_t)syscall(SYS_gettid));
    CHECK_EQ(h.result, PAGE);
    CHECK_EQ(page[PAGE - 1], 'u');
    munmap(page, PAGE);
    close(fd);
}

TEST(zeropage_resolves_a_write_fault_seen_through_epoll) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, 0);
    char *pages = map_pages(2);
    register_range(fd, pages, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING);
    struct handler h;
    start_handler(&h, fd, BY_ZEROPAGE);
    h.use_epoll = 1; // read by the thread only after it polls
    pages[PAGE + 5] = 7;
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    check_fault(&h, pages + PAGE, UFFD_PAGEFAULT_FLAG_WRITE);
    CHECK_EQ(h.msg.arg.pagefault.feat.ptid, 0); // not asked for
    CHECK_EQ(h.result, PAGE);
    CHECK_EQ(pages[PAGE + 5], 7);
    CHECK_EQ(pages[PAGE + 6], 0);
    // The other page is still missing: resolved ones are not, a second ZEROPAGE fails.
    struct uffdio_zeropage again = {.range = {.start = (uintptr_t)pages + PAGE, .len = PAGE}};
    CHECK_ERR(ioctl(fd, UFFDIO_ZEROPAGE, &again), EEXIST);
    CHECK_EQ(again.zeropage, -EEXIST);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK_EQ(poll(&p, 1, 0), 0); // nothing pending
    struct uffdio_range whole = {.start = (uintptr_t)pages, .len = 2 * PAGE};
    CHECK_OK(ioctl(fd, UFFDIO_UNREGISTER, &whole));
    CHECK_EQ(pages[0], 0); // an ordinary page again
    munmap(pages, 2 * PAGE);
    close(fd);
}

TEST(write_protect_fault_resolved_by_unprotecting) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, UFFD_FEATURE_PAGEFAULT_FLAG_WP);
    char *page = map_pages(1);
    page[0] = 1; // present before it is protected
    uint64_t ioctls = register_range(fd, page, PAGE, UFFDIO_REGISTER_MODE_WP);
    CHECK(ioctls & (1ull << _UFFDIO_WRITEPROTECT));
    struct uffdio_writeprotect w = {.range = {.start = (uintptr_t)page, .len = PAGE},
                                    .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    CHECK_OK(ioctl(fd, UFFDIO_WRITEPROTECT, &w));
    CHECK_EQ(page[0], 1); // reads do not fault
    struct handler h;
    start_handler(&h, fd, BY_UNPROTECT);
    page[1] = 2;
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    check_fault(&h, page, UFFD_PAGEFAULT_FLAG_WP | UFFD_PAGEFAULT_FLAG_WRITE);
    CHECK_EQ(page[1], 2);
    // WP with DONTWAKE together is refused.
    w.mode = UFFDIO_WRITEPROTECT_MODE_WP | UFFDIO_WRITEPROTECT_MODE_DONTWAKE;
    CHECK_ERR(ioctl(fd, UFFDIO_WRITEPROTECT, &w), EINVAL);
    munmap(page, PAGE);
    close(fd);
}

// A call's copy into a registered, missing page waits for the handler as the program's
// own access does: the kernel's (a pipe's read) and the runtime's own (an eventfd's).
TEST(read_into_a_registered_page_waits_for_the_handler) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, 0);
    char *pages = map_pages(2);
    register_range(fd, pages, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING);
    int pipe_fds[2];
    CHECK_OK(pipe(pipe_fds));
    CHECK_EQ(write(pipe_fds[1], "hello", 5), 5);
    struct handler h;
    start_handler(&h, fd, BY_ZEROPAGE);
    CHECK_EQ(read(pipe_fds[0], pages + 10, 5), 5);
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    CHECK_EQ(h.msg.event, UFFD_EVENT_PAGEFAULT);
    CHECK_EQ(h.msg.arg.pagefault.address, (uintptr_t)pages);
    CHECK(h.msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE);
    CHECK_MEM(pages + 10, "hello", 5);
    int counter = CHECK_OK(eventfd(42, EFD_CLOEXEC));
    start_handler(&h, fd, BY_COPY);
    CHECK_EQ(read(counter, pages + PAGE + 8, 8), 8);
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    CHECK_EQ(h.msg.arg.pagefault.address, (uintptr_t)pages + PAGE);
    uint64_t value;
    memcpy(&value, pages + PAGE + 8, sizeof value);
    CHECK_EQ(value, 42);
    CHECK_EQ(pages[PAGE], 'u');
    close(counter);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    munmap(pages, 2 * PAGE);
    close(fd);
}

// With UFFD_USER_MODE_ONLY, a fault the kernel takes copying for a call is not held: the
// call fails with EFAULT (a pipe's read, which the host's kernel makes as Linux's would).
TEST(user_mode_only_fails_a_kernel_copy_with_efault) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY, 0);
    char *page = map_pages(1);
    register_range(fd, page, PAGE, UFFDIO_REGISTER_MODE_MISSING);
    int pipe_fds[2];
    CHECK_OK(pipe(pipe_fds));
    CHECK_EQ(write(pipe_fds[1], "hello", 5), 5);
    CHECK_ERR(read(pipe_fds[0], page, 5), EFAULT);
    struct uffd_msg msg;
    CHECK_ERR(read(fd, &msg, sizeof msg), EAGAIN); // no fault was queued
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    munmap(page, PAGE);
    close(fd);
}

// The non-cooperative events: each holds the thread that caused it until it is read.
// (Not EVENT_REMAP, which bascule does not serve: its mremap copies, SYSCALLS.md.)
struct event_reader {
    int fd, count;
    struct uffd_msg msgs[3];
    pthread_t thread;
};

static void *read_events(void *argument) {
    struct event_reader *r = argument;
    for (int i = 0; i < r->count; i++) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        CHECK_EQ(poll(&p, 1, -1), 1);
        CHECK_EQ(read(r->fd, &r->msgs[i], sizeof r->msgs[i]), (ssize_t)sizeof r->msgs[i]);
    }
    return NULL;
}

TEST(remove_and_unmap_events) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, UFFD_FEATURE_EVENT_REMOVE |
                                                UFFD_FEATURE_EVENT_UNMAP);
    char *pages = map_pages(4);
    memset(pages, 1, 4 * PAGE);
    register_range(fd, pages, 4 * PAGE, UFFDIO_REGISTER_MODE_MISSING);
    struct event_reader r = {.fd = fd, .count = 3};
    CHECK_EQ(pthread_create(&r.thread, NULL, read_events, &r), 0);
    CHECK_OK(madvise(pages, PAGE, MADV_DONTNEED));
    CHECK_OK(munmap(pages + 2 * PAGE, PAGE));
    // A mapping made over part of the range unmaps what was there first.
    char *over = mmap(pages + 3 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                      -1, 0);
    CHECK(over == pages + 3 * PAGE);
    CHECK_EQ(pthread_join(r.thread, NULL), 0);
    CHECK_EQ(r.msgs[0].event, UFFD_EVENT_REMOVE);
    CHECK_EQ(r.msgs[0].arg.remove.start, (uintptr_t)pages);
    CHECK_EQ(r.msgs[0].arg.remove.end, (uintptr_t)pages + PAGE);
    CHECK_EQ(r.msgs[1].event, UFFD_EVENT_UNMAP);
    CHECK_EQ(r.msgs[1].arg.remove.start, (uintptr_t)pages + 2 * PAGE);
    CHECK_EQ(r.msgs[1].arg.remove.end, (uintptr_t)pages + 3 * PAGE);
    CHECK_EQ(r.msgs[2].event, UFFD_EVENT_UNMAP);
    CHECK_EQ(r.msgs[2].arg.remove.start, (uintptr_t)pages + 3 * PAGE);
    CHECK_EQ(r.msgs[2].arg.remove.end, (uintptr_t)pages + 4 * PAGE);
    CHECK_EQ(pages[PAGE], 1); // untouched
    close(fd); // first: an unmap would wait for its event to be read
    munmap(pages, 4 * PAGE);
}

static sigjmp_buf bus_jump;
static void *bus_address;
static int bus_code;

static void on_bus(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    bus_address = info->si_addr;
    bus_code = info->si_code;
    siglongjmp(bus_jump, 1);
}

TEST(sigbus_feature_raises_sigbus_instead_of_waiting) {
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, UFFD_FEATURE_SIGBUS);
    char *page = map_pages(1);
    register_range(fd, page, PAGE, UFFDIO_REGISTER_MODE_MISSING);
    struct sigaction action = {.sa_sigaction = on_bus, .sa_flags = SA_SIGINFO}, old;
    CHECK_OK(sigaction(SIGBUS, &action, &old));
    volatile char seen = 0;
    if (sigsetjmp(bus_jump, 1) == 0)
        seen = page[3];
    CHECK_OK(sigaction(SIGBUS, &old, NULL));
    CHECK_EQ(seen, 0);
    CHECK(bus_address == page + 3);
    CHECK_EQ(bus_code, BUS_ADRERR);
    struct uffd_msg msg;
    CHECK_ERR(read(fd, &msg, sizeof msg), EAGAIN); // nothing queued
    munmap(page, PAGE);
    close(fd);
}

TEST(descriptor_flags_and_link) {
    int fd = CHECK_OK((int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | O_NONBLOCK); // Linux 6.x opens it O_RDONLY
    char link[64], shown[64] = "";
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    CHECK(readlink(link, shown, sizeof shown - 1) > 0);
    CHECK_STR(shown, "anon_inode:[userfaultfd]");
    close(fd);
    fd = CHECK_OK((int)syscall(SYS_userfaultfd, 0));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY);
    close(fd);
    fd = CHECK_OK((int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    close(fd);
}

TEST(errors_before_and_after_the_api) {
    CHECK_ERR(syscall(SYS_userfaultfd, 0x10), EINVAL);
    int fd = CHECK_OK((int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));
    char *page = map_pages(1);
    struct uffdio_register reg = {.range = {.start = (uintptr_t)page, .len = PAGE},
                                  .mode = UFFDIO_REGISTER_MODE_MISSING};
    CHECK_ERR(ioctl(fd, UFFDIO_REGISTER, &reg), EINVAL); // before UFFDIO_API
    struct uffd_msg msg;
    CHECK_ERR(read(fd, &msg, sizeof msg), EINVAL);
    CHECK_ERR(ioctl(fd, UFFDIO_API, BAD_PTR), EFAULT);
    struct uffdio_api api = {.api = 0x55, .features = 1, .ioctls = 3};
    CHECK_ERR(ioctl(fd, UFFDIO_API, &api), EINVAL);
    CHECK_EQ(api.api, 0); // cleared by the refusal
    CHECK_EQ(api.features, 0);
    CHECK_EQ(api.ioctls, 0);
    api.api = UFFD_API;
    CHECK_OK(ioctl(fd, UFFDIO_API, &api));
    CHECK(api.features & UFFD_FEATURE_THREAD_ID);
    CHECK_ERR(ioctl(fd, UFFDIO_API, &api), EINVAL); // once only
    CHECK_ERR(read(fd, &msg, 16), EINVAL);           // less than one record
    CHECK_ERR(read(fd, &msg, sizeof msg), EAGAIN);
    CHECK_ERR(write(fd, &msg, sizeof msg), EBADF); // not open for writing
    CHECK_ERR(ioctl(fd, UFFDIO_REGISTER, BAD_PTR), EFAULT);
    reg.range.start = (uintptr_t)page + 1;
    CHECK_ERR(ioctl(fd, UFFDIO_REGISTER, &reg), EINVAL);
    reg.range.start = (uintptr_t)page;
    reg.mode = 0;
    CHECK_ERR(ioctl(fd, UFFDIO_REGISTER, &reg), EINVAL);
    reg.mode = UFFDIO_REGISTER_MODE_MISSING;
    char *gone = map_pages(2);
    CHECK_OK(munmap(gone, 2 * PAGE));
    struct uffdio_register nothing = {.range = {.start = (uintptr_t)gone, .len = 2 * PAGE},
                                      .mode = UFFDIO_REGISTER_MODE_MISSING};
    CHECK_ERR(ioctl(fd, UFFDIO_REGISTER, &nothing), EINVAL); // no mapping in the range
    CHECK_ERR(ioctl(fd, UFFDIO_UNREGISTER, &nothing.range), EINVAL);
    CHECK_OK(ioctl(fd, UFFDIO_REGISTER, &reg));
    static char source[PAGE] __attribute__((aligned(PAGE)));
    struct uffdio_copy c = {.dst = (uintptr_t)page, .src = (uintptr_t)source, .len = PAGE,
                            .mode = 4};
    CHECK_ERR(ioctl(fd, UFFDIO_COPY, &c), EINVAL); // an unknown mode
    c.mode = 0;
    CHECK_OK(ioctl(fd, UFFDIO_COPY, &c));
    CHECK_EQ(c.copy, PAGE);
    CHECK_ERR(ioctl(fd, UFFDIO_COPY, &c), EEXIST); // the page is there now
    CHECK_EQ(c.copy, -EEXIST);
    CHECK_ERR(ioctl(fd, UFFDIO_COPY, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(fd, _IO(UFFDIO, 0x3E)), EINVAL); // no such request
    int readable = 0;
    CHECK_ERR(ioctl(fd, FIONREAD, &readable), EINVAL); // not a request of its file
    munmap(page, PAGE);
    close(fd);
}

TEST(dev_userfaultfd_makes_one) {
    int device = CHECK_OK(open("/dev/userfaultfd", O_RDWR | O_CLOEXEC));
    CHECK_ERR(ioctl(device, USERFAULTFD_IOC_NEW, 0x10), EINVAL);
    int fd = CHECK_OK(ioctl(device, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK));
    CHECK_OK(close(device));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API};
    CHECK_OK(ioctl(fd, UFFDIO_API, &api));
    char *page = map_pages(1);
    register_range(fd, page, PAGE, UFFDIO_REGISTER_MODE_MISSING);
    struct handler h;
    start_handler(&h, fd, BY_COPY);
    CHECK_EQ(page[0], 'u');
    CHECK_EQ(pthread_join(h.thread, NULL), 0);
    check_fault(&h, page, 0);
    munmap(page, PAGE);
    close(fd);
    int null = CHECK_OK(open("/dev/null", O_RDWR | O_CLOEXEC));
    CHECK_ERR(ioctl(null, USERFAULTFD_IOC_NEW, 0), ENOTTY); // another driver's
    close(null);
}
