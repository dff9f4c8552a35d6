// SPDX-License-Identifier: MIT
// The debugger's marks in guest memory: software breakpoints (int3 written through
// /proc/self/mem, into read-only code too, as ptrace does) and watched pages (the guest's
// writes to them fault while a watch on writes covers them; every access, while a watch
// on reads does: the page is inaccessible then). Both are the debugger's own
// instrumentation, made on the host directly and not through the table below the replay
// layer: the layers below keep the protections the guest asked for (a checkpoint's
// region map has no page made read-only for gdb).
// The caller serialises every use (the debugger's mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "debug_plan.h"

namespace bsc::replay {

class MemoryMarks {
public:
    MemoryMarks();
    ~MemoryMarks();
    MemoryMarks(const MemoryMarks &) = delete;
    MemoryMarks &operator=(const MemoryMarks &) = delete;

    // Every mark comes out: breakpoints' bytes and watched pages' protections go back.
    void clear();
    // In a forked child: /proc/self/mem is bound to the process that opened it.
    void reopen();

    // Breakpoints. insert: false if nothing is mapped there.
    bool insert(uint64_t address);
    void remove(uint64_t address);
    bool inserted(uint64_t address) const { return inserted_.contains(address); }
    // A thread steps over the breakpoint at `address` (taken out), then it goes back.
    void take_out(uint64_t address);
    void put_back(uint64_t address);

    // Memory as the program has it: the bytes breakpoints replaced show, not int3; short
    // where the memory ends.
    std::vector<uint8_t> read(uint64_t address, size_t length) const;
    // gdb's write: false if not all of it could be made. A breakpoint there keeps its int3
    // and takes the written byte as the one it replaced.
    bool write(uint64_t address, std::vector<uint8_t> bytes);
    // The bytes of each watch in turn (zeros where one is not readable).
    std::vector<uint8_t> bytes(const std::vector<Watch> &watches) const;

    // Watched pages: read-only for the guest while a watch on writes covers them,
    // inaccessible while one on reads does. watch: false if a page of it is not mapped.
    // rewatch: each watched page as `guard` says now (Guard::none: the guest's protection
    // back, no longer watched).
    enum class Guard { none, writes, reads };
    bool watch(const Watch &watch);
    void rewatch(const std::function<Guard(uint64_t page)> &guard);
    struct WatchedPage {
        int protection = 0; // the guest's (PROT_*)
        Guard guard = Guard::writes;
    };
    std::optional<WatchedPage> watched(uint64_t page) const;
    bool watching() const { return !watched_pages_.empty(); }
    // One watched page, or all, as the guest has it (an access the debugger lets
    // through), then guarded again.
    void open(uint64_t page);
    void close(uint64_t page);
    void open_all();
    void close_all();
    // While the host reads guest memory (the replay layer checking a call's inputs), pages
    // guarded for reads are only guarded for writes.
    void host_reading(bool on);

    // The guest's memory in [address, address + size) changed: `protection` (PROT_*) is
    // its new one, or nothing if it was unmapped; `replaced`: new contents (a mapping),
    // whose breakpoints go in again.
    void changed(uint64_t address, uint64_t size, std::optional<int> protection, bool replaced);

private:
    bool poke(uint64_t address, uint8_t byte) const;
    void protect(uint64_t page, int protection) const;
    int guarded(const WatchedPage &page) const;

    int memory_ = -1;                             // /proc/self/mem
    std::map<uint64_t, uint8_t> inserted_;        // address -> the byte int3 replaced
    std::map<uint64_t, WatchedPage> watched_pages_;
    bool host_reading_ = false;
};

} // namespace bsc::replay
