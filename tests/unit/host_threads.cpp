// SPDX-License-Identifier: MIT
// Unit tests of the thread downcalls' error paths, callable from a plain host thread.
// Their success paths need a running guest and are covered by the abi_tour guest
// (tests/integration/native_stacks.sh).
#include "host_fixtures.h"

using namespace bsc::test;

namespace {

// A guest-owned page for TCBs and stacks.
uint64_t guest_page(uint64_t size = 4096) {
    uint64_t addr = 0;
    REQUIRE(host_vm_alloc(&addr, size, BSC_PROT_READ | BSC_PROT_WRITE, 0) == BSC_OK);
    return addr;
}

} // namespace

TEST_CASE("thread_create refuses bad start blocks", "[host][threads]") {
    host_ready();
    uint64_t page = guest_page(4 * 4096);
    bsc_handle thread = BSC_NO_HANDLE;
    bsc_thread_start start{.stack_top = page + 4 * 4096, .tcb = page, .argument = 0,
                           .clear_on_exit = 0};

    SECTION("unreadable start block") {
        CHECK(host_thread_create(static_cast<const bsc_thread_start *>(kBadPointer), &thread) ==
              BSC_E_FAULT);
    }
    SECTION("unaligned stack") {
        start.stack_top -= 8;
        CHECK(host_thread_create(&start, &thread) == BSC_E_INVALID);
    }
    SECTION("stack outside guest memory") {
        alignas(16) static char host_stack[4096];
        start.stack_top = reinterpret_cast<uint64_t>(host_stack + sizeof host_stack);
        CHECK(host_thread_create(&start, &thread) == BSC_E_INVALID);
    }
    SECTION("TCB outside guest memory") {
        alignas(16) static bsc_tcb host_tcb;
        start.tcb = reinterpret_cast<uint64_t>(&host_tcb);
        CHECK(host_thread_create(&start, &thread) == BSC_E_INVALID);
    }
    SECTION("bad out pointer starts nothing") {
        CHECK(host_thread_create(&start, static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    }
    CHECK(thread == BSC_NO_HANDLE);
    CHECK(host_vm_free(page, 4 * 4096) == BSC_OK);
}

TEST_CASE("thread calls outside a guest thread", "[host][threads]") {
    host_ready();
    CHECK(host_thread_yield() == BSC_OK);
    CHECK(host_thread_exit() == BSC_E_INVALID);
    CHECK(host_thread_set_segment(BSC_SEGMENT_FS, 0x1000) == BSC_E_INVALID);
    CHECK(host_thread_set_segment(1, 0) == BSC_E_NOT_PERMITTED);
    CHECK(host_thread_set_segment(BSC_SEGMENT_FS, uint64_t{1} << 50) == BSC_E_INVALID);
    CHECK(host_thread_interrupt(0) == BSC_E_BAD_HANDLE);
}

TEST_CASE("thread_interrupt refuses handles that are not threads", "[host][threads]") {
    host_ready();
    bsc_handle event = BSC_NO_HANDLE;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_thread_interrupt(event) == BSC_E_BAD_HANDLE);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("thread_context_restore refuses bad contexts", "[host][threads]") {
    host_ready();
    CHECK(host_thread_context_restore(static_cast<const bsc_cpu_context *>(kBadPointer)) ==
          BSC_E_FAULT);
    bsc_cpu_context context{};
    context.rip = uint64_t{1} << 63;
    CHECK(host_thread_context_restore(&context) == BSC_E_INVALID);
    context.rip = 0x1000;
    context.xstate = 0x1000;
    context.xstate_size = 100;
    CHECK(host_thread_context_restore(&context) == BSC_E_INVALID);
    context.xstate_size = 4096;
    context.xstate = reinterpret_cast<uint64_t>(kBadPointer);
    CHECK(host_thread_context_restore(&context) == BSC_E_FAULT);
}
