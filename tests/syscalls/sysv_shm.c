// SPDX-License-Identifier: MIT
// The System V shared memory family: shmget, shmat, shmdt, shmctl. Segments are
// machine-wide: each test makes its own (IPC_PRIVATE, or a random key) and removes it.
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static key_t random_key(void) {
    key_t key = IPC_PRIVATE;
    while (key == IPC_PRIVATE)
        getrandom(&key, sizeof key, 0);
    return key;
}

// shmat's failure, as a number CHECK_ERR takes.
static long attach(int id, const void *at, int flags) { return (long)shmat(id, at, flags); }

static struct shmid_ds stat_of(int id) {
    struct shmid_ds ds;
    memset(&ds, 0xff, sizeof ds);
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    return ds;
}

TEST(shm_attach_share_detach) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600));
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    CHECK_EQ((uintptr_t)p % 4096, 0);
    CHECK_EQ(p[9999], 0); // zero-filled
    strcpy(p, "shared");
    char *q = shmat(id, NULL, SHM_RDONLY);
    CHECK(q != (void *)-1 && q != p);
    CHECK_STR(q, "shared");
    p[1] = 'H';
    CHECK_EQ(q[1], 'H'); // the same pages
    CHECK_ERR(mprotect(q, 4096, PROT_READ | PROT_WRITE), EACCES); // attached read-only
    struct shmid_ds ds = stat_of(id);
    CHECK_EQ(ds.shm_segsz, 10000);
    CHECK_EQ(ds.shm_nattch, 2);
    CHECK_EQ(ds.shm_cpid, getpid());
    CHECK_EQ(ds.shm_lpid, getpid());
    CHECK_EQ(ds.shm_perm.__key, IPC_PRIVATE);
    CHECK_EQ(ds.shm_perm.mode, 0600);
    CHECK_EQ(ds.shm_perm.uid, geteuid());
    CHECK_EQ(ds.shm_perm.cuid, geteuid());
    CHECK_EQ(ds.shm_perm.gid, getegid());
    CHECK(ds.shm_atime != 0 && ds.shm_ctime != 0);
    CHECK_EQ(ds.shm_dtime, 0);
    CHECK_OK(shmdt(q));
    ds = stat_of(id);
    CHECK_EQ(ds.shm_nattch, 1);
    CHECK(ds.shm_dtime != 0);
    CHECK_ERR(shmdt(q), EINVAL); // nothing attached there now
    // Removed while attached: it stays until the last detach, marked, its key private.
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    ds = stat_of(id);
    CHECK(ds.shm_perm.mode & SHM_DEST);
    CHECK_STR(p, "sHared");
    CHECK_OK(shmdt(p));
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
}

TEST(shm_in_the_memory_map) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600));
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    char maps[65536], want[64];
    CHECK(check_read_file("/proc/self/maps", maps, sizeof maps) > 0);
    snprintf(want, sizeof want, "%lx-%lx rw-s 00000000 ", (unsigned long)p,
             (unsigned long)p + 8192);
    char *line = strstr(maps, want);
    CHECK(line != NULL);
    if (line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        char inode[32];
        snprintf(inode, sizeof inode, " %d ", id);
        CHECK(strstr(line, inode) != NULL); // the segment's id is its inode
        CHECK(strstr(line, "/SYSV00000000 (deleted)") != NULL);
    }
    // munmap detaches as shmdt does.
    CHECK_OK(munmap(p, 8192));
    CHECK_EQ(stat_of(id).shm_nattch, 0);
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(shmget_keys) {
    key_t key = random_key();
    CHECK_ERR(shmget(key, 4096, 0600), ENOENT);
    int id = CHECK_OK(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0640));
    CHECK_ERR(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_EQ(shmget(key, 0, 0), id);
    CHECK_EQ(shmget(key, 4096, IPC_CREAT | 0600), id);
    CHECK_ERR(shmget(key, 8192, 0), EINVAL); // more than the segment has
    struct shmid_ds ds = stat_of(id);
    CHECK_EQ(ds.shm_perm.__key, key);
    CHECK_EQ(ds.shm_perm.mode, 0640);
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_ERR(shmget(key, 4096, 0), ENOENT); // gone at once: nothing had it attached
    CHECK_ERR(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
}

TEST(shmat_addresses) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK_ERR(attach(-1, NULL, 0), EINVAL);
    CHECK_ERR(attach(id, m + 1, 0), EINVAL);          // unaligned, without SHM_RND
    CHECK_ERR(attach(id, NULL, SHM_REMAP), EINVAL);   // SHM_REMAP needs an address
    CHECK_ERR(attach(id, m, 0), EINVAL);              // in use, without SHM_REMAP
    CHECK_EQ(attach(id, m + 5, SHM_RND | SHM_REMAP), (long)m); // rounded down, replacing
    m[0] = 'x';
    CHECK_ERR(shmdt(m + 1), EINVAL);
    CHECK_ERR(shmdt(m + 4096), EINVAL); // private memory, not an attachment
    CHECK_OK(shmdt(m));
    CHECK_ERR(shmdt(m), EINVAL);
    CHECK_OK(munmap(m + 4096, 2 * 4096));
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    CHECK_EQ(p[0], 'x'); // what was written through the first attachment
    CHECK_OK(shmdt(p));
    CHECK_EQ(stat_of(id).shm_nattch, 0);
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_ERR(attach(id, NULL, 0), EINVAL); // removed
}

TEST(shmdt_takes_every_piece) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600));
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    CHECK_OK(mprotect(p + 4096, 4096, PROT_READ)); // three pieces now
    CHECK_ERR(shmdt(p + 4096), EINVAL);           // not where it was attached
    CHECK_OK(shmdt(p));
    CHECK_EQ(stat_of(id).shm_nattch, 0);
    char maps[65536], want[32];
    CHECK(check_read_file("/proc/self/maps", maps, sizeof maps) > 0);
    snprintf(want, sizeof want, "%lx-", (unsigned long)p + 4096);
    CHECK(strstr(maps, want) == NULL);
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
}

TEST(shmctl_commands) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
    struct shmid_ds ds = stat_of(id);
    CHECK_ERR(syscall(SYS_shmctl, -1, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_shmctl, id, -1, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_shmctl, id, 99, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_shmctl, id, IPC_STAT, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_shmctl, id, IPC_SET, BAD_PTR), EFAULT);
    ds.shm_perm.mode = 0644;
    CHECK_OK(shmctl(id, IPC_SET, &ds));
    CHECK_EQ(stat_of(id).shm_perm.mode, 0644);
    struct shminfo info;
    int highest = CHECK_OK(shmctl(id, IPC_INFO, (struct shmid_ds *)&info));
    char text[64];
    CHECK(check_read_file("/proc/sys/kernel/shmmni", text, sizeof text) > 0);
    CHECK_EQ(info.shmmni, strtoul(text, NULL, 10));
    CHECK_ERR(syscall(SYS_shmctl, id, IPC_INFO, BAD_PTR), EFAULT);
    struct shm_info usage;
    CHECK(CHECK_OK(shmctl(id, SHM_INFO, (struct shmid_ds *)&usage)) >= 0);
    CHECK(usage.used_ids >= 1);
    int found = 0;
    for (int index = 0; index <= highest; index++) {
        struct shmid_ds at;
        found |= syscall(SYS_shmctl, index, SHM_STAT_ANY, &at) == id;
    }
    CHECK(found);
    if (check_capable(14 /* CAP_IPC_LOCK */) == 1) {
        CHECK_OK(shmctl(id, SHM_LOCK, NULL));
        CHECK(stat_of(id).shm_perm.mode & SHM_LOCKED);
        CHECK_OK(shmctl(id, SHM_UNLOCK, NULL));
        CHECK(!(stat_of(id).shm_perm.mode & SHM_LOCKED));
    }
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_ERR(shmctl(id, IPC_RMID, NULL), EINVAL);
}

TEST(shm_shared_with_a_child) {
    int id = CHECK_OK(shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
    volatile char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        p[0] = 'c';
        struct shmid_ds ds;
        int ok = shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 2;
        _exit(ok ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(p[0], 'c');
    struct shmid_ds ds = stat_of(id);
    CHECK_EQ(ds.shm_nattch, 1);
    CHECK_EQ(ds.shm_lpid, pid); // its end detached it
    CHECK_OK(shmdt((void *)p));
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
}

static int private_id;
static key_t private_key;

static void refused_to_nobody(void) {
    struct shmid_ds ds;
    CHECK_ERR(attach(private_id, NULL, SHM_RDONLY), EACCES);
    CHECK_ERR(shmctl(private_id, IPC_STAT, &ds), EACCES);
    CHECK_ERR(shmctl(private_id, IPC_RMID, NULL), EPERM);
    CHECK_ERR(shmget(private_key, 0, 0400), EACCES); // asks for the read permission
    CHECK_EQ(shmget(private_key, 0, 0), private_id); // asks for none
}

TEST(shm_permissions) {
    private_key = random_key();
    private_id = CHECK_OK(shmget(private_key, 4096, IPC_CREAT | IPC_EXCL | 0600));
    check_in_child_as_nobody(refused_to_nobody);
    CHECK_OK(shmctl(private_id, IPC_RMID, NULL));
}
