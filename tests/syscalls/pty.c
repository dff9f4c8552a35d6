// SPDX-License-Identifier: MIT
// Pseudo-terminals: /dev/ptmx and its ioctls (TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK,
// TIOCGPTPEER, TIOCPKT, TIOCGPKT), /dev/pts/N, termios (and the old termio of TCGETA and
// TCSETA*) and window size, data both ways through the line discipline.
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static int open_master(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(master >= 0);
    return master;
}

TEST(ptmx_number_lock_and_peer) {
    int master = open_master();
    unsigned number = 12345;
    CHECK_OK(ioctl(master, TIOCGPTN, &number));
    CHECK(number != 12345);
    int locked = -1;
    CHECK_OK(ioctl(master, TIOCGPTLCK, &locked));
    CHECK_EQ(locked, 1); // a new master is locked
    CHECK_ERR(ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
    CHECK_OK(grantpt(master));
    CHECK_OK(unlockpt(master));
    CHECK_OK(ioctl(master, TIOCGPTLCK, &locked));
    CHECK_EQ(locked, 0);
    char name[64], expected[64];
    CHECK_OK(ptsname_r(master, name, sizeof name));
    snprintf(expected, sizeof expected, "/dev/pts/%u", number);
    CHECK_STR(name, expected);
    struct stat st;
    CHECK_OK(stat(name, &st));
    CHECK(S_ISCHR(st.st_mode));
    int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK(peer >= 0);
    CHECK_EQ(fcntl(peer, F_GETFD), FD_CLOEXEC);
    CHECK(isatty(peer));
    CHECK_ERR(ioctl(peer, TIOCGPTN, &number), ENOTTY); // the peer is no master
    CHECK_ERR(ioctl(peer, TIOCGPTPEER, O_RDWR), EIO);
    pid_t group = -1;
    CHECK_ERR(ioctl(peer, TIOCGPGRP, &group), ENOTTY); // not the controlling terminal
    CHECK_OK(ioctl(master, TIOCGPGRP, &group));
    CHECK_EQ(group, 0); // the peer has no foreground group
    CHECK_ERR(ioctl(master, TIOCGPTN, BAD_PTR), EFAULT);
    close(peer), close(master);
}

TEST(pty_data_both_ways) {
    int master = open_master();
    CHECK_OK(grantpt(master));
    CHECK_OK(unlockpt(master));
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    CHECK(slave >= 0);
    // Canonical mode: a line reaches the slave when it ends; ECHO sends it back.
    CHECK_EQ(write(master, "hi\n", 3), 3);
    char buf[64] = {0};
    CHECK_EQ(read(slave, buf, sizeof buf), 3);
    CHECK_MEM(buf, "hi\n", 3);
    struct pollfd p = {master, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(read(master, buf, sizeof buf), 4); // the echo, with ONLCR: "hi\r\n"
    CHECK_MEM(buf, "hi\r\n", 4);
    CHECK_EQ(write(slave, "out\n", 4), 4);
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(read(master, buf, sizeof buf), 5);
    CHECK_MEM(buf, "out\r\n", 5);
    int n = -1;
    CHECK_EQ(write(master, "abc\n", 4), 4);
    struct pollfd s = {slave, POLLIN, 0};
    CHECK_EQ(poll(&s, 1, -1), 1);
    CHECK_OK(ioctl(slave, FIONREAD, &n));
    CHECK_EQ(n, 4);
    close(slave), close(master);
}

TEST(pty_termios_and_window) {
    int master, slave;
    struct winsize size = {.ws_row = 33, .ws_col = 101};
    CHECK_OK(openpty(&master, &slave, NULL, NULL, &size));
    struct winsize got;
    CHECK_OK(ioctl(slave, TIOCGWINSZ, &got));
    CHECK_EQ(got.ws_row, 33);
    CHECK_EQ(got.ws_col, 101);
    CHECK_OK(ioctl(master, TIOCGWINSZ, &got));
    CHECK_EQ(got.ws_col, 101);
    struct termios t;
    CHECK_OK(tcgetattr(slave, &t));
    CHECK(t.c_lflag & ICANON);
    cfmakeraw(&t);
    CHECK_OK(tcsetattr(slave, TCSANOW, &t));
    struct termios again;
    CHECK_OK(tcgetattr(slave, &again));
    CHECK_EQ(again.c_lflag & (ICANON | ECHO), 0);
    // Raw: bytes pass at once, without echo.
    CHECK_EQ(write(master, "x", 1), 1);
    char c = 0;
    CHECK_EQ(read(slave, &c, 1), 1);
    CHECK_EQ(c, 'x');
    CHECK_OK(tcsetattr(slave, TCSAFLUSH, &again));
    CHECK_OK(tcsetattr(slave, TCSADRAIN, &again));
    CHECK_ERR(ioctl(slave, TCGETS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(slave, TCSETS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(slave, TIOCSWINSZ, BAD_PTR), EFAULT);
    int lines;
    CHECK_ERR(ioctl(slave, TIOCMGET, &lines), ENOTTY); // no modem lines
    close(slave), close(master);
}

// TCGETA shows the low 16 bits of each mode and the first 8 control characters; TCSETA,
// TCSETAW and TCSETAF replace those and keep the rest.
TEST(pty_old_termio) {
    int master, slave;
    CHECK_OK(openpty(&master, &slave, NULL, NULL, NULL));
    struct termios t;
    CHECK_OK(tcgetattr(slave, &t));
    struct termio old;
    memset(&old, 0xff, sizeof old);
    CHECK_OK(ioctl(slave, TCGETA, &old));
    CHECK_EQ(old.c_iflag, t.c_iflag & 0xffff);
    CHECK_EQ(old.c_oflag, t.c_oflag & 0xffff);
    CHECK_EQ(old.c_cflag, t.c_cflag & 0xffff);
    CHECK_EQ(old.c_lflag, t.c_lflag & 0xffff);
    CHECK_EQ(old.c_line, t.c_line);
    CHECK_MEM(old.c_cc, t.c_cc, sizeof old.c_cc);
    old.c_lflag &= ~(ICANON | ECHO);
    old.c_cc[VINTR] = 7;
    CHECK_OK(ioctl(slave, TCSETA, &old));
    struct termios now;
    CHECK_OK(tcgetattr(slave, &now));
    CHECK_EQ(now.c_lflag, t.c_lflag & ~(tcflag_t)(ICANON | ECHO));
    CHECK_EQ(now.c_cflag, t.c_cflag); // the high bits (the baud rate's) are kept
    CHECK_EQ(now.c_cc[VINTR], 7);
    CHECK_EQ(now.c_cc[VEOL2], t.c_cc[VEOL2]); // past the first 8: kept
    CHECK_OK(ioctl(slave, TCSETAW, &old));
    CHECK_OK(ioctl(slave, TCSETAF, &old));
    CHECK_ERR(ioctl(slave, TCGETA, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(slave, TCGETA, NULL), EFAULT);
    CHECK_ERR(ioctl(slave, TCSETA, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(-1, TCGETA, &old), EBADF);
    int file = CHECK_OK(open("plain", O_CREAT | O_RDWR, 0600));
    CHECK_ERR(ioctl(file, TCGETA, &old), ENOTTY);
    CHECK_ERR(ioctl(file, TCSETA, &old), ENOTTY);
    close(file), close(slave), close(master);
}

TEST(pty_queues_flow_and_break) {
    int master, slave;
    CHECK_OK(openpty(&master, &slave, NULL, NULL, NULL));
    CHECK_EQ(write(master, "abc\n", 4), 4);
    struct pollfd s = {slave, POLLIN, 0};
    CHECK_EQ(poll(&s, 1, -1), 1);
    CHECK_OK(tcflush(slave, TCIFLUSH)); // the line waiting is dropped
    int n = -1;
    CHECK_OK(ioctl(slave, FIONREAD, &n));
    CHECK_EQ(n, 0);
    CHECK_OK(tcflush(slave, TCIOFLUSH));
    CHECK_ERR(ioctl(slave, TCFLSH, 7), EINVAL);
    CHECK_OK(tcdrain(slave));
    CHECK_OK(tcsendbreak(slave, 0));
    CHECK_OK(tcflow(slave, TCOOFF));
    CHECK_OK(tcflow(slave, TCOON));
    CHECK_ERR(ioctl(slave, TCXONC, 9), EINVAL);
    CHECK_OK(ioctl(slave, TIOCOUTQ, &n));
    CHECK(n >= 0);
    CHECK_ERR(ioctl(slave, TIOCOUTQ, BAD_PTR), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(tcflush(p[0], TCIFLUSH), ENOTTY);
    CHECK_ERR(tcdrain(p[1]), ENOTTY);
    close(p[0]), close(p[1]), close(slave), close(master);
}

TEST(pty_packet_mode) {
    int master, slave;
    CHECK_OK(openpty(&master, &slave, NULL, NULL, NULL));
    int on = -1;
    CHECK_OK(ioctl(master, TIOCGPKT, &on));
    CHECK_EQ(on, 0);
    on = 1;
    CHECK_OK(ioctl(master, TIOCPKT, &on));
    CHECK_OK(ioctl(master, TIOCGPKT, &on));
    CHECK_EQ(on, 1);
    CHECK_EQ(write(slave, "z", 1), 1);
    char buf[8];
    CHECK_EQ(read(master, buf, sizeof buf), 2); // a status byte, then the data
    CHECK_EQ(buf[0], TIOCPKT_DATA);
    CHECK_EQ(buf[1], 'z');
    CHECK_ERR(ioctl(master, TIOCPKT, BAD_PTR), EFAULT);
    close(slave), close(master);
}
