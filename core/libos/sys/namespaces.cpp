// SPDX-License-Identifier: MIT
// ioctl on a namespace's descriptor (/proc/PID/ns/NAME, nsfs's ns_ioctl): NS_GET_NSTYPE,
// NS_GET_PARENT, NS_GET_USERNS and NS_GET_OWNER_UID, as far as the guest's namespaces
// answer them without the host: the guest is in one namespace of each kind and makes no
// other (procfs.cpp), so a hierarchical namespace's parent and a user namespace's owner
// are always outside its view.
#include <asm-generic/errno.h>

#include "fd_table.h"
#include "procfs.h"
#include "syscalls.h"

namespace libos {
namespace {

constexpr uint64_t kGetUserNamespace = 0xb701; // NS_GET_USERNS, _IO(0xb7, 1)
constexpr uint64_t kGetParent = 0xb702;        // NS_GET_PARENT
constexpr uint64_t kGetType = 0xb703;          // NS_GET_NSTYPE
constexpr uint64_t kGetOwnerUid = 0xb704;      // NS_GET_OWNER_UID (an _IO with a pointer)
constexpr uint32_t kNamespaceIo = 0xb7;        // NSIO, nsfs's _IOC_TYPE
constexpr uint32_t kNewUser = 0x10000000, kNewPid = 0x20000000; // CLONE_NEWUSER, CLONE_NEWPID

// The answer of a request that would open the related namespace (open_related_ns), which
// takes a descriptor first: EMFILE without one.
int64_t refuse_related(int64_t error) {
    for (int fd = 0; fd < fd_limit(); fd++)
        if (!FileRef(fd))
            return error;
    return -EMFILE;
}

} // namespace

int64_t namespace_ioctl(uint32_t type, uint64_t request, [[maybe_unused]] uint64_t address) {
    switch (request) {
    case kGetType: return type;
    case kGetParent:
        // Only pid and user namespaces have a parent; the guest's own are its top ones,
        // whose parent lies outside the caller's scope (pidns_get_parent, ns_get_owner).
        if (type != kNewPid && type != kNewUser)
            return -EINVAL;
        return refuse_related(-EPERM);
    case kGetUserNamespace:
        // A user namespace's owner is its parent, outside the caller's (ns_get_owner);
        // another kind's owner is the host's business: which user namespace made the
        // runtime's, and whether the caller's is it.
        if (type == kNewUser)
            return refuse_related(-EPERM);
        report_unsupported("ioctl", "NS_GET_USERNS of a namespace other than the user one");
        return -ENOTTY;
    case kGetOwnerUid:
        if (type != kNewUser)
            return -EINVAL;
        report_unsupported("ioctl", "NS_GET_OWNER_UID (the host's user namespace's creator)");
        return -ENOTTY;
    default:
        // The newer requests (mount namespace ids, pid translation, namespace ids) need
        // the host's namespaces' state.
        if (((request >> 8) & 0xff) == kNamespaceIo)
            report_unsupported("ioctl", "an nsfs request other than NS_GET_NSTYPE, NS_GET_PARENT");
        return -ENOTTY;
    }
}

} // namespace libos
