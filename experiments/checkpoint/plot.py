#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Grouped bars from compare.sh's runs.csv: median capture time (until the tool returns, and
# until the image is on the disk), frozen time, restore time and image size per heap size,
# one bar per tool and content.
# Usage: plot.py RUNS_CSV OUTPUT_PNG [WORKLOAD]   (needs matplotlib: Debian python3-matplotlib)
import csv
import math
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1])))
series = sorted({(r["tool"], r["variant"]) for r in rows},
                key=lambda s: ({"criu": 0, "criu-lazy": 1, "bascule": 2,
                               "bascule-lazy": 3}.get(s[0], 9), s[1]))
sizes = sorted({int(r["heap_mib"]) for r in rows})


def median(tool, variant, mib, key, scale):
    xs = [float(r[key]) * scale for r in rows
          if (r["tool"], r["variant"], int(r["heap_mib"])) == (tool, variant, mib) and r[key]]
    return statistics.median(xs) if xs else 0.0


panels = [("capture_ms", "capture (s)", 1e-3),
          ("durable_ms", "capture, until on the disk (s)", 1e-3), ("frozen_ms", "frozen (s)", 1e-3),
          ("restore_ms", "restore, until running (s)", 1e-3),
          ("image_bytes", "image size (MiB)", 1 / 2**20)]
fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
axes = axes.flatten()
for ax in axes[len(panels):]:
    ax.set_visible(False)
width = 0.8 / max(len(series), 1)
for ax, (key, title, scale) in zip(axes, panels):
    lowest = math.inf
    for i, (tool, variant) in enumerate(series):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(sizes))]
        ys = [median(tool, variant, mib, key, scale) for mib in sizes]
        lowest = min([y for y in ys if y > 0] + [lowest])
        bars = ax.bar(xs, ys, width, label=f"{tool} ({variant})",
               hatch="//" if variant == "random" else None,
               color={"criu": "tab:blue", "criu-lazy": "tab:cyan", "bascule": "tab:orange",
                      "bascule-lazy": "tab:green"}.get(tool, "tab:gray"),
               alpha=0.6 if variant == "random" else 1.0, edgecolor="black", linewidth=0.5)
        ax.bar_label(bars, labels=[(f"{y:.0f}" if y >= 100 else f"{y:.3g}") if y else "" for y in ys], fontsize=7)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([f"{m} MiB" if m < 1024 else f"{m // 1024} GiB" for m in sizes])
    ax.set_yscale("log")
    if lowest < math.inf:  # bars start a decade below the smallest, not at an arbitrary cut
        ax.set_ylim(bottom=10 ** math.floor(math.log10(lowest) - 0.5))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.3)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=len(series), fontsize=9)
workload = sys.argv[3] if len(sys.argv) > 3 else "single"
fig.suptitle({"single": "Checkpoint/restore of one process",
              "threads": "Checkpoint/restore of one process's threads",
              "tree": "Checkpoint/restore of a tree of processes"}.get(workload, workload)
             + " (median of runs)")
fig.tight_layout(rect=(0, 0.05, 1, 1))
fig.savefig(sys.argv[2], dpi=120)
