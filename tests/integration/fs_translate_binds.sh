#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Read-only and read-write binds answer as Linux bind mounts do (EROFS, EEXIST, EXDEV,
# EBUSY in Linux's order): python3 tries each operation in the guest, and the answers are
# compared with expected/fs_translate_binds.out, which the same script gives natively in
# a mount namespace with real bind mounts (checked too when this runs as root with
# unshare). The read-only trees are left unchanged, the read-write one holds the writes.
source "$(dirname "$0")/fs_translate_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# set_up DIR: a root and the host trees the binds show.
set_up() {
  local w=$1
  make_root "$w/root"
  mkdir -p "$w/data/inner" "$w/inner" "$w/rodir/sub"
  echo d >"$w/data/d.txt"
  echo i >"$w/inner/i.txt"
  echo r >"$w/rodir/r.txt"
  echo rf >"$w/rofile"
  touch "$w/root/rofile"
  copy_check "$w/root" "$here/fs_translate_binds.py"
}

w=$work/bascule
set_up "$w"
before=$(cd "$w" && find rodir inner rofile -exec stat -c '%n %s %Y %a' {} + | sort; cat rodir/r.txt inner/i.txt rofile)
in_root "$w/root" "bind=$w/data:/data,bind=$w/inner:/data/inner:ro,bind=$w/rodir:/ro:ro,bind=$w/rofile:/rofile:ro" \
  -- /usr/bin/python3 /tmp/check.py >"$work/bascule.out"
diff -u "$here/expected/fs_translate_binds.out" "$work/bascule.out" ||
  fail "the binds answered differently from Linux bind mounts"
after=$(cd "$w" && find rodir inner rofile -exec stat -c '%n %s %Y %a' {} + | sort; cat rodir/r.txt inner/i.txt rofile)
[[ $before == "$after" ]] || fail "a read-only tree changed: $before / $after"
[[ $(cat "$w/data/renamed.txt") == written && -d $w/data/newdir && ! -e $w/data/d.txt &&
   $(readlink "$w/data/link") == /marker ]] || fail "the read-write bind lacks the writes: $(ls -l "$w/data")"

# The same script with real bind mounts, when this may make a mount namespace.
if can_mount; then
  w=$work/native
  set_up "$w"
  native_in_root "$w/root" "
    bind_mount $w/data $w/root/data; bind_mount $w/inner $w/root/data/inner ro
    bind_mount $w/rodir $w/root/ro ro; bind_mount $w/rofile $w/root/rofile ro" \
    /usr/bin/python3 /tmp/check.py >"$work/native.out"
  diff -u "$work/native.out" "$work/bascule.out" || fail "native bind mounts answered differently"
fi
echo "fs_translate_binds: read-only and read-write binds answer as Linux bind mounts"
