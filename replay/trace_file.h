// SPDX-License-Identifier: MIT
// The trace file (README.md): a header, then blocks of events, each block LZ4-compressed
// with an xxh3 checksum, appended and flushed whole so that a recording that was killed
// leaves a trace readable up to its last whole block.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "trace_events.h"

namespace bsc::replay {

// A trace that cannot be written or read, with the message to show.
class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Appends a trace. Events are kept in memory until a block is full or flush() is called;
// nothing reaches the file before the header.
class TraceWriter {
public:
    // Creates `path`, which must not exist, readable and writable by its owner only.
    // Throws TraceError.
    explicit TraceWriter(std::filesystem::path path);
    ~TraceWriter();
    TraceWriter(const TraceWriter &) = delete;
    TraceWriter &operator=(const TraceWriter &) = delete;

    // Writes the header and then whatever events came before it. Once only.
    void write_header(const TraceHeader &header);
    void add(Event event);
    // Writes the events held as one block (if there are any and the header is written).
    void flush();
    // In a forked child: stops using the file the parent goes on writing (the events
    // held are the parent's), without writing.
    void abandon();

    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    bool header_written_ = false;
    std::vector<Event> held_;
    size_t held_bytes_ = 0; // an estimate, to cut blocks at about kBlockBytes
    uint64_t first_held_ = 0; // the index of the first held event in the file
};

// How a trace ended.
enum class TraceEnd {
    complete, // its last event is the process's end
    cut,      // it stops after a whole block without an end: the recording was killed
};

// A whole trace, read and checked: every block's checksum and encoding. Throws
// TraceError for a file that is not a trace, another version, or a damaged block; a
// partial last block (cut while being written) is dropped and reported as `cut`.
struct Trace {
    TraceHeader header;
    std::vector<Event> events;
    TraceEnd end = TraceEnd::cut;
    uint64_t file_bytes = 0;
    uint64_t raw_bytes = 0; // the blocks' events before compression
    uint32_t blocks = 0;
    uint64_t dropped_bytes = 0; // of a partial last block
};
Trace read_trace(const std::filesystem::path &path);

// The same, from bytes in memory (the fuzz target); `name` is used in messages.
Trace parse_trace(const std::vector<std::byte> &bytes, const std::string &name);

// Why `trace` (of file `name`) cannot be replayed, or "": a process it forked has no
// whole trace of its own (TRACE.<child id>, checked down the tree).
std::string why_not_replayable(const Trace &trace, const std::string &name);

// The trace file of a process forked while recording to `trace`: TRACE.<host id>.
std::filesystem::path child_trace_path(const std::filesystem::path &trace, uint64_t child);

} // namespace bsc::replay
