# SPDX-License-Identifier: MIT
# python3 with seven threads, captured while they wait on a condition, read a pipe, sleep,
# compute and poll, and restored after the original process is gone: every thread
# resumes where it was and the output matches a native run.
source "$(dirname "$0")/lib.sh"
script=$(dirname "$0")/threads_work.py
/usr/bin/python3 "$script" >native.out
HOLD_AT=1 start_guest run.out -- /usr/bin/python3 "$script"
wait_for_line run.out "threads started"
capture threads.img
release 1
restore_guest threads.img
same run.out native.out
echo "python_threads: restored output matches"
