// SPDX-License-Identifier: MIT
// Images the reader must refuse, each with its reason: foreign, empty, truncated at any
// byte, any byte flipped, another version, and well-checksummed sections that lie. A
// refusal comes when the image is opened, or for a block's bytes when its pages are read.
#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

// The message of the ImageError that opening `bytes`, or reading their pages, throws;
// empty if they open and read.
std::string refusal(std::span<const std::byte> bytes) {
    try {
        std::vector<ImageReader> images;
        images.push_back(ImageReader::open_bytes(bytes, "x.img"));
        auto chain = ImageChain::from_images(std::move(images));
        for (size_t i = 0; i < chain.top().metadata().regions.size(); i++)
            read_region(chain, i);
    } catch (const ImageError &e) {
        return e.what();
    }
    return "";
}

std::string refusal(const std::filesystem::path &path) {
    try {
        ImageReader::open(path);
    } catch (const ImageError &e) {
        return e.what();
    }
    return "";
}

// A three-page image (random, patterned, zero), small enough to try every byte of.
struct SmallImage {
    SmallImage() {
        GuestRegion region(3);
        fill_random(region.page(0), 1);
        fill_pattern(region.page(1), 2);
        write_image(dir / "small.img", {&region});
        bytes = read_file(dir / "small.img");
        auto reader = ImageReader::open(dir / "small.img");
        metadata = reader.metadata();
        index = reader.page_index();
        blocks.assign(page_blocks_of(bytes, index).begin(), page_blocks_of(bytes, index).end());
    }

    // The image with these sections instead, checksums made to match.
    std::vector<std::byte> forged(const ImageMetadata &new_metadata, const PageIndex &new_index,
                                  const std::vector<std::byte> &new_blocks) const {
        return assemble_image({{SectionKind::page_blocks, new_blocks},
                               {SectionKind::member_images, {}},
                               {SectionKind::page_index, stored_index(new_index)},
                               {SectionKind::metadata, encode_record(new_metadata)}});
    }

    // What a flip of the byte at `offset` breaks, as the refusal words it.
    std::string damage_at(size_t offset) const {
        size_t blocks_end = kHeaderSize + blocks.size();
        size_t index_end = blocks_end + stored_index(index).size();
        size_t metadata_end = index_end + encode_record(metadata).size();
        if (offset < 8)
            return "not a bascule image";
        if (offset < 12)
            return "image format version";
        if (offset < kHeaderSize)
            return "header checksum mismatch";
        if (offset < blocks_end)
            return "block 0 does not match its checksum";
        if (offset < index_end)
            return "page_index section checksum mismatch";
        if (offset < metadata_end)
            return "metadata section checksum mismatch";
        return "section table checksum mismatch";
    }

    ScratchDirectory dir;
    std::vector<std::byte> bytes;
    ImageMetadata metadata;
    PageIndex index;
    std::vector<std::byte> blocks;
};

} // namespace

TEST_CASE("refusals: the small image itself opens", "[snapshot]") {
    SmallImage image;
    CHECK(refusal(image.bytes).empty());
    CHECK(refusal(image.forged(image.metadata, image.index, image.blocks)).empty());
    CHECK(image.forged(image.metadata, image.index, image.blocks) == image.bytes);
}

TEST_CASE("refusals: truncated at every byte", "[snapshot]") {
    SmallImage image;
    CHECK(refusal(std::span(image.bytes).first(0)) == "x.img: empty file, not a bascule image");
    for (size_t size = 1; size < image.bytes.size(); size++) {
        INFO("truncated to " << size << " bytes");
        CHECK_THAT(refusal(std::span(image.bytes).first(size)),
                   Catch::StartsWith("x.img: truncated"));
    }
}

TEST_CASE("refusals: any byte flipped", "[snapshot]") {
    SmallImage image;
    for (size_t offset = 0; offset < image.bytes.size(); offset++) {
        auto flipped = image.bytes;
        flipped[offset] ^= std::byte{0xff};
        INFO("byte " << offset << " flipped");
        CHECK_THAT(refusal(flipped),
                   Catch::StartsWith("x.img: ") && Catch::Contains(image.damage_at(offset)));
    }
}

TEST_CASE("refusals: files that are not images", "[snapshot]") {
    ScratchDirectory dir;
    write_file(dir / "empty.img", {});
    CHECK(refusal(dir / "empty.img") ==
          (dir / "empty.img").string() + ": empty file, not a bascule image");
    CHECK_THAT(refusal("/bin/true"), Catch::StartsWith("/bin/true: not a bascule image"));
    CHECK_THAT(refusal(dir.path()), Catch::Contains("not a regular file"));
    CHECK_THAT(refusal(dir / "missing.img"),
               Catch::Contains("missing.img: cannot open: No such file or directory"));
}

TEST_CASE("refusals: a truncated file", "[snapshot]") {
    SmallImage image;
    auto path = image.dir / "cut.img";
    write_file(path, std::span(image.bytes).first(image.bytes.size() - 1));
    CHECK_THAT(refusal(path), Catch::StartsWith(path.string() + ": truncated: the section table"));
    write_file(path, std::span(image.bytes).first(20));
    CHECK_THAT(refusal(path), Catch::Contains("truncated: 20 bytes, less than the 48-byte header"));
}

TEST_CASE("refusals: another format or schema version", "[snapshot]") {
    SmallImage image;
    auto newer = image.bytes;
    newer[8] = static_cast<std::byte>(kFormatVersion + 1);
    CHECK(refusal(newer) == fmt::format("x.img: image format version {}, this build reads "
                                        "version {}",
                                        kFormatVersion + 1, kFormatVersion));
    auto metadata = image.metadata;
    metadata.schema_version = 7;
    CHECK(refusal(image.forged(metadata, image.index, image.blocks)) ==
          fmt::format("x.img: metadata schema version 7, this build reads version {}", kSchemaVersion));
}

TEST_CASE("refusals: a section table that lies", "[snapshot]") {
    SmallImage image;
    auto index = stored_index(image.index), metadata = encode_record(image.metadata);
    CHECK_THAT(refusal(assemble_image({{SectionKind::page_blocks, image.blocks},
                                       {SectionKind::member_images, {}},
                                       {SectionKind::page_index, index}})),
               Catch::Contains(fmt::format("3 sections, format version {} has 4",
                                           kFormatVersion)));
    CHECK_THAT(refusal(assemble_image({{SectionKind::page_blocks, image.blocks},
                                       {SectionKind::member_images, {}},
                                       {SectionKind::page_index, index},
                                       {SectionKind::page_index, metadata}})),
               Catch::Contains("two page_index sections"));
    CHECK_THAT(refusal(assemble_image({{SectionKind::page_blocks, image.blocks},
                                       {SectionKind::member_images, {}},
                                       {SectionKind::page_index, index},
                                       {static_cast<SectionKind>(7), metadata}})),
               Catch::Contains("a section of unknown kind 7"));
    auto longer = image.bytes;
    longer.push_back(std::byte{0});
    CHECK_THAT(refusal(longer), Catch::Contains("1 stray bytes follow the section table"));
    // The page blocks' entry holds 0, their checksums being each block's own.
    auto summed = image.bytes;
    size_t table_offset = summed.size() - 4 * kSectionEntrySize;
    auto table = std::span(summed).subspan(table_offset);
    table[24] = std::byte{1}; // the first entry's checksum: page_blocks comes first
    auto header = encode_header(table_offset, 4, table);
    std::ranges::copy(header, summed.begin());
    CHECK_THAT(refusal(summed), Catch::Contains("page_blocks section checksum mismatch"));
}

TEST_CASE("refusals: metadata that does not decode", "[snapshot]") {
    SmallImage image;
    auto encoded = encode_record(image.metadata);
    auto index = stored_index(image.index);
    auto with_metadata = [&](std::vector<std::byte> metadata) {
        return refusal(assemble_image({{SectionKind::page_blocks, image.blocks},
                                       {SectionKind::member_images, {}},
                                       {SectionKind::page_index, index},
                                       {SectionKind::metadata, std::move(metadata)}}));
    };
    // The extension stack's length: after the byte-order mark, schema version, image id,
    // absent parent flag, creation time and ABI version (1 + 4 + 16 + 1 + 8 + 4 bytes).
    auto huge = encoded;
    std::fill(huge.begin() + 34, huge.begin() + 42, std::byte{0xff});
    CHECK_THAT(with_metadata(huge),
               Catch::Contains("the metadata section does not decode: a stored length of "
                               "18446744073709551615 exceeds the"));
    auto cut = encoded;
    cut.resize(cut.size() - 3);
    CHECK_THAT(with_metadata(cut), Catch::Contains("the metadata section does not decode"));
    auto longer = encoded;
    longer.push_back(std::byte{0});
    CHECK_THAT(with_metadata(longer),
               Catch::Contains("the metadata section does not decode: 1 bytes follow"));
}

TEST_CASE("refusals: a compressed page index that lies", "[snapshot]") {
    SmallImage image;
    auto with_index = [&](std::vector<std::byte> stored) {
        return refusal(assemble_image({{SectionKind::page_blocks, image.blocks},
                                       {SectionKind::member_images, {}},
                                       {SectionKind::page_index, std::move(stored)},
                                       {SectionKind::metadata, encode_record(image.metadata)}}));
    };
    auto stored = stored_index(image.index);
    CHECK_THAT(with_index(std::vector<std::byte>(stored.begin(), stored.begin() + 5)),
               Catch::Contains("its compressed page index is cut short"));
    auto huge = stored;
    std::fill(huge.begin(), huge.begin() + 8, std::byte{0xff}); // the raw size
    CHECK_THAT(with_index(huge), Catch::Contains("its compressed page index claims "
                                                 "18446744073709551615 bytes"));
    auto garbage = stored;
    std::fill(garbage.begin() + 8, garbage.end(), std::byte{0xff});
    CHECK_THAT(with_index(garbage),
               Catch::Contains("its compressed page index does not decompress"));
}

TEST_CASE("refusals: the metadata alone is read without the page index, which open refuses",
          "[snapshot]") {
    SmallImage image;
    auto stored = stored_index(image.index);
    std::fill(stored.begin() + 8, stored.end(), std::byte{0xff});
    auto path = image.dir / "bad-index.img";
    write_file(path, assemble_image({{SectionKind::page_blocks, image.blocks},
                                     {SectionKind::member_images, {}},
                                     {SectionKind::page_index, stored},
                                     {SectionKind::metadata, encode_record(image.metadata)}}));
    CHECK(read_image_metadata(path) == image.metadata);
    CHECK_THAT(refusal(path), Catch::Contains("its compressed page index does not decompress"));
}

TEST_CASE("refusals: a page index that disagrees with the metadata or the blocks",
          "[snapshot]") {
    SmallImage image;
    auto refused = [&](const PageIndex &index, const char *reason) {
        INFO(reason);
        CHECK_THAT(refusal(image.forged(image.metadata, index, image.blocks)),
                   Catch::StartsWith("x.img: ") && Catch::Contains(reason));
    };
    auto index = image.index;
    index.page_size = 8192;
    refused(index, "page size 8192, this build uses 4096");
    index = image.index;
    index.regions.pop_back();
    refused(index, "the page index has 0 regions, the metadata 1");
    index = image.index;
    index.regions[0].pages.pop_back();
    refused(index, "region 0 has 2 pages in the page index, 3 expected");
    index = image.index;
    index.regions[0].address += kPageSize;
    refused(index, "but its page index says");
    index = image.index;
    index.regions[0].pages[1] = index.regions[0].pages[0];
    refused(index, "page 1 of region 0 shares slot 0 of block 0 with another page");
    index = image.index;
    index.regions[0].pages[0].block = 5;
    refused(index, "page 0 of region 0 is in slot 0 of block 5, which does not exist");
    index = image.index;
    index.regions[0].pages[2].location = PageLocation::in_parent;
    refused(index, "page 2 of region 0 is in the parent image, but this image has no parent");
    index = image.index;
    index.regions[0].pages[2].location = static_cast<PageLocation>(3);
    refused(index, "page 2 of region 0 has unknown location 3");
    index = image.index;
    index.blocks[0].stored_size -= 1;
    refused(index, "the blocks fill");
    index = image.index;
    index.blocks[0].page_count = 3;
    refused(index, "block 0 holds pages no region uses");
    index = image.index;
    index.blocks[0].page_count = kMaxPagesPerBlock + 1;
    refused(index, "block 0 holds 65 pages, not 1 to 64");
}

TEST_CASE("refusals: pages that do not read back", "[snapshot]") {
    SmallImage image;
    auto read_from = [&](std::vector<std::byte> file, ReadOptions options = {}) {
        std::vector<ImageReader> images;
        images.push_back(ImageReader::open_bytes(file, "x.img", options));
        auto chain = ImageChain::from_images(std::move(images), options);
        std::vector<std::byte> destination(3 * kPageSize);
        chain.read_region_pages(0, destination);
    };
    auto garbage = image.blocks;
    std::fill(garbage.begin(), garbage.end(), std::byte{0xff});
    CHECK_THROWS_WITH(read_from(image.forged(image.metadata, image.index, garbage)),
                      "x.img: block 0 does not match its checksum: the block is corrupt");
    auto garbage_index = image.index;
    garbage_index.blocks[0].checksum = xxh3(garbage);
    CHECK_THROWS_WITH(read_from(image.forged(image.metadata, garbage_index, garbage)),
                      "x.img: block 0 does not decompress to its 2 pages");
    auto index = image.index;
    index.regions[0].pages[1].hash ^= 1;
    CHECK_THROWS_WITH(read_from(image.forged(image.metadata, index, image.blocks)),
                      Catch::Contains("x.img: the page at 0x") &&
                          Catch::Contains("does not match its recorded hash"));
    // A restore trusts the hashes and skips that check, not the block's.
    ReadOptions unchecked{.check_page_hashes = false};
    CHECK_NOTHROW(read_from(image.forged(image.metadata, index, image.blocks), unchecked));
    CHECK_THROWS_WITH(read_from(image.forged(image.metadata, image.index, garbage), unchecked),
                      "x.img: block 0 does not match its checksum: the block is corrupt");
    CHECK_NOTHROW(read_from(image.bytes));
}

TEST_CASE("refusals: a corrupt block, checked when opened or when read", "[snapshot]") {
    SmallImage image;
    auto corrupt = image.bytes;
    corrupt[kHeaderSize + 10] ^= std::byte{1};
    auto path = image.dir / "corrupt.img";
    write_file(path, corrupt);
    CHECK_THAT(refusal(path), Catch::Contains("block 0 does not match its checksum"));
    auto chain = ImageChain::open(path, {.block_checks = BlockChecks::as_read});
    CHECK(chain.top().region_stats(0).stored_pages == 2);
    CHECK_THROWS_WITH(read_region(chain, 0),
                      path.string() + ": block 0 does not match its checksum: the block is "
                                      "corrupt");
}

TEST_CASE("refusals: a child image's page the parent has no entry for", "[snapshot]") {
    SmallImage parent;
    auto metadata = parent.metadata;
    metadata.parent = ParentImage{"small.img", parent.metadata.image_id};
    metadata.regions[0].address += 16 * kPageSize; // where the parent has nothing
    PageIndex index{kPageSize, {}, {{metadata.regions[0].address, {}}}};
    index.regions[0].pages.assign(3, {.location = PageLocation::in_parent});
    auto child_bytes = parent.forged(metadata, index, {});
    std::vector<ImageReader> images;
    images.push_back(ImageReader::open_bytes(child_bytes, "child.img"));
    images.push_back(ImageReader::open_bytes(parent.bytes, "small.img"));
    CHECK_THROWS_WITH(ImageChain::from_images(std::move(images)),
                      Catch::StartsWith("child.img: its page at 0x") &&
                          Catch::Contains("is in its parent small.img, which has no page there"));
}

TEST_CASE("refusals: a tree's members that are not where its metadata says", "[snapshot]") {
    SmallImage image;
    auto metadata = image.metadata;
    metadata.process_id = 1;
    metadata.tree_members = {{2, 1, 0, 100}}; // the member_images section is empty
    CHECK_THAT(refusal(image.forged(metadata, image.index, image.blocks)),
               Catch::Contains("the image of process 2 (100 bytes at 0) is not where the "
                               "member_images section holds the next one"));
    metadata.tree_members = {{2, 5, 0, 0}};
    CHECK_THAT(refusal(image.forged(metadata, image.index, image.blocks)),
               Catch::Contains("process 2 comes before its parent 5 in the tree"));
}
