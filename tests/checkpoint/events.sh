# SPDX-License-Identifier: MIT
# An epoll (with its items and their data), an eventfd's count, a timerfd's period, a
# signalfd's pending signal and a periodic POSIX timer (its setting, and its service
# thread, which goes on raising its signal) survive a capture and a restore: they are
# LibOS state in guest memory.
source "$(dirname "$0")/lib.sh"
"$programs/events_holder" 6 50 >native.out
HOLD_AT=3 start_guest run.out -- "$programs/events_holder" 6 50
wait_for_line run.out "tick 3"
capture events.img
release 3
restore_guest events.img
same run.out native.out
echo "events: the epoll, eventfd, timerfd, signalfd and POSIX timer survive"
