// SPDX-License-Identifier: MIT
// Writing and reading the trace file; the layout is in README.md.
#include "trace_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "call_memory.h"
#include "call_roles.h"
#include "checksum.h"
#include "image_error.h"
#include "little_endian.h"
#include "portable_codec.h"
#include "section_compression.h"

namespace bsc::replay {
namespace {

using snapshot::get_le;
using snapshot::put_le;

constexpr char kMagic[8] = {'B', 'S', 'C', 'T', 'R', 'A', 'C', 'E'};
constexpr size_t kFileHeaderBytes = 24; // magic, version, header length, checksum
constexpr uint32_t kBlockMagic = 0x4b4c4254; // "TBLK"
constexpr size_t kBlockHeaderBytes = 32;     // magic, count, first, length, checksum
constexpr size_t kBlockBytes = 256 * 1024;   // events held before a block is written
constexpr uint64_t kMaxStoredBlock = 64ull << 20;

TraceError trace_error(const std::string &name, const std::string &what) {
    return TraceError(name + ": " + what);
}

std::span<const std::byte> as_bytes(const std::vector<std::byte> &v) { return {v.data(), v.size()}; }

void write_all(int fd, std::span<const std::byte> bytes, const std::filesystem::path &path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw trace_error(path.string(), fmt::format("cannot write: {}", std::strerror(errno)));
        bytes = bytes.subspan(static_cast<size_t>(n));
    }
}

// A rough size of an event once encoded, to cut blocks.
size_t estimate(const Event &event) {
    size_t bytes = 64;
    if (const auto *call = std::get_if<CallEvent>(&event))
        for (const auto &w : call->writes)
            bytes += 16 + w.bytes.size();
    return bytes;
}

} // namespace

TraceWriter::TraceWriter(std::filesystem::path path) : path_(std::move(path)) {
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

void TraceWriter::write_header(const TraceHeader &header) {
    auto body = snapshot::encode_record(header);
    std::vector<std::byte> head(kFileHeaderBytes);
    std::memcpy(head.data(), kMagic, sizeof kMagic);
    put_le<uint32_t>(head, 8, kTraceVersion);
    put_le<uint32_t>(head, 12, static_cast<uint32_t>(body.size()));
    put_le<uint64_t>(head, 16, snapshot::xxh3(as_bytes(body)));
    head.insert(head.end(), body.begin(), body.end());
    write_all(fd_, as_bytes(head), path_);
    header_written_ = true;
    flush();
}

void TraceWriter::add(Event event) {
    held_bytes_ += estimate(event);
    held_.push_back(std::move(event));
    if (header_written_ && held_bytes_ >= kBlockBytes)
        flush();
}

void TraceWriter::flush() {
    if (!header_written_ || held_.empty() || fd_ < 0)
        return;
    auto stored = snapshot::compress_section(as_bytes(snapshot::encode_record(held_)));
    std::vector<std::byte> block(kBlockHeaderBytes);
    put_le<uint32_t>(block, 0, kBlockMagic);
    put_le<uint32_t>(block, 4, static_cast<uint32_t>(held_.size()));
    put_le<uint64_t>(block, 8, first_held_);
    put_le<uint64_t>(block, 16, stored.size());
    put_le<uint64_t>(block, 24, snapshot::xxh3(as_bytes(stored)));
    block.insert(block.end(), stored.begin(), stored.end());
    write_all(fd_, as_bytes(block), path_); // one write: a block is whole or cut at its end
    first_held_ += held_.size();
    held_.clear();
    held_bytes_ = 0;
}

void TraceWriter::abandon() {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    held_.clear();
    held_bytes_ = 0;
}

Trace parse_trace(const std::vector<std::byte> &bytes, const std::string &name) {
    std::span<const std::byte> in(bytes.data(), bytes.size());
    if (in.size() < kFileHeaderBytes || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
        throw trace_error(name, "not a bascule trace (no BSCTRACE header)");
    uint32_t version = get_le<uint32_t>(in, 8);
    if (version != kTraceVersion)
        throw trace_error(name, fmt::format("trace format version {}; this bascule-replay reads "
                                            "version {}",
                                            version, kTraceVersion));
    uint32_t length = get_le<uint32_t>(in, 12);
    if (length > in.size() - kFileHeaderBytes)
        throw trace_error(name, "the header is cut short");
    auto body = in.subspan(kFileHeaderBytes, length);
    if (!snapshot::checksum_matches(get_le<uint64_t>(in, 16), snapshot::xxh3(body)))
        throw trace_error(name, "the header's checksum does not match: the file is damaged");
    Trace trace;
    trace.file_bytes = in.size();
    try {
        trace.header = snapshot::decode_record<TraceHeader>(body);
    } catch (const std::exception &e) {
        throw trace_error(name, fmt::format("the header cannot be decoded: {}", e.what()));
    }
    size_t at = kFileHeaderBytes + length;
    while (at < in.size()) {
        auto rest = in.subspan(at);
        if (rest.size() < kBlockHeaderBytes) {
            trace.dropped_bytes = rest.size();
            break;
        }
        uint64_t block_number = trace.blocks;
        if (get_le<uint32_t>(rest, 0) != kBlockMagic)
            throw trace_error(name, fmt::format("block {} at byte {}: no block header", block_number, at));
        uint32_t count = get_le<uint32_t>(rest, 4);
        uint64_t first = get_le<uint64_t>(rest, 8), stored_length = get_le<uint64_t>(rest, 16);
        if (first != trace.events.size() || stored_length > kMaxStoredBlock)
            throw trace_error(name, fmt::format("block {} at byte {}: a damaged block header",
                                                block_number, at));
        if (stored_length > rest.size() - kBlockHeaderBytes) {
            trace.dropped_bytes = rest.size(); // cut while it was being written
            break;
        }
        auto stored = rest.subspan(kBlockHeaderBytes, stored_length);
        if (!snapshot::checksum_matches(get_le<uint64_t>(rest, 24), snapshot::xxh3(stored)))
            throw trace_error(name, fmt::format("block {} at byte {}: its checksum does not match",
                                                block_number, at));
        try {
            auto raw = snapshot::decompress_section(stored, fmt::format("block {}", block_number));
            trace.raw_bytes += raw.size();
            auto events = snapshot::decode_record<std::vector<Event>>(as_bytes(raw));
            if (events.size() != count)
                throw TraceError(fmt::format("{} events where the header says {}", events.size(), count));
            std::move(events.begin(), events.end(), std::back_inserter(trace.events));
        } catch (const std::exception &e) {
            throw trace_error(name, fmt::format("block {} at byte {}: {}", block_number, at, e.what()));
        }
        trace.blocks++;
        at += kBlockHeaderBytes + stored_length;
    }
    bool ended = !trace.events.empty() && std::holds_alternative<EndEvent>(trace.events.back());
    trace.end = ended && trace.dropped_bytes == 0 ? TraceEnd::complete : TraceEnd::cut;
    return trace;
}

Trace read_trace(const std::filesystem::path &path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        throw trace_error(path.string(), fmt::format("cannot open: {}", std::strerror(errno)));
    std::vector<std::byte> bytes(static_cast<size_t>(file.tellg()));
    file.seekg(0);
    if (!file.read(reinterpret_cast<char *>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw trace_error(path.string(), fmt::format("cannot read: {}", std::strerror(errno)));
    return parse_trace(bytes, path.string());
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

std::string why_not_replayable(const Trace &trace, const std::string &name) {
    for (const auto &event : trace.events) {
        const auto *call = std::get_if<CallEvent>(&event);
        if (!call || call->slot != static_cast<uint16_t>(roles::Slot::process_fork) ||
            call->status != BSC_OK || recorded_value(*call, 0) == BSC_NO_HANDLE)
            continue;
        std::filesystem::path child = child_trace_path(name, recorded_value(*call, 1));
        try {
            if (auto reason = why_not_replayable(read_trace(child), child.string()); !reason.empty())
                return reason;
        } catch (const TraceError &e) {
            return fmt::format("{}: the process forked at call {} has no trace to replay: {}",
                               name, call->number, e.what());
        }
    }
    return "";
}

std::filesystem::path child_trace_path(const std::filesystem::path &trace, uint64_t child) {
    return trace.string() + "." + std::to_string(child);
}

} // namespace bsc::replay
