# SPDX-License-Identifier: MIT
# Going live from a replay: `bascule-replay replay TRACE --to N --capture IMAGE` stops after
# call N and writes a checkpoint image that `bascule-snap restore IMAGE` resumes live.
# What the replay printed up to N and what the restore printed after it is what the
# recording printed, for several N, with a file half read; threads captured in the middle
# of their work finish it; a guest an image cannot hold, or an N never reached, is refused
# with a message and leaves no image.
source "$(dirname "$0")/lib.sh"
cd "$work"
snap_tool=$build/bascule-snap

# replay_then_restore TRACE N NAME: replays TRACE to call N capturing NAME.img (stdout and
# stderr pipes, so that the restore writes to its own), then restores it; NAME.replay,
# NAME.restore and NAME.err hold what each printed.
replay_then_restore() {
  local trace=$1 n=$2 name=$3
  bounded "$replay_tool" replay "$trace" --to "$n" --capture "$work/$name.img" </dev/null \
    2> >(cat >"$name.err") | cat >"$name.replay"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || fail "replay of $trace to $n with a capture: $(cat "$name.err")"
  grep -q "captured $work/$name.img" "$name.err" || fail "the replay did not say it captured: $(cat "$name.err")"
  bounded "$snap_tool" restore "$work/$name.img" </dev/null >"$name.restore" 2>>"$name.err" ||
    fail "restoring the image of $trace at call $n ended with status $?: $(cat "$name.err")"
}

# A program reading a file 7 bytes (a line) at a time: the restore reads on from where the
# replay had read to, though the replay read nothing from it.
for i in 1 2 3 4 5 6 7 8 9; do echo "line $i"; done >input.txt
cat >lines.py <<'PY'
import os, time
fd = os.open("input.txt", os.O_RDONLY)
n = 0
while chunk := os.read(fd, 7):
    n += 1
    print(n, chunk.decode().strip(), flush=True)
    time.sleep(0.01)
print("done")
PY
record "$work/lines.trace" /usr/bin/python3 lines.py
# Capture after the open, in the middle and before the last read.
reads=$("$replay_tool" dump "$work/lines.trace" | grep -o '^#[0-9]* p0 t0 stream_read(handle=[0-9]*, offset=AT_POSITION, buffer=[^,]*, size=7)' | cut -d' ' -f1 | tr -d '#')
[[ $(wc -l <<<"$reads") -eq 10 ]] || fail "lines.py made $(wc -l <<<"$reads") reads of 7 bytes, not 10"
for n in $(sed -n '1p;5p;9p' <<<"$reads"); do
  replay_then_restore "$work/lines.trace" "$n" "lines$n"
  cat "lines$n.replay" "lines$n.restore" | cmp -s - "$work/lines.trace.out" ||
    fail "replayed to $n then restored, lines.py printed $(cat "lines$n.replay" "lines$n.restore" | head -c 300) where the recording printed $(head -c 300 "$work/lines.trace.out")"
done
stack=$("$snap_tool" inspect "$work/lines$n.img" | grep '^stack')
[[ $stack == "stack    checkpoint" ]] ||
  fail "the image's stack is not the recorded one with checkpoint on top: $stack"

# Threads in the middle of their work (threads.c: four threads taking a mutex in turns):
# the restored ones finish it, each appending its letter 40 times.
record "$work/threads.trace" "$build/tests/replay/replay_threads"
calls=$("$replay_tool" stats --json "$work/threads.trace" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["calls"])')
replay_then_restore "$work/threads.trace" $((calls / 2)) threads
order=$(cat threads.replay threads.restore)
for letter in a b c d; do
  [[ $(tr -cd "$letter" <<<"$order" | wc -c) -eq 40 ]] ||
    fail "the restored threads printed $order: not 40 of $letter"
done

# Refused, with nothing written: a replay of a shell pipeline captured at its fork (two
# processes), a replay holding a pipe, and a call the recording never reached.
# capture_refused TRACE CALL IMAGE REASON: the replay stops at CALL, its capture fails
# (status 1) saying REASON, and there is no IMAGE.
capture_refused() {
  local status=0
  bounded "$replay_tool" replay "$1" --to "$2" --capture "$3" </dev/null >/dev/null \
    2>refused.err || status=$?
  [[ $status -eq 1 ]] || fail "a capture of $1 at call $2 ended with status $status"
  grep -q "$4" refused.err || fail "no reason for the refusal: $(cat refused.err)"
  [[ ! -e "$3" ]] || fail "a refused capture left an image"
}
record "$work/pipeline.trace" /bin/sh -c 'echo start; sleep 0.1 | cat; echo end'
"$replay_tool" dump "$work/pipeline.trace" >pipeline.dump
fork=$(grep -m1 'p0 t0 process_fork' pipeline.dump | cut -d' ' -f1 | tr -d '#')
capture_refused "$work/pipeline.trace" "$fork" "$work/pipe.img" \
  "a replay of several processes cannot be captured yet"
# The replay's other process ends with its first (the tree's lifeline), even one that
# started after the first had ended.
for _ in $(seq 100); do
  pgrep -f "$work/pipeline.trace" >/dev/null || break
  sleep 0.1
done
! pgrep -f "$work/pipeline.trace" >/dev/null || fail "a process of the refused replay outlived it"
record "$work/own_pipe.trace" /usr/bin/python3 -c 'import os; r, w = os.pipe(); print("made")'
"$replay_tool" dump "$work/own_pipe.trace" >own_pipe.dump
made=$(grep -m1 'stream_open_pair' own_pipe.dump | cut -d' ' -f1 | tr -d '#')
capture_refused "$work/own_pipe.trace" "$made" "$work/own.img" "an image of a replay cannot hold it"
capture_refused "$work/lines.trace" 999999 "$work/never.img" "nothing captured"
if "$replay_tool" replay "$work/lines.trace" --capture "$work/x.img" >/dev/null 2>&1; then
  fail "--capture without --to was accepted"
fi
echo "capture_live: replays captured at 3 calls of a reading program and in the middle of 4 threads resume live to the recorded end; a pipe and an unreached call are refused"
