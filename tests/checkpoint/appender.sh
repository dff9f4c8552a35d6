# SPDX-License-Identifier: MIT
# A program appending to an open file: the file goes on growing from where it was, and a
# restore from an image whose file has changed since is refused unless allowed.
source "$(dirname "$0")/lib.sh"
echo "header" >native.log
"$programs/appender" native.log 20 50 >native.out
echo "header" >run.log
HOLD_AT=6 start_guest run.out -- "$programs/appender" run.log 20 50
wait_for_line run.out "wrote 6"
capture append.img
cp -p run.log run.log.saved
echo "intruder" >>run.log
"$snap" restore append.img </dev/null 2>refused.err && fail "restored over a changed file"
grep -q "changed since the capture" refused.err || fail "unclear refusal: $(cat refused.err)"
cp -p run.log.saved run.log
release 6
restore_guest append.img
same run.out native.out
same run.log native.log
echo "appender: the file continues where it was; a changed file is refused"
