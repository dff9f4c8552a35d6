// SPDX-License-Identifier: MIT
#include "store_checks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace bsc::replay {
namespace {

// What a note holds.
struct Noted {
    uint64_t device = 0, inode = 0, size = 0, modified_ns = 0, changed_ns = 0, checksum = 0;
    bool operator==(const Noted &) const = default;
};

uint64_t nanoseconds(const struct timespec &t) {
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

Noted noted_of(const struct stat &st, uint64_t checksum) {
    return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
            static_cast<uint64_t>(st.st_size), nanoseconds(st.st_mtim), nanoseconds(st.st_ctim),
            checksum};
}

constexpr const char *kNoteFormat = "bascule check note 1: %" SCNu64 " %" SCNu64 " %" SCNu64
                                    " %" SCNu64 " %" SCNu64 " %" SCNx64 "\n";

bool named_by_store(const std::filesystem::path &object, uint64_t length, uint64_t checksum) {
    return object.filename() == fmt::format("{:016x}-{:x}", checksum, length);
}

} // namespace

std::filesystem::path check_note_path(const std::filesystem::path &object) {
    return object.parent_path() / "checked" / object.filename();
}

bool known_whole(const std::filesystem::path &object, uint64_t length, uint64_t checksum) {
    struct stat now {};
    if (!named_by_store(object, length, checksum) || ::stat(object.c_str(), &now) != 0 ||
        !S_ISREG(now.st_mode))
        return false;
    int fd = ::open(check_note_path(object).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    char text[256];
    ssize_t n = ::read(fd, text, sizeof text - 1);
    struct stat note {};
    bool read = n > 0 && ::fstat(fd, &note) == 0;
    ::close(fd);
    if (!read)
        return false;
    text[n] = '\0';
    Noted noted;
    if (std::sscanf(text, kNoteFormat, &noted.device, &noted.inode, &noted.size,
                    &noted.modified_ns, &noted.changed_ns, &noted.checksum) != 6)
        return false;
    return noted == noted_of(now, checksum) && noted.changed_ns < nanoseconds(note.st_mtim);
}

void note_whole(const std::filesystem::path &object, const struct stat &st, uint64_t checksum) {
    if (!named_by_store(object, static_cast<uint64_t>(st.st_size), checksum))
        return;
    std::filesystem::path note = check_note_path(object);
    ::mkdir(note.parent_path().c_str(), 0755); // there already, or a store this cannot write
    Noted noted = noted_of(st, checksum);
    std::string text = fmt::format("bascule check note 1: {} {} {} {} {} {:x}\n", noted.device,
                                   noted.inode, noted.size, noted.modified_ns, noted.changed_ns,
                                   noted.checksum);
    std::string temporary = fmt::format("{}.{}.tmp", note.string(), ::getpid());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    written = ::close(fd) == 0 && written;
    if (!written || ::rename(temporary.c_str(), note.c_str()) != 0)
        ::unlink(temporary.c_str());
}

} // namespace bsc::replay
