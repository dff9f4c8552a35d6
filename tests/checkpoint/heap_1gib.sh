# SPDX-License-Identifier: MIT
# A 1 GiB heap of known content and a counter: captured mid-run, the process gone,
# restored from another working directory, and the output is what an uninterrupted native
# run prints.
source "$(dirname "$0")/lib.sh"
"$programs/heap_counter" 1024 12 100 >native.out
HOLD_AT=4 start_guest run.out -- "$programs/heap_counter" 1024 12 100
wait_for_line run.out "tick 4"
capture heap.img
release 4
# From another working directory: the image records where the guest's files are.
(cd / && "$snap" restore "$work/heap.img" </dev/null 2>>"$work/restore.err") ||
  fail "restore from / ended with status $?"
same run.out native.out
echo "heap_1gib: restored output matches ($(stat -c %s heap.img) bytes of image)"
