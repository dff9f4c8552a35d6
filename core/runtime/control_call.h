// SPDX-License-Identifier: MIT
// One control request to the chain (Chain::control): a command and its key=value
// arguments as the extension ABI passes them, with its reply buffer and progress reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chain.h"
#include "launch.h"

namespace bsc::runtime {

class ControlCall {
public:
    using Progress = std::function<void(uint64_t done, uint64_t total)>;

    ControlCall(const char *command, chain::ControlArguments arguments, Progress progress = {});
    ControlCall(const ControlCall &) = delete;
    ControlCall &operator=(const ControlCall &) = delete;

    bsc_status run(const ChainEnds &chain);
    // Asks every extension (Chain::gather).
    std::vector<std::pair<std::string, std::string>> gather(const ChainEnds &chain);
    // The extension's one-line answer.
    std::string reply() const { return reply_; }

private:
    static void report(void *cookie, uint64_t done, uint64_t total);

    Progress progress_;
    chain::ControlArguments arguments_;
    std::vector<bsc_option> options_; // point into arguments_
    bsc_control_request request_{};
    char reply_[1024] = "";
};

} // namespace bsc::runtime
