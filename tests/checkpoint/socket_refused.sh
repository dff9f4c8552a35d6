# SPDX-License-Identifier: MIT
# A guest that holds a socket cannot be captured yet: the capture fails with a message
# naming the socket, leaves no image, and the guest runs on to its end.
source "$(dirname "$0")/lib.sh"

start_guest run.out -- /usr/bin/python3 -c '
import os, socket, time
a, b = socket.socketpair()
print("holding", flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
a.send(b"still here")
print(b.recv(100).decode(), flush=True)'
wait_for_line run.out "holding"
if "$snap" capture "$guest_pid" -o sock.img 2>capture.err; then fail "a socket was captured"; fi
grep -q "is a socket" capture.err || fail "the refusal does not name the socket: $(cat capture.err)"
[[ ! -e sock.img ]] || fail "a refused capture left an image"
touch go
wait "$guest_pid" || fail "the guest did not end well after the refusal"
guest_pid=""
grep -q "still here" run.out || fail "the guest's socket broke: $(cat run.out)"
echo "socket_refused: a capture of a guest holding a socket is refused with a message"
