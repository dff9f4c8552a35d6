// SPDX-License-Identifier: MIT
// The runtime's control thread: serves requests from the control socket (bascule-snap)
// and from extensions (a timer or a signal), running the capture sequence through the
// chain.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "control_messages.h"
#include "launch.h"

namespace bsc::runtime {

class ControlServer {
public:
    // Listens on this process's control socket. `facts` are added to the arguments of
    // every capture: what the image needs to know of the runtime (see capture_facts()).
    // `first_process` is the guest tree's first: a capture is that one's to run, the others
    // are its members (tree_capture.h). Throws std::system_error if the socket cannot be
    // made.
    ControlServer(const ChainEnds &chain, chain::ControlArguments facts, pid_t first_process);
    ~ControlServer();
    ControlServer(const ControlServer &) = delete;
    ControlServer &operator=(const ControlServer &) = delete;

    // Queues a request an extension made (request_control: "capture" or "watch-signal",
    // with image=, parent=, leave-running=, signal=); it runs on the control thread.
    // BSC_E_NOT_SUPPORTED for another command.
    bsc_status request(const std::string &command, const chain::ControlArguments &arguments);

    // In a child of process_fork, whose copy of this server has no thread: closes the
    // copy's descriptors and stops it answering a watched signal. It is not destroyed (its
    // destructor would join the thread).
    void abandon_after_fork();

private:
    using Reply = std::function<void(const ControlReply &)>;

    void serve();
    void serve_connection(int connection);
    void run_queued();
    // Runs one request; `reply` receives progress and the final reply (may be a no-op).
    void run(const ControlRequest &request, const Reply &reply);
    void capture(const CaptureRequest &request, const Reply &reply);
    void serve_member(int connection, const Reply &reply);
    void copy_running(const chain::ControlArguments &arguments, const Reply &reply);
    // The steps of a capture: park every thread ("" or why not), write the image (the
    // extension's summary or reason), let the threads go on.
    std::string freeze(const chain::ControlArguments &arguments);
    bsc_status write_image(chain::ControlArguments arguments, const Reply &reply,
                           std::string &summary);
    void thaw();
    void watch_signal(const WatchSignalRequest &request, const Reply &reply);
    static void on_watched_signal(); // async-signal-safe

    const ChainEnds &chain_;
    chain::ControlArguments facts_;
    pid_t first_process_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    std::mutex queue_mutex_;
    std::deque<ControlRequest> queue_;
    bool stopping_ = false;
    CaptureRequest signal_request_; // the capture a watched signal runs
    std::thread thread_;
};

// What a capture records about the running program: the guest image's upcall table, the
// extension stack, the command line and the working directory.
chain::ControlArguments capture_facts(uint64_t guest_upcalls,
                                      const std::vector<std::string> &stack,
                                      const std::vector<std::string> &argv);

} // namespace bsc::runtime
