// SPDX-License-Identifier: MIT
// Starting a guest image: host set-up, the image, the initial stack and start area in
// guest memory, and the main guest thread. All guest memory is allocated through the
// chain, so extensions see every region.
#include "launch.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/core.h>

#include "bascule_host.h"
#include "control_call.h"
#include "control_server.h"
#include "control_socket.h"
#include "guest_image.h"
#include "guest_memory.h"

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
    std::string cwd = program.working_directory.empty()
                          ? std::filesystem::current_path().string()
                          : program.working_directory;
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
// The process that started or restored the guest: one a restore forks is a member of its
// tree (so is one the guest forks, whose runtime has this process's memory).
pid_t first_process = ::getpid();

void on_process_exit(int32_t) {
    remove_own_control_socket();
    running_chain->broadcast(BSC_EVENT_EXIT);
}

// What every guest needs before its first upcall, once the chain is connected to the
// host: the exit hook and the guest image's entries.
void connect(const ChainEnds &chain, const bsc_upcalls &guest) {
    running_chain = &chain;
    host::set_exit_hook(on_process_exit);
    *chain.guest_upcalls = host::guest_entry_upcalls(guest);
}

// This process's control server, if it could make its socket: a guest runs without it
// otherwise. Never destroyed: the process ends by process_exit, whose hook removes the
// socket.
struct ControlSetup {
    const ChainEnds *chain = nullptr;
    uint64_t upcalls = 0;
    std::vector<std::string> argv;
    ControlServer *server = nullptr;
    pid_t first_process = 0; // the guest tree's: the process that started or restored it
};
ControlSetup control_setup;

void start_control_server() {
    const ChainEnds &chain = *control_setup.chain;
    if (control_setup.server)
        control_setup.server->abandon_after_fork();
    control_setup.server = nullptr;
    try {
        auto *server = new ControlServer(
            chain, capture_facts(control_setup.upcalls, chain.stack, control_setup.argv),
            control_setup.first_process);
        chain.accept_requests([server](const std::string &command,
                                       const chain::ControlArguments &arguments) {
            return server->request(command, arguments);
        });
        control_setup.server = server;
    } catch (const std::system_error &e) {
        fmt::print(stderr, "bascule: no control socket: {}\n", e.what());
    }
}

// Ends this process's control server and its thread, for what the kernel does only in a
// process of one thread (host namespaces.cpp: setns into a time namespace); a request
// made meanwhile is answered BUSY. start_control_server starts another after it (a
// signal watched for a capture is then no longer watched).
void stop_control_server() {
    control_setup.chain->accept_requests(
        [](const std::string &, const chain::ControlArguments &) { return BSC_E_BUSY; });
    delete control_setup.server;
    control_setup.server = nullptr;
}

// A forked child has its parent's server's memory but not its thread: it starts its own,
// on its own socket, so that a capture of the guest's tree reaches it.
void start_control_server(const ChainEnds &chain, uint64_t upcalls,
                          const std::vector<std::string> &argv) {
    control_setup = {&chain, upcalls, argv, nullptr, first_process};
    start_control_server();
    host::set_fork_child_hook(start_control_server);
    host::set_runtime_threads_hooks(stop_control_server, start_control_server);
}

// Like Linux, the process lives while guest threads run; then it ends with status 0.
[[noreturn]] void exit_after_guest_threads(const bsc_downcalls &abi) {
    host::wait_for_guest_threads();
    abi.process_exit(0);
    __builtin_unreachable();
}

} // namespace

void run_guest(const ChainEnds &chain, const GuestProgram &program) {
    const bsc_downcalls &abi = *chain.top;
    host::connect_chain(chain.top, chain.host_upcalls);
    GuestImage image = load_guest_image(abi, program.path);
    connect(chain, image.upcalls);

    bsc_start_info info{};
    info.size = sizeof info;
    info.version = BSC_ABI_VERSION;
    info.image_base = image.base;
    info.image_size = image.size;
    for (int fd = 0; fd < 3; fd++)
        info.stdio[fd] = host::adopt_stdio(fd);
    info.stack_top = allocate_stack(abi);
    info.stack_size = kStackSize;
    info.syscall_entry = host::syscall_entry_address();
    StartArea area = build_start_area(abi, program, info);
    bsc_handle main_thread = host::prepare_guest_thread(area.tcb, info.stack_top);
    check(write_guest(&reinterpret_cast<bsc_start_info *>(area.info)->thread, main_thread),
          "cannot record the initial thread");

    start_control_server(chain, image.upcalls_address, program.argv);
    chain.broadcast(BSC_EVENT_START);
    const bsc_downcalls *guest_table = host::guest_downcalls();
    bsc_status status = host::run_as_guest_thread(main_thread, [&] {
        chain.host_upcalls->start(guest_table,
                                  reinterpret_cast<const bsc_start_info *>(area.info));
    });
    check(status, "cannot start the guest thread");
    exit_after_guest_threads(abi);
}

std::vector<std::string> child_runtime_command(const std::string &bascule,
                                               const std::vector<std::string> &stack_options) {
    std::vector<std::string> command = {bascule, "run"};
    command.insert(command.end(), stack_options.begin(), stack_options.end());
    return command;
}

void restore_guest(const ChainEnds &chain, const RestoredGuest &guest) {
    if (guest.entry_page && guest.entry_page != host::entry_page_address())
        throw LaunchError(fmt::format("the ABI entry page was at {:#x}, this host puts it at {:#x}",
                                      guest.entry_page, host::entry_page_address()));
    host::connect_chain(chain.top, chain.host_upcalls);
    chain::ControlArguments arguments{{"image", guest.image}};
    if (guest.allow_changed_files)
        arguments.emplace_back("allow-changed-files", "1");
    if (guest.lazy)
        arguments.emplace_back("lazy", "1");
    if (guest.handles_as_captured)
        arguments.emplace_back("as-captured", "1");
    for (int fd = 0; fd < 3; fd++)
        arguments.emplace_back("stdio", std::to_string(host::adopt_stdio(fd)));
    // The layers below the one that restores learn first that the guest is coming back:
    // the handles it re-opens are the guest's (a path namespace translates them).
    chain.broadcast(BSC_EVENT_BEFORE_RESTORE);
    ControlCall restore("restore", arguments, guest.progress);
    if (bsc_status status = restore.run(chain))
        throw LaunchError(status == BSC_E_NOT_SUPPORTED
                              ? "no extension in the stack restores images (add --ext checkpoint)"
                              : restore.reply());
    for (const auto &path : guest.remove_after_restore) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    if (guest.verbose)
        fmt::print(stderr, "bascule: {}\n", restore.reply());
    bsc_upcalls upcalls;
    check(read_guest(reinterpret_cast<const bsc_upcalls *>(guest.guest_upcalls), upcalls),
          "the image's guest upcall table is unreadable");
    connect(chain, upcalls);
    start_control_server(chain, guest.guest_upcalls, guest.argv);
    chain.broadcast(BSC_EVENT_RESTORE);
    ControlCall resume("resume", {});
    if (bsc_status status = resume.run(chain))
        throw LaunchError(fmt::format("{}: {}", resume.reply(), bsc_status_name(status)));
    // After the resume: the first process of a tree resumes once every other has.
    if (guest.report_resume)
        fmt::print(stderr, "resumed-unix-ns: {}\n",
                   std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
    exit_after_guest_threads(*chain.top);
}

} // namespace bsc::runtime
