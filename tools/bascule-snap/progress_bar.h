// SPDX-License-Identifier: MIT
// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <cstdint>
#include <string>

namespace bsc::snap {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar(); // ends the line if one was drawn
    void update(uint64_t done, uint64_t total);

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    int last_percent_ = -1;
};

} // namespace bsc::snap
