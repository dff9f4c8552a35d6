#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An overlay over a directory tree: python3 creates, modifies, renames and deletes files;
# the guest sees the merged result (compared with expected/fs_translate_overlay.out, which
# Linux's overlayfs gives, checked too when this runs as root with unshare), LOWER's
# checksums and modes are unchanged, and UPPER holds exactly the changes, whiteouts
# (.wh.NAME) and opaque markers (.wh..wh..opq). Then an overlay as the guest's /.
source "$(dirname "$0")/fs_translate_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# make_lower DIR: the tree the overlay shows.
make_lower() {
  local lower=$1
  mkdir -p "$lower/sub/deep" "$lower/gone"
  echo keep >"$lower/keep.txt"
  echo fchmod >"$lower/fchmod.txt"
  echo modify >"$lower/modify.txt"
  echo overwrite >"$lower/overwrite.txt"
  echo rename >"$lower/rename.txt"
  echo replace >"$lower/replace.txt"
  echo delete >"$lower/delete.txt"
  echo s >"$lower/sub/s.txt"
  echo d >"$lower/sub/deep/d.txt"
  echo g >"$lower/gone/g.txt"
}

# state DIR: every name under DIR with its type, mode and content digest.
state() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r path; do
    if [[ -L $path ]]; then echo "$path link $(readlink "$path")"
    elif [[ -d $path ]]; then echo "$path dir $(stat -c %a "$path")"
    else echo "$path file $(stat -c %a "$path") $(sha256sum <"$path" | cut -c1-16)"; fi
  done)
}

lower=$work/lower upper=$work/upper merged=$work/merged
make_lower "$lower"
mkdir -p "$upper" "$merged"
before=$(state "$lower")
"$bascule" run --ext "fs-translate:overlay=$lower:$upper:$merged" -- \
  /usr/bin/python3 "$here/fs_translate_overlay.py" "$merged" >"$work/bascule.out"
diff -u "$here/expected/fs_translate_overlay.out" "$work/bascule.out" ||
  fail "the merged view differs from overlayfs's"
[[ $(state "$lower") == "$before" ]] || fail "LOWER changed: $(diff <(echo "$before") <(state "$lower"))"
[[ -z $(ls -A "$merged") ]] || fail "the mount point itself was written to"
# digest TEXT: the content digest `state` shows for a file holding TEXT and a newline.
digest() { printf '%s\n' "$1" | sha256sum | cut -c1-16; }
empty=$(sha256sum </dev/null | cut -c1-16)
expected_upper="./.wh.delete.txt file 644 $empty
./.wh.rename.txt file 644 $empty
./fchmod.txt file 640 $(digest fchmod)
./gone dir 755
./gone/.wh..wh..opq file 644 $empty
./hard.txt file 644 $(digest s)
./keep.txt file 600 $(digest keep)
./link link keep.txt
./modify.txt file 644 $(digest $'modify\nappended')
./newdir-renamed dir 755
./overwrite.txt file 644 $(digest overwritten)
./renamed.txt file 644 $(digest rename)
./replace.txt file 644 $(digest created)
./sub dir 755
./sub/deep dir 755
./sub/deep/new.txt file 644 $(digest deep)
./sub/s.txt file 644 $(digest s)"
state "$upper" >"$work/upper.state"
[[ $(state "$upper") == "$expected_upper" ]] ||
  fail "UPPER holds other than the changes: $(diff <(echo "$expected_upper") "$work/upper.state")"

if can_mount; then
  mkdir -p "$work/native"/{lower,upper,work,merged}
  make_lower "$work/native/lower"
  if unshare -m bash -ec '
      n=$1; mount -t overlay overlay -o "lowerdir=$n/lower,upperdir=$n/upper,workdir=$n/work" "$n/merged"
      exec /usr/bin/python3 "$2" "$n/merged"' native "$work/native" \
      "$here/fs_translate_overlay.py" >"$work/native.out" 2>"$work/native.err"; then
    diff -u "$work/native.out" "$work/bascule.out" || fail "overlayfs answered differently"
  else
    echo "(no overlayfs here: $(cat "$work/native.err"); compared with the expected file only)"
  fi
fi

# An overlay as the guest's /: a write lands in UPPER, the lower root is unchanged.
root=$work/root-lower
make_root "$root"
mkdir -p "$work/root-upper"
before=$(state "$root")
out=$("$bascule" run --ext "fs-translate:overlay=$root:$work/root-upper,$(root_binds)" -- \
  /bin/bash -c 'echo made >/made; echo $(</made) $(</marker)')
[[ $out == "made inside the root" ]] || fail "the root overlay printed '$out'"
[[ $(state "$root") == "$before" ]] || fail "the lower root changed"
[[ $(state "$work/root-upper") == "./made file 644 $(echo made | sha256sum | cut -c1-16)" ]] ||
  fail "the root overlay's UPPER holds $(state "$work/root-upper")"
echo "fs_translate_overlay: merged view as overlayfs, LOWER unchanged, UPPER holds the changes"
