#!/usr/bin/env python
"""Benchmark: importing N cases into a DuckDB store, and KPIs read back from it.

Prints, measured in the same run on the same files (the cases of the Zhenhai
sample scaled to N rows, ``govhall sample --rows``; its ratings are left out: scaled
up, the sample repeats ratings under one key, which an import rightly rejects):

- ``duckdb``: DuckDB's own ``read_csv`` + ``INSERT`` of the same cases.csv into a
  fresh file (the reference for the import);
- ``ingest``: :func:`govhall.store.ingest` into a fresh store (every row checked,
  keyed, staged and merged in one transaction); ``ratio`` = ingest / duckdb (goal: at
  most 3);
- ``re-ingest``: the same files again (every row unchanged); ratio against the
  first ingest (goal: at most 2);
- ``kpi (folder)`` and ``kpi (store)``: ``HallSession.kpis`` on the folder and on
  the store with the ``rows`` engine; ratio store / folder (goal: at most 1.5);
- ``kpi duckdb (folder)`` and ``kpi duckdb (store)``: the same with the ``duckdb``
  engine, which reads a folder's files itself and takes a store's rows in SQL; ratio
  store / folder (goal: at most 1.5), and ``rows`` / ``duckdb`` on the store;
- with ``--postgres URL`` (an empty database): ``ingest (postgresql)`` and
  ``kpi duckdb (postgresql)``, the same on a PostgreSQL store;
- the peak resident memory (RSS, ``VmHWM`` in ``/proc/self/status``) of an ingest run
  alone in a fresh process, at ``--rows`` and at ``--large`` rows (goal: the large within 1.5x of
  the other). ``--large 0`` leaves it out (writing 5,000,000 sample rows takes minutes).

The peak RSS is that of an import under the default bound on DuckDB's memory
(``GOVHALL_STORE_MEMORY`` unset; set it to measure another bound).

Usage: python bench/bench_store.py [--rows 1000000] [--large 5000000] [--repeat 1]
       [--data DIR] [--large-data DIR] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def duckdb_reference(cases: Path, target: Path) -> float:
    import duckdb

    start = time.perf_counter()
    with duckdb.connect(str(target)) as connection:
        connection.execute(
            "CREATE TABLE cases AS SELECT * FROM read_csv(?, header = true)", [str(cases)]
        )
    return time.perf_counter() - start


def timed_ingest(hall: object, data: Path, target: Path) -> tuple[float, int]:
    from govhall.store import ingest

    start = time.perf_counter()
    result = ingest(hall.config, data, str(target))  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    assert result.rejected == 0
    return elapsed, result.total("read")


def timed_kpis(hall: object, data: str, engine: str = "rows") -> tuple[float, object]:
    start = time.perf_counter()
    run = hall.kpis(data, engine=engine)  # type: ignore[attr-defined]
    return time.perf_counter() - start, run.kpis.to_json()


def peak_rss(data: Path, target: Path) -> int:
    """Return the peak RSS in bytes of a fresh Python process that imports ``data`` alone."""
    import json
    import subprocess
    import sys

    # VmHWM, not ru_maxrss: Linux carries a parent's peak into ru_maxrss across fork and
    # exec, and this bench's own process is large by now
    script = (
        "import json, sys\n"
        "from govhall.session import open_hall\n"
        "from govhall.store import ingest\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) * 1024\n"
        "hall = open_hall(sys.argv[1])\n"
        "before = hwm()\n"
        "result = ingest(hall.config, sys.argv[2], sys.argv[3])\n"
        "assert result.rejected == 0\n"
        "print(json.dumps({'before': before, 'peak': hwm()}))\n"
    )
    config = str(ROOT / "configs" / "zhenhai.toml")
    found = subprocess.run(
        [sys.executable, "-c", script, config, str(data), str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(json.loads(found.stdout.splitlines()[-1])["peak"])


def clear_postgres(url: str) -> None:
    """Drop the govhall schema of a PostgreSQL store (the next attempt starts empty)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS govhall CASCADE")


def write_cases(hall: object, folder: Path, rows: int) -> Path:
    hall.write_sample(folder, rows=rows)  # type: ignore[attr-defined]
    for name in ("ratings.csv", "findings.csv", "rectifications.csv"):
        (folder / name).unlink()
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--data", type=Path, help="a folder holding only a cases.csv of --rows rows (else written)"
    )
    parser.add_argument(
        "--large-data", type=Path, help="a folder holding only a cases.csv of --large rows"
    )
    parser.add_argument(
        "--postgres",
        help="an empty PostgreSQL database to import into and count (its "
        "govhall schema is dropped after each attempt)",
    )
    args = parser.parse_args()

    from govhall.session import open_hall

    hall = open_hall(ROOT / "configs" / "zhenhai.toml")
    with tempfile.TemporaryDirectory() as folder:
        data = args.data or write_cases(hall, Path(folder) / "data", args.rows)
        best: dict[str, float] = {}
        for attempt in range(args.repeat):
            reference = Path(folder) / f"reference-{attempt}.duckdb"
            store = Path(folder) / f"store-{attempt}.duckdb"
            found = {
                "duckdb": duckdb_reference(data / "cases.csv", reference),
                "ingest": timed_ingest(hall, data, store)[0],
                "re-ingest": timed_ingest(hall, data, store)[0],
            }
            answers = {}
            for engine, label in (("rows", ""), ("duckdb", " duckdb")):
                for place, target in (("folder", str(data)), ("store", str(store))):
                    seconds, answers[place, engine] = timed_kpis(hall, target, engine)
                    found[f"kpi{label} ({place})"] = seconds
            if args.postgres:
                found["ingest (postgresql)"] = timed_ingest(hall, data, args.postgres)[0]
                seconds, answers["postgresql", "duckdb"] = timed_kpis(hall, args.postgres, "duckdb")
                found["kpi duckdb (postgresql)"] = seconds
                clear_postgres(args.postgres)
            assert len({repr(answer) for answer in answers.values()}) == 1, "answers differ"
            for name, seconds in found.items():
                best[name] = min(seconds, best.get(name, seconds))
        memory = {args.rows: peak_rss(data, Path(folder) / "memory.duckdb")}
        if args.large:
            large = args.large_data or write_cases(hall, Path(folder) / "large", args.large)
            memory[args.large] = peak_rss(large, Path(folder) / "memory-large.duckdb")
    print(f"{args.rows:,} cases (Zhenhai sample), best of {args.repeat}")
    for name, seconds in best.items():
        print(f"  {name:<14} {seconds:8.2f} s")
    print(f"ingest / duckdb read_csv+INSERT: {best['ingest'] / best['duckdb']:.2f}x (goal <= 3)")
    print(f"re-ingest / ingest:              {best['re-ingest'] / best['ingest']:.2f}x (goal <= 2)")
    for engine in ("", " duckdb"):
        ratio = best[f"kpi{engine} (store)"] / best[f"kpi{engine} (folder)"]
        print(f"kpi{engine or ' rows'} from store / from folder: {ratio:.2f}x (goal <= 1.5)")
    print(
        f"kpi from store, rows / duckdb:    {best['kpi (store)'] / best['kpi duckdb (store)']:.2f}x"
    )
    for rows, peak in memory.items():
        print(f"ingest peak RSS at {rows:,} rows (own process): {peak / 2**20:.0f} MiB")
    if args.large:
        print(
            f"memory {args.large:,} / {args.rows:,}: "
            f"{memory[args.large] / memory[args.rows]:.2f}x (goal <= 1.5)"
        )


if __name__ == "__main__":
    main()
