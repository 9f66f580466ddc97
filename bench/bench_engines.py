#!/usr/bin/env python
"""Benchmark: province-scale data, written by ``govhall sample`` and counted by each engine.

Every step runs as its own process (the command a user types), timed by the
wall clock, with its peak resident memory (the process and its children; see
``bench/measuring.py``).
Each is printed with its ratio to a reference measured in the same run on
the same files:

1. ``sample``: ``govhall sample configs/zhenhai.toml --months 12 --rows N``
   (CSV, then Parquet) against DuckDB writing N rows of the same columns with
   ``COPY`` (numbers and strings drawn from the row number: no rules, no
   ratings). Goal: a million rows in 10 s or less.
2. ``kpi``: ``govhall kpi --engine rows|duckdb|spark`` on those files against
   a hand-written DuckDB aggregate over the same files (accepted, concluded,
   immediate, visits, ratings and satisfied, handling time from the
   timestamps: what a person would write, with no calendar, no due times and
   no checks). Goals: ``duckdb`` within 2× of the hand-written query,
   ``rows`` at least 8× slower than ``duckdb``, ``spark`` within 3× of
   ``duckdb``, and ``local[2]`` faster than ``local[1]``.

Every engine must give the same KPIs; the last line says whether they did.

Usage:
    python bench/bench_engines.py --rows 1000000
    python bench/bench_engines.py --rows 5000000 --engines rows,duckdb,spark \
        --master 'local[1]' --master 'local[2]'
    python bench/bench_engines.py --rows 25000000 --engines duckdb --keep /tmp/data25m
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from measuring import Measure, run

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
GOVHALL = str(Path(sys.executable).with_name("govhall"))
KPI_KEYS = (
    "accepted",
    "concluded",
    "immediate",
    "on_time",
    "cases",
    "ratings",
    "satisfied",
    "visit_counts",
    "average_handling_hours",
)


def show(measure: Measure, floor: float | None, note: str = "") -> None:
    ratio = f"{measure.seconds / floor:6.1f}×" if floor else "   1.0×"
    print(
        f"{measure.label:34} {measure.seconds:8.2f} s {ratio}  CPU {measure.cpu_seconds:7.2f} s"
        f"  peak {measure.peak_mb:7.0f} MB"
        f"{'  ' + note if note else ''}",
        flush=True,
    )


def load() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: say how busy it was)."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


REFERENCE_WRITE = """
import duckdb, sys
rows, path, fmt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
duckdb.connect().execute(f'''
COPY (
  SELECT 'zhenhai-2010-' || lpad(CAST(i + 1 AS VARCHAR), 7, '0') AS case_id,
         'w' || (i % 24) AS "window", 'item-' || (i % 40) AS item,
         CASE WHEN i % 2 = 0 THEN 'immediate' ELSE 'promised' END AS kind,
         strftime(TIMESTAMP '2010-01-04 08:30' + to_minutes(i % 500000), '%Y-%m-%dT%H:%M')
           AS received_at,
         CASE WHEN i % 100 = 0 THEN 'in_review' ELSE 'concluded' END AS status,
         strftime(TIMESTAMP '2010-01-04 09:30' + to_minutes(i % 500000), '%Y-%m-%dT%H:%M')
           AS concluded_at,
         1 + i % 3 AS visits, 'w' || (i % 24) || '-a' AS staff, NULL AS pauses
  FROM range({rows}) t(i)
) TO '{path}' ({options})''')
"""

REFERENCE_KPI = """
import duckdb, sys
folder, ext = sys.argv[1], sys.argv[2]
if ext == "csv":
    cases = f"read_csv('{folder}/cases.csv', header = true)"
    ratings = f"read_csv('{folder}/ratings.csv', header = true)"
else:
    cases = f"read_parquet('{folder}/cases.parquet')"
    ratings = f"read_parquet('{folder}/ratings.parquet')"
print(duckdb.connect().execute(f'''
SELECT c.*, r.* FROM (
  SELECT COUNT(*) AS cases,
    COUNT(*) FILTER (WHERE status IN ('accepted','in_review','concluded','delivered','withdrawn')),
    COUNT(*) FILTER (WHERE status IN ('concluded','delivered')),
    COUNT(*) FILTER (WHERE kind = 'immediate'
                     AND status IN ('accepted','in_review','concluded','delivered','withdrawn')),
    COUNT(*) FILTER (WHERE status IN ('concluded','delivered') AND visits <= 1),
    COUNT(*) FILTER (WHERE status IN ('concluded','delivered') AND visits = 2),
    AVG(date_diff('minute', CAST(received_at AS TIMESTAMP), CAST(concluded_at AS TIMESTAMP)))
      FILTER (WHERE status IN ('concluded','delivered'))
  FROM {cases}) c,
  (SELECT COUNT(*), COUNT(*) FILTER (WHERE level >= 4) FROM {ratings}) r
''').fetchall())
"""


def sample(folder: Path, rows: int, fmt: str) -> Measure:
    args = [GOVHALL, "sample", str(CONFIG), "--out", str(folder), "--rows", str(rows)]
    args += ["--months", "12", "--format", fmt, "--force"]
    return run(f"sample {fmt}", args)


def kpi(label: str, folder: Path, engine: str, master: str | None = None) -> Measure:
    args = [GOVHALL, "kpi", str(CONFIG), "--data", str(folder), "--engine", engine, "--json"]
    if master:
        args += ["--master", master]
    return run(label, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--engines", default="rows,duckdb", help="comma-separated: rows, duckdb, spark"
    )
    parser.add_argument(
        "--master",
        action="append",
        help="Spark master(s), e.g. --master 'local[1]' --master 'local[2]' (default local[*])",
    )
    parser.add_argument(
        "--formats", default="csv,parquet", help="comma-separated formats to count: csv, parquet"
    )
    parser.add_argument("--keep", metavar="DIR", help="write the data here and keep it")
    parser.add_argument(
        "--reuse", action="store_true", help="count the data already in --keep DIR (skip step 1)"
    )
    parser.add_argument("--sample-only", action="store_true", help="stop after step 1")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    engines.sort(key=lambda e: e != "duckdb")  # duckdb first: the others are compared to it
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    tmp = tempfile.mkdtemp(prefix="govhall-bench-")
    base = Path(args.keep) if args.keep else Path(tmp)
    try:
        print(f"{args.rows:,} cases, Zhenhai's config, 12 months; {os.cpu_count()} cores")
        print(f"load average before: {load()}")
        print("-- 1. writing the data")
        for fmt in () if args.reuse else ("csv", "parquet"):
            reference = run(
                f"reference: DuckDB COPY {fmt}",
                [sys.executable, "-c", REFERENCE_WRITE, str(args.rows), f"{tmp}/ref.{fmt}", fmt],
            )
            show(reference, None)
            written = sample(base / fmt, args.rows, fmt)
            per_million = written.seconds / args.rows * 1e6
            show(written, reference.seconds, f"{per_million:.1f} s per million rows")
        sizes = {
            fmt: sum(p.stat().st_size for p in (base / fmt).iterdir()) / 2**20
            for fmt in ("csv", "parquet")
        }
        print(f"sizes: CSV {sizes['csv']:.0f} MiB, Parquet {sizes['parquet']:.0f} MiB")
        if args.sample_only:
            return
        print("-- 2. counting the KPIs")
        answers: dict[str, Any] = {}
        for fmt in formats:
            floor = run(
                f"reference: hand-written {fmt}",
                [sys.executable, "-c", REFERENCE_KPI, str(base / fmt), fmt],
            )
            show(floor, None)
            seen: dict[str, float] = {}
            runs = [(e, None) for e in engines if e != "spark"]
            if "spark" in engines:
                runs += [("spark", m) for m in (args.master or ["local[*]"])]
            for engine, master in runs:
                label = f"kpi {engine}{' ' + master if master else ''} {fmt}"
                measure = kpi(label, base / fmt, engine, master)
                seen[label.rsplit(" ", 1)[0]] = measure.seconds
                document = json.loads(measure.stdout)
                answers[label] = {key: document[key] for key in KPI_KEYS}
                note = ""
                duck = seen.get("kpi duckdb")
                if engine == "duckdb":
                    note = f"goal ≤ 2.0× the hand-written: {measure.seconds / floor.seconds:.1f}×"
                elif duck and engine == "rows":
                    note = f"duckdb is {measure.seconds / duck:.1f}× faster (goal ≥ 8×)"
                elif duck and engine == "spark":
                    note = f"{measure.seconds / duck:.1f}× duckdb (goal ≤ 3×)"
                show(measure, floor.seconds, note)
            sparks = {k: v for k, v in seen.items() if k.startswith("kpi spark local[")}
            one, two = sparks.get("kpi spark local[1]"), sparks.get("kpi spark local[2]")
            if one and two:
                print(f"spark local[1] → local[2] ({fmt}): {one / two:.2f}× faster")
        print(f"load average after: {load()}")
        first = next(iter(answers.values()), None)
        same = all(answer == first for answer in answers.values())
        print(f"same KPIs from every engine and format: {'yes' if same else 'NO'}")
        if not same:
            for label, answer in answers.items():
                print(f"  {label}: {answer}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
