// SPDX-License-Identifier: MIT
// ustat: the free blocks and inodes of the file system on a device, as vfs_ustat answers
// them from its superblock. The LibOS finds that file system where the runtime's mount
// table (its /proc/self/mountinfo, which the program shares) mounts the device, and asks
// the host about it there.
#include <asm-generic/errno.h>

#include "heap.h"
#include "paths.h"
#include "stat.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Device {
    uint32_t major, minor;
};

// The mount point field of one mountinfo line ("ID PARENT MAJOR:MINOR ROOT POINT ...") if
// the line mounts `device`, its \\ooo escapes undone; false otherwise.
bool mount_point_of(const char *line, Device device, char *point, size_t capacity) {
    unsigned major = 0, minor = 0;
    const char *p = line;
    for (int field = 0; field < 2 && *p; field++) { // past the id and the parent's id
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
    }
    for (; *p >= '0' && *p <= '9'; p++)
        major = major * 10 + static_cast<unsigned>(*p - '0');
    if (*p++ != ':')
        return false;
    for (; *p >= '0' && *p <= '9'; p++)
        minor = minor * 10 + static_cast<unsigned>(*p - '0');
    if (major != device.major || minor != device.minor || *p != ' ')
        return false;
    p++;
    while (*p && *p != ' ') // the root within the file system
        p++;
    if (*p++ != ' ')
        return false;
    size_t n = 0;
    for (; *p && *p != ' ' && n + 1 < capacity; n++) {
        bool escaped = p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                       p[3] >= '0' && p[3] <= '7';
        point[n] = escaped ? static_cast<char>((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'))
                           : *p;
        p += escaped ? 4 : 1;
    }
    point[n] = 0;
    return n > 0;
}

// What the host says of the file system mounted at `point`, if it is on `device` (the
// path may lead elsewhere in the guest's namespace): the status, BSC_E_NOT_FOUND if not.
bsc_status volume_at(const char *point, Device device, bsc_volume_info &info) {
    char uri[kPathMax + 8];
    if (make_uri("file:", point, uri, sizeof uri) != 0)
        return BSC_E_NOT_FOUND;
    bsc_stream_attributes attributes{};
    if (abi().stream_attributes_query(uri, 0, &attributes) != BSC_OK ||
        device_major(attributes.device) != device.major ||
        device_minor(attributes.device) != device.minor)
        return BSC_E_NOT_FOUND;
    return abi().stream_volume_query(uri, &info);
}

// Walks the runtime's mountinfo line by line for a mount of `device` the host reports:
// BSC_OK, BSC_E_NOT_FOUND if none mounts it, BSC_E_NOT_SUPPORTED if one does but the
// guest's namespace leads elsewhere from its mount point.
bsc_status find_volume(Device device, bsc_volume_info &info) {
    bsc_handle table;
    if (abi().stream_open("file:/proc/self/mountinfo", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0,
                          &table) != BSC_OK)
        return BSC_E_NOT_SUPPORTED;
    constexpr size_t kSize = 8192;
    char *buffer = static_cast<char *>(allocate(kSize + 1));
    char point[kPathMax];
    bsc_status found = BSC_E_NOT_FOUND;
    size_t kept = 0; // the start of a line the last read cut, moved to the front
    for (;;) {
        uint64_t done = 0;
        if (abi().stream_read(table, BSC_AT_POSITION, buffer + kept, kSize - kept, &done) != BSC_OK)
            done = 0;
        size_t size = kept + done, start = 0;
        for (size_t i = 0; i < size && found != BSC_OK; i++) {
            if (buffer[i] != '\n')
                continue;
            buffer[i] = 0;
            if (mount_point_of(buffer + start, device, point, sizeof point))
                found = volume_at(point, device, info) == BSC_OK ? BSC_OK : BSC_E_NOT_SUPPORTED;
            start = i + 1;
        }
        if (found == BSC_OK || done == 0 || (start == 0 && size == kSize))
            break; // found, the end, or a line longer than the buffer
        memmove(buffer, buffer + start, size - start);
        kept = size - start;
    }
    release(buffer, kSize + 1);
    abi().object_close(table);
    return found;
}

} // namespace

int64_t sys_ustat(Syscall &c) {
    auto encoded = static_cast<uint32_t>(c.arg[0]);
    Device device{(encoded & 0xfff00) >> 8, (encoded & 0xff) | ((encoded >> 12) & 0xfff00)};
    bsc_volume_info info{};
    bsc_status status = find_volume(device, info);
    if (status == BSC_E_NOT_FOUND)
        return -EINVAL; // no file system on that device (user_get_super)
    if (status == BSC_E_NOT_SUPPORTED) {
        report_unsupported("ustat", "a device mounted where the guest's namespace leads elsewhere");
        return -ENOSYS;
    }
    if (status != BSC_OK)
        return result_of(status);
    struct {
        int32_t free_blocks; // f_tfree
        uint64_t free_inodes; // f_tinode
        char name[6], pack[6];
    } answer{};
    answer.free_blocks = static_cast<int32_t>(info.blocks_free);
    answer.free_inodes = info.files_free;
    return put_user(c.arg[1], answer) ? 0 : -EFAULT;
}

} // namespace libos
