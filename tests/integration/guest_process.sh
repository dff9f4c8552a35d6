#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Process-level behaviour of a native guest: arguments, stdin, exit status, a fault that
# kills it like a signal, and a missing program.
source "$(dirname "$0")/lib.sh"

out=$(printf 'line one\nline two\n' | "$bascule" run -- "$guests/hello.guest" --cat x)
[[ $out == $'hello from a native guest, 3 args: [--cat] [x]\nline one\nline two' ]] ||
  fail "hello --cat printed: $out"

run_status status "$bascule" run --ext null -- "$guests/hello.guest" --status
[[ $status -eq 7 ]] || fail "exit status $status, expected 7"

run_status status sh -c "'$bascule' run -- '$guests/fault.guest' >'$work/out' 2>/dev/null"
[[ $status -eq 139 ]] || fail "an unhandled fault gave status $status, expected 139 (SIGSEGV)"
[[ $(cat "$work/out") == "about to fault" ]] || fail "the faulting guest went on"

run_status status "$bascule" run -- no-such-program-anywhere 2>"$work/err"
[[ $status -eq 127 ]] || fail "a missing program gave $status, expected 127"
run_status status "$bascule" run -- /etc/hostname 2>"$work/err"
[[ $status -eq 126 ]] || fail "a non-guest file gave $status, expected 126"
echo "guest_process: arguments, stdin, status, faults and lookup behave"
