// SPDX-License-Identifier: MIT
// The smallest native guest: prints its arguments; with "--cat" copies stdin to stdout.
#include "native.h"

using namespace native;

int guest_main(int argc, char **argv) {
    print(out(), "hello from a native guest, %d args:", argc);
    for (int i = 1; i < argc; i++)
        print(out(), " [%s]", argv[i]);
    print(out(), "\n");
    if (argc > 1 && equal(argv[1], "--cat")) {
        char buffer[4096];
        uint64_t done;
        while (abi().stream_read(in(), BSC_AT_POSITION, buffer, sizeof buffer, &done) ==
                   BSC_OK &&
               done > 0)
            write_all(out(), buffer, done);
    }
    return argc > 1 && equal(argv[1], "--status") ? 7 : 0;
}
