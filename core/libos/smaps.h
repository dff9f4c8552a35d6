// SPDX-License-Identifier: MIT
// /proc/PID/smaps of the caller's own process: its map's lines (/proc/self/maps), each
// with the counts the host's kernel keeps of the same memory.
#pragma once

#include "text_buffer.h"

namespace libos {

// Puts the smaps text into `text`: false (nothing put) when a region of the program's map
// is not one mapping of the host's of its own (the host merged it with memory of the
// LibOS's), whose counts the host does not give apart.
bool put_smaps(Text &text);

} // namespace libos
