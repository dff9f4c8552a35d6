// SPDX-License-Identifier: MIT
// Program start-up, the way the Linux kernel's ELF loader does it, over the ABI.
#include "exec.h"

#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <cpuid.h>
#include <linux/auxvec.h>

#include "elf_image.h"
#include "kernel.h"
#include "memory.h"
#include "memory_map.h"
#include "paths.h"
#include "procfs.h"
#include "vdso.h"

namespace libos {
namespace elf = bsc::elf;
namespace {

constexpr uint64_t kStackSize = 8 << 20;

// An ELF file opened through the ABI, closed when done (its mappings stay).
class ProgramFile {
public:
    ~ProgramFile() {
        if (handle_)
            abi().object_close(handle_);
    }
    bsc_status open(const char *path) {
        char uri[kPathMax + 8];
        if (make_uri("file:", path, uri, sizeof uri) < 0)
            return BSC_E_NAME_TOO_LONG;
        return abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle_);
    }
    elf::Reader reader() { return {read_at, this}; }
    bsc_handle handle() const { return handle_; }

private:
    static bool read_at(void *self, uint64_t offset, void *out, uint64_t size) {
        auto *file = static_cast<ProgramFile *>(self);
        auto *bytes = static_cast<char *>(out);
        while (size > 0) {
            uint64_t done = 0;
            if (abi().stream_read(file->handle_, offset, bytes, size, &done) != BSC_OK ||
                done == 0)
                return false;
            offset += done, bytes += done, size -= done;
        }
        return true;
    }
    bsc_handle handle_ = BSC_NO_HANDLE;
};

[[noreturn]] void fail(const char *path, const char *why, int status) {
    log("%s: %s", path, why);
    abi().process_exit(status);
    __builtin_trap();
}

uint32_t linux_protection(uint32_t segment_flags) {
    return (segment_flags & PF_R ? PROT_READ : 0) | (segment_flags & PF_W ? PROT_WRITE : 0) |
           (segment_flags & PF_X ? PROT_EXEC : 0);
}

// Enters the mapped segments into the memory map as the kernel's loader leaves them: the
// file-backed pages of each segment, then its zero-filled rest as anonymous memory (the
// reservation between segments is not the program's).
void record_segments(const elf::Image &image, const char *path, bsc_handle handle) {
    MappedFile *file = mapped_file(path, handle);
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type != PT_LOAD)
            continue;
        uint64_t start = page_down(image.bias + seg.p_vaddr);
        uint64_t file_end = page_up(image.bias + seg.p_vaddr + seg.p_filesz);
        uint64_t end = page_up(image.bias + seg.p_vaddr + seg.p_memsz);
        uint32_t prot = linux_protection(seg.p_flags);
        if (seg.p_filesz > 0)
            map_add({start, file_end, page_down(seg.p_offset), file, prot, false, RegionName::none});
        uint64_t zero_start = seg.p_filesz > 0 ? file_end : start;
        if (end > zero_start)
            map_add({zero_start, end, 0, nullptr, prot, false, RegionName::none});
    }
    mapped_file_release(file);
}

void load(const char *path, elf::Image &image) {
    ProgramFile file;
    bsc_status status = file.open(path);
    if (status != BSC_OK)
        fail(path, bsc_status_name(status), status == BSC_E_NOT_FOUND ? 127 : 126);
    elf::Reader reader = file.reader();
    if (int error = elf::parse(reader, image))
        fail(path, elf::error_text(error), 126);
    if (int error = elf::map(abi(), file.handle(), image, &status))
        fail(path, elf::error_text(error), 126);
    record_segments(image, path, file.handle());
}

// Builds the initial stack Linux programs expect: argc, argv, envp, the auxiliary vector,
// then the strings they point to. Returns the stack pointer (at argc).
class StackBuilder {
public:
    explicit StackBuilder(uint64_t top) : strings_(top) {}

    uint64_t push_bytes(const void *data, size_t size) {
        strings_ -= size;
        memcpy(reinterpret_cast<void *>(strings_), data, size);
        return strings_;
    }
    uint64_t push_string(const char *s) { return push_bytes(s, strlen(s) + 1); }

    // Lays out the word area below the strings, 16-byte aligned at argc.
    uint64_t finish(const uint64_t *words, size_t count) {
        uint64_t sp = (strings_ - count * 8) & ~uint64_t{15};
        memcpy(reinterpret_cast<void *>(sp), words, count * 8);
        return sp;
    }

private:
    uint64_t strings_;
};

size_t count(char **list) {
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

uint64_t hardware_capabilities() {
    unsigned eax, ebx, ecx, edx;
    __cpuid(1, eax, ebx, ecx, edx);
    return edx;
}

uint64_t allocate_stack() {
    uint64_t base = 0;
    if (abi().vm_alloc(&base, kStackSize + kPage, BSC_PROT_READ | BSC_PROT_WRITE, 0) != BSC_OK)
        panic("cannot allocate the program's stack");
    // The guard page stands for the kernel's stack guard gap, which is no VMA either.
    abi().vm_protect(base, kPage, BSC_PROT_NONE);
    uint64_t top = base + kPage + kStackSize;
    map_add({base + kPage, top, 0, nullptr, PROT_READ | PROT_WRITE, false, RegionName::stack});
    return top;
}

char running_program[kPathMax];

// A "#!" script: the interpreter and its optional single argument, as Linux reads them
// from the first line.
struct Shebang {
    char line[256];
    char *interpreter = nullptr, *argument = nullptr;
};

bool read_shebang(const char *path, Shebang &shebang) {
    ProgramFile file;
    if (file.open(path) != BSC_OK)
        return false;
    uint64_t done = 0;
    if (abi().stream_read(file.handle(), 0, shebang.line, sizeof shebang.line - 1, &done) !=
            BSC_OK ||
        done < 3 || shebang.line[0] != '#' || shebang.line[1] != '!')
        return false;
    shebang.line[done] = 0;
    char *p = shebang.line + 2;
    for (char *q = p; *q; q++)
        if (*q == '\n') {
            *q = 0;
            break;
        }
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (blank(*p))
        p++;
    shebang.interpreter = p;
    while (*p && !blank(*p))
        p++;
    if (*p) {
        *p++ = 0;
        while (blank(*p))
            p++;
        char *end = p + strlen(p);
        while (end > p && blank(end[-1]))
            *--end = 0;
        if (*p)
            shebang.argument = p;
    }
    return *shebang.interpreter != 0;
}

} // namespace

const char *program_path() { return running_program; }

void exec_program(const char *path, char **argv, char **envp) {
    initialise_cwd(reinterpret_cast<const char *>(start_info().working_directory));
    static int depth;
    if (depth == 0) // a script's name, not its interpreter's, as the kernel's comm
        note_program_start(path);
    char absolute[kPathMax];
    if (resolve_path(-100 /* AT_FDCWD */, path, absolute, kPathMax) < 0)
        fail(path, "path too long", 126);
    // A script runs its interpreter with the script's path in place of argv[0]. Each
    // level keeps its own line: the new argv points into it.
    constexpr int kMaxDepth = 4;
    static Shebang shebangs[kMaxDepth];
    static char scripts[kMaxDepth][kPathMax];
    if (depth < kMaxDepth && read_shebang(absolute, shebangs[depth])) {
        Shebang &shebang = shebangs[depth];
        char *script = scripts[depth++];
        size_t argc = count(argv);
        char **script_argv = static_cast<char **>(__builtin_alloca((argc + 3) * sizeof(char *)));
        size_t n = 0;
        script_argv[n++] = shebang.interpreter;
        if (shebang.argument)
            script_argv[n++] = shebang.argument;
        freestanding::copy_string(script, kPathMax, absolute);
        script_argv[n++] = script;
        for (size_t i = 1; i <= argc; i++)
            script_argv[n++] = argv[i];
        exec_program(shebang.interpreter, script_argv, envp);
    }

    // /proc/self/exe names the program with its links resolved, as the kernel does.
    if (real_path(absolute, running_program, sizeof running_program) < 0)
        freestanding::copy_string(running_program, sizeof running_program, absolute);
    elf::Image program, interpreter;
    load(running_program, program);
    initialise_brk(program.high); // before anything else can land after the program
    bool dynamic = program.interpreter[0] != 0;
    if (dynamic)
        load(program.interpreter, interpreter);

    StackBuilder stack(allocate_stack());
    uint64_t execfn = stack.push_string(absolute);
    uint64_t platform = stack.push_string("x86_64");
    uint8_t random[16];
    abi().random_read(random, sizeof random);
    uint64_t random_at = stack.push_bytes(random, sizeof random);
    size_t argc = count(argv), envc = count(envp);
    uint64_t *argv_at = static_cast<uint64_t *>(__builtin_alloca((argc + envc) * 8));
    // The strings lie in the kernel's order, argv[0] first, so that /proc/self/cmdline and
    // environ read them from the program's memory as the kernel does.
    uint64_t strings_end = stack.push_bytes("", 0);
    for (size_t i = envc; i-- > 0;)
        argv_at[argc + i] = stack.push_string(envp[i]);
    uint64_t environment = stack.push_bytes("", 0);
    for (size_t i = argc; i-- > 0;)
        argv_at[i] = stack.push_string(argv[i]);
    set_program_strings(stack.push_bytes("", 0), environment, strings_end);

    bsc_system_info system{};
    abi().system_info_query(&system);
    uint64_t vdso = map_vdso(); // a fresh one for every program, as the kernel maps it
    const uint64_t auxv[] = {
        AT_SYSINFO_EHDR, vdso,
        AT_PHDR,   program.phdr,        AT_PHENT,  sizeof(Elf64_Phdr),
        AT_PHNUM,  program.header.e_phnum, AT_PAGESZ, kPage,
        AT_BASE,   dynamic ? interpreter.low : 0, AT_FLAGS, 0,
        AT_ENTRY,  program.entry,       AT_UID,    system.user_id,
        AT_EUID,   system.user_id,      AT_GID,    system.group_id,
        AT_EGID,   system.group_id,     AT_SECURE, 0,
        AT_HWCAP,  hardware_capabilities(), AT_CLKTCK, 100,
        AT_PLATFORM, platform,          AT_RANDOM, random_at,
        AT_EXECFN, execfn,              AT_NULL,   0,
    };
    size_t words = 1 + argc + 1 + envc + 1 + sizeof auxv / 8;
    auto *area = static_cast<uint64_t *>(__builtin_alloca(words * 8));
    size_t w = 0;
    area[w++] = argc;
    for (size_t i = 0; i < argc; i++)
        area[w++] = argv_at[i];
    area[w++] = 0;
    for (size_t i = 0; i < envc; i++)
        area[w++] = argv_at[argc + i];
    area[w++] = 0;
    memcpy(area + w, auxv, sizeof auxv);

    bsc_cpu_context context{};
    context.rsp = stack.finish(area, words);
    context.rip = dynamic ? interpreter.entry : program.entry;
    context.rflags = 0x202;
    abi().thread_context_restore(&context);
    panic("cannot enter %s", absolute);
}

} // namespace libos
