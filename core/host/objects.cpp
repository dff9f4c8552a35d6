// SPDX-License-Identifier: MIT
// Objects and waiting: closing handles, objects_wait_any over every kind of handle,
// events, and the futex-style sync_wait / sync_wake on guest addresses.
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <mutex>
#include <vector>

#include "clock.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"

namespace bsc::host {
namespace {

constexpr uint32_t kMaxWaitItems = 4096;
constexpr uint32_t kWaitMask =
    BSC_WAIT_READ | BSC_WAIT_WRITE | BSC_WAIT_ERROR | BSC_WAIT_HANGUP | BSC_WAIT_READ_HANGUP;

// An event is an eventfd whose counter is 0 (clear) or 1 (set), so poll() sees a set event
// as readable. An auto-reset event is consumed by the wait that reports it.
struct Event : Object {
    Event(int fd, bool manual)
        : Object(BSC_TYPE_EVENT, fd, manual ? "event:manual" : "event:auto"), manual(manual) {}
    const bool manual;
    std::mutex mutex; // makes set's "is it set? if not, set it" one step
};

bool is_set(const Event &event) {
    pollfd p{event.fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// Takes the event's signal; false if another waiter took it first.
bool consume(const Event &event) {
    uint64_t value;
    return ::read(event.fd, &value, sizeof value) == sizeof value;
}

// A relative timeout turned into a fixed point, so waiting again after a lost race does
// not extend it.
class Deadline {
  public:
    explicit Deadline(int64_t timeout_ns) {
        forever_ = timeout_ns == BSC_WAIT_FOREVER ||
                   __builtin_add_overflow(clock_now(CLOCK_MONOTONIC), timeout_ns, &at_);
    }
    // What ppoll wants: null to wait forever, else the time left (0 once passed).
    const timespec *remaining(timespec &left) const {
        if (forever_)
            return nullptr;
        left = timespec_of(std::max<int64_t>(0, at_ - clock_now(CLOCK_MONOTONIC)));
        return &left;
    }

  private:
    bool forever_ = false;
    int64_t at_ = 0;
};

uint16_t ready_from(short revents, uint16_t wanted) {
    uint16_t ready = 0;
    if ((revents & POLLIN) && (wanted & BSC_WAIT_READ))
        ready |= BSC_WAIT_READ;
    if ((revents & POLLOUT) && (wanted & BSC_WAIT_WRITE))
        ready |= BSC_WAIT_WRITE;
    if (revents & (POLLERR | POLLNVAL))
        ready |= BSC_WAIT_ERROR;
    if (revents & POLLHUP)
        ready |= BSC_WAIT_HANGUP;
    if ((revents & POLLRDHUP) && (wanted & BSC_WAIT_READ_HANGUP))
        ready |= BSC_WAIT_READ_HANGUP;
    return ready;
}

// Fills in items[].ready after a poll and counts the items that are ready; an auto-reset
// event is consumed here, and does not count if another waiter consumed it first.
uint32_t collect(std::vector<bsc_wait_item> &items, const std::vector<pollfd> &fds,
                 const std::vector<std::shared_ptr<Object>> &objects) {
    uint32_t count = 0;
    for (size_t i = 0; i < items.size(); i++) {
        uint16_t ready = ready_from(fds[i].revents, items[i].wanted);
        auto *event = dynamic_cast<Event *>(objects[i].get());
        if ((ready & BSC_WAIT_READ) && event && !event->manual && !consume(*event))
            ready &= static_cast<uint16_t>(~BSC_WAIT_READ);
        items[i].ready = ready;
        count += ready != 0;
    }
    return count;
}

// The objects of a wait and the descriptors poll() watches for them, index by index.
struct Waiting {
    std::vector<std::shared_ptr<Object>> objects;
    std::vector<pollfd> fds;
};

bsc_status prepare(const std::vector<bsc_wait_item> &items, Waiting &waiting) {
    for (const bsc_wait_item &item : items) {
        if (item.wanted & ~kWaitMask)
            return BSC_E_INVALID;
        auto object = handles().find(item.handle);
        if (!object || object->fd < 0)
            return BSC_E_BAD_HANDLE;
        short events = static_cast<short>((item.wanted & BSC_WAIT_READ ? POLLIN : 0) |
                                          (item.wanted & BSC_WAIT_WRITE ? POLLOUT : 0) |
                                          (item.wanted & BSC_WAIT_READ_HANGUP ? POLLRDHUP : 0));
        waiting.fds.push_back({object->fd, events, 0});
        waiting.objects.push_back(std::move(object));
    }
    return BSC_OK;
}

// ppoll, whose wait an interrupt ends; one that came before it waits still gets what is
// ready (as Linux looks before it waits).
int poll_fds(std::vector<pollfd> &fds, const timespec *timeout) {
    constexpr timespec kNow{};
    if (timeout && timeout->tv_sec == 0 && timeout->tv_nsec == 0)
        return ::ppoll(fds.data(), fds.size(), timeout, nullptr);
    auto n = blocking_syscall(SYS_ppoll, reinterpret_cast<long>(fds.data()),
                              static_cast<long>(fds.size()), reinterpret_cast<long>(timeout));
    if (n >= 0 || errno != EINTR)
        return static_cast<int>(n);
    n = ::ppoll(fds.data(), fds.size(), &kNow, nullptr);
    if (n == 0)
        errno = EINTR;
    return n == 0 ? -1 : static_cast<int>(n);
}

// Polls until an item is ready or the deadline passes (found = 0, every ready = 0).
// Readiness that turns out to be auto-reset events other waiters took means: poll again.
bsc_status wait_until_ready(std::vector<bsc_wait_item> &items, Waiting &waiting,
                            const Deadline &deadline, uint32_t &found) {
    for (;;) {
        timespec left;
        const timespec *timeout = deadline.remaining(left);
        int n = poll_fds(waiting.fds, timeout);
        if (n < 0)
            return errno_status(); // EINTR: the runtime interrupted this thread
        found = n == 0 ? 0 : collect(items, waiting.fds, waiting.objects);
        bool expired = n == 0 || (timeout && timeout->tv_sec == 0 && timeout->tv_nsec == 0);
        if (found > 0 || expired)
            break;
    }
    if (found == 0)
        for (bsc_wait_item &item : items)
            item.ready = 0;
    return BSC_OK;
}

bsc_status check_timeout(int64_t timeout_ns) {
    return timeout_ns >= 0 || timeout_ns == BSC_WAIT_FOREVER ? BSC_OK : BSC_E_INVALID;
}

bsc_status check_futex_address(const uint32_t *addr) {
    return reinterpret_cast<uintptr_t>(addr) % alignof(uint32_t) == 0 ? BSC_OK : BSC_E_INVALID;
}

long futex(const uint32_t *addr, int op, uint32_t value, const timespec *timeout) {
    return ::syscall(SYS_futex, addr, op, value, timeout, nullptr, 0);
}

} // namespace

bsc_status publish(std::span<const std::shared_ptr<Object>> objects, bsc_handle *guest_out) {
    std::vector<bsc_handle> numbers;
    auto undo = [&numbers](bsc_status status) {
        for (bsc_handle handle : numbers)
            handles().remove(handle);
        return status;
    };
    for (const auto &object : objects) {
        bsc_handle handle = handles().insert(object);
        if (handle == BSC_NO_HANDLE)
            return undo(BSC_E_TOO_MANY);
        numbers.push_back(handle);
    }
    if (copy_to_guest(guest_out, numbers.data(), numbers.size() * sizeof(bsc_handle)) != BSC_OK)
        return undo(BSC_E_FAULT);
    return BSC_OK;
}

std::shared_ptr<Object> find_stream(bsc_handle handle) {
    auto object = handles().find(handle);
    if (!object || object->fd < 0 || object->type == BSC_TYPE_EVENT ||
        object->type == BSC_TYPE_THREAD || object->type == BSC_TYPE_PROCESS)
        return nullptr;
    return object;
}

void events_after_fork() {
    handles().for_each([](bsc_handle, Object &object) {
        auto *event = dynamic_cast<Event *>(&object);
        if (!event)
            return;
        int fresh = ::eventfd(is_set(*event) ? 1 : 0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fresh >= 0) {
            ::dup3(fresh, event->fd, O_CLOEXEC);
            ::close(fresh);
        }
    });
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_object_close(bsc_handle handle) {
    return handles().remove(handle) ? BSC_OK : BSC_E_BAD_HANDLE;
}

extern "C" bsc_status host_object_query(bsc_handle handle, bsc_object_info *info, char *uri,
                                        uint64_t uri_size) {
    auto object = handles().find(handle);
    if (!object)
        return BSC_E_BAD_HANDLE;
    bsc_object_info answer{.type = object->type, .access = object->access,
                           .options = object->options.load(), .reserved = 0, .position = 0};
    if (object->fd >= 0 && object->type == BSC_TYPE_FILE)
        answer.position = static_cast<uint64_t>(std::max<off_t>(::lseek(object->fd, 0, SEEK_CUR), 0));
    if (object->uri.size() >= uri_size)
        return BSC_E_TOO_BIG;
    if (write_guest(info, answer) != BSC_OK ||
        copy_to_guest(uri, object->uri.c_str(), object->uri.size() + 1) != BSC_OK)
        return BSC_E_FAULT;
    return BSC_OK;
}

extern "C" bsc_status host_objects_wait_any(bsc_wait_item *items, uint32_t count,
                                            int64_t timeout_ns, uint32_t *ready) {
    if (count > kMaxWaitItems)
        return BSC_E_INVALID;
    if (bsc_status s = check_timeout(timeout_ns))
        return s;
    std::vector<bsc_wait_item> local(count);
    size_t bytes = count * sizeof(bsc_wait_item);
    if (copy_from_guest(local.data(), items, bytes) != BSC_OK)
        return BSC_E_FAULT;
    // Both outputs must be writable before anything (an auto-reset event) is consumed.
    if (copy_to_guest(items, local.data(), bytes) != BSC_OK || write_guest(ready, 0u) != BSC_OK)
        return BSC_E_FAULT;
    Waiting waiting;
    if (bsc_status s = prepare(local, waiting))
        return s;
    uint32_t found = 0;
    if (bsc_status s = wait_until_ready(local, waiting, Deadline(timeout_ns), found))
        return s;
    if (copy_to_guest(items, local.data(), bytes) != BSC_OK || write_guest(ready, found) != BSC_OK)
        return BSC_E_FAULT;
    return found > 0 ? BSC_OK : BSC_E_TIMED_OUT;
}

extern "C" bsc_status host_event_create(uint32_t flags, bsc_handle *event) {
    if (flags & ~uint32_t{BSC_EVENT_MANUAL_RESET | BSC_EVENT_INITIALLY_SET})
        return BSC_E_INVALID;
    unsigned initial = flags & BSC_EVENT_INITIALLY_SET ? 1 : 0;
    UniqueFd fd(::eventfd(initial, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!fd)
        return errno_status();
    auto object = std::make_shared<Event>(fd.release(), flags & BSC_EVENT_MANUAL_RESET);
    return publish(object, event);
}

extern "C" bsc_status host_event_set(bsc_handle handle) {
    auto event = handles().find_as<Event>(handle);
    if (!event)
        return BSC_E_BAD_HANDLE;
    std::lock_guard lock(event->mutex);
    uint64_t one = 1;
    if (!is_set(*event) && ::write(event->fd, &one, sizeof one) != sizeof one)
        return errno_status();
    return BSC_OK;
}

extern "C" bsc_status host_event_clear(bsc_handle handle) {
    auto event = handles().find_as<Event>(handle);
    if (!event)
        return BSC_E_BAD_HANDLE;
    std::lock_guard lock(event->mutex);
    consume(*event); // nothing to take if it was clear
    return BSC_OK;
}

extern "C" bsc_status host_sync_wait(const uint32_t *addr, uint32_t expected, int64_t timeout_ns) {
    if (bsc_status s = check_futex_address(addr))
        return s;
    if (bsc_status s = check_timeout(timeout_ns))
        return s;
    timespec relative = timespec_of(timeout_ns);
    const timespec *timeout = timeout_ns == BSC_WAIT_FOREVER ? nullptr : &relative;
    // Returns 0 also on a spurious wake-up: the caller checks its condition again. Not
    // FUTEX_PRIVATE_FLAG: a word in shared memory is waited on by several processes.
    if (blocking_syscall(SYS_futex, reinterpret_cast<long>(addr), FUTEX_WAIT, expected,
                         reinterpret_cast<long>(timeout)) == 0)
        return BSC_OK;
    if (errno != EINTR)
        return errno_status();
    // An interrupt before the wait: the word is compared all the same (AGAIN if it differs).
    constexpr timespec kNow{};
    if (futex(addr, FUTEX_WAIT, expected, &kNow) == 0)
        return BSC_OK;
    return errno == ETIMEDOUT ? BSC_E_INTERRUPTED : errno_status();
}

extern "C" bsc_status host_sync_wake(const uint32_t *addr, uint32_t count, uint32_t *woken) {
    if (bsc_status s = check_futex_address(addr))
        return s;
    long n = futex(addr, FUTEX_WAKE, std::min<uint32_t>(count, INT_MAX), nullptr);
    if (n < 0 && errno == EFAULT)
        n = 0; // an unmapped word has no waiters (a shared wake looks the page up)
    if (n < 0)
        return errno_status();
    return woken == nullptr ? BSC_OK : write_guest(woken, static_cast<uint32_t>(n));
}
