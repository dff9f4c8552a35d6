// SPDX-License-Identifier: MIT
#include "progress_bar.h"

#include <unistd.h>

#include <fmt/core.h>

namespace bsc::snap {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), enabled_(::isatty(2)) {}

ProgressBar::~ProgressBar() {
    if (drawn_)
        fmt::print(stderr, "\n");
}

void ProgressBar::update(uint64_t done, uint64_t total) {
    if (!enabled_ || total == 0)
        return;
    int percent = static_cast<int>(done * 100 / total);
    if (percent == last_percent_)
        return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    int filled = percent * kWidth / 100;
    fmt::print(stderr, "\r{} [{:#<{}}{:<{}}] {:3}% {:.1f}/{:.1f} MiB", label_, "", filled, "",
               kWidth - filled, percent, done / 1048576.0, total / 1048576.0);
    drawn_ = true;
}

} // namespace bsc::snap
