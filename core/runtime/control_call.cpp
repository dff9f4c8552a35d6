// SPDX-License-Identifier: MIT
#include "control_call.h"

namespace bsc::runtime {

ControlCall::ControlCall(const char *command, chain::ControlArguments arguments,
                         Progress progress)
    : progress_(std::move(progress)), arguments_(std::move(arguments)) {
    for (const auto &[key, value] : arguments_)
        options_.push_back({key.c_str(), value.c_str()});
    request_ = {.size = sizeof request_, .reserved = 0, .command = command,
                .arguments = options_.data(), .argument_count = options_.size(),
                .progress = report, .cookie = this, .reply = reply_, .reply_size = sizeof reply_};
}

bsc_status ControlCall::run(const ChainEnds &chain) {
    reply_[0] = '\0';
    bsc_status status = chain.control(request_);
    reply_[sizeof reply_ - 1] = '\0';
    return status;
}

std::vector<std::pair<std::string, std::string>> ControlCall::gather(const ChainEnds &chain) {
    return chain.gather(request_);
}

void ControlCall::report(void *cookie, uint64_t done, uint64_t total) {
    auto *call = static_cast<ControlCall *>(cookie);
    if (call->progress_)
        call->progress_(done, total);
}

} // namespace bsc::runtime
