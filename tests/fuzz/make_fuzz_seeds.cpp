// SPDX-License-Identifier: MIT
// Writes the fuzzer's seed corpus into the directory it is given: small valid images of
// each shape the reader knows (full with every kind of record, empty, incremental, a tree).
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>

#include "image_chain.h"
#include "image_writer.h"
#include "object_kinds.h"

namespace {

using namespace bsc::snapshot;

// Page-aligned memory standing for a guest region: the writer reads a region at its own
// address. The seed program is short-lived, so it is never unmapped.
std::span<std::byte> guest_region(size_t pages) {
    void *at = ::mmap(nullptr, pages * kPageSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED)
        throw std::runtime_error("mmap failed");
    return {static_cast<std::byte *>(at), pages * kPageSize};
}

RegionRecord record_of(std::span<std::byte> memory) {
    return {reinterpret_cast<uint64_t>(memory.data()), memory.size(), 3, 0,
            RegionOrigin::anonymous, "", 0, RegionContents::pages_in_image};
}

// One record of every kind, so mutations reach every decoder.
ImageMetadata metadata_of(std::vector<RegionRecord> regions) {
    ImageMetadata metadata;
    metadata.extension_stack = {"checkpoint"};
    metadata.program = {{"/bin/true"}, "/"};
    metadata.regions = std::move(regions);
    metadata.regions.front().share_id = 0xabc; // shared memory
    metadata.regions.push_back({0x7000000000, kPageSize, 1, 4, RegionOrigin::stream_shared,
                                "file:/data", 0, RegionContents::none, 0});
    metadata.handles = {{3, HandleKind::pipe_read, "pipe:", 1, 0, 0, 0, 5,
                         FileIdentity{1, 2, 3, 4, true}, {'x'}, 1, StdioTarget::file, "/f", 4,
                         0x11, 0x22}};
    metadata.processes = {{13, 500, ProcessRelation::child, true, 1, 0},
                          {14, 501, ProcessRelation::opened, false, 0, 0}};
    metadata.process_id = 499;
    metadata.threads = {{7, 0x1000, ParkPoint::exception, 0x2000, 0, 0, 0, {1, 2}}};
    metadata.events = {{9, 1, true}};
    SocketRecord socket;
    socket.number = 11;
    socket.domain = SocketDomain::inet;
    socket.type = SocketType::stream;
    socket.state = SocketState::connected;
    socket.local = {SocketDomain::inet, 80, {127, 0, 0, 1}, 0, 0, ""};
    socket.peer = {SocketDomain::unix_local, 0, {}, 0, 0, "/run/peer"};
    socket.partner = 12;
    socket.unread = {'y'};
    metadata.sockets = {socket};
    metadata.extension_blobs = {{"checkpoint", {1}}};
    // A kind added to object_kinds.h without a record here would leave its decoder unfuzzed.
    for_each_kind(metadata, [](auto kind, const auto &records) {
        if (records.empty()) {
            std::fprintf(stderr, "make_fuzz_seeds: no %s record in the seeds\n",
                         std::string(kind.name).c_str());
            std::exit(1);
        }
    });
    return metadata;
}

ImageId write_seed(const std::filesystem::path &path, std::span<std::byte> memory,
                   const ImageChain *parent, std::span<const ImageWriter::Member> members = {}) {
    auto writer = ImageWriter::create(path, parent);
    writer.add_region_pages(0, memory);
    return writer.commit(metadata_of({record_of(memory)}), members);
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    std::filesystem::path directory = argv[1];
    std::filesystem::create_directories(directory);
    auto memory = guest_region(5);
    for (size_t i = 0; i < kPageSize; i++)
        memory[i] = static_cast<std::byte>(i * 7);
    std::memset(memory.data() + 2 * kPageSize, 'b', kPageSize);
    write_seed(directory / "full.img", memory, nullptr);
    ImageWriter::create(directory / "empty.img").commit({});
    auto parent = ImageChain::open(directory / "full.img");
    std::memset(memory.data() + 3 * kPageSize, 'c', kPageSize);
    write_seed(directory / "delta.img", memory, &parent);
    ImageWriter::Member member{directory / "full.img", 600, 499};
    write_seed(directory / "tree.img", memory, nullptr, {&member, 1});
    return 0;
}
