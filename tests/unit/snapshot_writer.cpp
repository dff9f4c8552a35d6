// SPDX-License-Identifier: MIT
// The writer's promises: the image appears whole or not at all, readable by its owner
// only, with progress along the way; misuse is refused.
#include <sys/stat.h>

#include "snapshot_fixtures.h"

using namespace snapshot_test;

TEST_CASE("writer: the image is mode 0600 and no temporary file remains", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(4);
    fill_pattern(region.bytes(), 1);
    write_image(dir / "a.img", {&region});
    struct stat st;
    REQUIRE(::stat((dir / "a.img").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(dir.entries() == std::vector<std::string>{"a.img"});
}

TEST_CASE("writer: an abandoned writer leaves nothing behind", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(4);
    fill_pattern(region.bytes(), 1);
    {
        auto writer = ImageWriter::create(dir / "a.img");
        writer.add_region_pages(0, region.bytes());
        CHECK(dir.entries() == std::vector<std::string>{fmt::format(".a.img.tmp-{}", ::getpid())});
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("writer: an image replaced by a new capture stays whole until the commit",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(4);
    fill_pattern(region.bytes(), 1);
    auto first = write_image(dir / "a.img", {&region});
    auto writer = ImageWriter::create(dir / "a.img");
    writer.add_region_pages(0, region.bytes());
    CHECK(ImageReader::open(dir / "a.img").metadata().image_id == first);
    auto second = writer.commit(sample_metadata({region.record()}));
    CHECK(second != first);
    CHECK(ImageReader::open(dir / "a.img").metadata().image_id == second);
    CHECK(dir.entries() == std::vector<std::string>{"a.img"});
}

TEST_CASE("writer: commit records what the writer owns", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(2);
    auto metadata = sample_metadata({region.record()});
    metadata.schema_version = 99;
    metadata.parent = ParentImage{"bogus", {1, 1}};
    auto writer = ImageWriter::create(dir / "a.img");
    writer.add_region_pages(0, region.bytes());
    auto id = writer.commit(metadata);
    auto written = ImageReader::open(dir / "a.img").metadata();
    CHECK(written.schema_version == kSchemaVersion);
    CHECK(written.image_id == id);
    CHECK_FALSE(written.parent);
    CHECK(written.created_unix_ns > 1700000000000000000);
    metadata.schema_version = kSchemaVersion;
    metadata.image_id = id;
    metadata.parent.reset();
    metadata.created_unix_ns = written.created_unix_ns;
    CHECK(written == metadata);
}

TEST_CASE("writer: progress climbs to the total", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion first(200), second(50);
    fill_random(first.bytes(), 1);
    fill_pattern(second.bytes(), 2);
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    WriteOptions options;
    options.progress = [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); };
    options.total_bytes = 250 * kPageSize;
    write_image(dir / "a.img", {&first, &second}, nullptr, options);
    REQUIRE(reports.size() >= 2);
    CHECK(std::ranges::is_sorted(reports));
    CHECK(reports.back() == std::pair<uint64_t, uint64_t>{250 * kPageSize, 250 * kPageSize});
}

TEST_CASE("writer: misuse is refused", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion region(4);
    auto writer = ImageWriter::create(dir / "a.img");
    CHECK_THROWS_WITH(writer.add_region_pages(0, region.bytes().subspan(100, kPageSize)),
                      Catch::Contains("are not whole pages"));
    CHECK_THROWS_WITH(writer.add_region_pages(0, region.bytes().first(100)),
                      Catch::Contains("are not whole pages"));
    writer.add_region_pages(0, region.bytes());
    CHECK_THROWS_WITH(writer.add_region_pages(0, region.bytes()),
                      Catch::Contains("region 0 added twice"));

    SECTION("a region the metadata does not list") {
        writer.add_region_pages(3, region.bytes().first(kPageSize));
        CHECK_THROWS_WITH(writer.commit(sample_metadata({region.record()})),
                          Catch::Contains("pages were added for region 3, the metadata has 1"));
    }
    SECTION("a region whose pages were not added") {
        GuestRegion other(2);
        CHECK_THROWS_WITH(writer.commit(sample_metadata({region.record(), other.record()})),
                          Catch::Contains("region 1 has 0 pages in the page index, 2 expected"));
    }
    SECTION("a region at another address") {
        auto moved = region.record();
        moved.address += kPageSize;
        moved.size -= kPageSize;
        CHECK_THROWS_WITH(writer.commit(sample_metadata({moved})),
                          Catch::Contains("but its page index says"));
    }
    SECTION("metadata a reader would refuse") {
        auto bad = region.record();
        bad.contents = static_cast<RegionContents>(5);
        CHECK_THROWS_WITH(writer.commit(sample_metadata({bad})),
                          Catch::Contains("unknown contents kind 5"));
    }
    CHECK(dir.entries().size() == 1); // only the temporary file
}

TEST_CASE("writer: a directory that cannot take the image is an ImageError", "[snapshot]") {
    CHECK_THROWS_AS(ImageWriter::create("/nonexistent-dir/a.img"), ImageError);
    CHECK_THROWS_WITH(ImageWriter::create("/nonexistent-dir/a.img"),
                      Catch::Contains("/nonexistent-dir/.a.img.tmp-") &&
                          Catch::Contains("cannot create"));
}

TEST_CASE("writer: a tree's image embeds its members', each opened as an image",
          "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion first_memory(4), child_memory(3), grandchild_memory(2);
    fill_pattern(first_memory.bytes(), 1);
    fill_random(child_memory.bytes(), 2);
    fill_pattern(grandchild_memory.bytes(), 3);
    write_image(dir / "child.img", {&child_memory});
    write_image(dir / "grandchild.img", {&grandchild_memory});
    auto writer = ImageWriter::create(dir / "tree.img");
    writer.add_region_pages(0, first_memory.bytes());
    auto metadata = sample_metadata({first_memory.record()});
    metadata.process_id = 10;
    std::vector<ImageWriter::Member> members{{dir / "child.img", 11, 10},
                                             {dir / "grandchild.img", 12, 11}};
    writer.commit(metadata, members);

    auto tree = ImageChain::open(dir / "tree.img");
    const auto &records = tree.top().metadata().tree_members;
    REQUIRE(records.size() == 2);
    CHECK((records[0].process_id == 11 && records[0].parent_id == 10));
    CHECK((records[1].process_id == 12 && records[1].parent_id == 11));
    CHECK(records[1].image_offset == records[0].image_offset + records[0].image_size);
    CHECK(records[0].image_size == std::filesystem::file_size(dir / "child.img"));
    CHECK(read_region(tree, 0) == first_memory.copy());
    auto child = ImageChain::from_images({tree.top().open_member(records[0])});
    CHECK(read_region(child, 0) == child_memory.copy());
    CHECK(tree.top().member_metadata(records[0]) == child.top().metadata());
    CHECK(child.top().metadata().tree_members.empty());
    auto grandchild = ImageChain::from_images({tree.top().open_member(records[1])});
    CHECK(read_region(grandchild, 0) == grandchild_memory.copy());
    CHECK_THAT(grandchild.top().name(), Catch::EndsWith("tree.img (process 12)"));
    // The same from the bytes in memory.
    auto bytes = read_file(dir / "tree.img");
    auto in_memory = ImageReader::open_bytes(bytes, "tree");
    auto child_again = ImageChain::from_images({in_memory.open_member(records[0])});
    CHECK(read_region(child_again, 0) == child_memory.copy());
}

TEST_CASE("writer: a tree whose member comes before its parent is refused", "[snapshot]") {
    ScratchDirectory dir;
    GuestRegion memory(1);
    write_image(dir / "member.img", {&memory});
    auto writer = ImageWriter::create(dir / "tree.img");
    auto metadata = sample_metadata({});
    metadata.process_id = 10;
    std::vector<ImageWriter::Member> members{{dir / "member.img", 12, 11}};
    CHECK_THROWS_WITH(writer.commit(metadata, members),
                      Catch::Contains("process 12 comes before its parent 11"));
    CHECK_FALSE(std::filesystem::exists(dir / "tree.img"));
}
