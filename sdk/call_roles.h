// SPDX-License-Identifier: MIT
// The downcalls' parameter roles (abi/bascule_roles.h) as a constexpr table indexed by
// slot, checked at compile time against BSC_DOWNCALLS: the same calls in the same order,
// the same parameter counts, pointers exactly where a role reads or writes through one,
// and element sizes that match the pointed-to types.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "bascule_roles.h"

namespace bsc::roles {

// A downcall's index in the table, by name: Slot::stream_read.
enum class Slot : size_t {
#define BSC_ROLES_SLOT(family, name, params) name,
    BSC_DOWNCALLS(BSC_ROLES_SLOT)
#undef BSC_ROLES_SLOT
        count
};

inline constexpr bsc_call_roles kDowncalls[] = {
#define BSC_ROLES_ENTRY(name, flags, count, ...) {#name, flags, count, {__VA_ARGS__}},
    BSC_DOWNCALL_ROLES(BSC_ROLES_ENTRY)
#undef BSC_ROLES_ENTRY
};

constexpr const bsc_call_roles &of(Slot slot) { return kDowncalls[static_cast<size_t>(slot)]; }

constexpr bool reads_or_writes_through(uint8_t kind) {
    return kind != BSC_ROLE_VALUE && kind != BSC_ROLE_ADDRESS && kind != BSC_ROLE_HANDLE;
}

// Whether a parameter of this kind names handles (a socket message carries some).
constexpr bool names_handles(uint8_t kind) {
    return kind == BSC_ROLE_HANDLE || kind == BSC_ROLE_HANDLES_IN ||
           kind == BSC_ROLE_HANDLES_OUT || kind == BSC_ROLE_MESSAGE_IN ||
           kind == BSC_ROLE_MESSAGE_OUT;
}

// A call whose only handle is its first parameter (a checkpoint translates it alone).
constexpr bool takes_only_first_handle(const bsc_call_roles &call) {
    if (call.param_count == 0 || call.params[0].kind != BSC_ROLE_HANDLE)
        return false;
    for (uint32_t i = 1; i < call.param_count; i++)
        if (names_handles(call.params[i].kind))
            return false;
    return true;
}

namespace detail {

template <class F> struct Signature;
template <class R, class... A> struct Signature<R (*)(A...)> {
    using Params = std::tuple<A...>;
    static constexpr size_t count = sizeof...(A);
};

// Whether parameter I of downcall type F fits role `role`.
template <class F, size_t I> constexpr bool fits(const bsc_param_role &role) {
    using Param = std::tuple_element_t<I, typename Signature<F>::Params>;
    if (role.kind == BSC_ROLE_ADDRESS) // a number or a pointer the call does not follow
        return true;
    if (!reads_or_writes_through(role.kind))
        return !std::is_pointer_v<Param>;
    if constexpr (!std::is_pointer_v<Param>) {
        return false;
    } else {
        using Pointee = std::remove_cv_t<std::remove_pointer_t<Param>>;
        bool sized = role.kind == BSC_ROLE_IN || role.kind == BSC_ROLE_OUT ||
                     role.kind == BSC_ROLE_IN_OUT;
        if constexpr (std::is_void_v<Pointee>)
            return !sized;
        else
            return !sized || sizeof(Pointee) == role.size;
    }
}

template <class F, size_t... I>
constexpr bool all_fit(const bsc_call_roles &call, std::index_sequence<I...>) {
    return (fits<F, I>(call.params[I]) && ...);
}

template <class F> constexpr bool matches(const bsc_call_roles &call, std::string_view name) {
    constexpr size_t count = Signature<F>::count;
    return call.name == name && call.param_count == count &&
           all_fit<F>(call, std::make_index_sequence<count>{});
}

} // namespace detail

static_assert(std::size(kDowncalls) == static_cast<size_t>(Slot::count),
              "BSC_DOWNCALL_ROLES must name every downcall of BSC_DOWNCALLS");
#define BSC_ROLES_CHECK(family, name, params)                                                \
    static_assert(detail::matches<decltype(bsc_downcalls::name)>(of(Slot::name), #name),   \
                  "BSC_DOWNCALL_ROLES does not match BSC_DOWNCALLS at " #name);
BSC_DOWNCALLS(BSC_ROLES_CHECK)
#undef BSC_ROLES_CHECK

} // namespace bsc::roles
