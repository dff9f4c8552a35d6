// SPDX-License-Identifier: MIT
// A process whose first thread has ended while another still runs: Linux shows it as a
// zombie, yet its parent cannot see it end until the other thread has; a tree capture
// waits for such a process (core/runtime/tree_capture.cpp, checkpoint.make_build).
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "guest_tree.h"

using namespace bsc::runtime;

namespace {

void *linger(void *) {
    ::usleep(300'000);
    return nullptr;
}

// A child whose first thread ends at once while its second lingers for 0.3 s.
pid_t fork_ending_child() {
    pid_t child = ::fork();
    if (child == 0) {
        pthread_t thread;
        if (::pthread_create(&thread, nullptr, linger, nullptr) != 0)
            ::_exit(1);
        // This thread alone ends (no unwinding through the test's frames): the process
        // ends when `thread` does.
        ::syscall(SYS_exit, 0);
    }
    return child;
}

} // namespace

TEST_CASE("guest tree: a process still ending is waited for", "[runtime]") {
    pid_t child = fork_ending_child();
    REQUIRE(child > 0);
    ::usleep(50'000); // its first thread has ended by now
    siginfo_t info{};
    REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) == 0);
    CHECK(info.si_pid == 0); // not ended, for its parent
    auto started = std::chrono::steady_clock::now();
    CHECK(wait_for_endings(::getpid(), std::chrono::seconds(5)));
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(100));
    REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG) == 0);
    CHECK(info.si_pid == child); // ended now
}

TEST_CASE("guest tree: waiting for endings gives up at its limit", "[runtime]") {
    pid_t child = fork_ending_child();
    REQUIRE(child > 0);
    ::usleep(50'000);
    CHECK_FALSE(wait_for_endings(::getpid(), std::chrono::milliseconds(20)));
    int status = 0;
    CHECK(::waitpid(child, &status, 0) == child);
}
