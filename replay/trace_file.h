// SPDX-License-Identifier: MIT
// The trace file (README.md): a header, then blocks of events, each block LZ4-compressed
// with an xxh3 checksum, appended and flushed whole so that a recording that was killed
// leaves a trace readable up to its last whole block; and between them the pages the
// guest mapped, stored once, page-aligned so that a replay maps them straight from a
// file: in the trace's content records, or in a content store shared by every trace of
// the machine (whose objects the trace's reference records name).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "trace_events.h"

namespace bsc::replay {

// A trace that cannot be written or read, with the message to show.
class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The xxh3-64 hash of each page of guest memory [address, address + length) (whole
// pages) up to its first page that cannot be read; `known(offset)` may give the hash of the
// page at that offset without reading it (a caller that hashed the same pages before).
std::vector<uint64_t> guest_page_hashes(
    uint64_t address, uint64_t length,
    const std::function<std::optional<uint64_t>(uint64_t offset)> &known = {});

// Bytes in pieces, laid end to end (content written with one writev).
using BytePieces = std::span<const std::span<const std::byte>>;

// Appends a trace. Events are kept in memory until a block is full or flush() is called;
// nothing reaches the file before the header.
//
// With a content store, the bytes a call reads from a stream past the stream's first
// kInlineStreamBytes (a file read whole, mostly) are kept out of line, as rr clones the
// blocks a program reads into its trace directory: the call keeps its write's place with no
// bytes, and its `content` names them. The bytes a stream gives between two blocks of events,
// or up to its close, become one object of the store (a file read whole is one object,
// stored once on the machine like a mapped library), or the trace's content record if the
// store cannot take it.
class TraceWriter {
public:
    // Creates `path`, which must not exist, readable and writable by its owner only; the
    // mapped content goes to the content store `store` (a directory), or into the trace
    // if there is none. Throws TraceError.
    explicit TraceWriter(std::filesystem::path path, std::filesystem::path store = {});
    ~TraceWriter();
    TraceWriter(const TraceWriter &) = delete;
    TraceWriter &operator=(const TraceWriter &) = delete;

    // Writes the header and then whatever events came before it. Once only.
    void write_header(const TraceHeader &header);
    void add(Event event);
    // Stores the mapped guest memory [address, address + length) (length whole pages)
    // up to its first page that cannot be read, and says where it is: at once, before
    // the event that names it, and only if the trace does not hold the same pages
    // already (ld.so maps a library whole, then its segments again from the same file).
    // With a content store, the pages go to the store's object of that content, written
    // only if the store has none (a program's libraries are stored once on a machine),
    // and the trace names the object; a store that cannot be written to is left out.
    // Nothing (length 0) if its first page cannot be read, or before the header is
    // written without a store (the file's layout is not known yet: the caller keeps the
    // bytes inline); a reference made before the header follows the header in the file.
    MappedContent add_content(uint64_t address, uint64_t length);
    // The same, given the pages' hashes (guest_page_hashes), one for each page to store.
    MappedContent add_content(uint64_t address, const std::vector<uint64_t> &page_hashes);
    // Writes the events held as one block (if there are any and the header is written),
    // after the content store objects of the stream bytes they hold out of line.
    void flush();
    // In a forked child: stops using the file the parent goes on writing (the events
    // held are the parent's), without writing.
    void abandon();

    const std::filesystem::path &path() const { return path_; }

private:
    void write_out(std::span<const std::span<const std::byte>> pieces);
    // Keeps the bytes of a call's read out of line, if it is one and its stream gave
    // enough (the class comment), and says how many; a close stores what its stream's
    // reads held.
    uint64_t hold_stream_bytes(CallEvent &call);
    struct StreamBytes;
    // Stores the bytes a stream's reads hold and points their calls at them.
    void store_stream_bytes(StreamBytes &stream);
    // Where the trace holds these pages (their hashes) already, if it does.
    std::optional<MappedContent> stored_pages(const std::vector<uint64_t> &hashes) const;
    void index_pages(const std::vector<uint64_t> &hashes, uint32_t object, uint64_t offset);
    // Where the trace keeps these pages: where it holds them already, else in a store
    // object, else (once the header is written) in a content record; else nowhere.
    MappedContent place_pages(BytePieces pages, const std::vector<uint64_t> &hashes);
    MappedContent add_content_record(BytePieces pages, const std::vector<uint64_t> &hashes);
    // The store's object of these pages (written if the store has none) and the trace's
    // reference to it; nothing if the store cannot take it.
    std::optional<MappedContent> add_store_reference(BytePieces pages,
                                                     const std::vector<uint64_t> &hashes);

    std::filesystem::path path_;
    std::filesystem::path store_;
    uint32_t objects_ = 0; // the reference records made
    std::vector<std::vector<std::byte>> early_references_; // made before the header
    int fd_ = -1;
    uint64_t file_bytes_ = 0; // written so far: where the next record starts
    bool header_written_ = false;
    std::vector<Event> held_;
    size_t held_bytes_ = 0;   // an estimate, to cut blocks at about kBlockBytes
    uint32_t held_flags_ = 0; // the block flags of the events held
    uint64_t first_held_ = 0; // the index of the first held event in the file
    // A block encoded and compressed, reused from block to block (fresh pages fault).
    std::vector<std::byte> encoded_, compressed_;
    // The pages stored so far, where each lies: (object, offset) -> its hash, and a page
    // hash -> the places of pages with that hash (xxh3-64 of the 4096 bytes).
    struct Place {
        uint32_t object; // 0: the trace file
        uint64_t offset;
        bool operator==(const Place &) const = default;
    };
    struct PlaceHash {
        size_t operator()(const Place &p) const { return p.offset ^ (uint64_t{p.object} << 48); }
    };
    std::unordered_multimap<uint64_t, Place> pages_by_hash_;
    std::unordered_map<Place, uint64_t, PlaceHash> hash_at_;
    // The streams read from (by handle), with the bytes held out of line that no object
    // holds yet; the calls that name them carry `pending` as their content's object.
    struct StreamBytes {
        uint64_t given = 0;   // by its reads since it was opened
        uint32_t pending = 0; // kPendingObject | a number, while it holds bytes
        uint64_t held = 0;    // the bytes its calls in held_ hold out of line
    };
    std::unordered_map<uint64_t, StreamBytes> streams_;
    uint32_t pending_objects_ = 0;
    uint64_t held_stream_bytes_ = 0;
};

// How a trace ended.
enum class TraceEnd {
    complete, // its last event is the process's end
    cut,      // it stops after a whole block without an end: the recording was killed
};

// A trace opened for reading. Everything is checked at once — the header, every block's
// and content record's place, length and checksum, every content store object it names
// (there, and whole, unless the store knows it whole: store_checks.h) — and nothing is
// decoded but the header: events are decoded a block
// at a time, as they are asked for. Throws TraceError for a file that is not a trace,
// another version, a damaged block or record, or a store object that is missing or
// changed; a partial last block or record (cut while being written) is left out and
// reported.
class TraceReader {
public:
    enum class Checks {
        everything,
        all_but_content, // the content's checksums were checked by another reader
    };
    explicit TraceReader(const std::filesystem::path &path,
                         Checks checks = Checks::everything); // the file, mapped
    TraceReader(std::vector<std::byte> bytes, std::string name); // bytes in memory (fuzz)

    const std::string &name() const { return name_; }
    const TraceHeader &header() const { return header_; }
    uint64_t size() const { return event_count_; } // the events of its whole blocks
    TraceEnd end() const { return end_; }
    uint64_t file_bytes() const { return bytes_.size(); }
    uint64_t dropped_bytes() const { return dropped_bytes_; }
    uint32_t blocks() const { return static_cast<uint32_t>(blocks_.size()); }
    uint64_t content_bytes() const; // in content records
    // The content store's objects the trace names, in order (MappedContent.object 1 is
    // the first).
    struct StoreObject {
        std::string path;
        uint64_t length = 0;
        uint64_t checksum = 0;
        uint64_t named_at = 0; // the offset of the trace's reference to it, for messages
    };
    const std::vector<StoreObject> &store_objects() const { return objects_; }
    // The bytes a call's content names, in the trace or its store object (mapped as
    // needed).
    std::span<const std::byte> content(const MappedContent &content);

    // Event `index` (< size()); its block stays decoded while anyone holds one of its
    // events, or until another block is asked for. Throws TraceError if the block does
    // not decode, or names content the trace does not hold. Any thread may ask (a replay's
    // threads look at the next event as they wait for their turn).
    std::shared_ptr<const Event> at(uint64_t index);
    // Every event, decoded block by block, and the bytes of the blocks decoded.
    template <class Visit> void for_each(Visit &&visit, uint64_t *raw_bytes = nullptr) {
        for (size_t b = 0; b < blocks_.size(); b++)
            for (const auto &event : *decode(b, raw_bytes))
                visit(event);
    }
    // The events of the blocks that hold a fork's return in the parent.
    template <class Visit> void for_each_in_forking_blocks(Visit &&visit) {
        for (size_t b = 0; b < blocks_.size(); b++)
            if (blocks_[b].forks)
                for (const auto &event : *decode(b, nullptr))
                    visit(event);
    }

private:
    struct Block {
        uint64_t first = 0; // the index of its first event
        uint32_t count = 0;
        bool forks = false;
        std::span<const std::byte> stored;
        uint64_t at = 0; // its offset in the file
    };
    using Decoded = std::vector<Event>;

    void check(Checks checks);
    // Every content record's and store object's checksum (an object the store knows
    // whole is not read again: store_checks.h).
    void check_content() const;
    void check_object(const StoreObject &object) const; // there, whole and unchanged
    std::shared_ptr<const Decoded> decode(size_t block, uint64_t *raw_bytes);
    bool holds_content(const MappedContent &content) const;

    std::string name_;
    std::shared_ptr<const void> owner_; // the mapping or the vector `bytes_` lies in
    std::span<const std::byte> bytes_;
    TraceHeader header_;
    std::vector<Block> blocks_;
    struct ContentRecord {
        uint64_t length;
        uint64_t checksum;
        uint64_t at; // the record's offset in the file, for messages
    };
    std::map<uint64_t, ContentRecord> contents_; // content records, by their data's offset
    std::vector<StoreObject> objects_;
    std::vector<std::shared_ptr<const void>> object_maps_; // as content() maps them
    uint64_t event_count_ = 0;
    uint64_t dropped_bytes_ = 0;
    TraceEnd end_ = TraceEnd::cut;
    std::mutex decoded_mutex_; // for the three below
    size_t decoded_block_ = SIZE_MAX;
    std::shared_ptr<const Decoded> decoded_;
    std::vector<std::byte> raw_block_; // a block decompressed, reused (fresh pages fault)
};

// A whole trace, read, checked and decoded (dump, stats, verify, tests).
struct Trace {
    TraceHeader header;
    std::vector<Event> events;
    TraceEnd end = TraceEnd::cut;
    uint64_t file_bytes = 0;
    uint64_t raw_bytes = 0; // the blocks' events before compression
    uint64_t content_bytes = 0; // the mapped pages, in content records
    std::vector<TraceReader::StoreObject> store_objects; // and in the content store's objects
    uint32_t blocks = 0;
    uint64_t dropped_bytes = 0; // of a partial last block or record
};
Trace read_trace(const std::filesystem::path &path);

// The same, from bytes in memory (the fuzz target); `name` is used in messages.
Trace parse_trace(std::vector<std::byte> bytes, const std::string &name);

// Why `trace` cannot be replayed, or "": a process it forked has no whole trace of its
// own (TRACE.<child id>, checked down the tree).
std::string why_not_replayable(TraceReader &trace);

// Whether the call is a process_fork that made a child (which has a trace of its own).
bool forked_a_child(const CallEvent &call);

// The trace file of a process forked while recording to `trace`: TRACE.<host id>.
std::filesystem::path child_trace_path(const std::filesystem::path &trace, uint64_t child);

} // namespace bsc::replay
