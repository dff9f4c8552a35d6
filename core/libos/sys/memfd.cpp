// SPDX-License-Identifier: MIT
// memfd_create: an anonymous regular file, made as a host file that is deleted at once
// (in /dev/shm, memory-backed where the host has it, else /tmp).
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>

#include "fd_table.h"
#include "format.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kCloexec = 1, kAllowSealing = 2, kHugetlb = 4, kNoexecSeal = 8, kExec = 0x10;
constexpr uint64_t kAllFlags = kCloexec | kAllowSealing | kHugetlb | kNoexecSeal | kExec;
constexpr uint64_t kHugeSizeBits = uint64_t{0x3f} << 26; // MFD_HUGE_MASK << MFD_HUGE_SHIFT
constexpr size_t kNameMax = 249;                           // NAME_MAX - strlen("memfd:")
constexpr uint32_t kLargeFile = 0100000;                   // O_LARGEFILE, as F_GETFL shows it

// The kernel's checks, in its order: unknown flags, EXEC with NOEXEC_SEAL.
int64_t check_flags(uint64_t flags) {
    uint64_t allowed = flags & kHugetlb ? kAllFlags | kHugeSizeBits : kAllFlags;
    if ((flags & ~allowed) || ((flags & kExec) && (flags & kNoexecSeal)))
        return -EINVAL;
    return 0;
}

// Creates and unlinks a host file with a random name in the first directory that takes
// it; its handle, or BSC_NO_HANDLE.
bsc_handle anonymous_host_file() {
    const char *const directories[] = {"/dev/shm", "/tmp"};
    for (const char *directory : directories) {
        uint64_t random = 0;
        abi().random_read(&random, sizeof random);
        char uri[64];
        freestanding::format(uri, sizeof uri, "file:%s/.bascule-memfd-%lx", directory, random);
        bsc_handle handle = BSC_NO_HANDLE;
        if (abi().stream_open(uri, BSC_ACCESS_RDWR, 0600, BSC_CREATE_ALWAYS, 0, &handle) != BSC_OK)
            continue;
        abi().stream_delete(uri, 0);
        bsc_stream_attributes mode{};
        mode.mode = 0777; // a memfd is created rwx for all, whatever the umask
        abi().stream_attributes_set_by_handle(handle, BSC_SET_MODE, &mode);
        return handle;
    }
    return BSC_NO_HANDLE;
}

} // namespace

int64_t sys_memfd_create(Syscall &c) {
    uint64_t flags = c.arg[1];
    if (int64_t error = check_flags(flags))
        return error;
    char name[kNameMax + 1];
    int64_t length = string_from_user(name, c.arg[0], sizeof name);
    if (length < 0)
        return length == -ENAMETOOLONG ? -EINVAL : length;
    if (flags & (kAllowSealing | kNoexecSeal | kHugetlb)) {
        // Seals would have to hold for every write, truncation and shared mapping of the
        // host file; huge pages are the host's. Refused as a kernel without them does.
        report_unsupported("memfd_create",
                           flags & kHugetlb ? "MFD_HUGETLB" : "MFD_ALLOW_SEALING");
        return -EINVAL;
    }
    bsc_handle handle = anonymous_host_file();
    if (handle == BSC_NO_HANDLE)
        return -ENOSPC;
    char path[sizeof name + 8];
    freestanding::format(path, sizeof path, "/memfd:%s", name);
    OpenFile *file = open_file(handle, O_RDWR | kLargeFile, BSC_TYPE_FILE, path);
    file->memfd = true;
    return fd_install(file, 0, flags & kCloexec);
}

} // namespace libos
