"""Helm's engine (helm-python-sdk) rendering charts/impala: in-process timing,
or one render as a whole process (used by scripts/bench-helm.sh).

    python helm_render.py once VALUES.json       # render once, print nothing
    python helm_render.py bench VALUES.json N    # median and p95 of N renders, in-process
    python helm_render.py many VALUES.json N     # N releases (c1..cN) in one process: total seconds
"""

import json
import statistics
import sys
import time
from pathlib import Path

import helm_python as helm

CHART = str(Path(__file__).resolve().parents[1] / "charts" / "impala")


def main():
    mode, values_file = sys.argv[1], sys.argv[2]
    values = json.loads(Path(values_file).read_text())
    chart = helm.Chart.load(CHART)
    if mode == "once":
        chart.render(values, name="impala", namespace="impala")
        return
    runs = int(sys.argv[3])
    if mode == "many":
        start = time.perf_counter()
        for i in range(1, runs + 1):
            chart.render(values, name=f"c{i}", namespace=f"tenant-{i % 50}")
        print(f"{time.perf_counter() - start:.3f}")
        return
    for _ in range(20):
        chart.render(values, name="impala", namespace="impala")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        chart.render(values, name="impala", namespace="impala")
        samples.append(time.perf_counter() - start)
    samples.sort()
    p95 = samples[int((len(samples) - 1) * 0.95)]
    print(f"helm in-process render: median {statistics.median(samples) * 1e6:.1f} us, p95 {p95 * 1e6:.1f} us over {runs} runs")


if __name__ == "__main__":
    main()
