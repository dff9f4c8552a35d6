// SPDX-License-Identifier: MIT
// What the stream downcalls (files, sockets, attributes, stdio) share across their files.
#pragma once

#include <sys/types.h>

#include <memory>

#include "fd.h"
#include "handles.h"
#include "stream_uri.h"

namespace bsc::host {

// files.cpp: wraps an open descriptor as a stream object of the kind fstat reports (a
// directory becomes a directory stream). Open-time actions (TRUNCATE) are not kept in
// `options`, which says how to open the stream again.
std::shared_ptr<Object> make_stream(UniqueFd fd, std::string uri, uint32_t access,
                                    uint32_t options);

// sockets.cpp: stream_open for pipe:, unix:, unix.srv:, tcp:, tcp.srv:, udp:, udp.srv:.
bsc_status open_socket(const StreamUri &uri, uint32_t access, uint32_t options,
                       std::shared_ptr<Object> &out);

// attributes.cpp: the BSC_TYPE_* of a file mode, and of an open descriptor (TTY for a
// terminal).
uint32_t type_from_mode(mode_t mode);
uint32_t type_of_descriptor(int fd);

// terminals.cpp: stream_control's terminal commands (BSC_CONTROL_TTY_* and _PTY_*) on a
// descriptor; NOT_TTY when it is no terminal, or no pseudo-terminal master for _PTY_*.
bool is_terminal_command(uint32_t command);
bsc_status terminal_control(int fd, uint32_t command, void *data, uint64_t size);

} // namespace bsc::host
