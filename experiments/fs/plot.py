#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads bench.sh's hyperfine JSON (RESULTS/WORKLOAD.json) and writes RESULTS/table.md (mean
# wall time per configuration, fs-translate's cost over plain bascule, proot over
# fs-translate) and RESULTS/fs.png.
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from grouped_bars import grouped_bars  # noqa: E402

results = Path(sys.argv[1])
workloads = sys.argv[2:]
configs = ["native", "bascule", "fs-root", "fs-overlay", "proot"]
means = {}
for workload in workloads:
    data = json.loads((results / f"{workload}.json").read_text())
    means[workload] = {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in data["results"]}

lines = ["| workload | " + " | ".join(f"{c} (s)" for c in configs) +
         " | fs-root / bascule | fs-overlay / bascule | proot / fs-root |",
         "|---|" + "---:|" * (len(configs) + 3)]
for workload in workloads:
    m = means[workload]
    row = [f"{m[c][0]:.3f} ± {m[c][1]:.3f}" for c in configs]
    row += [f"{m['fs-root'][0] / m['bascule'][0]:.2f}x",
            f"{m['fs-overlay'][0] / m['bascule'][0]:.2f}x",
            f"{m['proot'][0] / m['fs-root'][0]:.1f}x"]
    lines.append(f"| {workload} | " + " | ".join(row) + " |")
(results / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

grouped_bars(results / "fs.png", workloads, configs, lambda w, c: means[w][c][0],
             "fs-translate against proot (hyperfine means)", "wall time (s), log scale",
             errors=lambda w, c: means[w][c][1], log=True)
