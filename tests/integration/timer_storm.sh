#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interval timer interrupts that pile up while a guest thread is not running coalesce:
# eight copies of a program whose 100 us timer fires faster than it is handled, all on
# one processor, each run to its end (the runtime once died of its own SIGSEGV here).
source "$(dirname "$0")/lib.sh"
program=$build/tests/syscalls/syscalls_signals
pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
  pin=(taskset -c 0)
fi
pids=()
for copy in 1 2 3 4 5 6 7 8; do
  "${pin[@]}" "$bascule" run -- "$program" interval_timer_storm >"$work/out$copy" 2>&1 &
  pids+=($!)
done
for copy in 1 2 3 4 5 6 7 8; do
  run_status status wait "${pids[copy - 1]}"
  [[ $status -eq 0 ]] || fail "copy $copy ended with status $status: $(cat "$work/out$copy")"
  grep -q '^1 passed, 0 failed$' "$work/out$copy" || fail "copy $copy: $(cat "$work/out$copy")"
done
echo "timer_storm: 8 copies ran to their end"
