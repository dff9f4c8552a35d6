// SPDX-License-Identifier: MIT
// /dev/urandom, /dev/random, the program's /proc files and O_PATH descriptors.
#include "libos_files.h"

#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/capability.h>

#include "heap.h"
#include "paths.h"
#include "process_state.h"
#include "procfs.h"
#include "user_memory.h"

namespace libos {
namespace {

bool is_random_device(const char *path) {
    return freestanding::equal(path, "/dev/urandom") || freestanding::equal(path, "/dev/random");
}

bool is_path_only(const OpenFile &file) { return file.flags & O_PATH; }


bool is_generated(ProcNode node) {
    return node == ProcNode::text || node == ProcNode::directory || node == ProcNode::root ||
           node == ProcNode::pagemap;
}

bool is_directory(ProcNode node) { return node == ProcNode::directory || node == ProcNode::root; }

// An open /proc/PID/pagemap: by its name, which stays one after its process is gone (a
// child of fork reads its parent's).
bool is_pagemap(const OpenFile &file) {
    size_t length = file.path ? strlen(file.path) : 0;
    return length > 8 && freestanding::equal(file.path + length - 8, "/pagemap");
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

bsc_stream_attributes random_device_attributes() {
    bsc_stream_attributes a{};
    a.type = BSC_TYPE_CHAR_DEVICE;
    a.links = 1;
    a.mode = 0666;
    a.rdev = (1 << 8) | 9; // the kernel's encoding of 1:9, as for the real device
    a.block_size = 4096;
    return a;
}

// The next whole records of a generated listing that fit in `size` bytes.
bsc_status read_generated_records(OpenFile &dir, void *buffer, uint64_t size, uint64_t &done) {
    uint64_t at = dir.position, end = at;
    while (end < dir.text_size) {
        auto *entry = reinterpret_cast<const bsc_dirent *>(dir.text + end);
        if (end + entry->record_length - at > size)
            break;
        end += entry->record_length;
    }
    if (end == at && at < dir.text_size)
        return BSC_E_TOO_BIG; // not even one record fits
    memcpy(buffer, dir.text + at, end - at);
    done = end - at;
    dir.position = end;
    return BSC_OK;
}

} // namespace

bool is_libos_file(const char *path) {
    return is_random_device(path) || is_generated(proc_node(path));
}

int64_t open_libos_file(const char *path, uint64_t flags) {
    uint32_t access = static_cast<uint32_t>(flags & O_ACCMODE);
    if (is_random_device(path))
        return fd_install(open_file(BSC_NO_HANDLE, access, BSC_TYPE_CHAR_DEVICE, path), 0,
                          flags & O_CLOEXEC);
    ProcNode node = proc_node(path);
    bool directory = is_directory(node);
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (directory && access != O_RDONLY)
        return -EISDIR;
    if (access != O_RDONLY && !capable(CAP_DAC_OVERRIDE))
        return -EACCES; // the generated files are 0444; root may open them, not write them
    if (!directory && (flags & O_DIRECTORY))
        return -ENOTDIR;
    // A file's text is taken at open, so every read of one open file sees the same
    // content; a listing at its first read, so that it shows its own descriptor.
    OpenFile *file = open_file(BSC_NO_HANDLE, access | (flags & O_DIRECTORY), directory
                                                          ? BSC_TYPE_DIRECTORY
                                                          : BSC_TYPE_FILE, path);
    if (node == ProcNode::pagemap) // its process's memory, as proc_mem_open takes its mm
        file->state = reinterpret_cast<void *>(static_cast<uintptr_t>(proc_entry_process(path)));
    else if (!directory)
        file->text = proc_content(path, node, file->text_size);
    return fd_install(file, 0, flags & O_CLOEXEC);
}

int64_t open_path_descriptor(const char *path, uint32_t type, uint64_t flags) {
    uint32_t kept = static_cast<uint32_t>(flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW));
    return fd_install(open_file(BSC_NO_HANDLE, kept, type, path), 0, flags & O_CLOEXEC);
}

int64_t libos_file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                            bool write) {
    if (is_path_only(file))
        return -EBADF;
    if (file.type == BSC_TYPE_DIRECTORY)
        return write ? -EBADF : -EISDIR;
    if (file.type == BSC_TYPE_CHAR_DEVICE)
        return write ? static_cast<int64_t>(size) : read_random(buffer, size);
    if (write) // procfs has no writer for them: EINVAL if opened for writing, as the kernel
        return (file.flags & O_ACCMODE) == O_RDONLY ? -EBADF : -EINVAL;
    if ((file.flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (is_pagemap(file)) {
        uint64_t at = offset == BSC_AT_POSITION ? file.position : offset;
        int64_t done = proc_pagemap_read(file, at, buffer, size);
        if (done > 0 && offset == BSC_AT_POSITION)
            file.position = at + static_cast<uint64_t>(done);
        return done;
    }
    return read_text(file, offset, buffer, size);
}

int64_t libos_file_seek(OpenFile &file, int64_t offset, uint32_t whence) {
    if (is_path_only(file))
        return -EBADF;
    int64_t base = whence == BSC_SEEK_SET       ? 0
                   : whence == BSC_SEEK_CURRENT ? static_cast<int64_t>(file.position)
                                                : -1;
    if (base < 0 || base + offset < 0)
        return -EINVAL;
    file.position = static_cast<uint64_t>(base + offset);
    return base + offset;
}

bsc_status read_directory_records(OpenFile &dir, void *buffer, uint64_t size, uint64_t &done,
                                  uint64_t &position) {
    done = 0;
    if (is_path_only(dir))
        return BSC_E_BAD_HANDLE;
    if (is_libos_file(dir)) {
        if (!dir.text)
            dir.text = proc_content(dir.path, proc_node(dir.path), dir.text_size);
        bsc_status status = read_generated_records(dir, buffer, size, done);
        position = dir.position;
        return status;
    }
    bsc_status status = abi().stream_read(dir.handle, BSC_AT_POSITION, buffer, size, &done);
    if (done > 0) // the records' position; none at the end of the directory
        abi().stream_seek(dir.handle, 0, BSC_SEEK_CURRENT, &position);
    return status;
}

namespace {

// An object without statx's further fields: the basic ones only (the LibOS's own, and
// what the host keeps without a file). Until the host answers, that is the answer too.
void basic_details_only(Details *details) {
    if (!details)
        return;
    details->found = {};
    details->found.mask = BSC_DETAIL_BASIC;
}

} // namespace

int64_t path_attributes(const char *path, bool follow, bsc_stream_attributes &attributes,
                        Details *details) {
    basic_details_only(details);
    char resolved[kPathMax];
    if (!freestanding::copy_string(resolved, sizeof resolved, path))
        return -ENAMETOOLONG;
    int fd = follow ? proc_descriptor(resolved) : -1;
    if (fd >= 0) { // a descriptor's link leads to its open file, path or not
        FileRef file(fd);
        return file ? file_attributes(*file.get(), attributes, details) : -ENOENT;
    }
    if (int64_t error = proc_follow_links(resolved, sizeof resolved, follow))
        return error;
    ProcNode node = proc_node(resolved);
    if (node == ProcNode::absent)
        return -ENOENT;
    if (node == ProcNode::text || node == ProcNode::directory || node == ProcNode::link ||
        node == ProcNode::pagemap) {
        attributes = proc_attributes(node);
        return 0;
    }
    char host[kPathMax], uri[kPathMax + 8];
    proc_host_path(resolved, host, sizeof host);
    if (int64_t error = make_uri("file:", host, uri, sizeof uri))
        return error;
    attributes = {};
    uint32_t flags = follow ? 0 : BSC_QUERY_NOFOLLOW;
    if (int64_t error = result_of(abi().stream_attributes_query(uri, flags, &attributes)))
        return error;
    return details ? result_of(abi().stream_details_query(uri, flags, details->want,
                                                          &details->found))
                   : 0;
}

int64_t file_attributes(const OpenFile &file, bsc_stream_attributes &attributes,
                        Details *details) {
    basic_details_only(details);
    if (is_path_only(file))
        return path_attributes(file.path, false, attributes, details);
    if (file.kind) {
        file.kind->attributes(file, attributes);
        return 0;
    }
    if (is_libos_file(file)) {
        attributes = file.type == BSC_TYPE_CHAR_DEVICE ? random_device_attributes()
                                                       : proc_attributes(proc_node(file.path));
        if (proc_node(file.path) == ProcNode::root)
            return path_attributes(file.path, true, attributes, details);
        return 0;
    }
    attributes = {};
    if (int64_t error = result_of(abi().stream_attributes_query_by_handle(file.handle, &attributes)))
        return error;
    // Pipes, sockets and terminals are host streams too; an object the host keeps
    // without a file (an event) has only the basic fields.
    if (!details)
        return 0;
    int64_t error = result_of(
        abi().stream_details_query_by_handle(file.handle, details->want, &details->found));
    if (error == -EOPNOTSUPP)
        basic_details_only(details);
    return error == -EOPNOTSUPP ? 0 : error;
}

} // namespace libos
