# SPDX-License-Identifier: MIT
# A restore where userfaultfd(2) is forbidden, as in a container under the default seccomp
# profile: vm_fill copies into ordinary pages instead, and the run still ends as an
# uninterrupted native run does.
source "$(dirname "$0")/lib.sh"
"$programs/heap_counter" 64 12 100 >native.out
HOLD_AT=4 start_guest run.out -- "$programs/heap_counter" 64 12 100
wait_for_line run.out "tick 4"
capture heap.img
release 4
"$programs/without_userfaultfd" "$snap" restore heap.img </dev/null 2>>restore.err ||
  fail "restore without userfaultfd ended with status $?"
same run.out native.out
echo "without_userfaultfd: restored output matches"
