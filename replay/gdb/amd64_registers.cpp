// SPDX-License-Identifier: MIT
#include "amd64_registers.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <cstring>

namespace bsc::gdb {
namespace {

// The registers in `g` order; gdb numbers them from 0 in the order the description lists
// them, and takes their meaning from their names.
constexpr std::string_view kDescription = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>i386:x86-64</architecture>
  <osabi>GNU/Linux</osabi>
  <feature name="org.gnu.gdb.i386.core">
    <flags id="i386_eflags" size="4">
      <field name="CF" start="0" end="0"/>
      <field name="PF" start="2" end="2"/><field name="AF" start="4" end="4"/>
      <field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/>
      <field name="DF" start="10" end="10"/><field name="OF" start="11" end="11"/>
      <field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
      <field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/>
      <field name="VIF" start="19" end="19"/><field name="VIP" start="20" end="20"/>
      <field name="ID" start="21" end="21"/>
    </flags>
    <reg name="rax" bitsize="64" type="int64"/>
    <reg name="rbx" bitsize="64" type="int64"/>
    <reg name="rcx" bitsize="64" type="int64"/>
    <reg name="rdx" bitsize="64" type="int64"/>
    <reg name="rsi" bitsize="64" type="int64"/>
    <reg name="rdi" bitsize="64" type="int64"/>
    <reg name="rbp" bitsize="64" type="data_ptr"/>
    <reg name="rsp" bitsize="64" type="data_ptr"/>
    <reg name="r8" bitsize="64" type="int64"/>
    <reg name="r9" bitsize="64" type="int64"/>
    <reg name="r10" bitsize="64" type="int64"/>
    <reg name="r11" bitsize="64" type="int64"/>
    <reg name="r12" bitsize="64" type="int64"/>
    <reg name="r13" bitsize="64" type="int64"/>
    <reg name="r14" bitsize="64" type="int64"/>
    <reg name="r15" bitsize="64" type="int64"/>
    <reg name="rip" bitsize="64" type="code_ptr"/>
    <reg name="eflags" bitsize="32" type="i386_eflags"/>
    <reg name="cs" bitsize="32" type="int32"/>
    <reg name="ss" bitsize="32" type="int32"/>
    <reg name="ds" bitsize="32" type="int32"/>
    <reg name="es" bitsize="32" type="int32"/>
    <reg name="fs" bitsize="32" type="int32"/>
    <reg name="gs" bitsize="32" type="int32"/>
    <reg name="st0" bitsize="80" type="i387_ext"/>
    <reg name="st1" bitsize="80" type="i387_ext"/>
    <reg name="st2" bitsize="80" type="i387_ext"/>
    <reg name="st3" bitsize="80" type="i387_ext"/>
    <reg name="st4" bitsize="80" type="i387_ext"/>
    <reg name="st5" bitsize="80" type="i387_ext"/>
    <reg name="st6" bitsize="80" type="i387_ext"/>
    <reg name="st7" bitsize="80" type="i387_ext"/>
    <reg name="fctrl" bitsize="32" type="int" group="float"/>
    <reg name="fstat" bitsize="32" type="int" group="float"/>
    <reg name="ftag" bitsize="32" type="int" group="float"/>
    <reg name="fiseg" bitsize="32" type="int" group="float"/>
    <reg name="fioff" bitsize="32" type="int" group="float"/>
    <reg name="foseg" bitsize="32" type="int" group="float"/>
    <reg name="fooff" bitsize="32" type="int" group="float"/>
    <reg name="fop" bitsize="32" type="int" group="float"/>
  </feature>
  <feature name="org.gnu.gdb.i386.sse">
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>
      <field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>
      <field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>
    <flags id="i386_mxcsr" size="4">
      <field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/>
      <field name="ZE" start="2" end="2"/><field name="OE" start="3" end="3"/>
      <field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
      <field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/>
      <field name="DM" start="8" end="8"/><field name="ZM" start="9" end="9"/>
      <field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
      <field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
    </flags>
    <reg name="xmm0" bitsize="128" type="vec128"/>
    <reg name="xmm1" bitsize="128" type="vec128"/>
    <reg name="xmm2" bitsize="128" type="vec128"/>
    <reg name="xmm3" bitsize="128" type="vec128"/>
    <reg name="xmm4" bitsize="128" type="vec128"/>
    <reg name="xmm5" bitsize="128" type="vec128"/>
    <reg name="xmm6" bitsize="128" type="vec128"/>
    <reg name="xmm7" bitsize="128" type="vec128"/>
    <reg name="xmm8" bitsize="128" type="vec128"/>
    <reg name="xmm9" bitsize="128" type="vec128"/>
    <reg name="xmm10" bitsize="128" type="vec128"/>
    <reg name="xmm11" bitsize="128" type="vec128"/>
    <reg name="xmm12" bitsize="128" type="vec128"/>
    <reg name="xmm13" bitsize="128" type="vec128"/>
    <reg name="xmm14" bitsize="128" type="vec128"/>
    <reg name="xmm15" bitsize="128" type="vec128"/>
    <reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
  </feature>
  <feature name="org.gnu.gdb.i386.linux">
    <reg name="orig_rax" bitsize="64" type="int" group="system"/>
  </feature>
  <feature name="org.gnu.gdb.i386.segments">
    <reg name="fs_base" bitsize="64" type="int"/>
    <reg name="gs_base" bitsize="64" type="int"/>
  </feature>
  <feature name="org.gnu.gdb.i386.avx">
    <reg name="ymm0h" bitsize="128" type="uint128"/>
    <reg name="ymm1h" bitsize="128" type="uint128"/>
    <reg name="ymm2h" bitsize="128" type="uint128"/>
    <reg name="ymm3h" bitsize="128" type="uint128"/>
    <reg name="ymm4h" bitsize="128" type="uint128"/>
    <reg name="ymm5h" bitsize="128" type="uint128"/>
    <reg name="ymm6h" bitsize="128" type="uint128"/>
    <reg name="ymm7h" bitsize="128" type="uint128"/>
    <reg name="ymm8h" bitsize="128" type="uint128"/>
    <reg name="ymm9h" bitsize="128" type="uint128"/>
    <reg name="ymm10h" bitsize="128" type="uint128"/>
    <reg name="ymm11h" bitsize="128" type="uint128"/>
    <reg name="ymm12h" bitsize="128" type="uint128"/>
    <reg name="ymm13h" bitsize="128" type="uint128"/>
    <reg name="ymm14h" bitsize="128" type="uint128"/>
    <reg name="ymm15h" bitsize="128" type="uint128"/>
  </feature>
</target>
)";

// The XSAVE image's layout (Intel SDM vol. 1, 10.5.1 and 13.4): the FXSAVE area, the XSAVE
// header with the components present, then (standard format, as signal frames hold it)
// the AVX upper halves at a fixed offset.
constexpr size_t kLegacySize = 512;
constexpr size_t kFcw = 0, kFsw = 2, kAbridgedTag = 4, kFop = 6, kFip = 8, kFdp = 16;
constexpr size_t kMxcsr = 24, kSt = 32, kXmm = 160;
constexpr size_t kXstateBv = 512, kYmmHigh = 576;
constexpr uint64_t kX87Present = 1, kSsePresent = 2, kAvxPresent = 4;
constexpr uint16_t kInitialFcw = 0x37f;
constexpr uint32_t kInitialMxcsr = 0x1f80;

struct Writer {
    std::vector<uint8_t> &out;
    template <class T> void value(T v) {
        uint8_t bytes[sizeof v];
        std::memcpy(bytes, &v, sizeof v);
        out.insert(out.end(), bytes, bytes + sizeof v);
    }
    void bytes(const uint8_t *from, size_t n) { out.insert(out.end(), from, from + n); }
    void zeros(size_t n) { out.insert(out.end(), n, 0); }
};

template <class T> T load(std::span<const uint8_t> area, size_t offset) {
    T v;
    std::memcpy(&v, area.data() + offset, sizeof v);
    return v;
}

// The full x87 tag word gdb shows from FXSAVE's abridged one (a bit a physical register:
// in use or empty): an in-use register's tag says what its value is.
uint16_t full_tag_word(std::span<const uint8_t> legacy) {
    uint8_t abridged = legacy[kAbridgedTag];
    unsigned top = (load<uint16_t>(legacy, kFsw) >> 11) & 7;
    uint16_t tags = 0;
    for (unsigned physical = 0; physical < 8; physical++) {
        unsigned tag = 3; // empty
        if (abridged & (1u << physical)) {
            const uint8_t *value = legacy.data() + kSt + 16 * ((physical - top) & 7);
            uint16_t exponent = load<uint16_t>(std::span(value, 10), 8) & 0x7fff;
            uint64_t significand = load<uint64_t>(std::span(value, 10), 0);
            bool integer_bit = significand >> 63;
            if (exponent == 0x7fff || (exponent == 0 && significand) || (exponent && !integer_bit))
                tag = 2; // special: NaN, infinity, denormal, unsupported
            else
                tag = exponent == 0 ? 1 : 0; // zero, else valid
        }
        tags |= static_cast<uint16_t>(tag << (2 * physical));
    }
    return tags;
}

} // namespace

std::string_view amd64_target_description() { return kDescription; }

std::vector<uint8_t> amd64_registers(const bsc_cpu_context &c, std::span<const uint8_t> xstate,
                                     uint64_t gs_base) {
    std::vector<uint8_t> out;
    out.reserve(560);
    Writer w{out};
    for (uint64_t r : {c.rax, c.rbx, c.rcx, c.rdx, c.rsi, c.rdi, c.rbp, c.rsp, c.r8, c.r9, c.r10,
                       c.r11, c.r12, c.r13, c.r14, c.r15, c.rip})
        w.value(r);
    w.value(static_cast<uint32_t>(c.rflags));
    // cs and ss: the kernel's 64-bit user selectors; ds, es, fs and gs: null (bases in
    // fs_base and gs_base).
    for (uint32_t selector : {0x33u, 0x2bu, 0u, 0u, 0u, 0u})
        w.value(selector);

    // An XSAVE image leaves out a component in its initial state (its bit in the header
    // clear); an FXSAVE image holds both.
    uint64_t present = 0;
    if (xstate.size() >= kLegacySize)
        present = xstate.size() > kLegacySize ? load<uint64_t>(xstate, kXstateBv)
                                              : kX87Present | kSsePresent;
    std::array<uint8_t, kLegacySize> initial{};
    initial[kFcw] = kInitialFcw & 0xff, initial[kFcw + 1] = kInitialFcw >> 8;
    std::span<const uint8_t> x87 = present & kX87Present ? xstate.first(kLegacySize)
                                                         : std::span<const uint8_t>(initial);
    for (int i = 0; i < 8; i++)
        w.bytes(x87.data() + kSt + 16 * i, 10);
    w.value(uint32_t{load<uint16_t>(x87, kFcw)});
    w.value(uint32_t{load<uint16_t>(x87, kFsw)});
    w.value(uint32_t{full_tag_word(x87)});
    // 64-bit FXSAVE: the instruction and operand pointers are 64 bits; gdb shows their
    // upper halves as the segments.
    w.value(load<uint32_t>(x87, kFip + 4));
    w.value(load<uint32_t>(x87, kFip));
    w.value(load<uint32_t>(x87, kFdp + 4));
    w.value(load<uint32_t>(x87, kFdp));
    w.value(uint32_t{load<uint16_t>(x87, kFop) & 0x7ffu});

    if (present & kSsePresent)
        w.bytes(xstate.data() + kXmm, 16 * 16);
    else
        w.zeros(16 * 16);
    // MXCSR is saved with either SSE or AVX state.
    w.value(present & (kSsePresent | kAvxPresent) ? load<uint32_t>(xstate, kMxcsr)
                                                  : kInitialMxcsr);
    w.value(~uint64_t{0}); // orig_rax: not in a system call gdb should restart
    w.value(c.fs_base);
    w.value(gs_base);
    if (present & kAvxPresent && xstate.size() >= kYmmHigh + 16 * 16)
        w.bytes(xstate.data() + kYmmHigh, 16 * 16);
    else
        w.zeros(16 * 16);
    return out;
}

std::optional<bsc_cpu_context> amd64_changed_context(const bsc_cpu_context &context,
                                                     std::span<const uint8_t> now,
                                                     std::span<const uint8_t> wanted) {
    if (now.size() != wanted.size() || now.size() < kAmd64FsBaseOffset + 8)
        return std::nullopt;
    constexpr size_t kChangeable[][2] = {{0, kAmd64EflagsOffset + 4},
                                         {kAmd64FsBaseOffset, kAmd64FsBaseOffset + 8}};
    for (size_t i = 0; i < now.size(); i++)
        if (now[i] != wanted[i] && std::none_of(std::begin(kChangeable), std::end(kChangeable),
                                                [&](auto range) {
                                                    return i >= range[0] && i < range[1];
                                                }))
            return std::nullopt;
    bsc_cpu_context changed = context;
    uint64_t *integer[] = {&changed.rax, &changed.rbx, &changed.rcx, &changed.rdx, &changed.rsi,
                           &changed.rdi, &changed.rbp, &changed.rsp, &changed.r8,  &changed.r9,
                           &changed.r10, &changed.r11, &changed.r12, &changed.r13, &changed.r14,
                           &changed.r15, &changed.rip};
    for (size_t i = 0; i < std::size(integer); i++)
        *integer[i] = load<uint64_t>(wanted, 8 * i);
    // The flags gdb may not set (the trap flag is the debugger's to set) stay as they were.
    constexpr uint64_t kUserFlags = 0xcd5; // CF PF AF ZF SF DF OF
    uint64_t flags = load<uint32_t>(wanted, kAmd64EflagsOffset);
    changed.rflags = (context.rflags & ~kUserFlags) | (flags & kUserFlags);
    changed.fs_base = load<uint64_t>(wanted, kAmd64FsBaseOffset);
    return changed;
}

} // namespace bsc::gdb
