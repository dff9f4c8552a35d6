// SPDX-License-Identifier: MIT
// Device drivers' and file systems' ioctl requests through the ABI: the argument of each
// request is what BSC_DEVICE_REQUESTS or BSC_FILE_REQUESTS says (none, a value, a
// descriptor, a structure in or out of a fixed size), so the program's memory is copied
// here with the user-copy helpers and its descriptors become the streams they stand for;
// nothing of the program's reaches the host raw. The driver or file system itself (the
// host's) checks the rest, in its order.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>

#include "device_requests.h"
#include "kernel.h"
#include "libos_files.h"
#include "user_memory.h"

namespace libos {
namespace {

using Shape = bsc_device_shape;

// The largest argument of BSC_DEVICE_REQUESTS (struct loop_config).
constexpr uint32_t kLargestArgument = 304;

struct Request {
    bsc_device_request header;
    unsigned char bytes[kLargestArgument];
};
static_assert(sizeof(bsc_device_request) == 32);

// The stream behind the program's descriptor `fd`, for a request that names one. A
// descriptor naming nothing goes down as such, so that the driver says EBADF where Linux's
// would; a file the LibOS serves itself has no stream to give the driver.
int64_t name_stream(uint32_t fd, const Shape &shape, bsc_device_request &header) {
    FileRef named(static_cast<int>(fd));
    if (!named || (named->flags & O_PATH)) { // fget refuses O_PATH descriptors too
        header.argument = BSC_DEVICE_ARGUMENT_BAD_HANDLE;
        return 0;
    }
    if (is_libos_file(*named.get())) {
        if (shape.files) // FICLONE*: a file of another file system than every host file's
            return -EXDEV;
        report_unsupported("ioctl", "a loop device backed by a file the LibOS serves");
        return -EINVAL; // what the loop driver says of a file it cannot read through
    }
    header.handle = named->handle;
    return 0;
}

// Fills the request's argument from the program's: its value, its stream, or its bytes
// (a null or unreadable address goes down as such, for the driver to refuse in its order).
int64_t take_argument(const Shape &shape, uint64_t address, Request &request) {
    bsc_device_request &header = request.header;
    switch (shape.kind) {
    case BSC_DEVICE_NONE: return 0;
    case BSC_DEVICE_VALUE: header.value = address; return 0;
    case BSC_DEVICE_HANDLE: return name_stream(static_cast<uint32_t>(address), shape, header);
    default: break;
    }
    if (address == 0) {
        header.argument = BSC_DEVICE_ARGUMENT_NULL;
        return 0;
    }
    if (shape.kind == BSC_DEVICE_OUT)
        return 0; // written back after the request: a fault then is EFAULT, as Linux's
    if (!copy_from_user(request.bytes, address, shape.size)) {
        header.argument = BSC_DEVICE_ARGUMENT_FAULT;
        return 0;
    }
    if (shape.kind != BSC_DEVICE_IN_HANDLE)
        return 0;
    uint32_t fd;
    memcpy(&fd, request.bytes, sizeof fd); // loop_config.fd, file_clone_range.src_fd first
    return name_stream(fd, shape, header);
}

// An IN_OUT argument the driver changed goes back, whatever its status (a failed
// UFFDIO_API clears its structure); one it left as it was is not written, as the kernel
// writes only what it answers.
int64_t write_back_in_out(const Shape &shape, uint64_t address, const Request &r,
                          const unsigned char *before) {
    if (shape.kind != BSC_DEVICE_IN_OUT || r.header.argument != BSC_DEVICE_ARGUMENT_GIVEN ||
        memcmp(before, r.bytes, shape.size) == 0)
        return 0;
    return copy_to_user(address, r.bytes, shape.size) ? 0 : -EFAULT;
}

} // namespace

bool is_device_request(uint64_t request) {
    Shape shape;
    return bsc_device_shape_of(request, &shape) && !shape.files;
}

bool is_file_request(uint64_t request) {
    Shape shape;
    return bsc_device_shape_of(request, &shape) && shape.files;
}

int64_t device_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    return stream_ioctl(file.handle, request, address);
}

int64_t stream_ioctl(bsc_handle handle, uint64_t request, uint64_t address) {
    Shape shape;
    if (!bsc_device_shape_of(request, &shape))
        return -ENOTTY;
    Request r{};
    r.header.request = static_cast<uint32_t>(request);
    if (int64_t error = take_argument(shape, address, r))
        return error;
    unsigned char before[kLargestArgument];
    memcpy(before, r.bytes, shape.size);
    bsc_status status = abi().stream_control(handle, BSC_CONTROL_DEVICE_REQUEST, &r,
                                             sizeof r.header + shape.size);
    if (int64_t error = write_back_in_out(shape, address, r, before))
        return error;
    if (status != BSC_OK)
        return result_of(status);
    if (shape.kind == BSC_DEVICE_OUT && r.header.argument == BSC_DEVICE_ARGUMENT_GIVEN &&
        !copy_to_user(address, r.bytes, shape.size))
        return -EFAULT;
    return r.header.result;
}

} // namespace libos
