// SPDX-License-Identifier: MIT
#include "control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>

#include <fmt/core.h>

#include "control_call.h"
#include "gate.h"
#include "host.h"

namespace bsc::runtime {
namespace {

using Reply = std::function<void(const std::string &)>;

// A request without a client (a timer, a signal) reports only a failure, on the runtime's
// stderr: after a success that file may be one the image recorded, and must not change.
void report(const std::string &line) {
    if (line.starts_with("error "))
        fmt::print(stderr, "bascule: checkpoint: {}\n", line.substr(6));
}

bool is_true(const std::optional<std::string> &value) { return value && *value != "0"; }

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

namespace {

} // namespace

ControlMessage capture_facts(uint64_t guest_upcalls, const std::vector<std::string> &stack,
                             const std::vector<std::string> &argv) {
    ControlMessage facts{{"guest-upcalls", std::to_string(guest_upcalls)},
                         {"entry-page", std::to_string(host::entry_page().base)},
                         {"cwd", std::filesystem::current_path().string()}};
    for (const auto &spec : stack)
        facts.emplace_back("stack", spec);
    for (const auto &arg : argv)
        facts.emplace_back("argv", arg);
    return facts;
}

ControlServer::ControlServer(const ChainEnds &chain, ControlMessage facts)
    : chain_(chain), facts_(std::move(facts)), listen_fd_(listen_on_control_socket()),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)) {
    thread_ = std::thread([this] { serve(); });
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
    ::unlink(control_socket_path(::getpid(), ::getuid()).c_str());
    ::close(listen_fd_);
    ::close(wake_fd_);
}

void ControlServer::request(ControlMessage message) {
    {
        std::lock_guard lock(queue_mutex_);
        queue_.push_back(std::move(message));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
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
                run(signal_request_, [](const std::string &line) { report(line); });
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
    Reply reply = [connection](const std::string &line) { send_line(connection, line); };
    if (!peer_is_trusted(connection))
        return reply("error the control socket serves only its own user and root");
    auto message = receive_message(connection);
    if (!message)
        return reply("error malformed request");
    run(*message, reply);
}

void ControlServer::run_queued() {
    for (;;) {
        ControlMessage message;
        {
            std::lock_guard lock(queue_mutex_);
            if (queue_.empty())
                return;
            message = std::move(queue_.front());
            queue_.pop_front();
        }
        run(message, [](const std::string &line) { report(line); });
    }
}

void ControlServer::run(const ControlMessage &message, const Reply &reply) {
    auto command = find_value(message, "command");
    if (command == "capture")
        return capture(message, reply);
    if (command == "watch-signal")
        return watch_signal(message, reply);
    reply(fmt::format("error unknown command '{}'", command.value_or("")));
}

// From now on, the signal named by `signal` runs the capture this message describes.
void ControlServer::watch_signal(const ControlMessage &message, const Reply &reply) {
    auto signal = signal_named(find_value(message, "signal").value_or(""));
    if (!signal)
        return reply("error signal= must name a signal the runtime does not use itself (USR1)");
    signal_request_ = message;
    std::erase_if(signal_request_, [](const auto &kv) { return kv.first == "command"; });
    signal_request_.insert(signal_request_.begin(), {"command", "capture"});
    signal_server = this;
    host::watch_signal(*signal, on_watched_signal);
    reply("ok watching " + std::string(::sigabbrev_np(*signal)));
}

// Park every thread, let the extensions prepare, write the image; then either stop the
// process or let it run on.
void ControlServer::capture(const ControlMessage &message, const Reply &reply) {
    ControlMessage arguments = message;
    arguments.insert(arguments.end(), facts_.begin(), facts_.end());
    auto progress = [&reply](uint64_t done, uint64_t total) {
        reply(fmt::format("progress {} {}", done, total));
    };
    auto frozen_at = std::chrono::steady_clock::now();
    ControlCall freeze("freeze", arguments);
    if (bsc_status status = freeze.run(chain_))
        return reply(status == BSC_E_NOT_SUPPORTED
                         ? "error no extension in the stack captures (run with --ext checkpoint)"
                         : "error " + freeze.reply());
    chain_.broadcast(BSC_EVENT_BEFORE_CHECKPOINT);
    ControlCall write("capture", arguments, progress);
    bsc_status status = write.run(chain_);
    bool stop = status == BSC_OK && !is_true(find_value(message, "leave-running"));
    auto frozen = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            frozen_at);
    reply(status == BSC_OK ? fmt::format("ok {} frozen-ms={:.1f}", write.reply(), frozen.count())
                           : "error " + write.reply());
    if (stop)
        chain_.top->process_exit(0);
    chain_.broadcast(BSC_EVENT_RESUME);
    ControlCall("thaw", arguments).run(chain_);
}

} // namespace bsc::runtime
