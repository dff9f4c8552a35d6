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

# replays_the_same TRACE: two replays in the empty directory print what the recording
# printed.
replays_the_same() {
  local trace=$1 run
  for run in 1 2; do
    (cd "$empty" && bounded "$replay_tool" replay "$trace" </dev/null >"$trace.replay$run") ||
      fail "replay $run of $trace ended with status $?"
    cmp -s "$trace.out" "$trace.replay$run" ||
      fail "replay $run of $trace printed $(head -c 300 "$trace.replay$run") where the recording printed $(head -c 300 "$trace.out")"
  done
}
