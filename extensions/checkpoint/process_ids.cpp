// SPDX-License-Identifier: MIT
#include "process_ids.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace bsc::checkpoint {
namespace {

constexpr uint64_t kMoved = uint64_t{1} << 32; // Linux pids stay below 2^22

} // namespace

uint64_t ProcessIds::above(uint64_t host) const {
    for (const auto &[id, restored_host] : restored_)
        if (restored_host == host)
            return id;
    for (const auto &[id, restored_host] : restored_)
        if (id == host)
            return host + kMoved;
    return host;
}

uint64_t ProcessIds::below(uint64_t id) const {
    for (const auto &[restored_id, host] : restored_)
        if (restored_id == id)
            return host;
    return id >= kMoved ? id - kMoved : id;
}

std::optional<std::string> ProcessIds::proc_uri_below(const std::string &uri) const {
    constexpr std::string_view kProc = "file:/proc/";
    if (!uri.starts_with(kProc))
        return std::nullopt;
    size_t end = std::min(uri.find('/', kProc.size()), uri.size());
    std::string_view digits = std::string_view(uri).substr(kProc.size(), end - kProc.size());
    uint64_t id = 0;
    auto [next, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || error != std::errc() || next != digits.data() + digits.size())
        return std::nullopt;
    uint64_t host = below(id);
    if (host == id)
        return std::nullopt;
    return std::string(kProc) + std::to_string(host) + uri.substr(end);
}

void ProcessIds::add_restored(uint64_t id, uint64_t host) {
    for (const auto &[known, known_host] : restored_)
        if (known == id)
            return;
    restored_.emplace_back(id, host);
}

} // namespace bsc::checkpoint
