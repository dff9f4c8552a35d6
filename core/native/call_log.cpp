// SPDX-License-Identifier: MIT
// The recording downcall table of the native personality, generated from BSC_DOWNCALLS.
#include "call_log.h"

#include "native.h"

namespace native::call_log {
namespace {

enum Slot : uint16_t {
#define BSC_SLOT_ENUM(family, name, params) slot_##name,
    BSC_DOWNCALLS(BSC_SLOT_ENUM)
#undef BSC_SLOT_ENUM
};

const char *const slot_names[] = {
#define BSC_SLOT_NAME(family, name, params) #name,
    BSC_DOWNCALLS(BSC_SLOT_NAME)
#undef BSC_SLOT_NAME
};

constexpr uint32_t kCapacity = 1 << 16;
uint16_t recorded[kCapacity];
uint32_t count;
const char *log_path;
const bsc_downcalls *below;
bsc_downcalls recording;

template <auto Member, Slot slot, class Fn> struct Recorder;
template <auto Member, Slot slot, class... Args>
struct Recorder<Member, slot, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        uint32_t at = __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
        if (at < kCapacity)
            recorded[at] = slot;
        return (below->*Member)(args...);
    }
};

} // namespace

void initialise(const bsc_downcalls &raw) {
    log_path = getenv("BSC_NATIVE_CALL_LOG");
    if (!log_path)
        return;
    below = &raw;
    recording.size = raw.size;
    recording.version = raw.version;
#define BSC_RECORD_SLOT(family, name, params)                                                   \
    recording.name = Recorder<&bsc_downcalls::name, slot_##name,                               \
                              decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(BSC_RECORD_SLOT)
#undef BSC_RECORD_SLOT
}

const bsc_downcalls &table(const bsc_downcalls &raw) { return log_path ? recording : raw; }

void flush(const bsc_downcalls &raw, int status) {
    if (!log_path)
        return;
    // The exit itself is a call the guest makes.
    uint32_t at = __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
    if (at < kCapacity)
        recorded[at] = slot_process_exit;
    char uri[4200] = "file:";
    size_t n = strlen(log_path);
    if (n + 6 > sizeof uri)
        return;
    memcpy(uri + 5, log_path, n + 1);
    bsc_handle file;
    if (raw.stream_open(uri, BSC_ACCESS_WRITE, 0644, BSC_CREATE_TRY, BSC_OPTION_TRUNCATE,
                        &file) != BSC_OK)
        return;
    log_path = nullptr; // print() goes through abi(): keep the log's own writes out of it
    uint32_t total = count < kCapacity ? count : kCapacity;
    for (uint32_t i = 0; i < total; i++)
        print(file, "%s\n", slot_names[recorded[i]]);
    print(file, "exit %d\n", status);
    raw.object_close(file);
}

} // namespace native::call_log
