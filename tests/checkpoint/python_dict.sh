# SPDX-License-Identifier: MIT
# python3 building a large dict and printing digests while sleeping, captured between
# two rounds and restored after the original process is gone.
source "$(dirname "$0")/lib.sh"
script=$(dirname "$0")/dict_digests.py
/usr/bin/python3 "$script" >native.out
HOLD_AT=3 start_guest run.out -- /usr/bin/python3 "$script"
wait_for_line run.out "round 3"
capture dict.img
release 3
restore_guest dict.img
same run.out native.out
echo "python_dict: restored output matches"
