#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fs-translate's cache of walked directories (directory_cache.h): a file three directories
# down is looked up after each change to a directory on its way (swapped for a link,
# removed and made again, renamed), made by the guest itself, by a child it forks, and by
# a process outside the guest (fs_translate_cache.py). The answers must be those of the
# same script run natively on the same tree. Then links to host paths, which lead nowhere
# in the namespace (fs_translate_cache_escape.py): nothing outside is ever read.
source "$(dirname "$0")/fs_translate_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
root=$work/root
make_root "$root"
cp "$here/fs_translate_cache.py" "$root/tmp/cache.py"
cp "$here/fs_translate_cache_helpers.py" "$root/tmp/"

# fresh_tree DIR: d/sub/f ("one"), other/sub/f ("two"), x/sub/f ("three"), the FIFOs.
fresh_tree() {
  rm -rf "$1" && mkdir -p "$1"/{d,other,x}/sub
  echo one >"$1/d/sub/f"
  echo two >"$1/other/sub/f"
  echo three >"$1/x/sub/f"
  mkfifo "$1/request" "$1/done"
}

# helper DIR: runs the commands the guest sends through DIR/request, in DIR, until "exit".
helper() {
  local command
  while true; do
    command=$(cat "$1/request")
    [[ $command == exit ]] && { : >"$1/done"; return; }
    (cd "$1" && eval "$command")
    : >"$1/done"
  done
}

# compare: the script run natively in BASE and under fs-translate in the root's /t.
tree=$root/t
fresh_tree "$tree"
helper "$tree" &
/usr/bin/python3 "$root/tmp/cache.py" "$tree" >"$work/native"
wait
fresh_tree "$tree"
helper "$tree" &
run_status status in_root "$root" -- /usr/bin/python3 /tmp/cache.py /t >"$work/guest"
wait
[[ $status -eq 0 ]] || fail "the guest ended with status $status: $(cat "$work/guest")"
diff -u "$work/native" "$work/guest" || fail "fs-translate's answers differ from native"
[[ $(wc -l <"$work/guest") -eq 17 ]] || fail "the guest stopped early: $(cat "$work/guest")"

# Links to host paths (fs_translate_cache_escape.py): made by the guest, by its child, and
# from outside, to a directory outside the root holding the same names.
cp "$here/fs_translate_cache_escape.py" "$root/tmp/escape.py"
mkdir -p "$work/outside/sub"
echo SECRET >"$work/outside/f"
echo SECRET >"$work/outside/sub/f"
fresh_tree "$tree"
helper "$tree" &
run_status status in_root "$root" -- /usr/bin/python3 /tmp/escape.py "$work/outside" "$tree" \
  >"$work/escape"
wait
[[ $status -eq 0 ]] || fail "the escape guest ended with status $status: $(cat "$work/escape")"
! grep -q SECRET "$work/escape" || fail "the guest read outside the root: $(cat "$work/escape")"
cat >"$work/expected" <<'EOF'
start file one directory one
self: a link to a host path ENOENT ENOENT
self: back file one directory one
child: a link to a host path ENOENT ENOENT
child: back file one directory one
outside: a link out ENOENT ENOENT
outside: the parent a link out ENOENT ENOENT
EOF
diff -u "$work/expected" "$work/escape" || fail "a stale directory answered"
echo "fs_translate_cache: $(wc -l <"$work/guest") steps as native; no stale directory, no escape"
