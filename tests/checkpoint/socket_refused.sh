# SPDX-License-Identifier: MIT
# Sockets an image cannot hold yet refuse a capture with a message naming the socket,
# leave no image, and the guest runs on to its end: a Unix connection made by connect
# and accept inside the guest (the host does not say which ends belong together), a
# connection waiting in a listener's queue, and a datagram waiting to be read.
source "$(dirname "$0")/lib.sh"

# refused NAME MESSAGE PYTHON_SETUP: a guest that sets up with PYTHON_SETUP, is refused
# with MESSAGE, and then still uses what it set up (the variable `check`, a function).
refused() {
  rm -f go
  start_guest "$1.out" -- /usr/bin/python3 -c "
import os, socket, time
$3
print('holding', flush=True)
while not os.path.exists('go'):
    time.sleep(0.05)
print(check(), flush=True)"
  wait_for_line "$1.out" "holding"
  if "$snap" capture "$guest_pid" -o "$1.img" 2>"$1.capture.err"; then fail "$1: captured"; fi
  grep -q "$2" "$1.capture.err" || fail "$1: the refusal does not say '$2': $(cat "$1.capture.err")"
  [[ ! -e $1.img ]] || fail "$1: a refused capture left an image"
  touch go
  wait "$guest_pid" || fail "$1: the guest did not end well after the refusal"
  guest_pid=""
  grep -q "still here" "$1.out" || fail "$1: the guest's socket broke: $(cat "$1.out")"
}

refused unix_accepted "by connect and accept inside the guest" '
listener = socket.socket(socket.AF_UNIX)
listener.bind("guest.sock"); listener.listen()
client = socket.socket(socket.AF_UNIX); client.connect("guest.sock")
server, _ = listener.accept()
def check():
    client.send(b"still here"); return server.recv(100).decode()'
refused not_accepted "has connections not yet accepted" '
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
client = socket.create_connection(listener.getsockname())
def check():
    client.send(b"still here"); return listener.accept()[0].recv(100).decode()'
refused datagram "has messages queued" '
bound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); bound.bind(("127.0.0.1", 0))
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"still here", bound.getsockname())
def check():
    return bound.recv(100).decode()'
echo "socket_refused: captures of sockets an image cannot hold are refused with a message"
