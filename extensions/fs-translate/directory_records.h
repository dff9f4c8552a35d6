// SPDX-License-Identifier: MIT
// Reading a host directory's bsc_dirent records through a downcall table, and walking them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bascule.h"

namespace bsc::fs_translate {

// Every record of the host directory `path`, read through `abi`, appended to `records`.
bsc_status read_directory(const bsc_downcalls &abi, const std::string &path,
                          std::vector<char> &records);

// Calls `each(record)` for every record in `records`.
template <class Each> void for_each_record(const std::vector<char> &records, Each &&each) {
    for (size_t at = 0; at + offsetof(bsc_dirent, name) < records.size();) {
        const auto *record = reinterpret_cast<const bsc_dirent *>(records.data() + at);
        if (record->record_length == 0)
            return;
        each(*record);
        at += record->record_length;
    }
}

} // namespace bsc::fs_translate
