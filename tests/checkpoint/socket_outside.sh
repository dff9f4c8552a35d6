# SPDX-License-Identifier: MIT
# A connection to a peer outside the guest cannot be made again: the restored program
# finds it reset (ECONNRESET at its next use), as README.md says, and runs on.
source "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.sendall(b"hello"); time.sleep(60)' >peer.out &
peer=$!
wait_for_output peer.out . "$peer"
start_guest run.out -- /usr/bin/python3 -c '
import os, socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
try:
    print("got", c.recv(100))
except ConnectionResetError:
    print("reset")
print("runs on")' "$(head -1 peer.out)"
wait_for_line run.out "connected"
capture outside.img
kill $peer
"$snap" inspect outside.img | grep -c "state=outside" >/dev/null || fail "the connection is not marked outside"
touch go
restore_guest outside.img
[[ $(tail -2 run.out) == $'reset\nruns on' ]] || fail "the restored connection was not reset: $(cat run.out)"
echo "socket_outside: a connection to a peer outside comes back reset"
