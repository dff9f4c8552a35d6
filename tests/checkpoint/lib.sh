# SPDX-License-Identifier: MIT
# Shared steps of the checkpoint tests: start a guest under `bascule run --ext checkpoint`,
# wait for a line of its output, capture it, restore it, and compare with a native run.
# A test script sources this with the build directory as $1 and the test programs'
# directory as $2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../waiting.sh"
build=$1
programs=$2
bascule=$build/bascule
snap=$build/bascule-snap
work=$(mktemp -d)
guest_pid=""
cleanup() {
  [[ -n $guest_pid ]] && kill -9 "$guest_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.err; do [[ -s $f ]] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  for f in "$work"/*.out; do [[ -s $f ]] && { echo "--- end of $f" >&2; tail -4 "$f" >&2; }; done
  exit 1
}

# start_guest OUT -- PROGRAM ARGS...: runs it under bascule in the background, stdout to
# OUT, stderr to OUT.err, stdin from /dev/null; sets guest_pid. With HOLD_AT=N,... before
# it, the workload waits after tick N until `release N`, so a capture taken there cannot
# come too late, however loaded the machine.
start_guest() {
  local out=$1
  shift 2
  "$bascule" run --ext checkpoint -- "$@" >"$out" 2>"$out.err" &
  guest_pid=$!
}

# wait_for_line FILE PATTERN: until a line of FILE matches PATTERN (60 s at most).
wait_for_line() { wait_for_output "$1" "$2" "$guest_pid"; }

# guest_ends: the background guest ends, within 60 s, with status 0.
guest_ends() {
  for _ in $(seq 600); do
    kill -0 "$guest_pid" 2>/dev/null || break
    sleep 0.1
  done
  ! kill -0 "$guest_pid" 2>/dev/null || fail "the guest has not ended after 60 s"
  wait "$guest_pid" || fail "the guest ended with status $?"
  guest_pid=""
}

# release TICK: lets a workload started with HOLD_AT listing TICK go on past it
# (programs/hold.h).
release() {
  touch "$work/go.$1"
}

# capture IMAGE [ARGS...]: captures guest_pid; without --leave-running the guest must then
# end with status 0.
capture() {
  local image=$1
  shift
  "$snap" capture "$guest_pid" -o "$image" "$@" 2>>capture.err || fail "capture to $image failed"
  [[ -f $image ]] || fail "no image $image after the capture"
  if [[ " $* " != *" --leave-running "* ]]; then
    local status=0
    wait "$guest_pid" || status=$?
    [[ $status -eq 0 ]] || fail "the captured guest ended with status $status"
    guest_pid=""
  fi
}

# capture_before_go PROGRAM LINE IMAGE: a python3 PROGRAM that waits for a file "go" in its
# working directory once it has printed LINE: run natively with the file there (to
# native.out), then under bascule (to run.out) until LINE, and captured into IMAGE.
capture_before_go() {
  touch go
  /usr/bin/python3 "$1" >native.out
  rm go
  start_guest run.out -- /usr/bin/python3 "$1"
  wait_for_line run.out "$2"
  capture "$3"
}

# restore_guest IMAGE [--background]: resumes the image; in the background it becomes
# guest_pid (so it can be captured again), else it runs to the end.
restore_guest() {
  if [[ ${2:-} == --background ]]; then
    "$snap" restore "$1" </dev/null 2>>restore.err &
    guest_pid=$!
    # Ready for the next capture once its runtime listens.
    for _ in $(seq 600); do
      [[ -S /tmp/bascule-$(id -u)/$guest_pid.sock ]] && return 0
      kill -0 "$guest_pid" 2>/dev/null || { wait "$guest_pid"; fail "the restored guest ended with status $? before it listened"; }
      sleep 0.05
    done
    fail "the restored guest has no control socket after 30 s"
  else
    "$snap" restore "$1" </dev/null 2>>restore.err || fail "restore of $1 ended with status $?"
  fi
}

# same FILE EXPECTED: the files are identical.
same() {
  cmp -s "$1" "$2" || fail "$1 differs from $2: $(diff "$1" "$2" | head -10)"
}
