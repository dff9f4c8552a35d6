#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads bench.sh's hyperfine JSON (RESULTS/WORKLOAD.json) and writes RESULTS/table.md (mean
# wall time per configuration, fs-translate's cost over plain bascule, proot over
# fs-translate) and RESULTS/fs.png.
import json
import sys
from pathlib import Path

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

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("plot.py: no matplotlib, no plot", file=sys.stderr)
    sys.exit(0)
figure, axis = plt.subplots(figsize=(8, 4))
width = 0.8 / len(configs)
for i, config in enumerate(configs):
    xs = [w + i * width for w in range(len(workloads))]
    axis.bar(xs, [means[w][config][0] for w in workloads], width,
             yerr=[means[w][config][1] for w in workloads], label=config)
axis.set_xticks([w + 0.4 - width / 2 for w in range(len(workloads))], workloads)
axis.set_ylabel("wall time (s), log scale")
axis.set_yscale("log")
axis.legend()
axis.set_title("fs-translate against proot (hyperfine means)")
figure.tight_layout()
figure.savefig(results / "fs.png", dpi=120)
