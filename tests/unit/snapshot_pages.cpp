// SPDX-License-Identifier: MIT
// Page contents: what goes in comes back, zero pages take no space, blocks do not depend
// on the number of threads.
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

// Random, patterned and zero pages in runs that cut across block boundaries.
void fill_mixed(const GuestRegion &region, uint32_t seed) {
    auto pages = region.bytes().size() / kPageSize;
    for (size_t i = 0; i < pages; i++) {
        switch ((i * 7 + seed) % 5) {
        case 0:
        case 1:
            fill_random(region.page(i), seed + static_cast<uint32_t>(i));
            break;
        case 2:
        case 3:
            fill_pattern(region.page(i), static_cast<uint32_t>(i));
            break;
        default: // stays zero
            break;
        }
    }
}

} // namespace

TEST_CASE("pages: regions of any size read back as written", "[snapshot]") {
    ScratchDirectory dir;
    // Sizes around the block size (16 pages), none a multiple of it but one.
    GuestRegion one(1), under(15), exact(16), over(17), several(13 * 16 + 5);
    std::vector<const GuestRegion *> regions{&one, &under, &exact, &over, &several};
    for (size_t i = 0; i < regions.size(); i++)
        fill_mixed(*regions[i], static_cast<uint32_t>(i));
    write_image(dir / "a.img", regions);
    auto chain = ImageChain::open(dir / "a.img");
    for (size_t i = 0; i < regions.size(); i++) {
        INFO("region " << i);
        CHECK(read_region(chain, i) == regions[i]->copy());
    }
}

TEST_CASE("pages: zero pages are not stored, stats count every page", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion zeros(100), mixed(10);
    fill_random(mixed.page(0), 1);
    fill_pattern(mixed.page(5), 2);
    write_image(dir / "a.img", {&zeros, &mixed});
    auto chain = ImageChain::open(dir / "a.img");
    auto empty = chain.top().region_stats(0);
    CHECK(empty.zero_pages == 100);
    CHECK(empty.stored_pages + empty.parent_pages + empty.compressed_bytes == 0);
    auto stats = chain.top().region_stats(1);
    CHECK(stats.zero_pages == 8);
    CHECK(stats.stored_pages == 2);
    CHECK(stats.uncompressed_bytes == 2 * kPageSize);
    CHECK(stats.compressed_bytes > kPageSize); // the random page does not shrink
    CHECK(stats.compressed_bytes < 2 * kPageSize);
    CHECK(read_region(chain, 0) == zeros.copy());
    CHECK(read_region(chain, 1) == mixed.copy());
}

TEST_CASE("pages: page hashes are the xxh3 of each page", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(3);
    fill_pattern(region.page(1), 9);
    write_image(dir / "a.img", {&region});
    auto hashes = ImageReader::open(dir / "a.img").page_hashes(0);
    REQUIRE(hashes.size() == 3);
    for (size_t i = 0; i < 3; i++)
        CHECK(hashes[i] == xxh3(region.page(i)));
}

TEST_CASE("pages: a region without contents in the image has no pages", "[snapshot]") {
    ScratchDirectory dir;
    RegionRecord shared{0x7000000000, 16 * kPageSize, 1, 4, RegionOrigin::stream_shared,
                        "file:/data", 0, RegionContents::none};
    GuestRegion stored(2);
    fill_pattern(stored.bytes(), 1);
    auto writer = ImageWriter::create(dir / "a.img");
    writer.add_region_pages(1, stored.bytes());
    writer.commit(sample_metadata({shared, stored.record()}));
    auto chain = ImageChain::open(dir / "a.img");
    CHECK(chain.top().page_hashes(0).empty());
    CHECK(chain.top().metadata().regions[0] == shared);
    CHECK(read_region(chain, 1) == stored.copy());
    std::vector<std::byte> destination(shared.size);
    CHECK_THROWS_AS(chain.read_region_pages(0, destination), std::invalid_argument);
}

TEST_CASE("pages: the page index is the same whatever the number of threads", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(40 * 64 + 5); // more tasks of 64 pages than compressed slots
    fill_mixed(region, 3);
    WriteOptions one_thread, four_threads;
    one_thread.threads = 1;
    four_threads.threads = 4;
    write_image(dir / "one.img", {&region}, nullptr, one_thread);
    write_image(dir / "four.img", {&region}, nullptr, four_threads);
    auto one = ImageChain::open(dir / "one.img", {.threads = 1});
    auto four = ImageChain::open(dir / "four.img", {.threads = 4});
    CHECK(one.top().page_index() == four.top().page_index());
    auto one_file = read_file(dir / "one.img"), four_file = read_file(dir / "four.img");
    CHECK(std::ranges::equal(page_blocks_of(one_file, one.top().page_index()),
                             page_blocks_of(four_file, four.top().page_index())));
    CHECK(read_region(one, 0) == region.copy());
    CHECK(read_region(four, 0) == region.copy());
}

TEST_CASE("pages: a region added as zero is read as zeros without being read",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion stored(2);
    fill_pattern(stored.bytes(), 1);
    RegionRecord never_touched{0x7000000000, 100 * kPageSize, 0, 0, RegionOrigin::anonymous,
                               "", 0, RegionContents::pages_in_image};
    auto writer = ImageWriter::create(dir / "a.img");
    writer.add_zero_region(0, never_touched.address, never_touched.size);
    writer.add_region_pages(1, stored.bytes());
    writer.commit(sample_metadata({never_touched, stored.record()}));
    auto chain = ImageChain::open(dir / "a.img");
    CHECK(chain.top().region_stats(0).zero_pages == 100);
    CHECK(chain.top().page_index().blocks.size() == 1);
    CHECK(read_region(chain, 0) == std::vector<std::byte>(never_touched.size));
    CHECK(read_region(chain, 1) == stored.copy());
}

TEST_CASE("pages: a zeroed destination is not written where the pages are zero",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(6);
    fill_pattern(region.page(1), 1);
    fill_random(region.page(4), 2);
    write_image(dir / "a.img", {&region});
    auto chain = ImageChain::open(dir / "a.img");
    // Marked, to see which pages the read wrote.
    std::vector<std::byte> destination(6 * kPageSize, std::byte{0xaa});
    chain.read_region_pages(0, destination, ImageChain::Destination::zeroed);
    auto page = [&](size_t i) { return std::span(destination).subspan(i * kPageSize, kPageSize); };
    CHECK(std::ranges::equal(page(1), region.page(1)));
    CHECK(std::ranges::equal(page(4), region.page(4)));
    for (size_t i : {0, 2, 3, 5})
        CHECK(std::ranges::count(page(i), std::byte{0xaa}) == kPageSize);
    chain.read_region_pages(0, destination);
    CHECK(destination == region.copy());
}

TEST_CASE("pages: a part of a region is read alone, as a lazy restore reads it",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(100);
    fill_mixed(region, 9);
    write_image(dir / "a.img", {&region});
    auto chain = ImageChain::open(dir / "a.img");
    const auto whole = region.copy();
    std::vector<std::byte> part(16 * kPageSize);
    ImageChain::RegionTarget target{0, part, 40};
    chain.read_regions({&target, 1});
    CHECK(std::ranges::equal(part, std::span(whole).subspan(40 * kPageSize, part.size())));
    // The last pages, and nothing past the region's end.
    target.first_page = 84;
    chain.read_regions({&target, 1});
    CHECK(std::ranges::equal(part, std::span(whole).subspan(84 * kPageSize)));
    target.first_page = 85;
    CHECK_THROWS_AS(chain.read_regions({&target, 1}), std::invalid_argument);
    std::vector<std::byte> torn(kPageSize / 2);
    ImageChain::RegionTarget torn_target{0, torn, 0};
    CHECK_THROWS_AS(chain.read_regions({&torn_target, 1}), std::invalid_argument);
}

TEST_CASE("pages: regions read in one pass through a page writer, with progress",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion large(3000), small(5), other(40); // the large one: more than one 8 MiB read
    fill_mixed(large, 6);
    fill_pattern(small.page(2), 7);
    fill_random(other.bytes(), 8);
    write_image(dir / "a.img", {&large, &small, &other});
    std::mutex mutex;
    uint64_t through_writer = 0;
    ReadOptions options;
    options.write_pages = [&](std::byte *target, std::span<const std::byte> pages) {
        CHECK((!pages.empty() && pages.size() % kPageSize == 0));
        std::memcpy(target, pages.data(), pages.size());
        std::lock_guard lock(mutex);
        through_writer += pages.size();
    };
    auto chain = ImageChain::open(dir / "a.img", options);
    std::vector<std::vector<std::byte>> destinations;
    std::vector<ImageChain::RegionTarget> targets;
    for (const auto *region : {&large, &small, &other})
        destinations.emplace_back(region->bytes().size());
    for (size_t i = 0; i < destinations.size(); i++)
        targets.push_back({i, destinations[i]});
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    chain.read_regions(targets, ImageChain::Destination::any,
                       [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); });
    CHECK(destinations[0] == large.copy());
    CHECK(destinations[1] == small.copy());
    CHECK(destinations[2] == other.copy());
    uint64_t all = (3000 + 5 + 40) * kPageSize;
    CHECK(through_writer == all); // zero pages too: the destination may be any memory
    REQUIRE(reports.size() >= 2);
    for (size_t i = 0; i < reports.size(); i++) {
        CHECK(reports[i].second == all);
        if (i > 0)
            CHECK(reports[i].first >= reports[i - 1].first);
    }
    CHECK(reports.back().first == all);
}

TEST_CASE("pages: read alike from a file and from memory", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(3000); // more than one 8 MiB read of blocks
    fill_mixed(region, 4);
    write_image(dir / "a.img", {&region});
    CHECK(read_region(ImageChain::open(dir / "a.img"), 0) == region.copy());
    auto file = read_file(dir / "a.img");
    std::vector<ImageReader> in_memory;
    in_memory.push_back(ImageReader::open_bytes(file, "a.img"));
    CHECK(read_region(ImageChain::from_images(std::move(in_memory)), 0) == region.copy());
}

TEST_CASE("pages: an image cut short while open is an ImageError", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(300);
    fill_random(region.bytes(), 5);
    write_image(dir / "a.img", {&region});
    for (auto checks : {BlockChecks::at_open, BlockChecks::as_read})
        CHECK(ImageChain::open(dir / "a.img", {.block_checks = checks}).top().metadata() ==
              ImageReader::open(dir / "a.img").metadata());
    auto chain = ImageChain::open(dir / "a.img", {.block_checks = BlockChecks::as_read});
    std::filesystem::resize_file(dir / "a.img", 100 * kPageSize);
    CHECK_THROWS_WITH(ImageReader::open(dir / "a.img"), Catch::Contains("a.img: truncated"));
    CHECK_THROWS_WITH(read_region(chain, 0),
                      Catch::Contains("a.img: the file was cut short while open"));
}
