#!/usr/bin/env python
"""Benchmark: does Spark's own work scale from ``local[1]`` to ``local[2]``?

``bench_engines.py`` times ``govhall kpi --engine spark`` as a user runs it:
a process that starts a JVM, has DuckDB read and check the files, hands the
rows to Spark and counts. At a few million cases on a small machine the JVM's
start and DuckDB's scan are much of that time, and they do not depend on
the master. This bench separates Spark's part: DuckDB reads the folder once;
then, for each master in turn, in this one process, a Spark session starts,
is handed the rows (not timed), counts the KPIs once to warm up (not timed)
and then ``--rounds`` more times, each timed. The reference is the first
master's median round; the last line gives the speed-up of each master.

Every round must give the same KPIs as the ``duckdb`` engine on the same rows.

Usage:
    python bench/bench_spark_scaling.py DATA --master 'local[1]' --master 'local[2]'
    (DATA: a folder written by ``govhall sample configs/zhenhai.toml --months 12``)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", type=Path, help="a data folder for Zhenhai's config")
    parser.add_argument("--master", action="append", help="default: local[1] and local[2]")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    masters = args.master or ["local[1]", "local[2]"]

    from govhall.engines import count_kpis, open_engine
    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.kpi import rule_tables_for
    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import FolderScan
    from govhall.session import open_hall

    hall = open_hall(CONFIG)
    source = hall.source(args.data)
    reader = DuckDBEngine()
    scan = FolderScan(reader, hall.zone, ReadReport(), hall.keys)
    scan.cases(source.files("cases"))
    scan.ratings(source.files("ratings"), hall.rating_limits.repeated)
    relations = scan.tables()
    tables = rule_tables_for(reader, hall.config, hall.time)
    expected, _ = count_kpis(reader, hall.config, hall.time, {}, tables=tables)
    reader.close()
    rows = relations["case_rows"].num_rows
    print(f"{rows:,} cases from {args.data}; {os.cpu_count()} cores; {args.rounds} rounds")

    medians: dict[str, float] = {}
    for master in masters:
        engine = open_engine("spark", master=master)
        try:
            engine.register(relations)
            spark_tables = rule_tables_for(engine, hall.config, hall.time)
            seconds = []
            for round_no in range(args.rounds + 1):  # round 0 warms up: the JVM compiles
                start = time.perf_counter()
                found, _ = count_kpis(engine, hall.config, hall.time, {}, tables=spark_tables)
                if round_no:
                    seconds.append(time.perf_counter() - start)
                if found != expected:
                    raise SystemExit(f"{master}: KPIs differ from the duckdb engine's")
        finally:
            engine.close()
        medians[master] = statistics.median(seconds)
        shown = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{master:12} rounds {shown} s  median {medians[master]:.2f} s", flush=True)
    first = masters[0]
    for master in masters[1:]:
        print(f"{first} → {master}: {medians[first] / medians[master]:.2f}× faster")
    print("same KPIs as duckdb in every round: yes")


if __name__ == "__main__":
    main()
