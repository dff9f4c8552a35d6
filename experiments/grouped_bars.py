# SPDX-License-Identifier: MIT
# One grouped bar chart of hyperfine means, a group per workload and a bar per
# configuration: what experiments/fs and experiments/replay plot.
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
