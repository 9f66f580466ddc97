#!/usr/bin/env python
"""Benchmark: KPIs over N cases from CSV, against merely parsing the file with csv.

Prints, measured in the same run on the same file:

- ``parse``: ``for row in csv.reader(f): pass`` over cases.csv (the reference);
- ``kpi``: :func:`govhall.readers.read_cases` + :func:`govhall.assessment.kpi.compute_kpis`
  (fields checked, times parsed, due times, open minutes, visits);
- ``ratio`` = kpi / parse (goal: at most 3);
- peak traced memory (tracemalloc) of the KPI run at the small and the large
  size (goal: flat, i.e. not growing with the row count).

The data are the Zhenhai sample scaled to N rows (``govhall sample --rows``).

Usage: python bench/bench_kpi.py [--rows 1000000] [--small 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.session import HallSession

ROOT = Path(__file__).resolve().parent.parent


def parse_only(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for _row in csv.reader(stream):
            pass
    return time.perf_counter() - start


def kpis(hall: HallSession, path: Path) -> tuple[float, Kpis]:
    """Read the cases and count their KPIs; a new due-time memo each run, the session's time."""
    from govhall.assessment.kpi import compute_kpis
    from govhall.readers import ReadReport, read_cases
    from govhall.time.due_times import DueTimes

    report = ReadReport()
    start = time.perf_counter()
    times = DueTimes(hall.config, hall.time)
    result = compute_kpis(hall.config, read_cases(path, hall.zone, report), times=times)
    elapsed = time.perf_counter() - start
    assert report.rejected == 0, report.summary()
    return elapsed, result


def peak_memory(hall: HallSession, path: Path) -> int:
    tracemalloc.start()
    kpis(hall, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from govhall.session import open_hall

    hall = open_hall(ROOT / "configs" / "zhenhai.toml")
    with tempfile.TemporaryDirectory() as folder:
        large, small = Path(folder) / "large", Path(folder) / "small"
        started = time.perf_counter()
        hall.write_sample(large, rows=args.rows)
        hall.write_sample(small, rows=args.small)
        took = time.perf_counter() - started
        print(f"generated {args.rows:,} + {args.small:,} rows in {took:.1f} s")
        path = large / "cases.csv"
        kpis(hall, small / "cases.csv")  # warm the due-time and calendar caches
        # interleaved, best of each: other load on the machine hits both alike
        parses, runs = [], []
        for _ in range(args.repeat):
            parses.append(parse_only(path))
            runs.append(kpis(hall, path))
        parse = min(parses)
        kpi = min(elapsed for elapsed, _ in runs)
        result = runs[0][1]
        print(f"rows: {args.rows:,} ({path.stat().st_size / 1e6:.0f} MB)")
        print(f"parse (csv.reader only): {parse:.2f} s")
        print(f"kpi (read_cases + compute_kpis): {kpi:.2f} s")
        print(f"ratio kpi/parse: {kpi / parse:.2f} (goal <= 3)")
        print(f"accepted {result.accepted:,}, completion {result.completion_rate or 0:.4f}")
        small_peak = peak_memory(hall, small / "cases.csv")
        large_peak = peak_memory(hall, path)
        print(
            f"peak traced memory: {args.small:,} rows {small_peak / 1e6:.2f} MB, "
            f"{args.rows:,} rows {large_peak / 1e6:.2f} MB "
            f"(ratio {large_peak / small_peak:.2f}, goal: flat)"
        )


if __name__ == "__main__":
    main()
