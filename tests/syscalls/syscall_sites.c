// SPDX-License-Identifier: MIT
// Code whose system calls the LibOS must leave on the trap path, or patch without
// changing what it does (core/libos/README.md, "Patched system call sites"): a jump onto
// a wrapper's `syscall` from another function, a jump into the middle of the instruction
// before one, `syscall` bytes that are data inside a function, in read-only data and in a
// JIT buffer, code read back as data, and code mapped read-only and then made executable.
// Each answers as a native run does.
#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

long wrapper_getppid(void);
long jump_onto_syscall(long number);
long jump_into_instruction(long number);
extern const unsigned char data_in_code[], data_in_code_end[];

__asm__(
    ".text\n"
    // glibc's shape: the `mov` before the `syscall` is what a patch replaces.
    ".globl wrapper_getppid\n"
    ".type wrapper_getppid, @function\n"
    "wrapper_getppid:\n"
    ".cfi_startproc\n"
    "    mov $110, %eax\n"
    "wrapper_syscall:\n"
    "    syscall\n"
    "    ret\n"
    ".cfi_endproc\n"
    ".size wrapper_getppid, . - wrapper_getppid\n"
    // Enters wrapper_getppid at its `syscall`, with its own number in %eax.
    ".globl jump_onto_syscall\n"
    ".type jump_onto_syscall, @function\n"
    "jump_onto_syscall:\n"
    ".cfi_startproc\n"
    "    mov %edi, %eax\n"
    "    jmp wrapper_syscall\n"
    ".cfi_endproc\n"
    ".size jump_onto_syscall, . - jump_onto_syscall\n"
    // Jumps into the middle of the `mov` before the `syscall`: its immediate is four
    // one-byte `nop`s, so the two are overlapping instructions.
    ".globl jump_into_instruction\n"
    ".type jump_into_instruction, @function\n"
    "jump_into_instruction:\n"
    ".cfi_startproc\n"
    "    mov %edi, %eax\n"
    "    jmp 1f + 1\n"
    "1:  mov $0x90909090, %eax\n"
    "    syscall\n"
    "    ret\n"
    ".cfi_endproc\n"
    ".size jump_into_instruction, . - jump_into_instruction\n"
    // A function whose tail, after its `ret`, is data that decodes as `mov $110, %eax;
    // syscall`: no flow reaches it, and the program reads it.
    ".globl data_in_code, data_in_code_end\n"
    ".type data_in_code_function, @function\n"
    "data_in_code_function:\n"
    ".cfi_startproc\n"
    "    xor %eax, %eax\n"
    "    ret\n"
    "data_in_code:\n"
    "    .byte 0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0xc3\n"
    "data_in_code_end:\n"
    ".cfi_endproc\n"
    ".size data_in_code_function, . - data_in_code_function\n");

static const unsigned char getppid_code[] = {0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0xc3};

TEST(wrapper_answers) { CHECK_EQ(wrapper_getppid(), getppid()); }

TEST(jump_onto_a_wrappers_syscall) {
    CHECK_EQ(jump_onto_syscall(SYS_getppid), getppid());
    CHECK_EQ(jump_onto_syscall(SYS_gettid), gettid());
    CHECK_EQ(wrapper_getppid(), getppid());
}

TEST(jump_into_the_instruction_before) {
    CHECK_EQ(jump_into_instruction(SYS_getppid), getppid());
    CHECK_EQ(jump_into_instruction(SYS_getpid), getpid());
}

TEST(code_read_as_data) {
    CHECK_EQ(data_in_code_end - data_in_code, (long)sizeof getppid_code);
    CHECK(memcmp(data_in_code, getppid_code, sizeof getppid_code) == 0);
}

TEST(read_only_data) {
    // Bytes of a system call in data that is never code stay as they are.
    static const unsigned char copy[] = {0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0xc3};
    CHECK(memcmp(copy, getppid_code, sizeof copy) == 0);
}

TEST(jit_buffer) {
    // Written at run time, run, made read-only and executable, run again.
    void *buffer = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    CHECK(buffer != MAP_FAILED);
    memcpy(buffer, getppid_code, sizeof getppid_code);
    long (*code)(void) = (long (*)(void))buffer;
    CHECK_EQ(code(), getppid());
    CHECK_OK(mprotect(buffer, 4096, PROT_READ | PROT_EXEC));
    CHECK_EQ(code(), getppid());
    CHECK(memcmp(buffer, getppid_code, sizeof getppid_code) == 0);
    CHECK_OK(mprotect(buffer, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
    ((unsigned char *)buffer)[1] = SYS_getpid;
    CHECK_EQ(code(), getpid());
    CHECK_OK(munmap(buffer, 4096));
}

TEST(own_code_made_writable) {
    // The program makes its own wrapper writable and reads it: its own bytes, as built.
    unsigned char *page = (unsigned char *)((unsigned long)wrapper_getppid & ~4095ul);
    CHECK_OK(mprotect(page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC));
    const unsigned char mov[] = {0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05};
    CHECK(memcmp((const void *)wrapper_getppid, mov, sizeof mov) == 0);
    CHECK_EQ(wrapper_getppid(), getppid());
    CHECK_OK(mprotect(page, 8192, PROT_READ | PROT_EXEC));
    CHECK_EQ(wrapper_getppid(), getppid());
}

// The file, and the offset in it, of the code at `address` (/proc/self/maps).
static int file_of_code(const void *address, char *path, size_t size, unsigned long *offset) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return -1;
    char line[4096];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, maps)) {
        unsigned long start, end, at;
        char name[4096] = "";
        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &at, name) >= 3 &&
            (unsigned long)address >= start && (unsigned long)address < end) {
            snprintf(path, size, "%s", name);
            *offset = (unsigned long)address - start + at;
            found = 0;
        }
    }
    fclose(maps);
    return found;
}

TEST(own_code_mapped_read_only_then_made_executable) {
    // The program's wrapper mapped again from its file as a loader may map it, readable
    // first and executable later: the copy answers as the original does, often enough to
    // be patched where the path allows it.
    char path[4096];
    unsigned long offset = 0;
    CHECK_OK(file_of_code((const void *)wrapper_getppid, path, sizeof path, &offset));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    unsigned char *copy = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, offset & ~4095ul);
    CHECK(copy != MAP_FAILED);
    CHECK_OK(close(fd));
    long (*copied)(void) = (long (*)(void))(copy + offset % 4096);
    CHECK(memcmp((const void *)copied, (const void *)wrapper_getppid, 8) == 0);
    CHECK_OK(mprotect(copy, 8192, PROT_READ | PROT_EXEC));
    for (int i = 0; i < 64; i++)
        CHECK_EQ(copied(), getppid());
    CHECK_OK(mprotect(copy, 8192, PROT_READ));
    CHECK_OK(mprotect(copy, 8192, PROT_READ | PROT_EXEC));
    CHECK_EQ(copied(), getppid());
    CHECK_OK(munmap(copy, 8192));
}
