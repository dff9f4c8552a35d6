// SPDX-License-Identifier: MIT
// Conversions from ABI attributes to Linux stat structures.
#include "stat.h"

namespace libos {
namespace {

constexpr int64_t kBillion = 1000000000;

struct Split {
    int64_t sec;
    uint32_t nsec;
};

Split split(int64_t ns) {
    int64_t sec = ns / kBillion, rest = ns % kBillion;
    if (rest < 0)
        sec--, rest += kBillion;
    return {sec, static_cast<uint32_t>(rest)};
}

} // namespace

uint32_t device_major(uint64_t dev) {
    return static_cast<uint32_t>(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffu));
}
uint32_t device_minor(uint64_t dev) {
    return static_cast<uint32_t>((dev & 0xff) | ((dev >> 12) & ~0xffu));
}

uint32_t file_type_bits(uint32_t type) {
    switch (type) {
    case BSC_TYPE_FILE: return S_IFREG;
    case BSC_TYPE_DIRECTORY: return S_IFDIR;
    case BSC_TYPE_SYMLINK: return S_IFLNK;
    case BSC_TYPE_PIPE: return S_IFIFO;
    case BSC_TYPE_SOCKET: return S_IFSOCK;
    case BSC_TYPE_BLOCK_DEVICE: return S_IFBLK;
    case BSC_TYPE_CHAR_DEVICE:
    case BSC_TYPE_TTY: return S_IFCHR;
    default: return 0;
    }
}

uint8_t dirent_type(uint32_t type) { return static_cast<uint8_t>(file_type_bits(type) >> 12); }

struct stat to_stat(const bsc_stream_attributes &a) {
    struct stat st {};
    st.st_dev = a.device;
    st.st_ino = a.inode;
    st.st_nlink = a.links;
    st.st_mode = file_type_bits(a.type) | (a.mode & 07777);
    st.st_uid = a.owner;
    st.st_gid = a.group;
    st.st_rdev = a.rdev;
    st.st_size = static_cast<long>(a.size);
    st.st_blksize = a.block_size;
    st.st_blocks = static_cast<long>(a.blocks);
    Split at = split(a.access_time), mt = split(a.modify_time), ct = split(a.change_time);
    st.st_atime = at.sec, st.st_atime_nsec = at.nsec;
    st.st_mtime = mt.sec, st.st_mtime_nsec = mt.nsec;
    st.st_ctime = ct.sec, st.st_ctime_nsec = ct.nsec;
    return st;
}

struct statx to_statx(const bsc_stream_attributes &a, const bsc_stream_details &d) {
    struct statx sx {};
    sx.stx_mask = d.mask;
    sx.stx_attributes = d.attributes;
    sx.stx_attributes_mask = d.attributes_mask;
    sx.stx_blksize = a.block_size;
    sx.stx_nlink = static_cast<uint32_t>(a.links);
    sx.stx_uid = a.owner;
    sx.stx_gid = a.group;
    sx.stx_mode = static_cast<uint16_t>(file_type_bits(a.type) | (a.mode & 07777));
    sx.stx_ino = a.inode;
    sx.stx_size = a.size;
    sx.stx_blocks = a.blocks;
    Split at = split(a.access_time), mt = split(a.modify_time), ct = split(a.change_time);
    sx.stx_atime = {at.sec, at.nsec, 0};
    sx.stx_mtime = {mt.sec, mt.nsec, 0};
    sx.stx_ctime = {ct.sec, ct.nsec, 0};
    if (d.mask & STATX_BTIME) {
        Split bt = split(d.birth_time);
        sx.stx_btime = {bt.sec, bt.nsec, 0};
    }
    sx.stx_rdev_major = device_major(a.rdev), sx.stx_rdev_minor = device_minor(a.rdev);
    sx.stx_dev_major = device_major(a.device), sx.stx_dev_minor = device_minor(a.device);
    sx.stx_mnt_id = d.mount_id;
    sx.stx_dio_mem_align = d.dio_memory_align;
    sx.stx_dio_offset_align = d.dio_offset_align;
    return sx;
}

} // namespace libos
