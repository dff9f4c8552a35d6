// SPDX-License-Identifier: MIT
// The trace extension's line format, checked on made-up calls without loading the
// extension: arguments, out-parameters, bad guest pointers, upcalls, both formats.
#include <catch2/catch.hpp>

#include <vector>

#include "trace_format.h"

using namespace bsc::trace;

namespace {

const CallInfo &call(std::string_view name) {
    const CallInfo *info = find_call(name);
    REQUIRE(info != nullptr);
    return *info;
}

template <class... Args> std::vector<ArgValue> args(Args... values) {
    return {describe(values)...};
}

std::string line(Format format, std::string_view name, std::vector<ArgValue> values,
                 Phase phase = Phase::completed, bsc_status status = BSC_OK) {
    CallRecord record{&call(name), values, 12, 4700, 4711, phase, status, 812};
    return format_record(format, record);
}

const auto *const kBuffer = reinterpret_cast<void *>(0x200000010000);
const auto *const kBadString = reinterpret_cast<const char *>(0x10);

} // namespace

TEST_CASE("trace: a read in text and JSON", "[trace]") {
    uint64_t done = 13;
    auto read = args(bsc_handle{3}, uint64_t{BSC_AT_POSITION}, const_cast<void *>(kBuffer),
                     uint64_t{4096}, &done);
    CHECK(line(Format::text, "stream_read", read) ==
          "#12 p4700 t4711 stream_read(handle=3, offset=AT_POSITION, buffer=0x200000010000, "
          "size=4096) = BSC_OK done=13 [812 ns]\n");
    CHECK(line(Format::json, "stream_read", read) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"downcall","call":"stream_read","family":"stream",)"
          R"("args":{"handle":3,"offset":"AT_POSITION","buffer":"0x200000010000","size":4096},)"
          R"("status":"BSC_OK","out":{"done":13},"ns":812})"
          "\n");
}

TEST_CASE("trace: strings, a bad string pointer and a failed call", "[trace]") {
    bsc_handle handle = 7;
    auto open = args("file:/etc/passwd", uint32_t{BSC_ACCESS_READ}, uint32_t{0644},
                     uint32_t{BSC_CREATE_NEVER}, uint32_t{BSC_OPTION_NONBLOCK}, &handle);
    CHECK(line(Format::text, "stream_open", open) ==
          "#12 p4700 t4711 stream_open(uri=\"file:/etc/passwd\", access=1, mode=0644, create=0, "
          "options=0x1) = BSC_OK handle=7 [812 ns]\n");
    auto bad = args(kBadString, uint32_t{1}, uint32_t{0}, uint32_t{0}, uint32_t{0}, &handle);
    CHECK(line(Format::text, "stream_open", bad, Phase::completed, BSC_E_FAULT) ==
          "#12 p4700 t4711 stream_open(uri=<bad 0x10>, access=1, mode=0, create=0, options=0x0) = "
          "BSC_E_FAULT [812 ns]\n");
    CHECK(line(Format::json, "stream_open", bad, Phase::completed, BSC_E_FAULT) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"downcall","call":"stream_open","family":"stream",)"
          R"("args":{"uri":"<bad 0x10>","access":1,"mode":"0","create":0,"options":"0x0"},)"
          R"("status":"BSC_E_FAULT","out":{},"ns":812})"
          "\n");
}

TEST_CASE("trace: a status the ABI does not define shows its number", "[trace]") {
    CHECK(line(Format::text, "thread_yield", {}, Phase::completed, -77) ==
          "#12 p4700 t4711 thread_yield() = BSC_E_UNKNOWN(-77) [812 ns]\n");
}

TEST_CASE("trace: a bad out pointer is shown, not followed", "[trace]") {
    auto read = args(bsc_handle{3}, uint64_t{0}, const_cast<void *>(kBuffer), uint64_t{1},
                     reinterpret_cast<uint64_t *>(0x8));
    CHECK(line(Format::text, "stream_read", read) ==
          "#12 p4700 t4711 stream_read(handle=3, offset=0, buffer=0x200000010000, size=1) = BSC_OK "
          "done=<bad 0x8> [812 ns]\n");
}

TEST_CASE("trace: an in-out address is shown before and after", "[trace]") {
    uint64_t addr = 0x7f0000000000;
    auto alloc = args(&addr, uint64_t{8192}, uint32_t{BSC_PROT_READ | BSC_PROT_WRITE},
                      uint32_t{BSC_MAP_FIXED});
    capture_inputs(call("vm_alloc"), alloc);
    addr = 0x200000000000;
    CHECK(line(Format::text, "vm_alloc", alloc) ==
          "#12 p4700 t4711 vm_alloc(addr=0x7f0000000000, size=8192, prot=0x3, flags=0x1) = BSC_OK "
          "addr=0x200000000000 [812 ns]\n");
}

TEST_CASE("trace: arrays, string lists, timeouts and text buffers", "[trace]") {
    bsc_handle ends[2] = {4, 5};
    CHECK(line(Format::text, "stream_open_pair", args("pipe:", uint32_t{0}, ends)) ==
          "#12 p4700 t4711 stream_open_pair(uri=\"pipe:\", options=0x0) = BSC_OK ends=[4, 5] "
          "[812 ns]\n");
    const char *argv[] = {"/bin/echo", "a \"b\"", nullptr};
    bsc_handle process = 9;
    CHECK(line(Format::json, "process_create",
               args(static_cast<const char *const *>(argv), static_cast<const bsc_handle *>(nullptr),
                    uint32_t{0}, &process)) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"downcall","call":"process_create","family":"process",)"
          R"("args":{"argv":["/bin/echo","a \"b\""],"inherit":"0x0","inherit_count":0},)"
          R"("status":"BSC_OK","out":{"process":9},"ns":812})"
          "\n");
    uint32_t ready = 1;
    CHECK(line(Format::text, "objects_wait_any",
               args(reinterpret_cast<bsc_wait_item *>(0x1000), uint32_t{2},
                    int64_t{BSC_WAIT_FOREVER}, &ready)) ==
          "#12 p4700 t4711 objects_wait_any(items=0x1000, count=2, timeout_ns=FOREVER) = BSC_OK "
          "ready=1 [812 ns]\n");
    const char text[] = "hi\nthere, not this";
    CHECK(line(Format::text, "debug_print", args(static_cast<const char *>(text), uint64_t{8})) ==
          "#12 p4700 t4711 debug_print(text=\"hi\\nthere\", length=8) = BSC_OK [812 ns]\n");
}

TEST_CASE("trace: JSON strings stay valid JSON", "[trace]") {
    const char uri[] = "file:/tmp/a\"b\\c\x01\xff\xc3\xa9";
    bsc_handle handle = 1;
    std::string json = line(Format::json, "stream_open",
                            args(static_cast<const char *>(uri), uint32_t{1}, uint32_t{0},
                                 uint32_t{0}, uint32_t{0}, &handle));
    CHECK_THAT(json, Catch::Contains(R"("uri":"file:/tmp/a\"b\\c\u0001\u00ffé")"));
}

TEST_CASE("trace: calls that do not return", "[trace]") {
    auto exit = args(int32_t{3});
    CHECK(line(Format::text, "process_exit", exit, Phase::before) ==
          "#12 p4700 t4711 process_exit(status=3) ...\n");
    CHECK(line(Format::json, "process_exit", exit, Phase::before) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"downcall","call":"process_exit","family":"process",)"
          R"("args":{"status":3}})"
          "\n");
    auto restore = args(reinterpret_cast<const bsc_cpu_context *>(0x10));
    CHECK(line(Format::text, "thread_context_restore", restore, Phase::returned, BSC_E_FAULT) ==
          "#12 p4700 t4711 thread_context_restore ... = BSC_E_FAULT [812 ns]\n");
    CHECK(line(Format::json, "thread_context_restore", restore, Phase::returned, BSC_E_FAULT) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"return","call":"thread_context_restore",)"
          R"("family":"thread","status":"BSC_E_FAULT","ns":812})"
          "\n");
}

TEST_CASE("trace: upcalls", "[trace]") {
    bsc_start_info info{};
    info.argc = 3;
    auto start = args(static_cast<const bsc_downcalls *>(nullptr),
                      static_cast<const bsc_start_info *>(&info));
    CHECK(line(Format::text, "start", start, Phase::upcall) == "#12 p4700 t4711 upcall start(argc=3)\n");
    CHECK(line(Format::json, "start", start, Phase::upcall) ==
          R"({"seq":12,"pid":4700,"tid":4711,"kind":"upcall","call":"start","family":"upcall",)"
          R"("args":{"argc":3}})"
          "\n");
    bsc_exception ex{};
    ex.kind = BSC_EXCEPTION_MEMORY;
    ex.code = BSC_FAULT_UNMAPPED;
    ex.address = 0xdead0000;
    ex.context.rip = 0x401000;
    CHECK(line(Format::text, "exception", args(&ex), Phase::upcall) ==
          "#12 p4700 t4711 upcall exception(kind=1, code=1, address=0xdead0000, rip=0x401000)\n");
    CHECK(line(Format::text, "exception", args(reinterpret_cast<bsc_exception *>(0x18)),
               Phase::upcall) == "#12 p4700 t4711 upcall exception(exception=<bad 0x18>)\n");
    CHECK(line(Format::text, "thread_start", args(uint64_t{0x1234}), Phase::upcall) ==
          "#12 p4700 t4711 upcall thread_start(argument=0x1234)\n");
}

TEST_CASE("trace: the call table comes from the X-macros", "[trace]") {
    CHECK(downcalls().size() == (sizeof(bsc_downcalls) - 8) / sizeof(void *));
    CHECK(upcalls().size() == (sizeof(bsc_upcalls) - 8) / sizeof(void *));
    CHECK(families() == std::vector<std::string_view>{"memory", "stream", "object", "thread",
                                                      "time", "process", "ipc", "key",
                                                      "upcall"});
    CHECK(call("stream_read").params.size() == 5);
    CHECK(call("stream_read").params[4].name == "done");
    CHECK(call("thread_exit").params.empty());
    CHECK(call("process_create").params[0].name == "argv");
    CHECK(call("process_exit").no_return);
    CHECK_FALSE(call("stream_read").no_return);

    uint32_t mask = 0;
    std::string error;
    CHECK(parse_families("stream+memory", mask, error));
    CHECK(mask == 0b11);
    CHECK(parse_families("time|upcall", mask, error));
    CHECK(mask == 0b100010000);
    CHECK_FALSE(parse_families("stream+disk", mask, error));
    CHECK_THAT(error, Catch::Contains("unknown family 'disk'"));
    CHECK_FALSE(parse_families("", mask, error));
}
