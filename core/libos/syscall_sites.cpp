// SPDX-License-Identifier: MIT
// Patched system call sites. A `syscall` preceded by one instruction of five bytes or
// more (glibc's `mov $NR, %eax`) is rewritten where the object's own unwind table proves
// where its function starts: the function is decoded from there, so the two are known
// to be instructions, and none of its jumps lands inside the one replaced. That
// instruction becomes a jump to the site's trampoline, which runs it and jumps to the
// host's system call entry as if the site's `syscall` had trapped: that instruction stays
// in place, for any jump that lands on it and for a restarted call (it traps), and the
// program goes on after it. Everything else stays on the trap path.
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

struct State {
    bool trap_only = false;
    Spinlock lock;
    Site *sites = nullptr;
    uint32_t site_count = 0, site_capacity = 0;
    Area *areas = nullptr; // trampoline areas, freed at exec
    uint32_t area_count = 0, area_capacity = 0;
};
State state;
LIBOS_FORK_LOCKS(syscall_sites, &state.lock, 1, 0);

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
    ~FunctionStarts() {
        if (entries)
            release(entries, bytes);
    }
};

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

// Rewrites `count` sites (found in [low, high), their original bytes in `sites`) into
// jumps to fresh trampolines, and lists them; how many it rewrote.
uint32_t rewrite(Site *sites, uint32_t count, uint64_t low, uint64_t high) {
    uint64_t size = page_up(kSlots + count * kSlot);
    uint64_t area = allocate_area(low, high, size);
    if (!area)
        return 0;
    *reinterpret_cast<uint64_t *>(area) = start_info().syscall_entry;
    for (uint32_t i = 0; i < count; i++)
        write_trampoline(reinterpret_cast<uint8_t *>(area + kSlots + i * kSlot), area, sites[i]);
    abi().vm_protect(area, size, BSC_PROT_READ | BSC_PROT_EXEC);
    bool written = with_writable(low, high, [&] {
        for (uint32_t i = 0; i < count; i++) {
            auto *code = reinterpret_cast<uint8_t *>(sites[i].address);
            code[0] = 0xe9;
            int32_t jump = displacement(sites[i].address + kJump, area + kSlots + i * kSlot);
            memcpy(code + 1, &jump, 4);
            memset(code + kJump, 0xcc, sites[i].length - kJump); // never run: the jump skips it
        }
    });
    if (!written) {
        abi().vm_free(area, size);
        return 0;
    }
    make_room(state.areas, state.area_count, state.area_capacity, 1);
    state.areas[state.area_count++] = {area, size};
    make_room(state.sites, state.site_count, state.site_capacity, count);
    memcpy(state.sites + state.site_count, sites, count * sizeof *sites);
    state.site_count += count;
    return count;
}

// Where the next bytes `0f 05` start in [at, end), or end: eight bytes at a time, those
// with no 0x0f skipped whole.
uint64_t next_pair(uint64_t at, uint64_t end) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    for (; at + kSyscall <= end; at++) {
        if (at % 8 == 0)
            while (at + 8 + kSyscall <= end) {
                uint64_t word;
                __builtin_memcpy(&word, reinterpret_cast<const void *>(at), 8);
                uint64_t x = word ^ (0x0f * kOnes); // a zero byte where 0x0f was
                if ((x - kOnes) & ~x & kHighs)
                    break;
                at += 8;
            }
        const auto *code = reinterpret_cast<const uint8_t *>(at);
        if (code[0] == 0x0f && code[1] == 0x05)
            return at;
    }
    return end;
}

uint32_t count_pairs(uint64_t start, uint64_t end) {
    uint32_t pairs = 0;
    for (uint64_t at = next_pair(start, end); at < end; at = next_pair(at + 1, end))
        pairs++;
    return pairs;
}

// The sites of [start, end) (code of a function table `functions`) that can be
// rewritten, into `out` (room for as many as the range has `syscall` byte pairs).
uint32_t find_sites(uint64_t start, uint64_t end, const FunctionStarts &functions,
                    Site *out, uint32_t &found) {
    uint32_t count = 0;
    found = 0;
    DecodedFunction function;
    bool decoded = false;
    for (uint64_t at = next_pair(start, end); at < end; at = next_pair(at + 1, end)) {
        uint64_t from, to;
        if (!functions.around(at, end, from, to) || from < start || to - from > kMaxFunction)
            continue;
        if (function.start != from || !function.bits)
            decoded = function.decode_all(from, to);
        if (!decoded || !function.test(DecodedFunction::starts, at) ||
            !function.test(DecodedFunction::reached, at))
            continue;
        found++;
        Site site{};
        if (!replaceable(function, at, site.address, site.length))
            continue;
        memcpy(site.original, reinterpret_cast<const void *>(site.address), site.length);
        out[count++] = site;
    }
    return count;
}

// Gives the sites in [start, end) their own bytes back (if `restore`) and unlists them.
void drop_sites(uint64_t start, uint64_t end, bool restore) {
    SpinGuard guard(state.lock);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < state.site_count; i++) {
        Site &site = state.sites[i];
        if (site.address + site.length <= start || site.address >= end) {
            state.sites[kept++] = site;
            continue;
        }
        if (restore) {
            with_writable(site.address, site.address + site.length, [&] {
                memcpy(reinterpret_cast<void *>(site.address), site.original, site.length);
            });
        }
    }
    state.site_count = kept;
}

} // namespace

void set_syscall_path_trap() { state.trap_only = true; }

void patch_mapped_code(bsc_handle file, const char *name, uint64_t start, uint64_t end,
                       uint64_t offset, uint64_t fs) {
    if (state.trap_only || !start_info().syscall_entry)
        return;
    uint32_t pairs = count_pairs(start, end);
    if (pairs == 0)
        return;
    elf::Image image;
    FunctionStarts functions;
    const Elf64_Phdr *code = nullptr;
    if (elf::parse(elf_reader(&file), image) == 0)
        for (unsigned i = 0; i < image.segment_count; i++) {
            const Elf64_Phdr &seg = image.segments[i];
            if (seg.p_type == PT_LOAD && (seg.p_flags & PF_X) && offset >= seg.p_offset &&
                offset < seg.p_offset + seg.p_filesz)
                code = &seg;
        }
    uint64_t bias = code ? start - (code->p_vaddr + (offset - code->p_offset)) : 0;
    uint32_t found = 0, patched = 0;
    if (code && read_function_starts(file, image, bias, functions)) {
        end = end < bias + code->p_vaddr + code->p_filesz ? end : bias + code->p_vaddr + code->p_filesz;
        auto *sites = static_cast<Site *>(allocate(pairs * sizeof(Site)));
        SpinGuard guard(state.lock);
        if (begin_decoding()) {
            uint32_t count = find_sites(start, end, functions, sites, found);
            if (count)
                patched = rewrite(sites, count, sites[0].address, sites[count - 1].address + kJump);
            end_decoding(fs);
        }
        release(sites, pairs * sizeof(Site));
    }
    if (verbose())
        log("%s: %u system call sites, %u patched, %u left to the trap path (%u more 0f 05 "
            "byte pairs are not instructions that run)",
            name, found, patched, found - patched, pairs - found);
}

void unpatch_sites(uint64_t start, uint64_t end) { drop_sites(start, end, true); }

void forget_sites(uint64_t start, uint64_t end) { drop_sites(start, end, false); }

void forget_all_sites() {
    SpinGuard guard(state.lock);
    for (uint32_t i = 0; i < state.area_count; i++)
        abi().vm_free(state.areas[i].start, state.areas[i].size);
    state.area_count = 0;
    state.site_count = 0;
}

} // namespace libos
