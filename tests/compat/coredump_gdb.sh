#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A core file the LibOS writes, read by gdb: bash under `bascule run` runs a program that
# aborts with RLIMIT_CORE unlimited and says "(core dumped)", and `gdb -batch` on the core
# shows what it shows for a native run's core: both threads, the aborting one's frames
# (abort_here, call_abort_here, main) and the other's (waiting_thread).
# Usage: coredump_gdb.sh BUILD_DIR PROGRAM; $BASCULE_TEST_STACK holds the extension options.
set -euo pipefail
build=$1 program=$2
read -r -a stack <<<"${BASCULE_TEST_STACK:-}"
pattern=$(cat /proc/sys/kernel/core_pattern)
[[ "$pattern" == core && "$(cat /proc/sys/kernel/core_uses_pid)" == 0 ]] || {
  echo "FAIL: this test needs core_pattern 'core' and core_uses_pid 0 (has '$pattern')" >&2
  exit 1
}
work=$(mktemp -d /tmp/coredump-gdb.XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $1" >&2
  exit 1
}

# The frames gdb shows of the core in directory $1, one function name a line per thread.
frames() {
  gdb -batch -nx -ex 'thread apply all bt' "$program" "$1/core" 2>/dev/null |
    sed -n 's/^#[0-9]* *\(0x[0-9a-f]* in \)\{0,1\}\([A-Za-z_][A-Za-z_0-9]*\) .*/\2/p'
}

mkdir "$work/native" "$work/bascule"
(cd "$work/native" && bash -c "ulimit -c unlimited; \"$program\"; true" 2>/dev/null)
shell_said=$(cd "$work/bascule" &&
  "$build/bascule" run "${stack[@]}" -- /bin/bash -c "ulimit -c unlimited; \"$program\"; true" 2>&1)
grep -q '(core dumped)' <<<"$shell_said" || fail "bash did not say (core dumped): $shell_said"
[[ -f "$work/bascule/core" ]] || fail "no core file"
[[ "$(stat -c %a "$work/bascule/core")" == 600 ]] || fail "the core's mode is not 0600"
native=$(frames "$work/native")
ours=$(frames "$work/bascule")
for f in abort_here call_abort_here main waiting_thread; do
  grep -qx "$f" <<<"$ours" || fail "gdb shows no $f frame: $ours"
done
[[ "$native" == "$ours" ]] || fail "gdb's frames differ from a native core's: $(diff <(echo "$native") <(echo "$ours") || true)"
