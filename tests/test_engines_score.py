"""Every engine scores, grades and reports what the ``rows`` engine does, number for number.

The data of ``tests/test_engines.py`` (holidays and make-up days, receipts
at any minute and after closing, every status, pauses, conclusions at a
closing time and a second after) with staff of the hall, staff it does not
know and no staff, ratings of every level at any time of day on several
channels, and inspection findings; on the same hall setups. Compared: the
``score`` JSON (both evidence modes), the ``rewards`` JSON with the staff's
annual result, and the month's report (its KPIs, ranking, overdue cases,
bad ratings, warnings, and the HTML page itself).
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
from test_engines import SETUPS, _cases, _config

from govhall.assessment.rewards import annual_results
from govhall.cli import main as cli
from govhall.engines import open_engine
from govhall.report.html import render_report
from govhall.session import HallSession, open_hall

MONTHS = ["2025-10", "2025-12", "2026-02"]
"""National Day with its make-up days; a plain month; Spring Festival."""


def _write(hall: HallSession, folder: Path, seed: int, count: int = 1500) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    staff = [s.id for s in hall.config.staff]
    cases = list(_cases(hall, rng, count))
    for case in cases:
        case["staff"] = rng.choice([*staff, *staff, "", "nobody"])
    with (folder / "cases.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(cases[0]))
        writer.writeheader()
        writer.writerows(cases)
    with (folder / "ratings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "window", "staff", "level", "rated_at", "channel"])
        for case in rng.sample(cases, count // 2):
            day = dt.date.fromisoformat(case["received_at"][:10])
            day += dt.timedelta(days=rng.randrange(0, 20))
            at = dt.datetime.combine(day, dt.time()) + dt.timedelta(
                minutes=rng.randrange(1440), seconds=rng.choice([0, 0, 17])
            )
            writer.writerow(
                [
                    case["case_id"],
                    case["window"],
                    case["staff"],
                    rng.randint(1, 5),
                    at.isoformat(),
                    rng.choice(["窗口", "网上", "短信"]),
                ]
            )
    windows = [w.id for w in hall.config.windows]
    with (folder / "findings.csv").open("w", newline="", encoding="utf-8") as handle:
        handle.write("date,window,staff,rule,count,points\n")
        for month in MONTHS:
            handle.write(f"{month}-15,{rng.choice(windows)},,window.cleanliness.untidy,1,\n")
    return folder


def _report(hall: HallSession, data: Path, month: str, engine: Any) -> dict[str, Any]:
    found = hall.report(data, month, engine=engine)
    return {
        "kpis": found.kpis.to_json(),
        "scores": found.scores.to_json(),
        "active": found.scores.active,
        "overdue": [
            (c.case_id, c.window, c.item, f"{c.received_at:%Y-%m-%d %H:%M}", c.due, c.concluded_at)
            for c in found.overdue
        ],
        "open": [c.open for c in found.overdue],
        "bad": [
            (r.case_id, r.window, r.staff, r.level, r.rated_at, r.channel)
            for r in found.bad_ratings
        ],
        "warnings": found.warnings,
        "read": found.read.counts(),
        "html": render_report(found, version="test"),
    }


def _year(hall: HallSession, data: Path, engine: Any) -> dict[str, Any]:
    years: set[int] = set()
    monthly, staff = hall.score_year(data, 2025, engine=engine, years=years)
    result = annual_results(2025, hall.config, hall.reward_rules, monthly, staff_year=staff)
    return {
        "rewards": result.to_json(),
        "months": {str(m): s.to_json() for m, s in monthly.items()},
        "on_post": {str(m): sorted(s.staff_on_post) for m, s in monthly.items()},
        "staff_year": [(s.subject, s.score, s.rank, s.lines) for s in staff],
        "years": sorted(years),
    }


def _compare(hall: HallSession, data: Path, engine: Any, months: list[str]) -> None:
    for evidence in ("summary", "full"):
        expected = hall.score_months(data, months, evidence=evidence)
        found = hall.score_months(data, months, evidence=evidence, engine=engine)
        assert [s.to_json() for s in found.values()] == [s.to_json() for s in expected.values()]
        assert [s.active for s in found.values()] == [s.active for s in expected.values()]
    for month in months:
        expected_report = _report(hall, data, month, "rows")
        assert expected_report["overdue"]
        assert expected_report["bad"]
        assert _report(hall, data, month, engine) == expected_report
    assert _year(hall, data, engine) == _year(hall, data, "rows")
    trend = hall.monthly_kpis(data, months, engine=engine)
    expected_trend = {m: k.to_json() for m, k in hall.monthly_kpis(data, months).items()}
    assert {m: k.to_json() for m, k in trend.items()} == expected_trend
    # the report counts a trend in its own pass (on an engine) or once more (rows)
    for counted_by in ("rows", engine):
        found = hall.report(data, months[0], engine=counted_by, trend=reversed(months))
        assert {m: k.to_json() for m, k in found.trend.items()} == expected_trend
        assert list(found.trend) == sorted(found.trend)


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_duckdb_scores_grades_and_reports_what_rows_does(setup: str, tmp_path: Path) -> None:
    hall = open_hall(_config(setup, tmp_path))
    data = _write(hall, tmp_path / "data", seed=31 + len(setup))
    scores = hall.score(data, MONTHS[0], evidence="full").to_json()
    rules = {
        line["rule"]
        for window in scores["windows"]
        for line in window.get("assessment", window)["lines"]
    }
    assert {"window.time-limit.overdue", "window.evaluation.overall"} <= rules
    assert any(entry["lines"] for entry in scores["staff"])
    engine = open_engine("duckdb")
    try:
        _compare(hall, data, engine, MONTHS)
    finally:
        engine.close()


def test_spark_scores_grades_and_reports_what_rows_does(tmp_path: Path, spark_session: Any) -> None:
    hall = open_hall(_config("zhenhai", tmp_path))
    data = _write(hall, tmp_path / "data", seed=5, count=600)
    engine = open_engine("spark", spark_session=spark_session)
    try:
        _compare(hall, data, engine, MONTHS[:1])
    finally:
        engine.close()


def test_records_from_a_source_score_alike_in_every_engine(tmp_path: Path) -> None:
    from govhall.readers.folder import DataFolder

    class Records:  # a source that is not a folder: its records go to the engine
        def __init__(self, folder: Path) -> None:
            self.inner = DataFolder(folder)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    hall = open_hall(_config("pinghu", tmp_path))
    data = _write(hall, tmp_path / "data", seed=3, count=700)
    expected = hall.score(data, MONTHS[0], evidence="full").to_json()
    found = hall.score(Records(data), MONTHS[0], evidence="full", engine="duckdb")  # type: ignore[arg-type]
    assert found.to_json() == expected


def test_an_empty_folder_scores_nothing_in_every_engine(tmp_path: Path) -> None:
    hall = open_hall(_config("pinghu", tmp_path))
    folder = tmp_path / "data"
    folder.mkdir()
    header = "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
    (folder / "cases.csv").write_text(header, encoding="utf-8")
    for engine in ("rows", "duckdb"):
        scores = hall.score(folder, "2025-10", engine=engine)
        assert not scores.active
        report = hall.report(folder, "2025-10", engine=engine)
        assert (report.overdue, report.bad_ratings, report.kpis.cases) == ([], [], 0)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_score_rewards_and_report_engine_options_give_the_same_json(tmp_path: Path) -> None:
    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    data = str(_write(hall, tmp_path / "data", seed=11, count=800))
    answers: dict[str, list[Any]] = {"score": [], "full": [], "rewards": [], "report": []}
    for engine in ("rows", "duckdb"):
        base = [str(config), "--data", data, "--engine", engine, "--json"]
        for name, args in (
            ("score", ["score", "--month", "2025-10"]),
            ("full", ["score", "--month", "2025-10", "--evidence", "full"]),
            ("rewards", ["rewards", "--year", "2025"]),
            ("report", ["report", "--month", "2025-10", "--out", str(tmp_path / f"{engine}.html")]),
        ):
            result = _cli(*args, *base)
            assert result.exit_code == 0, result.output
            document = json.loads(result.stdout)
            document.pop("path", None)
            answers[name].append(document)
    for name, (rows, duckdb) in answers.items():
        assert duckdb == rows, name
    summary = {line["rule"]: line for line in answers["score"][0]["windows"][0]["lines"]}
    full = {line["rule"]: line for line in answers["full"][0]["windows"][0]["lines"]}
    window = answers["score"][0]["windows"][0]["window"]
    rated = summary["window.evaluation.overall"]
    assert rated["evidence"] == [f"ratings:{window}:2025-10"]
    listed = full["window.evaluation.overall"]["evidence"]
    assert len(listed) > 1
    assert all(e.startswith("rating:") for e in listed)
    assert f"of {len(listed)} ratings" in rated["note"]
    assert (tmp_path / "rows.html").read_text() == (tmp_path / "duckdb.html").read_text()


@pytest.mark.parametrize(
    "command", [["score", "--month", "2025-10"], ["rewards", "--year", "2026"]]
)
def test_master_without_spark_is_a_usage_error_for_scores(
    command: list[str], tmp_path: Path
) -> None:
    config = _config("pinghu", tmp_path)
    result = _cli(*command, str(config), "--data", str(tmp_path), "--master", "local[1]")
    assert result.exit_code == 2
    assert "--master applies to --engine spark only" in result.output


def test_a_reports_bulletin_takes_the_cases_duckdb_read_for_the_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB reads a folder's cases once for the whole report: the bulletin is built in the
    engine that counted the scores, while it still holds them; the page is rows' page."""
    from govhall.readers.duck_scan import FolderScan

    hall = open_hall(_config("pinghu", tmp_path))
    data = _write(hall, tmp_path / "data", seed=44)
    expected = _report(hall, data, MONTHS[0], "rows")
    reads: list[int] = []
    read_cases = FolderScan.cases

    def counted(scan: FolderScan, paths: Any) -> None:
        reads.append(len(paths))
        read_cases(scan, paths)

    monkeypatch.setattr(FolderScan, "cases", counted)
    assert _report(hall, data, MONTHS[0], "duckdb") == expected
    assert reads == [1]
