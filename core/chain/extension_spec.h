// SPDX-License-Identifier: MIT
// Extension specs (`NAME[:key=value,...]`) as given with --ext or in a manifest file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bsc::chain {

struct ExtensionOption {
    std::string key;
    std::string value; // "" for a bare key

    bool operator==(const ExtensionOption &) const = default;
};

struct ExtensionSpec {
    std::string name;
    std::vector<ExtensionOption> options; // in the order given
    std::string source; // where it came from ("FILE:LINE" for a manifest), or ""

    bool operator==(const ExtensionSpec &) const = default;
};

// Parses `NAME[:key=value,key=value,...]`. A name and a key are letters, digits, '-' and
// '_' (a key may also hold '.'); a value is everything after the first '=' and may
// contain '=' and ':'. `\,` puts a comma into a value and `\\` a backslash; any other
// backslash is kept as it is. A key without '=' has the value "". A key may come more
// than once: the loader refuses that unless the extension declares the key repeatable
// (check_options). Throws ChainError naming the spec.
ExtensionSpec parse_extension_spec(std::string_view text);

// Parses a manifest: one spec per line, top of the stack first. Blank lines and lines
// whose first non-blank character is '#' are skipped; leading and trailing blanks of a
// line are ignored. `source` names the text in messages and in each spec's source
// ("FILE:LINE: ...").
std::vector<ExtensionSpec> parse_manifest_text(std::string_view text, std::string_view source);

// Reads and parses a manifest file. Throws ChainError if it cannot be read.
std::vector<ExtensionSpec> parse_manifest(const std::string &path);

// The spec written back in the syntax parse_extension_spec reads.
std::string to_string(const ExtensionSpec &spec);

} // namespace bsc::chain
