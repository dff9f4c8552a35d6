#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A thread an extension starts from host code on a guest thread inherits that thread's %gs
# (the guest thread's TCB) and signal mask: a signal it takes is the runtime's own, not
# the guest thread's (its %fs stays its own), and one meant for the guest is passed on
# to a guest thread. The test extension thread-signals sends its thread a SIGCHLD; the
# guest's output is untouched, on the trap path and the patched one.
source "$(dirname "$0")/lib.sh"
export BASCULE_EXT_PATH=$build/tests/extensions
for path in patch trap; do
  run_status status "$bascule" run --syscall-path=$path --ext thread-signals -- /bin/echo hello \
    >"$work/out" 2>"$work/err"
  [[ $status -eq 0 ]] || fail "--syscall-path=$path: status $status: $(cat "$work/err")"
  [[ $(cat "$work/out") == hello ]] || fail "--syscall-path=$path: output $(cat "$work/out")"
  grep -c "^thread-signals: the thread's %fs is its own after a signal$" "$work/err" >/dev/null ||
    fail "--syscall-path=$path: $(cat "$work/err")"
done
echo "extension_threads: a signal in an extension's thread left its %fs and the guest alone"
