#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cat /proc/self/maps` under `bascule run`. Where things are mapped differs from a native
# run, so this checks what must hold: the same files are mapped as natively, cat's and
# libc's code is there, the [heap], [stack], [vvar] and [vdso] lines are (the vDSO read
# and execute, as Linux maps it), and every line has the kernel's layout (names from
# column 74).
# Usage: maps_cat.sh BUILD_DIR; $BASCULE_TEST_STACK holds the extension options.
set -euo pipefail
build=$1
read -r -a stack <<<"${BASCULE_TEST_STACK:-}"
cat=$(command -v cat)
maps=$("$build/bascule" run "${stack[@]}" -- "$cat" /proc/self/maps)

fail() {
  echo "FAIL: $1" >&2
  echo "$maps" >&2
  exit 1
}

# The named files of a maps listing, without the kernel's own pseudo-files.
files() { awk 'length($6) && $6 !~ /^\[/ {print $6}' | sort -u; }
native_files=$("$cat" /proc/self/maps | files)
[[ "$(files <<<"$maps")" == "$native_files" ]] ||
  fail "mapped files differ from a native run's: $(diff <(echo "$native_files") <(files <<<"$maps") || true)"

libc=$(grep -m1 '/libc\.so' <<<"$native_files")
grep -Eq " r-xp [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [0-9]+ +$(realpath "$cat")\$" <<<"$maps" ||
  fail "no executable mapping of $(realpath "$cat")"
grep -Eq " r-xp .* ${libc}\$" <<<"$maps" || fail "no executable mapping of $libc"
grep -q ' \[heap\]$' <<<"$maps" || fail "no [heap]"
grep -q ' \[stack\]$' <<<"$maps" || fail "no [stack]"
grep -Eq ' r-xp 00000000 00:00 0 +\[vdso\]$' <<<"$maps" || fail "no [vdso] (r-xp)"
grep -Eq ' r--p 00000000 00:00 0 +\[vvar\]$' <<<"$maps" || fail "no [vvar] (r--p)"
while IFS= read -r line; do
  [[ "$line" =~ ^[0-9a-f]{8,}-[0-9a-f]{8,}\ [r-][w-][x-][ps]\ [0-9a-f]{8}\ [0-9a-f]{2,}:[0-9a-f]{2,}\ [0-9]+\ (\ *)(.*)$ ]] ||
    fail "malformed line: $line"
  name=${BASH_REMATCH[2]}
  [[ -z "$name" || "${line:73}" == "$name" ]] || fail "name not in column 74: $line"
done <<<"$maps"
echo "compat: cat /proc/self/maps has the kernel's layout and the native run's files"
