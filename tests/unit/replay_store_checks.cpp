// SPDX-License-Identifier: MIT
// Unit tests of the content store's check notes (replay/store_checks.h): an object noted
// whole is known whole while its stat says the same, and not once it is written to, nor
// when its note was written in the tick of its change time, nor for another checksum; a
// file not named as the store names objects gets no note.
#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "host_fixtures.h"
#include "store_checks.h"

using namespace bsc::replay;
using bsc::test::TempDir;

namespace {

constexpr uint64_t kChecksum = 0x0123456789abcdef;

// An object of `bytes` bytes, named as the store names one of this checksum.
std::filesystem::path make_object(const TempDir &dir, uint64_t bytes) {
    std::filesystem::path object = dir.path(fmt::format("{:016x}-{:x}", kChecksum, bytes));
    std::ofstream(object, std::ios::binary) << std::string(bytes, 'a');
    return object;
}

struct stat stat_of(const std::filesystem::path &path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st;
}

// Sets the note's modification time `seconds` after the object's change time.
void note_written_after(const std::filesystem::path &object, time_t seconds) {
    struct timespec times[2] = {stat_of(object).st_ctim, stat_of(object).st_ctim};
    times[1].tv_sec += seconds;
    REQUIRE(::utimensat(AT_FDCWD, check_note_path(object).c_str(), times, 0) == 0);
}

// An object of a page noted whole, its note written a second after the object's change.
std::filesystem::path noted_object(const TempDir &dir) {
    auto object = make_object(dir, 4096);
    note_whole(object, stat_of(object), kChecksum);
    note_written_after(object, 1);
    return object;
}

} // namespace

TEST_CASE("a store object noted whole is known whole while its stat says the same") {
    TempDir dir;
    auto object = make_object(dir, 4096);
    CHECK_FALSE(known_whole(object, 4096, kChecksum)); // no note yet
    note_whole(object, stat_of(object), kChecksum);
    REQUIRE(std::filesystem::exists(check_note_path(object)));
    CHECK(check_note_path(object).parent_path() == std::filesystem::path(dir.path("checked")));
    note_written_after(object, 1);
    CHECK(known_whole(object, 4096, kChecksum));
    CHECK_FALSE(known_whole(object, 4096, kChecksum + 1)); // another object's name
}

TEST_CASE("a note written in the tick of the object's change time proves nothing") {
    TempDir dir;
    auto object = noted_object(dir);
    note_written_after(object, 0);
    CHECK_FALSE(known_whole(object, 4096, kChecksum));
    note_written_after(object, 1);
    CHECK(known_whole(object, 4096, kChecksum));
}

TEST_CASE("a store object written to after its note is no longer known whole") {
    TempDir dir;
    auto object = noted_object(dir);
    REQUIRE(known_whole(object, 4096, kChecksum));
    struct stat before = stat_of(object);
    std::fstream(object, std::ios::in | std::ios::out | std::ios::binary).write("X", 1);
    // The same times at a coarse clock's tick are possible: set them apart, as the next
    // tick would.
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    times[1].tv_sec += 2;
    REQUIRE(::utimensat(AT_FDCWD, object.c_str(), times, 0) == 0);
    CHECK_FALSE(known_whole(object, 4096, kChecksum));
}

TEST_CASE("a damaged note, or a file not named as the store names objects, is not trusted") {
    TempDir dir;
    auto object = noted_object(dir);
    std::ofstream(check_note_path(object)) << "bascule check note 1: 1 2\n";
    note_written_after(object, 1);
    CHECK_FALSE(known_whole(object, 4096, kChecksum));

    std::filesystem::path other = dir.path("library.so");
    std::ofstream(other, std::ios::binary) << std::string(4096, 'a');
    note_whole(other, stat_of(other), kChecksum);
    CHECK_FALSE(std::filesystem::exists(check_note_path(other)));
    CHECK_FALSE(known_whole(other, 4096, kChecksum));
}
