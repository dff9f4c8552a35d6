#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fast calls (core/host/fast_calls.cpp) run with the guest's %fs: their object may not
# read or write through %fs, nor call anything the runtime's executable takes from a
# shared library (a lazily bound call runs the dynamic linker's resolver, which writes
# the thread pointer's block).
source "$(dirname "$0")/lib.sh"
object=$(find "$build/core/host" -name 'fast_calls.cpp.o' -print)
[[ -n $object ]] || fail "no fast_calls.cpp.o under $build/core/host"
objdump -d --no-show-raw-insn "$object" >"$work/code"
grep -c 'call' "$work/code" >/dev/null || fail "objdump shows no calls: not the code expected"
if grep '%fs' "$work/code" >"$work/fs"; then
  fail "fast_calls.cpp reaches %fs: $(cat "$work/fs")"
fi
nm -u "$object" | awk '{print $2}' | sort >"$work/needed"
nm -D --undefined-only "$bascule" | awk '{print $2}' | sed 's/@.*//' | sort >"$work/shared"
comm -12 "$work/needed" "$work/shared" >"$work/from_libraries"
[[ ! -s $work/from_libraries ]] ||
  fail "fast_calls.cpp calls into shared libraries: $(tr '\n' ' ' <"$work/from_libraries")"
echo "fast_calls_self_contained: $(wc -l <"$work/needed") symbols, all the runtime's own; no %fs"
