// SPDX-License-Identifier: MIT
// POSIX file operations with errors worded for the user.
#include "file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "image_error.h"

namespace bsc::snapshot {
namespace {

// Closes a descriptor on every way out of a scope.
struct ClosingFd {
    int fd;
    ~ClosingFd() { ::close(fd); }
};

} // namespace

ImageError io_error(const std::filesystem::path &path, std::string_view action) {
    return image_error(path.string(), "cannot {}: {}", action, std::strerror(errno));
}

int create_exclusive(const std::filesystem::path &path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw io_error(path, "create");
    return fd;
}

bool set_direct_io(int fd, bool on, const std::filesystem::path &path) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && ::fcntl(fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0)
        return on;
    if (on && errno == EINVAL) // the file system does not do direct I/O
        return false;
    throw io_error(path, on ? "turn direct I/O on" : "turn direct I/O off");
}

void sync_file(int fd, const std::filesystem::path &path) {
    if (::fsync(fd) != 0)
        throw io_error(path, "sync");
}

void sync_directory(const std::filesystem::path &directory) {
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw io_error(directory, "open the directory");
    ClosingFd closing{fd};
    sync_file(fd, directory);
}

MappedFile map_file(const std::filesystem::path &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw io_error(path, "open");
    ClosingFd closing{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0)
        throw io_error(path, "stat");
    if (!S_ISREG(st.st_mode))
        throw image_error(path.string(), "not a regular file, not a bascule image");
    auto size = static_cast<size_t>(st.st_size);
    if (size == 0) // mmap refuses an empty mapping; the reader words the refusal
        return {};
    void *base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base == MAP_FAILED)
        throw io_error(path, "map");
    ::madvise(base, size, MADV_WILLNEED); // advice: reading works without it
    std::shared_ptr<const void> owner(base, [size](const void *at) {
        ::munmap(const_cast<void *>(at), size);
    });
    return {owner, {static_cast<const std::byte *>(base), size}};
}

} // namespace bsc::snapshot
