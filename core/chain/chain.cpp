// SPDX-License-Identifier: MIT
// Building the stack of extensions, linking its tables, and its lifecycle.
#include "chain.h"

#include <algorithm>
#include <cstring>

#include <fmt/core.h>

#include "constraints.h"
#include "guest_memory.h"

namespace bsc::chain {
namespace {

bool is_top_down(uint32_t event) {
    return event != BSC_EVENT_RESUME && event != BSC_EVENT_RESTORE &&
           event != BSC_EVENT_BEFORE_RESTORE;
}

// The bottom table as the chain keeps it: never more than this runtime knows, and the
// calls a smaller (older) provider lacks left empty.
bsc_downcalls copy_bottom(const bsc_downcalls &bottom) {
    if (BSC_ABI_VERSION_MAJOR(bottom.version) != BSC_ABI_MAJOR ||
        bottom.size < offsetof(bsc_downcalls, vm_alloc))
        throw ChainError(fmt::format("the host table has ABI version {:#x} and size {}; this "
                                     "runtime needs ABI major {}",
                                     bottom.version, bottom.size, BSC_ABI_MAJOR));
    bsc_downcalls table{};
    std::memcpy(&table, &bottom, std::min<size_t>(bottom.size, sizeof table));
    table.size = std::min<uint32_t>(bottom.size, sizeof table);
    return table;
}

ControlRequests &control_requests() {
    static ControlRequests handler;
    return handler;
}

// The context's request_control: hands the request to the runtime's handler.
bsc_status forward_control_request(const char *command, const bsc_option *arguments,
                                   size_t count) {
    const auto &handler = control_requests();
    if (!handler || !command)
        return BSC_E_NOT_SUPPORTED;
    ControlArguments copied;
    for (size_t i = 0; i < count; i++)
        copied.emplace_back(arguments[i].key, arguments[i].value);
    return handler(command, copied);
}

bsc_upcalls empty_upcalls() {
    bsc_upcalls table{};
    table.size = sizeof table;
    table.version = BSC_ABI_VERSION;
    return table;
}

// The first downcall `above` lost compared with `below`, or nullptr.
const char *emptied_downcall(const bsc_downcalls &above, const bsc_downcalls &below) {
#define BSC_CHECK_SLOT(family, name, params) \
    if (below.name && !above.name)           \
        return #name;
    BSC_DOWNCALLS(BSC_CHECK_SLOT)
#undef BSC_CHECK_SLOT
    return nullptr;
}

} // namespace

Chain::Chain(std::vector<ExtensionSpec> specs, const bsc_downcalls &bottom,
             const SearchPath &path) {
    size_t count = specs.size();
    tables_ = std::make_unique<bsc_downcalls[]>(count + 1);
    upcalls_ = std::make_unique<bsc_upcalls[]>(count + 1);
    tables_[count] = copy_bottom(bottom);
    for (size_t i = 0; i <= count; i++)
        upcalls_[i] = empty_upcalls();

    // Everything is loaded and checked before anything runs.
    layers_.reserve(count);
    std::vector<const bsc_extension_descriptor *> descriptors;
    for (auto &spec : specs) {
        Layer &layer = layers_.emplace_back();
        layer.extension = load_extension(spec, path);
        layer.spec = std::move(spec);
        descriptors.push_back(&layer.extension->descriptor());
    }
    check_ordering(descriptors);

    try {
        for (size_t i = count; i-- > 0;)
            join(i);
    } catch (...) {
        finish();
        throw;
    }
    link_upcalls();
}

Chain::~Chain() { finish(); }

void Chain::set_control_requests(ControlRequests handler) { control_requests() = std::move(handler); }

const std::string &Chain::name(size_t position) const { return layers_.at(position).spec.name; }

const std::string &Chain::file(size_t position) const {
    return layers_.at(position).extension->file();
}

void Chain::join(size_t position) {
    Layer &layer = layers_[position];
    for (const auto &option : layer.spec.options)
        layer.options.push_back({option.key.c_str(), option.value.c_str()});
    tables_[position] = tables_[position + 1];
    layer.context = {
        .size = sizeof(bsc_extension_context),
        .version = BSC_ABI_VERSION,
        .below = &tables_[position + 1],
        .above = &tables_[position],
        .upcalls_above = &upcalls_[position],
        .upcalls_below = &upcalls_[position + 1],
        .options = layer.options.data(),
        .option_count = layer.options.size(),
        .position = static_cast<uint32_t>(position),
        .reserved = 0,
        .request_control = forward_control_request,
        .guest_copy = installed_guest_copy(),
    };
    char error[512] = "";
    const auto &descriptor = layer.extension->descriptor();
    bsc_status status = descriptor.init(&layer.context, &layer.instance, error, sizeof error);
    error[sizeof error - 1] = '\0';
    if (status != BSC_OK)
        throw ChainError(fmt::format("extension {} (position {}) refused to start: {}",
                                     layer.spec.name, position,
                                     error[0] ? error : bsc_status_name(status)));
    layer.joined = true;
    layer.upcalls_set = upcalls_[position + 1];
    if (const char *slot = emptied_downcall(tables_[position], tables_[position + 1]))
        throw ChainError(fmt::format("extension {} (position {}) left the downcall {} empty",
                                     layer.spec.name, position, slot));
}

void Chain::link_upcalls() {
    for (size_t level = 1; level <= size(); level++) {
        const bsc_upcalls &own = layers_[level - 1].upcalls_set;
        const bsc_upcalls &above = upcalls_[level - 1];
        bsc_upcalls &table = upcalls_[level];
#define BSC_LINK_UPCALL(name, params) table.name = own.name ? own.name : above.name;
        BSC_UPCALLS(BSC_LINK_UPCALL)
#undef BSC_LINK_UPCALL
    }
}

void Chain::broadcast(uint32_t event) {
    if (event == BSC_EVENT_START || event == BSC_EVENT_RESTORE)
        link_upcalls();
    size_t count = size();
    for (size_t step = 0; step < count; step++) {
        Layer &layer = layers_[is_top_down(event) ? step : count - 1 - step];
        if (auto on_event = layer.extension->descriptor().on_event)
            on_event(layer.instance, event);
    }
}

bsc_status Chain::control(bsc_control_request &request) {
    for (auto &layer : layers_) {
        auto control = layer.extension->control();
        if (!control)
            continue;
        bsc_status status = control(layer.instance, &request);
        if (status != BSC_E_NOT_SUPPORTED)
            return status;
    }
    return BSC_E_NOT_SUPPORTED;
}

std::vector<std::pair<std::string, std::string>> Chain::gather(bsc_control_request &request) {
    std::vector<std::pair<std::string, std::string>> answers;
    for (auto &layer : layers_) {
        auto control = layer.extension->control();
        if (!control || !request.reply_size)
            continue;
        request.reply[0] = '\0';
        if (control(layer.instance, &request) == BSC_OK) {
            request.reply[request.reply_size - 1] = '\0';
            answers.emplace_back(layer.spec.name, request.reply);
        }
    }
    return answers;
}

// Top to bottom, like the other events that end something; only the extensions whose
// init succeeded are told.
void Chain::finish() {
    for (auto &layer : layers_) {
        if (layer.joined && layer.extension->descriptor().fini)
            layer.extension->descriptor().fini(layer.instance);
        layer.joined = false;
    }
    for (auto &layer : layers_)
        layer.extension.reset();
}

} // namespace bsc::chain
