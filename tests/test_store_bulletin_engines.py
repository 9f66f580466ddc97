"""``govhall ratings`` on a store with ``--engine duckdb``: the ``rows`` engine's bulletin.

DuckDB counts the stored ratings no rule can change and hands Python the rest
(:mod:`govhall.store.rating_scan`). These tests compare the whole command's
output (the JSON document, every message and the read summary) with
``--engine rows`` on the same store, DuckDB and PostgreSQL: bad ratings with
rectification rows, complaints about the time taken (the cases are counted
in the store, the complained-about ones read), re-ratings, unknown channels,
ratings and cases of a window the config no longer has, a moment inside
the month, a zone changed since the import and one wall clock twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_engines import _config, _write

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
"""
"""A window the store's rows use but the config of the counting run lacks."""
CHANNELS = ("pad", "online", "app", "sms", "窗口")
RATING_HEADER = ["case_id", "window", "staff", "level", "rated_at", "channel", "tags"]


def _bulletin_data(hall: HallSession, folder: Path, seed: int, *, extra: bool = False) -> list[str]:
    """Write cases (``test_engines._write``), rich ratings and rectifications; return months.

    ``extra``: also two cases of window ``extra``, each with a bad rating.
    """
    rng = random.Random(seed)
    _write(hall, folder, seed=seed, count=600)
    with (folder / "cases.csv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    slow = hall.rating_limits.time_limit_tags[0]
    ratings: list[list[str]] = []
    for case in rng.sample(cases, 420):
        moment = dt.datetime.fromisoformat(case["received_at"]) + dt.timedelta(
            days=rng.randrange(1, 20), minutes=rng.randrange(600)
        )
        for again in range(1 if rng.random() < 0.9 else 3):  # some re-rated on one channel
            level = rng.choice([1, 2, 3, 4, 5, 5, 5])
            tags = (
                rng.choice(["", "", slow, "服务态度差", f"{slow};服务态度差"]) if level <= 2 else ""
            )
            at = (moment + dt.timedelta(hours=again)).isoformat(timespec="minutes")
            channel = rng.choice(CHANNELS) if again == 0 else ratings[-1][5]
            ratings.append([case["case_id"], case["window"], "", str(level), at, channel, tags])
    others = [{**case, "case_id": f"X-{n}", "window": "extra"} for n, case in enumerate(cases[:2])]
    if not extra:
        others = []
    with (folder / "cases.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(cases[0])).writerows(others)
    for case in others:  # ratings of a window the counting config lacks
        at = dt.datetime.fromisoformat(case["received_at"]) + dt.timedelta(days=2)
        ratings.append([case["case_id"], "extra", "", "1", at.isoformat(timespec="minutes"),
                        "pad", slow])  # fmt: skip
    with (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RATING_HEADER)
        writer.writerows(ratings)
    bad = [row for row in ratings if row[3] in ("1", "2")]
    with (folder / "rectifications.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "channel", "rated_at", "verified_at", "rectified_at",
                         "replied_at", "outcome"])  # fmt: skip
        for row in rng.sample(bad, len(bad) // 2):
            at = dt.datetime.fromisoformat(row[4])
            verified, replied = (
                (at + dt.timedelta(days=days)).isoformat(timespec="minutes")
                for days in (1, rng.randrange(2, 30))
            )
            writer.writerow([row[0], row[5], row[4], verified, "", replied, "explained"])
    months = sorted({row[4][:7] for row in ratings})
    return months


def _ingest(config: Path, data: Path, target: str) -> None:
    result = CliRunner().invoke(
        cli, ["ingest", str(config), "--data", str(data), "--store", target, "--json"]
    )
    assert result.exit_code == 0, result.output


def _ratings(config: Path, target: str, month: str, engine: str, *extra: str) -> tuple[Any, str]:
    result = CliRunner().invoke(
        cli, ["ratings", str(config), "--data", target, "--month", month, "--json",
              "--engine", engine, *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def _same(config: Path, target: str, month: str, *extra: str) -> tuple[Any, str]:
    expected = _ratings(config, target, month, "rows", *extra)
    assert _ratings(config, target, month, "duckdb", *extra) == expected
    return expected


def _scan(hall: HallSession, target: str, month: str) -> Any:
    from govhall.assessment.scoring import Month
    from govhall.assessment.workorders import month_bounds
    from govhall.store.rating_scan import scan_store_ratings

    wanted = Month.parse(month)
    first, end = month_bounds(wanted.first_day, wanted.next().first_day, hall.zone)
    engine = open_engine("duckdb")
    try:
        source = StoreSource(target, hall.config.hall.id)
        return scan_store_ratings(
            engine, source, hall.zone, ReadReport(), hall.keys, (first, end), end, []
        )  # type: ignore[arg-type]
    finally:
        engine.close()


def test_a_stores_bulletin_is_the_same_when_duckdb_counts(
    tmp_path: Path, store_target: str
) -> None:
    config = _config("pinghu", tmp_path)
    wider = tmp_path / "wider.toml"
    wider.write_text(config.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    hall = open_hall(config)
    months = _bulletin_data(hall, tmp_path / "data", seed=3, extra=True)
    _ingest(wider, tmp_path / "data", store_target)
    seen = {"orders": 0, "counted": 0, "replaced": 0, "cases": 0, "rejected": 0}
    for month in months:
        document, messages = _same(config, store_target, month)
        seen["orders"] += len(document["orders"])
        seen["replaced"] += sum(r["rule"] == "replaced" for r in document["repeated"])
        seen["cases"] += "cases of hall" in messages
        seen["rejected"] += "unknown window 'extra'" in messages
        scan = _scan(hall, store_target, month)
        assert scan is not None  # the fast path took it
        seen["counted"] += sum(scan.counts.values())
    middle = f"{months[2]}-15T12:00"
    _same(config, store_target, months[2], "--as-of", middle)
    # the data exercised every path: orders, re-ratings, counted ratings, the cases, rejections
    assert all(seen.values()), seen


def test_a_zone_changed_since_the_import_streams_the_ratings(tmp_path: Path) -> None:
    target = str(tmp_path / "store.duckdb")
    before = _config("pinghu", tmp_path)
    months = _bulletin_data(open_hall(before), tmp_path / "data", seed=4)
    _ingest(before, tmp_path / "data", target)
    after = _config("new-york", tmp_path)
    assert _scan(open_hall(after), target, months[1]) is None
    assert _scan(open_hall(before), target, months[1]) is not None
    for month in months[:3]:
        _same(after, target, month)


def test_one_wall_clock_twice_on_a_channel_streams_the_ratings(tmp_path: Path) -> None:
    """New York's 01:30 of 2025-11-02 happens twice: two ratings then share a wall clock."""
    config = _config("new-york", tmp_path)
    hall = open_hall(config)
    data = tmp_path / "data"
    _bulletin_data(hall, data, seed=5)
    with (data / "cases.csv").open(encoding="utf-8", newline="") as handle:
        case = next(csv.DictReader(handle))
    with (data / "ratings.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for offset in ("-04:00", "-05:00"):
            writer.writerow([case["case_id"], case["window"], "", "2",
                             f"2025-11-02T01:30{offset}", "kiosk", ""])  # fmt: skip
    target = str(tmp_path / "store.duckdb")
    _ingest(config, data, target)
    assert _scan(hall, target, "2025-11") is None
    document, _ = _same(config, target, "2025-11")
    assert document["repeated"]


def test_a_postgresql_store_hands_python_its_ratings_in_its_own_collation(
    tmp_path: Path, postgres_server: Any
) -> None:
    """In a database that sorts text by a language's rules ('a' before 'B'; bytes put 'B'
    first), the re-ratings are reported in the order the ``rows`` engine reads them."""
    import psycopg

    name = "govhall_test_icu"
    server_url = postgres_server.url()
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
            "ICU_LOCALE 'en' LOCALE 'C.UTF-8'"
        )
    target = postgres_server.url(name)
    try:
        config = _config("pinghu", tmp_path)
        hall = open_hall(config)
        data = tmp_path / "data"
        _bulletin_data(hall, data, seed=6)
        with (data / "cases.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            first = next(reader)
            fields = list(first)
        odd = [{**first, "case_id": case_id} for case_id in ("a-1", "B-2", "b-3")]
        with (data / "cases.csv").open("a", encoding="utf-8", newline="") as handle:
            csv.DictWriter(handle, fieldnames=fields).writerows(odd)
        at = dt.datetime.fromisoformat(first["received_at"]) + dt.timedelta(days=1)
        with (data / "ratings.csv").open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for case in odd:
                for hours in (0, 1):  # rated twice on one channel: the first is replaced
                    moment = (at + dt.timedelta(hours=hours)).isoformat(timespec="minutes")
                    writer.writerow([case["case_id"], case["window"], "", "2", moment, "pad", ""])
        _ingest(config, data, target)
        document, _ = _same(config, target, at.strftime("%Y-%m"))
        ids = [r["case_id"] for r in document["repeated"] if r["case_id"] in ("a-1", "B-2", "b-3")]
        assert ids == ["a-1", "B-2", "b-3"]  # the database's order (bytes put "B-2" first)
    finally:
        postgres_server.drop_database(target)


def test_a_stores_report_is_the_same_when_duckdb_reads_its_bulletin(
    tmp_path: Path, store_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The month report's 好差评 section from a store: DuckDB splits the month's ratings
    (the page, the JSON and the bulletin behind them are the rows engine's)."""
    from govhall.store import rating_scan

    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    months = _bulletin_data(hall, tmp_path / "data", seed=7)
    with (tmp_path / "data" / "cases.csv").open(encoding="utf-8", newline="") as handle:
        case = next(csv.DictReader(handle))
    # rated in the month, and again at the very first moment after it: the later rating
    # replaces the month's (the report counts a rating given at the month's end)
    after = dt.date.fromisoformat(f"{months[1]}-01") + dt.timedelta(days=40)
    end = f"{after.replace(day=1).isoformat()}T00:00"
    with (tmp_path / "data" / "ratings.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for moment in (f"{months[1]}-20T10:00", end):
            writer.writerow([case["case_id"], case["window"], "", "4", moment, "kiosk", ""])
    _ingest(config, tmp_path / "data", store_target)
    scans: list[Any] = []
    scan = rating_scan.scan_store_ratings

    def spy(*args: Any, **kwargs: Any) -> Any:
        scans.append(scan(*args, **kwargs))
        return scans[-1]

    monkeypatch.setattr(rating_scan, "scan_store_ratings", spy)
    for month in months[1:3]:
        found = []
        for engine in ("rows", "duckdb"):
            out = tmp_path / f"report-{month}-{engine}.html"
            result = CliRunner().invoke(
                cli, ["report", str(config), "--data", store_target, "--month", month,
                      "--engine", engine, "--out", str(out), "--json"],
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            document = json.loads(result.stdout)
            del document["path"]
            bulletin = hall.report(store_target, month, engine=engine).bulletin
            assert bulletin is not None
            found.append((document, out.read_bytes(), bulletin.to_json(), result.stderr))
        assert found[0] == found[1]
        assert found[0][2]["orders"]
    assert len(scans) == 4  # the duckdb runs' (command and call), each split by DuckDB
    assert all(found is not None for found in scans)


def test_auto_reads_a_stores_bulletin_with_duckdb_and_a_small_folders_with_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govhall.engines import AUTO_DUCKDB_BYTES
    from govhall.readers import duck_ratings
    from govhall.readers.folder import DataFolder
    from govhall.session import bulletin_engine
    from govhall.store import rating_scan

    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    months = _bulletin_data(hall, tmp_path / "data", seed=8)
    target = str(tmp_path / "store.duckdb")
    _ingest(config, tmp_path / "data", target)
    assert bulletin_engine(StoreSource(target, hall.config.hall.id)) == "duckdb"
    assert bulletin_engine(DataFolder(tmp_path / "data")) == "rows"
    big = tmp_path / "big"
    big.mkdir()
    with (big / "ratings.csv").open("wb") as handle:
        handle.truncate(AUTO_DUCKDB_BYTES)
    assert bulletin_engine(DataFolder(big)) == "duckdb"
    (tmp_path / "empty").mkdir()
    assert bulletin_engine(DataFolder(tmp_path / "empty")) == "rows"  # no files: rows says so
    calls: list[str] = []
    for module, name in ((rating_scan, "scan_store_ratings"), (duck_ratings, "scan_ratings")):
        original = getattr(module, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    expected = _ratings(config, target, months[1], "rows")
    for data in (target, str(tmp_path / "data")):
        result = CliRunner().invoke(
            cli, ["ratings", str(config), "--data", data, "--month", months[1], "--json"]
        )
        assert result.exit_code == 0, result.output
        if data == target:
            assert (json.loads(result.stdout), result.stderr) == expected
    assert calls == ["scan_store_ratings"]  # the small folder's went through rows
