#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bascule run --verbose` says, per object, what became of the system call sites that ran
# (core/libos/README.md, "Patched system call sites"): as the object goes (here a copy of
# the program's code, mapped read-only, made executable and run 64 times, then unmapped)
# and at exit. The copy's site is patched where the path allows it, never on the trap path.
source "$(dirname "$0")/lib.sh"
program=$build/tests/syscalls/syscalls_syscall_sites
name=$(basename "$program")
test_case=own_code_mapped_read_only_then_made_executable

for path in patch trap; do
  run_status status "$bascule" run --verbose --syscall-path=$path -- "$program" $test_case \
    >"$work/out" 2>"$work/err"
  [[ $status -eq 0 ]] || fail "--syscall-path=$path: status $status: $(cat "$work/err" "$work/out")"
  copy=$(grep -c "^bascule-libos: $name: 1 system call sites ran: " "$work/err" || true)
  libc=$(grep -cE '^bascule-libos: libc\.so\.6: [0-9]+ system call sites ran: ' "$work/err" || true)
  if [[ $path == patch ]]; then
    [[ $copy -eq 1 && $libc -eq 1 ]] || fail "no report of the copy and of libc: $(cat "$work/err")"
    grep -c "^bascule-libos: $name: 1 system call sites ran: 1 patched, 0 on the trap path (0 found unsafe)$" \
      "$work/err" >/dev/null || fail "the copy's site was not patched: $(cat "$work/err")"
  else
    [[ $copy -eq 0 && $libc -eq 0 ]] || fail "sites reported with every call trapped: $(cat "$work/err")"
  fi
done
# Without --verbose nothing is said.
run_status status "$bascule" run -- "$program" $test_case >"$work/out" 2>"$work/err"
[[ $status -eq 0 && ! -s $work/err ]] || fail "status $status, said: $(cat "$work/err")"
echo "verbose_sites: the copy's site patched and reported as it went, libc's at exit"
