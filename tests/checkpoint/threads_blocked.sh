# SPDX-License-Identifier: MIT
# A C program with threads blocked in a futex wait, a pipe read, a nanosleep, an accept
# and an epoll_wait, captured there and restored after the original process is gone: each
# call goes on blocking in the new process and answers as in a native run (woken, the
# pipe's bytes, a whole sleep, a connection, a readable socket), never EINTR.
source "$(dirname "$0")/lib.sh"
"$programs/threads_blocked" >native.out
HOLD_AT=1 start_guest run.out -- "$programs/threads_blocked"
wait_for_line run.out "threads blocked"
capture blocked.img
threads=$("$snap" inspect --json blocked.img |
  /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["objects"]["thread"]))')
[[ $threads -eq 6 ]] || fail "the image holds $threads threads, not 6"
release 1
restore_guest blocked.img
same run.out native.out
echo "threads_blocked: the futex wait, pipe read, sleep, accept and epoll_wait resumed as native"
