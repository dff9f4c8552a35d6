#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads bench.sh's hyperfine JSON (RESULTS/WORKLOAD.json) and writes RESULTS/table.md (mean
# wall time per configuration, fs-translate's cost over plain bascule, proot over
# fs-translate) and RESULTS/fs.png.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from plots import grouped_bars, hyperfine_means, means_table  # noqa: E402

results = Path(sys.argv[1])
workloads = sys.argv[2:]
configs = ["native", "bascule", "fs-root", "fs-overlay", "proot"]
means = hyperfine_means(results, workloads)
lines = means_table(workloads, configs, means, [("fs-root / bascule", "fs-root", "bascule", 2),
                                                ("fs-overlay / bascule", "fs-overlay", "bascule", 2),
                                                ("proot / fs-root", "proot", "fs-root", 1)])
(results / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

grouped_bars(results / "fs.png", workloads, configs, lambda w, c: means[w][c][0],
             "fs-translate against proot (hyperfine means)", "wall time (s), log scale",
             errors=lambda w, c: means[w][c][1], log=True)
