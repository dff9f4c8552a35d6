# SPDX-License-Identifier: MIT
# A replay whose program takes another path than the recorded one stops at the first
# call that differs, with exit code 3 and a report: the call number, the expected and
# the actual call, and the calls before it. Here the environment differs: the replay
# layer is run by hand, with REPLAY_WORD changed.
source "$(dirname "$0")/lib.sh"
cd "$work"
program=/usr/bin/printenv
env -i PATH=/usr/bin REPLAY_WORD=recorded \
  "$replay_tool" record -o "$work/env.trace" -- $program REPLAY_WORD >recorded.out
[[ $(cat recorded.out) == recorded ]] || fail "the recording printed $(cat recorded.out)"

# The same environment replays.
(cd "$empty" && env -i "$replay_tool" replay "$work/env.trace" >"$work/same.out") ||
  fail "the replay with the recorded environment ended with status $?"
cmp -s recorded.out same.out || fail "the replay printed $(cat same.out)"

# Another one diverges where the program writes what it read.
libos=$(grep -o 'file:[^"]*libos.guest' <("$replay_tool" dump "$work/env.trace") | sed -n 1p)
status=0
(cd "$empty" && env -i PATH=/usr/bin REPLAY_WORD=changed timeout -s KILL 120 "$build/bascule" run \
  --libos "${libos#file:}" --working-directory "$work" --argv0 $program \
  --ext "replay:trace=$work/env.trace" -- $program REPLAY_WORD) >diverged.out 2>report.txt ||
  status=$?
[[ $status -eq 3 ]] || fail "a diverging replay ended with status $status: $(cat report.txt)"
grep -q "diverged from the recording at call [0-9]*" report.txt || fail "no call number: $(cat report.txt)"
grep -q "expected: .*stream_write" report.txt || fail "no expected call: $(cat report.txt)"
grep -q "actual: .*stream_write" report.txt || fail "no actual call: $(cat report.txt)"
grep -q "): .*differs" report.txt || fail "no reason: $(cat report.txt)"
[[ $(grep -c '^    #' report.txt) -eq 10 ]] || fail "not the 10 calls before it: $(cat report.txt)"
[[ ! -s diverged.out ]] || fail "the diverging write was shown: $(cat diverged.out)"
echo "divergence: a changed environment stops the replay at its first differing call (exit 3)"
