#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` into a prefix, which is then moved: the moved tree's tools find their
# LibOS, extensions and each other there (never in the build tree), and the example
# extensions build against its CMake package and run: examples/opens (C, the ABI's headers
# only) and examples/watch (C++, with the SDK's static library). Argument: the build
# directory.
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
source "$(dirname "$0")/installed_lib.sh"

cmake --install "$build" --prefix "$work/installed" >install.log || fail "cmake --install"
mv "$work/installed" "$work/moved"
check_tree "$work/moved"

# build_example NAME: examples/NAME configured against the moved tree's package and built,
# with the build tree's own compiler and flags: an SDK built with sanitizers is linked only
# by code built with them.
build_example() {
  local name=$1 flag flags=()
  for flag in CMAKE_C_COMPILER CMAKE_CXX_COMPILER CMAKE_C_FLAGS CMAKE_CXX_FLAGS \
              CMAKE_MODULE_LINKER_FLAGS; do
    flags+=("-D$flag=$(sed -n "s/^$flag:[A-Z]*=//p" "$build/CMakeCache.txt")")
  done
  cmake -S "$examples/$name" -B "$name-build" -DCMAKE_PREFIX_PATH="$work/moved" "${flags[@]}" \
    --no-warn-unused-cli >"$name.log" || fail "configuring examples/$name against the installed package"
  cmake --build "$name-build" >>"$name.log" || fail "building examples/$name"
  only_under "$work/moved" "$(sed -n 's/^bascule_DIR:PATH=//p' "$name-build/CMakeCache.txt")"
}

build_example opens
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

# watch:word=hello counts the writes holding "hello": two of the shell's three echoes; and
# refuses a missing word before the guest runs.
build_example watch
watched=$(BASCULE_EXT_PATH=$work/watch-build "$bascule" run --ext watch:word=hello -- \
  /bin/sh -c 'echo hello; echo bye; echo hello' 2>&1 >/dev/null)
[[ $watched == "watch: 2" ]] || fail "watch:word=hello said '$watched' for two hellos and a bye"
status=0
BASCULE_EXT_PATH=$work/watch-build "$bascule" run --ext watch -- /bin/true 2>refused.txt || status=$?
((status == 2)) && grep -q "watch needs word=TEXT" refused.txt \
  || fail "watch without a word: exit $status, $(cat refused.txt)"
echo "install: the moved tree runs, captures, restores, replays; opens counted $count for" \
  "/bin/true; watch said '$watched'"

