// SPDX-License-Identifier: MIT
// Component-by-component path resolution inside the namespace.
#include "resolver.h"

#include <vector>

#include "paths.h"

namespace bsc::fs_translate {
namespace {

// Puts the components of `path` on the stack `pending` so that the first comes off first.
void push_components(std::vector<std::string> &pending, std::string_view path) {
    auto names = components(path);
    for (auto it = names.rbegin(); it != names.rend(); ++it)
        pending.emplace_back(*it);
}

} // namespace

bsc_status resolve(const MountTable &table, Lookup &lookup, std::string_view guest, Final final,
                   Resolution &out) {
    if (guest.empty())
        return BSC_E_NOT_FOUND;
    bool must_be_directory = guest.size() > 1 && guest.back() == '/';
    std::vector<std::string> pending, walked;
    push_components(pending, guest);
    int links = 0;
    out.exists = true, out.type = BSC_TYPE_DIRECTORY; // "/" itself
    while (!pending.empty()) {
        std::string name = std::move(pending.back());
        pending.pop_back();
        if (name == "." || name == "..") {
            // What came before was checked to be a directory when it was walked.
            if (name == ".." && !walked.empty())
                walked.pop_back();
            out.exists = true, out.type = BSC_TYPE_DIRECTORY;
            continue;
        }
        walked.push_back(std::move(name));
        bool last = pending.empty();
        std::string host = table.host_of(join(walked));
        bsc_stream_attributes attributes{};
        bsc_status status = lookup.attributes(host, attributes);
        if (status == BSC_E_NOT_FOUND && last) {
            out.exists = false, out.type = BSC_TYPE_UNKNOWN;
            break;
        }
        if (status != BSC_OK)
            return status;
        bool follow = !last || final == Final::follow || must_be_directory;
        if (attributes.type == BSC_TYPE_SYMLINK && follow) {
            std::string text;
            if (++links > kMaxLinks)
                return BSC_E_LOOP;
            if ((status = lookup.read_link(host, text)) != BSC_OK)
                return status;
            if (text.empty())
                return BSC_E_NOT_FOUND;
            walked.pop_back();
            if (text[0] == '/')
                walked.clear();
            push_components(pending, text);
            if (text.back() == '/' && pending.empty())
                must_be_directory = true;
            out.exists = true, out.type = BSC_TYPE_DIRECTORY; // where the text starts
            continue;
        }
        if (!last && attributes.type != BSC_TYPE_DIRECTORY)
            return BSC_E_NOT_DIRECTORY;
        out.exists = true, out.type = attributes.type;
    }
    out.guest = join(walked);
    out.mount = &table.mount_of(out.guest);
    out.host = table.host_of(out.guest);
    if (must_be_directory && out.host != "/")
        out.host += '/';
    return BSC_OK;
}

} // namespace bsc::fs_translate
