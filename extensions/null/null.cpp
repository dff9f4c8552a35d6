// SPDX-License-Identifier: MIT
// The null extension: interposes on every downcall and upcall and passes each on
// unchanged, to test stacking and to measure what one layer costs.
#include "bascule_extension.h"

namespace {

// Per instance: the chain gives each instance its own copy of this object.
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;

// One pass-through per slot, generated from the slot's function-pointer type. Each
// compiles to a load of `below` and a tail jump through the slot.
template <auto Slot, class Fn> struct Down;
template <auto Slot, class... Args> struct Down<Slot, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) { return (below->*Slot)(args...); }
};

// Upcalls read the table above at call time: it is completed after every init.
template <auto Slot, class Fn> struct Up;
template <auto Slot, class... Args> struct Up<Slot, void (*)(Args...)> {
    static void call(Args... args) { (upcalls_above->*Slot)(args...); }
};

bsc_status init(const bsc_extension_context *context, void **, char *, size_t) {
    below = context->below;
    upcalls_above = context->upcalls_above;
#define NULL_DOWNCALL(family, name, params) \
    context->above->name = Down<&bsc_downcalls::name, decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(NULL_DOWNCALL)
#undef NULL_DOWNCALL
#define NULL_UPCALL(name, params) \
    context->upcalls_below->name = Up<&bsc_upcalls::name, decltype(bsc_upcalls::name)>::call;
    BSC_UPCALLS(NULL_UPCALL)
#undef NULL_UPCALL
    return BSC_OK;
}

const char *const no_names[] = {nullptr};
const bsc_option_spec no_options[] = {{nullptr, nullptr}};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "null",
        .version = "1.0",
        .summary = "passes every downcall and upcall on unchanged (tests, per-layer cost)",
        .must_be_below = no_names,
        .must_be_above = no_names,
        .options = no_options,
        .init = init,
        .on_event = nullptr,
        .fini = nullptr,
        .control = nullptr,
};
