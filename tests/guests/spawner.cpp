// SPDX-License-Identifier: MIT
// A native guest that starts another program with process_create, which runs on the
// runtime command the tool gave (the `bascule` beside it): "spawner PROGRAM ARGS..."
// prints "waiting", waits until a file "go" exists in the working directory (so that it
// can be captured first), starts PROGRAM ARGS with its own stdio, waits for it, and prints
// "spawned: STATUS".
#include "native.h"

using namespace native;

namespace {

bool go_exists() {
    bsc_handle go;
    if (abi().stream_open("file:go", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &go) != BSC_OK)
        return false;
    abi().object_close(go);
    return true;
}

// The child's exit interrupts this process, for it to look at what changed: nothing to do.
void on_exception(bsc_exception *exception) {
    if (exception->kind != BSC_EXCEPTION_INTERRUPT) {
        print(err(), "spawner: exception %u\n", exception->kind);
        exit(90);
    }
    abi().thread_context_restore(&exception->context);
}

} // namespace

int guest_main(int argc, char **argv) {
    if (argc < 2) {
        print(err(), "usage: spawner PROGRAM ARGS...\n");
        return 2;
    }
    set_exception_handler(on_exception);
    print(out(), "waiting\n");
    uint32_t ready;
    while (!go_exists())
        abi().objects_wait_any(nullptr, 0, 50000000, &ready); // sleeps 50 ms
    bsc_handle stdio[] = {in(), out(), err()}, child;
    bsc_status status = abi().process_create(argv + 1, stdio, 3, &child);
    if (status == BSC_OK) {
        bsc_wait_item item{child, BSC_WAIT_READ, 0};
        bsc_status waited;
        while ((waited = abi().objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready)) ==
               BSC_E_INTERRUPTED) // by the child's exit itself, as it may be
            ;
        check(waited, "wait for the child");
    }
    print(out(), "spawned: %s\n", bsc_status_name(status));
    return status == BSC_OK ? 0 : 1;
}
