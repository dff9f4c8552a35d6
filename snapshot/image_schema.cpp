// SPDX-License-Identifier: MIT
// The schema's constraints, and the printed forms of its values.
#include "image_schema.h"

#include <algorithm>
#include <set>

#include <arpa/inet.h>

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
                using Value = std::remove_cvref_t<decltype(value)>;
                if constexpr (NamedEnum<Value>) {
                    if (!is_known(value))
                        throw image_error(name, "{} {} has unknown {} {}", kind.name, key, field,
                                          static_cast<uint32_t>(value));
                } else if constexpr (std::is_same_v<Value, SocketAddressRecord>) {
                    if (!is_well_formed(value))
                        throw image_error(name, "{} {} has a malformed {} address", kind.name,
                                          key, field);
                }
            });
            if (!numbers.insert(key).second)
                throw image_error(name, "two objects hold handle {}", key);
        }
    });
}

// A tree's members have distinct ids, none the first process's, and each one's parent
// comes before it: the first process, or a member listed earlier.
void check_tree_members(const ImageMetadata &metadata, const std::string &name) {
    if (metadata.tree_members.empty())
        return;
    if (metadata.process_id == 0)
        throw image_error(name, "an image of a tree of processes without its first process's id");
    std::set<uint64_t> known{metadata.process_id};
    for (const auto &member : metadata.tree_members) {
        if (!known.contains(member.parent_id))
            throw image_error(name, "process {} comes before its parent {} in the tree",
                              member.process_id, member.parent_id);
        if (member.process_id == 0 || !known.insert(member.process_id).second)
            throw image_error(name, "the tree holds process {} twice", member.process_id);
    }
}

} // namespace

void check_metadata(const ImageMetadata &metadata, const std::string &name) {
    for (size_t i = 0; i < metadata.regions.size(); i++)
        check_region(metadata.regions[i], i, name);
    check_regions_disjoint(metadata.regions, name);
    check_objects(metadata, name);
    check_tree_members(metadata, name);
}

bool is_well_formed(const SocketAddressRecord &address) {
    switch (address.domain) {
    case SocketDomain::none: return address.ip.empty() && address.name.empty();
    case SocketDomain::unix_local: return address.ip.empty() && address.name.size() <= 108;
    case SocketDomain::inet: return address.ip.size() == 4 && address.port <= 0xffff;
    case SocketDomain::inet6: return address.ip.size() == 16 && address.port <= 0xffff;
    }
    return false;
}

std::string to_string(const SocketAddressRecord &address) {
    if (!is_well_formed(address))
        return "malformed";
    switch (address.domain) {
    case SocketDomain::none: return "";
    case SocketDomain::inet:
        return fmt::format("{}.{}.{}.{}:{}", address.ip[0], address.ip[1], address.ip[2],
                           address.ip[3], address.port);
    case SocketDomain::inet6: {
        char text[INET6_ADDRSTRLEN];
        ::inet_ntop(AF_INET6, address.ip.data(), text, sizeof text);
        return address.scope_id ? fmt::format("[{}%{}]:{}", text, address.scope_id, address.port)
                                : fmt::format("[{}]:{}", text, address.port);
    }
    case SocketDomain::unix_local: {
        if (address.name.empty())
            return "unnamed";
        bool abstract = address.name[0] == '\0';
        std::string text = abstract ? "@" : "";
        for (char c : std::string_view(address.name).substr(abstract ? 1 : 0))
            text += c >= 0x20 && c < 0x7f ? std::string(1, c)
                                          : fmt::format("\\x{:02x}", static_cast<uint8_t>(c));
        return text;
    }
    }
    return "malformed";
}

std::string to_string(const ImageId &id) { return fmt::format("{:016x}{:016x}", id.high, id.low); }

} // namespace bsc::snapshot
