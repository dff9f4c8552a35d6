// SPDX-License-Identifier: MIT
// The schema's constraints, and the printed forms of its values.
#include "image_schema.h"

#include <algorithm>
#include <set>

#include "image_error.h"
#include "object_kinds.h"

namespace bsc::snapshot {
namespace {

void check_region(const RegionRecord &region, size_t index, const std::string &name) {
    if (!is_known(region.origin))
        throw image_error(name, "region {} has unknown origin {}", index,
                          static_cast<uint32_t>(region.origin));
    if (!is_known(region.contents))
        throw image_error(name, "region {} has unknown contents kind {}", index,
                          static_cast<uint32_t>(region.contents));
    if (region.address % kPageSize != 0 || region.size % kPageSize != 0 || region.size == 0)
        throw image_error(name, "region {} ({:#x}, {} bytes) is not made of whole pages", index,
                          region.address, region.size);
    if (region.address + region.size < region.address)
        throw image_error(name, "region {} ({:#x}, {} bytes) wraps around the address space",
                          index, region.address, region.size);
}

void check_regions_disjoint(const std::vector<RegionRecord> &regions, const std::string &name) {
    std::vector<const RegionRecord *> by_address;
    for (const auto &region : regions)
        by_address.push_back(&region);
    std::ranges::sort(by_address, {}, &RegionRecord::address);
    for (size_t i = 1; i < by_address.size(); i++)
        if (by_address[i - 1]->address + by_address[i - 1]->size > by_address[i]->address)
            throw image_error(name, "regions at {:#x} and {:#x} overlap",
                              by_address[i - 1]->address, by_address[i]->address);
}

// Every enum field of every object holds one of its values, and no two objects (of any
// kind: they are all handles the guest holds) share a handle number.
void check_objects(const ImageMetadata &metadata, const std::string &name) {
    std::set<uint64_t> numbers;
    for_each_kind(metadata, [&](auto kind, const auto &records) {
        for (const auto &record : records) {
            uint64_t key = kind.key(record);
            visit_fields(record, [&](const char *field, const auto &value, Shown) {
                if constexpr (NamedEnum<std::remove_cvref_t<decltype(value)>>)
                    if (!is_known(value))
                        throw image_error(name, "{} {} has unknown {} {}", kind.name, key, field,
                                          static_cast<uint32_t>(value));
            });
            if (!numbers.insert(key).second)
                throw image_error(name, "two objects hold handle {}", key);
        }
    });
}

} // namespace

void check_metadata(const ImageMetadata &metadata, const std::string &name) {
    for (size_t i = 0; i < metadata.regions.size(); i++)
        check_region(metadata.regions[i], i, name);
    check_regions_disjoint(metadata.regions, name);
    check_objects(metadata, name);
}

std::string to_string(const ImageId &id) { return fmt::format("{:016x}{:016x}", id.high, id.low); }

} // namespace bsc::snapshot
