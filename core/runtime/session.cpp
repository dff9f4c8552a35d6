// SPDX-License-Identifier: MIT
#include "session.h"

#include "bascule_host.h"

namespace bsc::runtime {
namespace {

// The stack as specs: the manifest's extensions, then those given one by one.
std::vector<chain::ExtensionSpec> specs_of(const SessionOptions &options) {
    std::vector<chain::ExtensionSpec> specs;
    if (!options.manifest.empty())
        specs = chain::parse_manifest(options.manifest);
    for (const auto &text : options.extensions)
        specs.push_back(chain::parse_extension_spec(text));
    return specs;
}

// The stack as an image records it, one spec per extension, manifest's included: a
// restore rebuilds it from these alone.
std::vector<std::string> spec_texts(const std::vector<chain::ExtensionSpec> &specs) {
    std::vector<std::string> texts;
    for (const auto &spec : specs)
        texts.push_back(chain::to_string(spec));
    return texts;
}

// The stack as `run` options, which a child process's runtime is given.
std::vector<std::string> stack_options(const SessionOptions &options) {
    std::vector<std::string> given;
    if (!options.manifest.empty())
        given.insert(given.end(), {"--manifest", options.manifest});
    for (const auto &text : options.extensions)
        given.insert(given.end(), {"--ext", text});
    return given;
}

} // namespace

Session::HostSetUp::HostSetUp() { host::initialise(); }

Session::Session(const SessionOptions &options)
    : specs_(specs_of(options)), chain_(specs_, host::downcalls()),
      ends_{&chain_.top(),
            &chain_.host_upcalls(),
            &chain_.guest_upcalls(),
            [this](uint32_t event) { chain_.broadcast(event); },
            [this](bsc_control_request &request) { return chain_.control(request); },
            [this](bsc_control_request &request) { return chain_.gather(request); },
            spec_texts(specs_),
            chain::Chain::set_control_requests} {
    host::set_process_command(child_runtime_command(options.runtime, stack_options(options)));
}

void Session::run(const GuestProgram &program) { run_guest(ends_, program); }

void Session::restore(const RestoredGuest &guest) { restore_guest(ends_, guest); }

} // namespace bsc::runtime
