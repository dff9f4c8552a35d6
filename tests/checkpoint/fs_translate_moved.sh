# SPDX-License-Identifier: MIT
# Checkpoint above fs-translate: the image holds the guest's paths, so a guest whose data
# moved on the host restores with another mapping. A program appends to a file through a
# bind; it is captured, the bound directory is moved, and `bascule-snap restore --ext`
# binds the new place: the file goes on growing there, as in an uninterrupted run.
source "$(dirname "$0")/lib.sh"
mkdir -p mnt data
echo "header" >native.log
"$programs/appender" native.log 20 50 >native.out
echo "header" >data/run.log
bind_at() { echo "fs-translate:bind=$work/$1:$work/mnt"; }
HOLD_AT=6 "$bascule" run --ext checkpoint --ext "$(bind_at data)" -- \
  "$programs/appender" "$work/mnt/run.log" 20 50 >run.out 2>run.out.err &
guest_pid=$!
wait_for_line run.out "wrote 6"
capture moved.img
[[ ! -e mnt/run.log ]] || fail "the guest wrote to the mount point itself"
mv data moved-data
release 6
"$snap" restore moved.img --ext checkpoint --ext "$(bind_at moved-data)" </dev/null \
  2>>restore.err || fail "restore with the moved bind ended with status $?"
same run.out native.out
same moved-data/run.log native.log
[[ ! -e mnt/run.log && ! -e data ]] || fail "the restored guest wrote outside the new bind"
echo "fs_translate_moved: the image holds guest paths; restored with the bind moved"
