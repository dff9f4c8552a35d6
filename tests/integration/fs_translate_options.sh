#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fs-translate refuses bad options before the guest runs, with exit code 2 and a message
# naming the option; a manifest line and repeated binds are accepted.
source "$(dirname "$0")/fs_translate_lib.sh"

make_root "$work/root"
mkdir -p "$work/root/mnt" "$work/dir"
echo file >"$work/file"
touch "$work/root/plain"

expect_refused() {
  local pattern=$1 spec=$2
  run_status status "$bascule" run --ext "$spec" -- /bin/true >"$work/out" 2>"$work/err"
  [[ $status -eq 2 ]] || fail "'$spec' gave exit status $status, expected 2: $(cat "$work/err")"
  grep -qF -- "$pattern" "$work/err" || fail "'$spec' said '$(cat "$work/err")', expected '$pattern'"
}

expect_refused "root=$work/missing: $work/missing: No such file" "fs-translate:root=$work/missing"
expect_refused "root=$work/file: $work/file is not a directory" "fs-translate:root=$work/file"
expect_refused "option 'root' given twice" "fs-translate:root=$work/root,root=$work/root"
expect_refused "bind=$work/missing:/mnt: $work/missing: No such file" \
  "fs-translate:root=$work/root,bind=$work/missing:/mnt"
expect_refused "bind=$work/dir:/nowhere: /nowhere does not exist in the namespace" \
  "fs-translate:root=$work/root,bind=$work/dir:/nowhere"
expect_refused "bind=$work/dir:/plain: a directory cannot be bound over the non-directory /plain" \
  "fs-translate:root=$work/root,bind=$work/dir:/plain"
expect_refused "bind=$work/file:/mnt: a non-directory cannot be bound over the directory /mnt" \
  "fs-translate:root=$work/root,bind=$work/file:/mnt"
expect_refused "bind=$work/dir:/mnt:rx: the third field must be ro or rw, not 'rx'" \
  "fs-translate:root=$work/root,bind=$work/dir:/mnt:rx"
expect_refused "bind=$work/dir: expected HOST_PATH:GUEST_PATH[:ro]" \
  "fs-translate:root=$work/root,bind=$work/dir"
expect_refused "bind=$work/dir:mnt: the guest path must be absolute" \
  "fs-translate:root=$work/root,bind=$work/dir:mnt"
expect_refused "bind=$work/dir:/mnt/../mnt: /mnt is bound already" \
  "fs-translate:root=$work/root,bind=$work/dir:/mnt,bind=$work/dir:/mnt/../mnt"
expect_refused "bind=$work/dir:/: the guest's / is set with root=" \
  "fs-translate:root=$work/root,bind=$work/dir:/"
expect_refused "unknown option 'map'" "fs-translate:map=/a=/b"
mkdir -p "$work/lower/inner" "$work/upper"
expect_refused "overlay=$work/missing:$work/upper: $work/missing: No such file" \
  "fs-translate:overlay=$work/missing:$work/upper"
expect_refused "overlay=$work/lower:$work/file: $work/file is not a directory" \
  "fs-translate:overlay=$work/lower:$work/file"
expect_refused "overlay=$work/lower:$work/lower/inner: the upper and lower directories overlap" \
  "fs-translate:overlay=$work/lower:$work/lower/inner"
expect_refused "overlay=$work/lower:$work/upper: contradicts root=$work/root: both set the guest's /" \
  "fs-translate:root=$work/root,overlay=$work/lower:$work/upper"
expect_refused "overlay=$work/lower:$work/upper:/: the guest's / has an overlay already" \
  "fs-translate:overlay=$work/lower:$work/upper,overlay=$work/lower:$work/upper:/"
expect_refused "overlay=$work/lower:$work/upper:/nowhere: /nowhere does not exist" \
  "fs-translate:root=$work/root,overlay=$work/lower:$work/upper:/nowhere"

# The ordering constraint: checkpoint above fs-translate (images hold guest paths).
run_status status "$bascule" run --ext "fs-translate:root=$work/root" --ext checkpoint -- /bin/true \
  2>"$work/err"
[[ $status -eq 2 ]] && grep -qF "fs-translate (position 0) must sit below checkpoint" "$work/err" ||
  fail "fs-translate above checkpoint gave $status: $(cat "$work/err")"
out=$("$bascule" run --ext checkpoint --ext "fs-translate:root=$work/root,$(root_binds)" -- \
  /bin/bash -c 'echo $(</marker)')
[[ $out == "inside the root" ]] || fail "checkpoint above fs-translate printed '$out'"

# Binds repeat, and a manifest line builds the same stack.
binds=$(root_binds)
printf '# an assembled root\nfs-translate:root=%s,%s\n' "$work/root" "$binds" >"$work/manifest"
out=$("$bascule" run --manifest "$work/manifest" -- /bin/bash -c 'echo $(</plain)listed')
[[ $out == listed ]] || fail "the manifest's stack printed '$out'"
echo "fs_translate_options: bad options refused with exit code 2, binds repeat, manifests work"
