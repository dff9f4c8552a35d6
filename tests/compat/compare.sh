#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one command natively and under `bascule run`, each in its own copy of the same
# fixture directory, and compares stdout, stderr, exit status and the files left behind.
# Usage: compare.sh BUILD_DIR FIXTURE STDIN_FILE -- COMMAND ARGS...
# FIXTURE is a script run in the empty work directory to fill it. $BASCULE_TEST_STACK
# (extension options, e.g. "--ext null") is put before `--`.
set -euo pipefail
build=$(cd "$1" && pwd)
fixture=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
stdin_file=$3
shift 4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
read -r -a stack <<<"${BASCULE_TEST_STACK:-}"

for side in native bascule; do
  mkdir -p "$root/$side/w"
  (cd "$root/$side/w" && bash "$fixture")
done
# The same times everywhere, so listings and archives can be compared.
for side in native bascule; do
  find "$root/$side" -exec touch -h -d @1600000000 {} +
done

run_side() {
  local side=$1
  shift
  local status=0
  (cd "$root/$side/w" && "$@") <"$stdin_file" >"$root/$side.out" 2>"$root/$side.err" || status=$?
  echo "$status" >"$root/$side.status"
  (cd "$root/$side/w" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) >"$root/$side.files"
}
run_side native "$@"
run_side bascule "$build/bascule" run "${stack[@]}" -- "$@"

failed=0
for what in status out err files; do
  if ! cmp -s "$root/native.$what" "$root/bascule.$what"; then
    echo "FAIL: $* differs in $what" >&2
    diff -u "$root/native.$what" "$root/bascule.$what" | head -20 >&2 || true
    failed=1
  fi
done
[[ $failed -eq 0 ]] && echo "compat: $* matches the native run"
exit $failed
