// SPDX-License-Identifier: MIT
#include "tree_capture.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <variant>

#include <fmt/core.h>

#include "control_client.h"
#include "guest_tree.h"

namespace bsc::runtime {

struct FrozenMembers::Member {
    pid_t pid, parent;
    std::unique_ptr<ControlClient> client;
    std::string image; // written, until removed
};

namespace {

constexpr auto kConnectWait = std::chrono::seconds(1); // for a new member's socket
constexpr int kFreezeAttempts = 10;
constexpr auto kEndingWait = std::chrono::seconds(2); // for a process's threads to end
constexpr const char *kMemoryDirectory = "/dev/shm";

TreeCaptureError member_error(pid_t pid, const ControlClientError &e) {
    return TreeCaptureError(fmt::format("process {} of the tree: {}", pid, e.what()));
}

// The one reply a step expects, or TreeCaptureError with the member's reason.
template <class Expected> Expected answer(const ControlReply &reply, pid_t pid) {
    if (auto *expected = std::get_if<Expected>(&reply))
        return *expected;
    if (auto *failed = std::get_if<Failed>(&reply))
        throw TreeCaptureError(fmt::format("process {} of the tree: {}", pid, failed->reason));
    throw TreeCaptureError(fmt::format("process {} of the tree answered out of turn", pid));
}

template <class Expected>
Expected expect(ControlClient &client, pid_t pid, const ControlRequest &request) {
    try {
        return answer<Expected>(client.call(request), pid);
    } catch (const ControlClientError &e) {
        throw member_error(pid, e);
    }
}

// Where member `pid` writes its image: a hidden file in `directory`.
std::string member_image_path(const std::filesystem::path &directory, const std::string &image,
                              pid_t pid) {
    auto name = std::filesystem::path(image).filename().string();
    return (directory / fmt::format(".{}.member-{}", name, pid)).string();
}

// A process's resident memory in bytes (0 if it cannot be read): its image holds at most
// that much, compressed, and a little more for its index and metadata.
uint64_t resident_bytes(pid_t pid) {
    std::ifstream statm(fmt::format("/proc/{}/statm", pid));
    uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// The memory Linux could give without swapping, from /proc/meminfo (0 if unknown).
uint64_t available_memory() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    uint64_t kib = 0;
    while (meminfo >> key >> kib)
        if (key == "MemAvailable:")
            return kib * 1024;
        else
            meminfo.ignore(64, '\n');
    return 0;
}

// Where the members write their images: in memory (/dev/shm) when it holds them easily,
// since the first copies them into its own file at once and removes them (on the disk
// they would be written, synced and read back for nothing); else beside the tree's image.
std::filesystem::path members_directory(const std::string &image, uint64_t bound) {
    struct statvfs shm {};
    if (::access(kMemoryDirectory, W_OK) == 0 && ::statvfs(kMemoryDirectory, &shm) == 0 &&
        bound <= static_cast<uint64_t>(shm.f_bavail) * shm.f_frsize &&
        bound <= available_memory() / 2)
        return kMemoryDirectory;
    return std::filesystem::path(image).parent_path();
}

} // namespace

FrozenMembers::FrozenMembers(pid_t root) : root_(root) {
    // A member forks only while it runs: once every process found is frozen, looking again
    // finds the children they made before they froze, and then none.
    for (bool found = true; found;) {
        found = false;
        for (const auto &process : guest_descendants(root)) {
            if (std::ranges::any_of(members_, [&](auto &m) { return m->pid == process.pid; }))
                continue;
            auto client = freeze(process.pid);
            if (!client)
                continue; // it ended meanwhile: its parent reports it
            members_.push_back(
                std::make_unique<Member>(Member{process.pid, process.parent, std::move(client), {}}));
            found = true;
        }
    }
    // A process ending as the tree froze is neither a member (its first thread is a
    // zombie) nor, for its frozen parent, ended until its other threads have: the capture
    // waits for them (checkpoint.make_build saw a compiler's child caught in between).
    wait_for_endings(root, kEndingWait);
}

// A connection to member `pid`, or null if it has ended. A child opens its socket as it
// starts (the runtime's fork hook), so one just forked gets a moment to do it.
std::unique_ptr<ControlClient> FrozenMembers::connect(pid_t pid) const {
    auto deadline = std::chrono::steady_clock::now() + kConnectWait;
    for (;;) {
        try {
            return std::make_unique<ControlClient>(pid);
        } catch (const ControlClientError &e) {
            if (std::ranges::none_of(guest_descendants(root_), [&](auto &p) { return p.pid == pid; }))
                return nullptr;
            if (e.kind != ControlClientError::Kind::no_socket ||
                std::chrono::steady_clock::now() > deadline)
                throw member_error(pid, e);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// Member `pid` frozen, or null if it ended first. One that ends or execs as it is asked
// closes the connection unanswered (an exec starts its runtime again, with a new socket):
// it is looked for and asked again.
std::unique_ptr<ControlClient> FrozenMembers::freeze(pid_t pid) const {
    for (int attempt = 1;; attempt++) {
        auto client = connect(pid);
        if (!client)
            return nullptr;
        ControlReply reply;
        try {
            reply = client->call(FreezeMemberRequest{});
        } catch (const ControlClientError &e) {
            if (e.kind == ControlClientError::Kind::no_answer && attempt < kFreezeAttempts)
                continue;
            throw member_error(pid, e);
        }
        answer<Frozen>(reply, pid);
        return client;
    }
}

FrozenMembers::~FrozenMembers() { remove_images(); }

void FrozenMembers::remove_images() {
    for (const auto &member : members_)
        if (!member->image.empty()) {
            std::error_code ignored;
            std::filesystem::remove(member->image, ignored);
            member->image.clear();
        }
}

chain::ControlArguments FrozenMembers::write_images(const std::string &image) {
    uint64_t bound = 0; // the members' images at most: their memory, 1/64 and 1 MiB more
    for (const auto &member : members_)
        bound += resident_bytes(member->pid) / 64 * 65 + (1 << 20);
    auto directory = members_directory(image, bound);
    std::vector<std::future<Captured>> written;
    for (const auto &member : members_) {
        member->image = member_image_path(directory, image, member->pid);
        written.push_back(std::async(std::launch::async, [&member] {
            return expect<Captured>(*member->client, member->pid,
                                    WriteMemberRequest{member->image});
        }));
    }
    for (auto &member : written) // every one answers before the first refusal is thrown
        member.wait();
    for (auto &member : written)
        member.get();
    chain::ControlArguments arguments;
    for (const auto &member : members_) {
        size_t parent = 0;
        for (size_t i = 0; i < members_.size(); i++)
            if (members_[i]->pid == member->parent)
                parent = i + 1;
        if (parent == 0 && member->parent != root_)
            throw TreeCaptureError(fmt::format("process {} of the tree has a parent, {}, that "
                                               "is not in it", member->pid, member->parent));
        arguments.emplace_back("member", fmt::format("{} {}", parent, member->image));
    }
    return arguments;
}

void FrozenMembers::finish(bool stop) {
    for (const auto &member : members_) {
        try {
            member->client->call(FinishMemberRequest{stop});
        } catch (const ControlClientError &) {
            // It is gone already; nothing to tell it.
        }
    }
}

} // namespace bsc::runtime
