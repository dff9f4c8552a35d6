# SPDX-License-Identifier: MIT
# Migration between two network namespaces made here (ip netns, a veth pair): a pipeline
# running in one is captured with --to tcp://ADDRESS:PORT, received and restored in the
# other (restore --from), and finishes as a native run does; so does a process whose
# changing heap is pre-copied while it runs. A capture sent where nothing
# listens keeps its image (and, with --leave-running, a running guest); a stream cut
# midway leaves nothing at the destination. Needs root (network namespaces): without it,
# ctest reports the test skipped.
source "$(dirname "$0")/lib.sh"

# wait_listening ERR: until the receiver writing its messages to ERR listens on $port (a
# minute: an ASan build on a loaded machine starts slowly).
wait_listening() {
  for _ in $(seq 1200); do
    grep -q "listening on port $port" "$1" && return 0
    sleep 0.05
  done
  fail "the receiver did not listen: $(cat "$1")"
}
[[ $(id -u) == 0 ]] || { echo "migration: needs root for network namespaces"; exit 77; }
here=bsc-m$$-a there=bsc-m$$-b
address=10.77.$(($$ % 200)).2
port=$((20000 + $$ % 20000))
net_cleanup() {
  ip netns del "$here" 2>/dev/null || true
  ip netns del "$there" 2>/dev/null || true
  cleanup
}
trap net_cleanup EXIT
ip netns add "$here"
ip netns add "$there"
ip link add "vm$$a" type veth peer name "vm$$b"
ip link set "vm$$a" netns "$here"
ip link set "vm$$b" netns "$there"
ip -n "$here" addr add "10.77.$(($$ % 200)).1/24" dev "vm$$a"
ip -n "$there" addr add "$address/24" dev "vm$$b"
for ns in "$here" "$there"; do
  ip -n "$ns" link set lo up
done
ip -n "$here" link set "vm$$a" up
ip -n "$there" link set "vm$$b" up

cp "$(dirname "$0")/programs/pipeline_producer.py" producer.py
pipeline='/usr/bin/python3 producer.py | sort | sha256sum'
touch go
bash -c "$pipeline" >native.out 2>/dev/null
rm go
# in_namespace NS COMMAND...: runs COMMAND there.
in_namespace() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Nothing listens yet: the capture keeps its image and the guest runs on.
start_guest run.out -- /bin/bash -c "$pipeline"
wait_for_line run.out.err "produced"
status=0
in_namespace "$here" "$snap" capture "$guest_pid" --leave-running --to "tcp://$address:$port" \
  2>unsent.err || status=$?
[[ $status -eq 1 ]] || fail "a capture sent nowhere ended with status $status"
kept=$(sed -n 's/^bascule-snap: the image stays in //p' unsent.err)
[[ -f $kept ]] || fail "the unsent image was not kept: $(cat unsent.err)"
"$snap" verify "$kept" >/dev/null || fail "the kept image does not verify"
rm -rf "$(dirname "$kept")"
kill -0 "$guest_pid" || fail "the guest left running did not run on"

# The move: the receiver listens in the other namespace, the guest goes, stops here and
# finishes there.
in_namespace "$there" "$snap" restore --from "tcp://:$port" </dev/null 2>restore.err &
restorer=$!
wait_listening restore.err
in_namespace "$here" "$snap" capture "$guest_pid" --to "tcp://$address:$port" 2>capture.err ||
  fail "the migration's capture failed: $(cat capture.err)"
grep -q "sent 1 image(s)" capture.err || fail "the capture did not say it sent: $(cat capture.err)"
wait "$guest_pid" || fail "the migrated guest ended here with status $?"
guest_pid=""
touch go
wait "$restorer" || fail "the restore there ended with status $?: $(cat restore.err)"
same run.out native.out
if compgen -G "${TMPDIR:-/tmp}/bascule-receive-*" >/dev/null; then
  fail "the received image was left behind: $(compgen -G "${TMPDIR:-/tmp}/bascule-receive-*")"
fi

# Pre-copy: rounds of a changing heap go while it runs, then the frozen last one.
"$programs/heap_counter" 64 10 200 5 >native2.out
HOLD_AT=8 start_guest run2.out -- "$programs/heap_counter" 64 10 200 5
wait_for_line run2.out "tick 2"
in_namespace "$there" "$snap" restore --from "tcp://:$port" </dev/null 2>restore2.err &
restorer=$!
wait_listening restore2.err
in_namespace "$here" "$snap" capture "$guest_pid" --pre-copy --to "tcp://$address:$port" \
  2>precopy.err || fail "the pre-copy migration failed: $(cat precopy.err)"
grep -q "pre-copy round 0" precopy.err || fail "no round was copied while it ran: $(cat precopy.err)"
wait "$guest_pid" || fail "the pre-copied guest ended here with status $?"
guest_pid=""
release 8
wait "$restorer" || fail "the pre-copied restore ended with status $?: $(cat restore2.err)"
same run2.out native2.out

# A stream cut midway: a well-begun transfer that stops inside its first file.
mkdir incoming
in_namespace "$there" "$snap" receive --listen "$port" -o incoming/cut.img 2>cut.err &
receiver=$!
wait_listening cut.err
in_namespace "$here" /usr/bin/python3 - "$address" "$port" <<'PY'
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(b"BSCLXFER" + struct.pack("<IBI", 1, 1, 5) + b"a.img" + struct.pack("<Q", 1 << 20)
          + b"\0" * 4096)
s.close()
PY
status=0
wait "$receiver" || status=$?
[[ $status -eq 1 ]] || fail "a cut transfer ended the receiver with status $status"
grep -q "ended before the images were complete" cut.err || fail "the cut was not named: $(cat cut.err)"
[[ -z $(ls -A incoming) ]] || fail "a cut transfer left $(ls -A incoming)"
echo "migration: a pipeline and a pre-copied heap moved between two network namespaces; an unsent image kept, a cut transfer left nothing"
