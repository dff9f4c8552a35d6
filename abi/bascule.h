/* SPDX-License-Identifier: MIT */
/* The Bascule ABI: the one narrow, versioned interface between a guest (LibOS or native
 * guest), the extensions and the host. abi/README.md is the reference for every call. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versioning -------------------------------------------------------------------- */

/* Major changes break compatibility; minor versions only add: calls appended to the table,
 * codes, flags and fields (1.13: the system call entry in bsc_start_info; 1.14:
 * bsc_tcb.interrupts_held; 1.15: stream_control's BSC_CONTROL_ALLOCATE, stream_make_node;
 * 1.16: thread_identity_set, thread_capabilities_query, thread_capabilities_set; 1.17:
 * BSC_E_WRONG_TYPE, BSC_MESSAGE_MORE, BSC_SOCKOPT_PEER_PROCESS, BSC_WAIT_READ_HANGUP,
 * vm_lock, vm_residency_query, system_load_query, process_status_query of a thread;
 * 1.18: the System V IPC family ipc_get, ipc_control, ipc_shared_memory_attach,
 * ipc_semaphore_operate, ipc_message_send, ipc_message_receive and four status codes;
 * 1.19: notify: streams, stream_watch, BSC_CONTROL_WATCH_REMOVE, BSC_TYPE_NOTIFIER; leases,
 * directory notification, O_ASYNC and process_notices_take;
 * 1.20: stream_control's BSC_CONTROL_DEVICE_REQUEST, BSC_OPTION_EXCLUSIVE, stream_mount,
 * stream_unmount, stream_volume_query, stream_volume_query_by_handle and the status codes
 * NO_DEVICE, DEVICE_NOT_READY, NOT_BLOCK_DEVICE, OVERFLOW, NOT_IMPLEMENTED;
 * 1.21: BSC_FILE_REQUESTS (file-system requests on file: and dir: streams) and the block
 * and tun drivers' probes CDROM_GET_CAPABILITY, CDROM_LAST_WRITTEN, FDGETFDCSTAT,
 * TUNGETFEATURES in BSC_DEVICE_REQUESTS);
 * 1.22: stream_mount_added_query, stream_details_query, stream_details_query_by_handle
 * (statx's fields beyond the attributes), vm_sync (msync), BSC_OPTION_NO_ACCESS_TIME and
 * BSC_SET_NO_ACCESS_TIME; POSIX message queues: mqueue_open, mqueue_unlink, mqueue_send,
 * mqueue_receive, BSC_TYPE_MQUEUE, bsc_mqueue_attributes, BSC_CONTROL_MQUEUE_ATTRIBUTES and
 * _MQUEUE_NOTIFY, BSC_NOTICE_QUEUE;
 * 1.23: thread_security_bits_query, thread_security_bits_set; fanotify: streams,
 * BSC_TYPE_FANOTIFY, stream_mark; stream_control's BSC_CONTROL_CREATED and
 * BSC_CONTROL_CACHE_STATUS; thread_io_priority_query, _set, _query_by_handle,
 * _set_by_handle;
 * 1.24: the kernel's keys: key_add, key_request, key_control, bsc_key_control and the status
 * codes NO_KEY, KEY_EXPIRED, KEY_REVOKED, KEY_REJECTED, QUOTA; the new mount API:
 * mount_open, mount_configure, mount_attach, mount_move, mount_attributes_set,
 * BSC_TYPE_MOUNT_CONTEXT, BSC_TYPE_MOUNT, bsc_mount_attributes; mount_status_query,
 * mount_list, bsc_mount_request (statmount, listmount) and BSC_DETAIL_MOUNT_ID_UNIQUE;
 * stream_file_handle_query, stream_open_by_file_handle, bsc_file_handle
 * (name_to_handle_at, open_by_handle_at), BSC_E_STALE;
 * 1.25: stream_flush's BSC_FLUSH_FILE_SYSTEM (syncfs) and BSC_FLUSH_EVERYTHING (sync);
 * userfault streams: userfault_open, BSC_TYPE_USERFAULT, BSC_USERFAULT_REQUESTS and
 * BSC_DEVICE_IN_OUT; a BSC_EXCEPTION_BUS's code; namespaces: namespace_unshare,
 * namespace_enter and the BSC_NAMESPACE_* kinds; nsfs's NS_GET_MNTNS_ID in
 * BSC_FILE_REQUESTS. */
#define BSC_ABI_MAJOR 1u
#define BSC_ABI_MINOR 25u
#define BSC_ABI_VERSION ((BSC_ABI_MAJOR << 16) | BSC_ABI_MINOR)
#define BSC_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define BSC_ABI_VERSION_MINOR(v) ((uint32_t)(v)&0xffffu)

/* ---- Basic types ------------------------------------------------------------------- */

typedef int32_t bsc_status;  /* BSC_OK or a negative BSC_E_* code */
typedef uint32_t bsc_handle; /* 0 is never a valid handle */

#define BSC_NO_HANDLE 0u

/* Status codes, X(name, value, meaning). Stable numbers: they are part of the ABI. */
#define BSC_STATUS_CODES(X)  \
    X(BSC_OK, 0, "success") \
    X(BSC_E_INVALID, -1, "malformed argument, flag or URI") \
    X(BSC_E_NO_MEMORY, -2, "out of memory or address space") \
    X(BSC_E_NOT_FOUND, -3, "no such file, directory or object") \
    X(BSC_E_EXISTS, -4, "object exists and exclusive creation was asked") \
    X(BSC_E_ACCESS, -5, "permission bits or mode deny the access") \
    X(BSC_E_NOT_PERMITTED, -6, "operation not permitted for this caller") \
    X(BSC_E_BAD_HANDLE, -7, "handle unknown, closed, or of the wrong kind") \
    X(BSC_E_FAULT, -8, "a guest pointer does not point to usable memory") \
    X(BSC_E_AGAIN, -9, "would block on a non-blocking stream") \
    X(BSC_E_INTERRUPTED, -10, "interrupted before completion; retry the call") \
    X(BSC_E_NOT_SUPPORTED, -11, "call or option not supported for this object or host") \
    X(BSC_E_IS_DIRECTORY, -12, "a directory where a non-directory was needed") \
    X(BSC_E_NOT_DIRECTORY, -13, "a non-directory where a directory was needed") \
    X(BSC_E_NOT_EMPTY, -14, "directory not empty") \
    X(BSC_E_NO_SPACE, -15, "no space left on the device") \
    X(BSC_E_BROKEN_PIPE, -16, "writing to a stream whose reader is gone") \
    X(BSC_E_TIMED_OUT, -17, "the timeout of a wait expired") \
    X(BSC_E_TOO_BIG, -18, "size or value out of range for the object") \
    X(BSC_E_BUSY, -19, "object in use") \
    X(BSC_E_LOOP, -20, "too many symbolic links") \
    X(BSC_E_NAME_TOO_LONG, -21, "a path component or URI is too long") \
    X(BSC_E_CROSS_DEVICE, -22, "rename or link across file systems") \
    X(BSC_E_READ_ONLY, -23, "read-only file system") \
    X(BSC_E_IO, -24, "I/O error") \
    X(BSC_E_CONN_REFUSED, -25, "connection refused") \
    X(BSC_E_CONN_RESET, -26, "connection reset by peer") \
    X(BSC_E_ADDR_IN_USE, -27, "address already in use") \
    X(BSC_E_NOT_CONNECTED, -28, "stream socket not connected") \
    X(BSC_E_DEADLOCK, -29, "a lock wait would deadlock") \
    X(BSC_E_TOO_MANY, -30, "too many handles, links or threads") \
    X(BSC_E_TEXT_BUSY, -31, "executable file busy") \
    X(BSC_E_NOT_TTY, -32, "operation needs a terminal") \
    X(BSC_E_NO_ATTRIBUTE, -33, "no such extended attribute (since 1.2)") \
    X(BSC_E_IN_PROGRESS, -34, "a non-blocking connection was started (since 1.3)") \
    X(BSC_E_ALREADY, -35, "a connection is already being made (since 1.3)") \
    X(BSC_E_IS_CONNECTED, -36, "the socket is connected already (since 1.3)") \
    X(BSC_E_ADDR_NOT_AVAILABLE, -37, "the address is none of the host's (since 1.3)") \
    X(BSC_E_DESTINATION_REQUIRED, -38, "a socket without a peer needs an address (since 1.3)") \
    X(BSC_E_MESSAGE_TOO_BIG, -39, "a datagram too long for the socket (since 1.3)") \
    X(BSC_E_NET_UNREACHABLE, -40, "no route to the network (since 1.3)") \
    X(BSC_E_HOST_UNREACHABLE, -41, "no route to the host (since 1.3)") \
    X(BSC_E_CONN_ABORTED, -42, "a connection was aborted before it was accepted (since 1.3)") \
    X(BSC_E_WRONG_TYPE, -43, "the peer socket is of another type than the caller's (since 1.17)") \
    X(BSC_E_REMOVED, -44, "the object was removed while the call used it (since 1.18)") \
    X(BSC_E_NO_MESSAGE, -45, "no message of the wanted type is queued (since 1.18)") \
    X(BSC_E_OUT_OF_RANGE, -46, "a value beyond what the object can hold (since 1.18)") \
    X(BSC_E_TOO_LONG, -47, "a message longer than the buffer, or too many operations (since 1.18)") \
    X(BSC_E_NO_DEVICE, -48, "no such device, or no file system of that type (since 1.20)") \
    X(BSC_E_DEVICE_NOT_READY, -49, "the device is not set up, e.g. a free loop device (since 1.20)") \
    X(BSC_E_NOT_BLOCK_DEVICE, -50, "a block device was needed (since 1.20)") \
    X(BSC_E_OVERFLOW, -51, "a value does not fit the structure it is asked in (since 1.20)") \
    X(BSC_E_NOT_IMPLEMENTED, -52, "the object's driver has no such request (since 1.20)") \
    X(BSC_E_NO_KEY, -53, "no such key, or none found (since 1.24)") \
    X(BSC_E_KEY_EXPIRED, -54, "the key has expired (since 1.24)") \
    X(BSC_E_KEY_REVOKED, -55, "the key was revoked (since 1.24)") \
    X(BSC_E_KEY_REJECTED, -56, "the key was rejected by its maker (since 1.24)") \
    X(BSC_E_QUOTA, -57, "over the user's quota (since 1.24)") \
    X(BSC_E_STALE, -58, "a file handle names no object on that file system (since 1.24)")

enum {
#define BSC_DECLARE_STATUS(name, value, meaning) name = value,
    BSC_STATUS_CODES(BSC_DECLARE_STATUS)
#undef BSC_DECLARE_STATUS
};

/* The name of a status code ("BSC_E_NOT_FOUND"), for messages and traces. */
static inline const char *bsc_status_name(bsc_status status) {
    switch (status) {
#define BSC_STATUS_NAME_CASE(name, value, meaning) \
    case name:                                    \
        return #name;
        BSC_STATUS_CODES(BSC_STATUS_NAME_CASE)
#undef BSC_STATUS_NAME_CASE
    default:
        return "BSC_E_UNKNOWN";
    }
}

/* ---- Memory ------------------------------------------------------------------------ */

enum { /* protection bits */
    BSC_PROT_NONE = 0,
    BSC_PROT_READ = 1,
    BSC_PROT_WRITE = 2,
    BSC_PROT_EXEC = 4,
};

enum { /* vm_alloc / stream_map flags */
    BSC_MAP_FIXED = 1,       /* use *addr exactly, replacing what is there */
    BSC_MAP_FIXED_NOREPLACE = 2, /* use *addr exactly, fail with BSC_E_EXISTS if in use */
    BSC_MAP_SHARED = 4,      /* stream_map: writes reach the stream; vm_alloc (since 1.5):
                              * the memory stays shared with processes process_fork makes */
    BSC_MAP_NORESERVE = 8,   /* do not reserve swap for the region */
    BSC_MAP_FILL = 16,       /* vm_alloc only, since 1.1: pages are installed by vm_fill */
};

enum { /* vm_lock flags (since 1.17): one of them, or 0 to unlock */
    BSC_VM_LOCK = 1,          /* keep the pages in memory, faulting every one in now */
    BSC_VM_LOCK_ON_FAULT = 2, /* keep each page in memory once it is touched */
};

/* vm_sync (since 1.22) takes no flags yet: 0. */

enum { /* vm_written_query flags (since 1.11) */
    BSC_WRITTEN_RESTART = 1, /* after answering, count writes afresh from now */
};

/* ---- Streams ----------------------------------------------------------------------- */

enum { /* stream_open access */
    BSC_ACCESS_READ = 1,
    BSC_ACCESS_WRITE = 2,
    BSC_ACCESS_RDWR = 3,
    BSC_ACCESS_APPEND = 4, /* every write goes to the end */
};

enum { /* stream_open create disposition */
    BSC_CREATE_NEVER = 0,  /* open an existing object only */
    BSC_CREATE_TRY = 1,    /* open, creating it if missing */
    BSC_CREATE_ALWAYS = 2, /* create; BSC_E_EXISTS if it exists */
};

enum { /* stream_open / stream_open_pair / stream_accept options */
    BSC_OPTION_NONBLOCK = 1,   /* reads and writes return BSC_E_AGAIN instead of blocking */
    BSC_OPTION_TRUNCATE = 2,   /* truncate a regular file to length 0 on open */
    BSC_OPTION_NOFOLLOW = 4,   /* fail with BSC_E_LOOP if the last component is a symlink */
    BSC_OPTION_DIRECTORY = 8,  /* fail with BSC_E_NOT_DIRECTORY unless it is a directory */
    BSC_OPTION_SYNC = 16,      /* writes are durable when they return */
    BSC_OPTION_APPEND = 32,    /* since 1.2, reported and set by handle: writes go to the end */
    BSC_OPTION_PACKET = 64,    /* since 1.2, pipes: each write is a packet (open_pair, set) */
    BSC_OPTION_NO_LINKS = 128, /* since 1.4, stream_open of a path: fail with BSC_E_LOOP if
                                * any of its components is a symbolic link */
    BSC_OPTION_EXCLUSIVE = 256, /* since 1.20, stream_open with BSC_CREATE_NEVER: a block
                                 * device for this opener alone (Linux: O_EXCL without
                                 * O_CREAT); BSC_E_BUSY while it is mounted or so opened */
    BSC_OPTION_NO_ACCESS_TIME = 512, /* since 1.22, a file or directory: reading does not
                                      * update its access time (Linux: O_NOATIME; only its
                                      * owner or a holder of CAP_FOWNER: NOT_PERMITTED) */
};

/* Offsets for stream_read / stream_write: an explicit byte offset, or the stream's own
 * position, which the call then advances (the only choice for non-seekable streams). */
#define BSC_AT_POSITION UINT64_MAX

enum { BSC_SEEK_SET = 0, BSC_SEEK_CURRENT = 1, BSC_SEEK_END = 2 };
/* Since 1.2: the next byte of data, or the next hole (the end counts as one), at or after
 * the offset; BSC_E_NOT_FOUND when the offset is at or past the end. */
enum { BSC_SEEK_DATA = 3, BSC_SEEK_HOLE = 4 };

enum { /* stream_flush flags: at most one */
    BSC_FLUSH_DATA_ONLY = 1,
    BSC_FLUSH_FILE_SYSTEM = 2, /* since 1.25: the stream's whole file system (syncfs) */
    BSC_FLUSH_EVERYTHING = 4,  /* since 1.25: every file system, with BSC_NO_HANDLE (sync) */
};

enum { /* object types reported by the attribute calls */
    BSC_TYPE_UNKNOWN = 0,
    BSC_TYPE_FILE = 1,
    BSC_TYPE_DIRECTORY = 2,
    BSC_TYPE_SYMLINK = 3,
    BSC_TYPE_PIPE = 4,
    BSC_TYPE_SOCKET = 5,
    BSC_TYPE_CHAR_DEVICE = 6,
    BSC_TYPE_BLOCK_DEVICE = 7,
    BSC_TYPE_TTY = 8, /* a character device that is a terminal */
    BSC_TYPE_EVENT = 9,
    BSC_TYPE_THREAD = 10,
    BSC_TYPE_PROCESS = 11,
    BSC_TYPE_NOTIFIER = 12, /* since 1.19: a notify: stream (file-system notifications) */
    BSC_TYPE_MQUEUE = 13,   /* since 1.22: a POSIX message queue (mqueue_open) */
    BSC_TYPE_FANOTIFY = 14, /* since 1.23: a fanotify: stream (file-system access events) */
    BSC_TYPE_MOUNT_CONTEXT = 15, /* since 1.24: a file-system context (mount_open) */
    BSC_TYPE_MOUNT = 16,         /* since 1.24: a detached mount (mount_open, mount_attach) */
    BSC_TYPE_USERFAULT = 17,     /* since 1.25: a userfault stream (userfault_open) */
};

enum { /* stream_attributes_query flags */
    BSC_QUERY_NOFOLLOW = 1, /* describe a final symlink itself */
};

/* Attributes of a stream or object. Times are nanoseconds since the Unix epoch. */
typedef struct bsc_stream_attributes {
    uint32_t type;        /* BSC_TYPE_* */
    uint32_t mode;        /* permission bits (07777) */
    uint64_t size;        /* bytes; for pipes and sockets: bytes readable now */
    uint64_t device;      /* identifies the file system */
    uint64_t inode;       /* identifies the object within the file system */
    uint64_t links;       /* number of hard links */
    uint32_t owner;       /* numeric user id */
    uint32_t group;       /* numeric group id */
    uint64_t rdev;        /* device number of a device object */
    uint64_t blocks;      /* 512-byte blocks allocated */
    uint32_t block_size;  /* preferred I/O size */
    uint32_t options;     /* BSC_OPTION_* currently in effect (by handle only) */
    int64_t access_time;
    int64_t modify_time;
    int64_t change_time;
    uint16_t tty_rows;    /* window size of a terminal, else 0 */
    uint16_t tty_columns;
    uint32_t reserved;
} bsc_stream_attributes;

/* Since 1.22: what stream_details_query reports of an object beyond its attributes, as
 * Linux's statx reports it. `mask` says which fields its file system filled; `want` asks
 * for the optional ones (a file system may fill one it was not asked for, or leave one
 * out). The bit values are Linux's STATX_* values; `attributes` and `attributes_mask`
 * (the attributes the file system supports) are Linux's STATX_ATTR_* bits. */
typedef struct bsc_stream_details {
    uint32_t mask;             /* BSC_DETAIL_* filled */
    uint32_t reserved;         /* 0 */
    uint64_t attributes;       /* STATX_ATTR_*: compressed, immutable, append, mount root ... */
    uint64_t attributes_mask;  /* the STATX_ATTR_* bits the file system can tell */
    int64_t birth_time;        /* BSC_DETAIL_BIRTH_TIME: ns since the Unix epoch */
    uint64_t mount_id;         /* BSC_DETAIL_MOUNT_ID: the host's id of the mount */
    uint32_t dio_memory_align; /* BSC_DETAIL_DIRECT_IO: alignment of O_DIRECT buffers */
    uint32_t dio_offset_align; /* ... and of their file offsets and lengths; 0: no O_DIRECT */
} bsc_stream_details;

/* Since 1.24: an object's file handle, as Linux's name_to_handle_at gives it
 * (stream_file_handle_query) and open_by_handle_at takes it (stream_open_by_file_handle):
 * the host file system's `kind` (handle_type) and `length` opaque bytes, and the host's id
 * of the mount the object is on (the id stream_details_query's BSC_DETAIL_MOUNT_ID and the
 * host's mountinfo give). */
enum { BSC_FILE_HANDLE_MAX = 128 }; /* Linux's MAX_HANDLE_SZ */
typedef struct bsc_file_handle {
    uint32_t length; /* bytes of `bytes` used, at most BSC_FILE_HANDLE_MAX */
    int32_t kind;    /* the file system's handle type */
    uint64_t mount_id;
    uint8_t bytes[BSC_FILE_HANDLE_MAX];
} bsc_file_handle;

enum { /* stream_file_handle_query flags, beside BSC_QUERY_NOFOLLOW */
    BSC_FILE_HANDLE_FID = 2,         /* a handle to identify the object, not to open it
                                      * (AT_HANDLE_FID) */
    BSC_FILE_HANDLE_CONNECTABLE = 4, /* one that opens with a known path: it keeps its
                                      * parent (AT_HANDLE_CONNECTABLE) */
};

enum { /* bsc_stream_details.mask and stream_details_query's want (Linux's STATX_*) */
    BSC_DETAIL_BASIC = 0x7ff,       /* the attributes' fields (STATX_BASIC_STATS) */
    BSC_DETAIL_BIRTH_TIME = 0x800,  /* STATX_BTIME */
    BSC_DETAIL_MOUNT_ID = 0x1000,   /* STATX_MNT_ID */
    BSC_DETAIL_DIRECT_IO = 0x2000,  /* STATX_DIOALIGN */
    BSC_DETAIL_MOUNT_ID_UNIQUE = 0x4000, /* since 1.24, STATX_MNT_ID_UNIQUE: mount_id is
                                          * the mount's 64-bit id, never reused, which
                                          * mount_status_query and mount_list take */
};

enum { /* which fields stream_attributes_set changes */
    BSC_SET_MODE = 1,
    BSC_SET_OWNER = 2,
    BSC_SET_GROUP = 4,
    BSC_SET_ACCESS_TIME = 8,
    BSC_SET_MODIFY_TIME = 16,
    BSC_SET_ACCESS_TIME_NOW = 32,
    BSC_SET_MODIFY_TIME_NOW = 64,
    BSC_SET_OPTIONS = 128, /* only BSC_OPTION_NONBLOCK may change after open */
    BSC_SET_APPEND = 256,  /* since 1.2, by handle: BSC_OPTION_APPEND of options, on or off */
    BSC_SET_PACKET = 512,  /* since 1.2, by handle, a pipe: BSC_OPTION_PACKET, on or off */
    BSC_SET_NO_ACCESS_TIME = 1024, /* since 1.22, by handle: BSC_OPTION_NO_ACCESS_TIME of
                                    * options, on or off (Linux: F_SETFL's O_NOATIME) */
};

enum { /* stream_delete flags */
    BSC_DELETE_DIRECTORY = 1, /* remove an empty directory, not a file */
};

enum { /* stream_rename flags */
    BSC_RENAME_NOREPLACE = 1,
    BSC_RENAME_EXCHANGE = 2,
};

enum { /* stream_link kinds */
    BSC_LINK_HARD = 0,     /* target is the URI of an existing file */
    BSC_LINK_SYMBOLIC = 1, /* target is the link's text, stored verbatim */
};

enum { /* stream_xattr_* flags (since 1.2) */
    BSC_XATTR_NOFOLLOW = 1, /* by URI: a final symlink itself */
    BSC_XATTR_CREATE = 2,   /* set: BSC_E_EXISTS if the attribute exists */
    BSC_XATTR_REPLACE = 4,  /* set: BSC_E_NO_ATTRIBUTE if it does not */
};

/* Directory streams: stream_read on a dir: handle returns whole records, never a partial
 * one; a read of 0 bytes means the end. stream_seek(0, BSC_SEEK_SET) rewinds, and a
 * position returned by BSC_SEEK_CURRENT may be restored. */
typedef struct bsc_dirent {
    uint64_t inode;
    uint16_t record_length; /* bytes from this record to the next, 8-byte aligned */
    uint8_t type;           /* BSC_TYPE_* or BSC_TYPE_UNKNOWN */
    char name[];            /* NUL-terminated */
} bsc_dirent;

enum { /* stream_lock commands */
    BSC_LOCK_SET = 0,      /* acquire or release; BSC_E_AGAIN if held by another */
    BSC_LOCK_SET_WAIT = 1, /* acquire or release, waiting for it */
    BSC_LOCK_TEST = 2,     /* report a conflicting lock, or type BSC_LOCK_UNLOCK */
};

enum { /* stream_control commands (since 1.2); data points to what each names */
    BSC_CONTROL_PIPE_CAPACITY = 1,     /* out: uint64_t, the bytes a pipe holds */
    BSC_CONTROL_PIPE_SET_CAPACITY = 2, /* in: uint64_t wanted (at most 2^31); out: given */
    BSC_CONTROL_READABLE = 3,          /* out: uint64_t, bytes a read would get now */
    BSC_CONTROL_TTY_SETTINGS = 4,      /* out: bsc_terminal_settings */
    BSC_CONTROL_TTY_SET_SETTINGS = 5,  /* in: bsc_terminal_settings, now */
    BSC_CONTROL_TTY_SET_SETTINGS_DRAIN = 6, /* ... once the output is sent */
    BSC_CONTROL_TTY_SET_SETTINGS_FLUSH = 7, /* ... and the unread input dropped */
    BSC_CONTROL_TTY_WINDOW = 8,        /* out: bsc_terminal_window */
    BSC_CONTROL_TTY_SET_WINDOW = 9,    /* in: bsc_terminal_window */
    BSC_CONTROL_PTY_NUMBER = 10,       /* out: uint32_t N, the peer is file:/dev/pts/N */
    BSC_CONTROL_PTY_LOCKED = 11,       /* out: uint32_t, 1 while the peer cannot be opened */
    BSC_CONTROL_PTY_SET_LOCKED = 12,   /* in: uint32_t */
    BSC_CONTROL_PTY_PACKET = 13,       /* out: uint32_t, 1 in packet mode */
    BSC_CONTROL_PTY_SET_PACKET = 14,   /* in: uint32_t */
    BSC_CONTROL_TTY_FLUSH = 15,        /* in: uint32_t BSC_TTY_FLUSH_* bits: drop queued data */
    BSC_CONTROL_TTY_FLOW = 16,         /* in: uint32_t BSC_TTY_FLOW_*: suspend, restart */
    BSC_CONTROL_TTY_DRAIN = 17,        /* in: uint32_t 0: waits until the output is sent */
    BSC_CONTROL_TTY_BREAK = 18,        /* in: uint32_t 0: sends a break */
    BSC_CONTROL_TTY_OUTPUT_QUEUED = 19, /* out: uint64_t, bytes written but not yet sent */
    BSC_CONTROL_ALLOCATE = 20,         /* since 1.15, in: bsc_allocation, a file's space */
    BSC_CONTROL_WATCH_REMOVE = 21,     /* since 1.19, in: int32_t, a watch of a notify: stream */
    BSC_CONTROL_LEASE = 22,            /* since 1.19, out: uint32_t BSC_LOCK_*, the lease held */
    BSC_CONTROL_SET_LEASE = 23,        /* since 1.19, in: uint32_t BSC_LOCK_*: take or drop it */
    BSC_CONTROL_WATCH_DIRECTORY = 24,  /* since 1.19, in: uint32_t BSC_DIRECTORY_* bits */
    BSC_CONTROL_SET_ASYNC = 25,        /* since 1.19, in: uint32_t 1 or 0: readiness notices */
    BSC_CONTROL_DEVICE_REQUEST = 26,   /* since 1.20, in/out: bsc_device_request + argument */
    BSC_CONTROL_MQUEUE_ATTRIBUTES = 27, /* since 1.22, out: bsc_mqueue_attributes of a queue */
    BSC_CONTROL_MQUEUE_NOTIFY = 28,    /* since 1.22, in: bsc_mqueue_notification */
    BSC_CONTROL_CREATED = 29,          /* since 1.23, out: uint32_t 1 if its open made the file */
    BSC_CONTROL_CACHE_STATUS = 30,     /* since 1.23, in/out: bsc_cache_status */
};

/* Since 1.23: BSC_CONTROL_CACHE_STATUS's argument (Linux's cachestat): in, the pages from
 * byte `offset` for `length` bytes (0: to the end) and `flags` (0; the host checks them);
 * out, how many of them are in the host's page cache, dirty, under writeback, evicted and
 * recently evicted. */
typedef struct bsc_cache_status {
    uint64_t offset, length;
    uint32_t flags, reserved; /* reserved: 0 */
    uint64_t cached, dirty, writeback, evicted, recently_evicted;
} bsc_cache_status;

/* Since 1.22: a POSIX message queue's attributes (Linux's struct mq_attr): mqueue_open's
 * wishes, BSC_CONTROL_MQUEUE_ATTRIBUTES's answer. */
typedef struct bsc_mqueue_attributes {
    uint32_t flags;       /* BSC_OPTION_NONBLOCK; mqueue_open: BSC_MQUEUE_DEFAULT_SIZE too */
    uint32_t reserved;    /* 0 */
    int64_t max_messages; /* mq_maxmsg */
    int64_t message_size; /* mq_msgsize: the longest message, bytes */
    int64_t messages;     /* mq_curmsgs: queued now (an answer; ignored by mqueue_open) */
} bsc_mqueue_attributes;

enum { /* bsc_mqueue_attributes.flags for mqueue_open: a new queue gets the host's default
        * sizes (Linux's mq_open without attributes), not max_messages and message_size */
    BSC_MQUEUE_DEFAULT_SIZE = 0x100,
};

enum { /* bsc_mqueue_notification.kind: what a message arriving in an empty queue does */
    BSC_MQUEUE_NOTIFY_REMOVE = 0, /* this process's registration goes (if it has it) */
    BSC_MQUEUE_NOTIFY_NONE = 1,   /* registered, but nothing is told (SIGEV_NONE) */
    BSC_MQUEUE_NOTIFY_NOTICE = 2, /* registered: a BSC_NOTICE_QUEUE notice (SIGEV_SIGNAL) */
};

typedef struct bsc_mqueue_notification {
    uint32_t kind;     /* BSC_MQUEUE_NOTIFY_* */
    uint32_t reserved; /* 0 */
} bsc_mqueue_notification;

/* ---- Device requests (since 1.20) ----------------------------------------------------
 * A request to the driver of a device stream (a loop device, its control device, a block
 * device), made with stream_control(BSC_CONTROL_DEVICE_REQUEST). Requests are named and
 * numbered as Linux on x86-64 numbers them, and their arguments are laid out as Linux's
 * x86-64 structures (a host of another kind translates, or answers NOT_SUPPORTED): the
 * ABI carries only the requests listed here, each with the kind of its argument, so that
 * no guest address and no guest descriptor ever reaches the host's driver. */
enum { /* how a request takes its argument */
    BSC_DEVICE_NONE = 0,      /* none */
    BSC_DEVICE_VALUE = 1,     /* an integer: bsc_device_request.value */
    BSC_DEVICE_HANDLE = 2,    /* a stream (Linux: a descriptor): bsc_device_request.handle */
    BSC_DEVICE_IN = 3,        /* `size` bytes the driver reads, after the header */
    BSC_DEVICE_OUT = 4,       /* `size` bytes the driver writes, after the header */
    BSC_DEVICE_IN_HANDLE = 5, /* IN, whose first uint32_t is a descriptor: the host puts
                               * there the one of bsc_device_request.handle */
    BSC_DEVICE_IN_OUT = 6,    /* since 1.25: `size` bytes the driver reads and writes back,
                               * written back whatever the status (UFFDIO_API clears its
                               * structure when it fails) */
};

/* X(name, request, kind, size): every request the ABI carries, with its argument. */
#define BSC_DEVICE_REQUESTS(X)                                              \
    X(LOOP_SET_FD, 0x4C00u, BSC_DEVICE_HANDLE, 0)                           \
    X(LOOP_CLR_FD, 0x4C01u, BSC_DEVICE_NONE, 0)                             \
    X(LOOP_SET_STATUS, 0x4C02u, BSC_DEVICE_IN, 168)   /* struct loop_info */ \
    X(LOOP_GET_STATUS, 0x4C03u, BSC_DEVICE_OUT, 168)                        \
    X(LOOP_SET_STATUS64, 0x4C04u, BSC_DEVICE_IN, 232) /* struct loop_info64 */ \
    X(LOOP_GET_STATUS64, 0x4C05u, BSC_DEVICE_OUT, 232)                      \
    X(LOOP_CHANGE_FD, 0x4C06u, BSC_DEVICE_HANDLE, 0)                        \
    X(LOOP_SET_CAPACITY, 0x4C07u, BSC_DEVICE_NONE, 0)                       \
    X(LOOP_SET_DIRECT_IO, 0x4C08u, BSC_DEVICE_VALUE, 0)                     \
    X(LOOP_SET_BLOCK_SIZE, 0x4C09u, BSC_DEVICE_VALUE, 0)                    \
    X(LOOP_CONFIGURE, 0x4C0Au, BSC_DEVICE_IN_HANDLE, 304) /* struct loop_config */ \
    X(LOOP_CTL_ADD, 0x4C80u, BSC_DEVICE_VALUE, 0)                           \
    X(LOOP_CTL_REMOVE, 0x4C81u, BSC_DEVICE_VALUE, 0)                        \
    X(LOOP_CTL_GET_FREE, 0x4C82u, BSC_DEVICE_NONE, 0)                       \
    X(BLKROSET, 0x125Du, BSC_DEVICE_IN, 4)                                  \
    X(BLKROGET, 0x125Eu, BSC_DEVICE_OUT, 4)                                 \
    X(BLKRRPART, 0x125Fu, BSC_DEVICE_NONE, 0)                               \
    X(BLKGETSIZE, 0x1260u, BSC_DEVICE_OUT, 8)                               \
    X(BLKFLSBUF, 0x1261u, BSC_DEVICE_NONE, 0)                               \
    X(BLKRASET, 0x1262u, BSC_DEVICE_VALUE, 0)                               \
    X(BLKRAGET, 0x1263u, BSC_DEVICE_OUT, 8)                                 \
    X(BLKFRASET, 0x1264u, BSC_DEVICE_VALUE, 0)                              \
    X(BLKFRAGET, 0x1265u, BSC_DEVICE_OUT, 8)                                \
    X(BLKSECTGET, 0x1267u, BSC_DEVICE_OUT, 2)                               \
    X(BLKSSZGET, 0x1268u, BSC_DEVICE_OUT, 4)                                \
    X(BLKBSZGET, 0x80081270u, BSC_DEVICE_OUT, 4)                            \
    X(BLKBSZSET, 0x40081271u, BSC_DEVICE_IN, 4)                             \
    X(BLKGETSIZE64, 0x80081272u, BSC_DEVICE_OUT, 8)                         \
    X(BLKDISCARD, 0x1277u, BSC_DEVICE_IN, 16)                               \
    X(BLKIOMIN, 0x1278u, BSC_DEVICE_OUT, 4)                                 \
    X(BLKIOOPT, 0x1279u, BSC_DEVICE_OUT, 4)                                 \
    X(BLKALIGNOFF, 0x127Au, BSC_DEVICE_OUT, 4)                              \
    X(BLKPBSZGET, 0x127Bu, BSC_DEVICE_OUT, 4)                               \
    X(BLKDISCARDZEROES, 0x127Cu, BSC_DEVICE_OUT, 4)                         \
    X(BLKSECDISCARD, 0x127Du, BSC_DEVICE_IN, 16)                            \
    X(BLKROTATIONAL, 0x127Eu, BSC_DEVICE_OUT, 2)                            \
    X(BLKZEROOUT, 0x127Fu, BSC_DEVICE_IN, 16)                               \
    X(BLKGETDISKSEQ, 0x80081280u, BSC_DEVICE_OUT, 8)                        \
    X(BLKGETZONESZ, 0x80041284u, BSC_DEVICE_OUT, 4)                         \
    X(BLKGETNRZONES, 0x80041285u, BSC_DEVICE_OUT, 4)                        \
    X(HDIO_GETGEO, 0x0301u, BSC_DEVICE_OUT, 16) /* struct hd_geometry */  \
    /* since 1.21: what libblkid and mkfs ask of any block device, and /dev/net/tun's */ \
    X(CDROM_GET_CAPABILITY, 0x5331u, BSC_DEVICE_NONE, 0)                    \
    X(CDROM_LAST_WRITTEN, 0x5395u, BSC_DEVICE_OUT, 8)                       \
    X(FDGETFDCSTAT, 0x80280215u, BSC_DEVICE_OUT, 40) /* struct floppy_fdc_state */ \
    X(TUNGETFEATURES, 0x800454CFu, BSC_DEVICE_OUT, 4)

/* X(name, request, kind, size), since 1.21: the requests of a regular file's or a
 * directory's file system (Linux's VFS serves them for every file system, which may
 * lack them), made the same way on a `file:` or `dir:` stream. FS_IOC_GETFLAGS and
 * FS_IOC_SETFLAGS are numbered with a long but move an int, as on Linux. */
#define BSC_FILE_REQUESTS(X)                                                \
    X(FS_IOC_GETFLAGS, 0x80086601u, BSC_DEVICE_OUT, 4)                      \
    X(FS_IOC_SETFLAGS, 0x40086602u, BSC_DEVICE_IN, 4)                       \
    X(FS_IOC_GETVERSION, 0x80087601u, BSC_DEVICE_OUT, 4)                    \
    X(FS_IOC_FSGETXATTR, 0x801C581Fu, BSC_DEVICE_OUT, 28) /* struct fsxattr */ \
    X(FS_IOC_FSSETXATTR, 0x401C5820u, BSC_DEVICE_IN, 28)                    \
    X(FICLONE, 0x40049409u, BSC_DEVICE_HANDLE, 0)                           \
    X(FICLONERANGE, 0x4020940Du, BSC_DEVICE_IN_HANDLE, 32) /* struct file_clone_range */ \
    X(NS_GET_MNTNS_ID, 0x8008B705u, BSC_DEVICE_OUT, 8) /* since 1.25: nsfs, a mount namespace's id */

/* X(name, request, kind, size), since 1.25: a userfault stream's requests (Linux's
 * userfaultfd ioctls), made the same way on a BSC_TYPE_USERFAULT stream. Their structures
 * hold addresses of the process's own memory, which the host's userfaultfd acts on: the
 * guest's memory is the process's, so they pass as they are. */
#define BSC_USERFAULT_REQUESTS(X)                                           \
    X(UFFDIO_API, 0xC018AA3Fu, BSC_DEVICE_IN_OUT, 24) /* struct uffdio_api */ \
    X(UFFDIO_REGISTER, 0xC020AA00u, BSC_DEVICE_IN_OUT, 32)                  \
    X(UFFDIO_UNREGISTER, 0x8010AA01u, BSC_DEVICE_IN, 16) /* struct uffdio_range */ \
    X(UFFDIO_WAKE, 0x8010AA02u, BSC_DEVICE_IN, 16)                          \
    X(UFFDIO_COPY, 0xC028AA03u, BSC_DEVICE_IN_OUT, 40)                      \
    X(UFFDIO_ZEROPAGE, 0xC020AA04u, BSC_DEVICE_IN_OUT, 32)                  \
    X(UFFDIO_MOVE, 0xC028AA05u, BSC_DEVICE_IN_OUT, 40)                      \
    X(UFFDIO_WRITEPROTECT, 0xC018AA06u, BSC_DEVICE_IN, 24)                  \
    X(UFFDIO_CONTINUE, 0xC020AA07u, BSC_DEVICE_IN_OUT, 32)                  \
    X(UFFDIO_POISON, 0xC020AA08u, BSC_DEVICE_IN_OUT, 32)

enum { /* bsc_device_request.argument: how the caller's argument came */
    BSC_DEVICE_ARGUMENT_GIVEN = 0,      /* as the kind says */
    BSC_DEVICE_ARGUMENT_NULL = 1,       /* IN, OUT: the caller passed a null address; the
                                         * driver gets one */
    BSC_DEVICE_ARGUMENT_FAULT = 2,      /* IN, IN_HANDLE: the caller's could not be read;
                                         * the driver gets an address that faults */
    BSC_DEVICE_ARGUMENT_BAD_HANDLE = 3, /* HANDLE, IN_HANDLE: the caller's descriptor named
                                         * no stream; the driver gets one that names none */
};

/* BSC_CONTROL_DEVICE_REQUEST's data: this header, then the argument's `size` bytes of
 * BSC_DEVICE_REQUESTS for IN, OUT and IN_HANDLE requests (stream_control's size is the
 * sum). The driver's checks, in its order, decide the status. */
typedef struct bsc_device_request {
    uint32_t request;  /* one of BSC_DEVICE_REQUESTS */
    uint32_t argument; /* BSC_DEVICE_ARGUMENT_* */
    uint64_t value;    /* VALUE: the argument */
    bsc_handle handle; /* HANDLE, IN_HANDLE: the stream */
    uint32_t reserved; /* 0 */
    int64_t result;    /* out: the request's result, 0 or more (LOOP_CTL_GET_FREE: the
                        * number of the free loop device) */
} bsc_device_request;

/* How BSC_DEVICE_REQUESTS says `request` takes its argument (its kind and size): one
 * answer for the caller that builds a request and the host that checks it. 0 if the ABI
 * does not carry the request, else 1. */
typedef struct bsc_device_shape {
    uint32_t kind;  /* BSC_DEVICE_NONE ... */
    uint32_t size;  /* the argument's bytes after the header (IN, OUT, IN_HANDLE) */
    uint32_t files; /* since 1.21: 1 for BSC_FILE_REQUESTS (made on a file: or dir:
                     * stream), 0 for BSC_DEVICE_REQUESTS (on a device stream); since
                     * 1.25, 2 for BSC_USERFAULT_REQUESTS (on a userfault stream) */
} bsc_device_shape;

static inline int bsc_device_shape_of(uint64_t request, bsc_device_shape *shape) {
    switch (request) {
#define BSC_DEVICE_SHAPE_CASE(name, number, kind_of, size_of) \
    case number: shape->kind = kind_of; shape->size = size_of; shape->files = 0; return 1;
        BSC_DEVICE_REQUESTS(BSC_DEVICE_SHAPE_CASE)
#undef BSC_DEVICE_SHAPE_CASE
#define BSC_FILE_SHAPE_CASE(name, number, kind_of, size_of) \
    case number: shape->kind = kind_of; shape->size = size_of; shape->files = 1; return 1;
        BSC_FILE_REQUESTS(BSC_FILE_SHAPE_CASE)
#undef BSC_FILE_SHAPE_CASE
#define BSC_USERFAULT_SHAPE_CASE(name, number, kind_of, size_of) \
    case number: shape->kind = kind_of; shape->size = size_of; shape->files = 2; return 1;
        BSC_USERFAULT_REQUESTS(BSC_USERFAULT_SHAPE_CASE)
#undef BSC_USERFAULT_SHAPE_CASE
    default: return 0;
    }
}

/* ---- Mounts (since 1.20) ---------------------------------------------------------------
 * stream_mount's flags are Linux's mount flags (MS_*), of which these are named here;
 * stream_unmount's are Linux's umount2 flags. */
enum {
    BSC_MOUNT_READ_ONLY = 1,      /* MS_RDONLY */
    BSC_MOUNT_NO_SET_ID = 2,      /* MS_NOSUID */
    BSC_MOUNT_NO_DEVICES = 4,     /* MS_NODEV */
    BSC_MOUNT_NO_EXEC = 8,        /* MS_NOEXEC */
    BSC_MOUNT_REMOUNT = 32,       /* MS_REMOUNT */
    BSC_MOUNT_BIND = 4096,        /* MS_BIND */
    BSC_MOUNT_MOVE = 8192,        /* MS_MOVE */
    BSC_MOUNT_RECURSIVE = 16384,  /* MS_REC */
};
/* The new mount API (since 1.24): Linux's fsopen, fspick, open_tree, fsconfig, fsmount,
 * move_mount and mount_setattr, made by the host in the runtime's mount namespace as
 * stream_mount is. A file-system context (BSC_TYPE_MOUNT_CONTEXT) and a detached mount
 * (BSC_TYPE_MOUNT) are handles; a context's stream_read gives the kernel's messages.
 * Where a call names an object by `at` and `uri`: with `at` BSC_NO_HANDLE, `uri` is a
 * file: or dir: URI; with a handle, `uri` "" names the handle's object itself and any
 * other text is a path relative to it (a detached mount's, which no URI can name). Flags
 * are Linux's, numbered as its x86-64 headers number them, without the CLOEXEC and
 * EMPTY_PATH bits (the host's descriptors are its own; "" says "empty"). */
enum { /* mount_open's kinds */
    BSC_MOUNT_OPEN_FILE_SYSTEM = 0, /* fsopen: `uri` "name:TYPE"; no flags */
    BSC_MOUNT_OPEN_PICK = 1,  /* fspick: FSPICK_SYMLINK_NOFOLLOW, FSPICK_NO_AUTOMOUNT */
    BSC_MOUNT_OPEN_TREE = 2,  /* open_tree's OPEN_TREE_CLONE: AT_SYMLINK_NOFOLLOW,
                                 AT_NO_AUTOMOUNT, AT_RECURSIVE */
};
/* mount_attributes_set's change (Linux's struct mount_attr without its user namespace:
 * an id-mapped mount is not carried). */
typedef struct bsc_mount_attributes {
    uint64_t set;         /* MOUNT_ATTR_* to set */
    uint64_t clear;       /* MOUNT_ATTR_* to clear */
    uint64_t propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE or 0 */
} bsc_mount_attributes;
/* The mount mount_status_query and mount_list ask about (Linux's struct mnt_id_req): its
 * 64-bit id (statx's STATX_MNT_ID_UNIQUE), what to report, and the mount namespace by its
 * id (0: the runtime's). */
typedef struct bsc_mount_request {
    uint64_t mount_id;     /* a mount, or for mount_list the one whose children to list
                            * (LSMT_ROOT: the namespace's root) */
    uint64_t param;        /* statmount's STATMOUNT_* mask; mount_list: the last id had */
    uint64_t namespace_id; /* STATMOUNT_MNT_NS_ID's id, 0 for the runtime's namespace */
} bsc_mount_request;

/* What stream_volume_query reports of the file system an object lies on, as Linux's
 * statfs reports it. */
typedef struct bsc_volume_info {
    uint64_t type;             /* the file system's kind: Linux's magic number (f_type) */
    uint64_t block_size;       /* the preferred transfer size (f_bsize) */
    uint64_t fragment_size;    /* the unit of the block counts (f_frsize) */
    uint64_t blocks;           /* its size */
    uint64_t blocks_free;      /* free */
    uint64_t blocks_available; /* free for an unprivileged user */
    uint64_t files;            /* inodes, 0 where the file system has no such count */
    uint64_t files_free;
    uint64_t name_max;         /* the longest name (f_namelen) */
    uint64_t flags;            /* the mount's ST_* flags, Linux's values (f_flags) */
    uint32_t id[2];            /* the file system's id (f_fsid) */
} bsc_volume_info;

enum {
    BSC_UNMOUNT_FORCE = 1,     /* MNT_FORCE */
    BSC_UNMOUNT_DETACH = 2,    /* MNT_DETACH */
    BSC_UNMOUNT_EXPIRE = 4,    /* MNT_EXPIRE */
    BSC_UNMOUNT_NO_FOLLOW = 8, /* UMOUNT_NOFOLLOW */
};

/* Since 1.19: what BSC_CONTROL_WATCH_DIRECTORY asks to be told of a directory (Linux's
 * DN_* values): each change comes as a notice (process_notices_take), once unless
 * MULTISHOT; no event bit ends the watch. */
enum {
    BSC_DIRECTORY_ACCESS = 0x1,
    BSC_DIRECTORY_MODIFY = 0x2,
    BSC_DIRECTORY_CREATE = 0x4,
    BSC_DIRECTORY_DELETE = 0x8,
    BSC_DIRECTORY_RENAME = 0x10,
    BSC_DIRECTORY_ATTRIBUTES = 0x20,
};
#define BSC_DIRECTORY_MULTISHOT 0x80000000u /* every change, not only the first */

enum { /* bsc_allocation.mode (since 1.15): one action, with KEEP_SIZE where it applies */
    BSC_ALLOCATE_KEEP_SIZE = 1,       /* allocate (or zero, or unshare) past the end, size kept */
    BSC_ALLOCATE_PUNCH_HOLE = 2,      /* free the range (reads give zeros); needs KEEP_SIZE */
    BSC_ALLOCATE_COLLAPSE_RANGE = 8,  /* remove the range, the rest of the file moving down */
    BSC_ALLOCATE_ZERO_RANGE = 16,     /* zero the range, allocated */
    BSC_ALLOCATE_INSERT_RANGE = 32,   /* insert a hole of the range's length at its offset */
    BSC_ALLOCATE_UNSHARE_RANGE = 64,  /* allocate blocks shared with another file afresh */
    BSC_ALLOCATE_WRITE_ZEROES = 128,  /* zero the range by writing zeros to the device */
};

/* BSC_CONTROL_ALLOCATE's argument: reserve, free or move the file's space in `length`
 * bytes from `offset` (0 mode: allocate, growing the file). */
typedef struct bsc_allocation {
    uint32_t mode; /* 0 or BSC_ALLOCATE_* */
    uint32_t reserved; /* 0 */
    uint64_t offset;
    uint64_t length;
} bsc_allocation;

/* File-system notifications (since 1.19). A notify: stream (stream_open("notify:",
 * BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0 or BSC_OPTION_NONBLOCK)) queues the events of
 * the objects it watches (stream_watch) and stream_read returns them as whole
 * bsc_watch_event records. The bits are numbered as Linux's inotify numbers them (IN_*);
 * a host with another encoding translates. */
enum { /* stream_watch events, bsc_watch_event.events */
    BSC_WATCH_ACCESS = 0x1,         /* read */
    BSC_WATCH_MODIFY = 0x2,         /* written */
    BSC_WATCH_ATTRIBUTES = 0x4,     /* attributes changed */
    BSC_WATCH_CLOSE_WRITE = 0x8,    /* closed, opened for writing */
    BSC_WATCH_CLOSE_NO_WRITE = 0x10, /* closed, not opened for writing */
    BSC_WATCH_OPEN = 0x20,
    BSC_WATCH_MOVED_FROM = 0x40,    /* a name moved out of a watched directory */
    BSC_WATCH_MOVED_TO = 0x80,      /* ... into it (the same cookie) */
    BSC_WATCH_CREATE = 0x100,       /* a name made in a watched directory */
    BSC_WATCH_DELETE = 0x200,       /* a name removed from it */
    BSC_WATCH_DELETE_SELF = 0x400,  /* the watched object itself was deleted */
    BSC_WATCH_MOVE_SELF = 0x800,    /* ... or moved */
    BSC_WATCH_UNMOUNT = 0x2000,     /* event only: its file system was unmounted */
    BSC_WATCH_OVERFLOW = 0x4000,    /* event only (watch -1): events were dropped */
    BSC_WATCH_IGNORED = 0x8000,     /* event only: the watch is gone */
    BSC_WATCH_ONLY_DIRECTORY = 0x01000000, /* stream_watch: NOT_DIRECTORY unless one */
    BSC_WATCH_NO_FOLLOW = 0x02000000,  /* stream_watch: a final symbolic link itself */
    BSC_WATCH_EXCLUDE_UNLINKED = 0x04000000, /* no events of children once unlinked */
    BSC_WATCH_CREATE_ONLY = 0x10000000, /* stream_watch: EXISTS if the object is watched */
    BSC_WATCH_ADD = 0x20000000,     /* stream_watch: add to the watch's events, not replace */
    BSC_WATCH_IS_DIRECTORY = 0x40000000, /* event only: the subject is a directory */
};
/* The watch goes after its first event (a macro: C enumerators stop at INT_MAX). */
#define BSC_WATCH_ONE_SHOT 0x80000000u

/* One event as stream_read returns it: the header, then name_length bytes holding the
 * name of a watched directory's entry, NUL-terminated and NUL-padded (0 bytes for the
 * object itself). A read whose size cannot hold the next whole record is INVALID. */
typedef struct bsc_watch_event {
    int32_t watch;        /* stream_watch's number, or -1 (BSC_WATCH_OVERFLOW) */
    uint32_t events;      /* BSC_WATCH_* */
    uint32_t cookie;      /* pairs MOVED_FROM with its MOVED_TO, else 0 */
    uint32_t name_length; /* bytes of name that follow */
    char name[];
} bsc_watch_event;

/* File-system access events (since 1.23). A fanotify: stream (stream_open of
 * "fanotify:FLAGS,EVENT_FLAGS", two decimal numbers: Linux's fanotify_init flags and the
 * open flags of the files its events name, both numbered as Linux's x86-64 numbers them;
 * BSC_ACCESS_READ, BSC_CREATE_NEVER, 0 or BSC_OPTION_NONBLOCK) is a fanotify group of the
 * host's kernel, which needs the host's privilege. stream_mark adds, removes or flushes
 * its marks, with Linux's FAN_MARK_* flags and FAN_* mask bits. stream_read returns whole
 * records laid out as Linux's (struct fanotify_event_metadata and its info records),
 * except two fields: `fd` is a new handle of the file the event names (a negative value
 * passes as it is), `pid` the host's id of the process that caused it (the id
 * process_create gives). stream_write takes Linux's struct fanotify_response (and its
 * info records) whose `fd` is such a handle, named by the number the read gave even after
 * the handle is closed; one that names no event of the group is answered NOT_FOUND. */

enum { BSC_TTY_FLUSH_INPUT = 1, BSC_TTY_FLUSH_OUTPUT = 2 };
enum { /* BSC_CONTROL_TTY_FLOW actions */
    BSC_TTY_FLOW_SUSPEND_OUTPUT = 0,
    BSC_TTY_FLOW_RESTART_OUTPUT = 1,
    BSC_TTY_FLOW_SEND_STOP = 2,  /* the STOP character, asking the other side to pause */
    BSC_TTY_FLOW_SEND_START = 3, /* the START character */
};

/* A terminal's settings (stream_control, since 1.2). The mode words hold BSC_TTY_* bits,
 * numbered as in the historical System V termios encoding: input BSC_TTY_IGNBRK 0x1,
 * BRKINT 0x2, IGNPAR 0x4, PARMRK 0x8, INPCK 0x10, ISTRIP 0x20, INLCR 0x40, IGNCR 0x80,
 * ICRNL 0x100, IUCLC 0x200, IXON 0x400, IXANY 0x800, IXOFF 0x1000, IMAXBEL 0x2000, IUTF8
 * 0x4000; output OPOST 0x1, OLCUC 0x2, ONLCR 0x4, OCRNL 0x8, ONOCR 0x10, ONLRET 0x20,
 * OFILL 0x40, OFDEL 0x80 and the delay fields NLDLY 0x100, CRDLY 0x600, TABDLY 0x1800,
 * BSDLY 0x2000, VTDLY 0x4000, FFDLY 0x8000; control: the speed code (mask 0x100f, B38400
 * = 0xf), CSIZE 0x30 (CS5 0 .. CS8 0x30), CSTOPB 0x40, CREAD 0x80, PARENB 0x100, PARODD
 * 0x200, HUPCL 0x400, CLOCAL 0x800, CRTSCTS 0x80000000; local ISIG 0x1, ICANON 0x2,
 * XCASE 0x4, ECHO 0x8, ECHOE 0x10, ECHOK 0x20, ECHONL 0x40, NOFLSH 0x80, TOSTOP 0x100,
 * ECHOCTL 0x200, ECHOPRT 0x400, ECHOKE 0x800, FLUSHO 0x1000, PENDIN 0x4000, IEXTEN
 * 0x8000, EXTPROC 0x10000. control_chars by index: VINTR 0, VQUIT 1, VERASE 2, VKILL 3,
 * VEOF 4, VTIME 5, VMIN 6, VSWTC 7, VSTART 8, VSTOP 9, VSUSP 10, VEOL 11, VREPRINT 12,
 * VDISCARD 13, VWERASE 14, VLNEXT 15, VEOL2 16. A host with another encoding translates. */
typedef struct bsc_terminal_settings {
    uint32_t input_modes;
    uint32_t output_modes;
    uint32_t control_modes;
    uint32_t local_modes;
    uint8_t line_discipline; /* 0: the normal one */
    uint8_t control_chars[19];
    uint32_t reserved;
} bsc_terminal_settings;

typedef struct bsc_terminal_window {
    uint16_t rows, columns, x_pixels, y_pixels;
} bsc_terminal_window;

enum { BSC_LOCK_READ = 0, BSC_LOCK_WRITE = 1, BSC_LOCK_UNLOCK = 2 };

enum { /* bsc_lock flags (since 1.2; 0 before) */
    BSC_LOCK_PROCESS = 1, /* owned by the process, not the handle (POSIX record locks) */
    BSC_LOCK_OWN = 2,     /* TEST result only: the conflicting lock is the caller's process's */
    BSC_LOCK_WHOLE_FILE = 4, /* since 1.7: the handle's lock on the whole file (BSD flock) */
};

/* A byte-range lock owned by the handle, or with BSC_LOCK_PROCESS by the process: its
 * handles share it, and closing any of them on the file releases it. length 0 means "to
 * the end of the file". A BSC_LOCK_WHOLE_FILE lock (start and length 0) is of another
 * kind: it never conflicts with a range lock, only with other whole-file locks. */
typedef struct bsc_lock {
    uint32_t type; /* BSC_LOCK_READ / WRITE / UNLOCK */
    uint32_t flags; /* BSC_LOCK_PROCESS since 1.2, BSC_LOCK_WHOLE_FILE since 1.7 */
    uint64_t start;
    uint64_t length;
} bsc_lock;

/* ---- Sockets (since 1.3) ------------------------------------------------------------ */

enum { /* socket_create / socket_create_pair domains, bsc_socket_address.domain */
    BSC_SOCKET_UNIX = 1,  /* local, named by a path or an abstract name */
    BSC_SOCKET_INET = 2,  /* IPv4 */
    BSC_SOCKET_INET6 = 3, /* IPv6 */
};

enum { /* socket_create / socket_create_pair types */
    BSC_SOCKET_STREAM = 1,    /* a connected byte stream (TCP for INET and INET6) */
    BSC_SOCKET_DATAGRAM = 2,  /* datagrams (UDP for INET and INET6) */
    BSC_SOCKET_SEQPACKET = 3, /* UNIX only: a connected stream of records */
};

/* A socket address. UNIX: name_length bytes of name, either a path (no NUL needed) or an
 * abstract name (a NUL, then name_length - 1 bytes); name_length 0: no name (an unnamed
 * socket; binding one picks an abstract name). INET and INET6: the port in host order and
 * the address in network order (INET: its first 4 bytes of ip). domain 0: no address. */
typedef struct bsc_socket_address {
    uint32_t domain;       /* BSC_SOCKET_*, or 0 */
    uint16_t port;         /* INET, INET6 */
    uint16_t name_length;  /* UNIX: bytes of name, at most 108 */
    uint8_t ip[16];        /* INET, INET6 */
    uint32_t flow_info;    /* INET6 */
    uint32_t scope_id;     /* INET6 */
    char name[108];        /* UNIX */
    uint32_t reserved;
} bsc_socket_address;

enum { BSC_ADDRESS_LOCAL = 0, BSC_ADDRESS_PEER = 1 }; /* socket_address_query */

enum { /* socket_shutdown */
    BSC_SHUTDOWN_READ = 1,
    BSC_SHUTDOWN_WRITE = 2,
};

enum { /* socket_send / socket_receive flags, and bsc_socket_message.result_flags */
    BSC_MESSAGE_PEEK = 1,       /* receive: leave the data queued */
    BSC_MESSAGE_DONT_WAIT = 2,  /* AGAIN instead of blocking, this call only */
    BSC_MESSAGE_WAIT_ALL = 4,   /* receive on a stream: wait for the whole size */
    BSC_MESSAGE_TRUNCATE = 8,   /* receive: done is a datagram's whole length, even cut */
    BSC_MESSAGE_TRUNCATED = 16, /* result: the datagram was longer than size */
    BSC_MESSAGE_HANDLES_TRUNCATED = 32, /* result: handles came that did not fit */
    BSC_MESSAGE_MORE = 64,      /* since 1.17, send: more data follows (TCP: hold it back
                                   until a send without it; UDP: one datagram of both) */
};

/* One message for socket_send / socket_receive. Addresses of guest memory are uint64_t. */
typedef struct bsc_socket_message {
    uint64_t buffer;       /* the data */
    uint64_t size;         /* bytes to send; room to receive */
    uint64_t address;      /* a bsc_socket_address: the destination (0: the peer); the
                              sender's, written on receive (0: not wanted) */
    uint64_t handles;      /* a bsc_handle array: handles to pass along; room for them */
    uint32_t handle_count; /* send: handles passed; receive: in room, out how many came */
    uint32_t result_flags; /* receive, out: BSC_MESSAGE_TRUNCATED, _HANDLES_TRUNCATED */
    uint64_t done;         /* out: bytes sent or received */
} bsc_socket_message;

enum { /* socket_option_get / socket_option_set: int64_t values */
    BSC_SOCKOPT_REUSE_ADDRESS = 1, /* 0 or 1: bind to an address in TIME_WAIT */
    BSC_SOCKOPT_REUSE_PORT = 2,    /* 0 or 1: several sockets bound to one port */
    BSC_SOCKOPT_KEEP_ALIVE = 3,    /* 0 or 1 */
    BSC_SOCKOPT_RECEIVE_BUFFER = 4, /* bytes asked; get: what the host reserves */
    BSC_SOCKOPT_SEND_BUFFER = 5,    /* the same for sending */
    BSC_SOCKOPT_ERROR = 6,          /* get: the pending error, a BSC_E_* (0: none), cleared */
    BSC_SOCKOPT_LISTENING = 7,      /* get: 1 after socket_listen */
    BSC_SOCKOPT_NO_DELAY = 8,       /* TCP: 0 or 1, send at once (no Nagle) */
    BSC_SOCKOPT_V6_ONLY = 9,        /* INET6: 0 or 1, no IPv4-mapped traffic */
    BSC_SOCKOPT_RECEIVE_TIMEOUT = 10, /* ns a blocking receive waits (0: for ever) */
    BSC_SOCKOPT_SEND_TIMEOUT = 11,  /* ns a blocking send waits (0: for ever) */
    BSC_SOCKOPT_LINGER = 12,        /* (on << 32) | seconds close waits for unsent data */
    BSC_SOCKOPT_DOMAIN = 13,        /* get: BSC_SOCKET_UNIX / INET / INET6 */
    BSC_SOCKOPT_TYPE = 14,          /* get: BSC_SOCKET_STREAM / DATAGRAM / SEQPACKET */
    BSC_SOCKOPT_PEER_USER = 15,     /* get, UNIX: the peer's user id (at connect) */
    BSC_SOCKOPT_PEER_GROUP = 16,    /* get, UNIX: its group id */
    BSC_SOCKOPT_PEER_IS_SELF = 17,  /* get, UNIX: 1 when the peer is the calling process */
    BSC_SOCKOPT_UNSENT = 18,        /* since 1.9, get: bytes written but not yet handed to
                                       the peer (TCP: still in the send queue; 0 otherwise) */
    BSC_SOCKOPT_PEER_PROCESS = 19,  /* since 1.17, get, UNIX: the peer's host process id (at
                                       connect), as process_id_query gives it; 0: none */
};

/* Since 1.19: a notice (process_notices_take): the host's kernel tells of something about
 * one of the process's streams, as Linux tells a process with SIGIO: a lease on it is
 * being broken, a directory it watches changed (both BSC_NOTICE_MESSAGE), it became
 * readable or writable (BSC_CONTROL_SET_ASYNC: INPUT, OUTPUT ...). */
enum { /* bsc_notice.reason: Linux's POLL_* si_code values */
    BSC_NOTICE_INPUT = 1,
    BSC_NOTICE_OUTPUT = 2,
    BSC_NOTICE_MESSAGE = 3,
    BSC_NOTICE_ERROR = 4,
    BSC_NOTICE_PRIORITY = 5,
    BSC_NOTICE_HANGUP = 6,
    /* Since 1.22: a message came to an empty POSIX message queue this process registered
     * for (BSC_CONTROL_MQUEUE_NOTIFY); the registration is gone. band: the sender's host
     * process id (low 32 bits) and user id (high 32 bits), Linux's SI_MESGQ si_pid and
     * si_uid. Not a POLL_* code: the value is the ABI's own. */
    BSC_NOTICE_QUEUE = 16,
};

typedef struct bsc_notice {
    bsc_handle handle; /* the stream it is about */
    uint32_t reason;   /* BSC_NOTICE_* */
    uint64_t band;     /* Linux's poll bits for it (si_band): POLLIN|POLLRDNORM|POLLMSG ... */
} bsc_notice;

/* ---- Objects, events and waiting --------------------------------------------------- */

enum { /* event_create flags */
    BSC_EVENT_MANUAL_RESET = 1, /* stays set until event_clear; else a wait consumes it */
    BSC_EVENT_INITIALLY_SET = 2,
};

enum { /* wait conditions, in bsc_wait_item.wanted and .ready */
    BSC_WAIT_READ = 1,  /* readable, accept-ready, or an event that is set */
    BSC_WAIT_WRITE = 2, /* writable without blocking */
    BSC_WAIT_ERROR = 4, /* error condition (ready only) */
    BSC_WAIT_HANGUP = 8, /* peer closed (ready only) */
    BSC_WAIT_READ_HANGUP = 16, /* since 1.17, reported only when wanted: a stream socket's
                                  reading side is shut down (its peer shut down writing,
                                  or it shut down reading: Linux's POLLRDHUP) */
};

typedef struct bsc_wait_item {
    bsc_handle handle;
    uint16_t wanted; /* BSC_WAIT_* in */
    uint16_t ready;  /* BSC_WAIT_* out */
} bsc_wait_item;

#define BSC_WAIT_FOREVER INT64_C(-1)

/* ---- Threads, exceptions and the per-thread control block -------------------------- */

/* Every guest thread runs with %gs pointing at its thread control block, which lives in
 * guest memory. The first fields belong to the guest; the host keeps its gate state in
 * the reserved tail, which the guest must not touch. */
typedef struct bsc_tcb {
    uint64_t self;                /* the address of this block; set by the host */
    uint64_t exception_stack_top; /* where exception upcalls run; 0: below the red zone */
    uint64_t guest[6];            /* free for the guest */
    uint8_t host_reserved[184];
    /* Since 1.14: while non-zero, no interrupt is raised in the guest; one that comes
     * waits until thread_context_restore resumes a context and is raised with that
     * context then. The host clears it as it resumes (abi/README.md, "Holding
     * interrupts"). */
    uint32_t interrupts_held;
    uint32_t reserved;
} bsc_tcb;

#define BSC_TCB_SIZE 256u

/* A stack pointer less than this far below exception_stack_top is on the exception stack
 * (an exception taken there nests below it), so the guest keeps the whole span for that
 * stack and maps nothing else in it. Named since 1.4 (the host has always used it). */
#define BSC_EXCEPTION_STACK_SPAN (1u << 20)

typedef struct bsc_thread_start {
    uint64_t stack_top; /* initial stack pointer, 16-byte aligned */
    uint64_t tcb;       /* guest address of the new thread's bsc_tcb */
    uint64_t argument;  /* passed to the guest's thread_start upcall */
    uint64_t clear_on_exit; /* guest address of a uint32 set to 0 and woken at exit, or 0 */
} bsc_thread_start;

enum { BSC_SEGMENT_FS = 0 };

/* The full integer register state of a thread. xstate points to an XSAVE-format area in
 * guest memory (64-byte aligned) holding the FPU and vector state, or is 0. */
typedef struct bsc_cpu_context {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags, fs_base;
    uint64_t xstate;
    uint32_t xstate_size;
    uint32_t reserved;
} bsc_cpu_context;

enum { /* exception kinds */
    BSC_EXCEPTION_MEMORY = 1,     /* bad access; address set; code: BSC_FAULT_* */
    BSC_EXCEPTION_BUS = 2,        /* access beyond the end of a mapped stream, or a page a
                                   * userfault stream refuses or poisoned; code (since
                                   * 1.25): Linux's BUS_* si_code, 0 if unknown */
    BSC_EXCEPTION_ILLEGAL = 3,    /* illegal or privileged instruction */
    BSC_EXCEPTION_ARITHMETIC = 4, /* divide error; code: BSC_ARITH_* */
    BSC_EXCEPTION_BREAKPOINT = 5, /* int3 or single step */
    BSC_EXCEPTION_SYSCALL = 6,    /* a system call instruction; code: its number (rax);
                                   * address (since 1.13): the instruction's if raised
                                   * through the system call entry, else 0 */
    BSC_EXCEPTION_TIMESTAMP = 7,  /* rdtsc or rdtscp; code: the instruction's length */
    BSC_EXCEPTION_INTERRUPT = 8,  /* asynchronous, requested by thread_interrupt */
};

enum { BSC_FAULT_UNMAPPED = 1, BSC_FAULT_PROTECTION = 2 };
/* Where an interrupt was taken: in guest code, or as a downcall was about to return (the
 * context is then the downcall's return, its status in rax). Since ABI 1.1. */
enum { BSC_INTERRUPT_IN_GUEST = 0, BSC_INTERRUPT_AT_DOWNCALL_EXIT = 1 };
enum { BSC_ARITH_DIVIDE = 1, BSC_ARITH_OVERFLOW = 2, BSC_ARITH_FLOAT = 3 };
/* What raised a breakpoint exception (since 1.12; 0 before): an int3 instruction (rip is
 * past it), or the single step of the trap flag (rip is the next instruction). */
enum { BSC_BREAKPOINT_INSTRUCTION = 1, BSC_BREAKPOINT_STEP = 2 };

typedef struct bsc_exception {
    uint32_t kind;    /* BSC_EXCEPTION_* */
    uint32_t code;
    uint64_t address; /* faulting data address, or 0 */
    bsc_cpu_context context; /* the interrupted state; resume with thread_context_restore */
} bsc_exception;

/* What object_query reports about a handle: enough to open the same object again. */
typedef struct bsc_object_info {
    uint32_t type;     /* BSC_TYPE_* */
    uint32_t access;   /* BSC_ACCESS_* it was opened with (streams), else 0 */
    uint32_t options;  /* BSC_OPTION_* in effect that opening again would need */
    uint32_t reserved;
    uint64_t position; /* the stream's own position (BSC_AT_POSITION reads), else 0 */
} bsc_object_info;

/* ---- Time, system, process ---------------------------------------------------------- */

enum { /* time_query clocks */
    BSC_CLOCK_REALTIME = 0,      /* nanoseconds since the Unix epoch */
    BSC_CLOCK_MONOTONIC = 1,     /* nanoseconds since an arbitrary fixed point */
    BSC_CLOCK_PROCESS_CPU = 2,   /* CPU time of the whole process */
    BSC_CLOCK_THREAD_CPU = 3,    /* CPU time of the calling thread */
    /* Since ABI 1.2 (appended). */
    BSC_CLOCK_MONOTONIC_RAW = 4, /* MONOTONIC without the host's frequency adjustments */
    BSC_CLOCK_REALTIME_COARSE = 5,  /* REALTIME as of the host's last tick: coarser */
    BSC_CLOCK_MONOTONIC_COARSE = 6, /* MONOTONIC as of the host's last tick */
    BSC_CLOCK_BOOTTIME = 7,      /* MONOTONIC plus the time the host was suspended */
    BSC_CLOCK_TAI = 8,           /* REALTIME plus the host's TAI offset (atomic time) */
    BSC_CLOCK_PROCESS_CPU_USER = 9, /* the process's CPU time in user mode, as accounted */
    BSC_CLOCK_PROCESS_CPU_ACCOUNTED = 10, /* its user + system time, as accounted */
    BSC_CLOCK_THREAD_CPU_USER = 11,       /* the same for the calling thread */
    BSC_CLOCK_THREAD_CPU_ACCOUNTED = 12,
};

/* Since ABI 1.2: process_usage_query's subjects and report. */
enum {
    BSC_USAGE_PROCESS = 0,  /* the whole process */
    BSC_USAGE_THREAD = 1,   /* the calling thread */
    BSC_USAGE_CHILDREN = 2, /* the process's children that ended and were waited for */
};

typedef struct bsc_process_usage {
    int64_t user_ns;         /* CPU time in user mode */
    int64_t system_ns;       /* CPU time in the host's kernel */
    uint64_t max_resident;   /* peak resident set, bytes */
    uint64_t minor_faults;   /* page faults served without I/O */
    uint64_t major_faults;   /* page faults that needed I/O */
    uint64_t input_blocks;   /* 512-byte blocks read from storage */
    uint64_t output_blocks;  /* 512-byte blocks written to storage */
    uint64_t voluntary_switches;   /* waits that gave up the processor */
    uint64_t involuntary_switches; /* preemptions */
} bsc_process_usage;

/* Since ABI 1.5: process_wait's flags and report, process_signal's actions. */
enum {
    BSC_PROCESS_WAIT_EXITED = 1,    /* report an exit (or death by a signal) */
    BSC_PROCESS_WAIT_STOPPED = 2,   /* report a stop */
    BSC_PROCESS_WAIT_CONTINUED = 4, /* report a continue after a stop */
    BSC_PROCESS_WAIT_NO_HANG = 8,   /* report BSC_PROCESS_RUNNING rather than wait */
    BSC_PROCESS_WAIT_NO_REAP = 16,  /* leave what is reported to be reported again */
};

enum { /* bsc_process_state.kind */
    BSC_PROCESS_RUNNING = 0,   /* nothing to report (NO_HANG) */
    BSC_PROCESS_EXITED = 1,    /* code: the exit status, 0-255 */
    BSC_PROCESS_KILLED = 2,    /* code: the signal that ended it */
    BSC_PROCESS_DUMPED = 3,    /* the same, and it left a core dump */
    BSC_PROCESS_STOPPED = 4,   /* code: the signal that stopped it */
    BSC_PROCESS_CONTINUED = 5, /* it runs again after a stop */
};

typedef struct bsc_process_state {
    uint32_t kind; /* BSC_PROCESS_* */
    int32_t code;
    int64_t user_ns, system_ns; /* CPU time of a process that ended */
} bsc_process_state;

enum { /* process_signal actions */
    BSC_PROCESS_INTERRUPT = 1, /* raise BSC_EXCEPTION_INTERRUPT in one of its threads */
    BSC_PROCESS_STOP = 2,      /* stop every thread until BSC_PROCESS_CONTINUE */
    BSC_PROCESS_CONTINUE = 3,
    BSC_PROCESS_KILL = 4,      /* end it at once, as killed by signal 9 */
};

/* Since ABI 1.5: the signals that reach a process from outside the guest
 * (process_signals_take), one bit each: bit N-1 for signal N, in the numbering POSIX
 * systems share for these. */
enum {
    BSC_SIGNAL_HANGUP = 1,
    BSC_SIGNAL_INTERRUPT = 2,
    BSC_SIGNAL_QUIT = 3,
    BSC_SIGNAL_USER1 = 10,
    BSC_SIGNAL_USER2 = 12,
    BSC_SIGNAL_ALARM = 14,
    BSC_SIGNAL_TERMINATE = 15,
    BSC_SIGNAL_CONTINUE = 18,
    BSC_SIGNAL_TERMINAL_STOP = 20,
    BSC_SIGNAL_TERMINAL_INPUT = 21,
    BSC_SIGNAL_TERMINAL_OUTPUT = 22,
    BSC_SIGNAL_WINDOW_CHANGED = 28,
};

/* Since ABI 1.6: what process_status_query reports of a process that has not been
 * reaped. */
enum { /* bsc_process_status.run_state */
    BSC_PROCESS_STATE_RUNNING = 0,  /* running, or ready to */
    BSC_PROCESS_STATE_SLEEPING = 1, /* its first thread waits (a blocking call) */
    BSC_PROCESS_STATE_STOPPED = 2,  /* stopped (process_signal STOP) */
    BSC_PROCESS_STATE_ENDED = 3,    /* ended, not yet reported by process_wait */
};

typedef struct bsc_process_status {
    uint32_t run_state; /* BSC_PROCESS_STATE_* */
    uint32_t reserved;  /* 0 */
    int64_t user_ns, system_ns; /* CPU time used so far */
} bsc_process_status;

/* Since ABI 1.2: what process_identity_query reports. */
enum { /* privileges: what the process may do beyond an ordinary user */
    BSC_PRIVILEGE_SET_USER_IDS = 1,  /* take any user id */
    BSC_PRIVILEGE_SET_GROUP_IDS = 2, /* take any group id, set the supplementary groups */
    BSC_PRIVILEGE_PRIORITY = 4,      /* raise its scheduling priority */
    BSC_PRIVILEGE_RESOURCES = 8,     /* raise hard resource limits */
    BSC_PRIVILEGE_TIME = 16,         /* set the system clock */
};

typedef struct bsc_process_identity {
    uint32_t user_id, effective_user_id, saved_user_id, filesystem_user_id;
    uint32_t group_id, effective_group_id, saved_group_id, filesystem_group_id;
    uint32_t group_count; /* supplementary groups (all of them, even beyond capacity) */
    uint32_t privileges;  /* BSC_PRIVILEGE_* */
} bsc_process_identity;

/* Since ABI 1.16: the calling thread's ids change with thread_identity_set, each `which`
 * with the rules of the Linux call named (the ids of other threads do not change). */
enum { /* thread_identity_set which: ids[0..count) */
    BSC_IDENTITY_USER = 1,                /* 1 id: setuid */
    BSC_IDENTITY_USER_REAL_EFFECTIVE = 2, /* 2: real, effective (-1 keeps one): setreuid */
    BSC_IDENTITY_USER_ALL = 3,            /* 3: real, effective, saved: setresuid */
    BSC_IDENTITY_USER_FILESYSTEM = 4,     /* 1: setfsuid; *previous gets the old id */
    BSC_IDENTITY_GROUP = 5,               /* the same four for the group ids */
    BSC_IDENTITY_GROUP_REAL_EFFECTIVE = 6,
    BSC_IDENTITY_GROUP_ALL = 7,
    BSC_IDENTITY_GROUP_FILESYSTEM = 8,
    BSC_IDENTITY_GROUPS = 9,              /* any count: the supplementary groups: setgroups */
};

/* Since ABI 1.16: a thread's capability sets, bit n for Linux's capability n
 * (thread_capabilities_query, thread_capabilities_set). */
typedef struct bsc_capabilities {
    uint64_t effective, permitted, inheritable;
} bsc_capabilities;

/* Since ABI 1.23: a thread's security bits (thread_security_bits_query, _set) are Linux's
 * SECBIT_* values; KEEP_CAPS alone has a rule of its own (abi/README.md). */
enum {
    BSC_SECURITY_KEEP_CAPS = 1u << 4,
};

/* ---- System V IPC (since ABI 1.18) ---------------------------------------------------- */

/* Shared memory segments, semaphore sets and message queues are the host's objects,
 * machine-wide as on Linux, named by a key and an id (abi/README.md, "System V IPC"). The
 * flag values are Linux's, so that a Linux guest passes its own unchanged. */
enum { /* the kinds of object */
    BSC_IPC_SHARED_MEMORY = 1,
    BSC_IPC_SEMAPHORES = 2,
    BSC_IPC_MESSAGES = 3,
};

enum { /* ipc_get flags, beside the permission bits (0777) */
    BSC_IPC_CREATE = 01000,      /* make it if the key has none */
    BSC_IPC_EXCLUSIVE = 02000,   /* with CREATE: EXISTS if the key has one */
    BSC_IPC_HUGE_PAGES = 04000,  /* shared memory in huge pages; bits 26-31: log2 of their
                                    size (0: the host's default) */
    BSC_IPC_NO_RESERVE = 010000, /* shared memory: reserve no swap for it */
};
#define BSC_IPC_PRIVATE 0 /* the key of an object no other ipc_get finds */

enum { /* ipc_control commands; `id` is the object's, or an index where said */
    BSC_IPC_REMOVE = 1,          /* removes it (shared memory: once no one has it attached) */
    BSC_IPC_SET = 2,             /* in: bsc_ipc_status's owner, group, mode's 0777 bits and,
                                    for a message queue, size */
    BSC_IPC_STAT = 3,            /* out: bsc_ipc_status; read permission needed */
    BSC_IPC_STAT_INDEX = 4,      /* id is an index (0 ... highest): out: bsc_ipc_status,
                                    its `id` the object's id */
    BSC_IPC_STAT_INDEX_ANY = 5,  /* the same without the read permission */
    BSC_IPC_LIMITS = 6,          /* out: bsc_ipc_limits, the host's limits */
    BSC_IPC_USAGE = 7,           /* out: bsc_ipc_limits, what is in use */
    BSC_IPC_LOCK = 8,            /* shared memory: keep its pages in memory */
    BSC_IPC_UNLOCK = 9,
    BSC_IPC_SEM_VALUE = 10,      /* argument: a semaphore; out: int64_t, its value */
    BSC_IPC_SEM_PROCESS = 11,    /* ... out: int64_t, the host id of the last process that
                                    changed it (0: none, or outside the host's view) */
    BSC_IPC_SEM_WAITING = 12,    /* ... out: int64_t, threads waiting for it to grow */
    BSC_IPC_SEM_WAITING_ZERO = 13, /* ... out: int64_t, threads waiting for it to be 0 */
    BSC_IPC_SEM_SET_VALUE = 14,  /* argument: a semaphore; in: int64_t, its new value */
    BSC_IPC_SEM_VALUES = 15,     /* out: uint16_t per semaphore of the set (size: 2 each) */
    BSC_IPC_SEM_SET_VALUES = 16, /* in: uint16_t per semaphore of the set */
    BSC_IPC_SEM_COUNT = 17,      /* out: int64_t, the semaphores of the set, without the
                                    read permission (what SET_VALUES will read) */
};

/* An object's state (BSC_IPC_STAT*) and what BSC_IPC_SET changes. Times are seconds since
 * the Unix epoch (0: never); process ids are the host's (0: none). */
typedef struct bsc_ipc_status {
    int32_t key;
    int32_t id;           /* BSC_IPC_STAT_INDEX*: the object's id */
    uint32_t owner, group;
    uint32_t creator, creator_group;
    uint32_t mode;        /* the permission bits; shared memory also Linux's 01000
                             (removed once detached) and 02000 (locked) */
    uint32_t sequence;    /* the slot's reuse count, part of the id */
    uint64_t size;        /* shared memory: bytes; semaphores: how many; messages: the
                             queue's limit in bytes */
    uint64_t count;       /* shared memory: attachments; messages: messages queued */
    uint64_t bytes;       /* messages: bytes queued */
    int64_t last_time[2]; /* shared memory: attach, detach; semaphores: an operation;
                             messages: send, receive */
    int64_t change_time;
    uint64_t process[2];  /* shared memory: creator, last attach or detach; messages: last
                             sender, last receiver */
} bsc_ipc_status;

/* BSC_IPC_LIMITS / BSC_IPC_USAGE: Linux's numbers in the order of its structures:
 * shared memory shminfo (shmmax, shmmin, shmmni, shmseg, shmall) / shm_info (used_ids,
 * shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes); semaphores seminfo (semmap,
 * semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem), the same with
 * usage in semusz and semaem; messages msginfo (msgpool, msgmap, msgmax, msgmnb, msgmni,
 * msgssz, msgtql, msgseg). */
typedef struct bsc_ipc_limits {
    int64_t highest; /* the highest index in use (-1: none; LIMITS: the same) */
    uint64_t value[10];
} bsc_ipc_limits;

enum { /* ipc_shared_memory_attach flags */
    BSC_ATTACH_READ_ONLY = 010000, /* else read and write */
    BSC_ATTACH_ROUND = 020000,     /* round *addr down to a page */
    BSC_ATTACH_REPLACE = 040000,   /* *addr replaces what guest memory is there */
    BSC_ATTACH_EXEC = 0100000,     /* executable too */
};

/* One operation of ipc_semaphore_operate: Linux's struct sembuf. */
typedef struct bsc_semaphore_operation {
    uint16_t number; /* the semaphore in the set */
    int16_t change;  /* > 0 adds, < 0 waits until it can take, 0 waits for zero */
    int16_t flags;   /* BSC_IPC_NO_WAIT, BSC_SEM_UNDO */
} bsc_semaphore_operation;

enum { /* flags of semaphore operations and messages */
    BSC_IPC_NO_WAIT = 04000,  /* AGAIN (receive: NO_MESSAGE) rather than wait */
    BSC_SEM_UNDO = 010000,    /* undone when the process ends */
    BSC_MSG_NO_ERROR = 010000, /* receive: cut a longer message to the buffer */
    BSC_MSG_EXCEPT = 020000,  /* receive: the first message of another type than `type` */
    BSC_MSG_COPY = 040000,    /* receive: a copy of message number `type`, left queued */
};

/* ---- Kernel keys (since ABI 1.24) -------------------------------------------------- */

/* Keys and keyrings are the host kernel's, named by their serial numbers, machine-wide;
 * the special ids (-1 thread, -2 process, -3 session, -4 user, -5 user session, -6 group,
 * -7 the request_key authorisation, -8 the requestor's keyring) name the calling host
 * thread's keyrings (abi/README.md, "Kernel keys"). */
enum { /* key_control operations: the values of Linux's KEYCTL_* (see README for each
          one's arguments, input and output) */
    BSC_KEY_GET_KEYRING_ID = 0,
    BSC_KEY_JOIN_SESSION_KEYRING = 1,
    BSC_KEY_UPDATE = 2,
    BSC_KEY_REVOKE = 3,
    BSC_KEY_CHOWN = 4,
    BSC_KEY_SET_PERMISSIONS = 5,
    BSC_KEY_DESCRIBE = 6,
    BSC_KEY_CLEAR = 7,
    BSC_KEY_LINK = 8,
    BSC_KEY_UNLINK = 9,
    BSC_KEY_SEARCH = 10,
    BSC_KEY_READ = 11,
    BSC_KEY_INSTANTIATE = 12,
    BSC_KEY_NEGATE = 13,
    BSC_KEY_SET_REQUEST_KEYRING = 14,
    BSC_KEY_SET_TIMEOUT = 15,
    BSC_KEY_ASSUME_AUTHORITY = 16,
    BSC_KEY_GET_SECURITY = 17,
    BSC_KEY_SESSION_TO_PARENT = 18,
    BSC_KEY_REJECT = 19,
    BSC_KEY_INVALIDATE = 21,
    BSC_KEY_GET_PERSISTENT = 22,
    BSC_KEY_RESTRICT_KEYRING = 29,
    BSC_KEY_MOVE = 30,
    BSC_KEY_CAPABILITIES = 31,
};

/* key_control's numbers, in and out. */
typedef struct bsc_key_control {
    int64_t arguments[4]; /* the operation's numbers in keyctl's order (arg2 ... arg5), with
                             a pointer's place holding 0 or 1 (absent, given) */
    uint32_t unreadable;  /* bit i: the guest could not read its input i (its string or
                             payload number i in `input`): the kernel is handed an address
                             it faults on, so it answers FAULT where Linux would */
    uint32_t reserved;    /* 0 */
    int64_t result;       /* out: Linux's result (a serial number, a length, 0) */
} bsc_key_control;

enum { /* namespace kinds (since 1.25), namespace_unshare's and namespace_enter's: the
        * host's namespaces of each kind (see README, "Namespaces") */
    BSC_NAMESPACE_MOUNT = 1u << 0,
    BSC_NAMESPACE_UTS = 1u << 1, /* host and domain names */
    BSC_NAMESPACE_IPC = 1u << 2, /* System V objects, POSIX message queues */
    BSC_NAMESPACE_NETWORK = 1u << 3,
    BSC_NAMESPACE_CGROUP = 1u << 4,
    BSC_NAMESPACE_TIME = 1u << 5, /* the monotonic and boot-time clocks' offsets */
    BSC_NAMESPACE_PID = 1u << 6,  /* the host's process ids (namespace_enter only) */
    BSC_NAMESPACE_USER = 1u << 7, /* the host's ids and capabilities (namespace_enter only) */
};

typedef struct bsc_system_info {
    uint32_t cpu_count;    /* processors the guest may run on */
    uint32_t page_size;
    uint64_t memory_total; /* bytes */
    uint64_t memory_free;
    uint64_t uptime_ns;
    uint64_t window_base;  /* guest memory window */
    uint64_t window_size;
    uint32_t user_id;      /* the numeric user and group the process runs as */
    uint32_t group_id;
    char host_name[65];
    char os_release[65];   /* the host kernel's release string */
    char machine[17];      /* "x86_64" */
    char reserved0;
    uint16_t file_mode_mask; /* since 1.2: the permission bits the process's creator masked
                                (its umask); the host itself masks none (stream_open) */
    char reserved[2];
} bsc_system_info;

/* Since ABI 1.17: what Linux's sysinfo(2) says of the whole machine beyond bsc_system_info
 * (system_load_query). */
typedef struct bsc_system_load {
    uint64_t loads[3];      /* the 1, 5 and 15 minute load averages, 16 fraction bits */
    uint64_t memory_shared; /* bytes of shared memory (sysinfo's sharedram) */
    uint64_t memory_buffers; /* bytes of block device buffers (bufferram) */
    uint64_t swap_total, swap_free, high_total, high_free; /* bytes */
    uint64_t tasks;         /* every thread of the machine (sysinfo's procs) */
} bsc_system_load;

/* ---- The downcall table -------------------------------------------------------------- */

/* Every downcall, in table order: X(family, name, parameter list). The table below and the
 * tools that treat calls generically (null, trace, record) are generated from this list;
 * new calls are appended only. Families: memory, stream, object, thread, time, process,
 * ipc, key. */
#define BSC_DOWNCALLS(X)                                                                     \
    X(memory, vm_alloc, (uint64_t * addr, uint64_t size, uint32_t prot, uint32_t flags))      \
    X(memory, vm_free, (uint64_t addr, uint64_t size))                                        \
    X(memory, vm_protect, (uint64_t addr, uint64_t size, uint32_t prot))                      \
    X(memory, vm_reset, (uint64_t addr, uint64_t size))                                       \
    X(stream, stream_open, (const char *uri, uint32_t access, uint32_t mode, uint32_t create, \
                           uint32_t options, bsc_handle *handle))                             \
    X(stream, stream_open_pair, (const char *uri, uint32_t options, bsc_handle *ends))        \
    X(stream, stream_accept, (bsc_handle server, uint32_t options, bsc_handle * client))      \
    X(stream, stream_read, (bsc_handle handle, uint64_t offset, void *buffer, uint64_t size,  \
                           uint64_t *done))                                                   \
    X(stream, stream_write, (bsc_handle handle, uint64_t offset, const void *buffer,          \
                            uint64_t size, uint64_t *done))                                   \
    X(stream, stream_seek, (bsc_handle handle, int64_t offset, uint32_t whence,               \
                           uint64_t *position))                                               \
    X(stream, stream_map, (bsc_handle handle, uint64_t * addr, uint64_t offset, uint64_t size, \
                          uint32_t prot, uint32_t flags))                                     \
    X(stream, stream_unmap, (uint64_t addr, uint64_t size))                                   \
    X(stream, stream_flush, (bsc_handle handle, uint32_t flags))                              \
    X(stream, stream_set_length, (bsc_handle handle, uint64_t length))                        \
    X(stream, stream_lock, (bsc_handle handle, uint32_t command, bsc_lock * lock))            \
    X(stream, stream_attributes_query, (const char *uri, uint32_t flags,                      \
                                        bsc_stream_attributes *attributes))                   \
    X(stream, stream_attributes_query_by_handle, (bsc_handle handle,                          \
                                                  bsc_stream_attributes * attributes))        \
    X(stream, stream_attributes_set, (const char *uri, uint32_t flags, uint32_t which,        \
                                      const bsc_stream_attributes *attributes))               \
    X(stream, stream_attributes_set_by_handle, (bsc_handle handle, uint32_t which,            \
                                                const bsc_stream_attributes *attributes))     \
    X(stream, stream_delete, (const char *uri, uint32_t flags))                               \
    X(stream, stream_rename, (const char *from, const char *to, uint32_t flags))              \
    X(stream, stream_link, (const char *uri, const char *target, uint32_t kind))             \
    X(stream, stream_read_link, (const char *uri, char *buffer, uint64_t size,                \
                                uint64_t *length))                                            \
    X(object, object_close, (bsc_handle handle))                                              \
    X(object, objects_wait_any, (bsc_wait_item * items, uint32_t count, int64_t timeout_ns,   \
                                uint32_t *ready))                                             \
    X(object, event_create, (uint32_t flags, bsc_handle * event))                             \
    X(object, event_set, (bsc_handle event))                                                  \
    X(object, event_clear, (bsc_handle event))                                                \
    X(object, sync_wait, (const uint32_t *addr, uint32_t expected, int64_t timeout_ns))       \
    X(object, sync_wake, (const uint32_t *addr, uint32_t count, uint32_t *woken))             \
    X(thread, thread_create, (const bsc_thread_start *start, bsc_handle *thread))             \
    X(thread, thread_exit, (void))                                                            \
    X(thread, thread_yield, (void))                                                           \
    X(thread, thread_interrupt, (bsc_handle thread))                                          \
    X(thread, thread_set_segment, (uint32_t segment, uint64_t base))                          \
    X(thread, thread_context_restore, (const bsc_cpu_context *context))                       \
    X(time, time_query, (uint32_t clock, int64_t *ns))                                        \
    X(time, random_read, (void *buffer, uint64_t size))                                       \
    X(process, process_create, (const char *const *argv, const bsc_handle *inherit,           \
                               uint32_t inherit_count, bsc_handle *process))                  \
    X(process, process_exit, (int32_t status))                                                \
    X(process, system_info_query, (bsc_system_info * info))                                   \
    X(process, debug_print, (const char *text, uint64_t length))                              \
    /* Since ABI 1.1; new calls are appended so that the slots above never move. */         \
    X(object, object_query, (bsc_handle handle, bsc_object_info * info, char *uri,           \
                             uint64_t uri_size))                                              \
    X(memory, vm_fill, (uint64_t addr, const void *source, uint64_t size))                    \
    X(memory, vm_fill_end, (uint64_t addr, uint64_t size))                                    \
    /* Since ABI 1.2. */                                                                      \
    X(stream, stream_xattr_get, (const char *uri, uint32_t flags, const char *name,           \
                                void *value, uint64_t size, uint64_t *length))                \
    X(stream, stream_xattr_get_by_handle, (bsc_handle handle, const char *name, void *value,  \
                                          uint64_t size, uint64_t *length))                   \
    X(stream, stream_xattr_set, (const char *uri, uint32_t flags, const char *name,           \
                                const void *value, uint64_t size))                            \
    X(stream, stream_xattr_set_by_handle, (bsc_handle handle, uint32_t flags,                 \
                                          const char *name, const void *value, uint64_t size)) \
    X(stream, stream_xattr_list, (const char *uri, uint32_t flags, char *names, uint64_t size, \
                                 uint64_t *length))                                           \
    X(stream, stream_xattr_list_by_handle, (bsc_handle handle, char *names, uint64_t size,    \
                                           uint64_t *length))                                 \
    X(stream, stream_xattr_remove, (const char *uri, uint32_t flags, const char *name))      \
    X(stream, stream_xattr_remove_by_handle, (bsc_handle handle, const char *name))          \
    X(time, time_resolution, (uint32_t clock, int64_t *ns))                                   \
    X(time, time_sleep_until, (uint32_t clock, int64_t deadline_ns))                          \
    X(process, process_usage_query, (uint32_t which, bsc_process_usage *usage))               \
    X(process, process_identity_query, (bsc_process_identity * identity, uint32_t *groups,   \
                                       uint32_t capacity))                                    \
    X(thread, thread_affinity_query, (uint64_t * mask, uint32_t size, uint32_t *mask_size,   \
                                      uint32_t *least_size))                                  \
    X(thread, thread_affinity_set, (const uint64_t *mask, uint32_t size)) \
    X(stream, stream_control, (bsc_handle handle, uint32_t command, void *data, uint64_t size)) \
    /* Since ABI 1.3. */                                                                      \
    X(stream, socket_create, (uint32_t domain, uint32_t type, uint32_t options,              \
                             bsc_handle *handle))                                             \
    X(stream, socket_create_pair, (uint32_t domain, uint32_t type, uint32_t options,         \
                                  bsc_handle *ends))                                          \
    X(stream, socket_bind, (bsc_handle handle, const bsc_socket_address *address))           \
    X(stream, socket_listen, (bsc_handle handle, uint32_t backlog))                          \
    X(stream, socket_connect, (bsc_handle handle, const bsc_socket_address *address))        \
    X(stream, socket_address_query, (bsc_handle handle, uint32_t which,                      \
                                    bsc_socket_address *address))                             \
    X(stream, socket_shutdown, (bsc_handle handle, uint32_t how))                            \
    X(stream, socket_send, (bsc_handle handle, bsc_socket_message *message, uint32_t flags)) \
    X(stream, socket_receive, (bsc_handle handle, bsc_socket_message *message,               \
                              uint32_t flags))                                                \
    X(stream, socket_option_get, (bsc_handle handle, uint32_t option, int64_t *value))       \
    X(stream, socket_option_set, (bsc_handle handle, uint32_t option, int64_t value))       \
    /* Since ABI 1.4. */                                                                      \
    X(thread, thread_time_query, (bsc_handle thread, uint32_t clock, int64_t *ns))           \
    X(memory, vm_resident_query, (uint64_t addr, uint64_t size, uint64_t *resident,        \
                                  uint64_t *resident_shared))                                  \
    X(thread, thread_affinity_query_by_handle, (bsc_handle thread, uint64_t * mask,          \
                                                uint32_t size, uint32_t *mask_size,           \
                                                uint32_t *least_size))                        \
    X(thread, thread_affinity_set_by_handle, (bsc_handle thread, const uint64_t *mask,       \
                                              uint32_t size))                                 \
    /* Since ABI 1.5. */                                                                      \
    X(process, process_fork, (bsc_handle * child, uint64_t *child_id))                        \
    X(process, process_wait, (bsc_handle process, uint32_t flags, bsc_process_state *state))  \
    X(process, process_signal, (bsc_handle process, uint32_t action))                         \
    X(process, process_open, (uint64_t id, bsc_handle *process))                              \
    X(process, process_id_query, (uint64_t * id))                                             \
    X(process, process_exec, (const char *path, const char *const *argv))                    \
    X(process, process_memory_read, (bsc_handle process, uint64_t addr, void *buffer,         \
                                     uint64_t size, uint64_t *done))                          \
    X(process, process_signals_take, (uint64_t * sent, uint64_t *from_terminal))             \
    X(process, process_memory_write, (bsc_handle process, uint64_t addr, const void *buffer,  \
                                      uint64_t size, uint64_t *done))                          \
    /* Since ABI 1.6. */                                                                      \
    X(process, process_status_query, (bsc_handle process, bsc_process_status *status))      \
    /* Since ABI 1.7. */                                                                      \
    X(stream, stream_lock_query, (bsc_handle handle, bsc_lock * lock, uint64_t *holder))      \
    /* Since ABI 1.9. */                                                                      \
    X(memory, vm_fill_wait, (uint64_t * addr, int64_t timeout_ns))                           \
    /* Since ABI 1.10. */                                                                     \
    X(stream, stream_peek, (bsc_handle handle, void *buffer, uint64_t size, uint64_t *done)) \
    /* Since ABI 1.11. */                                                                     \
    X(memory, vm_written_query, (uint64_t addr, uint64_t size, uint32_t flags,               \
                                 uint8_t * written, uint64_t written_size))                   \
    /* Since ABI 1.15. */                                                                     \
    X(stream, stream_make_node, (const char *uri, uint32_t type, uint32_t mode, uint64_t device))  \
    /* Since ABI 1.16. */                                                                     \
    X(thread, thread_identity_set, (uint32_t which, const uint32_t *ids, uint32_t count,     \
                                    uint32_t *previous))                                      \
    X(thread, thread_capabilities_query, (bsc_handle thread, bsc_capabilities * capabilities)) \
    X(thread, thread_capabilities_set, (const bsc_capabilities *capabilities))               \
    /* Since ABI 1.17. */                                                                     \
    X(memory, vm_lock, (uint64_t addr, uint64_t size, uint32_t flags))                       \
    X(memory, vm_residency_query, (uint64_t addr, uint64_t size, uint8_t * pages,            \
                                   uint64_t pages_size))                                      \
    X(process, system_load_query, (bsc_system_load * load))                                 \
    /* Since ABI 1.18. */                                                                     \
    X(ipc, ipc_get, (uint32_t kind, int32_t key, uint64_t size, uint32_t flags, int32_t *id))  \
    X(ipc, ipc_control, (uint32_t kind, int32_t id, uint32_t command, uint64_t argument,     \
                         void *data, uint64_t size))                                          \
    X(ipc, ipc_shared_memory_attach, (int32_t id, uint64_t *addr, uint64_t *size,            \
                                      uint32_t flags))                                        \
    X(ipc, ipc_semaphore_operate, (int32_t id, const bsc_semaphore_operation *operations,    \
                                   uint32_t count, int64_t timeout_ns))                       \
    X(ipc, ipc_message_send, (int32_t id, const void *message, uint64_t size, uint32_t flags)) \
    X(ipc, ipc_message_receive, (int32_t id, void *message, uint64_t size, int64_t type,     \
                                 uint32_t flags, uint64_t *length))                         \
    /* Since ABI 1.19. */                                                                     \
    X(stream, stream_watch, (bsc_handle notifier, const char *uri, uint32_t events,          \
                             int32_t *watch))                                                 \
    X(process, process_notices_take, (bsc_notice * notices, uint32_t capacity,              \
                                      uint32_t *count))                                     \
    /* Since ABI 1.20. */                                                                     \
    X(stream, stream_mount, (const char *source, const char *target, const char *type,       \
                            uint64_t flags, const char *options))                             \
    X(stream, stream_unmount, (const char *target, uint32_t flags))                          \
    X(stream, stream_volume_query, (const char *uri, bsc_volume_info *info))                 \
    X(stream, stream_volume_query_by_handle, (bsc_handle handle, bsc_volume_info *info))    \
    /* Since ABI 1.22. */                                                                     \
    X(stream, stream_mount_added_query, (char *shown, uint64_t capacity, uint64_t *length))  \
    X(stream, stream_details_query, (const char *uri, uint32_t flags, uint32_t want,         \
                                     bsc_stream_details *details))                            \
    X(stream, stream_details_query_by_handle, (bsc_handle handle, uint32_t want,             \
                                               bsc_stream_details *details))                  \
    X(memory, vm_sync, (uint64_t addr, uint64_t size, uint32_t flags))                       \
    X(stream, mqueue_open, (const char *name, uint32_t access, uint32_t mode, uint32_t create, \
                           const bsc_mqueue_attributes *attributes, bsc_handle *handle))      \
    X(stream, mqueue_unlink, (const char *name))                                              \
    X(stream, mqueue_send, (bsc_handle handle, const void *message, uint64_t size,            \
                           uint32_t priority, int64_t deadline_ns))                           \
    X(stream, mqueue_receive, (bsc_handle handle, void *message, uint64_t size,               \
                              int64_t deadline_ns, uint32_t *priority, uint64_t *length))    \
    /* Since ABI 1.23. */                                                                    \
    X(thread, thread_security_bits_query, (uint32_t * bits))                                 \
    X(thread, thread_security_bits_set, (uint32_t bits, uint32_t mask))                      \
    X(stream, stream_mark, (bsc_handle group, bsc_handle object, const char *uri,            \
                            uint32_t flags, uint64_t mask))                                  \
    X(thread, thread_io_priority_query, (uint32_t * priority))                               \
    X(thread, thread_io_priority_set, (uint32_t priority))                                   \
    X(thread, thread_io_priority_query_by_handle, (bsc_handle thread, uint32_t * priority))  \
    X(thread, thread_io_priority_set_by_handle, (bsc_handle thread, uint32_t priority))      \
    /* Since ABI 1.24. */                                                                    \
    X(key, key_add, (const char *type, const char *description, const void *payload,         \
                     uint64_t size, int32_t keyring, int32_t *serial))                       \
    X(key, key_request, (const char *type, const char *description, const char *callout,     \
                         int32_t keyring, int32_t *serial))                                  \
    X(key, key_control, (uint32_t operation, bsc_key_control *control, const void *input,    \
                         uint64_t input_size, void *output, uint64_t output_size))           \
    X(stream, mount_open, (bsc_handle at, const char *uri, uint32_t kind, uint32_t flags,    \
                           bsc_handle *handle))                                              \
    X(stream, mount_configure, (bsc_handle context, uint32_t command, const char *key,       \
                                const void *value, uint64_t size, bsc_handle file))          \
    X(stream, mount_attach, (bsc_handle context, uint32_t flags, uint32_t attributes,        \
                             bsc_handle *mount))                                             \
    X(stream, mount_move, (bsc_handle from, const char *from_uri, bsc_handle to,             \
                           const char *to_uri, uint32_t flags))                              \
    X(stream, mount_attributes_set, (bsc_handle at, const char *uri, uint32_t flags,         \
                                     const bsc_mount_attributes *attributes))                \
    X(stream, mount_status_query, (const bsc_mount_request *request, void *buffer,           \
                                   uint64_t size, uint64_t *length))                         \
    X(stream, mount_list, (const bsc_mount_request *request, uint64_t *ids, uint64_t count,  \
                           uint32_t flags, uint64_t *found))                                 \
    X(stream, stream_file_handle_query, (const char *uri, uint32_t flags,                    \
                                         bsc_file_handle *handle))                           \
    X(stream, stream_open_by_file_handle, (bsc_handle mount, const char *mount_uri,          \
                                           const bsc_file_handle *handle, uint32_t access,   \
                                           uint32_t options, bsc_handle *stream))            \
    /* Since ABI 1.25. */                                                                    \
    X(stream, userfault_open, (bsc_handle device, uint32_t flags, uint32_t options,          \
                               bsc_handle *handle))                                          \
    X(process, namespace_unshare, (uint32_t kinds))                                          \
    X(process, namespace_enter, (bsc_handle from, uint32_t kinds))

/* A table of downcalls. size is sizeof the table the provider knows and version its
 * BSC_ABI_VERSION; a consumer uses only the calls that fit within size. */
typedef struct bsc_downcalls {
    uint32_t size;
    uint32_t version;
#define BSC_DECLARE_DOWNCALL(family, name, params) bsc_status(*name) params;
    BSC_DOWNCALLS(BSC_DECLARE_DOWNCALL)
#undef BSC_DECLARE_DOWNCALL
} bsc_downcalls;

/* ---- Upcalls --------------------------------------------------------------------------- */

/* Arguments of the guest's start upcall. All addresses are guest addresses. */
typedef struct bsc_start_info {
    uint32_t size;
    uint32_t version;
    uint64_t argc;
    uint64_t argv;  /* uint64_t[argc + 1] of string addresses, NULL-terminated */
    uint64_t envp;  /* uint64_t[] of string addresses, NULL-terminated */
    uint64_t image_base; /* where the guest image was loaded */
    uint64_t image_size;
    bsc_handle stdio[3]; /* handles standing for the runtime's stdin, stdout, stderr */
    bsc_handle thread;   /* the initial thread (for thread_interrupt) */
    uint64_t stack_top;  /* the initial thread's stack */
    uint64_t stack_size;
    uint64_t working_directory; /* absolute path the runtime was started in (a string) */
    /* Since 1.13 (0 before, or if the host has none): where a guest may jump instead of
     * running a `syscall` instruction, to raise the same exception without a trap
     * (abi/README.md, "The system call entry"). */
    uint64_t syscall_entry;
} bsc_start_info;

/* Upcalls are started by the host, take only inputs and never return. The chain calls
 * them bottom to top; the guest's own are named by its image (see abi/README.md). */
#define BSC_UPCALLS(X)                                                                        \
    X(start, (const bsc_downcalls *abi, const bsc_start_info *info))                         \
    X(thread_start, (uint64_t argument))                                                      \
    X(exception, (bsc_exception * exception))

typedef struct bsc_upcalls {
    uint32_t size;
    uint32_t version;
#define BSC_DECLARE_UPCALL(name, params) void(*name) params;
    BSC_UPCALLS(BSC_DECLARE_UPCALL)
#undef BSC_DECLARE_UPCALL
} bsc_upcalls;

/* A guest image exports this symbol: a bsc_upcalls with the guest's three entry points. */
#define BSC_GUEST_UPCALLS_SYMBOL "bascule_guest_upcalls"

#ifdef __cplusplus
}
#endif
