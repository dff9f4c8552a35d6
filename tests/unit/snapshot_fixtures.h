// SPDX-License-Identifier: MIT
// Shared pieces of the snapshot tests: a scratch directory, page-aligned memory standing
// for guest regions, contents to fill it with, metadata, and images written from them.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "checksum.h"
#include "image_chain.h"
#include "image_error.h"
#include "image_format.h"
#include "image_writer.h"
#include "portable_codec.h"
#include "section_compression.h"

namespace snapshot_test {

using namespace bsc::snapshot;

// A fresh directory, removed with everything in it at the end of the test.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "bascule-snap-XXXXXX");
        REQUIRE(::mkdtemp(pattern.data()));
        path_ = pattern;
    }
    ~ScratchDirectory() { std::filesystem::remove_all(path_); }
    ScratchDirectory(const ScratchDirectory &) = delete;
    ScratchDirectory &operator=(const ScratchDirectory &) = delete;

    std::filesystem::path operator/(const std::string &name) const { return path_ / name; }
    const std::filesystem::path &path() const { return path_; }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto &entry : std::filesystem::directory_iterator(path_))
            names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    std::filesystem::path path_;
};

// Page-aligned memory of its own, zero-filled, standing for a guest region: the writer
// reads a region at its own address, as a capture does.
class GuestRegion {
public:
    explicit GuestRegion(size_t pages) : size_(pages * kPageSize) {
        void *at = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
        REQUIRE(at != MAP_FAILED);
        data_ = static_cast<std::byte *>(at);
    }
    ~GuestRegion() { ::munmap(data_, size_); }
    GuestRegion(const GuestRegion &) = delete;
    GuestRegion &operator=(const GuestRegion &) = delete;

    std::span<std::byte> bytes() const { return {data_, size_}; }
    std::span<std::byte> page(size_t number) const {
        return bytes().subspan(number * kPageSize, kPageSize);
    }
    std::vector<std::byte> copy() const { return {data_, data_ + size_}; }
    RegionRecord record() const {
        return {reinterpret_cast<uint64_t>(data_), size_, 3, 0, RegionOrigin::anonymous,
                "", 0, RegionContents::pages_in_image};
    }

private:
    size_t size_;
    std::byte *data_;
};

// Bytes LZ4 cannot shrink.
inline void fill_random(std::span<std::byte> bytes, uint32_t seed) {
    std::mt19937_64 random(seed);
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
        uint64_t value = random();
        std::memcpy(bytes.data() + i, &value, 8);
    }
}

// Text-like bytes that compress well but differ from page to page.
inline void fill_pattern(std::span<std::byte> bytes, uint32_t seed) {
    for (size_t i = 0; i < bytes.size(); i++)
        bytes[i] = static_cast<std::byte>("bascule snapshot "[(i + seed) % 17] + (i / 4096) % 7);
}

// Metadata naming `regions`, with a record of every other kind filled in.
inline ImageMetadata sample_metadata(std::vector<RegionRecord> regions) {
    ImageMetadata metadata;
    metadata.abi_version = 0x10001;
    metadata.extension_stack = {"checkpoint", "trace:format=json"};
    metadata.program = {{"/bin/cat", "-n", "file with spaces"}, "/home/user"};
    metadata.entry_page_address = 0x200000000000;
    metadata.regions = std::move(regions);
    FileIdentity identity{2049, 1234567, 4096, 1700000000123456789, true};
    metadata.handles = {
        {3, HandleKind::file, "file:/etc/hosts", 1, 0644, 0, 0, 17, identity, {}, -1,
         StdioTarget::other, ""},
        {4, HandleKind::pipe_read, "pipe:", 1, 0, 0, 2, 0, {}, {'a', 'b', 0}, -1,
         StdioTarget::other, "", 5, 0x1234, 0x5678},
        {1, HandleKind::stdio, "dev:stdout", 2, 0, 0, 0, 0, {}, {}, 1, StdioTarget::terminal,
         "/dev/pts/3"}};
    metadata.guest_upcalls = 0x200000012340;
    metadata.threads = {{7, 0x200000100000, ParkPoint::exception, 0x2000001ff000, 0, 0, 0,
                         std::vector<uint8_t>(176, 0x5a)},
                        {8, 0x200000200000, ParkPoint::not_started, 0, 0x42, 0x2000002f0000,
                         0x200000200040, {}}};
    metadata.events = {{9, 1, true}, {10, 0, false}};
    SocketRecord listener;
    listener.number = 11;
    listener.domain = SocketDomain::inet6;
    listener.type = SocketType::stream;
    listener.state = SocketState::listening;
    listener.local = {SocketDomain::inet6, 8080, std::vector<uint8_t>(16), 0, 2, ""};
    listener.backlog = 16;
    listener.reuse_address = true;
    SocketRecord pair_end;
    pair_end.number = 12;
    pair_end.domain = SocketDomain::unix_local;
    pair_end.type = SocketType::stream;
    pair_end.state = SocketState::connected;
    pair_end.local = {SocketDomain::unix_local, 0, {}, 0, 0, std::string("\0ab\n", 4)};
    pair_end.partner = 13;
    pair_end.unread = {'h', 'i'};
    pair_end.linger = int64_t{1} << 32;
    metadata.sockets = {listener, pair_end};
    metadata.processes = {{14, 4242, ProcessRelation::child, false, 0, 0},
                          {15, 4243, ProcessRelation::child, true, 1, 3},
                          {16, 4000, ProcessRelation::opened, false, 0, 0}};
    metadata.process_id = 4000;
    metadata.extension_blobs = {{"trace", {1, 2, 3, 4}}, {"empty", {}}};
    return metadata;
}

// Writes an image of `regions` to `path`, against `parent` if given.
inline ImageId write_image(const std::filesystem::path &path,
                           const std::vector<const GuestRegion *> &regions,
                           const ImageChain *parent = nullptr, WriteOptions options = {}) {
    auto writer = ImageWriter::create(path, parent, std::move(options));
    std::vector<RegionRecord> records;
    for (size_t i = 0; i < regions.size(); i++) {
        writer.add_region_pages(i, regions[i]->bytes());
        records.push_back(regions[i]->record());
    }
    return writer.commit(sample_metadata(std::move(records)));
}

// A page index as an image stores it: encoded, then compressed.
inline std::vector<std::byte> stored_index(const PageIndex &index) {
    return compress_section(encode_record(index));
}

// Region `index` of the chain's top image, read back.
inline std::vector<std::byte> read_region(const ImageChain &chain, size_t index) {
    std::vector<std::byte> bytes(chain.top().metadata().regions.at(index).size);
    chain.read_region_pages(index, bytes);
    return bytes;
}

inline std::vector<std::byte> read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), {});
    auto *bytes = reinterpret_cast<const std::byte *>(chars.data());
    return {bytes, bytes + chars.size()};
}

inline void write_file(const std::filesystem::path &path, std::span<const std::byte> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

// The bytes of an image made of these sections, in this order, with correct checksums: how
// the tests build images a writer would never produce.
inline std::vector<std::byte>
assemble_image(const std::vector<std::pair<SectionKind, std::vector<std::byte>>> &parts) {
    std::vector<std::byte> file(kHeaderSize);
    std::vector<SectionEntry> sections;
    for (const auto &[kind, bytes] : parts) {
        sections.push_back({kind, file.size(), bytes.size(), section_checksum(kind, bytes)});
        file.insert(file.end(), bytes.begin(), bytes.end());
    }
    auto table = encode_section_table(sections);
    auto header = encode_header(file.size(), static_cast<uint32_t>(sections.size()), table);
    file.insert(file.end(), table.begin(), table.end());
    std::copy(header.begin(), header.end(), file.begin());
    return file;
}

// The page_blocks section of an image file the writer made: it follows the header.
inline std::span<const std::byte> page_blocks_of(std::span<const std::byte> file,
                                                 const PageIndex &index) {
    uint64_t size = 0;
    for (const auto &block : index.blocks)
        size += block.stored_size;
    return file.subspan(kHeaderSize, size);
}

} // namespace snapshot_test
