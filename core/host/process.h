// SPDX-License-Identifier: MIT
// How the runtime configures the host's process calls.
#pragma once

#include <string>
#include <vector>

namespace bsc::host {

// The command process_create runs before "--" and the guest's argv: the runtime's own
// executable, "run" and this runtime's extension options, so a child gets the same stack.
// Until it is set, process_create returns BSC_E_NOT_SUPPORTED.
void set_process_command(std::vector<std::string> prefix);

} // namespace bsc::host
