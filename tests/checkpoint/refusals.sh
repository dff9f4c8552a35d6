# SPDX-License-Identifier: MIT
# Bad input is refused with a clear message and a non-zero status, before anything is
# restored: truncated, corrupted and foreign images, a missing parent, a process that is
# no bascule runtime, a stack without the checkpoint extension, a tree an image cannot hold
# (another user and malformed requests: control_socket.sh), a guest that uses System V
# IPC, a guest that holds a userfaultfd, a guest whose tree mounted a file system, a guest
# that made a namespace.
source "$(dirname "$0")/lib.sh"

# refused EXPECTED-TEXT COMMAND...: the command fails and says EXPECTED-TEXT on stderr.
refused() {
  local expected=$1
  shift
  if "$@" </dev/null >refused.out 2>refused.err; then fail "accepted: $*"; fi
  grep -q -- "$expected" refused.err || fail "'$*' did not say '$expected': $(cat refused.err)"
}

HOLD_AT=2 start_guest run.out -- "$programs/heap_counter" 4 2000 20
wait_for_line run.out "tick 2"
socket=/tmp/bascule-$(id -u)/$guest_pid.sock
[[ $(stat -c %a "$socket") == 600 ]] || fail "the control socket is mode $(stat -c %a "$socket")"
[[ $(stat -c %a "$(dirname "$socket")") == 700 ]] || fail "the socket directory is not 0700"
capture full.img --leave-running
capture child.img --parent full.img

size=$(stat -c %s full.img)
head -c $((size / 2)) full.img >truncated.img
refused "truncated.img" "$snap" restore truncated.img
refused "truncated.img" "$snap" verify truncated.img
cp full.img corrupt.img
# Flip every bit of one byte: writing a fixed value leaves the image whole where the byte
# already had it.
offset=$((size / 3))
byte=$(od -An -tu1 -j "$offset" -N1 full.img)
printf "\\$(printf %o $((255 - byte)))" | dd of=corrupt.img bs=1 seek="$offset" conv=notrunc status=none
cmp -s full.img corrupt.img && fail "corrupt.img is not corrupt"
refused "checksum" "$snap" restore corrupt.img
refused "checksum" "$snap" inspect corrupt.img
refused "not a bascule image" "$snap" restore /bin/true
: >empty.img
refused "empty.img" "$snap" verify empty.img
mv full.img moved.img
refused "full.img" "$snap" restore child.img
mv moved.img full.img

refused "no control socket" "$snap" capture $$ -o never.img
[[ ! -e never.img ]] || fail "a failed capture left an image"
refused "checkpoint extension" "$snap" restore --ext null full.img
HOLD_AT=1 "$bascule" run -- "$programs/heap_counter" 4 2000 20 >plain.out 2>plain.err &
guest_pid=$!
wait_for_line plain.out "tick 1"
refused "no extension in the stack captures" "$snap" capture "$guest_pid" -o plain.img
[[ ! -e plain.img ]] || fail "a refused capture left an image"
kill -9 "$guest_pid"
wait "$guest_pid" 2>/dev/null || true

# A socket two processes of a tree share (a listener forked with its child): refused, and
# the tree runs on.
start_guest shared.out -- /usr/bin/python3 -c '
import os, socket, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
pid = os.fork()
if pid == 0:
    while not os.path.exists("go"):
        time.sleep(0.05)
    os._exit(0)
print("shared", flush=True)
os.waitpid(pid, 0)
print("ran on", flush=True)'
wait_for_line shared.out "shared"
refused "is shared with process" "$snap" capture "$guest_pid" -o shared.img
[[ ! -e shared.img ]] || fail "a refused capture left an image"
touch go
wait_for_line shared.out "ran on" # the refused tree ran on
wait "$guest_pid" || fail "the refused tree ended with status $?"
guest_pid=""
# A guest holding a System V shared memory attachment (the host kernel's object, outside
# any image): refused, and the guest runs on.
start_guest sysv.out -- "$programs/sysv_holder"
wait_for_line sysv.out "attached"
refused "System V IPC" "$snap" capture "$guest_pid" -o sysv.img
[[ ! -e sysv.img ]] || fail "a refused capture left an image"
touch sysv.go
wait_for_line sysv.out "detached"
wait "$guest_pid" || fail "the refused guest ended with status $?"
guest_pid=""
# A guest holding a userfaultfd (the host kernel's ranges, faults and events, outside any
# image): refused, naming it, and the guest runs on. UFFD_USER_MODE_ONLY needs no privilege.
start_guest uffd.out -- /usr/bin/python3 -c '
import ctypes, os, time
fd = ctypes.CDLL(None).syscall(323, os.O_CLOEXEC | 1)  # userfaultfd, UFFD_USER_MODE_ONLY
print("opened" if fd >= 0 else "failed", flush=True)
while not os.path.exists("uffd.go"):
    time.sleep(0.05)
print("ran on", flush=True)'
wait_for_line uffd.out "opened"
refused "is a userfaultfd" "$snap" capture "$guest_pid" -o uffd.img
[[ ! -e uffd.img ]] || fail "a refused capture left an image"
touch uffd.go
wait_for_line uffd.out "ran on"
wait "$guest_pid" || fail "the refused guest ended with status $?"
guest_pid=""
# A file system mounted by a process of the tree that has ended since (mount(8), forked by
# the shell): refused, naming the mount, and the guest runs on. The host's mounts refuse
# nothing: one made while the guest runs (no propagation reaches the runtime's own mount
# namespace), nor one the runtime's namespace copied at its start and lost since, when the
# host unmounted it and removed its mount point (the kernel takes it out of every
# namespace: a native test's temporary mount did that in CI). Mounting takes root.
# go FIFO: lets a guest blocked reading FIFO (`read go <FIFO`, no process forked while it
# waits) go on.
go() { timeout -s KILL 60 /bin/sh -c "echo go >$1" || fail "no guest read $1 within 60 s"; }
if (( $(id -u) == 0 )); then
  mkdir guest-mount host-before host-during
  mkfifo mount.fifo outside.fifo
  start_guest mount.out -- /bin/sh -c \
    'mount -t tmpfs none guest-mount && echo mounted; read go <mount.fifo; echo ran on'
  wait_for_line mount.out "mounted"
  refused "tmpfs on $work/guest-mount mounted" \
    timeout -s KILL 120 "$snap" capture "$guest_pid" -o mount.img
  [[ ! -e mount.img ]] || fail "a refused capture left an image"
  go mount.fifo
  wait_for_line mount.out "ran on"
  guest_ends
  mount -t tmpfs none host-before
  start_guest outside.out -- /bin/sh -c 'echo started; read go <outside.fifo; echo ran on'
  wait_for_line outside.out "started"
  umount host-before
  rmdir host-before
  mount -t tmpfs none host-during
  status=0
  timeout -s KILL 120 "$snap" capture "$guest_pid" -o outside.img --leave-running \
    2>outside.err || status=$?
  umount host-during
  (( status == 0 )) || fail "the host's mounts refused the guest's capture (status $status)"
  go outside.fifo
  guest_ends
  # A guest that made a namespace of its own (unshare(1), then the program it runs): the
  # host kernel's, refused naming its kind, and the guest runs on.
  mkfifo ns.fifo
  start_guest ns.out -- /usr/bin/unshare --uts /bin/sh -c 'echo made; read go <ns.fifo; echo ran on'
  wait_for_line ns.out "made"
  refused "made or entered a namespace (unshare(2), setns(2), clone's CLONE_NEW\*: uts)" \
    timeout -s KILL 120 "$snap" capture "$guest_pid" -o ns.img
  [[ ! -e ns.img ]] || fail "a refused capture left an image"
  go ns.fifo
  wait_for_line ns.out "ran on"
  guest_ends
fi
echo "refusals: every bad input refused with a message"
