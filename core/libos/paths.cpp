// SPDX-License-Identifier: MIT
// The working directory and path resolution. Paths are made absolute and normalised
// lexically ("." and ".." removed) so that what reaches the host never depends on the
// runtime's own working directory.
#include "paths.h"

#include <asm-generic/errno.h>
#include <linux/fcntl.h>
#include <linux/openat2.h>

#include "fd_table.h"
#include "fork_locks.h"
#include "process_tree.h"
#include "procfs.h"
#include "spinlock.h"
#include "user_memory.h"

namespace libos {
namespace {

// The working directory and the root (chroot) are kept as full paths in the guest's path
// space; calls that show a path (getcwd, readlink of /proc links) show it from the root.
// Both are the process's (every thread shares them, as CLONE_FS threads do), inherited by
// fork, kept by exec, and captured with the rest of LibOS memory by a checkpoint.
char cwd[kPathMax] = "/";
char root[kPathMax] = "/";
Spinlock cwd_lock;
LIBOS_FORK_LOCK(cwd_lock);
constexpr uint32_t kMaskUnset = ~0u;
uint32_t mode_mask = kMaskUnset;

// A copy of the root taken once per resolution, so that a chroot in another thread
// changes no walk half-way.
// openat2's RESOLVE_BENEATH and RESOLVE_IN_ROOT make the starting directory the root of
// the lookup instead (`scope`): ".." at it stays there (IN_ROOT) or fails (BENEATH).
struct Root {
    char path[kPathMax];
    size_t length;
    uint64_t scope = 0; // RESOLVE_BENEATH or RESOLVE_IN_ROOT, or 0: the process's root
    Root() { length = static_cast<size_t>(get_root(path, sizeof path)); }
    bool set() const { return length > 1; }
    // Whether the first `n` bytes of `path` are the root or below it.
    bool holds(const char *path, size_t n) const {
        if (length == 1)
            return true;
        return n >= length && memcmp(path, this->path, length) == 0 &&
               (n == length || path[length] == '/');
    }
};

// Whether the absolute `path` is a directory (following links): 0 or -errno.
int64_t check_directory(const char *path) {
    char uri[kPathMax + 8];
    if (int64_t error = make_uri("file:", path, uri, sizeof uri))
        return error;
    bsc_stream_attributes attributes{};
    if (bsc_status status = abi().stream_attributes_query(uri, 0, &attributes))
        return result_of(status);
    return attributes.type == BSC_TYPE_DIRECTORY ? 0 : -ENOTDIR;
}

// Before a "." or ".." that follows components the program named, the kernel has walked
// them: they must exist and be (links to) directories, and ".." leaves the directory a
// link led to, not the link. The prefix becomes its real path. Under /proc the links are
// the LibOS's (procfs.h): they are followed first ("/proc/self/root/.." is "/"), and what
// stays in /proc is walked lexically.
int64_t walk_prefix(char *out, size_t capacity, size_t &physical) {
    if (strlen(out) <= physical)
        return 0;
    if (freestanding::starts_with(out, "/proc/")) {
        physical = 1; // the links followed may lead anywhere
        if (int64_t error = proc_follow_links(out, capacity, true))
            return error;
        if (freestanding::starts_with(out, "/proc/") || strlen(out) <= physical)
            return 0;
    }
    // Only what follows the real prefix is walked: the kernel walks on from the directory
    // it reached (the root, the working directory, a descriptor's directory, the prefix an
    // earlier "." or ".." made real), never from "/" again. Walking the whole prefix again
    // at every ".." cost a query per name per "..", and under fs-translate each query
    // was itself a walk from the guest's "/" (experiments/README.md, fs-translate).
    char real[kPathMax];
    if (int64_t error = real_path(out, real, sizeof real, physical))
        return error;
    if (int64_t error = check_directory(real))
        return error;
    if (!freestanding::copy_string(out, capacity, real))
        return -ENAMETOOLONG;
    physical = strlen(out);
    return 0;
}

// Whether the last component of `path` is "." or "..".
bool last_is_dots(const char *path) {
    size_t end = strlen(path), start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t length = end - start;
    return (length == 1 || length == 2) && path[start] == '.' && path[end - 1] == '.';
}

// Appends `relative` to the absolute `out`, folding "." and ".." (never above `root` from
// within it). The first `physical` bytes of `out` are a real path already (the root, the
// working directory); with `walk`, the components after them are checked as the kernel
// walks them (walk_prefix).
int64_t append_normalised(char *out, size_t capacity, const char *relative, bool walk,
                          size_t &physical, const Root &root) {
    size_t n = strlen(out);
    if (n > 1 && out[n - 1] == '/' && *relative) {
        out[--n] = 0; // a "must be a directory" slash of an earlier last component
        if (physical > n)
            physical = n;
    }
    for (const char *p = relative; *p;) {
        while (*p == '/')
            p++;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t len = end - p;
        if (len == 0)
            break;
        bool dot = len == 1 && p[0] == '.', dot_dot = len == 2 && p[0] == '.' && p[1] == '.';
        if ((dot || dot_dot) && walk) {
            if (int64_t error = walk_prefix(out, capacity, physical))
                return error;
            n = strlen(out);
        }
        if (dot) {
        } else if (dot_dot) {
            // ".." at the process's root stays there (the kernel's follow_dotdot); from a
            // working directory outside it, it climbs to the real "/".
            size_t floor = root.holds(out, n) ? root.length : 1;
            if (n == floor && (root.scope & RESOLVE_BENEATH))
                return -EXDEV; // ".." out of the directory the lookup must stay beneath
            while (n > floor && out[n - 1] != '/')
                n--;
            if (n > floor)
                n--;
            out[n] = 0;
            if (physical > n)
                physical = n;
        } else {
            bool root = n == 1;
            if (n + (root ? 0 : 1) + len + 1 > capacity)
                return -ENAMETOOLONG;
            if (!root)
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
            out[n] = 0;
        }
        p = end;
    }
    // A trailing slash means "must be a directory": keep it for the host to check. So
    // does a last "." or "..": what it names is a directory, reached through any link.
    size_t given = strlen(relative);
    if (given && (relative[given - 1] == '/' || last_is_dots(relative)) && n > 1) {
        if (n + 2 > capacity)
            return -ENAMETOOLONG;
        out[n++] = '/';
        out[n] = 0;
    }
    return 0;
}

} // namespace

void initialise_cwd(const char *absolute) { set_cwd(absolute); }

void set_cwd(const char *absolute) {
    SpinGuard guard(cwd_lock);
    freestanding::copy_string(cwd, sizeof cwd, absolute);
}

namespace {

// A copy of `path` (the cwd or the root, under cwd_lock): its length, or -ERANGE.
int64_t copy_fs_path(const char *path, char *out, size_t capacity) {
    SpinGuard guard(cwd_lock);
    size_t n = strlen(path);
    if (n + 1 > capacity)
        return -ERANGE;
    memcpy(out, path, n + 1);
    return static_cast<int64_t>(n);
}

} // namespace

int64_t get_cwd(char *out, size_t capacity) { return copy_fs_path(cwd, out, capacity); }

uint32_t file_mode_mask() {
    uint32_t mask = __atomic_load_n(&mode_mask, __ATOMIC_RELAXED);
    if (mask != kMaskUnset)
        return mask;
    bsc_system_info info{};
    abi().system_info_query(&info);
    mask = info.file_mode_mask & 0777u;
    uint32_t unset = kMaskUnset;
    __atomic_compare_exchange_n(&mode_mask, &unset, mask, false, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
    return __atomic_load_n(&mode_mask, __ATOMIC_RELAXED);
}

uint32_t exchange_file_mode_mask(uint32_t mask) {
    file_mode_mask(); // the first value is in place before it is exchanged
    uint32_t old = __atomic_exchange_n(&mode_mask, mask & 0777u, __ATOMIC_RELAXED);
    note_umask(mask & 0777u); // the other processes' /proc/PID/status shows it
    return old;
}


namespace {

// What a walk meets at a component.
enum class Met { other, link, magic_link, missing };

// A link below /proc/PID (exe, cwd, root, fd/N, ns/...) is a magic one: the kernel's
// nd_jump_link goes to the object it names, not along a text. /proc/self, /proc/mounts
// and the like are ordinary links.
bool magic_link_path(const char *path) {
    if (!freestanding::starts_with(path, "/proc/"))
        return false;
    for (const char *p = path + 6; *p; p++)
        if (*p == '/')
            return true;
    return false;
}

// What the walk meets at the absolute `path` (its prefix resolved), a link's text in
// `text`. With `proc` (openat2's walk), /proc is the program's: the LibOS's own nodes
// and links; else the host answers for every path.
int64_t meet(const char *path, bool proc, Met &met, char *text, size_t capacity) {
    char host[kPathMax], uri[kPathMax + 8];
    const char *asked = path;
    if (proc && freestanding::starts_with(path, "/proc/")) {
        ProcNode node = proc_node(path);
        met = Met::other;
        if (node == ProcNode::absent) {
            met = Met::missing;
            return 0;
        }
        if (node == ProcNode::link) {
            met = magic_link_path(path) ? Met::magic_link : Met::link;
            return proc_link_text(path, text, capacity) ? 0 : -ENOENT;
        }
        if (node != ProcNode::host && node != ProcNode::shared)
            return 0;
        proc_host_path(path, host, sizeof host);
        asked = host;
    }
    if (int64_t error = make_uri("file:", asked, uri, sizeof uri))
        return error;
    bsc_stream_attributes attributes{};
    bsc_status status = abi().stream_attributes_query(uri, BSC_QUERY_NOFOLLOW, &attributes);
    met = status == BSC_E_NOT_FOUND ? Met::missing : Met::other;
    if (status == BSC_E_NOT_FOUND || attributes.type != BSC_TYPE_SYMLINK)
        return status == BSC_E_NOT_FOUND ? 0 : result_of(status);
    uint64_t length = 0;
    if (bsc_status read = abi().stream_read_link(uri, text, capacity - 1, &length))
        return result_of(read);
    text[length] = 0;
    met = proc && magic_link_path(path) ? Met::magic_link : Met::link;
    return 0;
}

// The host's id of the mount `path` is on (the LibOS's /proc nodes are on the host's
// /proc): 0 or -errno.
int64_t mount_of(const char *path, uint64_t &id) {
    char uri[kPathMax + 8];
    const char *asked = freestanding::starts_with(path, "/proc/") ? "/proc" : path;
    if (int64_t error = make_uri("file:", asked, uri, sizeof uri))
        return error;
    bsc_stream_details details{};
    if (bsc_status status =
            abi().stream_details_query(uri, BSC_QUERY_NOFOLLOW, BSC_DETAIL_MOUNT_ID, &details))
        return result_of(status);
    id = details.mount_id;
    return 0;
}

// One walk along a path, component by component, every link resolved by the LibOS: for
// real_path, under a chroot, and for openat2's RESOLVE_* rules (`resolve`), which it
// checks where the kernel's path walk does.
class Walk {
public:
    Walk(const Root &root, uint64_t resolve, uint32_t how)
        : root_(root), resolve_(resolve), how_(how) {}

    int64_t run(const char *absolute, char *out, size_t capacity, size_t real_prefix);

private:
    // RESOLVE_NO_XDEV: `path` must be on the mount the walk started on.
    int64_t same_mount(const char *path) const {
        uint64_t id = 0;
        if (!(resolve_ & RESOLVE_NO_XDEV))
            return 0;
        if (int64_t error = mount_of(path, id))
            return error;
        return id == start_mount_ ? 0 : -EXDEV;
    }
    // A link met before the end, or at the end of a walk that follows it: the errors
    // openat2's rules give for following it (the kernel's pick_link and nd_jump_link).
    int64_t may_follow(Met met, const char *text) const {
        if (resolve_ & RESOLVE_NO_SYMLINKS)
            return -ELOOP;
        if (met == Met::magic_link) {
            if (resolve_ & RESOLVE_NO_MAGICLINKS)
                return -ELOOP;
            if (text[0] == '/')
                if (int64_t error = same_mount(text))
                    return error;
            return resolve_ & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) ? -EXDEV : 0;
        }
        if (text[0] == '/' && (resolve_ & RESOLVE_BENEATH))
            return -EXDEV; // an absolute text jumps to the root: out of the directory
        return text[0] == '/' ? same_mount(root_.path) : 0;
    }

    const Root &root_;
    uint64_t resolve_;
    uint32_t how_;
    uint64_t start_mount_ = 0;
};

int64_t Walk::run(const char *absolute, char *out, size_t capacity, size_t real_prefix) {
    constexpr int kMaxLinks = 40; // as the kernel's MAXSYMLINKS
    char rest[kPathMax], next[kPathMax];
    if (!freestanding::copy_string(rest, sizeof rest, absolute) || capacity < 2 ||
        capacity <= root_.length)
        return -ENAMETOOLONG;
    // The resolved prefix is kept as it is; the walk (one query a component) starts after.
    bool at_component = real_prefix < strlen(rest) ? rest[real_prefix] == '/'
                                                   : real_prefix == strlen(rest);
    if (real_prefix <= 1 || !at_component || real_prefix >= capacity)
        real_prefix = 1;
    memcpy(out, rest, real_prefix);
    out[0] = '/', out[real_prefix] = 0;
    if (resolve_ & RESOLVE_NO_XDEV)
        if (int64_t error = mount_of(out, start_mount_))
            return error;
    int links = 0;
    for (const char *p = rest + real_prefix; *p;) {
        // The next component, appended to the resolved prefix ("." and ".." fold away).
        while (*p == '/')
            p++;
        size_t length = 0;
        while (p[length] && p[length] != '/')
            length++;
        if (length == 0)
            break;
        char component[256];
        if (length >= sizeof component)
            return -ENAMETOOLONG;
        memcpy(component, p, length);
        component[length] = 0;
        p += length;
        const char *after = p;
        while (*after == '/')
            after++;
        bool last = *after == 0;
        size_t kept = strlen(out);
        size_t walked = 1; // not walked here: the query below does it
        if (int64_t error = append_normalised(out, capacity, component, false, walked, root_))
            return error;
        if (last && (how_ & kRealKeepLast))
            break;
        Met met = Met::other;
        if (int64_t error = meet(out, resolve_ != 0, met, next, sizeof next))
            return error;
        if (met == Met::missing)
            return last && (how_ & kRealMissingLast) ? 0 : -ENOENT;
        if (met == Met::other) {
            if (int64_t error = same_mount(out))
                return error;
            continue;
        }
        if (int64_t error = may_follow(met, next))
            return error;
        if (met == Met::magic_link && last)
            break; // the open file or object itself: the caller's to open (procfs)
        if (met == Met::magic_link && next[0] != '/')
            return -ENOTDIR; // a pipe's or a socket's link leads to no directory
        // A link: what is left to walk is its text followed by the rest of the path; an
        // absolute text starts again at the root (a magic link's at the object's path).
        if (++links > kMaxLinks)
            return -ELOOP;
        if (strlen(next) + strlen(p) + 1 > sizeof next)
            return -ENAMETOOLONG;
        memcpy(next + strlen(next), p, strlen(p) + 1);
        if (met == Met::magic_link)
            out[1] = 0;
        else if (next[0] == '/')
            memcpy(out, root_.path, root_.length + 1);
        else
            out[kept > 1 ? kept : 1] = 0;
        memcpy(rest, next, strlen(next) + 1);
        p = rest;
    }
    return 0;
}

// Under a chroot the host must follow no link: an absolute target starts at the process's
// root, not the host's, and ".." in one stops there; openat2's RESOLVE_* rules are checked
// at every link and mount on the way. The LibOS walks every link itself then, the last one
// too when the call follows it (a trailing slash or a last "." or ".." follows it and
// still asks for a directory); what reaches the host has no link left but a last one the
// call does not follow, and may end in a name not there yet (a file to create). Under a
// chroot alone the LibOS's own /proc is left to procfs.
int64_t walk_links(char *out, size_t capacity, size_t physical, bool follow, const Root &root,
                   uint64_t resolve) {
    if (resolve == 0 && (freestanding::starts_with(out, "/proc/") || freestanding::equal(out, "/proc")))
        return 0;
    size_t n = strlen(out);
    bool directory = n > 1 && (out[n - 1] == '/' || last_is_dots(out));
    char real[kPathMax];
    uint32_t how = kRealMissingLast | (follow || directory ? 0 : kRealKeepLast);
    if (int64_t error = Walk(root, resolve, how).run(out, real, sizeof real, physical))
        return error;
    n = strlen(real);
    if (directory && n > 1) {
        if (n + 2 > sizeof real)
            return -ENAMETOOLONG;
        real[n] = '/', real[n + 1] = 0;
    }
    return freestanding::copy_string(out, capacity, real) ? 0 : -ENAMETOOLONG;
}

// The directory a relative path starts from: the working directory, or `dirfd`'s (an
// open directory keeps its real path, sys/paths.cpp).
int64_t start_directory(int dirfd, char *out, size_t capacity) {
    if (dirfd == AT_FDCWD)
        return get_cwd(out, capacity) < 0 ? -ENAMETOOLONG : 0;
    FileRef dir(dirfd);
    if (!dir)
        return -EBADF;
    if (dir->type != BSC_TYPE_DIRECTORY || !dir->path)
        return -ENOTDIR;
    return freestanding::copy_string(out, capacity, dir->path) ? 0 : -ENAMETOOLONG;
}

// openat2's lookup with RESOLVE_* rules: the path as given, walked from the start (for
// RESOLVE_BENEATH and RESOLVE_IN_ROOT also the lookup's root) by the LibOS, every "."
// and ".." where the walk meets it.
int64_t resolve_scoped(int dirfd, const char *path, char *out, size_t capacity, bool follow,
                       uint64_t resolve) {
    constexpr uint64_t kScopes = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
    Root root;
    if (path[0] != '/' || (resolve & kScopes)) {
        if (int64_t error = start_directory(dirfd, out, capacity))
            return error;
        for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--)
            out[n - 1] = 0; // a directory's path may keep a trailing slash
    }
    if (resolve & kScopes) {
        if (path[0] == '/' && (resolve & RESOLVE_BENEATH))
            return -EXDEV; // the kernel's nd_jump_root
        freestanding::copy_string(root.path, sizeof root.path, out);
        root.length = strlen(root.path);
        root.scope = resolve & kScopes;
    }
    if (path[0] == '/')
        freestanding::copy_string(out, capacity, root.path);
    size_t physical = strlen(out), given = strlen(path);
    if (physical + 1 + given + 1 > capacity)
        return -ENAMETOOLONG;
    out[physical] = '/';
    memcpy(out + physical + 1, path, given + 1);
    return walk_links(out, capacity, physical, follow, root, resolve);
}

} // namespace

int64_t get_root(char *out, size_t capacity) { return copy_fs_path(root, out, capacity); }

namespace {

// Whether `path` is `directory` or lies below it.
bool lies_in(const char *path, const char *directory) {
    size_t n = strlen(directory);
    return freestanding::starts_with(path, directory) && (path[n] == '/' || path[n] == 0);
}

// `path` (kPathMax bytes) moved from below `from` to below `to`, if it lay there and its
// new name fits.
bool move_below(char *path, const char *from, const char *to) {
    if (!lies_in(path, from))
        return false;
    char moved[kPathMax];
    size_t t = strlen(to), rest = strlen(path) - strlen(from);
    if (t + rest + 1 > sizeof moved)
        return false;
    memcpy(moved, to, t);
    memcpy(moved + t, path + strlen(from), rest + 1);
    memcpy(path, moved, t + rest + 1);
    return true;
}

} // namespace

bool holds_directory(const char *path) {
    SpinGuard guard(cwd_lock);
    return lies_in(cwd, path) || lies_in(root, path);
}

void directory_renamed(const char *from, const char *to, bool exchanged) {
    SpinGuard guard(cwd_lock);
    char *const held[] = {cwd, root};
    for (char *path : held)
        if (!move_below(path, from, to) && exchanged)
            move_below(path, to, from);
}

void set_root(const char *absolute) {
    SpinGuard guard(cwd_lock);
    freestanding::copy_string(root, sizeof root, absolute);
}

int64_t path_from_root(const char *path, char *out, size_t capacity, const char *outside) {
    Root root;
    size_t n = strlen(path);
    const char *shown = path;
    const char *prefix = "";
    if (root.set() && root.holds(path, n))
        shown = n == root.length ? "/" : path + root.length;
    else if (root.set())
        prefix = outside;
    size_t p = strlen(prefix), s = strlen(shown);
    if (p + s + 1 > capacity)
        return -ERANGE;
    memcpy(out, prefix, p);
    memcpy(out + p, shown, s + 1);
    return static_cast<int64_t>(p + s);
}

int64_t resolve_path(int dirfd, const char *path, char *out, size_t capacity,
                     size_t *real_prefix, bool follow, uint64_t resolve) {
    if (path[0] == 0)
        return -ENOENT;
    if (real_prefix != nullptr)
        *real_prefix = 1;
    if (resolve != 0)
        return resolve_scoped(dirfd, path, out, capacity, follow, resolve);
    Root root;
    if (path[0] == '/') {
        if (!freestanding::copy_string(out, capacity, root.path))
            return -ENAMETOOLONG;
    } else if (int64_t error = start_directory(dirfd, out, capacity)) {
        return error;
    }
    size_t physical = strlen(out); // the root and the start directory are real paths
    int64_t error = append_normalised(out, capacity, path, true, physical, root);
    if (error == 0 && root.set())
        error = walk_links(out, capacity, physical, follow, root, 0);
    if (real_prefix != nullptr)
        *real_prefix = physical;
    return error;
}

int64_t resolve_user_path(int dirfd, uint64_t path, char *out, size_t capacity,
                          size_t *real_prefix, bool follow, uint64_t resolve) {
    char given[kPathMax];
    int64_t n = string_from_user(given, path, sizeof given);
    if (n < 0)
        return n;
    return resolve_path(dirfd, given, out, capacity, real_prefix, follow, resolve);
}

int64_t real_path(const char *absolute, char *out, size_t capacity, size_t real_prefix,
                  uint32_t how) {
    Root root;
    return Walk(root, 0, how).run(absolute, out, capacity, real_prefix);
}

int64_t make_uri(const char *scheme, const char *absolute, char *out, size_t capacity) {
    size_t s = strlen(scheme), a = strlen(absolute);
    if (s + a + 1 > capacity)
        return -ENAMETOOLONG;
    memcpy(out, scheme, s);
    memcpy(out + s, absolute, a + 1);
    return 0;
}

} // namespace libos
