// SPDX-License-Identifier: MIT
// Helpers shared by the test extensions: a descriptor with defaults and option lookup.
#pragma once

#include <cstring>

#include "bascule_extension.h"

#define TEST_EXTENSION \
    extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor bascule_extension

namespace test_extension {

inline const char *const no_names[] = {nullptr};
inline const bsc_option_spec no_options[] = {{nullptr, nullptr}};

// An extension that interposes on nothing: the chain pre-fills `above` with `below`
// and links every upcall it leaves empty.
inline bsc_status join_only(const bsc_extension_context *, void **, char *, size_t) {
    return BSC_OK;
}

constexpr bsc_extension_descriptor descriptor(const char *name) {
    return {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = name,
        .version = "test",
        .summary = "an extension for the chain's unit tests",
        .must_be_below = no_names,
        .must_be_above = no_names,
        .options = no_options,
        .init = join_only,
        .on_event = nullptr,
        .fini = nullptr,
        .control = nullptr,
    };
}

// The value of option `key`, or nullptr.
inline const char *option(const bsc_extension_context *context, const char *key) {
    for (size_t i = 0; i < context->option_count; i++)
        if (std::strcmp(context->options[i].key, key) == 0)
            return context->options[i].value;
    return nullptr;
}

} // namespace test_extension
