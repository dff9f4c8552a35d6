#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Migration's frozen time, with and without pre-copy: a 1 GiB heap that rewrites 1% of its
# pages every second (tests/checkpoint/programs/heap_counter: 1024 MiB, a tick a second,
# 1% touched per tick) is sent over TCP to a `bascule-snap receive` on this machine.
#   full      `bascule-snap capture PID --to tcp://127.0.0.1:PORT`: frozen for the whole
#             image;
#   pre-copy  `... --pre-copy`: rounds copied while it runs (each sent at once), frozen
#             for the last, the pages changed since the round before.
# Frozen time is what bascule-snap reports ("frozen-ms:"); wall time is the whole command,
# sending included. See experiments/README.md.
#
# Usage: experiments/checkpoint/migration.sh [BUILD_DIR] [REPS]   (default build/release, 3)
# Environment: MIB=1024 TOUCH=1 (percent of the heap's pages rewritten each second),
#   RESULTS=DIR (default experiments/checkpoint/results/migration-YYYYmmdd-HHMMSS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build/release}" && pwd)
reps=${2:-3}
mib=${MIB:-1024}
touch_percent=${TOUCH:-1}
results=${RESULTS:-$here/results/migration-$(date +%Y%m%d-%H%M%S)}
workload=$build/tests/checkpoint/heap_counter
[[ -x $workload ]] || { echo "migration.sh: no $workload (build the tests)" >&2; exit 1; }
mkdir -p "$results"
work=$(mktemp -d)
guest=""
trap '[[ -n $guest ]] && kill -9 "$guest" 2>/dev/null; rm -rf "$work"' EXIT
port=$((30000 + $$ % 20000))
echo "mode,rep,frozen_ms,wall_s,rounds" >"$results/runs.csv"

for rep in $(seq "$reps"); do
  for mode in full pre-copy; do
    "$build/bascule" run --ext checkpoint -- "$workload" "$mib" 600 1000 "$touch_percent" \
      >"$work/out" 2>/dev/null &
    guest=$!
    until grep -q "tick 3" "$work/out" 2>/dev/null; do sleep 0.1; done
    "$build/bascule-snap" receive --listen "$port" -o "$work/moved.img" 2>"$work/receive.err" &
    receiver=$!
    until grep -q listening "$work/receive.err" 2>/dev/null; do sleep 0.05; done
    flags=(--to "tcp://127.0.0.1:$port" --stats)
    [[ $mode == pre-copy ]] && flags+=(--pre-copy)
    started=$(date +%s%N)
    "$build/bascule-snap" capture "$guest" "${flags[@]}" 2>"$work/capture.err"
    ended=$(date +%s%N)
    wait "$receiver"
    wait "$guest" || true
    guest=""
    frozen=$(sed -n 's/^frozen-ms: //p' "$work/capture.err")
    rounds=$(grep -c "pre-copy round" "$work/capture.err" || true)
    wall=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    echo "$mode,$rep,$frozen,$wall,$rounds" | tee -a "$results/runs.csv"
    rm -f "$work"/*.img
  done
done

/usr/bin/python3 - "$results/runs.csv" <<'PY' | tee "$results/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
median = {}
for mode in ("full", "pre-copy"):
    runs = [r for r in rows if r["mode"] == mode]
    median[mode] = statistics.median(float(r["frozen_ms"]) for r in runs)
    wall = statistics.median(float(r["wall_s"]) for r in runs)
    print(f"{mode:9} frozen {median[mode]:8.1f} ms (median of {len(runs)}), wall {wall:.2f} s")
print(f"pre-copy frozen / full frozen = {median['pre-copy'] / median['full']:.3f}")
PY
