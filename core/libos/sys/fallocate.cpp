// SPDX-License-Identifier: MIT
// fallocate: a file's space reserved, freed, zeroed or moved (stream_control's
// BSC_CONTROL_ALLOCATE on the host's file, whose file system decides what it supports).
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/falloc.h>

#include "fd_table.h"
#include "file_io.h"
#include "syscalls.h"

namespace libos {
namespace {

// The modes the host kernel answers (Linux 6.18, FALLOC_FL_WRITE_ZEROES being 6.17's):
// the ABI's BSC_ALLOCATE_* bits are the same values.
constexpr uint32_t kWriteZeroes = 0x80;
constexpr uint32_t kActions = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
                              FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
                              FALLOC_FL_UNSHARE_RANGE | kWriteZeroes;

// vfs_fallocate's checks of the arguments alone, in its order: a bad range is EINVAL;
// an unknown bit, two actions at once, a hole punched without KEEP_SIZE, or KEEP_SIZE
// with an action that moves or writes the end, is EOPNOTSUPP.
int64_t check_arguments(uint32_t mode, int64_t offset, int64_t length) {
    if (offset < 0 || length <= 0)
        return -EINVAL;
    if (mode & ~(kActions | FALLOC_FL_KEEP_SIZE))
        return -EOPNOTSUPP;
    bool keep_size = mode & FALLOC_FL_KEEP_SIZE;
    switch (mode & kActions) {
    case 0:
    case FALLOC_FL_UNSHARE_RANGE:
    case FALLOC_FL_ZERO_RANGE: return 0;
    case FALLOC_FL_PUNCH_HOLE: return keep_size ? 0 : -EOPNOTSUPP;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case kWriteZeroes: return keep_size ? -EOPNOTSUPP : 0;
    default: return -EOPNOTSUPP;
    }
}

// The host answers NOT_SUPPORTED for every "not on this kind of file"; Linux names the
// kind: ESPIPE for a pipe, EISDIR for a directory, ENODEV for what is neither a regular
// file nor a block device (a socket, a character device), else the file system lacks the
// mode: EOPNOTSUPP.
int64_t unsupported_on(uint32_t type) {
    switch (type) {
    case BSC_TYPE_PIPE: return -ESPIPE;
    case BSC_TYPE_DIRECTORY: return -EISDIR;
    case BSC_TYPE_FILE:
    case BSC_TYPE_BLOCK_DEVICE: return -EOPNOTSUPP;
    default: return -ENODEV;
    }
}

} // namespace

int64_t sys_fallocate(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    auto mode = static_cast<uint32_t>(c.arg[1]);
    auto offset = static_cast<int64_t>(c.arg[2]), length = static_cast<int64_t>(c.arg[3]);
    if (int64_t error = check_arguments(mode, offset, length))
        return error;
    if ((file->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    // The LibOS's own objects have no host file: an eventfd, a timerfd, a signalfd (an
    // anonymous inode, no file type) and /dev/urandom are ENODEV; a generated /proc file,
    // regular in a file system without fallocate, EOPNOTSUPP.
    if (file->handle == BSC_NO_HANDLE)
        return file->kind ? -ENODEV : unsupported_on(file->type);
    // Reserving or zeroing past the end makes the file longer: RLIMIT_FSIZE (the file
    // system's inode_newsize_ok, as ext4's fallocate and zero range ask it).
    uint32_t action = mode & kActions;
    uint64_t end = static_cast<uint64_t>(offset) + static_cast<uint64_t>(length);
    if (file->type == BSC_TYPE_FILE && !(mode & FALLOC_FL_KEEP_SIZE) &&
        (action == 0 || action == FALLOC_FL_ZERO_RANGE) && end <= uint64_t{INT64_MAX})
        if (int64_t error = check_new_length(file->handle, end))
            return error;
    bsc_allocation request{mode, 0, static_cast<uint64_t>(offset), static_cast<uint64_t>(length)};
    bsc_status status = abi().stream_control(file->handle, BSC_CONTROL_ALLOCATE, &request,
                                             sizeof request);
    if (status == BSC_E_NOT_SUPPORTED)
        return unsupported_on(file->type);
    return result_of(status);
}

} // namespace libos
