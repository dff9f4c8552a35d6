#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program calling glibc's clock_gettime, gettimeofday, time, sched_getcpu and
# clock_getres thousands of times under `bascule run --strace`: glibc finds them in the
# LibOS's vDSO, so no such system call is trapped (the log still shows the others, each
# marked patched or trapped).
# Usage: vdso_strace.sh BUILD_DIR PROGRAM; $BASCULE_TEST_STACK holds the extension options.
set -euo pipefail
build=$1
program=$2
read -r -a stack <<<"${BASCULE_TEST_STACK:-}"
log=""
fail() {
  echo "FAIL: $1" >&2
  echo "$log" | tail -20 >&2
  exit 1
}

log=$("$build/bascule" run "${stack[@]}" --strace -- "$program" 2>&1 >/dev/null) ||
  fail "$program ended with status $?"

grep -q 'syscall 1(' <<<"$log" || fail "--strace logged no write(2): the check would prove nothing"
# clock_gettime 228, clock_getres 229, gettimeofday 96, time 201, getcpu 309
trapped=$(grep -cE 'syscall (228|229|96|201|309)\(' <<<"$log" || true)
[[ $trapped -eq 0 ]] || fail "$trapped time system calls were trapped instead of served by the vDSO"
# Each logged call says how it came: glibc's write(2), called 64 times from one site, from
# a patched site once it has trapped often enough, unless every call is trapped or the
# program has no unwind search table to find its functions by (a static one, as Debian's
# gcc links it: core/libos/README.md).
if [[ " ${stack[*]} " == *" --syscall-path=trap "* ]] || ! readelf -lW "$program" | grep -c GNU_EH_FRAME >/dev/null; then
  ! grep -q '\[patched\]$' <<<"$log" || fail "a call came patched where none can be"
else
  grep -qE '^bascule-libos: syscall 1\(.*\[patched\]$' <<<"$log" || fail "glibc's write(2) was not patched"
fi
grep -qE '\[(patched|trapped)\]$' <<<"$log" || fail "--strace does not say which path a call took"
echo "compat: no time system call trapped, the vDSO served them; --strace says each call's path"
