// SPDX-License-Identifier: MIT
// userfaultfd, and /dev/userfaultfd's USERFAULTFD_IOC_NEW. The guest's memory is the
// process's, so a userfaultfd of the host's kernel (a userfault stream, ABI 1.25) serves
// it: the kernel registers the ranges, holds a faulting thread until a handler resolves
// the fault, and checks the privilege (vm.unprivileged_userfaultfd, UFFD_USER_MODE_ONLY),
// each request and its errors in its order. The open file is of the LibOS's own kind so
// that its reads give the guest's thread ids and descriptors, and its requests go down as
// device requests of the ABI's table (copied with the user-copy helpers).
//
// Faults the LibOS takes itself on guest memory (a read()'s records copied to a page
// registered and missing, a signal frame, exec's strings) are faults from user mode: the
// thread waits for the handler as the program's own access would. No LibOS lock is held
// across such a copy here; the handler's read takes the thread list's lock only to name
// a thread, and nothing holds that lock while it touches guest memory. Linux's kernel
// copies fail with EFAULT there under UFFD_USER_MODE_ONLY; the LibOS's wait instead
// (SYSCALLS.md, userfaultfd).
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm/poll.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>

#include "device_requests.h"
#include "fd_table.h"
#include "file_io.h"
#include "heap.h"
#include "memory_map.h"
#include "signals.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

// A userfaultfd's state, shared with the processes fork makes as its open file is.
struct Userfault {
    bsc_handle handle;
    uint32_t flags; // userfaultfd's O_NONBLOCK and O_CLOEXEC, which its FORK copies get
};

Userfault &userfault_of(OpenFile &file) { return *static_cast<Userfault *>(file.state); }

int64_t install_userfault(bsc_handle handle, uint32_t flags);

// The guest's tid of the thread a record names by handle (0 for one the guest has not).
uint32_t tid_of_thread_handle(bsc_handle handle) {
    uint32_t tid = 0;
    for_each_thread([&](Thread &t) {
        if (t.handle != handle)
            return true;
        tid = t.tid;
        return false;
    });
    return tid;
}

// The records the host read, as the guest sees them: a faulting thread's handle becomes
// its tid, a FORK event's stream a descriptor of the guest with the flags userfaultfd
// was given, as the kernel's resolve_userfault_fork installs it.
// Returns the records' bytes, or the first descriptor's error.
int64_t rewrite_messages(OpenFile &file, uffd_msg *messages, uint64_t bytes) {
    uint64_t count = bytes / sizeof(uffd_msg);
    for (uint64_t i = 0; i < count; i++) {
        uffd_msg &m = messages[i];
        if (m.event == UFFD_EVENT_PAGEFAULT && m.arg.pagefault.feat.ptid) {
            m.arg.pagefault.feat.ptid = tid_of_thread_handle(m.arg.pagefault.feat.ptid);
        } else if (m.event == UFFD_EVENT_FORK) {
            int64_t fd = install_userfault(m.arg.fork.ufd, userfault_of(file).flags);
            if (fd < 0)
                return i ? static_cast<int64_t>(i * sizeof(uffd_msg)) : fd;
            m.arg.fork.ufd = static_cast<uint32_t>(fd);
        }
    }
    return static_cast<int64_t>(bytes);
}

// The descriptors of FORK events the program could not be given (a bad buffer) close.
void close_fork_descriptors(const uffd_msg *messages, uint64_t bytes) {
    for (uint64_t i = 0; i < bytes / sizeof(uffd_msg); i++)
        if (messages[i].event == UFFD_EVENT_FORK)
            fd_close(static_cast<int>(messages[i].arg.fork.ufd));
}

// userfaultfd_read_iter: whole records (EINVAL before UFFDIO_API and for a buffer under
// one, the kernel's); waits for the first unless O_NONBLOCK, restartably. The records
// are read onto the stack, not the heap: an UNMAP, REMAP or REMOVE event holds the thread
// that unmaps until it is read, and that thread may hold the memory map's lock, which a
// heap that grows would need.
int64_t read_messages(OpenFile &file, uint64_t buffer, uint64_t size) {
    Userfault &u = userfault_of(file);
    uffd_msg messages[64];
    uint64_t room = size < sizeof messages ? size : sizeof messages;
    int64_t result = read_host_records(u.handle, file.flags, messages, room);
    if (result >= 0)
        result = rewrite_messages(file, messages, static_cast<uint64_t>(result));
    // No lock is held here: a buffer registered and missing waits for its handler.
    if (result > 0 && !copy_to_user(buffer, messages, static_cast<uint64_t>(result))) {
        close_fork_descriptors(messages, static_cast<uint64_t>(result));
        result = -EFAULT; // the records are gone, as the kernel loses one it cannot copy
    }
    return result;
}

int64_t userfault_transfer(OpenFile &file, uint64_t buffer, uint64_t size, bool write) {
    return write ? -EBADF : read_messages(file, buffer, size); // opened for reading only
}

// userfaultfd_poll: readable while a fault or an event waits to be read.
uint32_t userfault_wait_items(OpenFile &file, int16_t events, bsc_wait_item *items,
                              int16_t *bits) {
    if (!(events & (POLLIN | POLLRDNORM)))
        return 0;
    items[0] = {userfault_of(file).handle, BSC_WAIT_READ, 0};
    bits[0] = static_cast<int16_t>(events & (POLLIN | POLLRDNORM));
    return 1;
}

// The features not served, absent as from a kernel built without them. EVENT_FORK: the
// host's kernel would hold the forking thread, which holds the LibOS's and the host's
// fork locks, until the event is read, and the reader needs those locks to take it (a
// deadlock). EVENT_REMAP: the ABI has no call that moves memory, so mremap copies the
// pages to a new mapping (sys/memory.cpp) and the kernel never sees a move to report.
// The kernel is asked with a feature bit it does not know in their place (its EINVAL,
// the structure cleared, in its order), and the features it answers lose them.
constexpr uint64_t kUnservedFeatures = UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP;
constexpr uint64_t kUnknownFeature = uint64_t{1} << 63;

int64_t api_request(Userfault &u, uint64_t address) {
    struct {
        bsc_device_request header;
        uffdio_api api;
    } r{};
    r.header.request = static_cast<uint32_t>(UFFDIO_API);
    uffdio_api given;
    if (!copy_from_user(&given, address, sizeof given))
        return stream_ioctl(u.handle, UFFDIO_API, address); // the kernel's EFAULT, in order
    r.api = given;
    if (given.features & kUnservedFeatures) {
        report_unsupported("ioctl", "UFFDIO_API's UFFD_FEATURE_EVENT_FORK and _EVENT_REMAP");
        r.api.features = (given.features & ~kUnservedFeatures) | kUnknownFeature;
    }
    uffdio_api sent = r.api;
    bsc_status status = abi().stream_control(u.handle, BSC_CONTROL_DEVICE_REQUEST, &r, sizeof r);
    // The kernel writes the structure when it answers (its features, or zeros on EINVAL).
    bool answered = status == BSC_OK || memcmp(&r.api, &sent, sizeof sent) != 0;
    r.api.features &= ~kUnservedFeatures;
    if (answered && !copy_to_user(address, &r.api, sizeof r.api))
        return -EFAULT;
    return status == BSC_OK ? 0 : result_of(status);
}

// UFFDIO_REGISTER and UNREGISTER of a range without any of the program's memory: EINVAL,
// the kernel's answer for a range without a mapping. The host's kernel would find the
// runtime's reservation there (the guest window is mapped PROT_NONE where the program has
// nothing) and take it. A range the program maps only in part is the kernel's to check.
bool range_without_memory(uint64_t request, uint64_t address) {
    uffdio_range range;
    if ((request != UFFDIO_REGISTER && request != UFFDIO_UNREGISTER) ||
        !copy_from_user(&range, address, sizeof range)) // the range comes first in both
        return false;
    uint64_t end = range.start + range.len;
    return range.len != 0 && end > range.start && !map_intersects(range.start, end);
}

// userfaultfd_ioctl: the UFFDIO_* requests of the ABI's table go to the host's kernel,
// which answers EINVAL before UFFDIO_API; any other request is EINVAL, its default.
int64_t userfault_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    bsc_device_shape shape;
    if (!bsc_device_shape_of(request, &shape) || shape.files != 2) {
        if (((request >> 8) & 0xff) == 0xAA) // a UFFDIO_* of a newer kernel
            report_unsupported_request("ioctl", "a userfaultfd request", request,
                                       "a userfaultfd");
        return -EINVAL;
    }
    if (request == UFFDIO_API)
        return api_request(userfault_of(file), address);
    if (range_without_memory(request, address))
        return -EINVAL;
    return stream_ioctl(userfault_of(file).handle, request, address);
}

void userfault_release(OpenFile &file) {
    abi().object_close(userfault_of(file).handle);
    destroy_shared(&userfault_of(file));
}

// userfaultfd_fops: .read_iter (io_submit may read one), no write; opened O_RDONLY, as
// Linux 6.x opens it (a write is EBADF before any ->write).
const FileKind kUserfault = {userfault_transfer,   userfault_wait_items,
                             anonymous_inode_attributes, userfault_release,
                             nullptr,              kReadIter,
                             "anon_inode:[userfaultfd]", userfault_ioctl,
                             nullptr, // no fdinfo lines yet
                             O_RDONLY};

// A descriptor for the userfault stream `handle`, with O_NONBLOCK and O_CLOEXEC of `flags`.
int64_t install_userfault(bsc_handle handle, uint32_t flags) {
    auto *u = create_shared<Userfault>();
    if (!u) {
        abi().object_close(handle);
        return -ENOMEM;
    }
    u->handle = handle;
    u->flags = flags & (O_NONBLOCK | O_CLOEXEC);
    return install_anonymous(&kUserfault, u, flags & (O_NONBLOCK | O_CLOEXEC));
}

// new_userfaultfd from the system call (device BSC_NO_HANDLE) or the device's request:
// the host's kernel checks the privilege, then the flags (EPERM, then EINVAL).
int64_t new_userfaultfd(bsc_handle device, uint64_t flags) {
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_status status = abi().userfault_open(device, static_cast<uint32_t>(flags),
                                             BSC_OPTION_NONBLOCK, &handle);
    if (status == BSC_E_NOT_SUPPORTED) { // a layer that refuses one (record): no userfaultfd
        report_unsupported("userfaultfd", "a userfaultfd under an extension that refuses it");
        return -ENOSYS;
    }
    if (status != BSC_OK)
        return result_of(status);
    return install_userfault(handle, static_cast<uint32_t>(flags));
}

} // namespace

bool is_userfault(const OpenFile &file) { return file.kind == &kUserfault; }

int64_t sys_userfaultfd(Syscall &c) { return new_userfaultfd(BSC_NO_HANDLE, c.arg[0]); }

int64_t userfaultfd_device_ioctl(OpenFile &device, uint64_t flags) {
    return new_userfaultfd(device.handle, flags);
}

} // namespace libos
