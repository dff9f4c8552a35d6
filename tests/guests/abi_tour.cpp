// SPDX-License-Identifier: MIT
// A native guest that walks every family of the ABI on its success and error paths and
// prints a deterministic report, so runs through different extension stacks can be
// compared byte for byte. Usage: abi_tour SCRATCH_DIRECTORY. Exits with status 3.
#include "native.h"

using namespace native;

extern "C" int probe_write(uint32_t *addr);
extern "C" void syscall_probe(uint64_t entry, uint64_t number);
extern "C" uint64_t probe_entry, probe_rsp, probe_rip, probe_result;
extern "C" uint32_t probe_bad;

namespace {

const char *scratch;

void report(const char *what, bsc_status status) {
    print(out(), "%s: %s\n", what, bsc_status_name(status));
}

// "file:" + scratch + "/" + name, in a static buffer per call site.
const char *uri(char *buffer, const char *scheme, const char *name) {
    char *p = buffer;
    for (const char *s = scheme; *s;)
        *p++ = *s++;
    for (const char *s = scratch; *s;)
        *p++ = *s++;
    *p++ = '/';
    for (const char *s = name; *s;)
        *p++ = *s++;
    *p = 0;
    return buffer;
}

// ---- exceptions ---------------------------------------------------------------------

uint32_t interrupts_seen;
bool probe_context_seen; // syscall_probe's exception showed the registers it set

bool is_probe_context(const bsc_exception &ex) {
    const bsc_cpu_context &c = ex.context;
    // The `syscall` instruction puts rip in rcx and rflags in r11 before it traps.
    return c.rsp == probe_rsp && ex.code == c.rax && c.rbx == 0x101 && c.rcx == c.rip &&
           c.rdx == 0x103 && c.rsi == 0x104 && c.rdi == 0x105 && c.rbp == 0x106 &&
           c.r8 == 0x108 && c.r9 == 0x109 && c.r10 == 0x110 && c.r11 == c.rflags &&
           c.r12 == 0x112 && c.r13 == 0x113 && c.r14 == 0x114 && c.r15 == 0x115 &&
           (c.rflags & 1) && c.xstate && c.xstate_size >= 512 &&
           ex.address == (probe_entry ? c.rip - 2 : 0); // which way it came (ABI 1.13)
}

void on_exception(bsc_exception *ex) {
    bsc_cpu_context &c = ex->context;
    if (ex->kind == BSC_EXCEPTION_INTERRUPT) {
        __atomic_fetch_add(&interrupts_seen, 1, __ATOMIC_RELAXED);
    } else if (ex->kind == BSC_EXCEPTION_TIMESTAMP) {
        // rdtsc is trapped too: answer 42 and step over the instruction.
        c.rax = 42;
        c.rdx = 0;
        c.rip += ex->code;
    } else if (ex->kind == BSC_EXCEPTION_SYSCALL) {
        // A system call in guest code is trapped, never run: answer it here.
        if (c.rip == probe_rip) {
            probe_context_seen = is_probe_context(*ex);
            // The handler's own vector registers must not leak into the resumed context.
            asm volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm15, %%xmm15" ::: "xmm0", "xmm15");
        }
        c.rax = 1000 + ex->code;
    } else if (ex->kind == BSC_EXCEPTION_MEMORY) {
        // Only probe_write faults on purpose: return from it with 1.
        c.rip = *reinterpret_cast<uint64_t *>(c.rsp);
        c.rsp += 8;
        c.rax = 1;
    } else {
        print(err(), "unexpected exception %u\n", ex->kind);
        exit(90);
    }
    abi().thread_context_restore(&c);
    exit(91);
}

// %fs's base, read as the block at it says: its first word is its own address (as in
// glibc's TLS); rdfsbase would need a kernel with FSGSBASE.
uint64_t read_fs() {
    uint64_t value;
    asm volatile("mov %%fs:0, %0" : "=r"(value));
    return value;
}

void tour_exceptions() {
    set_exception_handler(on_exception);
    uint32_t ok = 0;
    print(out(), "probe writable: %d\n", probe_write(&ok));
    print(out(), "probe wrote: %u\n", ok);
    print(out(), "probe null: %d\n", probe_write(nullptr));
    // getpid (39) as a raw system call: trapped and answered by the handler.
    long result;
    asm volatile("syscall" : "=a"(result) : "a"(39L) : "rcx", "r11", "memory");
    print(out(), "trapped syscall answered: %ld\n", result);
    // The same call with every register set, trapped and through the system call entry
    // (ABI 1.13): the exception shows the same context, and everything but rax survives.
    uint64_t entry = start_info().size > offsetof(bsc_start_info, syscall_entry)
                         ? start_info().syscall_entry
                         : 0;
    const uint64_t ways[] = {0, entry};
    for (uint64_t way : ways) {
        probe_context_seen = false;
        syscall_probe(way, 39);
        print(out(), "syscall %s: answered %lu, context %s, registers %s\n",
              way ? "entry" : "instruction", probe_result, probe_context_seen ? "as set" : "wrong",
              probe_bad ? "changed" : "kept");
    }
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    // The handler answers 42, where the machine traps rdtsc at all (`bascule host`).
    print(out(), "rdtsc: %s\n", low == 42 ? "trapped, answered 42" : "not trapped");
    // The guest's %fs survives downcalls and exceptions.
    static uint64_t tls_block[4];
    tls_block[0] = reinterpret_cast<uint64_t>(tls_block);
    check(abi().thread_set_segment(BSC_SEGMENT_FS, reinterpret_cast<uint64_t>(tls_block)),
          "thread_set_segment");
    report("set gs", abi().thread_set_segment(1, 0));
    bool kept = read_fs() == reinterpret_cast<uint64_t>(tls_block);
    probe_write(nullptr);
    kept = kept && read_fs() == reinterpret_cast<uint64_t>(tls_block);
    print(out(), "fs kept: %s\n", kept ? "yes" : "no");
}

// ---- memory -------------------------------------------------------------------------

void tour_memory() {
    uint64_t addr = 0;
    check(abi().vm_alloc(&addr, 3 * 4096, BSC_PROT_READ | BSC_PROT_WRITE, 0), "vm_alloc");
    auto *words = reinterpret_cast<uint32_t *>(addr);
    words[0] = 7;
    words[2048] = 9;
    check(abi().vm_protect(addr, 4096, BSC_PROT_READ), "vm_protect");
    print(out(), "write to read-only page faults: %d\n", probe_write(words));
    print(out(), "write to writable page faults: %d\n", probe_write(&words[1024]));
    check(abi().vm_reset(addr + 4096, 8192), "vm_reset");
    print(out(), "after reset: %u %u %u\n", words[0], words[1024], words[2048]);
    check(abi().vm_free(addr, 3 * 4096), "vm_free");
    print(out(), "freed page faults: %d\n", probe_write(words));
    uint64_t fixed = addr;
    report("vm_alloc fixed again", abi().vm_alloc(&fixed, 4096, BSC_PROT_READ, BSC_MAP_FIXED));
    report("vm_alloc size 0", abi().vm_alloc(&addr, 0, BSC_PROT_READ, 0));
    report("vm_free unowned", abi().vm_free(0x10000, 4096));
    report("vm_alloc bad out pointer",
           abi().vm_alloc(reinterpret_cast<uint64_t *>(8), 4096, BSC_PROT_READ, 0));
}

// ---- streams ------------------------------------------------------------------------

void tour_files() {
    char a[4096], b[4096];
    bsc_handle file;
    report("open missing", abi().stream_open(uri(a, "file:", "missing"), BSC_ACCESS_READ, 0,
                                             BSC_CREATE_NEVER, 0, &file));
    check(abi().stream_open(uri(a, "file:", "notes.txt"), BSC_ACCESS_RDWR, 0640,
                            BSC_CREATE_ALWAYS, 0, &file),
          "create notes.txt");
    bsc_handle again;
    report("create existing", abi().stream_open(a, BSC_ACCESS_RDWR, 0640, BSC_CREATE_ALWAYS, 0,
                                                &again));
    const char text[] = "first line\nsecond line\n";
    uint64_t done = 0;
    check(abi().stream_write(file, BSC_AT_POSITION, text, sizeof text - 1, &done), "write");
    print(out(), "wrote %lu bytes\n", done);
    uint64_t position = 0;
    check(abi().stream_seek(file, 6, BSC_SEEK_SET, &position), "seek");
    char line[64] = {};
    check(abi().stream_read(file, BSC_AT_POSITION, line, 4, &done), "read");
    print(out(), "read at 6: %s (position %lu)\n", line, position);
    check(abi().stream_read(file, 11, line, sizeof line - 1, &done), "pread");
    line[done] = 0;
    print(out(), "read at 11: %s", line);
    check(abi().stream_read(file, 1000, line, 8, &done), "read past end");
    print(out(), "read past end: %lu bytes\n", done);
    report("write bad buffer", abi().stream_write(file, 0, reinterpret_cast<void *>(8), 4, &done));
    check(abi().stream_set_length(file, 5), "set_length");
    bsc_stream_attributes attributes;
    check(abi().stream_attributes_query_by_handle(file, &attributes), "attributes");
    print(out(), "type %u size %lu mode %o\n", attributes.type, attributes.size,
          attributes.mode);
    check(abi().stream_flush(file, 0), "flush");
    check(abi().object_close(file), "close");
    report("close again", abi().object_close(file));

    check(abi().stream_rename(uri(a, "file:", "notes.txt"), uri(b, "file:", "renamed.txt"), 0),
          "rename");
    check(abi().stream_link(uri(a, "file:", "link"), "renamed.txt", BSC_LINK_SYMBOLIC),
          "symlink");
    char target[64] = {};
    check(abi().stream_read_link(a, target, sizeof target - 1, &done), "read_link");
    print(out(), "link -> %s\n", target);
    check(abi().stream_attributes_query(a, BSC_QUERY_NOFOLLOW, &attributes), "lstat");
    print(out(), "link type %u\n", attributes.type);
    check(abi().stream_attributes_query(a, 0, &attributes), "stat");
    print(out(), "target type %u size %lu\n", attributes.type, attributes.size);

    bsc_handle sub;
    check(abi().stream_open(uri(a, "dir:", "sub"), BSC_ACCESS_READ, 0750, BSC_CREATE_ALWAYS,
                            0, &sub),
          "mkdir");
    abi().object_close(sub);
    report("delete non-empty parent",
           abi().stream_delete(uri(a, "dir:", ""), BSC_DELETE_DIRECTORY));

    // List the scratch directory; entries arrive in host order, so print them sorted.
    bsc_handle dir;
    check(abi().stream_open(uri(a, "dir:", ""), BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &dir),
          "open dir");
    char records[4096];
    const char *names[16];
    int count = 0;
    while (abi().stream_read(dir, BSC_AT_POSITION, records, sizeof records, &done) == BSC_OK &&
           done > 0)
        for (uint64_t at = 0; at < done;) {
            auto *entry = reinterpret_cast<bsc_dirent *>(records + at);
            if (count < 16 && entry->name[0] != '.') {
                char *copy = static_cast<char *>(allocate(4096));
                memcpy(copy, entry->name, strlen(entry->name) + 1);
                names[count++] = copy;
            }
            at += entry->record_length;
        }
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && memcmp(names[j - 1], names[j], 64) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    print(out(), "directory:");
    for (int i = 0; i < count; i++)
        print(out(), " %s", names[i]);
    print(out(), "\n");
    abi().object_close(dir);

    check(abi().stream_delete(uri(a, "file:", "link"), 0), "unlink link");
    check(abi().stream_delete(uri(a, "dir:", "sub"), BSC_DELETE_DIRECTORY), "rmdir");
    report("open bad uri", abi().stream_open("nonsense", BSC_ACCESS_READ, 0, 0, 0, &file));
    report("open bad pointer", abi().stream_open(reinterpret_cast<const char *>(8),
                                                 BSC_ACCESS_READ, 0, 0, 0, &file));
}

void tour_pipes() {
    bsc_handle ends[2];
    check(abi().stream_open_pair("pipe:", 0, ends), "pipe");
    uint64_t done;
    check(abi().stream_write(ends[1], BSC_AT_POSITION, "ping", 4, &done), "pipe write");
    bsc_wait_item item = {ends[0], BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    check(abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready), "wait pipe");
    char data[8] = {};
    check(abi().stream_read(ends[0], BSC_AT_POSITION, data, sizeof data - 1, &done), "pipe read");
    print(out(), "pipe: %s (ready %u)\n", data, ready);
    abi().object_close(ends[1]);
    check(abi().stream_read(ends[0], BSC_AT_POSITION, data, sizeof data, &done), "eof read");
    print(out(), "pipe after close: %lu bytes\n", done);
    abi().object_close(ends[0]);
}

// ---- objects and threads ------------------------------------------------------------

void tour_events() {
    bsc_handle event;
    check(abi().event_create(0, &event), "event_create");
    bsc_wait_item item = {event, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    report("wait unset event", abi().objects_wait_any(&item, 1, 1000000, &ready));
    check(abi().event_set(event), "event_set");
    check(abi().objects_wait_any(&item, 1, 0, &ready), "wait set event");
    print(out(), "auto-reset event ready: %u\n", ready);
    report("wait consumed event", abi().objects_wait_any(&item, 1, 0, &ready));
    abi().object_close(event);
    uint32_t word = 5;
    report("sync_wait changed value", abi().sync_wait(&word, 4, 0));
    report("sync_wait timeout", abi().sync_wait(&word, 5, 1000000));
}

uint64_t shared_counter;

void count_up(void *) {
    for (int i = 0; i < 10000; i++)
        __atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
}

void wait_for_interrupt(void *event) {
    bsc_wait_item item = {*static_cast<bsc_handle *>(event), BSC_WAIT_READ, 0};
    uint32_t ready;
    bsc_status status;
    while ((status = abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready)) ==
           BSC_E_INTERRUPTED)
        if (__atomic_load_n(&interrupts_seen, __ATOMIC_RELAXED))
            break;
}

void tour_threads() {
    uint32_t exits[4] = {1, 1, 1, 1};
    for (auto &exit_word : exits)
        start_thread(count_up, nullptr, &exit_word);
    for (auto &exit_word : exits)
        join_thread(&exit_word);
    print(out(), "threads counted %lu\n", shared_counter);

    bsc_handle never;
    check(abi().event_create(BSC_EVENT_MANUAL_RESET, &never), "event_create");
    uint32_t exit_word = 1;
    bsc_handle waiter = start_thread(wait_for_interrupt, &never, &exit_word);
    // Interrupt until the waiter has seen it (it may not have started waiting yet).
    while (__atomic_load_n(&interrupts_seen, __ATOMIC_RELAXED) == 0) {
        check(abi().thread_interrupt(waiter), "thread_interrupt");
        abi().sync_wait(&exit_word, 1, 1000000);
    }
    join_thread(&exit_word);
    print(out(), "interrupt delivered: %s\n", interrupts_seen ? "yes" : "no");
    bsc_wait_item item = {waiter, BSC_WAIT_READ, 0};
    uint32_t ready = 0;
    check(abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready), "wait thread handle");
    print(out(), "thread handle ready: %u\n", ready);
    report("interrupt bad handle", abi().thread_interrupt(0));
}

// ---- time, randomness, system -------------------------------------------------------

void tour_misc() {
    int64_t t1, t2, now;
    check(abi().time_query(BSC_CLOCK_MONOTONIC, &t1), "monotonic");
    check(abi().time_query(BSC_CLOCK_MONOTONIC, &t2), "monotonic");
    check(abi().time_query(BSC_CLOCK_REALTIME, &now), "realtime");
    print(out(), "monotonic ordered: %s, realtime after 2020: %s\n", t2 >= t1 ? "yes" : "no",
          now > 1577836800ll * 1000000000ll ? "yes" : "no");
    report("bad clock", abi().time_query(99, &now));
    uint8_t bytes[32] = {};
    check(abi().random_read(bytes, sizeof bytes), "random_read");
    int nonzero = 0;
    for (uint8_t byte : bytes)
        nonzero += byte != 0;
    print(out(), "random bytes look random: %s\n", nonzero > 16 ? "yes" : "no");
    bsc_system_info info;
    check(abi().system_info_query(&info), "system_info_query");
    print(out(), "cpus > 0: %s, page size %u, machine %s\n", info.cpu_count > 0 ? "yes" : "no",
          info.page_size, info.machine);
    const char debug[] = "abi_tour: debug_print works\n";
    check(abi().debug_print(debug, sizeof debug - 1), "debug_print");
}

} // namespace

int guest_main(int argc, char **argv) {
    if (argc != 2) {
        print(err(), "usage: abi_tour SCRATCH_DIRECTORY\n");
        return 2;
    }
    scratch = argv[1];
    tour_exceptions();
    tour_memory();
    tour_files();
    tour_pipes();
    tour_events();
    tour_threads();
    tour_misc();
    return 3;
}
