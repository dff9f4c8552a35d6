# SPDX-License-Identifier: MIT
# A process frozen just after it reaped a child and before it let the child's handle go:
# gdb holds the guest's thread as the host's waitid that reaps returns (reaped_child.gdb),
# the capture begins, and gdb lets the thread go once the freeze's interrupt waits for it,
# so it parks at that downcall's exit with the report in hand. The image holds the child
# as `waited` (before, such a capture was refused: "child ... is not in the tree"), and the
# restored program gets the report, forks and waits again as a native run does.
source "$(dirname "$0")/lib.sh"
# gdb attaches to a process that is not its child: Yama's scope 1 and 2 allow that to
# root only, scope 3 to no one.
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
if (( scope == 3 || (scope != 0 && $(id -u) != 0) )); then
  echo "reaped_child: gdb may not attach to the guest (Yama ptrace_scope $scope, uid $(id -u))"
  exit 77
fi
"$programs/reaper" >native.out
HOLD_AT=1 start_guest run.out -- "$programs/reaper"
wait_for_line run.out "forked"
child=$(ps -o pid= --ppid "$guest_pid" | tr -d ' ')
for _ in $(seq 600); do [[ $(ps -o stat= -p "$child") == Z* ]] && break; sleep 0.05; done
[[ $(ps -o stat= -p "$child") == Z* ]] || fail "the first child has not ended after 30 s"

mkfifo gdb.in
gdb -nx -q -iex "set non-stop on" -p "$guest_pid" -x "$(dirname "$0")/reaped_child.gdb" \
  <gdb.in >gdb.out 2>&1 &
gdb_pid=$!
exec 3>gdb.in
wait_for_output gdb.out "Catchpoint 1 (syscall" "$gdb_pid"
release 1
wait_for_output gdb.out "held thread $guest_pid after the reap" "$gdb_pid"
[[ ! -e /proc/$child ]] || fail "the child is still there after the reap"

"$snap" capture "$guest_pid" -o reaped.img 2>capture.err &
capture_pid=$!
# Whether the host's interrupt signal (62, core/host/internal.h) waits for the thread.
interrupt_pending() { (( 0x$(awk '/^SigPnd/ {print $2}' "/proc/$guest_pid/task/$guest_pid/status") & (1 << 61) )); }
for _ in $(seq 600); do interrupt_pending && break; sleep 0.05; done
interrupt_pending || fail "the freeze did not interrupt the held thread within 30 s"
echo detach >&3
exec 3>&-
wait "$gdb_pid" || true
wait "$capture_pid" || fail "the capture failed: $(cat capture.err)"
wait "$guest_pid" || fail "the captured guest ended with status $?"
guest_pid=""

"$snap" inspect reaped.img >inspect.out
grep -Eq "^  handle=[0-9]+ process_id=[0-9]+ waited=true$" inspect.out ||
  fail "the image does not hold the reaped child as waited: $(grep -A2 '^processes' inspect.out)"
restore_guest reaped.img
same run.out native.out
echo "reaped_child: a process caught between a reap and its handle's release restored"
