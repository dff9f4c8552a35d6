// SPDX-License-Identifier: MIT
// The working directory and path resolution. Paths are made absolute and normalised
// lexically ("." and ".." removed) so that what reaches the host never depends on the
// runtime's own working directory.
#include "paths.h"

#include <asm-generic/errno.h>
#include <linux/fcntl.h>

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
struct Root {
    char path[kPathMax];
    size_t length;
    Root() { length = static_cast<size_t>(get_root(path, sizeof path)); }
    bool set() const { return length > 1; }
    // Whether the first `n` bytes of `path` are the root or below it.
    bool holds(const char *path, size_t n) const {
        return set() && n >= length && memcmp(path, this->path, length) == 0 &&
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

int64_t get_cwd(char *out, size_t capacity) {
    SpinGuard guard(cwd_lock);
    size_t n = strlen(cwd);
    if (n + 1 > capacity)
        return -ERANGE;
    memcpy(out, cwd, n + 1);
    return static_cast<int64_t>(n);
}

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

// Under a chroot the host must follow no link: an absolute target starts at the process's
// root, not the host's, and ".." in one stops there. The LibOS walks every link itself
// then (real_path), the last one too when the call follows it (a trailing slash follows it
// and still asks for a directory); what reaches the host has no link left but a last one
// the call does not follow, and may end in a name not there yet (a file to create). The
// LibOS's own /proc is left to procfs.
int64_t resolve_links_in_root(char *out, size_t capacity, size_t physical, bool follow) {
    if (freestanding::starts_with(out, "/proc/") || freestanding::equal(out, "/proc"))
        return 0;
    size_t n = strlen(out);
    bool directory = n > 1 && out[n - 1] == '/';
    char real[kPathMax];
    uint32_t how = kRealMissingLast | (follow || directory ? 0 : kRealKeepLast);
    if (int64_t error = real_path(out, real, sizeof real, physical, how))
        return error;
    n = strlen(real);
    if (directory && n > 1) {
        if (n + 2 > sizeof real)
            return -ENAMETOOLONG;
        real[n] = '/', real[n + 1] = 0;
    }
    return freestanding::copy_string(out, capacity, real) ? 0 : -ENAMETOOLONG;
}

} // namespace

int64_t get_root(char *out, size_t capacity) {
    SpinGuard guard(cwd_lock);
    size_t n = strlen(root);
    if (n + 1 > capacity)
        return -ERANGE;
    memcpy(out, root, n + 1);
    return static_cast<int64_t>(n);
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
    if (root.holds(path, n))
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
                     size_t *real_prefix, bool follow) {
    if (path[0] == 0)
        return -ENOENT;
    Root root;
    size_t physical = 1; // the root and the working directory are real paths
    if (path[0] == '/') {
        if (!freestanding::copy_string(out, capacity, root.path))
            return -ENAMETOOLONG;
        physical = root.length;
    } else if (dirfd == AT_FDCWD) {
        if (get_cwd(out, capacity) < 0)
            return -ENAMETOOLONG;
        physical = strlen(out);
    } else {
        FileRef dir(dirfd);
        if (!dir)
            return -EBADF;
        if (dir->type != BSC_TYPE_DIRECTORY || !dir->path)
            return -ENOTDIR;
        if (!freestanding::copy_string(out, capacity, dir->path))
            return -ENAMETOOLONG;
        physical = strlen(out); // a directory keeps its real path (sys/paths.cpp)
    }
    int64_t error = append_normalised(out, capacity, path, true, physical, root);
    if (error == 0 && root.set())
        error = resolve_links_in_root(out, capacity, physical, follow);
    if (real_prefix != nullptr)
        *real_prefix = physical;
    return error;
}

int64_t resolve_user_path(int dirfd, uint64_t path, char *out, size_t capacity,
                          size_t *real_prefix, bool follow) {
    char given[kPathMax];
    int64_t n = string_from_user(given, path, sizeof given);
    if (n < 0)
        return n;
    return resolve_path(dirfd, given, out, capacity, real_prefix, follow);
}

int64_t real_path(const char *absolute, char *out, size_t capacity, size_t real_prefix,
                  uint32_t how) {
    constexpr int kMaxLinks = 40; // as the kernel's MAXSYMLINKS
    char rest[kPathMax], next[kPathMax], uri[kPathMax + 8];
    Root root;
    if (!freestanding::copy_string(rest, sizeof rest, absolute) || capacity < 2 ||
        capacity <= root.length)
        return -ENAMETOOLONG;
    // The resolved prefix is kept as it is; the walk (one query a component) starts after.
    bool at_component = real_prefix < strlen(rest) ? rest[real_prefix] == '/'
                                                   : real_prefix == strlen(rest);
    if (real_prefix <= 1 || !at_component || real_prefix >= capacity)
        real_prefix = 1;
    memcpy(out, rest, real_prefix);
    out[0] = '/', out[real_prefix] = 0;
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
        if (int64_t error = append_normalised(out, capacity, component, false, walked, root))
            return error;
        if (last && (how & kRealKeepLast))
            break;
        bsc_stream_attributes attributes{};
        if (int64_t error = make_uri("file:", out, uri, sizeof uri))
            return error;
        bsc_status status = abi().stream_attributes_query(uri, BSC_QUERY_NOFOLLOW, &attributes);
        if (status == BSC_E_NOT_FOUND && last && (how & kRealMissingLast))
            break;
        if (status != BSC_OK)
            return result_of(status);
        if (attributes.type != BSC_TYPE_SYMLINK)
            continue;
        // A link: what is left to walk is its text followed by the rest of the path; an
        // absolute text starts again at the process's root.
        uint64_t text_length = 0;
        if (++links > kMaxLinks)
            return -ELOOP;
        if (bsc_status read = abi().stream_read_link(uri, next, sizeof next - 1, &text_length))
            return result_of(read);
        if (text_length + strlen(p) + 1 > sizeof next)
            return -ENAMETOOLONG;
        memcpy(next + text_length, p, strlen(p) + 1);
        if (next[0] == '/')
            memcpy(out, root.path, root.length + 1);
        else
            out[kept > 1 ? kept : 1] = 0;
        memcpy(rest, next, strlen(next) + 1);
        p = rest;
    }
    return 0;
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
