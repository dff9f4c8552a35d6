// SPDX-License-Identifier: MIT
// /proc/PID/smaps (smaps.h). The program's memory is the host process's at the same
// addresses, mapped by the host's kernel one region at a time: the host's smaps entry of
// the same range counts what Linux counts of it (Rss, Pss, dirty and clean pages, swap,
// locked pages, VmFlags), so each of the program's lines gets the host entry's fields.
#include "smaps.h"

#include "format.h"
#include "memory_map.h"

namespace libos {
namespace {

// The host's /proc/self/smaps, read whole.
bool read_host_smaps(Text &host) {
    bsc_handle handle;
    if (abi().stream_open("file:/proc/self/smaps", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0,
                          &handle) != BSC_OK)
        return false;
    char chunk[4096];
    uint64_t done = 0;
    while (abi().stream_read(handle, BSC_AT_POSITION, chunk, sizeof chunk, &done) == BSC_OK && done)
        host.put(chunk, done);
    abi().object_close(handle);
    return host.size() > 0;
}

// The hex number at `text`, its end in `end`.
uint64_t hex_at(const char *text, const char *&end) {
    uint64_t value = 0;
    for (end = text;; end++) {
        char c = *end;
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0)
            return value;
        value = value * 16 + static_cast<uint64_t>(digit);
    }
}

// Whether the line [line, end) is a mapping's header ("start-end perms ..."), and its range.
bool header_range(const char *line, const char *end, uint64_t &start, uint64_t &stop) {
    const char *p;
    start = hex_at(line, p);
    if (p == line || p >= end || *p != '-')
        return false;
    const char *q;
    stop = hex_at(p + 1, q);
    return q > p + 1 && q < end && *q == ' ';
}

// The host's entry whose mapping holds [start, stop): its range and where its field lines
// begin and end in `host`.
struct HostEntry {
    uint64_t start, stop;
    const char *from, *to;
};

// The host's next entry from `cursor` (a header line's start), which moves past it.
bool next_entry(const Text &host, const char *&cursor, HostEntry &entry) {
    const char *end = host.data() + host.size();
    entry.from = nullptr;
    for (const char *p = cursor; p < end;) {
        const char *line_end = p;
        while (line_end < end && *line_end != '\n')
            line_end++;
        uint64_t a, b;
        if (header_range(p, line_end, a, b)) {
            if (entry.from) {
                entry.to = cursor = p;
                return true;
            }
            entry = {a, b, line_end + 1, nullptr};
        }
        p = line_end + 1;
    }
    entry.to = cursor = end;
    return entry.from != nullptr && entry.from <= end;
}

// The host's entries that meet [start, stop): how many (at most `capacity` kept).
size_t host_entries(const Text &host, uint64_t start, uint64_t stop, HostEntry *entries,
                    size_t capacity) {
    size_t count = 0;
    HostEntry entry;
    for (const char *cursor = host.data(); next_entry(host, cursor, entry);) {
        if (entry.stop <= start || entry.start >= stop)
            continue;
        if (count < capacity)
            entries[count] = entry;
        count++;
    }
    return count;
}

bool starts(const char *line, const char *end, const char *name) {
    size_t n = strlen(name);
    return static_cast<size_t>(end - line) >= n && memcmp(line, name, n) == 0;
}

// The number after the colon of a "Name:   123 kB" line.
uint64_t field_value(const char *line, const char *end) {
    const char *p = line;
    while (p < end && *p != ':')
        p++;
    while (p < end && (*p == ':' || *p == ' '))
        p++;
    uint64_t value = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        value = value * 10 + static_cast<uint64_t>(*p - '0');
    return value;
}

// "Name:" and the number right-aligned in eight columns from column 17, as the kernel's
// SEQ_PUT_DEC, then " kB".
void put_kilobytes(Text &text, const char *line, const char *end, uint64_t kilobytes) {
    const char *colon = line;
    while (colon < end && *colon != ':')
        colon++;
    size_t name = static_cast<size_t>(colon - line) + 1;
    text.put(line, name);
    char number[24];
    size_t n = freestanding::format(number, sizeof number, "%lu", kilobytes);
    for (size_t column = name; column < 16 + 8 - (n < 8 ? n : 8); column++)
        text.put(" ", 1);
    text.print("%s kB", number);
}

// The line of field `name` ("Rss:") in a host entry: false if it has none.
bool entry_line(const HostEntry &entry, const char *name, const char *&line, const char *&end) {
    for (const char *p = entry.from; p < entry.to;) {
        const char *line_end = p;
        while (line_end < entry.to && *line_end != '\n')
            line_end++;
        if (starts(p, line_end, name)) {
            line = p, end = line_end;
            return true;
        }
        p = line_end + 1;
    }
    return false;
}

// The value of field `name` in a host entry, 0 if it has none.
uint64_t entry_field(const HostEntry &entry, const char *name) {
    const char *line, *end;
    return entry_line(entry, name, line, end) ? field_value(line, end) : 0;
}

// How the program's region [start, stop) takes the counts of the host's mappings:
// - the same range: as they are;
// - a part of a larger one (the host merged it with the program's neighbour, or with the
//   break's memory mapped ahead of brk): only when every page the host counts there is
//   alike, each count 0 or all of Rss (private, dirty, referenced anonymous memory, say)
//   and nothing swapped, so that the region's share of each is its own resident pages
//   (vm_resident_query);
// - several that make it up exactly (the host split it where the LibOS wrote code): their
//   sums, their flags alike but for VM_ACCOUNT, which is the region's;
// else the counts cannot be told apart.
constexpr size_t kMostPieces = 64;

struct Share {
    const HostEntry *entries;
    size_t count;
    uint64_t size;          // bytes
    uint64_t host_rss, rss; // kB, of a part
    bool part() const { return count == 1 && entries[0].stop - entries[0].start != size; }
};

bool share_of(const HostEntry *entries, size_t count, uint64_t start, uint64_t stop,
              Share &share) {
    share = {entries, count, stop - start, 0, 0};
    if (count == 0 || count > kMostPieces || entries[0].start > start ||
        entries[count - 1].stop < stop)
        return false;
    for (size_t i = 1; i < count; i++)
        if (entries[i].start != entries[i - 1].stop || entries[0].start != start ||
            entries[count - 1].stop != stop)
            return false; // several must make up the region exactly
    if (!share.part())
        return true;
    uint64_t resident = 0, shared = 0;
    if (abi().vm_resident_query(start, stop - start, &resident, &shared) != BSC_OK)
        return false;
    share.rss = resident / 1024;
    share.host_rss = entry_field(entries[0], "Rss:");
    return true;
}

// A kB count of the host's (the line `name:` of the first entry) as the region's (false if
// it has none it can tell).
bool region_count(const Share &share, const char *line, const char *end, uint64_t &kilobytes) {
    char name[32];
    size_t n = 0;
    while (line + n < end && line[n] != ':' && n + 2 < sizeof name)
        name[n] = line[n], n++;
    name[n] = ':', name[n + 1] = 0;
    kilobytes = field_value(line, end);
    if (freestanding::equal(name, "Size:")) {
        kilobytes = share.size / 1024;
        return true;
    }
    if (freestanding::equal(name, "KernelPageSize:") || freestanding::equal(name, "MMUPageSize:"))
        return true;
    if (share.count > 1) {
        kilobytes = 0;
        for (size_t i = 0; i < share.count; i++)
            kilobytes += entry_field(share.entries[i], name);
        return true;
    }
    if (!share.part() || kilobytes == 0)
        return true;
    if (freestanding::equal(name, "Swap:") || freestanding::equal(name, "SwapPss:") ||
        kilobytes != share.host_rss)
        return false;
    kilobytes = share.rss;
    return true;
}

// The flags of a VmFlags line with one left out ("ac"), for comparing.
void flags_without(const char *line, const char *end, const char *flag, char *out, size_t size) {
    size_t n = 0;
    for (const char *p = line; p < end && n + 1 < size; p++) {
        if (p[0] == ' ' && p + 3 <= end && p[1] == flag[0] && p[2] == flag[1] &&
            (p + 3 == end || p[3] == ' ')) {
            p += 2;
            continue;
        }
        out[n++] = *p;
    }
    out[n] = 0;
}

// `flags` with `flag` put at the kernel's place for it: after the last of those that come
// before it in show_smap_vma_flags's order (`before`).
void put_with_flag(Text &text, const char *flags, const char *flag,
                   const char *const *before, size_t before_count) {
    const char *end = flags + strlen(flags);
    const char *at = flags + strlen("VmFlags:");
    for (const char *p = at; p + 3 <= end; p++) {
        if (p[0] != ' ')
            continue;
        for (size_t i = 0; i < before_count; i++)
            if (p[1] == before[i][0] && p[2] == before[i][1] && (p + 3 == end || p[3] == ' '))
                at = p + 3;
    }
    text.put(flags, static_cast<size_t>(at - flags));
    text.put(" ", 1);
    text.put(flag, 2);
    text.put(at, static_cast<size_t>(end - at));
}

// The region's VmFlags: the host's, with "gd" for memory that grows down, which the LibOS
// grows itself (the host's mapping does not); of several host mappings, their flags, which
// must be alike but for "ac", and "ac" as the region's VM_ACCOUNT. False if they differ.
bool put_flags(Text &text, const Share &share, const char *line, const char *end,
               const Region &region) {
    static const char *const kBeforeGrowsDown[] = {"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms"};
    static const char *const kBeforeAccount[] = {"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms",
                                                 "gd", "pf", "dw", "lo", "io", "sr", "rr", "dc",
                                                 "de"};
    char flags[256];
    freestanding::copy_string(flags, sizeof flags, "");
    size_t length = static_cast<size_t>(end - line) < sizeof flags - 1
                        ? static_cast<size_t>(end - line)
                        : sizeof flags - 1;
    memcpy(flags, line, length);
    flags[length] = 0;
    if (share.count > 1) {
        flags_without(line, end, "ac", flags, sizeof flags);
        for (size_t i = 1; i < share.count; i++) {
            const char *theirs_line, *theirs_end;
            char theirs[256];
            if (!entry_line(share.entries[i], "VmFlags:", theirs_line, theirs_end))
                return false;
            flags_without(theirs_line, theirs_end, "ac", theirs, sizeof theirs);
            if (!freestanding::equal(flags, theirs))
                return false;
        }
        if (region.accounted) {
            Text with;
            put_with_flag(with, flags, "ac", kBeforeAccount, 17);
            length = with.size() < sizeof flags - 1 ? with.size() : sizeof flags - 1;
            memcpy(flags, with.data(), length);
            flags[length] = 0;
        }
    }
    if (region.grows_down)
        put_with_flag(text, flags, "gd", kBeforeGrowsDown, 8);
    else
        text.put(flags, strlen(flags));
    return true;
}

// The first host entry's field lines as the region's: false if a count or the flags are
// not the region's to tell.
bool put_fields(Text &text, const Share &share, const Region &region) {
    const HostEntry &entry = share.entries[0];
    for (const char *p = entry.from; p < entry.to;) {
        const char *line_end = p;
        while (line_end < entry.to && *line_end != '\n')
            line_end++;
        uint64_t kilobytes;
        bool counted = line_end - p > 3 && memcmp(line_end - 3, " kB", 3) == 0;
        if (starts(p, line_end, "VmFlags:")) {
            if (!put_flags(text, share, p, line_end, region))
                return false;
        } else if (!counted) {
            text.put(p, static_cast<size_t>(line_end - p));
        } else if (region_count(share, p, line_end, kilobytes)) {
            put_kilobytes(text, p, line_end, kilobytes);
        } else {
            return false;
        }
        if (line_end < entry.to)
            text.put("\n", 1);
        p = line_end + 1;
    }
    return true;
}

} // namespace

bool put_smaps(Text &text) {
    Text host, out;
    if (!read_host_smaps(host))
        return false;
    uint64_t size = 0;
    char *maps = map_text(size);
    auto *entries = static_cast<HostEntry *>(allocate(sizeof(HostEntry) * kMostPieces));
    bool whole = true;
    for (const char *p = maps, *end = maps + size; p < end && whole;) {
        const char *line_end = p;
        while (line_end < end && *line_end != '\n')
            line_end++;
        uint64_t start, stop;
        Share share{};
        Region region{};
        whole = header_range(p, line_end, start, stop) && map_find(start, region);
        if (whole) {
            size_t count = host_entries(host, start, stop, entries, kMostPieces);
            whole = share_of(entries, count, start, stop, share);
        }
        if (whole) {
            out.put(p, static_cast<size_t>(line_end - p) + 1);
            whole = put_fields(out, share, region);
        }
        p = line_end + 1;
    }
    release(entries, sizeof(HostEntry) * kMostPieces);
    release(maps, size);
    if (whole && out.size())
        text.put(out.data(), out.size());
    return whole;
}

} // namespace libos
