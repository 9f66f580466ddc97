#!/usr/bin/env python
"""Benchmark: the month's 好差评 bulletin (``govhall ratings``) against ``govhall kpi``, same data.

A province-month (Guangdong, July 2023) is 11.2 million cases and 13.9
million ratings, 1,249 of them bad. This bench writes one hall-month of that
shape at a size this machine can do (default 1,000,000 ratings): cases
received in the month, about 1.24 ratings per case over the six channels,
a bad rating in about 1 of 2,000 (with tags and a rectification row), some
cases rated twice on one channel (the repeated-rating rule applies).

Prints, measured in the same run on the same files:

- ``kpi rows`` / ``kpi duckdb``: :meth:`govhall.session.HallSession.kpis` with that engine
  (the reference: what ``govhall kpi`` costs on this data);
- ``bulletin rows`` / ``bulletin duckdb``: :meth:`govhall.session.HallSession.ratings`
  with that engine;
- each bulletin as a ratio to the kpi run of the same engine, and whether
  both bulletins are the same document.

``--store duckdb`` (a store file in the temporary folder) or ``--store
postgresql://...`` (an empty database) also imports the files into that
store (``govhall ingest``, timed) and measures the same four runs with the
store as the data, then whether its bulletins are the folder's (the row
counts aside: a store counts rows under its own names).

Usage: python bench/bench_ratings.py [--ratings 1000000] [--repeat 1] [--store duckdb]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
MONTH = "2010-03"
CHANNELS = "['pad','pad','pad','pad','online','online','app','app','app','sms','kiosk','hotline']"


def generate(hall: Any, folder: Path, ratings: int) -> None:
    """Write cases.csv, ratings.csv and rectifications.csv for March 2010."""
    import duckdb

    cases = int(ratings / 1.24)
    items = [(item.id, item.window, item.kind) for item in hall.config.items]
    values = ", ".join(f"({i}, '{a}', '{b}', '{c}')" for i, (a, b, c) in enumerate(items))
    db = duckdb.connect()
    db.execute("CREATE TABLE items(k INTEGER, item VARCHAR, win VARCHAR, kind VARCHAR)")
    db.execute(f"INSERT INTO items VALUES {values}")
    db.execute(
        f"""
CREATE TABLE cases AS
SELECT printf('P%09d', i) AS case_id, it.win AS "window", it.item, it.kind,
       TIMESTAMP '2010-03-01 08:30' + to_minutes(CAST(hash(i, 1) % (30 * 1440) AS BIGINT)) AS r,
       CAST(hash(i, 3) % 3 AS INTEGER) AS visits, i
FROM range({cases}) t(i) JOIN items it ON it.k = CAST(hash(i) % {len(items)} AS INTEGER)
"""
    )
    db.execute(
        f"""
COPY (SELECT case_id, "window", item, kind, strftime(r, '%Y-%m-%dT%H:%M') AS received_at,
             'concluded' AS status, strftime(r + INTERVAL 2 HOUR, '%Y-%m-%dT%H:%M') AS concluded_at,
             visits, '' AS staff, '' AS pauses
      FROM cases) TO '{folder / "cases.csv"}' (HEADER)
"""
    )
    # every case is rated once; about 24 % a second time on another channel, 1 % twice
    # on the same channel (the later rating replaces the earlier); a case's n-th rating
    # falls in its own 10 hours, so no two share a key (case, channel, time): a repeated
    # key would send every rating to the careful reader
    db.execute(
        f"""
CREATE TABLE ratings AS
WITH picks AS (
  SELECT case_id, "window", r, i, 0 AS n FROM cases
  UNION ALL SELECT case_id, "window", r, i, 1 FROM cases WHERE hash(i, 4) % 100 < 24
  UNION ALL SELECT case_id, "window", r, i, 2 FROM cases WHERE hash(i, 5) % 100 < 1
)
SELECT case_id, "window", '' AS staff,
       CASE WHEN hash(i, n, 6) % 2000 = 0 THEN 1 + CAST(hash(i, n, 7) % 2 AS INTEGER)
            ELSE 3 + CAST(hash(i, n, 8) % 3 AS INTEGER) END AS level,
       r + to_minutes(CAST(130 + n * 600 + hash(i, n, 9) % 600 AS BIGINT)) AS t,
       {CHANNELS}[1 + CAST(hash(i, CASE WHEN n = 2 THEN 0 ELSE n END, 10) % 12 AS INTEGER)]
         AS channel
FROM picks
"""
    )
    db.execute(
        f"""
COPY (SELECT case_id, "window", staff, level, strftime(t, '%Y-%m-%dT%H:%M') AS rated_at,
             channel,
             CASE WHEN level <= 2 THEN
               ['无理由超过法定办理时间', '态度差;办事指南不清晰', '多次跑动', ''][
                 1 + CAST(hash(case_id, t) % 4 AS INTEGER)] ELSE '' END AS tags
      FROM ratings ORDER BY case_id, t) TO '{folder / "ratings.csv"}' (HEADER)
"""
    )
    db.execute(
        f"""
COPY (SELECT case_id, channel, strftime(t, '%Y-%m-%dT%H:%M') AS rated_at,
             strftime(t + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M') AS verified_at,
             strftime(t + INTERVAL 5 DAY, '%Y-%m-%dT%H:%M') AS rectified_at,
             CASE WHEN hash(case_id, 11) % 4 = 0 THEN ''
                  ELSE strftime(t + INTERVAL 9 DAY, '%Y-%m-%dT%H:%M') END AS replied_at,
             CASE WHEN hash(case_id, 11) % 4 = 0 THEN '' ELSE 'rectified' END AS outcome
      FROM ratings WHERE level <= 2) TO '{folder / "rectifications.csv"}' (HEADER)
"""
    )
    (rows,) = db.execute("SELECT COUNT(*) FROM ratings").fetchall()[0]
    (bad,) = db.execute("SELECT COUNT(*) FROM ratings WHERE level <= 2").fetchall()[0]
    (keys,) = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ratings GROUP BY case_id, channel, "
        "strftime(t, '%Y-%m-%dT%H:%M') HAVING COUNT(*) > 1)"
    ).fetchall()[0]
    db.close()
    print(
        f"generated {cases:,} cases, {rows:,} ratings ({bad:,} bad, {keys:,} keys repeated) "
        f"for {MONTH}"
    )


def timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    answer = run()
    return time.perf_counter() - start, answer


def ingest(folder: Path, store: str) -> str:
    """Import ``folder`` into ``store`` (``duckdb``: a file beside it); return the target."""
    target = str(folder / "store.duckdb") if store == "duckdb" else store
    govhall = str(Path(sys.executable).with_name("govhall"))
    args = [govhall, "ingest", str(CONFIG), "--data", str(folder), "--store", target]
    seconds, done = timed(lambda: subprocess.run(args, capture_output=True, text=True))
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr}")
    print(f"{'ingest':20} {seconds:8.2f} s")
    return target


def measure(hall: Any, data: Any, repeat: int, label: str) -> dict[str, Any]:
    """Time kpi and the bulletin on ``data`` with both engines; print them; return the
    bulletins (JSON) by engine."""
    engines = ("rows", "duckdb")
    times: dict[str, float] = {}
    bulletins = {}
    for _ in range(repeat):
        for engine in engines:
            seconds, _ = timed(lambda engine=engine: hall.kpis(data, engine=engine))
            name = f"kpi {engine}"
            times[name] = min(times.get(name, seconds), seconds)
            seconds, bulletin = timed(
                lambda engine=engine: hall.ratings(data, MONTH, engine=engine)
            )
            name = f"bulletin {engine}"
            times[name] = min(times.get(name, seconds), seconds)
            bulletins[engine] = bulletin.to_json()
    print(f"-- {label}")
    for engine in engines:
        kpi = times[f"kpi {engine}"]
        bulletin = times[f"bulletin {engine}"]
        print(f"{'kpi ' + engine:20} {kpi:8.2f} s")
        ratio = bulletin / kpi
        print(f"{'bulletin ' + engine:20} {bulletin:8.2f} s {ratio:6.2f}× kpi {engine}")
    ratio = times["bulletin duckdb"] / times["kpi rows"]
    print(f"{'bulletin duckdb':20} {ratio:6.2f}× kpi rows")
    ratio = times["bulletin duckdb"] / times["bulletin rows"]
    print(f"{'bulletin duckdb':20} {ratio:6.2f}× bulletin rows")
    same = bulletins["rows"] == bulletins["duckdb"]
    print(f"same bulletin from both engines: {'yes' if same else 'NO'}")
    return bulletins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    parser.add_argument(
        "--store", help="also from a store: duckdb, or the URL of an empty PostgreSQL database"
    )
    args = parser.parse_args()

    from govhall.session import open_hall

    hall = open_hall(CONFIG)
    with tempfile.TemporaryDirectory(prefix="govhall-bench-") as tmp:
        folder = Path(tmp)
        generate(hall, folder, args.ratings)
        bulletins = measure(hall, folder, args.repeat, "data folder")
        first = bulletins["rows"]
        print(
            f"ratings {first['ratings']:,}, orders {first['summary']['orders']:,}, "
            f"repeated {len(first['repeated']):,}"
        )
        if args.store:
            target = ingest(folder, args.store)
            stored = measure(hall, target, args.repeat, f"store ({args.store})")
            same = all(
                {**stored[engine], "data": None} == {**first, "data": None} for engine in stored
            )
            print(f"the store's bulletins are the folder's: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
