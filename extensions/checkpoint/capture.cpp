// SPDX-License-Identifier: MIT
// Writing the image of a frozen guest: every region with its pages, every handle with
// what re-opening it needs, every thread with its park point. The LibOS (or any guest)
// is just guest memory here.
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

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

// Takes the bytes waiting in a pipe's read end and puts them back where the guest will
// find them: through its write end if it holds one, else in a fresh pipe that the read
// end's number stands for from now on.
bsc_status drain_pipe(bsc_handle number, const HandleEntry &entry, std::vector<uint8_t> &bytes) {
    bsc_stream_attributes attributes{};
    if (bsc_status s = below().stream_attributes_query_by_handle(entry.below, &attributes))
        return s;
    bytes.resize(attributes.size);
    uint64_t done = 0;
    while (done < bytes.size()) {
        uint64_t n = 0;
        if (bsc_status s = below().stream_read(entry.below, BSC_AT_POSITION, bytes.data() + done,
                                               bytes.size() - done, &n))
            return s;
        if (n == 0)
            break;
        done += n;
    }
    bytes.resize(done);
    if (bytes.empty())
        return BSC_OK;
    bsc_handle writer = entry.partner ? tracked().handles.below(entry.partner) : BSC_NO_HANDLE;
    bsc_handle fresh[2] = {BSC_NO_HANDLE, BSC_NO_HANDLE};
    if (!writer) {
        if (bsc_status s = below().stream_open_pair("pipe:", entry.options, fresh))
            return s;
        writer = fresh[1];
    }
    for (uint64_t put = 0; put < bytes.size();) {
        uint64_t n = 0;
        if (bsc_status s = below().stream_write(writer, BSC_AT_POSITION, bytes.data() + put,
                                                bytes.size() - put, &n))
            return s;
        put += n;
    }
    if (fresh[0]) {
        below().object_close(fresh[1]);
        below().object_close(entry.below);
        tracked().handles.replace_below(number, fresh[0]);
    }
    return BSC_OK;
}

// An event's state, read without changing it (a wait consumes an auto-reset event, so
// that one is set again).
bool event_is_set(const HandleEntry &entry) {
    bsc_wait_item item{entry.below, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    bool set = below().objects_wait_any(&item, 1, 0, &ready) == BSC_OK && ready;
    if (set && !(entry.event_flags & BSC_EVENT_MANUAL_RESET))
        below().event_set(entry.below);
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
        if (entry.kind == HandleKind::thread || entry.kind == HandleKind::event ||
            entry.kind == HandleKind::socket)
            continue; // kinds of their own
        if (entry.kind == HandleKind::other && entry.uri == "process:")
            return fmt::format("handle {} is a child process: a guest with children (a tree "
                               "of processes) cannot be captured yet",
                               number);
        if (entry.kind == HandleKind::other)
            return fmt::format("handle {} ({}) cannot be captured: it came in a message or is "
                               "of a kind an image cannot hold", number, entry.uri);
        if (is_pseudo_terminal(entry.uri))
            return fmt::format("handle {} ({}) is a pseudo-terminal: it cannot be captured",
                               number, entry.uri);
        bsc_object_info info{};
        char uri[4096];
        if (bsc_status s = below().object_query(entry.below, &info, uri, sizeof uri))
            return fmt::format("handle {}: object_query: {}", number, bsc_status_name(s));
        if (info.type == BSC_TYPE_SOCKET && entry.kind == HandleKind::stream)
            return fmt::format("handle {} ({}) is a socket opened by its URI: it cannot be "
                               "captured (a socket made by socket_create can)", number, entry.uri);
        snap::HandleRecord r;
        r.number = number;
        r.uri = entry.kind == HandleKind::stdio ? std::string(uri) : entry.uri;
        r.access = entry.kind == HandleKind::stdio ? info.access : entry.access;
        r.mode = entry.mode;
        r.create = entry.create;
        r.options = info.options;
        r.offset = info.position;
        r.kind = entry.kind == HandleKind::stdio        ? snap::HandleKind::stdio
                 : entry.kind == HandleKind::pipe_read  ? snap::HandleKind::pipe_read
                 : entry.kind == HandleKind::pipe_write ? snap::HandleKind::pipe_write
                 : info.type == BSC_TYPE_DIRECTORY      ? snap::HandleKind::directory
                                                        : snap::HandleKind::file;
        r.stdio_slot = entry.stdio_slot;
        if (r.kind == snap::HandleKind::stdio) {
            r.stdio_target = stdio_target(r.uri);
            r.target_path = r.uri.starts_with("file:") ? r.uri.substr(5) : std::string();
        }
        bsc_stream_attributes attributes{};
        if ((info.type == BSC_TYPE_FILE || info.type == BSC_TYPE_DIRECTORY) &&
            below().stream_attributes_query_by_handle(entry.below, &attributes) == BSC_OK)
            r.identity = {.device = attributes.device, .inode = attributes.inode,
                          .size = attributes.size, .mtime_ns = attributes.modify_time,
                          .present = true};
        if (entry.kind == HandleKind::pipe_read)
            if (bsc_status s = drain_pipe(number, entry, r.buffered))
                return fmt::format("pipe handle {}: {}", number, bsc_status_name(s));
        r.partner = entry.partner;
        out.push_back(std::move(r));
    }
    return {};
}

std::string KindHooks<snap::EventRecord>::capture(std::vector<snap::EventRecord> &out) {
    for (const auto &[number, entry] : tracked().handles.list())
        if (entry.kind == HandleKind::event)
            out.push_back({.handle = number, .flags = entry.event_flags,
                           .signaled = event_is_set(entry)});
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
// restored guest reads zeros there where it would have got SIGBUS).
void add_pages(snap::ImageWriter &writer, size_t index, const Region &region) {
    auto memory = std::span(reinterpret_cast<const std::byte *>(region.address), region.size);
    writer.add_region_pages(index, memory, readable_size(region));
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

Outcome capture(const Arguments &arguments, const Progress &progress) {
    auto image = arguments.value("image");
    if (!image || image->empty())
        return {BSC_E_INVALID, "capture needs image=PATH"};
    snap::ImageMetadata meta;
    meta.abi_version = BSC_ABI_VERSION;
    meta.created_unix_ns = unix_ns_now();
    meta.extension_stack = arguments.all("stack");
    meta.program.argv = arguments.all("argv");
    meta.program.working_directory = arguments.value("cwd").value_or("");
    meta.guest_upcalls = std::stoull(arguments.value("guest-upcalls").value_or("0"));
    meta.entry_page_address = std::stoull(arguments.value("entry-page").value_or("0"));
    // What the extensions gave for the image ("NAME=STATE", the runtime's image-state).
    for (const auto &state : arguments.all("state"))
        if (size_t equals = state.find('='); equals != std::string::npos)
            meta.extension_blobs[state.substr(0, equals)] =
                std::vector<uint8_t>(state.begin() + equals + 1, state.end());
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
        if (problem.empty())
            problem = KindHooks<Record>::capture(records);
    });
    if (!problem.empty())
        return {BSC_E_NOT_SUPPORTED, problem};
    try {
        std::optional<snap::ImageChain> parent;
        if (auto path = arguments.value("parent"); path && !path->empty())
            parent = prepared_parent && prepared_parent->path == *path
                         ? std::move(prepared_parent->chain)
                         : open_parent(*path);
        prepared_parent.reset();
        snap::WriteOptions options;
        options.progress = [&](uint64_t done, uint64_t total) { progress(done, total); };
        for (size_t i = 0; i < regions.size(); i++)
            if (meta.regions[i].contents == snap::RegionContents::pages_in_image)
                options.total_bytes += regions[i].size;
        auto writer = snap::ImageWriter::create(*image, parent ? &*parent : nullptr, options);
        for (size_t i = 0; i < regions.size(); i++) {
            const Region &region = regions[i];
            if (meta.regions[i].contents != snap::RegionContents::pages_in_image)
                continue;
            if (!region.ever_accessible) {
                writer.add_zero_region(i, region.address, region.size);
                continue;
            }
            if (bsc_status s = with_readable(region, [&] { add_pages(writer, i, region); }))
                return {s, fmt::format("cannot read the region at {:#x}", region.address)};
        }
        std::string objects = snap::object_counts(meta);
        writer.commit(std::move(meta));
        return {BSC_OK, fmt::format("wrote {} ({} regions, {}; {:.1f} MiB)", *image,
                                    regions.size(), objects,
                                    std::filesystem::file_size(*image) / 1048576.0)};
    } catch (const std::exception &e) {
        return {BSC_E_IO, e.what()};
    }
}

} // namespace bsc::checkpoint
