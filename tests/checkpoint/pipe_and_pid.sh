# SPDX-License-Identifier: MIT
# Bytes written into a pipe before a capture are read after the restore (and after a
# capture that let the guest run on), and the pid the guest sees is the same in the
# restored process; inspect and diff show the pipe and what changed between the images.
source "$(dirname "$0")/lib.sh"
"$programs/pipe_holder" 10 50 >native.out
HOLD_AT=3,5 start_guest run.out -- "$programs/pipe_holder" 10 50
wait_for_line run.out "tick 3"
capture early.img --leave-running # the capture reads the bytes and leaves them there
release 3
wait_for_line run.out "tick 5"
capture pipe.img
release 5
"$snap" inspect pipe.img | grep -c "kind=pipe_read" >/dev/null || fail "the image holds no pipe"
# diff compares every kind of object: between the two captures the stdout file's offset
# moved (more ticks written), the pipe's bytes did not change.
"$snap" diff early.img pipe.img --json >diff.json
/usr/bin/python3 - diff.json <<'CHECK' || fail "diff: $(cat diff.json)"
import json, sys
objects = json.load(open(sys.argv[1]))["objects"]
assert set(objects) == {"handle", "event", "socket", "process", "thread"}, objects.keys()
changed = {c["key"]: c["fields"] for c in objects["handle"] if c["change"] == "changed"}
assert any("offset" in fields for fields in changed.values()), objects["handle"]
assert not any("buffered" in fields for fields in changed.values()), objects["handle"]
CHECK
restore_guest pipe.img
same run.out native.out
echo "pipe_and_pid: the pipe's bytes and the pid survive"
