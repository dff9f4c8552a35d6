// SPDX-License-Identifier: MIT
#include "image_transfer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <cerrno>
#include <cstring>
#include <string>

#include "checksum.h"
#include "file_io.h"
#include "image_chain.h"
#include "image_error.h"
#include "little_endian.h"
#include "stream_io.h"

namespace bsc::snapshot {
namespace {

constexpr std::array<char, 8> kTransferMagic{'B', 'S', 'C', 'L', 'X', 'F', 'E', 'R'};
constexpr uint32_t kTransferVersion = 1;
constexpr uint8_t kFileFollows = 1, kEnd = 0;
constexpr uint32_t kMaxFiles = 1024;      // a chain longer than any capture makes
constexpr uint32_t kMaxNameLength = 255;  // a file name, as Linux allows it
constexpr size_t kChunk = 1 << 20;

const std::string kStream = "the image stream";

void write_all(int fd, std::span<const std::byte> bytes) {
    if (!send_all(fd, bytes))
        throw image_error(kStream, "cut while sending: {}", std::strerror(errno));
}

void read_all(int fd, std::span<std::byte> bytes) {
    size_t got;
    if (receive_all(fd, bytes, got))
        return;
    if (errno == 0)
        throw image_error(kStream, "ended before the images were complete");
    throw image_error(kStream, "cut while receiving: {}", std::strerror(errno));
}

template <class T> void send_value(int fd, T value) {
    std::array<std::byte, sizeof(T)> bytes;
    put_le<T>(bytes, 0, value);
    write_all(fd, bytes);
}

template <class T> T receive_value(int fd) {
    std::array<std::byte, sizeof(T)> bytes;
    read_all(fd, bytes);
    return get_le<T>(bytes, 0);
}

// A name the sender may give a file: one file name, nothing that leaves the directory.
bool is_plain_name(const std::string &name) {
    return !name.empty() && name.size() <= kMaxNameLength && name != "." && name != ".." &&
           name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

// A file being received, removed unless kept.
struct Incoming {
    std::filesystem::path temporary, destination;
    ~Incoming() {
        if (!temporary.empty()) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
        }
    }
};

// Receives one file's bytes into `incoming.temporary`, checking their checksum.
void receive_file(int fd, const Incoming &incoming, uint64_t size) {
    int out = create_exclusive(incoming.temporary);
    std::vector<std::byte> chunk(kChunk);
    Xxh3Stream hash;
    for (uint64_t left = size; left > 0;) {
        auto part = std::span(chunk).first(std::min<uint64_t>(left, kChunk));
        read_all(fd, part);
        hash.update(part);
        for (auto rest = std::span<const std::byte>(part); !rest.empty();) {
            ssize_t n = ::write(out, rest.data(), rest.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                ::close(out);
                throw io_error(incoming.temporary, "write");
            }
            rest = rest.subspan(static_cast<size_t>(n));
        }
        left -= part.size();
    }
    sync_file(out, incoming.temporary);
    ::close(out);
    if (!checksum_matches(receive_value<uint64_t>(fd), hash.digest()))
        throw image_error(incoming.destination.string(),
                          "does not match its checksum: it was damaged on the way");
}

// Every check a restore makes, each block and each member image included, and that the
// image names `parent` (received just before) as its parent.
void check_received(const Incoming &incoming, const Incoming *parent) {
    auto reader = ImageReader::open(incoming.temporary, {.block_checks = BlockChecks::at_open});
    for (const auto &member : reader.metadata().tree_members)
        reader.open_member(member, {.block_checks = BlockChecks::at_open});
    const auto &recorded = reader.metadata().parent;
    std::string name = incoming.destination.filename().string();
    if (!parent && recorded)
        throw image_error(name, "its parent {} was not sent with it", recorded->path);
    if (!parent)
        return;
    auto parent_id = ImageReader::open(parent->temporary).metadata().image_id;
    if (!recorded || recorded->path != parent->destination.filename().string() ||
        recorded->image_id != parent_id)
        throw image_error(name, "does not name {}, sent before it, as its parent",
                          parent->destination.filename().string());
}

} // namespace

std::vector<std::filesystem::path> chain_files(const std::filesystem::path &image) {
    auto chain = ImageChain::open(image, {.block_checks = BlockChecks::as_read});
    std::vector<std::filesystem::path> files;
    for (const auto &reader : chain.images())
        files.insert(files.begin(), std::filesystem::absolute(reader.path()).lexically_normal());
    for (const auto &file : files)
        if (file.parent_path() != files.back().parent_path())
            throw image_error(image.string(), "its parent {} is in another directory: the "
                                              "images sent together must be in one",
                              file.string());
    return files;
}

ImageSender::ImageSender(int fd) : fd_(fd) {
    write_all(fd, std::as_bytes(std::span(kTransferMagic)));
    send_value<uint32_t>(fd, kTransferVersion);
}

void ImageSender::send(const std::filesystem::path &path) {
    ReadOnlyFile file(path);
    AlignedBuffer buffer = aligned_buffer(read_buffer_size(kChunk));
    std::string name = path.filename().string();
    send_value<uint8_t>(fd_, kFileFollows);
    send_value<uint32_t>(fd_, static_cast<uint32_t>(name.size()));
    write_all(fd_, std::as_bytes(std::span(name)));
    send_value<uint64_t>(fd_, file.size());
    Xxh3Stream hash;
    for (uint64_t at = 0; at < file.size(); at += kChunk) {
        auto part = file.read(at, std::min<uint64_t>(kChunk, file.size() - at), buffer.get());
        hash.update(part);
        write_all(fd_, part);
    }
    send_value<uint64_t>(fd_, hash.digest());
    sent_ += file.size();
}

void ImageSender::finish() { send_value<uint8_t>(fd_, kEnd); }

uint64_t send_image_files(int fd, std::span<const std::filesystem::path> files) {
    ImageSender sender(fd);
    for (const auto &file : files)
        sender.send(file);
    sender.finish();
    return sender.bytes_sent();
}

std::vector<std::filesystem::path> receive_image_files(int fd,
                                                       const std::filesystem::path &output) {
    std::array<char, 8> magic;
    read_all(fd, std::as_writable_bytes(std::span(magic)));
    if (magic != kTransferMagic)
        throw image_error(kStream, "does not begin as bascule images do");
    if (auto version = receive_value<uint32_t>(fd); version != kTransferVersion)
        throw image_error(kStream, "is of transfer version {}, this build reads version {}",
                          version, kTransferVersion);
    auto directory = std::filesystem::absolute(output).parent_path();
    std::vector<std::unique_ptr<Incoming>> files;
    std::vector<std::string> names;
    while (receive_value<uint8_t>(fd) == kFileFollows) {
        if (files.size() == kMaxFiles)
            throw image_error(kStream, "holds more than {} images", kMaxFiles);
        uint32_t length = receive_value<uint32_t>(fd);
        if (length > kMaxNameLength)
            throw image_error(kStream, "names a file of {} bytes", length);
        std::string name(length, '\0');
        read_all(fd, std::as_writable_bytes(std::span(name)));
        if (!is_plain_name(name) || std::ranges::count(names, name))
            throw image_error(kStream, "names a file that is not a plain file name, or twice");
        names.push_back(name);
        auto &file = *files.emplace_back(std::make_unique<Incoming>());
        file.destination = directory / name;
        file.temporary = directory / ("." + name + ".receiving-" + std::to_string(::getpid()));
        receive_file(fd, file, receive_value<uint64_t>(fd));
        check_received(file, files.size() > 1 ? files[files.size() - 2].get() : nullptr);
    }
    if (files.empty())
        throw image_error(kStream, "holds no image");
    files.back()->destination = std::filesystem::absolute(output); // the newest: the image
    std::byte extra;
    if (::read(fd, &extra, 1) != 0)
        throw image_error(kStream, "goes on after its last image");
    std::vector<std::filesystem::path> written;
    for (auto &file : files) {
        std::filesystem::rename(file->temporary, file->destination);
        file->temporary.clear();
        written.push_back(file->destination);
    }
    sync_directory(directory);
    return written;
}

} // namespace bsc::snapshot
