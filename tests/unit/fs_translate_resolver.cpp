// SPDX-License-Identifier: MIT
// fs-translate's resolver against a reference model: over random trees (a root and a bind,
// with links up, down, absolute and in loops) and random paths, the resolver's answer is
// what walking the tree node by node gives, and it never hands the host a path through a
// link. Also the lexical helpers and the mount table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "case_folding.h"
#include "directory_cache.h"
#include "mount_table.h"
#include "paths.h"
#include "resolver.h"

using namespace bsc::fs_translate;

namespace {

uint64_t next_inode = 1;

// A node of the host's tree.
struct Node {
    uint64_t inode = next_inode++; // never reused: a node made again is another object
    uint32_t type = BSC_TYPE_DIRECTORY;
    std::string text; // a link's
    Node *parent = nullptr;
    std::map<std::string, std::unique_ptr<Node>> children;

    Node *add(const std::string &name, uint32_t kind, std::string link = {}) {
        auto &slot = children[name];
        slot = std::make_unique<Node>();
        slot->type = kind;
        slot->text = std::move(link);
        slot->parent = this;
        return slot.get();
    }
    Node *child(const std::string &name) const {
        auto it = children.find(name);
        return it == children.end() ? nullptr : it->second.get();
    }
};

// The host as the resolver sees it. A lookup walks the host path without following any
// link: meeting one on the way means the resolver handed the host a path through a link,
// which the real host would follow (out of the namespace): the test flags it.
class ModelHost : public Lookup {
public:
    explicit ModelHost(Node &root) : root_(root) {}

    Node *find(const std::string &host, bsc_status &status) {
        Node *node = &root_;
        for (auto name : components(host)) {
            if (node->type == BSC_TYPE_SYMLINK)
                followed_link = true;
            if (node->type != BSC_TYPE_DIRECTORY) {
                status = BSC_E_NOT_DIRECTORY;
                return nullptr;
            }
            if (name == "." || name == "..") {
                followed_link = true; // the resolver never sends these
                return nullptr;
            }
            node = node->child(std::string(name));
            if (!node) {
                status = BSC_E_NOT_FOUND;
                return nullptr;
            }
        }
        status = BSC_OK;
        return node;
    }
    bsc_status attributes(const std::string &host, bsc_stream_attributes &out) override {
        bsc_status status;
        Node *node = find(host, status);
        looks++;
        if (node)
            out.type = node->type, out.device = 1, out.inode = node->inode;
        return status;
    }
    bsc_status read_link(const std::string &host, std::string &text) override {
        bsc_status status;
        Node *node = find(host, status);
        if (!node)
            return status;
        if (node->type != BSC_TYPE_SYMLINK)
            return BSC_E_INVALID;
        text = node->text;
        return BSC_OK;
    }
    bsc_status list(const std::string &host, std::vector<std::string> &names) override {
        bsc_status status;
        Node *node = find(host, status);
        if (!node)
            return status;
        for (const auto &[name, child] : node->children)
            names.push_back(name);
        return BSC_OK;
    }

    bool followed_link = false;
    int looks = 0; // attribute queries answered

private:
    Node &root_;
};

// What the reference walk ends in: an existing node, or a missing name in a directory.
struct Answer {
    bsc_status status = BSC_OK;
    Node *node = nullptr;   // when it exists
    Node *parent = nullptr; // when it does not
    std::string name;
};

Answer failure(bsc_status status) { return {status, nullptr, nullptr, ""}; }

// The namespace as a Linux chroot with one bind mount sees it, walked node by node: the
// guest root's ".." is itself, the bind's root's ".." is its mount point's parent, an
// absolute link restarts at the guest root.
class Reference {
public:
    Reference(Node *guest_root, Node *mount_point, Node *bind_root)
        : root_(guest_root), mount_point_(mount_point), bind_root_(bind_root) {}

    Answer resolve(const std::string &path, bool follow) const {
        std::vector<std::string> pending;
        push(pending, path);
        Node *at = root_;
        int links = 0;
        Answer answer{BSC_OK, root_, nullptr, ""};
        while (!pending.empty()) {
            std::string name = pending.back();
            pending.pop_back();
            bool last = pending.empty();
            if (name == ".") {
                answer = {BSC_OK, at, nullptr, ""};
                continue;
            }
            if (name == "..") {
                at = at == root_ ? root_ : at == bind_root_ ? mount_point_->parent : at->parent;
                answer = {BSC_OK, at, nullptr, ""};
                continue;
            }
            Node *next = at->child(name);
            if (next == mount_point_)
                next = bind_root_;
            if (!next) {
                if (!last)
                    return failure(BSC_E_NOT_FOUND);
                return {BSC_OK, nullptr, at, name};
            }
            if (next->type == BSC_TYPE_SYMLINK && (!last || follow)) {
                if (++links > kMaxLinks)
                    return failure(BSC_E_LOOP);
                if (next->text.empty())
                    return failure(BSC_E_NOT_FOUND);
                if (next->text[0] == '/')
                    at = root_;
                push(pending, next->text);
                answer = {BSC_OK, at, nullptr, ""};
                continue;
            }
            if (!last && next->type != BSC_TYPE_DIRECTORY)
                return failure(BSC_E_NOT_DIRECTORY);
            if (!last)
                at = next;
            answer = {BSC_OK, next, nullptr, ""};
        }
        return answer;
    }

private:
    static void push(std::vector<std::string> &pending, const std::string &path) {
        auto names = components(path);
        for (auto it = names.rbegin(); it != names.rend(); ++it)
            pending.emplace_back(*it);
    }

    Node *root_, *mount_point_, *bind_root_;
};

const char *const kNames[] = {"a", "b", "m", "x"};

std::string random_path(std::mt19937 &random, bool absolute) {
    std::uniform_int_distribution<int> count(absolute ? 0 : 1, 5), pick(0, 6);
    std::string path = absolute ? "/" : "";
    int n = count(random);
    for (int i = 0; i < n; i++) {
        int p = pick(random);
        std::string name = p < 4 ? kNames[p] : p == 4 ? "." : "..";
        path += (i && !path.empty() && path.back() != '/' ? "/" : "") + name;
    }
    return path.empty() ? "." : path;
}

// Fills `dir` with random files, directories and links, `depth` more levels deep.
void grow(Node &dir, std::mt19937 &random, int depth) {
    if (depth < 0)
        return;
    std::uniform_int_distribution<int> kind(0, 5);
    for (const char *name : kNames) {
        int k = kind(random);
        if (k == 0)
            continue;
        if (k == 1)
            dir.add(name, BSC_TYPE_FILE);
        else if (k <= 3)
            grow(*dir.add(name, BSC_TYPE_DIRECTORY), random, depth - 1);
        else
            dir.add(name, BSC_TYPE_SYMLINK, random_path(random, k == 5));
    }
}

// Resolves `path` with the resolver and with the reference: the same status, and the
// resolver never handed the host a path through a link.
bsc_status resolve_both(const MountTable &table, ModelHost &model, const Reference &reference,
                        const std::string &path, bool follow, Answer &expected, Resolution &r,
                        DirectoryCache *cache = nullptr) {
    INFO("path " << path << (follow ? " (follow)" : " (no follow)"));
    expected = reference.resolve(path, follow);
    bsc_status status =
        resolve(table, model, path, follow ? Final::follow : Final::no_follow, r, cache);
    REQUIRE_FALSE(model.followed_link);
    REQUIRE(bsc_status_name(status) == std::string(bsc_status_name(expected.status)));
    return status;
}

} // namespace

TEST_CASE("fs-translate paths: lexical helpers", "[fs-translate]") {
    CHECK(lexically_canonical("/a/./b/../../..//c/") == "/c");
    CHECK(lexically_canonical("x/../../y", "/base/dir") == "/base/y");
    CHECK(lexically_canonical("../../..", "/base") == "/");
    CHECK(is_within("/a/b", "/a"));
    CHECK(is_within("/a", "/a"));
    CHECK_FALSE(is_within("/ab", "/a"));
    CHECK(is_within("/anything", "/"));
    CHECK(rebase("/a/b/c", "/a", "/host/x") == "/host/x/b/c");
    CHECK(rebase("/a", "/a", "/host") == "/host");
    CHECK(rebase("/etc/passwd", "/", "/srv/root") == "/srv/root/etc/passwd");
    CHECK(rebase("/srv/root/etc", "/srv/root", "/") == "/etc");
}

TEST_CASE("fs-translate mounts: longest prefix both ways", "[fs-translate]") {
    MountTable table("/srv/root");
    REQUIRE(table.add({"/data", "/home/me/data", false, "", BSC_TYPE_DIRECTORY}));
    REQUIRE(table.add({"/data/ro", "/opt/ro", true, "", BSC_TYPE_DIRECTORY}));
    CHECK_FALSE(table.add({"/data", "/elsewhere", false, "", BSC_TYPE_DIRECTORY}));
    CHECK(table.host_of("/") == "/srv/root");
    CHECK(table.host_of("/etc/x") == "/srv/root/etc/x");
    CHECK(table.host_of("/data/f") == "/home/me/data/f");
    CHECK(table.host_of("/data/ro/f") == "/opt/ro/f");
    CHECK(table.host_of("/database") == "/srv/root/database");
    CHECK(table.mount_of("/data/ro/f").read_only);
    CHECK(table.guest_of("/home/me/data/f") == "/data/f");
    CHECK(table.guest_of("/srv/root") == "/");
    CHECK(table.guest_of("/opt/ro") == "/data/ro");
    CHECK(table.guest_of("/tmp/outside") == std::nullopt);
    CHECK(table.is_mount_point("/data/ro"));
    CHECK_FALSE(table.is_mount_point("/"));
}

TEST_CASE("fs-translate resolver: the reference model's answers on random trees",
          "[fs-translate]") {
    std::mt19937 random(20261203);
    int compared = 0, found = 0, missing = 0, errors = 0;
    for (int tree = 0; tree < 300; tree++) {
        Node host;
        Node *guest_root = host.add("rootfs", BSC_TYPE_DIRECTORY);
        Node *bind_root = host.add("bindsrc", BSC_TYPE_DIRECTORY);
        host.add("outside", BSC_TYPE_DIRECTORY)->add("secret", BSC_TYPE_FILE);
        grow(*guest_root, random, 2);
        grow(*bind_root, random, 2);
        Node *mount_point = guest_root->add("mnt", BSC_TYPE_DIRECTORY);
        MountTable table("/rootfs");
        REQUIRE(table.add({"/mnt", "/bindsrc", false, "", BSC_TYPE_DIRECTORY}));
        Reference reference(guest_root, mount_point, bind_root);
        ModelHost model(host);
        for (int i = 0; i < 200; i++) {
            std::string path = random_path(random, true);
            if (i % 4 == 0)
                path = "/mnt" + path;
            bool follow = random() % 2;
            INFO("path " << path << (follow ? " (follow)" : " (no follow)") << ", tree " << tree);
            Answer expected;
            Resolution r;
            bsc_status status = resolve_both(table, model, reference, path, follow, expected, r);
            compared++;
            if (status != BSC_OK) {
                errors++;
                continue;
            }
            INFO("host path " << r.host);
            REQUIRE(r.exists == (expected.node != nullptr));
            bsc_status found_status;
            if (r.exists) {
                found++;
                Node *node = model.find(r.host, found_status);
                REQUIRE(node == expected.node);
                REQUIRE(r.type == node->type);
                // Reversed, the host path names the same guest path.
                REQUIRE(table.guest_of(r.host) == r.guest);
            } else {
                missing++;
                std::string parent = r.host.substr(0, std::max<size_t>(1, r.host.rfind('/')));
                REQUIRE(model.find(parent, found_status) == expected.parent);
                REQUIRE(r.host.substr(r.host.rfind('/') + 1) == expected.name);
            }
            // Whatever the path, the host is never asked about anything outside the
            // mapped trees.
            REQUIRE((is_within(r.host, "/rootfs") || is_within(r.host, "/bindsrc")));
        }
    }
    // The random trees reach every kind of answer.
    CHECK(found > 1000);
    CHECK(missing > 1000);
    CHECK(errors > 1000);
    CHECK(compared == 60000);
}

namespace {

// The directories below `dir` (not `dir` itself, nor `skip`, a mount point), or only those
// with no directory below them.
void directories(Node &dir, const Node *skip, bool leaves_only, std::vector<Node *> &out) {
    for (auto &[name, child] : dir.children) {
        if (child.get() == skip || child->type != BSC_TYPE_DIRECTORY)
            continue;
        bool leaf = true;
        for (auto &[_, grandchild] : child->children)
            leaf = leaf && grandchild->type != BSC_TYPE_DIRECTORY;
        if (!leaves_only || leaf)
            out.push_back(child.get());
        directories(*child, skip, leaves_only, out);
    }
}

// The name `node` has in its parent.
std::string name_of(const Node &node) {
    for (auto &[name, child] : node.parent->children)
        if (child.get() == &node)
            return name;
    return "";
}

// Changes one random directory below `root`, as a rename, rmdir, mkdir or symlink would:
// moved to a free name (in its parent or in another directory), swapped for a link or a
// file, or removed and made again (another object, perhaps with other contents). A
// change made behind the guest's back (`outside`) swaps only directories with none below
// them for a link: one that a cached directory lies below is the case README.md's Limits
// names, which the model (a walk that meets a link fails the test) cannot allow.
void change(Node &root, const Node *mount_point, std::mt19937 &random, bool outside) {
    std::vector<Node *> all, leaves;
    directories(root, mount_point, false, all);
    directories(root, mount_point, true, leaves);
    if (all.empty())
        return;
    Node *victim = all[random() % all.size()];
    Node *parent = victim->parent;
    std::string name = name_of(*victim);
    switch (random() % 5) {
    case 0: { // renamed to a free name in a directory that is not below it
        Node *to = random() % 2 ? parent : all[random() % all.size()];
        for (Node *up = to; up; up = up->parent)
            if (up == victim)
                return;
        for (const char *free_name : kNames)
            if (!to->child(free_name)) {
                auto moved = std::move(parent->children[name]);
                parent->children.erase(name);
                moved->parent = to;
                to->children[free_name] = std::move(moved);
                return;
            }
        return;
    }
    case 1:
        if (outside && std::find(leaves.begin(), leaves.end(), victim) == leaves.end())
            return;
        parent->add(name, BSC_TYPE_SYMLINK, random_path(random, random() % 2));
        return;
    case 2:
        parent->add(name, BSC_TYPE_FILE);
        return;
    case 3:
        parent->children.erase(name);
        return;
    default:
        grow(*parent->add(name, BSC_TYPE_DIRECTORY), random, 1);
        return;
    }
}

} // namespace

TEST_CASE("fs-translate resolver: the directory cache, with names changed between lookups",
          "[fs-translate]") {
    // Two processes of one tree (two caches, one generation) look paths up in turn while
    // directories are renamed, swapped for links or files, removed and made again: by one
    // of them (the generation moves) or by a process outside the guest (it does not). Every
    // answer must be the reference's, as without a cache.
    std::mt19937 random(20261207);
    int cached_looks = 0, fresh_looks = 0, changes = 0;
    for (int tree = 0; tree < 200; tree++) {
        Node host;
        Node *guest_root = host.add("rootfs", BSC_TYPE_DIRECTORY);
        Node *bind_root = host.add("bindsrc", BSC_TYPE_DIRECTORY);
        grow(*guest_root, random, 3);
        grow(*bind_root, random, 2);
        Node *mount_point = guest_root->add("mnt", BSC_TYPE_DIRECTORY);
        MountTable table("/rootfs");
        REQUIRE(table.add({"/mnt", "/bindsrc", false, "", BSC_TYPE_DIRECTORY}));
        Reference reference(guest_root, mount_point, bind_root);
        ModelHost model(host), fresh_model(host);
        std::atomic<uint64_t> generation{0};
        DirectoryCache process[2];
        process[0].follow(&generation);
        process[1].follow(&generation);
        for (int i = 0; i < 300; i++) {
            if (i % 10 == 9) {
                bool outside = random() % 2;
                Node *tree_root = random() % 4 ? guest_root : bind_root;
                change(*tree_root, mount_point, random, outside);
                changes++;
                if (!outside)
                    process[random() % 2].changed();
            }
            std::string path = random_path(random, true);
            if (i % 4 == 0)
                path = "/mnt" + path;
            bool follow = random() % 2;
            INFO("path " << path << ", tree " << tree << ", lookup " << i);
            Answer expected;
            Resolution r, fresh;
            int before = model.looks;
            bsc_status status = resolve_both(table, model, reference, path, follow, expected, r,
                                             &process[random() % 2]);
            cached_looks += model.looks - before;
            before = fresh_model.looks;
            resolve(table, fresh_model, path, follow ? Final::follow : Final::no_follow, fresh);
            fresh_looks += fresh_model.looks - before;
            if (status != BSC_OK)
                continue;
            REQUIRE(r.exists == (expected.node != nullptr));
            REQUIRE(r.host == fresh.host);
            REQUIRE(r.guest == fresh.guest);
            bsc_status found_status;
            if (r.exists) {
                REQUIRE(model.find(r.host, found_status) == expected.node);
                REQUIRE(r.type == expected.node->type);
                if (r.final().inode != 0) // 0: a mount's root, not looked at
                    REQUIRE(r.final().inode == expected.node->inode);
            }
        }
    }
    CHECK(changes > 1000);
    // Even on trees this small (most random paths fail or end within two names) and this
    // often changed, the cache saves looks at the host.
    CHECK(cached_looks < fresh_looks);
}

TEST_CASE("fs-translate resolver: a walk through cached directories looks twice",
          "[fs-translate]") {
    // Once at the deepest cached directory (still there, the same one), once at the final
    // name, however deep; without the cache, once per name.
    Node host;
    Node *dir = host.add("root", BSC_TYPE_DIRECTORY);
    for (const char *name : {"a", "b", "c", "d", "e"})
        dir = dir->add(name, BSC_TYPE_DIRECTORY);
    dir->add("f", BSC_TYPE_FILE);
    MountTable table("/root");
    ModelHost model(host);
    std::atomic<uint64_t> generation{0};
    DirectoryCache cache;
    cache.follow(&generation);
    Resolution r;
    REQUIRE(resolve(table, model, "/a/b/c/d/e/f", Final::follow, r, &cache) == BSC_OK);
    CHECK(model.looks == 6);
    REQUIRE(resolve(table, model, "/a/b/c/d/e/f", Final::follow, r, &cache) == BSC_OK);
    CHECK(model.looks == 8);
    CHECK(r.host == "/root/a/b/c/d/e/f");
    REQUIRE(resolve(table, model, "/a/b/c/d/e/../e/./f", Final::follow, r, &cache) == BSC_OK);
    CHECK(model.looks == 11); // e checked before ".." leaves it, again once taken back; f
    cache.changed(); // a rename anywhere: all forgotten
    REQUIRE(resolve(table, model, "/a/b/c/d/e/f", Final::follow, r, &cache) == BSC_OK);
    CHECK(model.looks == 17);
    CHECK_FALSE(model.followed_link);
}

TEST_CASE("fs-translate case folding: Unicode simple case folding", "[fs-translate]") {
    CHECK(folded("README.TXT") == "readme.txt");
    CHECK(folded("\xc3\x84RGER") == folded("\xc3\xa4rger"));        // Ä, ä
    CHECK(folded("\xce\xa3") == folded("\xcf\x82"));                // Σ and final ς fold to σ
    CHECK(fold_case(0x212a) == 'k');                                  // the Kelvin sign
    CHECK(fold_case(0x1e9e) == 0xdf);                                 // capital sharp s: simple
    CHECK(fold_case(U'1') == U'1');
    CHECK(folded("bad\xff\xc3") == "bad\xff\xc3");                // not UTF-8: kept
    CHECK(folded("\xf0\x90\x90\x80") == "\xf0\x90\x90\xa8");   // Deseret, 4 bytes
}

TEST_CASE("fs-translate resolver: case-insensitive trees", "[fs-translate]") {
    Node host;
    Node *root = host.add("root", BSC_TYPE_DIRECTORY);
    Node *docs = root->add("Docs", BSC_TYPE_DIRECTORY);
    docs->add("readme.txt", BSC_TYPE_FILE);
    docs->add("Both", BSC_TYPE_FILE);
    docs->add("both", BSC_TYPE_FILE);
    docs->add("Sub", BSC_TYPE_DIRECTORY)->add("x", BSC_TYPE_FILE);
    root->add("exact", BSC_TYPE_DIRECTORY)->add("lower", BSC_TYPE_FILE);
    MountTable table("/root");
    table.add_case_insensitive("/Docs");
    ModelHost model(host);
    auto resolved = [&](const char *path) {
        Resolution r;
        bsc_status status = resolve(table, model, path, Final::follow, r);
        return status == BSC_OK ? r.host + (r.exists ? "" : " (new)") : bsc_status_name(status);
    };
    CHECK(resolved("/Docs/README.TXT") == "/root/Docs/readme.txt");
    CHECK(resolved("/Docs/sub/X") == "/root/Docs/Sub/x");
    CHECK(resolved("/Docs/BOTH") == "/root/Docs/Both"); // the first in byte order
    CHECK(resolved("/Docs/both") == "/root/Docs/both"); // an exact name first
    CHECK(resolved("/Docs/New.txt") == "/root/Docs/New.txt (new)");
    CHECK(resolved("/docs/readme.txt") == std::string("BSC_E_NOT_FOUND")); // above the tree
    CHECK(resolved("/exact/LOWER") == "/root/exact/LOWER (new)");
}

TEST_CASE("fs-translate resolver: procfs links to kernel objects go to the host",
          "[fs-translate]") {
    Node host;
    Node *ns = host.add("proc", BSC_TYPE_DIRECTORY)->add("7", BSC_TYPE_DIRECTORY)->add(
        "ns", BSC_TYPE_DIRECTORY);
    ns->add("net", BSC_TYPE_SYMLINK, "net:[4026531840]");
    host.child("proc")->child("7")->add("fd", BSC_TYPE_DIRECTORY)->add(
        "3", BSC_TYPE_SYMLINK, "anon_inode:[eventfd]");
    host.add("data", BSC_TYPE_DIRECTORY)->add("odd", BSC_TYPE_SYMLINK, "net:[1]");
    MountTable table("/");
    ModelHost model(host);
    auto resolved = [&](const char *path, Final final) {
        Resolution r;
        bsc_status status = resolve(table, model, path, final, r);
        return status == BSC_OK ? r.host + (r.host_follows ? " (host follows)" : "")
                                : bsc_status_name(status);
    };
    CHECK(resolved("/proc/7/ns/net", Final::follow) == "/proc/7/ns/net (host follows)");
    CHECK(resolved("/proc/7/fd/3", Final::follow) == "/proc/7/fd/3 (host follows)");
    CHECK(resolved("/proc/7/ns/net", Final::no_follow) == "/proc/7/ns/net");
    CHECK(resolved("/proc/7/ns/net/x", Final::follow) == std::string("BSC_E_NOT_DIRECTORY"));
    // The same text in a link outside /proc is an ordinary relative link.
    CHECK(resolved("/data/odd", Final::follow) == "/data/net:[1]");
    CHECK_FALSE(model.followed_link);
}

namespace {

// The merged view of an overlay, built node by node as overlayfs defines it: an upper
// name hides the lower one (a directory over a directory merges, unless the upper one is
// opaque), a whiteout hides a lower name, the overlay names never show. `source` maps
// each merged node to the host node the host must be handed.
struct Merged {
    Node root;
    std::map<const Node *, const Node *> source;

    void merge(Node &into, const Node *upper, const Node *lower) {
        bool opaque = upper && upper->child(std::string(kOpaqueMarker));
        if (opaque)
            lower = nullptr;
        if (upper)
            for (const auto &[name, child] : upper->children)
                if (!is_overlay_name(name))
                    add(into, name, child.get(),
                        lower && child->type == BSC_TYPE_DIRECTORY ? lower->child(name) : nullptr);
        if (lower)
            for (const auto &[name, child] : lower->children)
                if (!into.child(name) && !(upper && upper->child(whiteout_name(name))) &&
                    !(upper && upper->child(name)))
                    add(into, name, child.get(), nullptr);
    }

private:
    void add(Node &into, const std::string &name, const Node *shown, const Node *under) {
        Node *node = into.add(name, shown->type, shown->text);
        source[node] = shown;
        if (shown->type == BSC_TYPE_DIRECTORY)
            merge(*node, shown, under && under->type == BSC_TYPE_DIRECTORY ? under : nullptr);
    }
};

// Random whiteouts and opaque markers in an upper tree.
void sprinkle(Node &dir, std::mt19937 &random) {
    std::vector<Node *> directories;
    for (auto &[name, child] : dir.children)
        if (child->type == BSC_TYPE_DIRECTORY)
            directories.push_back(child.get());
    for (Node *child : directories)
        sprinkle(*child, random);
    for (const char *name : kNames)
        if (random() % 4 == 0 && !dir.child(whiteout_name(name)))
            dir.add(whiteout_name(name), BSC_TYPE_FILE);
    if (random() % 5 == 0)
        dir.add(std::string(kOpaqueMarker), BSC_TYPE_FILE);
}

// The tree as text, for a failure's message: one name a line, links with their text.
void dump(const Node &dir, const std::string &prefix, std::string &out) {
    for (const auto &[name, child] : dir.children) {
        out += prefix + name + (child->type == BSC_TYPE_DIRECTORY ? "/"
                                : child->type == BSC_TYPE_SYMLINK ? " -> " + child->text
                                                                  : "") + "\n";
        if (child->type == BSC_TYPE_DIRECTORY)
            dump(*child, prefix + name + "/", out);
    }
}

std::string guest_path_of(const Node *node, const Node *root) {
    std::vector<std::string> names;
    for (; node != root; node = node->parent)
        for (const auto &[name, child] : node->parent->children)
            if (child.get() == node)
                names.push_back(name);
    return join({names.rbegin(), names.rend()});
}

} // namespace

TEST_CASE("fs-translate resolver: overlays, against a merged reference tree", "[fs-translate]") {
    std::mt19937 random(16);
    int found_upper = 0, found_lower = 0, missing = 0, errors = 0;
    for (int tree = 0; tree < 300; tree++) {
        Node host;
        Node *upper = host.add("upper", BSC_TYPE_DIRECTORY);
        Node *lower = host.add("lower", BSC_TYPE_DIRECTORY);
        grow(*upper, random, 2);
        grow(*lower, random, 2);
        sprinkle(*upper, random);
        Merged merged;
        merged.merge(merged.root, upper, lower);
        MountTable table("/upper", "/lower");
        Reference reference(&merged.root, nullptr, nullptr);
        ModelHost model(host);
        std::string trees;
        dump(host, "/", trees);
        INFO("host tree:\n" << trees);
        for (int i = 0; i < 200; i++) {
            std::string path = random_path(random, true);
            bool follow = random() % 2;
            INFO("path " << path << (follow ? " (follow)" : " (no follow)") << ", tree " << tree);
            Answer expected;
            Resolution r;
            bsc_status status = resolve_both(table, model, reference, path, follow, expected, r);
            if (status != BSC_OK) {
                errors++;
                continue;
            }
            INFO("host path " << r.host << ", guest path " << r.guest);
            REQUIRE(r.exists == (expected.node != nullptr));
            if (r.exists) {
                bsc_status found_status;
                const Node *shown =
                    expected.node == &merged.root ? upper : merged.source[expected.node];
                REQUIRE(model.find(r.host, found_status) == shown);
                REQUIRE(r.guest == guest_path_of(expected.node, &merged.root));
                (is_within(r.host, "/upper") ? found_upper : found_lower)++;
            } else {
                missing++;
                REQUIRE(r.guest == child_of(guest_path_of(expected.parent, &merged.root),
                                            expected.name));
                REQUIRE(is_within(r.host, "/upper")); // a create lands in UPPER
            }
        }
    }
    CHECK(found_upper > 1000);
    CHECK(found_lower > 1000);
    CHECK(missing > 1000);
    CHECK(errors > 1000);
}
