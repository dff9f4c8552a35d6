// SPDX-License-Identifier: MIT
// The program's own /proc directory, generated from the LibOS's state in the kernel's
// formats, and the rule that hides every other process.
#include "procfs.h"
#include "process_state.h"

#include <asm-generic/errno.h>

#include "exec.h"
#include "fd_table.h"
#include "fdinfo.h"
#include "format.h"
#include "heap.h"
#include "host_status.h"
#include "memory_map.h"
#include "paths.h"
#include "process_tree.h"
#include "signals.h"
#include "smaps.h"
#include "text_buffer.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

char program_name[16]; // the kernel's TASK_COMM_LEN, NUL included

// The calling process's pid as /proc names its directory.
struct PidText {
    PidText() { freestanding::format(text, sizeof text, "%d", current_pid()); }
    char text[12];
};
constexpr int kMaxLinks = 40; // as the kernel's MAXSYMLINKS

uint64_t arguments_start, environment_start, strings_end;
uint64_t start_ticks; // since boot, in the kernel's USER_HZ ticks
constexpr uint64_t kNanosecondsPerTick = 10000000; // USER_HZ = 100

bool all_digits(const char *text, size_t length) {
    if (length == 0)
        return false;
    for (size_t i = 0; i < length; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

// `path` without the trailing slashes a directory may be named with.
struct ProcPath {
    explicit ProcPath(const char *path) {
        freestanding::copy_string(text, sizeof text, path);
        for (size_t n = strlen(text); n > 1 && text[n - 1] == '/';)
            text[--n] = 0;
    }
    char text[kPathMax];
};

// A decimal number at the start of `text`, up to a '/' or its end, in `value`; its length,
// or 0 if there is none.
size_t leading_number(const char *text, int64_t &value) {
    size_t length = 0;
    while (text[length] && text[length] != '/')
        length++;
    if (!all_digits(text, length) || length > 9)
        return 0;
    value = 0;
    for (size_t i = 0; i < length; i++)
        value = value * 10 + (text[i] - '0');
    return length;
}

// A handle for a process of the guest (by host id; 0: the caller's own), to read its
// memory and ask the host about it; closed with the object.
class OtherProcess {
  public:
    explicit OtherProcess(uint64_t host_id) {
        if (abi().process_open(host_id, &handle_) != BSC_OK)
            handle_ = BSC_NO_HANDLE;
    }
    ~OtherProcess() {
        if (handle_ != BSC_NO_HANDLE)
            abi().object_close(handle_);
    }
    OtherProcess(const OtherProcess &) = delete;
    OtherProcess &operator=(const OtherProcess &) = delete;
    explicit operator bool() const { return handle_ != BSC_NO_HANDLE; }
    bsc_handle handle() const { return handle_; }
    // Up to `size` bytes of its memory at `at`: how many could be read.
    uint64_t read(uint64_t at, void *buffer, uint64_t size) const {
        uint64_t done = 0;
        return abi().process_memory_read(handle_, at, buffer, size, &done) == BSC_OK ? done : 0;
    }
    template <class T> bool read(const T *at, T &value) const {
        return read(reinterpret_cast<uint64_t>(at), &value, sizeof value) == sizeof value;
    }

  private:
    bsc_handle handle_ = BSC_NO_HANDLE;
};

// The process (and thread) a /proc path is about.
struct Target {
    int32_t pid = 0;  // 0: none
    bool own = false; // the caller's own process (else another of the guest's)
    int64_t tid = 0;  // a /proc/PID/task/TID (or /proc/thread-self) directory's thread
};

// A decimal pid at the start of `text` naming a process of the guest: its length, or 0.
size_t guest_pid(const char *text, int32_t &pid) {
    int64_t value;
    size_t length = leading_number(text, value);
    ProcessCard card;
    if (!length || (value != current_pid() && !read_card(static_cast<int32_t>(value), card)))
        return 0;
    pid = static_cast<int32_t>(value);
    return length;
}

// The part of `path` inside a process directory of the guest ("" for the directory
// itself), or null; `target` says whose. A TID of no live thread is no directory.
const char *process_entry(const char *path, Target &target) {
    target = Target{};
    const char *rest = nullptr;
    const char *const directories[] = {"/proc/self", "/proc/thread-self"};
    for (const char *directory : directories) {
        if (!freestanding::starts_with(path, directory))
            continue;
        const char *after = path + strlen(directory);
        if (*after == 0 || *after == '/') {
            rest = *after ? after + 1 : after;
            target = {current_pid(), true, directory[6] == 't' ? current_tid() : 0};
            break;
        }
    }
    if (!rest && freestanding::starts_with(path, "/proc/")) {
        size_t length = guest_pid(path + 6, target.pid);
        if (!length)
            return nullptr;
        target.own = target.pid == current_pid();
        rest = path + 6 + length;
        rest = *rest ? rest + 1 : rest;
    }
    if (!rest || target.tid || !target.own || !freestanding::starts_with(rest, "task/"))
        return rest;
    size_t length = leading_number(rest + 5, target.tid);
    if (!length || !is_thread_of_process(target.tid))
        return length ? nullptr : rest;
    rest += 5 + length;
    return *rest ? rest + 1 : rest;
}

// The part of `path` inside the caller's own process directory, or null.
const char *own_entry(const char *path) {
    Target target;
    const char *entry = process_entry(path, target);
    return target.own ? entry : nullptr;
}

// What /proc shows of a process (or one of its threads), copied at once: of the caller's
// own process, its state; of another of the guest's, what its card publishes.
struct ProcessView {
    int32_t pid;
    int64_t tid; // the thread shown: the initial one (or, once it has exited, the caller)
    char name[16];
    char state;
    int32_t parent, group, session;
    uint32_t threads, umask;
    uint64_t start_ticks;
    int64_t user_ns, system_ns; // CPU time
    uint64_t arguments, environment, strings_end; // in the process's memory
    uint32_t personality; // its thread's execution domain (personality.h); another's: 0
    bool own;          // the fields below are known only for the caller's own process
    SignalSets signals;
    uint64_t host_id;  // another process, for process_memory_read
};

// The state and CPU time process_status_query reports of the process or thread `handle`.
void take_status(bsc_handle handle, ProcessView &view) {
    bsc_process_status status{};
    if (abi().process_status_query(handle, &status) != BSC_OK)
        return;
    static constexpr char kLetters[] = {'R', 'S', 'T', 'Z'};
    if (status.run_state < sizeof kLetters)
        view.state = kLetters[status.run_state];
    view.user_ns = status.user_ns, view.system_ns = status.system_ns;
}

// What the host says a process of the guest is doing (each guest process is one
// host process, which waits when the guest waits), and its CPU time; what its card says
// if the host cannot tell.
void query_status(uint64_t host_id, ProcessView &view) { // host_id 0: the caller's
    OtherProcess process(host_id);
    if (view.state != 'Z' && process)
        take_status(process.handle(), view);
}

// A task of the caller's process (/proc/self/task/TID): its own host thread's state and
// CPU time (ABI 1.17), as Linux shows each task's, rather than its process's.
void query_thread_status(int64_t tid, ProcessView &view) {
    bsc_handle handle = BSC_NO_HANDLE;
    if (!with_thread(tid, [&](Thread &t) { handle = t.handle; }) && tid == current_tid())
        handle = current_thread().handle;
    if (handle != BSC_NO_HANDLE)
        take_status(handle, view);
}

ProcessView own_view(int64_t tid) {
    ProcessView view{};
    auto copy = [&](Thread &t) {
        view.tid = t.tid;
        thread_name(t, view.name);
        view.signals = signal_sets(t);
        view.personality = t.personality;
    };
    if (!with_thread(tid ? tid : current_pid(), copy))
        copy(current_thread());
    view.pid = current_pid();
    view.state = 'R';
    view.parent = parent_pid();
    view.group = static_cast<int32_t>(process_group_of(0));
    view.session = static_cast<int32_t>(session_of(0));
    view.threads = thread_count();
    view.umask = file_mode_mask();
    view.start_ticks = start_ticks;
    query_status(0, view); // 0: this process
    if (tid)
        query_thread_status(tid, view);
    view.arguments = arguments_start, view.environment = environment_start;
    view.strings_end = strings_end;
    view.own = true;
    return view;
}

ProcessView other_view(int32_t pid) {
    ProcessView view{};
    ProcessCard card;
    if (!read_card(pid, card))
        return view;
    view.pid = view.tid = pid;
    memcpy(view.name, card.comm, sizeof view.name);
    view.state = card.state ? card.state : 'R';
    query_status(card.host_id, view);
    view.parent = static_cast<int32_t>(parent_of(pid));
    view.group = static_cast<int32_t>(process_group_of(pid));
    view.session = static_cast<int32_t>(session_of(pid));
    view.threads = card.threads;
    view.umask = card.umask;
    view.start_ticks = card.start_ticks;
    view.arguments = card.arguments, view.environment = card.environment;
    view.strings_end = card.strings_end;
    view.host_id = card.host_id;
    return view;
}

ProcessView view_of(const Target &target) {
    return target.own ? own_view(target.tid) : other_view(target.pid);
}

// The descriptor number "fd/N" (or, with `directory`, "fdinfo/N") names (open or not),
// or -1.
int descriptor_number(const char *entry, const char *directory = "fd/") {
    size_t skip = strlen(directory);
    if (!freestanding::starts_with(entry, directory) ||
        !all_digits(entry + skip, strlen(entry + skip)) || strlen(entry + skip) > 4)
        return -1;
    int fd = 0;
    for (const char *p = entry + skip; *p; p++)
        fd = fd * 10 + (*p - '0');
    return fd;
}

// The open descriptor that "fd/N" names, or -1.
int descriptor_of(const char *entry) {
    int fd = descriptor_number(entry);
    FileRef file(fd);
    return file ? fd : -1;
}

// The host id of guest process `pid` (0, the caller's own, if it has none).
uint64_t host_id_of(int32_t pid) {
    ProcessCard card;
    return read_card(pid, card) ? card.host_id : 0;
}

// Whether `entry` is `name` or lies in it ("ns/pid" in "ns").
bool in_entry(const char *entry, const char *name) {
    return freestanding::equal(entry, name) ||
           (freestanding::starts_with(entry, name) && entry[strlen(name)] == '/');
}

// An entry of Linux's /proc/PID that the LibOS does not serve (its first component):
// ENOENT, as from a kernel built without it, named with --verbose. (oom_score and
// oom_score_adj stay unnamed: test libraries probe them at every start, and naming them
// would hide what a program really misses.)
bool unserved_entry(const char *entry) {
    const char *const names[] = {"smaps_rollup", "limits", "io", "auxv", "wchan", "sched",
                                 "mem", "uid_map",     "gid_map", "setgroups",
                                 "clear_refs",  "attr"};
    for (const char *name : names)
        if (in_entry(entry, name))
            return true;
    return false;
}

// The runtime's entries, which the program's are (procfs.h's ProcNode::shared). Its ns
// directory too: each guest process is in its host process's namespaces (the runtime's,
// or those sys/namespaces.cpp made or entered through the host), so the host's files show
// them, inode numbers and all; the LibOS's own pids are one set for the whole guest, named
// by the runtime's pid namespace. timens_offsets, the offsets of the time namespace the
// process's children will be in, which the host's file shows and takes. And
// coredump_filter, a flag of the process's memory, which is the runtime process's (kept by
// fork and exec as Linux keeps it). And io: the host process's reads and writes are the
// program's (with its runtime's, which are the kernel's own work for it).
constexpr const char *kSharedEntries[] = {"mounts", "mountinfo", "cgroup", "net", "ns",
                                          "coredump_filter", "timens_offsets", "io"};
// Those of them that are directories, as a listing shows them.
bool shared_directory(const char *name) {
    return freestanding::equal(name, "net") || freestanding::equal(name, "ns");
}

ProcNode entry_node(const char *entry) {
    const char *const texts[] = {"cmdline", "environ", "comm",       "stat",
                                 "statm",   "status",  "maps",       "personality"};
    const char *const links[] = {"exe", "cwd", "root"};
    if (*entry == 0 || freestanding::equal(entry, "fd") || freestanding::equal(entry, "fdinfo") ||
        freestanding::equal(entry, "task"))
        return ProcNode::directory;
    if (int fd = descriptor_number(entry, "fdinfo/"); fd >= 0)
        return fdinfo_served(fd) ? ProcNode::text : ProcNode::absent;
    if (freestanding::equal(entry, "smaps")) {
        Text probe;
        if (put_smaps(probe))
            return ProcNode::text;
        report_unsupported("/proc", "smaps of memory the host merged with the LibOS's own");
        return ProcNode::absent;
    }
    for (const char *name : texts)
        if (freestanding::equal(entry, name))
            return ProcNode::text;
    for (const char *name : links)
        if (freestanding::equal(entry, name))
            return ProcNode::link;
    for (const char *name : kSharedEntries)
        if (in_entry(entry, name))
            return ProcNode::shared;
    if (freestanding::equal(entry, "pagemap"))
        return ProcNode::pagemap;
    if (unserved_entry(entry))
        report_unsupported("/proc", "a /proc/PID entry such as smaps or limits");
    return descriptor_of(entry) >= 0 ? ProcNode::link : ProcNode::absent;
}

// What /proc/PID/fd/N shows of an open file.
void descriptor_link_text(const OpenFile &file, char *text, size_t capacity) {
    char host[kPathMax], uri[kPathMax + 8];
    uint64_t length = 0;
    if (file.path && proc_namespace_type(file.path)) { // its namespace's name: "pid:[N]"
        proc_host_path(file.path, host, sizeof host);
        if (make_uri("file:", host, uri, sizeof uri) == 0 &&
            abi().stream_read_link(uri, text, capacity - 1, &length) == BSC_OK) {
            text[length] = 0;
            return;
        }
    }
    if (file.path) { // as the kernel names it: no trailing slash
        ProcPath path(file.path);
        freestanding::copy_string(text, capacity, path.text);
    } else if (file.link) {
        freestanding::copy_string(text, capacity, file.link);
    } else {
        object_link_text(file.handle, text, capacity);
    }
}

// Copies the NUL-terminated string at `at` in another process's memory into `text`
// (cut short if it must be), or returns null.
char *read_other_string(const OtherProcess &process, const char *at, char *text, size_t capacity) {
    uint64_t done = at ? process.read(reinterpret_cast<uint64_t>(at), text, capacity - 1) : 0;
    text[done] = 0;
    return done ? text : nullptr;
}

// Another process's descriptor table, read from its memory, where ours lies: false if it
// cannot be read. A snapshot, as the kernel's, taken while that process may be changing
// it: a file it is closing may still show, or not.
bool read_other_table(const OtherProcess &process, OpenFile **table) {
    uint64_t size = sizeof(OpenFile *) * kMaxFds;
    return process && process.read(reinterpret_cast<uint64_t>(descriptor_table()), table, size) == size;
}

// What /proc/PID/fd/N shows of another process's open file at `at` in its memory.
bool other_link_text(const OtherProcess &process, const OpenFile *at, char *text,
                     size_t capacity) {
    OpenFile file;
    if (!at || !process.read(at, file))
        return false;
    // Its strings, copied here; its handle numbers mean nothing in this process.
    char path[kPathMax], link[kPathMax];
    file.path = read_other_string(process, file.path, path, sizeof path);
    file.link = read_other_string(process, file.link, link, sizeof link);
    file.handle = BSC_NO_HANDLE;
    descriptor_link_text(file, text, capacity);
    return true;
}

// Another process's open file `fd` in its memory (null if none or unreadable).
const OpenFile *other_descriptor(const OtherProcess &process, int fd) {
    OpenFile *at = nullptr;
    if (fd < 0 || fd >= kMaxFds || !process || !process.read(descriptor_table() + fd, at))
        return nullptr;
    return at;
}

} // namespace

bool read_other_open_file(int32_t pid, int fd, OpenFile &file) {
    ProcessCard card;
    if (!read_card(pid, card))
        return false;
    OtherProcess process(card.host_id);
    const OpenFile *at = other_descriptor(process, fd);
    return at && process.read(at, file);
}

namespace {

// What another process's directory holds: what its card publishes, and its descriptors.
constexpr const char *kOtherTexts[] = {"cmdline", "comm", "environ", "stat", "status"};

ProcNode other_entry_node(int32_t pid, const char *entry) {
    if (*entry == 0 || freestanding::equal(entry, "fd"))
        return ProcNode::directory;
    if (freestanding::equal(entry, "pagemap"))
        return ProcNode::pagemap;
    if (in_entry(entry, "ns") || freestanding::equal(entry, "coredump_filter") ||
        freestanding::equal(entry, "timens_offsets"))
        return ProcNode::shared; // its host process's, as the caller's own (entry_node)
    if (freestanding::equal(entry, "exe"))
        return ProcNode::link;
    for (const char *name : kOtherTexts)
        if (freestanding::equal(entry, name))
            return ProcNode::text;
    int fd = descriptor_number(entry);
    if (fd < 0)
        return ProcNode::absent;
    OtherProcess process(host_id_of(pid));
    return other_descriptor(process, fd) ? ProcNode::link : ProcNode::absent;
}

ProcNode node_of(const Target &target, const char *entry) {
    return target.own ? entry_node(entry) : other_entry_node(target.pid, entry);
}


// 16 hex digits, as /proc/PID/status shows signal sets.
void put_mask(Text &text, const char *name, uint64_t mask) {
    text.print("%s:\t", name);
    text.put_hex(mask, 16);
    text.put("\n", 1);
}

// The program's memory between two addresses, as the kernel reads cmdline and environ.
void put_program_memory(Text &text, uint64_t start, uint64_t end) {
    char chunk[512];
    for (uint64_t at = start; at < end;) {
        uint64_t n = end - at < sizeof chunk ? end - at : sizeof chunk;
        if (!copy_from_user(chunk, at, n))
            return; // the program unmapped it: the kernel stops there too
        text.put(chunk, n);
        at += n;
    }
}

// The program's memory as /proc counts it, from its map (memory_map.h): the bytes mapped
// and locked (MAP_LOCKED, VmLck), and of them those in memory now (vm_resident_query):
// private anonymous pages, file pages, and shared anonymous memory (the kernel's RssAnon,
// RssFile, RssShmem).
struct MemoryTotals {
    uint64_t mapped, locked, anonymous, file, shared_memory;
    uint64_t data, stack; // the kernel's data_vm (memory_map.h) and stack_vm
    uint64_t resident() const { return anonymous + file + shared_memory; }
};

MemoryTotals program_memory() {
    constexpr uint64_t kUserEnd = uint64_t{1} << 47;
    MemoryTotals totals{};
    Region piece;
    for (uint64_t at = 0; map_next(at, kUserEnd, piece); at = piece.end) {
        uint64_t size = piece.end - piece.start, resident = 0, shared = 0;
        abi().vm_resident_query(piece.start, size, &resident, &shared);
        totals.mapped += size;
        totals.locked += piece.locked ? size : 0;
        totals.data += is_data_mapping(piece) ? size : 0;
        totals.stack += piece.grows_down || piece.name == RegionName::stack ? size : 0;
        totals.anonymous += resident - shared;
        (piece.file ? totals.file : totals.shared_memory) += shared;
    }
    return totals;
}

// The program's pages the host has swapped out (VmSwap, the kernel's MM_SWAPENTS): its
// memory is the host process's at the same addresses, so the host's pagemap entries of
// it with PM_SWAP (bit 62) are its swap entries. False if the host does not show them.
bool swapped_memory(uint64_t &bytes) {
    constexpr uint64_t kUserEnd = uint64_t{1} << 47, kPageBytes = 4096, kEntryBytes = 8;
    constexpr uint64_t kSwapped = uint64_t{1} << 62, kBatch = 512;
    bsc_handle host;
    if (abi().stream_open("file:/proc/self/pagemap", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0,
                          &host) != BSC_OK)
        return false;
    uint64_t entries[kBatch];
    bytes = 0;
    Region piece;
    for (uint64_t at = 0; map_next(at, kUserEnd, piece); at = piece.end) {
        for (uint64_t page = piece.start; page < piece.end;) {
            uint64_t count = (piece.end - page) / kPageBytes, done = 0;
            count = count < kBatch ? count : kBatch;
            if (abi().stream_read(host, page / kPageBytes * kEntryBytes, entries,
                                  count * kEntryBytes, &done) != BSC_OK ||
                done < kEntryBytes)
                break;
            for (uint64_t i = 0; i < done / kEntryBytes; i++)
                bytes += entries[i] & kSwapped ? kPageBytes : 0;
            page += done / kEntryBytes * kPageBytes;
        }
    }
    abi().object_close(host);
    return true;
}

bsc_system_info system() {
    bsc_system_info info{};
    abi().system_info_query(&info);
    return info;
}

// /proc/PID/stat: the 52 fields of the kernel's format; what the LibOS does not keep (and,
// of another process, its memory and signals) is 0.
void put_stat(Text &text, const ProcessView &view) {
    MemoryTotals memory{};
    if (view.own)
        memory = program_memory();
    text.print("%ld (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 %lu %lu 0 0 20 0 %u 0 %lu %lu %lu ",
               view.tid, view.name, view.state, view.parent, view.group, view.session,
               static_cast<uint64_t>(view.user_ns) / kNanosecondsPerTick,
               static_cast<uint64_t>(view.system_ns) / kNanosecondsPerTick, view.threads,
               view.start_ticks, memory.mapped, memory.resident() / 4096);
    const SignalSets &signals = view.signals;
    text.print("18446744073709551615 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 0 ",
               signals.pending | signals.shared_pending, signals.blocked, signals.ignored,
               signals.caught);
    text.print("%lu %lu %lu %lu 0\n", view.arguments, view.environment, view.environment,
               view.strings_end);
}

void put_statm(Text &text) {
    MemoryTotals memory = program_memory();
    text.print("%lu %lu %lu 0 0 0 0\n", memory.mapped / 4096, memory.resident() / 4096,
               (memory.file + memory.shared_memory) / 4096);
}

// "Name:\t    1234 kB": the kernel pads the number to eight columns.
void put_kilobytes(Text &text, const char *name, uint64_t bytes) {
    char number[24];
    size_t n = freestanding::format(number, sizeof number, "%lu", bytes / 1024);
    text.print("%s:\t", name);
    for (; n < 8; n++)
        text.put(" ", 1);
    text.print("%s kB\n", number);
}

// The capability lines of the caller's own status: the calling thread's sets (capget's)
// and the bounding and ambient sets, which are the host process's (prctl.cpp reads them
// there and changes neither); those two are left out if the host shows none.
void put_capabilities(Text &text) {
    bsc_capabilities own{};
    abi().thread_capabilities_query(BSC_NO_HANDLE, &own);
    put_mask(text, "CapInh", own.inheritable);
    put_mask(text, "CapPrm", own.permitted);
    put_mask(text, "CapEff", own.effective);
    HostStatus host{};
    if (!host_status(host))
        return;
    put_mask(text, "CapBnd", host.bounding);
    put_mask(text, "CapAmb", host.ambient);
}

// /proc/PID/status. Of another process, the memory, signal and capability lines, which
// the LibOS knows only of its own, are left out rather than shown wrong.
void put_status(Text &text, const ProcessView &view) {
    bsc_system_info info = system();
    char umask_digits[5] = {'0', static_cast<char>('0' + ((view.umask >> 6) & 7)),
                            static_cast<char>('0' + ((view.umask >> 3) & 7)),
                            static_cast<char>('0' + (view.umask & 7)), 0};
    text.print("Name:\t%s\nUmask:\t%s\nState:\t%s\n", view.name, umask_digits,
               view.state == 'T'   ? "T (stopped)"
               : view.state == 'Z' ? "Z (zombie)"
               : view.state == 'S' ? "S (sleeping)"
                                   : "R (running)");
    text.print("Tgid:\t%d\nNgid:\t0\nPid:\t%ld\nPPid:\t%d\nTracerPid:\t0\n", view.pid,
               view.tid, view.parent);
    // The process's own: the calling thread's real, effective, saved and file-system ids;
    // another's: its real ids as this runtime started with them (they are not known here).
    bsc_process_identity ids{info.user_id,  info.user_id,  info.user_id,  info.user_id,
                             info.group_id, info.group_id, info.group_id, info.group_id, 0, 0};
    if (view.own)
        ids = identity();
    text.print("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n",
               ids.user_id, ids.effective_user_id, ids.saved_user_id, ids.filesystem_user_id,
               ids.group_id, ids.effective_group_id, ids.saved_group_id,
               ids.filesystem_group_id, kMaxFds);
    if (view.own) {
        MemoryTotals memory = program_memory();
        put_kilobytes(text, "VmPeak", memory.mapped);
        put_kilobytes(text, "VmSize", memory.mapped);
        put_kilobytes(text, "VmLck", memory.locked);
        put_kilobytes(text, "VmPin", 0);
        put_kilobytes(text, "VmRSS", memory.resident());
        put_kilobytes(text, "RssAnon", memory.anonymous);
        put_kilobytes(text, "RssFile", memory.file);
        put_kilobytes(text, "RssShmem", memory.shared_memory);
        put_kilobytes(text, "VmData", memory.data);
        put_kilobytes(text, "VmStk", memory.stack);
        if (uint64_t swapped; swapped_memory(swapped))
            put_kilobytes(text, "VmSwap", swapped);
    }
    text.print("Threads:\t%u\n", view.threads);
    if (!view.own)
        return;
    const SignalSets &signals = view.signals;
    put_mask(text, "SigPnd", signals.pending);
    put_mask(text, "ShdPnd", signals.shared_pending);
    put_mask(text, "SigBlk", signals.blocked);
    put_mask(text, "SigIgn", signals.ignored);
    put_mask(text, "SigCgt", signals.caught);
    put_capabilities(text);
}

// Another process's memory between two addresses (its cmdline, its environ).
void put_other_memory(Text &text, const ProcessView &view, uint64_t start, uint64_t end) {
    OtherProcess process(view.host_id);
    char chunk[512];
    for (uint64_t at = start; process && at < end;) {
        uint64_t done = process.read(at, chunk, end - at < sizeof chunk ? end - at : sizeof chunk);
        if (done == 0)
            break;
        text.put(chunk, done);
        at += done;
    }
}

void put_memory(Text &text, const ProcessView &view, uint64_t start, uint64_t end) {
    if (view.own)
        put_program_memory(text, start, end);
    else
        put_other_memory(text, view, start, end);
}

// The task's personality as proc_pid_personality shows it: "%08x".
void put_personality(Text &text, uint32_t personality) {
    text.put_hex(personality, 8);
    text.put("\n", 1);
}

void put_text(Text &text, const char *entry, const ProcessView &view) {
    if (freestanding::equal(entry, "cmdline"))
        put_memory(text, view, view.arguments, view.environment);
    else if (freestanding::equal(entry, "environ"))
        put_memory(text, view, view.environment, view.strings_end);
    else if (freestanding::equal(entry, "comm"))
        text.print("%s\n", view.name);
    else if (freestanding::equal(entry, "stat"))
        put_stat(text, view);
    else if (freestanding::equal(entry, "statm"))
        put_statm(text);
    else if (freestanding::equal(entry, "status"))
        put_status(text, view);
    else if (freestanding::equal(entry, "personality"))
        put_personality(text, view.personality);
    else if (freestanding::equal(entry, "smaps") && view.own)
        put_smaps(text);
    else if (int fd = descriptor_number(entry, "fdinfo/"); fd >= 0 && view.own)
        put_fdinfo(text, fd);
}

// One bsc_dirent record.
void put_record(Text &text, const char *name, uint8_t type, uint64_t inode) {
    size_t length = (offsetof(bsc_dirent, name) + strlen(name) + 1 + 7) & ~size_t{7};
    char record[offsetof(bsc_dirent, name) + 256 + 8] = {};
    auto *entry = reinterpret_cast<bsc_dirent *>(record);
    entry->inode = inode;
    entry->record_length = static_cast<uint16_t>(length);
    entry->type = type;
    memcpy(record + offsetof(bsc_dirent, name), name, strlen(name) + 1);
    text.put(record, length);
}

// /proc without the host's processes: its other entries, and the guest's processes.
void put_root_listing(Text &text) {
    bsc_handle dir;
    if (abi().stream_open("dir:/proc", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &dir) != BSC_OK)
        return;
    char *records = static_cast<char *>(allocate(16384));
    uint64_t done = 0;
    while (abi().stream_read(dir, BSC_AT_POSITION, records, 16384, &done) == BSC_OK && done) {
        for (uint64_t at = 0; at < done;) {
            auto *entry = reinterpret_cast<bsc_dirent *>(records + at);
            if (!all_digits(entry->name, strlen(entry->name)))
                text.put(records + at, entry->record_length);
            at += entry->record_length;
        }
    }
    release(records, 16384);
    abi().object_close(dir);
    int32_t pids[1024];
    uint32_t count = process_pids(pids, 1024);
    for (uint32_t i = 0; i < count && i < 1024; i++) {
        char name[12];
        freestanding::format(name, sizeof name, "%d", pids[i]);
        put_record(text, name, BSC_TYPE_DIRECTORY, 2 + static_cast<uint64_t>(pids[i]));
    }
}

// The records of a process's fd directory (or, with `type` BSC_TYPE_FILE, its own fdinfo
// directory): its own, or another's read from its memory.
void put_descriptor_records(Text &text, const Target &target, uint8_t type = BSC_TYPE_SYMLINK) {
    constexpr uint64_t kTableSize = sizeof(OpenFile *) * kMaxFds; // too big for the stack
    auto *other = target.own ? nullptr : static_cast<OpenFile **>(allocate(kTableSize));
    OtherProcess process(target.own ? 0 : host_id_of(target.pid));
    bool readable = other && read_other_table(process, other);
    for (int fd = 0; fd < kMaxFds; fd++) {
        bool open = target.own ? static_cast<bool>(FileRef(fd)) : readable && other[fd];
        char name[12];
        freestanding::format(name, sizeof name, "%d", fd);
        if (open)
            put_record(text, name, type, 1000 + static_cast<uint64_t>(fd));
    }
    if (other)
        release(other, kTableSize);
}

void put_process_listing(Text &text, const Target &target, const char *entry) {
    put_record(text, ".", BSC_TYPE_DIRECTORY, 1);
    put_record(text, "..", BSC_TYPE_DIRECTORY, 1);
    if (freestanding::equal(entry, "fd")) {
        put_descriptor_records(text, target);
    } else if (freestanding::equal(entry, "fdinfo")) {
        put_descriptor_records(text, target, BSC_TYPE_FILE);
    } else if (!target.own) {
        uint64_t inode = 10;
        put_record(text, "exe", BSC_TYPE_SYMLINK, inode++);
        put_record(text, "fd", BSC_TYPE_DIRECTORY, inode++);
        put_record(text, "ns", BSC_TYPE_DIRECTORY, inode++);
        put_record(text, "coredump_filter", BSC_TYPE_FILE, inode++);
        put_record(text, "pagemap", BSC_TYPE_FILE, inode++);
        for (const char *name : kOtherTexts)
            put_record(text, name, BSC_TYPE_FILE, inode++);
    } else if (freestanding::equal(entry, "task")) {
        for_each_thread([&](Thread &t) {
            char name[12];
            freestanding::format(name, sizeof name, "%u", t.tid);
            put_record(text, name, BSC_TYPE_DIRECTORY, t.tid);
            return true;
        });
    } else {
        const char *const names[] = {"cgroup", "cmdline", "comm", "coredump_filter", "cwd", "environ",
                                     "exe",    "fd",      "fdinfo", "io", "maps",  "mountinfo", "mounts",
                                     "net",    "ns",      "pagemap", "personality", "root", "smaps", "stat",
                                     "statm",  "status",  "task"};
        uint64_t inode = 10;
        for (const char *name : names) {
            ProcNode node = entry_node(name);
            bool directory = node == ProcNode::directory || shared_directory(name);
            uint8_t type = directory                   ? BSC_TYPE_DIRECTORY
                           : node == ProcNode::link    ? BSC_TYPE_SYMLINK
                                                       : BSC_TYPE_FILE;
            put_record(text, name, type, inode++);
        }
    }
}

} // namespace

void object_link_text(bsc_handle handle, char *text, size_t capacity) {
    bsc_object_info info{};
    char uri[kPathMax + 16] = "";
    abi().object_query(handle, &info, uri, sizeof uri);
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(handle, &attributes);
    if (freestanding::starts_with(uri, "file:"))
        freestanding::copy_string(text, capacity, uri + 5);
    else if (freestanding::starts_with(uri, "dev:"))
        freestanding::format(text, capacity, "/dev/%s", uri + 4);
    else if (freestanding::starts_with(uri, "notify:"))
        freestanding::copy_string(text, capacity, "anon_inode:inotify");
    else if (freestanding::starts_with(uri, "mqueue:")) // its path in the mqueue file system
        freestanding::format(text, capacity, "/%s", uri + 7);
    else if (attributes.type == BSC_TYPE_PIPE)
        freestanding::format(text, capacity, "pipe:[%lu]", attributes.inode);
    else if (attributes.type == BSC_TYPE_SOCKET)
        freestanding::format(text, capacity, "socket:[%lu]", attributes.inode);
    else
        freestanding::format(text, capacity, "anon_inode:[%lu]", attributes.inode);
}

namespace {

// The host's links into its own /proc/self, which must lead to the program's instead.
bool follow_device_link(char *path, size_t capacity, bool follow) {
    static const struct {
        const char *link, *target;
    } kLinks[] = {{"/dev/fd", "/proc/self/fd"},
                  {"/dev/stdin", "/proc/self/fd/0"},
                  {"/dev/stdout", "/proc/self/fd/1"},
                  {"/dev/stderr", "/proc/self/fd/2"}};
    for (const auto &link : kLinks) {
        size_t n = strlen(link.link);
        if (!freestanding::starts_with(path, link.link) || (path[n] != '/' && path[n] != 0) ||
            (path[n] == 0 && !follow))
            continue;
        char joined[kPathMax];
        size_t length = freestanding::format(joined, sizeof joined, "%s%s", link.target, path + n);
        if (length + 1 >= sizeof joined || length + 1 > capacity)
            return false;
        memcpy(path, joined, length + 1);
        return true;
    }
    return true;
}

} // namespace

ProcNode proc_node(const char *path) {
    ProcPath stripped(path);
    path = stripped.text;
    if (freestanding::equal(path, "/proc") || freestanding::equal(path, "/proc/"))
        return ProcNode::root;
    if (!freestanding::starts_with(path, "/proc/"))
        return ProcNode::host;
    if (freestanding::equal(path, "/proc/self") || freestanding::equal(path, "/proc/thread-self"))
        return ProcNode::link;
    Target target;
    if (const char *entry = process_entry(path, target))
        return node_of(target, entry);
    const char *name = path + 6;
    size_t length = 0;
    while (name[length] && name[length] != '/')
        length++;
    if (all_digits(name, length) && length == 1 && name[0] == '0' + kOutsideParentPid)
        report_unsupported("/proc", "pid 1 (the parent outside the guest)");
    return all_digits(name, length) ? ProcNode::absent : ProcNode::host;
}

uint32_t proc_namespace_type(const char *path) {
    // The kernel's CLONE_NEW* of each file of /proc/PID/ns (the *_for_children files name
    // the namespace a child would be made in).
    static const struct {
        const char *name;
        uint32_t type;
    } kNamespaces[] = {{"cgroup", 0x02000000}, {"ipc", 0x08000000},
                       {"mnt", 0x00020000},    {"net", 0x40000000},
                       {"pid", 0x20000000},    {"pid_for_children", 0x20000000},
                       {"time", 0x00000080},   {"time_for_children", 0x00000080},
                       {"user", 0x10000000},   {"uts", 0x04000000}};
    // Syntactically, so that a descriptor keeps its kind after its process has gone:
    // /proc/PID/ns/NAME or /proc/PID/task/TID/ns/NAME.
    if (!freestanding::starts_with(path, "/proc/"))
        return 0;
    int64_t number;
    size_t length = leading_number(path + 6, number);
    const char *rest = path + 6 + length;
    if (length && freestanding::starts_with(rest, "/task/")) {
        length = leading_number(rest + 6, number);
        rest = length ? rest + 6 + length : "";
    }
    if (!length || !freestanding::starts_with(rest, "/ns/"))
        return 0;
    for (const auto &ns : kNamespaces)
        if (freestanding::equal(rest + 4, ns.name))
            return ns.type;
    return 0;
}

bool is_namespace_file(const OpenFile &file) {
    return file.path && proc_namespace_type(file.path);
}

int32_t proc_directory_process(const char *path) {
    ProcPath stripped(path);
    Target target;
    const char *entry = process_entry(stripped.text, target);
    return entry && *entry == 0 && !target.tid ? target.pid : 0;
}

int proc_descriptor(const char *path) {
    ProcPath stripped(path);
    path = stripped.text;
    const char *entry = own_entry(path);
    return entry ? descriptor_of(entry) : -1;
}

bool proc_link_text(const char *path, char *text, size_t capacity) {
    ProcPath stripped(path);
    path = stripped.text;
    if (proc_node(path) != ProcNode::link)
        return false;
    if (freestanding::equal(path, "/proc/self"))
        return freestanding::copy_string(text, capacity, PidText().text);
    if (freestanding::equal(path, "/proc/thread-self"))
        return freestanding::format(text, capacity, "%d/task/%ld", current_pid(), current_tid()) <
               capacity;
    Target target;
    const char *entry = process_entry(path, target);
    if (!target.own) {
        ProcessCard card;
        if (!read_card(target.pid, card))
            return false;
        if (freestanding::equal(entry, "exe"))
            return freestanding::copy_string(text, capacity, card.exe);
        OtherProcess process(card.host_id);
        return other_link_text(process, other_descriptor(process, descriptor_number(entry)),
                               text, capacity);
    }
    if (freestanding::equal(entry, "exe"))
        return freestanding::copy_string(text, capacity, program_path());
    if (freestanding::equal(entry, "root")) // its full path: readlink shows it from the root
        return get_root(text, capacity) >= 0;
    if (freestanding::equal(entry, "cwd"))
        return get_cwd(text, capacity) >= 0;
    FileRef file(descriptor_of(entry));
    if (!file)
        return false;
    descriptor_link_text(*file.get(), text, capacity);
    return true;
}

int64_t proc_follow_links(char *path, size_t capacity, bool follow) {
    if (!follow_device_link(path, capacity, follow))
        return -ENAMETOOLONG;
    if (!freestanding::starts_with(path, "/proc/"))
        return 0;
    for (int links = 0;; links++) {
        if (links > kMaxLinks)
            return -ELOOP;
        // The first LibOS link on the way (the last component only with `follow`).
        size_t end = 6;
        char text[kPathMax];
        bool found = false;
        while (!found) {
            while (path[end] && path[end] != '/')
                end++;
            char saved = path[end];
            if (saved == 0 && !follow)
                return 0;
            path[end] = 0;
            ProcNode node = proc_node(path);
            found = node == ProcNode::link && proc_link_text(path, text, sizeof text);
            path[end] = saved;
            if (node == ProcNode::absent)
                return -ENOENT;
            if (!found && (saved == 0 || node == ProcNode::host))
                return 0;
            if (!found)
                end++;
        }
        // The link's target, then the rest of the path.
        char joined[kPathMax];
        size_t base = 0;
        if (text[0] != '/') {
            // A descriptor without a path (a pipe, a socket) is the link's own business
            // at the end of the path (proc_descriptor), and no directory before it.
            if (freestanding::starts_with(text, "pipe:") ||
                freestanding::starts_with(text, "socket:") ||
                freestanding::starts_with(text, "anon_inode:"))
                return path[end] ? -ENOTDIR : 0;
            base = freestanding::format(joined, sizeof joined, "/proc/");
        }
        if (base + strlen(text) + strlen(path + end) + 1 > sizeof joined ||
            base + strlen(text) + strlen(path + end) + 1 > capacity)
            return -ENAMETOOLONG;
        memcpy(joined + base, text, strlen(text) + 1);
        memcpy(joined + strlen(joined), path + end, strlen(path + end) + 1);
        memcpy(path, joined, strlen(joined) + 1);
        if (!freestanding::starts_with(path, "/proc/"))
            return 0;
    }
}

void proc_host_path(const char *path, char *out, size_t capacity) {
    ProcPath stripped(path);
    Target target;
    const char *entry = process_entry(stripped.text, target);
    if (!entry || proc_node(path) == ProcNode::host) {
        freestanding::copy_string(out, capacity, path);
        return;
    }
    // The directory itself with a slash: /proc/self alone is the host's link. Another
    // process's is the host's directory of that process.
    ProcessCard card{};
    if (!target.own && read_card(target.pid, card))
        freestanding::format(out, capacity, "/proc/%lu/%s", card.host_id, entry);
    else
        freestanding::format(out, capacity, "/proc/self/%s", entry);
}

char *proc_content(const char *path, ProcNode node, uint64_t &size) {
    ProcPath stripped(path);
    path = stripped.text;
    Text text;
    Target target;
    const char *entry = process_entry(path, target);
    if (node == ProcNode::root)
        put_root_listing(text);
    else if (node == ProcNode::directory)
        put_process_listing(text, target, entry);
    else if (freestanding::equal(entry, "maps"))
        return map_text(size);
    else
        put_text(text, entry, view_of(target));
    return text.take(size);
}

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kEntry = 8; // PM_ENTRY_BYTES

// The program's memory map of the process a pagemap is of: the caller's own, or another
// process's, copied from its memory where the caller's lies (a snapshot, as its
// descriptor table is read: one that process is changing may be refused as torn).
class PageMap {
  public:
    PageMap(int32_t pid, uint64_t host_id) : own_(pid == current_pid()) {
        if (own_)
            return;
        OtherProcess process(host_id);
        MapPlace place = map_place();
        Region *at = nullptr;
        if (!process || !process.read(place.regions, at) || !process.read(place.count, count_) ||
            count_ > kMostRegions)
            return;
        size_ = count_ * sizeof(Region);
        regions_ = static_cast<Region *>(allocate(size_ ? size_ : 1));
        readable_ = process.read(reinterpret_cast<uint64_t>(at), regions_, size_) == size_ &&
                    sorted();
    }
    ~PageMap() {
        if (regions_)
            release(regions_, size_ ? size_ : 1);
    }
    PageMap(const PageMap &) = delete;
    PageMap &operator=(const PageMap &) = delete;
    bool readable() const { return own_ || readable_; }
    // As map_next: the first mapped piece of [start, end), false if none.
    bool next(uint64_t start, uint64_t end, Region &piece) const {
        if (own_)
            return map_next(start, end, piece);
        for (size_t i = 0; i < count_; i++) {
            if (regions_[i].end <= start)
                continue;
            if (regions_[i].start >= end)
                return false;
            piece = regions_[i];
            piece.start = piece.start < start ? start : piece.start;
            piece.end = piece.end > end ? end : piece.end;
            return true;
        }
        return false;
    }

  private:
    static constexpr size_t kMostRegions = 65536; // the kernel's default vm.max_map_count
    // Whether the copy is a map: page aligned, sorted, not overlapping.
    bool sorted() const {
        for (size_t i = 0; i < count_; i++)
            if (regions_[i].start >= regions_[i].end || (regions_[i].start | regions_[i].end) % kPage ||
                (i && regions_[i].start < regions_[i - 1].end))
                return false;
        return true;
    }
    bool own_;
    bool readable_ = false;
    Region *regions_ = nullptr;
    size_t count_ = 0, size_ = 0;
};

// The host's entries for `count` pages from page number `first` (its /proc/PID/pagemap of
// the process: the guest's memory is the host process's, at the same addresses, so the
// host's kernel tells what Linux tells of these pages, its PFNs shown on the same
// condition, CAP_SYS_ADMIN), with every page outside the program's memory map made 0, as
// Linux shows a page of no VMA: the runtime's and the LibOS's own memory are not the
// program's. The bytes read, 0 at the end of the address space, or -errno.
int64_t read_page_entries(bsc_handle host, const PageMap &map, uint64_t first, uint64_t count,
                          uint64_t *entries) {
    uint64_t done = 0;
    if (bsc_status status = abi().stream_read(host, first * kEntry, entries, count * kEntry, &done))
        return result_of(status);
    uint64_t start = first * kPage, end = start + done / kEntry * kPage, at = start;
    Region piece;
    for (; at < end && map.next(at, end, piece); at = piece.end) {
        for (uint64_t page = at; page < piece.start; page += kPage)
            entries[(page - start) / kPage] = 0;
    }
    for (; at < end; at += kPage)
        entries[(at - start) / kPage] = 0;
    return static_cast<int64_t>(done);
}

} // namespace

int32_t proc_entry_process(const char *path) {
    ProcPath stripped(path);
    Target target;
    return process_entry(stripped.text, target) ? target.pid : 0;
}

int64_t proc_pagemap_read(OpenFile &file, uint64_t position, uint64_t buffer, uint64_t size) {
    // The kernel's pagemap_read, in its order: nothing once the process it was opened for
    // has gone (its memory with it), the alignment of the position and the size, then
    // the walk in chunks, each copied out.
    auto pid = static_cast<int32_t>(reinterpret_cast<uintptr_t>(file.state));
    ProcessCard card{};
    if (pid != current_pid() && !read_card(pid, card))
        return 0;
    if (position % kEntry || size % kEntry)
        return -EINVAL;
    if (size == 0)
        return 0;
    PageMap map(pid, card.host_id);
    if (!map.readable())
        return -EIO; // torn by a change under way, or unreadable
    char uri[48];
    if (pid == current_pid())
        freestanding::format(uri, sizeof uri, "file:/proc/self/pagemap");
    else
        freestanding::format(uri, sizeof uri, "file:/proc/%lu/pagemap", card.host_id);
    bsc_handle host;
    if (bsc_status status = abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &host))
        return result_of(status);
    constexpr uint64_t kChunk = 512; // entries, as the kernel's PAGEMAP_WALK_SIZE buffer
    uint64_t entries[kChunk], copied = 0;
    int64_t result = 0;
    while (copied < size) {
        uint64_t count = (size - copied) / kEntry < kChunk ? (size - copied) / kEntry : kChunk;
        result = read_page_entries(host, map, (position + copied) / kEntry, count, entries);
        if (result <= 0)
            break;
        if (!copy_to_user(buffer + copied, entries, static_cast<uint64_t>(result))) {
            result = -EFAULT;
            break;
        }
        copied += static_cast<uint64_t>(result);
        if (static_cast<uint64_t>(result) < count * kEntry)
            break; // the end of the address space
    }
    abi().object_close(host);
    return result < 0 ? result : static_cast<int64_t>(copied);
}

bsc_stream_attributes proc_attributes(ProcNode node) {
    bsc_system_info info = system();
    bsc_stream_attributes a{};
    a.type = node == ProcNode::directory ? BSC_TYPE_DIRECTORY
             : node == ProcNode::link    ? BSC_TYPE_SYMLINK
                                         : BSC_TYPE_FILE;
    a.mode = node == ProcNode::directory ? 0555
             : node == ProcNode::link    ? 0777
             : node == ProcNode::pagemap ? 0400
                                         : 0444;
    a.links = node == ProcNode::directory ? 9 : 1;
    a.owner = info.user_id;
    a.group = info.group_id;
    a.block_size = 1024;
    return a;
}

void note_program_start(const char *path) {
    start_ticks = system().uptime_ns / kNanosecondsPerTick;
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    size_t n = strlen(base);
    if (n > sizeof program_name - 1)
        n = sizeof program_name - 1;
    memcpy(program_name, base, n);
    program_name[n] = 0;
}

const char *program_comm() { return program_name; }

void set_program_strings(uint64_t arguments, uint64_t environment, uint64_t end) {
    arguments_start = arguments, environment_start = environment, strings_end = end;
    // The program is in place: the other processes of the guest see it from now on.
    ProcessCard card = own_card();
    memcpy(card.comm, program_name, sizeof card.comm);
    freestanding::copy_string(card.exe, sizeof card.exe, program_path());
    card.arguments = arguments, card.environment = environment, card.strings_end = end;
    card.start_ticks = start_ticks;
    card.threads = thread_count();
    card.umask = file_mode_mask();
    card.state = 'R';
    publish_card(card);
}

} // namespace libos
