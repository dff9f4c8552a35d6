#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing leaves the namespace: ".." chains, links upwards, to / and to host paths, links
# the guest makes, /proc/self/root and directory descriptors all stay inside the root.
# The answers are compared with expected/fs_translate_escape.out, which a chroot with the
# same bind gives natively (checked too when this runs as root with unshare), and the
# secret outside the root is never read.
source "$(dirname "$0")/fs_translate_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$work/outside"
secret=$work/outside/secret
echo "SECRET outside the root" >"$secret"

# set_up DIR: a root with links that point upwards, to / and to the secret's host path.
set_up() {
  local w=$1
  make_root "$w/root"
  mkdir -p "$w/root/tmp/deep" "$w/data"
  ln -s ../../../../../../.. "$w/root/up"
  ln -s / "$w/root/abs"
  ln -s "$secret" "$w/root/hostlink"
  ln -s ../../../../../../../.. "$w/root/tmp/deep/rel"
  ln -s ../../../../../../.. "$w/data/esc"
  ln -s dangle-target "$w/root/tmp/dangle-create"
  copy_check "$w/root" "$here/fs_translate_escape.py"
}

w=$work/bascule
set_up "$w"
in_root "$w/root" "bind=$w/data:/data" -- /usr/bin/python3 /tmp/check.py "$secret" >"$work/bascule.out"
! grep -q SECRET "$work/bascule.out" || fail "the guest read the secret: $(cat "$work/bascule.out")"
diff -u "$here/expected/fs_translate_escape.out" "$work/bascule.out" ||
  fail "an escape attempt answered differently from a chroot"
[[ -f $w/root/tmp/dangle-target ]] || fail "creating through a dangling link did not land in the root"

if can_mount; then
  w=$work/native
  set_up "$w"
  native_in_root "$w/root" "bind_mount $w/data $w/root/data; mount -t proc proc $w/root/proc" \
    /usr/bin/python3 /tmp/check.py "$secret" >"$work/native.out"
  diff -u "$work/native.out" "$work/bascule.out" || fail "a chroot answered differently"
fi
echo "fs_translate_escape: every escape attempt stays inside the namespace"
