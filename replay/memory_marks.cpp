// SPDX-License-Identifier: MIT
#include "memory_marks.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace bsc::replay {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint8_t kInt3 = 0xcc;

std::vector<uint64_t> pages_of(const Watch &watch) {
    std::vector<uint64_t> pages;
    for (uint64_t page = watch.address & ~(kPage - 1); page < watch.address + watch.length;
         page += kPage)
        pages.push_back(page);
    return pages;
}

// The protection (PROT_*) of each page as /proc/self/maps says, read once; nothing for a
// page that is not mapped.
std::vector<std::optional<int>> host_protections(const std::vector<uint64_t> &pages) {
    std::vector<std::optional<int>> found(pages.size());
    std::FILE *maps = std::fopen("/proc/self/maps", "re");
    if (!maps)
        return found;
    char line[512];
    while (std::fgets(line, sizeof line, maps)) {
        uint64_t low = 0, high = 0;
        char perms[5] = {};
        if (std::sscanf(line, "%lx-%lx %4s", &low, &high, perms) != 3)
            continue;
        int protection = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
                         (perms[2] == 'x' ? PROT_EXEC : 0);
        for (size_t i = 0; i < pages.size(); i++)
            if (pages[i] >= low && pages[i] < high)
                found[i] = protection;
    }
    std::fclose(maps);
    return found;
}

int open_memory() { return ::open("/proc/self/mem", O_RDWR | O_CLOEXEC); }

} // namespace

MemoryMarks::MemoryMarks() : memory_(open_memory()) {}

MemoryMarks::~MemoryMarks() {
    if (memory_ >= 0)
        ::close(memory_);
}

void MemoryMarks::reopen() {
    ::close(memory_);
    memory_ = open_memory();
}

void MemoryMarks::clear() {
    for (const auto &[address, original] : inserted_)
        poke(address, original);
    inserted_.clear();
    open_all();
    watched_pages_.clear();
}

// Through /proc/self/mem, which writes into a private read-only mapping (the program's
// code) as a debugger's ptrace does: the page becomes this process's own copy.
bool MemoryMarks::poke(uint64_t address, uint8_t byte) const {
    return ::pwrite(memory_, &byte, 1, static_cast<off_t>(address)) == 1;
}

void MemoryMarks::protect(uint64_t page, int protection) const {
    ::mprotect(reinterpret_cast<void *>(page), kPage, protection);
}

bool MemoryMarks::insert(uint64_t address) {
    if (inserted_.contains(address))
        return true;
    uint8_t original = 0;
    if (::pread(memory_, &original, 1, static_cast<off_t>(address)) != 1 || !poke(address, kInt3))
        return false;
    inserted_[address] = original;
    return true;
}

void MemoryMarks::remove(uint64_t address) {
    if (auto at = inserted_.find(address); at != inserted_.end()) {
        poke(address, at->second);
        inserted_.erase(at);
    }
}

void MemoryMarks::take_out(uint64_t address) {
    if (auto at = inserted_.find(address); at != inserted_.end())
        poke(address, at->second);
}

// Only if it is still there: gdb may have removed it meanwhile.
void MemoryMarks::put_back(uint64_t address) {
    if (inserted_.contains(address))
        poke(address, kInt3);
}

std::vector<uint8_t> MemoryMarks::read(uint64_t address, size_t length) const {
    std::vector<uint8_t> bytes(length);
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pread(memory_, bytes.data() + done, length - done,
                            static_cast<off_t>(address + done));
        if (n <= 0)
            break;
        done += static_cast<size_t>(n);
    }
    bytes.resize(done);
    for (auto at = inserted_.lower_bound(address);
         at != inserted_.end() && at->first < address + done; ++at)
        bytes[at->first - address] = at->second;
    return bytes;
}

bool MemoryMarks::write(uint64_t address, std::vector<uint8_t> bytes) {
    std::map<uint64_t, uint8_t> replaced;
    for (auto at = inserted_.lower_bound(address);
         at != inserted_.end() && at->first < address + bytes.size(); ++at)
        replaced[at->first] = std::exchange(bytes[at->first - address], kInt3);
    if (::pwrite(memory_, bytes.data(), bytes.size(), static_cast<off_t>(address)) !=
        static_cast<ssize_t>(bytes.size()))
        return false;
    for (const auto &[at, byte] : replaced)
        inserted_[at] = byte;
    return true;
}

std::vector<uint8_t> MemoryMarks::bytes(const std::vector<Watch> &watches) const {
    std::vector<uint8_t> bytes;
    for (const Watch &watch : watches) {
        std::vector<uint8_t> part(watch.length);
        if (::pread(memory_, part.data(), part.size(), static_cast<off_t>(watch.address)) !=
            static_cast<ssize_t>(part.size()))
            part.assign(watch.length, 0);
        bytes.insert(bytes.end(), part.begin(), part.end());
    }
    return bytes;
}

int MemoryMarks::guarded(const WatchedPage &page) const {
    if (page.guard == Guard::reads && !host_reading_)
        return PROT_NONE;
    return page.guard == Guard::none ? page.protection : page.protection & ~PROT_WRITE;
}

bool MemoryMarks::watch(const Watch &watch) {
    Guard guard = watch.kind == gdb::WatchKind::write ? Guard::writes : Guard::reads;
    std::vector<uint64_t> added;
    for (uint64_t page : pages_of(watch)) {
        auto at = watched_pages_.find(page);
        if (at == watched_pages_.end())
            added.push_back(page);
        else if (guard == Guard::reads && at->second.guard != guard) {
            at->second.guard = guard;
            protect(page, guarded(at->second));
        }
    }
    if (added.empty())
        return true;
    auto protections = host_protections(added);
    for (const auto &protection : protections)
        if (!protection)
            return false;
    for (size_t i = 0; i < added.size(); i++) {
        WatchedPage &page = watched_pages_[added[i]] = {*protections[i], guard};
        protect(added[i], guarded(page));
    }
    return true;
}

void MemoryMarks::rewatch(const std::function<Guard(uint64_t page)> &guard) {
    for (auto at = watched_pages_.begin(); at != watched_pages_.end();) {
        at->second.guard = guard(at->first);
        protect(at->first, guarded(at->second));
        at = at->second.guard == Guard::none ? watched_pages_.erase(at) : std::next(at);
    }
}

std::optional<MemoryMarks::WatchedPage> MemoryMarks::watched(uint64_t page) const {
    auto at = watched_pages_.find(page);
    return at == watched_pages_.end() ? std::nullopt : std::optional(at->second);
}

void MemoryMarks::open(uint64_t page) {
    if (auto at = watched_pages_.find(page); at != watched_pages_.end())
        protect(page, at->second.protection);
}

void MemoryMarks::close(uint64_t page) {
    if (auto at = watched_pages_.find(page); at != watched_pages_.end())
        protect(page, guarded(at->second));
}

void MemoryMarks::open_all() {
    for (const auto &[page, watched] : watched_pages_)
        protect(page, watched.protection);
}

void MemoryMarks::close_all() {
    for (const auto &[page, watched] : watched_pages_)
        protect(page, guarded(watched));
}

void MemoryMarks::host_reading(bool on) {
    host_reading_ = on;
    for (const auto &[page, watched] : watched_pages_)
        if (watched.guard == Guard::reads)
            protect(page, guarded(watched));
}

void MemoryMarks::changed(uint64_t address, uint64_t size, std::optional<int> protection,
                          bool replaced) {
    uint64_t end = address + size;
    for (auto at = watched_pages_.lower_bound(address & ~(kPage - 1));
         at != watched_pages_.end() && at->first < end;) {
        if (!protection) { // unmapped: watched again once mapped (the debugger asks)
            at = watched_pages_.erase(at);
            continue;
        }
        at->second.protection = *protection;
        protect(at->first, guarded(at->second));
        ++at;
    }
    if (!replaced)
        return;
    // A loader maps a file whole, then its segments over it: breakpoints there go in again,
    // over the bytes now there.
    for (auto at = inserted_.lower_bound(address); at != inserted_.end() && at->first < end;
         ++at) {
        uint8_t now = 0;
        if (::pread(memory_, &now, 1, static_cast<off_t>(at->first)) == 1 && now != kInt3) {
            at->second = now;
            poke(at->first, kInt3);
        }
    }
}

} // namespace bsc::replay
