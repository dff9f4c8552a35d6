# SPDX-License-Identifier: MIT
# A guest with a live native AIO context is captured between two requests and restored:
# the ring is guest memory at its old address and the context the LibOS's state, with no
# request in flight (each completes at submission), so the restored guest submits, reaps
# and destroys with the same context id.
source "$(dirname "$0")/lib.sh"
"$programs/aio_holder" >native.out
HOLD_AT=2 start_guest run.out -- "$programs/aio_holder"
wait_for_line run.out "tick 2:"
capture aio.img
release 2
restore_guest aio.img
same run.out native.out
echo "aio_context: an AIO context survives a restore"
