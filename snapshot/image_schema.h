// SPDX-License-Identifier: MIT
// The schema of an image's metadata: every record a checkpoint keeps besides page contents,
// with its Cereal serialisation. The one place a field is added or changed; kSchemaVersion
// changes with it.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <cereal/cereal.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

namespace bsc::snapshot {

// Bumped whenever a record below gains, loses or reinterprets a field: a reader refuses
// metadata of another version rather than misreading it.
inline constexpr uint32_t kSchemaVersion = 4;

// Regions start and end on page boundaries; the page index has one entry per page.
inline constexpr uint64_t kPageSize = 4096;

// The names of an enum's values, in value order: what to_string prints and what a decoded
// value is checked against. Each enum below specialises it next to its declaration.
template <class Enum> struct EnumNames;

template <class Enum>
concept NamedEnum = requires { EnumNames<Enum>::names; };

template <NamedEnum Enum> constexpr bool is_known(Enum value) {
    return static_cast<size_t>(value) < EnumNames<Enum>::names.size();
}

template <NamedEnum Enum> constexpr std::string_view to_string(Enum value) {
    return is_known(value) ? EnumNames<Enum>::names[static_cast<size_t>(value)] : "unknown";
}

// A random 128-bit identity each image gets when written; a child names its parent by it,
// so a parent file replaced by another image is noticed.
struct ImageId {
    uint64_t high = 0, low = 0;
    bool operator==(const ImageId &) const = default;
};
std::string to_string(const ImageId &id); // 32 hex digits

struct ParentImage {
    std::string path; // relative to the child's directory, or absolute
    ImageId image_id;
    bool operator==(const ParentImage &) const = default;
};

// The guest program as the runtime described it at capture time.
struct ProgramRecord {
    std::vector<std::string> argv;
    std::string working_directory;
    bool operator==(const ProgramRecord &) const = default;
};

enum class RegionOrigin : uint32_t { anonymous, stream_private, stream_shared, host_entry_page };
template <> struct EnumNames<RegionOrigin> {
    static constexpr std::array<std::string_view, 4> names{"anonymous", "stream_private",
                                                           "stream_shared", "host_entry_page"};
};

// Where a region's contents come from at restore: its pages in the image, or nothing (a
// shared stream mapping keeps its contents in the stream; the entry page is re-created).
enum class RegionContents : uint32_t { pages_in_image, none };
template <> struct EnumNames<RegionContents> {
    static constexpr std::array<std::string_view, 2> names{"pages_in_image", "none"};
};

struct RegionRecord {
    uint64_t address = 0;
    uint64_t size = 0;       // a multiple of the page size
    uint32_t protection = 0; // BSC_PROT_*
    uint32_t flags = 0;      // BSC_MAP_*
    RegionOrigin origin = RegionOrigin::anonymous;
    std::string uri;            // the mapped stream, for stream origins
    uint64_t stream_offset = 0; // the stream offset mapped at `address`
    RegionContents contents = RegionContents::pages_in_image;
    // Since schema 3: an anonymous region mapped BSC_MAP_SHARED has an id of its own, which
    // the processes forked while it was mapped share: in the image of a tree of processes,
    // the regions with the same id are one memory. 0 for any other region.
    uint64_t share_id = 0;
    bool operator==(const RegionRecord &) const = default;
};

enum class HandleKind : uint32_t {
    file, directory, pipe_read, pipe_write, stdio, event, socket, other
};
template <> struct EnumNames<HandleKind> {
    static constexpr std::array<std::string_view, 8> names{
        "file", "directory", "pipe_read", "pipe_write", "stdio", "event", "socket", "other"};
};

enum class StdioTarget : uint32_t { terminal, file, pipe, other };
template <> struct EnumNames<StdioTarget> {
    static constexpr std::array<std::string_view, 4> names{"terminal", "file", "pipe", "other"};
};

// What identified a file at capture time, so a restore can tell that it changed since.
struct FileIdentity {
    uint64_t device = 0, inode = 0, size = 0;
    int64_t mtime_ns = 0;
    bool present = false; // false: nothing was recorded (not a file, or it was gone)
    bool operator==(const FileIdentity &) const = default;
};

struct HandleRecord {
    uint64_t number = 0; // the handle value the guest knows
    HandleKind kind = HandleKind::other;
    std::string uri{};
    uint32_t access = 0, mode = 0, create = 0, options = 0; // as stream_open got them
    uint64_t offset = 0;
    FileIdentity identity{};
    std::vector<uint8_t> buffered{}; // pipe bytes written but not yet read
    int32_t stdio_slot = -1;         // -1: not a standard stream
    StdioTarget stdio_target = StdioTarget::other;
    std::string target_path{};
    uint64_t partner = 0; // the other end of a pipe, by number; 0 if the guest closed it
    // Since schema 3: the open description the handle stands for, an id the processes
    // forked while it was open share (Linux's open file description: one offset, one pipe
    // end); and a pipe end's other end's, whether this process holds it or not.
    uint64_t description = 0, partner_description = 0;
    bool operator==(const HandleRecord &) const = default;
};

// Where a thread stopped for the capture. In the exception upcall: raised by the capture's
// interrupt in guest code or at the exit of the downcall it was in (the record and its
// XSAVE area are in guest memory, on the thread's exception stack); a restore raises that
// exception again. Before its thread_start upcall: a restore starts it anew. In
// thread_exit: a restore lets it exit.
enum class ParkPoint : uint32_t { exception, not_started, exiting };
template <> struct EnumNames<ParkPoint> {
    static constexpr std::array<std::string_view, 3> names{"exception", "not_started",
                                                           "exiting"};
};

struct ThreadRecord {
    uint64_t handle = 0;
    uint64_t tcb_address = 0;
    ParkPoint park = ParkPoint::exception;
    uint64_t record_address = 0; // exception: the bsc_exception in guest memory
    uint64_t argument = 0;       // not_started: the guest's thread_start argument
    uint64_t stack_top = 0;      // not_started: its stack
    uint64_t clear_on_exit = 0;  // the word set to 0 and woken when it exits, or 0
    std::vector<uint8_t> exception; // a copy of the bsc_exception, for inspect
    bool operator==(const ThreadRecord &) const = default;
};

struct EventRecord {
    uint64_t handle = 0;
    uint32_t flags = 0;
    bool signaled = false;
    bool operator==(const EventRecord &) const = default;
};

// Sockets (since schema 2). Domain and type hold the ABI's BSC_SOCKET_* values.
enum class SocketDomain : uint32_t { none, unix_local, inet, inet6 };
template <> struct EnumNames<SocketDomain> {
    static constexpr std::array<std::string_view, 4> names{"none", "unix", "inet", "inet6"};
};

enum class SocketType : uint32_t { none, stream, datagram, seqpacket };
template <> struct EnumNames<SocketType> {
    static constexpr std::array<std::string_view, 4> names{"none", "stream", "datagram",
                                                           "seqpacket"};
};

// What a socket was at capture time. `connected`: to its peer (for a stream, a socket of
// the guest: `partner`); `outside`: a stream connected to a peer outside the guest, which
// a restore cannot reach again.
enum class SocketState : uint32_t { created, bound, listening, connected, outside };
template <> struct EnumNames<SocketState> {
    static constexpr std::array<std::string_view, 5> names{"created", "bound", "listening",
                                                           "connected", "outside"};
};

// A socket address as the ABI's bsc_socket_address holds it.
struct SocketAddressRecord {
    SocketDomain domain = SocketDomain::none; // none: no address
    uint32_t port = 0;                        // inet, inet6
    std::vector<uint8_t> ip;                  // inet: 4 bytes, inet6: 16, network order
    uint32_t flow_info = 0, scope_id = 0;     // inet6
    std::string name; // unix: a path, or a NUL and an abstract name; empty: unnamed
    bool operator==(const SocketAddressRecord &) const = default;
};
// "127.0.0.1:8000", "[::1]:8000%2", "/run/x.sock", "@abstract" (bytes other than
// printable ASCII as \xNN), "unnamed"; "" for no address.
std::string to_string(const SocketAddressRecord &address);
// The domain is known, the ip has its domain's length, a name at most 108 bytes.
bool is_well_formed(const SocketAddressRecord &address);

struct SocketRecord {
    uint64_t number = 0; // the handle value the guest knows
    SocketDomain domain = SocketDomain::none;
    SocketType type = SocketType::none;
    SocketState state = SocketState::created;
    uint32_t options = 0; // BSC_OPTION_* of the handle (NONBLOCK)
    SocketAddressRecord local{}, peer{};
    uint32_t backlog = 0;  // listening: as the guest asked
    uint32_t shutdown = 0; // BSC_SHUTDOWN_* the guest asked
    uint64_t partner = 0;  // connected stream: the other end, a socket of the guest
    std::vector<uint8_t> unread{}; // connected stream: bytes received, not yet read
    bool reuse_address = false, reuse_port = false, keep_alive = false, no_delay = false,
         v6_only = false;
    int64_t receive_timeout_ns = 0, send_timeout_ns = 0;
    int64_t linger = 0; // (on << 32) | seconds
    uint64_t description = 0; // since schema 3: as HandleRecord's
    bool operator==(const SocketRecord &) const = default;
};

// Since schema 3: a handle to another process of the guest. `child`: one this process
// forked (its parent in the host's tree, which waits for it); `opened`: one process_open
// gave it. A child that ended and was not yet waited for is kept with how it ended; since
// schema 4, one a thread of the process had waited for (reaped) and not yet let go of, its
// report in that thread's hands, is kept as `waited`.
enum class ProcessRelation : uint32_t { child, opened };
template <> struct EnumNames<ProcessRelation> {
    static constexpr std::array<std::string_view, 2> names{"child", "opened"};
};

struct ProcessRecord {
    uint64_t handle = 0;     // the handle value the guest knows
    uint64_t process_id = 0; // the process's id, as process_fork and process_open know it
    ProcessRelation relation = ProcessRelation::child;
    bool ended = false;      // a zombie: it ended, and was not waited for
    uint32_t end_kind = 0;   // ended: BSC_PROCESS_EXITED, _KILLED or _DUMPED
    int32_t end_code = 0;    // ended: its exit status or signal
    bool waited = false;     // ended and reaped: the handle is all that is left of it
    bool operator==(const ProcessRecord &) const = default;
};

// Since schema 3: another process of a guest tree, in the image of the tree's first
// process, whose image this file embeds (section member_images) at `image_offset`.
struct TreeMemberRecord {
    uint64_t process_id = 0;
    uint64_t parent_id = 0; // its parent in the host's tree: the first process or a member
    uint64_t image_offset = 0, image_size = 0;
    bool operator==(const TreeMemberRecord &) const = default;
};

struct ImageMetadata {
    uint32_t schema_version = kSchemaVersion;
    ImageId image_id;
    std::optional<ParentImage> parent; // set for an incremental image
    uint64_t created_unix_ns = 0;
    uint32_t abi_version = 0;                 // BSC_ABI_VERSION of the captured guest
    std::vector<std::string> extension_stack; // the --ext specs, top first
    ProgramRecord program;
    uint64_t entry_page_address = 0;
    uint64_t guest_upcalls = 0; // where the guest image's bsc_upcalls table is
    std::vector<RegionRecord> regions; // the page index has one entry per region, in order
    std::vector<HandleRecord> handles;
    std::vector<ThreadRecord> threads;
    std::vector<EventRecord> events;
    std::vector<SocketRecord> sockets;
    std::vector<ProcessRecord> processes;
    std::map<std::string, std::vector<uint8_t>> extension_blobs; // small state, by extension
    // Since schema 3: the captured process's id, and (in a tree's first process only) the
    // other processes of the tree, parents before their children.
    uint64_t process_id = 0;
    std::vector<TreeMemberRecord> tree_members;
    bool operator==(const ImageMetadata &) const = default;
};

// Checks what the types alone do not: every enum holds one of its values, regions are
// whole pages and do not overlap, no two handles share a number. Throws ImageError naming
// `name`.
void check_metadata(const ImageMetadata &metadata, const std::string &name);

template <class Archive> void serialize(Archive &archive, ImageId &id) {
    archive(id.high, id.low);
}

template <class Archive> void serialize(Archive &archive, ParentImage &parent) {
    archive(parent.path, parent.image_id);
}

template <class Archive> void serialize(Archive &archive, ProgramRecord &program) {
    archive(program.argv, program.working_directory);
}

template <class Archive> void serialize(Archive &archive, SocketAddressRecord &address) {
    archive(address.domain, address.port, address.ip, address.flow_info, address.scope_id,
            address.name);
}

template <class Archive> void serialize(Archive &archive, RegionRecord &region) {
    archive(region.address, region.size, region.protection, region.flags, region.origin,
            region.uri, region.stream_offset, region.contents, region.share_id);
}

template <class Archive> void serialize(Archive &archive, TreeMemberRecord &member) {
    archive(member.process_id, member.parent_id, member.image_offset, member.image_size);
}

// The fields of each kind of object an image holds (object_kinds.h), named, in their order
// in the image: serialize() writes them in this order, check_metadata checks their enums,
// and bascule-snap shows and compares them by these names. `visit(name, value, shown)`.
enum class Shown { decimal, hex };

template <class Record, class Visit>
    requires std::same_as<std::remove_const_t<Record>, HandleRecord>
void visit_fields(Record &handle, Visit &&visit) {
    visit("number", handle.number, Shown::decimal);
    visit("kind", handle.kind, Shown::decimal);
    visit("uri", handle.uri, Shown::decimal);
    visit("access", handle.access, Shown::hex);
    visit("mode", handle.mode, Shown::hex);
    visit("create", handle.create, Shown::decimal);
    visit("options", handle.options, Shown::hex);
    visit("offset", handle.offset, Shown::decimal);
    visit("identity.device", handle.identity.device, Shown::decimal);
    visit("identity.inode", handle.identity.inode, Shown::decimal);
    visit("identity.size", handle.identity.size, Shown::decimal);
    visit("identity.mtime_ns", handle.identity.mtime_ns, Shown::decimal);
    visit("identity.present", handle.identity.present, Shown::decimal);
    visit("buffered", handle.buffered, Shown::decimal);
    visit("stdio_slot", handle.stdio_slot, Shown::decimal);
    visit("stdio_target", handle.stdio_target, Shown::decimal);
    visit("target_path", handle.target_path, Shown::decimal);
    visit("partner", handle.partner, Shown::decimal);
    visit("description", handle.description, Shown::hex);
    visit("partner_description", handle.partner_description, Shown::hex);
}

template <class Record, class Visit>
    requires std::same_as<std::remove_const_t<Record>, ProcessRecord>
void visit_fields(Record &process, Visit &&visit) {
    visit("handle", process.handle, Shown::decimal);
    visit("process_id", process.process_id, Shown::decimal);
    visit("relation", process.relation, Shown::decimal);
    visit("ended", process.ended, Shown::decimal);
    visit("end_kind", process.end_kind, Shown::decimal);
    visit("end_code", process.end_code, Shown::decimal);
    visit("waited", process.waited, Shown::decimal);
}

template <class Record, class Visit>
    requires std::same_as<std::remove_const_t<Record>, ThreadRecord>
void visit_fields(Record &thread, Visit &&visit) {
    visit("handle", thread.handle, Shown::decimal);
    visit("tcb_address", thread.tcb_address, Shown::hex);
    visit("park", thread.park, Shown::decimal);
    visit("record_address", thread.record_address, Shown::hex);
    visit("argument", thread.argument, Shown::hex);
    visit("stack_top", thread.stack_top, Shown::hex);
    visit("clear_on_exit", thread.clear_on_exit, Shown::hex);
    visit("exception", thread.exception, Shown::decimal);
}

template <class Record, class Visit>
    requires std::same_as<std::remove_const_t<Record>, EventRecord>
void visit_fields(Record &event, Visit &&visit) {
    visit("handle", event.handle, Shown::decimal);
    visit("flags", event.flags, Shown::hex);
    visit("signaled", event.signaled, Shown::decimal);
}

template <class Record, class Visit>
    requires std::same_as<std::remove_const_t<Record>, SocketRecord>
void visit_fields(Record &socket, Visit &&visit) {
    visit("number", socket.number, Shown::decimal);
    visit("domain", socket.domain, Shown::decimal);
    visit("type", socket.type, Shown::decimal);
    visit("state", socket.state, Shown::decimal);
    visit("options", socket.options, Shown::hex);
    visit("local", socket.local, Shown::decimal);
    visit("peer", socket.peer, Shown::decimal);
    visit("backlog", socket.backlog, Shown::decimal);
    visit("shutdown", socket.shutdown, Shown::decimal);
    visit("partner", socket.partner, Shown::decimal);
    visit("unread", socket.unread, Shown::decimal);
    visit("reuse_address", socket.reuse_address, Shown::decimal);
    visit("reuse_port", socket.reuse_port, Shown::decimal);
    visit("keep_alive", socket.keep_alive, Shown::decimal);
    visit("no_delay", socket.no_delay, Shown::decimal);
    visit("v6_only", socket.v6_only, Shown::decimal);
    visit("receive_timeout_ns", socket.receive_timeout_ns, Shown::decimal);
    visit("send_timeout_ns", socket.send_timeout_ns, Shown::decimal);
    visit("linger", socket.linger, Shown::hex);
    visit("description", socket.description, Shown::hex);
}

// Any record with visit_fields above.
struct IgnoreField {
    template <class Value> void operator()(const char *, Value &, Shown) const {}
};
template <class Record>
concept FieldRecord = requires(Record &record) { visit_fields(record, IgnoreField{}); };

template <class Archive, FieldRecord Record> void serialize(Archive &archive, Record &record) {
    visit_fields(record, [&](const char *, auto &value, Shown) { archive(value); });
}

template <class Archive> void serialize(Archive &archive, ImageMetadata &metadata) {
    archive(metadata.schema_version, metadata.image_id, metadata.parent,
            metadata.created_unix_ns, metadata.abi_version, metadata.extension_stack,
            metadata.program, metadata.entry_page_address, metadata.guest_upcalls,
            metadata.regions, metadata.handles,
            metadata.threads, metadata.events, metadata.sockets, metadata.processes,
            metadata.extension_blobs, metadata.process_id, metadata.tree_members);
}

} // namespace bsc::snapshot
