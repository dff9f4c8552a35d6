// SPDX-License-Identifier: MIT
#include "debug_plan.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include <cereal/types/vector.hpp>

#include "portable_codec.h"

namespace bsc::replay {
namespace {

constexpr size_t kMaxPlan = 64 << 20;

} // namespace

std::vector<std::byte> encode_plan(const Plan &plan) {
    snapshot::LittleEndianOutputArchive archive;
    archive(plan);
    return std::move(archive).take();
}

std::optional<Plan> decode_plan(std::span<const std::byte> bytes) {
    try {
        snapshot::BoundedInputArchive archive(bytes);
        Plan plan;
        archive(plan);
        if (archive.remaining())
            return std::nullopt;
        return plan;
    } catch (const cereal::Exception &) {
        return std::nullopt;
    }
}

int write_plan_file(const Plan &plan) {
    auto bytes = encode_plan(plan);
    int fd = ::memfd_create("bascule-gdb-plan", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::lseek(fd, 0, SEEK_SET) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::optional<Plan> read_plan_file(int fd) {
    std::vector<std::byte> bytes;
    std::byte buffer[65536];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || bytes.size() + static_cast<size_t>(n) > kMaxPlan) {
            ::close(fd);
            return std::nullopt;
        }
        bytes.insert(bytes.end(), buffer, buffer + n);
    }
    ::close(fd);
    return decode_plan(bytes);
}

} // namespace bsc::replay
