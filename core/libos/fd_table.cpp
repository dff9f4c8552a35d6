// SPDX-License-Identifier: MIT
// The descriptor table and open-file reference counting.
#include "fd_table.h"

#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/resource.h>

#include "fork_locks.h"
#include "heap.h"
#include "memory_map.h"
#include "process_state.h"
#include "paths.h"
#include "process_tree.h"
#include "procfs.h"
#include "spinlock.h"

namespace libos {
namespace {

OpenFile *files[kMaxFds];
bool close_on_exec[kMaxFds];
Spinlock table_lock;
LIBOS_FORK_LOCK(table_lock);
int table_size = 64; // BITS_PER_LONG, the kernel's NR_OPEN_DEFAULT

// The kernel's expand_fdtable: a power of two times 128 descriptors (1 KiB of pointers)
// that holds `fd`; called with the lock held.
void grow_for(int fd) {
    while (fd >= table_size)
        table_size = table_size < 128 ? 128 : table_size * 2;
    if (table_size > kMaxFds)
        table_size = kMaxFds;
}

} // namespace

void close_on_exec_descriptors() {
    for (int fd = 0; fd < kMaxFds; fd++)
        if (close_on_exec[fd])
            fd_close(fd);
}

int fd_limit() {
    uint64_t limit = soft_limit(RLIMIT_NOFILE);
    return limit < static_cast<uint64_t>(kMaxFds) ? static_cast<int>(limit) : kMaxFds;
}

void initialise_fd_table(const bsc_handle stdio[3]) {
    for (int fd = 0; fd < 3; fd++) {
        if (stdio[fd] == BSC_NO_HANDLE)
            continue;
        bsc_stream_attributes attributes{};
        abi().stream_attributes_query_by_handle(stdio[fd], &attributes);
        // Shown read-write, as a shell's terminal is; the host enforces the real access.
        files[fd] = open_file(stdio[fd], O_RDWR, attributes.type, nullptr);
    }
}

namespace {

char *heap_copy(const char *text) {
    size_t n = strlen(text) + 1;
    auto *copy = static_cast<char *>(allocate(n));
    memcpy(copy, text, n);
    return copy;
}

void heap_release(char *text) {
    if (text)
        release(text, strlen(text) + 1);
}

} // namespace

OpenFile *const *descriptor_table() { return files; }

void set_link(OpenFile &file, const char *link) {
    heap_release(file.link);
    file.link = heap_copy(link);
}

OpenFile *open_file(bsc_handle handle, uint32_t flags, uint32_t type, const char *path) {
    auto *file = create<OpenFile>();
    file->handle = handle;
    file->flags = flags;
    file->type = type;
    file->refs = 1;
    file->identity = new_file_identity();
    if (path) {
        file->path = heap_copy(path);
    } else if (handle != BSC_NO_HANDLE) {
        char link[kPathMax + 32];
        object_link_text(handle, link, sizeof link);
        file->link = heap_copy(link);
    }
    return file;
}

Channel *new_channel(uint32_t count) {
    Channel *channel = create<Channel>();
    channel->refs = count;
    return channel;
}

void file_acquire(OpenFile *file) { __atomic_fetch_add(&file->refs, 1, __ATOMIC_RELAXED); }

void file_release(OpenFile *file) {
    if (__atomic_sub_fetch(&file->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (file->handle != BSC_NO_HANDLE)
        abi().object_close(file->handle);
    if (file->kind)
        file->kind->release(*file);
    heap_release(file->path);
    heap_release(file->link);
    if (file->text)
        release(file->text, file->text_size);
    mapped_file_release(file->mapped);
    if (file->channel && __atomic_sub_fetch(&file->channel->refs, 1, __ATOMIC_ACQ_REL) == 0)
        destroy(file->channel);
    destroy(file);
}

namespace {

// What a descriptor's close does to its open file: the process's record locks on the
// file go, and a message queue's notification if this process registered it (the
// kernel's mqueue_flush_file), even while other descriptors keep the open file (the last
// close's release of the handle does both in the host).
void close_descriptor(OpenFile *file) {
    if (__atomic_load_n(&file->refs, __ATOMIC_ACQUIRE) > 1) {
        drop_posix_locks(*file);
        if (file->type == BSC_TYPE_MQUEUE)
            queue_descriptor_closed(*file);
    }
    file_release(file);
}

} // namespace

int fd_install(OpenFile *file, int lowest, bool cloexec) {
    {
        SpinGuard guard(table_lock);
        for (int fd = lowest < 0 ? 0 : lowest, end = fd_limit(); fd < end; fd++)
            if (!files[fd]) {
                grow_for(fd);
                files[fd] = file;
                close_on_exec[fd] = cloexec;
                return fd;
            }
    }
    file_release(file);
    return -EMFILE;
}

int64_t fd_duplicate(int fd, int64_t lowest, bool cloexec) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    // Unsigned for the kernel, and at most RLIMIT_NOFILE: EINVAL, not EMFILE, beyond.
    if (lowest < 0 || lowest >= fd_limit())
        return -EINVAL;
    file_acquire(file.get());
    return fd_install(file.get(), static_cast<int>(lowest), cloexec);
}

int fd_install_at(OpenFile *file, int fd, bool cloexec) {
    if (fd < 0 || fd >= fd_limit()) {
        file_release(file);
        return -EBADF;
    }
    OpenFile *old;
    {
        SpinGuard guard(table_lock);
        grow_for(fd);
        old = files[fd];
        files[fd] = file;
        close_on_exec[fd] = cloexec;
    }
    if (old)
        close_descriptor(old);
    return fd;
}

int64_t fd_close(int fd) {
    if (fd < 0 || fd >= kMaxFds)
        return -EBADF;
    OpenFile *file;
    {
        SpinGuard guard(table_lock);
        file = files[fd];
        files[fd] = nullptr;
    }
    if (!file)
        return -EBADF;
    close_descriptor(file);
    return 0;
}

void fd_close_range(uint32_t first, uint32_t last, bool cloexec) {
    if (first >= static_cast<uint32_t>(kMaxFds))
        return;
    int end = last >= static_cast<uint32_t>(kMaxFds) ? kMaxFds - 1 : static_cast<int>(last);
    for (int fd = static_cast<int>(first); fd <= end; fd++) {
        if (!cloexec) {
            fd_close(fd); // EBADF for a free one, which close_range skips
            continue;
        }
        SpinGuard guard(table_lock);
        if (files[fd])
            close_on_exec[fd] = true;
    }
}

int fd_table_size() {
    SpinGuard guard(table_lock);
    return table_size;
}

bool fd_cloexec(int fd) { return fd >= 0 && fd < kMaxFds && close_on_exec[fd]; }
void fd_set_cloexec(int fd, bool cloexec) {
    if (fd >= 0 && fd < kMaxFds)
        close_on_exec[fd] = cloexec;
}

FileRef::FileRef(int fd) : file_(nullptr) {
    if (fd < 0 || fd >= kMaxFds)
        return;
    SpinGuard guard(table_lock);
    file_ = files[fd];
    if (file_)
        file_acquire(file_);
}

FileRef::~FileRef() {
    if (file_)
        file_release(file_);
}

} // namespace libos
