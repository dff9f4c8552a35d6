// SPDX-License-Identifier: MIT
// stream_control's terminal commands: a terminal's settings and window size, and a
// pseudo-terminal master's number, lock and packet mode, on the host's own terminal.
#include <sys/ioctl.h>
#include <termios.h>

#include <cstring>

#include "errors.h"
#include "guest_memory.h"
#include "streams.h"

namespace bsc::host {
namespace {

template <class T> void carry(T &termios_field, T &abi_field, bool to_abi) {
    if (to_abi)
        abi_field = termios_field;
    else
        termios_field = abi_field;
}

// Carries a terminal's settings between termios and the ABI's, which uses the System V
// termios encoding, Linux's own.
void exchange(termios &t, bsc_terminal_settings &s, bool to_abi) {
    carry(t.c_iflag, s.input_modes, to_abi);
    carry(t.c_oflag, s.output_modes, to_abi);
    carry(t.c_cflag, s.control_modes, to_abi);
    carry(t.c_lflag, s.local_modes, to_abi);
    carry(t.c_line, s.line_discipline, to_abi);
    for (size_t i = 0; i < sizeof s.control_chars; i++)
        carry(t.c_cc[i], s.control_chars[i], to_abi);
}

bsc_status get_settings(int fd, void *data) {
    termios t{};
    if (::tcgetattr(fd, &t) != 0)
        return errno_status();
    bsc_terminal_settings s{};
    exchange(t, s, true);
    return write_guest(static_cast<bsc_terminal_settings *>(data), s);
}

bsc_status set_settings(int fd, int when, const void *data) {
    bsc_terminal_settings s;
    if (read_guest(static_cast<const bsc_terminal_settings *>(data), s) != BSC_OK)
        return BSC_E_FAULT;
    termios t{};
    if (::tcgetattr(fd, &t) != 0) // what the ABI's settings do not carry stays
        return errno_status();
    exchange(t, s, false);
    return ::tcsetattr(fd, when, &t) != 0 ? errno_status() : BSC_OK;
}

// A request whose argument is a value of type T in guest memory, read (in) or written.
template <class T> bsc_status value_request(int fd, unsigned long request, void *data, bool in) {
    T value{};
    if (in && read_guest(static_cast<const T *>(data), value) != BSC_OK)
        return BSC_E_FAULT;
    if (::ioctl(fd, request, &value) != 0)
        return errno_status();
    return in ? BSC_OK : write_guest(static_cast<T *>(data), value);
}

bsc_status window_request(int fd, unsigned long request, void *data, bool in) {
    winsize w{};
    bsc_terminal_window abi{};
    if (in) {
        if (read_guest(static_cast<const bsc_terminal_window *>(data), abi) != BSC_OK)
            return BSC_E_FAULT;
        w = {abi.rows, abi.columns, abi.x_pixels, abi.y_pixels};
    }
    if (::ioctl(fd, request, &w) != 0)
        return errno_status();
    abi = {w.ws_row, w.ws_col, w.ws_xpixel, w.ws_ypixel};
    return in ? BSC_OK : write_guest(static_cast<bsc_terminal_window *>(data), abi);
}

// tcflush, tcflow, tcdrain, tcsendbreak.
bsc_status queue_request(int fd, uint32_t command, const void *data) {
    uint32_t value;
    if (read_guest(static_cast<const uint32_t *>(data), value) != BSC_OK)
        return BSC_E_FAULT;
    int result;
    switch (command) {
    case BSC_CONTROL_TTY_FLUSH: {
        static constexpr int kQueues[] = {-1, TCIFLUSH, TCOFLUSH, TCIOFLUSH};
        if (value == 0 || value > 3)
            return BSC_E_INVALID;
        result = ::tcflush(fd, kQueues[value]);
        break;
    }
    case BSC_CONTROL_TTY_FLOW: {
        static constexpr int kActions[] = {TCOOFF, TCOON, TCIOFF, TCION};
        if (value > BSC_TTY_FLOW_SEND_START)
            return BSC_E_INVALID;
        result = ::tcflow(fd, kActions[value]);
        break;
    }
    case BSC_CONTROL_TTY_DRAIN: result = ::tcdrain(fd); break;
    default: result = ::tcsendbreak(fd, 0); break;
    }
    return result != 0 ? errno_status() : BSC_OK;
}

bsc_status output_queued(int fd, void *data) {
    int bytes = 0;
    if (::ioctl(fd, TIOCOUTQ, &bytes) != 0)
        return errno_status();
    return write_guest(static_cast<uint64_t *>(data), static_cast<uint64_t>(bytes < 0 ? 0 : bytes));
}

size_t size_of(uint32_t command) {
    switch (command) {
    case BSC_CONTROL_TTY_OUTPUT_QUEUED: return sizeof(uint64_t);
    case BSC_CONTROL_TTY_SETTINGS:
    case BSC_CONTROL_TTY_SET_SETTINGS:
    case BSC_CONTROL_TTY_SET_SETTINGS_DRAIN:
    case BSC_CONTROL_TTY_SET_SETTINGS_FLUSH: return sizeof(bsc_terminal_settings);
    case BSC_CONTROL_TTY_WINDOW:
    case BSC_CONTROL_TTY_SET_WINDOW: return sizeof(bsc_terminal_window);
    default: return sizeof(uint32_t);
    }
}

} // namespace

bool is_terminal_command(uint32_t command) {
    return command >= BSC_CONTROL_TTY_SETTINGS && command <= BSC_CONTROL_TTY_OUTPUT_QUEUED;
}

bsc_status terminal_control(int fd, uint32_t command, void *data, uint64_t size) {
    if (size != size_of(command))
        return BSC_E_INVALID;
    switch (command) {
    case BSC_CONTROL_TTY_SETTINGS: return get_settings(fd, data);
    case BSC_CONTROL_TTY_SET_SETTINGS: return set_settings(fd, TCSANOW, data);
    case BSC_CONTROL_TTY_SET_SETTINGS_DRAIN: return set_settings(fd, TCSADRAIN, data);
    case BSC_CONTROL_TTY_SET_SETTINGS_FLUSH: return set_settings(fd, TCSAFLUSH, data);
    case BSC_CONTROL_TTY_WINDOW: return window_request(fd, TIOCGWINSZ, data, false);
    case BSC_CONTROL_TTY_SET_WINDOW: return window_request(fd, TIOCSWINSZ, data, true);
    case BSC_CONTROL_PTY_NUMBER: return value_request<unsigned>(fd, TIOCGPTN, data, false);
    case BSC_CONTROL_PTY_LOCKED: return value_request<int>(fd, TIOCGPTLCK, data, false);
    case BSC_CONTROL_PTY_SET_LOCKED: return value_request<int>(fd, TIOCSPTLCK, data, true);
    case BSC_CONTROL_PTY_PACKET: return value_request<int>(fd, TIOCGPKT, data, false);
    case BSC_CONTROL_PTY_SET_PACKET: return value_request<int>(fd, TIOCPKT, data, true);
    case BSC_CONTROL_TTY_FLUSH:
    case BSC_CONTROL_TTY_FLOW:
    case BSC_CONTROL_TTY_DRAIN:
    case BSC_CONTROL_TTY_BREAK: return queue_request(fd, command, data);
    case BSC_CONTROL_TTY_OUTPUT_QUEUED: return output_queued(fd, data);
    default: return BSC_E_INVALID;
    }
}

} // namespace bsc::host
