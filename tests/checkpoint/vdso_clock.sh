# SPDX-License-Identifier: MIT
# A guest timing itself with clock_gettime through the LibOS's vDSO is captured (almost
# always inside a vDSO call), restored, and goes on: the vDSO and its data page are guest
# memory at the same addresses, so it still answers, still without a trap (the LibOS's
# --strace, part of the image, logs the restored guest's system calls: its loop's
# clock_gettime(CLOCK_MONOTONIC) and gettimeofday are not among them; the program makes
# the CLOCK_REALTIME system call itself to compare).
source "$(dirname "$0")/lib.sh"
"$programs/vdso_clock" 10 100 >native.out
# Held after its ninth tick (programs/hold.h), the guest cannot have ended when the second
# capture comes, however slow the machine; it comes while ticks 5 to 9 spin in the vDSO,
# unless the machine is slow enough that the guest already waits there.
HOLD_AT=9 "$bascule" run --ext checkpoint --strace -- "$programs/vdso_clock" 10 100 \
  >run.out 2>run.out.err &
guest_pid=$!
wait_for_line run.out "tick 2:"
capture early.img --leave-running
wait_for_line run.out "tick 4:"
capture vdso.img
release 9
restore_guest vdso.img
same run.out native.out
grep -q 'syscall 1(' restore.err || fail "the restored guest logged no write(2)"
for log in run.out.err restore.err; do
  ! grep -qE 'syscall (228\(1,|96\()' $log || fail "clock_gettime or gettimeofday trapped ($log)"
done
echo "vdso_clock: the vDSO answers after a restore, without a trap"
