// SPDX-License-Identifier: MIT
// A thread's registers as gdb reads them: the `g` bytes follow the target description's
// registers and sizes, and the x87, SSE and AVX state comes from an FXSAVE or XSAVE image
// (or is the initial state where the image leaves a component out).
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <regex>
#include <string>

#include "amd64_registers.h"

using namespace bsc::gdb;

namespace {

template <class T> T at(const std::vector<uint8_t> &bytes, size_t offset) {
    T v;
    std::memcpy(&v, bytes.data() + offset, sizeof v);
    return v;
}

// Where each register named in the description starts in the `g` bytes, and the total.
std::map<std::string, size_t> offsets(size_t &total) {
    std::string xml(amd64_target_description());
    std::regex reg(R"re(<reg name="(\w+)" bitsize="(\d+)")re");
    std::map<std::string, size_t> out;
    total = 0;
    for (std::sregex_iterator i(xml.begin(), xml.end(), reg), end; i != end; ++i) {
        out[(*i)[1]] = total;
        total += std::stoul((*i)[2]) / 8;
    }
    return out;
}

bsc_cpu_context sample_context() {
    bsc_cpu_context c{};
    c.rax = 0x1111, c.rsp = 0x7ffc0000, c.r15 = 0xf15, c.rip = 0x401000, c.rflags = 0x246;
    c.fs_base = 0x7f0000001000;
    return c;
}

} // namespace

TEST_CASE("gdb amd64 registers: the bytes follow the description", "[gdb]") {
    size_t total = 0;
    auto where = offsets(total);
    auto bytes = amd64_registers(sample_context(), {}, 0x7f0000002000);
    REQUIRE(bytes.size() == total);
    CHECK(where.size() == 76);
    CHECK(where["rip"] == kAmd64RipOffset);
    CHECK(where["eflags"] == kAmd64EflagsOffset);
    CHECK(where["fs_base"] == kAmd64FsBaseOffset);
    CHECK(at<uint64_t>(bytes, where["rax"]) == 0x1111);
    CHECK(at<uint64_t>(bytes, where["rsp"]) == 0x7ffc0000);
    CHECK(at<uint64_t>(bytes, where["r15"]) == 0xf15);
    CHECK(at<uint64_t>(bytes, where["rip"]) == 0x401000);
    CHECK(at<uint32_t>(bytes, where["eflags"]) == 0x246);
    CHECK(at<uint32_t>(bytes, where["cs"]) == 0x33);
    CHECK(at<uint32_t>(bytes, where["ss"]) == 0x2b);
    CHECK(at<uint64_t>(bytes, where["fs_base"]) == 0x7f0000001000);
    CHECK(at<uint64_t>(bytes, where["gs_base"]) == 0x7f0000002000);
    // No image: every vector and x87 register as a new thread has it.
    CHECK(at<uint32_t>(bytes, where["fctrl"]) == 0x37f);
    CHECK(at<uint32_t>(bytes, where["ftag"]) == 0xffff);
    CHECK(at<uint32_t>(bytes, where["mxcsr"]) == 0x1f80);
    CHECK(at<uint64_t>(bytes, where["orig_rax"]) == ~uint64_t{0});
}

TEST_CASE("gdb amd64 registers: x87, SSE and AVX state from the image", "[gdb]") {
    size_t total = 0;
    auto where = offsets(total);
    std::vector<uint8_t> xsave(1024, 0);
    auto put = [&](size_t offset, auto v) { std::memcpy(xsave.data() + offset, &v, sizeof v); };
    put(0, uint16_t{0x27f});             // fcw
    put(2, uint16_t{7u << 11});          // fsw: top 7
    put(4, uint8_t{0x80});               // physical register 7 (st0) in use
    put(24, uint32_t{0x1fa0});           // mxcsr
    put(32 + 8, uint16_t{0x3fff});       // st0 = 1.0: exponent 0x3fff,
    put(32, uint64_t{1} << 63);          // integer bit set
    put(160 + 16 * 3, uint64_t{0x3333}); // xmm3
    put(576 + 16 * 5, uint64_t{0x5555}); // ymm5's upper half
    SECTION("an XSAVE image with x87, SSE and AVX state") {
        put(512, uint64_t{7});
        auto bytes = amd64_registers(sample_context(), xsave, 0);
        REQUIRE(bytes.size() == total);
        CHECK(at<uint32_t>(bytes, where["fctrl"]) == 0x27f);
        CHECK(at<uint32_t>(bytes, where["ftag"]) == 0x3fff); // st0 valid, the rest empty
        CHECK(at<uint16_t>(bytes, where["st0"] + 8) == 0x3fff);
        CHECK(at<uint32_t>(bytes, where["mxcsr"]) == 0x1fa0);
        CHECK(at<uint64_t>(bytes, where["xmm3"]) == 0x3333);
        CHECK(at<uint64_t>(bytes, where["ymm5h"]) == 0x5555);
    }
    SECTION("an XSAVE image that leaves x87 and AVX in their initial state") {
        put(512, uint64_t{2});
        auto bytes = amd64_registers(sample_context(), xsave, 0);
        CHECK(at<uint32_t>(bytes, where["fctrl"]) == 0x37f);
        CHECK(at<uint32_t>(bytes, where["ftag"]) == 0xffff);
        CHECK(at<uint64_t>(bytes, where["xmm3"]) == 0x3333);
        CHECK(at<uint64_t>(bytes, where["ymm5h"]) == 0);
    }
    SECTION("an FXSAVE image holds x87 and SSE") {
        auto bytes = amd64_registers(sample_context(), std::span(xsave).first(512), 0);
        CHECK(at<uint32_t>(bytes, where["fctrl"]) == 0x27f);
        CHECK(at<uint64_t>(bytes, where["xmm3"]) == 0x3333);
        CHECK(at<uint64_t>(bytes, where["ymm5h"]) == 0);
    }
}

TEST_CASE("gdb amd64 registers: what gdb may change in a G packet", "[gdb]") {
    bsc_cpu_context context = sample_context();
    context.rflags = 0x246 | 0x100; // the debugger's trap flag
    auto now = amd64_registers(context, {}, 0x7f0000002000);
    auto wanted = now;
    auto put = [&](size_t offset, auto value) { std::memcpy(&wanted[offset], &value, sizeof value); };
    put(0, uint64_t{0x2222});                          // rax
    put(kAmd64RipOffset, uint64_t{0x401010});          // rip
    put(kAmd64EflagsOffset, uint32_t{0x202 | 0x1});    // CF set, ZF and PF clear, no TF
    put(kAmd64FsBaseOffset, uint64_t{0x7f0000003000}); // fs_base
    auto changed = amd64_changed_context(context, now, wanted);
    REQUIRE(changed);
    CHECK(changed->rax == 0x2222);
    CHECK(changed->rip == 0x401010);
    CHECK(changed->rsp == 0x7ffc0000);
    CHECK(changed->rflags == (0x203 | 0x100)); // the trap flag stays the debugger's
    CHECK(changed->fs_base == 0x7f0000003000);
    CHECK(amd64_changed_context(context, now, now)->rax == 0x1111);

    size_t total = 0;
    auto where = offsets(total);
    for (const char *other : {"cs", "st0", "xmm0", "mxcsr", "gs_base", "ymm0h"}) {
        auto refused = now;
        refused[where[other]] ^= 1;
        CHECK_FALSE(amd64_changed_context(context, now, refused));
    }
    CHECK_FALSE(amd64_changed_context(context, now, std::vector<uint8_t>(now.begin(), now.end() - 1)));
}
