# SPDX-License-Identifier: MIT
# Bytes written into a pipe before a capture are read after the restore (and after a
# capture that let the guest run on), and the pid the guest sees is the same in the
# restored process.
source "$(dirname "$0")/lib.sh"
"$programs/pipe_holder" 10 50 >native.out
HOLD_AT=3,5 start_guest run.out -- "$programs/pipe_holder" 10 50
wait_for_line run.out "tick 3"
capture early.img --leave-running # the capture takes the bytes out and puts them back
release 3
wait_for_line run.out "tick 5"
capture pipe.img
release 5
"$snap" inspect pipe.img | grep -q "pipe_read" || fail "the image holds no pipe"
restore_guest pipe.img
same run.out native.out
echo "pipe_and_pid: the pipe's bytes and the pid survive"
