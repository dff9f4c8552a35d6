// SPDX-License-Identifier: MIT
// The calls the checkpoint extension interposes on: everything that makes, changes or
// ends a memory region, a handle or a thread is recorded, and every handle argument is
// translated to the handle below (the identity until a restore renumbers them).
#include <linux/loop.h>

#include <cstddef>
#include <cstring>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <vector>

#include "call_roles.h"
#include "guest_memory.h"
#include "lazy_fill.h"
#include "tracked_state.h"

namespace bsc::checkpoint {
namespace {

namespace snap = snapshot;

constexpr uint64_t kPage = 4096;
constexpr uint32_t kPlacementFlags = BSC_MAP_FIXED | BSC_MAP_FIXED_NOREPLACE;

TrackedState &state() { return tracked(); }
const bsc_downcalls &below() { return *tracked().below; }
bsc_handle real(bsc_handle above) { return tracked().handles.below(above); }
uint64_t page_up(uint64_t size) { return (size + kPage - 1) & ~(kPage - 1); }

// A change of the memory layout waits for a copy of the memory made while the guest runs.
std::shared_lock<std::shared_mutex> layout_change() {
    return std::shared_lock(state().layout_mutex);
}

void add_region(Region region) {
    std::lock_guard lock(state().region_mutex);
    state().regions.insert(std::move(region));
}

// The layers above get the number the registry gives the handle the call wrote at `out`.
bsc_status publish_at(bsc_handle *out, HandleEntry entry) {
    bsc_handle handle;
    if (read_guest(out, handle) != BSC_OK)
        return BSC_E_FAULT;
    entry.below = handle;
    return write_guest(out, state().handles.publish(std::move(entry)));
}

// ---- memory ----

bsc_status vm_alloc(uint64_t *addr, uint64_t size, uint32_t prot, uint32_t flags) {
    // A capture could not read a region whose pages are still to be filled (README.md).
    if (flags & BSC_MAP_FILL)
        return BSC_E_NOT_SUPPORTED;
    auto layout = layout_change();
    bsc_status status = below().vm_alloc(addr, size, prot, flags);
    uint64_t at;
    if (status == BSC_OK && read_guest(addr, at) == BSC_OK)
        add_region({.address = at, .size = page_up(size), .protection = prot,
                    .flags = flags & ~kPlacementFlags, .origin = RegionOrigin::anonymous,
                    .uri = {}, .stream_offset = 0, .ever_accessible = false,
                    .share_id = flags & BSC_MAP_SHARED ? new_shared_id() : 0});
    return status;
}

// After a successful vm_free or stream_unmap, the range is no region any more.
bsc_status forget_range(bsc_status status, uint64_t addr, uint64_t size) {
    if (status == BSC_OK) {
        std::lock_guard lock(state().region_mutex);
        state().regions.erase(addr, page_up(size));
    }
    return status;
}

bsc_status vm_free(uint64_t addr, uint64_t size) {
    auto layout = layout_change();
    return forget_range(below().vm_free(addr, size), addr, size);
}

bsc_status vm_protect(uint64_t addr, uint64_t size, uint32_t prot) {
    auto layout = layout_change();
    bsc_status status = below().vm_protect(addr, size, prot);
    if (status == BSC_OK) {
        std::lock_guard lock(state().region_mutex);
        state().regions.protect(addr, page_up(size), prot);
    }
    return status;
}

bsc_status stream_map(bsc_handle handle, uint64_t *addr, uint64_t offset, uint64_t size,
                      uint32_t prot, uint32_t flags) {
    auto layout = layout_change();
    bsc_status status = below().stream_map(real(handle), addr, offset, size, prot, flags);
    uint64_t at;
    if (status != BSC_OK || read_guest(addr, at) != BSC_OK)
        return status;
    auto stream = state().handles.find(handle);
    add_region({.address = at, .size = page_up(size), .protection = prot,
                .flags = flags & ~kPlacementFlags,
                .origin = flags & BSC_MAP_SHARED ? RegionOrigin::stream_shared
                                                 : RegionOrigin::stream_private,
                .uri = stream ? stream_uri(*stream) : std::string(),
                .stream_offset = offset, .ever_accessible = false});
    return status;
}

bsc_status stream_unmap(uint64_t addr, uint64_t size) {
    auto layout = layout_change();
    return forget_range(below().stream_unmap(addr, size), addr, size);
}

// ---- handles ----

// The URI to pass below: after a restore, another process's /proc directory is named by
// its host id, not by the id the guest knows (process_ids.h). Calls `call` with it;
// `text` is the guest's URI, read once here.
template <class Call> bsc_status with_uri_below(const char *uri, std::string &text, Call call) {
    read_guest_string(uri, text);
    auto host = state().process_ids.proc_uri_below(text);
    return call(host ? host->c_str() : uri);
}

template <class Call> bsc_status with_uri_below(const char *uri, Call call) {
    if (!state().process_ids.translates())
        return call(uri);
    std::string text;
    return with_uri_below(uri, text, call);
}

bsc_status stream_open(const char *uri, uint32_t access, uint32_t mode, uint32_t create,
                       uint32_t options, bsc_handle *handle) {
    // A file until a capture finds it is a directory (or a socket, which it refuses).
    snap::HandleRecord stream{.kind = snap::HandleKind::file, .access = access, .mode = mode,
                              .create = create, .options = options};
    bsc_status status = with_uri_below(uri, stream.uri, [&](const char *below_uri) {
        return below().stream_open(below_uri, access, mode, create, options, handle);
    });
    return status == BSC_OK ? publish_at(handle, {.object = std::move(stream)}) : status;
}

bsc_status stream_attributes_query(const char *uri, uint32_t flags,
                                   bsc_stream_attributes *attributes) {
    return with_uri_below(uri, [&](const char *below_uri) {
        return below().stream_attributes_query(below_uri, flags, attributes);
    });
}

bsc_status stream_read_link(const char *uri, char *buffer, uint64_t size, uint64_t *length) {
    return with_uri_below(uri, [&](const char *below_uri) {
        return below().stream_read_link(below_uri, buffer, size, length);
    });
}

bsc_status stream_file_handle_query(const char *uri, uint32_t flags, bsc_file_handle *handle) {
    return with_uri_below(uri, [&](const char *below_uri) {
        return below().stream_file_handle_query(below_uri, flags, handle);
    });
}

// A stream opened by a file handle has no URI a restore could open it again by (its
// handle may no longer decode): a capture refuses a guest that holds one, as it refuses
// a message queue.
bsc_status stream_open_by_file_handle(bsc_handle mount, const char *mount_uri,
                                      const bsc_file_handle *handle, uint32_t access,
                                      uint32_t options, bsc_handle *stream) {
    bsc_handle below_mount = mount == BSC_NO_HANDLE ? mount : real(mount);
    bsc_status status = with_uri_below(mount_uri, [&](const char *below_uri) {
        return below().stream_open_by_file_handle(below_mount, below_uri, handle, access,
                                                  options, stream);
    });
    if (status != BSC_OK)
        return status;
    return publish_at(stream, {.object = UncapturedHandle{"file-handle:"}});
}

// A POSIX message queue is the host kernel's, with its messages and its notification: a
// capture refuses a guest that holds one (capture.cpp), as it refuses System V objects.
bsc_status mqueue_open(const char *name, uint32_t access, uint32_t mode, uint32_t create,
                       const bsc_mqueue_attributes *attributes, bsc_handle *handle) {
    bsc_status status = below().mqueue_open(name, access, mode, create, attributes, handle);
    if (status != BSC_OK)
        return status;
    std::string text;
    read_guest_string(name, text);
    return publish_at(handle, {.object = UncapturedHandle{"mqueue:" + text}});
}

bsc_status stream_open_pair(const char *uri, uint32_t options, bsc_handle *ends) {
    bsc_status status = below().stream_open_pair(uri, options, ends);
    if (status != BSC_OK)
        return status;
    std::string text;
    read_guest_string(uri, text);
    bool pipe = std::string_view(text).starts_with("pipe:");
    bsc_handle numbers[2];
    for (int end = 0; end < 2; end++) {
        TrackedObject object = UncapturedHandle{text};
        if (pipe)
            object = snap::HandleRecord{.kind = end == 0 ? snap::HandleKind::pipe_read
                                                         : snap::HandleKind::pipe_write,
                                        .uri = text, .options = options};
        if (bsc_status s = publish_at(&ends[end], {.object = std::move(object)}))
            return s;
        read_guest(&ends[end], numbers[end]);
    }
    state().handles.set_partner(numbers[0], numbers[1]);
    state().handles.set_partner(numbers[1], numbers[0]);
    return BSC_OK;
}

// A connection accepted from a socket (of a URI scheme's server or of socket_listen).
bsc_status stream_accept(bsc_handle server, uint32_t options, bsc_handle *client) {
    bsc_status status = below().stream_accept(real(server), options, client);
    return status == BSC_OK ? publish_at(client, {.object = snap::SocketRecord{
                                                      .state = snap::SocketState::connected,
                                                      .options = options}})
                            : status;
}

// Sockets: the host is asked at capture time what each is (socket_hooks.cpp); the
// registry keeps what it cannot be asked (the backlog, a shutdown, whether it was
// connected: SocketState::connected from the connect or the pair that made it so).
bsc_status socket_create(uint32_t domain, uint32_t type, uint32_t options, bsc_handle *handle) {
    bsc_status status = below().socket_create(domain, type, options, handle);
    return status == BSC_OK ? publish_at(handle, {.object = snap::SocketRecord{.options = options}})
                            : status;
}

bsc_status socket_create_pair(uint32_t domain, uint32_t type, uint32_t options,
                              bsc_handle *ends) {
    bsc_status status = below().socket_create_pair(domain, type, options, ends);
    bsc_handle numbers[2] = {BSC_NO_HANDLE, BSC_NO_HANDLE};
    for (int end = 0; end < 2 && status == BSC_OK; end++) {
        status = publish_at(&ends[end], {.object = snap::SocketRecord{
                                             .state = snap::SocketState::connected,
                                             .options = options}});
        if (status == BSC_OK)
            status = read_guest(&ends[end], numbers[end]);
    }
    if (status == BSC_OK) {
        state().handles.set_partner(numbers[0], numbers[1]);
        state().handles.set_partner(numbers[1], numbers[0]);
    }
    return status;
}

bsc_status socket_listen(bsc_handle handle, uint32_t backlog) {
    bsc_status status = below().socket_listen(real(handle), backlog);
    if (status == BSC_OK)
        state().handles.update<snap::SocketRecord>(handle, [&](auto &socket) {
            socket.backlog = backlog;
        });
    return status;
}

bsc_status socket_connect(bsc_handle handle, const bsc_socket_address *address) {
    bsc_status status = below().socket_connect(real(handle), address);
    if (status == BSC_OK)
        state().handles.update<snap::SocketRecord>(handle, [](auto &socket) {
            socket.state = snap::SocketState::connected;
        });
    return status;
}

bsc_status socket_shutdown(bsc_handle handle, uint32_t how) {
    bsc_status status = below().socket_shutdown(real(handle), how);
    if (status == BSC_OK)
        state().handles.update<snap::SocketRecord>(handle, [&](auto &socket) {
            socket.shutdown |= how;
        });
    return status;
}

// The handles a message passes are translated below; those it brings are published. The
// guest's own message goes below unless a number stands for another handle there (after a
// restore): a layer below that records where its results were written (record) must see
// the guest's memory, not this layer's stack, whose addresses another run does not share.
bsc_status socket_send(bsc_handle handle, bsc_socket_message *message, uint32_t flags) {
    bsc_socket_message local;
    if (read_guest(message, local) != BSC_OK)
        return BSC_E_FAULT;
    std::vector<bsc_handle> passed(local.handle_count);
    if (local.handle_count &&
        copy_from_guest(passed.data(), reinterpret_cast<const void *>(local.handles),
                        passed.size() * sizeof(bsc_handle)) != BSC_OK)
        return BSC_E_FAULT;
    bool renumbered = false;
    for (auto &number : passed) {
        bsc_handle below_number = real(number);
        renumbered |= below_number != number;
        number = below_number;
    }
    if (!renumbered)
        return below().socket_send(real(handle), message, flags);
    local.handles = reinterpret_cast<uint64_t>(passed.data());
    bsc_status status = below().socket_send(real(handle), &local, flags);
    if (status == BSC_OK)
        status = write_guest(&message->done, local.done);
    return status;
}

bsc_status socket_receive(bsc_handle handle, bsc_socket_message *message, uint32_t flags) {
    bsc_status status = below().socket_receive(real(handle), message, flags);
    bsc_socket_message local;
    if (status != BSC_OK || read_guest(message, local) != BSC_OK)
        return status;
    auto *handles = reinterpret_cast<bsc_handle *>(local.handles);
    for (uint32_t i = 0; i < local.handle_count && status == BSC_OK; i++)
        status = publish_at(&handles[i], {.object = UncapturedHandle{"received:"}});
    return status;
}

bsc_status event_create(uint32_t flags, bsc_handle *event) {
    bsc_status status = below().event_create(flags, event);
    return status == BSC_OK ? publish_at(event, {.object = snap::EventRecord{.flags = flags}})
                            : status;
}

bsc_status object_close(bsc_handle handle) {
    bsc_status status = below().object_close(real(handle));
    if (status == BSC_OK)
        state().handles.remove(handle);
    return status;
}

// Calls whose only handle is their first argument.
template <auto Slot, class Fn> struct FirstHandle;
template <auto Slot, class... Rest> struct FirstHandle<Slot, bsc_status (*)(bsc_handle, Rest...)> {
    static bsc_status call(bsc_handle handle, Rest... rest) {
        return (below().*Slot)(real(handle), rest...);
    }
};

// Interposes on downcall `Slot` if its roles say that its only handle is its first
// parameter: such a call needs nothing but the translation.
template <auto Slot, roles::Slot Name> void translate_first_handle(bsc_downcalls &above) {
    if constexpr (roles::takes_only_first_handle(roles::of(Name)))
        above.*Slot = FirstHandle<Slot, std::remove_reference_t<decltype(above.*Slot)>>::call;
}

// A System V IPC call: the objects are the host kernel's, outside the guest, so once the
// guest has used one (made, attached, operated on) a capture is refused (capture.cpp),
// never an image without them. A child of fork inherits the mark with the state.
template <auto Slot, class Fn> struct IpcCall;
template <auto Slot, class... Args> struct IpcCall<Slot, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        bsc_status status = (below().*Slot)(args...);
        if (status == BSC_OK)
            state().sysv_ipc_used = true;
        return status;
    }
};
template <auto Slot> void mark_ipc(bsc_downcalls &above) {
    above.*Slot = IpcCall<Slot, std::remove_reference_t<decltype(above.*Slot)>>::call;
}

bsc_status objects_wait_any(bsc_wait_item *items, uint32_t count, int64_t timeout_ns,
                            uint32_t *ready) {
    std::vector<bsc_wait_item> local(count);
    if (count && copy_from_guest(local.data(), items, count * sizeof *items) != BSC_OK)
        return BSC_E_FAULT;
    for (auto &item : local)
        item.handle = real(item.handle);
    bsc_status status = below().objects_wait_any(local.data(), count, timeout_ns, ready);
    for (uint32_t i = 0; i < count; i++) // give back the ready bits, keep the numbers
        if (write_guest(&items[i].ready, local[i].ready) != BSC_OK)
            return BSC_E_FAULT;
    return status;
}

// A device request may name a stream inside its data (LOOP_SET_FD's backing file): the
// host's handle goes down in a copy. A request that binds or makes a loop device marks
// the guest as one an image cannot hold.
bsc_status device_request(bsc_handle handle, void *data, uint64_t size) {
    std::vector<unsigned char> local(size);
    bsc_device_request header;
    if (size < sizeof header || copy_from_guest(local.data(), data, size) != BSC_OK)
        return below().stream_control(real(handle), BSC_CONTROL_DEVICE_REQUEST, data, size);
    std::memcpy(&header, local.data(), sizeof header);
    if (header.handle != BSC_NO_HANDLE)
        header.handle = real(header.handle);
    std::memcpy(local.data(), &header, sizeof header);
    bsc_status status =
        below().stream_control(real(handle), BSC_CONTROL_DEVICE_REQUEST, local.data(), size);
    // An IN_OUT argument (a userfault stream's) comes back whatever the status.
    bsc_device_shape shape{};
    bool in_out = bsc_device_shape_of(header.request, &shape) && shape.kind == BSC_DEVICE_IN_OUT;
    if (status != BSC_OK && !in_out)
        return status;
    // The ABI's requests are numbered as Linux's.
    bool sets_up = header.request == LOOP_SET_FD || header.request == LOOP_CONFIGURE ||
                   header.request == LOOP_CHANGE_FD || header.request == LOOP_CTL_ADD;
    if (sets_up)
        state().devices_set_up = true;
    // Give back what the host wrote (the result, an OUT argument), the guest's handle kept.
    constexpr size_t kFrom = offsetof(bsc_device_request, result);
    bsc_status given = copy_to_guest(static_cast<char *>(data) + kFrom, local.data() + kFrom,
                                     size - kFrom);
    return status != BSC_OK ? status : given;
}

bsc_status stream_control(bsc_handle handle, uint32_t command, void *data, uint64_t size) {
    if (command == BSC_CONTROL_DEVICE_REQUEST)
        return device_request(handle, data, size);
    // A restore opened the file again without creating it: the host's answer would be 0
    // whatever a first open that could create (BSC_CREATE_TRY, _ALWAYS) did.
    if (command == BSC_CONTROL_CREATED)
        if (auto entry = tracked().handles.find(handle); entry && entry->restored)
            if (auto *record = std::get_if<snap::HandleRecord>(&entry->object);
                !record || record->create != BSC_CREATE_NEVER)
                return BSC_E_NOT_SUPPORTED;
    return below().stream_control(real(handle), command, data, size);
}

bsc_status stream_mount(const char *source, const char *target, const char *type,
                        uint64_t flags, const char *options) {
    bsc_status status = below().stream_mount(source, target, type, flags, options);
    if (status == BSC_OK)
        state().mounted = true;
    return status;
}

// The new mount API: a file-system context and a detached mount are the host kernel's
// (a context's parameters, a mount's tree), which an image cannot hold: a capture refuses
// a guest that holds one (capture.cpp), and one that attached or changed a mount.
bsc_status mount_open(bsc_handle at, const char *uri, uint32_t kind, uint32_t flags,
                      bsc_handle *handle) {
    bsc_status status = below().mount_open(real(at), uri, kind, flags, handle);
    if (status != BSC_OK)
        return status;
    return publish_at(handle, {.object = UncapturedHandle{kind == BSC_MOUNT_OPEN_TREE
                                                              ? "mount:open_tree"
                                                              : "mount:context"}});
}

// A guest's userfaultfd (ABI 1.25) is the host kernel's: its registered ranges, pending
// faults and queued events cannot go into an image, so a capture refuses a guest that
// holds one (capture.cpp). Its records name threads and new streams by the handles of
// the layer below, which this layer does not renumber (a documented limit: README.md).
bsc_status userfault_open(bsc_handle device, uint32_t flags, uint32_t options,
                          bsc_handle *handle) {
    bsc_status status = below().userfault_open(real(device), flags, options, handle);
    if (status != BSC_OK)
        return status;
    return publish_at(handle, {.object = UncapturedHandle{"userfault:"}});
}

bsc_status mount_configure(bsc_handle context, uint32_t command, const char *key,
                           const void *value, uint64_t size, bsc_handle file) {
    return below().mount_configure(real(context), command, key, value, size, real(file));
}

bsc_status mount_attach(bsc_handle context, uint32_t flags, uint32_t attributes,
                        bsc_handle *mount) {
    bsc_status status = below().mount_attach(real(context), flags, attributes, mount);
    if (status != BSC_OK)
        return status;
    return publish_at(mount, {.object = UncapturedHandle{"mount:fsmount"}});
}

bsc_status mount_move(bsc_handle from, const char *from_uri, bsc_handle to, const char *to_uri,
                      uint32_t flags) {
    bsc_status status = below().mount_move(real(from), from_uri, real(to), to_uri, flags);
    if (status == BSC_OK)
        state().mounted = true;
    return status;
}

bsc_status mount_attributes_set(bsc_handle at, const char *uri, uint32_t flags,
                                const bsc_mount_attributes *attributes) {
    bsc_status status = below().mount_attributes_set(real(at), uri, flags, attributes);
    if (status == BSC_OK)
        state().mounted = true;
    return status;
}

bsc_status stream_unmount(const char *target, uint32_t flags) {
    bsc_status status = below().stream_unmount(target, flags);
    if (status == BSC_OK)
        state().mounted = true;
    return status;
}

// Namespaces (1.25) are the host kernel's, shared with whatever else is in them: a capture
// refuses a guest that made or entered one (capture.cpp), naming the kinds.
bsc_status namespace_unshare(uint32_t kinds) {
    bsc_status status = below().namespace_unshare(kinds);
    if (status == BSC_OK)
        state().namespaces |= kinds;
    return status;
}

bsc_status namespace_enter(bsc_handle from, uint32_t kinds) {
    bsc_status status = below().namespace_enter(real(from), kinds);
    if (status == BSC_OK)
        state().namespaces |= kinds;
    return status;
}

bsc_status process_create(const char *const *argv, const bsc_handle *inherit, uint32_t count,
                          bsc_handle *process) {
    std::vector<bsc_handle> local(count);
    if (count && copy_from_guest(local.data(), inherit, count * sizeof *inherit) != BSC_OK)
        return BSC_E_FAULT;
    for (auto &handle : local)
        handle = real(handle);
    bsc_status status = below().process_create(argv, local.data(), count, process);
    // Its id is not known (0): a capture refuses it.
    return status == BSC_OK ? publish_at(process, {.object = snap::ProcessRecord{}}) : status;
}

// process_fork returns twice: in the parent with the child's handle, in the child with
// none, where the calling thread is the only one left. The state is held still across
// the copy.
// A child of a guest restored lazily gets a copy of its memory, without the filling: the
// fork waits until every page is in.
bsc_status process_fork(bsc_handle *child, uint64_t *child_id) {
    wait_for_lazy_fill();
    bsc_status status;
    {
        std::scoped_lock whole(state().freezer.mutex(), state().handles.mutex(),
                               state().region_mutex);
        status = below().process_fork(child, child_id);
    }
    bsc_handle handle;
    uint64_t host_id;
    if (status != BSC_OK || read_guest(child, handle) != BSC_OK)
        return status;
    if (handle == BSC_NO_HANDLE) {
        state().freezer.keep_only(current_tcb());
        state().handles.disown_children();
        return BSC_OK;
    }
    if (read_guest(child_id, host_id) != BSC_OK)
        return BSC_E_FAULT;
    uint64_t id = state().process_ids.above(host_id);
    if (bsc_status s = write_guest(child_id, id))
        return s;
    return publish_at(child, {.object = snap::ProcessRecord{.process_id = id}});
}

bsc_status process_open(uint64_t id, bsc_handle *process) {
    bsc_status status = below().process_open(id ? state().process_ids.below(id) : 0, process);
    return status == BSC_OK
               ? publish_at(process, {.object = snap::ProcessRecord{
                                          .process_id = id,
                                          .relation = snap::ProcessRelation::opened}})
               : status;
}

// The program a process runs now, for its image: a process forked by the guest runs its
// parent's until it execs another.
bsc_status process_exec(const char *path, const char *const *argv) {
    constexpr size_t kMaxArguments = 4096;
    std::vector<std::string> program;
    for (size_t i = 0; i < kMaxArguments; i++) {
        uint64_t at = 0;
        if (read_guest(reinterpret_cast<const uint64_t *>(argv) + i, at) != BSC_OK || at == 0)
            break;
        read_guest_string(reinterpret_cast<const char *>(at), program.emplace_back());
    }
    {
        std::lock_guard lock(state().program_mutex);
        state().program = std::move(program);
    }
    return below().process_exec(path, argv);
}

bsc_status process_id_query(uint64_t *id) {
    uint64_t host_id = 0;
    bsc_status status = below().process_id_query(&host_id);
    return status == BSC_OK ? write_guest(id, state().process_ids.above(host_id)) : status;
}

// ---- threads ----

bsc_status thread_create(const bsc_thread_start *start, bsc_handle *thread) {
    bsc_thread_start local;
    if (read_guest(start, local) != BSC_OK)
        return BSC_E_FAULT;
    // The thread_start upcall finds the thread by its TCB, the argument it passes below.
    state().freezer.add({.tcb = local.tcb, .clear_on_exit = local.clear_on_exit,
                         .argument = local.argument, .stack_top = local.stack_top});
    local.argument = local.tcb;
    bsc_status status = below().thread_create(&local, thread);
    if (status == BSC_OK)
        status = publish_at(thread, {.object = ThreadHandle{}});
    bsc_handle number = BSC_NO_HANDLE;
    if (status == BSC_OK && read_guest(thread, number) == BSC_OK)
        state().freezer.set_handle(local.tcb, number);
    else
        state().freezer.remove(local.tcb);
    return status;
}

bsc_status thread_exit() {
    state().freezer.exit(current_tcb());
    return below().thread_exit();
}

// ---- upcalls ----

// Records what the host made before the guest started: stdio and the initial thread.
void start(const bsc_downcalls *abi, const bsc_start_info *info) {
    bsc_start_info copy;
    if (read_guest(info, copy) == BSC_OK) {
        for (int slot = 0; slot < 3; slot++) {
            if (copy.stdio[slot] == BSC_NO_HANDLE)
                continue;
            state().handles.adopt(copy.stdio[slot],
                                  {.below = copy.stdio[slot],
                                   .object = snap::HandleRecord{.kind = snap::HandleKind::stdio,
                                                                .stdio_slot = slot}});
        }
        state().handles.adopt(copy.thread, {.below = copy.thread, .object = ThreadHandle{}});
        state().freezer.add({.handle = copy.thread, .tcb = current_tcb()});
    }
    state().started = true;
    state().upcalls_above->start(abi, info);
}

// Every thread_start below carries the TCB: see thread_create, and restore.
void thread_start(uint64_t tcb) {
    auto thread = state().freezer.find(tcb);
    if (!thread)
        return state().upcalls_above->thread_start(tcb);
    if (thread->restored) {
        state().freezer.mark_resumed(tcb);
        if (thread->park == ParkPoint::exception)
            return state().upcalls_above->exception(reinterpret_cast<bsc_exception *>(thread->record));
        if (thread->park == ParkPoint::exiting)
            thread_exit();
    }
    state().freezer.park_before_start(tcb);
    state().upcalls_above->thread_start(thread->argument);
}

void exception(bsc_exception *record) {
    state().freezer.park_in_exception(current_tcb(), reinterpret_cast<uint64_t>(record));
    state().upcalls_above->exception(record);
}

} // namespace

void interpose(const bsc_extension_context &context) {
    bsc_downcalls &above = *context.above;
#define CHECKPOINT_FIRST_HANDLE(family, name, params)                                        \
    translate_first_handle<&bsc_downcalls::name, roles::Slot::name>(above);
    BSC_DOWNCALLS(CHECKPOINT_FIRST_HANDLE)
#undef CHECKPOINT_FIRST_HANDLE
    // The calls that make, close or pass handles, or track memory and threads.
    above.vm_alloc = vm_alloc;
    above.vm_free = vm_free;
    above.vm_protect = vm_protect;
    above.stream_map = stream_map;
    above.stream_unmap = stream_unmap;
    above.stream_open = stream_open;
    above.stream_file_handle_query = stream_file_handle_query;
    above.stream_open_by_file_handle = stream_open_by_file_handle;
    above.stream_attributes_query = stream_attributes_query;
    above.stream_read_link = stream_read_link;
    above.stream_open_pair = stream_open_pair;
    above.stream_accept = stream_accept;
    above.socket_create = socket_create;
    above.socket_create_pair = socket_create_pair;
    above.socket_listen = socket_listen;
    above.socket_connect = socket_connect;
    above.socket_shutdown = socket_shutdown;
    above.socket_send = socket_send;
    above.socket_receive = socket_receive;
    above.object_close = object_close;
    above.objects_wait_any = objects_wait_any;
    above.event_create = event_create;
    above.thread_create = thread_create;
    above.thread_exit = thread_exit;
    above.process_create = process_create;
    above.process_fork = process_fork;
    above.process_open = process_open;
    above.process_id_query = process_id_query;
    above.process_exec = process_exec;
    mark_ipc<&bsc_downcalls::ipc_get>(above);
    mark_ipc<&bsc_downcalls::ipc_control>(above);
    mark_ipc<&bsc_downcalls::ipc_shared_memory_attach>(above);
    mark_ipc<&bsc_downcalls::ipc_semaphore_operate>(above);
    mark_ipc<&bsc_downcalls::ipc_message_send>(above);
    mark_ipc<&bsc_downcalls::ipc_message_receive>(above);
    above.stream_control = stream_control;
    above.mqueue_open = mqueue_open;
    above.stream_mount = stream_mount;
    above.stream_unmount = stream_unmount;
    above.mount_open = mount_open;
    above.mount_configure = mount_configure;
    above.mount_attach = mount_attach;
    above.mount_move = mount_move;
    above.mount_attributes_set = mount_attributes_set;
    above.userfault_open = userfault_open;
    above.namespace_unshare = namespace_unshare;
    above.namespace_enter = namespace_enter;
    context.upcalls_below->start = start;
    context.upcalls_below->thread_start = thread_start;
    context.upcalls_below->exception = exception;
}

} // namespace bsc::checkpoint
