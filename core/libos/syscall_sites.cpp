// SPDX-License-Identifier: MIT
// Patched system call sites. A `syscall` preceded by one instruction of five bytes or
// more (glibc's `mov $NR, %eax`) is rewritten at its first trap, where the object's own
// unwind table proves where its function starts: the function is decoded from there, so
// the two are known to be instructions, and none of its jumps lands inside the one
// replaced. That instruction becomes a jump to the site's trampoline, which runs it and
// jumps to the host's system call entry as if the site's `syscall` had trapped: that
// instruction stays in place, for any jump that lands on it and for a restarted call (it
// traps), and the program goes on after it. Only the sites a program runs are decoded
// and written, so a short-lived process pays for a handful. Everything else stays on the
// trap path.
#include "syscall_sites.h"

#include <asm-generic/mman-common.h>
#include <elf.h>

#include "disassembler.h"
#include "exec.h"
#include "fork_locks.h"
#include "heap.h"
#include "memory.h"
#include "memory_map.h"
#include "spinlock.h"
#include "thread.h"

namespace libos {
namespace {

namespace elf = bsc::elf;

// A trampoline slot: the replaced instruction, `lea` of the site's own `syscall` into
// %r11, `jmp *entry`. The exception's context is then the trap's, rip past that
// `syscall`, where the program goes on (and a restarted call runs the `syscall` again,
// which traps).
constexpr uint64_t kSlot = 32;
constexpr uint64_t kSlots = 16;      // where the slots start: the entry's address comes first
constexpr uint64_t kJump = 5;        // e9 rel32
constexpr uint64_t kSyscall = 2;     // 0f 05
static_assert(15 + 7 + 6 <= kSlot); // the longest instruction, lea, jmp
constexpr uint64_t kMaxFunction = uint64_t{1} << 16; // longer ones stay on the trap path
// How far a rel32 jump reaches, with room for the trampoline area itself.
constexpr uint64_t kReach = (uint64_t{1} << 31) - (uint64_t{1} << 20);

struct Site {
    uint64_t address; // the replaced instruction; its `syscall` follows it
    uint8_t length;
    uint8_t original[15];
};

struct Area {
    uint64_t start, size;
};

// ---- the object's unwind table: where functions start ----------------------------------

// The sorted function starts of an object's .eh_frame_hdr search table, as addresses.
struct FunctionStarts {
    int32_t *entries = nullptr; // pairs (start, FDE), relative to `base`
    uint32_t count = 0;
    uint64_t base = 0; // the table's own address: entries are relative to it
    uint64_t bytes = 0;

    uint64_t start(uint32_t i) const { return base + static_cast<int64_t>(entries[2 * i]); }
    // The function that contains `address`: its start and the next one's (or `limit`).
    bool around(uint64_t address, uint64_t limit, uint64_t &from, uint64_t &to) const {
        uint32_t low = 0, high = count;
        while (low < high) { // the first entry after address
            uint32_t mid = (low + high) / 2;
            if (start(mid) <= address)
                low = mid + 1;
            else
                high = mid;
        }
        if (low == 0)
            return false;
        from = start(low - 1);
        to = low < count && start(low) < limit ? start(low) : limit;
        return true;
    }
    void clear() {
        if (entries)
            release(entries, bytes);
        entries = nullptr;
    }
};

// Code of an object mapped executable, whose sites are patched as they first trap: its
// function starts, and the trampoline area its sites' slots are taken from.
struct PatchableCode {
    uint64_t start, end;
    FunctionStarts functions;
    uint64_t area, slots_used; // the newest area, and how many of its slots are taken
    char name[48];             // for --verbose
};

// A site is rewritten once it has trapped this often: the decoder's first use and the
// writes cost what some fifty trapped calls do, which a site run a few times (most of a
// short-lived process's) never repays.
constexpr uint32_t kTrapsBeforePatch = 32;
constexpr uint32_t kPatched = ~0u, kRefused = ~0u - 1; // a TrappedSite's state once decided

struct TrappedSite {
    uint64_t syscall; // the address of its `syscall`
    uint32_t traps;   // how often it trapped, or kPatched, or kRefused (found unsafe)
};

struct State {
    bool trap_only = false;
    Spinlock lock;
    Site *sites = nullptr; // the sites patched
    uint32_t site_count = 0, site_capacity = 0;
    PatchableCode *codes = nullptr;
    uint32_t code_count = 0, code_capacity = 0;
    TrappedSite *trapped = nullptr; // the sites that trapped, and what became of them
    uint32_t trapped_count = 0, trapped_capacity = 0;
    Area *areas = nullptr; // trampoline areas, freed at exec
    uint32_t area_count = 0, area_capacity = 0;
};
State state;
LIBOS_FORK_LOCKS(syscall_sites, &state.lock, 1, 0);

constexpr uint8_t kUdata4 = 0x03, kDatarelSdata4 = 0x3b, kOmit = 0xff;

// Reads PT_GNU_EH_FRAME's search table of the object loaded with `bias`. Only the
// encodings linkers write (a datarel sdata4 table) are taken.
bool read_function_starts(bsc_handle file, const elf::Image &image, uint64_t bias,
                          FunctionStarts &out) {
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type != PT_GNU_EH_FRAME || seg.p_filesz < 12 || seg.p_filesz > (64u << 20))
            continue;
        uint8_t head[4];
        if (!read_exactly(file, seg.p_offset, head, sizeof head) || head[0] != 1 ||
            head[2] != kUdata4 || head[3] != kDatarelSdata4 || head[1] == kOmit)
            return false;
        uint64_t pointer_size = (head[1] & 0x0f) == 0x03 || (head[1] & 0x0f) == 0x0b ? 4 : 8;
        uint32_t count;
        if (!read_exactly(file, seg.p_offset + 4 + pointer_size, &count, sizeof count))
            return false;
        uint64_t table = 4 + pointer_size + 4;
        if (count == 0 || table + uint64_t{count} * 8 > seg.p_filesz)
            return false;
        out.bytes = uint64_t{count} * 8;
        out.entries = static_cast<int32_t *>(allocate(out.bytes));
        out.count = count;
        out.base = bias + seg.p_vaddr;
        return read_exactly(file, seg.p_offset + table, out.entries, out.bytes);
    }
    return false;
}

// ---- one function, decoded ---------------------------------------------------------------

// Which bytes of a function start an instruction, which a direct jump or call of its
// lands on, and which instructions are reached (from the start, a jump's target, or the
// instruction before when that one goes on to the next), one bit each: bytes no flow
// reaches (data, padding) are never taken for code.
struct DecodedFunction {
    uint64_t start = 0, size = 0;
    uint8_t *bits = nullptr; // the bitmaps, one after the other
    uint64_t bitmap_bytes = 0;

    enum Map { starts, targets, stops, reached, kMaps }; // stops: no flow to the next one
    bool test(Map map, uint64_t address) const {
        uint64_t i = address - start;
        return bits[map * bitmap_bytes + i / 8] >> (i % 8) & 1;
    }
    void set(Map map, uint64_t address) {
        uint64_t i = address - start;
        bits[map * bitmap_bytes + i / 8] |= uint8_t(1u << (i % 8));
    }
    void clear() {
        if (bits)
            release(bits, kMaps * bitmap_bytes);
        bits = nullptr;
    }
    ~DecodedFunction() { clear(); }

    // Decodes [from, to) instruction by instruction; false where bytes do not decode.
    bool decode_all(uint64_t from, uint64_t to) {
        clear();
        start = from, size = to - from;
        bitmap_bytes = size / 8 + 1;
        bits = static_cast<uint8_t *>(allocate(kMaps * bitmap_bytes));
        for (uint64_t at = from; at < to;) { // where instructions start, where jumps land
            Instruction in;
            if (!decode(at, reinterpret_cast<const uint8_t *>(at), to - at, in))
                return false;
            set(starts, at);
            if (!in.falls_through())
                set(stops, at);
            bool direct = in.kind == Instruction::Kind::conditional ||
                          in.kind == Instruction::Kind::jump || in.kind == Instruction::Kind::call;
            if (direct && in.target >= from && in.target < to)
                set(targets, in.target);
            at += in.length;
        }
        bool flows_on = true; // into the next instruction
        for (uint64_t at = from; at < to; at++) {
            if (!test(starts, at))
                continue;
            bool here = flows_on || test(targets, at);
            if (here)
                set(reached, at);
            flows_on = here && !test(stops, at);
        }
        return true;
    }
};

// The instruction the site at `syscall` can replace, if it is safe: the whole
// instruction just before it, reached, going on to the `syscall`, at least a jump long,
// neither control flow nor relative to rip, with no jump of its function landing inside
// it.
bool replaceable(const DecodedFunction &function, uint64_t syscall, uint64_t &at, uint8_t &length) {
    using Map = DecodedFunction::Map;
    if (!function.test(Map::starts, syscall))
        return false;
    uint64_t before = syscall;
    while (before > function.start && syscall - before < 15 && !function.test(Map::starts, --before)) {
    }
    if (!function.test(Map::starts, before) || !function.test(Map::reached, before) ||
        syscall - before < kJump)
        return false;
    for (uint64_t inside = before + 1; inside < syscall; inside++)
        if (function.test(Map::targets, inside))
            return false;
    Instruction in, call;
    if (!decode(before, reinterpret_cast<const uint8_t *>(before), syscall - before, in) ||
        in.length != syscall - before || in.kind != Instruction::Kind::other || in.rip_relative ||
        !decode(syscall, reinterpret_cast<const uint8_t *>(syscall), kSyscall, call) ||
        call.kind != Instruction::Kind::syscall)
        return false;
    at = before;
    length = in.length;
    return true;
}

// ---- rewriting -------------------------------------------------------------------------

int32_t displacement(uint64_t from_next, uint64_t to) { return static_cast<int32_t>(to - from_next); }

uint64_t distance(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

// Trampoline memory within a jump's reach of [low, high): just below the code, else
// just above it; 0 if neither is free.
uint64_t allocate_area(uint64_t low, uint64_t high, uint64_t size) {
    const uint64_t hints[] = {page_down(low) - size, page_up(high) + (uint64_t{64} << 20)};
    for (uint64_t hint : hints) {
        uint64_t at = hint;
        if (abi().vm_alloc(&at, size, BSC_PROT_READ | BSC_PROT_WRITE, 0) != BSC_OK)
            continue;
        if (distance(at, low) < kReach && distance(at + size, high) < kReach &&
            distance(at, high) < kReach && distance(at + size, low) < kReach)
            return at;
        abi().vm_free(at, size);
    }
    return 0;
}

void write_trampoline(uint8_t *slot, uint64_t entry_slot, const Site &site) {
    uint8_t *p = slot;
    memcpy(p, site.original, site.length);
    p += site.length;
    *p++ = 0x4c, *p++ = 0x8d, *p++ = 0x1d; // lea disp32(%rip), %r11: the site's syscall
    int32_t to_syscall = displacement(reinterpret_cast<uint64_t>(p) + 4, site.address + site.length);
    memcpy(p, &to_syscall, 4);
    p += 4;
    *p++ = 0xff, *p++ = 0x25; // jmp *disp32(%rip)
    int32_t to_entry = displacement(reinterpret_cast<uint64_t>(p) + 4, entry_slot);
    memcpy(p, &to_entry, 4);
}

static_assert(PROT_READ == BSC_PROT_READ && PROT_WRITE == BSC_PROT_WRITE &&
              PROT_EXEC == BSC_PROT_EXEC);

// Runs `write` with the pages of [start, end) (code of one mapping) writable, then
// gives them the protection the program's memory map says they have. They stay
// executable meanwhile: another thread may be running code in them.
template <class Write> bool with_writable(uint64_t start, uint64_t end, Write write) {
    uint64_t from = page_down(start), to = page_up(end);
    Region region;
    uint32_t prot = map_find(start, region) ? region.prot : BSC_PROT_READ | BSC_PROT_EXEC;
    if (abi().vm_protect(from, to - from, prot | BSC_PROT_READ | BSC_PROT_WRITE) != BSC_OK)
        return false;
    write();
    abi().vm_protect(from, to - from, prot);
    return true;
}

constexpr uint64_t kAreaSize = 4096;
constexpr uint64_t kAreaSlots = (kAreaSize - kSlots) / kSlot;

// A free trampoline slot for a site of `code`: in its area, else in a fresh one within a
// jump's reach of the whole code; 0 if none can be had.
uint64_t take_slot(PatchableCode &code) {
    if (!code.area || code.slots_used == kAreaSlots) {
        uint64_t area = allocate_area(code.start, code.end, kAreaSize);
        if (!area)
            return 0;
        *reinterpret_cast<uint64_t *>(area) = start_info().syscall_entry;
        abi().vm_protect(area, kAreaSize, BSC_PROT_READ | BSC_PROT_EXEC);
        make_room(state.areas, state.area_count, state.area_capacity, 1);
        state.areas[state.area_count++] = {area, kAreaSize};
        code.area = area, code.slots_used = 0;
    }
    return code.area + kSlots + code.slots_used++ * kSlot;
}

// Whether the jump over `site` can be written while other threads may run it: in one
// aligned 8-byte store, which a thread running there sees whole or not at all.
bool one_store(const Site &site) { return site.address % 8 + kJump <= 8; }

// Writes the trampoline of `site` into `slot`, then the jump to it over the replaced
// instruction (whose other bytes stay: nothing runs them once the jump is there).
bool rewrite(const Site &site, uint64_t slot) {
    if (!with_writable(slot, slot + kSlot, [&] {
            write_trampoline(reinterpret_cast<uint8_t *>(slot), page_down(slot), site);
        }))
        return false;
    uint8_t jump[kJump] = {0xe9};
    int32_t to_slot = displacement(site.address + kJump, slot);
    memcpy(jump + 1, &to_slot, 4);
    return with_writable(site.address, site.address + kJump, [&] {
        if (!one_store(site)) {
            memcpy(reinterpret_cast<void *>(site.address), jump, kJump);
            return;
        }
        auto *word = reinterpret_cast<uint64_t *>(site.address & ~uint64_t{7});
        uint64_t value = *word;
        memcpy(reinterpret_cast<uint8_t *>(&value) + site.address % 8, jump, kJump);
        __atomic_store_n(word, value, __ATOMIC_RELEASE);
    });
}

// The site whose `syscall` is at `syscall` in `code`, if it is safe to rewrite.
bool find_site(const PatchableCode &code, uint64_t syscall, Site &site) {
    uint64_t from, to;
    if (!code.functions.around(syscall, code.end, from, to) || from < code.start ||
        to - from > kMaxFunction)
        return false;
    DecodedFunction function;
    if (!function.decode_all(from, to) || !function.test(DecodedFunction::starts, syscall) ||
        !function.test(DecodedFunction::reached, syscall) ||
        !replaceable(function, syscall, site.address, site.length))
        return false;
    memcpy(site.original, reinterpret_cast<const void *>(site.address), site.length);
    return true;
}

PatchableCode *code_of(uint64_t address) {
    for (uint32_t i = 0; i < state.code_count; i++)
        if (address >= state.codes[i].start && address < state.codes[i].end)
            return &state.codes[i];
    return nullptr;
}

// The record of the site whose `syscall` is at `syscall`, made if it has none.
TrappedSite &trapped_site(uint64_t syscall) {
    for (uint32_t i = 0; i < state.trapped_count; i++)
        if (state.trapped[i].syscall == syscall)
            return state.trapped[i];
    make_room(state.trapped, state.trapped_count, state.trapped_capacity, 1);
    state.trapped[state.trapped_count] = {syscall, 0};
    return state.trapped[state.trapped_count++];
}

bool overlaps(uint64_t from, uint64_t to, uint64_t start, uint64_t end) {
    return from < end && to > start;
}

bool known_code(uint64_t start, uint64_t end) {
    SpinGuard guard(state.lock);
    for (uint32_t i = 0; i < state.code_count; i++)
        if (overlaps(state.codes[i].start, state.codes[i].end, start, end))
            return true;
    return false;
}

// --verbose, as `code` goes (unmapped, replaced by exec, at exit): what became of the
// sites of it that ran.
void report(const PatchableCode &code) {
    if (!verbose())
        return;
    uint32_t ran = 0, patched = 0, refused = 0;
    for (uint32_t i = 0; i < state.trapped_count; i++) {
        const TrappedSite &site = state.trapped[i];
        if (site.syscall < code.start || site.syscall >= code.end)
            continue;
        ran++;
        patched += site.traps == kPatched;
        refused += site.traps == kRefused;
    }
    if (ran)
        log("%s: %u system call sites ran: %u patched, %u on the trap path (%u found unsafe)",
            code.name, ran, patched, ran - patched, refused);
}

// Gives the sites in [start, end) their own bytes back (if `restore`) and unlists them,
// with the code there and the record of its trapped sites.
void drop_sites(uint64_t start, uint64_t end, bool restore) {
    SpinGuard guard(state.lock);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < state.site_count; i++) {
        Site &site = state.sites[i];
        if (!overlaps(site.address, site.address + site.length, start, end)) {
            state.sites[kept++] = site;
            continue;
        }
        if (restore) {
            with_writable(site.address, site.address + kJump, [&] {
                memcpy(reinterpret_cast<void *>(site.address), site.original, kJump);
            });
        }
    }
    state.site_count = kept;
    kept = 0;
    for (uint32_t i = 0; i < state.code_count; i++) {
        PatchableCode &code = state.codes[i];
        if (overlaps(code.start, code.end, start, end)) {
            report(code);
            code.functions.clear();
        } else {
            state.codes[kept++] = code;
        }
    }
    state.code_count = kept;
    kept = 0;
    for (uint32_t i = 0; i < state.trapped_count; i++)
        if (state.trapped[i].syscall < start || state.trapped[i].syscall >= end)
            state.trapped[kept++] = state.trapped[i];
    state.trapped_count = kept;
}

// The name --verbose gives an object: its file name's last component.
void copy_base_name(char (&out)[48], const char *path) {
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    freestanding::copy_string(out, sizeof out, base);
}

} // namespace

void set_syscall_path_trap() { state.trap_only = true; }

void note_mapped_code(bsc_handle file, const char *name, uint64_t start, uint64_t end,
                      uint64_t offset) {
    if (state.trap_only || !start_info().syscall_entry || known_code(start, end))
        return; // or made executable again: known already
    elf::Image image;
    const Elf64_Phdr *segment = nullptr;
    if (elf::parse(elf_reader(&file), image) == 0)
        for (unsigned i = 0; i < image.segment_count; i++) {
            const Elf64_Phdr &seg = image.segments[i];
            if (seg.p_type == PT_LOAD && (seg.p_flags & PF_X) && offset >= seg.p_offset &&
                offset < seg.p_offset + seg.p_filesz)
                segment = &seg;
        }
    uint64_t bias = segment ? start - (segment->p_vaddr + (offset - segment->p_offset)) : 0;
    PatchableCode code{};
    if (!segment || !read_function_starts(file, image, bias, code.functions)) {
        if (verbose())
            log("%s: no unwind search table: its system calls stay on the trap path", name);
        return;
    }
    uint64_t file_end = bias + segment->p_vaddr + segment->p_filesz;
    code.start = start;
    code.end = end < file_end ? end : file_end;
    copy_base_name(code.name, name);
    SpinGuard guard(state.lock);
    make_room(state.codes, state.code_count, state.code_capacity, 1);
    state.codes[state.code_count++] = code;
}

void patch_trapped_site(uint64_t syscall, uint64_t fs) {
    if (state.trap_only || state.code_count == 0)
        return;
    bool alone = thread_count() <= 1;
    SpinGuard guard(state.lock);
    PatchableCode *code = code_of(syscall);
    if (!code)
        return;
    TrappedSite &record = trapped_site(syscall);
    if (record.traps >= kRefused || ++record.traps < kTrapsBeforePatch)
        return;
    Site site{};
    bool safe = false;
    if (begin_decoding()) {
        safe = find_site(*code, syscall, site) && (alone || one_store(site));
        end_decoding(fs);
    }
    uint64_t slot = safe ? take_slot(*code) : 0;
    bool patched = slot && rewrite(site, slot);
    if (patched) {
        make_room(state.sites, state.site_count, state.site_capacity, 1);
        state.sites[state.site_count++] = site;
    }
    record.traps = patched ? kPatched : kRefused;
    if (verbose())
        log("%s: the system call site at +0x%lx %s", code->name, syscall - code->start,
            patched ? "is patched" : "stays on the trap path");
}

void report_syscall_sites() {
    SpinGuard guard(state.lock);
    for (uint32_t i = 0; i < state.code_count; i++)
        report(state.codes[i]);
}

void unpatch_sites(uint64_t start, uint64_t end) { drop_sites(start, end, true); }

void forget_sites(uint64_t start, uint64_t end) { drop_sites(start, end, false); }

void forget_all_sites() {
    SpinGuard guard(state.lock);
    for (uint32_t i = 0; i < state.area_count; i++)
        abi().vm_free(state.areas[i].start, state.areas[i].size);
    for (uint32_t i = 0; i < state.code_count; i++) {
        report(state.codes[i]);
        state.codes[i].functions.clear();
    }
    state.area_count = state.site_count = state.code_count = state.trapped_count = 0;
}

} // namespace libos
