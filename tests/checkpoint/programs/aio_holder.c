// SPDX-License-Identifier: MIT
// A checkpoint test workload with a live native AIO context: its ring is program memory
// and its state the LibOS's, so a restored guest goes on submitting and reaping with the
// same context id. Writes a file by io_submit, one request per tick, holds after tick 2
// (hold.h), then reads the whole file back by AIO and prints it.
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hold.h"

static aio_context_t ctx;

// One request, submitted and reaped: its result.
static long long aio(int fd, int opcode, void *buf, size_t size, long long offset) {
    struct iocb cb;
    memset(&cb, 0, sizeof cb);
    cb.aio_fildes = fd;
    cb.aio_lio_opcode = opcode;
    cb.aio_buf = (uintptr_t)buf;
    cb.aio_nbytes = size;
    cb.aio_offset = offset;
    struct iocb *list[1] = {&cb};
    struct io_event ev;
    if (syscall(SYS_io_submit, ctx, 1, list) != 1 ||
        syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1 || ev.obj != (uintptr_t)&cb)
        return -1000;
    return ev.res;
}

int main(void) {
    int fd = open("aio.data", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || syscall(SYS_io_setup, 8, &ctx) != 0) {
        perror("aio_holder");
        return 1;
    }
    for (int tick = 1; tick <= 4; tick++) {
        char line[16];
        int n = snprintf(line, sizeof line, "line %d\n", tick);
        printf("tick %d: wrote %lld\n", tick, aio(fd, IOCB_CMD_PWRITE, line, n, (tick - 1) * n));
        fflush(stdout);
        hold(tick);
    }
    char back[64] = {0};
    printf("read %lld: %s", aio(fd, IOCB_CMD_PREAD, back, sizeof back - 1, 0), back);
    printf("destroy %ld\n", syscall(SYS_io_destroy, ctx));
    return 0;
}
