// SPDX-License-Identifier: MIT
// A process whose first thread has ended while another still runs: Linux shows it as a
// zombie, yet its parent cannot see it end until the other thread has; and one that has
// let its memory go but is not a zombie yet (/proc/PID/exe gone). A tree capture waits
// for both (core/runtime/tree_capture.cpp, checkpoint.make_build, checkpoint.pipeline).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>

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

// A child that exits slowly (thousands of descriptors and 256 MiB to give back) once it
// has written to `ready`.
pid_t fork_slowly_exiting_child(int ready) {
    pid_t child = ::fork();
    if (child == 0) {
        for (int i = 0; i < 4000; i++)
            ::open("/dev/null", O_RDONLY);
        ::mmap(nullptr, 256 << 20, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        char byte = 0;
        [[maybe_unused]] auto n = ::write(ready, &byte, 1);
        ::_exit(0);
    }
    return child;
}

char state_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
}

} // namespace

TEST_CASE("guest tree: a process between giving its memory back and its end is waited for",
          "[runtime]") {
    // The window is caught as it comes: a round that misses it tries again.
    bool caught = false;
    for (int round = 0; round < 50 && !caught; round++) {
        int ends[2];
        REQUIRE(::pipe(ends) == 0);
        pid_t child = fork_slowly_exiting_child(ends[1]);
        REQUIRE(child > 0);
        char byte;
        REQUIRE(::read(ends[0], &byte, 1) == 1);
        std::string exe = "/proc/" + std::to_string(child) + "/exe";
        for (struct stat st{};;) {
            char state = state_of(child);
            if (state == 'Z' || state == '?')
                break;
            if (::stat(exe.c_str(), &st) != 0 && errno == ENOENT && state_of(child) != 'Z') {
                caught = true;
                CHECK(wait_for_endings(::getpid(), std::chrono::seconds(5)));
                siginfo_t info{};
                REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info,
                                 WEXITED | WNOHANG | WNOWAIT) == 0);
                CHECK(info.si_pid == child); // ended, for its parent, once waited for
                break;
            }
        }
        ::waitpid(child, nullptr, 0);
        ::close(ends[0]);
        ::close(ends[1]);
    }
    CHECK(caught);
}

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
