// SPDX-License-Identifier: MIT
// Shared pieces of the chain tests: a fake bottom table that records what reaches it,
// a fake guest upcall table, calls through every slot, and the test search path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "bascule.h"
#include "chain.h"
#include "../extensions/test_probe.h"

namespace chain_test {

// Where both the test extensions and the real ones (null, trace) are found.
inline bsc::chain::SearchPath test_path() {
    return bsc::chain::SearchPath::from_environment().with_first(BASCULE_TEST_EXT_DIR);
}

inline bsc::chain::ExtensionSpec spec(std::string_view text) {
    return bsc::chain::parse_extension_spec(text);
}

// A call as it arrived at the bottom or at the guest: its name and every argument's bits.
struct Arrival {
    std::string_view name;
    std::vector<uint64_t> args;
    bool operator==(const Arrival &) const = default;
};

inline std::vector<Arrival> &arrivals() {
    static std::vector<Arrival> list;
    return list;
}

template <class T> uint64_t bits_of(T value) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<uint64_t>(value);
    else
        return static_cast<uint64_t>(value);
}

// A distinct, recognisable value for argument `i` of a call, of its type (pointers are
// never followed by the pass-through layers, so any address will do).
template <class T> T argument_value(size_t i) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<T>(uintptr_t{0x10000} * (i + 1));
    else
        return static_cast<T>(1000 + i);
}

template <class... Args, size_t... I> std::tuple<Args...> arguments(std::index_sequence<I...>) {
    return {argument_value<Args>(I)...};
}

// What the fake bottom returns for slot `index`: different for every slot.
constexpr bsc_status status_for(size_t index) { return -100 - static_cast<bsc_status>(index); }

inline const std::vector<std::string_view> &downcall_names() {
    static const std::vector<std::string_view> names = {
#define CHAIN_TEST_NAME(family, name, params) #name,
        BSC_DOWNCALLS(CHAIN_TEST_NAME)
#undef CHAIN_TEST_NAME
    };
    return names;
}

template <size_t Index, class Fn> struct Recorder;
template <size_t Index, class... Args> struct Recorder<Index, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        arrivals().push_back({downcall_names()[Index], {bits_of(args)...}});
        return status_for(Index);
    }
};

enum Slot : size_t {
#define CHAIN_TEST_SLOT(family, name, params) slot_##name,
    BSC_DOWNCALLS(CHAIN_TEST_SLOT)
#undef CHAIN_TEST_SLOT
};

// The bottom table: every slot records its arrival and returns status_for(slot).
inline const bsc_downcalls &recording_bottom() {
    static const bsc_downcalls table = [] {
        bsc_downcalls t{};
        t.size = sizeof t;
        t.version = BSC_ABI_VERSION;
#define CHAIN_TEST_RECORD(family, name, params) \
    t.name = Recorder<slot_##name, decltype(bsc_downcalls::name)>::call;
        BSC_DOWNCALLS(CHAIN_TEST_RECORD)
#undef CHAIN_TEST_RECORD
        return t;
    }();
    return table;
}

// Calls slot `Member` of `table` with argument_value()s; returns what it returned and
// the call as it was made.
template <auto Member, class Fn> struct Caller;
template <auto Member, class... Args> struct Caller<Member, bsc_status (*)(Args...)> {
    static bsc_status call(const bsc_downcalls &table, std::string_view name, Arrival &made) {
        auto values = arguments<Args...>(std::index_sequence_for<Args...>{});
        made = {name, std::apply([](auto... a) { return std::vector<uint64_t>{bits_of(a)...}; },
                                 values)};
        return std::apply([&](auto... a) { return (table.*Member)(a...); }, values);
    }
};

// One Caller per downcall slot, in slot order: the checks below loop over this table
// rather than expanding their assertions once per downcall (which made this the slowest
// file of the build to compile).
using DowncallCaller = bsc_status (*)(const bsc_downcalls &, std::string_view, Arrival &);
inline const std::vector<DowncallCaller> &downcall_callers() {
    static const std::vector<DowncallCaller> callers = {
#define CHAIN_TEST_CALLER(family, name, params) \
    &Caller<&bsc_downcalls::name, decltype(bsc_downcalls::name)>::call,
        BSC_DOWNCALLS(CHAIN_TEST_CALLER)
#undef CHAIN_TEST_CALLER
    };
    return callers;
}

// Calls every downcall of `table` once and checks, for each, that exactly that call
// arrived at the recording bottom with the same arguments, and that its status came back.
// Returns the number of calls made.
inline size_t check_every_downcall_passes(const bsc_downcalls &table) {
    const auto &callers = downcall_callers();
    for (size_t slot = 0; slot < callers.size(); slot++) {
        arrivals().clear();
        Arrival made;
        bsc_status status = callers[slot](table, downcall_names()[slot], made);
        INFO("downcall " << downcall_names()[slot]);
        CHECK(status == status_for(slot));
        REQUIRE(arrivals().size() == 1);
        CHECK(arrivals().front() == made);
    }
    return callers.size();
}

inline const std::vector<std::string_view> &upcall_names() {
    static const std::vector<std::string_view> names = {
#define CHAIN_TEST_UPCALL_NAME(name, params) #name,
        BSC_UPCALLS(CHAIN_TEST_UPCALL_NAME)
#undef CHAIN_TEST_UPCALL_NAME
    };
    return names;
}

enum UpcallSlot : size_t {
#define CHAIN_TEST_UPCALL_SLOT(name, params) upcall_slot_##name,
    BSC_UPCALLS(CHAIN_TEST_UPCALL_SLOT)
#undef CHAIN_TEST_UPCALL_SLOT
};

// The guest's upcall entries: each records its arrival (and, unlike real upcalls, returns).
template <size_t Index, class Fn> struct GuestEntry;
template <size_t Index, class... Args> struct GuestEntry<Index, void (*)(Args...)> {
    static void call(Args... args) {
        arrivals().push_back({upcall_names()[Index], {bits_of(args)...}});
    }
};

inline bsc_upcalls guest_table() {
    bsc_upcalls t{};
    t.size = sizeof t;
    t.version = BSC_ABI_VERSION;
#define CHAIN_TEST_GUEST_ENTRY(name, params) \
    t.name = GuestEntry<upcall_slot_##name, decltype(bsc_upcalls::name)>::call;
    BSC_UPCALLS(CHAIN_TEST_GUEST_ENTRY)
#undef CHAIN_TEST_GUEST_ENTRY
    return t;
}

template <auto Member, class Fn> struct UpcallCaller;
template <auto Member, class... Args> struct UpcallCaller<Member, void (*)(Args...)> {
    static void call(const bsc_upcalls &table, std::string_view name, Arrival &made) {
        auto values = arguments<Args...>(std::index_sequence_for<Args...>{});
        made = {name, std::apply([](auto... a) { return std::vector<uint64_t>{bits_of(a)...}; },
                                 values)};
        std::apply([&](auto... a) { (table.*Member)(a...); }, values);
    }
};

// One UpcallCaller per upcall slot, in slot order (as downcall_callers()).
using UpcallRaiser = void (*)(const bsc_upcalls &, std::string_view, Arrival &);
inline const std::vector<UpcallRaiser> &upcall_raisers() {
    static const std::vector<UpcallRaiser> raisers = {
#define CHAIN_TEST_RAISER(name, params) \
    &UpcallCaller<&bsc_upcalls::name, decltype(bsc_upcalls::name)>::call,
        BSC_UPCALLS(CHAIN_TEST_RAISER)
#undef CHAIN_TEST_RAISER
    };
    return raisers;
}

// Raises every upcall into `table` (the host's end) and checks that each reaches the
// guest entries unchanged. Returns the number of upcalls raised.
inline size_t check_every_upcall_passes(const bsc_upcalls &table) {
    const auto &raisers = upcall_raisers();
    for (size_t slot = 0; slot < raisers.size(); slot++) {
        arrivals().clear();
        Arrival made;
        raisers[slot](table, upcall_names()[slot], made);
        INFO("upcall " << upcall_names()[slot]);
        REQUIRE(arrivals().size() == 1);
        CHECK(arrivals().front() == made);
    }
    return raisers.size();
}

} // namespace chain_test
