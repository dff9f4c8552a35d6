// SPDX-License-Identifier: MIT
// ABI stream attributes as Linux's struct stat and struct statx.
#pragma once

#include <asm/stat.h>
#include <linux/stat.h>

#include "kernel.h"

namespace libos {

// The major and minor numbers of a device number in stat's encoding (glibc's
// gnu_dev_major / gnu_dev_minor).
uint32_t device_major(uint64_t dev);
uint32_t device_minor(uint64_t dev);
// The S_IF* file type bits for a BSC_TYPE_*.
uint32_t file_type_bits(uint32_t type);
struct stat to_stat(const bsc_stream_attributes &attributes);
// statx's answer: the attributes, and the further fields the file system gave (`details`).
struct statx to_statx(const bsc_stream_attributes &attributes, const bsc_stream_details &details);
// The DT_* value for a BSC_TYPE_* (getdents64).
uint8_t dirent_type(uint32_t type);

} // namespace libos
