// SPDX-License-Identifier: MIT
// Starting a guest image: host set-up, the image, the initial stack and start area in
// guest memory, and the main guest thread. All guest memory is allocated through the
// chain, so extensions see every region.
#include "launch.h"

#include <cstring>
#include <filesystem>

#include "gate.h"
#include "guest_image.h"
#include "guest_memory.h"
#include "host.h"
#include "internal.h"
#include "threads.h"
#include "upcall_gates.h"

namespace bsc::runtime {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kStackSize = 8 << 20;

uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

void check(bsc_status status, const char *what) {
    if (status != BSC_OK)
        throw LaunchError(std::string(what) + ": " + bsc_status_name(status));
}

// The initial thread's stack, with an inaccessible guard page below it.
uint64_t allocate_stack(const bsc_downcalls &abi) {
    uint64_t base = 0;
    check(abi.vm_alloc(&base, kStackSize + kPage, BSC_PROT_READ | BSC_PROT_WRITE, 0),
          "cannot allocate the guest stack");
    check(abi.vm_protect(base, kPage, BSC_PROT_NONE), "cannot protect the stack guard");
    return base + kPage + kStackSize;
}

// The start area: the main thread's TCB, bsc_start_info, argv and envp with their strings,
// laid out in a host buffer with guest addresses and copied into guest memory at once.
struct StartArea {
    uint64_t tcb = 0, info = 0;
};

StartArea build_start_area(const bsc_downcalls &abi, const GuestProgram &program,
                           const bsc_start_info &info_template) {
    std::string cwd = std::filesystem::current_path().string();
    uint64_t strings = cwd.size() + 1;
    for (const auto *list : {&program.argv, &program.envp})
        for (const auto &s : *list)
            strings += s.size() + 1;
    uint64_t pointers = (program.argv.size() + program.envp.size() + 2) * 8;
    uint64_t info_at = sizeof(bsc_tcb), arrays_at = info_at + sizeof(bsc_start_info);
    uint64_t total = page_up(arrays_at + pointers + strings);

    uint64_t base = 0;
    check(abi.vm_alloc(&base, total, BSC_PROT_READ | BSC_PROT_WRITE, 0),
          "cannot allocate the start area");
    std::vector<char> area(total, 0);
    uint64_t next_pointer = arrays_at, next_string = arrays_at + pointers;
    auto put_string = [&](const std::string &s) {
        uint64_t at = base + next_string;
        std::memcpy(&area[next_string], s.c_str(), s.size() + 1);
        next_string += s.size() + 1;
        return at;
    };
    auto put_list = [&](const std::vector<std::string> &list) {
        uint64_t list_at = base + next_pointer;
        for (const auto &s : list) {
            uint64_t at = put_string(s);
            std::memcpy(&area[next_pointer], &at, 8);
            next_pointer += 8;
        }
        next_pointer += 8; // the terminating null pointer
        return list_at;
    };
    bsc_start_info info = info_template;
    info.argc = program.argv.size();
    info.argv = put_list(program.argv);
    info.envp = put_list(program.envp);
    info.working_directory = put_string(cwd);
    std::memcpy(&area[info_at], &info, sizeof info);
    check(copy_to_guest(reinterpret_cast<void *>(base), area.data(), total),
          "cannot write the start area");
    return {base, base + info_at};
}

const ChainEnds *running_chain;

void on_process_exit(int32_t) { running_chain->broadcast(BSC_EVENT_EXIT); }

} // namespace

void run_guest(const ChainEnds &chain, const GuestProgram &program) {
    const bsc_downcalls &abi = *chain.top;
    host::connect_chain(chain.top, chain.host_upcalls);
    running_chain = &chain;
    host::set_exit_hook(on_process_exit);

    GuestImage image = load_guest_image(abi, program.path);
    *chain.guest_upcalls = host::guest_entry_upcalls(image.upcalls);

    bsc_start_info info{};
    info.size = sizeof info;
    info.version = BSC_ABI_VERSION;
    info.image_base = image.base;
    info.image_size = image.size;
    for (int fd = 0; fd < 3; fd++)
        info.stdio[fd] = host::adopt_stdio(fd);
    info.stack_top = allocate_stack(abi);
    info.stack_size = kStackSize;
    StartArea area = build_start_area(abi, program, info);
    bsc_handle main_thread = host::prepare_guest_thread(area.tcb, info.stack_top);
    check(write_guest(&reinterpret_cast<bsc_start_info *>(area.info)->thread, main_thread),
          "cannot record the initial thread");

    chain.broadcast(BSC_EVENT_START);
    const bsc_downcalls *guest_table = host::entry_page().guest_table;
    bsc_status status = host::run_as_guest_thread(main_thread, [&] {
        chain.host_upcalls->start(guest_table,
                                  reinterpret_cast<const bsc_start_info *>(area.info));
    });
    check(status, "cannot start the guest thread");
    // The main guest thread exited; like Linux, the process lives while others run.
    host::wait_for_guest_threads();
    abi.process_exit(0);
    __builtin_unreachable();
}

} // namespace bsc::runtime
