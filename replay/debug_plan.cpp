// SPDX-License-Identifier: MIT
#include "debug_plan.h"

#include <cereal/types/vector.hpp>

#include "portable_codec.h"

namespace bsc::replay {

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

} // namespace bsc::replay
