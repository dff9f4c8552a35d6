// SPDX-License-Identifier: MIT
// Finding, opening and validating extensions before any of them runs.
#include "loader.h"


#include <fmt/format.h>

#include "chain_error.h"

namespace bsc::chain {
namespace {

std::string version_text(uint32_t version) {
    return fmt::format("{}.{}", BSC_ABI_VERSION_MAJOR(version), BSC_ABI_VERSION_MINOR(version));
}

// " (FILE:LINE)" for a spec from a manifest, "" otherwise.
std::string from(const ExtensionSpec &spec) {
    return spec.source.empty() ? "" : fmt::format(" ({})", spec.source);
}

std::string accepted_keys(const bsc_option_spec *options) {
    std::vector<std::string_view> keys;
    for (auto *option = options; option && option->key; option++)
        keys.emplace_back(option->key);
    return keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", "));
}

// The declared spec of `key` (declared as `key`, or as `key+` when repeatable), or null.
const bsc_option_spec *declared(const bsc_option_spec *options, std::string_view key) {
    for (auto *option = options; option && option->key; option++)
        if (option_key(*option) == key)
            return option;
    return nullptr;
}

// An ABI 1.0 descriptor ends before `control`.
constexpr size_t kDescriptorSize_1_0 = offsetof(bsc_extension_descriptor, control);

} // namespace

bool descriptor_readable(const bsc_extension_descriptor &descriptor) {
    return descriptor.size >= kDescriptorSize_1_0;
}

const bsc_extension_descriptor *exported_descriptor(const ObjectFile &object) {
    return static_cast<const bsc_extension_descriptor *>(object.symbol(BSC_EXTENSION_SYMBOL));
}

std::optional<std::string> descriptor_problem(const bsc_extension_descriptor *descriptor,
                                              std::string_view name, std::string_view file) {
    if (!descriptor)
        return fmt::format("{} is not a Bascule extension: it exports no '{}'", file,
                           BSC_EXTENSION_SYMBOL);
    if (!descriptor_readable(*descriptor))
        return fmt::format("extension {} has a descriptor of {} bytes; this runtime needs {}",
                           name, descriptor->size, kDescriptorSize_1_0);
    uint32_t abi = descriptor->abi_version;
    if (BSC_ABI_VERSION_MAJOR(abi) != BSC_ABI_MAJOR || BSC_ABI_VERSION_MINOR(abi) > BSC_ABI_MINOR)
        return fmt::format("extension {} needs ABI {}, this runtime provides {}", name,
                           version_text(abi), version_text(BSC_ABI_VERSION));
    if (!descriptor->name || name != descriptor->name)
        return fmt::format("{} calls itself '{}', not '{}'", file,
                           descriptor->name ? descriptor->name : "", name);
    if (!descriptor->init)
        return fmt::format("extension {} has no init entry point", name);
    return std::nullopt;
}

std::string_view option_key(const bsc_option_spec &option) {
    std::string_view key = option.key;
    return option_repeatable(option) ? key.substr(0, key.size() - 1) : key;
}

bool option_repeatable(const bsc_option_spec &option) {
    std::string_view key = option.key;
    return key.size() > 1 && key.back() == '+';
}

void check_options(const ExtensionSpec &spec, const bsc_extension_descriptor &descriptor) {
    for (size_t i = 0; i < spec.options.size(); i++) {
        const auto &option = spec.options[i];
        const bsc_option_spec *accepted = declared(descriptor.options, option.key);
        if (!accepted)
            throw ChainError(fmt::format("unknown option '{}' for extension {}{}; accepted: {}",
                                         option.key, spec.name, from(spec),
                                         accepted_keys(descriptor.options)));
        for (size_t j = 0; j < i && !option_repeatable(*accepted); j++)
            if (spec.options[j].key == option.key)
                throw ChainError(fmt::format("option '{}' given twice for extension {}{}",
                                             option.key, spec.name, from(spec)));
    }
}

LoadedExtension::LoadedExtension(std::string_view name, std::string file)
    : object_(std::move(file)), descriptor_(exported_descriptor(object_)) {
    if (auto problem = descriptor_problem(descriptor_, name, object_.path()))
        throw ChainError(*problem);
}

std::unique_ptr<LoadedExtension> load_extension(const ExtensionSpec &spec, const SearchPath &path) {
    auto file = path.find(spec.name);
    if (!file)
        throw ChainError(fmt::format("no extension named '{}'{} (looked for {} in: {})",
                                     spec.name, from(spec), extension_file_name(spec.name),
                                     path.describe()));
    auto extension = std::make_unique<LoadedExtension>(spec.name, std::move(*file));
    check_options(spec, extension->descriptor());
    return extension;
}

} // namespace bsc::chain
