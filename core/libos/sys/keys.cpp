// SPDX-License-Identifier: MIT
// The kernel's keys: add_key, request_key, keyctl. Keys and keyrings are the host kernel's
// (ABI 1.24 key_add, key_request, key_control), machine-wide like the System V objects, and
// the calling thread is a host thread of its own, so the kernel finds its thread, process
// and session keyrings, checks permissions with its ids and charges its user's quota. The
// LibOS copies the program's strings and payloads as the kernel does, with its limits and
// its errors where the kernel reads them first; where the kernel reads them only after it
// has looked a key up, an input the LibOS cannot read goes down marked unreadable, and the
// kernel faults on it in its own order.
#include <asm-generic/errno.h>

#include "heap.h"
#include "iovec.h"
#include "process_state.h"
#include "process_tree.h"
#include "signals.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kTypeSize = 32;               // key_get_type_from_user's buffer
constexpr uint64_t kStringLimit = 4096;          // strndup_user's limit, the NUL included
constexpr uint64_t kMaxPayload = 1024 * 1024 - 1; // add_key and instantiate
constexpr uint64_t kMaxUpdate = 4096;            // KEYCTL_UPDATE: a page
constexpr uint64_t kOutputChunk = 64 * 1024;     // the first buffer for what the kernel writes
constexpr uint64_t kUserTop = 0x7ffffffff000;     // x86-64 TASK_SIZE_MAX (4-level paging)
constexpr int32_t kDhCompute = 23, kPkeyQuery = 24, kPkeyVerify = 28, kWatchKey = 32;
constexpr int32_t kInstantiateIov = 20;

// Whether this process (or the program before its exec) made a key call: only then can its
// host thread or process have a keyring of its own that exec should have dropped.
bool keys_used;

// The LibOS's copy of a program's input, released at the end of the call.
struct Bytes {
    explicit Bytes(uint64_t n) : data(n ? static_cast<char *>(allocate(n)) : nullptr), size(n) {}
    Bytes(const Bytes &) = delete;
    Bytes &operator=(const Bytes &) = delete;
    ~Bytes() {
        if (data)
            release(data, size);
    }
    char *data;
    uint64_t size;
};

// Key calls speak of a full keyring with ENFILE, the one "too many" they have.
int64_t key_result(bsc_status status) {
    return status == BSC_E_TOO_MANY ? -ENFILE : result_of(status);
}

// key_get_type_from_user: the type name in `type` (kTypeSize + 1 bytes); 0, EFAULT, EINVAL
// for an empty name or one of 32 bytes or more (cut there), EPERM for the kernel's own
// types ('.').
int64_t copy_type(uint64_t address, char *type) {
    int64_t n = user_string(type, reinterpret_cast<const char *>(address), kTypeSize);
    if (n == -1)
        return -EFAULT;
    type[kTypeSize] = '\0';
    if (n == -2 || n == 0)
        return -EINVAL;
    return type[0] == '.' ? -EPERM : 0;
}

// strndup_user(address, 4096): the string in `text` (kStringLimit + 1 bytes) and its
// length; EFAULT, or EINVAL when no NUL comes within 4096 bytes (the text cut there).
int64_t copy_string(uint64_t address, char *text) {
    int64_t n = user_string(text, reinterpret_cast<const char *>(address), kStringLimit);
    text[kStringLimit] = '\0';
    return n == -1 ? -EFAULT : n == -2 ? -EINVAL : n;
}

// access_ok: the range lies in user space.
bool user_range(uint64_t address, uint64_t size) {
    return address <= kUserTop && size <= kUserTop - address;
}

// One keyctl operation through key_control: its numbers, and `input` (strings and
// payloads packed as the ABI says); the kernel's result or -errno.
int64_t control(uint32_t operation, bsc_key_control &numbers, const void *input = nullptr,
                uint64_t input_size = 0) {
    numbers.result = 0;
    bsc_status status = abi().key_control(operation, &numbers, input, input_size, nullptr, 0);
    return status == BSC_OK ? numbers.result : key_result(status);
}

int64_t numbers_only(uint32_t operation, const Syscall &call) {
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), static_cast<int64_t>(call.arg[2]),
                             static_cast<int64_t>(call.arg[3]), static_cast<int64_t>(call.arg[4])},
                            0, 0, 0};
    return control(operation, numbers);
}

// How much of what the kernel made the program gets: READ and DESCRIBE copy it only when it
// fits whole, GET_SECURITY as much as fits, CAPABILITIES as much as fits and zeroes the rest
// of the buffer.
uint64_t bytes_given(uint32_t operation, int64_t result, uint64_t size) {
    auto made = static_cast<uint64_t>(result);
    if (operation == BSC_KEY_READ || operation == BSC_KEY_DESCRIBE)
        return made <= size ? made : 0;
    return made < size ? made : size;
}

// The operations that write into the program's buffer (argument `at`, `length` bytes): the
// kernel writes into the LibOS's, at first at most kOutputChunk, again with room for all of
// it if it made more and the program's buffer holds more; then the program's gets its part.
int64_t read_out(uint32_t operation, bsc_key_control &numbers, int at, uint64_t buffer,
                 uint64_t length) {
    bool given = length && (buffer || operation == BSC_KEY_CAPABILITIES);
    numbers.arguments[at] = given;
    uint64_t size = given ? (length < kOutputChunk ? length : kOutputChunk) : 0;
    for (;;) {
        Bytes out(size);
        numbers.result = 0;
        bsc_status status = abi().key_control(operation, &numbers, nullptr, 0, out.data, size);
        if (status != BSC_OK)
            return key_result(status);
        auto made = static_cast<uint64_t>(numbers.result);
        if (given && made > size && size < length) { // the kernel had more to write
            size = made < length ? made : length;
            continue;
        }
        uint64_t n = given ? bytes_given(operation, numbers.result, size) : 0;
        if (n && !copy_to_user(buffer, out.data, n))
            return -EFAULT;
        if (operation == BSC_KEY_CAPABILITIES && given) { // clear_user of the rest
            Bytes zeros(kOutputChunk);
            for (uint64_t done = n; done < length;) {
                uint64_t part = length - done < kOutputChunk ? length - done : kOutputChunk;
                if (!copy_to_user(buffer + done, zeros.data, part))
                    return -EFAULT;
                done += part;
            }
        }
        return numbers.result;
    }
}

// KEYCTL_JOIN_SESSION_KEYRING: the name (none: an anonymous keyring) is read first.
int64_t join_session(uint64_t name) {
    char text[kStringLimit + 1];
    bsc_key_control numbers{{name != 0, 0, 0, 0}, 0, 0, 0};
    if (!name)
        return control(BSC_KEY_JOIN_SESSION_KEYRING, numbers);
    int64_t n = copy_string(name, text);
    if (n < 0)
        return n;
    return control(BSC_KEY_JOIN_SESSION_KEYRING, numbers, text, static_cast<uint64_t>(n) + 1);
}

// KEYCTL_UPDATE: a page at most, read before the key is looked up.
int64_t update(const Syscall &call) {
    uint64_t payload = call.arg[2], size = call.arg[3];
    if (size > kMaxUpdate)
        return -EINVAL;
    Bytes bytes(size);
    if (size && !copy_from_user(bytes.data, payload, size))
        return -EFAULT;
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), 1, static_cast<int64_t>(size), 0},
                            0, 0, 0};
    return control(BSC_KEY_UPDATE, numbers, bytes.data, size);
}

// KEYCTL_SEARCH: the type and description are read before the keyring is looked up.
int64_t search(const Syscall &call) {
    char text[kTypeSize + 1 + kStringLimit + 1];
    if (int64_t error = copy_type(call.arg[2], text))
        return error;
    uint64_t type_size = __builtin_strlen(text) + 1;
    int64_t n = copy_string(call.arg[3], text + type_size);
    if (n < 0)
        return n;
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), 1, 1,
                             static_cast<int64_t>(call.arg[4])},
                            0, 0, 0};
    return control(BSC_KEY_SEARCH, numbers, text, type_size + static_cast<uint64_t>(n) + 1);
}

// keyctl_instantiate_key_common: a payload of `size` bytes, gathered by `gather` into the
// LibOS's buffer (false if the program's memory faults). The kernel refuses a payload over
// 1 MiB first, then checks the caller's authority, then reads it: an unreadable one goes
// down marked so.
template <class Gather>
int64_t instantiate(const Syscall &call, uint64_t size, Gather gather) {
    if (size > kMaxPayload)
        return -EINVAL;
    Bytes bytes(size);
    bool readable = !size || gather(bytes.data);
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), size != 0,
                             static_cast<int64_t>(size), static_cast<int64_t>(call.arg[4])},
                            readable ? 0u : 1u, 0, 0};
    return control(BSC_KEY_INSTANTIATE, numbers, readable ? bytes.data : nullptr,
                   readable ? size : 0);
}

// KEYCTL_INSTANTIATE: import_ubuf checks the range (EFAULT), cutting it at MAX_RW_COUNT.
int64_t instantiate_buffer(const Syscall &call) {
    uint64_t payload = call.arg[2], size = call.arg[3];
    if (!payload || !size)
        return instantiate(call, 0, [](char *) { return true; });
    size = size < kMaxTransfer ? size : kMaxTransfer;
    if (!user_range(payload, size))
        return -EFAULT;
    return instantiate(call, size, [&](char *to) { return copy_from_user(to, payload, size); });
}

// KEYCTL_INSTANTIATE_IOV: import_iovec's errors first, the segments gathered into one
// payload (the kernel copies from the iovec as it would from one buffer).
int64_t instantiate_vector(const Syscall &call) {
    uint64_t array = call.arg[2];
    uint64_t entries = array ? static_cast<uint32_t>(call.arg[3]) : 0;
    IoVector v;
    if (int64_t error = v.import(array, entries))
        return error;
    for (uint64_t i = 0; i < v.count; i++)
        if (!user_range(v.segments[i].base, v.segments[i].length))
            return -EFAULT;
    return instantiate(call, v.total, [&](char *to) {
        return copy_segments(v, 0, to, v.total, false) == v.total;
    });
}

// KEYCTL_RESTRICT_KEYRING: the kernel looks the keyring up first and only then reads the
// type and the restriction (both or neither): each goes down as copied, the kernel making
// the checks again, or marked unreadable.
int64_t restrict_keyring(const Syscall &call) {
    uint64_t type = call.arg[2], restriction = call.arg[3];
    char text[kTypeSize + 1 + kStringLimit + 1];
    uint64_t used = 0;
    uint32_t unreadable = 0;
    if (type) {
        if (copy_type(type, text) == -EFAULT)
            unreadable |= 1;
        else
            used = __builtin_strlen(text) + 1;
    }
    if (restriction) {
        if (copy_string(restriction, text + used) == -EFAULT)
            unreadable |= 2;
        else
            used += __builtin_strlen(text + used) + 1;
    }
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), type != 0, restriction != 0, 0},
                            unreadable, 0, 0};
    return control(BSC_KEY_RESTRICT_KEYRING, numbers, text, used);
}

// KEYCTL_SESSION_TO_PARENT: the host's kernel gives the session keyring to the host
// parent, which for a child of fork is its guest parent's process. That process runs the
// runtime's own thread beside the guest's, and the kernel wants a single-threaded parent:
// EPERM, which Linux gives a parent with threads, named as a refusal.
int64_t session_to_parent(const Syscall &call) {
    int64_t result = numbers_only(BSC_KEY_SESSION_TO_PARENT, call);
    if (result == -EPERM && parent_pid() != kOutsideParentPid)
        report_unsupported("keyctl", "KEYCTL_SESSION_TO_PARENT to a parent in the guest");
    return result;
}

// The operations a host kernel may lack and the LibOS does not carry: Diffie-Hellman, the
// public-key operations (their structures name keys and buffers of their own) and key
// watches (a watch_queue descriptor): EOPNOTSUPP, as a kernel built without them answers.
int64_t refused(int32_t operation, const Syscall &call) {
    if (operation == kPkeyQuery && call.arg[2] != 0)
        return -EINVAL; // the dispatcher's own check, made before the operation's
    report_unsupported("keyctl", operation == kDhCompute   ? "KEYCTL_DH_COMPUTE"
                                 : operation == kWatchKey ? "KEYCTL_WATCH_KEY"
                                                          : "KEYCTL_PKEY_* operations");
    return -EOPNOTSUPP;
}

} // namespace

// The kernel's order: the payload's size (EINVAL), the type, the description (an empty one
// is none; a keyring's may not start with '.'), the payload, then the keyring.
int64_t sys_add_key(Syscall &call) {
    keys_used = true;
    uint64_t description = call.arg[1], payload = call.arg[2], size = call.arg[3];
    if (size > kMaxPayload)
        return -EINVAL;
    char type[kTypeSize + 1];
    if (int64_t error = copy_type(call.arg[0], type))
        return error;
    char text[kStringLimit + 1];
    const char *described = nullptr;
    if (description) {
        int64_t n = copy_string(description, text);
        if (n < 0)
            return n;
        if (n > 0 && text[0] == '.' && __builtin_strncmp(type, "keyring", 7) == 0)
            return -EPERM;
        described = n > 0 ? text : nullptr;
    }
    Bytes bytes(size);
    if (size && !copy_from_user(bytes.data, payload, size))
        return -EFAULT;
    int32_t serial = 0;
    bsc_status status = abi().key_add(type, described, bytes.data, size,
                                      static_cast<int32_t>(call.arg[4]), &serial);
    return status == BSC_OK ? serial : key_result(status);
}

// The type, the description and the callout are read first; the kernel then searches and,
// with a callout, has its request-key helper make the key and waits for it: a signal ends
// the wait, restarted after an SA_RESTART handler (the kernel's ERESTARTSYS).
int64_t sys_request_key(Syscall &call) {
    keys_used = true;
    char type[kTypeSize + 1];
    if (int64_t error = copy_type(call.arg[0], type))
        return error;
    char description[kStringLimit + 1], callout[kStringLimit + 1];
    if (int64_t n = copy_string(call.arg[1], description); n < 0)
        return n;
    if (call.arg[2])
        if (int64_t n = copy_string(call.arg[2], callout); n < 0)
            return n;
    for (;;) {
        int32_t serial = 0;
        bsc_status status = abi().key_request(type, description, call.arg[2] ? callout : nullptr,
                                              static_cast<int32_t>(call.arg[3]), &serial);
        if (status == BSC_OK)
            return serial;
        if (status != BSC_E_INTERRUPTED)
            return key_result(status);
        if (signal_pending())
            return -kRestartSyscall;
    }
}

int64_t sys_keyctl(Syscall &call) {
    keys_used = true;
    auto operation = static_cast<int32_t>(call.arg[0]);
    bsc_key_control numbers{{static_cast<int64_t>(call.arg[1]), 0, 0, 0}, 0, 0, 0};
    switch (operation) {
    case BSC_KEY_JOIN_SESSION_KEYRING: return join_session(call.arg[1]);
    case BSC_KEY_UPDATE: return update(call);
    case BSC_KEY_SEARCH: return search(call);
    case BSC_KEY_READ: return read_out(BSC_KEY_READ, numbers, 1, call.arg[2], call.arg[3]);
    case BSC_KEY_DESCRIBE: // its length is an unsigned int
        return read_out(BSC_KEY_DESCRIBE, numbers, 1, call.arg[2],
                        static_cast<uint32_t>(call.arg[3]));
    case BSC_KEY_GET_SECURITY:
        return read_out(BSC_KEY_GET_SECURITY, numbers, 1, call.arg[2], call.arg[3]);
    case BSC_KEY_CAPABILITIES:
        numbers.arguments[0] = 0;
        return read_out(BSC_KEY_CAPABILITIES, numbers, 0, call.arg[1], call.arg[2]);
    case BSC_KEY_INSTANTIATE: return instantiate_buffer(call);
    case kInstantiateIov: return instantiate_vector(call);
    case BSC_KEY_RESTRICT_KEYRING: return restrict_keyring(call);
    case BSC_KEY_SESSION_TO_PARENT: return session_to_parent(call);
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
    case BSC_KEY_REJECT:
    case BSC_KEY_INVALIDATE:
    case BSC_KEY_GET_PERSISTENT:
    case BSC_KEY_MOVE: return numbers_only(static_cast<uint32_t>(operation), call);
    default:
        if (operation >= kDhCompute && operation <= kPkeyVerify)
            return refused(operation, call);
        if (operation == kWatchKey)
            return refused(operation, call);
        return -EOPNOTSUPP;
    }
}

void keyrings_at_exec() {
    if (!keys_used)
        return;
    const int64_t specials[] = {-1, -2}; // KEY_SPEC_THREAD_KEYRING, KEY_SPEC_PROCESS_KEYRING
    for (int64_t special : specials) {
        bsc_key_control numbers{{special, 0, 0, 0}, 0, 0, 0};
        if (control(BSC_KEY_GET_KEYRING_ID, numbers) > 0) {
            report_unsupported("execve", "dropping the thread and process keyrings");
            return;
        }
    }
}

} // namespace libos
