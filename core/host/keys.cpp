// SPDX-License-Identifier: MIT
// The kernel's keys: key_add, key_request and key_control. Keys and keyrings are the host
// kernel's, machine-wide, named by the kernel's serial numbers; each call is Linux's own
// (add_key, request_key, keyctl) made raw by the calling thread, so that the kernel finds
// the thread's, process's and session's keyrings, checks permissions with the thread's ids
// (thread_identity_set), charges the user's quota and answers in its own order. The guest's
// strings and payloads arrive as copies the LibOS made; an input it could not read is handed
// to the kernel as an address it faults on, so that EFAULT comes where Linux's does.
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"

using namespace bsc;
using namespace bsc::host;

static_assert(BSC_KEY_GET_KEYRING_ID == KEYCTL_GET_KEYRING_ID &&
              BSC_KEY_JOIN_SESSION_KEYRING == KEYCTL_JOIN_SESSION_KEYRING &&
              BSC_KEY_UPDATE == KEYCTL_UPDATE && BSC_KEY_REVOKE == KEYCTL_REVOKE &&
              BSC_KEY_CHOWN == KEYCTL_CHOWN && BSC_KEY_SET_PERMISSIONS == KEYCTL_SETPERM &&
              BSC_KEY_DESCRIBE == KEYCTL_DESCRIBE && BSC_KEY_CLEAR == KEYCTL_CLEAR &&
              BSC_KEY_LINK == KEYCTL_LINK && BSC_KEY_UNLINK == KEYCTL_UNLINK &&
              BSC_KEY_SEARCH == KEYCTL_SEARCH && BSC_KEY_READ == KEYCTL_READ &&
              BSC_KEY_INSTANTIATE == KEYCTL_INSTANTIATE && BSC_KEY_NEGATE == KEYCTL_NEGATE &&
              BSC_KEY_SET_REQUEST_KEYRING == KEYCTL_SET_REQKEY_KEYRING &&
              BSC_KEY_SET_TIMEOUT == KEYCTL_SET_TIMEOUT &&
              BSC_KEY_ASSUME_AUTHORITY == KEYCTL_ASSUME_AUTHORITY &&
              BSC_KEY_GET_SECURITY == KEYCTL_GET_SECURITY &&
              BSC_KEY_SESSION_TO_PARENT == KEYCTL_SESSION_TO_PARENT &&
              BSC_KEY_REJECT == KEYCTL_REJECT && BSC_KEY_INVALIDATE == KEYCTL_INVALIDATE &&
              BSC_KEY_GET_PERSISTENT == KEYCTL_GET_PERSISTENT &&
              BSC_KEY_RESTRICT_KEYRING == KEYCTL_RESTRICT_KEYRING &&
              BSC_KEY_MOVE == KEYCTL_MOVE && BSC_KEY_CAPABILITIES == KEYCTL_CAPABILITIES);

namespace {

// A user address in the first page, which nothing maps (mmap_min_addr): the kernel takes it
// as a user pointer and faults when it reads through it.
void *const kFaultingAddress = reinterpret_cast<void *>(uintptr_t{16});
// The longest string the kernel takes (a description, 4095 bytes and the NUL) and one more
// byte, so that a string the LibOS cut at the limit still reaches the kernel's own check.
constexpr size_t kStringCapacity = 4096 + 2;

bsc_status key_status(long result) {
    if (result >= 0)
        return BSC_OK;
    switch (errno) {
    case ENOKEY: return BSC_E_NO_KEY;
    case EKEYEXPIRED: return BSC_E_KEY_EXPIRED;
    case EKEYREVOKED: return BSC_E_KEY_REVOKED;
    case EKEYREJECTED: return BSC_E_KEY_REJECTED;
    case EDQUOT: return BSC_E_QUOTA;
    case ENODEV: return BSC_E_NO_DEVICE; // no key type of that name
    case E2BIG: return BSC_E_TOO_LONG;
    default: return status_from_errno(errno);
    }
}

// A guest string, or null for none.
bsc_status optional_string(const char *guest, std::string &copy, const char *&pointer) {
    pointer = nullptr;
    if (!guest)
        return BSC_OK;
    if (bsc_status status = read_guest_string(guest, copy, kStringCapacity))
        return status;
    pointer = copy.c_str();
    return BSC_OK;
}

// Guest bytes the kernel reads or writes itself: only memory of the guest's, so that no
// caller makes the kernel read the runtime's.
void *guest_bytes(const void *guest, uint64_t size) {
    if (!guest || !size)
        return const_cast<void *>(guest);
    return guest_owns(reinterpret_cast<uint64_t>(guest), size) ? const_cast<void *>(guest)
                                                              : kFaultingAddress;
}

// What each of keyctl's arguments arg2 ... arg5 is for an operation (abi/README.md, "Kernel
// keys"): a number passed as it is, the next string or payload of `input`, the output, or
// the length of the payload or output before it.
enum Part : char { kNumber = 'n', kString = 's', kPayload = 'p', kOutput = 'o', kLength = 'l' };

const char *parts_of(uint32_t operation) {
    switch (operation) {
    case BSC_KEY_JOIN_SESSION_KEYRING: return "snnn";
    case BSC_KEY_UPDATE:
    case BSC_KEY_INSTANTIATE: return "npln";
    case BSC_KEY_DESCRIBE:
    case BSC_KEY_READ:
    case BSC_KEY_GET_SECURITY: return "noln";
    case BSC_KEY_SEARCH: return "nssn";
    case BSC_KEY_RESTRICT_KEYRING: return "nssn";
    case BSC_KEY_CAPABILITIES: return "olnn";
    case BSC_KEY_GET_KEYRING_ID:
    case BSC_KEY_REVOKE:
    case BSC_KEY_CHOWN:
    case BSC_KEY_SET_PERMISSIONS:
    case BSC_KEY_CLEAR:
    case BSC_KEY_LINK:
    case BSC_KEY_UNLINK:
    case BSC_KEY_NEGATE:
    case BSC_KEY_SET_REQUEST_KEYRING:
    case BSC_KEY_SET_TIMEOUT:
    case BSC_KEY_ASSUME_AUTHORITY:
    case BSC_KEY_SESSION_TO_PARENT:
    case BSC_KEY_REJECT:
    case BSC_KEY_INVALIDATE:
    case BSC_KEY_GET_PERSISTENT:
    case BSC_KEY_MOVE: return "nnnn";
    default: return nullptr;
    }
}

// keyctl's arguments for `control`: strings and the payload point into `input` (a copy of
// the guest's), the output at the guest's buffer. INVALID for an input that does not hold
// the strings the operation takes.
bsc_status arguments_of(const char *parts, const bsc_key_control &control,
                        const std::vector<char> &input, void *output, uint64_t output_size,
                        long (&args)[4]) {
    size_t at = 0;
    uint32_t item = 0; // the input's string or payload being placed
    for (int i = 0; i < 4; i++) {
        long given = control.arguments[i];
        switch (parts[i]) {
        case kNumber: args[i] = given; break;
        case kLength: break; // set with its buffer
        case kOutput:
            args[i] = reinterpret_cast<long>(given ? guest_bytes(output, output_size) : nullptr);
            args[i + 1] = static_cast<long>(given ? output_size : 0);
            break;
        case kString:
        case kPayload: {
            bool unreadable = control.unreadable & (1u << item++);
            if (!given || unreadable) {
                args[i] = reinterpret_cast<long>(given ? kFaultingAddress : nullptr);
                if (parts[i] == kPayload)
                    args[i + 1] = control.arguments[i + 1];
                break;
            }
            args[i] = reinterpret_cast<long>(input.data() + at);
            if (parts[i] == kPayload) {
                args[i + 1] = static_cast<long>(input.size() - at);
                at = input.size();
                break;
            }
            const void *end =
                at < input.size() ? std::memchr(input.data() + at, 0, input.size() - at) : nullptr;
            if (!end)
                return BSC_E_INVALID;
            at = static_cast<const char *>(end) - input.data() + 1;
            break;
        }
        }
    }
    return BSC_OK;
}

} // namespace

// add_key: the kernel looks up the keyring (making the thread's, process's or session's
// one if a special id names it), the type, and adds or updates the key.
extern "C" bsc_status host_key_add(const char *type, const char *description, const void *payload,
                                   uint64_t size, int32_t keyring, int32_t *serial) {
    std::string type_copy, description_copy;
    const char *type_text, *description_text;
    if (bsc_status s = optional_string(type, type_copy, type_text))
        return s;
    if (bsc_status s = optional_string(description, description_copy, description_text))
        return s;
    if (bsc_status s = probe_out(serial))
        return s;
    long made = ::syscall(SYS_add_key, type_text, description_text, guest_bytes(payload, size),
                          size, keyring);
    if (made < 0)
        return key_status(made);
    return write_guest(serial, static_cast<int32_t>(made));
}

// request_key: the kernel searches the thread's keyrings and, with a callout, has its
// request-key helper make the key, waiting for it (an interrupt ends the wait: INTERRUPTED).
extern "C" bsc_status host_key_request(const char *type, const char *description,
                                       const char *callout, int32_t keyring, int32_t *serial) {
    std::string type_copy, description_copy, callout_copy;
    const char *type_text, *description_text, *callout_text;
    if (bsc_status s = optional_string(type, type_copy, type_text))
        return s;
    if (bsc_status s = optional_string(description, description_copy, description_text))
        return s;
    if (bsc_status s = optional_string(callout, callout_copy, callout_text))
        return s;
    if (bsc_status s = probe_out(serial))
        return s;
    long found = blocking_syscall(SYS_request_key, reinterpret_cast<long>(type_text),
                                  reinterpret_cast<long>(description_text),
                                  reinterpret_cast<long>(callout_text), keyring, 0);
    if (found < 0)
        return errno == EINTR ? BSC_E_INTERRUPTED : key_status(found);
    return write_guest(serial, static_cast<int32_t>(found));
}

// keyctl: `control` carries the numbers, `input` the strings and the payload, `output` what
// the kernel writes (as much as the kernel writes for the operation, no more than its size).
extern "C" bsc_status host_key_control(uint32_t operation, bsc_key_control *control,
                                       const void *input, uint64_t input_size, void *output,
                                       uint64_t output_size) {
    bsc_key_control in{};
    if (read_guest(control, in) != BSC_OK)
        return BSC_E_FAULT;
    const char *parts = parts_of(operation);
    if (!parts)
        return BSC_E_NOT_SUPPORTED;
    if (in.reserved != 0 || input_size > (uint64_t{1} << 20))
        return BSC_E_INVALID;
    std::vector<char> bytes(input_size);
    if (input_size && copy_from_guest(bytes.data(), input, input_size) != BSC_OK)
        return BSC_E_FAULT;
    long args[4] = {};
    if (bsc_status s = arguments_of(parts, in, bytes, output, output_size, args))
        return s;
    if (bsc_status s = probe_out(&control->result))
        return s;
    long result = ::syscall(SYS_keyctl, operation, args[0], args[1], args[2], args[3]);
    if (result < 0)
        return key_status(result);
    return write_guest(&control->result, int64_t{result});
}
