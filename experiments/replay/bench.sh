#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Record and replay against native and plain `bascule run`: the experiments/linux
# workloads natively, under `bascule run`, recorded (`bascule-replay record`) and replayed
# (`bascule-replay replay --quiet`), wall time with hyperfine (medians: this VM's speed
# wanders); the trace's size and how fast it grew while recording. A table (table.md) and a plot (replay.png) from plot.py.
# See experiments/README.md.
#
# Usage: experiments/replay/bench.sh [BUILD_DIR] [RUNS] [ROUNDS]   (default build/release, 1, 9)
# Each workload is timed in ROUNDS rounds of RUNS runs of each of its four commands (a
# warm-up run of each in the first round), and the medians are taken over all rounds:
# this VM's speed drifts for tens of seconds at a time, which one hyperfine call (all runs
# of one command, then the next) would turn into a difference between the commands; one
# run of each command per round puts them side by side.
# Environment: RESULTS=DIR (default experiments/replay/results/YYYYmmdd-HHMMSS, git-ignored).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build/release}" && pwd)
runs=${2:-1}
rounds=${3:-9}
results=${RESULTS:-$here/results/$(date +%Y%m%d-%H%M%S)}
bascule=$build/bascule
replay=$build/bascule-replay
command -v hyperfine >/dev/null || { echo "bench.sh: hyperfine is missing (scripts/install-deps --experiments)" >&2; exit 1; }
mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The recordings' content store, the bench's own: the first recording of each workload
# stores what its program maps, the timed ones find it there (every recording after the
# first, as on a machine that records the program again).
export BASCULE_CONTENT_STORE=$work/store

{
  echo "create table t (a integer, b text); begin;"
  seq 1 10000 | sed "s/.*/insert into t values (&, 'row &');/"
  echo "commit; select count(*) from t;"
} >"$work/inserts.sql"
echo 'print(sum(i * i for i in range(3_000_000)))' >"$work/loop.py"

# Each workload: the program and its arguments (no spaces within one), and its standard
# input.
declare -A programs=(
  [python-loop]="/usr/bin/python3 $work/loop.py"
  [sqlite-10k-inserts]="/usr/bin/sqlite3 $work/db"
  [find-usr]="/usr/bin/find /usr -type f"
  [tar-usr-share-doc]="/usr/bin/tar cf $work/doc.tar /usr/share/doc"
)
declare -A inputs=([sqlite-10k-inserts]=$work/inserts.sql)
order=(python-loop sqlite-10k-inserts find-usr tar-usr-share-doc)

for name in "${order[@]}"; do
  program=${programs[$name]}
  input=${inputs[$name]:-/dev/null}
  trace=$work/$name.trace
  # One recording to replay, and its size and duration.
  rm -f "$work/db" "$trace"
  "$replay" record -o "$trace" -- $program <"$input" >/dev/null
  "$replay" stats --json "$trace" >"$results/$name.stats.json"
  for round in $(seq 1 "$rounds"); do
    hyperfine --style none --runs "$runs" --warmup $((round == 1)) --export-json "$results/$name.$round.json" \
      --prepare "rm -f $work/db $work/again.trace" \
      --command-name native "$program <$input >/dev/null" \
      --command-name bascule "$bascule run -- $program <$input >/dev/null" \
      --command-name record "$replay record -o $work/again.trace -- $program <$input >/dev/null" \
      --command-name replay "$replay replay --quiet $trace" >/dev/null
  done
done
/usr/bin/python3 "$here/plot.py" "$results" "${order[@]}"
