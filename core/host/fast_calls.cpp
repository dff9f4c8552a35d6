// SPDX-License-Identifier: MIT
// Downcalls the gate serves with the guest's %fs still loaded (gate.S, .Lfast_call). On a
// machine without FSGSBASE each %fs switch of a downcall is an arch_prctl system call, and
// the two of them cost more than the work of the commonest calls (a stat is one system
// call). Code here runs on the host stack but with the guest's thread pointer, so it must
// not touch the runtime's thread-local state: no errno (raw system calls), no allocation,
// no lock but a FastLock, no C++ exception, nothing that reads %fs. (The directory read
// lives here for that reason: the usual path runs it too.) It is built without sanitizers and
// stack protector, whose runtimes keep per-thread state (CMakeLists.txt). A call that
// meets anything out of the ordinary declines, and the gate serves it the usual way with
// the same arguments: the answers are the host's own functions' in every case. Nor may it
// call into a shared library (a lazily bound symbol's resolver writes the thread pointer's
// block): it calls only functions of the runtime's own executable, and
// tests/integration/fast_calls_self_contained.sh checks the object for both.
#include "fast_calls.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstring>
#include <mutex>

#include "clock.h"
#include "errors.h"
#include "fd.h"
#include "gate.h"
#include "handles.h"
#include "host_calls.h"
#include "stream_uri.h"
#include "streams.h"

namespace bsc::host {
namespace {

constexpr size_t kPageSize = 4096;

bool has_nul(const char *bytes, size_t size) {
    for (size_t i = 0; i < size; i++)
        if (bytes[i] == 0)
            return true;
    return false;
}

constexpr size_t kDirectoryChunk = 32 * 1024; // getdents64 reads this much at most

uint8_t type_from_dirent(unsigned char d_type) {
    switch (d_type) {
    case DT_REG: return BSC_TYPE_FILE;
    case DT_DIR: return BSC_TYPE_DIRECTORY;
    case DT_LNK: return BSC_TYPE_SYMLINK;
    case DT_FIFO: return BSC_TYPE_PIPE;
    case DT_SOCK: return BSC_TYPE_SOCKET;
    case DT_CHR: return BSC_TYPE_CHAR_DEVICE;
    case DT_BLK: return BSC_TYPE_BLOCK_DEVICE;
    default: return BSC_TYPE_UNKNOWN;
    }
}

// Converts the kernel's records in[0 .. got) into bsc_dirent records in `out` (each
// shorter than its kernel record), no more than `limit` bytes; `next` is the position
// after the last one converted, `all` whether every one was.
uint64_t convert_records(const char *in, long got, char *out, uint64_t limit, long &next,
                         bool &all) {
    uint64_t used = 0;
    all = true;
    for (long pos = 0; pos < got;) {
        const auto &entry = *reinterpret_cast<const dirent64 *>(in + pos);
        size_t name_length = 0;
        while (entry.d_name[name_length])
            name_length++;
        size_t length = (offsetof(bsc_dirent, name) + name_length + 1 + 7) & ~size_t{7};
        if (used + length > limit) {
            all = false;
            break;
        }
        char *record = out + used;
        for (size_t i = 0; i < length; i++) // the padding never leaks host bytes
            record[i] = 0;
        auto *dirent = reinterpret_cast<bsc_dirent *>(record);
        dirent->inode = entry.d_ino;
        dirent->record_length = static_cast<uint16_t>(length);
        dirent->type = type_from_dirent(entry.d_type);
        for (size_t i = 0; i < name_length; i++)
            record[offsetof(bsc_dirent, name) + i] = entry.d_name[i];
        used += length;
        next = entry.d_off;
        pos += entry.d_reclen;
    }
    return used;
}

// What follows `prefix` at the start of `text`, or null.
const char *after_prefix(const char *text, const char *prefix) {
    for (; *prefix; prefix++, text++)
        if (*text != *prefix)
            return nullptr;
    return text;
}

// Copies the guest's NUL-terminated string into `out` a page at a time, so that a string
// ending before an unmapped page reads; false on a fault or without a NUL in kMaxUri.
bool copy_guest_string(const char *guest, char (&out)[kMaxUri]) {
    size_t done = 0;
    while (done < kMaxUri) {
        auto at = reinterpret_cast<uintptr_t>(guest + done);
        size_t chunk = kPageSize - at % kPageSize;
        if (chunk > kMaxUri - done)
            chunk = kMaxUri - done;
        if (bsc_guarded_copy(out + done, guest + done, chunk) != 0)
            return false;
        if (has_nul(out + done, chunk))
            return true;
        done += chunk;
    }
    return false;
}

// stream_attributes_query of an absolute file: or dir: URI, the commonest downcall of
// programs that walk trees (every stat, and the LibOS's walk of a path's links).
bsc_status fast_stream_attributes_query(const char *uri, uint32_t flags,
                                        bsc_stream_attributes *attributes) {
    if (flags & ~uint32_t{BSC_QUERY_NOFOLLOW})
        return kFastDeclined;
    char text[kMaxUri];
    if (!copy_guest_string(uri, text))
        return kFastDeclined;
    const char *dir_path = after_prefix(text, "dir:");
    bool dir = dir_path != nullptr;
    const char *path = dir ? dir_path : after_prefix(text, "file:");
    if (path == nullptr || path[0] != '/')
        return kFastDeclined; // another scheme, or a path relative to the host's directory
    struct stat st;
    long at_flags = flags & BSC_QUERY_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
    long result = raw_syscall(SYS_newfstatat, AT_FDCWD, reinterpret_cast<long>(path),
                              reinterpret_cast<long>(&st), at_flags);
    if (result < 0)
        return status_from_result(result);
    if (dir && !S_ISDIR(st.st_mode))
        return BSC_E_NOT_DIRECTORY;
    bsc_stream_attributes out{};
    fill_attributes(st, out);
    return bsc_guarded_copy(attributes, &out, sizeof out) == 0 ? BSC_OK : BSC_E_FAULT;
}

// The regular file or directory published for `handle` (handles.h), pinned while it lives.
class Pinned {
public:
    explicit Pinned(bsc_handle handle)
        : handle_(handle), object_(handles().published().pin(handle)) {}
    ~Pinned() {
        if (object_)
            handles().published().unpin(handle_);
    }
    Pinned(const Pinned &) = delete;
    Pinned &operator=(const Pinned &) = delete;
    const Object *operator->() const { return object_; }
    const Object &operator*() const { return *object_; }
    explicit operator bool() const { return object_ != nullptr; }

private:
    bsc_handle handle_;
    const Object *object_;
};

bsc_status put_guest(uint64_t *guest, uint64_t value) {
    return bsc_guarded_copy(guest, &value, sizeof value) == 0 ? BSC_OK : BSC_E_FAULT;
}

// stream_attributes_query_by_handle of a file or directory: every fstat.
bsc_status fast_stream_attributes_query_by_handle(bsc_handle handle,
                                                  bsc_stream_attributes *attributes) {
    Pinned stream(handle);
    if (!stream)
        return kFastDeclined;
    struct stat st;
    long result = raw_syscall(SYS_fstat, stream->fd, reinterpret_cast<long>(&st), 0, 0);
    if (result < 0)
        return status_from_result(result);
    bsc_stream_attributes out{};
    fill_attributes(st, out);
    long flags = raw_syscall(SYS_fcntl, stream->fd, F_GETFL, 0, 0);
    out.options = descriptor_options(*stream, static_cast<int>(flags));
    return bsc_guarded_copy(attributes, &out, sizeof out) == 0 ? BSC_OK : BSC_E_FAULT;
}

// stream_read and stream_write of a regular file, which never waits, and stream_read of
// a directory.
bsc_status fast_transfer(bsc_handle handle, uint64_t offset, void *buffer, uint64_t size,
                         uint64_t *done, bool write) {
    if (done == nullptr || (offset != BSC_AT_POSITION && offset > INT64_MAX))
        return kFastDeclined;
    Pinned stream(handle);
    if (stream && stream->type == BSC_TYPE_DIRECTORY && !write && offset == BSC_AT_POSITION) {
        uint64_t count = 0;
        bsc_status status =
            read_directory(static_cast<const DirectoryStream &>(*stream), buffer, size, count);
        return status != BSC_OK ? status : put_guest(done, count);
    }
    if (!stream || stream->type != BSC_TYPE_FILE)
        return kFastDeclined;
    long count = static_cast<long>(size < kMaxTransfer ? size : kMaxTransfer);
    long result = offset == BSC_AT_POSITION
                      ? raw_syscall(write ? SYS_write : SYS_read, stream->fd,
                                    reinterpret_cast<long>(buffer), count, 0)
                      : raw_syscall(write ? SYS_pwrite64 : SYS_pread64, stream->fd,
                                    reinterpret_cast<long>(buffer), count, static_cast<long>(offset));
    if (result < 0)
        return status_from_result(result);
    return put_guest(done, static_cast<uint64_t>(result));
}

bsc_status fast_stream_read(bsc_handle handle, uint64_t offset, void *buffer, uint64_t size,
                            uint64_t *done) {
    return fast_transfer(handle, offset, buffer, size, done, false);
}

bsc_status fast_stream_write(bsc_handle handle, uint64_t offset, const void *buffer,
                             uint64_t size, uint64_t *done) {
    return fast_transfer(handle, offset, const_cast<void *>(buffer), size, done, true);
}

// stream_seek of a regular file or a directory (whose position moves under its lock).
bsc_status fast_stream_seek(bsc_handle handle, int64_t offset, uint32_t whence,
                            uint64_t *position) {
    static constexpr long kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE};
    if (whence > BSC_SEEK_HOLE)
        return kFastDeclined;
    Pinned stream(handle);
    if (!stream)
        return kFastDeclined;
    std::unique_lock<FastLock> directory;
    if (stream->type == BSC_TYPE_DIRECTORY)
        directory = std::unique_lock(static_cast<const DirectoryStream &>(*stream).lock);
    long result = raw_syscall(SYS_lseek, stream->fd, offset, kWhence[whence]);
    if (result < 0)
        return status_from_result(result);
    return position == nullptr ? BSC_OK : put_guest(position, static_cast<uint64_t>(result));
}

// time_query: one clock_gettime (a clock the host does not have goes the usual way).
bsc_status fast_time_query(uint32_t clock, int64_t *ns) {
    clockid_t id = host_clock_id(clock);
    if (id == -1)
        return kFastDeclined;
    timespec now;
    long result = raw_syscall(SYS_clock_gettime, id, reinterpret_cast<long>(&now));
    if (result < 0)
        return status_from_result(result);
    return put_guest(reinterpret_cast<uint64_t *>(ns), static_cast<uint64_t>(nanoseconds_of(now)));
}

struct FastDowncall {
    size_t offset;    // of its slot in bsc_downcalls
    const void *host; // the host's own function for the slot
    const void *fast; // what the gate runs instead where the slot still holds `host`
};
#define BSC_FAST_DOWNCALL(name)                                                              \
    FastDowncall {                                                                           \
        offsetof(bsc_downcalls, name), reinterpret_cast<const void *>(host_##name),          \
            reinterpret_cast<const void *>(fast_##name)                                      \
    }
const FastDowncall kFastDowncalls[] = {
    BSC_FAST_DOWNCALL(stream_attributes_query),
    BSC_FAST_DOWNCALL(stream_attributes_query_by_handle),
    BSC_FAST_DOWNCALL(stream_read),
    BSC_FAST_DOWNCALL(stream_write),
    BSC_FAST_DOWNCALL(stream_seek),
    BSC_FAST_DOWNCALL(time_query),
};
#undef BSC_FAST_DOWNCALL

} // namespace

bsc_status read_directory(const DirectoryStream &dir, void *buffer, uint64_t size,
                          uint64_t &done) {
    std::lock_guard lock(dir.lock);
    done = 0;
    long start = raw_syscall(SYS_lseek, dir.fd, 0, SEEK_CUR);
    if (start < 0)
        return status_from_result(start);
    alignas(8) char in[kDirectoryChunk], out[kDirectoryChunk];
    long got = raw_syscall(SYS_getdents64, dir.fd, reinterpret_cast<long>(in), sizeof in);
    if (got < 0)
        return status_from_result(got);
    long next = start;
    bool all = true;
    uint64_t used = convert_records(in, got, out, size, next, all);
    bsc_status status = BSC_OK;
    if (got > 0 && used == 0)
        status = BSC_E_TOO_BIG; // not even one record fits
    else if (bsc_guarded_copy(buffer, out, used) != 0)
        status = BSC_E_FAULT;
    if (status != BSC_OK)
        next = start; // hand out nothing: the next read starts where this one did
    if (!all || status != BSC_OK)
        raw_syscall(SYS_lseek, dir.fd, next, SEEK_SET);
    done = status == BSC_OK ? used : 0;
    return status;
}

void fill_fast_calls(const bsc_downcalls &top, uint64_t (&fast)[kMaxDowncalls]) {
    std::memset(fast, 0, sizeof fast);
    for (const FastDowncall &call : kFastDowncalls) {
        const void *slot;
        std::memcpy(&slot, reinterpret_cast<const char *>(&top) + call.offset, sizeof slot);
        if (slot == call.host)
            fast[downcall_slot(call.offset)] = reinterpret_cast<uint64_t>(call.fast);
    }
}

} // namespace bsc::host
