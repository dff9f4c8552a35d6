// SPDX-License-Identifier: MIT
// Sockets in an image. A capture asks the host what each socket is (its addresses, state,
// options and the bytes it has received but the guest has not read) and pairs the ends of
// connections that both lie in the guest; a restore makes them again: listeners bound and
// listening, each connection inside the guest connected anew between the same addresses
// with its unread bytes sent again from the other end, a connection to a peer outside the
// guest reset (README.md, "Sockets").
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include <fmt/core.h>

#include "kind_hooks.h"
#include "tracked_state.h"

namespace bsc::checkpoint {
namespace {

namespace snap = bsc::snapshot;
using snap::SocketRecord;
using snap::SocketState;

const bsc_downcalls &below() { return *tracked().below; }

constexpr size_t kIpv4Bytes = 4, kIpv6Bytes = 16;

snap::SocketAddressRecord address_record(const bsc_socket_address &a) {
    snap::SocketAddressRecord r;
    r.domain = static_cast<snap::SocketDomain>(a.domain);
    if (a.domain == BSC_SOCKET_INET || a.domain == BSC_SOCKET_INET6) {
        r.port = a.port;
        r.ip.assign(a.ip, a.ip + (a.domain == BSC_SOCKET_INET ? kIpv4Bytes : kIpv6Bytes));
        r.flow_info = a.domain == BSC_SOCKET_INET6 ? a.flow_info : 0;
        r.scope_id = a.domain == BSC_SOCKET_INET6 ? a.scope_id : 0;
    } else if (a.domain == BSC_SOCKET_UNIX) {
        r.name.assign(a.name, std::min<size_t>(a.name_length, sizeof a.name));
    }
    return r;
}

// The image's address for the ABI (check_metadata has made sure it is well formed).
bsc_socket_address abi_address(const snap::SocketAddressRecord &r) {
    bsc_socket_address a{};
    a.domain = static_cast<uint32_t>(r.domain);
    a.port = static_cast<uint16_t>(r.port);
    std::memcpy(a.ip, r.ip.data(), std::min(r.ip.size(), sizeof a.ip));
    a.flow_info = r.flow_info;
    a.scope_id = r.scope_id;
    a.name_length = static_cast<uint16_t>(std::min(r.name.size(), sizeof a.name));
    std::memcpy(a.name, r.name.data(), a.name_length);
    return a;
}

bool is_stream(const SocketRecord &r) { return r.type == snap::SocketType::stream; }
// A socket with a connection to one peer: a stream or a Unix record stream.
bool is_connection(const SocketRecord &r) { return r.type != snap::SocketType::datagram; }
bool is_tcp(const SocketRecord &r) {
    return is_stream(r) && (r.domain == snap::SocketDomain::inet || r.domain == snap::SocketDomain::inet6);
}

std::string describe(const SocketRecord &r) {
    std::string where = to_string(r.local);
    return fmt::format("socket {} ({} {}{}{})", r.number, to_string(r.domain), to_string(r.type),
                       where.empty() ? "" : " ", where);
}

// ---- capture ----

// Asks the host about one socket, keeping the first failure: a socket that cannot be
// described (a replay's, whose sockets no host object stands behind) cannot be captured.
class SocketQuestions {
public:
    explicit SocketQuestions(bsc_handle handle) : handle_(handle) {}
    int64_t option(uint32_t which) {
        int64_t value = 0;
        keep(below().socket_option_get(handle_, which, &value));
        return value;
    }
    // The address, or none when it has none (`which` PEER of an unconnected socket).
    snap::SocketAddressRecord address(uint32_t which) {
        bsc_socket_address address{};
        bsc_status status = below().socket_address_query(handle_, which, &address);
        if (status != BSC_E_NOT_CONNECTED)
            keep(status);
        return status == BSC_OK ? address_record(address) : snap::SocketAddressRecord{};
    }
    bsc_status keep(bsc_status status) {
        if (failure_ == BSC_OK)
            failure_ = status;
        return status;
    }
    bsc_status failure() const { return failure_; }

private:
    bsc_handle handle_;
    bsc_status failure_ = BSC_OK;
};

bool has_address(const snap::SocketAddressRecord &a) {
    return a.domain == snap::SocketDomain::unix_local ? !a.name.empty()
                                                      : a.domain != snap::SocketDomain::none && a.port;
}

// The options a restore sets again; the buffer sizes are left to the host (Linux doubles
// what it is asked, so reading one back and setting it would grow it).
void query_options(SocketQuestions &ask, SocketRecord &r) {
    r.reuse_address = ask.option(BSC_SOCKOPT_REUSE_ADDRESS);
    r.reuse_port = ask.option(BSC_SOCKOPT_REUSE_PORT);
    r.keep_alive = ask.option(BSC_SOCKOPT_KEEP_ALIVE);
    r.no_delay = is_tcp(r) && ask.option(BSC_SOCKOPT_NO_DELAY);
    r.v6_only = r.domain == snap::SocketDomain::inet6 && ask.option(BSC_SOCKOPT_V6_ONLY);
    r.receive_timeout_ns = ask.option(BSC_SOCKOPT_RECEIVE_TIMEOUT);
    r.send_timeout_ns = ask.option(BSC_SOCKOPT_SEND_TIMEOUT);
    r.linger = ask.option(BSC_SOCKOPT_LINGER);
}

// The `size` bytes a connected stream has received that the guest has not read, left
// queued.
std::string peek_unread(bsc_handle handle, uint64_t size, SocketRecord &r) {
    if (!size)
        return {};
    r.unread.resize(size);
    bsc_socket_message message{};
    message.buffer = reinterpret_cast<uint64_t>(r.unread.data());
    message.size = r.unread.size();
    if (bsc_status s = below().socket_receive(handle, &message,
                                              BSC_MESSAGE_PEEK | BSC_MESSAGE_DONT_WAIT))
        return fmt::format("{}: cannot read its unread bytes: {}", describe(r), bsc_status_name(s));
    if (message.result_flags & BSC_MESSAGE_HANDLES_TRUNCATED)
        return fmt::format("{} has handles in flight, which an image cannot hold", describe(r));
    r.unread.resize(message.done);
    return {};
}

// What kind of socket it is, and what it holds that an image can keep.
// `r` holds what the registry knows of it (the backlog, a shutdown, whether it was made
// connected).
std::string query_socket(bsc_handle number, bsc_handle handle, SocketRecord &r) {
    SocketQuestions ask(handle);
    bool made_connected = r.state == SocketState::connected || r.state == SocketState::outside;
    r.number = number;
    r.domain = static_cast<snap::SocketDomain>(ask.option(BSC_SOCKOPT_DOMAIN));
    r.type = static_cast<snap::SocketType>(ask.option(BSC_SOCKOPT_TYPE));
    bsc_object_info info{};
    char uri[64];
    ask.keep(below().object_query(handle, &info, uri, sizeof uri));
    r.options = info.options & BSC_OPTION_NONBLOCK;
    r.local = ask.address(BSC_ADDRESS_LOCAL);
    r.peer = ask.address(BSC_ADDRESS_PEER);
    bool connected = r.peer.domain != snap::SocketDomain::none;
    query_options(ask, r);
    bool listening = ask.option(BSC_SOCKOPT_LISTENING);
    bsc_stream_attributes attributes{}; // its size: the bytes readable now
    ask.keep(below().stream_attributes_query_by_handle(handle, &attributes));
    int64_t unsent = is_stream(r) && connected && !listening ? ask.option(BSC_SOCKOPT_UNSENT) : 0;
    if (ask.failure())
        return fmt::format("socket {} cannot be described: {}", number,
                           bsc_status_name(ask.failure()));
    bsc_wait_item item{handle, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    if (listening) {
        r.state = SocketState::listening;
        if (below().objects_wait_any(&item, 1, 0, &ready) == BSC_OK && ready)
            return fmt::format("{} has connections not yet accepted: capture again once the "
                               "guest has accepted them", describe(r));
        return {};
    }
    // A Unix stream whose peer has closed is no longer connected: its unread bytes and
    // the end of the stream are what it still holds.
    r.state = connected                                ? SocketState::connected
              : is_connection(r) && made_connected     ? SocketState::outside
              : has_address(r.local)                   ? SocketState::bound
                                                       : SocketState::created;
    if (!is_stream(r) && attributes.size)
        return fmt::format("{} has messages queued, which an image cannot hold yet", describe(r));
    if (!is_stream(r) || (r.state != SocketState::connected && r.state != SocketState::outside))
        return {};
    if (unsent)
        return fmt::format("{} has {} bytes its peer has not received yet (the peer's receive "
                           "buffer is full): capture again once it has read them",
                           describe(r), unsent);
    return peek_unread(handle, attributes.size, r);
}

bool same_address(const snap::SocketAddressRecord &a, const snap::SocketAddressRecord &b) {
    return has_address(a) && a == b;
}

// Pairs the ends of each connection inside the guest: socket pairs as the registry knows
// them, TCP connections by their addresses. A connected stream with no end in the guest
// is to a peer outside. A Unix connection made by connect and accept inside the guest
// cannot be paired (the host does not say which accepted end belongs to which connect).
std::string pair_ends(std::vector<SocketRecord> &sockets, const std::map<uint64_t, bsc_handle> &partners) {
    for (auto &r : sockets) {
        if (r.state != SocketState::connected)
            continue;
        if (auto known = partners.find(r.number); known != partners.end() && known->second) {
            r.partner = known->second;
            continue;
        }
        if (!is_connection(r))
            continue; // a datagram socket's peer is an address
        for (const auto &other : sockets)
            if (&other != &r && is_connection(other) && other.state == SocketState::connected &&
                (same_address(other.local, r.peer) || same_address(other.peer, r.local))) {
                if (!is_tcp(r))
                    return fmt::format("{} is connected to {} by connect and accept inside the "
                                       "guest: such a Unix connection cannot be captured yet "
                                       "(a socket pair can)", describe(r), describe(other));
                if (same_address(other.local, r.peer) && same_address(other.peer, r.local))
                    r.partner = other.number;
            }
        if (!r.partner)
            r.state = SocketState::outside;
    }
    return {};
}

// ---- restore ----

// 127.0.0.1 or ::1, port 0.
bsc_socket_address loopback_address(snap::SocketDomain domain) {
    bsc_socket_address a{};
    a.domain = static_cast<uint32_t>(domain);
    if (domain == snap::SocketDomain::inet)
        a.ip[0] = 127, a.ip[3] = 1;
    else
        a.ip[15] = 1;
    return a;
}

void set_option(bsc_handle handle, uint32_t which, int64_t value, const SocketRecord &r) {
    check(below().socket_option_set(handle, which, value),
          fmt::format("{}: cannot set option {}", describe(r), which));
}

bsc_handle create(const SocketRecord &r) {
    bsc_handle handle;
    check(below().socket_create(static_cast<uint32_t>(r.domain), static_cast<uint32_t>(r.type), 0,
                                &handle),
          fmt::format("cannot make {} again", describe(r)));
    if (r.domain == snap::SocketDomain::inet6)
        set_option(handle, BSC_SOCKOPT_V6_ONLY, r.v6_only, r);
    return handle;
}

// A Unix socket's file left by the captured process, with no one listening on it.
bool is_stale_socket_file(const bsc_socket_address &address) {
    if (address.domain != BSC_SOCKET_UNIX || !address.name_length || address.name[0] == '\0')
        return false;
    bsc_handle probe;
    if (below().socket_create(BSC_SOCKET_UNIX, BSC_SOCKET_STREAM, 0, &probe) != BSC_OK)
        return false;
    bool refused = below().socket_connect(probe, &address) == BSC_E_CONN_REFUSED;
    below().object_close(probe);
    return refused;
}

// Binds to the recorded address, as the captured socket was: the captured process may
// have left its connections in TIME_WAIT (hence REUSE_ADDRESS while binding) or its Unix
// socket file behind.
void bind_again(bsc_handle handle, const snap::SocketAddressRecord &where, const SocketRecord &r) {
    set_option(handle, BSC_SOCKOPT_REUSE_ADDRESS, 1, r);
    bsc_socket_address address = abi_address(where);
    bsc_status status = below().socket_bind(handle, &address);
    if (status == BSC_E_ADDR_IN_USE && is_stale_socket_file(address) &&
        below().stream_delete(("file:" + std::string(address.name, address.name_length)).c_str(), 0) == BSC_OK)
        status = below().socket_bind(handle, &address);
    if (status == BSC_E_ADDR_IN_USE)
        throw RestoreFailure{status, fmt::format("{} cannot be bound to {} again: the address "
                                                 "is in use", describe(r), to_string(where))};
    check(status, fmt::format("{}: cannot bind to {} again", describe(r), to_string(where)));
}

// Connects `handle` to `address`: connecting from an address whose last connection is
// still in TIME_WAIT is refused by the host until its clock has moved on a second.
void connect_again(bsc_handle handle, const bsc_socket_address &address, const SocketRecord &r) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    bsc_status status;
    while ((status = below().socket_connect(handle, &address)) == BSC_E_ADDR_NOT_AVAILABLE &&
           std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    check(status, fmt::format("{}: cannot connect again", describe(r)));
}

void send_all(bsc_handle handle, const std::vector<uint8_t> &bytes, const SocketRecord &r) {
    write_all(handle, bytes, fmt::format("{}: cannot put its unread bytes back", describe(r)));
}

class SocketRestore {
public:
    explicit SocketRestore(const std::vector<SocketRecord> &records) : records_(records) {
        for (const auto &r : records)
            by_number_[r.number] = &r;
    }

    void run() {
        for (const auto &r : records_)
            if (r.state == SocketState::listening)
                listen_again(r);
        for (const auto &r : records_)
            if (r.state == SocketState::created || r.state == SocketState::bound)
                make_unconnected(r);
        for (const auto &r : records_) // after the others bound: their peers may be the guest's
            if (r.state == SocketState::connected && !r.partner)
                make_unconnected(r);
        for (const auto &r : records_)
            if (r.state == SocketState::connected && r.partner && !made_.contains(r.number))
                connect_pair(r, partner_of(r));
        for (const auto &r : records_)
            if (r.state == SocketState::outside)
                make_outside(r);
        for (const auto &r : records_)
            if (r.state == SocketState::connected && r.partner)
                send_all(made_.at(r.partner), r.unread, r);
        for (const auto &r : records_)
            finish(r);
    }

private:
    const SocketRecord &partner_of(const SocketRecord &r) const {
        auto it = by_number_.find(r.partner);
        if (it == by_number_.end() || it->second->partner != r.number)
            throw RestoreFailure{BSC_E_INVALID, fmt::format("{} names partner {}, which does not "
                                                            "name it back", describe(r), r.partner)};
        return *it->second;
    }

    void listen_again(const SocketRecord &r) {
        bsc_handle handle = made_[r.number] = create(r);
        bind_again(handle, r.local, r);
        check(below().socket_listen(handle, r.backlog ? r.backlog : 128),
              fmt::format("{}: cannot listen again", describe(r)));
    }

    void make_unconnected(const SocketRecord &r) {
        bsc_handle handle = made_[r.number] = create(r);
        if (has_address(r.local))
            bind_again(handle, r.local, r);
        if (r.state == SocketState::connected) {
            bsc_socket_address peer = abi_address(r.peer);
            check(below().socket_connect(handle, &peer),
                  fmt::format("{}: cannot set its peer {} again", describe(r), to_string(r.peer)));
        }
    }

    // A guest listener that the captured connection's server end could have come from.
    const SocketRecord *listener_at(const snap::SocketAddressRecord &address) const {
        for (const auto &r : records_)
            if (r.state == SocketState::listening && r.domain == address.domain &&
                r.local.port == address.port &&
                (r.local.ip == address.ip ||
                 std::all_of(r.local.ip.begin(), r.local.ip.end(), [](uint8_t b) { return !b; })))
                return &r;
        return nullptr;
    }

    // Both ends of a connection inside the guest. A Unix pair is a fresh pair; a TCP
    // connection is made again between the same two addresses: accepted from the guest's
    // own listener where the server end came from one, else from one made for the purpose.
    void connect_pair(const SocketRecord &a, const SocketRecord &b) {
        if (!is_tcp(a)) {
            bsc_handle ends[2];
            check(below().socket_create_pair(BSC_SOCKET_UNIX, static_cast<uint32_t>(a.type), 0, ends),
                  fmt::format("cannot make {} again", describe(a)));
            made_[a.number] = ends[0];
            made_[b.number] = ends[1];
            return;
        }
        const SocketRecord *listener = listener_at(b.local);
        const SocketRecord &server = listener || !listener_at(a.local) ? b : a;
        const SocketRecord &client = &server == &b ? a : b;
        if (!listener)
            listener = listener_at(server.local);
        bsc_handle accepting = listener ? made_.at(listener->number) : temporary_listener(server);
        bsc_handle connecting = made_[client.number] = create(client);
        bind_again(connecting, client.local, client);
        connect_again(connecting, abi_address(client.peer), client);
        bsc_handle accepted;
        bsc_status status = below().stream_accept(accepting, 0, &accepted);
        if (!listener)
            below().object_close(accepting);
        check(status, fmt::format("{}: cannot accept its connection again", describe(server)));
        made_[server.number] = accepted;
        bsc_socket_address peer{};
        below().socket_address_query(accepted, BSC_ADDRESS_PEER, &peer);
        if (address_record(peer) != client.local)
            throw RestoreFailure{BSC_E_BUSY, fmt::format("{}: another connection came to {} "
                                                         "during the restore", describe(server),
                                                         to_string(server.local))};
    }

    bsc_handle temporary_listener(const SocketRecord &server) {
        bsc_handle handle = create(server);
        bind_again(handle, server.local, server);
        check(below().socket_listen(handle, 1), fmt::format("{}: cannot listen", describe(server)));
        return handle;
    }

    // A stream to a peer outside the guest, which a restore cannot reach: a TCP
    // connection comes back reset (its next receive or send fails with CONN_RESET), a Unix
    // one as ended (its unread bytes, then the end of the stream).
    void make_outside(const SocketRecord &r) {
        bsc_handle ends[2];
        if (!is_tcp(r)) {
            check(below().socket_create_pair(BSC_SOCKET_UNIX, static_cast<uint32_t>(r.type), 0, ends),
                  fmt::format("cannot make {} again", describe(r)));
            send_all(ends[1], r.unread, r);
            below().object_close(ends[1]);
            made_[r.number] = ends[0];
            return;
        }
        bsc_handle listener = create(r);
        bsc_socket_address loopback = loopback_address(r.domain), bound{};
        check(below().socket_bind(listener, &loopback),
              fmt::format("{}: cannot bind a loopback socket", describe(r)));
        check(below().socket_listen(listener, 1), fmt::format("{}: cannot listen", describe(r)));
        below().socket_address_query(listener, BSC_ADDRESS_LOCAL, &bound);
        bsc_handle handle = made_[r.number] = create(r);
        connect_again(handle, bound, r);
        bsc_handle accepted;
        bsc_status status = below().stream_accept(listener, 0, &accepted);
        below().object_close(listener);
        check(status, fmt::format("{}: cannot accept a loopback connection", describe(r)));
        set_option(accepted, BSC_SOCKOPT_LINGER, int64_t{1} << 32, r); // close resets
        below().object_close(accepted);
    }

    // What comes last: the ends the guest had shut, its options, the handle's options,
    // and its number.
    void finish(const SocketRecord &r) {
        bsc_handle handle = made_.at(r.number);
        if (r.shutdown && r.state != SocketState::outside)
            check(below().socket_shutdown(handle, r.shutdown),
                  fmt::format("{}: cannot shut it again", describe(r)));
        set_option(handle, BSC_SOCKOPT_REUSE_ADDRESS, r.reuse_address, r);
        set_option(handle, BSC_SOCKOPT_REUSE_PORT, r.reuse_port, r);
        set_option(handle, BSC_SOCKOPT_KEEP_ALIVE, r.keep_alive, r);
        if (is_tcp(r))
            set_option(handle, BSC_SOCKOPT_NO_DELAY, r.no_delay, r);
        set_option(handle, BSC_SOCKOPT_RECEIVE_TIMEOUT, r.receive_timeout_ns, r);
        set_option(handle, BSC_SOCKOPT_SEND_TIMEOUT, r.send_timeout_ns, r);
        set_option(handle, BSC_SOCKOPT_LINGER, r.linger, r);
        bsc_stream_attributes attributes{};
        attributes.options = r.options & BSC_OPTION_NONBLOCK;
        check(below().stream_attributes_set_by_handle(handle, BSC_SET_OPTIONS, &attributes),
              fmt::format("{}: cannot set its options", describe(r)));
        tracked().handles.adopt(handle_number(r.number), restored_entry(handle, r));
    }

    const std::vector<SocketRecord> &records_;
    std::map<uint64_t, const SocketRecord *> by_number_;
    std::map<uint64_t, bsc_handle> made_; // the new handle below, by the guest's number
};

} // namespace

std::string KindHooks<SocketRecord>::capture(std::vector<SocketRecord> &out) {
    std::map<uint64_t, bsc_handle> partners;
    for (const auto &[number, entry] : tracked().handles.list()) {
        auto *tracked_record = std::get_if<SocketRecord>(&entry.object);
        if (!tracked_record)
            continue;
        SocketRecord r = *tracked_record;
        partners[number] = static_cast<bsc_handle>(r.partner);
        r.partner = 0; // pair_ends sets it
        if (std::string problem = query_socket(number, entry.below, r); !problem.empty())
            return problem;
        out.push_back(std::move(r));
    }
    return pair_ends(out, partners);
}

void KindHooks<SocketRecord>::restore(const std::vector<SocketRecord> &records,
                                      const RestoreRequest &request) {
    if (!request.as_captured)
        return SocketRestore(records).run();
    for (const auto &r : records) {
        bsc_handle number = handle_number(r.number);
        tracked().handles.adopt(number, restored_entry(number, r));
    }
}

} // namespace bsc::checkpoint
