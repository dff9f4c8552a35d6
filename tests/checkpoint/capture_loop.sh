# SPDX-License-Identifier: MIT
# Thirty capture/restore cycles in a row, each restoring the previous image after the
# guest has made some progress, end with the output of an uninterrupted run.
source "$(dirname "$0")/lib.sh"
cycles=30
ticks=60
"$programs/heap_counter" 4 $ticks 20 >native.out
# Held after every tick up to the last cycle's: each capture finds the guest mid-run.
HOLD_AT=$(seq -s, $((cycles + 1))) start_guest run.out -- "$programs/heap_counter" 4 $ticks 20
wait_for_line run.out "tick 1\$"
for tick in $(seq "$cycles"); do
  capture cycle.img
  release "$tick"
  restore_guest cycle.img --background
  wait_for_line run.out "tick $((tick + 1))\$"
done
release $((cycles + 1))
wait "$guest_pid" || fail "the last restored guest ended with status $?"
guest_pid=""
same run.out native.out
echo "capture_loop: $cycles cycles, output matches"
