// SPDX-License-Identifier: MIT
// Parsing and checking root= and bind= options.
#include "options.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>
#include <string_view>
#include <system_error>
#include <vector>

#include "paths.h"

namespace bsc::fs_translate {
namespace {

// A bind, or an overlay (its upper tree as `host`, its lower one as `lower`).
struct Bind {
    std::string option; // as given, for messages
    std::string host;
    std::string guest;
    bool read_only = false;
    std::string lower;

    bool overlay() const { return !lower.empty(); }
};

struct Refusal {
    std::string message;
};

[[noreturn]] void refuse(std::string_view option, std::string_view problem) {
    throw Refusal{std::string(option) + ": " + std::string(problem)};
}

// The fields of a colon-separated value.
std::vector<std::string> fields(std::string_view value) {
    std::vector<std::string> out(1);
    for (char c : value) {
        if (c == ':')
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

// The canonical absolute host path of an existing object, and its type (not following
// the final name, which canonical() has resolved already).
std::string host_object(std::string_view option, const std::string &path, Lookup &lookup,
                        uint32_t &type) {
    if (path.empty())
        refuse(option, "a host path is needed");
    std::error_code error;
    auto canonical = std::filesystem::canonical(path, error);
    if (error)
        refuse(option, path + ": " + error.message());
    bsc_stream_attributes attributes{};
    if (bsc_status status = lookup.attributes(canonical.string(), attributes))
        refuse(option, path + ": " + bsc_status_name(status));
    type = attributes.type;
    return canonical.string();
}

std::string root_of(std::string_view option, std::string_view value, Lookup &lookup) {
    uint32_t type = 0;
    std::string root = host_object(option, std::string(value), lookup, type);
    if (type != BSC_TYPE_DIRECTORY)
        refuse(option, std::string(value) + " is not a directory");
    return root;
}

Bind bind_of(std::string_view option, std::string_view value) {
    auto parts = fields(value);
    if (parts.size() < 2 || parts.size() > 3)
        refuse(option, "expected HOST_PATH:GUEST_PATH[:ro] (paths cannot hold ':')");
    Bind bind{std::string(option), parts[0], parts[1], false, ""};
    if (parts.size() == 3) {
        if (parts[2] != "ro" && parts[2] != "rw")
            refuse(option, "the third field must be ro or rw, not '" + parts[2] + "'");
        bind.read_only = parts[2] == "ro";
    }
    if (bind.guest.empty() || bind.guest[0] != '/')
        refuse(option, "the guest path must be absolute");
    return bind;
}

// An overlay's trees (canonical directories that do not contain each other) and where
// it shows: `/` unless a guest path is given.
Bind overlay_of(std::string_view option, std::string_view value, Lookup &lookup) {
    auto parts = fields(value);
    if (parts.size() < 2 || parts.size() > 3)
        refuse(option, "expected LOWER:UPPER[:GUEST_PATH] (paths cannot hold ':')");
    std::string lower = root_of(option, parts[0], lookup);
    std::string upper = root_of(option, parts[1], lookup);
    if (is_within(upper, lower) || is_within(lower, upper))
        refuse(option, "the upper and lower directories overlap");
    std::string guest = parts.size() == 3 ? parts[2] : "/";
    if (guest.empty() || guest[0] != '/')
        refuse(option, "the guest path must be absolute");
    return {std::string(option), upper, guest, false, lower};
}

// Mounts one bind: its mount point is resolved (links followed, as mount(2) does) in the
// namespace built so far, and must be there as the same kind of object.
void mount_bind(const Bind &bind, Lookup &lookup, MountTable &table) {
    uint32_t host_type = BSC_TYPE_DIRECTORY;
    std::string host = bind.overlay() ? bind.host
                                      : host_object(bind.option, bind.host, lookup, host_type);
    Resolution point;
    if (bsc_status status = resolve(table, lookup, bind.guest, Final::follow, point))
        refuse(bind.option, bind.guest + " cannot be reached in the namespace: " +
                                bsc_status_name(status));
    if (point.guest == "/")
        refuse(bind.option, "the guest's / is set with root=, not bound over");
    if (!point.exists)
        refuse(bind.option, bind.guest + " does not exist in the namespace (" + point.host +
                                "): create the mount point first");
    bool directory = host_type == BSC_TYPE_DIRECTORY;
    if ((point.type == BSC_TYPE_DIRECTORY) != directory)
        refuse(bind.option, std::string(directory ? "a directory" : "a non-directory") +
                                " cannot be bound over the " +
                                (directory ? "non-directory " : "directory ") + point.guest);
    if (!table.add({point.guest, host, bind.read_only, bind.lower, host_type}))
        refuse(bind.option, point.guest + " is bound already by an earlier option");
}

} // namespace

bsc_status configure(const bsc_option *options, size_t count, Lookup &lookup, MountTable &table,
                     std::string &error) {
    try {
        std::string root = "/", root_option;
        std::vector<Bind> binds;
        std::optional<Bind> root_overlay;
        std::vector<std::pair<std::string, std::string>> folded_trees; // option, guest path
        for (size_t i = 0; i < count; i++) {
            std::string_view key = options[i].key, value = options[i].value;
            std::string option = std::string(key) + "=" + std::string(value);
            if (key == "root") {
                root = root_of(option, value, lookup), root_option = option;
            } else if (key == "bind") {
                binds.push_back(bind_of(option, value));
            } else if (key == "overlay") {
                Bind overlay = overlay_of(option, value, lookup);
                if (lexically_canonical(overlay.guest) != "/")
                    binds.push_back(std::move(overlay));
                else if (root_overlay)
                    refuse(option, "the guest's / has an overlay already: " + root_overlay->option);
                else
                    root_overlay = std::move(overlay);
            } else if (key == "case-insensitive") {
                if (value.empty() || value[0] != '/')
                    refuse(option, "the guest path must be absolute");
                folded_trees.emplace_back(option, value);
            } else {
                refuse(option, "unknown option");
            }
        }
        if (root_overlay && !root_option.empty())
            refuse(root_overlay->option, "contradicts " + root_option + ": both set the guest's /");
        table = root_overlay ? MountTable(root_overlay->host, root_overlay->lower)
                             : MountTable(root);
        // Shallowest first, so that a bind inside another bind finds its mount point.
        std::stable_sort(binds.begin(), binds.end(), [](const Bind &a, const Bind &b) {
            return components(a.guest).size() < components(b.guest).size();
        });
        for (const auto &bind : binds)
            mount_bind(bind, lookup, table);
        for (const auto &[option, guest] : folded_trees) {
            Resolution tree;
            if (bsc_status status = resolve(table, lookup, guest, Final::follow, tree))
                refuse(option, guest + " cannot be reached in the namespace: " +
                                   bsc_status_name(status));
            if (!tree.exists || tree.type != BSC_TYPE_DIRECTORY)
                refuse(option, guest + " is no directory in the namespace");
            table.add_case_insensitive(tree.guest);
        }
    } catch (const Refusal &refusal) {
        error = refusal.message;
        return BSC_E_INVALID;
    }
    return BSC_OK;
}

} // namespace bsc::fs_translate
