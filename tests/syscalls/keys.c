// SPDX-License-Identifier: MIT
// The kernel key family: add_key, request_key, keyctl. Keys are the machine's: each test
// first joins a new anonymous session keyring of its own (the process's keys go there, and
// nothing of the caller's session is touched), and the thread and process keyrings are
// made only in threads and children that end with the test.
#include "check.h"

#include <linux/keyctl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

// Permission bits (keyutils.h's, which the kernel's uapi headers lack).
#define KEY_POS_VIEW 0x01000000
#define KEY_POS_SEARCH 0x08000000
#define KEY_POS_SETATTR 0x20000000
#define KEY_POS_ALL 0x3f000000

static long add_key(const char *type, const char *description, const void *payload,
                    size_t size, long keyring) {
    return syscall(SYS_add_key, type, description, payload, size, keyring);
}
static long request_key(const char *type, const char *description, const char *callout,
                        long keyring) {
    return syscall(SYS_request_key, type, description, callout, keyring);
}
static long keyctl(long operation, unsigned long a2, unsigned long a3, unsigned long a4,
                   unsigned long a5) {
    return syscall(SYS_keyctl, operation, a2, a3, a4, a5);
}

// A new anonymous session keyring for the calling process: its serial.
static long fresh_session(void) {
    return CHECK_OK(keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
}

static long user_key(const char *description, const char *payload, long keyring) {
    return CHECK_OK(add_key("user", description, payload, strlen(payload), keyring));
}

// A child that runs `body` and exits with its status; 0 if it passed.
static int in_child(int (*body)(void)) {
    pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(add_key_read_describe) {
    fresh_session();
    long key = user_key("bascule:read", "hello", KEY_SPEC_SESSION_KEYRING);
    CHECK(key > 0);
    char buffer[64];
    memset(buffer, 'x', sizeof buffer);
    CHECK_EQ(keyctl(KEYCTL_READ, key, (unsigned long)buffer, sizeof buffer, 0), 5);
    CHECK_MEM(buffer, "hellox", 6);
    CHECK_EQ(keyctl(KEYCTL_READ, key, 0, 0, 0), 5);
    memset(buffer, 'x', sizeof buffer);
    CHECK_EQ(keyctl(KEYCTL_READ, key, (unsigned long)buffer, 2, 0), 5); // too small: nothing
    CHECK_EQ(buffer[0], 'x');
    char expected[128];
    snprintf(expected, sizeof expected, "user;%u;%u;3f010000;bascule:read", getuid(), getgid());
    long length = (long)strlen(expected) + 1;
    CHECK_EQ(keyctl(KEYCTL_DESCRIBE, key, 0, 0, 0), length);
    memset(buffer, 'x', sizeof buffer);
    CHECK_EQ(keyctl(KEYCTL_DESCRIBE, key, (unsigned long)buffer, 5, 0), length); // nothing
    CHECK_EQ(buffer[0], 'x');
    char description[128];
    CHECK_EQ(keyctl(KEYCTL_DESCRIBE, key, (unsigned long)description, sizeof description, 0),
             length);
    CHECK_STR(description, expected);
    // The same key again updates it in place.
    CHECK_EQ(user_key("bascule:read", "again", KEY_SPEC_SESSION_KEYRING), key);
    CHECK_EQ(keyctl(KEYCTL_READ, key, (unsigned long)buffer, sizeof buffer, 0), 5);
    CHECK_MEM(buffer, "again", 5);
    // Found where it was put, by search and by request_key.
    CHECK_EQ(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
                    (unsigned long)"bascule:read", 0),
             key);
    CHECK_EQ(request_key("user", "bascule:read", NULL, 0), key);
}

TEST(add_key_checks_in_order) {
    fresh_session();
    char payload[8] = "p";
    CHECK_ERR(add_key("user", "d", payload, 1024 * 1024, KEY_SPEC_SESSION_KEYRING), EINVAL);
    CHECK_ERR(add_key(BAD_PTR, "d", payload, 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
    CHECK_ERR(add_key("", "d", payload, 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
    CHECK_ERR(add_key("0123456789abcdef0123456789abcdef", "d", payload, 1,
                      KEY_SPEC_SESSION_KEYRING),
              EINVAL);
    CHECK_ERR(add_key(".user", "d", payload, 1, KEY_SPEC_SESSION_KEYRING), EPERM);
    CHECK_ERR(add_key("user", BAD_PTR, payload, 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
    CHECK_ERR(add_key("keyring", ".dot", NULL, 0, KEY_SPEC_SESSION_KEYRING), EPERM);
    char *long_description = malloc(5000);
    memset(long_description, 'a', 5000);
    long_description[4999] = '\0';
    CHECK_ERR(add_key("user", long_description, payload, 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
    long_description[4095] = '\0'; // 4095 bytes and the NUL: the longest
    long key = CHECK_OK(add_key("user", long_description, payload, 1, KEY_SPEC_SESSION_KEYRING));
    CHECK_OK(keyctl(KEYCTL_UNLINK, key, KEY_SPEC_SESSION_KEYRING, 0, 0));
    free(long_description);
    CHECK_ERR(add_key("user", "d", BAD_PTR, 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
    CHECK_ERR(add_key("user", "d", NULL, 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
    // The payload is read before the keyring is looked up.
    CHECK_ERR(add_key("user", "d", BAD_PTR, 1, -100), EFAULT);
    CHECK_ERR(add_key("user", "d", payload, 1, -100), EINVAL);
    CHECK_ERR(add_key("bascule-no-such-type", "d", payload, 1, KEY_SPEC_SESSION_KEYRING), ENODEV);
    CHECK_ERR(add_key("user", "d", NULL, 0, KEY_SPEC_SESSION_KEYRING), EINVAL); // user: no data
    CHECK_ERR(add_key("user", NULL, payload, 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
}

TEST(update_revoke_invalidate) {
    fresh_session();
    long key = user_key("bascule:update", "one", KEY_SPEC_SESSION_KEYRING);
    CHECK_OK(keyctl(KEYCTL_UPDATE, key, (unsigned long)"second", 6, 0));
    char buffer[16];
    CHECK_EQ(keyctl(KEYCTL_READ, key, (unsigned long)buffer, sizeof buffer, 0), 6);
    CHECK_MEM(buffer, "second", 6);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, key, (unsigned long)buffer, 4097, 0), EINVAL);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, key, (unsigned long)BAD_PTR, 4, 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, 0x7ffffff0, (unsigned long)BAD_PTR, 4, 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, KEY_SPEC_SESSION_KEYRING, (unsigned long)"x", 1, 0),
              EOPNOTSUPP); // a keyring has no payload to update
    CHECK_OK(keyctl(KEYCTL_REVOKE, key, 0, 0, 0));
    CHECK_ERR(keyctl(KEYCTL_READ, key, (unsigned long)buffer, sizeof buffer, 0), EKEYREVOKED);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, key, (unsigned long)"x", 1, 0), EKEYREVOKED);
    // An invalidated key goes at once (what a later look finds depends on the kernel's
    // collector, so only the call is checked).
    long other = user_key("bascule:invalidate", "two", KEY_SPEC_SESSION_KEYRING);
    CHECK_OK(keyctl(KEYCTL_INVALIDATE, other, 0, 0, 0));
    CHECK_ERR(keyctl(KEYCTL_INVALIDATE, -100, 0, 0, 0), EINVAL);
    CHECK_ERR(keyctl(KEYCTL_INVALIDATE, 0x7ffffff0, 0, 0, 0), ENOKEY);
}

TEST(keyrings_link_unlink_clear_search) {
    fresh_session();
    long ring = CHECK_OK(add_key("keyring", "bascule:ring", NULL, 0, KEY_SPEC_SESSION_KEYRING));
    long other = CHECK_OK(add_key("keyring", "bascule:other", NULL, 0, KEY_SPEC_SESSION_KEYRING));
    long key = user_key("bascule:linked", "v", ring);
    // Found through the session keyring, which links the ring.
    CHECK_EQ(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
                    (unsigned long)"bascule:linked", 0),
             key);
    // A search that links what it finds into a destination.
    CHECK_EQ(keyctl(KEYCTL_SEARCH, ring, (unsigned long)"user", (unsigned long)"bascule:linked",
                    other),
             key);
    int32_t serials[4];
    CHECK_EQ(keyctl(KEYCTL_READ, other, (unsigned long)serials, sizeof serials, 0), 4);
    CHECK_EQ(serials[0], key);
    CHECK_OK(keyctl(KEYCTL_UNLINK, key, other, 0, 0));
    CHECK_ERR(keyctl(KEYCTL_UNLINK, key, other, 0, 0), ENOENT);
    CHECK_EQ(keyctl(KEYCTL_READ, other, 0, 0, 0), 0);
    CHECK_OK(keyctl(KEYCTL_LINK, key, other, 0, 0));
    CHECK_EQ(keyctl(KEYCTL_READ, other, 0, 0, 0), 4);
    CHECK_ERR(keyctl(KEYCTL_LINK, ring, ring, 0, 0), EDEADLK);  // a cycle
    CHECK_ERR(keyctl(KEYCTL_LINK, ring, key, 0, 0), ENOTDIR);   // into a key
    CHECK_ERR(keyctl(KEYCTL_SEARCH, key, (unsigned long)"user", (unsigned long)"x", 0), ENOTDIR);
    CHECK_OK(keyctl(KEYCTL_CLEAR, other, 0, 0, 0));
    CHECK_EQ(keyctl(KEYCTL_READ, other, 0, 0, 0), 0);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, other, (unsigned long)"user", (unsigned long)"bascule:linked",
                     0),
              ENOKEY);
    // The search's strings are read before the keyring is looked up.
    CHECK_ERR(keyctl(KEYCTL_SEARCH, -100, (unsigned long)BAD_PTR, (unsigned long)"x", 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, -100, (unsigned long)"user", (unsigned long)BAD_PTR, 0),
              EFAULT);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, -100, (unsigned long)".user", (unsigned long)"x", 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, -100, (unsigned long)"user", (unsigned long)"x", 0), EINVAL);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, ring, (unsigned long)"bascule-no-such-type",
                     (unsigned long)"x", 0),
              ENOKEY);
}

TEST(permissions_and_owner) {
    fresh_session();
    long key = user_key("bascule:perm", "secret", KEY_SPEC_SESSION_KEYRING);
    CHECK_ERR(keyctl(KEYCTL_SETPERM, key, 0x40000000, 0, 0), EINVAL); // no such bit
    CHECK_OK(keyctl(KEYCTL_CHOWN, key, (unsigned long)-1, (unsigned long)-1, 0));
    // Viewed and found (possessed: the possessor's bits apply), nothing more.
    CHECK_OK(keyctl(KEYCTL_SETPERM, key, KEY_POS_VIEW | KEY_POS_SEARCH, 0, 0));
    char buffer[64];
    CHECK(keyctl(KEYCTL_DESCRIBE, key, (unsigned long)buffer, sizeof buffer, 0) > 0);
    CHECK_ERR(keyctl(KEYCTL_UPDATE, key, (unsigned long)"x", 1, 0), EACCES);
    CHECK_ERR(keyctl(KEYCTL_SETPERM, key, KEY_POS_ALL, 0, 0), EACCES);
    CHECK_ERR(keyctl(KEYCTL_SET_TIMEOUT, key, 100, 0, 0), EACCES);
    long other = user_key("bascule:hidden", "x", KEY_SPEC_SESSION_KEYRING);
    CHECK_OK(keyctl(KEYCTL_SETPERM, other, 0, 0, 0));
    CHECK_ERR(keyctl(KEYCTL_DESCRIBE, other, (unsigned long)buffer, sizeof buffer, 0), EACCES);
    // Not even searchable, so not possessed: no reading either.
    CHECK_ERR(keyctl(KEYCTL_READ, other, (unsigned long)buffer, sizeof buffer, 0), EACCES);
    CHECK_ERR(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
                     (unsigned long)"bascule:hidden", 0),
              EACCES);
}

TEST(output_buffers_fault) {
    fresh_session();
    long key = user_key("bascule:fault", "data", KEY_SPEC_SESSION_KEYRING);
    CHECK_ERR(keyctl(KEYCTL_READ, key, (unsigned long)BAD_PTR, 64, 0), EFAULT);
    CHECK_EQ(keyctl(KEYCTL_READ, key, (unsigned long)BAD_PTR, 2, 0), 4); // nothing written
    CHECK_ERR(keyctl(KEYCTL_DESCRIBE, key, (unsigned long)BAD_PTR, 256, 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_READ, 0x7ffffff0, (unsigned long)BAD_PTR, 64, 0), ENOKEY);
    char buffer[16];
    memset(buffer, 'x', sizeof buffer);
    long caps = CHECK_OK(keyctl(KEYCTL_CAPABILITIES, (unsigned long)buffer, sizeof buffer, 0, 0));
    CHECK(caps > 0 && caps < (long)sizeof buffer);
    CHECK(buffer[0] & KEYCTL_CAPS0_CAPABILITIES);
    for (long i = caps; i < (long)sizeof buffer; i++)
        CHECK_EQ(buffer[i], 0); // the rest cleared
    CHECK_ERR(keyctl(KEYCTL_CAPABILITIES, (unsigned long)BAD_PTR, 4, 0, 0), EFAULT);
    CHECK_EQ(keyctl(KEYCTL_CAPABILITIES, 0, 0, 0, 0), caps);
}

TEST(request_key_checks) {
    fresh_session();
    CHECK_ERR(request_key("user", "bascule:none", NULL, 0), ENOKEY);
    CHECK_ERR(request_key(BAD_PTR, "x", NULL, 0), EFAULT);
    CHECK_ERR(request_key("user", NULL, NULL, 0), EFAULT);
    CHECK_ERR(request_key("user", "x", BAD_PTR, 0), EFAULT);
    CHECK_ERR(request_key(".user", "x", NULL, 0), EPERM);
    CHECK_ERR(request_key("", "x", NULL, 0), EINVAL);
    CHECK_ERR(request_key("user", "x", NULL, -100), EINVAL);
    CHECK_ERR(request_key("bascule-no-such-type", "x", NULL, 0), ENOKEY);
    long ring = CHECK_OK(add_key("keyring", "bascule:dest", NULL, 0, KEY_SPEC_SESSION_KEYRING));
    long key = user_key("bascule:found", "v", KEY_SPEC_SESSION_KEYRING);
    CHECK_EQ(request_key("user", "bascule:found", NULL, ring), key); // and linked there
    int32_t serial = 0;
    CHECK_EQ(keyctl(KEYCTL_READ, ring, (unsigned long)&serial, sizeof serial, 0), 4);
    CHECK_EQ(serial, key);
}

TEST(keyctl_operations_refused_by_the_kernel) {
    fresh_session();
    CHECK_ERR(keyctl(9999, 0, 0, 0, 0), EOPNOTSUPP);
    long key = user_key("bascule:auth", "v", KEY_SPEC_SESSION_KEYRING);
    // Without the authority to make a key: EPERM, before the payload is read.
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE, key, (unsigned long)"x", 1, 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE, key, (unsigned long)BAD_PTR, 1, 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE, key, (unsigned long)"x", 1024 * 1024, 0), EINVAL);
    struct iovec iov = {(void *)"x", 1};
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE_IOV, key, (unsigned long)&iov, 1, 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE_IOV, key, (unsigned long)BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_INSTANTIATE_IOV, key, (unsigned long)&iov, 1025, 0), EINVAL);
    CHECK_ERR(keyctl(KEYCTL_NEGATE, key, 10, 0, 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_REJECT, key, 10, EKEYREJECTED, 0), EPERM);
    CHECK_ERR(keyctl(KEYCTL_ASSUME_AUTHORITY, key, 0, 0, 0), ENOKEY); // no authority key
    CHECK_EQ(keyctl(KEYCTL_ASSUME_AUTHORITY, 0, 0, 0, 0), 0);
    // A restriction is read after the keyring is looked up.
    CHECK_ERR(keyctl(KEYCTL_RESTRICT_KEYRING, -100, (unsigned long)BAD_PTR, (unsigned long)"x", 0),
              EINVAL);
    long ring = CHECK_OK(add_key("keyring", "bascule:restrict", NULL, 0, KEY_SPEC_SESSION_KEYRING));
    CHECK_ERR(keyctl(KEYCTL_RESTRICT_KEYRING, ring, (unsigned long)BAD_PTR, (unsigned long)"x", 0),
              EFAULT);
    CHECK_ERR(keyctl(KEYCTL_RESTRICT_KEYRING, ring, (unsigned long)"user", (unsigned long)BAD_PTR,
                     0),
              EFAULT);
    CHECK_ERR(keyctl(KEYCTL_RESTRICT_KEYRING, ring, (unsigned long)"user", 0, 0), EINVAL);
    CHECK_ERR(keyctl(KEYCTL_RESTRICT_KEYRING, ring, 0, (unsigned long)"x", 0), EINVAL);
    CHECK_OK(keyctl(KEYCTL_RESTRICT_KEYRING, ring, 0, 0, 0)); // no key may be linked in
    CHECK_ERR(add_key("user", "bascule:kept-out", "v", 1, ring), EPERM);
}

static void *thread_keyring(void *unused) {
    (void)unused;
    long *result = malloc(2 * sizeof(long));
    errno = 0;
    result[0] = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0) == -1 ? errno : 0;
    result[1] = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0);
    return result;
}

static int process_keyring_in_child(void) {
    long process = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0);
    if (process != -1 || errno != ENOKEY)
        return 1; // a forked process has none of its parent's
    process = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0, 0);
    if (process <= 0)
        return 2;
    pthread_t thread;
    pthread_create(&thread, NULL, thread_keyring, NULL);
    long *seen;
    pthread_join(thread, (void **)&seen);
    if (seen[0] != ENOKEY || seen[1] <= 0) // a new thread has none; it makes its own
        return 3;
    if (keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0) != process)
        return 4;
    long mine = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0);
    if (mine <= 0 || mine == seen[1])
        return 5;
    return 0;
}

TEST(thread_and_process_keyrings) {
    long session = fresh_session();
    CHECK_EQ(in_child(process_keyring_in_child), 0);
    CHECK_EQ(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0), session);
    CHECK_ERR(keyctl(KEYCTL_GET_KEYRING_ID, -100, 0, 0, 0), EINVAL);
    CHECK(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1, 0, 0) > 0);
}

static long parent_session;
static int session_to_parent_in_child(void) {
    if (keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0) != parent_session)
        return 1; // the session keyring is inherited
    long mine = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
    if (mine <= 0 || mine == parent_session)
        return 2;
    // The session keyring must grant Link: checked before anything of the parent's.
    if (keyctl(KEYCTL_SETPERM, mine, KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_SETATTR, 0, 0) != 0)
        return 3;
    if (keyctl(KEYCTL_SESSION_TO_PARENT, 0, 0, 0, 0) != -1 || errno != EACCES)
        return 4;
    return 0;
}

// A parent given its child's session keyring is not checked here: the kernel gives it only
// to a single-threaded parent, which a parent under bascule is not (SYSCALLS.md).
TEST(session_keyring_named_and_inherited) {
    parent_session = fresh_session();
    long named =
        CHECK_OK(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"bascule:named", 0, 0, 0));
    CHECK(named != parent_session);
    CHECK_EQ(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0), named);
    CHECK_ERR(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)BAD_PTR, 0, 0, 0), EFAULT);
    CHECK_ERR(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)".dot", 0, 0, 0), EPERM);
    char *long_name = malloc(4097);
    memset(long_name, 'n', 4097);
    CHECK_ERR(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)long_name, 0, 0, 0), EINVAL);
    free(long_name);
    parent_session = named;
    CHECK_EQ(in_child(session_to_parent_in_child), 0);
    CHECK_EQ(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0), named);
}

static int over_quota_in_child(void) {
    FILE *f = fopen("/proc/sys/kernel/keys/maxbytes", "r");
    long maxbytes = 0;
    if (!f || fscanf(f, "%ld", &maxbytes) != 1)
        return 1;
    fclose(f);
    if (maxbytes >= 32767)
        return 0; // more than a user key can hold: nothing to check
    if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) <= 0)
        return 2;
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
        return 3;
    char *payload = calloc(1, maxbytes + 1);
    long got = add_key("user", "bascule:big", payload, maxbytes + 1, KEY_SPEC_SESSION_KEYRING);
    return got == -1 && errno == EDQUOT ? 0 : 4;
}

TEST(over_the_users_quota) {
    if (geteuid() != 0)
        return;
    CHECK_EQ(in_child(over_quota_in_child), 0);
}
