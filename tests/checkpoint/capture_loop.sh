# SPDX-License-Identifier: MIT
# Fifty capture/restore cycles in a row of a program with four threads, each restoring
# the image taken in the cycle before after the guest has made some progress, each image
# an incremental one on top of the one before but every tenth, which is full (chains of
# ten, as a user keeps them short): the run ends with the output of an uninterrupted one.
# The sanitizer run (its test preset) takes twenty: two chains, the same paths.
source "$(dirname "$0")/lib.sh"
cycles=${BASCULE_TEST_CAPTURE_CYCLES:-50}
ticks=60
workload=("$programs/thread_ticker" 4 "$ticks" 20000)
"${workload[@]}" >native.out
# Held after every tick up to the last cycle's: each capture finds the guest mid-run.
HOLD_AT=$(seq -s, $((cycles + 1))) start_guest run.out -- "${workload[@]}"
wait_for_line run.out "tick 1 "
for tick in $(seq "$cycles"); do
  if ((tick % 10 == 1)); then
    capture "cycle-$tick.img"
  else
    capture "cycle-$tick.img" --parent "cycle-$((tick - 1)).img"
  fi
  release "$tick"
  restore_guest "cycle-$tick.img" --background
  wait_for_line run.out "tick $((tick + 1)) "
done
release $((cycles + 1))
wait "$guest_pid" || fail "the last restored guest ended with status $?"
guest_pid=""
same run.out native.out
grep -o "frozen-ms=[0-9.]*" capture.err | tr '\n' ' ' >&2
"$snap" inspect "cycle-$cycles.img" >last.txt
grep -q "^parent *cycle-$((cycles - 1)).img " last.txt ||
  fail "the last image is not an incremental one on the one before: $(head -5 last.txt)"
echo "capture_loop: $cycles cycles of a threaded guest through chains of incremental images, output matches"
