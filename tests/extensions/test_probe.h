// SPDX-License-Identifier: MIT
// What the test extensions report to the unit tests: a TestProbe lives in the test,
// and its address reaches the extension as the option probe=ADDRESS.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

struct TestProbe {
    std::atomic<uint64_t> downcalls{0};
    std::atomic<uint64_t> upcalls{0};
    char log[4096] = "";
    size_t log_length = 0;

    // Appends "word " to the log (lifecycle events, options seen; single-threaded).
    void note(const char *label, const char *what) {
        for (const char *part : {label, ":", what, " "}) {
            size_t n = std::strlen(part);
            if (log_length + n + 1 > sizeof log)
                return;
            std::memcpy(log + log_length, part, n + 1);
            log_length += n;
        }
    }

    std::string option() const {
        return "probe=" + std::to_string(reinterpret_cast<uintptr_t>(this));
    }
};

// The probe named by a probe=ADDRESS option, or nullptr.
inline TestProbe *probe_from(const char *value) {
    return reinterpret_cast<TestProbe *>(std::strtoull(value, nullptr, 0));
}
