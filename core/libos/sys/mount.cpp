// SPDX-License-Identifier: MIT
// mount, umount2 and sysfs (the file system types). The program's strings are copied and its paths resolved here, in
// the kernel's order; the mount itself is the ABI's stream_mount / stream_unmount on
// stream URIs (so that fs-translate maps them), made by the host in the runtime's own
// mount namespace, whose kernel checks the privilege, the flags, the type and the source.
// sysfs answers from the host kernel's list of types (its /proc/filesystems).
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/mount.h>

#include "host_status.h"
#include "paths.h"
#include "process_state.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kUriMax = kPathMax + 16;

// A mount string as the kernel copies it (copy_mount_string): absent, or at most a page
// with its NUL (EFAULT, or EINVAL beyond).
struct MountString {
    bool present = false;
    char text[kPage];
};

int64_t copy_mount_string(uint64_t address, MountString &out) {
    out.present = address != 0;
    out.text[0] = 0;
    if (!out.present)
        return 0;
    int64_t length = string_from_user(out.text, address, sizeof out.text);
    return length == -ENAMETOOLONG ? -EINVAL : length < 0 ? length : 0;
}

// The data page (copy_mount_options): as many bytes as can be read up to a page, EFAULT
// only if none can; the kernel ends it with a NUL at the page's last byte. File systems
// that take text options read it up to its first NUL, which is what goes to the host.
int64_t copy_mount_options(uint64_t address, MountString &out) {
    out.present = address != 0;
    out.text[0] = 0;
    if (!out.present)
        return 0;
    size_t length = 0;
    while (length < kPage - 1 && copy_from_user(&out.text[length], address + length, 1) &&
           out.text[length] != 0)
        length++;
    if (length == 0 && !copy_from_user(&out.text[0], address, 1))
        return -EFAULT;
    out.text[length] = 0;
    return 0;
}

// stream_mount's source: "" for none, "name:TEXT" for a name that is no file (a tmpfs's
// "none"), the file: URI of a path (a block device, a tree to bind or move).
int64_t source_uri(const MountString &source, bool is_path, char *uri, size_t capacity) {
    uri[0] = 0;
    if (!source.present)
        return 0;
    if (is_path && source.text[0] != 0) {
        char path[kPathMax];
        if (resolve_path(AT_FDCWD, source.text, path, sizeof path, nullptr, true) == 0)
            return make_uri("file:", path, uri, capacity);
    }
    // The host's kernel says what Linux says of it (an empty path: ENOENT).
    return make_uri("name:", source.text, uri, capacity);
}

// Whether mount(2) with these flags and type looks the source up as a path: a bind or a
// move, and a new mount of a file system on a block device. A remount or a change of
// propagation ignores it.
bool source_is_path(uint64_t flags, const MountString &type) {
    if (flags & (MS_BIND | MS_MOVE))
        return true;
    if (flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
        return false;
    return type.present && host_file_system_needs_device(type.text);
}

// A new mount whose type is given but empty: the host cannot be told "empty" apart from
// "none" (do_new_mount's EINVAL), so the LibOS answers as the kernel does after the
// target and the privilege: ENODEV.
bool empty_type_of_new_mount(uint64_t flags, const MountString &type) {
    constexpr uint64_t not_new =
        MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
    return type.present && type.text[0] == 0 && !(flags & not_new);
}

int64_t target_uri(uint64_t address, char *uri, size_t capacity) {
    char path[kPathMax];
    if (int64_t error = resolve_user_path(AT_FDCWD, address, path, sizeof path, nullptr, true))
        return error;
    return make_uri("file:", path, uri, capacity);
}

// What empty_type_of_new_mount answers, once the target is found and the caller may mount.
int64_t refuse_empty_type(const char *target) {
    bsc_stream_attributes attributes;
    if (bsc_status status = abi().stream_attributes_query(target, 0, &attributes))
        return result_of(status);
    return capable(CAP_SYS_ADMIN) ? -ENODEV : -EPERM;
}

// The overlay option at `at` that names layers by path (the old mount API's keys): its
// key's length, or 0; `list` says whether its value is a list (lowerdir's, split by ':').
size_t layer_key_length(const char *at, bool &list) {
    list = freestanding::starts_with(at, "lowerdir=");
    static const char *const kKeys[] = {"lowerdir=", "upperdir=", "workdir="};
    for (const char *key : kKeys)
        if (freestanding::starts_with(at, key))
            return strlen(key);
    return 0;
}

// An overlay's options name its layers by path, which the kernel looks up from the
// caller's working directory. The host looks them up from the runtime's own, so each
// relative layer path is made absolute on the program's (a list of lower layers element
// by element; a backslash escapes the separators, as overlayfs reads them). Like any
// option text, the paths reach the host as the program's own, not mapped by fs-translate.
// EINVAL if the options no longer fit in the kernel's page.
int64_t absolute_overlay_paths(MountString &options) {
    char cwd[kPathMax], out[kPage];
    if (get_cwd(cwd, sizeof cwd) < 0)
        return -ENAMETOOLONG;
    size_t length = 0, cwd_length = strlen(cwd);
    bool element_start = true, in_path = false, list = false;
    auto append = [&](const char *text, size_t n) {
        if (length + n >= sizeof out)
            return false;
        memcpy(out + length, text, n);
        length += n;
        return true;
    };
    for (const char *at = options.text; *at;) {
        size_t key = element_start && !in_path ? layer_key_length(at, list) : 0;
        if (key) { // the value starts a path
            if (!append(at, key))
                return -EINVAL;
            at += key;
            in_path = true;
            continue;
        }
        bool relative = element_start && in_path && *at != '/' && *at != ',' && *at != ':';
        if (relative && !(append(cwd, cwd_length) && append("/", 1)))
            return -EINVAL;
        size_t take = at[0] == '\\' && at[1] ? 2 : 1; // an escaped character is no separator
        char c = take == 1 ? at[0] : 0;
        if (!append(at, take))
            return -EINVAL;
        at += take;
        if (c == ',')
            in_path = false;
        element_start = c == ',' || (c == ':' && in_path && list);
    }
    out[length] = 0;
    memcpy(options.text, out, length + 1);
    return 0;
}

} // namespace

int64_t sys_mount(Syscall &c) {
    MountString type, source, options;
    uint64_t flags = c.arg[3];
    if (int64_t error = copy_mount_string(c.arg[2], type))
        return error;
    if (int64_t error = copy_mount_string(c.arg[0], source))
        return error;
    if (int64_t error = copy_mount_options(c.arg[4], options))
        return error;
    char target[kUriMax], from[kUriMax];
    if (int64_t error = target_uri(c.arg[1], target, sizeof target))
        return error;
    if (empty_type_of_new_mount(flags, type))
        return refuse_empty_type(target);
    if (int64_t error = source_uri(source, source_is_path(flags, type), from, sizeof from))
        return error;
    if (type.present && freestanding::equal(type.text, "overlay") && !(flags & MS_REMOUNT))
        if (int64_t error = absolute_overlay_paths(options))
            return error;
    return result_of(abi().stream_mount(from, target, type.text, flags, options.text));
}

int64_t sys_umount2(Syscall &c) {
    uint32_t flags = static_cast<uint32_t>(c.arg[1]);
    // The ABI's flags are umount2's MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW.
    if (flags & ~uint32_t{BSC_UNMOUNT_FORCE | BSC_UNMOUNT_DETACH | BSC_UNMOUNT_EXPIRE |
                          BSC_UNMOUNT_NO_FOLLOW})
        return -EINVAL;
    char target[kUriMax];
    if (int64_t error = target_uri(c.arg[0], target, sizeof target))
        return error;
    return result_of(abi().stream_unmount(target, flags));
}

// sysfs: the kernel's three options over its list of file system types, which the host's
// /proc/filesystems gives in the same order. The name is copied as getname copies it
// (EFAULT, ENOENT for an empty one, ENAMETOOLONG); an unknown type or index is EINVAL.
int64_t sys_sysfs(Syscall &c) {
    int option = static_cast<int>(c.arg[0]);
    int64_t result;
    if (option == 1) {
        char type[kPathMax];
        int64_t length = string_from_user(type, c.arg[1], sizeof type);
        if (length < 0)
            return length;
        if (length == 0)
            return -ENOENT;
        result = host_file_system_index(type);
    } else if (option == 2) {
        char name[256];
        // The index is an unsigned int in the kernel's fs_name.
        result = host_file_system_name(static_cast<uint32_t>(c.arg[1]), name, sizeof name);
        if (result >= 0)
            result = copy_to_user(c.arg[2], name, static_cast<size_t>(result) + 1) ? 0 : -EFAULT;
    } else if (option == 3) {
        result = host_file_system_count();
    } else {
        return -EINVAL;
    }
    if (result == -2) {
        report_unsupported("sysfs", "a host without /proc/filesystems");
        return -ENOSYS;
    }
    return result == -1 ? -EINVAL : result;
}

} // namespace libos
