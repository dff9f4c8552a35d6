// SPDX-License-Identifier: MIT
// The guest's userfaultfds (userfault_open, ABI 1.25): each is a userfaultfd of the host's
// kernel, which acts on this process's memory, the guest's included. Its requests pass
// through stream_control's device requests (devices.cpp); its reads give Linux's uffd_msg
// records with a faulting thread's host id made the thread's handle and a FORK event's
// new descriptor made a handle. The runtime's own userfaultfd (userfault.cpp, vm_fill) is
// another descriptor: the kernel refuses a range registered with both (EBUSY).
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"
#include "threads.h"

using namespace bsc;
using namespace bsc::host;

namespace {

// The ABI's request numbers are Linux's on x86-64, checked against the host's headers
// where they have them (UFFDIO_MOVE and UFFDIO_POISON are Linux 6.8's and 6.6's).
static_assert(UFFDIO_API == 0xC018AA3Fu && UFFDIO_REGISTER == 0xC020AA00u &&
              UFFDIO_UNREGISTER == 0x8010AA01u && UFFDIO_WAKE == 0x8010AA02u &&
              UFFDIO_COPY == 0xC028AA03u && UFFDIO_ZEROPAGE == 0xC020AA04u &&
              UFFDIO_WRITEPROTECT == 0xC018AA06u && UFFDIO_CONTINUE == 0xC020AA07u);
static_assert(sizeof(uffd_msg) == 32 && sizeof(uffdio_api) == 24 &&
              sizeof(uffdio_copy) == 40 && sizeof(uffdio_register) == 32);

// Whether `fd` is the misc device /dev/userfaultfd (Linux 6.1), told by the name sysfs
// gives its numbers: another driver would read USERFAULTFD_IOC_NEW as a request of its own.
bool is_userfaultfd_device(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
        return false;
    char link[64], target[256];
    std::snprintf(link, sizeof link, "/sys/dev/char/%u:%u", major(st.st_rdev),
                  minor(st.st_rdev));
    ssize_t n = ::readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return false;
    std::string_view name(target, static_cast<size_t>(n));
    return name.ends_with("/misc/userfaultfd");
}

// A new userfaultfd with the guest's flags: from the system call, or from the device's
// USERFAULTFD_IOC_NEW. The kernel checks the privilege and then the flags, in its order;
// the host's descriptor is always non-blocking and close-on-exec (the LibOS waits on it
// with the stream's readiness and keeps the guest's flags itself).
int open_userfaultfd(const Object *device, uint32_t flags) {
    uint32_t host_flags = flags | O_CLOEXEC | O_NONBLOCK;
    if (!device)
        return static_cast<int>(::syscall(SYS_userfaultfd, host_flags));
    return ::ioctl(device->fd, USERFAULTFD_IOC_NEW, host_flags);
}

std::shared_ptr<Object> userfault_object(int fd, uint32_t options) {
    auto object = std::make_shared<Object>(BSC_TYPE_USERFAULT, fd, "userfault:");
    object->access = BSC_ACCESS_READ;
    object->options = options;
    return object;
}

// One record as the guest sees it: the faulting thread's id becomes its handle (0, as
// Linux reports a task outside the reader's namespace, for a thread the guest has no
// handle of), a FORK event's descriptor a new userfault stream's handle.
void rewrite_message(uffd_msg &message) {
    if (message.event == UFFD_EVENT_PAGEFAULT && message.arg.pagefault.feat.ptid) {
        bsc_handle thread = thread_handle_of_tid(
            static_cast<pid_t>(message.arg.pagefault.feat.ptid));
        message.arg.pagefault.feat.ptid = thread == BSC_NO_HANDLE ? 0 : thread;
    } else if (message.event == UFFD_EVENT_FORK) {
        auto child = userfault_object(static_cast<int>(message.arg.fork.ufd), 0);
        bsc_handle handle = BSC_NO_HANDLE;
        if (publish(child, &handle) != BSC_OK)
            handle = BSC_NO_HANDLE; // the object's destructor closes the descriptor
        message.arg.fork.ufd = handle;
    }
}

} // namespace

// The records a read gets, whole (the kernel's EINVAL for a buffer under one record).
bsc_status bsc::host::read_userfault(Object &stream, void *buffer, uint64_t size,
                                     uint64_t &count) {
    std::vector<uffd_msg> messages(std::clamp<uint64_t>(size / sizeof(uffd_msg), 1, 128));
    ssize_t n = ::read(stream.fd, messages.data(),
                       size < sizeof(uffd_msg) ? size : messages.size() * sizeof(uffd_msg));
    if (n < 0)
        return errno_status();
    size_t whole = static_cast<size_t>(n) / sizeof(uffd_msg);
    for (size_t i = 0; i < whole; i++)
        rewrite_message(messages[i]);
    count = static_cast<uint64_t>(n);
    return copy_to_guest(buffer, messages.data(), count);
}

extern "C" bsc_status host_userfault_open(bsc_handle device, uint32_t flags, uint32_t options,
                                          bsc_handle *handle) {
    if (options & ~uint32_t{BSC_OPTION_NONBLOCK})
        return BSC_E_INVALID;
    std::shared_ptr<Object> source;
    if (device != BSC_NO_HANDLE) {
        source = find_stream(device);
        if (!source)
            return BSC_E_BAD_HANDLE;
        if (!is_userfaultfd_device(source->fd))
            return BSC_E_NOT_TTY; // no userfaultfd driver: ENOTTY, as another driver's
    }
    if (bsc_status s = probe_out(handle))
        return s;
    int fd = open_userfaultfd(source.get(), flags);
    if (fd < 0)
        return errno_status();
    return publish(userfault_object(fd, options), handle);
}
