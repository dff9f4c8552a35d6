#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The same native guest through stacks of 0, 1 and 8 extensions: identical stdout, exit
# status and written files, and stdout equal to the expected report.
source "$(dirname "$0")/lib.sh"
expected=$(dirname "$0")/expected/abi_tour.out

for n in 0 1 8; do
  declare -n stack=stack_$n
  mkdir "$work/scratch$n"
  run_status status "$bascule" run "${stack[@]}" -- "$guests/abi_tour.guest" "$work/scratch$n" \
    >"$work/out$n" 2>"$work/err$n"
  [[ $status -eq 3 ]] || fail "stack of $n: exit status $status, expected 3: $(cat "$work/err$n")"
  (cd "$work/scratch$n" && find . -type f -exec sha256sum {} + | sort) >"$work/files$n"
done
if ! machine_says timestamps_trap; then
  sed 's/^rdtsc: trapped, answered 42$/rdtsc: not trapped/' "$expected" >"$work/expected"
  expected=$work/expected
fi
diff -u "$expected" "$work/out0" || fail "abi_tour's report differs from $expected"
for n in 1 8; do
  cmp -s "$work/out0" "$work/out$n" || fail "stdout through $n extensions differs"
  cmp -s "$work/files0" "$work/files$n" || fail "files written through $n extensions differ"
  cmp -s "$work/err0" "$work/err$n" || fail "stderr through $n extensions differs"
done
[[ -s $work/trace8a && -s $work/trace8b ]] || fail "the stacked trace extensions wrote nothing"
echo "native_stacks: abi_tour identical through 0, 1 and 8 extensions"
