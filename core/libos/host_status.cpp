// SPDX-License-Identifier: MIT
// The host process's capability sets, seccomp mode and timer slack, read from its own
// /proc/self (host_status.h).
#include "host_status.h"

#include "format.h"
#include "heap.h"

namespace libos {
namespace {

// Reads the whole host file `uri` into `text` (NUL-terminated); its length, or -1.
int64_t read_host_file(const char *uri, char *text, uint64_t capacity) {
    bsc_handle handle;
    if (abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle) != BSC_OK)
        return -1;
    uint64_t length = 0, done = 0;
    bsc_status status = BSC_OK;
    while (length < capacity - 1) {
        status = abi().stream_read(handle, BSC_AT_POSITION, text + length, capacity - 1 - length,
                                   &done);
        if (status != BSC_OK || done == 0)
            break;
        length += done;
    }
    abi().object_close(handle);
    text[length] = 0;
    return status == BSC_OK ? static_cast<int64_t>(length) : -1;
}

bool hex_digit(char c, uint64_t &value) {
    if (c >= '0' && c <= '9')
        value = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
        value = static_cast<uint64_t>(c - 'a' + 10);
    else
        return false;
    return true;
}

// The number after "key:" (and blanks) in /proc status text, in base 16 or 10.
bool field(const char *text, const char *key, unsigned base, uint64_t &value) {
    size_t key_length = strlen(key);
    for (const char *line = text; *line;) {
        if (!memcmp(line, key, key_length) && line[key_length] == ':') {
            const char *p = line + key_length + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            value = 0;
            uint64_t digit;
            bool any = false;
            for (; hex_digit(*p, digit) && digit < base; p++, any = true)
                value = value * base + digit;
            return any;
        }
        while (*line && *line++ != '\n') {
        }
    }
    return false;
}

} // namespace

bool host_status(HostStatus &status) {
    char text[4096];
    if (read_host_file("file:/proc/self/status", text, sizeof text) < 0)
        return false;
    uint64_t mode = 0;
    bool complete = field(text, "CapInh", 16, status.inheritable) &&
                    field(text, "CapPrm", 16, status.permitted) &&
                    field(text, "CapEff", 16, status.effective) &&
                    field(text, "CapBnd", 16, status.bounding) &&
                    field(text, "CapAmb", 16, status.ambient);
    if (!field(text, "Seccomp", 10, mode)) // a kernel without CONFIG_SECCOMP
        mode = 0;
    status.seccomp_mode = static_cast<uint32_t>(mode);
    status.no_new_privs = field(text, "NoNewPrivs", 10, mode) && mode;
    return complete;
}

bool host_cpu_flag(const char *flag) {
    // The first processor's lines come first; its flags line lies well within 16 KiB.
    constexpr uint64_t kRead = 16384;
    char *text = static_cast<char *>(allocate(kRead));
    bool found = false;
    if (read_host_file("file:/proc/cpuinfo", text, kRead) > 0) {
        const char *line = text;
        while (*line && !(freestanding::starts_with(line, "flags") &&
                          (line[5] == ' ' || line[5] == '\t'))) {
            while (*line && *line++ != '\n') {
            }
        }
        const char *p = line;
        while (*p && *p != '\n' && *p != ':')
            p++;
        size_t length = strlen(flag);
        while (*p == ':' || *p == ' ') {
            p++;
            const char *word = p;
            while (*p && *p != ' ' && *p != '\n')
                p++;
            if (static_cast<size_t>(p - word) == length && !memcmp(word, flag, length)) {
                found = true;
                break;
            }
        }
    }
    release(text, kRead);
    return found;
}

uint64_t host_timer_slack() {
    constexpr uint64_t kLinuxDefault = 50000;
    char text[32];
    if (read_host_file("file:/proc/self/timerslack_ns", text, sizeof text) <= 0)
        return kLinuxDefault;
    uint64_t value = 0, digit;
    for (const char *p = text; hex_digit(*p, digit) && digit < 10; p++)
        value = value * 10 + digit;
    return value;
}

namespace {

// The end of the line at `text`: its newline, or its NUL.
const char *line_end(const char *text) {
    while (*text && *text != '\n')
        text++;
    return text;
}

} // namespace

namespace {

// Walks the host kernel's file system types in its registration order, as its
// /proc/filesystems lists them (each line "nodev" or nothing, a tab, the name):
// `visit(name, length, needs_device)` for each until it returns true. The index it stopped
// at, or the count if it never did; -1 if the host does not show the file.
template <typename Visit> int64_t each_host_file_system(Visit visit) {
    char text[8192];
    if (read_host_file("file:/proc/filesystems", text, sizeof text) < 0)
        return -1;
    int64_t index = 0;
    for (const char *line = text; *line; index++) {
        const char *end = line_end(line);
        const char *name = line;
        while (name < end && *name != '\t')
            name++;
        if (name < end && visit(name + 1, static_cast<size_t>(end - name - 1), name == line))
            return index;
        line = *end ? end + 1 : end;
    }
    return index;
}

} // namespace

bool host_file_system_needs_device(const char *type) {
    size_t length = 0;
    while (type[length] && type[length] != '.')
        length++;
    bool found = false, needs_device = false;
    each_host_file_system([&](const char *name, size_t name_length, bool device) {
        found = name_length == length && memcmp(name, type, length) == 0;
        needs_device = device;
        return found;
    });
    return found && needs_device;
}

int64_t host_file_system_index(const char *type) {
    size_t length = strlen(type);
    bool found = false;
    int64_t index = each_host_file_system([&](const char *name, size_t name_length, bool) {
        found = name_length == length && memcmp(name, type, length) == 0;
        return found;
    });
    return index < 0 ? -2 : found ? index : -1;
}

int64_t host_file_system_name(uint64_t index, char *name, size_t capacity) {
    int64_t length = -1;
    int64_t at = each_host_file_system([&](const char *text, size_t text_length, bool) {
        if (index-- != 0)
            return false;
        length = text_length < capacity ? static_cast<int64_t>(text_length) : -1;
        if (length >= 0) {
            memcpy(name, text, text_length);
            name[text_length] = 0;
        }
        return true;
    });
    return at < 0 ? -2 : length;
}

int64_t host_file_system_count() {
    int64_t count = each_host_file_system([](const char *, size_t, bool) { return false; });
    return count < 0 ? -2 : count;
}

namespace {
// A decimal number at `p`, advanced past it; false if there is none.
bool decimal(const char *&p, uint64_t &value) {
    uint64_t digit;
    bool any = false;
    for (value = 0; hex_digit(*p, digit) && digit < 10; p++, any = true)
        value = value * 10 + digit;
    return any;
}
} // namespace

uint32_t host_possible_cpus() {
    char text[1024];
    uint32_t count = 0;
    if (read_host_file("file:/sys/devices/system/cpu/possible", text, sizeof text) > 0) {
        // A list of ranges: "0-3,8-11" or "0".
        for (const char *p = text; *p && *p != '\n';) {
            uint64_t first, last;
            if (!decimal(p, first))
                break;
            last = first;
            if (*p == '-' && !decimal(++p, last))
                break;
            count += last >= first ? static_cast<uint32_t>(last - first + 1) : 0;
            if (*p == ',')
                p++;
        }
    }
    return count ? count : 1;
}

bool host_fs_setting(const char *name, uint64_t &value) {
    char uri[96], text[32];
    freestanding::format(uri, sizeof uri, "file:/proc/sys/fs/%s", name);
    const char *p = text;
    return read_host_file(uri, text, sizeof text) > 0 && decimal(p, value);
}

} // namespace libos
