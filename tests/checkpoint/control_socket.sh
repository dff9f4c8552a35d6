# SPDX-License-Identifier: MIT
# The control socket refuses what it cannot serve with a message that says why: a user who
# may not capture the guest (neither its owner nor root) and malformed requests; the
# runtime then still serves a well-formed one. A runtime that starts removes the sockets
# that killed runtimes left, and only theirs.
source "$(dirname "$0")/lib.sh"

sockets=/tmp/bascule-$(id -u)
mkdir -p -m 700 "$sockets"
true &
dead=$!
wait "$dead"
sleep 30 &
alive=$! # no runtime: its socket is someone else's business
touch "$sockets/$dead.sock" "$sockets/$dead.sock.new" "$sockets/$alive.sock" "$sockets/$dead.notes"
HOLD_AT=1 start_guest run.out -- "$programs/heap_counter" 4 3 20
wait_for_line run.out "tick 1"
[[ ! -e $sockets/$dead.sock && ! -e $sockets/$dead.sock.new ]] ||
  fail "the sockets of a process that is gone are still there: $(ls "$sockets" | grep "^$dead")"
[[ -e $sockets/$alive.sock && -e $sockets/$dead.notes ]] ||
  fail "a socket of a live process, or a file that is no socket's, was removed"
rm "$sockets/$alive.sock" "$sockets/$dead.notes"
kill "$alive"

if [[ $(id -u) == 0 ]]; then
  status=0
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$snap" capture "$guest_pid" -o /tmp/never.img 2>other.err || status=$?
  [[ $status -eq 1 ]] || fail "a capture by uid 65534 ended with status $status"
  grep -qF "bascule-snap: process $guest_pid belongs to another user (uid 0): only its owner or root may capture it" other.err ||
    fail "a capture by uid 65534 said: $(cat other.err)"
  [[ ! -e /tmp/never.img ]] || fail "a refused capture left an image"
else
  echo "control_socket: not root, the other-user case is not run"
fi

# ask HEADER-AND-BODY-AS-PYTHON-BYTES: sends one raw frame, prints the raw reply.
ask() {
  python3 - "/tmp/bascule-$(id -u)/$guest_pid.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(eval(sys.argv[2]))
s.shutdown(socket.SHUT_WR)
reply = b""
while chunk := s.recv(4096):
    reply += chunk
sys.stdout.write(reply.decode("latin-1"))
PY
}
# frame_refused FRAME REASON: a frame (Python bytes) gets a reply saying "malformed
# request: REASON...". A frame is its length and protocol version (little-endian u32s),
# then the record: a byte-order mark 1 and the request, whose first field picks its kind.
frame_refused() {
  ask "$1" >frame.reply
  grep -qF "malformed request: $2" frame.reply || fail "frame $1 got: $(cat frame.reply)"
}
le() { echo "($1).to_bytes($2, 'little')"; }
protocol=2 # core/runtime/control_messages.h
frame_refused "$(le 5 4) + $(le $protocol 4) + bytes([1, 9, 0, 0, 0])" "Invalid 'index' selector"
frame_refused "$(le 0 4) + $(le 99 4)" "control protocol 99; this runtime speaks $protocol"
frame_refused "$(le '1 << 30' 4) + $(le $protocol 4)" "a frame of 1073741824 bytes"
frame_refused "$(le 64 4) + $(le $protocol 4) + bytes([1, 0, 0, 0, 0])" "a frame cut after 5 of 64 bytes"
frame_refused "$(le 13 4) + $(le $protocol 4) + bytes([1, 0, 0, 0, 0]) + $(le '1 << 40' 8)" \
  "a stored length of 1099511627776"

capture whole.img
echo "control_socket: another user and malformed requests refused, then a capture served"
