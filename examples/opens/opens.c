/* SPDX-License-Identifier: MIT */
/* The opens extension: counts the streams the guest opens (files, sockets, pipes by name:
 * every stream_open), and prints the count on stderr as the process exits. */
#include <stdatomic.h>
#include <stdio.h>

#include "bascule_extension.h"

/* Downcalls carry no context: an extension keeps the table below in a global (the chain
 * gives each instance its own copy of this object). */
static const bsc_downcalls *below;
static atomic_ulong opens; /* any guest thread may open at the same time */

static bsc_status count_open(const char *uri, uint32_t access, uint32_t mode, uint32_t create,
                             uint32_t options, bsc_handle *handle) {
    atomic_fetch_add_explicit(&opens, 1, memory_order_relaxed);
    return below->stream_open(uri, access, mode, create, options, handle);
}

static bsc_status init(const bsc_extension_context *context, void **instance, char *error,
                       size_t error_size) {
    (void)instance, (void)error, (void)error_size;
    below = context->below;
    context->above->stream_open = count_open; /* every other call goes past untouched */
    return BSC_OK;
}

/* EXIT comes once per process, before it ends (a forked child counts its own). */
static void on_event(void *instance, uint32_t event) {
    (void)instance;
    if (event == BSC_EVENT_EXIT)
        fprintf(stderr, "opens: %lu\n", atomic_load(&opens));
}

__attribute__((visibility("default"))) const bsc_extension_descriptor bascule_extension = {
    .size = sizeof(bsc_extension_descriptor),
    .abi_version = BSC_ABI_VERSION,
    .name = "opens",
    .version = "1.0",
    .summary = "counts the streams the guest opens; prints the count at exit",
    .init = init,
    .on_event = on_event,
};
