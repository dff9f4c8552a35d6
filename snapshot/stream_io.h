// SPDX-License-Identifier: MIT
// Whole messages over a socket or pipe, for the control socket's frames
// (core/runtime/control_messages.h) and the image stream (image_transfer.h).
#pragma once

#include <cstddef>
#include <span>

namespace bsc::snapshot {

// Sends all of `bytes` (a peer gone is an error, not SIGPIPE); false if it could not,
// errno saying why.
bool send_all(int fd, std::span<const std::byte> bytes);

// Fills `bytes`; false at the end of the stream, or an error (errno), before it is full,
// with `got` saying how much came.
bool receive_all(int fd, std::span<std::byte> bytes, size_t &got);

} // namespace bsc::snapshot
