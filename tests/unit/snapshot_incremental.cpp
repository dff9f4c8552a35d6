// SPDX-License-Identifier: MIT
// Incremental images: only changed pages are stored, reads go through the chain, and a
// broken chain is refused with the reason.
#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

constexpr size_t kRegionPages = 2048; // 8 MiB

// Overwrites `count` pages spread over the region with new random contents.
void change_pages(const GuestRegion &region, size_t count, uint32_t seed) {
    size_t pages = region.bytes().size() / kPageSize;
    for (size_t i = 0; i < count; i++)
        fill_random(region.page((i * pages / count + seed) % pages), seed * 1000 + i);
}

} // namespace

TEST_CASE("incremental: 1% of pages changed costs about 1% of the full image", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(kRegionPages);
    fill_random(region.bytes(), 1);
    write_image(dir / "full.img", {&region});
    auto full = ImageChain::open(dir / "full.img");
    change_pages(region, kRegionPages / 100, 7);
    write_image(dir / "delta.img", {&region}, &full);
    auto delta = ImageChain::open(dir / "delta.img");

    auto stats = delta.top().region_stats(0);
    CHECK(stats.stored_pages == kRegionPages / 100);
    CHECK(stats.parent_pages == kRegionPages - kRegionPages / 100);
    // The whole files: pages, index and metadata. (With a hash in the index for every
    // page, this ratio was 0.012.)
    double ratio = double(std::filesystem::file_size(dir / "delta.img")) /
                   double(std::filesystem::file_size(dir / "full.img"));
    CHECK(ratio > 0.009);
    CHECK(ratio < 0.0105);
    CHECK(read_region(delta, 0) == region.copy());
}

TEST_CASE("incremental: pages not written since the parent are its, and are not read",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(64);
    fill_random(region.bytes().first(32 * kPageSize), 4); // pages 32..63 stay zero
    write_image(dir / "full.img", {&region});
    auto full = ImageChain::open(dir / "full.img");
    fill_random(region.page(5), 5);
    fill_random(region.page(40), 6);
    std::vector<uint8_t> written(8);
    written[0] = 1 << 5;
    written[5] = 1 << 0;
    written[7] = 1 << 7; // page 63: said written, still zero
    // Pages 8..31 cannot be read: a writer that read one would crash.
    REQUIRE(::mprotect(region.page(8).data(), 24 * kPageSize, PROT_NONE) == 0);
    {
        auto writer = ImageWriter::create(dir / "delta.img", &full);
        writer.add_region_pages(0, region.bytes(), UINT64_MAX, WrittenPages{written});
        writer.commit(sample_metadata({region.record()}));
    }
    REQUIRE(::mprotect(region.page(8).data(), 24 * kPageSize, PROT_READ | PROT_WRITE) == 0);
    auto delta = ImageChain::open(dir / "delta.img");
    auto stats = delta.top().region_stats(0);
    CHECK(stats.stored_pages == 2);
    CHECK(stats.parent_pages == 31); // pages 0..31 but 5
    CHECK(read_region(delta, 0) == region.copy());
}

TEST_CASE("incremental: the parent's blocks are read around those the child holds",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(kRegionPages);
    fill_random(region.bytes(), 2);
    write_image(dir / "full.img", {&region});
    auto full = ImageChain::open(dir / "full.img");
    fill_random(region.bytes().subspan(1000 * kPageSize, 200 * kPageSize), 3); // 800 KiB
    write_image(dir / "delta.img", {&region}, &full);
    CHECK(read_region(ImageChain::open(dir / "delta.img"), 0) == region.copy());
}

TEST_CASE("incremental: a chain of three reads back each state", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(300), added(5);
    fill_pattern(region.bytes(), 1);
    write_image(dir / "1.img", {&region});
    auto first_state = region.copy();
    auto first = ImageChain::open(dir / "1.img");

    change_pages(region, 10, 2);
    std::memset(region.page(3).data(), 0, kPageSize); // a page that became zero
    write_image(dir / "2.img", {&region}, &first);
    auto second_state = region.copy();
    auto second = ImageChain::open(dir / "2.img");

    change_pages(region, 10, 3);
    fill_random(added.bytes(), 4); // a region the parents lack: stored whole
    write_image(dir / "3.img", {&region, &added}, &second);
    auto third = ImageChain::open(dir / "3.img");

    REQUIRE(third.images().size() == 3);
    CHECK(third.images()[1].name() == (dir / "2.img").string());
    CHECK(third.top().metadata().parent->path == "2.img");
    CHECK(third.top().metadata().parent->image_id == second.top().metadata().image_id);
    CHECK(third.top().region_stats(1).stored_pages == 5);
    CHECK(read_region(third, 0) == region.copy());
    // Pages the top image leaves to its parents have the hashes of their contents too.
    write_image(dir / "whole.img", {&region, &added});
    CHECK(third.top().page_hashes(0) == ImageReader::open(dir / "whole.img").page_hashes(0));
    CHECK(read_region(third, 1) == added.copy());
    CHECK(read_region(ImageChain::open(dir / "2.img"), 0) == second_state);
    CHECK(read_region(ImageChain::open(dir / "1.img"), 0) == first_state);
}

TEST_CASE("incremental: images moved together keep their chain", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(8);
    fill_pattern(region.bytes(), 1);
    std::filesystem::create_directories(dir / "old/deltas");
    write_image(dir / "old/base.img", {&region});
    auto base = ImageChain::open(dir / "old/base.img");
    fill_random(region.page(2), 5);
    write_image(dir / "old/deltas/d.img", {&region}, &base);
    CHECK(ImageReader::open(dir / "old/deltas/d.img").metadata().parent->path == "../base.img");
    std::filesystem::rename(dir / "old", dir / "new");
    CHECK(read_region(ImageChain::open(dir / "new/deltas/d.img"), 0) == region.copy());
}

TEST_CASE("incremental: a broken chain is refused with the reason", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(4);
    fill_pattern(region.bytes(), 1);
    write_image(dir / "p.img", {&region});
    auto parent = ImageChain::open(dir / "p.img");
    fill_random(region.page(0), 2);
    write_image(dir / "c.img", {&region}, &parent);
    auto child = (dir / "c.img").string();

    SECTION("missing parent") {
        std::filesystem::remove(dir / "p.img");
        CHECK_THROWS_WITH(ImageChain::open(child),
                          Catch::StartsWith(child) && Catch::Contains("its parent image") &&
                              Catch::Contains("p.img is missing"));
    }
    SECTION("parent replaced by another image") {
        write_image(dir / "other.img", {&region});
        std::filesystem::rename(dir / "other.img", dir / "p.img");
        CHECK_THROWS_WITH(ImageChain::open(child),
                          Catch::StartsWith(child) && Catch::Contains("not the image") &&
                              Catch::Contains("it was written against") &&
                              Catch::Contains(to_string(parent.top().metadata().image_id)));
    }
    SECTION("child moved over its parent: a cycle") {
        std::filesystem::rename(dir / "c.img", dir / "p.img");
        CHECK_THROWS_WITH(ImageChain::open(dir / "p.img"),
                          Catch::Contains("its parent chain comes back to") &&
                              Catch::Contains("cycle"));
    }
    SECTION("an incremental image alone") {
        std::vector<ImageReader> alone;
        alone.push_back(ImageReader::open(child));
        CHECK_THROWS_WITH(ImageChain::from_images(std::move(alone)),
                          Catch::Contains("is an incremental image; its parent p.img is needed"));
    }
    SECTION("a full image given a parent") {
        std::vector<ImageReader> images;
        images.push_back(ImageReader::open(dir / "p.img"));
        images.push_back(ImageReader::open(dir / "p.img"));
        CHECK_THROWS_WITH(ImageChain::from_images(std::move(images)),
                          Catch::Contains("is a full image, yet"));
    }
    SECTION("a writer does not replace its own parent") {
        CHECK_THROWS_WITH(ImageWriter::create(dir / "p.img", &parent),
                          Catch::Contains("an incremental image cannot replace its parent"));
    }
}
