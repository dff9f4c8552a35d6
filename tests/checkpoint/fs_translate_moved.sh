# SPDX-License-Identifier: MIT
# Checkpoint above fs-translate: the image holds the guest's paths, so a guest whose files
# moved on the host restores with another mapping. A program appends to a file through a
# bind, then in an assembled root; each time it is captured, the bound directory (the
# root) is moved, and `bascule-snap restore --ext` maps the new place: the file goes on
# growing there, as in an uninterrupted run.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
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

# The same with the whole root moved: the program and the host's libraries are bound into
# a root made here, and the guest works in its / (the gate files of `release` too). Its
# standard output and error are files in the root as well: a restore re-opens a file that was
# stdio by its path, and one outside the namespace has no guest path to be re-opened by.
source "$here/../../extensions/fs-translate/host_root.sh"
root=$work/root
host_root_make "$root"
mkdir -p "$root$programs"
binds="$(host_root_binds),bind=$programs:$programs:ro"
echo "header" >"$root/run.log"
(cd "$root" && HOLD_AT=6 exec "$bascule" run --ext checkpoint --ext "fs-translate:root=$root,$binds" \
  -- "$programs/appender" /run.log 20 50 >"$root/run.out" 2>"$root/run.err") &
guest_pid=$!
wait_for_line "$root/run.out" "wrote 6"
capture root.img
mv "$root" "$work/moved-root"
touch "$work/moved-root/go.6"
"$snap" restore root.img --ext checkpoint --ext "fs-translate:root=$work/moved-root,$binds" \
  </dev/null 2>>restore.err || fail "restore with the moved root ended with status $?"
same moved-root/run.out native.out
same moved-root/run.log native.log
echo "fs_translate_moved: the image holds guest paths; restored with the bind, the root moved"
