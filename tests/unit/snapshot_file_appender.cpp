// SPDX-License-Identifier: MIT
// The appender an image is written through: the file holds what was appended, whatever
// its size, with the head put last; direct I/O where the file system takes it, the page
// cache where it refuses (ramfs), and a failed write reported to the caller.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <functional>
#include <optional>

#include "file_appender.h"
#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

std::vector<std::byte> random_bytes(size_t size, uint32_t seed) {
    std::vector<std::byte> bytes(size);
    fill_random(bytes, seed);
    return bytes;
}

// Appends `bytes` in pieces of `piece` bytes, then finishes with `head`.
void append_file(const std::filesystem::path &path, std::span<const std::byte> bytes,
                 size_t piece, std::span<const std::byte> head) {
    FileAppender file(path);
    for (size_t at = 0; at < bytes.size(); at += piece)
        file.append(bytes.subspan(at, std::min(piece, bytes.size() - at)));
    CHECK(file.size() == bytes.size());
    file.finish(head);
}

// What the file should hold: `bytes` with `head` over their start.
std::vector<std::byte> with_head(std::vector<std::byte> bytes, std::span<const std::byte> head) {
    std::ranges::copy(head, bytes.begin());
    return bytes;
}

void write_file_of(const std::string &name, size_t piece) {
    ScratchDirectory dir;
    auto bytes = random_bytes(size_t{20} << 20 | 1234, 1); // crosses two 8 MiB buffers
    auto head = random_bytes(48, 2);
    append_file(dir / name, bytes, piece, head);
    CHECK(read_file(dir / name) == with_head(bytes, head));
}

// Runs `body` in a child process with a mount namespace of its own, where it may mount
// file systems; its exit status, or nothing where namespaces are not allowed.
std::optional<int> in_mount_namespace(const std::function<int()> &body) {
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            ::_exit(77);
        write_file("/proc/self/setgroups", std::as_bytes(std::span("deny", 4)));
        auto uid_map = fmt::format("0 {} 1", uid), gid_map = fmt::format("0 {} 1", gid);
        write_file("/proc/self/uid_map", std::as_bytes(std::span(uid_map)));
        write_file("/proc/self/gid_map", std::as_bytes(std::span(gid_map)));
        ::_exit(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 ? body() : 78);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        return std::nullopt;
    return WEXITSTATUS(status);
}

} // namespace

TEST_CASE("appender: the file holds what was appended, the head put over its start",
          "[snapshot]") {
    SECTION("in small pieces") { write_file_of("a", 1000); }
    SECTION("in pieces larger than a buffer") { write_file_of("a", size_t{9} << 20); }
}

TEST_CASE("appender: files of any size, mode 0600", "[snapshot]") {
    ScratchDirectory dir;
    for (size_t size : {size_t{48}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{8} << 20,
                        (size_t{8} << 20) + 1}) {
        INFO("size " << size);
        auto bytes = random_bytes(size, static_cast<uint32_t>(size));
        auto head = random_bytes(48, 3);
        auto path = dir / std::to_string(size);
        append_file(path, bytes, size, head);
        CHECK(read_file(path) == with_head(bytes, head));
        struct stat st;
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
    }
}

TEST_CASE("appender: an unfinished file has no head", "[snapshot]") {
    ScratchDirectory dir;
    auto bytes = random_bytes(size_t{9} << 20, 4);
    {
        FileAppender file(dir / "a");
        file.append(bytes);
    }
    // Dropped unfinished, the appender promises no head, not that any byte reached the
    // file: its writer may stop before the first buffer is written.
    auto written = read_file(dir / "a");
    auto head = std::span(written).first(std::min(written.size(), kDirectAlignment));
    CHECK(std::ranges::count(head, std::byte{0}) == std::ssize(head));
}

TEST_CASE("appender: misuse and an existing file are refused", "[snapshot]") {
    ScratchDirectory dir;
    FileAppender file(dir / "a");
    CHECK_THROWS_AS(FileAppender(dir / "a"), ImageError);
    file.append(random_bytes(10, 5));
    CHECK_THROWS_AS(file.finish(random_bytes(11, 6)), std::logic_error);
}

TEST_CASE("appender: on ramfs, which refuses direct I/O, writes go through the page cache",
          "[snapshot]") {
    ScratchDirectory dir;
    auto status = in_mount_namespace([&] {
        if (::mount("none", dir.path().c_str(), "ramfs", 0, nullptr) != 0)
            return 10;
        auto bytes = random_bytes((size_t{8} << 20) + 5000, 7);
        auto head = random_bytes(48, 8);
        FileAppender file(dir / "a");
        if (file.direct())
            return 11;
        file.append(bytes);
        file.finish(head);
        if (read_file(dir / "a") != with_head(bytes, head))
            return 12;
        GuestRegion region(300);
        fill_pattern(region.bytes(), 9);
        write_image(dir / "b.img", {&region});
        return read_region(ImageChain::open(dir / "b.img"), 0) == region.copy() ? 0 : 13;
    });
    if (!status)
        WARN("skipped: no user namespaces here");
    else
        CHECK(*status == 0);
}

TEST_CASE("appender: a write that fails reaches the caller", "[snapshot]") {
    ScratchDirectory dir;
    auto status = in_mount_namespace([&] {
        if (::mount("none", dir.path().c_str(), "tmpfs", 0, "size=1m") != 0)
            return 10;
        try {
            FileAppender file(dir / "a");
            file.append(random_bytes(size_t{20} << 20, 10));
            file.finish({});
        } catch (const ImageError &e) {
            return std::string_view(e.what()).find("cannot write") != std::string_view::npos
                       ? 0
                       : 11;
        }
        return 12;
    });
    if (!status)
        WARN("skipped: no user namespaces here");
    else
        CHECK(*status == 0);
}
