#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Going backwards in a python3 replay with gdb, without performance counters (replay/
# README.md, "Going backwards"): python3 writes a line a loop, 20,000 times (a call each),
# and calls getppid once 1, 100 and 10,000 calls before its end; gdb stops the replay
# before its last write (--stop-at) and reverse-continues to a breakpoint on getppid. The
# time of that reverse-continue is the time of the gdb session less that of the same
# session without it (both the median of RUNS), with what the replay costs alone. Then
# the time to reach call N of the same replay: forwards (a session stopping first before
# call N) and backwards (`monitor goto N` from before the last write, less the session
# without it).
# rr cannot record on this machine (no performance counters), so there is no rr column;
# its paper reports reverse execution as a restart from its nearest checkpoint too.
#
# Usage: experiments/replay/reverse.sh [BUILD_DIR] [RUNS]   (default build/release, 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build/release}" && pwd)
runs=${2:-5}
replay=$build/bascule-replay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BASCULE_CONTENT_STORE=$work/store
python=/usr/bin/python3
lines=20000

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# seconds CMD...: the median wall time of RUNS runs.
seconds() {
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
  done | median
}

echo "| calls back | session with reverse-continue (s) | without (s) | reverse-continue (s) | replay alone (s) |"
echo "|---:|---:|---:|---:|---:|"
for back in 1 100 10000; do
  trace=$work/python-$back.trace
  (cd "$work" && "$replay" record -o "$trace" -- "$python" -c "
import os
for i in range($lines):
    if i == $lines - $back:
        os.getppid()
    os.write(1, b'x\n')") >/dev/null
  last=$("$replay" dump "$trace" | grep 'stream_write' | tail -1 | sed 's/^#\([0-9]*\) .*/\1/')
  session=(gdb -q -nx -batch -ex 'set remotetimeout 600' -ex "target remote | $replay replay --quiet --gdb-stdio --stop-at $last $trace"
           -ex 'set breakpoint pending on' -ex 'break getppid')
  with=$(seconds "${session[@]}" -ex 'reverse-continue' -ex 'kill' "$python")
  without=$(seconds "${session[@]}" -ex 'kill' "$python")
  alone=$(seconds "$replay" replay --quiet "$trace")
  printf '| %d | %.3f | %.3f | %.3f | %.3f |\n' "$back" "$with" "$without" "$(awk -v a="$with" -v b="$without" 'BEGIN { print a - b }')" "$alone"
done

echo
trace=$work/python-1.trace
last=$("$replay" dump "$trace" | grep 'stream_write' | tail -1 | sed 's/^#\([0-9]*\) .*/\1/')
# session STOP-AT GDB-COMMAND...: the median time of a gdb session on the replay.
session() {
  local stop_at=$1 commands=()
  shift
  for command in "$@" kill; do commands+=(-ex "$command"); done
  seconds gdb -q -nx -batch -ex 'set remotetimeout 600' \
    -ex "target remote | $replay replay --quiet --gdb-stdio --stop-at $stop_at $trace" \
    "${commands[@]}" "$python"
}
at_last=$(session "$last")
echo "a session stopping before the last write (call $last): $at_last s"
echo
echo "| call N | session stopping before call N (s) | monitor goto N from the last write (s) |"
echo "|---:|---:|---:|"
for call in 1000 10000 $((last - 1000)); do
  forwards=$(session "$call")
  backwards=$(session "$last" "monitor goto $call")
  printf '| %d | %.3f | %.3f |\n' "$call" "$forwards" "$(awk -v a="$backwards" -v b="$at_last" 'BEGIN { print a - b }')"
done
