// SPDX-License-Identifier: MIT
// The run-time chain: a stack of extensions between the guest and a bottom table (the
// host PAL), with the downcall and upcall tables that connect them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "bascule_extension.h"
#include "chain_error.h"
#include "extension_spec.h"
#include "loader.h"
#include "search_path.h"

namespace bsc::chain {

// Control requests extensions make (bsc_extension_context.request_control), as the
// runtime receives them: a command and its key=value arguments.
using ControlArguments = std::vector<std::pair<std::string, std::string>>;
using ControlRequests = std::function<bsc_status(const std::string &, const ControlArguments &)>;

// How the tables are laid out (N extensions, position 0 at the top):
//
//   downcalls  tables[0] (top(), the guest calls it) ... tables[N] (a copy of `bottom`)
//   upcalls    upcalls[0] (guest_upcalls(), the guest's entries) ... upcalls[N]
//              (host_upcalls(), the host raises upcalls into it)
//
// Extension i gets below = &tables[i+1], above = &tables[i], upcalls_above = &upcalls[i]
// and upcalls_below = &upcalls[i+1]. All tables live in arrays allocated once, so every
// pointer an extension keeps stays valid as long as the Chain lives.
//
// Construction: every extension is found, loaded and checked (descriptor, options,
// ordering constraints) before any init runs. Then the extensions join bottom-up,
// because each needs a complete table below it. As a convenience, `above` is
// pre-filled with a copy of `below`, so an extension only writes the calls it
// interposes on; an extension that empties a slot it was given is refused.
//
// Upcalls cannot be completed the same way: when extension i joins, nothing above it has
// joined and the guest's entries are not known yet, so upcalls_above is still empty and
// there is nothing to copy. The scheme is therefore: every upcall table starts empty;
// an extension writes into upcalls_below only the upcalls it interposes on (copying from
// the empty upcalls_above is harmless); link_upcalls() then fills, from the top down,
// every slot an extension left empty with the same slot of the level above. It runs
// after the inits (with whatever guest_upcalls() holds then) and again on every
// BSC_EVENT_START and BSC_EVENT_RESTORE broadcast, which the runtime sends after it has
// filled guest_upcalls() and before the host raises the first upcall. A runtime that
// fills guest_upcalls() and raises upcalls without those broadcasts calls link_upcalls()
// itself. An upcall an extension interposes on reads its upcalls_above at call time,
// so it always reaches the current entries above it.
class Chain {
public:
    // Builds the stack `specs` (top to bottom) over `bottom`, normally
    // bsc::host::downcalls(). Throws ChainError (after releasing whatever it loaded or
    // started) if the stack cannot be built.
    Chain(std::vector<ExtensionSpec> specs, const bsc_downcalls &bottom,
          const SearchPath &path = SearchPath::from_environment());
    // Calls every extension's fini, top to bottom, then unloads them.
    ~Chain();
    Chain(const Chain &) = delete;
    Chain &operator=(const Chain &) = delete;

    // The number of extensions.
    size_t size() const { return layers_.size(); }
    // The name and file of the extension at `position` (0 is the topmost).
    const std::string &name(size_t position) const;
    const std::string &file(size_t position) const;

    // The table the guest calls.
    const bsc_downcalls &top() const { return tables_[0]; }
    // The table the host raises upcalls into.
    const bsc_upcalls &host_upcalls() const { return upcalls_[size()]; }
    // The guest's own upcall entries, to be filled by the runtime (then link_upcalls(),
    // or a START / RESTORE broadcast).
    bsc_upcalls &guest_upcalls() { return upcalls_[0]; }

    // Fills the upcall slots no extension interposes on from the level above.
    void link_upcalls();

    // Sends a lifecycle event (BSC_EVENT_*) to every extension: START, EXIT and
    // BEFORE_CHECKPOINT top to bottom, RESUME, RESTORE and BEFORE_RESTORE bottom to top.
    void broadcast(uint32_t event);

    // Hands a control request to the extensions from the top down; the first that does
    // not answer BSC_E_NOT_SUPPORTED serves it. BSC_E_NOT_SUPPORTED if none does.
    bsc_status control(bsc_control_request &request);
    // Hands a request to every extension, from the top down: the name and reply of each
    // that answered BSC_OK (a capture gathers the extensions' image-state this way).
    std::vector<std::pair<std::string, std::string>> gather(bsc_control_request &request);
    // Where extensions' control requests go (one handler per process); without one they
    // are answered BSC_E_NOT_SUPPORTED.
    static void set_control_requests(ControlRequests handler);

private:
    // One extension of the stack, placed once and never moved: the context and the
    // options it was given stay where the extension may keep pointing.
    struct Layer {
        ExtensionSpec spec;
        std::unique_ptr<LoadedExtension> extension;
        std::vector<bsc_option> options; // point into spec
        bsc_extension_context context{};
        bsc_upcalls upcalls_set{}; // its upcalls_below as it left it: non-null = its own
        void *instance = nullptr;
        bool joined = false;
    };

    void join(size_t position);
    void finish();

    std::vector<Layer> layers_;
    std::unique_ptr<bsc_downcalls[]> tables_;
    std::unique_ptr<bsc_upcalls[]> upcalls_;
};

} // namespace bsc::chain
