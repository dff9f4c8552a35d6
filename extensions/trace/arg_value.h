// SPDX-License-Identifier: MIT
// One argument of a traced call as the formatter sees it: its raw bits and what its C
// type says about it, captured by a template so no call needs its own code.
#pragma once

#include <cstdint>
#include <type_traits>

namespace bsc::trace {

enum class ArgType : uint8_t {
    unsigned_int,
    signed_int,
    string,      // const char *: a NUL-terminated guest string
    string_list, // const char *const *: a NULL-terminated array of guest strings
    out_unsigned, // pointer to a non-const integer: written by the call
    out_signed,
    pointer,      // any other pointer: shown as an address
};

struct ArgValue {
    ArgType type;
    uint8_t width;       // bytes of the integer, or of the pointed-to integer
    uint64_t bits;       // the integer, or the pointer
    uint64_t before = 0; // for in-out parameters: the pointed-to value before the call
    bool before_ok = false;
};

template <class T> ArgValue describe(T value) {
    if constexpr (std::is_pointer_v<T>) {
        using Pointee = std::remove_pointer_t<T>;
        auto address = reinterpret_cast<uint64_t>(value);
        if constexpr (std::is_same_v<T, const char *>)
            return {ArgType::string, 0, address};
        else if constexpr (std::is_same_v<T, const char *const *>)
            return {ArgType::string_list, 0, address};
        else if constexpr (std::is_integral_v<Pointee> && !std::is_const_v<Pointee> &&
                           !std::is_same_v<Pointee, char>)
            return {std::is_signed_v<Pointee> ? ArgType::out_signed : ArgType::out_unsigned,
                    sizeof(Pointee), address};
        else
            return {ArgType::pointer, 0, address};
    } else {
        static_assert(std::is_integral_v<T>, "ABI arguments are integers or pointers");
        if constexpr (std::is_signed_v<T>)
            return {ArgType::signed_int, sizeof(T),
                    static_cast<uint64_t>(static_cast<int64_t>(value))};
        else
            return {ArgType::unsigned_int, sizeof(T), static_cast<uint64_t>(value)};
    }
}

} // namespace bsc::trace
