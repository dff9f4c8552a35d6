// SPDX-License-Identifier: MIT
// The file descriptor table: descriptors name open files; dup'ed descriptors share one
// open file (and so its position and status flags), as on Linux.
#pragma once

#include "kernel.h"

namespace libos {

struct MappedFile;
struct OpenFile;
struct Wakeups;
class Text;

// An object the LibOS serves itself with state of its own (an eventfd): how its open
// file reads, writes, waits and ends. Its OpenFile has no handle.
struct FileKind {
    // read or write of `size` bytes at the program's `buffer`: bytes or -errno.
    int64_t (*transfer)(OpenFile &file, uint64_t buffer, uint64_t size, bool write);
    // The ABI wait items that stand for poll `events` (at most two); each item's
    // BSC_WAIT_READ readiness means the poll bits written to `bits`. Returns the count.
    // Null for a kind with `ready`.
    uint32_t (*wait_items)(OpenFile &file, int16_t events, bsc_wait_item *items,
                           int16_t *bits);
    // What fstat shows.
    void (*attributes)(const OpenFile &file, bsc_stream_attributes &attributes);
    void (*release)(OpenFile &file); // with the last reference
    // For an object whose readiness the LibOS computes (a timerfd, a signalfd, an epoll),
    // else null: the poll bits ready now; adds to `wake` what may change them (poll.h).
    int16_t (*ready)(OpenFile &file, Wakeups &wake);
    // Which of the kernel's ->read_iter and ->write_iter its file has (kReadIter,
    // kWriteIter): the asynchronous calls (io_submit) refuse a transfer without one.
    uint8_t iter = 0;
    // What /proc/PID/fd/N shows of its files ("anon_inode:[fanotify]"), else null.
    const char *link = nullptr;
    // Its driver's own ioctl `request` with the argument at `address`: 0 or -errno (ENOTTY
    // for a request it does not know). Null for a kind without any.
    int64_t (*ioctl)(OpenFile &file, uint64_t request, uint64_t address) = nullptr;
    // The lines its driver's show_fdinfo adds to /proc/PID/fdinfo/N (fdinfo.cpp); null for
    // a kind whose fdinfo the LibOS does not show.
    void (*show_fdinfo)(OpenFile &file, Text &text) = nullptr;
    // The access mode its files have: O_RDWR (2), but where the kernel opens them
    // otherwise (a userfaultfd is O_RDONLY since Linux 6.x).
    uint32_t access = 2;
};
inline constexpr uint8_t kReadIter = 1, kWriteIter = 2;

// What the open files of one channel the program made share (the two ends of a pipe; an
// eventfd with itself): its reads and writes, counted so that edge-triggered epoll sees
// new data and new room.
struct Channel {
    uint32_t reads, writes;
    uint32_t refs; // open files using it
};

struct OpenFile {
    bsc_handle handle; // BSC_NO_HANDLE for a file the LibOS provides (libos_files.h)
    uint32_t flags;  // O_ACCMODE, O_APPEND, O_NONBLOCK ... as given to open
    uint32_t type;   // BSC_TYPE_* of the object
    char *path;      // absolute path for files and directories, else null
    char *link;      // without a path: what /proc/PID/fd/N shows (pipe:[N] ...), made
                     // with the file so that another process can read it, else null
    uint32_t refs;   // descriptors and in-flight calls using it
    MappedFile *mapped; // what its mappings show in /proc/self/maps, made by the first mmap
    char *text;         // the content of a generated file (/proc/self/maps), else null
    uint64_t text_size, position;
    const FileKind *kind; // an object the LibOS serves (eventfd), else null
    void *state;          // the kind's own state
    int32_t owner;        // F_SETOWN: the thread, process or group that gets SIGIO, or 0
    int32_t owner_type;   // F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP
    int32_t io_signal;    // F_SETSIG: the signal sent instead of SIGIO (0: SIGIO)
    int32_t notice_fd;    // the descriptor F_SETLEASE or F_NOTIFY was last asked on: the
                          // si_fd of what the host tells of it (fcntl.cpp)
    bool memfd;           // made by memfd_create (it has seals)
    uint32_t exhausted;   // transfers on it that found nothing to move (EAGAIN), and
    Channel *channel;     // its channel, else null: for edge-triggered epoll (poll.h)
    uint64_t identity;    // unique in the guest, kept by the copy fork makes, as Linux's
                          // shared open file description: what kcmp(KCMP_FILE) compares
    int32_t notify_signal; // a message queue's mq_notify SIGEV_SIGNAL signal (0: none) and
    uint64_t notify_value; // its si_value, until the host tells of a message (sys/mqueue.cpp)
};

inline constexpr int kMaxFds = 1024;

// The descriptor table: kMaxFds open files (null: free). It lies at the same address in
// every process of the guest (one LibOS, copied by fork), so procfs reads another
// process's there (process_memory_read).
OpenFile *const *descriptor_table();

// The descriptors the program may use now: below RLIMIT_NOFILE's soft limit and the
// table's size.
int fd_limit();

// Descriptors 0, 1 and 2 for the runtime's standard streams.
void initialise_fd_table(const bsc_handle stdio[3]);

// A new open file with one reference (owned by the caller until installed).
OpenFile *open_file(bsc_handle handle, uint32_t flags, uint32_t type, const char *path);

// What /proc/PID/fd/N shows of a file without a path: a copy of `link`.
void set_link(OpenFile &file, const char *link);

// Installs `file` at the lowest free descriptor >= lowest, taking over the caller's
// reference; the descriptor, or -EMFILE (the file is then released).
int fd_install(OpenFile *file, int lowest, bool cloexec);
// Installs at exactly `fd`, closing what was there.
int fd_install_at(OpenFile *file, int fd, bool cloexec);
// dup and F_DUPFD(_CLOEXEC): `fd`'s open file at the lowest free descriptor from `lowest`
// (EBADF, EINVAL from RLIMIT_NOFILE on, EMFILE).
int64_t fd_duplicate(int fd, int64_t lowest, bool cloexec);
int64_t fd_close(int fd);
// close_range's work on the open descriptors from `first` to `last` (any range: only the
// table's descriptors are walked): each closes, or with `cloexec` gets close-on-exec.
void fd_close_range(uint32_t first, uint32_t last, bool cloexec);
// sys/fcntl.cpp: a descriptor of `file` closes: the process's POSIX record locks on its
// file go, as Linux drops them at every close (locks_remove_posix), not only the last
// close of an open file description (which the host's close of the handle does).
void drop_posix_locks(OpenFile &file);
// sys/fcntl.cpp: F_GETFL's answer, the open file's status flags (of a host stream, those
// the host description has now).
int64_t status_flags(OpenFile &file);
// sys/fcntl.cpp: what the host told of the process's files since the last look (a lease
// being broken, a watched directory changed) goes to each file's owner as SIGIO or its
// F_SETSIG signal, as send_sigio sends it. A safe point's work (collect_process_events).
void take_file_notices();
// execve: every descriptor with close-on-exec closes.
void close_on_exec_descriptors();
// How many descriptors the table has room for as Linux grows it (64, then 128, 256 ...
// as higher descriptors are used, never shrinking): select looks no further.
int fd_table_size();
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool cloexec);

// What fstat shows for an object of the LibOS's own on an anonymous inode (an eventfd,
// an epoll, a timerfd, a signalfd): mode 0600 and no file type, and the host's anonymous
// inode's number and device.
void anonymous_inode_attributes(const OpenFile &file, bsc_stream_attributes &attributes);
// The host's anonymous inode, which the LibOS's objects stand for (anon_inode_getfile
// gives every eventfd, signalfd, timerfd, epoll and inotify instance the one inode of one
// internal mount), as the host shows it of an inotify instance of its own: its attributes
// and mount id. False if the host makes none.
bool host_anonymous_inode(bsc_stream_attributes &attributes, uint64_t &mount_id);

// sys/eventfd.cpp: whether `file` is an eventfd, and eventfd_signal: its counter grows by
// one (up to UINT64_MAX), as an AIO completion with IOCB_FLAG_RESFD signals it.
bool is_eventfd(const OpenFile &file);
void eventfd_signal(OpenFile &file);

// sys/mqueue.cpp: the host told of a message come to the empty queue `file` (a notice of
// BSC_NOTICE_QUEUE): the signal mq_notify asked for goes to the process.
void queue_notice(OpenFile &file, const bsc_notice &notice);
// sys/mqueue.cpp: a descriptor of the queue `file` closes while others keep it: as Linux's
// flush at every close, the notification goes if this process registered it.
void queue_descriptor_closed(OpenFile &file);

// A new descriptor (the kind's access, O_RDWR) for an object of the LibOS's own of `kind` with `state`, taking
// O_NONBLOCK and O_CLOEXEC from `flags`: the descriptor, or -EMFILE (the state released).
int install_anonymous(const FileKind *kind, void *state, uint64_t flags);

// A reference to the open file behind a descriptor for the length of a call.
class FileRef {
public:
    explicit FileRef(int fd);
    ~FileRef();
    FileRef(const FileRef &) = delete;
    FileRef &operator=(const FileRef &) = delete;
    explicit operator bool() const { return file_ != nullptr; }
    OpenFile *operator->() const { return file_; }
    OpenFile *get() const { return file_; }

private:
    OpenFile *file_;
};

// A channel shared by `count` open files (each releases its reference with the file).
Channel *new_channel(uint32_t count);

void file_acquire(OpenFile *file);
void file_release(OpenFile *file); // closes the handle with the last reference

} // namespace libos
