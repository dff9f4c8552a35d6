// SPDX-License-Identifier: MIT
// Starting a program in the process, the way the Linux kernel's ELF loader does it, over
// the ABI: at start-up and for execve.
#include "exec.h"
#include "personality.h"

#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm/signal.h>
#include <cpuid.h>
#include <linux/auxvec.h>

#include "elf_image.h"
#include "heap.h"
#include "kernel.h"
#include "memory.h"
#include "memory_map.h"
#include "process_state.h"
#include "syscall_sites.h"
#include "paths.h"
#include "procfs.h"
#include "process_tree.h"
#include "vdso.h"

namespace libos {
namespace elf = bsc::elf;

void ElfFile::close() {
    if (handle_)
        abi().object_close(handle_);
    handle_ = BSC_NO_HANDLE;
}

bsc_status ElfFile::open(const char *path) {
    close();
    char uri[kPathMax + 8];
    if (make_uri("file:", path, uri, sizeof uri) < 0)
        return BSC_E_NAME_TOO_LONG;
    return abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle_);
}

namespace {

uint64_t saved_auxv[48];
size_t saved_auxv_words;

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
        uint32_t prot = elf::segment_protection(seg.p_flags);
        if (seg.p_filesz > 0)
            map_add({start, file_end, page_down(seg.p_offset), file, prot, false, RegionName::none});
        uint64_t zero_start = seg.p_filesz > 0 ? file_end : start;
        if (end > zero_start)
            map_add({zero_start, end, 0, nullptr, prot, false, RegionName::none});
    }
    mapped_file_release(file);
}

// Maps a program or interpreter that prepare() checked; past the point of no return, a
// failure ends the process with SIGSEGV, as Linux's loader does.
void map_checked(ElfFile &file, const char *path, elf::Image &image) {
    bsc_status status;
    if (elf::map(abi(), file.handle(), image, &status)) {
        log("%s: cannot be mapped: %s", path, bsc_status_name(status));
        exit_process(-SIGSEGV);
    }
    record_segments(image, path, file.handle());
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type != PT_LOAD || !(seg.p_flags & PF_X) || !(seg.p_flags & PF_R) ||
            (seg.p_flags & PF_W))
            continue;
        uint64_t start = page_down(image.bias + seg.p_vaddr);
        uint64_t offset = seg.p_offset - (image.bias + seg.p_vaddr - start);
        note_mapped_code(file.handle(), path, start, image.bias + seg.p_vaddr + seg.p_filesz,
                         offset);
    }
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

// The bytes the new program's stack starts with: the strings, their pointers and the
// auxiliary vector, with room for the few strings and alignment exec adds.
uint64_t initial_stack_bytes(char **argv, char **envp) {
    constexpr uint64_t kFixed = 1024;
    uint64_t bytes = kFixed;
    char **lists[] = {argv, envp};
    for (char **list : lists)
        for (size_t i = 0; list[i]; i++)
            bytes += strlen(list[i]) + 1 + sizeof(char *);
    return bytes;
}

char running_program[kPathMax];

// A "#!" script: the interpreter and its optional single argument, as Linux reads them
// from the first line.
struct Shebang {
    char line[256];
    char *interpreter = nullptr, *argument = nullptr;
};

// Whether the file starts with "#!" and names an interpreter.
bool read_shebang(ElfFile &file, Shebang &shebang) {
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

// Linux's errno for a program file that cannot be opened.
int64_t open_errno(bsc_status status) {
    return status == BSC_E_IS_DIRECTORY ? -EACCES : result_of(status);
}

// Opens `absolute` to run it: a regular file the caller may execute (EACCES otherwise).
int64_t open_executable(const char *absolute, ElfFile &file) {
    if (bsc_status status = file.open(absolute))
        return open_errno(status);
    bsc_stream_attributes attributes{};
    if (bsc_status status = abi().stream_attributes_query_by_handle(file.handle(), &attributes))
        return result_of(status);
    if (attributes.type != BSC_TYPE_FILE)
        return -EACCES;
    if (int64_t error = check_access(attributes, 1 /* X_OK */, false))
        return error;
    // Nothing on a file system mounted MS_NOEXEC runs (path_noexec): EACCES.
    constexpr uint64_t kNoExec = 8; // ST_NOEXEC
    bsc_volume_info volume;
    if (abi().stream_volume_query_by_handle(file.handle(), &volume) == BSC_OK &&
        (volume.flags & kNoExec))
        return -EACCES;
    return 0;
}

// Everything a new program needs, found before the old one is given up: its files
// opened and parsed, its arguments with any script interpreters in front.
struct Plan {
    static constexpr int kMaxScripts = 4; // Linux's BINPRM_MAX_RECURSION
    Shebang shebangs[kMaxScripts];
    char scripts[kMaxScripts][kPathMax];
    char named[kPathMax];       // the program as execve named it (a script's): AT_EXECFN
    char absolute[kPathMax];    // the same, resolved
    ElfFile program, interpreter;
    elf::Image image, interpreter_image;
    char **argv;
};

// Follows "#!" lines to the ELF program at the end and parses it and its interpreter:
// 0, or the errno execve gives (the old program is untouched).
int64_t prepare(const char *path, const char *absolute, char **argv, Plan &plan) {
    plan.argv = argv;
    if (!freestanding::copy_string(plan.named, kPathMax, path))
        return -ENAMETOOLONG;
    if (absolute) {
        if (!freestanding::copy_string(plan.absolute, kPathMax, absolute))
            return -ENAMETOOLONG;
    } else if (int64_t error = resolve_path(-100 /* AT_FDCWD */, path, plan.absolute, kPathMax,
                                            nullptr, true)) {
        return error;
    }
    const char *current = plan.absolute, *named = path;
    char resolved[kPathMax];
    for (int depth = 0;; depth++) {
        if (int64_t error = open_executable(current, plan.program))
            return error;
        Shebang &shebang = plan.shebangs[depth < Plan::kMaxScripts ? depth : 0];
        if (!read_shebang(plan.program, shebang))
            break;
        if (depth == Plan::kMaxScripts - 1)
            return -ELOOP;
        // The interpreter runs with the script's path, as execve was given it, in place of
        // argv[0].
        char *script = plan.scripts[depth];
        freestanding::copy_string(script, kPathMax, named);
        size_t argc = count(plan.argv);
        auto **script_argv = static_cast<char **>(allocate((argc + 3) * sizeof(char *)));
        size_t n = 0;
        script_argv[n++] = shebang.interpreter;
        if (shebang.argument)
            script_argv[n++] = shebang.argument;
        script_argv[n++] = script;
        for (size_t i = 1; i < argc; i++)
            script_argv[n++] = plan.argv[i];
        plan.argv = script_argv;
        if (int64_t error =
                resolve_path(-100, shebang.interpreter, resolved, kPathMax, nullptr, true))
            return error;
        plan.program.close();
        current = resolved;
        named = shebang.interpreter;
    }
    // /proc/self/exe names the program with its links resolved, as the kernel does.
    char real[kPathMax];
    if (real_path(current, real, sizeof real) < 0)
        freestanding::copy_string(real, sizeof real, current);
    elf::Reader reader = plan.program.reader();
    if (elf::parse(reader, plan.image))
        return -ENOEXEC;
    if (plan.image.interpreter[0]) {
        // Named as the kernel's open_exec names it: from the working directory and root.
        if (int64_t error = resolve_path(-100, plan.image.interpreter, resolved, kPathMax,
                                         nullptr, true))
            return error;
        if (bsc_status status = plan.interpreter.open(resolved))
            return status == BSC_E_NOT_FOUND ? -ENOENT : open_errno(status);
        elf::Reader interpreter_reader = plan.interpreter.reader();
        if (elf::parse(interpreter_reader, plan.interpreter_image))
            return -ELIBBAD;
    }
    freestanding::copy_string(running_program, sizeof running_program, real);
    return 0;
}

} // namespace

bool read_exactly(bsc_handle handle, uint64_t offset, void *out, uint64_t size) {
    auto *bytes = static_cast<char *>(out);
    while (size > 0) {
        uint64_t done = 0;
        if (abi().stream_read(handle, offset, bytes, size, &done) != BSC_OK || done == 0)
            return false;
        offset += done, bytes += done, size -= done;
    }
    return true;
}

const char *program_path() { return running_program; }

const uint64_t *program_auxv(size_t &words) {
    words = saved_auxv_words;
    return saved_auxv;
}

int64_t exec_program(const char *path, const char *absolute, char **argv, char **envp,
                     void (*leave_old_program)()) {
    Plan *plan = create<Plan>();
    char previous[kPathMax];
    freestanding::copy_string(previous, sizeof previous, running_program);
    if (int64_t error = prepare(path, absolute, argv, *plan)) {
        freestanding::copy_string(running_program, sizeof running_program, previous);
        destroy(plan);
        return error;
    }
    // The point of no return.
    leave_old_program();
    forget_all_sites();
    argv = plan->argv;
    note_program_start(plan->absolute); // a script's name, not its interpreter's: comm
    abi().process_exec(running_program, argv);
    elf::Image &program = plan->image, &interpreter = plan->interpreter_image;
    map_checked(plan->program, running_program, program);
    initialise_brk(program.high); // before anything else can land after the program
    bool dynamic = program.interpreter[0] != 0;
    if (dynamic)
        map_checked(plan->interpreter, program.interpreter, interpreter);

    StackBuilder stack(map_initial_stack(initial_stack_bytes(argv, envp)));
    uint64_t execfn = stack.push_string(plan->named);
    uint64_t platform = stack.push_string("x86_64");
    uint8_t random[16];
    abi().random_read(random, sizeof random);
    uint64_t random_at = stack.push_bytes(random, sizeof random);
    size_t argc = count(argv), envc = count(envp);
    // The thread's ids; a program that runs with an effective id other than its real one
    // runs "securely" (the kernel's bprm->secureexec: its ld.so ignores LD_PRELOAD ...).
    bsc_process_identity ids = identity();
    uint64_t secure = ids.effective_user_id != ids.user_id || ids.effective_group_id != ids.group_id;
    personality_at_exec(secure);
    uint64_t vdso = map_vdso(); // a fresh one for every program, as the kernel maps it
    const uint64_t auxv[] = {
        AT_SYSINFO_EHDR, vdso,
        AT_PHDR,   program.phdr,        AT_PHENT,  sizeof(Elf64_Phdr),
        AT_PHNUM,  program.header.e_phnum, AT_PAGESZ, kPage,
        AT_BASE,   dynamic ? interpreter.low : 0, AT_FLAGS, 0,
        AT_ENTRY,  program.entry,       AT_UID,    ids.user_id,
        AT_EUID,   ids.effective_user_id, AT_GID,  ids.group_id,
        AT_EGID,   ids.effective_group_id, AT_SECURE, secure,
        AT_HWCAP,  hardware_capabilities(), AT_CLKTCK, 100,
        AT_PLATFORM, platform,          AT_RANDOM, random_at,
        AT_EXECFN, execfn,              AT_NULL,   0,
    };
    // argc, argv, envp and the auxiliary vector, above them the strings, in the kernel's
    // order (argv[0] first), so that /proc/self/cmdline and environ read them from the
    // program's memory as the kernel does.
    size_t words = 1 + argc + 1 + envc + 1 + sizeof auxv / 8;
    auto *area = static_cast<uint64_t *>(allocate(words * 8));
    area[0] = argc;
    uint64_t *argv_at = area + 1, *envp_at = area + 1 + argc + 1;
    uint64_t strings_end = stack.push_bytes("", 0);
    for (size_t i = envc; i-- > 0;)
        envp_at[i] = stack.push_string(envp[i]);
    uint64_t environment = stack.push_bytes("", 0);
    for (size_t i = argc; i-- > 0;)
        argv_at[i] = stack.push_string(argv[i]);
    set_program_strings(stack.push_bytes("", 0), environment, strings_end);
    memcpy(envp_at + envc + 1, auxv, sizeof auxv);
    static_assert(sizeof auxv <= sizeof saved_auxv);
    memcpy(saved_auxv, auxv, sizeof auxv); // the kernel's mm->saved_auxv
    saved_auxv_words = sizeof auxv / 8;

    bsc_cpu_context context{};
    context.rsp = stack.finish(area, words);
    context.rip = dynamic ? interpreter.entry : program.entry;
    context.rflags = 0x202;
    release(area, words * 8);
    destroy(plan);
    resume_program(context);
}

} // namespace libos
