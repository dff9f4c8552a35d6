// SPDX-License-Identifier: MIT
// The runtime's control thread: serves capture requests from the control socket (from
// bascule-snap) and from extensions (a timer or a signal), running the capture sequence
// through the chain.
#pragma once

#include <deque>
#include <mutex>
#include <thread>

#include "control_socket.h"
#include "launch.h"

namespace bsc::runtime {

class ControlServer {
public:
    // Listens on this process's control socket. `facts` are added to every capture
    // request: what the image needs to know of the runtime (see capture_facts()).
    // Throws std::system_error if the socket cannot be made.
    ControlServer(const ChainEnds &chain, ControlMessage facts);
    ~ControlServer();
    ControlServer(const ControlServer &) = delete;
    ControlServer &operator=(const ControlServer &) = delete;

    // Queues a request made inside the process; it runs on the control thread.
    void request(ControlMessage message);

private:
    void serve();
    void serve_connection(int connection);
    void run_queued();
    // Runs one request; `reply` receives progress and result lines (may be a no-op).
    void run(const ControlMessage &message, const std::function<void(const std::string &)> &reply);
    void capture(const ControlMessage &message,
                 const std::function<void(const std::string &)> &reply);
    void watch_signal(const ControlMessage &message,
                      const std::function<void(const std::string &)> &reply);
    static void on_watched_signal(); // async-signal-safe

    const ChainEnds &chain_;
    ControlMessage facts_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    std::mutex queue_mutex_;
    std::deque<ControlMessage> queue_;
    bool stopping_ = false;
    ControlMessage signal_request_; // the capture a watched signal runs
    std::thread thread_;
};

// What a capture records about the running program: the guest image's upcall table, the
// extension stack, the command line and the working directory.
ControlMessage capture_facts(uint64_t guest_upcalls, const std::vector<std::string> &stack,
                             const std::vector<std::string> &argv);

} // namespace bsc::runtime
