// SPDX-License-Identifier: MIT
// The device drivers' own requests of ioctl on host device streams (loop devices,
// /dev/loop-control, block devices) and the file systems' on host files and directories,
// served by the ABI's device requests (stream_control's BSC_CONTROL_DEVICE_REQUEST).
#pragma once

#include "fd_table.h"

namespace libos {

// Whether `request` is one the ABI carries to a device's driver (BSC_DEVICE_REQUESTS).
bool is_device_request(uint64_t request);

// Whether `request` is one the ABI carries to a file's file system (BSC_FILE_REQUESTS).
bool is_file_request(uint64_t request);

// ioctl `request` (one the ABI carries) on a host device stream, or a host file or
// directory for a file request: the driver's result (0, or a number such as
// LOOP_CTL_GET_FREE's) or -errno.
int64_t device_ioctl(OpenFile &file, uint64_t request, uint64_t address);

// The same on the host stream `handle` (a userfault stream's requests, whose open file is
// the LibOS's own kind).
int64_t stream_ioctl(bsc_handle handle, uint64_t request, uint64_t address);

// sys/userfaultfd.cpp: /dev/userfaultfd's USERFAULTFD_IOC_NEW on the host device stream
// `device`: a new userfaultfd with `flags`, or -errno.
int64_t userfaultfd_device_ioctl(OpenFile &device, uint64_t flags);

} // namespace libos
