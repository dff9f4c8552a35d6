// SPDX-License-Identifier: MIT
#include "checkpoints.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "shared_page.h"

namespace bsc::replay {
namespace {

constexpr size_t kMaxCheckpoints = 64;
// How long a process handing gdb over waits for the checkpoint to start its successor.
constexpr auto kHandOverWait = std::chrono::seconds(30);

// What a process asks a checkpoint for: a replay from there that follows the plan in the
// asking process's descriptor `plan` (read through /proc).
struct Request {
    pid_t from;
    int plan;
};

int pidfd_of(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

void reap_children() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0)
        ;
}

// A process's memory that no other process maps (what ending it would free) and its
// proportional share of the rest, in KiB, from /proc/PID/smaps_rollup.
std::pair<uint64_t, uint64_t> memory_of(pid_t pid) {
    std::ifstream rollup(fmt::format("/proc/{}/smaps_rollup", pid));
    uint64_t own = 0, share = 0;
    for (std::string line; std::getline(rollup, line);) {
        std::istringstream fields(line);
        std::string key;
        uint64_t kib = 0;
        if (!(fields >> key >> kib))
            continue; // the first line names the range
        if (key == "Private_Clean:" || key == "Private_Dirty:")
            own += kib;
        else if (key == "Pss:")
            share = kib;
    }
    return {own, share};
}

} // namespace

bool ReplayCheckpoints::Requests::open() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        return false;
    read = ends[0], write = ends[1];
    return true;
}

void ReplayCheckpoints::Requests::close() {
    ::close(read);
    ::close(write);
}

struct ReplayCheckpoints::Table {
    struct Entry {
        CheckpointPlace place;
        std::atomic<pid_t> pid;   // its process
        int request;              // the read end of its pipe of requests, in that process
    };
    std::atomic<pid_t> active;    // the process that serves gdb
    std::atomic<int> status;      // the status it ends the session with
    std::atomic<uint64_t> every;  // events between checkpoints (doubled as they thin out)
    std::atomic<uint32_t> count;
    Entry entries[kMaxCheckpoints]; // written by the process that serves gdb only
};

ReplayCheckpoints::ReplayCheckpoints(const bsc_downcalls *host, uint64_t every)
    : host_(host),
      table_(new (map_shared_page(sizeof(Table), "the replay's checkpoints")) Table{}),
      root_(::getpid()) {
    table_->every = every;
}

std::optional<Plan> ReplayCheckpoints::start() {
    Requests requests;
    if (!requests.open()) {
        fmt::print(stderr, "bascule-replay: cannot make the checkpoints' pipe: {}\n",
                   std::strerror(errno));
        std::_Exit(1);
    }
    Table::Entry &entry = table_->entries[0];
    entry.place = {};
    entry.request = requests.read;
    entry.pid = ::getpid();
    table_->count = 1;
    bsc_handle child = 0;
    uint64_t id = 0;
    if (host_->process_fork(&child, &id) != BSC_OK) {
        fmt::print(stderr, "bascule-replay: cannot fork the replay for its checkpoints\n");
        std::_Exit(1);
    }
    if (child == BSC_NO_HANDLE) {
        requests.close();
        hand_over(0, ::getpid());
        return std::nullopt; // the first process that serves gdb
    }
    host_->object_close(child);
    hand_over(0, static_cast<pid_t>(id));
    return park(true, requests);
}

// One in each stretch of `every` events (the first place in it where one may be taken):
// where they fall depends on the trace alone, not on where the replay could not take one.
bool ReplayCheckpoints::due(const CheckpointPlace &place) const {
    uint64_t every = table_->every.load();
    if (!every)
        return false;
    for (uint32_t i = 0; i < table_->count.load(); i++)
        if (table_->entries[i].place.events / every == place.events / every)
            return false;
    return true;
}

// The table is full: every other checkpoint goes (the start's stays), in the order of
// their places, and they are taken twice as far apart from now on, as a long replay needs.
void ReplayCheckpoints::thin_out() {
    Table::Entry *entries = table_->entries;
    uint32_t count = table_->count.load();
    std::vector<uint32_t> order(count - 1);
    std::iota(order.begin(), order.end(), 1);
    std::ranges::sort(order, {}, [&](uint32_t i) { return entries[i].place.events; });
    std::vector<uint32_t> kept{0};
    for (size_t k = 0; k < order.size(); k++) {
        if (k % 2)
            kept.push_back(order[k]);
        else if (pid_t pid = entries[order[k]].pid.load())
            ::kill(pid, SIGKILL);
    }
    std::ranges::sort(kept);
    for (uint32_t to = 0; to < kept.size(); to++) {
        Table::Entry &from = entries[kept[to]];
        entries[to].place = from.place;
        entries[to].request = from.request;
        entries[to].pid = from.pid.load();
    }
    table_->count = static_cast<uint32_t>(kept.size());
    table_->every = table_->every.load() * 2;
}

std::optional<Plan> ReplayCheckpoints::take(const CheckpointPlace &place, void (*parking)()) {
    if (table_->count.load() == kMaxCheckpoints) {
        thin_out();
        if (!due(place))
            return std::nullopt;
    }
    Requests requests;
    if (!requests.open())
        return std::nullopt; // a checkpoint less: going back starts further back
    bsc_handle child = 0;
    uint64_t id = 0;
    if (host_->process_fork(&child, &id) != BSC_OK) {
        requests.close();
        return std::nullopt;
    }
    if (child == BSC_NO_HANDLE) {
        parking();
        return park(false, requests);
    }
    host_->object_close(child);
    // Only the process that serves gdb writes the table (thin_out moves entries).
    uint32_t index = table_->count.load();
    Table::Entry &entry = table_->entries[index];
    entry.place = place;
    entry.request = requests.read; // the same descriptor in the checkpoint's process
    entry.pid = static_cast<pid_t>(id);
    table_->count = index + 1;
    requests.close();
    return std::nullopt;
}

// The parked process: it starts a replay from here for each request on its pipe (whose
// write end it keeps: no end of file), in a child of its own, until the session ends. The
// root watches the process serving gdb (when it ends without handing over, the session
// ends); the others watch the root.
std::optional<Plan> ReplayCheckpoints::park(bool root, Requests requests) {
    pid_t watched = 0;
    int watching = root ? follow_active(watched) : pidfd_of(root_);
    for (;;) {
        if (watching < 0) // the session has ended; the root ends it with the status
            std::_Exit(root ? table_->status.load() : 0);
        pollfd ready[2] = {{requests.read, POLLIN, 0}, {watching, POLLIN, 0}};
        int n = ::poll(ready, 2, -1);
        reap_children();
        if (n < 0)
            continue;
        if (ready[1].revents) {
            ::close(watching);
            watching = root ? follow_active(watched) : -1;
            continue;
        }
        if (!ready[0].revents)
            continue;
        if (auto plan = handle_request(requests.read)) {
            requests.close();
            ::close(watching);
            return plan;
        }
    }
}

// `to` serves gdb instead of `from`. Both sides of the fork that starts `to` say so,
// whichever runs first: `to` may need it at once (a request of its own waits for the
// change), and a later store must not undo a hand-over `to` has made since.
void ReplayCheckpoints::hand_over(pid_t from, pid_t to) const {
    table_->active.compare_exchange_strong(from, to);
}

// The root's watch: a pidfd of the process that serves gdb now, which becomes `watched`;
// -1 when `watched` still serves but has ended (without handing gdb over). One that handed
// over and ended before the root looked (reaped: no pidfd) leads to the one it handed to.
int ReplayCheckpoints::follow_active(pid_t &watched) const {
    for (pid_t now = table_->active.load();; now = table_->active.load()) {
        if (now == watched)
            return -1;
        watched = now;
        if (int pidfd = pidfd_of(now); pidfd >= 0)
            return pidfd;
    }
}

// Reads a request and starts a replay from here for it: its plan in the child; nothing
// here (nor for a request it cannot read).
std::optional<Plan> ReplayCheckpoints::handle_request(int requests) {
    Request request{};
    if (::read(requests, &request, sizeof request) != sizeof request)
        return std::nullopt;
    int plan_file = ::open(fmt::format("/proc/{}/fd/{}", request.from, request.plan).c_str(),
                           O_RDONLY | O_CLOEXEC);
    auto plan = plan_file >= 0 ? read_plan_file(plan_file) : std::nullopt;
    if (!plan) {
        fmt::print(stderr, "bascule-replay: a checkpoint cannot read the plan of process {}\n",
                   request.from);
        return std::nullopt;
    }
    bsc_handle child = 0;
    uint64_t id = 0;
    if (host_->process_fork(&child, &id) != BSC_OK)
        return std::nullopt;
    if (child == BSC_NO_HANDLE) {
        hand_over(request.from, ::getpid());
        return plan;
    }
    host_->object_close(child);
    hand_over(request.from, static_cast<pid_t>(id));
    return std::nullopt;
}

bool ReplayCheckpoints::restore(Plan plan, const CheckpointNeeds &needs) {
    std::optional<uint32_t> best;
    for (uint32_t i = 0; i < table_->count.load(); i++) {
        const Table::Entry &entry = table_->entries[i];
        bool fits = i == 0 || (!needs.from_start && entry.place.call < needs.before_call &&
                               entry.place.events <= needs.interval);
        if (entry.pid.load() && fits &&
            (!best || entry.place.events > table_->entries[*best].place.events))
            best = i;
    }
    if (!best)
        return false;
    const Table::Entry &entry = table_->entries[*best];
    plan.checkpoint_call = entry.place.call;
    int plan_file = write_plan_file(plan);
    int requests = ::open(fmt::format("/proc/{}/fd/{}", entry.pid.load(), entry.request).c_str(),
                          O_WRONLY | O_CLOEXEC);
    Request request{::getpid(), plan_file};
    if (plan_file < 0 || requests < 0 ||
        ::write(requests, &request, sizeof request) != sizeof request) {
        fmt::print(stderr, "bascule-replay: cannot reach the checkpoint in call {}: {}\n",
                   entry.place.call, std::strerror(errno));
        return false;
    }
    auto deadline = std::chrono::steady_clock::now() + kHandOverWait;
    while (table_->active.load() == ::getpid()) {
        if (std::chrono::steady_clock::now() > deadline) {
            fmt::print(stderr, "bascule-replay: the checkpoint in call {} did not start a "
                               "replay in {} s\n", entry.place.call, kHandOverWait.count());
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::fflush(nullptr);
    std::_Exit(0);
}

void ReplayCheckpoints::ending(int status) { table_->status = status; }

std::string ReplayCheckpoints::describe() const {
    std::string text;
    uint64_t total = 0;
    for (uint32_t i = 0; i < table_->count.load(); i++) {
        const Table::Entry &entry = table_->entries[i];
        if (!entry.pid.load())
            continue;
        auto [own, share] = memory_of(entry.pid.load());
        total += own;
        text += i == 0 ? fmt::format("at the start: process {}, {} KiB of its own ({} KiB "
                                     "proportional)\n", entry.pid.load(), own, share)
                       : fmt::format("in call {} (event {}): process {}, {} KiB of its own "
                                     "({} KiB proportional)\n", entry.place.call,
                                     entry.place.events, entry.pid.load(), own, share);
    }
    return text + fmt::format("{} KiB held by the checkpoints alone; process {} serves gdb\n",
                              total, table_->active.load());
}

} // namespace bsc::replay
