#!/usr/bin/env python3
"""Medians of a JMH JSON result (every measurement iteration of every fork) and ratios to the
benchmark of the same class whose name starts with "baseline".

    scripts/bench-summary.py operator/target/bench/EventDecodeBenchmark.json
"""
import json
import statistics
import sys


def main(path):
    with open(path) as f:
        runs = json.load(f)
    rows = []
    for r in runs:
        cls, name = r["benchmark"].rsplit(".", 1)
        samples = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        rows.append((cls.rsplit(".", 1)[1], name, r["mode"], r["primaryMetric"]["scoreUnit"], r["forks"], len(samples),
                     statistics.median(samples), min(samples), max(samples)))
    base = {cls: med for cls, name, _, _, _, _, med, _, _ in rows if name.startswith("baseline")}
    print("| benchmark | mode | forks | samples | median | min | max | unit | median / baseline median |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|")
    for cls, name, mode, unit, forks, n, med, lo, hi in rows:
        ratio = f"{med / base[cls]:.2f}" if cls in base and not name.startswith("baseline") else "—"
        print(f"| {cls}.{name} | {mode} | {forks} | {n} | {med:,.0f} | {lo:,.0f} | {hi:,.0f} | {unit} | {ratio} |")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
