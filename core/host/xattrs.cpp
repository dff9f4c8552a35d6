// SPDX-License-Identifier: MIT
// Extended attributes (since ABI 1.2): get, set, list and remove, by URI or by handle,
// each pair over one helper that picks the path, link or descriptor form of the call.
#include <sys/xattr.h>

#include <string>

#include "guest_memory.h"
#include "host_calls.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

// Linux's own limit for a name; the ABI's strings are longer.
constexpr size_t kMaxNameBytes = 4096;
constexpr uint32_t kSetFlags = BSC_XATTR_NOFOLLOW | BSC_XATTR_CREATE | BSC_XATTR_REPLACE;

// The object an extended-attribute call acts on: a path (followed or not) or an open
// descriptor.
struct XattrTarget {
    int fd = -1;
    std::string path;
    bool nofollow = false;

    ssize_t get(const char *name, void *value, size_t size) const {
        if (fd >= 0)
            return ::fgetxattr(fd, name, value, size);
        return nofollow ? ::lgetxattr(path.c_str(), name, value, size)
                        : ::getxattr(path.c_str(), name, value, size);
    }
    int set(const char *name, const void *value, size_t size, int flags) const {
        if (fd >= 0)
            return ::fsetxattr(fd, name, value, size, flags);
        return nofollow ? ::lsetxattr(path.c_str(), name, value, size, flags)
                        : ::setxattr(path.c_str(), name, value, size, flags);
    }
    ssize_t list(char *names, size_t size) const {
        if (fd >= 0)
            return ::flistxattr(fd, names, size);
        return nofollow ? ::llistxattr(path.c_str(), names, size)
                        : ::listxattr(path.c_str(), names, size);
    }
    int remove(const char *name) const {
        if (fd >= 0)
            return ::fremovexattr(fd, name);
        return nofollow ? ::lremovexattr(path.c_str(), name) : ::removexattr(path.c_str(), name);
    }
};

// A by-URI target (file: or dir:); only BSC_XATTR_NOFOLLOW and `allowed` may be set.
bsc_status target_of(const char *uri, uint32_t flags, uint32_t allowed, XattrTarget &out) {
    if (flags & ~allowed)
        return BSC_E_INVALID;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed))
        return s;
    out.path = std::move(parsed.path);
    out.nofollow = flags & BSC_XATTR_NOFOLLOW;
    return BSC_OK;
}

// A by-handle target; the stream object stays alive through `keep`.
bsc_status target_of(bsc_handle handle, XattrTarget &out, std::shared_ptr<Object> &keep) {
    keep = find_stream(handle);
    if (!keep)
        return BSC_E_BAD_HANDLE;
    out.fd = keep->fd;
    return BSC_OK;
}

// Both calls that read into a guest buffer (get, list): the buffer goes straight to the
// kernel; size 0 asks for the size only. The length written is what the kernel returned.
template <class Read> bsc_status read_into(uint64_t *length, Read read) {
    if (length == nullptr)
        return BSC_E_FAULT;
    ssize_t n = read();
    if (n < 0)
        return errno_status();
    return write_guest(length, static_cast<uint64_t>(n));
}

bsc_status get(const XattrTarget &target, const char *name, void *value, uint64_t size,
               uint64_t *length) {
    std::string key;
    if (bsc_status s = read_guest_string(name, key, kMaxNameBytes))
        return s;
    return read_into(length, [&] { return target.get(key.c_str(), value, size); });
}

bsc_status set(const XattrTarget &target, uint32_t flags, const char *name, const void *value,
               uint64_t size) {
    std::string key;
    if (bsc_status s = read_guest_string(name, key, kMaxNameBytes))
        return s;
    int linux_flags = (flags & BSC_XATTR_CREATE ? XATTR_CREATE : 0) |
                      (flags & BSC_XATTR_REPLACE ? XATTR_REPLACE : 0);
    return check(target.set(key.c_str(), value, size, linux_flags));
}

bsc_status remove(const XattrTarget &target, const char *name) {
    std::string key;
    if (bsc_status s = read_guest_string(name, key, kMaxNameBytes))
        return s;
    return check(target.remove(key.c_str()));
}

} // namespace
} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_stream_xattr_get(const char *uri, uint32_t flags, const char *name,
                                            void *value, uint64_t size, uint64_t *length) {
    XattrTarget target;
    if (bsc_status s = target_of(uri, flags, BSC_XATTR_NOFOLLOW, target))
        return s;
    return get(target, name, value, size, length);
}

extern "C" bsc_status host_stream_xattr_get_by_handle(bsc_handle handle, const char *name,
                                                      void *value, uint64_t size,
                                                      uint64_t *length) {
    XattrTarget target;
    std::shared_ptr<Object> keep;
    if (bsc_status s = target_of(handle, target, keep))
        return s;
    return get(target, name, value, size, length);
}

extern "C" bsc_status host_stream_xattr_set(const char *uri, uint32_t flags, const char *name,
                                            const void *value, uint64_t size) {
    XattrTarget target;
    if (bsc_status s = target_of(uri, flags, kSetFlags, target))
        return s;
    return set(target, flags, name, value, size);
}

extern "C" bsc_status host_stream_xattr_set_by_handle(bsc_handle handle, uint32_t flags,
                                                      const char *name, const void *value,
                                                      uint64_t size) {
    if (flags & ~uint32_t{BSC_XATTR_CREATE | BSC_XATTR_REPLACE})
        return BSC_E_INVALID;
    XattrTarget target;
    std::shared_ptr<Object> keep;
    if (bsc_status s = target_of(handle, target, keep))
        return s;
    return set(target, flags, name, value, size);
}

extern "C" bsc_status host_stream_xattr_list(const char *uri, uint32_t flags, char *names,
                                             uint64_t size, uint64_t *length) {
    XattrTarget target;
    if (bsc_status s = target_of(uri, flags, BSC_XATTR_NOFOLLOW, target))
        return s;
    return read_into(length, [&] { return target.list(names, size); });
}

extern "C" bsc_status host_stream_xattr_list_by_handle(bsc_handle handle, char *names,
                                                       uint64_t size, uint64_t *length) {
    XattrTarget target;
    std::shared_ptr<Object> keep;
    if (bsc_status s = target_of(handle, target, keep))
        return s;
    return read_into(length, [&] { return target.list(names, size); });
}

extern "C" bsc_status host_stream_xattr_remove(const char *uri, uint32_t flags,
                                               const char *name) {
    XattrTarget target;
    if (bsc_status s = target_of(uri, flags, BSC_XATTR_NOFOLLOW, target))
        return s;
    return remove(target, name);
}

extern "C" bsc_status host_stream_xattr_remove_by_handle(bsc_handle handle, const char *name) {
    XattrTarget target;
    std::shared_ptr<Object> keep;
    if (bsc_status s = target_of(handle, target, keep))
        return s;
    return remove(target, name);
}
