// SPDX-License-Identifier: MIT
// /dev/urandom, /dev/random and /proc/self/maps.
#include "libos_files.h"

#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>

#include "exec.h"
#include "memory_map.h"
#include "paths.h"
#include "user_memory.h"

namespace libos {
namespace {

bool is_random_device(const char *path) {
    return freestanding::equal(path, "/dev/urandom") || freestanding::equal(path, "/dev/random");
}

// The program's pid as /proc names it, and its directory there.
constexpr char kPidText[] = "2", kPidDirectory[] = "/proc/2/";
static_assert(kPid == 2, "kPidText and kPidDirectory name the program's pid");

bool is_maps_file(const char *path) {
    const char *entry = own_proc_entry(path);
    return entry && freestanding::equal(entry, "maps");
}

int64_t read_text(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size) {
    uint64_t at = offset == BSC_AT_POSITION ? file.position : offset;
    uint64_t n = at < file.text_size ? file.text_size - at : 0;
    if (n > size)
        n = size;
    if (n && !copy_to_user(buffer, file.text + at, n))
        return -EFAULT;
    if (offset == BSC_AT_POSITION)
        file.position = at + n;
    return static_cast<int64_t>(n);
}

int64_t read_random(uint64_t buffer, uint64_t size) {
    bsc_status status = abi().random_read(reinterpret_cast<void *>(buffer), size);
    return status == BSC_OK ? static_cast<int64_t>(size) : result_of(status);
}

// What procfs shows for the files it owns: the process's user and group.
bsc_stream_attributes procfs_attributes(uint32_t type, uint32_t mode) {
    bsc_system_info system{};
    abi().system_info_query(&system);
    bsc_stream_attributes a{};
    a.type = type;
    a.mode = mode;
    a.links = 1;
    a.owner = system.user_id;
    a.group = system.group_id;
    a.block_size = 1024;
    return a;
}

bsc_stream_attributes libos_file_attributes(const OpenFile &file) {
    if (file.type != BSC_TYPE_CHAR_DEVICE) // size 0: the text is generated
        return procfs_attributes(file.type, 0444);
    bsc_stream_attributes a{};
    a.type = file.type;
    a.links = 1;
    a.mode = 0666;
    a.rdev = (1 << 8) | 9; // the kernel's encoding of 1:9, as for the real device
    a.block_size = 4096;
    return a;
}

} // namespace

const char *own_proc_entry(const char *path) {
    const char *const directories[] = {"/proc/self/", "/proc/thread-self/", kPidDirectory};
    for (const char *directory : directories)
        if (freestanding::starts_with(path, directory))
            return path + strlen(directory);
    return nullptr;
}

bool read_libos_link(const char *path, char *text, size_t capacity) {
    const char *entry = own_proc_entry(path);
    if (freestanding::equal(path, "/proc/self"))
        return freestanding::copy_string(text, capacity, kPidText);
    if (entry && freestanding::equal(entry, "exe"))
        return freestanding::copy_string(text, capacity, program_path());
    return false;
}

bool libos_link_attributes(const char *path, bsc_stream_attributes &attributes) {
    char text[kPathMax];
    if (!read_libos_link(path, text, sizeof text))
        return false;
    attributes = procfs_attributes(BSC_TYPE_SYMLINK, 0777);
    return true;
}

bool is_libos_file(const char *path) { return is_random_device(path) || is_maps_file(path); }

int64_t open_libos_file(const char *path, uint64_t flags) {
    uint32_t access = static_cast<uint32_t>(flags & O_ACCMODE);
    if (is_random_device(path))
        return fd_install(open_file(BSC_NO_HANDLE, access, BSC_TYPE_CHAR_DEVICE, path), 0,
                          flags & O_CLOEXEC);
    if (access != O_RDONLY)
        return -EACCES; // the maps file is 0444
    // The text is taken at open, so every read of one open file sees the same map.
    OpenFile *file = open_file(BSC_NO_HANDLE, access, BSC_TYPE_FILE, path);
    file->text = map_text(file->text_size);
    return fd_install(file, 0, flags & O_CLOEXEC);
}

int64_t libos_file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                            bool write) {
    if (file.type == BSC_TYPE_CHAR_DEVICE)
        return write ? static_cast<int64_t>(size) : read_random(buffer, size);
    return write ? -EBADF : read_text(file, offset, buffer, size);
}

int64_t libos_file_seek(OpenFile &file, int64_t offset, uint32_t whence) {
    int64_t base = whence == BSC_SEEK_SET       ? 0
                   : whence == BSC_SEEK_CURRENT ? static_cast<int64_t>(file.position)
                                                : -1;
    if (base < 0 || base + offset < 0)
        return -EINVAL;
    file.position = static_cast<uint64_t>(base + offset);
    return base + offset;
}

int64_t file_attributes(const OpenFile &file, bsc_stream_attributes &attributes) {
    if (file.kind) {
        file.kind->attributes(file, attributes);
        return 0;
    }
    if (is_libos_file(file)) {
        attributes = libos_file_attributes(file);
        return 0;
    }
    attributes = {};
    return result_of(abi().stream_attributes_query_by_handle(file.handle, &attributes));
}

} // namespace libos
