#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads bench.sh's hyperfine JSON, one file a round, and trace stats (RESULTS/WORKLOAD.N.json,
# .stats.json) and writes RESULTS/table.md (median wall times over every round's runs,
# ± the standard deviation; record and replay over plain bascule; the
# trace's size and growth; what its program mapped, kept once in the content store) and
# RESULTS/replay.png.
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from plots import grouped_bars  # noqa: E402

results = Path(sys.argv[1])
workloads = sys.argv[2:]
configs = ["native", "bascule", "record", "replay"]
means, stats = {}, {}
for workload in workloads:
    times = {}
    for round_file in sorted(results.glob(f"{workload}.[0-9]*.json")):
        for r in json.loads(round_file.read_text())["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
    means[workload] = {c: (statistics.median(t), statistics.pstdev(t)) for c, t in times.items()}
    stats[workload] = json.loads((results / f"{workload}.stats.json").read_text())

lines = ["| workload | " + " | ".join(f"{c} (s)" for c in configs) +
         " | record / bascule | replay / bascule | trace (MB) | MB/s recorded | content store (MB, once) |",
         "|---|" + "---:|" * (len(configs) + 5)]
for workload in workloads:
    m, s = means[workload], stats[workload]
    megabytes = s["file_bytes"] / 1e6
    row = [f"{m[c][0]:.3f} ± {m[c][1]:.3f}" for c in configs]
    row += [f"{m['record'][0] / m['bascule'][0]:.2f}x",
            f"{m['replay'][0] / m['bascule'][0]:.2f}x",
            f"{megabytes:.1f}",
            f"{megabytes / m['record'][0]:.1f}",
            f"{s['store_bytes'] / 1e6:.1f}"]
    lines.append(f"| {workload} | " + " | ".join(row) + " |")
(results / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

grouped_bars(results / "replay.png", workloads, configs,
             lambda w, c: means[w][c][0] / means[w]["native"][0],
             "record and replay (hyperfine medians)", "wall time / native")
