// SPDX-License-Identifier: MIT
// The System V semaphore family: semget, semop, semtimedop, semctl. Sets are machine-wide:
// each test makes its own (IPC_PRIVATE, or a random key) and removes it.
#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// What semctl's fourth argument is (the caller defines it, says semctl(2)).
union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *info;
};

static long control(int id, int number, int command, unsigned long argument) {
    return syscall(SYS_semctl, id, number, command, argument);
}

static long value_of(int id, int number) { return control(id, number, GETVAL, 0); }

static key_t random_key(void) {
    key_t key = IPC_PRIVATE;
    while (key == IPC_PRIVATE)
        getrandom(&key, sizeof key, 0);
    return key;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

TEST(semop_normal) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
    CHECK_EQ(value_of(id, 0), 0);
    struct sembuf up = {0, 2, 0};
    CHECK_OK(semop(id, &up, 1));
    CHECK_EQ(value_of(id, 0), 2);
    CHECK_EQ(control(id, 0, GETPID, 0), getpid());
    struct sembuf both[2] = {{0, -1, 0}, {1, 1, 0}};
    CHECK_OK(semop(id, both, 2));
    CHECK_EQ(value_of(id, 0), 1);
    CHECK_EQ(value_of(id, 1), 1);
    // All or nothing: the second cannot be done, so the first is not either.
    struct sembuf blocked[2] = {{0, -1, 0}, {2, -1, IPC_NOWAIT}};
    CHECK_ERR(semop(id, blocked, 2), EAGAIN);
    CHECK_EQ(value_of(id, 0), 1);
    struct sembuf zero = {0, 0, IPC_NOWAIT};
    CHECK_ERR(semop(id, &zero, 1), EAGAIN);
    struct semid_ds ds;
    CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
    CHECK_EQ(ds.sem_nsems, 3);
    CHECK_EQ(ds.sem_perm.mode, 0600);
    CHECK_EQ(ds.sem_perm.uid, geteuid());
    CHECK(ds.sem_otime != 0 && ds.sem_ctime != 0);
    CHECK_EQ(control(id, 0, GETNCNT, 0), 0);
    CHECK_EQ(control(id, 0, GETZCNT, 0), 0);
    CHECK_OK(semctl(id, 0, IPC_RMID));
    CHECK_ERR(value_of(id, 0), EINVAL);
}

TEST(semop_errors) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 2, IPC_CREAT | 0600));
    struct sembuf op = {0, 1, 0};
    CHECK_ERR(semop(id, &op, 0), EINVAL);
    CHECK_ERR(semop(-1, &op, 1), EINVAL);
    CHECK_ERR(syscall(SYS_semop, id, &op, 100000), E2BIG); // before the list is read
    CHECK_ERR(syscall(SYS_semop, id, BAD_PTR, 1), EFAULT);
    struct sembuf beyond = {2, 1, 0};
    CHECK_ERR(semop(id, &beyond, 1), EFBIG);
    CHECK_OK(control(id, 0, SETVAL, 5));
    struct sembuf too_much = {0, 32767, 0};
    CHECK_ERR(semop(id, &too_much, 1), ERANGE);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(semtimedop(id, &op, 1, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_semtimedop, id, &op, 1, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_semtimedop, id, BAD_PTR, 1, &bad), EFAULT); // the list first
    CHECK_EQ(value_of(id, 0), 5);
    CHECK_OK(semctl(id, 0, IPC_RMID));
    CHECK_ERR(semop(id, &op, 1), EINVAL);
}

TEST(semtimedop_times_out) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
    struct sembuf down = {0, -1, 0};
    struct timespec wait = {0, 100 * 1000000};
    long long start = now_ns();
    CHECK_ERR(semtimedop(id, &down, 1, &wait), EAGAIN);
    CHECK(now_ns() - start >= 100 * 1000000LL);
    struct timespec none = {0, 0};
    CHECK_ERR(semtimedop(id, &down, 1, &none), EAGAIN);
    struct sembuf up = {0, 1, 0};
    CHECK_OK(semtimedop(id, &up, 1, &none));
    CHECK_OK(semtimedop(id, &down, 1, &wait));
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

TEST(semctl_values) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
    unsigned short set[3] = {5, 6, 7}, got[3] = {0};
    CHECK_OK(semctl(id, 0, SETALL, (union semun){.array = set}));
    CHECK_OK(semctl(id, 0, GETALL, (union semun){.array = got}));
    CHECK_MEM(got, set, sizeof set);
    CHECK_OK(control(id, 1, SETVAL, 32767));
    CHECK_EQ(value_of(id, 1), 32767);
    CHECK_ERR(control(id, 1, SETVAL, 32768), ERANGE);
    CHECK_ERR(control(id, 1, SETVAL, (unsigned)-1), ERANGE);
    CHECK_ERR(control(id, 3, SETVAL, 1), EINVAL);
    CHECK_ERR(control(id, -1, GETVAL, 0), EINVAL);
    unsigned short over[3] = {1, 40000, 1};
    CHECK_ERR(semctl(id, 0, SETALL, (union semun){.array = over}), ERANGE);
    CHECK_ERR(control(id, 0, GETALL, (unsigned long)BAD_PTR), EFAULT);
    CHECK_ERR(control(id, 0, SETALL, (unsigned long)BAD_PTR), EFAULT);
    CHECK_ERR(control(id, 0, IPC_STAT, (unsigned long)BAD_PTR), EFAULT);
    CHECK_ERR(control(id, 0, IPC_SET, (unsigned long)BAD_PTR), EFAULT);
    CHECK_ERR(control(id, 0, 99, 0), EINVAL);
    CHECK_ERR(control(-1, 0, IPC_STAT, 0), EINVAL);
    struct semid_ds ds;
    CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
    ds.sem_perm.mode = 0640;
    CHECK_OK(semctl(id, 0, IPC_SET, (union semun){.buf = &ds}));
    CHECK_OK(semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}));
    CHECK_EQ(ds.sem_perm.mode, 0640);
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

TEST(semget_keys_and_limits) {
    key_t key = random_key();
    CHECK_ERR(semget(key, 2, 0600), ENOENT);
    int id = CHECK_OK(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
    CHECK_ERR(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_EQ(semget(key, 0, 0), id);
    CHECK_ERR(semget(key, 3, 0), EINVAL); // more than the set has
    CHECK_ERR(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
    CHECK_ERR(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600), EINVAL);
    struct seminfo info;
    int highest = CHECK_OK(semctl(id, 0, IPC_INFO, (union semun){.info = &info}));
    char text[128];
    CHECK(check_read_file("/proc/sys/kernel/sem", text, sizeof text) > 0);
    CHECK_EQ(info.semmsl, strtol(text, NULL, 10));
    CHECK_ERR(semget(IPC_PRIVATE, info.semmsl + 1, IPC_CREAT | 0600), EINVAL);
    CHECK_ERR(control(id, 0, IPC_INFO, (unsigned long)BAD_PTR), EFAULT);
    CHECK(CHECK_OK(semctl(id, 0, SEM_INFO, (union semun){.info = &info})) >= 0);
    CHECK(info.semusz >= 1);
    int found = 0;
    for (int index = 0; index <= highest; index++) {
        struct semid_ds at;
        found |= control(index, 0, SEM_STAT_ANY, (unsigned long)&at) == id;
    }
    CHECK(found);
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

TEST(semop_waits_for_a_child) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        usleep(100 * 1000);
        struct sembuf up = {0, 1, 0};
        _exit(semop(id, &up, 1) == 0 ? 0 : 1);
    }
    struct sembuf down = {0, -1, 0};
    CHECK_OK(semop(id, &down, 1));
    CHECK_EQ(control(id, 0, GETPID, 0), getpid());
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

TEST(semop_interrupted_by_a_signal) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
    struct sembuf down = {0, -1, 0};
    check_interrupts_start(20000, SA_RESTART); // semop is never restarted (signal(7))
    CHECK_ERR(semop(id, &down, 1), EINTR);
    struct timespec wait = {5, 0};
    CHECK_ERR(semtimedop(id, &down, 1, &wait), EINTR);
    check_interrupts_stop();
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

TEST(sem_undo_at_exit) {
    int id = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct sembuf up = {0, 3, SEM_UNDO};
        _exit(semop(id, &up, 1) == 0 && value_of(id, 0) == 3 ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(value_of(id, 0), 0); // undone as the child ended
    CHECK_EQ(control(id, 0, GETPID, 0), pid);
    CHECK_OK(semctl(id, 0, IPC_RMID));
}

static int private_set, write_only_set;

static void refused_to_nobody(void) {
    struct sembuf up = {0, 1, 0};
    CHECK_ERR(semop(private_set, &up, 1), EACCES);
    CHECK_ERR(value_of(private_set, 0), EACCES);
    CHECK_ERR(control(private_set, 0, IPC_RMID, 0), EPERM);
    // Write permission alone: SETALL may, GETALL may not.
    unsigned short values[2] = {4, 5};
    CHECK_OK(semctl(write_only_set, 0, SETALL, (union semun){.array = values}));
    CHECK_ERR(semctl(write_only_set, 0, GETALL, (union semun){.array = values}), EACCES);
    CHECK_ERR(control(write_only_set, 0, SETALL, (unsigned long)BAD_PTR), EFAULT);
    CHECK_ERR(control(private_set, 0, SETALL, (unsigned long)BAD_PTR), EACCES); // first
}

TEST(sem_permissions) {
    private_set = CHECK_OK(semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
    write_only_set = CHECK_OK(semget(IPC_PRIVATE, 2, IPC_CREAT | 0602));
    if (check_in_child_as_nobody(refused_to_nobody)) {
        CHECK_EQ(value_of(write_only_set, 0), 4);
        CHECK_EQ(value_of(write_only_set, 1), 5);
    }
    CHECK_OK(semctl(private_set, 0, IPC_RMID));
    CHECK_OK(semctl(write_only_set, 0, IPC_RMID));
}
