// SPDX-License-Identifier: MIT
// Walking a downcall's pointers by their roles.
#include "call_memory.h"

#define XXH_STATIC_LINKING_ONLY // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "guest_memory.h"

namespace bsc::replay {
namespace {

// The count of elements of a role: fixed, or another parameter's value.
uint64_t element_count(const bsc_param_role &role, const CallArgs &args) {
    return role.count_param == BSC_ROLE_NONE ? role.count : args[role.count_param];
}

// The pointer parameter `done` points at (a uint64_t count), or `fallback`.
uint64_t reported_count(uint8_t done, const CallArgs &args, uint64_t fallback) {
    uint64_t count = fallback;
    if (done == BSC_ROLE_NONE || !args[done] ||
        read_guest(reinterpret_cast<const uint64_t *>(args[done]), count) != BSC_OK)
        return fallback;
    return std::min(count, fallback);
}

class Hasher {
public:
    Hasher() { XXH3_64bits_reset(&state_); }
    void bytes(uint64_t address, uint64_t size) {
        // unreadable: what the call got is a fault
        value(hash_guest_bytes(address, size).value_or(address));
    }
    void string(uint64_t address) {
        std::string text;
        if (read_guest_string(reinterpret_cast<const char *>(address), text, 1 << 20) != BSC_OK)
            return value(address);
        XXH3_64bits_update(&state_, text.data(), text.size() + 1);
    }
    void strings(uint64_t address) {
        for (uint64_t at = address;; at += 8) {
            uint64_t entry = 0;
            if (read_guest(reinterpret_cast<const uint64_t *>(at), entry) != BSC_OK)
                return value(at);
            if (!entry)
                return;
            string(entry);
        }
    }
    void value(uint64_t v) { XXH3_64bits_update(&state_, &v, sizeof v); }
    uint64_t digest() { return XXH3_64bits_digest(&state_); }

private:
    XXH3_state_t state_;
};

void hash_message(Hasher &hash, uint64_t address) {
    bsc_socket_message message{};
    if (read_guest(reinterpret_cast<const bsc_socket_message *>(address), message) != BSC_OK)
        return hash.value(address);
    hash.bytes(address, sizeof message);
    hash.bytes(message.buffer, message.size);
    if (message.address)
        hash.bytes(message.address, sizeof(bsc_socket_address));
    if (message.handles)
        hash.bytes(message.handles, uint64_t{message.handle_count} * sizeof(bsc_handle));
}

void add_write(std::vector<MemoryWrite> &writes, uint64_t address, uint64_t size,
               uint8_t param = kAbsolute) {
    if (!address || !size)
        return;
    auto bytes = readable_prefix(address, size);
    if (!bytes.empty())
        writes.push_back({address, std::move(bytes), param});
}

// The NUL-terminated string at `address`, with its NUL.
void add_string(std::vector<MemoryWrite> &reads, uint64_t address, uint8_t param) {
    std::string text;
    if (!address ||
        read_guest_string(reinterpret_cast<const char *>(address), text, 1 << 20) != BSC_OK)
        return;
    reads.push_back({address, std::vector<uint8_t>(text.begin(), text.end()), param});
    reads.back().bytes.push_back(0);
}

void message_writes(std::vector<MemoryWrite> &writes, uint64_t address, uint8_t param) {
    bsc_socket_message message{};
    if (read_guest(reinterpret_cast<const bsc_socket_message *>(address), message) != BSC_OK)
        return;
    add_write(writes, address, sizeof message, param);
    add_write(writes, message.buffer, std::min(message.size, message.done));
    add_write(writes, message.address, sizeof(bsc_socket_address));
    add_write(writes, message.handles, uint64_t{message.handle_count} * sizeof(bsc_handle));
}

} // namespace

std::optional<uint64_t> hash_guest_bytes(uint64_t address, uint64_t size) {
    XXH3_state_t state;
    XXH3_64bits_reset(&state);
    std::array<uint8_t, kPage> piece;
    for (uint64_t done = 0; done < size; done += piece.size()) {
        uint64_t length = std::min<uint64_t>(piece.size(), size - done);
        if (copy_from_guest(piece.data(), reinterpret_cast<const void *>(address + done),
                            length) != BSC_OK)
            return std::nullopt;
        XXH3_64bits_update(&state, piece.data(), length);
    }
    return XXH3_64bits_digest(&state);
}

std::vector<uint8_t> readable_prefix(uint64_t address, uint64_t size) {
    // The common case, all of it in one copy; but a size the guest made up (a failed call's)
    // is read a page at a time, and as far as the memory goes.
    constexpr uint64_t kWhole = 16 << 20;
    std::vector<uint8_t> bytes(std::min(size, kWhole));
    if (size <= kWhole &&
        copy_from_guest(bytes.data(), reinterpret_cast<const void *>(address), size) == BSC_OK)
        return bytes;
    bytes.clear();
    for (uint64_t at = address; at < address + size;) {
        uint64_t piece = std::min(address + size, (at / kPage + 1) * kPage) - at;
        size_t old = bytes.size();
        bytes.resize(old + piece);
        if (copy_from_guest(bytes.data() + old, reinterpret_cast<const void *>(at), piece) !=
            BSC_OK) {
            bytes.resize(old);
            break;
        }
        at += piece;
    }
    return bytes;
}

uint64_t input_hash(const bsc_call_roles &call, const CallArgs &args) {
    Hasher hash;
    for (uint32_t i = 0; i < call.param_count; i++) {
        const bsc_param_role &role = call.params[i];
        uint64_t arg = args[i];
        if (!arg && role.kind != BSC_ROLE_VALUE && role.kind != BSC_ROLE_HANDLE &&
            role.kind != BSC_ROLE_ADDRESS)
            continue; // an optional pointer left out
        switch (role.kind) {
        case BSC_ROLE_STRING: hash.string(arg); break;
        case BSC_ROLE_STRINGS: hash.strings(arg); break;
        case BSC_ROLE_IN:
        case BSC_ROLE_IN_OUT:
        case BSC_ROLE_HANDLES_IN:
        case BSC_ROLE_THREAD_START: hash.bytes(arg, element_count(role, args) * role.size); break;
        case BSC_ROLE_BYTES_IN:
        case BSC_ROLE_BYTES_IN_OUT: hash.bytes(arg, args[role.length]); break;
        case BSC_ROLE_MESSAGE_IN: hash_message(hash, arg); break;
        default: break; // values are compared as arguments; outputs are not read
        }
    }
    return hash.digest();
}

std::vector<MemoryWrite> shown_inputs(const bsc_call_roles &call, const CallArgs &args) {
    std::vector<MemoryWrite> reads;
    for (uint32_t i = 0; i < call.param_count; i++) {
        const bsc_param_role &role = call.params[i];
        auto param = static_cast<uint8_t>(i);
        if (role.kind == BSC_ROLE_IN_OUT) {
            add_write(reads, args[i], element_count(role, args) * role.size, param);
        } else if (role.kind == BSC_ROLE_STRING) {
            add_string(reads, args[i], param);
        } else if (role.kind == BSC_ROLE_STRINGS && args[i]) {
            uint64_t count = 0, entry = 0;
            while (read_guest(reinterpret_cast<const uint64_t *>(args[i] + 8 * count), entry) ==
                       BSC_OK &&
                   entry) {
                add_string(reads, entry, kAbsolute);
                count++;
            }
            add_write(reads, args[i], 8 * (count + 1), param);
        }
    }
    return reads;
}

std::vector<MemoryWrite> output_writes(const bsc_call_roles &call, const CallArgs &args) {
    std::vector<MemoryWrite> writes;
    for (uint32_t i = 0; i < call.param_count; i++) {
        const bsc_param_role &role = call.params[i];
        uint64_t arg = args[i];
        auto param = static_cast<uint8_t>(i);
        switch (role.kind) {
        case BSC_ROLE_OUT:
        case BSC_ROLE_IN_OUT:
        case BSC_ROLE_HANDLES_OUT:
            add_write(writes, arg, element_count(role, args) * role.size, param);
            break;
        case BSC_ROLE_BYTES_OUT:
            add_write(writes, arg, reported_count(role.done, args, args[role.length]), param);
            break;
        case BSC_ROLE_BYTES_IN_OUT: add_write(writes, arg, args[role.length], param); break;
        case BSC_ROLE_MESSAGE_OUT:
            if (arg)
                message_writes(writes, arg, param);
            break;
        case BSC_ROLE_MESSAGE_IN: // a send writes how much it sent
            if (arg)
                add_write(writes, arg + offsetof(bsc_socket_message, done), sizeof(uint64_t), param);
            break;
        default: break;
        }
    }
    return writes;
}

bool apply_writes(const std::vector<MemoryWrite> &writes, const CallArgs &recorded,
                  const CallArgs &args, std::span<const std::byte> out_of_line) {
    for (const auto &w : writes) {
        uint64_t at = w.param == kAbsolute ? w.address : args[w.param] + (w.address - recorded[w.param]);
        const void *bytes = w.bytes.empty() ? static_cast<const void *>(out_of_line.data())
                                            : w.bytes.data();
        size_t size = w.bytes.empty() ? out_of_line.size() : w.bytes.size();
        if (copy_to_guest(reinterpret_cast<void *>(at), bytes, size) != BSC_OK)
            return false;
    }
    return true;
}

uint64_t recorded_value(const CallEvent &call, uint8_t param) {
    for (const auto &w : call.writes)
        if (w.param == param && w.address == call.args[param]) {
            uint64_t value = 0; // a handle is 4 bytes, the rest 8
            std::memcpy(&value, w.bytes.data(), std::min<size_t>(w.bytes.size(), sizeof value));
            return value;
        }
    return 0;
}

} // namespace bsc::replay
