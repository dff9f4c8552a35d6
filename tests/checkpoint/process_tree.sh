# SPDX-License-Identifier: MIT
# A tree of processes (programs/family.c) captured while a child waits to read a pipe
# holding bytes, two others have ended unwaited (zombies: an exit, a SIGTERM) and a
# grandchild waits: first
# letting it run on (it finishes as a native run does), then stopping it; restored, the
# tree finishes as the native run does — the same pids as its processes know them, the
# bytes, the exit statuses. A second capture of the restored tree restores as well,
# lazily.
source "$(dirname "$0")/lib.sh"
"$programs/family" >native.out
HOLD_AT=1 start_guest run.out -- "$programs/family"
wait_for_line run.out "tick 1"
capture running.img --leave-running
release 1
wait "$guest_pid" || fail "the tree that ran on ended with status $?"
guest_pid=""
same run.out native.out

rm -f go.1
HOLD_AT=1 start_guest run.out -- "$programs/family"
wait_for_line run.out "tick 1"
capture tree.img
"$snap" inspect tree.img >inspect.out
grep -q "^processes (3)" inspect.out || fail "the image holds not 3 process handles"
grep -q "ended=true end_kind=1 end_code=3" inspect.out || fail "the image holds no zombie: $(grep -A3 '^processes' inspect.out)"
grep -q "ended=true end_kind=2 end_code=15" inspect.out || fail "the image holds no killed zombie: $(grep -A4 '^processes' inspect.out)"
restore_guest tree.img --background
capture again.img
release 1
# Lazily: each of the three live processes resumes before its pages are in and fills
# them through its own userfaultfd (a forked member once filled its pages through its
# parent's and failed).
"$snap" restore --lazy -v again.img </dev/null 2>>restore.err ||
  fail "restore --lazy of again.img ended with status $?: $(tail -3 restore.err)"
lazily=$(grep -c "its pages follow lazily" restore.err || true)
[[ $lazily == 3 ]] || fail "$lazily processes of the tree said they restored lazily, not 3: $(tail -5 restore.err)"
same run.out native.out
echo "process_tree: a tree with a pipe, a zombie and a grandchild captured and restored twice"
