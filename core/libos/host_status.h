// SPDX-License-Identifier: MIT
// What the LibOS reads of the host process's own state that no downcall reports: its
// capability sets, seccomp mode, no-new-privs flag and timer slack, from the host's /proc/self (the guest
// and the runtime are one host process, so these are the guest's). One place to change
// when the ABI carries them.
#pragma once

#include "kernel.h"

namespace libos {

// The host process's capability sets (bit n: capability n), seccomp mode and
// no-new-privs flag, as its
// /proc/self/status shows them.
struct HostStatus {
    uint64_t inheritable, permitted, effective, bounding, ambient;
    uint32_t seccomp_mode; // SECCOMP_MODE_*
    bool no_new_privs;     // prctl(PR_SET_NO_NEW_PRIVS) was made before the runtime started
};

// The host kernel's setting /proc/sys/kernel/`name` (one line) in `out`, without its
// newline; `otherwise` if it cannot be read (sys/process.cpp).
void host_kernel_setting(const char *name, char *out, uint64_t size, const char *otherwise);

// Reads them; false if the host has no such file (then the caller reports the option
// unsupported rather than guess).
bool host_status(HostStatus &status);

// Whether the host's processors have feature `flag` (a word of the "flags" line of its
// /proc/cpuinfo, such as "cpuid_fault"): features the kernel, not the cpuid instruction,
// reports. False if the file cannot be read.
bool host_cpu_flag(const char *flag);

// The timer slack the host gave the process (/proc/self/timerslack_ns), in nanoseconds;
// Linux's default, 50 µs, if the host does not show it.
uint64_t host_timer_slack();

// Whether the host's file system type `type` (a "fuse.sub" subtype counts as "fuse")
// takes a block device as its source, as the host's /proc/filesystems says (no "nodev"):
// then mount(2) names the source by path. False for a type the host does not list.
bool host_file_system_needs_device(const char *type);

// sysfs(2)'s view of the host kernel's file system types, numbered from 0 in the order of
// its /proc/filesystems (the kernel's own list, which sysfs numbers the same way): the
// index of `type` (-1 if it is not listed); the name at `index` copied with its NUL into
// `name` (its length, or -1 if there is no such index or it does not fit `capacity`); the
// count. Each gives -2 if the host does not show the file.
int64_t host_file_system_index(const char *type);
int64_t host_file_system_name(uint64_t index, char *name, size_t capacity);
int64_t host_file_system_count();

// How many processors the host's kernel may ever bring up (/sys/devices/system/cpu/possible,
// the kernel's num_possible_cpus), which sizes what some calls make (an AIO ring); 1 if
// the host does not show it.
uint32_t host_possible_cpus();

// The host kernel's setting /proc/sys/fs/`name` as a number (aio-max-nr, aio-nr); false
// if it cannot be read.
bool host_fs_setting(const char *name, uint64_t &value);

} // namespace libos
