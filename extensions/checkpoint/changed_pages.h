// SPDX-License-Identifier: MIT
// Which pages a capture must read: with the host counting writes (vm_written_query), an
// image written against the last image this process took reads only the pages written
// since, and takes the rest as the parent's without touching them. The final round of a
// pre-copy, frozen, and each capture of an incremental chain then cost the pages the
// program wrote, not its whole memory.
//
// A count is trusted only for memory the last image read whole after the count restarted
// there: a region it stored as zeros without reading (unreadable while the guest ran)
// holds what it held, which the parent does not have.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "bascule.h"
#include "image_schema.h"

namespace bsc::checkpoint {

class ChangedPages {
public:
    // vm_written_query with BSC_WRITTEN_RESTART, into one bit per page.
    using Query = std::function<bsc_status(uint64_t address, uint64_t size, uint8_t *bits,
                                           uint64_t bits_size)>;

    // A capture begins, against `parent` (none: a whole image). Until it commits, no image
    // is the last: one that fails has restarted counts the next cannot use.
    void begin(const std::optional<snapshot::ImageId> &parent);
    // Before the capture reads [address, address + size): restarts the host's count there
    // and gives the pages written since the parent was read, if the parent is the last
    // image and read them all. nullopt: read every page.
    std::optional<std::vector<uint8_t>> restart(uint64_t address, uint64_t size,
                                                const Query &query);
    // The capture wrote image `id`: the next may be written against it.
    void committed(const snapshot::ImageId &id);

private:
    struct Range {
        uint64_t start, end;
    };
    bool read_by_last(uint64_t address, uint64_t size) const;

    std::optional<snapshot::ImageId> last_; // the last image, if its counts hold
    std::vector<Range> last_read_;          // what it read after restarting the counts
    bool against_last_ = false;             // the capture under way
    std::vector<Range> reading_;
};

} // namespace bsc::checkpoint
