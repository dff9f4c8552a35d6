// SPDX-License-Identifier: MIT
#include "handle_model.h"

#include <algorithm>
#include <cstring>

#include "guest_memory.h"

namespace bsc::replay {

void HandleModel::set_stdio(const std::array<bsc_handle, 3> &recorded,
                            const bsc_handle (&real)[3]) {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < 3; i++)
        if (recorded[i] != BSC_NO_HANDLE)
            stdio_[recorded[i]] = real[i];
}

void HandleModel::note(roles::Slot slot, const CallEvent &call, const CallArgs &args) {
    if (call.status != BSC_OK)
        return;
    std::lock_guard lock(mutex_);
    auto stream = [&]() -> Stream * {
        auto it = streams_.find(static_cast<bsc_handle>(args[0]));
        return it == streams_.end() ? nullptr : &it->second;
    };
    switch (slot) {
    case roles::Slot::stream_open: {
        Stream s{.uri = {},
                 .access = static_cast<uint32_t>(args[1]),
                 .options = static_cast<uint32_t>(args[4]) & ~uint32_t{BSC_OPTION_TRUNCATE}};
        if (read_guest_string(reinterpret_cast<const char *>(args[0]), s.uri) == BSC_OK)
            streams_[static_cast<bsc_handle>(recorded_value(call, 5))] = std::move(s);
        break;
    }
    case roles::Slot::stream_read:
    case roles::Slot::stream_write:
        if (Stream *s = stream(); s && args[1] == BSC_AT_POSITION)
            s->position += recorded_value(call, 4);
        break;
    case roles::Slot::stream_seek:
        if (Stream *s = stream())
            s->position = recorded_value(call, 3);
        break;
    case roles::Slot::event_create: {
        auto flags = static_cast<uint32_t>(args[0]);
        events_[static_cast<bsc_handle>(recorded_value(call, 1))] = {
            flags, (flags & BSC_EVENT_INITIALLY_SET) != 0};
        break;
    }
    case roles::Slot::event_set:
    case roles::Slot::event_clear:
        if (auto it = events_.find(static_cast<bsc_handle>(args[0])); it != events_.end())
            it->second.set = slot == roles::Slot::event_set;
        break;
    case roles::Slot::objects_wait_any:
        waited(args);
        break;
    case roles::Slot::object_close:
        forget(static_cast<bsc_handle>(args[0]));
        break;
    default:
        break;
    }
}

// A wait that found an auto-reset event set consumed it.
void HandleModel::waited(const CallArgs &args) {
    const auto *items = reinterpret_cast<const bsc_wait_item *>(args[0]);
    for (uint64_t i = 0; i < args[1]; i++) {
        bsc_wait_item item{};
        if (read_guest(items + i, item) != BSC_OK)
            return;
        auto it = events_.find(item.handle);
        if (it != events_.end() && (item.ready & BSC_WAIT_READ) &&
            !(it->second.flags & BSC_EVENT_MANUAL_RESET))
            it->second.set = false;
    }
}

void HandleModel::forget(bsc_handle handle) {
    streams_.erase(handle);
    events_.erase(handle);
    stdio_.erase(handle);
}

bsc_status HandleModel::object_query(bsc_handle handle, bsc_object_info *info, char *uri,
                                     uint64_t uri_size) {
    std::lock_guard lock(mutex_);
    if (auto it = stdio_.find(handle); it != stdio_.end())
        return host_.object_query(it->second, info, uri, uri_size);
    auto it = streams_.find(handle);
    if (it == streams_.end())
        return BSC_E_NOT_SUPPORTED;
    const Stream &s = it->second;
    bsc_stream_attributes now{};
    if (bsc_status status = host_.stream_attributes_query(s.uri.c_str(), 0, &now))
        return status;
    // A directory's position is the host's cookie, which no recorded call tells.
    if (now.type == BSC_TYPE_DIRECTORY && s.position)
        return BSC_E_NOT_SUPPORTED;
    *info = {.type = now.type, .access = s.access, .options = s.options, .reserved = 0,
             .position = s.position};
    if (uri_size) {
        size_t n = std::min<size_t>(s.uri.size(), uri_size - 1);
        std::memcpy(uri, s.uri.data(), n);
        uri[n] = '\0';
    }
    return BSC_OK;
}

bsc_status HandleModel::attributes(bsc_handle handle, bsc_stream_attributes *attributes) {
    std::lock_guard lock(mutex_);
    if (auto it = stdio_.find(handle); it != stdio_.end())
        return host_.stream_attributes_query_by_handle(it->second, attributes);
    auto it = streams_.find(handle);
    if (it == streams_.end())
        return BSC_E_NOT_SUPPORTED;
    return host_.stream_attributes_query(it->second.uri.c_str(), 0, attributes);
}

bsc_status HandleModel::poll_event(bsc_wait_item *items, uint32_t count, int64_t timeout,
                                   uint32_t *ready) {
    std::lock_guard lock(mutex_);
    auto it = count == 1 && timeout == 0 ? events_.find(items[0].handle) : events_.end();
    if (it == events_.end())
        return BSC_E_NOT_SUPPORTED;
    bool set = it->second.set;
    if (set && !(it->second.flags & BSC_EVENT_MANUAL_RESET))
        it->second.set = false;
    items[0].ready = set ? BSC_WAIT_READ : 0;
    *ready = set ? 1 : 0;
    return BSC_OK;
}

bsc_status HandleModel::set_event(bsc_handle handle) {
    std::lock_guard lock(mutex_);
    auto it = events_.find(handle);
    if (it == events_.end())
        return BSC_E_NOT_SUPPORTED;
    it->second.set = true;
    return BSC_OK;
}

} // namespace bsc::replay
