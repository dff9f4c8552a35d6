#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bad stack is refused with exit code 2 and a clear message before anything runs.
source "$(dirname "$0")/lib.sh"
export BASCULE_EXT_PATH=$build/tests/extensions

expect_refused() {
  local pattern=$1
  shift
  run_status status "$bascule" run "$@" -- "$guests/hello.guest" >"$work/out" 2>"$work/err"
  [[ $status -eq 2 ]] || fail "'$*' gave exit status $status, expected 2"
  [[ ! -s $work/out ]] || fail "'$*' ran the guest"
  grep -qi -- "$pattern" "$work/err" || fail "'$*' said '$(cat "$work/err")', expected /$pattern/"
}

expect_refused "no-such-extension" --ext no-such-extension
expect_refused "unknown option" --ext trace:colour=red
expect_refused "order-low" --ext order-low --ext order-high
expect_refused "ABI" --ext wrong-abi
expect_refused "refused to start" --ext failing-init
printf 'null\nno-such-extension\n' >"$work/manifest"
expect_refused "no-such-extension" --manifest "$work/manifest"
printf 'null\n:broken\n' >"$work/manifest"
expect_refused "manifest:2" --manifest "$work/manifest"

# The accepted order runs.
run_status status "$bascule" run --ext order-high --ext order-low -- "$guests/hello.guest"
[[ $status -eq 0 ]] || fail "a valid order was refused"
echo "bad_stack: every bad stack refused with exit code 2"
