#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# gdb on a replay that starts from an image captured while recording (`replay --from
# IMAGE --gdb-stdio`): the first stop is where the image's thread resumes the program,
# gdb finds the program's functions and locals there (the auxiliary vector the recording
# noted), continues to a breakpoint, and reverse-continues back to it, replaying from the
# image rather than from the start.
source "$(dirname "$0")/lib.sh"
cd "$work"
ticker=$build/tests/replay/replay_ticker
capture_while_recording ticker "tick 3 " "$ticker"

gdb_on from.out "$ticker" \
  "target remote | $replay_tool replay --gdb-stdio --from $work/ticker.img $work/ticker.trace" \
  'break tick' 'continue' 'print total' 'bt' 'continue' 'reverse-continue' 'print n' 'delete' \
  'continue'
# --stop-at before the image's place: refused at once.
captured_after=$("$build/bascule-snap" inspect "$work/ticker.img" | sed -n 's/.*call=\([0-9]*\).*/\1/p' | sed -n 1p)
if "$replay_tool" replay --gdb-stdio --stop-at 1 --from "$work/ticker.img" "$work/ticker.trace" \
  </dev/null >/dev/null 2>stop-at.err; then
  fail "--stop-at 1 from an image captured after call $captured_after was not refused"
fi
grep -q "^bascule-replay: --stop-at 1: .*ticker.img was captured after call $captured_after; a replay from it stops at a later call$" stop-at.err ||
  fail "--stop-at before the image: $(cat stop-at.err)"

first=$(sed -n 's/^Breakpoint 1, tick (n=\([0-9]*\)) at .*ticker\.c:11$/\1/p' from.out | sed -n 1p)
[[ -n $first && $first -ge 4 ]] ||
  fail "gdb did not stop at tick after the image's place: $(cat from.out)"
# Each breakpoint stop once forwards, then back to the first: n as it was there.
grep -Eq "^Breakpoint 1, tick \(n=$((first + 1))\) at .*ticker\.c:11$" from.out ||
  fail "the second continue did not stop at tick $((first + 1)): $(cat from.out)"
[[ $(grep -c "^Breakpoint 1, tick (n=$first) at " from.out) == 2 ]] ||
  fail "reverse-continue did not go back to tick $first: $(cat from.out)"
grep -Eq "^\\\$1 = $(( (first - 1) * first / 2 ))$" from.out ||
  fail "the total before tick $first is not the sum before it: $(cat from.out)"
grep -Eq "^#1  0x[0-9a-f]+ in main \(\) at .*ticker\.c:18$" from.out ||
  fail "no backtrace through main: $(cat from.out)"
grep -Eq "^\\\$2 = $first$" from.out || fail "n after going back is not $first: $(cat from.out)"
grep -q '^tick 20 total 210$' from.out || fail "the replay did not run to its end: $(cat from.out)"
grep -Eq '^\[Inferior 1 \(.*\) exited normally\]$' from.out ||
  fail "gdb did not see the program exit: $(cat from.out)"
echo "gdb on a replay from an image: the image's place, breakpoints, locals, reverse-continue from the image"
