// SPDX-License-Identifier: MIT
// The sockets family: socket, socketpair, bind, listen, accept, accept4, connect,
// getsockname, getpeername, shutdown, sendto, recvfrom, sendmsg, recvmsg, getsockopt,
// setsockopt, on loopback only (port 0 and getsockname, never the outside network).
#include "check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

// A name in the abstract namespace, which the whole machine shares: random bits drawn once
// a run keep apart the runs of this test that ctest makes at once, and a run from one
// whose pid it reuses while a child of that one still holds its names. Returns the
// address's length.
static socklen_t abstract_name(struct sockaddr_un *address, const char *tag) {
    static unsigned long long run;
    while (run == 0)
        CHECK_EQ(getrandom(&run, sizeof run, 0), (long)sizeof run);
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    int n = snprintf(address->sun_path + 1, sizeof address->sun_path - 1, "bascule-%s-%d-%llx",
                     tag, (int)getpid(), run);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int tcp_listener(struct sockaddr_in *address) {
    int s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(s, 8));
    socklen_t length = sizeof *address;
    CHECK_OK(getsockname(s, (struct sockaddr *)address, &length));
    CHECK_EQ(length, sizeof *address);
    return s;
}

TEST(socket_kinds) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(s, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDWR);
    struct stat st;
    CHECK_OK(fstat(s, &st));
    CHECK(S_ISSOCK(st.st_mode));
    int value;
    socklen_t length = sizeof value;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &value, &length));
    CHECK_EQ(value, SOCK_STREAM);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &value, &length));
    CHECK_EQ(value, AF_UNIX);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &value, &length));
    CHECK_EQ(value, 0);
    close(s);
    int kinds[][2] = {{AF_UNIX, SOCK_DGRAM}, {AF_UNIX, SOCK_SEQPACKET}, {AF_INET, SOCK_STREAM},
                      {AF_INET, SOCK_DGRAM}, {AF_INET6, SOCK_STREAM}, {AF_INET6, SOCK_DGRAM}};
    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        s = CHECK_OK(socket(kinds[i][0], kinds[i][1], 0));
        CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &value, &length));
        CHECK_EQ(value, kinds[i][1]);
        CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &value, &length));
        CHECK_EQ(value, kinds[i][0] == AF_UNIX ? 0 : kinds[i][1] == SOCK_STREAM ? IPPROTO_TCP
                                                                              : IPPROTO_UDP);
        close(s);
    }
    s = CHECK_OK(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    close(s);
}

TEST(socket_edges) {
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
    CHECK_ERR(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(4000, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, 12, 0), EINVAL);
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, -1), EINVAL);
    int sv[2];
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BAD_PTR), EFAULT);
    // An O_PATH descriptor is none to a socket call (EBADF), where another file is no
    // socket (ENOTSOCK).
    int path = CHECK_OK(open(".", O_PATH)), dir = CHECK_OK(open(".", O_RDONLY));
    CHECK_ERR(accept(path, NULL, NULL), EBADF);
    CHECK_ERR(listen(path, 1), EBADF);
    CHECK_ERR(accept(dir, NULL, NULL), ENOTSOCK);
    close(path), close(dir);
}

TEST(unbound_names) {
    int s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in in = {.sin_port = 1};
    socklen_t length = sizeof in;
    CHECK_OK(getsockname(s, (struct sockaddr *)&in, &length));
    CHECK_EQ(length, sizeof in);
    CHECK_EQ(in.sin_family, AF_INET);
    CHECK_EQ(in.sin_port, 0);
    CHECK_EQ(in.sin_addr.s_addr, 0);
    CHECK_ERR(syscall(SYS_getsockname, s, &in, BAD_PTR), EFAULT);
    length = (socklen_t)-1;
    CHECK_ERR(getsockname(s, (struct sockaddr *)&in, &length), EINVAL);
    close(s);
    s = CHECK_OK(socket(AF_UNIX, SOCK_RAW, 0)); // a datagram socket for AF_UNIX
    int type;
    length = sizeof type;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &length));
    CHECK_EQ(type, SOCK_DGRAM);
    struct sockaddr_un un;
    length = sizeof un;
    CHECK_OK(getsockname(s, (struct sockaddr *)&un, &length));
    CHECK_EQ(length, sizeof(sa_family_t));
    close(s);
}

TEST(datagram_disconnect) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    CHECK_OK(connect(sv[0], &unspec, sizeof unspec));
    CHECK_ERR(send(sv[0], "x", 1, 0), ENOTCONN);
    close(sv[0]), close(sv[1]);
    struct sockaddr_in server;
    int s = tcp_listener(&server);
    int t = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(bind(t, (struct sockaddr *)&server, sizeof server), EADDRINUSE);
    close(t), close(s);
}

TEST(socketpair_exchange) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(write(sv[0], "hello", 5), 5);
    char buf[16];
    CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_PEEK), 5);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(send(sv[1], "ab", 2, 0), 2);
    CHECK_EQ(send(sv[1], "cd", 2, 0), 2);
    CHECK_EQ(recv(sv[0], buf, 4, MSG_WAITALL), 4);
    CHECK_MEM(buf, "abcd", 4);
    struct sockaddr_un peer;
    socklen_t length = sizeof peer;
    CHECK_OK(getpeername(sv[0], (struct sockaddr *)&peer, &length));
    CHECK_EQ(length, sizeof(sa_family_t));
    CHECK_EQ(peer.sun_family, AF_UNIX);
    struct ucred cred;
    length = sizeof cred;
    CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &length));
    CHECK_EQ(length, sizeof cred);
    CHECK_EQ(cred.pid, getpid());
    CHECK_EQ(cred.uid, getuid());
    CHECK_EQ(cred.gid, getgid());
    struct pollfd p = {sv[0], POLLIN | POLLOUT, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT);
    CHECK_EQ(write(sv[1], "abc", 3), 3);
    int waiting = 0;
    CHECK_OK(ioctl(sv[0], FIONREAD, &waiting));
    CHECK_EQ(waiting, 3);
    CHECK_OK(shutdown(sv[0], SHUT_RD));
    CHECK_EQ(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 3); // queued data stays readable
    CHECK_EQ(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 0); // then the end, not EAGAIN
    close(sv[1]);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 0);
    close(sv[0]);
}

TEST(socketpair_datagrams) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
    CHECK_EQ(fcntl(sv[1], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(send(sv[0], "abcdef", 6, 0), 6);
    char buf[16];
    CHECK_EQ(recv(sv[1], buf, 3, MSG_TRUNC), 6); // the whole datagram's length
    CHECK_MEM(buf, "abc", 3);
    CHECK_EQ(send(sv[0], "xyz", 3, 0), 3);
    struct iovec iov = {buf, 2};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    CHECK_EQ(recvmsg(sv[1], &msg, 0), 2);
    CHECK_EQ(msg.msg_flags & MSG_TRUNC, MSG_TRUNC);
    close(sv[0]), close(sv[1]);
    CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    CHECK_EQ(send(sv[0], "one", 3, 0), 3);
    CHECK_EQ(send(sv[0], "two", 3, 0), 3);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
    CHECK_MEM(buf, "one", 3);
    close(sv[0]), close(sv[1]);
}

TEST(unix_bind_names) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "/tmp/bascule-sock-%d", (int)getpid());
    unlink(a.sun_path);
    socklen_t given = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path));
    CHECK_OK(bind(s, (struct sockaddr *)&a, given)); // no NUL counted: the kernel adds it
    struct stat st;
    CHECK_OK(stat(a.sun_path, &st));
    CHECK(S_ISSOCK(st.st_mode));
    struct sockaddr_un got;
    socklen_t length = sizeof got;
    CHECK_OK(getsockname(s, (struct sockaddr *)&got, &length));
    CHECK_EQ(length, given + 1);
    CHECK_STR(got.sun_path, a.sun_path);
    int t = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    struct sockaddr_un other;
    abstract_name(&other, "other");
    CHECK_ERR(bind(s, (struct sockaddr *)&other, sizeof other), EINVAL); // bound already
    // A short room gets what fits and the whole length.
    length = 4;
    memset(&got, 0, sizeof got);
    CHECK_OK(getsockname(s, (struct sockaddr *)&got, &length));
    CHECK_EQ(length, given + 1);
    CHECK_EQ(got.sun_path[2], 0);
    // Autobind: an abstract name of five hex digits.
    struct sockaddr_un none = {.sun_family = AF_UNIX};
    CHECK_OK(bind(t, (struct sockaddr *)&none, sizeof(sa_family_t)));
    length = sizeof got;
    CHECK_OK(getsockname(t, (struct sockaddr *)&got, &length));
    CHECK_EQ(length, offsetof(struct sockaddr_un, sun_path) + 6);
    CHECK_EQ(got.sun_path[0], 0);
    close(t);
    // The abstract namespace keeps the exact length.
    t = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un abstract;
    socklen_t abstract_length = abstract_name(&abstract, "test");
    CHECK_OK(bind(t, (struct sockaddr *)&abstract, abstract_length));
    length = sizeof got;
    CHECK_OK(getsockname(t, (struct sockaddr *)&got, &length));
    CHECK_EQ(length, abstract_length);
    CHECK_MEM(got.sun_path, abstract.sun_path, abstract_length - offsetof(struct sockaddr_un, sun_path));
    close(t);
    close(s);
    unlink(a.sun_path);
}

TEST(unix_bind_edges) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un a = {.sun_family = AF_INET};
    strcpy(a.sun_path, "x");
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a), EINVAL);
    a.sun_family = AF_UNIX;
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 1), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 129), EINVAL);
    CHECK_ERR(bind(s, BAD_PTR, sizeof a), EFAULT);
    CHECK_ERR(bind(-1, (struct sockaddr *)&a, sizeof a), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(bind(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    CHECK_ERR(listen(p[0], 1), ENOTSOCK);
    CHECK_ERR(accept(p[0], NULL, NULL), ENOTSOCK);
    CHECK_ERR(connect(p[0], (struct sockaddr *)&a, sizeof a), ENOTSOCK);
    int value;
    socklen_t length = sizeof value;
    CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &value, &length), ENOTSOCK);
    CHECK_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK);
    close(p[0]), close(p[1]);
    strcpy(a.sun_path, "/nonexistent-dir/x");
    CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof a), ENOENT);
    close(s);
}

TEST(unix_listen_accept) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un a;
    socklen_t length = abstract_name(&a, "accept");
    CHECK_OK(bind(s, (struct sockaddr *)&a, length));
    CHECK_ERR(accept(s, NULL, NULL), EINVAL); // not listening
    CHECK_OK(listen(s, 4));
    int value;
    socklen_t vlength = sizeof value;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &value, &vlength));
    CHECK_EQ(value, 1);
    int c = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, length));
    struct sockaddr_un peer;
    socklen_t plength = sizeof peer;
    int d = CHECK_OK(accept4(s, (struct sockaddr *)&peer, &plength, SOCK_CLOEXEC));
    CHECK_EQ(plength, sizeof(sa_family_t)); // the client is unnamed
    CHECK_EQ(fcntl(d, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(accept4(s, NULL, NULL, 0x1), EINVAL);
    plength = sizeof peer;
    CHECK_OK(getpeername(c, (struct sockaddr *)&peer, &plength));
    CHECK_EQ(plength, length);
    CHECK_MEM(peer.sun_path, a.sun_path, length - offsetof(struct sockaddr_un, sun_path));
    CHECK_EQ(write(c, "ping", 4), 4);
    char buf[8];
    CHECK_EQ(read(d, buf, sizeof buf), 4);
    struct ucred cred;
    vlength = sizeof cred;
    CHECK_OK(getsockopt(d, SOL_SOCKET, SO_PEERCRED, &cred, &vlength));
    CHECK_EQ(cred.pid, getpid());
    close(c), close(d), close(s);
}

// A UNIX socket of one type connecting or sending to a path bound by another type:
// EPROTOTYPE (LTP connect03), not a generic I/O error. (An abstract name is looked up by
// type too, so there it is ECONNREFUSED.)
TEST(unix_wrong_type) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "/tmp/bascule-wrongtype-%d", (int)getpid());
    unlink(a.sun_path);
    socklen_t length = sizeof a;
    CHECK_OK(bind(s, (struct sockaddr *)&a, length));
    CHECK_OK(listen(s, 4));
    int d = CHECK_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK_ERR(connect(d, (struct sockaddr *)&a, length), EPROTOTYPE);
    CHECK_ERR(sendto(d, "x", 1, 0, (struct sockaddr *)&a, length), EPROTOTYPE);
    int q = CHECK_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    CHECK_ERR(connect(q, (struct sockaddr *)&a, length), EPROTOTYPE);
    CHECK_ERR(connect(d, BAD_PTR, length), EFAULT);
    CHECK_ERR(connect(-1, (struct sockaddr *)&a, length), EBADF);
    close(q), close(d), close(s);
    unlink(a.sun_path);
}

// SO_PEERCRED names the process that connected, a child here (LTP getsockopt02).
TEST(unix_peer_credentials_of_a_child) {
    int s = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un a;
    socklen_t length = abstract_name(&a, "peerchild");
    CHECK_OK(bind(s, (struct sockaddr *)&a, length));
    CHECK_OK(listen(s, 4));
    int release[2];
    CHECK_OK(pipe(release));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        char byte;
        close(release[1]);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, length) != 0)
            _exit(1);
        read(release[0], &byte, 1); // the parent has read the credentials
        _exit(0);
    }
    close(release[0]);
    int d = CHECK_OK(accept(s, NULL, NULL));
    struct ucred cred;
    socklen_t vlength = sizeof cred;
    CHECK_OK(getsockopt(d, SOL_SOCKET, SO_PEERCRED, &cred, &vlength));
    CHECK_EQ(vlength, sizeof cred);
    CHECK_EQ(cred.pid, child);
    CHECK_EQ(cred.uid, getuid());
    CHECK_EQ(cred.gid, getgid());
    vlength = sizeof cred;
    CHECK_ERR(getsockopt(d, SOL_SOCKET, SO_PEERCRED, BAD_PTR, &vlength), EFAULT);
    close(release[1]);
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    close(d), close(s);
}

TEST(tcp_connect_accept) {
    struct sockaddr_in server;
    int s = tcp_listener(&server);
    CHECK_EQ(server.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK(server.sin_port != 0);
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&server, sizeof server));
    CHECK_ERR(connect(c, (struct sockaddr *)&server, sizeof server), EISCONN);
    struct sockaddr_in peer, local;
    socklen_t length = sizeof peer;
    int d = CHECK_OK(accept(s, (struct sockaddr *)&peer, &length));
    CHECK_EQ(length, sizeof peer);
    length = sizeof local;
    CHECK_OK(getsockname(c, (struct sockaddr *)&local, &length));
    CHECK_EQ(peer.sin_port, local.sin_port);
    int one = 1, value = 0;
    CHECK_OK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    length = sizeof value;
    CHECK_OK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &value, &length));
    CHECK_EQ(value, 1);
    CHECK_EQ(send(c, "data", 4, 0), 4);
    char buf[8];
    CHECK_EQ(recv(d, buf, sizeof buf, MSG_WAITALL | MSG_DONTWAIT), 4);
    // shutdown: the peer reads the end; writing after SHUT_WR is EPIPE.
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_EQ(read(d, buf, sizeof buf), 0);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_ERR(shutdown(c, 3), EINVAL);
    close(c), close(d);
    // ECONNREFUSED on a port nobody listens to any more.
    close(s);
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(connect(c, (struct sockaddr *)&server, sizeof server), ECONNREFUSED);
    close(c);
}

static volatile sig_atomic_t pipe_signals;
static void on_sigpipe(int sig) { (void)sig, pipe_signals++; }

TEST(tcp_sigpipe_and_enotconn) {
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    char buf[4];
    CHECK_ERR(recv(c, buf, sizeof buf, 0), ENOTCONN);
    CHECK_ERR(shutdown(c, SHUT_RD), ENOTCONN);
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    CHECK_ERR(getpeername(c, (struct sockaddr *)&peer, &length), ENOTCONN);
    struct sigaction action = {.sa_handler = on_sigpipe}, old;
    sigaction(SIGPIPE, &action, &old);
    pipe_signals = 0;
    CHECK_ERR(send(c, "x", 1, 0), EPIPE);
    CHECK_EQ(pipe_signals, 1);
    CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(pipe_signals, 1);
    sigaction(SIGPIPE, &old, NULL);
    close(c);
}

TEST(tcp_nonblocking_connect) {
    struct sockaddr_in server;
    int s = tcp_listener(&server);
    int c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int r = connect(c, (struct sockaddr *)&server, sizeof server);
    CHECK(r == 0 || errno == EINPROGRESS);
    struct pollfd p = {c, POLLOUT, 0};
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK(p.revents & POLLOUT);
    int error = -1;
    socklen_t length = sizeof error;
    CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &error, &length));
    CHECK_EQ(error, 0);
    struct pollfd q = {s, POLLIN, 0};
    CHECK_EQ(poll(&q, 1, -1), 1);
    int d = CHECK_OK(accept4(s, NULL, NULL, SOCK_NONBLOCK));
    char buf[4];
    CHECK_ERR(read(d, buf, sizeof buf), EAGAIN);
    CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
    CHECK_ERR(accept(s, NULL, NULL), EAGAIN);
    close(c), close(d), close(s);
    // Refused: at once, or by SO_ERROR once the socket is ready.
    c = CHECK_OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    r = connect(c, (struct sockaddr *)&server, sizeof server);
    CHECK_EQ(r, -1);
    if (errno == EINPROGRESS) {
        struct pollfd w = {c, POLLOUT, 0};
        CHECK_EQ(poll(&w, 1, -1), 1);
        CHECK(w.revents & (POLLOUT | POLLERR));
        length = sizeof error;
        CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &error, &length));
        CHECK_EQ(error, ECONNREFUSED);
        CHECK_OK(getsockopt(c, SOL_SOCKET, SO_ERROR, &error, &length));
        CHECK_EQ(error, 0); // read once
    } else {
        CHECK_EQ(errno, ECONNREFUSED);
    }
    close(c);
}

TEST(udp_exchange) {
    int a = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_OK(bind(a, (struct sockaddr *)&address, sizeof address));
    socklen_t length = sizeof address;
    CHECK_OK(getsockname(a, (struct sockaddr *)&address, &length));
    int b = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(send(b, "x", 1, 0), EDESTADDRREQ);
    CHECK_EQ(sendto(b, "datagram", 8, 0, (struct sockaddr *)&address, sizeof address), 8);
    char buf[16];
    struct sockaddr_in from;
    length = sizeof from;
    CHECK_EQ(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &length), 8);
    CHECK_EQ(length, sizeof from);
    CHECK_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    CHECK_MEM(buf, "datagram", 8);
    CHECK_ERR(sendto(b, "x", 1, 0, (struct sockaddr *)&address, 4), EINVAL);
    struct sockaddr_in6 six = {.sin6_family = AF_INET6};
    CHECK_ERR(sendto(b, "x", 1, 0, (struct sockaddr *)&six, sizeof six), EAFNOSUPPORT);
    CHECK_ERR(recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL), EAGAIN);
    // A bad or negative address length fails after the datagram is taken, as Linux.
    CHECK_EQ(sendto(b, "1", 1, 0, (struct sockaddr *)&address, sizeof address), 1);
    CHECK_ERR(syscall(SYS_recvfrom, a, buf, sizeof buf, 0, &from, BAD_PTR), EFAULT);
    CHECK_EQ(sendto(b, "2", 1, 0, (struct sockaddr *)&address, sizeof address), 1);
    length = (socklen_t)-1;
    CHECK_ERR(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &length), EINVAL);
    CHECK_ERR(recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL), EAGAIN);
    // A second bind of the same port is EADDRINUSE.
    int c = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(bind(c, (struct sockaddr *)&address, sizeof address), EADDRINUSE);
    CHECK_ERR(bind(a, (struct sockaddr *)&address, sizeof address), EINVAL);
    close(a), close(b), close(c);
}

// MSG_MORE: a UDP datagram waits for the send without it and carries both (LTP send02);
// a UNIX socket ignores the flag.
TEST(udp_more) {
    int a = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_OK(bind(a, (struct sockaddr *)&address, sizeof address));
    socklen_t length = sizeof address;
    CHECK_OK(getsockname(a, (struct sockaddr *)&address, &length));
    int b = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_OK(connect(b, (struct sockaddr *)&address, sizeof address));
    char buf[16];
    CHECK_EQ(send(b, "more", 4, MSG_MORE), 4);
    CHECK_ERR(recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(sendto(b, "data", 4, MSG_MORE, NULL, 0), 4);
    CHECK_ERR(recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(send(b, "!", 1, 0), 1);
    CHECK_EQ(recv(a, buf, sizeof buf, 0), 9);
    CHECK_MEM(buf, "moredata!", 9);
    CHECK_ERR(send(b, BAD_PTR, 4, MSG_MORE), EFAULT);
    CHECK_ERR(send(-1, "x", 1, MSG_MORE), EBADF);
    int pair[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair));
    CHECK_EQ(send(pair[0], "u", 1, MSG_MORE), 1);
    CHECK_EQ(recv(pair[1], buf, sizeof buf, MSG_DONTWAIT), 1);
    close(pair[0]), close(pair[1]), close(a), close(b);
}

TEST(inet6_loopback) {
    int s = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    int one = 1, value = 0;
    CHECK_OK(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    socklen_t length = sizeof value;
    CHECK_OK(getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &value, &length));
    CHECK_EQ(value, 1);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    CHECK_ERR(bind(s, (struct sockaddr *)&a, 20), EINVAL);
    CHECK_OK(bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(s, 1));
    length = sizeof a;
    CHECK_OK(getsockname(s, (struct sockaddr *)&a, &length));
    CHECK_EQ(length, sizeof a);
    int c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    int d = CHECK_OK(accept(s, NULL, NULL));
    CHECK_EQ(write(d, "6", 1), 1);
    char buf[2];
    CHECK_EQ(read(c, buf, 2), 1);
    close(c), close(d), close(s);
    c = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    CHECK_ERR(connect(c, (struct sockaddr *)&v4, sizeof v4), EINVAL);
    a.sin6_family = AF_INET;
    CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EAFNOSUPPORT);
    close(c);
}

TEST(scm_rights) {
    int sv[2], p[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(pipe(p));
    char data = 'x';
    struct iovec iov = {&data, 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    CHECK_EQ(sendmsg(sv[0], &msg, 0), 1);
    memset(&control, 0, sizeof control);
    data = 0;
    msg.msg_controllen = sizeof control.buf;
    CHECK_EQ(recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC), 1);
    CHECK_EQ(data, 'x');
    CHECK_EQ(msg.msg_flags, MSG_CMSG_CLOEXEC); // recvmsg keeps the flag it was given
    CHECK_EQ(msg.msg_controllen, CMSG_SPACE(sizeof(int)));
    c = CMSG_FIRSTHDR(&msg);
    CHECK(c != NULL);
    CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
    CHECK_EQ(c->cmsg_len, CMSG_LEN(sizeof(int)));
    int received;
    memcpy(&received, CMSG_DATA(c), sizeof received);
    CHECK(received != p[1]);
    CHECK_EQ(fcntl(received, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(write(received, "via", 3), 3); // the same pipe
    char buf[4];
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_MEM(buf, "via", 3);
    close(received);
    // A bad descriptor in SCM_RIGHTS is EBADF.
    msg.msg_controllen = sizeof control.buf;
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int bad = 999;
    memcpy(CMSG_DATA(c), &bad, sizeof bad);
    CHECK_ERR(sendmsg(sv[0], &msg, 0), EBADF);
    CHECK_ERR(sendmsg(sv[0], BAD_PTR, 0), EFAULT);
    close(p[0]), close(p[1]), close(sv[0]), close(sv[1]);
}

TEST(socket_options) {
    int s = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    int one = 1, value;
    socklen_t length = sizeof value;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &value, &length));
    CHECK_EQ(value, 1);
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &value, &length));
    CHECK_EQ(value, 1);
    int size = 65536;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size));
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &value, &length));
    CHECK_EQ(value, 2 * size); // Linux doubles it
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &value, &length));
    CHECK_EQ(value, 0);
    struct linger linger = {1, 5}, got;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
    length = sizeof got;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &got, &length));
    CHECK_EQ(length, sizeof got);
    CHECK_EQ(got.l_onoff, 1);
    CHECK_EQ(got.l_linger, 5);
    struct timeval tv = {1, 0}, tv_got;
    CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    length = sizeof tv_got;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv_got, &length));
    CHECK_EQ(tv_got.tv_sec, 1);
    CHECK_EQ(tv_got.tv_usec, 0);
    tv.tv_usec = 1000000;
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);
    // Edges.
    length = sizeof value;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &value, &length), ENOPROTOOPT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_TYPE, &one, sizeof one), ENOPROTOOPT);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 2), EINVAL);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, BAD_PTR, sizeof one), EFAULT);
    CHECK_ERR(syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &value, BAD_PTR), EFAULT);
    length = (socklen_t)-1;
    CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &value, &length), EINVAL);
    length = 2; // cut to the room
    value = 0;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &value, &length));
    CHECK_EQ(length, 2);
    CHECK_EQ(value, SOCK_STREAM);
    CHECK_ERR(getsockopt(-1, SOL_SOCKET, SO_TYPE, &value, &length), EBADF);
    CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &one, 2), EINVAL); // the length comes first
    CHECK_ERR(syscall(SYS_getsockopt, s, SOL_SOCKET, 9999, &value, BAD_PTR), EFAULT);
    // No peer: pid 0 and no ids.
    struct ucred cred;
    length = sizeof cred;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &length));
    CHECK_EQ(cred.pid, 0);
    CHECK_EQ(cred.uid, (uid_t)-1);
    CHECK_EQ(cred.gid, (gid_t)-1);
    close(s);
    int u = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(listen(u, 1), EOPNOTSUPP);
    CHECK_ERR(accept(u, NULL, NULL), EOPNOTSUPP);
    int t = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(accept(t, NULL, NULL), EINVAL); // not listening
    close(t);
    close(u);
}

// An option level the socket's protocols do not have is refused before anything is read,
// with the errno of the protocol that refuses it: a UNIX socket has SOL_SOCKET alone
// (EOPNOTSUPP); IPv4's ip_getsockopt gives EOPNOTSUPP, ip_setsockopt ENOPROTOOPT; IPv6
// gives ENOPROTOOPT. A level the socket has reads the length before the name.
TEST(socket_option_levels) {
    int value = 0;
    socklen_t length = sizeof value;
    int unix_socket = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    CHECK_ERR(getsockopt(unix_socket, IPPROTO_TCP, TCP_NODELAY, &value, &length), EOPNOTSUPP);
    CHECK_ERR(getsockopt(unix_socket, 500, 1, &value, BAD_PTR), EOPNOTSUPP);
    CHECK_ERR(setsockopt(unix_socket, IPPROTO_IP, -1, &value, sizeof value), EOPNOTSUPP);
    close(unix_socket);
    int tcp = CHECK_OK(socket(AF_INET, SOCK_STREAM, 0));
    CHECK_ERR(getsockopt(tcp, 500, 1, &value, BAD_PTR), EOPNOTSUPP);
    CHECK_ERR(getsockopt(tcp, IPPROTO_UDP, 1, &value, &length), EOPNOTSUPP);
    CHECK_ERR(getsockopt(tcp, IPPROTO_IPV6, IPV6_V6ONLY, &value, &length), EOPNOTSUPP);
    CHECK_ERR(setsockopt(tcp, 500, 1, &value, sizeof value), ENOPROTOOPT);
    CHECK_ERR(getsockopt(tcp, IPPROTO_TCP, -1, &value, &length), ENOPROTOOPT);
    CHECK_ERR(getsockopt(tcp, IPPROTO_IP, -1, &value, &length), ENOPROTOOPT);
    CHECK_ERR(syscall(SYS_getsockopt, tcp, IPPROTO_TCP, -1, &value, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_getsockopt, tcp, IPPROTO_IP, -1, &value, BAD_PTR), EFAULT);
    CHECK_ERR(getsockopt(-1, 500, 1, &value, &length), EBADF);
    close(tcp);
    int udp = CHECK_OK(socket(AF_INET, SOCK_DGRAM, 0));
    CHECK_ERR(getsockopt(udp, IPPROTO_TCP, TCP_NODELAY, &value, &length), EOPNOTSUPP);
    CHECK_ERR(setsockopt(udp, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value), ENOPROTOOPT);
    CHECK_ERR(syscall(SYS_getsockopt, udp, IPPROTO_UDP, -1, &value, BAD_PTR), EFAULT);
    close(udp);
    int tcp6 = CHECK_OK(socket(AF_INET6, SOCK_STREAM, 0));
    CHECK_ERR(getsockopt(tcp6, 500, 1, &value, BAD_PTR), ENOPROTOOPT);
    CHECK_ERR(getsockopt(tcp6, IPPROTO_UDP, 1, &value, BAD_PTR), ENOPROTOOPT);
    CHECK_ERR(setsockopt(tcp6, 500, 1, &value, sizeof value), ENOPROTOOPT);
    CHECK_ERR(syscall(SYS_getsockopt, tcp6, IPPROTO_IP, -1, &value, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_getsockopt, tcp6, IPPROTO_IPV6, -1, &value, BAD_PTR), EFAULT);
    length = sizeof value;
    CHECK_OK(getsockopt(tcp6, IPPROTO_IPV6, IPV6_V6ONLY, &value, &length));
    close(tcp6);
}

TEST(send_timeout) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct timeval tv = {0, 20000};
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    static char chunk[65536];
    long r;
    while ((r = send(sv[0], chunk, sizeof chunk, 0)) > 0)
        ;
    CHECK_EQ(r, -1);
    CHECK_EQ(errno, EAGAIN);
    close(sv[0]), close(sv[1]);
}

TEST(message_segments) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    struct msghdr msg = {.msg_iov = out, .msg_iovlen = 3};
    CHECK_EQ(sendmsg(sv[0], &msg, 0), 5); // one datagram
    char x[2], y[8];
    struct iovec in[2] = {{x, 2}, {y, sizeof y}};
    struct msghdr got = {.msg_iov = in, .msg_iovlen = 2};
    CHECK_EQ(recvmsg(sv[1], &got, 0), 5);
    CHECK_MEM(x, "ab", 2);
    CHECK_MEM(y, "cde", 3);
    CHECK_EQ(got.msg_flags, 0);
    msg.msg_iovlen = 1025;
    CHECK_ERR(sendmsg(sv[0], &msg, 0), EMSGSIZE);
    got.msg_iovlen = 1025;
    CHECK_ERR(recvmsg(sv[1], &got, MSG_DONTWAIT), EMSGSIZE);
    CHECK_ERR(recv(sv[1], BAD_PTR, 4, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(send(sv[0], "z", 1, 0), 1);
    CHECK_ERR(recv(sv[1], BAD_PTR, 4, 0), EFAULT);
    CHECK_ERR(send(sv[0], BAD_PTR, 4, 0), EFAULT);
    close(sv[0]), close(sv[1]);
}

TEST(receive_timeout) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct timeval tv = {0, 20000};
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    char buf[4];
    CHECK_ERR(read(sv[0], buf, sizeof buf), EAGAIN);
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN);
    close(sv[0]), close(sv[1]);
}

// A receive on a socket with a timeout set fails with EINTR even after a SA_RESTART
// handler (sock_intr_errno).
TEST(interrupted_receive) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct timeval tv = {30, 0};
    CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    check_interrupts_start(10000, SA_RESTART);
    char buf[4];
    CHECK_ERR(recv(sv[0], buf, sizeof buf, 0), EINTR);
    check_interrupts_stop();
    close(sv[0]), close(sv[1]);
}

TEST(select_on_sockets) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(sv[1], &read_set);
    struct timeval zero = {0, 0};
    CHECK_EQ(select(sv[1] + 1, &read_set, NULL, NULL, &zero), 0);
    CHECK_EQ(write(sv[0], "s", 1), 1);
    FD_SET(sv[1], &read_set);
    CHECK_EQ(select(sv[1] + 1, &read_set, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(sv[1], &read_set));
    int flags = fcntl(sv[1], F_GETFL);
    CHECK_OK(fcntl(sv[1], F_SETFL, flags | O_NONBLOCK));
    char buf[2];
    CHECK_EQ(read(sv[1], buf, 2), 1);
    CHECK_ERR(read(sv[1], buf, 2), EAGAIN);
    close(sv[0]), close(sv[1]);
}

TEST(getaddrinfo_localhost) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *result;
    CHECK_EQ(getaddrinfo("127.0.0.1", "80", &hints, &result), 0);
    CHECK_EQ(result->ai_family, AF_INET);
    freeaddrinfo(result);
    CHECK_EQ(getaddrinfo("::1", "80", &hints, &result), 0);
    CHECK_EQ(result->ai_family, AF_INET6);
    freeaddrinfo(result);
    hints.ai_flags = AI_ADDRCONFIG;
    hints.ai_family = AF_INET;
    CHECK_EQ(getaddrinfo("localhost", "80", &hints, &result), 0);
    CHECK_EQ(((struct sockaddr_in *)result->ai_addr)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    freeaddrinfo(result);
}

// sendmmsg and recvmmsg: datagrams in batches, with each one's length, MSG_WAITFORONE,
// the timeout checked after each message, and the errors of the first message.
TEST(batched_messages) {
    int s[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s));
    char out[3][8] = {"one", "two!", "three"};
    struct iovec out_iov[3];
    struct mmsghdr out_msgs[3];
    memset(out_msgs, 0, sizeof out_msgs);
    for (int i = 0; i < 3; i++) {
        out_iov[i] = (struct iovec){out[i], strlen(out[i])};
        out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
        out_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    CHECK_EQ(sendmmsg(s[0], out_msgs, 0, 0), 0);
    CHECK_EQ(sendmmsg(s[0], out_msgs, 3, 0), 3);
    CHECK_EQ(out_msgs[1].msg_len, 4);
    CHECK_EQ(out_msgs[2].msg_len, 5);
    char in[5][16];
    struct iovec in_iov[5];
    struct mmsghdr in_msgs[5];
    memset(in_msgs, 0, sizeof in_msgs);
    for (int i = 0; i < 5; i++) {
        in_iov[i] = (struct iovec){in[i], sizeof in[i]};
        in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
        in_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // Three are there: the fourth would block, so MSG_WAITFORONE returns after three.
    CHECK_EQ(recvmmsg(s[1], in_msgs, 5, MSG_WAITFORONE, NULL), 3);
    CHECK_EQ(in_msgs[0].msg_len, 3);
    CHECK_MEM(in[1], "two!", 4);
    CHECK_EQ(in_msgs[2].msg_len, 5);
    CHECK_ERR(recvmmsg(s[1], in_msgs, 5, MSG_DONTWAIT, NULL), EAGAIN); // none: the error
    CHECK_EQ(sendmmsg(s[0], out_msgs, 2, 0), 2);
    struct timespec timeout = {5, 0};
    CHECK_EQ(recvmmsg(s[1], in_msgs, 2, 0, &timeout), 2); // both there: no wait
    CHECK(timeout.tv_sec <= 5 && timeout.tv_sec >= 0);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(recvmmsg(s[1], in_msgs, 1, 0, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_recvmmsg, s[1], in_msgs, 1, 0, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sendmmsg, s[0], BAD_PTR, 2, 0), EFAULT);
    CHECK_ERR(syscall(SYS_recvmmsg, s[1], BAD_PTR, 2, MSG_DONTWAIT, NULL), EFAULT);
    CHECK_ERR(sendmmsg(-1, out_msgs, 1, 0), EBADF);
    CHECK_ERR(recvmmsg(-1, in_msgs, 1, 0, NULL), EBADF);
    int file = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    CHECK_ERR(sendmmsg(file, out_msgs, 1, 0), ENOTSOCK);
    CHECK_ERR(recvmmsg(file, in_msgs, 1, 0, NULL), ENOTSOCK);
    close(file);
    // A bad second message: the first is sent and counted.
    struct mmsghdr partial[2];
    memcpy(partial, out_msgs, sizeof partial);
    partial[1].msg_hdr.msg_iov = BAD_PTR;
    CHECK_EQ(sendmmsg(s[0], partial, 2, 0), 1);
    CHECK_EQ(recvmmsg(s[1], in_msgs, 5, MSG_DONTWAIT, NULL), 1);
    close(s[0]), close(s[1]);
}
