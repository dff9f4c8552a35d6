#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The gates' second way of switching %fs, arch_prctl, which a kernel without FSGSBASE
# needs, forced whatever this machine has: guests whose threads the kernel switches
# between, one processor for two copies, and whose signals land anywhere, pass as they
# do natively; `bascule host` names the path.
source "$(dirname "$0")/lib.sh"
export BASCULE_SEGMENT_BASES=arch_prctl
[[ $("$bascule" host --json) == *'"fsgsbase": false'* ]] ||
  fail "bascule host does not say arch_prctl: $("$bascule" host)"
pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
  pin=(taskset -c 0)
fi
for program in syscalls_signals syscalls_threads syscalls_futex; do
  pids=()
  for copy in 1 2; do
    "${pin[@]}" "$bascule" run -- "$build/tests/syscalls/$program" >"$work/$program$copy" 2>&1 &
    pids+=($!)
  done
  for copy in 1 2; do
    run_status status wait "${pids[copy - 1]}"
    [[ $status -eq 0 ]] || fail "$program ($copy) ended with status $status: $(cat "$work/$program$copy")"
  done
done
script=$(dirname "$0")/../checkpoint/threads_work.py
/usr/bin/python3 "$script" >"$work/native.out"
"$bascule" run -- /usr/bin/python3 "$script" >"$work/python.out" || fail "python3 ended with status $?"
cmp -s "$work/native.out" "$work/python.out" || fail "python3's threads printed $(cat "$work/python.out")"
echo "segment_bases: threads and signals keep their %fs with arch_prctl"
