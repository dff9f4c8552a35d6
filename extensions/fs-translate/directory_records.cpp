// SPDX-License-Identifier: MIT
// Reading a whole host directory through a downcall table.
#include "directory_records.h"

namespace bsc::fs_translate {

bsc_status read_directory(const bsc_downcalls &abi, const std::string &path,
                          std::vector<char> &records) {
    bsc_handle directory = BSC_NO_HANDLE;
    if (bsc_status status = abi.stream_open(("dir:" + path).c_str(), BSC_ACCESS_READ, 0,
                                            BSC_CREATE_NEVER, 0, &directory))
        return status;
    std::vector<char> buffer(64 << 10);
    bsc_status status = BSC_OK;
    for (;;) {
        uint64_t got = 0;
        status = abi.stream_read(directory, BSC_AT_POSITION, buffer.data(), buffer.size(), &got);
        if (status != BSC_OK || got == 0)
            break;
        records.insert(records.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(got));
    }
    abi.object_close(directory);
    return status;
}

} // namespace bsc::fs_translate
