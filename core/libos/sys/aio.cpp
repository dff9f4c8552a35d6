// SPDX-License-Identifier: MIT
// Linux native AIO: io_setup, io_submit, io_getevents, io_pgetevents, io_cancel, io_destroy.
// A context is a ring in the program's memory with the kernel's layout (struct aio_ring,
// then io_event slots), which libaio reads itself, and the kernel's own copies of what the
// program must not be trusted with (tail, size, request count) in LibOS memory. Every
// request is done at submission through the LibOS's own read, write and flush paths, so
// every descriptor kind works and nothing stays in flight past its io_submit: io_cancel
// finds nothing, and io_destroy waits only for submissions under way in other threads.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <stddef.h>

#include "fd_table.h"
#include "file_io.h"
#include "fork_locks.h"
#include "heap.h"
#include "host_status.h"
#include "iovec.h"
#include "libos_files.h"
#include "memory.h"
#include "memory_map.h"
#include "poll.h"
#include "process_state.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Ring { // struct aio_ring
    uint32_t id, nr, head, tail;
    uint32_t magic, compat_features, incompat_features, header_length;
};
struct IoEvent {
    uint64_t data, obj;
    int64_t res, res2;
};
struct Iocb {
    uint64_t data;
    uint32_t key, rw_flags;
    uint16_t opcode;
    int16_t reqprio;
    uint32_t fildes;
    uint64_t buf, nbytes;
    int64_t offset;
    uint64_t reserved2;
    uint32_t flags, resfd;
};
static_assert(sizeof(Ring) == 32 && sizeof(IoEvent) == 32 && sizeof(Iocb) == 64);

constexpr uint32_t kRingMagic = 0xa10a10a1;
constexpr uint32_t kEventsPerPage = kPage / sizeof(IoEvent);
constexpr uint16_t kPread = 0, kPwrite = 1, kFsync = 2, kFdsync = 3, kPoll = 5, kPreadv = 7,
                   kPwritev = 8;
constexpr uint32_t kFlagResfd = 1, kFlagIoprio = 2;
constexpr uint64_t kTaskSize = 0x7ffffffff000;
constexpr int64_t kSecondsMax = INT64_MAX / kNanosPerSecond; // KTIME_SEC_MAX

// The kernel's struct kioctx, for one CPU: its per-CPU request batches are one counter
// here (`cpu_batch`), which is what Linux does for a program that stays on one processor.
struct Context {
    uint64_t user_id;     // the ring's address, the program's context id
    uint64_t size;        // the ring's bytes
    uint32_t id;          // its slot in the table, ring->id
    uint32_t nr_events;   // the ring's slots (the trusted copy of ring->nr)
    uint32_t max_reqs;    // what io_setup asked for, counted against aio-max-nr
    uint32_t tail;        // the trusted copy of ring->tail
    uint32_t available;   // reqs_available: requests that may still be taken
    uint32_t cpu_batch;   // the one CPU's share taken from it (kioctx_cpu)
    uint32_t req_batch;   // how many the CPU takes at once
    uint32_t completed;   // completed_events: completions not yet given back
    uint32_t completions; // bumped and woken at every completion and at io_destroy
    uint32_t refs;        // the table's and each call's
    uint32_t in_flight;   // requests taken and not yet completed or given back
    bool dead;
    Spinlock lock;        // the kernel's completion_lock and ring_lock
};

// The process's contexts by id (the kernel's mm->ioctx_table), and the requests they
// reserve (its share of aio-nr).
Spinlock table_lock;
LIBOS_FORK_LOCK(table_lock);
Context **table = nullptr;
uint32_t table_size = 0;
uint64_t reserved_requests = 0;

Ring *ring_of(Context &c) { return reinterpret_cast<Ring *>(c.user_id); }

void context_put(Context *c) {
    if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
        destroy(c);
}

// lookup_ioctx: the id is read from the ring the program holds, and must name a live
// context of this process mapped at that very address.
Context *lookup(uint64_t ctx_id) {
    uint32_t id;
    if (!get_user(ctx_id + offsetof(Ring, id), id))
        return nullptr;
    SpinGuard guard(table_lock);
    Context *c = id < table_size ? table[id] : nullptr;
    if (!c || c->user_id != ctx_id || c->dead)
        return nullptr;
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    return c;
}

// The lowest free slot, the table growing fourfold from 4 as the kernel's does.
uint32_t table_add(Context *c) {
    SpinGuard guard(table_lock);
    for (;;) {
        for (uint32_t i = 0; i < table_size; i++)
            if (!table[i]) {
                table[i] = c;
                return i;
            }
        uint32_t grown = (table_size ? table_size : 1) * 4;
        auto *bigger = static_cast<Context **>(allocate(sizeof(Context *) * grown));
        for (uint32_t i = 0; i < table_size; i++)
            bigger[i] = table[i];
        if (table)
            release(table, sizeof(Context *) * table_size);
        table = bigger;
        table_size = grown;
    }
}

// kill_ioctx: out of the table, its waiters woken, its requests given back to aio-nr and
// its ring unmapped (whatever is mapped there now, as vm_munmap does). -EINVAL if another
// call killed it first.
int64_t kill(Context *c) {
    {
        SpinGuard guard(table_lock);
        if (c->dead)
            return -EINVAL;
        __atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
        table[c->id] = nullptr;
        reserved_requests -= c->max_reqs;
    }
    __atomic_add_fetch(&c->completions, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&c->completions, UINT32_MAX, nullptr);
    unmap_memory(c->user_id, c->user_id + c->size);
    context_put(c); // the table's reference
    return 0;
}

// ---- request accounting: get_reqs_available, put_reqs_available, refill ----

void put_requests(Context &c, uint32_t n) {
    c.cpu_batch += n;
    while (c.cpu_batch >= c.req_batch * 2) {
        c.cpu_batch -= c.req_batch;
        c.available += c.req_batch;
    }
}

// Gives back the completions the program has taken from the ring since (head is its own
// word, clamped as the kernel clamps it).
void refill(Context &c, uint32_t head, uint32_t tail) {
    head %= c.nr_events;
    uint32_t in_ring = head <= tail ? tail - head : c.nr_events - (head - tail);
    uint32_t done = c.completed > in_ring ? c.completed - in_ring : 0;
    if (!done)
        return;
    c.completed -= done;
    put_requests(c, done);
}

bool take_one(Context &c) {
    if (!c.cpu_batch) {
        if (c.available < c.req_batch)
            return false;
        c.available -= c.req_batch;
        c.cpu_batch += c.req_batch;
    }
    c.cpu_batch--;
    return true;
}

bool take_request(Context &c) {
    SpinGuard guard(c.lock);
    if (take_one(c))
        return true;
    uint32_t head;
    if (c.completed && get_user(c.user_id + offsetof(Ring, head), head))
        refill(c, head, c.tail);
    return take_one(c);
}

void give_back_request(Context &c) {
    SpinGuard guard(c.lock);
    put_requests(c, 1);
}

// aio_complete: the event into the ring at the trusted tail, ring->tail written, the
// eventfd signalled, the waiters woken.
void complete(Context &c, const IoEvent &event, OpenFile *eventfd) {
    {
        SpinGuard guard(c.lock);
        uint32_t pos = c.tail + 1; // the header takes the first slot
        if (++c.tail >= c.nr_events)
            c.tail = 0;
        // The ring is the program's memory: what it unmapped or protected takes nothing;
        // once io_destroy unmapped it, what is there now is not the ring's.
        uint32_t head = 0;
        if (!__atomic_load_n(&c.dead, __ATOMIC_ACQUIRE)) {
            copy_to_user(c.user_id + uint64_t{pos} * sizeof(IoEvent), &event, sizeof event);
            get_user(c.user_id + offsetof(Ring, head), head);
            put_user(c.user_id + offsetof(Ring, tail), c.tail);
        }
        if (++c.completed > 1)
            refill(c, head, c.tail);
    }
    if (eventfd)
        eventfd_signal(*eventfd);
    __atomic_add_fetch(&c.completions, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&c.completions, UINT32_MAX, nullptr);
}

// ---- submission ----

// ioprio_check_cap for IOCB_FLAG_IOPRIO's aio_reqprio (class in bits 13-15, level 0-2).
int64_t check_priority(int32_t priority) {
    int32_t level = priority & 7;
    switch ((priority >> 13) & 7) {
    case 1: // IOPRIO_CLASS_RT
        if (!capable(23 /* CAP_SYS_NICE */) && !capable(21 /* CAP_SYS_ADMIN */))
            return -EPERM;
        return 0;
    case 2: // BE
    case 3: // IDLE
        return 0;
    case 0: // NONE
        return level ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

// Whether the kernel's file has ->read_iter (->write_iter): the LibOS's own objects say;
// directories, inotify instances and the LibOS's generated files (procfs, whose
// operations differ file by file) are refused.
bool has_iter(const OpenFile &file, bool write) {
    if (file.kind)
        return file.kind->iter & (write ? kWriteIter : kReadIter);
    if (is_libos_file(file)) {
        report_unsupported("io_submit", "a transfer on a file the LibOS generates");
        return false;
    }
    return file.type != BSC_TYPE_DIRECTORY && file.type != BSC_TYPE_NOTIFIER;
}

// aio_read / aio_write, checked in the kernel's order (aio_prep_rw, the access mode,
// ->read_iter, the buffer, rw_verify_area), then done: 0 with `res` set, or -errno.
int64_t read_write(OpenFile &file, const Iocb &cb, bool vectored, bool write, int64_t &res) {
    if ((cb.flags & kFlagIoprio))
        if (int64_t error = check_priority(cb.reqprio))
            return error;
    if (cb.rw_flags)
        if (int64_t error = check_rw_flags(file, cb.rw_flags, "io_submit"))
            return error;
    if (write ? !file_writable(file) : !file_readable(file))
        return -EBADF;
    if (!has_iter(file, write))
        return -EINVAL;
    IoVector v;
    if (vectored) {
        if (int64_t error = v.import(cb.buf, cb.nbytes))
            return error;
    } else {
        uint64_t length = cb.nbytes < kMaxTransfer ? cb.nbytes : kMaxTransfer;
        if (cb.buf > kTaskSize || length > kTaskSize - cb.buf) // access_ok
            return -EFAULT;
        v.segments = static_cast<Iovec *>(allocate(sizeof(Iovec)));
        v.segments[0] = {cb.buf, length};
        v.count = 1;
        v.total = length;
    }
    if (cb.offset < 0 || static_cast<int64_t>(cb.offset + v.total) < 0)
        return -EINVAL;
    uint64_t at = file_positional(file) ? static_cast<uint64_t>(cb.offset) : BSC_AT_POSITION;
    res = transfer_segments(file, v, at, cb.rw_flags, write);
    if (res == -kRestartSyscall) // aio_rw_done: a request cannot be restarted
        res = -EINTR;
    return 0;
}

// aio_fsync: no buffer, offset, length or flags; a file without ->fsync is refused.
int64_t flush(OpenFile &file, const Iocb &cb, bool data_only, int64_t &res) {
    if (cb.buf || cb.offset || cb.nbytes || cb.rw_flags)
        return -EINVAL;
    if (is_libos_file(file))
        return -EINVAL;
    bsc_status status = abi().stream_flush(file.handle, data_only ? BSC_FLUSH_DATA_ONLY : 0);
    if (status == BSC_E_INVALID) // a pipe's, a socket's: no ->fsync
        return -EINVAL;
    res = result_of(status);
    return 0;
}

// __io_submit_one: the descriptor, the eventfd, aio_key cleared, then the operation.
int64_t submit(Context &c, const Iocb &cb, uint64_t address) {
    FileRef file(static_cast<int>(cb.fildes));
    if (!file || (file->flags & O_PATH) || cb.fildes > INT32_MAX)
        return -EBADF;
    FileRef eventfd(cb.flags & kFlagResfd ? static_cast<int>(cb.resfd) : -1);
    if (cb.flags & kFlagResfd) {
        if (!eventfd || (eventfd->flags & O_PATH) || cb.resfd > INT32_MAX)
            return -EBADF;
        if (!is_eventfd(*eventfd.get()))
            return -EINVAL;
    }
    if (!put_user(address + offsetof(Iocb, key), uint32_t{0}))
        return -EFAULT;
    IoEvent event{cb.data, address, 0, 0};
    int64_t error;
    switch (cb.opcode) {
    case kPread:
    case kPwrite:
    case kPreadv:
    case kPwritev:
        error = read_write(*file.get(), cb, cb.opcode >= kPreadv,
                           cb.opcode == kPwrite || cb.opcode == kPwritev, event.res);
        break;
    case kFsync:
    case kFdsync:
        error = flush(*file.get(), cb, cb.opcode == kFdsync, event.res);
        break;
    case kPoll:
        // A poll request may stay in flight, which the LibOS's synchronous requests never
        // do; refused as a kernel without IOCB_CMD_POLL refuses it.
        report_unsupported("io_submit", "IOCB_CMD_POLL");
        error = -EINVAL;
        break;
    default:
        error = -EINVAL;
    }
    if (!error)
        complete(c, event, cb.flags & kFlagResfd ? eventfd.get() : nullptr);
    return error;
}

// io_submit_one: the iocb read and its reserved fields checked before a request is taken.
int64_t submit_one(Context &c, uint64_t address) {
    Iocb cb;
    if (!copy_from_user(&cb, address, sizeof cb))
        return -EFAULT;
    if (cb.reserved2 || static_cast<int64_t>(cb.nbytes) < 0)
        return -EINVAL;
    if (!take_request(c))
        return -EAGAIN;
    __atomic_add_fetch(&c.in_flight, 1, __ATOMIC_ACQ_REL);
    int64_t error = submit(c, cb, address);
    if (error)
        give_back_request(c);
    if (__atomic_sub_fetch(&c.in_flight, 1, __ATOMIC_ACQ_REL) == 0)
        abi().sync_wake(&c.in_flight, UINT32_MAX, nullptr);
    return error;
}

// ---- reaping ----

// aio_read_events_ring: up to `nr` events from the program's head to its tail (both read
// from the ring, clamped), a page of slots at a time; head written back. -EFAULT (head
// kept) if `events` cannot take them.
int64_t read_ring(Context &c, uint64_t events, int64_t nr) {
    SpinGuard guard(c.lock);
    uint32_t head, tail;
    if (!get_user(c.user_id + offsetof(Ring, head), head) ||
        !get_user(c.user_id + offsetof(Ring, tail), tail) || head == tail)
        return 0;
    head %= c.nr_events;
    tail %= c.nr_events;
    int64_t got = 0;
    while (got < nr && head != tail) {
        int64_t avail = (head <= tail ? tail : c.nr_events) - head;
        uint32_t pos = head + 1;
        if (avail > nr - got)
            avail = nr - got;
        if (avail > kEventsPerPage - pos % kEventsPerPage)
            avail = kEventsPerPage - pos % kEventsPerPage;
        if (user_copy(reinterpret_cast<void *>(events + got * sizeof(IoEvent)),
                      reinterpret_cast<const void *>(c.user_id + uint64_t{pos} * sizeof(IoEvent)),
                      avail * sizeof(IoEvent)))
            return -EFAULT;
        got += avail;
        head = static_cast<uint32_t>((head + avail) % c.nr_events);
    }
    put_user(c.user_id + offsetof(Ring, head), head);
    return got;
}

// aio_read_events: whether the wait is over (an error, or `min_nr` got in all).
bool read_events(Context &c, int64_t min_nr, int64_t nr, uint64_t events, int64_t &got) {
    int64_t n = read_ring(c, events + got * sizeof(IoEvent), nr - got);
    if (n > 0)
        got += n;
    if (__atomic_load_n(&c.dead, __ATOMIC_ACQUIRE))
        n = -EINVAL;
    if (!got)
        got = n;
    return n < 0 || got >= min_nr;
}

// read_events: what is there, then waits for `min_nr` until `timeout` (relative ns,
// kForever) or a signal; what was got, or the error if nothing was.
int64_t wait_events(Context &c, int64_t min_nr, int64_t nr, uint64_t events, int64_t timeout) {
    int64_t got = 0;
    uint32_t seen = __atomic_load_n(&c.completions, __ATOMIC_ACQUIRE);
    if (read_events(c, min_nr, nr, events, got) || timeout == 0)
        return got;
    int64_t deadline = timeout == kForever ? kForever : clock_now(BSC_CLOCK_MONOTONIC) + timeout;
    for (;;) {
        if (signal_pending())
            return got;
        int64_t left = deadline == kForever ? BSC_WAIT_FOREVER
                                            : deadline - clock_now(BSC_CLOCK_MONOTONIC);
        if (deadline != kForever && left <= 0)
            return got;
        abi().sync_wait(&c.completions, seen, left);
        seen = __atomic_load_n(&c.completions, __ATOMIC_ACQUIRE);
        if (read_events(c, min_nr, nr, events, got))
            return got;
    }
}

// The timeout as the kernel reads it (get_timespec64, unchecked, then timespec64_to_ktime):
// 0 or -EFAULT; a negative or huge tv_sec waits forever, a negative total not at all.
int64_t read_timeout(uint64_t address, int64_t &timeout) {
    Timespec ts;
    timeout = kForever;
    if (!address)
        return 0;
    if (!copy_from_user(&ts, address, sizeof ts))
        return -EFAULT;
    if (static_cast<uint64_t>(ts.sec) < static_cast<uint64_t>(kSecondsMax)) {
        timeout = ts.sec * kNanosPerSecond + ts.nsec;
        if (timeout < 0)
            timeout = 1; // already past: one look after the first
    }
    return 0;
}

// do_io_getevents.
int64_t get_events(uint64_t ctx_id, int64_t min_nr, int64_t nr, uint64_t events,
                   int64_t timeout) {
    Context *c = lookup(ctx_id);
    if (!c)
        return -EINVAL;
    int64_t result = min_nr <= nr && min_nr >= 0 ? wait_events(*c, min_nr, nr, events, timeout)
                                                  : -EINVAL;
    context_put(c);
    return result;
}

} // namespace

int64_t sys_io_setup(Syscall &call) {
    auto nr = static_cast<uint32_t>(call.arg[0]);
    uint64_t ctx;
    if (!get_user(call.arg[1], ctx))
        return -EFAULT;
    if (ctx || nr == 0)
        return -EINVAL;
    // ioctx_alloc: room for twice the larger of nr and four per possible CPU.
    uint32_t cpus = host_possible_cpus();
    uint32_t events = (nr > cpus * 4 ? nr : cpus * 4) * 2;
    if (events > 0x10000000u / sizeof(IoEvent))
        return -EINVAL;
    uint64_t max_nr = 65536;
    host_fs_setting("aio-max-nr", max_nr);
    if (!events || nr > max_nr)
        return -EAGAIN;
    // aio_setup_ring: two more slots, whole pages, and every slot they hold.
    uint64_t size = page_up(sizeof(Ring) + sizeof(IoEvent) * (uint64_t{events} + 2));
    uint64_t at = 0;
    if (abi().vm_alloc(&at, size, BSC_PROT_READ | BSC_PROT_WRITE, BSC_MAP_SHARED) != BSC_OK)
        return -ENOMEM;
    Region region{at, at + size, 0, mapped_aio_ring(), 0x3 /* PROT_READ | PROT_WRITE */, true,
                  RegionName::none};
    region.may_write = true;
    region.dont_expand = true;
    map_add(region);
    mapped_file_release(region.file);
    auto *c = create<Context>();
    c->user_id = at;
    c->size = size;
    c->nr_events = static_cast<uint32_t>((size - sizeof(Ring)) / sizeof(IoEvent));
    c->max_reqs = nr;
    c->available = c->nr_events - 1;
    c->req_batch = (c->nr_events - 1) / (cpus * 4);
    if (c->req_batch < 1)
        c->req_batch = 1;
    c->refs = 1;
    *ring_of(*c) = {~0u, c->nr_events, 0, 0, kRingMagic, 1, 0, sizeof(Ring)};
    // The requests of every context count against aio-max-nr: the host's (aio-nr) and
    // this process's.
    uint64_t host_nr = 0;
    host_fs_setting("aio-nr", host_nr);
    bool over = false;
    {
        SpinGuard guard(table_lock);
        over = host_nr + reserved_requests + nr > max_nr;
        if (!over)
            reserved_requests += nr;
    }
    if (over) {
        unmap_memory(at, at + size);
        destroy(c);
        return -EAGAIN;
    }
    c->id = table_add(c);
    ring_of(*c)->id = c->id;
    if (!put_user(call.arg[1], at)) {
        kill(c);
        return -EFAULT;
    }
    return 0;
}

// Returns once the requests other threads are doing (a read from an empty pipe) are
// done, uninterruptibly, as the kernel waits for its context's requests.
int64_t sys_io_destroy(Syscall &call) {
    Context *c = lookup(call.arg[0]);
    if (!c)
        return -EINVAL;
    int64_t result = kill(c);
    if (!result)
        for (uint32_t n; (n = __atomic_load_n(&c->in_flight, __ATOMIC_ACQUIRE)) != 0;)
            abi().sync_wait(&c->in_flight, n, BSC_WAIT_FOREVER);
    context_put(c);
    return result;
}

int64_t sys_io_submit(Syscall &call) {
    auto nr = static_cast<int64_t>(call.arg[1]);
    if (nr < 0)
        return -EINVAL;
    Context *c = lookup(call.arg[0]);
    if (!c)
        return -EINVAL;
    if (nr > c->nr_events)
        nr = c->nr_events;
    int64_t i = 0, error = 0;
    for (; i < nr; i++) {
        uint64_t iocb;
        if (!get_user(call.arg[2] + static_cast<uint64_t>(i) * sizeof(uint64_t), iocb)) {
            error = -EFAULT;
            break;
        }
        if ((error = submit_one(*c, iocb)))
            break;
    }
    context_put(c);
    return i ? i : error;
}

int64_t sys_io_cancel(Syscall &call) {
    uint32_t key;
    if (!get_user(call.arg[1] + offsetof(Iocb, key), key))
        return -EFAULT;
    if (key != 0)
        return -EINVAL;
    Context *c = lookup(call.arg[0]);
    if (!c)
        return -EINVAL;
    context_put(c);
    return -EINVAL; // every request completed when it was submitted: none to cancel
}

int64_t sys_io_getevents(Syscall &call) {
    int64_t timeout;
    if (int64_t error = read_timeout(call.arg[4], timeout))
        return error;
    int64_t result = get_events(call.arg[0], static_cast<int64_t>(call.arg[1]),
                                static_cast<int64_t>(call.arg[2]), call.arg[3], timeout);
    return result == 0 && signal_pending() ? -EINTR : result;
}

int64_t sys_io_pgetevents(Syscall &call) {
    int64_t timeout;
    if (int64_t error = read_timeout(call.arg[4], timeout))
        return error;
    struct {
        uint64_t mask, size;
    } sigset{0, 0}; // struct __aio_sigset
    if (call.arg[5] && !copy_from_user(&sigset, call.arg[5], sizeof sigset))
        return -EFAULT;
    if (int64_t error = wait_with_mask(sigset.mask, sigset.size))
        return error;
    int64_t result = get_events(call.arg[0], static_cast<int64_t>(call.arg[1]),
                                static_cast<int64_t>(call.arg[2]), call.arg[3], timeout);
    // ERESTARTNOHAND: EINTR after a handler; started again (the mask set anew, the
    // timeout whole) after a signal that ran none, a stop's.
    return result == 0 && signal_pending() ? -kRestartNoHandler : result;
}

void forget_aio_contexts() {
    // The child's or the new program's table is empty (mm_init_aio, exit_aio); the
    // rings of a fork's child stay mapped, shared with its parent, as Linux leaves them.
    for (uint32_t i = 0; i < table_size; i++)
        if (table[i])
            destroy(table[i]);
    if (table)
        release(table, sizeof(Context *) * table_size);
    table = nullptr;
    table_size = 0;
    reserved_requests = 0;
}

} // namespace libos
