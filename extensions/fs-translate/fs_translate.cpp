// SPDX-License-Identifier: MIT
// The fs-translate extension: a path namespace (root, binds) between the guest's view of
// the file system and the host's. Its descriptor, options and lifecycle.
#include <cstring>

#include "bascule_extension.h"
#include "options.h"
#include "translator.h"
#include "guest_memory.h"

namespace {

using namespace bsc::fs_translate;

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t size) {
    bsc::adopt_guest_copy(context); // before anything reads guest memory
    State &s = state();
    s.below = context->below;
    s.upcalls_above = context->upcalls_above;
    BelowLookup lookup;
    std::string problem;
    if (bsc_status status =
            configure(context->options, context->option_count, lookup, s.table, problem)) {
        std::strncpy(error, problem.c_str(), size - 1);
        error[size - 1] = '\0';
        return status;
    }
    install(*context->above, *context->upcalls_below);
    return BSC_OK;
}

void on_event(void *, uint32_t event) {
    if (event == BSC_EVENT_START || event == BSC_EVENT_BEFORE_RESTORE ||
        event == BSC_EVENT_RESTORE)
        state().active.store(true, std::memory_order_release);
    // Once the guest's memory is in place (a restore rebuilds it after BEFORE_RESTORE),
    // before the guest can fork.
    if (event == BSC_EVENT_START || event == BSC_EVENT_RESTORE)
        start_directory_cache();
}

const char *const below_of[] = {"checkpoint", nullptr};
const char *const above_of[] = {"record", nullptr};
const bsc_option_spec options[] = {
    {"root", "DIR: the host directory that is the guest's / (default: the host's /)"},
    {"bind+", "HOST_PATH:GUEST_PATH[:ro]: a host file or directory appears at GUEST_PATH "
              "(read-only with :ro); repeatable"},
    {"overlay+", "LOWER:UPPER[:GUEST_PATH]: UPPER over LOWER at GUEST_PATH (default /); "
                 "writes land in UPPER, LOWER is never changed; repeatable"},
    {"case-insensitive+", "GUEST_PATH: names below it are looked up ignoring case (Unicode "
                          "simple case folding); repeatable"},
    {nullptr, nullptr},
};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "fs-translate",
        .version = "1.0",
        .summary = "a path namespace between guest and host: root, binds, overlays, "
                   "case-insensitive trees",
        .must_be_below = below_of,
        .must_be_above = above_of,
        .options = options,
        .init = init,
        .on_event = on_event,
        .fini = nullptr,
        .control = nullptr,
};
