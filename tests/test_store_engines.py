"""A store counted by the ``duckdb`` and ``spark`` engines: the same answers as ``rows``.

The engines take a store's rows in SQL (:mod:`govhall.store.engine_scan`),
not as Python records: these tests compare every count, every read count
and every message with the ``rows`` engine on the same store, DuckDB and
PostgreSQL, over random data (holidays, pauses, every status, a zone with
summer time and rows in its changing hours), rows the hall config no longer
accepts, re-ratings under both repeated-rating rules, and a config whose
zone no longer matches the stored offsets.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_engines import PERIODS, _config, _write

from govhall.cli import main as cli
from govhall.engines import open_engine
from govhall.readers import ReadReport
from govhall.session import HallSession, open_hall
from govhall.store import StoreSource

EXTRA = """
[[windows]]
id = "extra"
name = "临时窗口"
department = "测试"

[[items]]
id = "extra-item"
name = "临时事项"
window = "market"
kind = "immediate"
"""
"""A window and an item the store's rows use but the config of the counting run lacks."""


def _ingest(config: Path, data: Path, target: str) -> None:
    result = CliRunner().invoke(
        cli, ["ingest", str(config), "--data", str(data), "--store", target, "--json"]
    )
    assert result.exit_code == 0, result.output


def _append_rows(data: Path, cases: list[list[str]], ratings: list[list[str]]) -> None:
    for name, rows in (("cases.csv", cases), ("ratings.csv", ratings)):
        with (data / name).open("a", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


def _run(hall: HallSession, target: str, engine: Any, **period: Any) -> dict[str, Any]:
    """KPIs of the store with everything the run read, counted and said."""
    read = ReadReport()
    run = hall.kpis(target, engine=engine, read=read, **period)
    return {
        **run.kpis.to_json(),
        "years": sorted(run.years),
        "files": {name: dataclasses.asdict(summary) for name, summary in read.files.items()},
        "problems": [problem.message for problem in read.problems],
    }


def _same_in_every_period(hall: HallSession, target: str, engine: Any) -> dict[str, Any]:
    found = {}
    for number, period in enumerate(PERIODS):
        expected = _run(hall, target, "rows", **period)
        assert _run(hall, target, engine, **period) == expected
        found[str(number)] = expected
    return found


def _scan(hall: HallSession, target: str) -> Any:
    """Run a StoreScan of ``target`` on a fresh DuckDB engine; return it (engine closed)."""
    from govhall.store.engine_scan import StoreScan

    engine = open_engine("duckdb")
    try:
        source = StoreSource(target, hall.config.hall.id)
        scan = StoreScan(engine, source, hall.zone, ReadReport(), hall.keys)  # type: ignore[arg-type]
        scan.read()
        return scan
    finally:
        engine.close()


@pytest.mark.parametrize("setup", ["pinghu", "new-york"])
def test_a_store_counts_in_duckdb_what_rows_counts(
    setup: str, store_target: str, tmp_path: Path
) -> None:
    config = _config(setup, tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=len(setup), count=900)
    if setup == "new-york":
        # receipts, conclusions and ratings in the hours summer time starts and ends
        # (02:30 on 8 March 2026 does not exist; 01:30 on 2 November 2025 happens twice)
        _append_rows(
            data,
            [
                ["N1", "market", "business-licence", "promised", "2025-11-02T01:30", "concluded",
                 "2025-11-02T01:45", "1", "", ""],
                ["N2", "tax", "invoice-issue", "immediate", "2026-03-08T02:30", "delivered",
                 "2026-03-08T03:10", "1", "", ""],
            ],
            [
                ["N1", "market", "", "5", "2025-11-02T01:50", "窗口"],
                ["N2", "tax", "", "2", "2026-03-08T02:40", "窗口"],
            ],
        )  # fmt: skip
    _ingest(config, data, store_target)
    assert not _scan(hall, store_target).as_records
    found = _same_in_every_period(hall, store_target, "duckdb")
    assert found["0"]["concluded"] > 50
    assert found["0"]["problems"] == []


def test_rows_the_config_no_longer_accepts_are_rejected_alike(
    store_target: str, tmp_path: Path
) -> None:
    """Cases of a window or item the config lost, and ratings of that window, are named
    by the file and line they were imported from, in the order ``rows`` names them."""
    plain = _config("pinghu", tmp_path)
    wider = tmp_path / "wider.toml"
    wider.write_text(plain.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    data = _write(open_hall(plain), tmp_path / "data", seed=3, count=600)
    _append_rows(
        data,
        [
            ["X1", "extra", "invoice-issue", "immediate", "2025-10-09T10:00", "delivered",
             "2025-10-09T10:30", "1", "", ""],
            ["X2", "market", "extra-item", "immediate", "2025-10-10T10:00", "concluded",
             "2025-10-10T11:00", "1", "", ""],
            ["X3", "extra", "extra-item", "immediate", "2025-10-11T10:00", "received", "", "0",
             "", ""],
        ],
        [
            ["X1", "extra", "", "1", "2025-10-09T11:00", "窗口"],
            ["X2", "market", "", "4", "2025-10-10T12:00", "窗口"],
        ],
    )  # fmt: skip
    _ingest(wider, data, store_target)
    hall = open_hall(plain)
    found = _same_in_every_period(hall, store_target, "duckdb")["0"]
    cases_csv, ratings_csv = data / "cases.csv", data / "ratings.csv"
    assert found["problems"] == [
        f"case 'X1' (imported from {cases_csv}:602): unknown window 'extra': "
        "not in the hall config",
        f"case 'X2' (imported from {cases_csv}:603): unknown item 'extra-item': "
        "not in the hall config",
        f"case 'X3' (imported from {cases_csv}:604): unknown window 'extra': "
        "not in the hall config",
        f"rating of case 'X1' (imported from {ratings_csv}:302): unknown window 'extra': "
        "not in the hall config",
    ]
    cases, ratings = found["files"].values()
    assert (cases["read"], cases["used"], cases["rejected"]) == (603, 600, 3)
    assert (ratings["read"], ratings["used"], ratings["rejected"]) == (302, 301, 1)


@pytest.mark.parametrize("repeated", ["latest", "all"])
def test_re_ratings_count_by_the_halls_rule(
    repeated: str, store_target: str, tmp_path: Path
) -> None:
    config = _config("pinghu", tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[ratings]\nrepeated = "{repeated}"\n',
        encoding="utf-8",
    )
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=11, count=600)
    with (data / "ratings.csv").open(encoding="utf-8") as handle:
        given = list(csv.reader(handle))[1:]
    later = []
    for row in given[::3]:  # a third re-rated later from the same channel, a level lower
        moment = dt.datetime.fromisoformat(row[4]) + dt.timedelta(days=1, minutes=7)
        later.append([*row[:3], str(max(1, int(row[3]) - 1)), moment.isoformat(), row[5]])
    _append_rows(data, [], later)
    _ingest(config, data, store_target)
    found = _same_in_every_period(hall, store_target, "duckdb")["0"]
    counted = len(given) if repeated == "latest" else len(given) + len(later)
    assert found["ratings"] == counted


def test_a_zone_changed_since_the_import_reads_the_rows_as_records(tmp_path: Path) -> None:
    """Rows stored with Shanghai's offset, counted for a hall now in New York: their wall
    clocks move, so the engine is handed records, and still counts what rows counts."""
    target = str(tmp_path / "store.duckdb")
    before = _config("pinghu", tmp_path)
    data = _write(open_hall(before), tmp_path / "data", seed=5, count=400)
    _ingest(before, data, target)
    after = open_hall(_config("new-york", tmp_path))
    assert _scan(after, target).as_records
    assert not _scan(open_hall(before), target).as_records
    _same_in_every_period(after, target, "duckdb")


def test_a_stored_kind_or_status_no_import_writes_reads_the_rows_as_records(
    tmp_path: Path,
) -> None:
    """A store changed by hand (a status the import never writes): the engine keeps the
    kinds and statuses it knows as codes, so it is handed records, as rows reads them."""
    import duckdb

    target = str(tmp_path / "store.duckdb")
    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=8, count=300)
    _ingest(config, data, target)
    assert not _scan(hall, target).as_records
    with duckdb.connect(target) as store:
        (case_id,) = store.execute(
            "SELECT case_id FROM govhall.cases WHERE status = 'concluded' ORDER BY case_id LIMIT 1"
        ).fetchall()[0]
        store.execute("UPDATE govhall.cases SET status = 'Concluded' WHERE case_id = ?", [case_id])
    assert _scan(hall, target).as_records
    _same_in_every_period(hall, target, "duckdb")


def test_a_store_counts_in_spark_what_rows_counts(tmp_path: Path, spark_session: Any) -> None:
    config = _config("receipt-day-counts", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=21, count=500)
    target = str(tmp_path / "store.duckdb")
    _ingest(config, data, target)
    engine = open_engine("spark", spark_session=spark_session)
    try:
        _same_in_every_period(hall, target, engine)
    finally:
        engine.close()


def test_auto_counts_a_store_with_duckdb(tmp_path: Path) -> None:
    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=2, count=50)
    target = str(tmp_path / "store.duckdb")
    _ingest(config, data, target)
    source = StoreSource(target, hall.config.hall.id)
    assert hall._engine_name(source, "auto") == "duckdb"
    runner = CliRunner()
    answers = [
        json.loads(
            runner.invoke(
                cli, ["kpi", str(config), "--data", target, "--json", "--engine", engine]
            ).stdout
        )
        for engine in ("auto", "rows")
    ]
    assert answers[0] == answers[1]
    assert answers[0]["data"]["read"] > 50


def test_a_store_another_process_writes_is_named_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    from govhall.store import StoreError
    from govhall.store.engine_scan import StoreScan

    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    target = str(tmp_path / "store.duckdb")
    _ingest(config, _write(hall, tmp_path / "data", seed=4, count=30), target)
    source = StoreSource(target, hall.config.hall.id)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
         "print('open', flush=True)\ntime.sleep(60)", target],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "open"
        engine = open_engine("duckdb")
        try:
            scan = StoreScan(engine, source, hall.zone, ReadReport(), hall.keys)  # type: ignore[arg-type]
            with pytest.raises(StoreError, match="in use by another process"):
                scan.read()
        finally:
            engine.close()
    finally:
        writer.kill()
        writer.communicate()


def test_a_store_gives_the_cases_asked_for_whatever_their_ids_hold(
    store_target: str, tmp_path: Path
) -> None:
    """The report's bulletin asks a store for the cases its complaints name; an id may hold
    quotes, question marks and percent signs (bound as parameters, not written into SQL)."""
    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=8, count=20)
    odd = ["it's?", "50%", "?"]
    _append_rows(
        data,
        [[case_id, "tax", "invoice-issue", "immediate", "2025-10-09T10:00", "received", "", "0",
          "", ""] for case_id in odd],
        [],
    )  # fmt: skip
    _ingest(config, data, store_target)
    source = StoreSource(store_target, hall.config.hall.id)
    for wanted in ({*odd, "C00003"}, {"?"}, set()):
        read = ReadReport()
        found = {case.case_id for case in source.cases(hall.zone, read, ids=wanted)}
        assert found == wanted
        assert sum(summary.read for summary in read.files.values()) == len(wanted)
