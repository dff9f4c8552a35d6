// SPDX-License-Identifier: MIT
// Component-by-component path resolution inside the namespace.
#include "resolver.h"

#include "case_folding.h"
#include "directory_cache.h"
#include "paths.h"

namespace bsc::fs_translate {
namespace {

// Puts the components of `path` on the stack `pending` so that the first comes off first.
void push_components(std::vector<std::string> &pending, std::string_view path) {
    auto names = components(path);
    for (auto it = names.rbegin(); it != names.rend(); ++it)
        pending.emplace_back(*it);
}

// Whether `host` exists (not followed); its type into `type`, and its identity into
// `seen` when given. An error other than NOT_FOUND is the walk's.
bsc_status probe(Lookup &lookup, const std::string &host, bool &exists, uint32_t &type,
                 Located *seen = nullptr) {
    bsc_stream_attributes attributes{};
    bsc_status status = lookup.attributes(host, attributes);
    exists = status == BSC_OK;
    type = exists ? attributes.type : uint32_t{BSC_TYPE_UNKNOWN};
    if (exists && seen) {
        seen->device = attributes.device, seen->inode = attributes.inode;
        seen->looked = true, seen->attributes = attributes;
    }
    return status == BSC_E_NOT_FOUND ? BSC_OK : status;
}

// Whether the host's link at `host` with `text` is one of procfs's links to a kernel
// object that has no path ("net:[4026531840]" in /proc/PID/ns, "anon_inode:[eventfd]"):
// only the host's kernel can follow it, to the object itself, which lies in no namespace.
bool kernel_object_link(const std::string &host, const std::string &text) {
    if (host.rfind("/proc/", 0) != 0 || text.empty() || text[0] == '/')
        return false;
    size_t colon = text.find(':');
    return colon != std::string::npos && colon > 0 &&
           (text.compare(0, colon, "anon_inode") == 0 ||
            (colon + 1 < text.size() && text[colon + 1] == '[' && text.back() == ']'));
}

// The root of a mount: its trees exist, of the type checked at start. An overlay's lower
// tree shows under a directory unless the upper one is opaque (an OCI layer that
// replaces everything below it).
bsc_status mount_root(const Mount &mount, Lookup &lookup, Located &root) {
    root = Located{};
    root.mount = &mount;
    root.upper = mount.host;
    root.lower = mount.lower;
    root.in_upper = true;
    root.type = mount.type;
    if (!mount.overlay() || mount.type != BSC_TYPE_DIRECTORY)
        return BSC_OK;
    bool opaque = false;
    uint32_t type;
    bsc_status status = probe(lookup, child_of(mount.host, kOpaqueMarker), opaque, type);
    root.in_lower = !opaque;
    return status;
}

// `name` in the overlay directory `parent`: the upper copy if there is one; else, unless
// a whiteout hides it, the lower one. A directory in both is merged unless the upper one
// is opaque.
bsc_status overlay_child(const Located &parent, std::string_view name, Lookup &lookup,
                         Located &child) {
    child = Located{};
    child.mount = parent.mount;
    child.upper = child_of(parent.upper, name);
    child.lower = child_of(parent.lower, name);
    if (is_overlay_name(name))
        return BSC_OK; // reserved: never shown
    uint32_t lower_type = BSC_TYPE_UNKNOWN;
    bool hidden = false, opaque = false;
    if (parent.in_upper) {
        if (bsc_status status = probe(lookup, child.upper, child.in_upper, child.type, &child))
            return status;
        if (!child.in_upper)
            if (bsc_status status = probe(lookup, child_of(parent.upper, whiteout_name(name)),
                                          hidden, lower_type))
                return status;
        if (child.in_upper && child.type == BSC_TYPE_DIRECTORY)
            if (bsc_status status =
                    probe(lookup, child_of(child.upper, kOpaqueMarker), opaque, lower_type))
                return status;
    }
    if (!parent.in_lower || hidden || opaque ||
        (child.in_upper && child.type != BSC_TYPE_DIRECTORY))
        return BSC_OK;
    Located lower_seen;
    if (bsc_status status = probe(lookup, child.lower, child.in_lower, lower_type, &lower_seen))
        return status;
    if (child.in_upper) { // shows in the merge only as a directory under a directory
        child.in_lower = child.in_lower && lower_type == BSC_TYPE_DIRECTORY;
    } else {
        child.type = lower_type;
        child.device = lower_seen.device, child.inode = lower_seen.inode;
    }
    return BSC_OK;
}

// `name` in the directory `parent`, whose guest path becomes `guest`.
bsc_status locate(const MountTable &table, Lookup &lookup, const Located &parent,
                  std::string_view name, const std::string &guest, Located &child) {
    if (const Mount *mount = table.mount_at(guest))
        return mount_root(*mount, lookup, child);
    if (parent.mount->overlay())
        return overlay_child(parent, name, lookup, child);
    child = Located{};
    child.mount = parent.mount;
    child.upper = child_of(parent.upper, name);
    return probe(lookup, child.upper, child.in_upper, child.type, &child);
}

// In a case-insensitive directory, the stored name that folds as `name` does (the first
// in byte order when several do), or "" when none does.
bsc_status stored_name(Lookup &lookup, const Located &directory, std::string_view name,
                       std::string &stored) {
    std::vector<std::string> names;
    for (bool upper : {true, false}) {
        bool present = upper ? directory.in_upper : directory.in_lower;
        if (!present)
            continue;
        if (bsc_status status = lookup.list(upper ? directory.upper : directory.lower, names))
            return status;
    }
    std::string wanted = folded(name);
    stored.clear();
    for (const auto &candidate : names)
        if (!is_overlay_name(candidate) && folded(candidate) == wanted &&
            (stored.empty() || candidate < stored))
            stored = candidate;
    return BSC_OK;
}

} // namespace

std::string child_of(std::string_view directory, std::string_view name) {
    std::string out(directory);
    if (out != "/")
        out += '/';
    return out += name;
}

std::string whiteout_name(std::string_view name) {
    return std::string(kWhiteoutPrefix) + std::string(name);
}

bool is_overlay_name(std::string_view name) {
    return name.substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix;
}

namespace {

// The walk's use of the cache: the generation it runs in, and whether the deepest
// directory it took from the cache is still to be checked.
struct CacheUse {
    DirectoryCache *cache = nullptr;
    uint64_t generation = 0;
    bool stale = false; // a directory taken from the cache failed its check
};

// Before the walk asks the host anything after taking directories from the cache (and at
// its end), one look at the deepest of them on the host: still a directory, the same one.
// (Its ancestors are walked by the host to get there; a mount's root below it is reached
// through the guest path, which the directory's must still be.) Else the cache is
// forgotten and the walk made again without it.
bool checked(Lookup &lookup, std::vector<Located> &chain, CacheUse &use) {
    size_t deepest = chain.size();
    while (deepest > 0 && !chain[deepest - 1].from_cache)
        deepest--;
    if (deepest == 0)
        return true;
    bsc_stream_attributes attributes{};
    const Located &cached = chain[deepest - 1];
    if (lookup.attributes(cached.host(), attributes) != BSC_OK ||
        attributes.type != BSC_TYPE_DIRECTORY || attributes.device != cached.device ||
        attributes.inode != cached.inode) {
        use.cache->clear();
        use.stale = true;
        return false;
    }
    for (auto &located : chain)
        located.from_cache = false;
    return true;
}

bsc_status walk(const MountTable &table, Lookup &lookup, std::string_view guest, Final final,
                Resolution &out, CacheUse &use) {
    if (guest.empty())
        return BSC_E_NOT_FOUND;
    bool must_be_directory = guest.size() > 1 && guest.back() == '/';
    std::vector<std::string> pending, walked;
    push_components(pending, guest);
    std::vector<Located> chain(1); // chain[i + 1] is walked[i]
    bsc_status status = mount_root(table.mounts()[0], lookup, chain[0]);
    if (status != BSC_OK)
        return status;
    int links = 0;
    out.host_follows = false;
    while (!pending.empty()) {
        std::string name = std::move(pending.back());
        pending.pop_back();
        if (name == "." || name == "..") {
            // What came before was checked to be a directory when it was walked; one taken
            // from the cache is checked before ".." leaves it.
            if (name == ".." && !walked.empty()) {
                if (use.cache && !checked(lookup, chain, use))
                    return BSC_OK;
                walked.pop_back(), chain.pop_back();
            }
            continue;
        }
        walked.push_back(std::move(name));
        bool last = pending.empty();
        std::string path = join(walked);
        Located child;
        if (use.cache && !last && use.cache->find(path, use.generation, child)) {
            child.from_cache = true;
            chain.push_back(std::move(child));
            continue;
        }
        if (use.cache && !checked(lookup, chain, use))
            return BSC_OK;
        if ((status = locate(table, lookup, chain.back(), walked.back(), path, child)))
            return status;
        bool folded = false;
        if (!child.exists() && chain.back().type == BSC_TYPE_DIRECTORY &&
            table.case_insensitive(join({walked.begin(), walked.end() - 1}))) {
            std::string stored;
            if ((status = stored_name(lookup, chain.back(), walked.back(), stored)))
                return status;
            if (!stored.empty() && stored != walked.back()) {
                walked.back() = stored;
                folded = true;
                if ((status = locate(table, lookup, chain.back(), stored, join(walked), child)))
                    return status;
            }
        }
        if (!child.exists()) {
            if (!last)
                return BSC_E_NOT_FOUND;
            chain.push_back(std::move(child));
            break;
        }
        bool follow = !last || final == Final::follow || must_be_directory;
        if (child.type == BSC_TYPE_SYMLINK && follow) {
            std::string text;
            if (++links > kMaxLinks)
                return BSC_E_LOOP;
            status = lookup.read_link(child.host(), text);
            if (status == BSC_E_INVALID) {
                // No link any more: it changed since it was looked at. Look again (this
                // counts as a link followed, so a name that keeps changing ends in LOOP).
                pending.push_back(std::move(walked.back()));
                walked.pop_back();
                continue;
            }
            if (status != BSC_OK)
                return status;
            if (text.empty())
                return BSC_E_NOT_FOUND;
            if (kernel_object_link(child.host(), text)) {
                // The link itself goes to the host, which follows it; the object is no
                // directory, and what the walk saw of the link is not what an open gets.
                if (!last)
                    return BSC_E_NOT_DIRECTORY;
                child.type = BSC_TYPE_UNKNOWN;
                child.device = child.inode = 0;
                chain.push_back(std::move(child));
                out.host_follows = true;
                break;
            }
            walked.pop_back();
            if (text[0] == '/')
                walked.clear(), chain.resize(1);
            push_components(pending, text);
            if (text.back() == '/' && pending.empty())
                must_be_directory = true;
            continue;
        }
        if (!last && child.type != BSC_TYPE_DIRECTORY)
            return BSC_E_NOT_DIRECTORY;
        if (use.cache && !folded && DirectoryCache::cacheable(child))
            use.cache->remember(path, use.generation, child);
        chain.push_back(std::move(child));
    }
    if (use.cache && !checked(lookup, chain, use)) // the path ended in a cached directory
        return BSC_OK;
    out.guest = join(walked);
    out.chain = std::move(chain);
    const Located &located = out.final();
    out.mount = located.mount;
    out.exists = located.exists();
    out.type = located.type;
    out.host = located.host();
    if (must_be_directory && out.host != "/")
        out.host += '/';
    return BSC_OK;
}

} // namespace

bsc_status resolve(const MountTable &table, Lookup &lookup, std::string_view guest, Final final,
                   Resolution &out, DirectoryCache *cache) {
    CacheUse use;
    if (cache && cache->enabled()) {
        use.cache = cache;
        use.generation = cache->begin();
        bsc_status status = walk(table, lookup, guest, final, out, use);
        if (!use.stale)
            return status;
        use = CacheUse{}; // something changed on the host: the walk made afresh
    }
    return walk(table, lookup, guest, final, out, use);
}

} // namespace bsc::fs_translate
