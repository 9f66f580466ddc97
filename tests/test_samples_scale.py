"""The province-scale sample (``govhall sample --months``, ``--format parquet``, deployments).

Each property is checked on the files themselves: the careful readers accept
every row, receipts fall inside opening hours, the engines agree on them,
and the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.readers import (
    ReadReport,
    located_rectifications,
    read_cases,
    read_findings,
    read_ratings,
)
from govhall.session import HallSession, open_hall

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
DEPLOYMENT = ROOT / "deployments" / "example.toml"


def _write(hall: HallSession, out: Path, fmt: str, rows: int = 3000, seed: int = 5) -> None:
    hall.write_sample(out, seed=seed, rows=rows, months=3, format=fmt)


@pytest.fixture(scope="module", params=["zhenhai", "pinghu", "luanchuan"])
def written(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    hall = open_hall(CONFIGS / f"{request.param}.toml")
    out = tmp_path_factory.mktemp(request.param)
    _write(hall, out, "csv")
    return hall, out


def _read(hall: HallSession, out: Path) -> tuple[ReadReport, list, list, list, list]:
    report = ReadReport()
    zone = hall.zone
    cases = list(read_cases(out, zone, report, windows=hall.window_ids, items=hall.item_ids))
    ratings = list(read_ratings(out, zone, report, windows=hall.window_ids))
    orders = [r for _, _, r in located_rectifications(out, zone, report)]
    findings = list(read_findings(out, report, windows=hall.window_ids))
    return report, cases, ratings, orders, findings


def test_the_careful_reader_accepts_every_row(written: tuple) -> None:
    hall, out = written
    report, cases, ratings, orders, findings = _read(hall, out)
    assert report.rejected == 0, report.problems[:3]
    assert [p for p in report.problems if p.severity == "warning"] == []
    assert len(cases) == 3000
    assert ratings
    assert findings
    assert report.read == len(cases) + len(ratings) + len(orders) + len(findings)


def test_receipts_fall_on_working_days_inside_opening_hours(written: tuple) -> None:
    hall, out = written
    _, cases, _, _, _ = _read(hall, out)
    time = hall.time
    for case in cases:
        day = case.received_at.date()
        assert time.calendar.is_workday(day), case
        minute = case.received_at.hour * 60 + case.received_at.minute
        assert any(a <= minute < b for a, b in time.hours.intervals(case.window, day)), case
        assert dt.date(2010, 1, 1) <= day <= dt.date(2010, 3, 31) or day.year == 2025


def test_cases_are_in_receipt_order_with_unique_ids(written: tuple) -> None:
    hall, out = written
    _, cases, _, _, _ = _read(hall, out)
    received = [case.received_at for case in cases]
    assert received == sorted(received)
    assert len({case.case_id for case in cases}) == len(cases)
    assert cases[0].case_id.endswith("-0000001")


def test_conclusions_are_on_time_unless_drawn_late(written: tuple) -> None:
    hall, out = written
    _, cases, _, _, _ = _read(hall, out)
    concluded = [c for c in cases if c.concluded_at is not None]
    assert concluded
    late = [c for c in concluded if c.concluded_at > hall.due_times.due(c)]
    assert all(c.kind == "promised" for c in late)
    assert len(late) <= 0.02 * len(concluded) + 3  # the profiles' late shares are 0-0.5%
    immediate = [c for c in concluded if c.kind == "immediate"]
    assert all(c.concluded_at.date() == c.received_at.date() for c in immediate)


def test_statuses_pauses_ratings_and_work_orders_are_all_there(written: tuple) -> None:
    hall, out = written
    _, cases, ratings, orders, _ = _read(hall, out)
    statuses = Counter(case.status for case in cases)
    assert {"concluded", "delivered"} <= set(statuses)
    paused = [case for case in cases if case.pauses]
    assert paused
    for case in paused:  # a pause (补正) starts the day after receipt and ends before conclusion
        (pause,) = case.pauses
        assert pause.start == case.received_at.date() + dt.timedelta(days=1)
        assert case.concluded_at is None or pause.end < case.concluded_at.date()
    by_case = {case.case_id: case for case in cases}
    for rating in ratings:
        case = by_case[rating.case_id]
        assert rating.rated_at == case.concluded_at
        assert (rating.window, rating.staff) == (case.window, case.staff)
    assert len({r.channel for r in ratings}) >= 3
    bad = {(r.case_id, r.channel, r.rated_at) for r in ratings if r.level <= 2}
    assert {(o.case_id, o.channel, o.rated_at) for o in orders} == bad


def test_zhenhai_has_every_level_tags_and_work_orders_in_all_states(tmp_path: Path) -> None:
    hall = open_hall(CONFIGS / "zhenhai.toml")
    _write(hall, tmp_path, "csv", rows=60_000)
    _, cases, ratings, orders, _ = _read(hall, tmp_path)
    assert set(Counter(case.status for case in cases)) == {
        "not_accepted",
        "correction",
        "returned",
        "accepted",
        "in_review",
        "withdrawn",
        "concluded",
        "delivered",
    }
    assert {r.level for r in ratings} == {1, 2, 3, 4, 5}
    bad_tags = Counter(tag for r in ratings if r.level <= 2 for tag in r.tags)
    assert bad_tags.most_common(1)[0][0] == "无理由超过法定办理时间"
    assert all(r.tags for r in ratings if r.level <= 2)
    assert any(r.tags for r in ratings if r.level >= 4)
    assert {o.outcome for o in orders} == {None, "rectified", "explained", "not_upheld"}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    hall = open_hall(CONFIGS / "pinghu.toml")
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        _write(hall, tmp_path / name, fmt, rows=130_000, seed=seed)  # two Parquet row groups
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == [f"{stem}.{fmt}" for stem in ("cases", "findings", "ratings", "rectifications")]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / files[0]).read_bytes() != (tmp_path / "c" / files[0]).read_bytes()


def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    hall = open_hall(CONFIGS / "zhenhai.toml")
    _write(hall, tmp_path / "csv", "csv")
    _write(hall, tmp_path / "parquet", "parquet")
    csv_read = _read(hall, tmp_path / "csv")
    parquet_read = _read(hall, tmp_path / "parquet")
    assert parquet_read[0].rejected == 0
    assert csv_read[1:] == parquet_read[1:]


def test_every_engine_counts_the_sample_alike(tmp_path: Path) -> None:
    hall = open_hall(CONFIGS / "pinghu.toml")
    _write(hall, tmp_path, "parquet", rows=5000)
    read = ReadReport()
    rows = hall.kpis(tmp_path, engine="rows", read=read)
    duck = hall.kpis(tmp_path, engine="duckdb")
    assert rows.kpis.to_json() == duck.kpis.to_json()
    assert read.rejected == 0
    assert rows.kpis.to_json()["cases"] == 5000


@pytest.fixture(scope="module")
def rated_twice_and_more(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    hall = open_hall(CONFIGS / "zhenhai.toml")
    out = tmp_path_factory.mktemp("rated")
    hall.write_sample(out, seed=9, rows=6000, months=2, ratings_per_case=2.5)
    return hall, out


def test_more_ratings_than_cases_are_all_accepted(rated_twice_and_more: tuple) -> None:
    hall, out = rated_twice_and_more
    report, cases, ratings, orders, _ = _read(hall, out)
    assert report.rejected == 0, report.problems[:3]
    assert [p for p in report.problems if p.severity == "warning"] == []
    concluded = [case for case in cases if case.concluded_at is not None]
    per_case = Counter(rating.case_id for rating in ratings)
    # 2.5 a concluded case: every one rated twice, about half of them once more
    assert set(per_case.values()) == {2, 3}
    assert set(per_case) == {case.case_id for case in concluded}
    assert 0.4 < (len(ratings) - 2 * len(concluded)) / len(concluded) < 0.6
    bad = {(r.case_id, r.channel, r.rated_at) for r in ratings if r.level <= 2}
    assert {(o.case_id, o.channel, o.rated_at) for o in orders} == bad


def test_a_case_is_rated_once_per_channel_on_the_day_it_ends(rated_twice_and_more: tuple) -> None:
    hall, out = rated_twice_and_more
    _, cases, ratings, _, _ = _read(hall, out)
    by_case = {case.case_id: case for case in cases}
    channels: dict[str, list[str]] = {}
    for rating in ratings:
        case = by_case[rating.case_id]
        assert case.concluded_at is not None
        assert (rating.window, rating.staff) == (case.window, case.staff)
        assert rating.rated_at.date() == case.concluded_at.date()
        assert rating.rated_at >= case.concluded_at
        channels.setdefault(rating.case_id, []).append(rating.channel)
    assert all(len(set(seen)) == len(seen) for seen in channels.values())
    first = Counter(seen[0] for seen in channels.values())
    assert first.most_common(1)[0][0] == "pad"  # the first is drawn by the channels' shares
    bulletin = hall.ratings(out, "2010-02")
    assert bulletin.to_json()["repeated"] == []


def test_the_engines_count_more_ratings_than_cases_alike(rated_twice_and_more: tuple) -> None:
    hall, out = rated_twice_and_more
    read = ReadReport()
    rows = hall.kpis(out, engine="rows", read=read).kpis.to_json()
    assert rows == hall.kpis(out, engine="duckdb").kpis.to_json()
    assert rows["ratings"] > rows["cases"]


def test_six_ratings_a_case_use_every_channel(tmp_path: Path) -> None:
    hall = open_hall(CONFIGS / "pinghu.toml")
    hall.write_sample(tmp_path, seed=2, rows=500, months=1, ratings_per_case=6)
    report, _, ratings, _, _ = _read(hall, tmp_path)
    assert report.rejected == 0
    channels: dict[str, set[str]] = {}
    for rating in ratings:
        channels.setdefault(rating.case_id, set()).add(rating.channel)
    assert {frozenset(seen) for seen in channels.values()} == {
        frozenset({"pad", "kiosk", "online", "app", "sms", "hotline"})
    }


def test_the_profiles_own_share_gives_the_default_bytes(tmp_path: Path) -> None:
    from govhall.samples import PROFILES, mix_for

    hall = open_hall(CONFIGS / "zhenhai.toml")
    share = mix_for(PROFILES["zhenhai"]).rated
    assert 0 < share < 1
    hall.write_sample(tmp_path / "a", seed=4, rows=20_000, months=1)
    hall.write_sample(tmp_path / "b", seed=4, rows=20_000, months=1, ratings_per_case=share)
    hall.write_sample(tmp_path / "c", seed=4, rows=20_000, months=1, ratings_per_case=1.5)
    for name in ("cases.csv", "ratings.csv", "rectifications.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "cases.csv").read_bytes() == (
        tmp_path / "c" / "cases.csv"
    ).read_bytes()
    assert (tmp_path / "a" / "ratings.csv").stat().st_size * 10 < (
        tmp_path / "c" / "ratings.csv"
    ).stat().st_size


def test_ratings_per_case_on_a_deployment_and_in_its_json(tmp_path: Path) -> None:
    out = tmp_path / "data"
    args = ["sample", str(DEPLOYMENT), "--out", str(out), "--rows", "2000", "--months", "1"]
    result = CliRunner().invoke(main, [*args, "--ratings-per-case", "1.25", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ratings"] > document["cases"]
    assert all("1.25 ratings per concluded case assumed" in h["source"] for h in document["halls"])


def test_ratings_per_case_needs_the_province_scale_generator(tmp_path: Path) -> None:
    from govhall.errors import GovhallError

    hall = open_hall(CONFIGS / "zhenhai.toml")
    with pytest.raises(GovhallError, match="province-scale generator"):
        hall.write_sample(tmp_path, ratings_per_case=2)
    with pytest.raises(GovhallError, match="between 0 and 6"):
        hall.write_sample(tmp_path, months=1, ratings_per_case=6.5)
    assert list(tmp_path.iterdir()) == []


def test_months_set_the_period_and_default_rows(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["sample", str(CONFIGS / "zhenhai.toml"), "--out", str(tmp_path), "--json"]
    result = runner.invoke(main, [*args, "--months", "2", "--from", "2011-11"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["from"], document["to"]) == ("2011-11-01", "2011-12-31")
    # Zhenhai's H1 2010: 28151 accepted + 282 refused over six months
    assert document["cases"] == round((28151 + 282) / 6 * 2)
    assert document["format"] == "csv"


def test_a_deployment_gets_one_subfolder_per_hall_that_kpi_reads(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "data"
    result = runner.invoke(
        main,
        ["sample", str(DEPLOYMENT), "--out", str(out), "--rows", "4001", "--months", "1"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    halls = sorted(p.name for p in out.iterdir())
    assert halls == ["baoding", "luanchuan", "pinghu", "zhenhai"]
    kpi = runner.invoke(main, ["kpi", str(DEPLOYMENT), "--data", str(out), "--json"])
    assert kpi.exit_code == 0, kpi.output
    document = json.loads(kpi.stdout)
    assert document["total"]["cases"] == 4001
    assert [h["hall"] for h in document["halls"]] == halls
    assert "rejected 1" not in kpi.stderr
    assert "rejected 0" in kpi.stderr


def test_parquet_refuses_a_folder_of_csv_files(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["sample", str(CONFIGS / "luanchuan.toml"), "--out", str(tmp_path)]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, [*args, "--format", "parquet", "--force"])
    assert again.exit_code == 1
    assert "cases.csv" in again.stderr
    assert "would be read beside" in again.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".csv"] * 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rows", "20000000"], "give --months"),
        (["--from", "2010-13", "--months", "1"], "month must be in 1..12"),
        (["--from", "2010", "--months", "1"], "expected YYYY-MM"),
        (["--months", "0"], "--months"),
        (["--ratings-per-case", "2"], "give --months N"),
        (["--ratings-per-case", "6.5", "--months", "1"], "expected 0 to 6"),
        (["--ratings-per-case", "-1", "--months", "1"], "expected 0 to 6"),
        (["--ratings-per-case", "nan", "--months", "1"], "expected 0 to 6"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, extra: list[str], message: str) -> None:
    args = ["sample", str(CONFIGS / "zhenhai.toml"), "--out", str(tmp_path), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rated", [None, 2.3])
def test_the_rows_do_not_depend_on_duckdb_threads(rated: float | None) -> None:
    from dataclasses import replace

    import duckdb

    from govhall.engines.generate import generate
    from govhall.samples import PROFILES, mix_for

    mix = mix_for(PROFILES["zhenhai"])
    if rated is not None:
        mix = replace(mix, rated=rated)

    hall = open_hall(CONFIGS / "zhenhai.toml")
    tables = []
    for threads in (1, 2):
        db = duckdb.connect()
        db.execute(f"SET threads TO {threads}")
        generate(
            db,
            hall.config,
            hall.time,
            first=dt.date(2010, 1, 1),
            last=dt.date(2010, 6, 30),
            cases=150_000,
            seed=3,
            mix=mix,
        )
        names = ("gen_cases", "gen_ratings", "gen_rectifications")
        tables.append([db.execute(f"SELECT * FROM {name}").fetchall() for name in names])
        db.close()
    assert tables[0] == tables[1]
