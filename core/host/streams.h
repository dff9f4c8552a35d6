// SPDX-License-Identifier: MIT
// What the stream downcalls (files, sockets, attributes, stdio) share across their files.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <memory>
#include <string>

#include "fast_calls.h"
#include "fd.h"
#include "handles.h"
#include "stream_uri.h"

namespace bsc::host {

// A directory handle. The lock makes "note the position, read, maybe step back" one step
// for threads sharing the handle; the fast calls take it too.
struct DirectoryStream : Object {
    using Object::Object;
    mutable FastLock lock;
};

// files.cpp: wraps an open descriptor as a stream object of the kind fstat reports (a
// directory becomes a directory stream). Open-time actions (TRUNCATE) are not kept in
// `options`, which says how to open the stream again.
std::shared_ptr<Object> make_stream(UniqueFd fd, std::string uri, uint32_t access,
                                    uint32_t options);
// files.cpp: the URI an open descriptor goes by: its host path as the host names it in
// /proc ("dir:" for a directory), or "fd:" if it has none.
std::string uri_of_descriptor(int fd, uint32_t type);

// sockets.cpp: stream_open for pipe:, unix:, unix.srv:, tcp:, tcp.srv:, udp:, udp.srv:.
bsc_status open_socket(const StreamUri &uri, uint32_t access, uint32_t options,
                       std::shared_ptr<Object> &out);

// notify.cpp: stream_open for notify: (an inotify instance), and stream_control's
// BSC_CONTROL_WATCH_REMOVE on one (NOT_SUPPORTED on another stream).
bsc_status open_notifier(uint32_t access, uint32_t create, uint32_t options,
                         std::shared_ptr<Object> &out);
bsc_status remove_watch(const Object &stream, const void *data);
// notify.cpp: stream_control's BSC_CONTROL_LEASE, _SET_LEASE, _WATCH_DIRECTORY and
// _SET_ASYNC (one uint32_t each), served by the host's kernel on the stream's descriptor.
bool is_notice_command(uint32_t command);

// fanotify.cpp: stream_open for fanotify: (a fanotify group with the URI's two numbers),
// and the reads and writes of one, whose records carry handles (abi/bascule.h).
bsc_status open_fanotify(std::string_view numbers, uint32_t access, uint32_t create,
                         uint32_t options, std::shared_ptr<Object> &out);
bsc_status read_fanotify(Object &stream, void *buffer, uint64_t size, uint64_t &count);
bsc_status write_fanotify(Object &stream, const void *buffer, uint64_t size, uint64_t &count);
bsc_status notice_control(const Object &stream, uint32_t command, void *data);

// guest_userfault.cpp: a read of a userfault stream, whose records name threads and new
// streams by handle (abi/bascule.h, "Userfault streams").
bsc_status read_userfault(Object &stream, void *buffer, uint64_t size, uint64_t &count);

// mqueue.cpp: stream_control's BSC_CONTROL_MQUEUE_ATTRIBUTES and _MQUEUE_NOTIFY on a
// POSIX message queue (NOT_SUPPORTED on another stream).
bool is_queue_command(uint32_t command);
bsc_status queue_control(const Object &stream, uint32_t command, void *data, uint64_t size);

// sockets.cpp: the socket behind a stream handle, else null.
std::shared_ptr<Object> find_socket(bsc_handle handle);
// A received or accepted host socket as a stream object.
std::shared_ptr<Object> make_socket_stream(UniqueFd fd, uint32_t options);

// socket_addresses.cpp: an ABI socket address as the host's (INVALID for a bad domain or
// length), and a host address as the ABI's (domain 0 when the host gave none).
bsc_status host_address(const bsc_socket_address &in, sockaddr_storage &out,
                        socklen_t &length);
bsc_socket_address abi_address(const sockaddr_storage &in, socklen_t length);
// The host's AF_* for a BSC_SOCKET_* domain, and back; -1 / 0 for none.
int host_domain(uint32_t domain);
uint32_t abi_domain(int family);

// attributes.cpp: the BSC_TYPE_* of a file mode, and of an open descriptor (TTY for a
// terminal); a stat as the ABI's attributes (what only a descriptor tells left alone).
uint32_t type_from_mode(mode_t mode);
void fill_attributes(const struct stat &st, bsc_stream_attributes &out);
// The BSC_OPTION_*s an open stream is in: those the host keeps for it, and those its
// descriptor's F_GETFL `flags` say (-1: unknown).
uint32_t descriptor_options(const Object &object, int flags);
uint32_t type_of_descriptor(int fd);

// terminals.cpp: stream_control's terminal commands (BSC_CONTROL_TTY_* and _PTY_*) on a
// descriptor; NOT_TTY when it is no terminal, or no pseudo-terminal master for _PTY_*.
bool is_terminal_command(uint32_t command);
bsc_status terminal_control(int fd, uint32_t command, void *data, uint64_t size);

// devices.cpp: stream_control's BSC_CONTROL_DEVICE_REQUEST on a stream: `data` holds a
// bsc_device_request and its argument, `size` bytes in all.
bsc_status device_request(Object &stream, void *data, uint64_t size);

} // namespace bsc::host
