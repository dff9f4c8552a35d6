# SPDX-License-Identifier: MIT
# A private file mapping longer than its file (pages past the end raise SIGBUS when read,
# as a dynamic loader's reservation of a library's span has) is captured without reading
# those pages, and the restored guest goes on as a native run does.
source "$(dirname "$0")/lib.sh"
"$programs/past_eof" "$work/native.file" 8 >native.out
HOLD_AT=3 start_guest run.out -- "$programs/past_eof" "$work/run.file" 8
wait_for_line run.out "tick 3:"
capture past_eof.img
release 3
restore_guest past_eof.img
same run.out native.out
echo "past_eof: a mapping past its file's end is captured and restored"
