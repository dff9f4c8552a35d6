/* SPDX-License-Identifier: MIT */
/* The extension interface: how a shared object joins the chain between guest and host.
 * An extension exports one descriptor (BSC_EXTENSION_SYMBOL); see abi/README.md. */
#pragma once

#include <stddef.h>

#include "bascule.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BSC_EXTENSION_SYMBOL "bascule_extension"

/* One key=value option given on the command line or in a manifest. */
typedef struct bsc_option {
    const char *key;
    const char *value; /* "" when given as a bare key */
} bsc_option;

/* An option the extension accepts; the loader refuses any other key, and a key given
 * twice. Since 1.4, a key declared with a final '+' ("bind+") is repeatable: it is given
 * as "bind", as often as the user likes, and the extension receives every occurrence in
 * order. */
typedef struct bsc_option_spec {
    const char *key;
    const char *help;
} bsc_option_spec;

/* Lifecycle events. Start and before-checkpoint travel top to bottom; resume, restore and
 * before-restore bottom to top; exit top to bottom. */
enum {
    BSC_EVENT_START = 1,             /* the guest is about to receive its start upcall */
    BSC_EVENT_EXIT = 2,              /* the process is about to exit; flush what you hold */
    BSC_EVENT_BEFORE_CHECKPOINT = 3, /* every guest thread is parked */
    BSC_EVENT_RESUME = 4,            /* the guest runs on after a checkpoint */
    BSC_EVENT_RESTORE = 5,           /* the guest runs in a new process from an image */
    BSC_EVENT_BEFORE_RESTORE = 6,    /* since 1.4: a restore is about to rebuild the guest
                                        (before any handle is re-opened); bottom to top */
};

/* What the chain hands an extension when it joins. The extension reads `below` whenever
 * it calls down (the table stays valid for the whole run) and fills `above` with its
 * own entry points, copying from `below` every call it does not interpose on. Upcalls go
 * the other way: it calls `upcalls_above` (filled later, read it at call time) and fills
 * `upcalls_below`, copying every upcall it does not interpose on. */
typedef struct bsc_extension_context {
    uint32_t size;
    uint32_t version;
    const bsc_downcalls *below;
    bsc_downcalls *above;
    const bsc_upcalls *upcalls_above;
    bsc_upcalls *upcalls_below;
    const bsc_option *options; /* the options given for this instance */
    size_t option_count;
    uint32_t position;         /* 0 is the topmost extension */
    uint32_t reserved;
    /* Since 1.1: asks the runtime to serve a control command through the chain (as if it
     * came from the control socket, e.g. "capture" when a timer fires). It returns at once;
     * the runtime runs the command on its own thread. BSC_E_NOT_SUPPORTED if the runtime
     * takes no requests (or not this command), BSC_E_INVALID if its arguments are refused
     * at once ("watch-signal" of a signal the runtime cannot watch). */
    bsc_status (*request_control)(const char *command, const bsc_option *arguments,
                                  size_t argument_count);
    /* Since 1.8: copies `size` bytes from `src` to `dst`, either of which may be guest
     * memory, without faulting and without a system call; returns how many bytes were left
     * uncopied (0: all were) because a page was unmapped or protected. NULL if the runtime
     * has none (copy with process_vm_readv/writev then). */
    size_t (*guest_copy)(void *dst, const void *src, size_t size);
} bsc_extension_context;

/* A request from the runtime to one extension (bsc_extension_descriptor.control), such as
 * "capture" for the checkpoint extension. Since ABI 1.1. "image-state" goes to every
 * extension while a capture has the guest parked: a BSC_OK reply is kept in the image
 * under the extension's name (abi/README.md). */
typedef struct bsc_control_request {
    uint32_t size;               /* sizeof(bsc_control_request) */
    uint32_t reserved;
    const char *command;         /* what to do; an extension answers BSC_E_NOT_SUPPORTED to
                                    a command that is not its own */
    const bsc_option *arguments; /* key=value arguments of the command */
    size_t argument_count;
    /* Reports progress of a long request (may be NULL; any thread may call it). */
    void (*progress)(void *cookie, uint64_t done, uint64_t total);
    void *cookie;
    char *reply; /* filled with a one-line message: the error, or what was done */
    size_t reply_size;
} bsc_control_request;

typedef struct bsc_extension_descriptor {
    uint32_t size;        /* sizeof(bsc_extension_descriptor) */
    uint32_t abi_version; /* BSC_ABI_VERSION the extension was built for */
    const char *name;     /* the name used with --ext */
    const char *version;  /* the extension's own version, free text */
    const char *summary;  /* one line for `bascule exts` */
    /* Ordering constraints, NULL-terminated lists of names: this extension must sit below
     * (nearer the host than) every extension in must_be_below that is in the same stack,
     * and above (nearer the guest than) every one in must_be_above. Since 1.7, the name
     * "*" stands for every other extension. */
    const char *const *must_be_below;
    const char *const *must_be_above;
    const bsc_option_spec *options; /* accepted keys, terminated by a NULL key */
    /* Joins the chain. Returns BSC_OK, or an error with a message written to error. The
     * instance state it allocates is its own; `instance` is handed back to the hooks. */
    bsc_status (*init)(const bsc_extension_context *context, void **instance, char *error,
                       size_t error_size);
    /* Receives lifecycle events (may be NULL). */
    void (*on_event)(void *instance, uint32_t event);
    /* Releases the instance when the process exits (may be NULL). */
    void (*fini)(void *instance);
    /* Serves a control request from the runtime (may be NULL). Since ABI 1.1: a
     * descriptor from 1.0 ends before this field. */
    bsc_status (*control)(void *instance, const bsc_control_request *request);
} bsc_extension_descriptor;

#ifdef __cplusplus
}
#endif
