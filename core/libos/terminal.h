// SPDX-License-Identifier: MIT
// The terminal requests of ioctl (termios, window size, pseudo-terminal masters), served
// by the ABI's stream_control on the host's terminal.
#pragma once

#include "fd_table.h"

namespace libos {

// ioctl `request` on a terminal: 0, a new descriptor (TIOCGPTPEER) or -errno (ENOTTY for
// a request terminals do not take).
int64_t terminal_ioctl(OpenFile &file, uint64_t request, uint64_t address);

} // namespace libos
