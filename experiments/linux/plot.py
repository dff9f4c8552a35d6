#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads overhead.sh's results (RESULTS/WORKLOAD.json from hyperfine, RESULTS/getppid.txt)
# and writes RESULTS/table.md (mean wall time per configuration, each against native, and
# proot against patched bascule) and RESULTS/overhead.png.
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from grouped_bars import grouped_bars  # noqa: E402

results = Path(sys.argv[1])
workloads = sys.argv[2:]
configs = ["native", "patched", "trapped", "proot"]
means = {}
for workload in workloads:
    data = json.loads((results / f"{workload}.json").read_text())
    means[workload] = {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in data["results"]}

lines = ["| workload | " + " | ".join(f"{c} (s)" for c in configs) +
         " | patched / native | trapped / native | proot / patched |",
         "|---|" + "---:|" * (len(configs) + 3)]
for workload in workloads:
    m = means[workload]
    row = [f"{m[c][0]:.3f} ± {m[c][1]:.3f}" for c in configs]
    row += [f"{m['patched'][0] / m['native'][0]:.2f}x",
            f"{m['trapped'][0] / m['native'][0]:.2f}x",
            f"{m['proot'][0] / m['patched'][0]:.1f}x"]
    lines.append(f"| {workload} | " + " | ".join(row) + " |")
getppid = dict(line.split() for line in (results / "getppid.txt").read_text().splitlines())
lines += ["", "| getppid (µs a call) | " + " | ".join(getppid) + " |",
          "|---|" + "---:|" * len(getppid),
          "| | " + " | ".join(getppid.values()) + " |"]
(results / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

grouped_bars(results / "overhead.png", workloads, configs, lambda w, c: means[w][c][0],
             "Linux programs under bascule and proot (hyperfine means)",
             "wall time (s), log scale", errors=lambda w, c: means[w][c][1], log=True)
