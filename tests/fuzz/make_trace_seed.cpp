// SPDX-License-Identifier: MIT
// Writes a small valid trace for the trace reader's fuzzer to start from: a header, a
// block of calls (with reads and writes), a mapping's content, an interrupt, and the end.
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "call_roles.h"
#include "trace_file.h"

int main(int argc, char **argv) {
    using namespace bsc::replay;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    std::filesystem::remove(argv[1]);
    TraceWriter writer(argv[1]);
    TraceHeader header;
    header.argv = {"libos", "--", "/bin/true", "true"};
    header.envp = {"PATH=/usr/bin"};
    header.working_directory = "/";
    writer.write_header(header);
    CallEvent open;
    open.number = 1;
    open.slot = static_cast<uint16_t>(bsc::roles::Slot::stream_open);
    open.args = {0x1000, 1, 0, 0, 0, 0x2000};
    open.reads = {{0x1000, {'f', 'i', 'l', 'e', ':', '/', 0}, 0}};
    open.writes = {{0x2000, {1, 0, 0, 0}, 5}};
    writer.add(open);
    writer.add(InterruptEvent{1, 0});
    writer.add(ThreadStartEvent{1});
    writer.add(SwitchEvent{1, 3});
    CallEvent time;
    time.number = 2;
    time.slot = static_cast<uint16_t>(bsc::roles::Slot::time_query);
    time.args = {1, 0x3000};
    time.writes = {{0x3000, {1, 2, 3, 4, 5, 6, 7, 8}, 1}};
    writer.add(time);
    alignas(4096) static unsigned char pages[2 * 4096];
    std::memset(pages, 'p', sizeof pages);
    CallEvent map;
    map.number = 3;
    map.slot = static_cast<uint16_t>(bsc::roles::Slot::stream_map);
    map.content = writer.add_content(reinterpret_cast<uint64_t>(pages), sizeof pages);
    writer.add(map);
    writer.add(EndEvent{0, 1});
    writer.flush();
    return 0;
}
