// SPDX-License-Identifier: MIT
// /proc/PID/fdinfo/N of the caller's own descriptors (fdinfo.h).
#include "fdinfo.h"

#include <asm-generic/fcntl.h>

#include "format.h"
#include "libos_files.h"
#include "stat.h"

namespace libos {
namespace {

// The kinds whose driver's show_fdinfo adds nothing, which the host serves. The LibOS's
// own objects write their lines themselves (plain_libos_object); the host's inotify
// instances add their marks, and a pty master its tty-index, which the host does not
// tell.
bool plain_host_stream(const OpenFile &file) {
    if (is_libos_file(file) || file.kind)
        return false;
    if (file.path && (freestanding::equal(file.path, "/dev/ptmx") ||
                      freestanding::equal(file.path, "/dev/pts/ptmx")))
        return false;
    switch (file.type) {
    case BSC_TYPE_FILE:
    case BSC_TYPE_DIRECTORY:
    case BSC_TYPE_PIPE:
    case BSC_TYPE_SOCKET:
    case BSC_TYPE_CHAR_DEVICE:
    case BSC_TYPE_BLOCK_DEVICE:
    case BSC_TYPE_TTY:
    case BSC_TYPE_MQUEUE: return true;
    default: return false;
    }
}

// An object of the LibOS's own on an anonymous inode whose kind writes its fdinfo lines.
bool served_libos_object(const OpenFile &file) {
    return file.kind && file.kind->show_fdinfo;
}

// The file's position as f_pos: a stream's is 0 (the kernel's pipes and sockets never
// move theirs).
uint64_t position_of(const OpenFile &file) {
    uint64_t position = 0;
    if (!file.kind && (file.type == BSC_TYPE_FILE || file.type == BSC_TYPE_DIRECTORY ||
        file.type == BSC_TYPE_BLOCK_DEVICE || file.type == BSC_TYPE_CHAR_DEVICE))
        abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &position);
    return position;
}

// f_flags as fdinfo shows them: F_GETFL's, with O_LARGEFILE for a file opened by its path
// (x86-64 forces it on every open: force_o_largefile) and O_CLOEXEC from the descriptor.
uint32_t flags_of(OpenFile &file, bool cloexec) {
    auto flags = static_cast<uint32_t>(status_flags(file));
    if (file.path)
        flags |= O_LARGEFILE;
    return flags | (cloexec ? O_CLOEXEC : 0);
}

} // namespace

bool fdinfo_served(int fd) {
    FileRef file(fd);
    if (!file)
        return false;
    if (plain_host_stream(*file.get()) || served_libos_object(*file.get()))
        return true;
    report_unsupported("/proc", "fdinfo of a timerfd, fanotify, inotify, pidfd or a LibOS file");
    return false;
}

bool put_fdinfo(Text &text, int fd) {
    FileRef file(fd);
    if (!file)
        return false;
    uint64_t inode = 0, mount_id = 0;
    if (served_libos_object(*file.get())) {
        bsc_stream_attributes attributes{};
        if (!host_anonymous_inode(attributes, mount_id))
            return false;
        inode = attributes.inode;
    } else if (plain_host_stream(*file.get())) {
        bsc_stream_attributes attributes{};
        Details details{BSC_DETAIL_MOUNT_ID, {}};
        if (file_attributes(*file.get(), attributes, &details) < 0)
            return false;
        inode = attributes.inode, mount_id = details.found.mount_id;
    } else {
        return false;
    }
    text.print("pos:\t%lu\nflags:\t0%o\nmnt_id:\t%lu\nino:\t%lu\n", position_of(*file.get()),
               flags_of(*file.get(), fd_cloexec(fd)), mount_id, inode);
    if (file->kind)
        file->kind->show_fdinfo(*file.get(), text);
    return true;
}

void put_right_aligned(Text &text, const char *digits, size_t width) {
    for (size_t n = strlen(digits); n < width; n++)
        text.put(" ", 1);
    text.put(digits, strlen(digits));
}

void put_padded_hex(Text &text, uint64_t value) {
    char digits[17];
    freestanding::format(digits, sizeof digits, "%lx", value);
    put_right_aligned(text, digits, 16);
}

bool file_position_and_inode(OpenFile &file, uint64_t &position, uint64_t &inode,
                             uint32_t &device) {
    bsc_stream_attributes attributes{};
    uint64_t mount_id;
    bool known = file.kind ? host_anonymous_inode(attributes, mount_id)
                           : file_attributes(file, attributes) == 0;
    position = is_libos_file(file) ? 0 : position_of(file);
    inode = attributes.inode;
    device = device_major(attributes.device) << 20 | device_minor(attributes.device);
    return known;
}

} // namespace libos
