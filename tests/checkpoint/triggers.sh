# SPDX-License-Identifier: MIT
# Captures the runtime starts itself: --ext checkpoint:at=SECONDS stops the guest with a
# complete image; signal=USR1 writes an image whenever the signal comes and, with
# leave-running, the guest runs on. Both images restore to the native output.
source "$(dirname "$0")/lib.sh"
"$programs/heap_counter" 8 20 50 >native.out

# Held after tick 1, the guest is still running at 0.4 s however loaded the machine; the
# at= capture ends it.
HOLD_AT=1 timeout 60 "$bascule" run --ext checkpoint:at=0.4,image=at.img -- \
  "$programs/heap_counter" 8 20 50 >at.out 2>at.out.err || fail "the at= run ended with status $?"
[[ -f at.img ]] || fail "at= wrote no image"
grep -q "tick 2" at.out && fail "the guest ran on past its hold despite at="
release 1
restore_guest at.img
same at.out native.out

HOLD_AT=3 "$bascule" run --ext checkpoint:signal=USR1,image=sig.img,leave-running -- \
  "$programs/heap_counter" 8 20 50 >sig.out 2>sig.out.err &
guest_pid=$!
wait_for_line sig.out "tick 3"
kill -USR1 "$guest_pid"
for _ in $(seq 600); do [[ -f sig.img ]] && break; sleep 0.1; done
[[ -f sig.img ]] || fail "SIGUSR1 wrote no image after 60 s"
release 3
wait "$guest_pid" || fail "the guest ended with status $? after the signal capture"
guest_pid=""
same sig.out native.out
# The guest went on writing sig.out after the capture: restoring needs the user's consent.
"$snap" restore sig.img </dev/null 2>refused.err && fail "restored over a file that grew"
"$snap" restore --allow-changed-files sig.img </dev/null 2>>restore.err ||
  fail "restore with --allow-changed-files ended with status $?"
same sig.out native.out

# A signal the runtime cannot watch (it needs SIGKILL's default, or one that is no signal)
# is refused before the guest runs: exit status 2, and the guest printed nothing.
for bad in KILL NOSUCH; do
  "$bascule" run --ext "checkpoint:signal=$bad,image=bad.img" -- "$programs/heap_counter" 8 2 1 \
    >bad.out 2>bad.err && fail "signal=$bad was accepted"
  status=$?
  [[ $status == 2 ]] || fail "signal=$bad: exit status $status, not 2: $(cat bad.err)"
  grep -q "signal=$bad is not a signal the runtime can watch" bad.err ||
    fail "signal=$bad: no clear refusal: $(cat bad.err)"
  [[ ! -s bad.out && ! -e bad.img ]] || fail "signal=$bad: the guest ran"
done
echo "triggers: at= and signal= captures restore to the native output; bad signals refused"
