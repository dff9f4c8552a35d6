# SPDX-License-Identifier: MIT
# `bascule-snap restore --lazy`: the guest resumes before its memory is in, each page it
# touches is served from the image at once and the rest filled behind it, and it ends as an
# uninterrupted native run does — a heap of known content, and threads blocked in five
# kinds of call. A block that does not match its checksum stops the guest, with a message
# naming the block, before any page of it is used.
source "$(dirname "$0")/lib.sh"
lazy_restore() {
  "$snap" restore -v --lazy "$1" </dev/null 2>>restore.err || return $?
  grep -q "its pages follow lazily" restore.err || fail "the restore of $1 was not lazy: $(cat restore.err)"
}

"$programs/heap_counter" 256 8 50 10 >native.out
HOLD_AT=4 start_guest run.out -- "$programs/heap_counter" 256 8 50 10
wait_for_line run.out "tick 4"
capture heap.img
release 4
lazy_restore heap.img || fail "the lazy restore ended with status $?"
same run.out native.out

"$programs/threads_blocked" >threads.native.out
HOLD_AT=1 start_guest threads.out -- "$programs/threads_blocked"
wait_for_line threads.out "threads blocked"
capture threads.img
release 1
lazy_restore threads.img || fail "the lazy restore of the threads ended with status $?"
same threads.out threads.native.out

# A byte of a block in the middle of the heap turned: the heap is summed at the end, so
# the guest reads every page before it prints the digest, which it must never print.
rm -f go.4
cp heap.img bad.img
offset=$(($(stat -c %s bad.img) / 2))
byte=$(od -An -tu1 -j "$offset" -N1 bad.img | tr -d ' ')
printf "\\$(printf %o $((255 - byte)))" | dd of=bad.img bs=1 seek="$offset" conv=notrunc status=none
sed -i '/tick 5/,$d' run.out # the file as the capture left it
touch go.4
status=0
"$snap" restore --lazy --allow-changed-files bad.img </dev/null 2>bad.err || status=$?
[[ $status -eq 1 ]] || fail "a lazy restore with a corrupt block ended with status $status: $(cat bad.err)"
grep -q "the lazy restore stops the guest: .*block [0-9]* does not match its checksum" bad.err ||
  fail "the corrupt block is not named: $(cat bad.err)"
! grep -q digest run.out || fail "the guest went on past a corrupt block: $(tail -3 run.out)"
echo "lazy_restore: guests resumed before their memory was in end as native; a corrupt block stops one"
