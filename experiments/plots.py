# SPDX-License-Identifier: MIT
# What the experiments' plot.py scripts share: hyperfine's means read back, a Markdown
# table of them with ratio columns, and a grouped bar chart (a group per workload, a bar
# per configuration).
import sys


def grouped_bars(path, workloads, configs, value, title, ylabel, errors=None, log=False):
    """Writes the chart to `path`; value(workload, config) is a bar's height and
    errors(workload, config), if given, its error bar. Without matplotlib, says so."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"{path}: no matplotlib, no plot", file=sys.stderr)
        return
    figure, axis = plt.subplots(figsize=(max(8, 1.6 * len(workloads)), 4))
    width = 0.8 / len(configs)
    for i, config in enumerate(configs):
        xs = [w + i * width for w in range(len(workloads))]
        yerr = [errors(w, config) for w in workloads] if errors else None
        axis.bar(xs, [value(w, config) for w in workloads], width, yerr=yerr, label=config)
    axis.set_xticks([w + 0.4 - width / 2 for w in range(len(workloads))], workloads)
    axis.set_ylabel(ylabel)
    if log:
        axis.set_yscale("log")
    axis.legend()
    axis.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def hyperfine_means(results, workloads):
    """Each workload's hyperfine results (RESULTS/WORKLOAD.json): {command: (mean, stddev)}."""
    import json
    means = {}
    for workload in workloads:
        data = json.loads((results / f"{workload}.json").read_text())
        means[workload] = {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in data["results"]}
    return means


def means_table(workloads, configs, means, ratios):
    """A Markdown table of mean ± stddev per configuration, then one column per ratio
    (header, numerator config, denominator config, decimals), as lines."""
    lines = ["| workload | " + " | ".join(f"{c} (s)" for c in configs) + " | " +
             " | ".join(header for header, _, _, _ in ratios) + " |",
             "|---|" + "---:|" * (len(configs) + len(ratios))]
    for workload in workloads:
        m = means[workload]
        row = [f"{m[c][0]:.3f} ± {m[c][1]:.3f}" for c in configs]
        row += [f"{m[a][0] / m[b][0]:.{places}f}x" for _, a, b, places in ratios]
        lines.append(f"| {workload} | " + " | ".join(row) + " |")
    return lines
