# SPDX-License-Identifier: MIT
# A guest whose stack came from a manifest (with one more --ext below it) is captured and
# restored: the image records every extension of the stack, the manifest's included, in
# order, and the restore rebuilds that stack.
source "$(dirname "$0")/lib.sh"
"$programs/heap_counter" 4 100 6 >native.out
printf '# the top of the stack first\nnull\ncheckpoint\n' >stack.manifest
HOLD_AT=3 "$bascule" run --manifest stack.manifest --ext null -- \
  "$programs/heap_counter" 4 100 6 >run.out 2>run.out.err &
guest_pid=$!
wait_for_line run.out "tick 3"
capture stack.img
stack=$("$snap" inspect stack.img | sed -n 's/^stack *//p')
[[ $stack == "null | checkpoint | null" ]] || fail "the image's stack is '$stack'"
release 3
restore_guest stack.img
same run.out native.out
echo "manifest_stack: restored with the stack $stack"
