// SPDX-License-Identifier: MIT
// The downcalls that take or return a path, translated between the guest's namespace and
// the host's; the start upcall's working directory. Every other call is not touched.
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "directory_records.h"
#include "guest_memory.h"
#include "overlay.h"
#include "paths.h"
#include "translator.h"

namespace bsc::fs_translate {

State &state() {
    static State instance;
    return instance;
}

namespace {

const bsc_downcalls &below() { return *state().below; }
bool active() { return state().active.load(std::memory_order_acquire); }

constexpr size_t kUriMax = 4096 + 32;
constexpr std::string_view kPathSchemes[] = {"file:", "dir:", "unix:", "unix.srv:"};

// A URI split into its scheme ("file:") and its path, when it names a path.
struct PathUri {
    std::string_view scheme;
    std::string path;
};

std::optional<PathUri> path_uri(std::string_view uri) {
    for (auto scheme : kPathSchemes)
        if (uri.substr(0, scheme.size()) == scheme && uri.size() > scheme.size())
            return PathUri{scheme, std::string(uri.substr(scheme.size()))};
    return std::nullopt;
}

// The guest's absolute path: a relative one is relative to the runtime's working
// directory, as the guest sees it. A trailing slash is kept.
std::string absolute_guest(const std::string &path) {
    if (!path.empty() && path[0] == '/')
        return path;
    std::string base = state().guest_cwd;
    return base == "/" ? "/" + path : base + "/" + path;
}

// One guest path, resolved: what the host is handed for it, and what it names.
struct Translated {
    Resolution resolution;
    std::string host_uri;
};

// Whether a walk may take directories from the cache (directory_cache.h). The calls that
// look (stat, readlink, getxattr, statfs) and opens, which refuse every link on the host
// path, do; a call that changes something (a delete, a rename, a chmod...) walks every
// name again, so that no stale directory can lead it anywhere (README.md, Limits).
enum class Walk { cached, afresh };

// Resolves the guest path of a URI already read.
bsc_status translate_path(const PathUri &uri, Final final, Translated &out,
                          Walk walk = Walk::afresh) {
    BelowLookup lookup;
    DirectoryCache *cache = walk == Walk::cached ? &state().cache : nullptr;
    if (bsc_status status = resolve(state().table, lookup, absolute_guest(uri.path), final,
                                    out.resolution, cache))
        return status;
    out.host_uri = std::string(uri.scheme) + out.resolution.host;
    return BSC_OK;
}

// Resolves a guest URI. `is_path` is false (and nothing else set) for a URI that names
// no path, which goes to the host as it is.
bsc_status translate(const char *uri, Final final, Translated &out, bool &is_path,
                     Walk walk = Walk::afresh) {
    std::string text;
    is_path = false;
    if (bsc_status status = read_guest_string(uri, text))
        return status;
    auto parsed = path_uri(text);
    if (!parsed)
        return BSC_OK;
    is_path = true;
    return translate_path(*parsed, final, out, walk);
}

// The guest path of a host path (a trailing slash kept), or the host path itself when
// it lies outside every mapped tree.
std::string guest_path_of(std::string_view host) {
    bool slash = host.size() > 1 && host.back() == '/';
    std::string canonical = lexically_canonical(host);
    auto guest = state().table.guest_of(canonical);
    if (!guest)
        return std::string(host);
    return slash && *guest != "/" ? *guest + "/" : *guest;
}

// The mount holding the name a resolution ends in (its parent's), which decides whether
// creating, removing or renaming that name is read-only or crosses a mount.
const Mount &containing_mount(const Resolution &r) {
    if (r.guest == "/")
        return *r.mount;
    return state().table.mount_of(r.guest.substr(0, std::max<size_t>(1, r.guest.rfind('/'))));
}

// Whether the name a resolution ends in is in an overlay (its own mount if it exists,
// else its parent's).
bool in_overlay(const Resolution &r) {
    return (r.exists ? *r.mount : containing_mount(r)).overlay();
}

// A name made or replaced in a read-only mount: EEXIST when it is there (mkdir, link,
// symlink check that first), EROFS otherwise.
bsc_status create_on_read_only(const Resolution &r) {
    return r.exists ? BSC_E_EXISTS : BSC_E_READ_ONLY;
}

// stream_open in a read-only mount, as Linux orders its checks: creating a missing name,
// or writing or truncating a regular file, is EROFS; the rest is the host's to answer.
bsc_status open_on_read_only(const Resolution &r, std::string_view scheme, uint32_t access,
                             uint32_t create, uint32_t options) {
    if (!r.exists)
        return create == BSC_CREATE_NEVER ? BSC_OK : BSC_E_READ_ONLY;
    if (scheme == "dir:" && create != BSC_CREATE_NEVER)
        return BSC_E_EXISTS;
    if (create == BSC_CREATE_ALWAYS || scheme == "unix.srv:" || scheme == "unix:")
        return BSC_OK; // EEXIST, EADDRINUSE or a connection: the host answers
    bool writes = (access & (BSC_ACCESS_WRITE | BSC_ACCESS_APPEND)) != 0 ||
                  (options & BSC_OPTION_TRUNCATE) != 0;
    return writes && r.type == BSC_TYPE_FILE ? BSC_E_READ_ONLY : BSC_OK;
}

// ---- Merged directory listings --------------------------------------------------------------

// An overlay directory's handle reads its merged listing, built when it is opened and
// again when it is rewound, as a Linux directory is read afresh after a rewind.
struct Listing {
    Located directory;
    std::vector<char> records;
    uint64_t position = 0;
};

std::mutex listings_lock; // guards listings and lower_handles
std::map<bsc_handle, Listing> listings;
// Handles open on an overlay's lower copy, with the guest path they were opened by: a
// change by handle copies the name up first and is made to the upper copy, since the
// lower tree is never changed. (The handle itself goes on reading the lower copy.)
std::map<bsc_handle, std::string> lower_handles;

bsc_status open_listing(bsc_handle handle, const Located &directory) {
    Listing listing{directory, {}, 0};
    if (bsc_status status = merged_listing(directory, listing.records)) {
        below().object_close(handle);
        return status;
    }
    std::lock_guard guard(listings_lock);
    listings[handle] = std::move(listing);
    return BSC_OK;
}

// Whole records from the position on, as the host serves a directory stream.
bsc_status read_listing(Listing &listing, uint64_t offset, void *buffer, uint64_t size,
                        uint64_t *done) {
    if (offset != BSC_AT_POSITION)
        return BSC_E_INVALID;
    uint64_t end = listing.position;
    while (end < listing.records.size()) {
        const auto *record = reinterpret_cast<const bsc_dirent *>(listing.records.data() + end);
        uint64_t length = record->record_length;
        if (end + length - listing.position > size)
            break;
        end += length;
    }
    if (end == listing.position && end < listing.records.size())
        return BSC_E_TOO_BIG;
    uint64_t count = end - listing.position;
    if (count && copy_to_guest(buffer, listing.records.data() + listing.position, count))
        return BSC_E_FAULT;
    if (write_guest(done, count))
        return BSC_E_FAULT;
    listing.position = end;
    return BSC_OK;
}

bsc_status stream_read(bsc_handle handle, uint64_t offset, void *buffer, uint64_t size,
                       uint64_t *done) {
    {
        std::lock_guard guard(listings_lock);
        if (auto it = listings.find(handle); it != listings.end())
            return read_listing(it->second, offset, buffer, size, done);
    }
    return below().stream_read(handle, offset, buffer, size, done);
}

bsc_status stream_seek(bsc_handle handle, int64_t offset, uint32_t whence, uint64_t *position) {
    std::unique_lock guard(listings_lock);
    auto it = listings.find(handle);
    if (it == listings.end()) {
        guard.unlock();
        return below().stream_seek(handle, offset, whence, position);
    }
    Listing &listing = it->second;
    int64_t base = whence == BSC_SEEK_SET ? 0
                   : whence == BSC_SEEK_CURRENT ? static_cast<int64_t>(listing.position)
                                                : -1;
    if (base < 0 || base + offset < 0 ||
        static_cast<uint64_t>(base + offset) > listing.records.size())
        return BSC_E_INVALID;
    uint64_t to = static_cast<uint64_t>(base + offset);
    if (to == 0)
        if (bsc_status status = merged_listing(listing.directory, listing.records))
            return status;
    if (position && write_guest(position, to))
        return BSC_E_FAULT;
    listing.position = to;
    return BSC_OK;
}

bsc_status object_close(bsc_handle handle) {
    bsc_status status = below().object_close(handle);
    if (status == BSC_OK) {
        std::lock_guard guard(listings_lock);
        listings.erase(handle);
        lower_handles.erase(handle);
    }
    return status;
}

// The guest path of a handle open on a lower copy, or nullopt.
std::optional<std::string> lower_handle_path(bsc_handle handle) {
    std::lock_guard guard(listings_lock);
    auto it = lower_handles.find(handle);
    return it == lower_handles.end() ? std::nullopt : std::optional(it->second);
}

// Copies up the name a lower handle was opened by and passes its upper host path to
// `change`; a handle on an upper copy or outside an overlay goes to `by_handle`.
template <class ByHandle, class ByPath>
bsc_status change_by_handle(bsc_handle handle, ByHandle &&by_handle, ByPath &&by_path) {
    auto guest = lower_handle_path(handle);
    if (!guest)
        return by_handle();
    BelowLookup lookup;
    Resolution r;
    if (bsc_status status = resolve(state().table, lookup, *guest, Final::no_follow, r))
        return status;
    if (bsc_status status = overlay_change(r))
        return status;
    return by_path(("file:" + r.host).c_str());
}

// What only the handle has (its options) stays with the handle; the rest is the file's.
constexpr uint32_t kHandleOnly = BSC_SET_OPTIONS | BSC_SET_APPEND | BSC_SET_PACKET;

bsc_status stream_attributes_set_by_handle(bsc_handle handle, uint32_t which,
                                           const bsc_stream_attributes *attributes) {
    if (which & kHandleOnly) {
        if (!lower_handle_path(handle) || !(which & ~kHandleOnly))
            return below().stream_attributes_set_by_handle(handle, which, attributes);
        if (bsc_status status =
                below().stream_attributes_set_by_handle(handle, which & kHandleOnly, attributes))
            return status;
        which &= ~kHandleOnly;
    }
    return change_by_handle(
        handle, [&] { return below().stream_attributes_set_by_handle(handle, which, attributes); },
        [&](const char *uri) { return below().stream_attributes_set(uri, 0, which, attributes); });
}

bsc_status stream_xattr_set_by_handle(bsc_handle handle, uint32_t flags, const char *name,
                                      const void *value, uint64_t size) {
    return change_by_handle(
        handle,
        [&] { return below().stream_xattr_set_by_handle(handle, flags, name, value, size); },
        [&](const char *uri) { return below().stream_xattr_set(uri, flags, name, value, size); });
}

bsc_status stream_xattr_remove_by_handle(bsc_handle handle, const char *name) {
    return change_by_handle(
        handle, [&] { return below().stream_xattr_remove_by_handle(handle, name); },
        [&](const char *uri) { return below().stream_xattr_remove(uri, 0, name); });
}

// ---- Streams --------------------------------------------------------------------------

// How an open treats a final link: Linux does not follow one for O_NOFOLLOW,
// O_CREAT|O_EXCL, mkdir or bind.
Final open_final(const PathUri &uri, uint32_t create, uint32_t options) {
    bool no_follow = (options & BSC_OPTION_NOFOLLOW) || create == BSC_CREATE_ALWAYS ||
                     (uri.scheme == "dir:" && create != BSC_CREATE_NEVER) ||
                     uri.scheme == "unix.srv:";
    return no_follow ? Final::no_follow : Final::follow;
}

// Opens the guest path of `uri`, resolved into `r`.
bsc_status open_resolved(const PathUri &uri, uint32_t access, uint32_t mode, uint32_t create,
                         uint32_t options, bsc_handle *handle, Resolution &r) {
    Translated t;
    if (bsc_status status =
            translate_path(uri, open_final(uri, create, options), t, Walk::cached))
        return status;
    r = std::move(t.resolution);
    const Mount &mount = r.exists ? *r.mount : containing_mount(r);
    if (mount.read_only)
        if (bsc_status status = open_on_read_only(r, uri.scheme, access, create, options))
            return status;
    // The walk resolved every link: one that appears on the way meanwhile fails the host's
    // open (BSC_E_LOOP) instead of leading it out of the namespace.
    if (!mount.overlay())
        return below().stream_open(t.host_uri.c_str(), access, mode, create,
                                   options | (r.host_follows ? 0 : BSC_OPTION_NO_LINKS), handle);
    bsc_status status = overlay_open(r, uri.scheme, access, mode, create, options, handle);
    bsc_handle opened = BSC_NO_HANDLE;
    if (status != BSC_OK || read_guest(handle, opened) != BSC_OK)
        return status;
    if (r.type == BSC_TYPE_DIRECTORY && r.final().in_upper)
        return open_listing(opened, r.final());
    if (!r.final().in_upper && r.final().in_lower) {
        std::lock_guard guard(listings_lock);
        lower_handles[opened] = r.guest;
    }
    return BSC_OK;
}

// Whether the file or directory opened is the one the walk saw, and the one a second walk
// after the open finds. A directory on the way swapped for a link during the walk or the
// host's open would have led the host elsewhere, perhaps out of the namespace; to go
// unnoticed, the swap must fool both walks too (see README.md, Limits).
bool opened_what_was_seen(bsc_handle opened, const PathUri &uri, Final final,
                          const Resolution &r) {
    const Located &seen = r.final();
    if (!r.exists || seen.inode == 0 ||
        (seen.type != BSC_TYPE_FILE && seen.type != BSC_TYPE_DIRECTORY))
        return true; // created now, or not an object the host identifies by inode
    bsc_stream_attributes attributes{};
    if (below().stream_attributes_query_by_handle(opened, &attributes) != BSC_OK ||
        attributes.device != seen.device || attributes.inode != seen.inode)
        return false;
    Translated again;
    return translate_path(uri, final, again, Walk::cached) == BSC_OK && again.resolution.exists &&
           again.resolution.final().device == seen.device &&
           again.resolution.final().inode == seen.inode;
}

// A walk and an open that keep disagreeing: the namespace changes faster than it is read.
constexpr int kOpenAttempts = 3;

bsc_status stream_open(const char *uri, uint32_t access, uint32_t mode, uint32_t create,
                       uint32_t options, bsc_handle *handle) {
    if (!active())
        return below().stream_open(uri, access, mode, create, options, handle);
    std::string text;
    if (bsc_status status = read_guest_string(uri, text))
        return status;
    auto parsed = path_uri(text);
    if (!parsed || parsed->scheme == "unix:" || parsed->scheme == "unix.srv:") {
        if (!parsed)
            return below().stream_open(uri, access, mode, create, options, handle);
        Resolution r;
        return open_resolved(*parsed, access, mode, create, options, handle, r);
    }
    for (int attempt = 1;; attempt++) {
        Resolution r;
        bsc_handle opened = BSC_NO_HANDLE;
        bsc_status status = open_resolved(*parsed, access, mode, create, options, handle, r);
        if (status == BSC_E_LOOP && attempt < kOpenAttempts) {
            // A link swapped in after the walk, perhaps for a directory the cache knew (or
            // a real loop: the walk finds it).
            state().cache.clear();
            continue;
        }
        if (status != BSC_OK || read_guest(handle, opened) != BSC_OK ||
            opened_what_was_seen(opened, *parsed, open_final(*parsed, create, options), r))
            return status;
        object_close(opened);
        state().cache.clear();
        if (attempt == kOpenAttempts)
            return BSC_E_LOOP;
    }
}

// A call that removes or replaces names: when it returns (whatever it answers; it may
// have changed something before failing), every process of the guest forgets the
// directories it knew.
struct NameChange {
    NameChange() = default;
    NameChange(const NameChange &) = delete;
    NameChange &operator=(const NameChange &) = delete;
    ~NameChange() { state().cache.changed(); }
};

// A call on one URI: passed on untouched while paths are not translated or when the URI
// names no path, else made by `translated` with the URI resolved.
template <class Untouched, class Resolved>
bsc_status by_path(const char *uri, Final final, Untouched &&untouched, Resolved &&translated,
                   Walk walk = Walk::afresh) {
    if (!active())
        return untouched();
    Translated t;
    bool is_path = false;
    if (bsc_status status = translate(uri, final, t, is_path, walk))
        return status;
    return is_path ? translated(t) : untouched();
}

Final query_final(uint32_t flags) {
    return flags & BSC_QUERY_NOFOLLOW ? Final::no_follow : Final::follow;
}

// What the walk's own look at the final name answered, when it is what a query would
// answer: the same host path, asked the same way (not following it: the walk followed any
// link), a moment ago. Not for an overlay (the look may be at a copy that does not show),
// a kernel object's link (the host follows it), or a trailing slash (the host checks it).
const bsc_stream_attributes *seen_attributes(const Translated &t) {
    const Resolution &r = t.resolution;
    const Located &seen = r.final();
    if (!r.exists || !seen.looked || r.host_follows || r.mount->overlay() ||
        r.host.ends_with('/') || !t.host_uri.starts_with("file:"))
        return nullptr;
    return &seen.attributes;
}

bsc_status stream_attributes_query(const char *uri, uint32_t flags,
                                   bsc_stream_attributes *attributes) {
    return by_path(
        uri, query_final(flags),
        [&] { return below().stream_attributes_query(uri, flags, attributes); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND; // what the upper tree holds there is a whiteout
            if (const bsc_stream_attributes *seen = seen_attributes(t))
                return write_guest(attributes, *seen);
            // Every link on the way was followed here: the host must not follow one again
            // (but a kernel object's, which only it can follow).
            uint32_t no_follow = t.resolution.host_follows ? 0 : BSC_QUERY_NOFOLLOW;
            return below().stream_attributes_query(t.host_uri.c_str(), flags | no_follow,
                                                   attributes);
        },
        Walk::cached);
}

// statx's further fields of a guest path are those of the host object it translates to,
// found as stream_attributes_query finds it.
bsc_status stream_details_query(const char *uri, uint32_t flags, uint32_t want,
                                bsc_stream_details *details) {
    return by_path(
        uri, query_final(flags),
        [&] { return below().stream_details_query(uri, flags, want, details); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND; // a whiteout
            uint32_t no_follow = t.resolution.host_follows ? 0 : BSC_QUERY_NOFOLLOW;
            return below().stream_details_query(t.host_uri.c_str(), flags | no_follow, want,
                                                details);
        });
}

// name_to_handle_at: the handle of the host object a guest path translates to.
bsc_status stream_file_handle_query(const char *uri, uint32_t flags, bsc_file_handle *handle) {
    return by_path(
        uri, query_final(flags),
        [&] { return below().stream_file_handle_query(uri, flags, handle); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND; // a whiteout
            uint32_t no_follow = t.resolution.host_follows ? 0 : BSC_QUERY_NOFOLLOW;
            return below().stream_file_handle_query(t.host_uri.c_str(), flags | no_follow,
                                                    handle);
        });
}

// open_by_handle_at: a handle names a host object whatever path it has, so the object
// opened must lie in a mapped tree: one outside every mapping is a handle the guest's
// namespace cannot decode (STALE), and nothing escapes the mapping.
bsc_status inside_mapping(bsc_status status, bsc_handle *stream) {
    bsc_handle opened = BSC_NO_HANDLE;
    if (status != BSC_OK || !active() || read_guest(stream, opened) != BSC_OK)
        return status;
    char host_uri[kUriMax];
    bsc_object_info info{};
    auto parsed = below().object_query(opened, &info, host_uri, sizeof host_uri) == BSC_OK
                      ? path_uri(host_uri)
                      : std::nullopt;
    if (parsed && state().table.guest_of(lexically_canonical(parsed->path)))
        return BSC_OK;
    below().object_close(opened);
    return BSC_E_STALE;
}

// The mount descriptor is an open stream, or a guest path translated as any other.
bsc_status stream_open_by_file_handle(bsc_handle mount, const char *mount_uri,
                                      const bsc_file_handle *handle, uint32_t access,
                                      uint32_t options, bsc_handle *stream) {
    auto untouched = [&] {
        return inside_mapping(below().stream_open_by_file_handle(mount, mount_uri, handle,
                                                                 access, options, stream),
                              stream);
    };
    if (mount != BSC_NO_HANDLE)
        return untouched();
    return by_path(mount_uri, Final::follow, untouched, [&](Translated &t) -> bsc_status {
        return inside_mapping(below().stream_open_by_file_handle(mount, t.host_uri.c_str(),
                                                                 handle, access, options,
                                                                 stream),
                              stream);
    });
}

bsc_status stream_attributes_set(const char *uri, uint32_t flags, uint32_t which,
                                 const bsc_stream_attributes *attributes) {
    return by_path(
        uri, query_final(flags),
        [&] { return below().stream_attributes_set(uri, flags, which, attributes); },
        [&](Translated &t) -> bsc_status {
            if (t.resolution.exists && t.resolution.mount->read_only)
                return BSC_E_READ_ONLY;
            if (in_overlay(t.resolution))
                if (bsc_status status = overlay_change(t.resolution))
                    return status;
            return below().stream_attributes_set(("file:" + t.resolution.host).c_str(), flags,
                                                 which, attributes);
        });
}

bsc_status stream_delete(const char *uri, uint32_t flags) {
    NameChange change;
    return by_path(
        uri, Final::no_follow, [&] { return below().stream_delete(uri, flags); },
        [&](Translated &t) -> bsc_status {
            if (containing_mount(t.resolution).read_only)
                return BSC_E_READ_ONLY;
            if (state().table.is_mount_point(t.resolution.guest))
                return BSC_E_BUSY;
            if (!in_overlay(t.resolution))
                return below().stream_delete(t.host_uri.c_str(), flags);
            bool directory_uri = std::string_view(t.host_uri).substr(0, 4) == "dir:";
            return overlay_delete(t.resolution,
                                  flags | (directory_uri ? BSC_DELETE_DIRECTORY : 0));
        });
}

// A rename onto the name itself: in a case-insensitive directory, `to` may name it in
// another case, and the stored name takes that case (as ext4's casefolded directories
// do); anywhere else the host renames the name onto itself, which changes nothing.
bsc_status rename_case(const Translated &source, const char *to, uint32_t flags) {
    const Resolution &r = source.resolution;
    std::string text;
    if (bsc_status status = read_guest_string(to, text))
        return status;
    auto given = path_uri(text);
    std::string wanted = given ? lexically_canonical(absolute_guest(given->path)) : r.guest;
    std::string leaf = wanted.substr(wanted.rfind('/') + 1);
    std::string parent = r.guest.substr(0, std::max<size_t>(1, r.guest.rfind('/')));
    if (!state().table.case_insensitive(parent) || r.guest.ends_with("/" + leaf))
        return below().stream_rename(source.host_uri.c_str(), source.host_uri.c_str(), flags);
    std::string host = r.host.substr(0, r.host.rfind('/') + 1) + leaf;
    return below().stream_rename(source.host_uri.c_str(), ("file:" + host).c_str(), flags);
}

bsc_status stream_rename(const char *from, const char *to, uint32_t flags) {
    if (!active())
        return below().stream_rename(from, to, flags);
    NameChange change;
    Translated source, target;
    bool source_is_path = false, target_is_path = false;
    if (bsc_status status = translate(from, Final::no_follow, source, source_is_path))
        return status;
    if (bsc_status status = translate(to, Final::no_follow, target, target_is_path))
        return status;
    if (!source_is_path || !target_is_path)
        return source_is_path || target_is_path ? BSC_E_INVALID
                                                : below().stream_rename(from, to, flags);
    const Mount &mount = containing_mount(source.resolution);
    if (&mount != &containing_mount(target.resolution))
        return BSC_E_CROSS_DEVICE;
    if (mount.read_only)
        return BSC_E_READ_ONLY;
    if (state().table.is_mount_point(source.resolution.guest) ||
        state().table.is_mount_point(target.resolution.guest))
        return BSC_E_BUSY;
    if (mount.overlay())
        return overlay_rename(source.resolution, target.resolution, flags);
    if (source.resolution.guest == target.resolution.guest && source.resolution.exists)
        return rename_case(source, to, flags);
    return below().stream_rename(source.host_uri.c_str(), target.host_uri.c_str(), flags);
}

// A guest mount's paths (stream_mount's source when it is a path, its target) are
// translated like any other; the host mounts on the host's directory, which the guest
// then sees through its mapping. A mount point in an overlay would hide one of its two
// trees from the other: not supported.
bsc_status mount_path(const char *uri, Final final, std::string &host_uri, bool &is_path) {
    Translated t;
    if (bsc_status status = translate(uri, final, t, is_path))
        return status;
    if (is_path && in_overlay(t.resolution))
        return BSC_E_NOT_SUPPORTED;
    host_uri = t.host_uri;
    return BSC_OK;
}

bsc_status stream_mount(const char *source, const char *target, const char *type,
                        uint64_t flags, const char *options) {
    if (!active())
        return below().stream_mount(source, target, type, flags, options);
    NameChange change; // what a directory shows changes
    std::string host_source, host_target;
    bool source_is_path = false, target_is_path = false;
    if (bsc_status status = mount_path(target, Final::follow, host_target, target_is_path))
        return status;
    if (bsc_status status = mount_path(source, Final::follow, host_source, source_is_path))
        return status;
    return below().stream_mount(source_is_path ? host_source.c_str() : source,
                                target_is_path ? host_target.c_str() : target, type, flags,
                                options);
}

// umount2's MNT_EXPIRE unmounts a mount that nothing used since the last such call, and
// on Linux a look at the mount point (a stat, as the resolver makes) is a use: with
// EXPIRE only the parent is resolved here and the final name goes to the host as it is
// (the host's kernel follows a final link itself, unless NO_FOLLOW). False when the path
// has no plain final name ("/", ".", "..").
bool expire_target(const char *target, std::string &host_target, bsc_status &status) {
    std::string text;
    if ((status = read_guest_string(target, text)) != BSC_OK)
        return true;
    auto parsed = path_uri(text);
    if (!parsed)
        return false;
    std::string guest = absolute_guest(parsed->path);
    size_t slash = guest.rfind('/');
    std::string leaf = guest.substr(slash + 1);
    if (leaf.empty() || leaf == "." || leaf == "..")
        return false;
    Translated parent;
    status = translate_path(PathUri{parsed->scheme, slash == 0 ? "/" : guest.substr(0, slash)},
                            Final::follow, parent);
    if (status == BSC_OK && in_overlay(parent.resolution))
        status = BSC_E_NOT_SUPPORTED;
    std::string base = parent.resolution.host;
    host_target = std::string(parsed->scheme) + base + (base.ends_with('/') ? "" : "/") + leaf;
    return true;
}

bsc_status stream_unmount(const char *target, uint32_t flags) {
    if (!active())
        return below().stream_unmount(target, flags);
    NameChange change;
    std::string host_target;
    bsc_status status = BSC_OK;
    if ((flags & BSC_UNMOUNT_EXPIRE) && expire_target(target, host_target, status))
        return status == BSC_OK ? below().stream_unmount(host_target.c_str(), flags) : status;
    bool is_path = false;
    Final final = flags & BSC_UNMOUNT_NO_FOLLOW ? Final::no_follow : Final::follow;
    if (bsc_status s = mount_path(target, final, host_target, is_path))
        return s;
    return below().stream_unmount(is_path ? host_target.c_str() : target, flags);
}

// The object of a call of the new mount API (abi/bascule.h): a URI is translated as a
// mount's paths are; a handle's object ("") or a path inside a detached mount (relative to
// the handle) is the host's already and passes as it is. `out` is what goes below.
bsc_status mount_api_object(bsc_handle at, const char *uri, Final final, std::string &host_uri,
                            const char *&out) {
    out = uri;
    if (at != BSC_NO_HANDLE || !active())
        return BSC_OK;
    bool is_path = false;
    if (bsc_status status = mount_path(uri, final, host_uri, is_path))
        return status;
    if (is_path)
        out = host_uri.c_str();
    return BSC_OK;
}

Final final_unless(uint32_t flags, uint32_t no_follow) {
    return flags & no_follow ? Final::no_follow : Final::follow;
}

bsc_status mount_open(bsc_handle at, const char *uri, uint32_t kind, uint32_t flags,
                      bsc_handle *handle) {
    constexpr uint32_t kPickNoFollow = 0x2, kTreeNoFollow = 0x100; // FSPICK_, AT_SYMLINK_NOFOLLOW
    if (kind == BSC_MOUNT_OPEN_FILE_SYSTEM)
        return below().mount_open(at, uri, kind, flags, handle);
    std::string host_uri;
    const char *passed;
    uint32_t no_follow = kind == BSC_MOUNT_OPEN_PICK ? kPickNoFollow : kTreeNoFollow;
    if (bsc_status s = mount_api_object(at, uri, final_unless(flags, no_follow), host_uri, passed))
        return s;
    return below().mount_open(at, passed, kind, flags, handle);
}

// fsconfig's path values (FSCONFIG_SET_PATH, _SET_PATH_EMPTY) are URIs, followed as the
// file systems look them up; every other value is the file system's own text.
bsc_status mount_configure(bsc_handle context, uint32_t command, const char *key,
                           const void *value, uint64_t size, bsc_handle file) {
    constexpr uint32_t kSetPath = 3, kSetPathEmpty = 4;
    if (command != kSetPath && command != kSetPathEmpty)
        return below().mount_configure(context, command, key, value, size, file);
    std::string host_uri;
    const char *passed;
    if (bsc_status s = mount_api_object(file, static_cast<const char *>(value), Final::follow,
                                        host_uri, passed))
        return s;
    return below().mount_configure(context, command, key, passed, size, file);
}

bsc_status mount_move(bsc_handle from, const char *from_uri, bsc_handle to, const char *to_uri,
                      uint32_t flags) {
    constexpr uint32_t kFromSymlinks = 0x1, kToSymlinks = 0x10; // MOVE_MOUNT_F_, _T_SYMLINKS
    NameChange change;
    std::string host_from, host_to;
    const char *passed_from, *passed_to;
    Final from_final = flags & kFromSymlinks ? Final::follow : Final::no_follow;
    Final to_final = flags & kToSymlinks ? Final::follow : Final::no_follow;
    if (bsc_status s = mount_api_object(from, from_uri, from_final, host_from, passed_from))
        return s;
    if (bsc_status s = mount_api_object(to, to_uri, to_final, host_to, passed_to))
        return s;
    return below().mount_move(from, passed_from, to, passed_to, flags);
}

bsc_status mount_attributes_set(bsc_handle at, const char *uri, uint32_t flags,
                                const bsc_mount_attributes *attributes) {
    constexpr uint32_t kNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    NameChange change;
    std::string host_uri;
    const char *passed;
    if (bsc_status s = mount_api_object(at, uri, final_unless(flags, kNoFollow), host_uri, passed))
        return s;
    return below().mount_attributes_set(at, passed, flags, attributes);
}

// The file system a guest path lies on is the one its host path lies on.
bsc_status stream_volume_query(const char *uri, bsc_volume_info *info) {
    return by_path(
        uri, Final::follow, [&] { return below().stream_volume_query(uri, info); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND; // a whiteout
            return below().stream_volume_query(t.host_uri.c_str(), info);
        },
        Walk::cached);
}

bsc_status stream_link(const char *uri, const char *target, uint32_t kind) {
    if (!active())
        return below().stream_link(uri, target, kind);
    Translated existing; // a hard link's target, resolved first as Linux does
    bool existing_is_path = false;
    std::string text_of_link;
    if (kind == BSC_LINK_HARD) {
        if (bsc_status status = translate(target, Final::no_follow, existing, existing_is_path))
            return status;
        if (existing_is_path && !existing.resolution.exists)
            return BSC_E_NOT_FOUND;
    }
    Translated name;
    bool is_path = false;
    if (bsc_status status = translate(uri, Final::no_follow, name, is_path))
        return status;
    if (!is_path)
        return below().stream_link(uri, target, kind);
    const Mount &mount = containing_mount(name.resolution);
    if (mount.read_only)
        return create_on_read_only(name.resolution);
    bool hard = kind == BSC_LINK_HARD && existing_is_path;
    if (hard && &mount != &containing_mount(existing.resolution))
        return BSC_E_CROSS_DEVICE;
    if (mount.overlay()) {
        if (kind == BSC_LINK_SYMBOLIC)
            if (bsc_status status = read_guest_string(target, text_of_link))
                return status;
        return overlay_link(name.resolution, hard ? &existing.resolution : nullptr,
                            text_of_link.c_str(), kind);
    }
    return below().stream_link(name.host_uri.c_str(), hard ? existing.host_uri.c_str() : target,
                               kind);
}

// A special file (mknod): the new name, not followed.
bsc_status stream_make_node(const char *uri, uint32_t type, uint32_t mode, uint64_t device) {
    return by_path(
        uri, Final::no_follow, [&] { return below().stream_make_node(uri, type, mode, device); },
        [&](Translated &t) -> bsc_status {
            const Mount &mount = containing_mount(t.resolution);
            if (mount.read_only)
                return create_on_read_only(t.resolution);
            if (mount.overlay())
                return overlay_make_node(t.resolution, type, mode, device);
            if (t.resolution.exists)
                return BSC_E_EXISTS;
            return below().stream_make_node(t.host_uri.c_str(), type, mode, device);
        });
}

// A watch of file-system notifications on the object the path names (inotify_add_watch):
// the final link followed here unless NO_FOLLOW, so the host must follow none again. In
// an overlay it watches the tree the object is in now: a lower object changed through the
// overlay is copied up, and its watch sees nothing of that (fs-translate/README.md).
bsc_status stream_watch(bsc_handle notifier, const char *uri, uint32_t events, int32_t *watch) {
    Final final = events & BSC_WATCH_NO_FOLLOW ? Final::no_follow : Final::follow;
    return by_path(
        uri, final, [&] { return below().stream_watch(notifier, uri, events, watch); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND; // what the upper tree holds there is a whiteout
            return below().stream_watch(notifier, t.host_uri.c_str(),
                                        events | BSC_WATCH_NO_FOLLOW, watch);
        });
}

// A fanotify mark on the object the path names (fanotify_mark), resolved here as a watch
// is, so the host follows no link again; no path (an open file's mark, a flush) passes.
bsc_status stream_mark(bsc_handle group, bsc_handle object, const char *uri, uint32_t flags,
                       uint64_t mask) {
    constexpr uint32_t kDontFollow = 0x4; // FAN_MARK_DONT_FOLLOW
    Final final = flags & kDontFollow ? Final::no_follow : Final::follow;
    auto untouched = [&] { return below().stream_mark(group, object, uri, flags, mask); };
    std::string text;
    if (object != BSC_NO_HANDLE || read_guest_string(uri, text) != BSC_OK || text.empty())
        return untouched();
    return by_path(uri, final, untouched, [&](Translated &t) -> bsc_status {
        if (!t.resolution.exists && in_overlay(t.resolution))
            return BSC_E_NOT_FOUND; // what the upper tree holds there is a whiteout
        return below().stream_mark(group, object, t.host_uri.c_str(), flags | kDontFollow,
                                   mask);
    });
}

bsc_status stream_read_link(const char *uri, char *buffer, uint64_t size, uint64_t *length) {
    // A link's text is the guest's own: it goes back as it is stored.
    return by_path(
        uri, Final::no_follow, [&] { return below().stream_read_link(uri, buffer, size, length); },
        [&](Translated &t) -> bsc_status {
            if (!t.resolution.exists && in_overlay(t.resolution))
                return BSC_E_NOT_FOUND;
            return below().stream_read_link(t.host_uri.c_str(), buffer, size, length);
        },
        Walk::cached);
}

// ---- Extended attributes by URI ----------------------------------------------------------

Final xattr_final(uint32_t flags) {
    return flags & BSC_XATTR_NOFOLLOW ? Final::no_follow : Final::follow;
}

// Translates the URI of an xattr call; `writes` refuses a change in a read-only mount.
bsc_status xattr_uri(const char *uri, uint32_t flags, bool writes, Translated &t,
                     const char *&host_uri) {
    bool is_path = false;
    host_uri = uri;
    if (bsc_status status = translate(uri, xattr_final(flags), t, is_path,
                                      writes ? Walk::afresh : Walk::cached))
        return status;
    if (!is_path)
        return BSC_OK;
    if (writes && t.resolution.exists && t.resolution.mount->read_only)
        return BSC_E_READ_ONLY;
    if (in_overlay(t.resolution)) {
        if (!t.resolution.exists)
            return BSC_E_NOT_FOUND;
        if (writes)
            if (bsc_status status = overlay_change(t.resolution))
                return status;
        t.host_uri = "file:" + t.resolution.host;
    }
    host_uri = t.host_uri.c_str();
    return BSC_OK;
}

// An xattr call by URI: the URI translated (a change refused in a read-only mount and made
// to an overlay's upper copy), the other arguments passed on as they are.
template <auto Slot, bool Writes, class Fn> struct XattrByUri;
template <auto Slot, bool Writes, class... Rest>
struct XattrByUri<Slot, Writes, bsc_status (*)(const char *, uint32_t, Rest...)> {
    static bsc_status call(const char *uri, uint32_t flags, Rest... rest) {
        Translated t;
        const char *host_uri = uri;
        if (active())
            if (bsc_status status = xattr_uri(uri, flags, Writes, t, host_uri))
                return status;
        return (below().*Slot)(host_uri, flags, rest...);
    }
};

template <auto Slot>
using SlotType = std::remove_cvref_t<decltype(std::declval<bsc_downcalls>().*Slot)>;
template <auto Slot, bool Writes>
constexpr auto xattr_by_uri = XattrByUri<Slot, Writes, SlotType<Slot>>::call;

// ---- Objects ----------------------------------------------------------------------------

// The URI an object was opened by names a host path: the guest gets its own path back.
bsc_status object_query(bsc_handle handle, bsc_object_info *info, char *uri, uint64_t uri_size) {
    if (!active())
        return below().object_query(handle, info, uri, uri_size);
    char host_uri[kUriMax];
    bsc_status status = below().object_query(handle, info, host_uri, sizeof host_uri);
    if (status != BSC_OK)
        return status;
    std::string text = host_uri;
    if (auto parsed = path_uri(text))
        text = std::string(parsed->scheme) + guest_path_of(parsed->path);
    if (text.size() + 1 > uri_size)
        return BSC_E_TOO_BIG;
    return copy_to_guest(uri, text.c_str(), text.size() + 1);
}

// ---- Unix socket addresses ----------------------------------------------------------------

// The path a UNIX address names, or nullopt (another domain, unnamed, abstract).
std::optional<std::string> unix_path(const bsc_socket_address &address) {
    if (address.domain != BSC_SOCKET_UNIX || address.name_length == 0 || address.name[0] == 0)
        return std::nullopt;
    size_t length = std::min<size_t>(address.name_length, sizeof address.name);
    return std::string(address.name, strnlen(address.name, length));
}

bsc_status set_unix_path(bsc_socket_address &address, const std::string &path) {
    if (path.size() > sizeof address.name)
        return BSC_E_NAME_TOO_LONG;
    std::memset(address.name, 0, sizeof address.name);
    std::memcpy(address.name, path.data(), path.size());
    address.name_length = static_cast<uint16_t>(path.size());
    return BSC_OK;
}

// A guest address made a host one. Binding creates the name (no final link followed, a
// read-only mount refuses it); connecting and sending follow it.
bsc_status address_to_host(bsc_socket_address &address, bool binds) {
    auto path = unix_path(address);
    if (!path)
        return BSC_OK;
    BelowLookup lookup;
    Resolution r;
    if (bsc_status status = resolve(state().table, lookup, absolute_guest(*path),
                                    binds ? Final::no_follow : Final::follow, r))
        return status;
    if (binds && containing_mount(r).read_only && !r.exists)
        return BSC_E_READ_ONLY;
    if (in_overlay(r) && !r.exists) {
        if (!binds)
            return BSC_E_NOT_FOUND;
        bool was_hidden = false; // the socket is made in the upper tree
        if (bsc_status status = prepare_create(r, was_hidden))
            return status;
        return set_unix_path(address, r.final().upper);
    }
    return set_unix_path(address, r.host);
}

// A host address the guest reads back, made a guest one.
void address_to_guest(bsc_socket_address &address) {
    if (auto path = unix_path(address); path && (*path)[0] == '/')
        set_unix_path(address, guest_path_of(*path));
}

template <auto Slot> bsc_status with_host_address(bsc_handle handle,
                                                  const bsc_socket_address *address, bool binds) {
    if (!active() || !address)
        return (below().*Slot)(handle, address);
    bsc_socket_address local;
    if (read_guest(address, local) != BSC_OK)
        return BSC_E_FAULT;
    if (bsc_status status = address_to_host(local, binds))
        return status;
    return (below().*Slot)(handle, &local);
}

bsc_status socket_bind(bsc_handle handle, const bsc_socket_address *address) {
    return with_host_address<&bsc_downcalls::socket_bind>(handle, address, true);
}

bsc_status socket_connect(bsc_handle handle, const bsc_socket_address *address) {
    return with_host_address<&bsc_downcalls::socket_connect>(handle, address, false);
}

bsc_status socket_address_query(bsc_handle handle, uint32_t which, bsc_socket_address *address) {
    if (!active())
        return below().socket_address_query(handle, which, address);
    bsc_socket_address local{};
    bsc_status status = below().socket_address_query(handle, which, &local);
    if (status != BSC_OK)
        return status;
    address_to_guest(local);
    return write_guest(address, local);
}

bsc_status socket_send(bsc_handle handle, bsc_socket_message *message, uint32_t flags) {
    bsc_socket_message local;
    if (!active() || read_guest(message, local) != BSC_OK || !local.address)
        return below().socket_send(handle, message, flags);
    bsc_socket_address destination;
    if (read_guest(reinterpret_cast<const bsc_socket_address *>(local.address), destination))
        return BSC_E_FAULT;
    if (bsc_status status = address_to_host(destination, false))
        return status;
    local.address = reinterpret_cast<uint64_t>(&destination);
    bsc_status status = below().socket_send(handle, &local, flags);
    if (status == BSC_OK)
        status = write_guest(&message->done, local.done);
    return status;
}

bsc_status socket_receive(bsc_handle handle, bsc_socket_message *message, uint32_t flags) {
    bsc_status status = below().socket_receive(handle, message, flags);
    bsc_socket_message local;
    if (status != BSC_OK || !active() || read_guest(message, local) != BSC_OK || !local.address)
        return status;
    auto *sender = reinterpret_cast<bsc_socket_address *>(local.address);
    bsc_socket_address address;
    if (read_guest(sender, address) != BSC_OK)
        return status;
    address_to_guest(address);
    return write_guest(sender, address);
}

// ---- The start upcall ----------------------------------------------------------------------

// The working directory the runtime started in, as the guest sees it ("/" when it lies
// outside the namespace), written into guest memory in place of the host's.
void start(const bsc_downcalls *abi, const bsc_start_info *info) {
    bsc_start_info local;
    std::string host_cwd;
    if (read_guest(info, local) == BSC_OK &&
        read_guest_string(reinterpret_cast<const char *>(local.working_directory), host_cwd) ==
            BSC_OK) {
        auto guest = state().table.guest_of(lexically_canonical(host_cwd));
        state().guest_cwd = guest ? *guest : "/";
        uint64_t page = 0;
        if (below().vm_alloc(&page, 4096, BSC_PROT_READ | BSC_PROT_WRITE, 0) == BSC_OK &&
            copy_to_guest(reinterpret_cast<void *>(page), state().guest_cwd.c_str(),
                          state().guest_cwd.size() + 1) == BSC_OK)
            write_guest(&const_cast<bsc_start_info *>(info)->working_directory, page);
    }
    state().upcalls_above->start(abi, info);
}

} // namespace

bsc_status BelowLookup::attributes(const std::string &host, bsc_stream_attributes &out) {
    std::string uri = "file:" + host;
    return below().stream_attributes_query(uri.c_str(), BSC_QUERY_NOFOLLOW, &out);
}

bsc_status BelowLookup::read_link(const std::string &host, std::string &text) {
    std::string uri = "file:" + host;
    char buffer[4096];
    uint64_t length = 0;
    if (bsc_status status = below().stream_read_link(uri.c_str(), buffer, sizeof buffer, &length))
        return status;
    text.assign(buffer, std::min<uint64_t>(length, sizeof buffer));
    return BSC_OK;
}

bsc_status BelowLookup::list(const std::string &host, std::vector<std::string> &names) {
    std::vector<char> records;
    if (bsc_status status = read_directory(below(), host, records))
        return status;
    for_each_record(records, [&](const bsc_dirent &record) {
        std::string_view name = record.name;
        if (name != "." && name != "..")
            names.emplace_back(name);
    });
    return BSC_OK;
}

void start_directory_cache() {
    uint64_t page = 0;
    if (state().cache.enabled() ||
        below().vm_alloc(&page, 4096, BSC_PROT_READ | BSC_PROT_WRITE, BSC_MAP_SHARED) != BSC_OK)
        return;
    // Fresh memory is zeroes: generation 0, as the cache starts.
    state().cache.follow(new (reinterpret_cast<void *>(page)) std::atomic<uint64_t>(0));
}

void install(bsc_downcalls &above, bsc_upcalls &upcalls_below) {
#define FS_TRANSLATE_INTERPOSE(name) above.name = name;
    FS_TRANSLATE_INTERPOSE(stream_open)
    FS_TRANSLATE_INTERPOSE(stream_attributes_query)
    FS_TRANSLATE_INTERPOSE(stream_attributes_set)
    FS_TRANSLATE_INTERPOSE(stream_details_query)
    FS_TRANSLATE_INTERPOSE(stream_file_handle_query)
    FS_TRANSLATE_INTERPOSE(stream_open_by_file_handle)
    FS_TRANSLATE_INTERPOSE(stream_delete)
    FS_TRANSLATE_INTERPOSE(stream_rename)
    FS_TRANSLATE_INTERPOSE(stream_link)
    FS_TRANSLATE_INTERPOSE(stream_make_node)
    FS_TRANSLATE_INTERPOSE(stream_watch)
    FS_TRANSLATE_INTERPOSE(stream_mark)
    FS_TRANSLATE_INTERPOSE(stream_read_link)
    FS_TRANSLATE_INTERPOSE(stream_mount)
    FS_TRANSLATE_INTERPOSE(stream_unmount)
    FS_TRANSLATE_INTERPOSE(mount_open)
    FS_TRANSLATE_INTERPOSE(mount_configure)
    FS_TRANSLATE_INTERPOSE(mount_move)
    FS_TRANSLATE_INTERPOSE(mount_attributes_set)
    FS_TRANSLATE_INTERPOSE(stream_volume_query)
    above.stream_xattr_get = xattr_by_uri<&bsc_downcalls::stream_xattr_get, false>;
    above.stream_xattr_set = xattr_by_uri<&bsc_downcalls::stream_xattr_set, true>;
    above.stream_xattr_list = xattr_by_uri<&bsc_downcalls::stream_xattr_list, false>;
    above.stream_xattr_remove = xattr_by_uri<&bsc_downcalls::stream_xattr_remove, true>;
    FS_TRANSLATE_INTERPOSE(object_query)
    FS_TRANSLATE_INTERPOSE(socket_bind)
    FS_TRANSLATE_INTERPOSE(socket_connect)
    FS_TRANSLATE_INTERPOSE(socket_address_query)
    FS_TRANSLATE_INTERPOSE(socket_send)
    FS_TRANSLATE_INTERPOSE(socket_receive)
    // Only an overlay's directories need their reads served here.
    bool overlay = false;
    for (const auto &mount : state().table.mounts())
        overlay = overlay || mount.overlay();
    if (overlay) {
        FS_TRANSLATE_INTERPOSE(stream_read)
        FS_TRANSLATE_INTERPOSE(stream_seek)
        FS_TRANSLATE_INTERPOSE(object_close)
        FS_TRANSLATE_INTERPOSE(stream_attributes_set_by_handle)
        FS_TRANSLATE_INTERPOSE(stream_xattr_set_by_handle)
        FS_TRANSLATE_INTERPOSE(stream_xattr_remove_by_handle)
    }
#undef FS_TRANSLATE_INTERPOSE
    upcalls_below.start = start;
}

} // namespace bsc::fs_translate
