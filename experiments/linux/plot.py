#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads overhead.sh's results (RESULTS/WORKLOAD.json from hyperfine, RESULTS/getppid.txt)
# and writes RESULTS/table.md (mean wall time per configuration, each against native, and
# proot against patched bascule) and RESULTS/overhead.png.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from plots import grouped_bars, hyperfine_means, means_table  # noqa: E402

results = Path(sys.argv[1])
workloads = sys.argv[2:]
configs = ["native", "patched", "trapped", "proot"]
means = hyperfine_means(results, workloads)
lines = means_table(workloads, configs, means, [("patched / native", "patched", "native", 2),
                                                ("trapped / native", "trapped", "native", 2),
                                                ("proot / patched", "proot", "patched", 1)])
getppid = dict(line.split() for line in (results / "getppid.txt").read_text().splitlines())
lines += ["", "| getppid (µs a call) | " + " | ".join(getppid) + " |",
          "|---|" + "---:|" * len(getppid),
          "| | " + " | ".join(getppid.values()) + " |"]
(results / "table.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))

grouped_bars(results / "overhead.png", workloads, configs, lambda w, c: means[w][c][0],
             "Linux programs under bascule and proot (hyperfine means)",
             "wall time (s), log scale", errors=lambda w, c: means[w][c][1], log=True)
