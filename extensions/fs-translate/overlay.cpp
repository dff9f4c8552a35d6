// SPDX-License-Identifier: MIT
// Copy-up, whiteouts, opaque directories and merged listings of an overlay mount, all
// made through the table below.
#include "overlay.h"

#include <cstddef>
#include <cstring>
#include <set>
#include <string_view>

#include "directory_records.h"
#include "translator.h"

namespace bsc::fs_translate {
namespace {

const bsc_downcalls &below() { return *state().below; }

std::string file_uri(const std::string &host) { return "file:" + host; }

// Closes a handle when it goes out of scope.
struct Handle {
    bsc_handle value = BSC_NO_HANDLE;
    ~Handle() {
        if (value != BSC_NO_HANDLE)
            below().object_close(value);
    }
};

bsc_status copy_file(const std::string &from, const std::string &to, uint32_t mode) {
    Handle source, target;
    if (bsc_status status = below().stream_open(file_uri(from).c_str(), BSC_ACCESS_READ, 0,
                                                BSC_CREATE_NEVER, BSC_OPTION_NOFOLLOW,
                                                &source.value))
        return status;
    if (bsc_status status = below().stream_open(file_uri(to).c_str(), BSC_ACCESS_WRITE, mode,
                                                BSC_CREATE_ALWAYS, 0, &target.value))
        return status;
    std::vector<char> buffer(1 << 20);
    for (;;) {
        uint64_t got = 0;
        if (bsc_status status = below().stream_read(source.value, BSC_AT_POSITION, buffer.data(),
                                                    buffer.size(), &got))
            return status;
        if (got == 0)
            return BSC_OK;
        for (uint64_t written = 0; written < got;) {
            uint64_t done = 0;
            if (bsc_status status = below().stream_write(target.value, BSC_AT_POSITION,
                                                         buffer.data() + written, got - written,
                                                         &done))
                return status;
            written += done;
        }
    }
}

// Copies one lower name to its upper path, then its mode, owner and times.
bsc_status copy_one(const Located &name) {
    bsc_stream_attributes attributes{};
    if (bsc_status status = below().stream_attributes_query(file_uri(name.lower).c_str(),
                                                            BSC_QUERY_NOFOLLOW, &attributes))
        return status;
    bsc_status status = BSC_OK;
    if (name.type == BSC_TYPE_DIRECTORY) {
        Handle directory;
        status = below().stream_open(("dir:" + name.upper).c_str(), BSC_ACCESS_READ,
                                     attributes.mode, BSC_CREATE_ALWAYS, 0, &directory.value);
        if (status == BSC_E_EXISTS) // copied up already, through another path to it
            return BSC_OK;
    } else if (name.type == BSC_TYPE_FILE) {
        status = copy_file(name.lower, name.upper, attributes.mode);
    } else if (name.type == BSC_TYPE_SYMLINK) {
        std::string text;
        BelowLookup lookup;
        if ((status = lookup.read_link(name.lower, text)) == BSC_OK)
            status = below().stream_link(file_uri(name.upper).c_str(), text.c_str(),
                                         BSC_LINK_SYMBOLIC);
    } else if (name.type == BSC_TYPE_PIPE || name.type == BSC_TYPE_SOCKET ||
               name.type == BSC_TYPE_CHAR_DEVICE || name.type == BSC_TYPE_BLOCK_DEVICE) {
        // A special file is made afresh, as overlayfs does (a device node only where the
        // host lets the caller make one).
        status = below().stream_make_node(file_uri(name.upper).c_str(), name.type,
                                          attributes.mode & 07777, attributes.rdev);
    } else {
        return BSC_E_NOT_SUPPORTED;
    }
    if (status != BSC_OK)
        return status;
    // The owner only when the process may give it (root), the times always; the mode last,
    // since changing the owner may clear set-id bits.
    uint32_t flags = name.type == BSC_TYPE_SYMLINK ? BSC_QUERY_NOFOLLOW : 0;
    below().stream_attributes_set(file_uri(name.upper).c_str(), flags,
                                  BSC_SET_OWNER | BSC_SET_GROUP, &attributes);
    uint32_t which = BSC_SET_ACCESS_TIME | BSC_SET_MODIFY_TIME;
    if (name.type != BSC_TYPE_SYMLINK)
        which |= BSC_SET_MODE;
    return below().stream_attributes_set(file_uri(name.upper).c_str(), flags, which, &attributes);
}

void append_record(std::vector<char> &out, const bsc_dirent &record) {
    const char *begin = reinterpret_cast<const char *>(&record);
    out.insert(out.end(), begin, begin + record.record_length);
}

bool is_dots(std::string_view name) { return name == "." || name == ".."; }

std::string leaf_of(const Resolution &r) { return r.guest.substr(r.guest.rfind('/') + 1); }

// Creates an empty file at `host` (a whiteout or an opaque marker).
bsc_status write_marker(const std::string &host) {
    bsc_handle marker = BSC_NO_HANDLE;
    bsc_status status = below().stream_open(file_uri(host).c_str(), BSC_ACCESS_WRITE, 0644,
                                            BSC_CREATE_TRY, 0, &marker);
    if (status == BSC_OK)
        below().object_close(marker);
    return status;
}

// Hides the final name's lower copy: a whiteout in its parent's upper directory.
bsc_status write_whiteout(Resolution &r) {
    if (bsc_status status = copy_up(r, r.chain.size() - 2))
        return status;
    return write_marker(child_of(r.parent().upper, whiteout_name(leaf_of(r))));
}

} // namespace

bsc_status copy_up(Resolution &r, size_t last) {
    for (size_t i = 1; i <= last && i < r.chain.size(); i++) {
        Located &name = r.chain[i];
        if (!name.mount->overlay() || name.in_upper || !name.in_lower)
            continue;
        if (bsc_status status = copy_one(name))
            return status;
        name.in_upper = true;
        name.device = name.inode = 0; // a new object, not the one the walk saw
    }
    if (last + 1 >= r.chain.size()) {
        r.host = r.final().host();
        r.exists = r.final().exists();
    }
    return BSC_OK;
}

bsc_status prepare_create(Resolution &r, bool &was_hidden) {
    was_hidden = false;
    if (r.chain.size() < 2)
        return BSC_OK;
    if (bsc_status status = copy_up(r, r.chain.size() - 2))
        return status;
    const Located &parent = r.parent();
    std::string whiteout = child_of(parent.upper, whiteout_name(leaf_of(r)));
    bsc_status status = below().stream_delete(file_uri(whiteout).c_str(), 0);
    was_hidden = status == BSC_OK;
    return status == BSC_E_NOT_FOUND ? BSC_OK : status;
}

bsc_status make_opaque(const std::string &upper) {
    return write_marker(child_of(upper, kOpaqueMarker));
}

bsc_status require_empty(const Located &directory) {
    std::vector<char> records;
    if (bsc_status status = merged_listing(directory, records))
        return status;
    bool empty = true;
    for_each_record(records, [&](const bsc_dirent &record) {
        if (!is_dots(record.name))
            empty = false;
    });
    return empty ? BSC_OK : BSC_E_NOT_EMPTY;
}

bsc_status remove_from_merge(Resolution &r, uint32_t flags) {
    Located &name = r.chain.back();
    if (name.in_upper) {
        if (name.type == BSC_TYPE_DIRECTORY) {
            // Its whiteouts and opaque marker are not entries to the guest: they go first.
            std::vector<char> records;
            if (bsc_status status = read_directory(below(), name.upper, records))
                return status;
            std::vector<std::string> reserved;
            for_each_record(records, [&](const bsc_dirent &record) {
                if (is_overlay_name(record.name))
                    reserved.emplace_back(record.name);
            });
            for (const auto &entry : reserved)
                below().stream_delete(file_uri(child_of(name.upper, entry)).c_str(), 0);
        }
        if (bsc_status status = below().stream_delete(file_uri(name.upper).c_str(), flags))
            return status;
    }
    return lower_has(r) ? write_whiteout(r) : BSC_OK;
}

bool lower_has(const Resolution &r) {
    const Located &name = r.final();
    if (name.in_lower)
        return true;
    if (r.chain.size() < 2 || !r.parent().in_lower)
        return false;
    bsc_stream_attributes attributes{};
    return below().stream_attributes_query(file_uri(name.lower).c_str(), BSC_QUERY_NOFOLLOW,
                                           &attributes) == BSC_OK;
}

bsc_status merged_listing(const Located &directory, std::vector<char> &records) {
    std::vector<char> upper, lower;
    if (directory.in_upper)
        if (bsc_status status = read_directory(below(), directory.upper, upper))
            return status;
    if (directory.in_lower)
        if (bsc_status status = read_directory(below(), directory.lower, lower))
            return status;
    std::set<std::string, std::less<>> shown, hidden;
    bool opaque = false;
    records.clear();
    for_each_record(upper, [&](const bsc_dirent &record) {
        std::string_view name = record.name;
        if (name == kOpaqueMarker) {
            opaque = true;
        } else if (is_overlay_name(name)) {
            hidden.emplace(name.substr(kWhiteoutPrefix.size()));
        } else {
            shown.emplace(name);
            append_record(records, record);
        }
    });
    if (opaque)
        return BSC_OK;
    for_each_record(lower, [&](const bsc_dirent &record) {
        std::string_view name = record.name;
        if (!shown.count(name) && !hidden.count(name) && !is_overlay_name(name))
            append_record(records, record);
    });
    return BSC_OK;
}

} // namespace bsc::fs_translate

namespace bsc::fs_translate {

// ---- The calls ----------------------------------------------------------------------------

bsc_status overlay_open(Resolution &r, std::string_view scheme, uint32_t access, uint32_t mode,
                        uint32_t create, uint32_t options, bsc_handle *handle) {
    std::string host;
    if (!r.exists) {
        if (create == BSC_CREATE_NEVER)
            return BSC_E_NOT_FOUND;
        if (is_overlay_name(leaf_of(r)))
            return BSC_E_NOT_PERMITTED; // reserved for whiteouts
        bool was_hidden = false;
        if (bsc_status status = prepare_create(r, was_hidden))
            return status;
        host = r.final().upper + (r.host.back() == '/' ? "/" : "");
        bsc_status status = below().stream_open((std::string(scheme) + host).c_str(), access, mode,
                                                create, options, handle);
        if (status == BSC_OK && scheme == "dir:" && was_hidden)
            status = make_opaque(r.final().upper);
        return status;
    }
    bool writes = (access & (BSC_ACCESS_WRITE | BSC_ACCESS_APPEND)) != 0 ||
                  (options & BSC_OPTION_TRUNCATE) != 0;
    if (writes && r.type == BSC_TYPE_FILE && create != BSC_CREATE_ALWAYS)
        if (bsc_status status = copy_up(r, r.chain.size() - 1))
            return status;
    return below().stream_open((std::string(scheme) + r.host).c_str(), access, mode, create,
                               options, handle);
}

bsc_status overlay_delete(Resolution &r, uint32_t flags) {
    if (!r.exists)
        return BSC_E_NOT_FOUND;
    bool directory = (flags & BSC_DELETE_DIRECTORY) != 0;
    if (directory != (r.type == BSC_TYPE_DIRECTORY))
        return directory ? BSC_E_NOT_DIRECTORY : BSC_E_IS_DIRECTORY;
    if (directory)
        if (bsc_status status = require_empty(r.final()))
            return status;
    return remove_from_merge(r, flags);
}

namespace {

// RENAME_EXCHANGE: both names copied up and exchanged in UPPER. A directory that LOWER
// has is EXDEV, as for a rename; one that lands where LOWER has a directory of that name
// is made opaque, so that the lower one does not merge into it.
bsc_status overlay_exchange(Resolution &source, Resolution &target, uint32_t flags) {
    if (!source.exists || !target.exists)
        return BSC_E_NOT_FOUND;
    bool source_in_lower = lower_has(source), target_in_lower = lower_has(target);
    bool source_directory = source.type == BSC_TYPE_DIRECTORY;
    bool target_directory = target.type == BSC_TYPE_DIRECTORY;
    if ((source_directory && source_in_lower) || (target_directory && target_in_lower))
        return BSC_E_CROSS_DEVICE;
    if (source.guest == target.guest)
        return BSC_OK;
    if (bsc_status status = copy_up(source, source.chain.size() - 1))
        return status;
    if (bsc_status status = copy_up(target, target.chain.size() - 1))
        return status;
    if (bsc_status status = below().stream_rename(file_uri(source.final().upper).c_str(),
                                                  file_uri(target.final().upper).c_str(), flags))
        return status;
    if (target_directory && source_in_lower)
        if (bsc_status status = make_opaque(source.final().upper))
            return status;
    return source_directory && target_in_lower ? make_opaque(target.final().upper) : BSC_OK;
}

} // namespace

bsc_status overlay_rename(Resolution &source, Resolution &target, uint32_t flags) {
    if (!source.exists)
        return BSC_E_NOT_FOUND;
    if (is_overlay_name(leaf_of(target)))
        return BSC_E_NOT_PERMITTED;
    if (flags & BSC_RENAME_EXCHANGE)
        return overlay_exchange(source, target, flags);
    if (source.guest == target.guest)
        return BSC_OK;
    bool directory = source.type == BSC_TYPE_DIRECTORY;
    bool source_in_lower = lower_has(source);
    if (directory && source_in_lower)
        return BSC_E_CROSS_DEVICE; // as overlayfs without redirect_dir: the caller copies
    bool target_hidden = false;
    if (target.exists) {
        if (flags & BSC_RENAME_NOREPLACE)
            return BSC_E_EXISTS;
        bool target_directory = target.type == BSC_TYPE_DIRECTORY;
        if (target_directory != directory)
            return directory ? BSC_E_NOT_DIRECTORY : BSC_E_IS_DIRECTORY;
        if (target_directory) {
            if (bsc_status status = require_empty(target.final()))
                return status;
            if (bsc_status status = remove_from_merge(target, BSC_DELETE_DIRECTORY))
                return status;
            target_hidden = true;
        }
    }
    if (bsc_status status = copy_up(source, source.chain.size() - 1))
        return status;
    bool was_hidden = false;
    if (bsc_status status = prepare_create(target, was_hidden))
        return status;
    target_hidden = target_hidden || was_hidden || lower_has(target);
    if (bsc_status status = below().stream_rename(file_uri(source.final().upper).c_str(),
                                                  file_uri(target.final().upper).c_str(),
                                                  flags & BSC_RENAME_NOREPLACE))
        return status;
    if (source_in_lower)
        if (bsc_status status = write_whiteout(source))
            return status;
    return directory && target_hidden ? make_opaque(target.final().upper) : BSC_OK;
}

bsc_status overlay_link(Resolution &name, Resolution *existing, const char *text, uint32_t kind) {
    if (name.exists)
        return BSC_E_EXISTS;
    if (is_overlay_name(leaf_of(name)))
        return BSC_E_NOT_PERMITTED;
    if (existing)
        if (bsc_status status = copy_up(*existing, existing->chain.size() - 1))
            return status;
    bool was_hidden = false;
    if (bsc_status status = prepare_create(name, was_hidden))
        return status;
    std::string target = existing ? file_uri(existing->final().upper) : std::string(text);
    return below().stream_link(file_uri(name.final().upper).c_str(), target.c_str(), kind);
}

bsc_status overlay_make_node(Resolution &name, uint32_t type, uint32_t mode, uint64_t device) {
    if (name.exists)
        return BSC_E_EXISTS;
    if (is_overlay_name(leaf_of(name)))
        return BSC_E_NOT_PERMITTED;
    bool was_hidden = false;
    if (bsc_status status = prepare_create(name, was_hidden))
        return status;
    return below().stream_make_node(file_uri(name.final().upper).c_str(), type, mode, device);
}

bsc_status overlay_change(Resolution &r) {
    if (!r.exists)
        return BSC_E_NOT_FOUND;
    return copy_up(r, r.chain.size() - 1);
}

} // namespace bsc::fs_translate
