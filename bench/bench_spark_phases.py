#!/usr/bin/env python
"""Profile: where one ``--engine spark`` KPI run spends its time, phase by phase.

Runs, in this one process, the steps ``govhall kpi --engine spark`` takes on
a data folder (as ``HallSession.kpis`` does), and prints each step's wall
time, this process's CPU time and the CPU time of its child processes (the
JVM), read from ``/proc`` (Linux only):

1. open the engine (the JVM starts in the background from here on);
2. DuckDB reads and checks the cases, then the ratings;
3. ``take_from``: DuckDB writes the relations as Parquet files and counts
   their dates, then (waiting for the JVM if it is still starting) Spark
   reads them;
4. the rule tables and their hand-over;
5. the KPI query, then the years (DuckDB counted them at the hand-over); 6. closing.

The reference is the whole run's wall time; each phase's share of it is
printed. ``--again`` runs the KPI query a second time (a warm JVM), and
``--event-log DIR`` keeps Spark's event log there (its stages and tasks).

Usage:
    python bench/bench_spark_phases.py DATA [--master 'local[2]'] [--again]
    (DATA: a folder written by ``govhall sample configs/zhenhai.toml --months 12``)
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    """CPU seconds of this process's running children (the JVM), from /proc."""
    total = 0.0
    me = str(os.getpid())
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Phases:
    def __init__(self) -> None:
        self.start = self.wall = time.perf_counter()
        self.cpu, self.jvm = own_cpu(), children_cpu()
        self.rows: list[tuple[str, float, float, float]] = []

    def mark(self, label: str) -> None:
        wall, cpu, jvm = time.perf_counter(), own_cpu(), children_cpu()
        self.rows.append((label, wall - self.wall, cpu - self.cpu, jvm - self.jvm))
        self.wall, self.cpu, self.jvm = wall, cpu, jvm

    def show(self) -> None:
        total = self.wall - self.start
        print(f"{'phase':34} {'wall':>8} {'share':>6} {'Python CPU':>11} {'JVM CPU':>8}")
        for label, wall, cpu, jvm in self.rows:
            print(f"{label:34} {wall:7.2f}s {wall / total:6.1%} {cpu:10.2f}s {jvm:7.2f}s")
        cpu = sum(row[2] for row in self.rows)
        jvm = sum(row[3] for row in self.rows)
        print(f"{'whole run':34} {total:7.2f}s {1:6.1%} {cpu:10.2f}s {jvm:7.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", type=Path, help="a data folder for Zhenhai's config")
    parser.add_argument("--master", help="Spark master (default: the engine's, local[*])")
    parser.add_argument("--again", action="store_true", help="run the KPI query twice")
    parser.add_argument("--event-log", type=Path, help="keep Spark's event log in this folder")
    args = parser.parse_args()
    print(f"{args.data}; {os.cpu_count()} cores; load average before: {load()}")
    phases = Phases()

    from govhall.engines import measures, open_engine
    from govhall.engines import spark as spark_engine
    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.kpi import rule_tables_for, years_named
    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import FolderScan
    from govhall.session import open_hall

    if args.event_log:
        args.event_log.mkdir(parents=True, exist_ok=True)
        spark_engine.LOCAL_SETTINGS.update(
            {
                "spark.eventLog.enabled": "true",
                "spark.eventLog.compress": "false",
                "spark.eventLog.dir": args.event_log.resolve().as_uri(),
            }
        )
    hall = open_hall(CONFIG)
    source = hall.source(args.data)
    phases.mark("imports, the hall's session")
    engine = open_engine("spark", master=args.master)
    phases.mark("open the engine (JVM in background)")
    try:
        reader = DuckDBEngine()
        scan = FolderScan(reader, hall.zone, ReadReport(), hall.keys)
        scan.cases(source.files("cases"))
        phases.mark("DuckDB reads and checks the cases")
        scan.ratings(source.files("ratings"), hall.rating_limits.repeated)
        phases.mark("DuckDB reads and checks the ratings")
        engine.take_from(reader)  # type: ignore[attr-defined]
        reader.close()
        phases.mark("DuckDB writes Parquet, Spark reads")
        tables = rule_tables_for(engine, hall.config, hall.time)
        assert tables is not None
        phases.mark("rule tables built and handed over")
        level = hall.satisfied_level
        row = engine.query(measures.kpi_sql(tables.spans, None, None, level))[0]
        phases.mark("the KPI query")
        years_named(engine)  # DuckDB counted them in take_from: no Spark job
        phases.mark("the years (counted by DuckDB)")
        if args.again:
            again = engine.query(measures.kpi_sql(tables.spans, None, None, level))[0]
            assert again == row
            phases.mark("the KPI query again (warm)")
    finally:
        engine.close()
    phases.mark("close")
    phases.show()
    print(f"cases {row[0]:,}; load average after: {load()}")


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
