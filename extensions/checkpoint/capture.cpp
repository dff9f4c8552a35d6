// SPDX-License-Identifier: MIT
// Writing the image of a frozen guest: every region with its pages, every handle with
// what re-opening it needs, every thread with its park point. The LibOS (or any guest)
// is just guest memory here.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/core.h>

#include "image_chain.h"
#include "image_writer.h"
#include "kind_hooks.h"
#include "operations.h"
#include "tracked_state.h"

namespace bsc::checkpoint {
namespace {

namespace snap = bsc::snapshot;

const bsc_downcalls &below() { return *tracked().below; }

snap::RegionRecord record_of(const Region &region) {
    snap::RegionRecord r;
    r.address = region.address;
    r.size = region.size;
    r.protection = region.protection;
    r.flags = region.flags;
    r.origin = region.origin;
    r.uri = region.uri;
    r.stream_offset = region.stream_offset;
    r.contents = region.origin == RegionOrigin::stream_shared ? snap::RegionContents::none
                                                              : snap::RegionContents::pages_in_image;
    r.share_id = region.share_id;
    return r;
}

snap::StdioTarget stdio_target(const std::string &uri) {
    if (uri == "dev:tty")
        return snap::StdioTarget::terminal;
    if (uri.starts_with("file:"))
        return snap::StdioTarget::file;
    if (uri.starts_with("pipe:"))
        return snap::StdioTarget::pipe;
    return snap::StdioTarget::other;
}

// The bytes waiting in a pipe's read end, read without taking them (stream_peek): the
// capture changes nothing, whichever process of a tree holds the write end.
bsc_status peek_pipe(bsc_handle read_end, std::vector<uint8_t> &bytes) {
    bsc_stream_attributes attributes{};
    if (bsc_status s = below().stream_attributes_query_by_handle(read_end, &attributes))
        return s;
    bytes.resize(attributes.size);
    uint64_t done = 0;
    if (bsc_status s = below().stream_peek(read_end, bytes.data(), bytes.size(), &done))
        return s;
    bytes.resize(done);
    return BSC_OK;
}

// An event's state, read without changing it (a wait consumes an auto-reset event, so
// that one is set again).
bool event_is_set(bsc_handle event, uint32_t flags) {
    bsc_wait_item item{event, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    bool set = below().objects_wait_any(&item, 1, 0, &ready) == BSC_OK && ready;
    if (set && !(flags & BSC_EVENT_MANUAL_RESET))
        below().event_set(event);
    return set;
}

// A pseudo-terminal's master or peer: opening the URI again would make another terminal
// (or find none), so an image cannot hold one.
bool is_pseudo_terminal(std::string_view uri) {
    return uri == "dev:ptmx" || uri == "file:/dev/ptmx" || uri.starts_with("file:/dev/pts/");
}

} // namespace

// Fails with a message for a handle an image cannot hold.
std::string KindHooks<snap::HandleRecord>::capture(std::vector<snap::HandleRecord> &out) {
    for (const auto &[number, entry] : tracked().handles.list()) {
        if (auto *uncaptured = std::get_if<UncapturedHandle>(&entry.object);
            uncaptured && uncaptured->uri.starts_with("mqueue:"))
            return fmt::format("handle {} ({}) is a POSIX message queue: the host's kernel "
                               "holds it, its messages and its notification, and an image "
                               "cannot", number, uncaptured->uri);
        if (auto *uncaptured = std::get_if<UncapturedHandle>(&entry.object);
            uncaptured && uncaptured->uri.starts_with("mount:"))
            return fmt::format("handle {} ({}) is a file-system context or a detached mount "
                               "(fsopen, fspick, open_tree, fsmount): the host's kernel holds "
                               "it, and an image cannot", number, uncaptured->uri);
        if (auto *uncaptured = std::get_if<UncapturedHandle>(&entry.object);
            uncaptured && uncaptured->uri == "userfault:")
            return fmt::format("handle {} ({}) is a userfaultfd: the host's kernel holds its "
                               "registered ranges, pending faults and queued events, and an "
                               "image cannot", number, uncaptured->uri);
        if (auto *uncaptured = std::get_if<UncapturedHandle>(&entry.object))
            return fmt::format("handle {} ({}) cannot be captured: it came in a message or is "
                               "of a kind an image cannot hold", number, uncaptured->uri);
        auto *tracked_record = std::get_if<snap::HandleRecord>(&entry.object);
        if (!tracked_record)
            continue; // of a kind of its own
        snap::HandleRecord r = *tracked_record;
        r.number = number;
        if (is_pseudo_terminal(r.uri))
            return fmt::format("handle {} ({}) is a pseudo-terminal: it cannot be captured",
                               number, r.uri);
        // Opening notify: again would give an instance without its watches and events.
        if (r.uri.starts_with("notify:"))
            return fmt::format("handle {} ({}) is a file-system notification instance "
                               "(inotify): its watches and queued events cannot be captured",
                               number, r.uri);
        if (r.uri.starts_with("fanotify:"))
            return fmt::format("handle {} ({}) is a fanotify group: the host's kernel holds its "
                               "marks, queued events and unanswered permission events, and an "
                               "image cannot", number, r.uri);
        bsc_object_info info{};
        char uri[4096];
        if (bsc_status s = below().object_query(entry.below, &info, uri, sizeof uri))
            return fmt::format("handle {}: object_query: {}", number, bsc_status_name(s));
        uint32_t lease = BSC_LOCK_UNLOCK;
        if (info.type == BSC_TYPE_FILE &&
            below().stream_control(entry.below, BSC_CONTROL_LEASE, &lease, sizeof lease) ==
                BSC_OK &&
            lease != BSC_LOCK_UNLOCK)
            return fmt::format("handle {} ({}) holds a lease: the host's kernel keeps it, and "
                               "an image cannot",
                               number, r.uri);
        if (r.kind == snap::HandleKind::file && info.type == BSC_TYPE_SOCKET)
            return fmt::format("handle {} ({}) is a socket opened by its URI: it cannot be "
                               "captured (a socket made by socket_create can)", number, r.uri);
        if (r.kind == snap::HandleKind::file && info.type == BSC_TYPE_DIRECTORY)
            r.kind = snap::HandleKind::directory;
        if (r.kind == snap::HandleKind::stdio) { // the host made it: it names it
            r.uri = uri;
            r.access = info.access;
            r.stdio_target = stdio_target(r.uri);
            r.target_path = r.uri.starts_with("file:") ? r.uri.substr(5) : std::string();
        }
        r.options = info.options;
        r.offset = info.position;
        bsc_stream_attributes attributes{};
        if ((info.type == BSC_TYPE_FILE || info.type == BSC_TYPE_DIRECTORY) &&
            below().stream_attributes_query_by_handle(entry.below, &attributes) == BSC_OK)
            r.identity = {.device = attributes.device, .inode = attributes.inode,
                          .size = attributes.size, .mtime_ns = attributes.modify_time,
                          .present = true};
        if (r.kind == snap::HandleKind::pipe_read)
            if (bsc_status s = peek_pipe(entry.below, r.buffered))
                return fmt::format("pipe handle {}: {}", number, bsc_status_name(s));
        out.push_back(std::move(r));
    }
    return {};
}

// Each process handle, with how a child that ended and was not waited for ended (a wait
// that leaves it to be reported again). A child the host no longer knows was reaped by a
// thread of this process that the freeze caught before it let the handle go (the LibOS
// reaps with a wait that does not block, and closes the handle after): it is `waited`.
std::string KindHooks<snap::ProcessRecord>::capture(std::vector<snap::ProcessRecord> &out) {
    for (const auto &[number, entry] : tracked().handles.list()) {
        auto *tracked_record = std::get_if<snap::ProcessRecord>(&entry.object);
        if (!tracked_record)
            continue;
        snap::ProcessRecord r = *tracked_record;
        r.handle = number;
        bool child = r.relation == snap::ProcessRelation::child;
        if (child && r.process_id == 0)
            return fmt::format("handle {} is a process started by process_create: it cannot "
                               "be captured", number);
        bsc_process_state state{};
        bsc_status status = child ? below().process_wait(entry.below,
                                                         BSC_PROCESS_WAIT_EXITED |
                                                             BSC_PROCESS_WAIT_NO_HANG |
                                                             BSC_PROCESS_WAIT_NO_REAP,
                                                         &state)
                                  : BSC_E_INVALID;
        if (status == BSC_OK && (state.kind == BSC_PROCESS_EXITED ||
                                 state.kind == BSC_PROCESS_KILLED ||
                                 state.kind == BSC_PROCESS_DUMPED))
            r.ended = true, r.end_kind = state.kind, r.end_code = state.code;
        r.waited = status == BSC_E_NOT_FOUND;
        out.push_back(r);
    }
    return {};
}

std::string KindHooks<snap::EventRecord>::capture(std::vector<snap::EventRecord> &out) {
    for (const auto &[number, entry] : tracked().handles.list())
        if (auto *event = std::get_if<snap::EventRecord>(&entry.object))
            out.push_back({.handle = number, .flags = event->flags,
                           .signaled = event_is_set(entry.below, event->flags)});
    return {};
}

std::string KindHooks<snap::ThreadRecord>::capture(std::vector<snap::ThreadRecord> &out) {
    for (const auto &thread : tracked().freezer.threads()) {
        snap::ThreadRecord r;
        r.handle = thread.handle;
        r.tcb_address = thread.tcb;
        r.park = thread.park;
        r.record_address = thread.record;
        r.argument = thread.argument;
        r.stack_top = thread.stack_top;
        r.clear_on_exit = thread.clear_on_exit;
        if (thread.park == ParkPoint::exception) {
            r.exception.resize(sizeof(bsc_exception));
            std::memcpy(r.exception.data(), reinterpret_cast<const void *>(thread.record),
                        sizeof(bsc_exception));
        }
        out.push_back(std::move(r));
    }
    return {};
}

namespace {

// Runs `read` with the region readable, restoring its protection after.
template <class Fn> bsc_status with_readable(const Region &region, Fn read) {
    bool unreadable = !(region.protection & BSC_PROT_READ);
    if (unreadable)
        if (bsc_status s = below().vm_protect(region.address, region.size,
                                               region.protection | BSC_PROT_READ))
            return s;
    read();
    return unreadable ? below().vm_protect(region.address, region.size, region.protection)
                      : BSC_OK;
}

// How much of a region can be read: a private file mapping's pages past the end of its
// file raise SIGBUS (a dynamic loader's reservation of a library's whole span has them).
// If the file cannot be asked, all of it.
uint64_t readable_size(const Region &region) {
    if (region.origin != RegionOrigin::stream_private)
        return region.size;
    bsc_stream_attributes now{};
    if (below().stream_attributes_query(region.uri.c_str(), 0, &now) != BSC_OK)
        return region.size;
    if (now.size <= region.stream_offset)
        return 0;
    uint64_t in_file = (now.size - region.stream_offset + snap::kPageSize - 1) / snap::kPageSize *
                       snap::kPageSize;
    return std::min(in_file, region.size);
}

// Adds region `index`'s pages; those past a mapped file's end are zeros in the image (a
// restored guest reads zeros there where it would have got SIGBUS). Only the pages written
// since the parent are read, where the host counts them. Returns the bytes it read.
uint64_t add_pages(snap::ImageWriter &writer, size_t index, const Region &region) {
    auto memory = std::span(reinterpret_cast<const std::byte *>(region.address), region.size);
    auto written = tracked().changed_pages.restart(
        region.address, region.size, [](uint64_t address, uint64_t size, uint8_t *bits, uint64_t bits_size) {
            return below().vm_written_query(address, size, BSC_WRITTEN_RESTART, bits, bits_size);
        });
    uint64_t readable = readable_size(region);
    if (!written) {
        writer.add_region_pages(index, memory, readable);
        return readable;
    }
    writer.add_region_pages(index, memory, readable, snap::WrittenPages{*written});
    uint64_t pages = 0;
    for (uint8_t byte : *written)
        pages += static_cast<uint64_t>(std::popcount(byte));
    return std::min(pages * snap::kPageSize, readable);
}

// The parent chain of the next capture, opened before the guest stopped: a chain of N
// images costs N page indexes to decode, which the guest need not wait for.
struct PreparedParent {
    std::string path;
    snap::ImageChain chain;
};
std::optional<PreparedParent> prepared_parent;

// Only the parent's page index is compared: its blocks are never read.
snap::ImageChain open_parent(const std::string &path) {
    return snap::ImageChain::open(path, {.threads = 0, .block_checks = snap::BlockChecks::as_read});
}

// The images the tree's other processes wrote, as the runtime lists them ("member"
// arguments, "PARENT PATH", PARENT 0 for this process or N for the Nth member, parents
// first), with their ids.
struct TreeImages {
    std::vector<snap::ImageWriter::Member> members;
    std::vector<snap::ImageMetadata> metadata;
};

TreeImages read_member_images(const Arguments &arguments, uint64_t own_id) {
    TreeImages tree;
    for (const auto &text : arguments.all("member")) {
        size_t space = text.find(' ');
        size_t parent = std::stoul(text.substr(0, space));
        std::string path = text.substr(space + 1);
        auto metadata = snap::read_image_metadata(path);
        uint64_t parent_id = parent == 0 ? own_id : tree.metadata.at(parent - 1).process_id;
        tree.members.push_back({path, metadata.process_id, parent_id});
        tree.metadata.push_back(std::move(metadata));
    }
    return tree;
}

// What makes a tree one an image can hold (README.md, "Trees of processes"): every child a
// process holds a handle to is in the tree as that process's child, or ended; no socket
// is shared by two processes, nor connected to a peer outside its process; the memory
// members share is the first process's too. "" or what is wrong.
std::string check_tree(const snap::ImageMetadata &first, const TreeImages &tree) {
    auto parent_of = [&](uint64_t id) -> std::optional<uint64_t> {
        for (const auto &member : tree.members)
            if (member.process_id == id)
                return member.parent_id;
        return std::nullopt;
    };
    std::map<uint64_t, uint64_t> socket_holders; // description -> process
    auto check_process = [&](const snap::ImageMetadata &process) -> std::string {
        for (const auto &child : process.processes)
            if (child.relation == snap::ProcessRelation::child && !child.ended &&
                !child.waited && parent_of(child.process_id) != process.process_id)
                return fmt::format("process {}'s child {} is not in the tree: it cannot be "
                                   "captured with it",
                                   process.process_id, child.process_id);
        if (tree.members.empty())
            return {};
        for (const auto &socket : process.sockets) {
            if (auto [at, added] = socket_holders.emplace(socket.description, process.process_id);
                !added && at->second != process.process_id)
                return fmt::format("socket {} of process {} is shared with process {}: an image "
                                   "cannot hold a socket two processes share yet",
                                   socket.number, process.process_id, at->second);
            if (socket.state == snap::SocketState::outside)
                return fmt::format("socket {} of process {} is connected outside the process "
                                   "(perhaps to another of the tree): in a tree, an image "
                                   "cannot hold that yet",
                                   socket.number, process.process_id);
        }
        for (const auto &region : process.regions)
            if (region.share_id &&
                std::ranges::none_of(first.regions, [&](const snap::RegionRecord &r) {
                    return r.share_id == region.share_id && r.address == region.address &&
                           r.size == region.size;
                }))
                return fmt::format("process {} shares the memory at {:#x} with another process "
                                   "but not with the first: an image cannot hold that yet",
                                   process.process_id, region.address);
        return {};
    };
    std::string problem = check_process(first);
    for (size_t i = 0; i < tree.metadata.size() && problem.empty(); i++)
        problem = check_process(tree.metadata[i]);
    return problem;
}

int64_t unix_ns_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

Outcome prepare_capture(const Arguments &arguments) {
    prepared_parent.reset();
    auto path = arguments.value("parent");
    if (!path || path->empty())
        return {BSC_OK, "nothing to prepare"};
    try {
        prepared_parent = PreparedParent{*path, open_parent(*path)};
        return {BSC_OK, "parent chain open"};
    } catch (const std::exception &e) {
        return {BSC_E_INVALID, e.what()};
    }
}

namespace {

// A file system some process of the guest's tree has mounted since the runtime started,
// "TYPE on POINT", or "" (the host's answer: stream_mount_added_query).
std::string mount_added() {
    char shown[512];
    uint64_t length = 0;
    if (below().stream_mount_added_query(shown, sizeof shown, &length) != BSC_OK)
        return "";
    return std::string(shown, length);
}

// The kinds of namespace the guest made or entered, named for a refusal: "uts, network".
std::string namespace_names(uint32_t kinds) {
    static constexpr std::pair<uint32_t, const char *> kNames[] = {
        {BSC_NAMESPACE_MOUNT, "mount"},   {BSC_NAMESPACE_UTS, "uts"},
        {BSC_NAMESPACE_IPC, "ipc"},       {BSC_NAMESPACE_NETWORK, "network"},
        {BSC_NAMESPACE_CGROUP, "cgroup"}, {BSC_NAMESPACE_TIME, "time"},
        {BSC_NAMESPACE_PID, "pid"},       {BSC_NAMESPACE_USER, "user"}};
    std::string names;
    for (const auto &[kind, name] : kNames)
        if (kinds & kind)
            names += (names.empty() ? "" : ", ") + std::string(name);
    return names;
}

} // namespace

Outcome capture(const Arguments &arguments, const Progress &progress) {
    auto image = arguments.value("image");
    if (!image || image->empty())
        return {BSC_E_INVALID, "capture needs image=PATH"};
    if (tracked().sysv_ipc_used)
        return {BSC_E_NOT_SUPPORTED,
                "the guest uses System V IPC (shared memory, semaphores or message queues): "
                "those objects live in the host's kernel, outside any image"};
    if (auto added = mount_added(); tracked().mounted || !added.empty())
        return {BSC_E_NOT_SUPPORTED,
                fmt::format("the guest has mounted or unmounted a file system (mount(2), "
                            "umount2(2){}): an image cannot hold its mounts",
                            added.empty() ? "" : ": " + added + " mounted")};
    if (uint32_t kinds = tracked().namespaces)
        return {BSC_E_NOT_SUPPORTED,
                fmt::format("the guest made or entered a namespace (unshare(2), setns(2), "
                            "clone's CLONE_NEW*: {}): namespaces are the host kernel's, "
                            "outside any image",
                            namespace_names(kinds))};
    if (tracked().devices_set_up)
        return {BSC_E_NOT_SUPPORTED, "the guest has set up a loop device (LOOP_SET_FD, "
                                     "LOOP_CONFIGURE, LOOP_CTL_ADD): an image cannot hold it"};
    snap::ImageMetadata meta;
    meta.abi_version = BSC_ABI_VERSION;
    meta.created_unix_ns = unix_ns_now();
    meta.extension_stack = arguments.all("stack");
    {
        std::lock_guard lock(tracked().program_mutex);
        meta.program.argv = tracked().program.empty() ? arguments.all("argv") : tracked().program;
    }
    meta.program.working_directory = arguments.value("cwd").value_or("");
    meta.guest_upcalls = std::stoull(arguments.value("guest-upcalls").value_or("0"));
    meta.entry_page_address = std::stoull(arguments.value("entry-page").value_or("0"));
    uint64_t host_id = 0;
    below().process_id_query(&host_id);
    meta.process_id = tracked().process_ids.above(host_id);
    // What the extensions gave for the image ("NAME=STATE", the runtime's image-state).
    for (const auto &state : arguments.all("state"))
        if (size_t equals = state.find('='); equals != std::string::npos)
            meta.extension_blobs[state.substr(0, equals)] =
                std::vector<uint8_t>(state.begin() + equals + 1, state.end());
    // A copy while the guest runs (pre-copy) holds the layout still and takes the memory
    // alone: the objects change under it, and its image is only a parent of a frozen one.
    bool running = arguments.flag("running");
    std::unique_lock<std::shared_mutex> layout;
    if (running)
        layout = std::unique_lock(tracked().layout_mutex);
    std::vector<Region> regions;
    {
        std::lock_guard lock(tracked().region_mutex);
        regions = tracked().regions.list();
    }
    for (const auto &region : regions)
        meta.regions.push_back(record_of(region));
    std::string problem;
    snap::for_each_kind(meta, [&](auto, auto &records) {
        using Record = typename std::remove_cvref_t<decltype(records)>::value_type;
        if (problem.empty() && !running)
            problem = KindHooks<Record>::capture(records);
    });
    if (!problem.empty())
        return {BSC_E_NOT_SUPPORTED, problem};
    try {
        // The first process of a tree checks it whole, with its members' images.
        auto tree = read_member_images(arguments, meta.process_id);
        if (auto wrong = arguments.flag("tree-member") ? "" : check_tree(meta, tree);
            !wrong.empty())
            return {BSC_E_NOT_SUPPORTED, wrong};
        std::optional<snap::ImageChain> parent;
        if (auto path = arguments.value("parent"); path && !path->empty())
            parent = prepared_parent && prepared_parent->path == *path
                         ? std::move(prepared_parent->chain)
                         : open_parent(*path);
        prepared_parent.reset();
        tracked().changed_pages.begin(parent ? std::optional(parent->top().metadata().image_id)
                                             : std::nullopt);
        snap::WriteOptions options;
        options.progress = [&](uint64_t done, uint64_t total) { progress(done, total); };
        for (size_t i = 0; i < regions.size(); i++)
            if (meta.regions[i].contents == snap::RegionContents::pages_in_image)
                options.total_bytes += regions[i].size;
        auto writer = snap::ImageWriter::create(*image, parent ? &*parent : nullptr, options);
        uint64_t read = 0; // bytes of guest memory read
        for (size_t i = 0; i < regions.size(); i++) {
            const Region &region = regions[i];
            if (meta.regions[i].contents != snap::RegionContents::pages_in_image)
                continue;
            // A running guest's unreadable region is not made readable under it: its
            // pages go in the frozen image.
            if (!region.ever_accessible || (running && !(region.protection & BSC_PROT_READ))) {
                writer.add_zero_region(i, region.address, region.size);
                continue;
            }
            if (bsc_status s = with_readable(region, [&] { read += add_pages(writer, i, region); }))
                return {s, fmt::format("cannot read the region at {:#x}", region.address)};
        }
        std::string objects = snap::object_counts(meta);
        tracked().changed_pages.committed(writer.commit(std::move(meta), tree.members));
        std::string others = tree.members.empty()
                                 ? ""
                                 : fmt::format(", and {} more processes of its tree",
                                               tree.members.size());
        constexpr double kMiB = 1048576.0;
        return {BSC_OK, fmt::format("wrote {} ({} regions, {}{}; {:.1f} MiB; read {:.1f} of "
                                    "{:.1f} MiB of memory)",
                                    *image, regions.size(), objects, others,
                                    std::filesystem::file_size(*image) / kMiB, read / kMiB,
                                    options.total_bytes / kMiB)};
    } catch (const std::exception &e) {
        return {BSC_E_IO, e.what()};
    }
}

} // namespace bsc::checkpoint
