// SPDX-License-Identifier: MIT
// Rebuilding a guest in a fresh process from an image: every region at its old address
// with its pages, every handle under its old number, then (resume) every thread at its
// park point. All of it through the table below, so the layers below see a guest that
// simply allocates, opens and starts.
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include <fmt/core.h>

#include "image_chain.h"
#include "kind_hooks.h"
#include "lazy_fill.h"
#include "operations.h"
#include "restore_steps.h"
#include "tree_restore.h"
#include "tracked_state.h"

namespace bsc::checkpoint {

void check(bsc_status status, const std::string &what) {
    if (status != BSC_OK)
        throw RestoreFailure{status, fmt::format("{}: {}", what, bsc_status_name(status))};
}

bsc_handle handle_number(uint64_t number) {
    if (number > UINT32_MAX)
        throw RestoreFailure{BSC_E_INVALID, fmt::format("handle number {} is out of range", number)};
    return static_cast<bsc_handle>(number);
}

void write_all(bsc_handle handle, const std::vector<uint8_t> &bytes, const std::string &what) {
    for (uint64_t put = 0; put < bytes.size();) {
        uint64_t n = 0;
        check(tracked().below->stream_write(handle, BSC_AT_POSITION, bytes.data() + put,
                                            bytes.size() - put, &n),
              what);
        put += n;
    }
}

namespace {

namespace snap = bsc::snapshot;

const bsc_downcalls &below() { return *tracked().below; }

// The shared memory being restored: the host fills only private memory, so its pages are
// copied in.
std::vector<std::span<std::byte>> copied_regions;

bool is_copied(const std::byte *target) {
    return std::ranges::any_of(copied_regions, [&](auto region) {
        return target >= region.data() && target < region.data() + region.size();
    });
}

// Installs restored pages in a region being filled; several threads at once.
void fill(std::byte *target, std::span<const std::byte> pages) {
    auto address = reinterpret_cast<uint64_t>(target);
    check(below().vm_fill(address, pages.data(), pages.size()),
          fmt::format("cannot fill the pages at {:#x}+{:#x}", address, pages.size()));
}

// The chain's page writer: shared memory copied, the rest filled by the host.
snap::PageWriter page_writer(bool lazy) {
    return [lazy](std::byte *target, std::span<const std::byte> pages) {
        if (is_copied(target))
            std::memcpy(target, pages.data(), pages.size());
        else if (lazy)
            fill_lazily(target, pages);
        else
            fill(target, pages);
    };
}

std::string describe(const snap::RegionRecord &r) {
    return fmt::format("region {:#x}+{:#x}", r.address, r.size);
}

// A shared mapping comes back from its stream at its old address.
void map_region(const snap::RegionRecord &r) {
    bsc_handle stream;
    uint32_t access = r.protection & BSC_PROT_WRITE ? BSC_ACCESS_RDWR : BSC_ACCESS_READ;
    check(below().stream_open(r.uri.c_str(), access, 0, BSC_CREATE_NEVER, 0, &stream),
          describe(r) + ": cannot open " + r.uri);
    uint64_t address = r.address;
    bsc_status status = below().stream_map(stream, &address, r.stream_offset, r.size,
                                           r.protection, r.flags | BSC_MAP_FIXED_NOREPLACE);
    below().object_close(stream);
    check(status, describe(r) + ": cannot map " + r.uri);
}

// Every other region is fresh memory at its old address, which the threads decompressing
// the blocks fill with vm_fill: it puts each page in place without zeroing it first
// (abi/README.md), and what they do not fill reads as zeros. Shared memory is shared
// again, and copied into.
std::span<std::byte> allocate_region(const snap::RegionRecord &r) {
    uint64_t address = r.address;
    uint32_t flags = (r.flags & BSC_MAP_NORESERVE) | BSC_MAP_FIXED_NOREPLACE |
                     (r.share_id ? BSC_MAP_SHARED : BSC_MAP_FILL);
    check(below().vm_alloc(&address, r.size, BSC_PROT_READ | BSC_PROT_WRITE, flags),
          describe(r) + ": cannot allocate");
    std::span memory(reinterpret_cast<std::byte *>(address), r.size);
    if (r.share_id)
        copied_regions.push_back(memory);
    return memory;
}

bool in_set(const snap::RegionRecord &r, RegionSet which) {
    return which == RegionSet::all || (which == RegionSet::shared) == (r.share_id != 0);
}

void protect(const snap::RegionRecord &r) {
    if (r.protection != (BSC_PROT_READ | BSC_PROT_WRITE))
        check(below().vm_protect(r.address, r.size, r.protection), describe(r) + ": cannot protect");
}

void track_region(const snap::ImageChain &image, size_t index, const snap::RegionRecord &r) {
    // A region with no page but zeros that is inaccessible now may never have been
    // accessible: the next capture need not read it either.
    auto stats = image.top().region_stats(index);
    bool accessible = r.protection != BSC_PROT_NONE || stats.stored_pages || stats.parent_pages;
    std::lock_guard lock(tracked().region_mutex);
    tracked().regions.insert({.address = r.address, .size = r.size, .protection = r.protection,
                              .flags = r.flags, .origin = r.origin, .uri = r.uri,
                              .stream_offset = r.stream_offset, .ever_accessible = accessible,
                              .share_id = r.share_id});
}

} // namespace

std::vector<snap::ImageChain::RegionTarget> place_regions(const snap::ImageChain &image,
                                                          RegionSet which) {
    const auto &regions = image.top().metadata().regions;
    std::vector<snap::ImageChain::RegionTarget> targets;
    for (size_t i = 0; i < regions.size(); i++) {
        if (!in_set(regions[i], which))
            continue;
        if (regions[i].contents == snap::RegionContents::none)
            map_region(regions[i]);
        else
            targets.push_back({i, allocate_region(regions[i])});
    }
    return targets;
}

// The pages of every region in one pass over the image: a pass per region would read the
// image in as many pieces and start its threads as often.
void fill_regions(const snap::ImageChain &image, std::span<const snap::ImageChain::RegionTarget> targets,
                  const Progress &progress) {
    image.read_regions(targets, snap::ImageChain::Destination::zeroed,
                       [&](uint64_t done, uint64_t total) { progress(done, total); });
    for (const auto &target : targets) {
        const auto &r = image.top().metadata().regions[target.region_index];
        if (!r.share_id)
            check(below().vm_fill_end(r.address, r.size), describe(r) + ": cannot end its filling");
    }
}

void protect_regions(const snap::ImageMetadata &meta, RegionSet which) {
    for (const auto &r : meta.regions)
        if (r.contents != snap::RegionContents::none && in_set(r, which))
            protect(r);
}

void free_shared_region(const snap::RegionRecord &r) {
    check(below().vm_free(r.address, r.size), describe(r) + ": cannot free");
    std::erase_if(copied_regions, [&](auto region) {
        return reinterpret_cast<uint64_t>(region.data()) == r.address;
    });
}

void track_regions(const snap::ImageChain &image) {
    const auto &regions = image.top().metadata().regions;
    for (size_t i = 0; i < regions.size(); i++)
        track_region(image, i, regions[i]);
}

namespace {

// A file must be the one the image saw, unless the user allows a changed one.
void check_identity(const snap::HandleRecord &r, bool allow_changed) {
    if (!r.identity.present || allow_changed)
        return;
    bsc_stream_attributes now{};
    bsc_status status = below().stream_attributes_query(r.uri.c_str(), 0, &now);
    if (status == BSC_E_NOT_FOUND)
        throw RestoreFailure{status, fmt::format("{} is gone (handle {})", r.uri, r.number)};
    check(status, r.uri);
    const auto &was = r.identity;
    if (now.inode != was.inode || now.device != was.device || now.size != was.size ||
        now.modify_time != was.mtime_ns)
        throw RestoreFailure{BSC_E_BUSY,
                      fmt::format("{} changed since the capture (size {} -> {}; use "
                                  "--allow-changed-files to restore anyway)",
                                  r.uri, was.size, now.size)};
}

// Opens a recorded file or directory again at its position: never creating or truncating.
bsc_handle reopen(const snap::HandleRecord &r, bool allow_changed) {
    check_identity(r, allow_changed);
    bsc_handle handle;
    check(below().stream_open(r.uri.c_str(), r.access, r.mode, BSC_CREATE_NEVER,
                              r.options & ~uint32_t{BSC_OPTION_TRUNCATE}, &handle),
          fmt::format("cannot open {} again (handle {})", r.uri, r.number));
    uint64_t position = 0;
    if (r.offset)
        check(below().stream_seek(handle, static_cast<int64_t>(r.offset), BSC_SEEK_SET, &position),
              fmt::format("cannot seek {} to {}", r.uri, r.offset));
    return handle;
}

// Stdio comes back as recorded: a file is the same file at its offset; a terminal, a
// pipe or anything else is the restoring process's own descriptor of that slot.
bsc_handle stdio_again(const snap::HandleRecord &r, const RestoreRequest &request) {
    if (r.stdio_target == snap::StdioTarget::file)
        return reopen(r, request.allow_changed_files);
    if (r.stdio_slot >= 0 && static_cast<size_t>(r.stdio_slot) < request.stdio.size())
        return request.stdio[r.stdio_slot];
    return BSC_NO_HANDLE;
}

// A pipe comes back as a fresh pair holding its unread bytes (which every record of its
// read end holds alike); an end no process holds any more is closed again.
void make_pipe(const snap::HandleRecord &end, const std::map<uint64_t, const snap::HandleRecord *> &all,
               Descriptions &made) {
    bool reading = end.kind == snap::HandleKind::pipe_read;
    uint64_t read_end = reading ? end.description : end.partner_description;
    uint64_t write_end = reading ? end.partner_description : end.description;
    bsc_handle ends[2];
    check(below().stream_open_pair("pipe:", end.options, ends), "cannot make a pipe");
    auto reader = all.find(read_end);
    if (reader != all.end())
        write_all(ends[1], reader->second->buffered, "cannot refill a pipe");
    for (auto [description, handle] : {std::pair{read_end, ends[0]}, std::pair{write_end, ends[1]}})
        if (description && all.contains(description))
            made[description] = handle;
        else
            below().object_close(handle);
}

// The threads to start at resume, recorded at restore.
std::vector<GuestThread> pending_threads;
bool as_captured = false; // the last restore's

std::vector<bsc_handle> stdio_handles(const Arguments &arguments) {
    std::vector<bsc_handle> handles;
    for (const auto &text : arguments.all("stdio"))
        handles.push_back(static_cast<bsc_handle>(std::stoul(text)));
    return handles;
}


} // namespace

Descriptions make_descriptions(std::span<const snap::ImageMetadata *const> processes,
                               const RestoreRequest &request) {
    std::map<uint64_t, const snap::HandleRecord *> records; // the first of each description
    for (const auto *process : processes)
        for (const auto &r : process->handles)
            records.emplace(r.description, &r);
    Descriptions made;
    for (const auto &[description, r] : records) {
        if (made.contains(description))
            continue;
        switch (r->kind) {
        case snap::HandleKind::file:
        case snap::HandleKind::directory:
            made[description] = reopen(*r, request.allow_changed_files);
            break;
        case snap::HandleKind::stdio: made[description] = stdio_again(*r, request); break;
        case snap::HandleKind::pipe_read:
        case snap::HandleKind::pipe_write: make_pipe(*r, records, made); break;
        default:
            throw RestoreFailure{BSC_E_NOT_SUPPORTED,
                                 fmt::format("handle {} of an unsupported kind", r->number)};
        }
    }
    return made;
}

// Each handle under its number, standing for its description made again. For a replay
// from the image (`bascule-replay replay --from`, as_captured) every handle keeps its
// number below too and nothing is opened or made again, since the replay layer below
// answers every call on them from the trace (it maps shared streams from it too).
void KindHooks<snap::HandleRecord>::restore(const std::vector<snap::HandleRecord> &records,
                                            const RestoreRequest &request) {
    for (const auto &r : records) {
        auto number = handle_number(r.number);
        bsc_handle handle = request.as_captured ? number : request.descriptions.at(r.description);
        tracked().handles.adopt(number, restored_entry(handle, r));
    }
}

void KindHooks<snap::EventRecord>::restore(const std::vector<snap::EventRecord> &records,
                                           const RestoreRequest &request) {
    for (const auto &e : records) {
        bsc_handle handle = handle_number(e.handle);
        uint32_t flags = (e.flags & BSC_EVENT_MANUAL_RESET) | (e.signaled ? BSC_EVENT_INITIALLY_SET : 0);
        if (!request.as_captured)
            check(below().event_create(flags, &handle), "cannot make an event");
        tracked().handles.adopt(handle_number(e.handle), restored_entry(handle, e));
    }
}

// Each number is taken now, before any thread runs: resume() starts them one by one, and a
// handle the first made before the last was started must not get the last one's number.
void KindHooks<snap::ThreadRecord>::restore(const std::vector<snap::ThreadRecord> &records,
                                            const RestoreRequest &request) {
    for (const auto &t : records) {
        bsc_handle number = handle_number(t.handle);
        pending_threads.push_back({.handle = number, .tcb = t.tcb_address,
                                   .clear_on_exit = t.clear_on_exit, .argument = t.argument,
                                   .stack_top = t.stack_top, .park = t.park,
                                   .record = t.record_address, .parked = false,
                                   .restored = true});
        tracked().handles.adopt(number, {.below = request.as_captured ? number : BSC_NO_HANDLE,
                                         .object = ThreadHandle{}});
    }
}

void restore_objects(const snap::ImageMetadata &meta, const RestoreRequest &request) {
    tracked().handles.start_renumbering();
    snap::for_each_kind(meta, [&](auto, const auto &records) {
        using Record = typename std::remove_cvref_t<decltype(records)>::value_type;
        KindHooks<Record>::restore(records, request);
    });
}

Outcome restore(const Arguments &arguments, const Progress &progress) {
    auto path = arguments.value("image");
    if (!path)
        return {BSC_E_INVALID, "restore needs image=PATH"};
    std::optional<TreeRestore> &tree = tree_restore();
    try {
        // The chain's structure is checked here, before anything is mapped; each block as
        // its pages are read, so that the image is read once. A corrupt block ends an eager
        // restore before the guest runs or any file is opened, a lazy one when the block
        // is first read (snapshot/README.md, README.md).
        bool lazy = arguments.flag("lazy") && host_fills_lazily();
        if (arguments.flag("lazy") && !lazy)
            fmt::print(stderr, "bascule: checkpoint: restoring eagerly: this host cannot fill "
                               "pages lazily (extensions/checkpoint/README.md)\n");
        snap::ReadOptions options{.threads = lazy ? 1u : 0u, // lazily, the filler reads
                                  .block_checks = snap::BlockChecks::as_read,
                                  .check_page_hashes = false,
                                  .write_pages = page_writer(lazy)};
        auto first = snap::ImageChain::open(*path, options);
        tree.emplace(first.top(), options);
        RestoreRequest request{.stdio = stdio_handles(arguments),
                               .allow_changed_files = arguments.flag("allow-changed-files"),
                               .as_captured = arguments.flag("as-captured"),
                               .descriptions = {}};
        as_captured = request.as_captured;
        if (!request.as_captured)
            request.descriptions = make_descriptions(tree->processes(), request);
        // What the processes share is made before the first forks the others; each then
        // restores itself (tree_restore.h).
        auto shared = place_regions(first, RegionSet::shared);
        fill_regions(first, shared, {});
        const snap::ImageChain &image = tree->fork_children(first, request);
        const auto &meta = image.top().metadata();
        tracked().program = meta.program.argv;
        auto targets = place_regions(image, RegionSet::unshared);
        track_regions(image);
        if (!lazy)
            fill_regions(image, targets, tree->is_first() ? progress : Progress{});
        protect_regions(meta, RegionSet::all);
        restore_objects(meta, request);
        std::string done = fmt::format("restored {} regions, {} from {}{}", meta.regions.size(),
                                       snap::object_counts(meta), image.top().name(),
                                       lazy ? "; its pages follow lazily" : "");
        if (lazy) // each process of a tree fills its own memory, through its own userfaultfd
            start_lazy_fill(tree->take_chain(std::move(first)), std::move(targets));
        return {BSC_OK, done};
    } catch (const RestoreFailure &f) {
        if (tree)
            tree->report_failure();
        return {f.status, f.message};
    } catch (const std::exception &e) {
        if (tree)
            tree->report_failure();
        return {BSC_E_INVALID, e.what()};
    }
}

// Starts every restored thread; each enters the chain's thread_start upcall, which
// resumes it at its park point (interpose.cpp).
Outcome resume() {
    if (auto &tree = tree_restore()) {
        try {
            tree->wait_until_restored();
        } catch (const RestoreFailure &f) {
            return {f.status, f.message};
        }
        tree.reset();
        open_processes_again();
    }
    for (auto &thread : pending_threads) {
        tracked().freezer.add(thread);
        // The host wants a stack in guest memory; a parked thread never uses this one.
        uint64_t stack = thread.park == ParkPoint::exception     ? thread.record & ~uint64_t{15}
                         : thread.park == ParkPoint::not_started ? thread.stack_top
                                                                 : thread.tcb + 16;
        bsc_thread_start start{.stack_top = stack, .tcb = thread.tcb, .argument = thread.tcb,
                               .clear_on_exit = thread.clear_on_exit};
        bsc_handle handle;
        if (bsc_status s = below().thread_create(&start, &handle))
            return {s, fmt::format("cannot start thread {} again", thread.handle)};
        if (!as_captured)
            tracked().handles.replace_below(thread.handle, handle);
    }
    size_t count = pending_threads.size();
    pending_threads.clear();
    tracked().started = true; // a capture may freeze it from now on
    return {BSC_OK, fmt::format("resumed {} threads", count)};
}

} // namespace bsc::checkpoint
