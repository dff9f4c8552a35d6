// SPDX-License-Identifier: MIT
#include "control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <optional>

#include <fmt/core.h>

#include "bascule_host.h"
#include "control_call.h"
#include "control_socket.h"
#include "extension_spec.h"
#include "guest_tree.h"
#include "tree_capture.h"

namespace bsc::runtime {
namespace {

// A request without a client (a timer, a signal) reports only a failure, on the runtime's
// stderr: after a success that file may be one the image recorded, and must not change.
void report(const ControlReply &reply) {
    if (auto *failed = std::get_if<Failed>(&reply))
        fmt::print(stderr, "bascule: checkpoint: {}\n", failed->reason);
}

// The value of `key` in an extension's request, or "".
std::string value_of(const chain::ControlArguments &arguments, const std::string &key) {
    for (const auto &[k, v] : arguments)
        if (k == key)
            return v;
    return "";
}

// What the extensions are asked to write: the image, its parent, and the runtime's facts.
chain::ControlArguments capture_arguments(const CaptureRequest &request,
                                          const chain::ControlArguments &facts) {
    chain::ControlArguments arguments{{"image", request.image},
                                      {"leave-running", request.leave_running ? "1" : "0"}};
    if (request.running)
        arguments.emplace_back("running", "1");
    if (!request.parent.empty())
        arguments.emplace_back("parent", request.parent);
    arguments.insert(arguments.end(), facts.begin(), facts.end());
    return arguments;
}

// Whether the stack holds extension `name`.
bool stack_has(const ChainEnds &chain, std::string_view name) {
    return std::ranges::any_of(chain.stack, [&](const std::string &spec) {
        return chain::parse_extension_spec(spec).name == name;
    });
}

// The host signal named NAME or SIGNAME (USR1, SIGUSR1, ...), if a capture may use it:
// not one the host needs for itself.
std::optional<int> signal_named(std::string name) {
    if (name.starts_with("SIG"))
        name = name.substr(3);
    for (int sig = 1; sig < SIGRTMIN; sig++) {
        const char *abbrev = ::sigabbrev_np(sig);
        if (!abbrev || name != abbrev)
            continue;
        for (int reserved : {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS, SIGKILL, SIGSTOP,
                             SIGPIPE, SIGCHLD})
            if (sig == reserved)
                return std::nullopt;
        return sig;
    }
    return std::nullopt;
}

// The server a watched signal wakes (one per process), and the flag the signal sets.
ControlServer *signal_server;
std::atomic<bool> signal_arrived{false};

} // namespace

void ControlServer::on_watched_signal() {
    if (!signal_server)
        return;
    signal_arrived.store(true);
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(signal_server->wake_fd_, &one, sizeof one);
}

chain::ControlArguments capture_facts(uint64_t guest_upcalls,
                                      const std::vector<std::string> &stack,
                                      const std::vector<std::string> &argv) {
    chain::ControlArguments facts{{"guest-upcalls", std::to_string(guest_upcalls)},
                                  {"entry-page", std::to_string(host::entry_page_address())},
                                  {"cwd", std::filesystem::current_path().string()}};
    // An image resumes live, without the layers of a recording or a replay: the record
    // extension's trace cannot go on after a restore (a restore that is to be recorded
    // names it with --ext), and the replay layer stood for the recording's host
    // (bascule-replay replay --capture).
    for (const auto &spec : stack)
        if (auto name = chain::parse_extension_spec(spec).name; name != "record" && name != "replay")
            facts.emplace_back("stack", spec);
    for (const auto &arg : argv)
        facts.emplace_back("argv", arg);
    return facts;
}

ControlServer::ControlServer(const ChainEnds &chain, chain::ControlArguments facts,
                             pid_t first_process)
    : chain_(chain), facts_(std::move(facts)), first_process_(first_process), listen_fd_(listen_on_control_socket()),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
    // The thread has started before the guest goes on, as host_thread_create's have: a
    // fork right after (a forked child forking again) must not copy a lock its start holds.
    std::latch started(1);
    thread_ = std::thread([this, &started] {
        started.count_down();
        serve();
    });
    started.wait();
}

ControlServer::~ControlServer() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    thread_.join();
    if (signal_server == this)
        signal_server = nullptr;
    ::unlink(listening_control_socket_path().c_str());
    ::close(listen_fd_);
    ::close(wake_fd_);
}

void ControlServer::abandon_after_fork() {
    if (signal_server == this)
        signal_server = nullptr;
    ::close(listen_fd_);
    ::close(wake_fd_);
}

bsc_status ControlServer::request(const std::string &command,
                                  const chain::ControlArguments &arguments) {
    std::string leave_running = value_of(arguments, "leave-running");
    CaptureRequest capture{value_of(arguments, "image"), value_of(arguments, "parent"),
                           !leave_running.empty() && leave_running != "0"};
    ControlRequest request;
    if (command == "capture")
        request = capture;
    else if (command == "watch-signal" && signal_named(value_of(arguments, "signal")))
        request = WatchSignalRequest{value_of(arguments, "signal"), capture};
    else if (command == "watch-signal")
        return BSC_E_INVALID; // told now, so that the guest does not start without it
    else
        return BSC_E_NOT_SUPPORTED;
    {
        std::lock_guard lock(queue_mutex_);
        queue_.push_back(std::move(request));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
    return BSC_OK;
}

void ControlServer::serve() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0)
            continue;
        if (fds[1].revents) {
            uint64_t count;
            [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
            {
                std::lock_guard lock(queue_mutex_);
                if (stopping_)
                    return;
            }
            if (signal_arrived.exchange(false))
                run(signal_request_, report);
            run_queued();
        }
        if (fds[0].revents) {
            int connection = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection >= 0) {
                serve_connection(connection);
                ::close(connection);
            }
        }
    }
}

void ControlServer::serve_connection(int connection) {
    Reply reply = [connection](const ControlReply &message) { send_reply(connection, message); };
    if (!peer_is_trusted(connection))
        return reply(NotPermitted{::getuid()});
    std::optional<ControlRequest> request;
    try {
        request = receive_request(connection);
    } catch (const ControlProtocolError &e) {
        return reply(Failed{fmt::format("malformed request: {}", e.what())});
    }
    if (!request)
        return;
    if (std::holds_alternative<FreezeMemberRequest>(*request))
        return serve_member(connection, reply);
    run(*request, reply);
}

void ControlServer::run_queued() {
    for (;;) {
        ControlRequest request;
        {
            std::lock_guard lock(queue_mutex_);
            if (queue_.empty())
                return;
            request = std::move(queue_.front());
            queue_.pop_front();
        }
        run(request, report);
    }
}

void ControlServer::run(const ControlRequest &request, const Reply &reply) {
    if (auto *capture_request = std::get_if<CaptureRequest>(&request))
        return capture(*capture_request, reply);
    if (auto *watch = std::get_if<WatchSignalRequest>(&request))
        return watch_signal(*watch, reply);
    reply(Failed{"a request of a tree capture, outside one"});
}

// From now on, the signal the request names runs the capture it describes.
void ControlServer::watch_signal(const WatchSignalRequest &request, const Reply &reply) {
    auto signal = signal_named(request.signal);
    if (!signal)
        return reply(Failed{"signal= must name a signal the runtime does not use itself (USR1)"});
    signal_request_ = request.capture;
    signal_server = this;
    host::watch_signal(*signal, on_watched_signal);
    reply(Watching{::sigabbrev_np(*signal)});
}

std::string ControlServer::freeze(const chain::ControlArguments &arguments) {
    ControlCall freeze("freeze", arguments);
    if (bsc_status status = freeze.run(chain_))
        return status == BSC_E_NOT_SUPPORTED
                   ? "no extension in the stack captures (run with --ext checkpoint)"
                   : freeze.reply();
    chain_.broadcast(BSC_EVENT_BEFORE_CHECKPOINT);
    return {};
}

bsc_status ControlServer::write_image(chain::ControlArguments arguments, const Reply &reply,
                                      std::string &summary) {
    // What the extensions want the image to keep of them (the record extension: where in
    // its trace the guest is), while every thread is parked.
    for (const auto &[name, state] : ControlCall("image-state", {}).gather(chain_))
        arguments.emplace_back("state", name + "=" + state);
    ControlCall write("capture", arguments, [&reply](uint64_t done, uint64_t total) {
        reply(CaptureProgress{done, total});
    });
    bsc_status status = write.run(chain_);
    summary = write.reply();
    return status;
}

void ControlServer::thaw() {
    chain_.broadcast(BSC_EVENT_RESUME);
    ControlCall("thaw", {}).run(chain_);
}

// Park every thread of every process of the guest's tree (this one first: a frozen process
// forks no more), write the image, and then either stop the tree or let it run on.
void ControlServer::capture(const CaptureRequest &request, const Reply &reply) {
    // Refused before the guest was parked, the guest runs on as after a capture that
    // failed later: RESUME tells an extension that asked for the capture (the replay layer
    // waits for it) that none comes.
    auto refuse = [&](std::string why) {
        reply(Failed{std::move(why)});
        chain_.broadcast(BSC_EVENT_RESUME);
    };
    if (first_process_ != ::getpid())
        return refuse(fmt::format("process {} belongs to the guest tree of process {}: "
                                  "capture that one",
                                  ::getpid(), first_process_));
    chain::ControlArguments arguments = capture_arguments(request, facts_);
    // What the extensions can do while the guest still runs (the checkpoint extension opens
    // the parent image chain) is not frozen time.
    ControlCall prepare("prepare-capture", arguments);
    if (bsc_status status = prepare.run(chain_); status != BSC_OK && status != BSC_E_NOT_SUPPORTED)
        return refuse(prepare.reply());
    // A replay's processes take turns in the trace's order: one cannot be frozen while
    // another captures.
    if (stack_has(chain_, "replay") && !guest_descendants(::getpid()).empty())
        return refuse("a replay of several processes cannot be captured yet (only a replay "
                      "of one process)");
    if (request.running)
        return copy_running(arguments, reply);
    auto frozen_at = std::chrono::steady_clock::now();
    if (auto failure = freeze(arguments); !failure.empty())
        return refuse(failure);
    std::string summary;
    bsc_status status = BSC_E_INVALID;
    std::optional<FrozenMembers> members;
    try {
        members.emplace(::getpid());
        if (!members->empty() && !request.parent.empty())
            throw TreeCaptureError("an incremental image of a tree of processes cannot be "
                                   "made yet: capture a whole one");
        auto images = members->write_images(request.image);
        arguments.insert(arguments.end(), images.begin(), images.end());
        status = write_image(arguments, reply, summary);
    } catch (const TreeCaptureError &e) {
        summary = e.what();
    }
    if (members) // embedded now, or not to be (a stopping process runs no destructor)
        members->remove_images();
    bool stop = status == BSC_OK && !request.leave_running;
    auto frozen = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            frozen_at);
    if (status == BSC_OK)
        reply(Captured{summary, frozen.count()});
    else
        reply(Failed{summary});
    if (members)
        members->finish(stop);
    if (stop)
        chain_.top->process_exit(0);
    thaw();
}

// A copy of the memory while the guest runs (CaptureRequest::running): nothing is frozen,
// nothing stops.
void ControlServer::copy_running(const chain::ControlArguments &arguments, const Reply &reply) {
    if (stack_has(chain_, "record") || stack_has(chain_, "replay"))
        return reply(Failed{"the memory cannot be copied while the guest runs under record or "
                            "replay: a recording must see every call in its order"});
    if (!guest_descendants(::getpid()).empty())
        return reply(Failed{"the memory of a tree of processes cannot be copied while it runs "
                            "yet (pre-copy): capture it whole"});
    std::string summary;
    if (write_image(arguments, reply, summary) == BSC_OK)
        reply(Captured{summary, 0});
    else
        reply(Failed{summary});
}

// A member of a tree being captured by its first process: frozen, it writes its image
// when asked, and ends as told, or runs on if the connection ends first.
void ControlServer::serve_member(int connection, const Reply &reply) {
    if (auto failure = freeze({}); !failure.empty())
        return reply(Failed{failure});
    reply(Frozen{});
    bool stop = false;
    for (bool done = false; !done;) {
        std::optional<ControlRequest> next;
        try {
            next = receive_request(connection);
        } catch (const ControlProtocolError &) {
        }
        if (!next)
            break;
        if (auto *write = std::get_if<WriteMemberRequest>(&*next)) {
            std::string summary;
            CaptureRequest capture{write->image, "", true};
            auto arguments = capture_arguments(capture, facts_);
            arguments.emplace_back("tree-member", "1"); // the first process checks the tree
            if (write_image(arguments, reply, summary) == BSC_OK)
                reply(Captured{summary, 0});
            else
                reply(Failed{summary});
        } else if (auto *finish = std::get_if<FinishMemberRequest>(&*next)) {
            stop = finish->stop;
            reply(Finished{});
            done = true;
        } else {
            reply(Failed{"a request out of turn in a capture of the tree"});
        }
    }
    if (stop)
        chain_.top->process_exit(0);
    thaw();
}

} // namespace bsc::runtime
