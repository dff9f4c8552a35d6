// SPDX-License-Identifier: MIT
// File-system access events: a fanotify: stream is a fanotify group of the host's kernel
// (which needs the host's privilege). stream_mark sets its marks; its reads give the
// kernel's records with each event's descriptor made a handle, and its writes answer
// permission events named by those handles (abi/bascule.h, "File-system access events").
#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

// The permission events read and not yet answered: the handle the guest was given for
// each, and the host descriptor number the kernel knows the event by (which stays its
// name after the handle closes, as the number does on Linux).
struct FanotifyGroup : Object {
    using Object::Object;
    std::mutex lock;
    std::map<bsc_handle, int> unanswered;
};

constexpr uint64_t kPermissionEvents = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM;

// "FLAGS,EVENT_FLAGS": two decimal numbers; INVALID for anything else.
bool parse_numbers(std::string_view text, uint32_t &flags, uint32_t &event_flags) {
    size_t comma = text.find(',');
    if (comma == std::string_view::npos)
        return false;
    auto number = [](std::string_view digits, uint32_t &out) {
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return error == std::errc{} && end == digits.data() + digits.size() && !digits.empty();
    };
    return number(text.substr(0, comma), flags) && number(text.substr(comma + 1), event_flags);
}

// The event's descriptor as a new handle (BSC_NO_HANDLE if the table is full: the
// descriptor is closed and the record says FAN_NOFD).
bsc_handle handle_of_event(FanotifyGroup &group, int fd, uint64_t mask) {
    int flags = ::fcntl(fd, F_GETFL);
    uint32_t access = (flags & O_ACCMODE) == O_RDONLY   ? BSC_ACCESS_READ
                      : (flags & O_ACCMODE) == O_WRONLY ? BSC_ACCESS_WRITE
                                                        : BSC_ACCESS_RDWR;
    uint32_t options = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    std::string uri = uri_of_descriptor(fd, type_of_descriptor(fd));
    bsc_handle handle = BSC_NO_HANDLE;
    if (publish(make_stream(UniqueFd(fd), uri, access, options), &handle) != BSC_OK)
        return BSC_NO_HANDLE;
    if (mask & kPermissionEvents) {
        std::lock_guard guard(group.lock);
        group.unanswered[handle] = fd;
    }
    return handle;
}

} // namespace

// stream_open("fanotify:FLAGS,EVENT_FLAGS"): the host's kernel checks both (INVALID) and
// the privilege (NOT_PERMITTED); close-on-exec always, NONBLOCK from the options.
bsc_status open_fanotify(std::string_view numbers, uint32_t access, uint32_t create,
                         uint32_t options, std::shared_ptr<Object> &out) {
    uint32_t flags = 0, event_flags = 0;
    if (!parse_numbers(numbers, flags, event_flags) || access != BSC_ACCESS_READ ||
        create != BSC_CREATE_NEVER || (options & ~uint32_t{BSC_OPTION_NONBLOCK}))
        return BSC_E_INVALID;
    flags = (flags & ~uint32_t{FAN_NONBLOCK}) | FAN_CLOEXEC |
            (options & BSC_OPTION_NONBLOCK ? FAN_NONBLOCK : 0);
    int fd = ::fanotify_init(flags, event_flags | O_CLOEXEC);
    if (fd < 0)
        return errno_status();
    out = std::make_shared<FanotifyGroup>(BSC_TYPE_FANOTIFY, fd,
                                          "fanotify:" + std::string(numbers));
    out->access = access;
    out->options = options;
    return BSC_OK;
}

// A read of whole records: each event's descriptor becomes a handle, written over it.
bsc_status read_fanotify(Object &stream, void *buffer, uint64_t size, uint64_t &count) {
    auto &group = static_cast<FanotifyGroup &>(stream);
    std::vector<char> records(std::min<uint64_t>(size, 1 << 16));
    ssize_t n = ::read(group.fd, records.data(), records.size());
    if (n < 0)
        return errno_status();
    for (ssize_t at = 0; at + ssize_t{sizeof(fanotify_event_metadata)} <= n;) {
        fanotify_event_metadata event;
        std::memcpy(&event, records.data() + at, sizeof event);
        if (event.fd >= 0) {
            bsc_handle handle = handle_of_event(group, event.fd, event.mask);
            event.fd = handle == BSC_NO_HANDLE ? FAN_NOFD : static_cast<int32_t>(handle);
            std::memcpy(records.data() + at, &event, sizeof event);
        }
        if (event.event_len < sizeof event)
            break;
        at += event.event_len;
    }
    count = static_cast<uint64_t>(n);
    return copy_to_guest(buffer, records.data(), count);
}

// A response names its event by the handle the read gave: the kernel is given the event's
// descriptor number, or one no event has (its ENOENT) for a handle of no event here.
bsc_status write_fanotify(Object &stream, const void *buffer, uint64_t size, uint64_t &count) {
    auto &group = static_cast<FanotifyGroup &>(stream);
    std::vector<char> response(std::min<uint64_t>(size, 4096));
    if (copy_from_guest(response.data(), buffer, response.size()) != BSC_OK)
        return BSC_E_FAULT;
    fanotify_response head{};
    bool whole = response.size() >= sizeof head;
    bsc_handle handle = BSC_NO_HANDLE;
    if (whole) {
        std::memcpy(&head, response.data(), sizeof head);
        if (head.fd >= 0) {
            handle = static_cast<bsc_handle>(head.fd);
            std::lock_guard guard(group.lock);
            auto found = group.unanswered.find(handle);
            head.fd = found == group.unanswered.end() ? INT_MAX : found->second;
            std::memcpy(response.data(), &head, sizeof head);
        }
    }
    ssize_t n = ::write(group.fd, response.data(), response.size());
    if (n < 0)
        return errno_status();
    if (whole && head.fd >= 0) {
        std::lock_guard guard(group.lock);
        group.unanswered.erase(handle);
    }
    count = static_cast<uint64_t>(n);
    return BSC_OK;
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

// fanotify_mark on the group: of the stream `object`, else of the path `uri` names, else
// (an empty URI) of nothing, which only FAN_MARK_FLUSH takes. The host's kernel checks the
// flags, the mask, the path and the privilege.
extern "C" bsc_status host_stream_mark(bsc_handle group, bsc_handle object, const char *uri,
                                       uint32_t flags, uint64_t mask) {
    auto stream = find_stream(group);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (stream->type != BSC_TYPE_FANOTIFY)
        return BSC_E_NOT_SUPPORTED;
    if (object != BSC_NO_HANDLE) {
        auto marked = find_stream(object);
        if (!marked)
            return BSC_E_BAD_HANDLE;
        return check(::fanotify_mark(stream->fd, flags, mask, marked->fd, nullptr));
    }
    std::string text;
    if (bsc_status s = read_guest_string(uri, text))
        return s;
    if (text.empty()) {
        if (!(flags & FAN_MARK_FLUSH))
            return BSC_E_INVALID;
        return check(::fanotify_mark(stream->fd, flags, mask, AT_FDCWD, nullptr));
    }
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed))
        return s;
    return check(::fanotify_mark(stream->fd, flags, mask, AT_FDCWD, parsed.path.c_str()));
}
