/* SPDX-License-Identifier: MIT */
/* What each downcall does with each parameter, declared once beside BSC_DOWNCALLS: which
 * are inputs, which point at what the call writes (and how much of it), which are
 * handles going in or coming out, and which calls never return. Tools that treat calls
 * generically derive their knowledge from it: trace shows what a call read and wrote,
 * checkpoint translates handles, record saves what the host wrote into guest memory and
 * replay writes it back. See abi/README.md ("Parameter roles"). */
#pragma once

#include "bascule.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { /* bsc_param_role.kind */
    BSC_ROLE_VALUE = 1,       /* an integer passed by value, read */
    BSC_ROLE_ADDRESS = 2,     /* a guest address passed by value, not read through */
    BSC_ROLE_HANDLE = 3,      /* a handle passed by value */
    BSC_ROLE_STRING = 4,      /* a NUL-terminated string the call reads */
    BSC_ROLE_STRINGS = 5,     /* a NULL-terminated array of strings the call reads */
    BSC_ROLE_IN = 6,          /* `size` bytes, times the count, the call reads */
    BSC_ROLE_OUT = 7,         /* `size` bytes, times the count, the call writes */
    BSC_ROLE_IN_OUT = 8,      /* `size` bytes, times the count, read and written */
    BSC_ROLE_HANDLES_IN = 9,  /* handles the call reads: the count */
    BSC_ROLE_HANDLES_OUT = 10, /* handles the call writes: the count */
    BSC_ROLE_BYTES_IN = 11,   /* bytes the call reads: as many as parameter `length` says */
    BSC_ROLE_BYTES_OUT = 12,  /* bytes the call writes: at most parameter `length`, and no
                                 more than `*done` (parameter `done`) when it has one */
    BSC_ROLE_BYTES_IN_OUT = 13, /* bytes read and written: parameter `length` of them */
    BSC_ROLE_MESSAGE_IN = 14, /* a bsc_socket_message to send: the call reads it, its
                                 data, its address and its handles, and writes its done */
    BSC_ROLE_MESSAGE_OUT = 15, /* a bsc_socket_message to receive into: the call writes
                                 its results, the data, the address and the handles */
    BSC_ROLE_THREAD_START = 16, /* a bsc_thread_start the call reads */
};

enum { BSC_ROLE_NONE = 0xff }; /* no parameter: for `length`, `done` and `count_param` */

/* One parameter. The count of an IN, OUT, IN_OUT or HANDLES_* parameter is `count`
 * elements, or parameter `count_param`'s value when that is not BSC_ROLE_NONE. */
typedef struct bsc_param_role {
    uint8_t kind;
    uint8_t length;      /* BYTES_*: the parameter that holds the length */
    uint8_t done;        /* BYTES_OUT: the pointer parameter that receives the count */
    uint8_t count_param; /* IN, OUT, IN_OUT, HANDLES_*: the parameter with the count */
    uint32_t count;      /* otherwise, a fixed count (1 for a single value) */
    uint32_t size;       /* IN, OUT, IN_OUT: the bytes of one element */
} bsc_param_role;

enum { /* bsc_call_roles.flags */
    BSC_CALL_NO_RETURN = 1,    /* does not return when it succeeds */
    BSC_CALL_RETURNS_TWICE = 2, /* returns in the caller and in a new process (fork) */
    BSC_CALL_MAPS = 4,         /* puts content into guest memory at its *addr (a stream
                                  mapping, since 1.18 a shared memory attachment): the
                                  bytes are an input of the guest */
    BSC_CALL_BLOCKS = 8,       /* may wait: an interrupt ends it with INTERRUPTED */
};

enum { BSC_MAX_PARAMS = 6 };

typedef struct bsc_call_roles {
    const char *name;
    uint32_t flags;
    uint32_t param_count;
    bsc_param_role params[BSC_MAX_PARAMS];
} bsc_call_roles;

/* Role constructors, one per kind. */
#define BSC_R_VALUE {BSC_ROLE_VALUE, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 0}
#define BSC_R_ADDRESS {BSC_ROLE_ADDRESS, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 0}
#define BSC_R_HANDLE {BSC_ROLE_HANDLE, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 0}
#define BSC_R_STRING {BSC_ROLE_STRING, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 0}
#define BSC_R_STRINGS {BSC_ROLE_STRINGS, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 0}
#define BSC_R_IN(type) {BSC_ROLE_IN, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, sizeof(type)}
#define BSC_R_OUT(type) {BSC_ROLE_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, sizeof(type)}
#define BSC_R_IN_ARRAY(type, count_param)                                                    \
    {BSC_ROLE_IN, BSC_ROLE_NONE, BSC_ROLE_NONE, count_param, 0, sizeof(type)}
#define BSC_R_OUT_ARRAY(type, count_param)                                                   \
    {BSC_ROLE_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, count_param, 0, sizeof(type)}
#define BSC_R_IN_OUT(type)                                                                   \
    {BSC_ROLE_IN_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, sizeof(type)}
#define BSC_R_IN_OUT_ARRAY(type, count_param)                                                \
    {BSC_ROLE_IN_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, count_param, 0, sizeof(type)}
#define BSC_R_HANDLES_IN(count_param)                                                        \
    {BSC_ROLE_HANDLES_IN, BSC_ROLE_NONE, BSC_ROLE_NONE, count_param, 0, sizeof(bsc_handle)}
#define BSC_R_HANDLES_OUT(n)                                                                 \
    {BSC_ROLE_HANDLES_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, n, sizeof(bsc_handle)}
#define BSC_R_BYTES_IN(length) {BSC_ROLE_BYTES_IN, length, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 1}
#define BSC_R_BYTES_OUT(length, done) {BSC_ROLE_BYTES_OUT, length, done, BSC_ROLE_NONE, 1, 1}
#define BSC_R_BYTES_IN_OUT(length)                                                           \
    {BSC_ROLE_BYTES_IN_OUT, length, BSC_ROLE_NONE, BSC_ROLE_NONE, 1, 1}
#define BSC_R_MESSAGE_IN                                                                     \
    {BSC_ROLE_MESSAGE_IN, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1,                    \
     sizeof(bsc_socket_message)}
#define BSC_R_MESSAGE_OUT                                                                    \
    {BSC_ROLE_MESSAGE_OUT, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1,                   \
     sizeof(bsc_socket_message)}
#define BSC_R_THREAD_START                                                                   \
    {BSC_ROLE_THREAD_START, BSC_ROLE_NONE, BSC_ROLE_NONE, BSC_ROLE_NONE, 1,                  \
     sizeof(bsc_thread_start)}

/* Every downcall in BSC_DOWNCALLS order: X(name, flags, parameter count, roles...), the
 * roles in parameter order (parameters are numbered from 0). C++ consumers check at
 * compile time that the names, order and counts match BSC_DOWNCALLS
 * (sdk/call_roles.h). */
#define BSC_DOWNCALL_ROLES(X)                                                                \
    X(vm_alloc, 0, 4, BSC_R_IN_OUT(uint64_t), BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE)         \
    X(vm_free, 0, 2, BSC_R_ADDRESS, BSC_R_VALUE)                                             \
    X(vm_protect, 0, 3, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_VALUE)                             \
    X(vm_reset, 0, 2, BSC_R_ADDRESS, BSC_R_VALUE)                                            \
    X(stream_open, BSC_CALL_BLOCKS, 6, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE,  \
      BSC_R_VALUE, BSC_R_HANDLES_OUT(1))                                                     \
    X(stream_open_pair, 0, 3, BSC_R_STRING, BSC_R_VALUE, BSC_R_HANDLES_OUT(2))               \
    X(stream_accept, BSC_CALL_BLOCKS, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))    \
    X(stream_read, BSC_CALL_BLOCKS, 5, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_BYTES_OUT(3, 4),     \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(stream_write, BSC_CALL_BLOCKS, 5, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_BYTES_IN(3),        \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(stream_seek, 0, 4, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_OUT(uint64_t))        \
    X(stream_map, BSC_CALL_MAPS, 6, BSC_R_HANDLE, BSC_R_IN_OUT(uint64_t), BSC_R_VALUE,       \
      BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE)                                                 \
    X(stream_unmap, 0, 2, BSC_R_ADDRESS, BSC_R_VALUE)                                        \
    X(stream_flush, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                                         \
    X(stream_set_length, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                                    \
    X(stream_lock, BSC_CALL_BLOCKS, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_IN_OUT(bsc_lock))    \
    X(stream_attributes_query, 0, 3, BSC_R_STRING, BSC_R_VALUE,                              \
      BSC_R_OUT(bsc_stream_attributes))                                                      \
    X(stream_attributes_query_by_handle, 0, 2, BSC_R_HANDLE, BSC_R_OUT(bsc_stream_attributes)) \
    X(stream_attributes_set, 0, 4, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE,                   \
      BSC_R_IN(bsc_stream_attributes))                                                       \
    X(stream_attributes_set_by_handle, 0, 3, BSC_R_HANDLE, BSC_R_VALUE,                      \
      BSC_R_IN(bsc_stream_attributes))                                                       \
    X(stream_delete, 0, 2, BSC_R_STRING, BSC_R_VALUE)                                        \
    X(stream_rename, 0, 3, BSC_R_STRING, BSC_R_STRING, BSC_R_VALUE)                          \
    X(stream_link, 0, 3, BSC_R_STRING, BSC_R_STRING, BSC_R_VALUE)                            \
    X(stream_read_link, 0, 4, BSC_R_STRING, BSC_R_BYTES_OUT(2, 3), BSC_R_VALUE,              \
      BSC_R_OUT(uint64_t))                                                                   \
    X(object_close, 0, 1, BSC_R_HANDLE)                                                      \
    X(objects_wait_any, BSC_CALL_BLOCKS, 4, BSC_R_IN_OUT_ARRAY(bsc_wait_item, 1),            \
      BSC_R_VALUE, BSC_R_VALUE, BSC_R_OUT(uint32_t))                                         \
    X(event_create, 0, 2, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))                                 \
    X(event_set, 0, 1, BSC_R_HANDLE)                                                         \
    X(event_clear, 0, 1, BSC_R_HANDLE)                                                       \
    X(sync_wait, BSC_CALL_BLOCKS, 3, BSC_R_IN(uint32_t), BSC_R_VALUE, BSC_R_VALUE)           \
    X(sync_wake, 0, 3, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_OUT(uint32_t))                      \
    X(thread_create, 0, 2, BSC_R_THREAD_START, BSC_R_HANDLES_OUT(1))                         \
    X(thread_exit, BSC_CALL_NO_RETURN, 0)                                                    \
    X(thread_yield, 0, 0)                                                                    \
    X(thread_interrupt, 0, 1, BSC_R_HANDLE)                                                  \
    X(thread_set_segment, 0, 2, BSC_R_VALUE, BSC_R_ADDRESS)                                  \
    X(thread_context_restore, BSC_CALL_NO_RETURN, 1, BSC_R_IN(bsc_cpu_context))              \
    X(time_query, 0, 2, BSC_R_VALUE, BSC_R_OUT(int64_t))                                     \
    X(random_read, 0, 2, BSC_R_BYTES_OUT(1, BSC_ROLE_NONE), BSC_R_VALUE)                     \
    X(process_create, 0, 4, BSC_R_STRINGS, BSC_R_HANDLES_IN(2), BSC_R_VALUE,                 \
      BSC_R_HANDLES_OUT(1))                                                                  \
    X(process_exit, BSC_CALL_NO_RETURN, 1, BSC_R_VALUE)                                      \
    X(system_info_query, 0, 1, BSC_R_OUT(bsc_system_info))                                   \
    X(debug_print, 0, 2, BSC_R_BYTES_IN(1), BSC_R_VALUE)                                     \
    X(object_query, 0, 4, BSC_R_HANDLE, BSC_R_OUT(bsc_object_info),                          \
      BSC_R_BYTES_OUT(3, BSC_ROLE_NONE), BSC_R_VALUE)                                        \
    X(vm_fill, 0, 3, BSC_R_ADDRESS, BSC_R_BYTES_IN(2), BSC_R_VALUE)                          \
    X(vm_fill_end, 0, 2, BSC_R_ADDRESS, BSC_R_VALUE)                                         \
    X(stream_xattr_get, 0, 6, BSC_R_STRING, BSC_R_VALUE, BSC_R_STRING,                       \
      BSC_R_BYTES_OUT(4, 5), BSC_R_VALUE, BSC_R_OUT(uint64_t))                               \
    X(stream_xattr_get_by_handle, 0, 5, BSC_R_HANDLE, BSC_R_STRING, BSC_R_BYTES_OUT(3, 4),   \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(stream_xattr_set, 0, 5, BSC_R_STRING, BSC_R_VALUE, BSC_R_STRING, BSC_R_BYTES_IN(4),    \
      BSC_R_VALUE)                                                                           \
    X(stream_xattr_set_by_handle, 0, 5, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_STRING,             \
      BSC_R_BYTES_IN(4), BSC_R_VALUE)                                                        \
    X(stream_xattr_list, 0, 5, BSC_R_STRING, BSC_R_VALUE, BSC_R_BYTES_OUT(3, 4), BSC_R_VALUE, \
      BSC_R_OUT(uint64_t))                                                                   \
    X(stream_xattr_list_by_handle, 0, 4, BSC_R_HANDLE, BSC_R_BYTES_OUT(2, 3), BSC_R_VALUE,   \
      BSC_R_OUT(uint64_t))                                                                   \
    X(stream_xattr_remove, 0, 3, BSC_R_STRING, BSC_R_VALUE, BSC_R_STRING)                    \
    X(stream_xattr_remove_by_handle, 0, 2, BSC_R_HANDLE, BSC_R_STRING)                       \
    X(time_resolution, 0, 2, BSC_R_VALUE, BSC_R_OUT(int64_t))                                \
    X(time_sleep_until, BSC_CALL_BLOCKS, 2, BSC_R_VALUE, BSC_R_VALUE)                        \
    X(process_usage_query, 0, 2, BSC_R_VALUE, BSC_R_OUT(bsc_process_usage))                  \
    X(process_identity_query, 0, 3, BSC_R_OUT(bsc_process_identity),                         \
      BSC_R_OUT_ARRAY(uint32_t, 2), BSC_R_VALUE)                                             \
    X(thread_affinity_query, 0, 4, BSC_R_BYTES_OUT(1, BSC_ROLE_NONE), BSC_R_VALUE,           \
      BSC_R_OUT(uint32_t), BSC_R_OUT(uint32_t))                                              \
    X(thread_affinity_set, 0, 2, BSC_R_BYTES_IN(1), BSC_R_VALUE)                             \
    X(stream_control, BSC_CALL_BLOCKS, 4, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_BYTES_IN_OUT(3),  \
      BSC_R_VALUE)                                                                           \
    X(socket_create, 0, 4, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))      \
    X(socket_create_pair, 0, 4, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_HANDLES_OUT(2)) \
    X(socket_bind, 0, 2, BSC_R_HANDLE, BSC_R_IN(bsc_socket_address))                        \
    X(socket_listen, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                                        \
    X(socket_connect, BSC_CALL_BLOCKS, 2, BSC_R_HANDLE, BSC_R_IN(bsc_socket_address))        \
    X(socket_address_query, 0, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_OUT(bsc_socket_address))  \
    X(socket_shutdown, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                                      \
    X(socket_send, BSC_CALL_BLOCKS, 3, BSC_R_HANDLE, BSC_R_MESSAGE_IN, BSC_R_VALUE)          \
    X(socket_receive, BSC_CALL_BLOCKS, 3, BSC_R_HANDLE, BSC_R_MESSAGE_OUT, BSC_R_VALUE)       \
    X(socket_option_get, 0, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_OUT(int64_t))                \
    X(socket_option_set, 0, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_VALUE)                       \
    X(thread_time_query, 0, 3, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_OUT(int64_t))                \
    X(vm_resident_query, 0, 4, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_OUT(uint64_t),              \
      BSC_R_OUT(uint64_t))                                                                   \
    X(thread_affinity_query_by_handle, 0, 5, BSC_R_HANDLE, BSC_R_BYTES_OUT(2, BSC_ROLE_NONE), \
      BSC_R_VALUE, BSC_R_OUT(uint32_t), BSC_R_OUT(uint32_t))                                 \
    X(thread_affinity_set_by_handle, 0, 3, BSC_R_HANDLE, BSC_R_BYTES_IN(2), BSC_R_VALUE)     \
    X(process_fork, BSC_CALL_RETURNS_TWICE, 2, BSC_R_HANDLES_OUT(1), BSC_R_OUT(uint64_t))   \
    X(process_wait, BSC_CALL_BLOCKS, 3, BSC_R_HANDLE, BSC_R_VALUE,                           \
      BSC_R_OUT(bsc_process_state))                                                          \
    X(process_signal, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                                       \
    X(process_open, 0, 2, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))                                 \
    X(process_id_query, 0, 1, BSC_R_OUT(uint64_t))                                           \
    X(process_exec, 0, 2, BSC_R_STRING, BSC_R_STRINGS)                                       \
    X(process_memory_read, 0, 5, BSC_R_HANDLE, BSC_R_ADDRESS, BSC_R_BYTES_OUT(3, 4),         \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(process_signals_take, 0, 2, BSC_R_OUT(uint64_t), BSC_R_OUT(uint64_t))                  \
    X(process_memory_write, 0, 5, BSC_R_HANDLE, BSC_R_ADDRESS, BSC_R_BYTES_IN(3),            \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(process_status_query, 0, 2, BSC_R_HANDLE, BSC_R_OUT(bsc_process_status))              \
    X(stream_lock_query, 0, 3, BSC_R_HANDLE, BSC_R_IN_OUT(bsc_lock), BSC_R_OUT(uint64_t))   \
    X(vm_fill_wait, BSC_CALL_BLOCKS, 2, BSC_R_OUT(uint64_t), BSC_R_VALUE)                   \
    X(stream_peek, 0, 4, BSC_R_HANDLE, BSC_R_BYTES_OUT(2, 3), BSC_R_VALUE, BSC_R_OUT(uint64_t)) \
    X(vm_written_query, 0, 5, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_VALUE,                       \
      BSC_R_BYTES_OUT(4, BSC_ROLE_NONE), BSC_R_VALUE)                                       \
    X(stream_make_node, 0, 4, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE)  \
    X(thread_identity_set, 0, 4, BSC_R_VALUE, BSC_R_IN_ARRAY(uint32_t, 2), BSC_R_VALUE,      \
      BSC_R_OUT(uint32_t))                                                                   \
    X(thread_capabilities_query, 0, 2, BSC_R_HANDLE, BSC_R_OUT(bsc_capabilities))           \
    X(thread_capabilities_set, 0, 1, BSC_R_IN(bsc_capabilities))                             \
    X(vm_lock, 0, 3, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_VALUE)                                \
    X(vm_residency_query, 0, 4, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_BYTES_OUT(3, BSC_ROLE_NONE), \
      BSC_R_VALUE)                                                                           \
    X(system_load_query, 0, 1, BSC_R_OUT(bsc_system_load))                                  \
    X(ipc_get, 0, 5, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_OUT(int32_t)) \
    X(ipc_control, 0, 6, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE,                 \
      BSC_R_BYTES_IN_OUT(5), BSC_R_VALUE)                                                    \
    X(ipc_shared_memory_attach, BSC_CALL_MAPS, 4, BSC_R_VALUE, BSC_R_IN_OUT(uint64_t),      \
      BSC_R_OUT(uint64_t), BSC_R_VALUE)                                                      \
    X(ipc_semaphore_operate, BSC_CALL_BLOCKS, 4, BSC_R_VALUE,                                \
      BSC_R_IN_ARRAY(bsc_semaphore_operation, 2), BSC_R_VALUE, BSC_R_VALUE)                 \
    X(ipc_message_send, BSC_CALL_BLOCKS, 4, BSC_R_VALUE, BSC_R_BYTES_IN(2), BSC_R_VALUE,     \
      BSC_R_VALUE)                                                                           \
    X(ipc_message_receive, BSC_CALL_BLOCKS, 6, BSC_R_VALUE, BSC_R_BYTES_OUT(2, 5),           \
      BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_OUT(uint64_t))                           \
    X(stream_watch, 0, 4, BSC_R_HANDLE, BSC_R_STRING, BSC_R_VALUE, BSC_R_OUT(int32_t))     \
    X(process_notices_take, 0, 3, BSC_R_OUT_ARRAY(bsc_notice, 1), BSC_R_VALUE,              \
      BSC_R_OUT(uint32_t))                                                                  \
    X(stream_mount, 0, 5, BSC_R_STRING, BSC_R_STRING, BSC_R_STRING, BSC_R_VALUE, BSC_R_STRING) \
    X(stream_unmount, 0, 2, BSC_R_STRING, BSC_R_VALUE)                                     \
    X(stream_volume_query, 0, 2, BSC_R_STRING, BSC_R_OUT(bsc_volume_info))                  \
    X(stream_volume_query_by_handle, 0, 2, BSC_R_HANDLE, BSC_R_OUT(bsc_volume_info))         \
    X(stream_mount_added_query, 0, 3, BSC_R_BYTES_OUT(1, 2), BSC_R_VALUE, BSC_R_OUT(uint64_t)) \
    X(stream_details_query, 0, 4, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE,                    \
      BSC_R_OUT(bsc_stream_details))                                                        \
    X(stream_details_query_by_handle, 0, 3, BSC_R_HANDLE, BSC_R_VALUE,                       \
      BSC_R_OUT(bsc_stream_details))                                                        \
    X(vm_sync, 0, 3, BSC_R_ADDRESS, BSC_R_VALUE, BSC_R_VALUE)                                \
    X(mqueue_open, 0, 6, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE, BSC_R_VALUE,                \
      BSC_R_IN(bsc_mqueue_attributes), BSC_R_HANDLES_OUT(1))                                \
    X(mqueue_unlink, 0, 1, BSC_R_STRING)                                                     \
    X(mqueue_send, BSC_CALL_BLOCKS, 5, BSC_R_HANDLE, BSC_R_BYTES_IN(2), BSC_R_VALUE,         \
      BSC_R_VALUE, BSC_R_VALUE)                                                              \
    X(mqueue_receive, BSC_CALL_BLOCKS, 6, BSC_R_HANDLE, BSC_R_BYTES_OUT(2, 5), BSC_R_VALUE,  \
      BSC_R_VALUE, BSC_R_OUT(uint32_t), BSC_R_OUT(uint64_t))                                 \
    X(thread_security_bits_query, 0, 1, BSC_R_OUT(uint32_t))                                 \
    X(thread_security_bits_set, 0, 2, BSC_R_VALUE, BSC_R_VALUE)                              \
    X(stream_mark, 0, 5, BSC_R_HANDLE, BSC_R_HANDLE, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE) \
    X(thread_io_priority_query, 0, 1, BSC_R_OUT(uint32_t))                                   \
    X(thread_io_priority_set, 0, 1, BSC_R_VALUE)                                             \
    X(thread_io_priority_query_by_handle, 0, 2, BSC_R_HANDLE, BSC_R_OUT(uint32_t))           \
    X(thread_io_priority_set_by_handle, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)                     \
    X(key_add, 0, 6, BSC_R_STRING, BSC_R_STRING, BSC_R_BYTES_IN(3), BSC_R_VALUE, BSC_R_VALUE, \
      BSC_R_OUT(int32_t))                                                                    \
    X(key_request, BSC_CALL_BLOCKS, 5, BSC_R_STRING, BSC_R_STRING, BSC_R_STRING, BSC_R_VALUE, \
      BSC_R_OUT(int32_t))                                                                    \
    X(key_control, 0, 6, BSC_R_VALUE, BSC_R_IN_OUT(bsc_key_control),                         \
      BSC_R_BYTES_IN(3), BSC_R_VALUE, BSC_R_BYTES_OUT(5, BSC_ROLE_NONE), BSC_R_VALUE)        \
    X(mount_open, 0, 5, BSC_R_HANDLE, BSC_R_STRING, BSC_R_VALUE, BSC_R_VALUE,                \
      BSC_R_HANDLES_OUT(1))                                                                  \
    X(mount_configure, 0, 6, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_ADDRESS, BSC_R_ADDRESS,        \
      BSC_R_VALUE, BSC_R_HANDLE)                                                             \
    X(mount_attach, 0, 4, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))      \
    X(mount_move, 0, 5, BSC_R_HANDLE, BSC_R_STRING, BSC_R_HANDLE, BSC_R_STRING, BSC_R_VALUE) \
    X(mount_attributes_set, 0, 4, BSC_R_HANDLE, BSC_R_STRING, BSC_R_VALUE,                   \
      BSC_R_IN(bsc_mount_attributes))                                                        \
    X(mount_status_query, 0, 4, BSC_R_IN(bsc_mount_request), BSC_R_BYTES_OUT(2, 3),          \
      BSC_R_VALUE, BSC_R_OUT(uint64_t))                                                      \
    X(mount_list, 0, 5, BSC_R_IN(bsc_mount_request), BSC_R_OUT_ARRAY(uint64_t, 2),           \
      BSC_R_VALUE, BSC_R_VALUE, BSC_R_OUT(uint64_t))                                         \
    X(stream_file_handle_query, 0, 3, BSC_R_STRING, BSC_R_VALUE, BSC_R_OUT(bsc_file_handle)) \
    X(stream_open_by_file_handle, 0, 6, BSC_R_HANDLE, BSC_R_STRING, BSC_R_IN(bsc_file_handle), \
      BSC_R_VALUE, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))                                        \
    X(userfault_open, 0, 4, BSC_R_HANDLE, BSC_R_VALUE, BSC_R_VALUE, BSC_R_HANDLES_OUT(1))    \
    X(namespace_unshare, 0, 1, BSC_R_VALUE)                                                  \
    X(namespace_enter, 0, 2, BSC_R_HANDLE, BSC_R_VALUE)

#ifdef __cplusplus
}
#endif
