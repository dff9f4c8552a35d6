// SPDX-License-Identifier: MIT
// A capture of a tree of guest processes, as its first runtime runs it: every other
// process of the tree is frozen before any is written, each writes its own image (in
// memory, /dev/shm, where it fits), and the first process's image embeds them
// (snapshot/README.md, "Trees"). Each member holds its connection to the first runtime until it is told to
// stop or run on; a connection that ends sooner (a failure here, or this process gone)
// lets it run on.
#pragma once

#include <sys/types.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chain.h"

namespace bsc::runtime {

class ControlClient;

// Why a tree cannot be captured now.
struct TreeCaptureError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class FrozenMembers {
public:
    // Freezes every live process below `root`, then any that one of them forked before it
    // froze, until none is left running. Throws TreeCaptureError.
    explicit FrozenMembers(pid_t root);
    ~FrozenMembers(); // removes the members' images; members not finished run on
    FrozenMembers(const FrozenMembers &) = delete;
    FrozenMembers &operator=(const FrozenMembers &) = delete;

    bool empty() const { return members_.empty(); }
    // The members write their images, in /dev/shm if it has room for them and memory is
    // plentiful, else beside `image`, all at once (a capture reads a pipe's unread bytes
    // without taking them: stream_peek). Returns the capture's "member"
    // arguments: "PARENT PATH", PARENT the index of the member's parent (0: the first
    // process, N: the Nth member), parents first. Throws TreeCaptureError.
    chain::ControlArguments write_images(const std::string &image);
    // Removes the members' images, once the first's embeds them (or the capture failed).
    void remove_images();
    // Tells every member to stop (exit) or run on.
    void finish(bool stop);

private:
    struct Member;
    std::unique_ptr<ControlClient> connect(pid_t pid) const;
    std::unique_ptr<ControlClient> freeze(pid_t pid) const;

    std::vector<std::unique_ptr<Member>> members_;
    pid_t root_;
};

} // namespace bsc::runtime
