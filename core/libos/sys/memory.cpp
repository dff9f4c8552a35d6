// SPDX-License-Identifier: MIT
// Memory system calls: mmap, munmap, mprotect, mremap, brk, madvise, msync. Each keeps the
// program's memory map (memory_map.h) in step with what it asks of the ABI.
#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm-generic/mman.h>
#include <linux/mman.h>
#include <linux/personality.h>
#include <linux/resource.h>

#include <asm-generic/fcntl.h>

#include "exec.h"
#include "fd_table.h"
#include "fork_locks.h"
#include "host_status.h"
#include "libos_files.h"
#include "memory.h"
#include "memory_map.h"
#include "personality.h"
#include "process_state.h"
#include "procfs.h"
#include "syscall_sites.h"
#include "paths.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kTaskSize = 0x7ffffffff000; // the end of the user address space

// The break may grow this far; the range is reserved up front so nothing else lands in it.
constexpr uint64_t kBrkReserve = 1ull << 30;
constexpr uint64_t kAccessBits = PROT_READ | PROT_WRITE | PROT_EXEC;

uint64_t brk_start, brk_current, brk_mapped;
uint64_t brk_gap; // the reserved pages before brk_start (brk_offset)
Spinlock brk_lock;
LIBOS_FORK_LOCK(brk_lock);

// Linux's may_expand_vm: whether `bytes` more of a mapping fit RLIMIT_AS (every mapping of
// the program, its total_vm) and, for a data mapping, RLIMIT_DATA (its data_vm); a soft
// RLIMIT_DATA of 0 lets data up to the hard limit through, the kernel's work-around for
// Valgrind.
bool may_expand_vm(uint64_t bytes, bool data) {
    constexpr uint64_t kUnlimited = ~uint64_t{0};
    // A limit's bytes in use are counted by walking the map: only for a finite limit, so
    // that mmap and brk pay nothing under the default ones.
    auto over = [bytes](uint64_t (*in_use)(uint64_t, uint64_t), uint64_t limit) {
        return limit != kUnlimited && in_use(0, kTaskSize) / kPage + bytes / kPage > limit / kPage;
    };
    if (over(map_mapped_bytes, soft_limit(RLIMIT_AS)))
        return false;
    if (!data || !over(map_data_bytes, soft_limit(RLIMIT_DATA)))
        return true;
    return soft_limit(RLIMIT_DATA) == 0 && !over(map_data_bytes, hard_limit(RLIMIT_DATA));
}

uint32_t protection(uint64_t prot) {
    return (prot & PROT_READ ? BSC_PROT_READ : 0) | (prot & PROT_WRITE ? BSC_PROT_WRITE : 0) |
           (prot & PROT_EXEC ? BSC_PROT_EXEC : 0);
}

// The end of [addr, addr + length) in whole pages; 0 if it wraps around.
uint64_t range_end(uint64_t addr, uint64_t length) {
    uint64_t end = addr + page_up(length);
    return end > addr ? end : 0;
}

void give_back(uint64_t start, uint64_t end) { abi().vm_free(start, end - start); }

// The name an open file's mappings show, made at its first mmap and kept with it.
MappedFile *mapped_name(OpenFile &file) {
    if (file.mapped || !file.path)
        return file.mapped;
    MappedFile *made = mapped_file(file.path, file.handle);
    MappedFile *none = nullptr;
    if (made && !__atomic_compare_exchange_n(&file.mapped, &none, made, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
        mapped_file_release(made); // another thread named it first
    return file.mapped;
}

// Maps `size` bytes of a file for mmap at `at` (placed as map_flags say); names `region`.
bsc_status map_file(OpenFile &file, uint64_t &at, uint64_t size, uint32_t map_flags,
                    Region &region) {
    if (is_libos_file(file) || is_namespace_file(file)) // nsfs has no mmap either
        return BSC_E_NOT_SUPPORTED;
    bsc_status status =
        abi().stream_map(file.handle, &at, region.offset, size, protection(region.prot),
                         map_flags | (region.shared ? BSC_MAP_SHARED : 0));
    if (status == BSC_OK)
        region.file = mapped_name(file);
    return status;
}

int64_t mmap_errno(bsc_status status) {
    switch (status) {
    case BSC_E_EXISTS: return -EEXIST;
    case BSC_E_BAD_HANDLE: return -EBADF;
    case BSC_E_NOT_SUPPORTED: return -ENODEV;
    default: return result_of(status);
    }
}

} // namespace

namespace {

// How far after the program the break starts: as Linux's arch_randomize_brk places it
// when the process's memory is randomized (the host's randomize_va_space 2, and no
// ADDR_NO_RANDOMIZE personality), a random number of pages into the gigabyte after it;
// else right after it. The gap also keeps the program's last segment and the break two
// mappings of the host's, whose counts /proc/PID/smaps shows apart.
uint64_t brk_offset() {
    constexpr uint64_t kRandomRange = 1ull << 30; // x86-64's SZ_1G
    if (current_personality() & ADDR_NO_RANDOMIZE)
        return 0;
    char setting[8];
    host_kernel_setting("randomize_va_space", setting, sizeof setting, "2");
    if (setting[0] != '2')
        return 0;
    uint64_t random = 0;
    abi().random_read(&random, sizeof random);
    return random % (kRandomRange / kPage) * kPage;
}

} // namespace

void initialise_brk(uint64_t program_end) {
    uint64_t reserve = page_up(program_end), offset = brk_offset();
    // Keep the whole range: FIXED_NOREPLACE fails only if something is already there.
    if (abi().vm_alloc(&reserve, offset + kBrkReserve, BSC_PROT_NONE, BSC_MAP_FIXED_NOREPLACE) !=
        BSC_OK)
        reserve = 0, offset = 0; // no break: glibc falls back to mmap
    brk_start = brk_current = brk_mapped = reserve + offset;
    brk_gap = offset;
}

namespace {

// The stack's reserve: the kernel keeps at least 128 MiB (mmap_base's MIN_GAP) below the
// stack free for it to grow into, RLIMIT_STACK's soft limit if that is more; here at most
// 8 GiB, beyond which a raised RLIMIT_STACK does not let the stack grow.
constexpr uint64_t kStackReserveMin = uint64_t{128} << 20, kStackReserveMax = uint64_t{8} << 30;
constexpr uint64_t kStackExpand = 128 << 10; // setup_arg_pages's stack_expand

// [stack_reserve, stack_top) is kept for the stack; [stack_low, stack_top) is mapped.
uint64_t stack_reserve, stack_low, stack_top;
Spinlock stack_lock;
LIBOS_FORK_LOCK(stack_lock);

uint64_t clamp(uint64_t v, uint64_t low, uint64_t high) { return v < low ? low : v > high ? high : v; }

Region stack_region(uint64_t start, uint64_t end) {
    Region r{start, end, 0, nullptr, PROT_READ | PROT_WRITE, false, RegionName::stack};
    r.grows_down = true;
    return r;
}

} // namespace

uint64_t map_initial_stack(uint64_t initial) {
    uint64_t reserve = clamp(page_up(soft_limit(RLIMIT_STACK)), kStackReserveMin, kStackReserveMax);
    uint64_t size = page_up(initial) + kStackExpand;
    uint64_t limit = page_down(soft_limit(RLIMIT_STACK));
    size = size > limit && limit >= page_up(initial) ? limit : size;
    uint64_t base = 0;
    if (abi().vm_alloc(&base, reserve, BSC_PROT_NONE, BSC_MAP_NORESERVE) != BSC_OK ||
        abi().vm_protect(base + reserve - size, size, BSC_PROT_READ | BSC_PROT_WRITE) != BSC_OK)
        panic("cannot allocate the program's stack");
    SpinGuard guard(stack_lock);
    stack_reserve = base;
    stack_top = base + reserve;
    stack_low = stack_top - size;
    map_add(stack_region(stack_low, stack_top));
    return stack_top;
}

// Maps [start, end) below the stack: in its reserve, or, where the reserve is gone (a
// restored process has only what its image held), in free address space.
bool map_stack_pages(uint64_t start, uint64_t end) {
    constexpr uint32_t kReadWrite = BSC_PROT_READ | BSC_PROT_WRITE;
    uint64_t at = start;
    return abi().vm_protect(start, end - start, kReadWrite) == BSC_OK ||
           abi().vm_alloc(&at, end - start, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_OK;
}

// The kernel's expand_stack and acct_stack_growth: the stack reaches down to the faulting
// page if nothing is mapped there (nor in the guard gap the reserve's lowest page stands
// for), its new size is within RLIMIT_STACK and the growth within RLIMIT_AS. A program that
// moved or unmapped the top of its stack has none to grow.
StackFault grow_stack(uint64_t address) {
    SpinGuard guard(stack_lock);
    uint64_t start = page_down(address);
    if (address >= stack_low || address < stack_reserve)
        return StackFault::elsewhere;
    Region stack;
    if (start == stack_reserve || !map_find(stack_low, stack) || stack.name != RegionName::stack ||
        stack.end != stack_top || stack_top - start > soft_limit(RLIMIT_STACK) ||
        map_intersects(start, stack_low) || !may_expand_vm(stack_low - start, false) ||
        !map_stack_pages(start, stack_low))
        return StackFault::refused;
    Region grown = stack_region(start, stack_low);
    grown.locked = stack.locked;
    grown.lock_on_fault = stack.lock_on_fault;
    map_add(grown);
    lock_new_memory(start, stack_low, LockMode{stack.locked, stack.lock_on_fault});
    stack_low = start;
    return StackFault::grown;
}

void prepare_child_memory() {
    map_prepare_child([](uint64_t start, uint64_t end) { abi().vm_reset(start, end - start); },
                      give_back);
    forget_future_lock();
}

void release_program_memory() {
    forget_future_lock(); // the new program's memory is not mlockall's
    map_remove(0, kTaskSize, give_back); // the break's and the stack's used parts among the rest
    {
        SpinGuard guard(stack_lock);
        if (stack_reserve && stack_low > stack_reserve)
            abi().vm_free(stack_reserve, stack_low - stack_reserve);
        stack_reserve = stack_low = stack_top = 0;
    }
    SpinGuard guard(brk_lock);
    if (brk_start && brk_start + kBrkReserve > brk_mapped)
        abi().vm_free(brk_mapped, brk_start + kBrkReserve - brk_mapped);
    if (brk_start && brk_gap)
        abi().vm_free(brk_start - brk_gap, brk_gap);
    brk_start = brk_current = brk_mapped = brk_gap = 0;
}

int64_t sys_brk(Syscall &call) {
    uint64_t wanted = call.arg[0];
    SpinGuard guard(brk_lock);
    if (brk_start == 0 || wanted < brk_start || wanted > brk_start + kBrkReserve)
        return static_cast<int64_t>(brk_current);
    uint64_t needed = page_up(wanted);
    if (needed > brk_mapped) {
        // Linux refuses to grow the break over a mapping (MAP_FIXED into the reserve),
        // past RLIMIT_MEMLOCK after mlockall(MCL_FUTURE) (check_brk_limits), or past
        // RLIMIT_AS or RLIMIT_DATA (do_brk_flags).
        LockMode lock = new_mapping_lock(false);
        if (map_intersects(brk_mapped, needed) ||
            (lock.locked && !may_lock_more(needed - brk_mapped)) ||
            !may_expand_vm(needed - brk_mapped, true) ||
            abi().vm_protect(brk_mapped, needed - brk_mapped, BSC_PROT_READ | BSC_PROT_WRITE) !=
                BSC_OK)
            return static_cast<int64_t>(brk_current);
        Region grown{brk_mapped, needed, 0, nullptr, PROT_READ | PROT_WRITE, false, RegionName::heap};
        grown.locked = lock.locked;
        grown.lock_on_fault = lock.on_fault;
        map_add(grown);
        lock_new_memory(brk_mapped, needed, lock);
    }
    if (needed < brk_mapped) {
        // Shrinking gives the pages back: they read as zero if the break grows again.
        abi().vm_reset(needed, brk_mapped - needed);
        abi().vm_protect(needed, brk_mapped - needed, BSC_PROT_NONE);
        map_remove(needed, brk_mapped, [](uint64_t, uint64_t) {}); // the reserve keeps them
    }
    brk_mapped = needed;
    brk_current = wanted;
    return static_cast<int64_t>(brk_current);
}

namespace {

// The flags MAP_SHARED_VALIDATE accepts (the kernel's LEGACY_MAP_MASK): others are
// EOPNOTSUPP, as no file here supports MAP_SYNC.
constexpr uint64_t kValidatedFlags = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |
                                     MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
                                     MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |
                                     MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;
// The end of the user address space (the kernel's TASK_SIZE on x86-64).

// The kernel's checks of the mapping type against the flags and the file: 0 or -errno.
int64_t check_map_type(uint64_t flags, uint64_t prot, const OpenFile *file) {
    uint64_t type = flags & MAP_TYPE;
    constexpr uint64_t kMapDroppable = 0x08; // Linux 6.11: memory the kernel may drop
    if (!file && type == kMapDroppable) {
        // The host would have to drop the pages under memory pressure for the guest: the
        // answer of a kernel before 6.11, named.
        report_unsupported("mmap", "MAP_DROPPABLE");
        return -EINVAL;
    }
    if (!file) // anonymous memory: no MAP_SHARED_VALIDATE, no shared memory growing down
        return type == MAP_PRIVATE || (type == MAP_SHARED && !(flags & MAP_GROWSDOWN)) ? 0
                                                                                      : -EINVAL;
    if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (type == MAP_SHARED_VALIDATE && (flags & ~kValidatedFlags))
        return -EOPNOTSUPP;
    uint32_t access = file->flags & O_ACCMODE;
    if (type != MAP_PRIVATE && (prot & PROT_WRITE) && access == O_RDONLY)
        return -EACCES;
    if (access == O_WRONLY)
        return -EACCES;
    if (file->type == BSC_TYPE_DIRECTORY || file->type == BSC_TYPE_PIPE ||
        file->type == BSC_TYPE_SOCKET || file->type == BSC_TYPE_TTY)
        return -ENODEV; // nothing to map (the kernel: no f_op->mmap)
    return flags & MAP_GROWSDOWN ? -EINVAL : 0;
}

} // namespace

int64_t sys_mmap(Syscall &call) {
    uint64_t addr = call.arg[0], length = call.arg[1], prot = call.arg[2], flags = call.arg[3];
    uint64_t offset = call.arg[5];
    bool anonymous = flags & MAP_ANONYMOUS;
    if (offset % kPage)
        return -EINVAL;
    FileRef file(anonymous ? -1 : static_cast<int>(call.arg[4]));
    if (!anonymous && (!file || (file->flags & O_PATH))) // fget refuses an O_PATH one
        return -EBADF;
    if (!anonymous && (flags & MAP_HUGETLB)) // no file here is on hugetlbfs
        return -EINVAL;
    if (length == 0)
        return -EINVAL;
    uint64_t asked = prot;
    prot = implied_protection(prot);
    if (range_end(0, length) == 0)
        return -ENOMEM;
    if (flags & MAP_HUGETLB) {
        // Huge pages come from a pool the host reserves; answered as with none reserved,
        // which is the kernel's default.
        report_unsupported("mmap", "MAP_HUGETLB");
        return -ENOMEM;
    }
    if (!anonymous && (offset >> 12) + (page_up(length) >> 12) < (offset >> 12))
        return -EOVERFLOW;
    if (addr % kPage && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
        return -EINVAL;
    // do_mmap's lock checks: MAP_LOCKED needs can_do_mlock; a locked mapping (MAP_LOCKED
    // or mlockall(MCL_FUTURE)) must fit in RLIMIT_MEMLOCK.
    LockMode lock = new_mapping_lock(flags & MAP_LOCKED);
    if ((flags & MAP_LOCKED) && !may_map_locked())
        return -EPERM;
    if (lock.locked && !may_lock_more(page_up(length)))
        return -EAGAIN;
    if (int64_t error = check_map_type(flags, prot, file.get()))
        return error;
    uint32_t map_flags = flags & MAP_FIXED_NOREPLACE ? BSC_MAP_FIXED_NOREPLACE
                         : flags & MAP_FIXED         ? BSC_MAP_FIXED
                                                     : 0;
    if (flags & MAP_NORESERVE)
        map_flags |= BSC_MAP_NORESERVE;
    uint64_t at = page_down(addr), size = page_up(length);
    bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
    Region region{0, 0, anonymous ? 0 : offset, nullptr, static_cast<uint32_t>(prot & kAccessBits),
                  shared, RegionName::none};
    region.grows_down = flags & MAP_GROWSDOWN;
    region.may_write = shared && (anonymous || (file->flags & O_ACCMODE) == O_RDWR);
    region.locked = lock.locked;
    region.lock_on_fault = lock.on_fault;
    // mmap_region's limits: a MAP_FIXED mapping replaces what it covers, which counts.
    bool data = is_data_mapping(region);
    if (!may_expand_vm(size, data) &&
        !((flags & MAP_FIXED) &&
          may_expand_vm(size - map_mapped_bytes(at, at + size), data)))
        return -ENOMEM;
    // Shared anonymous memory stays shared with the processes the program forks.
    bsc_status status =
        anonymous ? abi().vm_alloc(&at, size, protection(prot), map_flags | (shared ? BSC_MAP_SHARED : 0))
                  : map_file(*file.get(), at, size, map_flags, region);
    if (status == BSC_E_NOT_PERMITTED && prot != asked && !anonymous) {
        // READ_IMPLIES_EXEC adds nothing to a file on a noexec mount (path_noexec), which
        // the host refuses PROT_EXEC for.
        region.prot = static_cast<uint32_t>(asked & kAccessBits);
        status = map_file(*file.get(), at, size, map_flags, region);
    }
    if (status != BSC_OK)
        return mmap_errno(status);
    region.start = at;
    region.end = at + size;
    forget_sites(at, at + size); // whatever was mapped there is gone
    map_add(region);
    lock_new_memory(at, at + size, lock);
    if (!anonymous && !shared && (prot & PROT_READ) && (prot & PROT_EXEC) && !(prot & PROT_WRITE))
        note_mapped_code(file->handle, region.file ? region.file->path : "code", at, at + size,
                         offset);
    return static_cast<int64_t>(at);
}

// The host may be unable to cut a mapping in two (vm.max_map_count reached: Linux's ENOMEM
// for a munmap that would split a VMA past it); the map keeps what is still mapped.
int64_t unmap_memory(uint64_t start, uint64_t end) {
    forget_sites(start, end);
    auto give_back_or_fail = [](uint64_t from, uint64_t stop) {
        return abi().vm_free(from, stop - from) != BSC_E_NO_MEMORY;
    };
    // Unmapping nothing is fine.
    return map_release(start, end, give_back_or_fail) == end ? 0 : -ENOMEM;
}

int64_t sys_munmap(Syscall &call) {
    uint64_t end = range_end(call.arg[0], call.arg[1]);
    if (call.arg[0] % kPage || call.arg[1] == 0 || end == 0 || end > kTaskSize)
        return -EINVAL;
    return unmap_memory(call.arg[0], end);
}

namespace {

// Whether a region grows down (the kernel's VM_GROWSDOWN): MAP_GROWSDOWN, the stack.
bool grows_down(const Region &r) { return r.grows_down || r.name == RegionName::stack; }

// Whether `piece`, given `prot`, becomes code as the loader maps it: readable and
// executable, not writable, of a file mapped privately and never written.
bool becomes_code(const Region &piece, uint64_t prot) {
    return (prot & kAccessBits) == (PROT_READ | PROT_EXEC) && !(piece.prot & PROT_EXEC) &&
           piece.file && !piece.shared && !piece.accounted;
}

// Code made executable after it was mapped has its sites patched as they trap, as code
// mapped so does, if its file is still the one mapped.
void note_code_made_executable(const Region &piece) {
    ElfFile file;
    bsc_stream_attributes attributes{};
    if (file.open(piece.file->path) == BSC_OK &&
        abi().stream_attributes_query_by_handle(file.handle(), &attributes) == BSC_OK &&
        attributes.device == piece.file->device && attributes.inode == piece.file->inode)
        note_mapped_code(file.handle(), piece.file->path, piece.start, piece.end, piece.offset);
}

// The protection `asked` with READ_IMPLIES_EXEC's PROT_EXEC where the host allows it: not
// on a file of a noexec mount (the kernel adds it only to a VM_MAYEXEC mapping, which the
// host's refusal tells).
bsc_status protect_piece(const Region &piece, uint64_t asked, uint64_t &prot) {
    prot = implied_protection(asked);
    bsc_status status = abi().vm_protect(piece.start, piece.end - piece.start, protection(prot));
    if (status != BSC_E_ACCESS || prot == asked || !piece.file)
        return status;
    prot = asked;
    return abi().vm_protect(piece.start, piece.end - piece.start, protection(prot));
}

// Changes the protection of the mapped prefix of [start, end), region by region, as the
// kernel's mprotect does: ENOMEM at the first hole, after changing what lies before it.
int64_t protect_prefix(uint64_t start, uint64_t end, uint64_t asked) {
    Region piece;
    for (uint64_t at = start; at < end; at = piece.end) {
        if (!map_next(at, end, piece) || piece.start > at)
            return -ENOMEM;
        uint64_t prot;
        if (bsc_status status = protect_piece(piece, asked, prot))
            return result_of(status);
        if (becomes_code(piece, prot))
            note_code_made_executable(piece);
        map_protect(piece.start, piece.end, static_cast<uint32_t>(prot & kAccessBits));
    }
    return 0;
}

} // namespace

int64_t sys_mprotect(Syscall &call) {
    uint64_t start = call.arg[0], prot = call.arg[2];
    if (start % kPage)
        return -EINVAL;
    if ((prot & ~(kAccessBits | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) ||
        ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)))
        return -EINVAL;
    if (call.arg[1] == 0)
        return 0;
    uint64_t end = range_end(start, call.arg[1]);
    if (end == 0)
        return -ENOMEM;
    Region first;
    if (!map_next(start, end, first))
        return -ENOMEM;
    if (prot & PROT_GROWSDOWN) { // down to the start of a region that grows down
        if (!grows_down(first))
            return -EINVAL;
        map_find(first.start, first);
        start = first.start;
    } else if (first.start > start) {
        return -ENOMEM;
    } else if (prot & PROT_GROWSUP) {
        return -EINVAL; // no region grows up on x86-64
    }
    if (prot & PROT_WRITE) // the program may write its code: its own bytes first
        unpatch_sites(start, end);
    return protect_prefix(start, end, prot);
}

namespace {

// Copies `size` bytes of program memory from `from` to `to` page by page; a page that
// cannot be read (past the end of a mapped file) is left as it is, and, when `to` is
// fresh zeroed memory (`skip_zero`), so is a page of zeros, so that moving a large
// mapping touches only the pages that were used.
void copy_pages(uint64_t to, uint64_t from, uint64_t size, bool skip_zero) {
    alignas(16) static uint64_t page[kPage / 8];
    static Spinlock page_lock;
    SpinGuard guard(page_lock);
    for (uint64_t done = 0; done < size; done += kPage) {
        if (!copy_from_user(page, from + done, kPage))
            continue;
        bool zero = skip_zero;
        for (uint64_t i = 0; zero && i < kPage / 8; i++)
            zero = page[i] == 0;
        if (!zero)
            copy_to_user(to + done, page, kPage);
    }
}

// Opens the file behind a file region again, to map it elsewhere: the open file the
// program mapped may be closed by now. BSC_NO_HANDLE if it is gone or another file.
bsc_handle reopen(const Region &r) {
    char uri[kPathMax + 8];
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_stream_attributes attributes{};
    uint32_t access = r.shared && r.may_write ? BSC_ACCESS_RDWR : BSC_ACCESS_READ;
    if (make_uri("file:", r.file->path, uri, sizeof uri) < 0 ||
        abi().stream_open(uri, access, 0, BSC_CREATE_NEVER, 0, &handle) != BSC_OK)
        return BSC_NO_HANDLE;
    if (abi().stream_attributes_query_by_handle(handle, &attributes) != BSC_OK ||
        attributes.device != r.file->device || attributes.inode != r.file->inode) {
        abi().object_close(handle);
        return BSC_NO_HANDLE;
    }
    return handle;
}

// Places `size` bytes of what region `r` maps at `at` (BSC_MAP_FIXED: exactly there, else
// anywhere), writable so that a private copy can be made into it: anonymous memory, or
// the same file at the same offset, shared if `r` is.
bsc_status place_like(const Region &r, uint64_t &at, uint64_t size, bool fixed) {
    uint32_t flags = fixed ? BSC_MAP_FIXED : 0;
    uint32_t prot = protection(r.prot) | (r.shared ? 0 : BSC_PROT_READ | BSC_PROT_WRITE);
    if (!r.file)
        return abi().vm_alloc(&at, size, prot, flags | (r.shared ? BSC_MAP_SHARED : 0));
    if (r.file->segment_size) { // no stream is open on a System V segment to map again
        report_unsupported("mremap", "moving a System V shared memory attachment");
        return BSC_E_NO_MEMORY; // mremap's ENOMEM: it cannot be moved
    }
    bsc_handle handle = reopen(r);
    if (handle == BSC_NO_HANDLE)
        return BSC_E_NOT_SUPPORTED;
    bsc_status status = abi().stream_map(handle, &at, r.offset, size, prot,
                                         flags | (r.shared ? BSC_MAP_SHARED : 0));
    abi().object_close(handle);
    return status;
}

// Moves [r.start, r.start + old_size) of region `r` to a new mapping of new_size bytes (at
// `target` if non-zero): the kernel's move_vma. Private memory is copied (shared anonymous
// memory too: with no other process it is private in the host); a shared file mapping is
// the same file mapped again. With MREMAP_DONTUNMAP the old range stays mapped, emptied.
int64_t move_mapping(const Region &r, uint64_t old_size, uint64_t new_size, uint64_t target,
                     uint64_t flags) {
    if (r.dont_expand) {
        // Linux moves the context with its ring (aio_ring_mremap), EINVAL if it cannot.
        report_unsupported("mremap", "moving an AIO ring");
        return -EINVAL;
    }
    uint64_t at = target;
    bsc_status status = place_like(r, at, new_size, target != 0);
    if (status == BSC_E_NOT_SUPPORTED) {
        report_unsupported("mremap", "moving a mapping of a file that is gone or replaced");
        return -ENOMEM;
    }
    if (status != BSC_OK)
        return status == BSC_E_EXISTS ? -ENOMEM : result_of(status);
    uint64_t copied = old_size < new_size ? old_size : new_size;
    if (!(r.file && r.shared)) {
        if (!(r.prot & PROT_READ))
            abi().vm_protect(r.start, old_size, BSC_PROT_READ);
        copy_pages(at, r.start, copied, !r.file);
        abi().vm_protect(at, new_size, protection(r.prot));
    }
    Region moved = r;
    moved.start = at;
    moved.end = at + new_size;
    moved.name = RegionName::none; // [heap] and [stack] name places, not memory
    map_add(moved);
    // A locked mapping stays locked where it went (its new pages faulted in, as
    // mremap's mm_populate of the grown part; the moved ones are in memory already).
    lock_new_memory(at, at + new_size, LockMode{moved.locked, moved.lock_on_fault});
    if (!(flags & MREMAP_DONTUNMAP)) {
        if (old_size)
            map_remove(r.start, r.start + old_size, give_back);
    } else { // the old range reads as never touched: zeros, or the file
        abi().vm_reset(r.start, old_size);
        abi().vm_protect(r.start, old_size, protection(r.prot));
        if (r.locked && old_size) { // move_vma clears the old range's VM_LOCKED
            map_set_lock(r.start, r.start + old_size, false, false);
            abi().vm_lock(r.start, old_size, 0);
        }
    }
    return static_cast<int64_t>(at);
}

// Grows region `r`, which ends at r.end, by `more` bytes in place if nothing is mapped
// there: the kernel's vma_expandable and vma_expand.
bool grow_in_place(const Region &r, uint64_t more) {
    if (r.end + more < r.end || r.end + more > kTaskSize || map_intersects(r.end, r.end + more))
        return false;
    Region tail = r;
    tail.offset += r.end - r.start;
    tail.start = r.end;
    uint64_t at = r.end;
    uint32_t flags = BSC_MAP_FIXED_NOREPLACE;
    bsc_status status;
    if (!r.file) {
        status = abi().vm_alloc(&at, more, protection(r.prot), flags | (r.shared ? BSC_MAP_SHARED : 0));
    } else {
        bsc_handle handle = reopen(r);
        if (handle == BSC_NO_HANDLE)
            return false;
        status = abi().stream_map(handle, &at, tail.offset, more, protection(r.prot),
                                  flags | (r.shared ? BSC_MAP_SHARED : 0));
        abi().object_close(handle);
    }
    if (status != BSC_OK)
        return false; // the LibOS's own memory is there: the mapping moves instead
    tail.end = r.end + more;
    map_add(tail);
    lock_new_memory(tail.start, tail.end, LockMode{tail.locked, tail.lock_on_fault});
    return true;
}

// The kernel's vma_to_resize: the old range must lie in one region; an empty old range
// duplicates only shared memory. 0 or -errno.
int64_t check_resize(const Region &vma, uint64_t addr, uint64_t old_size, uint64_t new_size) {
    if (old_size > vma.end - addr)
        return -EFAULT;
    if (old_size == new_size)
        return 0;
    if (vma.dont_expand && new_size > old_size)
        return -EFAULT;
    if (!vma.file && !old_size && vma.shared) {
        // The host keeps shared anonymous memory private: a second view of it would be a
        // copy, not the same pages.
        report_unsupported("mremap", "duplicating shared anonymous memory");
        return -EINVAL;
    }
    if (!old_size && !vma.shared)
        return -EINVAL;
    if (new_size > old_size && vma.locked && !may_lock_more(new_size - old_size))
        return -EAGAIN; // mlock_future_ok: the growth passes RLIMIT_MEMLOCK
    if (new_size > old_size && !may_expand_vm(new_size - old_size, is_data_mapping(vma)))
        return -ENOMEM;
    return 0;
}

// The new place of mremap with MREMAP_FIXED or MREMAP_DONTUNMAP, checked (as the kernel
// does) before the old one is looked up: page aligned, in the user address space, apart
// from the old range. 0 or -EINVAL.
int64_t check_target(uint64_t addr, uint64_t old_size, uint64_t new_size, uint64_t target) {
    if (target > kTaskSize - new_size || target % kPage)
        return -EINVAL;
    return addr + old_size > target && target + new_size > addr ? -EINVAL : 0;
}

// mremap with MREMAP_FIXED or MREMAP_DONTUNMAP (target checked): the kernel's mremap_to.
int64_t remap_to(Region &vma, uint64_t addr, uint64_t old_size, uint64_t new_size,
                 uint64_t target, uint64_t flags) {
    if ((flags & MREMAP_DONTUNMAP) && vma.shared) {
        // The old range would go on showing the same shared pages, which a copy is not.
        report_unsupported("mremap", "MREMAP_DONTUNMAP of shared memory");
        return -EINVAL;
    }
    if (flags & MREMAP_FIXED)
        map_remove(target, target + new_size, give_back);
    if (old_size > new_size) {
        map_remove(addr + new_size, addr + old_size, give_back);
        old_size = new_size;
    }
    // The old range stays mapped: the address space grows by it.
    if ((flags & MREMAP_DONTUNMAP) && !may_expand_vm(old_size, is_data_mapping(vma)))
        return -ENOMEM;
    if (int64_t error = check_resize(vma, addr, old_size, new_size))
        return error;
    Region from = vma;
    from.offset += addr - vma.start;
    from.start = addr;
    return move_mapping(from, old_size, new_size, flags & MREMAP_FIXED ? target : 0, flags);
}

} // namespace

namespace {

// The regions of [start, end) are one shared mapping of one file, as remap_file_pages needs:
// contiguous, with the same file, protection and lock (the kernel's same vm_file and
// vm_flags). The first is in `first`.
bool one_shared_mapping(uint64_t start, uint64_t end, Region &first) {
    if (!map_find(start, first) || !first.shared || !first.file)
        return false;
    Region piece;
    for (uint64_t at = first.end; at < end; at = piece.end)
        if (!map_next(at, end, piece) || piece.start != at || piece.file != first.file ||
            !piece.shared || piece.prot != first.prot || piece.locked != first.locked)
            return false;
    return true;
}

} // namespace

// remap_file_pages: as Linux emulates it since 4.0, the range mapped again from page `pgoff`
// of the same file (mmap with MAP_FIXED, the mapping's protection, MAP_POPULATE), so that
// its pages show the file from there. `prot` must be 0; of the flags only MAP_NONBLOCK
// counts (it spares the populating), and the others are ignored, as Linux ignores them.
int64_t sys_remap_file_pages(Syscall &call) {
    uint64_t start = page_down(call.arg[0]), size = page_down(call.arg[1]);
    uint64_t prot = call.arg[2], pgoff = call.arg[3];
    if (prot || start + size <= start || pgoff + (size >> 12) < pgoff)
        return -EINVAL;
    Region first;
    if (!one_shared_mapping(start, start + size, first))
        return -EINVAL;
    bsc_handle handle = reopen(first);
    if (handle == BSC_NO_HANDLE) {
        // A System V segment, or a file removed or replaced since, has no name to map again.
        report_unsupported("remap_file_pages", "a mapping of a segment or of a removed file");
        return -EINVAL;
    }
    Region region = first;
    region.start = start;
    region.end = start + size;
    region.offset = pgoff << 12;
    uint64_t at = start;
    bsc_status status = abi().stream_map(handle, &at, region.offset, size, protection(region.prot),
                                         BSC_MAP_FIXED | BSC_MAP_SHARED);
    abi().object_close(handle);
    if (status != BSC_OK)
        return mmap_errno(status);
    forget_sites(start, start + size);
    map_add(region);
    lock_new_memory(start, start + size, LockMode{region.locked, region.lock_on_fault});
    return 0;
}

int64_t sys_mremap(Syscall &call) {
    uint64_t addr = call.arg[0], old_len = call.arg[1], new_len = call.arg[2];
    uint64_t flags = call.arg[3], target = call.arg[4];
    if ((flags & ~uint64_t{MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP}) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
        ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len)) ||
        addr % kPage)
        return -EINVAL;
    uint64_t old_size = page_up(old_len), new_size = page_up(new_len);
    if (new_size == 0 || new_size > kTaskSize)
        return -EINVAL;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        if (int64_t error = check_target(addr, old_size, new_size, target))
            return error;
    Region vma;
    if (!map_find(addr, vma))
        return -EFAULT;
    unpatch_sites(addr, addr + old_size); // a moved site's jumps would miss its trampoline
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        return remap_to(vma, addr, old_size, new_size, target, flags);
    if (old_size >= new_size) { // shrinking only unmaps the tail
        map_remove(addr + new_size, addr + old_size, give_back);
        return static_cast<int64_t>(addr);
    }
    if (int64_t error = check_resize(vma, addr, old_size, new_size))
        return error;
    if (old_size == vma.end - addr && grow_in_place(vma, new_size - old_size))
        return static_cast<int64_t>(addr);
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    Region from = vma;
    from.offset += addr - vma.start;
    from.start = addr;
    return move_mapping(from, old_size, new_size, 0, flags);
}

namespace {

// The advice Linux knows (its madvise_behavior_valid) that the LibOS serves.
bool known_advice(uint64_t advice) {
    return advice <= MADV_DONTNEED || (advice >= MADV_FREE && advice <= MADV_DONTNEED_LOCKED);
}

// One region's part of madvise: the kernel's checks of the advice against the kind of
// mapping, and its effect. 0 or -errno.
int64_t advise(const Region &r, uint64_t advice) {
    bool private_anonymous = !r.file && !r.shared;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
        if (r.locked) // madvise_dontneed_free_valid_vma: locked pages stay
            return -EINVAL;
        if (advice == MADV_FREE)
            return private_anonymous ? 0 : -EINVAL;
        [[fallthrough]];
    case MADV_DONTNEED_LOCKED:
        // Shared pages keep their contents: only the program's private copies go.
        return r.shared ? 0 : result_of(abi().vm_reset(r.start, r.end - r.start));
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
        if (!private_anonymous)
            return advice == MADV_WIPEONFORK ? -EINVAL : 0;
        map_set_fork_flag(r.start, r.end, &Region::wipe_on_fork, advice == MADV_WIPEONFORK);
        return 0;
    case MADV_DONTFORK:
    case MADV_DOFORK:
        map_set_fork_flag(r.start, r.end, &Region::dont_fork, advice == MADV_DONTFORK);
        return 0;
    case MADV_DODUMP: // not of a special mapping (VM_SPECIAL: the vDSO's, an AIO ring)
        if (r.dont_expand || r.name == RegionName::vdso || r.name == RegionName::vvar)
            return -EINVAL;
        [[fallthrough]];
    case MADV_DONTDUMP:
        map_set_fork_flag(r.start, r.end, &Region::dont_dump, advice == MADV_DONTDUMP);
        return 0;
    case MADV_REMOVE:
        if (r.locked || (!r.file && !r.shared))
            return -EINVAL;
        if (!r.shared || !r.may_write)
            return -EACCES;
        if (r.file) { // punching a hole in the file: the ABI has no call for it
            report_unsupported("madvise", "MADV_REMOVE of a shared file mapping");
            return -EOPNOTSUPP;
        }
        return result_of(abi().vm_reset(r.start, r.end - r.start));
    case MADV_POPULATE_READ:
        return r.prot & PROT_READ ? 0 : -EINVAL;
    case MADV_POPULATE_WRITE:
        return r.prot & PROT_WRITE ? 0 : -EINVAL;
    default:
        return 0; // advice only
    }
}

} // namespace

int64_t sys_madvise(Syscall &call) {
    uint64_t start = call.arg[0], advice = call.arg[2];
    uint64_t end = range_end(start, call.arg[1]);
    if (advice == MADV_COLLAPSE || advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE)
        report_unsupported("madvise", "MADV_COLLAPSE, MADV_HWPOISON and MADV_SOFT_OFFLINE");
    else if (advice == 102 || advice == 103) // MADV_GUARD_INSTALL, MADV_GUARD_REMOVE
        report_unsupported("madvise", "MADV_GUARD_INSTALL and MADV_GUARD_REMOVE");
    if (!known_advice(advice) || start % kPage || (call.arg[1] && end == 0))
        return -EINVAL;
    if (call.arg[1] == 0)
        return 0;
    // As the kernel's madvise_walk_vmas: every mapped part is advised, a hole is ENOMEM
    // at the end, and a region that refuses the advice ends the walk with its error.
    int64_t unmapped = 0;
    Region piece;
    for (uint64_t at = start; at < end; at = piece.end) {
        if (!map_next(at, end, piece))
            return -ENOMEM;
        if (piece.start > at)
            unmapped = -ENOMEM;
        if (int64_t error = advise(piece, advice))
            return error;
    }
    return unmapped;
}

// Shared mappings are the host's, kept coherent with the file. MS_SYNC writes a shared
// file mapping's changed pages back and waits, as the kernel's vfs_fsync_range does for
// each such VMA: the host's msync of the same pages (`vm_sync`), which are its mapping of
// the same file. MS_ASYNC and MS_INVALIDATE only check, as in Linux since 2.6.19.
int64_t sys_msync(Syscall &call) {
    uint64_t start = call.arg[0], flags = call.arg[2];
    if (start % kPage || (flags & ~uint64_t{MS_ASYNC | MS_INVALIDATE | MS_SYNC}) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    uint64_t end = range_end(start, call.arg[1]);
    if (call.arg[1] && end == 0)
        return -ENOMEM;
    // As the kernel's walk: a hole ends it at once for MS_SYNC alone, else gives ENOMEM at
    // the end; MS_INVALIDATE of a locked region is EBUSY, wherever it is.
    int64_t unmapped = 0;
    Region piece;
    for (uint64_t at = start; call.arg[1] && at < end; at = piece.end) {
        if (!map_next(at, end, piece))
            return -ENOMEM;
        if (piece.start > at) {
            if (flags == MS_SYNC)
                return -ENOMEM;
            unmapped = -ENOMEM;
        }
        if ((flags & MS_INVALIDATE) && piece.locked)
            return -EBUSY;
        if ((flags & MS_SYNC) && piece.file && piece.shared)
            if (int64_t error = result_of(
                    abi().vm_sync(piece.start, piece.end - piece.start, 0)))
                return error;
    }
    return unmapped;
}

} // namespace libos
