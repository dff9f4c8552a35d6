# SPDX-License-Identifier: MIT
# Sockets of every kind the LibOS serves, captured holding unread bytes and restored in a
# fresh process: the program finishes exactly as an uninterrupted native run (the same
# addresses, options and bytes, a new connection to the restored listener). A restore
# whose listening port is taken is refused before the guest runs, naming the socket.
source "$(dirname "$0")/lib.sh"
capture_before_go "$(dirname "$0")/programs/socket_kinds.py" ready sockets.img
"$snap" inspect sockets.img --json >inspect.json
port=$(/usr/bin/python3 - inspect.json <<'CHECK' || fail "inspect: $(cat inspect.json)"
import json, sys
sockets = json.load(open(sys.argv[1]))["objects"]["socket"]
states = sorted((s["domain"], s["type"], s["state"]) for s in sockets)
assert states == sorted([("inet", "stream", "listening"), ("inet", "stream", "connected"),
                         ("inet", "stream", "connected"), ("unix", "stream", "connected"),
                         ("unix", "stream", "connected"), ("inet", "datagram", "bound"),
                         ("inet", "datagram", "connected")]), states
unread = sorted(s["unread"].split()[0] for s in sockets if s["unread"])
assert unread == ["10", "4", "7", "9"], unread
print([s["local"] for s in sockets if s["state"] == "listening"][0].split(":")[1])
CHECK
)
# The listener's port taken by another process: refused, and the guest never ran.
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print("taken", flush=True); time.sleep(60)' "$port" >taker.out &
taker=$!
wait_for_output taker.out taken "$taker"
touch go
lines=$(wc -l <run.out)
if "$snap" restore sockets.img </dev/null 2>taken.err; then kill $taker; fail "a restore on a taken port ran"; fi
kill $taker; wait $taker 2>/dev/null || true
grep -q "cannot be bound to 127.0.0.1:$port again: the address is in use" taken.err ||
  fail "the refusal does not say what is taken: $(cat taken.err)"
[[ $(wc -l <run.out) -eq $lines ]] || fail "the guest ran although its restore was refused"
restore_guest sockets.img
same run.out native.out
echo "sockets: listeners, connections, pairs and datagram sockets survive a capture"
