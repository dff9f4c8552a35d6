#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` into a prefix, which is then moved: the moved tree's tools find their
# LibOS, extensions and each other there (never in the build tree), and the example
# extension (examples/opens) builds against its CMake package and runs. Argument: the
# build directory.
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
source "$(dirname "$0")/installed_lib.sh"

cmake --install "$build" --prefix "$work/installed" >install.log || fail "cmake --install"
mv "$work/installed" "$work/moved"
check_tree "$work/moved"

cmake -S "$examples/opens" -B opens-build -DCMAKE_PREFIX_PATH="$work/moved" >opens.log \
  || fail "configuring examples/opens against the installed package"
cmake --build opens-build >>opens.log || fail "building examples/opens"
only_under "$work/moved" "$(sed -n 's/^bascule_DIR:PATH=//p' opens-build/CMakeCache.txt)"
# opens: N, as the guest exits: more than none for /bin/true (its libraries), and exactly
# two more for cat with two more files.
opens() {
  BASCULE_EXT_PATH=$work/opens-build "$bascule" run --ext opens -- "$@" 2>&1 >/dev/null \
    | sed -n 's/^opens: \([0-9]*\)$/\1/p'
}
count=$(opens /bin/true)
((count > 0)) || fail "opens counted '$count' for /bin/true"
one=$(opens /bin/cat /dev/null)
three=$(opens /bin/cat /dev/null /dev/null /dev/null)
((three == one + 2)) || fail "opens counted $one for cat of one file, $three for three"
echo "install: the moved tree runs, captures, restores, replays; opens counted $count for /bin/true"
