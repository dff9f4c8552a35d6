#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Going backwards in a python3 replay with gdb, without performance counters (replay/
# README.md, "Going backwards"): python3 writes a line a loop, 20,000 times (a call each),
# and calls getppid once 1, 100 and 10,000 calls before its end; gdb stops the replay
# before its last write (--stop-at) and reverse-continues to a breakpoint on getppid. The
# time of that reverse-continue is the time of the gdb session less that of the same
# session without it (both the median of RUNS), with checkpoints of the replay (the
# default, one every 1000 events) and without (going back replays from the start); each
# is compared with a session of its own kind, as taking checkpoints costs time on the
# way forwards. Then the time to reach call N of the same replay: forwards (a session
# stopping first before call N) and backwards (`monitor goto N` from before the last
# write, less the session without it), with and without checkpoints; and the memory the
# checkpoints hold there.
# rr cannot record on this machine (no performance counters), so there is no rr column.
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
without="--checkpoint-every 0"

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
difference() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# gdb_session TRACE REPLAY-OPTIONS GDB-COMMAND...: gdb on the replay of TRACE.
gdb_session() {
  local trace=$1 options=$2 commands=()
  shift 2
  for command in "$@" kill; do commands+=(-ex "$command"); done
  gdb -q -nx -batch -ex 'set remotetimeout 600' \
    -ex "target remote | $replay replay --quiet --gdb-stdio $options $trace" \
    "${commands[@]}" "$python"
}
last_write() { "$replay" dump "$1" | grep 'stream_write' | tail -1 | sed 's/^#\([0-9]*\) .*/\1/'; }

echo "| calls back | reverse-continue, checkpoints (s) | reverse-continue, from the start (s) | session without it (s) | replay alone (s) |"
echo "|---:|---:|---:|---:|---:|"
for back in 1 100 10000; do
  trace=$work/python-$back.trace
  (cd "$work" && "$replay" record -o "$trace" -- "$python" -c "
import os
for i in range($lines):
    if i == $lines - $back:
        os.getppid()
    os.write(1, b'x\n')") >/dev/null
  last=$(last_write "$trace")
  base=$(seconds gdb_session "$trace" "--stop-at $last" 'set breakpoint pending on' 'break getppid')
  base_without=$(seconds gdb_session "$trace" "$without --stop-at $last" 'set breakpoint pending on' 'break getppid')
  with=$(seconds gdb_session "$trace" "--stop-at $last" 'set breakpoint pending on' 'break getppid' 'reverse-continue')
  from_start=$(seconds gdb_session "$trace" "$without --stop-at $last" 'set breakpoint pending on' 'break getppid' 'reverse-continue')
  alone=$(seconds "$replay" replay --quiet "$trace")
  printf '| %d | %s | %s | %.3f | %.3f |\n' "$back" "$(difference "$with" "$base")" \
    "$(difference "$from_start" "$base_without")" "$base" "$alone"
done

echo
trace=$work/python-1.trace
last=$(last_write "$trace")
at_last=$(seconds gdb_session "$trace" "--stop-at $last")
at_last_without=$(seconds gdb_session "$trace" "$without --stop-at $last")
echo "a session stopping before the last write (call $last): $at_last s with checkpoints, $at_last_without s without"
echo
echo "| call N | session stopping before call N (s) | monitor goto N back, checkpoints (s) | monitor goto N back, from the start (s) |"
echo "|---:|---:|---:|---:|"
for call in 1000 10000 $((last - 1000)); do
  forwards=$(seconds gdb_session "$trace" "--stop-at $call")
  back=$(seconds gdb_session "$trace" "--stop-at $last" "monitor goto $call")
  back_from_start=$(seconds gdb_session "$trace" "$without --stop-at $last" "monitor goto $call")
  printf '| %d | %.3f | %s | %s |\n' "$call" "$forwards" "$(difference "$back" "$at_last")" \
    "$(difference "$back_from_start" "$at_last_without")"
done

echo
echo "The checkpoints of a session stopped before the last write (\`monitor checkpoints\`):"
echo '```'
gdb_session "$trace" "--stop-at $last" 'monitor checkpoints' 2>&1 |
  grep -E '^(at the start|in call|[0-9]+ KiB)'
echo '```'
