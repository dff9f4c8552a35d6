# SPDX-License-Identifier: MIT
# Shared helpers of the record/replay tests. Each script gets the build directory as $1
# and exits non-zero with a message on the first failure.
set -euo pipefail

build=$(cd "$1" && pwd)
replay_tool=$build/bascule-replay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Replays run in a directory of their own, empty, so that nothing they read comes from it.
empty=$work/empty
mkdir -p "$empty"
# The content store of the recordings (the pages their programs mapped): the test's own.
export BASCULE_CONTENT_STORE=$work/store

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

source "$(dirname "${BASH_SOURCE[0]}")/../machine.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../waiting.sh"

# A replay that hangs must not hang the suite: every run is bounded.
bounded() { timeout -s KILL 120 "$@"; }

# record TRACE CMD...: records CMD, run in the current directory, into TRACE; its stdout
# goes to TRACE.out.
record() {
  local trace=$1
  shift
  bounded "$replay_tool" record -o "$trace" -- "$@" >"$trace.out" ||
    fail "recording $* ended with status $?"
}

# expect OUTPUT LINE...: each line (a grep -E pattern) is in OUTPUT.
expect() {
  local output=$1 line
  shift
  for line in "$@"; do
    grep -Eq -- "$line" "$output" || fail "gdb did not show '$line'; it showed: $(cat "$output")"
  done
}

# gdb_run PROGRAM TARGET GDB-COMMAND...: Debian's gdb in batch mode on PROGRAM, connected
# with TARGET, makes the commands.
gdb_run() {
  local program=$1 target=$2 args=()
  shift 2
  for command in "$@"; do args+=(-ex "$command"); done
  (cd "$empty" && bounded gdb -q -nx -batch -ex 'set remotetimeout 60' -ex "$target" \
    "${args[@]}" "$program")
}

# gdb_on OUTPUT PROGRAM TARGET GDB-COMMAND...: gdb_run, which must succeed; what gdb
# shows goes to OUTPUT.
gdb_on() {
  local output=$1
  shift
  gdb_run "$@" >"$output" 2>&1 || fail "gdb ended with status $?: $(cat "$output")"
}

# replays_the_same TRACE: two replays in the empty directory print what the recording
# printed.
replays_the_same() {
  local trace=$1 run
  for run in 1 2; do
    (cd "$empty" && bounded "$replay_tool" replay "$trace" </dev/null >"$trace.replay$run" \
      2>"$trace.replay$run.err") ||
      fail "replay $run of $trace ended with status $?: $(tail -5 "$trace.replay$run.err")"
    # A whole recording never reads as a cut one (a thread still waiting as the process
    # ended once took the end of its trace for a cut and ended the process itself).
    ! grep -q "recording was cut" "$trace.replay$run.err" ||
      fail "replay $run of $trace took the whole recording for a cut one"
    cmp -s "$trace.out" "$trace.replay$run" ||
      fail "replay $run of $trace printed $(head -c 300 "$trace.replay$run") where the recording printed $(head -c 300 "$trace.out")"
  done
}

# capture_while_recording NAME LINE CMD...: records CMD, run in the current directory, into
# $work/NAME.trace with the checkpoint extension above, its stdout and stderr through pipes
# into NAME.out and NAME.err (a restore replaces pipes with its own; files would be
# reopened); once NAME.out has LINE, captures it into $work/NAME.img (bascule-replay becomes
# bascule: the recording's pid is its runtime's, in $recording, which the test's end kills
# if it still runs) and lets it run on to its end.
capture_while_recording() {
  local name=$1 line=$2
  shift 2
  "$replay_tool" record -o "$work/$name.trace" --ext checkpoint -- "$@" \
    > >(cat >"$name.out") 2> >(cat >"$name.err") &
  recording=$!
  trap 'kill -9 $recording 2>/dev/null || true; rm -rf "$work"' EXIT
  wait_for_output "$name.out" "$line" $recording
  "$build/bascule-snap" capture $recording -o "$work/$name.img" --leave-running 2>capture.err ||
    fail "capture while recording: $(cat capture.err "$name.err")"
  wait $recording || fail "the recording ended with status $?: $(cat "$name.err")"
}
