// SPDX-License-Identifier: MIT
#include "handle_registry.h"

#include <algorithm>
#include <pthread.h>

#include <mutex>
#include <random>

namespace bsc::checkpoint {

namespace {

// One generator per process, seeded from the system's randomness, and seeded afresh in
// every child of a fork, which would otherwise draw its parent's ids (pthread_atfork; the
// lock is held across the fork, so the child's copy is free).
std::mutex generator_mutex;
std::mt19937_64 &generator() {
    static std::mt19937_64 *instance = [] {
        auto *made = new std::mt19937_64(std::random_device{}());
        ::pthread_atfork([] { generator_mutex.lock(); }, [] { generator_mutex.unlock(); },
                         [] {
                             generator().seed(std::random_device{}());
                             generator_mutex.unlock();
                         });
        return made;
    }();
    return *instance;
}

// A handle of an open description gets an id for it when it has none yet (a handle just
// made; a restored one keeps the id it had).
void give_description(HandleEntry &entry) {
    std::visit(
        [](auto &object) {
            if constexpr (requires { object.description; })
                if (!object.description)
                    object.description = new_shared_id();
        },
        entry.object);
}

} // namespace

std::string stream_uri(const HandleEntry &entry) {
    auto *stream = std::get_if<snapshot::HandleRecord>(&entry.object);
    return stream ? stream->uri : std::string();
}

HandleEntry restored_entry(bsc_handle below, TrackedObject object) {
    if (auto *stream = std::get_if<snapshot::HandleRecord>(&object)) {
        stream->offset = 0;
        stream->identity = {};
        stream->buffered = {};
    }
    if (auto *socket = std::get_if<snapshot::SocketRecord>(&object))
        socket->unread = {};
    if (auto *process = std::get_if<snapshot::ProcessRecord>(&object))
        process->ended = false, process->end_kind = 0, process->end_code = 0,
        process->waited = false;
    return {.below = below, .object = std::move(object), .restored = true};
}

uint64_t new_shared_id() {
    auto &random = generator(); // before the lock: the first call registers the fork hooks
    std::lock_guard lock(generator_mutex);
    uint64_t id;
    do
        id = random();
    while (id == 0);
    return id;
}

bsc_handle HandleRegistry::below(bsc_handle above) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(above);
    if (it != entries_.end())
        return it->second.below;
    return renumbered_ ? BSC_NO_HANDLE : above;
}

void HandleRegistry::replace_below(bsc_handle above, bsc_handle below) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(above); it != entries_.end())
        it->second.below = below;
}

bsc_handle HandleRegistry::publish(HandleEntry entry) {
    std::lock_guard lock(mutex_);
    bsc_handle above = renumbered_ ? next_++ : entry.below;
    give_description(entry);
    entries_[above] = std::move(entry);
    return above;
}

void HandleRegistry::adopt(bsc_handle above, HandleEntry entry) {
    std::lock_guard lock(mutex_);
    next_ = std::max(next_, above + 1);
    give_description(entry);
    entries_[above] = std::move(entry);
}

std::optional<HandleEntry> HandleRegistry::find(bsc_handle above) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(above);
    if (it == entries_.end())
        return std::nullopt;
    return it->second;
}

void HandleRegistry::remove(bsc_handle above) {
    std::lock_guard lock(mutex_);
    auto node = entries_.extract(above);
    if (node.empty())
        return;
    uint64_t partner = std::visit(
        [](const auto &object) -> uint64_t {
            if constexpr (requires { object.partner; })
                return object.partner;
            return 0;
        },
        node.mapped().object);
    if (partner)
        set_partner_locked(static_cast<bsc_handle>(partner), BSC_NO_HANDLE);
}

void HandleRegistry::set_partner(bsc_handle above, bsc_handle partner) {
    std::lock_guard lock(mutex_);
    set_partner_locked(above, partner);
}

void HandleRegistry::set_partner_locked(bsc_handle above, bsc_handle partner) {
    auto it = entries_.find(above);
    if (it == entries_.end())
        return;
    auto other = entries_.find(partner);
    if (auto *socket = std::get_if<snapshot::SocketRecord>(&it->second.object))
        socket->partner = partner;
    auto *end = std::get_if<snapshot::HandleRecord>(&it->second.object);
    if (!end)
        return;
    end->partner = partner;
    if (other != entries_.end())
        if (auto *other_end = std::get_if<snapshot::HandleRecord>(&other->second.object))
            end->partner_description = other_end->description;
}

void HandleRegistry::disown_children() {
    std::lock_guard lock(mutex_);
    for (auto &[number, entry] : entries_)
        if (auto *process = std::get_if<snapshot::ProcessRecord>(&entry.object))
            process->relation = snapshot::ProcessRelation::opened;
}

void HandleRegistry::start_renumbering() {
    std::lock_guard lock(mutex_);
    renumbered_ = true;
}

std::map<bsc_handle, HandleEntry> HandleRegistry::list() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

} // namespace bsc::checkpoint
