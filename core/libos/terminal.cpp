// SPDX-License-Identifier: MIT
// Terminal ioctls: the kernel's struct termios (and the old struct termio) and winsize over
// the ABI's terminal settings and window, and the pseudo-terminal master's requests.
#include "terminal.h"

#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <stddef.h>

#include "format.h"
#include "process_tree.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Window {
    uint16_t rows, columns, x, y;
};

int64_t control(const OpenFile &file, uint32_t command, void *data, uint64_t size) {
    bsc_status status = abi().stream_control(file.handle, command, data, size);
    return status == BSC_E_NOT_TTY || status == BSC_E_NOT_SUPPORTED ? -ENOTTY : result_of(status);
}

// The Linux personality's struct termios is the ABI's settings without the reserved tail:
// the ABI keeps the System V encoding, which is Linux's.
static_assert(offsetof(termios, c_line) == offsetof(bsc_terminal_settings, line_discipline) &&
              offsetof(termios, c_cc) == offsetof(bsc_terminal_settings, control_chars) &&
              sizeof(termios) == offsetof(bsc_terminal_settings, reserved));

int64_t get_settings(const OpenFile &file, uint64_t address) {
    bsc_terminal_settings s;
    if (int64_t error = control(file, BSC_CONTROL_TTY_SETTINGS, &s, sizeof s))
        return error;
    return copy_to_user(address, &s, sizeof(termios)) ? 0 : -EFAULT;
}

int64_t set_settings(const OpenFile &file, uint32_t command, uint64_t address) {
    bsc_terminal_settings s{};
    if (!copy_from_user(&s, address, sizeof(termios)))
        return -EFAULT;
    return control(file, command, &s, sizeof s);
}

// The System V struct termio of TCGETA and TCSETA*: the low 16 bits of each mode and the
// first 8 control characters of the termios.
struct Termio {
    uint16_t input, output, control, local;
    uint8_t line, control_chars[8];
};

// TCGETA: the settings as a termio (kernel_termios_to_user_termio).
int64_t get_old_settings(const OpenFile &file, uint64_t address) {
    bsc_terminal_settings s;
    if (int64_t error = control(file, BSC_CONTROL_TTY_SETTINGS, &s, sizeof s))
        return error;
    Termio t{};
    t.input = static_cast<uint16_t>(s.input_modes);
    t.output = static_cast<uint16_t>(s.output_modes);
    t.control = static_cast<uint16_t>(s.control_modes);
    t.local = static_cast<uint16_t>(s.local_modes);
    t.line = s.line_discipline;
    memcpy(t.control_chars, s.control_chars, sizeof t.control_chars);
    return copy_to_user(address, &t, sizeof t) ? 0 : -EFAULT;
}

// TCSETA, TCSETAW, TCSETAF: a termio replaces the low 16 bits of each mode and the first
// 8 control characters of the settings, the rest is kept (user_termio_to_kernel_termios).
int64_t set_old_settings(const OpenFile &file, uint32_t command, uint64_t address) {
    bsc_terminal_settings s;
    if (int64_t error = control(file, BSC_CONTROL_TTY_SETTINGS, &s, sizeof s))
        return error;
    Termio t;
    if (!copy_from_user(&t, address, sizeof t))
        return -EFAULT;
    auto merge = [](uint32_t &mode, uint16_t low) { mode = (mode & 0xffff0000u) | low; };
    merge(s.input_modes, t.input);
    merge(s.output_modes, t.output);
    merge(s.control_modes, t.control);
    merge(s.local_modes, t.local);
    s.line_discipline = t.line;
    memcpy(s.control_chars, t.control_chars, sizeof t.control_chars);
    return control(file, command, &s, sizeof s);
}

int64_t get_window(const OpenFile &file, uint64_t address) {
    bsc_terminal_window w;
    if (int64_t error = control(file, BSC_CONTROL_TTY_WINDOW, &w, sizeof w))
        return error;
    return put_user(address, Window{w.rows, w.columns, w.x_pixels, w.y_pixels}) ? 0 : -EFAULT;
}

int64_t set_window(const OpenFile &file, uint64_t address) {
    Window w;
    if (!get_user(address, w))
        return -EFAULT;
    bsc_terminal_window abi_window{w.rows, w.columns, w.x, w.y};
    return control(file, BSC_CONTROL_TTY_SET_WINDOW, &abi_window, sizeof abi_window);
}

// A 32-bit value the ioctl reads from (in) or writes to the program.
int64_t value_request(const OpenFile &file, uint32_t command, uint64_t address, bool in) {
    uint32_t value = 0;
    if (in) {
        int32_t given;
        if (!get_user(address, given))
            return -EFAULT;
        value = given != 0;
    }
    if (int64_t error = control(file, command, &value, sizeof value))
        return error;
    return in || put_user(address, value) ? 0 : -EFAULT;
}

// TCFLSH, TCXONC, TCSBRK: the argument is a value; EINVAL for an unknown one.
int64_t queue_request(const OpenFile &file, uint64_t request, uint64_t argument) {
    uint32_t command, value = 0;
    if (request == TCFLSH) {
        static constexpr uint32_t kQueues[] = {BSC_TTY_FLUSH_INPUT, BSC_TTY_FLUSH_OUTPUT,
                                               BSC_TTY_FLUSH_INPUT | BSC_TTY_FLUSH_OUTPUT};
        if (argument > TCIOFLUSH)
            return -EINVAL;
        command = BSC_CONTROL_TTY_FLUSH;
        value = kQueues[argument];
    } else if (request == TCXONC) {
        static constexpr uint32_t kActions[] = {
            BSC_TTY_FLOW_SUSPEND_OUTPUT, BSC_TTY_FLOW_RESTART_OUTPUT, BSC_TTY_FLOW_SEND_STOP,
            BSC_TTY_FLOW_SEND_START};
        if (argument > TCION)
            return -EINVAL;
        command = BSC_CONTROL_TTY_FLOW;
        value = kActions[argument];
    } else { // TCSBRK: 0 drains and sends a break, anything else drains
        command = argument == 0 ? BSC_CONTROL_TTY_BREAK : BSC_CONTROL_TTY_DRAIN;
    }
    return control(file, command, &value, sizeof value);
}

int64_t count_request(const OpenFile &file, uint32_t command, uint64_t address) {
    uint64_t bytes = 0;
    if (int64_t error = control(file, command, &bytes, sizeof bytes))
        return error;
    return put_user(address, static_cast<int32_t>(bytes)) ? 0 : -EFAULT;
}

// Whether `file` is the guest's controlling terminal: the one it was started on (its
// standard streams, or /dev/tty). A terminal it opened itself never became its
// controlling one (the guest leads no session of the host's).
bool controlling(const OpenFile &file) {
    return !file.path || freestanding::equal(file.path, "/dev/tty");
}

// TIOCGPGRP (tiocgpgrp): the controlling terminal's foreground group (the guest's own,
// process_tree.h); ENOTTY on another terminal, and a pty master shows its peer's
// foreground group, none (0).
int64_t get_foreground_group(const OpenFile &file, uint64_t address) {
    int32_t group = foreground_group();
    if (!controlling(file)) {
        uint32_t number;
        if (control(file, BSC_CONTROL_PTY_NUMBER, &number, sizeof number) != 0)
            return -ENOTTY;
        group = 0;
    }
    return put_user(address, group) ? 0 : -EFAULT;
}

// TIOCSPGRP (tiocspgrp): on the controlling terminal, a group of the caller's session
// becomes its foreground (EPERM for any other); ENOTTY on another terminal.
int64_t put_foreground_group(const OpenFile &file, uint64_t address) {
    if (!controlling(file))
        return -ENOTTY;
    int32_t group;
    if (!get_user(address, group))
        return -EFAULT;
    return set_foreground_group(group);
}

// TIOCGPTPEER: opens the master's peer with `flags` (O_ACCMODE, O_NONBLOCK, O_CLOEXEC),
// never as the controlling terminal; EIO on anything but a master.
int64_t open_peer(const OpenFile &file, uint64_t flags) {
    uint32_t number = 0;
    if (control(file, BSC_CONTROL_PTY_NUMBER, &number, sizeof number) != 0)
        return -EIO;
    char path[32], uri[40];
    freestanding::format(path, sizeof path, "/dev/pts/%u", number);
    freestanding::format(uri, sizeof uri, "file:%s", path);
    uint32_t mode = flags & O_ACCMODE;
    uint32_t access = mode == O_WRONLY ? BSC_ACCESS_WRITE
                      : mode == O_RDWR ? BSC_ACCESS_RDWR
                                       : BSC_ACCESS_READ;
    bsc_handle peer;
    bsc_status status = abi().stream_open(uri, access, 0, BSC_CREATE_NEVER,
                                          flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0, &peer);
    if (status != BSC_OK)
        return result_of(status);
    auto status_flags = static_cast<uint32_t>(flags & (O_ACCMODE | O_NONBLOCK)) | 0100000;
    return fd_install(open_file(peer, status_flags, BSC_TYPE_TTY, path), 0, flags & O_CLOEXEC);
}

} // namespace

int64_t terminal_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    switch (request) {
    case TCGETS: return get_settings(file, address);
    case TCSETS: return set_settings(file, BSC_CONTROL_TTY_SET_SETTINGS, address);
    case TCSETSW: return set_settings(file, BSC_CONTROL_TTY_SET_SETTINGS_DRAIN, address);
    case TCSETSF: return set_settings(file, BSC_CONTROL_TTY_SET_SETTINGS_FLUSH, address);
    case TCGETA: return get_old_settings(file, address);
    case TCSETA: return set_old_settings(file, BSC_CONTROL_TTY_SET_SETTINGS, address);
    case TCSETAW: return set_old_settings(file, BSC_CONTROL_TTY_SET_SETTINGS_DRAIN, address);
    case TCSETAF: return set_old_settings(file, BSC_CONTROL_TTY_SET_SETTINGS_FLUSH, address);
    case TIOCGWINSZ: return get_window(file, address);
    case TIOCSWINSZ: return set_window(file, address);
    case TIOCGPTN: return value_request(file, BSC_CONTROL_PTY_NUMBER, address, false);
    case TIOCGPTLCK: return value_request(file, BSC_CONTROL_PTY_LOCKED, address, false);
    case TIOCSPTLCK: return value_request(file, BSC_CONTROL_PTY_SET_LOCKED, address, true);
    case TIOCGPKT: return value_request(file, BSC_CONTROL_PTY_PACKET, address, false);
    case TIOCPKT: return value_request(file, BSC_CONTROL_PTY_SET_PACKET, address, true);
    case TIOCGPTPEER: return open_peer(file, address);
    case FIONREAD: return count_request(file, BSC_CONTROL_READABLE, address);
    case TIOCOUTQ: return count_request(file, BSC_CONTROL_TTY_OUTPUT_QUEUED, address);
    case TCFLSH:
    case TCXONC:
    case TCSBRK: return queue_request(file, request, address);
    case TIOCGPGRP: return get_foreground_group(file, address);
    case TIOCSPGRP: return put_foreground_group(file, address);
    default: return -ENOTTY; // TIOCMGET too: a pty or console has no modem lines
    }
}

} // namespace libos
