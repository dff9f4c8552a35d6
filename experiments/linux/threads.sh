#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Threads and sockets natively and under `bascule run`: a CPU-bound workload on one and on
# two threads (hyperfine; bascule's speed-up must match native's), the cost of a thread
# create and join, a TCP loopback ping-pong round trip, and an epoll echo server under a
# native load generator (requests per second).
# Usage: experiments/linux/threads.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
source "$(dirname "$0")/lib.sh"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT  # no jobs left: kill fails, and set -e would make that the exit status

# spin THREADS: each thread runs the same fixed computation.
cat >"$work/spin.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
static void *spin(void *arg) {
    unsigned long x = (unsigned long)arg;
    for (long i = 0; i < 400000000; i++)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    return (void *)x;
}
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    pthread_t t[8];
    unsigned long sum = 0;
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, spin, (void *)(long)i);
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (unsigned long)r;
    }
    printf("%lu\n", sum);
    return 0;
}
C
# create_join N: microseconds per pthread_create + pthread_join.
cat >"$work/create_join.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static void *nothing(void *arg) { return arg; }
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        pthread_create(&t, NULL, nothing, NULL);
        pthread_join(t, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000);
    return 0;
}
C
# ping_pong N: microseconds per round trip of one byte over a loopback TCP connection
# between two threads of the process.
cat >"$work/ping_pong.c" <<'C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static int n, server_fd;
static void *echo(void *arg) {
    (void)arg;
    int c = accept(server_fd, NULL, NULL);
    char byte;
    for (int i = 0; i < n; i++)
        if (read(c, &byte, 1) != 1 || write(c, &byte, 1) != 1)
            exit(1);
    return NULL;
}
int main(int argc, char **argv) {
    n = atoi(argv[1]);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    server_fd = socket(AF_INET, SOCK_STREAM, 0);
    bind(server_fd, (struct sockaddr *)&a, sizeof a);
    listen(server_fd, 1);
    getsockname(server_fd, (struct sockaddr *)&a, &len);
    pthread_t t;
    pthread_create(&t, NULL, echo, NULL);
    int c = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    connect(c, (struct sockaddr *)&a, sizeof a);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timespec s, e;
    clock_gettime(CLOCK_MONOTONIC, &s);
    char byte = 'x';
    for (int i = 0; i < n; i++)
        if (write(c, &byte, 1) != 1 || read(c, &byte, 1) != 1)
            return 1;
    clock_gettime(CLOCK_MONOTONIC, &e);
    pthread_join(t, NULL);
    printf("%.1f\n", ((e.tv_sec - s.tv_sec) * 1e9 + (e.tv_nsec - s.tv_nsec)) / n / 1000);
    return 0;
}
C
# echo_server PORT_FILE: a single-threaded epoll echo server; writes its port to PORT_FILE.
cat >"$work/echo_server.c" <<'C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), ep = epoll_create1(0);
    bind(s, (struct sockaddr *)&a, sizeof a);
    listen(s, 128);
    getsockname(s, (struct sockaddr *)&a, &len);
    FILE *f = fopen(argv[1], "w");
    fprintf(f, "%d\n", ntohs(a.sin_port));
    fclose(f);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = s}, ready[64];
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
    char buffer[4096];
    for (;;) {
        int n = epoll_wait(ep, ready, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd == s) {
                int c = accept(s, NULL, NULL);
                struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                continue;
            }
            ssize_t got = read(fd, buffer, sizeof buffer);
            if (got <= 0) {
                close(fd);
                continue;
            }
            write(fd, buffer, (size_t)got);
        }
    }
}
C
# load PORT CONNECTIONS SECONDS: requests (64 bytes out, 64 back) per second over that many
# connections, one request in flight on each.
cat >"$work/load.c" <<'C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
int main(int argc, char **argv) {
    int port = atoi(argv[1]), n = atoi(argv[2]);
    double seconds = atof(argv[3]);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct pollfd p[256];
    char request[64] = {0}, reply[64];
    for (int i = 0; i < n; i++) {
        int one = 1;
        p[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(p[i].fd, (struct sockaddr *)&a, sizeof a))
            return 1;
        setsockopt(p[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        p[i].events = POLLIN;
        write(p[i].fd, request, sizeof request);
    }
    long done = 0;
    double start = now(), end = start + seconds;
    while (now() < end) {
        poll(p, n, 100);
        for (int i = 0; i < n; i++)
            if (p[i].revents & POLLIN) {
                if (read(p[i].fd, reply, sizeof reply) <= 0)
                    return 1;
                write(p[i].fd, request, sizeof request);
                done++;
            }
    }
    printf("%.0f\n", done / (now() - start));
    return 0;
}
C
for program in spin create_join ping_pong echo_server load; do
  cc -O2 -pthread "$work/$program.c" -o "$work/$program"
done

declare -A seconds
for threads in 1 2; do
  for side in native bascule; do
    prefix=""
    [[ $side == bascule ]] && prefix="$bascule run -- "
    hyperfine --style none --runs "$runs" --warmup 1 --export-json "$work/spin$threads-$side.json" \
      "$prefix$work/spin $threads" >/dev/null
    seconds[$threads-$side]=$(mean "$work/spin$threads-$side.json")
  done
done
echo "| CPU-bound (400M LCG steps per thread) | native (s) | bascule (s) | ratio |"
echo "|---|---:|---:|---:|"
for threads in 1 2; do
  awk -v t="$threads" -v a="${seconds[$threads-native]}" -v b="${seconds[$threads-bascule]}" \
    'BEGIN { printf "| %d thread%s | %.3f | %.3f | %.2fx |\n", t, (t > 1 ? "s" : ""), a, b, b / a }'
done
awk -v n1="${seconds[1-native]}" -v n2="${seconds[2-native]}" -v b1="${seconds[1-bascule]}" \
  -v b2="${seconds[2-bascule]}" 'BEGIN { printf "| speed-up on 2 threads (2 x work / time) | %.2f | %.2f | %.2fx |\n", 2 * n1 / n2, 2 * b1 / b2, (2 * n1 / n2) / (2 * b1 / b2) }'

echo
echo "| per operation | native | bascule | ratio |"
echo "|---|---:|---:|---:|"
row() {
  awk -v w="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN { printf "| %s | %s %s | %s %s | %.1fx |\n", w, a, u, b, u, ((u == "req/s") ? a / b : b / a) }'
}
row "thread create + join" "$("$work/create_join" 2000)" "$("$bascule" run -- "$work/create_join" 2000)" us
row "TCP loopback ping-pong round trip" "$("$work/ping_pong" 20000)" "$("$bascule" run -- "$work/ping_pong" 20000)" us
declare -A rate
for side in native bascule; do
  rm -f "$work/port"
  if [[ $side == native ]]; then "$work/echo_server" "$work/port" & else "$bascule" run -- "$work/echo_server" "$work/port" & fi
  server=$!
  while [[ ! -s $work/port ]]; do sleep 0.05; done
  rate[$side]=$("$work/load" "$(cat "$work/port")" 16 3)
  kill $server
  wait $server 2>/dev/null || true
done
row "epoll echo server, 16 connections (native load)" "${rate[native]}" "${rate[bascule]}" "req/s"
