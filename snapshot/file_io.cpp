// SPDX-License-Identifier: MIT
// POSIX file operations with errors worded for the user.
#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "image_error.h"

namespace bsc::snapshot {
namespace {

// Closes a descriptor on every way out of a scope, unless told to keep it (fd -1).
struct ClosingFd {
    int fd;
    ~ClosingFd() {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

AlignedBuffer aligned_buffer(size_t size) {
    void *bytes = allocate_bytes(size, kDirectAlignment, kReadInHugePages);
    return AlignedBuffer(static_cast<std::byte *>(bytes), FreeAligned{size});
}

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

ReadOnlyFile::ReadOnlyFile(const std::filesystem::path &path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw io_error(path, "open");
    ClosingFd closing{fd_}; // until the file is known to be one to keep open
    struct stat st;
    if (::fstat(fd_, &st) != 0)
        throw io_error(path, "stat");
    if (!S_ISREG(st.st_mode))
        throw image_error(path.string(), "not a regular file, not a bascule image");
    size_ = static_cast<uint64_t>(st.st_size);
    direct_ = set_direct_io(fd_, true, path);
    closing.fd = -1;
}

ReadOnlyFile::ReadOnlyFile(const std::filesystem::path &path, uint64_t base, uint64_t size)
    : ReadOnlyFile(path) {
    if (base > size_ || size > size_ - base)
        throw image_error(path.string(), "the {} bytes at {} are past the end of the file",
                          size, base);
    base_ = base;
    size_ = size;
}

ReadOnlyFile::~ReadOnlyFile() { ::close(fd_); }

size_t read_buffer_size(size_t length) { return align_up(length) + kDirectAlignment; }

std::span<const std::byte> ReadOnlyFile::read(uint64_t offset, size_t length,
                                              std::byte *buffer) const {
    offset += base_;
    uint64_t begin = align_down(offset);
    size_t wanted = align_up(offset + length) - begin;
    size_t got = 0;
    while (got < wanted) {
        ssize_t read = ::pread(fd_, buffer + got, wanted - got, static_cast<off_t>(begin + got));
        if (read < 0 && errno == EINTR)
            continue;
        // A file system may take the flag and refuse the I/O (a device whose logical
        // block is larger than the alignment): the page cache takes any read.
        if (read < 0 && errno == EINVAL && direct_) {
            direct_ = set_direct_io(fd_, false, path_);
            continue;
        }
        if (read < 0)
            throw io_error(path_, "read");
        if (read == 0)
            break;
        got += static_cast<size_t>(read);
    }
    if (begin + got < offset + length)
        throw image_error(path_.string(), "the file was cut short while open: {} bytes at {} "
                                          "are no longer there",
                          length, offset);
    return {buffer + (offset - begin), length};
}

std::span<const std::byte> ImageSource::bytes(uint64_t offset, uint64_t length) {
    if (!file_)
        return memory_.subspan(offset, length);
    kept_.push_back(aligned_buffer(read_buffer_size(length)));
    return file_->read(offset, length, kept_.back().get());
}

} // namespace bsc::snapshot
