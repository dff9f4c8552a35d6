// SPDX-License-Identifier: MIT
// `bascule-snap inspect IMAGE [--json]`: what an image holds — its chain, the program and
// extension stack, every region with its size and compression, and every object of each
// kind (handles, events, threads: snapshot/object_kinds.h) with all its fields.
#include <cstring>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bascule.h"
#include "commands.h"
#include "image_summary.h"
#include "object_kinds.h"
#include "object_report.h"

namespace bsc::snap {
namespace {

// What an extension left in the image (the runtime's image-state): its text if it is
// printable, else its bytes in hex.
std::string state_text(const std::vector<uint8_t> &blob) {
    bool printable = std::all_of(blob.begin(), blob.end(), [](uint8_t c) { return c >= 0x20 && c < 0x7f; });
    if (printable)
        return {blob.begin(), blob.end()};
    std::string hex = "0x";
    for (uint8_t byte : blob)
        hex += fmt::format("{:02x}", byte);
    return hex;
}

using json = nlohmann::ordered_json;
namespace snap = bsc::snapshot;

constexpr uint64_t kPage = 4096;

// Where a parked thread resumes: the instruction pointer of its recorded exception.
std::optional<uint64_t> resume_rip(const snap::ThreadRecord &thread) {
    if (thread.exception.size() < sizeof(bsc_exception))
        return std::nullopt;
    bsc_exception ex;
    std::memcpy(&ex, thread.exception.data(), sizeof ex);
    return ex.context.rip;
}

json describe(const snap::ImageChain &chain) {
    const auto &top = chain.top();
    const auto &meta = top.metadata();
    json out;
    out["image"] = top.name();
    out["id"] = snap::to_string(meta.image_id);
    out["process_id"] = meta.process_id;
    out["created_unix_ns"] = meta.created_unix_ns;
    out["abi_version"] = fmt::format("{}.{}", BSC_ABI_VERSION_MAJOR(meta.abi_version),
                                     BSC_ABI_VERSION_MINOR(meta.abi_version));
    json parents = json::array();
    for (const auto &image : chain.images().subspan(1))
        parents.push_back({{"image", image.path().string()},
                           {"id", snap::to_string(image.metadata().image_id)}});
    out["parent_chain"] = parents;
    out["program"] = {{"argv", meta.program.argv}, {"cwd", meta.program.working_directory}};
    out["extension_stack"] = meta.extension_stack;
    json states = json::object();
    for (const auto &[name, blob] : meta.extension_blobs)
        states[name] = state_text(blob);
    out["extension_state"] = states;
    json regions = json::array();
    uint64_t memory = 0, stored = 0, compressed = 0;
    for (size_t i = 0; i < meta.regions.size(); i++) {
        const auto &r = meta.regions[i];
        auto stats = top.region_stats(i);
        memory += r.size, stored += stats.uncompressed_bytes, compressed += stats.compressed_bytes;
        regions.push_back({{"address", fmt::format("{:#x}", r.address)},
                           {"size", r.size},
                           {"protection", protection_text(r.protection)},
                           {"origin", snap::to_string(r.origin)},
                           {"uri", r.uri},
                           {"stored_pages", stats.stored_pages},
                           {"zero_pages", stats.zero_pages},
                           {"parent_pages", stats.parent_pages},
                           {"compressed_bytes", stats.compressed_bytes},
                           {"compression_ratio",
                            stats.compressed_bytes
                                ? double(stats.uncompressed_bytes) / double(stats.compressed_bytes)
                                : 0.0}});
    }
    out["regions"] = regions;
    out["memory_bytes"] = memory;
    out["stored_bytes"] = stored;
    out["compressed_bytes"] = compressed;
    out["objects"] = objects_json(meta);
    for (size_t i = 0; i < meta.threads.size(); i++)
        if (auto rip = resume_rip(meta.threads[i]))
            out["objects"]["thread"][i]["rip"] = fmt::format("{:#x}", *rip);
    return out;
}

// An image and, for a tree's first process, the others' (each with its parent's id).
json describe_tree(const snap::ImageChain &chain) {
    json out = describe(chain);
    json members = json::array();
    auto records = chain.top().metadata().tree_members;
    auto chains = member_chains(chain);
    for (size_t i = 0; i < chains.size(); i++) {
        json member = describe(chains[i]);
        member["parent_id"] = records[i].parent_id;
        members.push_back(std::move(member));
    }
    out["tree"] = members;
    return out;
}

void print_text(const json &d);

void print_tree_text(const json &d) {
    print_text(d);
    for (const auto &member : d["tree"]) {
        fmt::print("\n== process {} (child of {})\n", member["process_id"].get<uint64_t>(),
                   member["parent_id"].get<uint64_t>());
        print_text(member);
    }
}

void print_text(const json &d) {
    fmt::print("image    {}\nid       {}\nprocess  {}\nabi      {}\n",
               d["image"].get<std::string>(), d["id"].get<std::string>(),
               d["process_id"].get<uint64_t>(), d["abi_version"].get<std::string>());
    if (d.contains("tree") && !d["tree"].empty())
        fmt::print("tree     {} more processes (below)\n", d["tree"].size());
    for (const auto &p : d["parent_chain"])
        fmt::print("parent   {} ({})\n", p["image"].get<std::string>(), p["id"].get<std::string>());
    std::string argv;
    for (const auto &a : d["program"]["argv"])
        argv += (argv.empty() ? "" : " ") + a.get<std::string>();
    fmt::print("program  {}\ncwd      {}\n", argv, d["program"]["cwd"].get<std::string>());
    std::string stack;
    for (const auto &s : d["extension_stack"])
        stack += (stack.empty() ? "" : " | ") + s.get<std::string>();
    fmt::print("stack    {}\n", stack);
    for (const auto &[name, state] : d["extension_state"].items())
        fmt::print("state    {}: {}\n", name, state.get<std::string>());
    fmt::print("\nregions ({}): memory {:.1f} MiB, stored {:.1f} MiB in {:.1f} MiB\n",
               d["regions"].size(), d["memory_bytes"].get<uint64_t>() / 1048576.0,
               d["stored_bytes"].get<uint64_t>() / 1048576.0,
               d["compressed_bytes"].get<uint64_t>() / 1048576.0);
    fmt::print("  {:<32} {:>10} {:4} {:<15} {:>8} {:>8} {:>8} {:>6}  {}\n", "address", "KiB",
               "prot", "origin", "stored", "zero", "parent", "ratio", "uri");
    for (const auto &r : d["regions"]) {
        uint64_t address = std::stoull(r["address"].get<std::string>(), nullptr, 16);
        uint64_t size = r["size"].get<uint64_t>();
        fmt::print("  {:#014x}-{:#014x}  {:>10} {:4} {:<15} {:>8} {:>8} {:>8} {:>6.1f}  {}\n",
                   address, address + size, size / kPage * 4, r["protection"].get<std::string>(),
                   r["origin"].get<std::string>(), r["stored_pages"].get<uint64_t>(),
                   r["zero_pages"].get<uint64_t>(), r["parent_pages"].get<uint64_t>(),
                   r["compression_ratio"].get<double>(), r["uri"].get<std::string>());
    }
    auto defaults = default_objects_json();
    for (const auto &[kind, objects] : d["objects"].items()) {
        fmt::print("\n{} ({}):\n", snap::plural(kind), objects.size());
        for (const auto &object : objects)
            fmt::print("  {}\n", fields_text(object, defaults[kind]));
    }
}

} // namespace

int inspect_command(const std::string &image, bool as_json) {
    auto chain = open_chain(image);
    if (!chain)
        return kExitFailed;
    json d;
    try {
        d = describe_tree(*chain);
    } catch (const snap::ImageError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    print_report(d, as_json, print_tree_text);
    return 0;
}

} // namespace bsc::snap
