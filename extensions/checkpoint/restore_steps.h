// SPDX-License-Identifier: MIT
// The steps of a restore (restore.cpp) that a tree's restore (tree_restore.cpp) takes in
// its own order: the shared memory and the open descriptions before the first process
// forks the others, each process's own memory and objects after.
#pragma once

#include <span>
#include <vector>

#include "image_chain.h"
#include "kind_hooks.h"
#include "operations.h"

namespace bsc::checkpoint {

// An image's regions: all, the anonymous shared ones (RegionRecord::share_id), the others.
enum class RegionSet { all, shared, unshared };

// Places the regions of a set at their old addresses; returns those whose pages the
// image holds, to fill. Shared memory is filled by copying (the host fills only private
// memory), the rest by the host (vm_fill, lazily or not).
std::vector<snapshot::ImageChain::RegionTarget> place_regions(const snapshot::ImageChain &image,
                                                              RegionSet which);
// Fills placed regions, all at once, and ends their filling.
void fill_regions(const snapshot::ImageChain &image,
                  std::span<const snapshot::ImageChain::RegionTarget> targets,
                  const Progress &progress);
// Gives a set of regions their protection, once filled.
void protect_regions(const snapshot::ImageMetadata &meta, RegionSet which);
// Frees shared memory placed for other processes of a tree (not in the region map).
void free_shared_region(const snapshot::RegionRecord &r);
// Records every region of the image in the region map.
void track_regions(const snapshot::ImageChain &image);

// Makes every open description the processes' handles stand for, once each: files
// reopened, stdio, pipes as fresh pairs refilled. Throws RestoreFailure.
Descriptions make_descriptions(std::span<const snapshot::ImageMetadata *const> processes,
                               const RestoreRequest &request);
// Every object of the image (handles, events, sockets, processes, threads) under its
// number. Throws RestoreFailure.
void restore_objects(const snapshot::ImageMetadata &meta, const RestoreRequest &request);

} // namespace bsc::checkpoint
