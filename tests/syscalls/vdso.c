// SPDX-License-Identifier: MIT
// The vDSO: the ELF image AT_SYSINFO_EHDR points at is parsed as a dynamic linker would
// (program headers, dynamic section, hash tables, symbols and their versions), and the
// five functions found through it (clock_gettime, clock_getres, gettimeofday, time,
// getcpu) are called directly and compared with the system calls, bad pointers included.
#include <elf.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

// The image as a dynamic linker sees it.
struct vdso {
    uintptr_t base; // the ELF header; also the load bias (the image is linked at 0)
    const Elf64_Ehdr *header;
    const Elf64_Phdr *load, *dynamic, *note;
    const Elf64_Word *hash;  // DT_HASH
    const Elf64_Word *gnu_hash; // DT_GNU_HASH
    const Elf64_Sym *symbols;
    const char *strings;
    const Elf64_Half *versym;
    const Elf64_Verdef *verdef;
    const char *soname;
};

static int read_vdso(struct vdso *v) {
    memset(v, 0, sizeof *v);
    v->base = getauxval(AT_SYSINFO_EHDR);
    if (!v->base)
        return 0;
    v->header = (const Elf64_Ehdr *)v->base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(v->base + v->header->e_phoff);
    for (int i = 0; i < v->header->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !v->load)
            v->load = &ph[i];
        if (ph[i].p_type == PT_DYNAMIC)
            v->dynamic = &ph[i];
        if (ph[i].p_type == PT_NOTE)
            v->note = &ph[i];
    }
    if (!v->load || !v->dynamic)
        return 0;
    uintptr_t bias = v->base + v->load->p_offset - v->load->p_vaddr;
    const Elf64_Dyn *d = (const Elf64_Dyn *)(bias + v->dynamic->p_vaddr);
    uint64_t soname = 0;
    for (; d->d_tag != DT_NULL; d++) {
        uintptr_t at = bias + d->d_un.d_ptr;
        switch (d->d_tag) {
        case DT_HASH: v->hash = (const Elf64_Word *)at; break;
        case DT_GNU_HASH: v->gnu_hash = (const Elf64_Word *)at; break;
        case DT_SYMTAB: v->symbols = (const Elf64_Sym *)at; break;
        case DT_STRTAB: v->strings = (const char *)at; break;
        case DT_VERSYM: v->versym = (const Elf64_Half *)at; break;
        case DT_VERDEF: v->verdef = (const Elf64_Verdef *)at; break;
        case DT_SONAME: soname = d->d_un.d_val; break;
        }
    }
    if (v->strings && soname)
        v->soname = v->strings + soname;
    return v->symbols && v->strings;
}

static uint32_t sysv_hash(const char *name) {
    uint32_t h = 0;
    for (; *name; name++) {
        h = (h << 4) + (unsigned char)*name;
        h ^= (h >> 24) & 0xf0;
    }
    return h & 0x0fffffff;
}

static uint32_t gnu_hash(const char *name) {
    uint32_t h = 5381;
    for (; *name; name++)
        h = h * 33 + (unsigned char)*name;
    return h;
}

// The name of the version of symbol `index` (its Verdef entry), or NULL.
static const char *version_of(const struct vdso *v, uint32_t index) {
    if (!v->versym || !v->verdef)
        return NULL;
    Elf64_Half wanted = v->versym[index] & 0x7fff;
    const Elf64_Verdef *def = v->verdef;
    for (;;) {
        if (!(def->vd_flags & VER_FLG_BASE) && def->vd_ndx == wanted) {
            const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)def + def->vd_aux);
            return v->strings + aux->vda_name;
        }
        if (!def->vd_next)
            return NULL;
        def = (const Elf64_Verdef *)((const char *)def + def->vd_next);
    }
}

static int matches(const struct vdso *v, uint32_t index, const char *name) {
    const Elf64_Sym *s = &v->symbols[index];
    return strcmp(v->strings + s->st_name, name) == 0 && s->st_shndx != SHN_UNDEF;
}

// A symbol by DT_HASH (the index, or 0 when absent or there is no such table).
static uint32_t lookup_sysv(const struct vdso *v, const char *name) {
    if (!v->hash)
        return 0;
    uint32_t nbucket = v->hash[0];
    const Elf64_Word *bucket = v->hash + 2, *chain = bucket + nbucket;
    for (uint32_t i = bucket[sysv_hash(name) % nbucket]; i; i = chain[i])
        if (matches(v, i, name))
            return i;
    return 0;
}

// A symbol by DT_GNU_HASH, bloom filter included (the index, or 0).
static uint32_t lookup_gnu(const struct vdso *v, const char *name) {
    if (!v->gnu_hash)
        return 0;
    uint32_t nbuckets = v->gnu_hash[0], symoffset = v->gnu_hash[1];
    uint32_t bloom_size = v->gnu_hash[2], bloom_shift = v->gnu_hash[3];
    const uint64_t *bloom = (const uint64_t *)(v->gnu_hash + 4);
    const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    uint32_t h = gnu_hash(name);
    uint64_t word = bloom[(h / 64) % bloom_size];
    uint64_t mask = (1ull << (h % 64)) | (1ull << ((h >> bloom_shift) % 64));
    if ((word & mask) != mask)
        return 0;
    for (uint32_t i = buckets[h % nbuckets]; i >= symoffset; i++) {
        if (((chain[i - symoffset] ^ h) >> 1) == 0 && matches(v, i, name))
            return i;
        if (chain[i - symoffset] & 1)
            break;
    }
    return 0;
}

// Finds `name` as glibc's dl_vdso_vsym does (by hash, version LINUX_2.6), failing the
// test unless both hash tables agree and the symbol is a function of that version.
static void *find(const struct vdso *v, const char *name, int weak) {
    uint32_t by_sysv = lookup_sysv(v, name), by_gnu = lookup_gnu(v, name);
    CHECK(v->hash || v->gnu_hash);
    uint32_t index = by_gnu ? by_gnu : by_sysv;
    if (v->hash && v->gnu_hash)
        CHECK_EQ(by_sysv, by_gnu);
    if (!index) {
        check_fail(__FILE__, __LINE__, "no symbol %s in the vDSO", name);
        return NULL;
    }
    const Elf64_Sym *s = &v->symbols[index];
    CHECK_EQ(ELF64_ST_TYPE(s->st_info), STT_FUNC);
    CHECK_EQ(ELF64_ST_BIND(s->st_info), weak ? STB_WEAK : STB_GLOBAL);
    const char *version = version_of(v, index);
    if (!version || strcmp(version, "LINUX_2.6") != 0)
        check_fail(__FILE__, __LINE__, "%s has version %s, not LINUX_2.6", name,
                   version ? version : "(none)");
    return (void *)(v->base - v->load->p_vaddr + s->st_value);
}

typedef int (*clock_fn)(clockid_t, struct timespec *);
typedef int (*timeofday_fn)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static struct {
    clock_fn clock_gettime, clock_getres;
    timeofday_fn gettimeofday;
    time_fn time;
    getcpu_fn getcpu;
} vdso_calls;

// The five functions, found through the image (the test fails if one is missing).
static int load_calls(void) {
    struct vdso v;
    if (!read_vdso(&v)) {
        check_fail(__FILE__, __LINE__, "no readable vDSO at AT_SYSINFO_EHDR");
        return 0;
    }
    vdso_calls.clock_gettime = (clock_fn)find(&v, "__vdso_clock_gettime", 0);
    vdso_calls.clock_getres = (clock_fn)find(&v, "__vdso_clock_getres", 0);
    vdso_calls.gettimeofday = (timeofday_fn)find(&v, "__vdso_gettimeofday", 0);
    vdso_calls.time = (time_fn)find(&v, "__vdso_time", 0);
    vdso_calls.getcpu = (getcpu_fn)find(&v, "__vdso_getcpu", 0);
    return vdso_calls.clock_gettime && vdso_calls.clock_getres && vdso_calls.gettimeofday &&
           vdso_calls.time && vdso_calls.getcpu;
}

TEST(vdso_is_an_elf_shared_object) {
    struct vdso v;
    CHECK(read_vdso(&v));
    if (!v.base)
        return;
    CHECK_MEM(v.header->e_ident, ELFMAG, SELFMAG);
    CHECK_EQ(v.header->e_ident[EI_CLASS], ELFCLASS64);
    CHECK_EQ(v.header->e_ident[EI_DATA], ELFDATA2LSB);
    CHECK_EQ(v.header->e_type, ET_DYN);
    CHECK_EQ(v.header->e_machine, EM_X86_64);
    CHECK_EQ(v.header->e_phentsize, sizeof(Elf64_Phdr));
    CHECK(v.load && v.dynamic && v.note);
    if (!v.load)
        return;
    CHECK_EQ(v.load->p_offset, 0); // the headers are in the one loaded segment
    CHECK_EQ(v.load->p_flags, PF_R | PF_X);
    CHECK(v.hash || v.gnu_hash);
    CHECK(v.versym && v.verdef);
    CHECK(v.soname && strcmp(v.soname, "linux-vdso.so.1") == 0);
}

TEST(vdso_symbols_have_version_linux_2_6) {
    struct vdso v;
    if (!read_vdso(&v)) {
        check_fail(__FILE__, __LINE__, "no readable vDSO");
        return;
    }
    static const char *const names[] = {"clock_gettime", "clock_getres", "gettimeofday",
                                        "time", "getcpu"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        char prefixed[64];
        snprintf(prefixed, sizeof prefixed, "__vdso_%s", names[i]);
        void *strong = find(&v, prefixed, 0);
        void *weak = find(&v, names[i], 1); // Linux's weak alias of the same code
        CHECK(strong && strong == weak);
    }
    // A name the vDSO does not export is not found.
    CHECK_EQ(lookup_sysv(&v, "__vdso_nothing"), 0);
    CHECK_EQ(lookup_gnu(&v, "__vdso_nothing"), 0);
}

// The "Linux" note holds the kernel's version code, as uname's release gives it.
TEST(vdso_linux_note_is_the_release) {
    struct vdso v;
    struct utsname names;
    if (!read_vdso(&v) || !v.note) {
        check_fail(__FILE__, __LINE__, "no PT_NOTE in the vDSO");
        return;
    }
    CHECK_OK(uname(&names));
    unsigned major = 0, minor = 0, patch = 0;
    sscanf(names.release, "%u.%u.%u", &major, &minor, &patch);
    uint32_t expected = major << 16 | (minor > 255 ? 255 : minor) << 8 | (patch > 255 ? 255 : patch);
    int found = 0;
    const char *at = (const char *)(v.base + v.note->p_offset);
    const char *end = at + v.note->p_filesz;
    while (at < end) {
        const Elf64_Nhdr *n = (const Elf64_Nhdr *)at;
        const char *name = at + sizeof *n, *desc = name + ((n->n_namesz + 3) & ~3u);
        if (n->n_type == 0 && n->n_namesz == 6 && memcmp(name, "Linux", 6) == 0) {
            CHECK_EQ(n->n_descsz, 4);
            CHECK_EQ(*(const uint32_t *)desc, expected);
            found = 1;
        }
        at = desc + ((n->n_descsz + 3) & ~3u);
    }
    CHECK(found);
}

// /proc/self/maps names the vDSO's pages [vdso] (read and execute) and its data [vvar].
TEST(vdso_in_proc_self_maps) {
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    FILE *maps = fopen("/proc/self/maps", "r");
    CHECK(maps != NULL);
    if (!maps)
        return;
    char line[512];
    int vdso = 0, vvar = 0;
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3)
            continue;
        if (strstr(line, " [vdso]\n")) {
            vdso++;
            CHECK_EQ(start, base);
            CHECK_STR(perms, "r-xp");
        }
        if (strstr(line, " [vvar]\n")) {
            vvar++;
            CHECK_STR(perms, "r--p");
            CHECK(end <= base);
        }
    }
    fclose(maps);
    CHECK_EQ(vdso, 1);
    CHECK_EQ(vvar, 1);
}

// glibc finds the same functions: clock_gettime through it answers like the system call.
static int64_t ns_of(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

// The result a system call gives, as a vDSO function returns it (0 or -errno).
static long raw(long result) { return result == -1 ? -errno : result; }

// Each clock the vDSO serves answers between two system calls on the same clock, and
// with the system call's result (an id the LibOS does not know gives the same EINVAL).
TEST(vdso_clock_gettime_matches_the_system_call) {
    if (!load_calls())
        return;
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
                                       CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
                                       CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID};
    for (unsigned i = 0; i < sizeof clocks / sizeof *clocks; i++) {
        struct timespec before, during, after;
        long expected = raw(syscall(SYS_clock_gettime, clocks[i], &before));
        CHECK_EQ(vdso_calls.clock_gettime(clocks[i], &during), expected);
        CHECK_EQ(raw(syscall(SYS_clock_gettime, clocks[i], &after)), expected);
        if (expected != 0)
            continue;
        CHECK(during.tv_nsec >= 0 && during.tv_nsec < 1000000000);
        if (ns_of(during) < ns_of(before) || ns_of(during) > ns_of(after))
            check_fail(__FILE__, __LINE__, "clock %d: %lld is not within [%lld, %lld]",
                       clocks[i], (long long)ns_of(during), (long long)ns_of(before),
                       (long long)ns_of(after));
    }
}

// Ids no clock has give -EINVAL (Linux's vDSO makes the system call for them). Not 16 to
// 23: Linux 6.17's auxiliary clocks, whose resolution its vDSO gives even when they are
// off and the system call says EINVAL.
TEST(vdso_clock_gettime_bad_clock) {
    if (!load_calls())
        return;
    struct timespec ts;
    static const clockid_t bad[] = {12, 24, 4242, -1 /* a CPU clock of no valid kind */};
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ(vdso_calls.clock_gettime(bad[i], &ts), -EINVAL);
        CHECK_EQ(vdso_calls.clock_getres(bad[i], &ts), -EINVAL);
    }
}

// Faults: Linux's vDSO writes the caller's pointers itself, so a bad one is a SIGSEGV at
// that address, not EFAULT; for the clocks it leaves to the system call, EFAULT.
static sigjmp_buf fault_return;
static volatile uintptr_t fault_address;

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    fault_address = (uintptr_t)info->si_addr;
    siglongjmp(fault_return, 1);
}

enum { kNoFault = 1 };
// Runs call(argument); the address it faulted at, or kNoFault.
static uintptr_t fault_of(void (*call)(void *), void *argument) {
    struct sigaction action = {0}, old;
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, &old);
    fault_address = kNoFault;
    if (sigsetjmp(fault_return, 1) == 0)
        call(argument);
    sigaction(SIGSEGV, &old, NULL);
    return fault_address;
}

static void monotonic_into(void *p) { vdso_calls.clock_gettime(CLOCK_MONOTONIC, p); }
static void realtime_coarse_into(void *p) { vdso_calls.clock_gettime(CLOCK_REALTIME_COARSE, p); }
static void resolution_into(void *p) { vdso_calls.clock_getres(CLOCK_MONOTONIC, p); }
static void timeofday_into(void *p) { vdso_calls.gettimeofday(p, NULL); }
static void timezone_into(void *p) { vdso_calls.gettimeofday(NULL, p); }
static void time_into(void *p) { vdso_calls.time(p); }
static void cpu_into(void *p) { vdso_calls.getcpu(p, NULL, NULL); }
static void node_into(void *p) { vdso_calls.getcpu(NULL, p, NULL); }

TEST(vdso_bad_pointer_faults) {
    if (!load_calls())
        return;
    void (*const calls[])(void *) = {monotonic_into, realtime_coarse_into, resolution_into,
                                     timeofday_into,  timezone_into,        time_into,
                                     cpu_into,        node_into};
    for (unsigned i = 0; i < sizeof calls / sizeof *calls; i++)
        CHECK_EQ(fault_of(calls[i], BAD_PTR), (uintptr_t)BAD_PTR);
    // A null timespec faults too: only clock_getres allows one.
    CHECK_EQ(fault_of(monotonic_into, NULL), 0);
    // The CPU-time clocks go to the system call, which checks the pointer.
    CHECK_EQ(vdso_calls.clock_gettime(CLOCK_PROCESS_CPUTIME_ID, BAD_PTR), -EFAULT);
    CHECK_EQ(vdso_calls.clock_gettime(CLOCK_THREAD_CPUTIME_ID, NULL), -EFAULT);
    CHECK_EQ(vdso_calls.clock_getres(CLOCK_PROCESS_CPUTIME_ID, BAD_PTR), -EFAULT);
}

TEST(vdso_clock_getres_matches_the_system_call) {
    if (!load_calls())
        return;
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
                                       CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
                                       CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID};
    for (unsigned i = 0; i < sizeof clocks / sizeof *clocks; i++) {
        struct timespec expected = {-1, -1}, got = {-2, -2};
        long result = raw(syscall(SYS_clock_getres, clocks[i], &expected));
        CHECK_EQ(vdso_calls.clock_getres(clocks[i], &got), result);
        if (result == 0)
            CHECK_MEM(&got, &expected, sizeof got);
        // No place for the resolution: nothing is written, the answer is the same.
        CHECK_EQ(vdso_calls.clock_getres(clocks[i], NULL), result);
    }
}

TEST(vdso_gettimeofday_matches_the_system_call) {
    if (!load_calls())
        return;
    struct timeval before, during, after;
    struct timezone zone = {-1, -1}, expected_zone = {-2, -2};
    CHECK_OK(syscall(SYS_gettimeofday, &before, &expected_zone));
    CHECK_EQ(vdso_calls.gettimeofday(&during, &zone), 0);
    CHECK_OK(syscall(SYS_gettimeofday, &after, NULL));
    CHECK(during.tv_usec >= 0 && during.tv_usec < 1000000);
    int64_t b = before.tv_sec * 1000000ll + before.tv_usec;
    int64_t d = during.tv_sec * 1000000ll + during.tv_usec;
    int64_t a = after.tv_sec * 1000000ll + after.tv_usec;
    CHECK(b <= d && d <= a);
    CHECK_MEM(&zone, &expected_zone, sizeof zone);
    CHECK_EQ(vdso_calls.gettimeofday(NULL, NULL), 0);
    CHECK_EQ(vdso_calls.gettimeofday(NULL, &zone), 0);
}

TEST(vdso_time_matches_the_system_call) {
    if (!load_calls())
        return;
    time_t before = syscall(SYS_time, NULL);
    time_t stored = -1;
    time_t during = vdso_calls.time(&stored);
    time_t after = syscall(SYS_time, NULL);
    CHECK(before <= during && during <= after);
    CHECK_EQ(stored, during);
    time_t again = vdso_calls.time(NULL);
    CHECK(during <= again && again <= syscall(SYS_time, NULL));
}

TEST(vdso_getcpu_matches_the_system_call) {
    if (!load_calls())
        return;
    unsigned cpu = ~0u, node = ~0u, sys_cpu = ~0u, sys_node = ~0u;
    // The thread may move between the two calls: ask until both name one processor.
    do {
        CHECK_OK(syscall(SYS_getcpu, &sys_cpu, &sys_node, NULL));
        CHECK_EQ(vdso_calls.getcpu(&cpu, &node, NULL), 0);
    } while (cpu != sys_cpu);
    CHECK_EQ(node, sys_node);
    CHECK(cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
    CHECK_EQ(vdso_calls.getcpu(NULL, NULL, NULL), 0);
    CHECK_EQ(vdso_calls.getcpu(&cpu, NULL, BAD_PTR), 0); // the cache argument is unused
}

// A signal whose interrupt lands anywhere in a vDSO call is delivered (each round's loop
// ends on it): many one-shot timers, so that some land on the call's first and last
// instructions.
static volatile sig_atomic_t alarm_seen;
static void on_alarm(int sig) {
    (void)sig;
    struct timespec ts;
    vdso_calls.clock_gettime(CLOCK_MONOTONIC, &ts); // the vDSO is reentrant
    alarm_seen = 1;
}

TEST(vdso_call_interrupted_by_a_signal) {
    if (!load_calls())
        return;
    struct sigaction action = {0}, old;
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, &old);
    for (int round = 0; round < 300; round++) {
        alarm_seen = 0;
        struct itimerval timer = {{0, 0}, {0, 20 + round % 50}};
        CHECK_OK(setitimer(ITIMER_REAL, &timer, NULL));
        struct timespec ts;
        while (!alarm_seen)
            vdso_calls.clock_gettime(CLOCK_MONOTONIC, &ts);
    }
    sigaction(SIGALRM, &old, NULL);
}

// glibc uses the vDSO's functions: its clock_gettime agrees with the image's.
TEST(vdso_glibc_calls_agree) {
    if (!load_calls())
        return;
    struct timespec a, b, c;
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &a));
    CHECK_EQ(vdso_calls.clock_gettime(CLOCK_MONOTONIC, &b), 0);
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &c));
    CHECK(ns_of(a) <= ns_of(b) && ns_of(b) <= ns_of(c));
    CHECK_ERR(clock_gettime(4242, &a), EINVAL);
}
