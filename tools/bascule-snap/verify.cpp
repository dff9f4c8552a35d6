// SPDX-License-Identifier: MIT
// `bascule-snap verify IMAGE`: every check a restore makes before it touches anything
// (container, section checksums, metadata, page index, the parent chain), and then every
// page decompressed and checked against its hash. Exit status 0 only if all hold.
#include <sys/mman.h>

#include <new>
#include <span>

#include <fmt/core.h>

#include "commands.h"
#include "image_summary.h"

namespace bsc::snap {

namespace {

// Fresh memory for a region's pages: the zero pages, most of a large reservation, are
// never written into it, so they cost nothing.
class ZeroedMemory {
public:
    explicit ZeroedMemory(size_t size) : size_(size) {
        void *at = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (at == MAP_FAILED)
            throw std::bad_alloc();
        bytes_ = static_cast<std::byte *>(at);
    }
    ~ZeroedMemory() { ::munmap(bytes_, size_); }
    ZeroedMemory(const ZeroedMemory &) = delete;
    ZeroedMemory &operator=(const ZeroedMemory &) = delete;
    std::span<std::byte> bytes() const { return {bytes_, size_}; }

private:
    size_t size_;
    std::byte *bytes_;
};

// Every page of every region of an image read and checked; how many.
uint64_t check_pages(const snapshot::ImageChain &chain) {
    const auto &regions = chain.top().metadata().regions;
    uint64_t pages = 0;
    for (size_t i = 0; i < regions.size(); i++) {
        if (regions[i].contents != snapshot::RegionContents::pages_in_image)
            continue;
        ZeroedMemory memory(regions[i].size);
        snapshot::ImageChain::RegionTarget target{i, memory.bytes()};
        chain.read_regions({&target, 1}, snapshot::ImageChain::Destination::zeroed);
        pages += regions[i].size / 4096;
    }
    return pages;
}

} // namespace

int verify_command(const std::string &image) {
    auto chain = open_chain(image);
    if (!chain)
        return kExitFailed;
    uint64_t pages = 0;
    size_t processes = 1, regions = chain->top().metadata().regions.size();
    try {
        pages = check_pages(*chain);
        for (const auto &member : member_chains(*chain)) {
            pages += check_pages(member);
            regions += member.top().metadata().regions.size();
            processes++;
        }
    } catch (const snapshot::ImageError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    std::string tree = processes > 1 ? fmt::format(", {} processes", processes) : "";
    fmt::print("{}: ok ({} image(s) in the chain{}, {} regions, {} pages checked)\n", image,
               chain->images().size(), tree, regions, pages);
    return 0;
}

} // namespace bsc::snap
