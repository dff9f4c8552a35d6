// SPDX-License-Identifier: MIT
// The guest's process tree (process_tree.h): the table all its processes share, the
// calling process's own children, and the events that tell it one of them changed or
// another process sent it a signal.
#include "process_tree.h"

#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/signal.h>
#include <linux/wait.h>

#include "fd_table.h"
#include "fork.h"
#include "fork_locks.h"
#include "heap.h"
#include "process_state.h"
#include "spinlock.h"
#include "syscall_sites.h"
#include "thread.h"

namespace libos {
namespace {

constexpr uint32_t kMaxProcesses = 1024;
constexpr uint32_t kMailboxSize = 32; // signals sent to a process and not yet collected
constexpr uint64_t kPage = 4096;

enum class Life : uint32_t { free = 0, running, ended };

// A process of the tree. An ended one stays until its parent reaps it (a zombie).
struct Entry {
    Life life;
    int32_t pid, parent, group, session;
    int32_t exit_signal; // what its end sends its parent (SIGCHLD)
    uint64_t host_id;    // for process_open; 0 until known
    bool execed;         // it ran execve since its fork (setpgid's EACCES)
    bool dumped;         // it ended by a signal and wrote a core file
};

// The signals sent to the process of the entry with the same index, not yet collected:
// to the process, or (tkill) to its initial thread. Those that come when it is full are
// kept as bits (signal n: bit n - 1), their siginfo lost, as Linux keeps a signal whose
// queue entry it cannot allocate: pending still, as if from kill with no sender.
struct Mailbox {
    uint32_t posted;
    SignalInfo signals[kMailboxSize];
    bool to_initial_thread[kMailboxSize];
    uint64_t overflow, overflow_to_initial_thread;
    // A sender has interrupted the process since it last drained the mailbox: the next
    // sender posts without another interrupt. The host's interrupt is a real-time signal,
    // queued once per send and each delivered on a host signal frame of its own before the
    // process runs again: unbounded, senders faster than the process (eleven processes
    // signalling each other every 100 us on a loaded machine) overflowed the host's signal
    // stack, and the kernel killed the runtime with SIGSEGV.
    bool interrupted;
};

// The shared table. Its lock is an atomic flag in memory every process maps. The entries
// are small and together, since every lookup scans them (each process faults in the
// shared pages it touches); a mailbox or a card is touched only when it is used.
struct Table {
    Spinlock lock;
    int32_t next_id;
    uint64_t next_file_identity; // OpenFile::identity, from 1
    int32_t foreground; // the controlling terminal's foreground group
    Entry entries[kMaxProcesses];
    Mailbox mailboxes[kMaxProcesses];
    ProcessCard cards[kMaxProcesses];
};

Table *table;
int32_t own_pid;
// This process's mailbox in the table (its entry's, which stays where it is).
Mailbox *own_mailbox;

// A child of this process, found by its host handle.
struct Child {
    int32_t pid;
    bsc_handle handle;
    uint32_t reported; // the last change raised as SIGCHLD (BSC_PROCESS_*)
};
Child *children;
uint32_t child_count, child_capacity;
Spinlock children_lock;
LIBOS_FORK_LOCK(children_lock);

bool events_noted;

class TableGuard {
public:
    TableGuard() { table->lock.lock(); }
    ~TableGuard() { table->lock.unlock(); }
    TableGuard(const TableGuard &) = delete;
    TableGuard &operator=(const TableGuard &) = delete;
};

// The entry of live or ended process `pid` (the table locked), or null.
Entry *find(int32_t pid) {
    for (Entry &e : table->entries)
        if (e.life != Life::free && e.pid == pid)
            return &e;
    return nullptr;
}

Entry &own() { return *find(own_pid); }

// Whether process group `group` exists in session `session` (the table locked).
bool group_in_session(int32_t group, int32_t session) {
    for (Entry &e : table->entries)
        if (e.life != Life::free && e.group == group && e.session == session)
            return true;
    return false;
}

Mailbox &mailbox_of(const Entry &entry) { return table->mailboxes[&entry - table->entries]; }
ProcessCard &card_of(const Entry &entry) { return table->cards[&entry - table->entries]; }

// Puts `info` in `entry`'s mailbox (the table locked). A standard signal already there is
// not added twice, as Linux keeps one of each pending.
void post(const Entry &entry, const SignalInfo &info, bool to_initial_thread = false) {
    Mailbox &box = mailbox_of(entry);
    for (uint32_t i = 0; i < box.posted; i++)
        if (box.signals[i].signo == info.signo && info.signo < 32 &&
            box.to_initial_thread[i] == to_initial_thread)
            return;
    if (box.posted < kMailboxSize) {
        box.to_initial_thread[box.posted] = to_initial_thread;
        box.signals[box.posted++] = info;
        return;
    }
    // Linux would have queued it (up to RLIMIT_SIGPENDING): what a real-time signal or a
    // sigqueue carries beyond its number is lost here, so that is named.
    if (info.signo >= 32 || info.code != kSiUser)
        report_unsupported("kill", "more than 32 signals queued to another process");
    (to_initial_thread ? box.overflow_to_initial_thread : box.overflow) |=
        uint64_t{1} << (info.signo - 1);
}

// Sends process `host_id` the host's action: an interrupt, so that it collects its
// mailbox, or a stop, continue or kill.
void act_on_host_process(uint64_t host_id, uint32_t action) {
    bsc_handle handle;
    if (host_id == 0 || abi().process_open(host_id, &handle) != BSC_OK)
        return; // it has ended since: what was posted is moot
    abi().process_signal(handle, action);
    abi().object_close(handle);
}

// Delivers `info` to process `entry` (the table not locked by the caller, `entry`
// found under it, `info` posted to its mailbox): the caller raises it itself; another
// process gets an interrupt and acts on it where it holds no lock, as Linux acts on a
// signal on the way back to user mode. A host stop or kill at any other point could
// catch it holding the table's lock, and every process would wait for it. SIGCONT
// continues the host process too; SIGKILL ends one that its LibOS stopped at once.
struct Delivery {
    int32_t pid;
    uint64_t host_id;
    bool stopped;
    bool interrupt; // no interrupt is on its way already (Mailbox::interrupted)
};

void deliver(const Delivery &to, const SignalInfo &info) {
    if (to.pid == own_pid) {
        raise_signal_info(info);
        return;
    }
    if (info.signo == SIGKILL && to.stopped)
        return act_on_host_process(to.host_id, BSC_PROCESS_KILL);
    if (info.signo == SIGCONT || info.signo == SIGKILL) // a stop from outside ends
        act_on_host_process(to.host_id, BSC_PROCESS_CONTINUE);
    if (to.interrupt)
        act_on_host_process(to.host_id, BSC_PROCESS_INTERRUPT);
}

// What deliver needs of `e`, the table locked (its mailbox posted to, if it is another's).
Delivery delivery_to(const Entry &e) {
    Mailbox &box = mailbox_of(e);
    bool interrupt = e.pid != own_pid && !box.interrupted;
    box.interrupted |= interrupt;
    return {e.pid, e.host_id, card_of(e).state == 'T', interrupt};
}

// Who sends a signal, for Linux's permission check (check_kill_permission).
struct Sender {
    uint32_t real, effective;
    bool may_kill; // CAP_KILL
    bool from_user; // sent by kill (a code of the user's): the check applies
};

Sender sender_of(const SignalInfo &info) {
    bsc_process_identity ids = identity();
    bsc_capabilities capabilities{};
    abi().thread_capabilities_query(BSC_NO_HANDLE, &capabilities);
    return {ids.user_id, ids.effective_user_id, ((capabilities.effective >> CAP_KILL) & 1) != 0,
            info.code <= 0};
}

// Whether `sender` may signal process `e` (the table locked): its own process, a process
// whose real or saved user id is the sender's real or effective one, anyone with CAP_KILL,
// and SIGCONT to a process of the sender's session.
bool may_signal(const Sender &sender, const Entry &e, int32_t signo) {
    if (!sender.from_user || e.pid == own_pid || sender.may_kill)
        return true;
    const ProcessCard &card = card_of(e);
    if (sender.real == card.real_user_id || sender.real == card.saved_user_id ||
        sender.effective == card.real_user_id || sender.effective == card.saved_user_id)
        return true;
    return signo == SIGCONT && e.session == own().session;
}

// Sends `info` to every running process `select(entry)` accepts: -ESRCH if none, then
// -EINVAL for a signal number out of range (Linux finds the target first), then -EPERM if
// the caller may signal none of them — except for kill(-1) (`to_every`), which skips
// those it may not signal, as Linux does.
template <class Select>
int64_t send_to(Select select, const SignalInfo &info, bool to_every = false) {
    Delivery targets[kMaxProcesses];
    uint32_t count = 0;
    bool found = false, permitted = false;
    Sender sender = sender_of(info);
    {
        TableGuard guard;
        for (Entry &e : table->entries)
            found |= e.life != Life::free && select(e);
        if (!found)
            return -ESRCH;
        if (info.signo < 0 || info.signo > 64)
            return -EINVAL;
        for (Entry &e : table->entries) {
            if (e.life == Life::free || !select(e) || !may_signal(sender, e, info.signo))
                continue;
            permitted = true;
            // An ended process (a zombie) takes a signal and ignores it.
            if (e.life != Life::running || info.signo == 0)
                continue;
            if (e.pid != own_pid)
                post(e, info);
            targets[count++] = delivery_to(e);
        }
    }
    for (uint32_t i = 0; i < count; i++)
        deliver(targets[i], info);
    return permitted || to_every ? 0 : -EPERM;
}

// Removes child `pid` from the list and closes its handle.
void forget_child(int32_t pid) {
    bsc_handle handle = BSC_NO_HANDLE;
    {
        SpinGuard guard(children_lock);
        for (uint32_t i = 0; i < child_count; i++)
            if (children[i].pid == pid) {
                handle = children[i].handle;
                children[i] = children[--child_count];
                break;
            }
    }
    if (handle != BSC_NO_HANDLE)
        abi().object_close(handle);
}

void free_entry(int32_t pid) {
    TableGuard guard;
    if (Entry *e = find(pid)) {
        mailbox_of(*e) = Mailbox{};
        // The free slot remembers its last process, which System V IPC objects may name
        // after it is gone (pid_seen_for_host), until the slot is taken again.
        uint64_t host_id = e->host_id;
        *e = Entry{};
        e->pid = pid;
        e->host_id = host_id;
    }
}

// A copy of the children the caller may wait for, so that no lock is held across the
// downcalls on them. The caller releases it.
struct ChildList {
    Child *items;
    uint32_t count;
    ~ChildList() { release(items, sizeof(Child) * (count ? count : 1)); }
};

void copy_children(ChildList &list) {
    SpinGuard guard(children_lock);
    list.count = child_count;
    list.items = static_cast<Child *>(allocate(sizeof(Child) * (child_count ? child_count : 1)));
    for (uint32_t i = 0; i < child_count; i++)
        list.items[i] = children[i];
}

bool ended(uint32_t kind) {
    return kind == BSC_PROCESS_EXITED || kind == BSC_PROCESS_KILLED || kind == BSC_PROCESS_DUMPED;
}

// The host's report of child `pid` with what the child's LibOS noted: killed by a signal
// after writing a core file is "dumped".
void add_core_dump(int32_t pid, bsc_process_state &state) {
    if (state.kind != BSC_PROCESS_KILLED)
        return;
    TableGuard guard;
    if (Entry *e = find(pid); e && e->dumped)
        state.kind = BSC_PROCESS_DUMPED;
}

// The SIGCHLD a change of a child raises, as the kernel's do_notify_parent fills it.
SignalInfo child_signal(int32_t pid, int32_t exit_signal, const bsc_process_state &state) {
    SignalInfo info{};
    info.signo = state.kind == BSC_PROCESS_EXITED || state.kind == BSC_PROCESS_KILLED ||
                         state.kind == BSC_PROCESS_DUMPED
                     ? exit_signal
                     : SIGCHLD;
    switch (state.kind) {
    case BSC_PROCESS_EXITED: info.code = CLD_EXITED; break;
    case BSC_PROCESS_KILLED: info.code = CLD_KILLED; break;
    case BSC_PROCESS_DUMPED: info.code = CLD_DUMPED; break;
    case BSC_PROCESS_STOPPED: info.code = CLD_STOPPED; break;
    default: info.code = CLD_CONTINUED; break;
    }
    info.pid = pid;
    info.uid = identity().user_id;
    info.status = state.kind == BSC_PROCESS_CONTINUED ? SIGCONT : state.code;
    info.utime = state.user_ns;
    info.stime = state.system_ns;
    return info;
}

int32_t exit_signal_of(int32_t pid) {
    TableGuard guard;
    Entry *e = find(pid);
    return e ? e->exit_signal : SIGCHLD;
}

// Raises SIGCHLD for each child whose state changed since it was last raised; reaps the
// ended ones at once if the program asked for no zombies (SIGCHLD ignored, SA_NOCLDWAIT).
void poll_children() {
    ChildList list;
    copy_children(list);
    bool changed = false;
    for (uint32_t i = 0; i < list.count; i++) {
        Child &child = list.items[i];
        bsc_process_state state{};
        uint32_t flags = BSC_PROCESS_WAIT_EXITED | BSC_PROCESS_WAIT_STOPPED |
                         BSC_PROCESS_WAIT_CONTINUED | BSC_PROCESS_WAIT_NO_HANG |
                         BSC_PROCESS_WAIT_NO_REAP;
        if (abi().process_wait(child.handle, flags, &state) != BSC_OK ||
            state.kind == BSC_PROCESS_RUNNING)
            continue;
        add_core_dump(child.pid, state);
        if (state.kind == child.reported)
            continue;
        {
            SpinGuard guard(children_lock);
            for (uint32_t j = 0; j < child_count; j++)
                if (children[j].pid == child.pid)
                    children[j].reported = state.kind;
        }
        changed = true;
        bool stop_change = !ended(state.kind);
        if (!stop_change || child_stops_reported()) {
            SignalInfo info = child_signal(child.pid, exit_signal_of(child.pid), state);
            if (info.signo)
                raise_signal_info(info);
        }
        if (ended(state.kind) && children_reaped_at_once()) {
            abi().process_wait(child.handle, BSC_PROCESS_WAIT_EXITED, &state);
            forget_child(child.pid);
            free_entry(child.pid);
        }
    }
    if (changed)
        wake_signal_waiters();
}

// Whether the first process is a subreaper (PR_SET_CHILD_SUBREAPER): then the orphans it
// adopts are children its program waits for, else it reaps them unseen, as init does.
bool subreaper;

// The first process takes the orphans the tree's other processes left (whose parent it
// became and that it did not fork): as children of its own if it is a subreaper, else
// reaped unseen once they end, as init would.
void adopt_orphans() {
    struct Orphan {
        int32_t pid;
        uint64_t host_id;
    } orphans[64];
    uint32_t count = 0;
    {
        TableGuard guard;
        SpinGuard children_guard(children_lock);
        for (Entry &e : table->entries) {
            if (e.life == Life::free || e.parent != own_pid || e.pid == own_pid || count == 64 ||
                (!subreaper && e.life != Life::ended))
                continue;
            bool own_child = false;
            for (uint32_t i = 0; i < child_count; i++)
                own_child |= children[i].pid == e.pid;
            if (!own_child)
                orphans[count++] = {e.pid, e.host_id};
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        bsc_handle handle;
        if (abi().process_open(orphans[i].host_id, &handle) != BSC_OK) {
            free_entry(orphans[i].pid);
            continue;
        }
        if (subreaper) {
            adopt_child(orphans[i].pid, handle, orphans[i].host_id);
            continue;
        }
        bsc_process_state state;
        abi().process_wait(handle, BSC_PROCESS_WAIT_EXITED, &state);
        abi().object_close(handle);
        free_entry(orphans[i].pid);
    }
}

// What came from outside the guest: a signal sent to this host process is the process's;
// one its terminal sent is taken only by the terminal's foreground group, as Linux sends
// it to that group alone (here every process of the guest receives it from the host).
void take_outside_signals() {
    uint64_t sent = 0, from_terminal = 0;
    if (abi().process_signals_take(&sent, &from_terminal) != BSC_OK)
        return;
    if (process_group_of(0) != foreground_group())
        from_terminal = 0;
    for (int32_t sig = 1; sig <= 64; sig++) {
        uint64_t bit = uint64_t{1} << (sig - 1);
        if (!((sent | from_terminal) & bit))
            continue;
        // The sender is outside the guest's pid space: pid 0, as Linux shows it.
        SignalInfo info{
            sig, sent & bit ? kSiUser : kSiKernel, 0, 0, identity().user_id, 0, 0, 0, 0, 0, 0, 0};
        raise_signal_info(info);
    }
}

// Whether a signal was posted to this process since it last drained its mailbox (read
// without the table's lock: a sender posts under it, and drain_mailbox takes it).
bool mail_waiting() {
    return own_mailbox && (__atomic_load_n(&own_mailbox->posted, __ATOMIC_ACQUIRE) ||
                           __atomic_load_n(&own_mailbox->overflow, __ATOMIC_ACQUIRE) ||
                           __atomic_load_n(&own_mailbox->overflow_to_initial_thread,
                                           __ATOMIC_ACQUIRE));
}

void drain_mailbox() {
    SignalInfo received[kMailboxSize];
    bool to_initial_thread[kMailboxSize];
    uint32_t count;
    uint64_t overflow, overflow_to_initial_thread;
    {
        TableGuard guard;
        Mailbox &box = mailbox_of(own());
        count = box.posted;
        for (uint32_t i = 0; i < count; i++)
            received[i] = box.signals[i], to_initial_thread[i] = box.to_initial_thread[i];
        box.posted = 0;
        box.interrupted = false; // what is posted from now on needs an interrupt again
        overflow = box.overflow, overflow_to_initial_thread = box.overflow_to_initial_thread;
        box.overflow = box.overflow_to_initial_thread = 0;
    }
    for (uint32_t i = 0; i < count; i++)
        if (to_initial_thread[i])
            raise_thread_signal_info(own_pid, received[i]);
        else
            raise_signal_info(received[i]);
    // The ones that found the mailbox full: pending, with the siginfo of a lost entry
    // (collect_signal's: SI_USER, no sender).
    for (int32_t sig = 1; sig <= 64; sig++) {
        SignalInfo lost = lost_signal(sig);
        if (overflow & (uint64_t{1} << (sig - 1)))
            raise_signal_info(lost);
        if (overflow_to_initial_thread & (uint64_t{1} << (sig - 1)))
            raise_thread_signal_info(own_pid, lost);
    }
}

bool matches(const WaitRequest &request, int32_t pid, int32_t own_group) {
    TableGuard guard;
    Entry *e = find(pid);
    if (!e)
        return false;
    bool clone = e->exit_signal != SIGCHLD;
    if (request.kinds != ChildKinds::all && clone != (request.kinds == ChildKinds::clones))
        return false;
    if (request.which > 0)
        return pid == request.which;
    if (request.which == -1)
        return true;
    return e->group == (request.which == 0 ? own_group : -request.which);
}

} // namespace

void initialise_process_tree() {
    uint64_t at = 0, size = (sizeof(Table) + kPage - 1) & ~(kPage - 1);
    if (abi().vm_alloc(&at, size, BSC_PROT_READ | BSC_PROT_WRITE, BSC_MAP_SHARED) != BSC_OK)
        panic("cannot make the process table");
    table = reinterpret_cast<Table *>(at);
    table->next_id = kFirstPid + 1;
    table->foreground = kFirstPid;
    own_pid = kFirstPid;
    own_mailbox = &table->mailboxes[0];
    uint64_t host_id = 0;
    abi().process_id_query(&host_id);
    Entry &first = table->entries[0];
    first.life = Life::running;
    first.pid = kFirstPid;
    first.parent = 1;
    first.group = kFirstPid;
    first.session = 1;
    first.exit_signal = SIGCHLD;
    first.host_id = host_id;
    note_user_ids();
}

int32_t current_pid() { return own_pid; }

int32_t parent_pid() { return static_cast<int32_t>(parent_of(0)); }

uint64_t parent_host_id() {
    TableGuard guard;
    Entry *parent = find(own().parent);
    return parent && parent->life == Life::running ? parent->host_id : 0;
}

int64_t parent_of(int32_t pid) {
    TableGuard guard;
    Entry *e = find(pid ? pid : own_pid);
    if (!e)
        return -ESRCH;
    Entry *p = e->parent == 1 ? nullptr : find(e->parent);
    return e->parent == 1 || (p && p->life == Life::running) ? e->parent : kFirstPid;
}

int64_t refuse_outside_parent(const char *call) {
    report_unsupported(call, "pid 1 (the parent outside the guest)");
    return -EPERM;
}

int64_t process_group_of(int32_t pid) {
    TableGuard guard;
    Entry *e = find(pid ? pid : own_pid);
    return e ? e->group : -ESRCH;
}

int64_t session_of(int32_t pid) {
    TableGuard guard;
    Entry *e = find(pid ? pid : own_pid);
    return e ? e->session : -ESRCH;
}

uint32_t process_pids(int32_t *pids, uint32_t capacity) {
    TableGuard guard;
    uint32_t count = 0;
    for (Entry &e : table->entries)
        if (e.life != Life::free) {
            if (count < capacity)
                pids[count] = e.pid;
            count++;
        }
    return count;
}

ProcessCard own_card() {
    TableGuard guard;
    return card_of(own());
}

void publish_card(const ProcessCard &card) {
    TableGuard guard;
    card_of(own()) = card;
}

void note_exec() {
    TableGuard guard;
    own().execed = true;
}

void note_user_ids() {
    bsc_process_identity ids = identity();
    TableGuard guard;
    card_of(own()).real_user_id = ids.user_id;
    card_of(own()).saved_user_id = ids.saved_user_id;
}

void note_umask(uint32_t umask) {
    TableGuard guard;
    card_of(own()).umask = umask;
}

void note_thread_count(uint32_t threads) {
    TableGuard guard;
    card_of(own()).threads = threads;
}

void note_scheduling(const Scheduling &scheduling) {
    TableGuard guard;
    card_of(own()).scheduling = scheduling;
}

void note_stopped(bool stopped) {
    TableGuard guard;
    card_of(own()).state = stopped ? 'T' : 'R';
}

bool read_card(int32_t pid, ProcessCard &card) {
    TableGuard guard;
    Entry *e = find(pid);
    if (!e)
        return false;
    card = card_of(*e);
    card.host_id = e->host_id;
    if (e->life == Life::ended)
        card.state = 'Z'; // a zombie, until its parent reaps it
    return true;
}

int32_t pid_of_host_process(uint64_t host_id) {
    TableGuard guard;
    for (Entry &e : table->entries)
        if (e.life == Life::running && e.host_id == host_id)
            return e.pid;
    return 0;
}

int32_t pid_seen_for_host(uint64_t host_id) {
    TableGuard guard;
    int32_t ended = 0, gone = 0;
    for (Entry &e : table->entries) {
        if (e.host_id != host_id)
            continue;
        if (e.life == Life::running)
            return e.pid;
        (e.life == Life::ended ? ended : gone) = e.pid;
    }
    return ended ? ended : gone;
}

uint32_t process_count() {
    TableGuard guard;
    uint32_t count = 0;
    for (Entry &e : table->entries)
        count += e.life == Life::running;
    return count;
}

// setpgid, in the kernel's order of checks: the target is the caller or a child of it
// (ESRCH), in the caller's session and not a session leader (EPERM); the group exists in
// that session or is the target's own id (EPERM).
int64_t set_process_group(int32_t pid, int32_t group) {
    if (group < 0)
        return -EINVAL;
    TableGuard guard;
    Entry &self = own();
    Entry *target = find(pid ? pid : own_pid);
    if (!target || (target != &self && target->parent != own_pid))
        return -ESRCH;
    if (target != &self && target->session != self.session)
        return -EPERM;
    if (target != &self && target->execed)
        return -EACCES;
    group = group ? group : target->pid;
    if (target->session == target->pid)
        return -EPERM;
    if (group != target->pid && !group_in_session(group, self.session))
        return -EPERM;
    target->group = group;
    return 0;
}

int32_t foreground_group() {
    TableGuard guard;
    return table->foreground;
}

int64_t set_foreground_group(int32_t group) {
    if (group < 0)
        return -EINVAL;
    TableGuard guard;
    if (!group_in_session(group, own().session))
        return -EPERM;
    table->foreground = group;
    return 0;
}

int64_t new_session() {
    TableGuard guard;
    for (Entry &e : table->entries)
        if (e.life != Life::free && e.group == own_pid)
            return -EPERM; // it leads a process group already
    Entry &self = own();
    self.group = self.session = own_pid;
    return own_pid;
}

int64_t set_subreaper(bool on) {
    if (own_pid != kFirstPid)
        return -EINVAL;
    subreaper = on;
    note_process_event(); // orphans it has now are its children from its next call on
    return 0;
}

bool is_subreaper() { return own_pid == kFirstPid && subreaper; }

uint64_t new_file_identity() {
    return __atomic_add_fetch(&table->next_file_identity, 1, __ATOMIC_RELAXED);
}

int32_t allocate_thread_id() {
    TableGuard guard;
    return table->next_id++;
}

int64_t signal_process(int32_t pid, const SignalInfo &info) {
    return send_to([pid](const Entry &e) { return e.pid == pid; }, info);
}

int64_t signal_group(int32_t group, const SignalInfo &info) {
    return send_to([group](const Entry &e) { return e.group == group; }, info);
}

int64_t signal_initial_thread(int32_t pid, const SignalInfo &info) {
    Delivery target{};
    {
        TableGuard guard;
        Entry *e = find(pid);
        if (!e || e->life != Life::running)
            return e ? 0 : -ESRCH; // a zombie's thread takes it and ignores it
        if (info.signo == 0)
            return 0;
        post(*e, info, true);
        target = delivery_to(*e);
    }
    deliver(target, info);
    return 0;
}

bool process_exists(int32_t pid) {
    TableGuard guard;
    return find(pid) != nullptr;
}

int64_t signal_every_process(const SignalInfo &info) {
    return send_to([](const Entry &e) { return e.pid != own_pid; }, info, true);
}

int64_t enter_child(int32_t exit_signal) {
    // The caller's own host id, as it is now: a process restored from an image runs in
    // another host process than the one its entry was made for, and its children are the
    // first to signal it.
    uint64_t host_id = 0;
    abi().process_id_query(&host_id);
    TableGuard guard;
    Entry &self = own();
    self.host_id = host_id;
    for (Entry &e : table->entries) {
        if (e.life != Life::free)
            continue;
        e = Entry{Life::running, table->next_id++, own_pid, self.group,
                  self.session, exit_signal, 0, false, false};
        mailbox_of(e) = Mailbox{};
        card_of(e) = card_of(self); // what the child shows until it changes
        card_of(e).scheduling = scheduling_after_fork(card_of(self).scheduling);
        card_of(e).threads = 1;
        return e.pid;
    }
    return -EAGAIN;
}

void abandon_child(int32_t pid) { free_entry(pid); }

void adopt_child(int32_t pid, bsc_handle handle, uint64_t host_id) {
    {
        TableGuard guard;
        if (Entry *e = find(pid))
            e->host_id = host_id;
    }
    SpinGuard guard(children_lock);
    make_room(children, child_count, child_capacity, 1);
    children[child_count++] = {pid, handle, BSC_PROCESS_RUNNING};
}

void become_child(int32_t pid) {
    own_pid = pid;
    own_mailbox = nullptr; // the parent's until its own is found below
    // The parent's children are not this process's: their handles go.
    for (uint32_t i = 0; i < child_count; i++)
        abi().object_close(children[i].handle);
    child_count = 0;
    uint64_t host_id = 0;
    abi().process_id_query(&host_id);
    {
        TableGuard guard;
        own().host_id = host_id;
        own_mailbox = &mailbox_of(own());
    }
    note_user_ids(); // the forking thread's, which may differ from its process's card
}

int64_t wait_for_child(const WaitRequest &request, WaitResult &result) {
    int64_t own_group = process_group_of(0);
    bsc_handle wakeup = signal_wakeup(); // made before the first look, so no change is missed
    for (;;) {
        collect_process_events();
        ChildList list;
        copy_children(list);
        bool matched = false, reaped_unseen = false;
        bsc_wait_item items[65];
        uint32_t waits = 0;
        for (uint32_t i = 0; i < list.count; i++) {
            Child &child = list.items[i];
            if (!matches(request, child.pid, static_cast<int32_t>(own_group)))
                continue;
            matched = true;
            bsc_process_state state{};
            bsc_status status = abi().process_wait(
                child.handle, request.flags | BSC_PROCESS_WAIT_NO_HANG, &state);
            if (status != BSC_OK || state.kind == BSC_PROCESS_RUNNING) {
                if (status == BSC_OK && waits < 64)
                    items[waits++] = {child.handle, BSC_WAIT_READ, 0};
                continue;
            }
            add_core_dump(child.pid, state);
            if (ended(state.kind) && children_reaped_at_once()) {
                // It leaves no zombie to report (SIGCHLD ignored, SA_NOCLDWAIT), even if
                // it ended before poll_children saw it.
                if (request.flags & BSC_PROCESS_WAIT_NO_REAP)
                    abi().process_wait(child.handle, BSC_PROCESS_WAIT_EXITED, &state);
                forget_child(child.pid);
                free_entry(child.pid);
                reaped_unseen = true;
                continue;
            }
            result = {child.pid, state, identity().user_id};
            if (ended(state.kind) && !(request.flags & BSC_PROCESS_WAIT_NO_REAP)) {
                forget_child(child.pid);
                free_entry(child.pid);
            }
            return 0;
        }
        if (reaped_unseen)
            continue; // look again: that may have been the last child
        if (!matched)
            return -ECHILD;
        if (request.flags & BSC_PROCESS_WAIT_NO_HANG) {
            result = {0, {}, 0};
            return 0;
        }
        if (signal_pending())
            return -kRestartSyscall;
        items[waits++] = {wakeup, BSC_WAIT_READ, 0};
        uint32_t ready;
        abi().objects_wait_any(items, waits, BSC_WAIT_FOREVER, &ready);
    }
}

void note_process_event() { __atomic_store_n(&events_noted, true, __ATOMIC_RELEASE); }

void collect_posted_signals() { drain_mailbox(); }

void collect_process_events() {
    if (!__atomic_load_n(&events_noted, __ATOMIC_ACQUIRE) ||
        !__atomic_exchange_n(&events_noted, false, __ATOMIC_ACQ_REL)) {
        // A signal another process sent is pending from its kill on, as on Linux, not from
        // the interrupt that follows: a process that saw the sender end (wait), or read what
        // it wrote after its kill, must find the signal pending.
        if (mail_waiting())
            drain_mailbox();
        return;
    }
    take_outside_signals();
    take_file_notices();
    drain_mailbox();
    poll_children();
    if (own_pid == kFirstPid)
        adopt_orphans();
}

void note_core_dumped() {
    TableGuard guard;
    own().dumped = true;
}

void exit_process(int32_t status) {
    end_vfork_child();
    report_syscall_sites();
    {
        TableGuard guard;
        own().life = Life::ended;
        for (Entry &e : table->entries)
            if (e.life != Life::free && e.parent == own_pid)
                e.parent = kFirstPid;
    }
    abi().process_exit(status);
    panic("process_exit returned");
}

} // namespace libos
