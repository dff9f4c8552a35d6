// SPDX-License-Identifier: MIT
// /proc/PID/fdinfo/N of the caller's own descriptors (fdinfo.h).
#include "fdinfo.h"

#include <asm-generic/fcntl.h>

#include "format.h"
#include "libos_files.h"

namespace libos {
namespace {

// The kinds whose driver's show_fdinfo adds nothing, which the host serves. The LibOS's
// own objects (eventfd, epoll, timerfd, signalfd, fanotify, pidfd) and the host's inotify
// instances add lines of their kind (counts, marks, targets) it does not write yet, and
// a pty master its tty-index.
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

// The file's position as f_pos: a stream's is 0 (the kernel's pipes and sockets never
// move theirs).
uint64_t position_of(const OpenFile &file) {
    uint64_t position = 0;
    if (file.type == BSC_TYPE_FILE || file.type == BSC_TYPE_DIRECTORY ||
        file.type == BSC_TYPE_BLOCK_DEVICE || file.type == BSC_TYPE_CHAR_DEVICE)
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
    if (plain_host_stream(*file.get()))
        return true;
    report_unsupported("/proc", "fdinfo of an eventfd, epoll, timerfd, signalfd, inotify, "
                                "fanotify, pidfd or a LibOS file");
    return false;
}

size_t fdinfo_text(int fd, char *text, size_t capacity) {
    FileRef file(fd);
    if (!file || !plain_host_stream(*file.get()))
        return 0;
    bsc_stream_attributes attributes{};
    Details details{BSC_DETAIL_MOUNT_ID, {}};
    if (file_attributes(*file.get(), attributes, &details) < 0)
        return 0;
    size_t length = freestanding::format(
        text, capacity, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%lu\nino:\t%lu\n",
        position_of(*file.get()), flags_of(*file.get(), fd_cloexec(fd)),
        details.found.mount_id, attributes.inode);
    return length < capacity ? length : 0;
}

} // namespace libos
