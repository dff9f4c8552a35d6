// SPDX-License-Identifier: MIT
// Writing and reading the trace file; the layout is in README.md.
#include "trace_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "call_memory.h"
#include "call_roles.h"
#include "checksum.h"
#include "guest_memory.h"
#include "little_endian.h"
#include "portable_codec.h"
#include "section_compression.h"
#include "store_checks.h"

namespace bsc::replay {
namespace {

using snapshot::get_le;
using snapshot::put_le;

constexpr char kMagic[8] = {'B', 'S', 'C', 'T', 'R', 'A', 'C', 'E'};
constexpr size_t kFileHeaderBytes = 24;        // magic, version, header length, checksum
constexpr uint32_t kBlockMagic = 0x4b4c4254;   // "TBLK"
constexpr size_t kBlockHeaderBytes = 40;       // magic, count, first, length, checksum, flags
constexpr uint32_t kContentMagic = 0x50414d54; // "TMAP"
constexpr size_t kContentHeaderBytes = 32;     // magic, 0, length, checksum, data offset
constexpr uint32_t kReferenceMagic = 0x46455254; // "TREF"
constexpr size_t kReferenceHeaderBytes = 32;   // magic, path length, length, checksum, 0
constexpr uint32_t kMaxPath = 4096;
constexpr size_t kBlockBytes = 64 * 1024;      // events held before a block is written (README)
constexpr uint64_t kMaxStoredBlock = 64ull << 20;
constexpr uint64_t kMaxContent = 1ull << 40;
// Stream bytes kept out of line (TraceWriter): fewer than this are not worth an object of
// their own, so a stream's first bytes stay in its calls' writes (a small file, a pipe's
// messages), and so do fewer held when a block is written (a database's few pages read
// between two blocks); a block's events hold at most kMaxHeldStreamBytes out of line.
constexpr uint64_t kInlineStreamBytes = 16 * 1024;
constexpr uint64_t kMaxHeldStreamBytes = 16ull << 20;
// The object of content no object holds yet, in a held call (TraceWriter::StreamBytes).
constexpr uint32_t kPendingObject = 1u << 31;

enum : uint32_t {
    kBlockForks = 1, // it holds a process_fork that made a child (it has a trace of its own)
    kBlockEnds = 2,  // its last event is the process's end
};

TraceError trace_error(const std::string &name, const std::string &what) {
    return TraceError(name + ": " + what);
}

std::span<const std::byte> as_bytes(const std::vector<std::byte> &v) { return {v.data(), v.size()}; }

// A rough size of an event once encoded, to cut blocks.
size_t estimate(const Event &event) {
    size_t bytes = 64;
    if (const auto *call = std::get_if<CallEvent>(&event))
        for (const auto &w : call->writes)
            bytes += 16 + w.bytes.size();
    return bytes;
}

// A content record's checksum: xxh3-64 of its pages' xxh3-64 hashes, which the writer
// has already (it looks pages up by them).
uint64_t content_checksum(const std::vector<uint64_t> &page_hashes) {
    return snapshot::xxh3({reinterpret_cast<const std::byte *>(page_hashes.data()),
                           page_hashes.size() * sizeof(uint64_t)});
}

uint64_t page_hash(const std::byte *page) { return snapshot::xxh3({page, kPage}); }

// The hashes of the pages of the pieces laid end to end, the last page padded with zeros.
std::vector<uint64_t> page_hashes(BytePieces pieces) {
    std::vector<uint64_t> hashes;
    std::array<std::byte, kPage> page{}; // a page that spans pieces
    size_t filled = 0;
    for (auto piece : pieces) {
        while (!piece.empty()) {
            if (!filled && piece.size() >= kPage) { // a whole page, hashed where it is
                hashes.push_back(page_hash(piece.data()));
                piece = piece.subspan(kPage);
                continue;
            }
            size_t step = std::min<size_t>(piece.size(), kPage - filled);
            std::memcpy(page.data() + filled, piece.data(), step);
            piece = piece.subspan(step);
            if ((filled += step) == kPage) {
                hashes.push_back(page_hash(page.data()));
                filled = 0;
            }
        }
    }
    if (filled) {
        std::fill(page.begin() + static_cast<long>(filled), page.end(), std::byte{0});
        hashes.push_back(page_hash(page.data()));
    }
    return hashes;
}

// The checksum of stored content (whole pages), as a reader computes it.
uint64_t checksum_of_pages(std::span<const std::byte> pages) {
    return content_checksum(page_hashes(BytePieces(&pages, 1)));
}

// Writes all the pieces to `fd` (writev, retried for what a short write left); false with
// errno set if it cannot. `written` counts the bytes that went.
bool write_fully(int fd, std::span<const std::span<const std::byte>> pieces, uint64_t &written) {
    std::vector<iovec> left;
    for (auto piece : pieces)
        left.push_back({const_cast<std::byte *>(piece.data()), piece.size()});
    size_t first = 0;
    while (first < left.size()) {
        ssize_t n = ::writev(fd, left.data() + first, static_cast<int>(left.size() - first));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        written += static_cast<uint64_t>(n);
        for (auto done = static_cast<size_t>(n); done;) {
            size_t step = std::min(done, left[first].iov_len);
            left[first].iov_base = static_cast<char *>(left[first].iov_base) + step;
            left[first].iov_len -= step;
            done -= step;
            if (!left[first].iov_len)
                first++;
        }
        while (first < left.size() && !left[first].iov_len)
            first++;
    }
    return true;
}

// A new content store object holding the pieces: written under a temporary name, then
// renamed, so that the store never holds part of one. False if the store cannot take it.
bool write_object(const std::filesystem::path &object, BytePieces pieces) {
    std::string temporary = fmt::format("{}.{}.tmp", object.string(), ::getpid());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
    if (fd < 0)
        return false;
    uint64_t written = 0;
    bool whole = write_fully(fd, pieces, written);
    whole = ::close(fd) == 0 && whole;
    if (!whole || ::rename(temporary.c_str(), object.c_str()) != 0) {
        ::unlink(temporary.c_str());
        return false;
    }
    return true;
}

enum class Reading { on_demand, all }; // `all`: its pages mapped at once (fewer faults)

// The whole file, mapped read-only.
std::shared_ptr<const void> map_file(const std::filesystem::path &path, size_t &size,
                                     Reading reading = Reading::on_demand) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); // a FIFO must not block
    if (fd < 0)
        throw trace_error(path.string(), fmt::format("cannot open: {}", std::strerror(errno)));
    struct stat st {};
    bool stated = ::fstat(fd, &st) == 0;
    int error = errno;
    void *at = MAP_FAILED;
    if (stated && S_ISREG(st.st_mode)) {
        size = static_cast<size_t>(st.st_size);
        int populate = reading == Reading::all ? MAP_POPULATE : 0;
        at = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | populate, fd, 0) : nullptr;
        error = errno;
    }
    ::close(fd);
    if (stated && !S_ISREG(st.st_mode))
        throw trace_error(path.string(), "not a regular file");
    if (at == MAP_FAILED)
        throw trace_error(path.string(), fmt::format("cannot read: {}", std::strerror(error)));
    return {at, [size](const void *p) {
                if (p)
                    ::munmap(const_cast<void *>(p), size);
            }};
}

// The hashes of a whole file's pages (the last one padded with zeros), and its size and
// what stat said of it before it was read, read a piece at a time into a buffer the thread
// reuses: mapping the pages instead costs three times as much on this project's VM (724
// store objects, 96 MB: 94 ms mapped with MAP_POPULATE, 28 ms read), and a larger buffer
// costs its first faults (python3's 10.8 MB took 8 ms with a buffer of 1 MiB, 2.5–3.2 ms
// with 64 KiB).
std::vector<uint64_t> file_page_hashes(const std::filesystem::path &path, uint64_t &size,
                                       struct stat &st) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); // a FIFO must not block
    if (fd < 0)
        throw trace_error(path.string(), fmt::format("cannot open: {}", std::strerror(errno)));
    std::unique_ptr<int, void (*)(int *)> closing(&fd, [](int *f) { ::close(*f); });
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw trace_error(path.string(), "not a regular file");
    thread_local std::vector<std::byte> buffer(64 * 1024); // whole pages, few to fault in
    std::vector<uint64_t> hashes;
    for (size = 0;;) {
        ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw trace_error(path.string(), fmt::format("cannot read: {}", std::strerror(errno)));
        if (n == 0)
            return hashes;
        std::span<const std::byte> read(buffer.data(), static_cast<size_t>(n));
        auto more = page_hashes(BytePieces(&read, 1));
        hashes.insert(hashes.end(), more.begin(), more.end());
        size += static_cast<uint64_t>(n);
    }
}

} // namespace

TraceWriter::TraceWriter(std::filesystem::path path, std::filesystem::path store)
    : path_(std::move(path)), store_(std::move(store)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw trace_error(path_.string(),
                          errno == EEXIST ? "exists already: a trace is never overwritten"
                                          : fmt::format("cannot create: {}", std::strerror(errno)));
}

TraceWriter::~TraceWriter() {
    if (fd_ >= 0)
        ::close(fd_);
}

// One writev of all the pieces: a block or record is whole or cut at its end.
void TraceWriter::write_out(std::span<const std::span<const std::byte>> pieces) {
    if (!write_fully(fd_, pieces, file_bytes_))
        throw trace_error(path_.string(), fmt::format("cannot write: {}", std::strerror(errno)));
}

void TraceWriter::write_header(const TraceHeader &header) {
    auto body = snapshot::encode_record(header);
    std::vector<std::byte> head(kFileHeaderBytes);
    std::memcpy(head.data(), kMagic, sizeof kMagic);
    put_le<uint32_t>(head, 8, kTraceVersion);
    put_le<uint32_t>(head, 12, static_cast<uint32_t>(body.size()));
    put_le<uint64_t>(head, 16, snapshot::xxh3(as_bytes(body)));
    std::vector<std::span<const std::byte>> pieces = {as_bytes(head), as_bytes(body)};
    for (const auto &reference : early_references_)
        pieces.push_back(as_bytes(reference));
    write_out(pieces);
    early_references_.clear();
    header_written_ = true;
    flush();
}

void TraceWriter::add(Event event) {
    held_bytes_ += estimate(event);
    if (auto *call = std::get_if<CallEvent>(&event)) {
        held_bytes_ -= hold_stream_bytes(*call);
        if (forked_a_child(*call))
            held_flags_ |= kBlockForks;
    }
    held_.push_back(std::move(event));
    if (header_written_ && (held_bytes_ >= kBlockBytes || held_stream_bytes_ >= kMaxHeldStreamBytes))
        flush();
}

namespace {

// The bytes of a stream a call read: those of its BYTES_OUT write (stream_read's buffer),
// if it has a handle as its first parameter and maps nothing.
MemoryWrite *stream_bytes_of(CallEvent &call) {
    const bsc_call_roles &roles = roles::of(static_cast<roles::Slot>(call.slot));
    if (call.status != BSC_OK || !roles.param_count || roles.params[0].kind != BSC_ROLE_HANDLE ||
        (roles.flags & BSC_CALL_MAPS))
        return nullptr;
    for (auto &write : call.writes)
        if (write.param != kAbsolute && roles.params[write.param].kind == BSC_ROLE_BYTES_OUT)
            return &write;
    return nullptr;
}

} // namespace

// The bytes stay in the call's write until they are stored (store_stream_bytes): a copy
// would cost fresh memory, about 10 µs a page on this project's VM.
uint64_t TraceWriter::hold_stream_bytes(CallEvent &call) {
    if (store_.empty() || !header_written_ || fd_ < 0)
        return 0;
    if (call.slot == static_cast<uint16_t>(roles::Slot::object_close)) {
        if (auto closed = streams_.find(call.args[0]); closed != streams_.end()) {
            store_stream_bytes(closed->second);
            streams_.erase(closed);
        }
        return 0;
    }
    MemoryWrite *bytes = stream_bytes_of(call);
    if (!bytes)
        return 0;
    StreamBytes &stream = streams_[call.args[0]];
    uint64_t length = bytes->bytes.size();
    stream.given += length;
    if (stream.given - length < kInlineStreamBytes)
        return 0;
    if (!stream.pending)
        stream.pending = kPendingObject | (++pending_objects_ & ~kPendingObject);
    call.content = {stream.held, length, stream.pending};
    stream.held += length;
    held_stream_bytes_ += length;
    return length;
}

// The calls that hold the stream's bytes are in held_, in the order they were read. The
// store keeps them whole pages, the last one padded with zeros, as it keeps everything.
void TraceWriter::store_stream_bytes(StreamBytes &stream) {
    if (!stream.held)
        return;
    std::vector<CallEvent *> calls;
    std::vector<std::span<const std::byte>> pieces;
    for (auto &event : held_)
        if (auto *call = std::get_if<CallEvent>(&event); call && call->content.object == stream.pending) {
            calls.push_back(call);
            pieces.push_back(std::as_bytes(std::span(stream_bytes_of(*call)->bytes)));
        }
    if (stream.held < kInlineStreamBytes) { // too few for an object: they stay in the calls
        for (CallEvent *call : calls)
            call->content = {};
        held_bytes_ += stream.held;
    } else {
        pieces.push_back(snapshot::zero_page().first(page_up(stream.held) - stream.held));
        MappedContent place = place_pages(pieces, page_hashes(pieces));
        for (CallEvent *call : calls) {
            call->content.object = place.object;
            call->content.offset += place.offset;
            stream_bytes_of(*call)->bytes = {};
        }
    }
    held_stream_bytes_ -= stream.held;
    stream.held = 0;
    stream.pending = 0;
}

std::optional<MappedContent> TraceWriter::stored_pages(const std::vector<uint64_t> &hashes) const {
    constexpr int kCandidates = 8; // a page that is everywhere (zeros) is tried a few times
    auto [from, to] = pages_by_hash_.equal_range(hashes[0]);
    int tried = 0;
    for (auto it = from; it != to && tried < kCandidates; ++it, ++tried) {
        Place base = it->second;
        bool all = true;
        for (size_t i = 1; i < hashes.size() && all; i++) {
            auto stored = hash_at_.find({base.object, base.offset + i * kPage});
            all = stored != hash_at_.end() && stored->second == hashes[i];
        }
        if (all)
            return MappedContent{base.offset, hashes.size() * kPage, base.object};
    }
    return std::nullopt;
}

void TraceWriter::index_pages(const std::vector<uint64_t> &hashes, uint32_t object,
                              uint64_t offset) {
    for (size_t i = 0; i < hashes.size(); i++) {
        Place place{object, offset + i * kPage};
        pages_by_hash_.emplace(hashes[i], place);
        hash_at_[place] = hashes[i];
    }
}

std::vector<uint64_t> guest_page_hashes(
    uint64_t address, uint64_t length,
    const std::function<std::optional<uint64_t>(uint64_t offset)> &known) {
    std::vector<uint64_t> hashes;
    std::array<std::byte, kPage> page;
    for (uint64_t at = 0; at < length; at += kPage) {
        if (auto hash = known ? known(at) : std::nullopt) {
            hashes.push_back(*hash);
            continue;
        }
        if (copy_from_guest(page.data(), reinterpret_cast<const void *>(address + at), kPage) !=
            BSC_OK)
            break;
        hashes.push_back(page_hash(page.data()));
    }
    return hashes;
}

MappedContent TraceWriter::add_content(uint64_t address, uint64_t length) {
    return add_content(address, guest_page_hashes(address, length));
}

MappedContent TraceWriter::add_content(uint64_t address, const std::vector<uint64_t> &hashes) {
    if (fd_ < 0 || (!header_written_ && store_.empty()) || hashes.empty())
        return {};
    std::span<const std::byte> pages(reinterpret_cast<const std::byte *>(address),
                                     hashes.size() * kPage);
    return place_pages(BytePieces(&pages, 1), hashes);
}

MappedContent TraceWriter::place_pages(BytePieces pages, const std::vector<uint64_t> &hashes) {
    if (auto stored = stored_pages(hashes))
        return *stored;
    if (!store_.empty())
        if (auto referenced = add_store_reference(pages, hashes))
            return *referenced;
    if (!header_written_)
        return {};
    return add_content_record(pages, hashes);
}

// Pages of guest memory go to the file in the kernel's one copy; the guest cannot change
// them meanwhile (its threads take turns, and this one is here).
MappedContent TraceWriter::add_content_record(BytePieces pages, const std::vector<uint64_t> &hashes) {
    uint64_t bytes = hashes.size() * kPage;
    uint64_t data_at = page_up(file_bytes_ + kContentHeaderBytes);
    std::vector<std::byte> head(data_at - file_bytes_);
    put_le<uint32_t>(head, 0, kContentMagic);
    put_le<uint64_t>(head, 8, bytes);
    put_le<uint64_t>(head, 16, content_checksum(hashes));
    put_le<uint64_t>(head, 24, data_at);
    std::vector<std::span<const std::byte>> pieces = {as_bytes(head)};
    pieces.insert(pieces.end(), pages.begin(), pages.end());
    write_out(pieces);
    index_pages(hashes, 0, data_at);
    return {data_at, bytes, 0};
}

std::optional<MappedContent> TraceWriter::add_store_reference(BytePieces pages,
                                                              const std::vector<uint64_t> &hashes) {
    uint64_t bytes = hashes.size() * kPage, checksum = content_checksum(hashes);
    std::filesystem::path object = store_ / fmt::format("{:016x}-{:x}", checksum, bytes);
    std::error_code error;
    if (!std::filesystem::exists(object, error) && !write_object(object, pages))
        return std::nullopt;
    std::string name = std::filesystem::absolute(object, error).string();
    if (error || name.size() > kMaxPath)
        return std::nullopt;
    std::vector<std::byte> record(kReferenceHeaderBytes + name.size());
    put_le<uint32_t>(record, 0, kReferenceMagic);
    put_le<uint32_t>(record, 4, static_cast<uint32_t>(name.size()));
    put_le<uint64_t>(record, 8, bytes);
    put_le<uint64_t>(record, 16, checksum);
    std::memcpy(record.data() + kReferenceHeaderBytes, name.data(), name.size());
    if (header_written_) {
        std::span<const std::byte> pieces[] = {as_bytes(record)};
        write_out(pieces);
    } else {
        early_references_.push_back(std::move(record));
    }
    index_pages(hashes, ++objects_, 0);
    return MappedContent{0, bytes, objects_};
}

void TraceWriter::flush() {
    if (!header_written_ || held_.empty() || fd_ < 0)
        return;
    for (auto &[handle, stream] : streams_)
        store_stream_bytes(stream);
    if (std::holds_alternative<EndEvent>(held_.back()))
        held_flags_ |= kBlockEnds;
    snapshot::encode_record(held_, encoded_);
    snapshot::compress_section(as_bytes(encoded_), compressed_);
    const auto &stored = compressed_;
    std::vector<std::byte> head(kBlockHeaderBytes);
    put_le<uint32_t>(head, 0, kBlockMagic);
    put_le<uint32_t>(head, 4, static_cast<uint32_t>(held_.size()));
    put_le<uint64_t>(head, 8, first_held_);
    put_le<uint64_t>(head, 16, stored.size());
    put_le<uint64_t>(head, 24, snapshot::xxh3(as_bytes(stored)));
    put_le<uint32_t>(head, 32, held_flags_);
    std::span<const std::byte> pieces[] = {as_bytes(head), as_bytes(stored)};
    write_out(pieces);
    first_held_ += held_.size();
    held_.clear();
    held_bytes_ = 0;
    held_flags_ = 0;
}

void TraceWriter::abandon() {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    held_.clear();
    held_bytes_ = 0;
    streams_.clear();
    held_stream_bytes_ = 0;
    held_flags_ = 0;
}

TraceReader::TraceReader(const std::filesystem::path &path, Checks checks)
    : name_(path.string()) {
    size_t size = 0;
    owner_ = map_file(path, size, Reading::all);
    bytes_ = {static_cast<const std::byte *>(owner_.get()), size};
    check(checks);
}

TraceReader::TraceReader(std::vector<std::byte> bytes, std::string name) : name_(std::move(name)) {
    auto held = std::make_shared<const std::vector<std::byte>>(std::move(bytes));
    bytes_ = {held->data(), held->size()};
    owner_ = std::move(held);
    check(Checks::everything);
}

void TraceReader::check(Checks checks) {
    auto in = bytes_;
    if (in.size() < kFileHeaderBytes || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
        throw trace_error(name_, "not a bascule trace (no BSCTRACE header)");
    uint32_t version = get_le<uint32_t>(in, 8);
    if (version != kTraceVersion)
        throw trace_error(name_, fmt::format("trace format version {}; this bascule-replay "
                                             "reads version {}",
                                             version, kTraceVersion));
    uint32_t length = get_le<uint32_t>(in, 12);
    if (length > in.size() - kFileHeaderBytes)
        throw trace_error(name_, "the header is cut short");
    auto body = in.subspan(kFileHeaderBytes, length);
    if (!snapshot::checksum_matches(get_le<uint64_t>(in, 16), snapshot::xxh3(body)))
        throw trace_error(name_, "the header's checksum does not match: the file is damaged");
    try {
        header_ = snapshot::decode_record<TraceHeader>(body);
    } catch (const std::exception &e) {
        throw trace_error(name_, fmt::format("the header cannot be decoded: {}", e.what()));
    }
    uint32_t last_flags = 0;
    for (uint64_t at = kFileHeaderBytes + length; at < in.size();) {
        auto rest = in.subspan(at);
        if (rest.size() < kContentHeaderBytes) { // shorter than any record's header
            dropped_bytes_ = rest.size();
            break;
        }
        uint32_t magic = get_le<uint32_t>(rest, 0);
        if (magic == kContentMagic) {
            uint64_t size = get_le<uint64_t>(rest, 8), data_at = get_le<uint64_t>(rest, 24);
            if (data_at != page_up(at + kContentHeaderBytes) || size == 0 || size % kPage ||
                size > kMaxContent)
                throw trace_error(name_, fmt::format("content at byte {}: a damaged header", at));
            if (data_at + size > in.size()) {
                dropped_bytes_ = rest.size(); // cut while it was being written
                break;
            }
            contents_[data_at] = {size, get_le<uint64_t>(rest, 16), at};
            at = data_at + size;
            continue;
        }
        if (magic == kReferenceMagic) {
            uint32_t path_length = get_le<uint32_t>(rest, 4);
            uint64_t size = get_le<uint64_t>(rest, 8);
            if (path_length == 0 || path_length > kMaxPath || size == 0 || size % kPage ||
                size > kMaxContent)
                throw trace_error(name_, fmt::format("reference at byte {}: a damaged header", at));
            if (rest.size() < kReferenceHeaderBytes + path_length) {
                dropped_bytes_ = rest.size();
                break;
            }
            auto path = rest.subspan(kReferenceHeaderBytes, path_length);
            StoreObject object{std::string(reinterpret_cast<const char *>(path.data()), path.size()),
                               size, get_le<uint64_t>(rest, 16), at};
            objects_.push_back(std::move(object));
            at += kReferenceHeaderBytes + path_length;
            continue;
        }
        size_t number = blocks_.size();
        if (magic != kBlockMagic)
            throw trace_error(name_, fmt::format("block {} at byte {}: no block header", number, at));
        if (rest.size() < kBlockHeaderBytes) {
            dropped_bytes_ = rest.size();
            break;
        }
        uint32_t count = get_le<uint32_t>(rest, 4);
        uint64_t first = get_le<uint64_t>(rest, 8), stored_length = get_le<uint64_t>(rest, 16);
        if (first != event_count_ || stored_length > kMaxStoredBlock)
            throw trace_error(name_, fmt::format("block {} at byte {}: a damaged block header",
                                                 number, at));
        if (stored_length > rest.size() - kBlockHeaderBytes) {
            dropped_bytes_ = rest.size(); // cut while it was being written
            break;
        }
        auto stored = rest.subspan(kBlockHeaderBytes, stored_length);
        if (!snapshot::checksum_matches(get_le<uint64_t>(rest, 24), snapshot::xxh3(stored)))
            throw trace_error(name_, fmt::format("block {} at byte {}: its checksum does not match",
                                                 number, at));
        last_flags = get_le<uint32_t>(rest, 32);
        blocks_.push_back({first, count, (last_flags & kBlockForks) != 0, stored, at});
        event_count_ += count;
        at += kBlockHeaderBytes + stored_length;
    }
    end_ = (last_flags & kBlockEnds) && dropped_bytes_ == 0 ? TraceEnd::complete : TraceEnd::cut;
    if (checks == Checks::everything)
        check_content();
}

void TraceReader::check_content() const {
    for (const auto &[data_at, record] : contents_)
        if (!snapshot::checksum_matches(record.checksum,
                                        checksum_of_pages(bytes_.subspan(data_at, record.length))))
            throw trace_error(name_, fmt::format("content at byte {}: its checksum does not "
                                                 "match", record.at));
    for (const StoreObject &object : objects_)
        check_object(object);
}

void TraceReader::check_object(const StoreObject &object) const {
    if (known_whole(object.path, object.length, object.checksum))
        return;
    auto refuse = [&](const std::string &what) {
        return trace_error(name_, fmt::format("the content store object {} (named at byte {}) {}",
                                              object.path, object.named_at, what));
    };
    uint64_t size = 0;
    struct stat st {};
    std::vector<uint64_t> hashes;
    try {
        hashes = file_page_hashes(object.path, size, st);
    } catch (const TraceError &e) {
        throw refuse(fmt::format("cannot be read ({}): record again, or keep the store with the "
                                 "trace", e.what()));
    }
    if (size != object.length || !snapshot::checksum_matches(object.checksum, content_checksum(hashes)))
        throw refuse("has changed: its checksum does not match");
    note_whole(object.path, st, object.checksum);
}

std::span<const std::byte> TraceReader::content(const MappedContent &content) {
    if (!content.object)
        return bytes_.subspan(content.offset, content.length);
    object_maps_.resize(objects_.size());
    auto &mapped = object_maps_[content.object - 1];
    const StoreObject &object = objects_[content.object - 1];
    if (!mapped) {
        size_t size = 0;
        mapped = map_file(object.path, size);
        if (size != object.length) {
            mapped.reset();
            throw trace_error(name_, fmt::format("the content store object {} has changed",
                                                 object.path));
        }
    }
    return std::span<const std::byte>(static_cast<const std::byte *>(mapped.get()), object.length)
        .subspan(content.offset, content.length);
}

uint64_t TraceReader::content_bytes() const {
    uint64_t total = 0;
    for (const auto &[offset, record] : contents_)
        total += record.length;
    return total;
}

bool TraceReader::holds_content(const MappedContent &content) const {
    if (content.object) {
        if (content.object > objects_.size())
            return false;
        uint64_t length = objects_[content.object - 1].length;
        return content.length <= length && content.offset <= length - content.length;
    }
    auto it = contents_.upper_bound(content.offset);
    if (it == contents_.begin())
        return false;
    --it;
    return content.length <= it->second.length &&
           content.offset - it->first <= it->second.length - content.length;
}

std::shared_ptr<const TraceReader::Decoded> TraceReader::decode(size_t block, uint64_t *raw_bytes) {
    std::lock_guard lock(decoded_mutex_);
    if (block == decoded_block_)
        return decoded_;
    const Block &b = blocks_[block];
    auto where = fmt::format("block {} at byte {}", block, b.at);
    try {
        snapshot::decompress_section(b.stored, where, raw_block_);
        if (raw_bytes)
            *raw_bytes += raw_block_.size();
        auto events = snapshot::decode_record<Decoded>(as_bytes(raw_block_));
        if (events.size() != b.count)
            throw TraceError(fmt::format("{} events where the header says {}", events.size(), b.count));
        for (const auto &event : events)
            if (const auto *call = std::get_if<CallEvent>(&event);
                call && call->content.length && !holds_content(call->content))
                throw TraceError(fmt::format("call {} names content the trace does not hold",
                                             call->number));
        decoded_ = std::make_shared<const Decoded>(std::move(events));
        decoded_block_ = block;
        return decoded_;
    } catch (const std::exception &e) {
        throw trace_error(name_, fmt::format("{}: {}", where, e.what()));
    }
}

std::shared_ptr<const Event> TraceReader::at(uint64_t index) {
    auto block = std::upper_bound(blocks_.begin(), blocks_.end(), index,
                                  [](uint64_t i, const Block &b) { return i < b.first; }) -
                 1;
    auto events = decode(static_cast<size_t>(block - blocks_.begin()), nullptr);
    return {events, &(*events)[index - block->first]};
}

namespace {

Trace decode_all(TraceReader &reader) {
    Trace trace;
    trace.header = reader.header();
    reader.for_each([&](const Event &event) { trace.events.push_back(event); }, &trace.raw_bytes);
    trace.end = reader.end();
    trace.file_bytes = reader.file_bytes();
    trace.content_bytes = reader.content_bytes();
    trace.store_objects = reader.store_objects();
    trace.blocks = reader.blocks();
    trace.dropped_bytes = reader.dropped_bytes();
    return trace;
}

} // namespace

Trace read_trace(const std::filesystem::path &path) {
    TraceReader reader(path);
    return decode_all(reader);
}

Trace parse_trace(std::vector<std::byte> bytes, const std::string &name) {
    TraceReader reader(std::move(bytes), name);
    return decode_all(reader);
}

uint32_t thread_of(const Event &event) {
    return std::visit(
        [](const auto &e) -> uint32_t {
            if constexpr (requires { e.thread; })
                return e.thread;
            else
                return kNoThread;
        },
        event);
}

std::string why_not_replayable(TraceReader &trace) {
    std::string reason;
    trace.for_each_in_forking_blocks([&](const Event &event) {
        const auto *call = std::get_if<CallEvent>(&event);
        if (!reason.empty() || !call || !forked_a_child(*call))
            return;
        std::filesystem::path child = child_trace_path(trace.name(), recorded_value(*call, 1));
        try {
            TraceReader child_trace(child);
            reason = why_not_replayable(child_trace);
        } catch (const TraceError &e) {
            reason = fmt::format("{}: the process forked at call {} has no trace to replay: {}",
                                 trace.name(), call->number, e.what());
        }
    });
    return reason;
}

bool forked_a_child(const CallEvent &call) {
    return call.slot == static_cast<uint16_t>(roles::Slot::process_fork) &&
           call.status == BSC_OK && recorded_value(call, 0) != BSC_NO_HANDLE;
}

std::filesystem::path child_trace_path(const std::filesystem::path &trace, uint64_t child) {
    return trace.string() + "." + std::to_string(child);
}

} // namespace bsc::replay
