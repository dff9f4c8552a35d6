// SPDX-License-Identifier: MIT
// The program's core file (core_dump.h), as Linux 6.x writes one: do_coredump's checks and
// file name (core_pattern), binfmt_elf's layout (an ELF header of type ET_CORE, a PT_NOTE
// with each thread's registers and the process's notes, a PT_LOAD for each region of the
// program's memory map with what coredump_filter keeps), cut at
// RLIMIT_CORE as dump_emit cuts it. The LibOS's own memory is the kernel's: left out.
#include "core_dump.h"

#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/mman-common.h>
#include <cpuid.h>
#include <elf.h>
#include <linux/resource.h>

#include "exec.h"
#include "format.h"
#include "heap.h"
#include "memory_map.h"
#include "process_state.h"
#include "process_tree.h"
#include "procfs.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kPage = 4096; // ELF_EXEC_PAGESIZE, and binfmt_elf's min_coredump
constexpr size_t kNameMax = 4096;
constexpr uint64_t kInfinity = ~uint64_t{0};

// ---- the LibOS's own calls, made for the program (its cwd, its ids, its view) ----

int64_t call(int64_t (*fn)(Syscall &), uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0,
             uint64_t a3 = 0) {
    bsc_cpu_context unused{};
    Syscall c{{a0, a1, a2, a3, 0, 0}, unused};
    return fn(c);
}

inline uint64_t address(const void *p) { return reinterpret_cast<uint64_t>(p); }

// PR_GET_DUMPABLE: 1, or 0 (PR_SET_DUMPABLE 0), or 2 after a change of ids under
// suid_dumpable 2.
int64_t dumpable() { return call(sys_prctl, 3 /* PR_GET_DUMPABLE */); }

// A /proc/sys/kernel setting as the program reads it, without its newline; "" if none.
void read_setting(const char *path, char *out, size_t capacity) {
    out[0] = 0;
    int64_t fd = call(sys_open, address(path), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    int64_t n = call(sys_read, static_cast<uint64_t>(fd), address(out), capacity - 1);
    call(sys_close, static_cast<uint64_t>(fd));
    size_t length = n > 0 ? static_cast<size_t>(n) : 0;
    while (length && out[length - 1] == '\n')
        length--;
    out[length] = 0;
}

// ---- the other threads: stopped where the registers they had are known ----

struct Parked {
    const bsc_cpu_context *context;
    int64_t syscall;
    Thread *thread;
};

Thread *dumper; // the thread writing a core, or null
Parked parked[thread_list::kMaxThreads];
uint32_t parked_count;
Spinlock park_lock;

bool claim_dump() {
    Thread *none = nullptr;
    return __atomic_compare_exchange_n(&dumper, &none, &current_thread(), false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

int64_t now_ns() {
    int64_t ns = 0;
    abi().time_query(BSC_CLOCK_MONOTONIC, &ns);
    return ns;
}

// Interrupts every other program thread and waits (a second at most) for them to park, as
// the kernel's zap_threads waits for every thread to stop. Returns how many parked.
uint32_t stop_other_threads() {
    uint32_t others = 0;
    for_each_thread([&](Thread &t) {
        if (&t != dumper) {
            others++;
            abi().thread_interrupt(t.handle);
        }
        return true;
    });
    int64_t deadline = now_ns() + 1000000000;
    for (;;) {
        uint32_t seen = __atomic_load_n(&parked_count, __ATOMIC_ACQUIRE);
        if (seen >= others || now_ns() >= deadline)
            break;
        abi().sync_wait(&parked_count, seen, 10000000);
    }
    uint32_t count = __atomic_load_n(&parked_count, __ATOMIC_ACQUIRE);
    if (count < others)
        report_unsupported("signal", "a core dump's thread that did not stop (left out)");
    return count;
}

// ---- the file, written as dump_emit writes it ----

// A write that would pass the limit is not made, and nothing after it; a skipped range
// (padding, a page never touched) is a hole, not counted against the limit.
struct CoreFile {
    int64_t fd;
    uint64_t limit, written, position, end;
    bool failed;
};

bool emit(CoreFile &f, const void *data, uint64_t size) {
    if (f.failed || f.written + size > f.limit) {
        f.failed = true;
        return false;
    }
    int64_t n = call(sys_pwrite64, static_cast<uint64_t>(f.fd), address(data), size, f.position);
    if (n != static_cast<int64_t>(size)) {
        f.failed = true;
        return false;
    }
    f.position += size;
    f.written += size;
    f.end = f.position;
    return true;
}

void skip(CoreFile &f, uint64_t size) { f.position += size; }
void align(CoreFile &f, uint64_t to) { f.position = (f.position + to - 1) & ~(to - 1); }

// The last range skipped gets the file's size by a byte written at its end (do_coredump).
bool finish(CoreFile &f) {
    if (!f.failed && f.position > f.end) {
        f.position--;
        emit(f, "", 1);
    }
    return !f.failed;
}

// ---- the memory: which regions, and how much of each ----

struct Segment {
    Region region;
    uint64_t dump_size; // p_filesz
};

bool deleted_file(const MappedFile *file) {
    const char *suffix = " (deleted)";
    size_t n = strlen(file->path), s = strlen(suffix);
    return n >= s && freestanding::equal(file->path + n - s, suffix);
}

bool starts_with_elf_magic(uint64_t start) {
    uint8_t magic[SELFMAG];
    return copy_from_user(magic, start, SELFMAG) && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

// /proc/PID/coredump_filter's bits (MMF_DUMP_*) the kernel's vma_dump_size asks.
constexpr uint32_t kAnonymousPrivate = 1, kAnonymousShared = 2, kMappedPrivate = 4,
                   kMappedShared = 8, kElfHeaders = 16;

// The process's coredump_filter as the program reads it; its default if it cannot be read.
uint32_t dump_filter() {
    char text[24];
    read_setting("/proc/self/coredump_filter", text, sizeof text);
    uint32_t filter = 0;
    const char *p = text;
    for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
        filter = filter * 16 + static_cast<uint32_t>(*p <= '9' ? *p - '0' : *p - 'a' + 10);
    return p == text ? kAnonymousPrivate | kAnonymousShared | kElfHeaders | 0x20 : filter;
}

// The kernel's vma_dump_size under `filter`. Private memory counts as written to (the
// kernel's anon_vma) when it is anonymous and accessible, or a file's and has been
// writable; shared memory is anonymous when no file has a name for it (/dev/zero's, a
// System V segment, a deleted file).
uint64_t dump_size(const Region &r, uint32_t filter) {
    uint64_t whole = r.end - r.start;
    if (r.name == RegionName::vdso || r.name == RegionName::vvar)
        return whole; // always_dump_vma
    if (r.dont_dump)
        return 0;
    if (r.shared) {
        bool anonymous = !r.file || r.file->segment_size || deleted_file(r.file);
        return filter & (anonymous ? kAnonymousShared : kMappedShared) ? whole : 0;
    }
    bool written = r.file ? r.accounted : r.prot != PROT_NONE;
    if (written && (filter & kAnonymousPrivate))
        return whole;
    if (!r.file)
        return 0;
    if (filter & kMappedPrivate)
        return whole;
    if ((filter & kElfHeaders) && r.offset == 0 && (r.prot & PROT_READ) &&
        starts_with_elf_magic(r.start))
        return kPage;
    return 0;
}

// The program's regions in address order; `count` set. The caller releases the array.
Segment *collect_segments(uint32_t &count, uint32_t &capacity) {
    count = 0;
    capacity = 64;
    auto *segments = static_cast<Segment *>(allocate(sizeof(Segment) * capacity));
    uint32_t filter = dump_filter();
    Region piece;
    for (uint64_t at = 0; map_next(at, kInfinity, piece); at = piece.end) {
        if (count == capacity) {
            auto *bigger = static_cast<Segment *>(allocate(sizeof(Segment) * capacity * 2));
            memcpy(bigger, segments, sizeof(Segment) * count);
            release(segments, sizeof(Segment) * capacity);
            segments = bigger;
            capacity *= 2;
        }
        segments[count++] = {piece, dump_size(piece, filter)};
    }
    return segments;
}

// A page of anonymous memory that reads as zeros is never written (the kernel skips the
// zero page and pages never touched); a file's page is written as it reads. A page that
// cannot be read (vvar's, an inaccessible one) is a hole.
bool dump_region(CoreFile &f, const Segment &s, uint8_t *page) {
    bool anonymous = !s.region.file || s.region.shared;
    for (uint64_t at = s.region.start; at < s.region.start + s.dump_size; at += kPage) {
        bool readable = s.region.name != RegionName::vvar && copy_from_user(page, at, kPage);
        bool zero = readable && anonymous;
        for (uint64_t i = 0; zero && i < kPage; i += 8)
            zero = *reinterpret_cast<uint64_t *>(page + i) == 0;
        if (!readable || zero)
            skip(f, kPage);
        else if (!emit(f, page, kPage))
            return false;
    }
    return true;
}

// ---- the notes ----

struct Note {
    const char *name;
    uint32_t type;
    void *data;
    uint32_t size;
};

struct Notes {
    Note items[8 + 3 * thread_list::kMaxThreads + 1];
    uint32_t count;
    void add(const char *name, uint32_t type, void *data, uint32_t size) {
        items[count++] = {name, type, data, size};
    }
    uint64_t bytes() const {
        uint64_t total = 0;
        for (uint32_t i = 0; i < count; i++)
            total += sizeof(Elf64_Nhdr) + ((strlen(items[i].name) + 1 + 3) & ~3ul) +
                     ((items[i].size + 3) & ~3u);
        return total;
    }
    ~Notes() {
        for (uint32_t i = 0; i < count; i++)
            release(items[i].data, items[i].size);
    }
};

void *copy_block(const void *data, size_t size) {
    void *block = allocate(size);
    memcpy(block, data, size);
    return block;
}

// binfmt_elf's writenote: header, name and descriptor, each padded to 4 by a hole.
bool emit_note(CoreFile &f, const Note &n) {
    Elf64_Nhdr header{static_cast<Elf64_Word>(strlen(n.name) + 1), n.size, n.type};
    if (!emit(f, &header, sizeof header) || !emit(f, n.name, header.n_namesz))
        return false;
    align(f, 4);
    if (!emit(f, n.data, n.size))
        return false;
    align(f, 4);
    return true;
}

struct Timeval {
    int64_t sec, usec;
};
Timeval timeval_of(int64_t ns) { return {ns / 1000000000, ns % 1000000000 / 1000}; }

// x86-64's struct elf_prstatus.
struct Prstatus {
    int32_t si_signo, si_code, si_errno;
    int16_t cursig;
    uint64_t sigpend, sighold;
    int32_t pid, ppid, pgrp, sid;
    Timeval utime, stime, cutime, cstime;
    uint64_t reg[27]; // struct user_regs_struct
    int32_t fpvalid;
};
static_assert(sizeof(Prstatus) == 336);

// x86-64's struct elf_prpsinfo.
struct Prpsinfo {
    char state, sname, zombie, nice;
    uint64_t flag;
    uint32_t uid, gid;
    int32_t pid, ppid, pgrp, sid;
    char fname[16];
    char psargs[80];
};
static_assert(sizeof(Prpsinfo) == 136);

// The registers as struct user_regs_struct orders them; orig_rax the system call's number
// (-1 outside one); the kernel's fixed user selectors; the program's gs base is 0 (the
// LibOS's %gs is its own).
void fill_registers(uint64_t (&reg)[27], const bsc_cpu_context &c, int64_t syscall) {
    const uint64_t values[27] = {c.r15, c.r14, c.r13, c.r12, c.rbp, c.rbx, c.r11, c.r10, c.r9,
                                 c.r8,  c.rax, c.rcx, c.rdx, c.rsi, c.rdi,
                                 static_cast<uint64_t>(syscall), c.rip, 0x33, c.rflags, c.rsp,
                                 0x2b, c.fs_base, 0, 0, 0, 0, 0};
    memcpy(reg, values, sizeof reg);
}

// A thread's CPU times: the whole process's for its initial thread (fill_prstatus).
void thread_times(const Thread &t, Prstatus &s) {
    int64_t user = 0, total = 0;
    if (static_cast<int32_t>(t.tid) == current_pid()) {
        bsc_process_usage usage{};
        abi().process_usage_query(BSC_USAGE_PROCESS, &usage);
        user = usage.user_ns;
        total = usage.user_ns + usage.system_ns;
    } else {
        abi().thread_time_query(t.handle, BSC_CLOCK_THREAD_CPU_USER, &user);
        abi().thread_time_query(t.handle, BSC_CLOCK_THREAD_CPU_ACCOUNTED, &total);
    }
    s.utime = timeval_of(user);
    s.stime = timeval_of(total > user ? total - user : 0);
}

Prstatus *prstatus(const Thread &t, const bsc_cpu_context &c, int64_t syscall, int32_t sig) {
    auto *s = static_cast<Prstatus *>(allocate(sizeof(Prstatus)));
    s->si_signo = sig;
    s->cursig = static_cast<int16_t>(sig);
    s->sigpend = t.signals.pending;
    s->sighold = t.signals.blocked;
    s->pid = static_cast<int32_t>(t.tid);
    s->ppid = parent_pid();
    s->pgrp = static_cast<int32_t>(process_group_of(0));
    s->sid = static_cast<int32_t>(session_of(0));
    thread_times(t, *s);
    bsc_process_usage children{};
    abi().process_usage_query(BSC_USAGE_CHILDREN, &children);
    s->cutime = timeval_of(children.user_ns);
    s->cstime = timeval_of(children.system_ns);
    fill_registers(s->reg, c, syscall);
    s->fpvalid = 1;
    return s;
}

uint64_t enabled_features() {
    uint32_t low, high;
    asm volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t{high} << 32) | low;
}

// The thread's XSAVE area as ptrace's regsets give it: the software-reserved words of the
// legacy area hold XCR0 (xstate_fx_sw_bytes), not a signal frame's magic; `size` 512 is the
// legacy FXSAVE image alone (NT_PRFPREG), whose reserved words are 0. Without a saved
// state: the initial one.
void *vector_state(const bsc_cpu_context &c, uint32_t size) {
    auto *area = static_cast<uint8_t *>(allocate(size));
    if (c.xstate && c.xstate_size >= size) {
        copy_from_user(area, c.xstate, size);
    } else {
        uint16_t control = 0x37f;
        uint32_t mxcsr = 0x1f80;
        memcpy(area, &control, sizeof control);
        memcpy(area + 24, &mxcsr, sizeof mxcsr);
    }
    memset(area + 464, 0, 48);
    uint64_t features = enabled_features();
    if (size > 512)
        memcpy(area + 464, &features, sizeof features);
    return area;
}

// NT_X86_XSAVE_LAYOUT (Linux 6.16), after every thread's notes: where each extended
// feature XCR0 enables lies in the XSAVE areas (CPUID leaf 0xD), so that a debugger reads
// the areas of a processor whose layout is not Intel's standard one right.
void add_xsave_layout(Notes &notes) {
    struct Feature {
        uint32_t type, size, offset, flags;
    } features[64];
    uint32_t count = 0;
    uint64_t enabled = enabled_features();
    for (uint32_t i = 2; i < 64; i++) {
        if (!(enabled & (uint64_t{1} << i)))
            continue;
        uint32_t size, offset, ecx, edx;
        __cpuid_count(0xd, i, size, offset, ecx, edx);
        features[count++] = {i, size, offset, 0};
    }
    if (count)
        notes.add("LINUX", 0x205, copy_block(features, count * sizeof(Feature)),
                  static_cast<uint32_t>(count * sizeof(Feature)));
}

// NT_PRSTATUS, then (for the dumping thread, first) the process's notes, then its vector
// registers: binfmt_elf's write_note_info order.
void add_thread_notes(Notes &notes, const Thread &t, const bsc_cpu_context &c, int64_t syscall,
                      int32_t sig, void (*process_notes)(Notes &)) {
    notes.add("CORE", NT_PRSTATUS, prstatus(t, c, syscall, sig), sizeof(Prstatus));
    if (process_notes)
        process_notes(notes);
    notes.add("CORE", NT_PRFPREG, vector_state(c, 512), 512);
    if (c.xstate && c.xstate_size > 512)
        notes.add("LINUX", NT_X86_XSTATE, vector_state(c, c.xstate_size), c.xstate_size);
}

// The initial thread's name (the group leader's comm), else the program's.
void leader_name(char (&name)[16]) {
    bool found = false;
    for_each_thread([&](Thread &t) {
        if (static_cast<int32_t>(t.tid) != current_pid())
            return true;
        thread_name(t, name);
        found = true;
        return false;
    });
    if (!found)
        freestanding::copy_string(name, sizeof name, program_comm());
}

void *psinfo() {
    auto *p = static_cast<Prpsinfo *>(allocate(sizeof(Prpsinfo)));
    p->sname = 'R';
    p->nice = static_cast<char>(current_scheduling().nice);
    p->flag = 0x400600; // PF_RANDOMIZE | PF_SIGNALED | PF_DUMPCORE
    bsc_process_identity ids = identity();
    p->uid = ids.user_id;
    p->gid = ids.group_id;
    p->pid = current_pid();
    p->ppid = parent_pid();
    p->pgrp = static_cast<int32_t>(process_group_of(0));
    p->sid = static_cast<int32_t>(session_of(0));
    char name[16];
    leader_name(name);
    memcpy(p->fname, name, sizeof name);
    // The command line's first bytes, its separators as spaces (fill_psinfo).
    ProcessCard card = own_card();
    uint64_t length = card.environment - card.arguments;
    if (length >= sizeof p->psargs)
        length = sizeof p->psargs - 1;
    if (!copy_from_user(p->psargs, card.arguments, length))
        length = 0;
    for (uint64_t i = 0; i < length; i++)
        if (!p->psargs[i])
            p->psargs[i] = ' ';
    p->psargs[length] = 0;
    return p;
}

// NT_FILE: the count, the page size, then start, end and page offset of each file
// mapping, then their names.
void file_note(Notes &notes, const Segment *segments, uint32_t count) {
    uint64_t files = 0, names = 0;
    for (uint32_t i = 0; i < count; i++)
        if (segments[i].region.file) {
            files++;
            names += strlen(segments[i].region.file->path) + 1;
        }
    if (!files)
        return;
    uint64_t size = 16 + files * 24 + names;
    auto *data = static_cast<uint64_t *>(allocate(size));
    data[0] = files;
    data[1] = kPage;
    uint64_t *entry = data + 2;
    char *name = reinterpret_cast<char *>(data + 2 + files * 3);
    for (uint32_t i = 0; i < count; i++) {
        const Region &r = segments[i].region;
        if (!r.file)
            continue;
        *entry++ = r.start;
        *entry++ = r.end;
        *entry++ = r.offset / kPage;
        size_t length = strlen(r.file->path) + 1;
        memcpy(name, r.file->path, length);
        name += length;
    }
    notes.add("CORE", NT_FILE, data, static_cast<uint32_t>(size));
}

// What the process's notes need: set before they are made.
struct ProcessFacts {
    const SignalInfo *info;
    const Segment *segments;
    uint32_t count;
} facts;

void add_process_notes(Notes &notes) {
    notes.add("CORE", NT_PRPSINFO, psinfo(), sizeof(Prpsinfo));
    void *info = allocate(128);
    put_siginfo(address(info), *facts.info);
    notes.add("CORE", NT_SIGINFO, info, 128);
    size_t words = 0;
    const uint64_t *auxv = program_auxv(words);
    notes.add("CORE", NT_AUXV, copy_block(auxv, words * 8), static_cast<uint32_t>(words * 8));
    file_note(notes, facts.segments, facts.count);
}

// ---- the name: core_pattern expanded as format_corename does ----

struct Name {
    char text[kNameMax];
    size_t used;
    bool overflow;
};

void append(Name &n, const char *text) {
    size_t length = strlen(text);
    if (n.used + length >= sizeof n.text) {
        n.overflow = true;
        return;
    }
    memcpy(n.text + n.used, text, length + 1);
    n.used += length;
}

void append_number(Name &n, int64_t value) {
    char digits[24];
    freestanding::format(digits, sizeof digits, "%ld", value);
    append(n, digits);
}

void append_unsigned(Name &n, uint64_t value) {
    char digits[24];
    freestanding::format(digits, sizeof digits, "%lu", value);
    append(n, digits);
}

int64_t now_realtime_seconds() {
    int64_t ns = 0;
    abi().time_query(BSC_CLOCK_REALTIME, &ns);
    return ns / 1000000000;
}

// A part taken from the process (its name, the host name, its path): never ".", ".." or
// empty, and no '/' in it (cn_esc_printf).
void append_escaped(Name &n, const char *text) {
    size_t start = n.used;
    append(n, text);
    size_t length = n.used - start;
    if (length == 0)
        append(n, "!");
    else if (n.text[start] == '.' && (length == 1 || (length == 2 && n.text[start + 1] == '.')))
        n.text[start] = '!';
    for (size_t i = start; i < n.used; i++)
        if (n.text[i] == '/')
            n.text[i] = '!';
}

void append_specifier(Name &n, char specifier, int32_t sig, bool &pid_named) {
    bsc_process_identity ids = identity();
    switch (specifier) {
    case '%': append(n, "%"); break;
    case 'p':
        pid_named = true;
        [[fallthrough]];
    case 'P': append_number(n, current_pid()); break;
    case 'i':
    case 'I': append_number(n, current_tid()); break;
    case 'u': append_unsigned(n, ids.user_id); break;
    case 'g': append_unsigned(n, ids.group_id); break;
    case 'd': append_number(n, dumpable()); break;
    case 's': append_number(n, sig); break;
    case 't': append_number(n, now_realtime_seconds()); break;
    case 'c': append_unsigned(n, soft_limit(RLIMIT_CORE)); break;
    case 'h': {
        char names[6][65]{};
        call(sys_uname, address(names));
        append_escaped(n, names[1]);
        break;
    }
    case 'e': {
        char name[16];
        thread_name(current_thread(), name);
        append_escaped(n, name);
        break;
    }
    case 'E': append_escaped(n, program_path()); break;
    default: break; // the kernel drops a specifier it does not know
    }
}

// The file name core_pattern gives, relative to the program's working directory unless it
// starts with '/'; false if it names none (a pipe to a program, or too long).
bool core_name(int32_t sig, Name &n) {
    char pattern[kNameMax], uses_pid[8];
    read_setting("/proc/sys/kernel/core_pattern", pattern, sizeof pattern);
    if (pattern[0] == '|') {
        // The program would run outside the guest, as the host's helper: no core.
        report_unsupported("signal", "a core dump to a core_pattern pipe");
        return false;
    }
    n.used = 0;
    n.overflow = false;
    n.text[0] = 0;
    bool pid_named = false;
    for (const char *p = pattern; *p; p++) {
        if (*p != '%') {
            char one[2] = {*p, 0};
            append(n, one);
            continue;
        }
        if (!*++p)
            break; // a '%' at the end
        append_specifier(n, *p, sig, pid_named);
    }
    read_setting("/proc/sys/kernel/core_uses_pid", uses_pid, sizeof uses_pid);
    if (!pid_named && uses_pid[0] && uses_pid[0] != '0') {
        append(n, ".");
        append_number(n, current_pid());
    }
    return !n.overflow;
}

// do_coredump's file: any old one unlinked, a new one made with O_EXCL and mode 0600 by
// the program's own path resolution and umask, refused unless it is a regular file the
// program's file-system user owns with exactly the owner's read and write bits. -1 if not.
int64_t open_core_file(const char *name) {
    call(sys_unlink, address(name));
    int64_t fd = call(sys_open, address(name),
                      O_CREAT | O_WRONLY | O_NOFOLLOW | O_LARGEFILE | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    uint8_t st[144];
    uint32_t mode = 0, owner = 0;
    bool checked = call(sys_fstat, static_cast<uint64_t>(fd), address(st)) == 0;
    memcpy(&mode, st + 24, sizeof mode);
    memcpy(&owner, st + 28, sizeof owner);
    if (!checked || (mode & 0170000) != 0100000 || (mode & 0677) != 0600 ||
        owner != identity().filesystem_user_id) {
        call(sys_close, static_cast<uint64_t>(fd));
        return -1;
    }
    return fd;
}

// The ELF header, the PT_NOTE, a PT_LOAD for each region, the notes, then the memory from
// the first page boundary after them: binfmt_elf's elf_core_dump.
bool write_core(CoreFile &f, const Notes &notes, const Segment *segments, uint32_t count) {
    Elf64_Ehdr header{};
    memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = ELFCLASS64;
    header.e_ident[EI_DATA] = ELFDATA2LSB;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_type = ET_CORE;
    header.e_machine = EM_X86_64;
    header.e_version = EV_CURRENT;
    header.e_phoff = sizeof header;
    header.e_ehsize = sizeof header;
    header.e_phentsize = sizeof(Elf64_Phdr);
    header.e_phnum = static_cast<Elf64_Half>(count + 1 < PN_XNUM ? count + 1 : PN_XNUM);
    uint64_t offset = sizeof header + (count + 1) * sizeof(Elf64_Phdr);
    Elf64_Phdr note{PT_NOTE, 0, offset, 0, 0, notes.bytes(), 0, 4};
    if (!emit(f, &header, sizeof header) || !emit(f, &note, sizeof note))
        return false;
    uint64_t data_offset = (offset + notes.bytes() + kPage - 1) & ~(kPage - 1);
    offset = data_offset;
    for (uint32_t i = 0; i < count; i++) {
        const Segment &s = segments[i];
        uint32_t flags = (s.region.prot & PROT_READ ? PF_R : 0) |
                         (s.region.prot & PROT_WRITE ? PF_W : 0) |
                         (s.region.prot & PROT_EXEC ? PF_X : 0);
        Elf64_Phdr load{PT_LOAD, flags, offset, s.region.start, 0, s.dump_size,
                        s.region.end - s.region.start, kPage};
        offset += s.dump_size;
        if (!emit(f, &load, sizeof load))
            return false;
    }
    for (uint32_t i = 0; i < notes.count; i++)
        if (!emit_note(f, notes.items[i]))
            return false;
    f.position = data_offset;
    auto *page = static_cast<uint8_t *>(allocate(kPage));
    bool whole = true;
    for (uint32_t i = 0; whole && i < count; i++)
        whole = dump_region(f, segments[i], page);
    release(page, kPage);
    return whole && finish(f);
}

// The notes of every thread, the dumping one first with the process's own.
void make_notes(Notes &notes, const CoreCause &cause, uint32_t stopped) {
    int32_t sig = cause.info.signo;
    add_thread_notes(notes, *dumper, cause.context, cause.syscall, sig, add_process_notes);
    for (uint32_t i = 0; i < stopped; i++)
        add_thread_notes(notes, *parked[i].thread, *parked[i].context, parked[i].syscall, sig,
                         nullptr);
    if (cause.context.xstate && cause.context.xstate_size > 512)
        add_xsave_layout(notes);
}

} // namespace

bool dump_core(const CoreCause &cause) {
    uint64_t limit = soft_limit(RLIMIT_CORE);
    if (limit < kPage || !claim_dump()) {
        if (dumper && dumper != &current_thread())
            park_for_core_dump(cause.context, cause.syscall); // another thread dumps
        return false;
    }
    int64_t mode = dumpable();
    Name name;
    if (mode != 1) {
        if (mode == 2) // suid_dumpable 2: only to an absolute path, as root
            report_unsupported("signal", "a core dump under suid_dumpable 2");
        return false;
    }
    uint32_t stopped = stop_other_threads();
    if (!core_name(cause.info.signo, name))
        return false;
    int64_t fd = open_core_file(name.text);
    if (fd < 0)
        return false;
    uint32_t count, capacity;
    Segment *segments = collect_segments(count, capacity);
    facts = {&cause.info, segments, count};
    auto *notes = create<Notes>();
    make_notes(*notes, cause, stopped);
    CoreFile file{fd, limit, 0, 0, 0, false};
    write_core(file, *notes, segments, count);
    call(sys_close, static_cast<uint64_t>(fd));
    destroy(notes);
    release(segments, sizeof(Segment) * capacity);
    return true; // dumped, even if cut at the limit (elf_core_dump's has_dumped)
}

bool core_dump_stops_thread() {
    Thread *d = __atomic_load_n(&dumper, __ATOMIC_ACQUIRE);
    return d && d != &current_thread() && current_thread().tid;
}

void park_for_core_dump(const bsc_cpu_context &context, int64_t syscall) {
    if (!core_dump_stops_thread())
        return;
    {
        SpinGuard guard(park_lock);
        uint32_t i = __atomic_load_n(&parked_count, __ATOMIC_RELAXED);
        parked[i] = {&context, syscall, &current_thread()};
        __atomic_store_n(&parked_count, i + 1, __ATOMIC_RELEASE);
    }
    uint32_t woken;
    abi().sync_wake(&parked_count, 1, &woken);
    static const uint32_t never = 0;
    for (;;) // until the process ends
        abi().sync_wait(&never, 0, BSC_WAIT_FOREVER);
}

} // namespace libos
