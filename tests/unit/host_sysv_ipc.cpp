// SPDX-License-Identifier: MIT
// The host's System V IPC calls (ABI 1.18): ipc_get, ipc_control, ipc_shared_memory_attach,
// ipc_semaphore_operate, ipc_message_send, ipc_message_receive. Every object a test makes
// is removed before it ends; buffers are guest memory, as the calls want them.
#include <cstring>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bsc_status remove_object(uint32_t kind, int32_t id) {
    return host_ipc_control(kind, id, BSC_IPC_REMOVE, 0, nullptr, 0);
}

} // namespace

TEST_CASE("ipc_get and ipc_control of a semaphore set", "[host][ipc]") {
    host_ready();
    GuestPage page;
    auto *id = page.at<int32_t>(0);
    REQUIRE(host_ipc_get(BSC_IPC_SEMAPHORES, BSC_IPC_PRIVATE, 2, BSC_IPC_CREATE | 0600, id) ==
            BSC_OK);
    CHECK(host_ipc_get(7, BSC_IPC_PRIVATE, 1, BSC_IPC_CREATE, id) == BSC_E_INVALID);
    CHECK(host_ipc_get(BSC_IPC_SEMAPHORES, BSC_IPC_PRIVATE, 1, BSC_IPC_CREATE,
                       static_cast<int32_t *>(kBadPointer)) == BSC_E_FAULT);
    auto *value = page.at<int64_t>(8);
    *value = 5;
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_SEM_SET_VALUE, 1, value, 8) == BSC_OK);
    *value = 40000;
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_SEM_SET_VALUE, 0, value, 8) ==
          BSC_E_OUT_OF_RANGE);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_SEM_VALUE, 1, value, 8) == BSC_OK);
    CHECK(*value == 5);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_SEM_COUNT, 0, value, 8) == BSC_OK);
    CHECK(*value == 2);
    auto *status = page.at<bsc_ipc_status>(64);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_STAT, 0, status, sizeof *status) ==
          BSC_OK);
    CHECK(status->size == 2);
    CHECK(status->mode == 0600);
    CHECK(status->id == *id);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_STAT, 0, status, 4) == BSC_E_INVALID);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, 99, 0, nullptr, 0) == BSC_E_INVALID);
    auto *limits = page.at<bsc_ipc_limits>(256);
    CHECK(host_ipc_control(BSC_IPC_SEMAPHORES, *id, BSC_IPC_LIMITS, 0, limits, sizeof *limits) ==
          BSC_OK);
    CHECK(limits->value[8] == 32767); // semvmx
    auto *ops = page.at<bsc_semaphore_operation>(512);
    ops[0] = {0, -1, BSC_IPC_NO_WAIT};
    CHECK(host_ipc_semaphore_operate(*id, ops, 1, BSC_WAIT_FOREVER) == BSC_E_AGAIN);
    CHECK(host_ipc_semaphore_operate(*id, ops, 1, -5) == BSC_E_INVALID); // a bad timeout
    ops[0] = {0, -1, 0};
    CHECK(host_ipc_semaphore_operate(*id, ops, 1, 1000000) == BSC_E_AGAIN); // 1 ms passed
    ops[0] = {5, 1, 0};
    CHECK(host_ipc_semaphore_operate(*id, ops, 1, BSC_WAIT_FOREVER) == BSC_E_TOO_BIG);
    CHECK(host_ipc_semaphore_operate(*id, ops, 100000, BSC_WAIT_FOREVER) == BSC_E_TOO_LONG);
    CHECK(host_ipc_semaphore_operate(*id, static_cast<bsc_semaphore_operation *>(kBadPointer), 1,
                                     BSC_WAIT_FOREVER) == BSC_E_FAULT);
    ops[0] = {1, -5, 0};
    CHECK(host_ipc_semaphore_operate(*id, ops, 1, BSC_WAIT_FOREVER) == BSC_OK);
    REQUIRE(remove_object(BSC_IPC_SEMAPHORES, *id) == BSC_OK);
    CHECK(remove_object(BSC_IPC_SEMAPHORES, *id) == BSC_E_INVALID);
}

TEST_CASE("ipc_message_send and ipc_message_receive", "[host][ipc]") {
    host_ready();
    GuestPage page;
    auto *id = page.at<int32_t>(0);
    REQUIRE(host_ipc_get(BSC_IPC_MESSAGES, BSC_IPC_PRIVATE, 0, BSC_IPC_CREATE | 0600, id) ==
            BSC_OK);
    char *message = page.at<char>(64);
    int64_t type = 3;
    std::memcpy(message, &type, 8);
    std::memcpy(message + 8, "hello", 6);
    CHECK(host_ipc_message_send(*id, message, 14, 0) == BSC_OK);
    CHECK(host_ipc_message_send(*id, message, 4, 0) == BSC_E_INVALID);
    CHECK(host_ipc_message_send(*id, kBadPointer, 14, 0) == BSC_E_FAULT);
    auto *length = page.at<uint64_t>(8);
    char *in = page.at<char>(512);
    CHECK(host_ipc_message_receive(*id, in, 8 + 3, 0, 0, length) == BSC_E_TOO_LONG);
    REQUIRE(host_ipc_message_receive(*id, in, 64, 0, 0, length) == BSC_OK);
    CHECK(*length == 14);
    CHECK(std::memcmp(in + 8, "hello", 6) == 0);
    CHECK(host_ipc_message_receive(*id, in, 64, 0, BSC_IPC_NO_WAIT, length) ==
          BSC_E_NO_MESSAGE);
    type = 0;
    std::memcpy(message, &type, 8);
    CHECK(host_ipc_message_send(*id, message, 14, 0) == BSC_E_INVALID);
    REQUIRE(remove_object(BSC_IPC_MESSAGES, *id) == BSC_OK);
    CHECK(host_ipc_message_receive(*id, in, 64, 0, BSC_IPC_NO_WAIT, length) == BSC_E_INVALID);
}

TEST_CASE("ipc_shared_memory_attach maps a segment into guest memory", "[host][ipc]") {
    host_ready();
    GuestPage page;
    auto *id = page.at<int32_t>(0);
    REQUIRE(host_ipc_get(BSC_IPC_SHARED_MEMORY, BSC_IPC_PRIVATE, 5000, BSC_IPC_CREATE | 0600,
                         id) == BSC_OK);
    auto *addr = page.at<uint64_t>(8), *size = page.at<uint64_t>(16);
    *addr = 0;
    REQUIRE(host_ipc_shared_memory_attach(*id, addr, size, 0) == BSC_OK);
    CHECK(*size == 8192);
    uint64_t writable = *addr;
    *addr = 0;
    REQUIRE(host_ipc_shared_memory_attach(*id, addr, size, BSC_ATTACH_READ_ONLY) == BSC_OK);
    uint64_t readable = *addr;
    reinterpret_cast<char *>(writable)[1] = 'x';
    CHECK(reinterpret_cast<char *>(readable)[1] == 'x');
    auto *status = page.at<bsc_ipc_status>(64);
    REQUIRE(host_ipc_control(BSC_IPC_SHARED_MEMORY, *id, BSC_IPC_STAT, 0, status,
                             sizeof *status) == BSC_OK);
    CHECK(status->count == 2);
    CHECK(status->size == 5000);
    CHECK(status->process[0] == static_cast<uint64_t>(::getpid()));
    *addr = readable;
    CHECK(host_ipc_shared_memory_attach(*id, addr, size, 0) == BSC_E_INVALID); // in use
    *addr = writable + 1;
    CHECK(host_ipc_shared_memory_attach(*id, addr, size, 0) == BSC_E_INVALID); // unaligned
    *addr = 0;
    CHECK(host_ipc_shared_memory_attach(*id, addr, size, BSC_ATTACH_REPLACE) == BSC_E_INVALID);
    CHECK(host_ipc_shared_memory_attach(-1, addr, size, 0) == BSC_E_INVALID);
    CHECK(host_ipc_shared_memory_attach(*id, static_cast<uint64_t *>(kBadPointer), size, 0) ==
          BSC_E_FAULT);
    CHECK(host_vm_protect(readable, 8192, BSC_PROT_READ | BSC_PROT_WRITE) == BSC_E_ACCESS);
    CHECK(host_vm_free(writable, 8192) == BSC_OK);
    CHECK(host_vm_free(readable, 8192) == BSC_OK);
    REQUIRE(host_ipc_control(BSC_IPC_SHARED_MEMORY, *id, BSC_IPC_STAT, 0, status,
                             sizeof *status) == BSC_OK);
    CHECK(status->count == 0);
    CHECK(remove_object(BSC_IPC_SHARED_MEMORY, *id) == BSC_OK);
}
