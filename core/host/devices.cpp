// SPDX-License-Identifier: MIT
// stream_control's BSC_CONTROL_DEVICE_REQUEST: a request of BSC_DEVICE_REQUESTS to a
// device stream's driver (loop devices, /dev/loop-control, block devices), or of
// BSC_FILE_REQUESTS to a file's or directory's file system. The argument
// is copied from and to guest memory here; the driver sees only the host's own copy, and
// a stream's descriptor where the request names a stream.
#include <linux/blkzoned.h>
#include <linux/cdrom.h>
#include <linux/fd.h>
#include <linux/fs.h>
#include <linux/hdreg.h>
#include <linux/if_tun.h>
#include <linux/loop.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>

#include <cstring>

#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "objects.h"
#include "streams.h"

using namespace bsc;
using namespace bsc::host;

#ifndef NS_GET_MNTNS_ID // Linux 6.10's, newer than some hosts' headers
#define NS_GET_MNTNS_ID _IOR(NSIO, 0x5, __u64)
#endif

namespace {

// The ABI's numbers and sizes are Linux's on x86-64: checked against the host's headers.
#define BSC_CHECK_REQUEST(name, number, kind, size) \
    static_assert((number) == static_cast<uint32_t>(name), #name);
BSC_DEVICE_REQUESTS(BSC_CHECK_REQUEST)
BSC_FILE_REQUESTS(BSC_CHECK_REQUEST)
#undef BSC_CHECK_REQUEST
static_assert(sizeof(loop_info) == 168 && sizeof(loop_info64) == 232 &&
              sizeof(loop_config) == 304 && sizeof(hd_geometry) == 16 &&
              sizeof(floppy_fdc_state) == 40 && sizeof(fsxattr) == 28 &&
              sizeof(file_clone_range) == 32);

// Whether the request's driver is this stream's: a device's for BSC_DEVICE_REQUESTS, a
// regular file's or directory's file system for BSC_FILE_REQUESTS (where another
// object's driver might read the same number otherwise).
bool takes_request(const Object &stream, const bsc_device_shape &shape) {
    if (shape.files == 2)
        return stream.type == BSC_TYPE_USERFAULT;
    if (shape.files)
        return stream.type == BSC_TYPE_FILE || stream.type == BSC_TYPE_DIRECTORY;
    return stream.type == BSC_TYPE_CHAR_DEVICE || stream.type == BSC_TYPE_BLOCK_DEVICE;
}

using RequestShape = bsc_device_shape;

// An address no driver can read or write (beyond the user half): the driver's own
// access to it fails with EFAULT where it would have failed on the guest's.
void *const kFaultingAddress = reinterpret_cast<void *>(~uintptr_t{0} & ~uintptr_t{0xfff});

// The descriptor the request names: the stream's, or -1 (the driver's EBADF) for none.
bsc_status named_descriptor(const bsc_device_request &header, int &fd) {
    fd = -1;
    if (header.argument == BSC_DEVICE_ARGUMENT_BAD_HANDLE)
        return BSC_OK;
    if (header.argument != BSC_DEVICE_ARGUMENT_GIVEN)
        return BSC_E_INVALID;
    auto stream = find_stream(header.handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    fd = stream->fd;
    return BSC_OK;
}

// The ioctl argument for the request, pointing into `bytes` (the argument's host copy)
// for the kinds that have one.
bsc_status ioctl_argument(const bsc_device_request &header, const RequestShape &shape,
                          unsigned char *bytes, unsigned long &argument) {
    argument = 0;
    int fd = -1;
    switch (shape.kind) {
    case BSC_DEVICE_NONE: return BSC_OK;
    case BSC_DEVICE_VALUE: argument = header.value; return BSC_OK;
    case BSC_DEVICE_HANDLE:
        if (bsc_status s = named_descriptor(header, fd))
            return s;
        argument = static_cast<unsigned int>(fd);
        return BSC_OK;
    default: break;
    }
    if (header.argument == BSC_DEVICE_ARGUMENT_NULL)
        return BSC_OK;
    if (header.argument == BSC_DEVICE_ARGUMENT_FAULT) {
        argument = reinterpret_cast<unsigned long>(kFaultingAddress);
        return BSC_OK;
    }
    if (shape.kind == BSC_DEVICE_IN_HANDLE) {
        if (bsc_status s = named_descriptor(header, fd))
            return s;
        uint32_t host_fd = static_cast<uint32_t>(fd);
        std::memcpy(bytes, &host_fd, sizeof host_fd);
    } else if (header.argument != BSC_DEVICE_ARGUMENT_GIVEN) {
        return BSC_E_INVALID;
    }
    argument = reinterpret_cast<unsigned long>(bytes);
    return BSC_OK;
}

} // namespace

bsc_status bsc::host::device_request(Object &stream, void *data, uint64_t size) {
    auto *header_at = static_cast<bsc_device_request *>(data);
    bsc_device_request header;
    if (size < sizeof header)
        return BSC_E_INVALID;
    if (read_guest(header_at, header) != BSC_OK)
        return BSC_E_FAULT;
    RequestShape shape;
    if (!bsc_device_shape_of(header.request, &shape) || header.reserved != 0 ||
        size != sizeof header + shape.size)
        return BSC_E_INVALID;
    if (!takes_request(stream, shape))
        return BSC_E_NOT_TTY; // Linux: ENOTTY, no driver of this object takes it
    unsigned char bytes[512] = {};
    static_assert(sizeof(loop_config) <= sizeof bytes);
    auto *argument_at = reinterpret_cast<unsigned char *>(header_at + 1);
    bool reads = shape.kind == BSC_DEVICE_IN || shape.kind == BSC_DEVICE_IN_HANDLE ||
                 shape.kind == BSC_DEVICE_IN_OUT;
    bool writes = shape.kind == BSC_DEVICE_OUT || shape.kind == BSC_DEVICE_IN_OUT;
    if (reads && header.argument == BSC_DEVICE_ARGUMENT_GIVEN &&
        copy_from_guest(bytes, argument_at, shape.size) != BSC_OK)
        return BSC_E_FAULT;
    unsigned long argument;
    if (bsc_status s = ioctl_argument(header, shape, bytes, argument))
        return s;
    long result = ::ioctl(stream.fd, header.request, argument);
    int error = errno;
    // IN_OUT's bytes go back whatever the result (a failed UFFDIO_API cleared them).
    bool write_back = writes && (result >= 0 || shape.kind == BSC_DEVICE_IN_OUT);
    if (write_back && header.argument == BSC_DEVICE_ARGUMENT_GIVEN &&
        copy_to_guest(argument_at, bytes, shape.size) != BSC_OK)
        return BSC_E_FAULT;
    if (result < 0)
        return device_status_from_errno(error);
    return write_guest(&header_at->result, static_cast<int64_t>(result));
}
