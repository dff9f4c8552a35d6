// SPDX-License-Identifier: MIT
// Fault-free access to guest memory. The kernel does the copy (process_vm_readv/writev on
// our own process), so an unmapped or protected guest address is reported as EFAULT,
// unless the host installed a guarded copy of its own (set_guest_copy).
#include "guest_memory.h"

#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace bsc {
namespace {

// This process's id, which the copies name: kept for speed, and renewed in a child that
// process_fork made (a copy that still named the parent would write into its memory).
pid_t self;

pid_t own_pid() {
    static bool once = [] {
        self = ::getpid();
        ::pthread_atfork(nullptr, nullptr, [] { self = ::getpid(); });
        return true;
    }();
    (void)once;
    return self;
}

GuestCopy installed_copy = nullptr;

bsc_status copy(void *dst, const void *src, size_t size, bool to_guest) {
    if (size == 0)
        return BSC_OK;
    if (dst == nullptr || src == nullptr)
        return BSC_E_FAULT;
    if (installed_copy)
        return installed_copy(dst, src, size) == 0 ? BSC_OK : BSC_E_FAULT;
    iovec local{to_guest ? const_cast<void *>(src) : dst, size};
    iovec remote{to_guest ? dst : const_cast<void *>(src), size};
    pid_t pid = own_pid();
    ssize_t done = to_guest ? ::process_vm_writev(pid, &local, 1, &remote, 1, 0)
                            : ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
    return done == static_cast<ssize_t>(size) ? BSC_OK : BSC_E_FAULT;
}

} // namespace

void set_guest_copy(GuestCopy copy) { installed_copy = copy; }

GuestCopy installed_guest_copy() { return installed_copy; }

void adopt_guest_copy(const bsc_extension_context *context) {
    if (context->size >= offsetof(bsc_extension_context, guest_copy) + sizeof context->guest_copy &&
        context->guest_copy)
        installed_copy = context->guest_copy;
}

bsc_status copy_from_guest(void *host_dst, const void *guest_src, size_t size) {
    return copy(host_dst, guest_src, size, false);
}

bsc_status copy_to_guest(void *guest_dst, const void *host_src, size_t size) {
    return copy(guest_dst, host_src, size, true);
}

bsc_status read_guest_string(const char *guest, std::string &out, size_t max_length) {
    // Copy in page-bounded pieces, so a string ending just before an unmapped page is read.
    out.clear();
    char chunk[256];
    while (out.size() < max_length) {
        auto addr = reinterpret_cast<uintptr_t>(guest) + out.size();
        size_t to_page_end = 4096 - (addr & 4095);
        size_t n = std::min({sizeof chunk, to_page_end, max_length - out.size()});
        if (bsc_status s = copy_from_guest(chunk, reinterpret_cast<const void *>(addr), n))
            return s;
        if (auto *nul = static_cast<char *>(std::memchr(chunk, 0, n))) {
            out.append(chunk, nul);
            return BSC_OK;
        }
        out.append(chunk, n);
    }
    return BSC_E_NAME_TOO_LONG;
}

} // namespace bsc
