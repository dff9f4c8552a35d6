// SPDX-License-Identifier: MIT
// The System V message queue family: msgget, msgsnd, msgrcv, msgctl. Queues are
// machine-wide: each test makes its own (IPC_PRIVATE, or a random key) and removes it.
#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct message {
    long type;
    char text[64];
};

static key_t random_key(void) {
    key_t key = IPC_PRIVATE;
    while (key == IPC_PRIVATE)
        getrandom(&key, sizeof key, 0);
    return key;
}

static int send_text(int id, long type, const char *text, int flags) {
    struct message m = {type, {0}};
    strcpy(m.text, text);
    return msgsnd(id, &m, strlen(text) + 1, flags);
}

static struct msqid_ds stat_of(int id) {
    struct msqid_ds ds;
    memset(&ds, 0xff, sizeof ds);
    CHECK_OK(msgctl(id, IPC_STAT, &ds));
    return ds;
}

TEST(msg_send_and_receive) {
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    struct msqid_ds ds = stat_of(id);
    CHECK_EQ(ds.msg_qnum, 0);
    CHECK_EQ(ds.msg_lspid, 0);
    CHECK_EQ(ds.msg_perm.mode, 0600);
    CHECK(ds.msg_qbytes > 0);
    CHECK_OK(send_text(id, 1, "one", 0));
    CHECK_OK(send_text(id, 2, "two", 0));
    CHECK_OK(send_text(id, 3, "three", 0));
    ds = stat_of(id);
    CHECK_EQ(ds.msg_qnum, 3);
    CHECK_EQ(ds.msg_cbytes, 4 + 4 + 6);
    CHECK_EQ(ds.msg_lspid, getpid());
    CHECK_EQ(ds.msg_lrpid, 0);
    CHECK(ds.msg_stime != 0 && ds.msg_rtime == 0);
    struct message r;
    CHECK_EQ(msgrcv(id, &r, sizeof r.text, 2, 0), 4); // the first of type 2
    CHECK_EQ(r.type, 2);
    CHECK_STR(r.text, "two");
    CHECK_EQ(msgrcv(id, &r, sizeof r.text, -3, 0), 4); // the lowest type up to 3
    CHECK_STR(r.text, "one");
    CHECK_EQ(msgrcv(id, &r, sizeof r.text, 0, 0), 6); // the first
    CHECK_STR(r.text, "three");
    CHECK_ERR(msgrcv(id, &r, sizeof r.text, 0, IPC_NOWAIT), ENOMSG);
    ds = stat_of(id);
    CHECK_EQ(ds.msg_lrpid, getpid());
    CHECK(ds.msg_rtime != 0);
    CHECK_OK(send_text(id, 1, "a", 0));
    CHECK_OK(send_text(id, 2, "b", 0));
    CHECK_EQ(msgrcv(id, &r, sizeof r.text, 1, MSG_EXCEPT), 2);
    CHECK_STR(r.text, "b");
    CHECK_ERR(msgrcv(id, &r, sizeof r.text, 7, IPC_NOWAIT), ENOMSG);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
    CHECK_ERR(send_text(id, 1, "x", 0), EINVAL);
}

TEST(msgrcv_sizes_and_copies) {
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    CHECK_OK(send_text(id, 5, "0123456789", 0));
    struct message r;
    memset(&r, 0, sizeof r);
    CHECK_ERR(msgrcv(id, &r, 5, 0, 0), E2BIG); // too long: it stays queued
    CHECK_EQ(stat_of(id).msg_qnum, 1);
    long copied = msgrcv(id, &r, sizeof r.text, 0, MSG_COPY | IPC_NOWAIT);
    if (copied != -1 || errno != ENOSYS) { // a kernel without CONFIG_CHECKPOINT_RESTORE
        CHECK_EQ(copied, 11);
        CHECK_STR(r.text, "0123456789");
        CHECK_EQ(stat_of(id).msg_qnum, 1); // a copy: the message stays
        CHECK_ERR(msgrcv(id, &r, sizeof r.text, 0, MSG_COPY), EINVAL); // needs IPC_NOWAIT
        CHECK_ERR(msgrcv(id, &r, sizeof r.text, 1, MSG_COPY | IPC_NOWAIT), ENOMSG);
    }
    memset(&r, 0, sizeof r);
    CHECK_EQ(msgrcv(id, &r, 5, 0, MSG_NOERROR), 5); // cut, and taken
    CHECK_MEM(r.text, "01234\0", 6);
    CHECK_EQ(stat_of(id).msg_qnum, 0);
    // A buffer the message cannot be written to: EFAULT, and the message is gone.
    CHECK_OK(send_text(id, 5, "lost", 0));
    CHECK_ERR(syscall(SYS_msgrcv, id, BAD_PTR, 64, 0, 0), EFAULT);
    CHECK_EQ(stat_of(id).msg_qnum, 0);
    // A buffer that claims more than is mapped takes a message that fits.
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
    CHECK_OK(send_text(id, 5, "fits", 0));
    CHECK_EQ(syscall(SYS_msgrcv, id, page + 4096 - 64, 100000, 0, 0), 5);
    CHECK_STR(page + 4096 - 56, "fits");
    munmap(page, 4096);
    CHECK_ERR(syscall(SYS_msgrcv, -1, &r, 64, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_msgrcv, id, &r, -1L, 0, 0), EINVAL);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(msgsnd_errors) {
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    struct message m = {0, "zero"};
    CHECK_ERR(msgsnd(id, &m, 5, 0), EINVAL); // type 0
    m.type = 1;
    CHECK_ERR(msgsnd(-1, &m, 5, 0), EINVAL);
    CHECK_ERR(syscall(SYS_msgsnd, id, &m, -1L, 0), EINVAL);
    char text[64];
    CHECK(check_read_file("/proc/sys/kernel/msgmax", text, sizeof text) > 0);
    long msgmax = strtol(text, NULL, 10);
    CHECK_ERR(syscall(SYS_msgsnd, id, &m, msgmax + 1, 0), EINVAL); // before reading the text
    CHECK_ERR(syscall(SYS_msgsnd, id, BAD_PTR, 5, 0), EFAULT);
    CHECK_ERR(syscall(SYS_msgsnd, -1, BAD_PTR, 5, 0), EFAULT); // the type is read first
    CHECK_ERR(syscall(SYS_msgsnd, id, &m, 100000, 0), EINVAL);
    // A full queue: IPC_NOWAIT gives EAGAIN.
    struct msqid_ds ds = stat_of(id);
    ds.msg_qbytes = 10;
    CHECK_OK(msgctl(id, IPC_SET, &ds));
    CHECK_EQ(stat_of(id).msg_qbytes, 10);
    CHECK_OK(send_text(id, 1, "123456789", 0));
    CHECK_ERR(send_text(id, 1, "more", IPC_NOWAIT), EAGAIN);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(msgctl_commands) {
    key_t key = random_key();
    CHECK_ERR(msgget(key, 0600), ENOENT);
    int id = CHECK_OK(msgget(key, IPC_CREAT | IPC_EXCL | 0640));
    CHECK_ERR(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_EQ(msgget(key, 0), id);
    struct msqid_ds ds = stat_of(id);
    CHECK_EQ(ds.msg_perm.__key, key);
    CHECK_EQ(ds.msg_perm.mode, 0640);
    CHECK_ERR(syscall(SYS_msgctl, -1, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_msgctl, id, -1, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_msgctl, id, 99, &ds), EINVAL);
    CHECK_ERR(syscall(SYS_msgctl, id, IPC_STAT, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_msgctl, id, IPC_SET, BAD_PTR), EFAULT);
    struct msginfo info;
    int highest = CHECK_OK(msgctl(id, IPC_INFO, (struct msqid_ds *)&info));
    char text[64];
    CHECK(check_read_file("/proc/sys/kernel/msgmax", text, sizeof text) > 0);
    CHECK_EQ(info.msgmax, strtol(text, NULL, 10));
    CHECK_ERR(syscall(SYS_msgctl, id, IPC_INFO, BAD_PTR), EFAULT);
    CHECK(CHECK_OK(msgctl(id, MSG_INFO, (struct msqid_ds *)&info)) >= 0);
    CHECK(info.msgpool >= 1); // MSG_INFO: the queues in use
    int found = 0;
    for (int index = 0; index <= highest; index++) {
        struct msqid_ds at;
        found |= syscall(SYS_msgctl, index, MSG_STAT_ANY, &at) == id;
    }
    CHECK(found);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
    CHECK_ERR(msgctl(id, IPC_RMID, NULL), EINVAL);
    CHECK_ERR(msgget(key, 0), ENOENT);
}

TEST(msgrcv_waits_for_a_child) {
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        usleep(100 * 1000);
        _exit(send_text(id, 9, "late", 0) == 0 ? 0 : 1);
    }
    struct message r;
    CHECK_EQ(msgrcv(id, &r, sizeof r.text, 9, 0), 5);
    CHECK_STR(r.text, "late");
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(stat_of(id).msg_lspid, pid);
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
}

TEST(msg_calls_interrupted) {
    int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    struct message r;
    check_interrupts_start(20000, SA_RESTART); // not restarted all the same (signal(7))
    CHECK_ERR(msgrcv(id, &r, sizeof r.text, 0, 0), EINTR);
    check_interrupts_stop();
    struct msqid_ds ds = stat_of(id);
    ds.msg_qbytes = 4;
    CHECK_OK(msgctl(id, IPC_SET, &ds));
    CHECK_OK(send_text(id, 1, "abc", 0));
    check_interrupts_start(20000, SA_RESTART);
    CHECK_ERR(send_text(id, 1, "full", 0), EINTR);
    check_interrupts_stop();
    CHECK_OK(msgctl(id, IPC_RMID, NULL));
}

// A receiver waiting on a queue that is removed gets EIDRM. Whether the child waits yet
// when the parent removes the queue is the scheduler's: one that came too late finds no
// queue (EINVAL, its exit status 2), and the parent tries again, waiting twice as long.
TEST(msg_removed_while_waiting) {
    for (useconds_t delay = 100 * 1000;; delay *= 2) {
        int id = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
        pid_t pid = CHECK_OK(fork());
        if (pid == 0) {
            struct message r;
            long got = msgrcv(id, &r, sizeof r.text, 0, 0);
            _exit(got == -1 && errno == EIDRM ? 0 : got == -1 && errno == EINVAL ? 2 : 1);
        }
        usleep(delay);
        CHECK_OK(msgctl(id, IPC_RMID, NULL));
        int status;
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status));
        if (WEXITSTATUS(status) == 0)
            break;
        CHECK(WEXITSTATUS(status) == 2 && delay < 10 * 1000 * 1000);
    }
}

static int private_queue;

static void refused_to_nobody(void) {
    struct msqid_ds ds;
    CHECK_ERR(send_text(private_queue, 1, "x", IPC_NOWAIT), EACCES);
    struct message r;
    CHECK_ERR(msgrcv(private_queue, &r, sizeof r.text, 0, IPC_NOWAIT), EACCES);
    CHECK_ERR(msgctl(private_queue, IPC_STAT, &ds), EACCES);
    CHECK_ERR(msgctl(private_queue, IPC_RMID, NULL), EPERM);
}

TEST(msg_permissions) {
    private_queue = CHECK_OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
    check_in_child_as_nobody(refused_to_nobody);
    CHECK_OK(msgctl(private_queue, IPC_RMID, NULL));
}
