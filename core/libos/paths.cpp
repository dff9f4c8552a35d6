// SPDX-License-Identifier: MIT
// The working directory and path resolution. Paths are made absolute and normalised
// lexically ("." and ".." removed) so that what reaches the host never depends on the
// runtime's own working directory.
#include "paths.h"

#include <asm-generic/errno.h>
#include <linux/fcntl.h>

#include "fd_table.h"
#include "spinlock.h"
#include "user_memory.h"

namespace libos {
namespace {

char cwd[kPathMax] = "/";
Spinlock cwd_lock;

// Appends `relative` to the absolute `out`, folding "." and "..".
int64_t append_normalised(char *out, size_t capacity, const char *relative) {
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
        if (len == 1 && p[0] == '.') {
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 1 && out[n - 1] != '/')
                n--;
            if (n > 1)
                n--;
            out[n] = 0;
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
    // A trailing slash means "must be a directory": keep it for the host to check.
    size_t given = strlen(relative);
    if (given && relative[given - 1] == '/' && n > 1) {
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

int64_t resolve_path(int dirfd, const char *path, char *out, size_t capacity) {
    if (path[0] == 0)
        return -ENOENT;
    if (path[0] == '/') {
        out[0] = '/', out[1] = 0;
    } else if (dirfd == AT_FDCWD) {
        if (get_cwd(out, capacity) < 0)
            return -ENAMETOOLONG;
    } else {
        FileRef dir(dirfd);
        if (!dir)
            return -EBADF;
        if (dir->type != BSC_TYPE_DIRECTORY || !dir->path)
            return -ENOTDIR;
        if (!freestanding::copy_string(out, capacity, dir->path))
            return -ENAMETOOLONG;
    }
    return append_normalised(out, capacity, path);
}

int64_t resolve_user_path(int dirfd, uint64_t path, char *out, size_t capacity) {
    char given[kPathMax];
    int64_t n = string_from_user(given, path, sizeof given);
    if (n < 0)
        return n;
    return resolve_path(dirfd, given, out, capacity);
}

int64_t real_path(const char *absolute, char *out, size_t capacity) {
    constexpr int kMaxLinks = 40; // as the kernel's MAXSYMLINKS
    char rest[kPathMax], next[kPathMax], uri[kPathMax + 8];
    if (!freestanding::copy_string(rest, sizeof rest, absolute) || capacity < 2)
        return -ENAMETOOLONG;
    out[0] = '/', out[1] = 0;
    int links = 0;
    for (const char *p = rest; *p;) {
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
        size_t kept = strlen(out);
        if (int64_t error = append_normalised(out, capacity, component))
            return error;
        bsc_stream_attributes attributes{};
        if (int64_t error = make_uri("file:", out, uri, sizeof uri))
            return error;
        if (bsc_status status = abi().stream_attributes_query(uri, BSC_QUERY_NOFOLLOW, &attributes))
            return result_of(status);
        if (attributes.type != BSC_TYPE_SYMLINK)
            continue;
        // A link: what is left to walk is its text followed by the rest of the path.
        uint64_t text_length = 0;
        if (++links > kMaxLinks)
            return -ELOOP;
        if (bsc_status status = abi().stream_read_link(uri, next, sizeof next - 1, &text_length))
            return result_of(status);
        if (text_length + strlen(p) + 1 > sizeof next)
            return -ENAMETOOLONG;
        memcpy(next + text_length, p, strlen(p) + 1);
        out[next[0] == '/' ? 1 : (kept > 1 ? kept : 1)] = 0;
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
