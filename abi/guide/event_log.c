/* SPDX-License-Identifier: MIT */
/* event-log: prints on stderr every lifecycle event it receives, the two returns of
 * process_fork and each process_exec that pass it, with the host's process and thread id.
 * A tool for watching when events come (abi/guide/README.md, "Testing"); it changes
 * nothing. From the repository's root:
 *   mkdir -p /tmp/ev && cc -shared -fPIC -fvisibility=hidden -I abi \
 *     -o /tmp/ev/bascule-ext-event-log.so abi/guide/event_log.c
 *   BASCULE_EXT_PATH=/tmp/ev build/release/bascule run --ext event-log -- /bin/true
 * (or bascule_add_extension(event-log event_log.c) after find_package(bascule)). */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "bascule_extension.h"

static const bsc_downcalls *below;
static const char *label = "event-log";

static const char *event_name(uint32_t event) {
    switch (event) {
    case BSC_EVENT_START: return "START";
    case BSC_EVENT_EXIT: return "EXIT";
    case BSC_EVENT_BEFORE_CHECKPOINT: return "BEFORE_CHECKPOINT";
    case BSC_EVENT_RESUME: return "RESUME";
    case BSC_EVENT_RESTORE: return "RESTORE";
    case BSC_EVENT_BEFORE_RESTORE: return "BEFORE_RESTORE";
    default: return "?";
    }
}

static void on_event(void *instance, uint32_t event) {
    (void)instance;
    fprintf(stderr, "%s: p%d t%d %s\n", label, getpid(), gettid(), event_name(event));
}

static bsc_status fork_logged(bsc_handle *child, uint64_t *child_id) {
    bsc_status status = below->process_fork(child, child_id);
    /* The ABI writes *child only on success; reading it directly is fine for a tool that
     * trusts its guest (an extension that must not fault uses context->guest_copy). */
    if (status == BSC_OK)
        fprintf(stderr, "%s: p%d t%d process_fork returned in the %s\n", label, getpid(),
                gettid(), *child == BSC_NO_HANDLE ? "child" : "parent");
    return status;
}

static bsc_status exec_logged(const char *path, const char *const *argv) {
    fprintf(stderr, "%s: p%d t%d process_exec %s\n", label, getpid(), gettid(), path);
    return below->process_exec(path, argv);
}

static bsc_status init(const bsc_extension_context *context, void **instance, char *error,
                       size_t error_size) {
    (void)instance, (void)error, (void)error_size;
    below = context->below;
    for (size_t i = 0; i < context->option_count; i++)
        label = context->options[i].value; /* "label" is the only key the loader lets by */
    context->above->process_fork = fork_logged;
    context->above->process_exec = exec_logged;
    fprintf(stderr, "%s: p%d t%d init at position %u\n", label, getpid(), gettid(),
            context->position);
    return BSC_OK;
}

static void fini(void *instance) {
    (void)instance;
    fprintf(stderr, "%s: p%d t%d fini\n", label, getpid(), gettid());
}

static const bsc_option_spec options[] = {
    {"label", "the name its lines start with (default event-log)"},
    {NULL, NULL},
};

__attribute__((visibility("default"))) const bsc_extension_descriptor bascule_extension = {
    .size = sizeof(bsc_extension_descriptor),
    .abi_version = BSC_ABI_VERSION,
    .name = "event-log",
    .version = "1.0",
    .summary = "prints the lifecycle events, fork returns and execs that pass it",
    .options = options,
    .init = init,
    .on_event = on_event,
    .fini = fini,
};
