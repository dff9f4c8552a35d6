# SPDX-License-Identifier: MIT
# The checkpoint extension above record: a guest captured while it is recorded (the guest
# runs on) gives an image that restores live to the recorded end, and a trace that still
# replays from the start to the recorded output; the capture's own calls are not in it. A
# guest with several threads cannot be captured while recording: the capture is refused at
# once, with the reason, and the recording goes on. A replay starts from the image
# (`bascule-replay replay --from IMAGE`) and prints what the restored guest printed.
source "$(dirname "$0")/lib.sh"
cd "$work"
snap_tool=$build/bascule-snap


printf 'line %02d\n' $(seq 1 30) >input.txt # 8 bytes a line
cat >ticks.py <<'PY'
import os, sys, time
fd = os.open("input.txt", os.O_RDONLY)
while chunk := os.read(fd, 8):
    print(chunk.decode().strip(), flush=True)
    time.sleep(0.03)
print("done")
PY
capture_while_recording ticks "line 05" /usr/bin/python3 ticks.py
for _ in $(seq 100); do grep -qx done ticks.out && break; sleep 0.05; done # the pipe's reader
cp ticks.out "$work/ticks.trace.out"
replays_the_same "$work/ticks.trace"
# The restored guest prints the rest: the end of what the recording printed.
bounded "$snap_tool" restore "$work/ticks.img" </dev/null >restored.out 2>restore.err ||
  fail "restoring the image taken while recording: $(cat restore.err)"
[[ -s restored.out ]] || fail "the restored guest printed nothing"
# Bytes, not lines: python3 unbuffered (PYTHONUNBUFFERED) writes a line and its newline
# apart, and a capture between the two leaves the newline to the restored guest.
bytes=$(wc -c <restored.out)
tail -c "$bytes" ticks.out | cmp -s - restored.out ||
  fail "the restored guest printed $(head -c 200 restored.out), not the end of the recording's output: $(cat ticks.out) (the restore said: $(cat restore.err))"
[[ $bytes -lt $(wc -c <ticks.out) ]] || fail "the restored guest printed everything again"
# The image keeps its place in the trace: a replay to that call prints what the restored
# guest did not.
state=$("$snap_tool" inspect "$work/ticks.img" | grep '^state    record: ') ||
  fail "the image keeps no place in the trace: $("$snap_tool" inspect "$work/ticks.img" | head -8)"
[[ $state == *"trace=$work/ticks.trace,"* ]] || fail "the image names another trace: $state"
call=$(sed -n 's/.*,call=\([0-9]*\).*/\1/p' <<<"$state")
bounded "$replay_tool" replay "$work/ticks.trace" --to "$call" </dev/null >before.out 2>/dev/null ||
  fail "replay to the image's call $call ended with status $?"
cat before.out restored.out | cmp -s - ticks.out ||
  fail "replayed to the image's call $call, then restored, the guest printed $(cat before.out restored.out | head -c 300)"
# A replay from the image goes on from there, in an empty directory, twice.
for run in 1 2; do
  (cd "$empty" && bounded "$replay_tool" replay "$work/ticks.trace" --from "$work/ticks.img" \
    </dev/null >"from$run.out" 2>"from$run.err") ||
    fail "replay $run from the image ended with status $?: $(cat "$empty/from$run.err")"
  cmp -s "$empty/from$run.out" restored.out ||
    fail "replay $run from the image printed $(head -c 300 "$empty/from$run.out"), not what the restored guest printed"
done

# Several threads: refused at once.
cat >threads.py <<'PY'
import threading, time
def work():
    for _ in range(300):
        time.sleep(0.01)
print("started", flush=True)
threads = [threading.Thread(target=work) for _ in range(3)]
[t.start() for t in threads]
print("running", flush=True)
[t.join() for t in threads]
print("done")
PY
"$replay_tool" record -o "$work/threads.trace" --ext checkpoint -- /usr/bin/python3 threads.py \
  >threads.out 2>threads.err &
recording=$!
wait_for_output threads.out running $recording
if bounded "$snap_tool" capture $recording -o "$work/threads.img" --leave-running 2>>capture.err; then
  fail "a guest of several threads was captured while recording"
fi
wait $recording || fail "the recording ended with status $? after a refused capture: $(cat threads.err)"
grep -q "a capture while recording holds one" threads.err ||
  fail "no reason for the refusal: $(cat threads.err capture.err)"
[[ ! -e "$work/threads.img" ]] || fail "a refused capture left an image"
cp threads.out "$work/threads.trace.out"
replays_the_same "$work/threads.trace"
# An image of another trace, or of none, is refused before anything runs.
status=0
bounded "$replay_tool" replay "$work/threads.trace" --from "$work/ticks.img" >/dev/null 2>other.err || status=$?
[[ $status -ne 0 ]] && grep -q "was not captured while recording" other.err ||
  fail "a replay from the image of another trace ended with status $status: $(cat other.err)"
echo "checkpoint_while_recording: captured while recording, the image restores to the recorded end, the trace replays from the start and from the image; several threads are refused at once"
