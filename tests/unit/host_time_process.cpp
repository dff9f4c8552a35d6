// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's time, randomness, system and process calls, and of the
// errno translation they all share.
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "errors.h"
#include "host_fixtures.h"
#include "internal.h"
#include "window.h"

using namespace bsc::test;

namespace {

// Runs `body` in a forked child and returns its wait status.
template <class F> int in_child(F body) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        body();
        ::_exit(99); // body should not return
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
}

int exit_pipe = -1;

void write_status_to_pipe(int32_t status) {
    ssize_t ignored = ::write(exit_pipe, &status, sizeof status);
    (void)ignored;
}

} // namespace

TEST_CASE("status_from_errno maps every errno family", "[host][process]") {
    using bsc::host::status_from_errno;
    struct Pair {
        int error;
        bsc_status status;
    };
    for (Pair p : {Pair{ENOENT, BSC_E_NOT_FOUND},
                   {EACCES, BSC_E_ACCESS},
                   {EPERM, BSC_E_NOT_PERMITTED},
                   {EBADF, BSC_E_BAD_HANDLE},
                   {EFAULT, BSC_E_FAULT},
                   {EAGAIN, BSC_E_AGAIN},
                   {EINTR, BSC_E_INTERRUPTED},
                   {ENOSYS, BSC_E_NOT_SUPPORTED},
                   {EOPNOTSUPP, BSC_E_NOT_SUPPORTED},
                   {ENOTSUP, BSC_E_NOT_SUPPORTED},
                   {EISDIR, BSC_E_IS_DIRECTORY},
                   {ENOTDIR, BSC_E_NOT_DIRECTORY},
                   {ENOTEMPTY, BSC_E_NOT_EMPTY},
                   {ENOSPC, BSC_E_NO_SPACE},
                   {EDQUOT, BSC_E_NO_SPACE},
                   {EPIPE, BSC_E_BROKEN_PIPE},
                   {ETIMEDOUT, BSC_E_TIMED_OUT},
                   {EFBIG, BSC_E_TOO_BIG},
                   {ERANGE, BSC_E_TOO_BIG},
                   {EOVERFLOW, BSC_E_TOO_BIG},
                   {EBUSY, BSC_E_BUSY},
                   {ELOOP, BSC_E_LOOP},
                   {ENAMETOOLONG, BSC_E_NAME_TOO_LONG},
                   {EXDEV, BSC_E_CROSS_DEVICE},
                   {EROFS, BSC_E_READ_ONLY},
                   {EIO, BSC_E_IO},
                   {ECONNREFUSED, BSC_E_CONN_REFUSED},
                   {ECONNRESET, BSC_E_CONN_RESET},
                   {EINPROGRESS, BSC_E_IN_PROGRESS},
                   {EALREADY, BSC_E_ALREADY},
                   {EISCONN, BSC_E_IS_CONNECTED},
                   {EADDRNOTAVAIL, BSC_E_ADDR_NOT_AVAILABLE},
                   {EDESTADDRREQ, BSC_E_DESTINATION_REQUIRED},
                   {EMSGSIZE, BSC_E_MESSAGE_TOO_BIG},
                   {ENETUNREACH, BSC_E_NET_UNREACHABLE},
                   {EHOSTUNREACH, BSC_E_HOST_UNREACHABLE},
                   {ECONNABORTED, BSC_E_CONN_ABORTED},
                   {EPROTOTYPE, BSC_E_WRONG_TYPE},
                   {EIDRM, BSC_E_REMOVED},
                   {ENOMSG, BSC_E_NO_MESSAGE},
                   {EADDRINUSE, BSC_E_ADDR_IN_USE},
                   {ENOTCONN, BSC_E_NOT_CONNECTED},
                   {EDEADLK, BSC_E_DEADLOCK},
                   {EMFILE, BSC_E_TOO_MANY},
                   {ENFILE, BSC_E_TOO_MANY},
                   {EMLINK, BSC_E_TOO_MANY},
                   {ETXTBSY, BSC_E_TEXT_BUSY},
                   {ENOTTY, BSC_E_NOT_TTY},
                   {EINVAL, BSC_E_INVALID},
                   {ENOMEM, BSC_E_NO_MEMORY},
                   {EEXIST, BSC_E_EXISTS},
                   {EKEYREVOKED, BSC_E_IO},
                   {0, BSC_OK}}) {
        INFO(std::strerror(p.error));
        CHECK(status_from_errno(p.error) == p.status);
    }
    CHECK(bsc::host::status_from_result(-ENOENT) == BSC_E_NOT_FOUND);
}

TEST_CASE("time_query reads every clock", "[host][time]") {
    host_ready();
    int64_t first = monotonic_ns(), second = monotonic_ns();
    CHECK(second >= first);
    int64_t now = 0;
    REQUIRE(host_time_query(BSC_CLOCK_REALTIME, &now) == BSC_OK);
    CHECK(std::llabs(now / 1000000000 - static_cast<int64_t>(::time(nullptr))) <= 2);
    volatile uint64_t spin = 0;
    for (int i = 0; i < 1000000; i++)
        spin = spin + 1;
    int64_t cpu = 0;
    REQUIRE(host_time_query(BSC_CLOCK_PROCESS_CPU, &cpu) == BSC_OK);
    CHECK(cpu > 0);
    REQUIRE(host_time_query(BSC_CLOCK_THREAD_CPU, &cpu) == BSC_OK);
    CHECK(cpu > 0);
    for (uint32_t clock = BSC_CLOCK_MONOTONIC_RAW; clock <= BSC_CLOCK_THREAD_CPU_ACCOUNTED;
         clock++) {
        INFO(clock);
        CHECK(host_time_query(clock, &now) == BSC_OK);
        CHECK(now >= 0);
    }
    int64_t real = 0, tai = 0;
    REQUIRE(host_time_query(BSC_CLOCK_REALTIME, &real) == BSC_OK);
    REQUIRE(host_time_query(BSC_CLOCK_TAI, &tai) == BSC_OK);
    CHECK(tai >= real);
    CHECK(host_time_query(BSC_CLOCK_THREAD_CPU_ACCOUNTED + 1, &now) == BSC_E_INVALID);
    CHECK(host_time_query(BSC_CLOCK_MONOTONIC, static_cast<int64_t *>(kBadPointer)) == BSC_E_FAULT);
    CHECK(host_time_query(BSC_CLOCK_MONOTONIC, nullptr) == BSC_E_FAULT);
}

TEST_CASE("time_resolution reports each clock's resolution", "[host][time]") {
    host_ready();
    int64_t fine = 0, coarse = 0;
    REQUIRE(host_time_resolution(BSC_CLOCK_MONOTONIC, &fine) == BSC_OK);
    CHECK(fine == 1);
    REQUIRE(host_time_resolution(BSC_CLOCK_MONOTONIC_COARSE, &coarse) == BSC_OK);
    CHECK(coarse >= 1000000); // a tick
    CHECK(host_time_resolution(99, &fine) == BSC_E_INVALID);
    CHECK(host_time_resolution(BSC_CLOCK_REALTIME, static_cast<int64_t *>(kBadPointer)) ==
          BSC_E_FAULT);
}

TEST_CASE("time_sleep_until sleeps until a clock reaches a deadline", "[host][time]") {
    host_ready();
    int64_t start = monotonic_ns();
    REQUIRE(host_time_sleep_until(BSC_CLOCK_MONOTONIC, start + 2000000) == BSC_OK);
    CHECK(monotonic_ns() >= start + 2000000);
    CHECK(host_time_sleep_until(BSC_CLOCK_REALTIME, 0) == BSC_OK); // in the past
    int64_t cpu = 0;
    REQUIRE(host_time_query(BSC_CLOCK_PROCESS_CPU, &cpu) == BSC_OK);
    CHECK(host_time_sleep_until(BSC_CLOCK_PROCESS_CPU, cpu) == BSC_OK);
    CHECK(host_time_sleep_until(BSC_CLOCK_THREAD_CPU, cpu) == BSC_E_INVALID);
    CHECK(host_time_sleep_until(99, 0) == BSC_E_INVALID);
}

TEST_CASE("process_usage_query reports the process, thread and children", "[host][process]") {
    host_ready();
    bsc_process_usage usage{};
    REQUIRE(host_process_usage_query(BSC_USAGE_PROCESS, &usage) == BSC_OK);
    CHECK(usage.max_resident > 1024 * 1024);
    CHECK(usage.minor_faults > 0);
    REQUIRE(host_process_usage_query(BSC_USAGE_THREAD, &usage) == BSC_OK);
    REQUIRE(host_process_usage_query(BSC_USAGE_CHILDREN, &usage) == BSC_OK);
    CHECK(host_process_usage_query(3, &usage) == BSC_E_INVALID);
    CHECK(host_process_usage_query(BSC_USAGE_PROCESS,
                                   static_cast<bsc_process_usage *>(kBadPointer)) == BSC_E_FAULT);
}

TEST_CASE("process_identity_query reports the ids, groups and privileges", "[host][process]") {
    host_ready();
    bsc_process_identity identity{};
    REQUIRE(host_process_identity_query(&identity, nullptr, 0) == BSC_OK);
    CHECK(identity.user_id == ::getuid());
    CHECK(identity.effective_user_id == ::geteuid());
    CHECK(identity.filesystem_user_id == ::geteuid());
    CHECK(identity.group_id == ::getgid());
    CHECK(identity.group_count == static_cast<uint32_t>(::getgroups(0, nullptr)));
    std::vector<uint32_t> groups(identity.group_count + 1);
    REQUIRE(host_process_identity_query(&identity, groups.data(), identity.group_count + 1) ==
            BSC_OK);
    if (identity.group_count > 0)
        CHECK(host_process_identity_query(&identity, static_cast<uint32_t *>(kBadPointer), 1) ==
              BSC_E_FAULT);
    CHECK(host_process_identity_query(static_cast<bsc_process_identity *>(kBadPointer), nullptr,
                                      0) == BSC_E_FAULT);
}

TEST_CASE("thread_identity_set answers as the Linux call it names", "[host][process]") {
    host_ready();
    uint32_t ids[3] = {::getuid(), ::geteuid(), UINT32_MAX}, previous = 0;
    CHECK(host_thread_identity_set(BSC_IDENTITY_USER_ALL, ids, 3, nullptr) == BSC_OK);
    CHECK(host_thread_identity_set(BSC_IDENTITY_USER_FILESYSTEM, ids + 2, 1, &previous) ==
          BSC_OK);
    CHECK(previous == ::geteuid()); // -1: no change, the old id
    CHECK(host_thread_identity_set(0, ids, 1, nullptr) == BSC_E_INVALID);
    CHECK(host_thread_identity_set(BSC_IDENTITY_GROUPS + 1, ids, 1, nullptr) == BSC_E_INVALID);
    CHECK(host_thread_identity_set(BSC_IDENTITY_USER, ids, 2, nullptr) == BSC_E_INVALID);
    CHECK(host_thread_identity_set(BSC_IDENTITY_USER, ids + 2, 1, nullptr) == BSC_E_INVALID);
    CHECK(host_thread_identity_set(BSC_IDENTITY_USER, static_cast<uint32_t *>(kBadPointer), 1,
                                   nullptr) == BSC_E_FAULT);
    // The change itself, in a child that has the privilege: only the calling thread's.
    int status = in_child([] {
        uint32_t nobody[3] = {65534, 65534, 65534};
        bool privileged = ::geteuid() == 0;
        bsc_status changed = host_thread_identity_set(BSC_IDENTITY_USER_ALL, nobody, 3, nullptr);
        uid_t r, e, s;
        ::syscall(SYS_getresuid, &r, &e, &s);
        bool right = privileged ? changed == BSC_OK && r == 65534 && e == 65534 && s == 65534
                                : changed == BSC_E_NOT_PERMITTED;
        // A list outside guest memory: the kernel's order (EPERM first, unprivileged now).
        right = right && host_thread_identity_set(BSC_IDENTITY_GROUPS, nobody, 1, nullptr) ==
                             BSC_E_NOT_PERMITTED;
        ::_exit(right ? 0 : 1);
    });
    CHECK(status == 0);
}

TEST_CASE("thread_capabilities_query and thread_capabilities_set", "[host][process]") {
    host_ready();
    bsc_capabilities caps{};
    REQUIRE(host_thread_capabilities_query(BSC_NO_HANDLE, &caps) == BSC_OK);
    CHECK((caps.effective & ~caps.permitted) == 0);
    CHECK(host_thread_capabilities_set(&caps) == BSC_OK); // the same sets
    bsc_capabilities more = caps;
    more.effective |= ~caps.permitted & 0xffffffffu;
    if (more.effective != caps.effective)
        CHECK(host_thread_capabilities_set(&more) == BSC_E_NOT_PERMITTED);
    CHECK(host_thread_capabilities_query(999999, &caps) == BSC_E_BAD_HANDLE);
    CHECK(host_thread_capabilities_query(BSC_NO_HANDLE,
                                         static_cast<bsc_capabilities *>(kBadPointer)) ==
          BSC_E_FAULT);
    CHECK(host_thread_capabilities_set(static_cast<bsc_capabilities *>(kBadPointer)) ==
          BSC_E_FAULT);
    bsc_handle self = BSC_NO_HANDLE;
    REQUIRE(host_process_open(0, &self) == BSC_OK);
    bsc_capabilities of_process{};
    CHECK(host_thread_capabilities_query(self, &of_process) == BSC_OK);
    CHECK(of_process.permitted == caps.permitted);
    host_object_close(self);
}

TEST_CASE("thread_security_bits_query and thread_security_bits_set", "[host][process]") {
    host_ready();
    uint32_t bits = 0;
    REQUIRE(host_thread_security_bits_query(&bits) == BSC_OK);
    CHECK(host_thread_security_bits_query(static_cast<uint32_t *>(kBadPointer)) == BSC_E_FAULT);
    // In a child: KEEP_CAPS alone as PR_SET_KEEPCAPS, a lock as PR_SET_SECUREBITS (which
    // needs CAP_SETPCAP), and then the locked bit stays.
    int status = in_child([] {
        constexpr uint32_t kKeepCapsLocked = 1u << 5;
        uint32_t now = 0;
        bool right = host_thread_security_bits_set(BSC_SECURITY_KEEP_CAPS,
                                                   BSC_SECURITY_KEEP_CAPS) == BSC_OK &&
                     host_thread_security_bits_query(&now) == BSC_OK &&
                     (now & BSC_SECURITY_KEEP_CAPS) && ::prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1;
        bsc_status locked = host_thread_security_bits_set(kKeepCapsLocked, kKeepCapsLocked);
        if (::geteuid() == 0) {
            right = right && locked == BSC_OK &&
                    host_thread_security_bits_set(0, BSC_SECURITY_KEEP_CAPS) ==
                        BSC_E_NOT_PERMITTED &&
                    host_thread_security_bits_set(0, kKeepCapsLocked) == BSC_E_NOT_PERMITTED;
        } else {
            right = right && locked == BSC_E_NOT_PERMITTED;
        }
        ::_exit(right ? 0 : 1);
    });
    CHECK(status == 0);
}

TEST_CASE("thread_affinity_query and thread_affinity_set", "[host][process]") {
    host_ready();
    uint64_t mask[128] = {};
    uint32_t size = 0, least = 0;
    REQUIRE(host_thread_affinity_query(mask, sizeof mask, &size, &least) == BSC_OK);
    CHECK(size >= 8);
    CHECK(least >= 8);
    CHECK(least <= size);
    CHECK(mask[0] != 0);
    REQUIRE(host_thread_affinity_set(mask, size) == BSC_OK);
    uint64_t none[128] = {};
    CHECK(host_thread_affinity_set(none, size) == BSC_E_INVALID);
    CHECK(host_thread_affinity_set(static_cast<uint64_t *>(kBadPointer), 8) == BSC_E_FAULT);
    CHECK(host_thread_affinity_query(static_cast<uint64_t *>(kBadPointer), 8, &size, &least) ==
          BSC_E_FAULT);
}

TEST_CASE("thread_io_priority_query and thread_io_priority_set", "[host][process]") {
    host_ready();
    // In a child, so that the test runner's own priority stays as it was.
    int status = in_child([] {
        constexpr uint32_t kBestEffort3 = (2u << 13) | 3, kIdle = 3u << 13;
        uint32_t now = 99;
        bool right = host_thread_io_priority_set(kBestEffort3) == BSC_OK &&
                     host_thread_io_priority_query(&now) == BSC_OK && now == kBestEffort3 &&
                     ::syscall(SYS_ioprio_get, 1, 0) == kBestEffort3 &&
                     host_thread_io_priority_set(kIdle) == BSC_OK &&
                     host_thread_io_priority_query(&now) == BSC_OK && now == kIdle &&
                     host_thread_io_priority_set(7u << 13) == BSC_E_INVALID && // no such class
                     host_thread_io_priority_set(1) == BSC_E_INVALID && // NONE has no level
                     host_thread_io_priority_query(static_cast<uint32_t *>(kBadPointer)) ==
                         BSC_E_FAULT &&
                     host_thread_io_priority_query_by_handle(987654, &now) == BSC_E_BAD_HANDLE &&
                     host_thread_io_priority_set_by_handle(987654, kIdle) == BSC_E_BAD_HANDLE;
        ::_exit(right ? 0 : 1);
    });
    CHECK(status == 0);
}

TEST_CASE("random_read fills buffers of any size", "[host][time]") {
    host_ready();
    std::vector<unsigned char> a(64), b(64), big(3 << 20);
    REQUIRE(host_random_read(a.data(), a.size()) == BSC_OK);
    REQUIRE(host_random_read(b.data(), b.size()) == BSC_OK);
    CHECK(a != b);
    CHECK(a != std::vector<unsigned char>(64, 0));
    REQUIRE(host_random_read(big.data(), big.size()) == BSC_OK);
    CHECK(std::count(big.end() - 4096, big.end(), 0) < 100); // the tail was filled too
    CHECK(host_random_read(nullptr, 0) == BSC_OK);
    CHECK(host_random_read(kBadPointer, 16) == BSC_E_FAULT);
    NoAccessPage page;
    CHECK(host_random_read(page.as<char>(), 16) == BSC_E_FAULT);
}

TEST_CASE("system_info_query describes the host and the window", "[host][process]") {
    host_ready();
    bsc_system_info info;
    std::memset(&info, 0xff, sizeof info);
    REQUIRE(host_system_info_query(&info) == BSC_OK);
    CHECK(info.cpu_count >= 1);
    CHECK(info.page_size == 4096);
    CHECK(info.memory_total > 0);
    CHECK(info.memory_free <= info.memory_total);
    CHECK(info.uptime_ns > 0);
    CHECK(info.window_base == bsc::host::kWindowBase);
    CHECK(info.window_size == bsc::host::kWindowSize);
    utsname names;
    REQUIRE(::uname(&names) == 0);
    CHECK(std::string(info.machine) == "x86_64");
    CHECK(std::string(info.os_release) == names.release);
    CHECK(std::string(info.host_name) == names.nodename);
    CHECK(info.reserved[0] == 0);
    CHECK(host_system_info_query(static_cast<bsc_system_info *>(kBadPointer)) == BSC_E_FAULT);
}

TEST_CASE("debug_print writes to the runtime's stderr", "[host][process]") {
    host_ready();
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    int saved = ::dup(STDERR_FILENO);
    REQUIRE(::dup2(pipe_fds[1], STDERR_FILENO) == STDERR_FILENO);
    bsc_status ok = host_debug_print("diagnostic\n", 11);
    bsc_status empty = host_debug_print(nullptr, 0);
    bsc_status fault = host_debug_print(static_cast<const char *>(kBadPointer), 5);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(pipe_fds[1]);
    char buffer[64];
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    ::close(pipe_fds[0]);
    CHECK(ok == BSC_OK);
    CHECK(empty == BSC_OK);
    CHECK(fault == BSC_E_FAULT);
    CHECK(std::string(buffer, static_cast<size_t>(std::max<ssize_t>(n, 0))) == "diagnostic\n");
}

TEST_CASE("process_exit ends the process with a status or a signal", "[host][process]") {
    host_ready();
    int status = in_child([] { host_process_exit(3); });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 3);
    status = in_child([] { host_process_exit(256 + 7); });
    CHECK(WEXITSTATUS(status) == 7); // the low 8 bits, like Linux
    status = in_child([] { host_process_exit(-SIGTERM); });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    status = in_child([] {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        ::pthread_sigmask(SIG_BLOCK, &set, nullptr); // blocked or handled: still the signal
        ::signal(SIGUSR1, [](int) {});
        host_process_exit(-SIGUSR1);
    });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGUSR1);
    status = in_child([] { host_process_exit(-SIGCHLD); }); // ignored by default
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGCHLD);
    status = in_child([] { host_process_exit(-100); }); // no such signal
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 228);
}

TEST_CASE("process_exit calls the exit hook first", "[host][process]") {
    host_ready();
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    exit_pipe = fds[1];
    int status = in_child([] {
        bsc::host::set_exit_hook(write_status_to_pipe);
        host_process_exit(42);
    });
    ::close(fds[1]);
    int32_t seen = 0;
    CHECK(::read(fds[0], &seen, sizeof seen) == sizeof seen);
    ::close(fds[0]);
    CHECK(seen == 42);
    CHECK(WEXITSTATUS(status) == 42);
}

TEST_CASE("process_create starts the runtime command with the guest's argv", "[host][process]") {
    host_ready();
    const char *argv[] = {"hello", "world", nullptr};
    bsc_handle pipe[2], null = open_ok("dev:null", BSC_ACCESS_READ), child;
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    bsc_handle inherit[] = {null, pipe[1]};

    bsc::host::set_process_command({});
    CHECK(host_process_create(argv, inherit, 2, &child) == BSC_E_NOT_SUPPORTED);

    // Stand-in for "bascule run --ext ...": prints what follows "--", and whether any
    // descriptor beyond 0-2 leaked into it. No pipeline in the shell: its pipe ends would
    // be in the listing while it sets one up.
    bsc::host::set_process_command(
        {"/bin/sh", "-c", "shift; echo \"$@\"; ls /proc/$$/fd", "sh"});
    REQUIRE(host_process_create(argv, inherit, 2, &child) == BSC_OK);
    CHECK(host_object_close(pipe[1]) == BSC_OK); // the child holds the only writer now
    bsc_wait_item item{child, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    REQUIRE(host_objects_wait_any(&item, 1, 5000000000, &ready) == BSC_OK);
    CHECK(item.ready == BSC_WAIT_READ); // the child's exit
    std::string output;
    for (std::string chunk; !(chunk = read_ok(pipe[0], 256)).empty();)
        output += chunk;
    CHECK(output.starts_with("hello world\n"));
    CHECK(output.substr(12) == "0\n1\n2\n"); // only stdio, even what the runtime inherited
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query_by_handle(child, &attributes) == BSC_OK);
    CHECK(attributes.type == BSC_TYPE_PROCESS);
    for (bsc_handle handle : {child, pipe[0], null})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("process_create errors", "[host][process]") {
    host_ready();
    bsc::host::set_process_command({"/bin/true"});
    const char *argv[] = {"x", nullptr};
    const char *empty[] = {nullptr};
    const char *bad_string[] = {"x", static_cast<const char *>(kBadPointer), nullptr};
    bsc_handle child, null = open_ok("dev:null", BSC_ACCESS_READ);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_process_create(empty, nullptr, 0, &child) == BSC_E_INVALID);
    CHECK(host_process_create(static_cast<const char *const *>(kBadPointer), nullptr, 0, &child) ==
          BSC_E_FAULT);
    CHECK(host_process_create(bad_string, nullptr, 0, &child) == BSC_E_FAULT);
    CHECK(host_process_create(argv, static_cast<bsc_handle *>(kBadPointer), 1, &child) ==
          BSC_E_FAULT);
    bsc_handle missing = 987654;
    CHECK(host_process_create(argv, &missing, 1, &child) == BSC_E_BAD_HANDLE);
    CHECK(host_process_create(argv, &event, 1, &child) == BSC_E_BAD_HANDLE);
    CHECK(host_process_create(argv, &null, 5000, &child) == BSC_E_INVALID);
    CHECK(host_process_create(argv, &null, 1, static_cast<bsc_handle *>(kBadPointer)) ==
          BSC_E_FAULT);
    std::vector<const char *> endless(5000, "x");
    endless.push_back(nullptr);
    CHECK(host_process_create(endless.data(), nullptr, 0, &child) == BSC_E_TOO_BIG);
    bsc::host::set_process_command({"/nonexistent/bascule"});
    CHECK(host_process_create(argv, nullptr, 0, &child) == BSC_E_NOT_FOUND);
    CHECK(host_object_close(null) == BSC_OK);
    CHECK(host_object_close(event) == BSC_OK);
}
