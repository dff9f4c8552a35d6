// SPDX-License-Identifier: MIT
// Test extension thread-signals: at the guest's first stream_write, starts a thread of its
// own from that host code on a guest thread (the thread inherits its %gs and signal
// mask), sends the thread a SIGCHLD, and says on stderr whether the thread's %fs was
// still its own once the host's handler had run (tests/integration/extension_threads.sh).
#include "test_extension.h"

#include <asm/prctl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

const bsc_downcalls *below;
std::once_flag checked;

uint64_t fs_base() {
    uint64_t base = 0;
    ::syscall(SYS_arch_prctl, ARCH_GET_FS, &base);
    return base;
}

// In the thread: a signal sent to itself runs the host's handler before tgkill returns.
bool signal_keeps_fs() {
    uint64_t own = fs_base();
    ::syscall(SYS_tgkill, ::getpid(), ::gettid(), SIGCHLD);
    return fs_base() == own && std::strtoul("42", nullptr, 10) == 42; // strtoul reads TLS
}

bsc_status stream_write(bsc_handle handle, uint64_t offset, const void *buffer, uint64_t size,
                        uint64_t *done) {
    std::call_once(checked, [] {
        bool kept = false;
        std::thread([&kept] { kept = signal_keeps_fs(); }).join();
        std::fprintf(stderr, "thread-signals: %s\n",
                     kept ? "the thread's %fs is its own after a signal"
                          : "a signal changed the thread's %fs");
    });
    return below->stream_write(handle, offset, buffer, size, done);
}

bsc_status init(const bsc_extension_context *context, void **, char *, size_t) {
    below = context->below;
    context->above->stream_write = stream_write;
    return BSC_OK;
}

constexpr bsc_extension_descriptor make_descriptor() {
    auto d = test_extension::descriptor("thread-signals");
    d.init = init;
    return d;
}

} // namespace

TEST_EXTENSION = make_descriptor();
