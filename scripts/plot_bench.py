"""Plots docs/performance.tsv (written by scripts/bench-many.sh): wall time
and peak memory of gen, gen --out-dir and diff against the number of
clusters, log-log, with cat and Helm's engine for scale.

    python plot_bench.py docs/performance.tsv docs/performance.svg
"""

import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    series = {}
    for r in rows:
        if r["command"].startswith("policy"):
            continue
        series.setdefault(r["command"], []).append(r)
    # Equal figures in an SVG keep the file byte-stable across runs of matplotlib.
    plt.rcParams["svg.hashsalt"] = "impala-k8s"
    fig, (time_ax, mem_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, points in series.items():
        n = [int(p["clusters"]) for p in points]
        time_ax.plot(n, [float(p["median_s"]) for p in points], marker="o", label=name)
        if all(p["peak_mib"] for p in points):
            mem_ax.plot(n, [int(p["peak_mib"]) for p in points], marker="o", label=name)
    time_ax.set(xscale="log", yscale="log", xlabel="clusters", ylabel="wall time (s, median)", title="Time")
    mem_ax.set(xscale="log", xlabel="clusters", ylabel="peak memory (MiB, max RSS)", title="Memory")
    mem_ax.axhline(64, color="grey", linestyle="--", linewidth=1)
    mem_ax.text(1, 66, "64 MiB target", color="grey")
    for ax in (time_ax, mem_ax):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2], metadata={"Date": None})


if __name__ == "__main__":
    main()
