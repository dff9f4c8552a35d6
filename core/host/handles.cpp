// SPDX-License-Identifier: MIT
// The host handle table.
#include "handles.h"

#include <unistd.h>

namespace bsc::host {

Object::~Object() {
    if (fd >= 0)
        ::close(fd);
}

bsc_handle HandleTable::insert(std::shared_ptr<Object> object) {
    std::lock_guard lock(mutex_);
    // Numbers are not reused, so a stale handle is reported as bad rather than aliasing.
    if (next_ == UINT32_MAX)
        return BSC_NO_HANDLE;
    bsc_handle handle = next_++;
    objects_.emplace(handle, std::move(object));
    return handle;
}

std::shared_ptr<Object> HandleTable::find(bsc_handle handle) const {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(handle);
    return it == objects_.end() ? nullptr : it->second;
}

std::shared_ptr<Object> HandleTable::remove(bsc_handle handle) {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(handle);
    if (it == objects_.end())
        return nullptr;
    auto object = std::move(it->second);
    objects_.erase(it);
    return object;
}

HandleTable &handles() {
    static HandleTable table;
    return table;
}

} // namespace bsc::host
