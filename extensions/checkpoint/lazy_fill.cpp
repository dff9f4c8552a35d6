// SPDX-License-Identifier: MIT
#include "lazy_fill.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/core.h>

#include "kind_hooks.h"
#include "tracked_state.h"

namespace bsc::checkpoint {
namespace {

namespace snap = bsc::snapshot;
using Target = snap::ImageChain::RegionTarget;

const bsc_downcalls &below() { return *tracked().below; }

constexpr uint64_t kPage = snap::kPageSize;
// Pages read for a touched page: about a block's worth (the writer cuts blocks of 16
// pages), so that the touch waits for one block.
constexpr uint64_t kTouchedWindow = 16;
// Pages filled in the background between two looks for touched pages: 1 MiB, a touch
// waits for at most that much.
constexpr uint64_t kBackgroundWindow = 256;

struct FillingRegion {
    Target target;
    uint64_t address = 0, pages = 0;
    std::vector<uint8_t> filled; // a byte a page, each written by the one reading at a time
};

class LazyFill {
public:
    LazyFill(snap::ImageChain image, std::vector<Target> targets) : image_(std::move(image)) {
        const auto &records = image_.top().metadata().regions;
        for (const auto &target : targets) {
            const auto &r = records.at(target.region_index);
            regions_.push_back({target, r.address, r.size / kPage, std::vector<uint8_t>(r.size / kPage)});
        }
        std::ranges::sort(regions_, {}, &FillingRegion::address);
    }

    void run() {
        try {
            for (size_t region = 0; region < regions_.size(); region++)
                for (uint64_t page = 0; page < regions_[region].pages; page += kBackgroundWindow) {
                    serve_touches();
                    read(regions_[region], page, kBackgroundWindow, snap::ImageChain::Destination::zeroed);
                }
            // The zero pages were left out: they read as zeros once the filling ends.
            for (const auto &region : regions_)
                below().vm_fill_end(region.address, region.pages * kPage);
        } catch (const RestoreFailure &f) {
            stop_guest(f.message);
        } catch (const std::exception &e) {
            stop_guest(e.what());
        }
        std::lock_guard lock(mutex_);
        done_ = true;
        all_in_.notify_all();
    }

    void write(std::byte *target, std::span<const std::byte> pages) {
        FillingRegion *region = region_at(reinterpret_cast<uint64_t>(target));
        if (!region)
            return;
        uint64_t first = (reinterpret_cast<uint64_t>(target) - region->address) / kPage;
        uint64_t count = pages.size() / kPage, run = 0;
        for (uint64_t i = 0; i <= count; i++) {
            if (i < count && !region->filled[first + i]) {
                region->filled[first + i] = 1;
                run++;
                continue;
            }
            if (run)
                install(region->address + (first + i - run) * kPage,
                        pages.subspan((i - run) * kPage, run * kPage));
            run = 0;
        }
    }

    void wait() {
        std::unique_lock lock(mutex_);
        all_in_.wait(lock, [&] { return done_; });
    }

private:
    FillingRegion *region_at(uint64_t address) {
        auto after = std::ranges::upper_bound(regions_, address, {}, &FillingRegion::address);
        if (after == regions_.begin())
            return nullptr;
        FillingRegion &region = *std::prev(after);
        return address < region.address + region.pages * kPage ? &region : nullptr;
    }

    // The pages [first, first + count) of a region, those not filled yet.
    void read(const FillingRegion &region, uint64_t first, uint64_t count,
              snap::ImageChain::Destination state) {
        count = std::min(count, region.pages - first);
        auto *at = reinterpret_cast<std::byte *>(region.address + first * kPage);
        Target part{region.target.region_index, {at, count * kPage}, first};
        image_.read_regions({&part, 1}, state);
    }

    // Every page touched meanwhile, with the pages of its block.
    void serve_touches() {
        uint64_t page;
        bsc_status status;
        while ((status = below().vm_fill_wait(&page, 0)) == BSC_OK)
            if (FillingRegion *region = region_at(page)) {
                uint64_t index = (page - region->address) / kPage;
                read(*region, index - index % kTouchedWindow, kTouchedWindow,
                     snap::ImageChain::Destination::any);
            }
        if (status != BSC_E_TIMED_OUT)
            throw RestoreFailure{status, fmt::format("cannot wait for touched pages: {}",
                                                     bsc_status_name(status))};
    }

    // A region the guest has freed or replaced since is not filled any more (INVALID).
    static void install(uint64_t address, std::span<const std::byte> pages) {
        bsc_status status = below().vm_fill(address, pages.data(), pages.size());
        if (status != BSC_OK && status != BSC_E_INVALID)
            throw RestoreFailure{status, fmt::format("cannot fill the pages at {:#x}+{:#x}: {}",
                                                     address, pages.size(),
                                                     bsc_status_name(status))};
    }

    // The guest cannot go on without its pages.
    [[noreturn]] static void stop_guest(const std::string &why) {
        fmt::print(stderr, "bascule: checkpoint: the lazy restore stops the guest: {}\n", why);
        std::fflush(stderr);
        below().process_exit(1);
        std::abort();
    }

    snap::ImageChain image_;
    std::vector<FillingRegion> regions_; // by address
    std::mutex mutex_;
    std::condition_variable all_in_;
    bool done_ = false;
};

std::unique_ptr<LazyFill> lazy_fill; // the running one, if any

} // namespace

bool host_fills_lazily() {
    uint64_t page;
    return below().vm_fill_wait(&page, 0) == BSC_E_TIMED_OUT;
}

void fill_lazily(std::byte *target, std::span<const std::byte> pages) {
    if (lazy_fill)
        lazy_fill->write(target, pages);
}

void start_lazy_fill(snap::ImageChain image, std::vector<Target> targets) {
    lazy_fill = std::make_unique<LazyFill>(std::move(image), std::move(targets));
    std::thread([] { lazy_fill->run(); }).detach();
}

void wait_for_lazy_fill() {
    if (lazy_fill)
        lazy_fill->wait();
}

} // namespace bsc::checkpoint
