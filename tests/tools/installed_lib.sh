# SPDX-License-Identifier: MIT
# Shared steps of the tests of an installed tree (install.sh, deb.sh): every check runs the
# tools of a tree outside the build tree, with nothing pointing at the build tree, and
# proves they read only that tree. A test sources this with the build directory as $1; it
# gets the checkpoint tests' helpers (lib.sh: $work, fail, capture, restore_guest), given
# no build directory: their $bascule and $snap are the tree's that use_tree names.
build_directory=$(cd "$1" && pwd)
source "$(dirname "${BASH_SOURCE[0]}")/../checkpoint/lib.sh" "" ""
build=$build_directory
unset BASCULE_EXT_PATH BASCULE_LIBOS DESTDIR
export PATH=/usr/bin:/bin # no build tree on it

# use_tree BINDIR: the tools to test are those of BINDIR.
use_tree() {
  bindir=$1
  bascule=$bindir/bascule
  snap=$bindir/bascule-snap
  replay=$bindir/bascule-replay
}

# only_under PREFIX FILE...: each file lies under PREFIX (so not in the build tree).
only_under() {
  local prefix=$1 file
  shift
  for file in "$@"; do
    [[ $file == "$prefix"/* ]] || fail "$file is not under $prefix"
  done
}

# build_deb: the Debian package CPack builds from the build tree, as $deb.
build_deb() {
  (cd "$build" && cpack -G DEB -B "$work/package") >cpack.log 2>&1 || fail "cpack: $(tail -5 cpack.log)"
  local debs=("$work"/package/bascule_*_amd64.deb)
  [[ -f ${debs[0]} ]] || fail "no bascule_*_amd64.deb from cpack"
  deb=${debs[0]}
}

# check_tree PREFIX: the tools of PREFIX/bin find the extensions and the LibOS of PREFIX,
# run a program, capture and restore it (and a native guest that starts another program
# once restored), record and replay one.
check_tree() {
  local prefix=$1 files
  use_tree "$prefix/bin"
  mapfile -t files < <("$bascule" exts | sed -n 's/^ *file: //p')
  ((${#files[@]} >= 6)) || fail "bascule exts lists ${#files[@]} extensions: ${files[*]}"
  only_under "$prefix" "${files[@]}"
  [[ $("$bascule" run -- /bin/echo hello) == hello ]] || fail "bascule run -- /bin/echo hello"
  # The LibOS image is the first stream the runtime opens.
  "$bascule" run --ext trace:file=trace.log -- /bin/true || fail "bascule run --ext trace"
  local libos
  libos=$(grep -m1 -o 'stream_open(uri="file:[^"]*' trace.log | sed 's/.*file://')
  [[ $libos == */libos.guest ]] || fail "no LibOS image opened first in trace.log"
  only_under "$prefix" "$libos"

  cat >waiter.py <<'PY'
import os, time
print("ready", flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
print("done", flush=True)
PY
  capture_before_go waiter.py ready waiter.img
  touch go
  restore_guest waiter.img
  same run.out native.out

  # A native guest's process_create runs the tool's runtime: after bascule-snap restore, the
  # bascule beside it. The guests are copied out of the build tree.
  cp "$build"/tests/guests/{spawner,hello}.guest .
  rm go
  start_guest spawner.out -- ./spawner.guest ./hello.guest child
  wait_for_line spawner.out waiting
  capture spawner.img
  touch go
  restore_guest spawner.img
  [[ $(<spawner.out) == $'waiting\nhello from a native guest, 2 args: [child]\nspawned: BSC_OK' ]] ||
    fail "the restored spawner printed: $(<spawner.out)"

  # bascule-replay records and replays with the extensions and the LibOS of the tree.
  "$replay" record -o echo.trace --content-store none -- /bin/echo recorded >recorded.out \
    2>record.err || fail "bascule-replay record"
  "$replay" replay echo.trace </dev/null >replayed.out 2>replay.err || fail "bascule-replay replay"
  same replayed.out recorded.out
}
