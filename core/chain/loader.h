// SPDX-License-Identifier: MIT
// Loading one extension: find its file, open it, and check its descriptor and options.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bascule_extension.h"
#include "extension_spec.h"
#include "object_file.h"
#include "search_path.h"

namespace bsc::chain {

// An extension's object file, open, with a descriptor that passed validate_descriptor.
class LoadedExtension {
public:
    // Opens `file` and checks that it holds a usable extension called `name`; throws
    // ChainError otherwise.
    LoadedExtension(std::string_view name, std::string file);

    const bsc_extension_descriptor &descriptor() const { return *descriptor_; }
    // The control entry, or null if the extension has none (or predates ABI 1.1).
    auto control() const {
        return descriptor_->size > offsetof(bsc_extension_descriptor, control)
                   ? descriptor_->control
                   : nullptr;
    }
    const std::string &file() const { return object_.path(); }

private:
    ObjectFile object_;
    const bsc_extension_descriptor *descriptor_;
};

// The descriptor an object exports (BSC_EXTENSION_SYMBOL), or nullptr.
const bsc_extension_descriptor *exported_descriptor(const ObjectFile &object);

// Whether the fields up to `fini` can be read: a descriptor of ABI 1.0 or later (1.0's
// ends before `control`).
bool descriptor_readable(const bsc_extension_descriptor &descriptor);

// What makes a descriptor unusable by this runtime, or nullopt if nothing: too small,
// another ABI major or a newer minor, a name other than `name`, no init.
std::optional<std::string> descriptor_problem(const bsc_extension_descriptor *descriptor,
                                              std::string_view name, std::string_view file);

// A declared option's key, without the `+` that marks a repeatable one (since 1.4).
std::string_view option_key(const bsc_option_spec &option);
bool option_repeatable(const bsc_option_spec &option);

// Throws ChainError if the spec gives a key the descriptor does not accept, or gives a
// key more than once that the descriptor does not declare repeatable.
void check_options(const ExtensionSpec &spec, const bsc_extension_descriptor &descriptor);

// Finds the extension `spec` names on `path`, loads it and checks its options; throws
// ChainError naming the extension and where it was looked for.
std::unique_ptr<LoadedExtension> load_extension(const ExtensionSpec &spec, const SearchPath &path);

} // namespace bsc::chain
