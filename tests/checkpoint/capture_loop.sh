# SPDX-License-Identifier: MIT
# Fifty capture/restore cycles in a row, each restoring the previous image after the
# guest has made some progress, end with the output of an uninterrupted run.
source "$(dirname "$0")/lib.sh"
cycles=50
"$programs/heap_counter" 4 400 20 >native.out
start_guest run.out -- "$programs/heap_counter" 4 400 20
wait_for_line run.out "tick 1\$"
for cycle in $(seq "$cycles"); do
  capture cycle.img
  lines=$(wc -l <run.out)
  restore_guest cycle.img --background
  wait_for_line run.out "tick $lines\$" # one tick more than before the capture
done
wait "$guest_pid" || fail "the last restored guest ended with status $?"
guest_pid=""
same run.out native.out
echo "capture_loop: $cycles cycles, output matches"
