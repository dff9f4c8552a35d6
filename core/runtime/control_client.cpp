// SPDX-License-Identifier: MIT
#include "control_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

#include <fmt/core.h>

#include "control_socket.h"

namespace bsc::runtime {

using Kind = ControlClientError::Kind;

// A socket that refuses connections is one whose runtime is gone: a runtime killed before
// it removed it, whose pid this process now has. This one's runtime replaces it as it
// starts listening, so a client asking just then waits a moment for it.
constexpr int kRefusedAttempts = 200; // 10 ms apart

ControlClient::ControlClient(pid_t pid) : pid_(pid) {
    struct stat st;
    if (::stat(fmt::format("/proc/{}", pid).c_str(), &st) != 0)
        throw ControlClientError(Kind::no_process, fmt::format("no process {}", pid));
    owner_ = st.st_uid;
    for (int attempt = 1;; attempt++) {
        try {
            fd_ = connect_to_control_socket(control_socket_path(pid, owner_));
            return;
        } catch (const std::system_error &e) {
            // A guest that changed its ids since its runtime started (setuid) shows them in
            // /proc; the socket stayed where the user who started it, maybe this one, has it.
            if (e.code().value() == ENOENT && owner_ != ::geteuid()) {
                owner_ = ::geteuid();
                continue;
            }
            // Another user's socket directory is closed to this one (0700): whether a
            // socket is there cannot be known, and would not be usable.
            int error = e.code().value();
            if ((error == EACCES || error == EPERM) && owner_ != ::geteuid() && ::geteuid() != 0)
                throw other_user(owner_);
            if (error != ECONNREFUSED || attempt == kRefusedAttempts ||
                ::stat(fmt::format("/proc/{}", pid).c_str(), &st) != 0)
                throw ControlClientError(
                    Kind::no_socket,
                    fmt::format("process {} has no control socket ({}): is it a `bascule run` "
                                "process?",
                                pid, e.what()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

ControlClient::~ControlClient() { ::close(fd_); }

ControlClientError ControlClient::other_user(uid_t owner) const {
    return ControlClientError(Kind::other_user,
                              fmt::format("process {} belongs to another user (uid {}): only its "
                                          "owner or root may capture it",
                                          pid_, owner));
}

ControlReply ControlClient::call(const ControlRequest &request,
                                 const std::function<void(const CaptureProgress &)> &progress) {
    if (!send_request(fd_, request))
        throw ControlClientError(Kind::no_answer,
                                 fmt::format("the runtime of process {} hung up", pid_));
    for (;;) {
        std::optional<ControlReply> reply;
        try {
            reply = receive_reply(fd_);
        } catch (const ControlProtocolError &e) {
            throw ControlClientError(
                Kind::no_answer,
                fmt::format("the runtime of process {} sent a malformed reply: {}", pid_,
                            e.what()));
        }
        if (!reply)
            throw ControlClientError(
                Kind::no_answer,
                fmt::format("the runtime of process {} closed the connection without an answer",
                            pid_));
        if (auto *step = std::get_if<CaptureProgress>(&*reply)) {
            if (progress)
                progress(*step);
            continue;
        }
        if (auto *refusal = std::get_if<NotPermitted>(&*reply))
            throw other_user(refusal->owner);
        return *reply;
    }
}

} // namespace bsc::runtime
