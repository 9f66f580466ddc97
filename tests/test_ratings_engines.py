"""The bulletin with ``engine="duckdb"`` is the rows engine's, number for number (differential).

DuckDB counts the ratings no rule can change and hands the rest to Python
(:mod:`govhall.readers.duck_ratings`); every case here compares the whole
``govhall ratings --json`` document, the row counts and every message of
both engines.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhall.cli import main
from govhall.readers import ReadReport
from govhall.session import HallSession, open_hall

ROOT = Path(__file__).resolve().parent.parent
PINGHU = ROOT / "configs" / "pinghu.toml"
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
RATINGS_HEADER = "case_id,window,staff,level,rated_at,channel,tags\n"
PROGRESS_HEADER = "case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome\n"
CASES_HEADER = "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
TIME_TAG = "无理由超过法定办理时间"


def _both(session: HallSession, data: Path, month: str, **options: object) -> None:
    """Assert both engines give the same document, counts and messages."""
    answers = []
    for engine in ("rows", "duckdb"):
        read = ReadReport()
        bulletin = session.ratings(data, month, read=read, engine=engine, **options)  # type: ignore[arg-type]
        answers.append(
            (
                bulletin.to_json(),
                {name: (s.read, s.used, s.rejected) for name, s in read.files.items()},
                list(read.files),
                sorted(str(p) for p in read.problems),
                sorted(str(p) for p in read.warnings),
            )
        )
    rows, duck = answers
    assert duck[0] == rows[0]
    assert duck[1:] == rows[1:]


def _pinghu(tmp: Path, extra: str = "") -> HallSession:
    path = tmp / "pinghu.toml"
    path.write_text(PINGHU.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return open_hall(path)


RATINGS = f"""c1,tax,,5,2026-10-08T10:00,pad,
c2,tax,tax-a,4,2026-10-09T10:00,政务服务网,
c3,market,,1,2026-10-12T09:00,sms,态度差
c3,market,,2,2026-10-12T10:00,sms, 态度差 ;态度差;{TIME_TAG}
c3,market,,5,2026-10-12T10:00,online,
c4,police,,1,2026-10-20T10:00,app,{TIME_TAG}
c5,police,,3,2026-10-21T10:00,onsite,
c6,police,,4,2026-10-22T10:00,onsite,
c7,police,,4,2026-10-23T10:00,kiosk,
c8,police,,5,2026-09-30T10:00,pad,
c8,police,,4,2026-10-02T10:00,pad,
c9,tax,,5,2026-11-01T00:00,hotline,
c10,tax,,5,2026-10-31T23:59,hotline,
c11,tax,,2,2026-11-01T00:00,pad,
c11,tax,,5,2026-10-31T12:00,pad,
c12,market,,4,2026-11-05T10:00,pad,
"""
MORE = """c1,tax,,5,2026-10-08T11:00,pad,
c13,market,,4,2026-10-15T10:00,sms,
"""
PROGRESS = """c3,sms,2026-10-12T10:00,2026-10-13T09:00,2026-10-14T10:00,2026-10-15T10:00,rectified
c7,kiosk,2026-10-23T10:00,2026-10-24T10:00,,,
c99,pad,2026-10-08T10:00,2026-10-09T10:00,,,
c4,app,2026-10-20T10:00,2026-10-21T10:00,2026-10-30T10:00,2026-11-20T10:00,explained
"""
CASES = """c3,market,business-licence,promised,2026-09-01T09:00,concluded,2026-10-20T09:00,2
c4,police,household-move,promised,2026-10-09T09:00,concluded,2026-10-12T09:00,1
c1,tax,invoice-issue,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c2,tax,invoice-issue,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c5,police,residence-certificate,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c6,police,residence-certificate,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c7,police,residence-certificate,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c8,police,residence-certificate,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c9,tax,invoice-issue,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c10,tax,invoice-issue,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c11,tax,invoice-issue,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c12,market,business-licence,immediate,2026-09-28T09:00,concluded,2026-09-28T09:30,1
c13,market,business-licence,promised,2026-10-08T09:00,concluded,2026-10-09T09:00,1
c26,tax,invoice-issue,immediate,2026-10-08T09:00,concluded,2026-10-08T09:30,1
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ratings.csv").write_text(RATINGS_HEADER + RATINGS, encoding="utf-8")
    (data / "ratings-2.csv").write_text(RATINGS_HEADER + MORE, encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS_HEADER + PROGRESS, encoding="utf-8")
    (data / "cases.csv").write_text(CASES_HEADER + CASES, encoding="utf-8")
    return data


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
@pytest.mark.parametrize("repeated", ["latest", "all"])
def test_repeats_duplicates_unknown_channels_and_named_ratings(
    tmp_path: Path, folder: Path, month: str, repeated: str
) -> None:
    session = _pinghu(tmp_path, f'[ratings]\nreply_days = 5\nrepeated = "{repeated}"\n')
    _both(session, folder, month)


@pytest.mark.parametrize("as_of", ["2026-10-15T12:00", "2026-11-03T09:00", "2026-12-01T00:00"])
def test_statuses_at_another_moment(tmp_path: Path, folder: Path, as_of: str) -> None:
    session = _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    _both(session, folder, "2026-10", as_of=dt.datetime.fromisoformat(as_of))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bad-row.csv", "c20,tax,,9,2026-10-08T10:00,pad,\n"),  # level 9: careful reader names it
        ("break.csv", 'c21,tax,,2,2026-10-08T10:00,pad,"a\nb"\n'),  # a line break in a value
        ("blank.csv", "\nc22,tax,,2,2026-10-08T10:00,pad,\n"),  # a blank line shifts the lines
        # a blank line, and no line break at the end: the count of lines alone would match
        ("blank-end.csv", "c24,tax,,2,2026-10-08T10:00,pad,\n\nc25,tax,,1,2026-10-09T10:00,pad,"),
        ("offset.csv", "c23,tax,,2,2026-10-08T10:00+08:00,pad,\n"),  # a time with its offset
    ],
)
def test_a_file_the_fast_path_cannot_take_is_read_the_careful_way(
    tmp_path: Path, folder: Path, name: str, text: str
) -> None:
    (folder / f"ratings-{name}").write_text(RATINGS_HEADER + text, encoding="utf-8")
    session = _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    _both(session, folder, "2026-10")


def test_json_lines_and_no_rectifications(tmp_path: Path, folder: Path) -> None:
    (folder / "rectifications.csv").unlink()
    (folder / "ratings-3.jsonl").write_text(
        json.dumps(
            {
                "case_id": "c30",
                "window": "tax",
                "staff": "",
                "level": 2,
                "rated_at": "2026-10-08T10:00",
                "channel": "pad",
                "tags": [TIME_TAG],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    session = _pinghu(tmp_path)
    _both(session, folder, "2026-10")


def test_no_cases_file_for_a_time_limit_complaint(tmp_path: Path, folder: Path) -> None:
    (folder / "cases.csv").unlink()
    _both(_pinghu(tmp_path), folder, "2026-10")


@pytest.mark.parametrize("seed", range(6))
def test_random_months(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    data = tmp_path / "data"
    data.mkdir()
    windows = ["tax", "market", "police"]
    channels = ["pad", "online", "app", "sms", "kiosk", "hotline", "短信", "walk-in"]
    tags = ["", "态度差", TIME_TAG, f"态度差;{TIME_TAG}"]
    rows, progress = [], []
    for _ in range(rng.randint(50, 400)):
        case = f"r{rng.randint(1, 120)}"
        day = dt.datetime(2026, 9, 25, 8) + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 45))
        level = rng.choice([1, 2, 3, 4, 5, 5, 5, 4])
        channel = rng.choice(channels)
        rated = day.strftime("%Y-%m-%dT%H:%M")
        rows.append(f"{case},{rng.choice(windows)},,{level},{rated},{channel},{rng.choice(tags)}\n")
        if rng.random() < 0.3:
            done = day + dt.timedelta(days=rng.randint(1, 12))
            replied = done.strftime("%Y-%m-%dT%H:%M") if rng.random() < 0.7 else ""
            outcome = "rectified" if replied else ""
            verified = (day + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
            progress.append(f"{case},{channel},{rated},{verified},,{replied},{outcome}\n")
    half = len(rows) // 2
    (data / "ratings-a.csv").write_text(RATINGS_HEADER + "".join(rows[:half]), encoding="utf-8")
    (data / "ratings-b.csv").write_text(RATINGS_HEADER + "".join(rows[half:]), encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS_HEADER + "".join(progress), encoding="utf-8")
    session = _pinghu(tmp_path, f"[ratings]\nreply_days = {rng.randint(1, 15)}\n")
    _both(session, data, "2026-10")


def test_the_zhenhai_sample(tmp_path: Path) -> None:
    data = tmp_path / "sample"
    result = CliRunner().invoke(
        main, ["sample", str(ZHENHAI), "--out", str(data), "--rows", "3000"]
    )
    assert result.exit_code == 0, result.output
    session = open_hall(ZHENHAI)
    for month in ("2010-02", "2010-03"):
        _both(session, data, month)


def test_the_command_takes_the_engine(tmp_path: Path, folder: Path) -> None:
    _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    documents = []
    for engine in ("rows", "duckdb"):
        result = CliRunner().invoke(
            main,
            [
                "ratings", str(tmp_path / "pinghu.toml"), "--data", str(folder),
                "--month", "2026-10", "--engine", engine, "--json",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        documents.append(json.loads(result.stdout))
    assert documents[0] == documents[1]
    assert documents[0]["by_channel"]["other"] == 2  # onsite is no known channel


def test_an_unknown_engine_is_an_error(tmp_path: Path, folder: Path) -> None:
    from govhall.errors import GovhallError

    with pytest.raises(GovhallError, match="unknown engine 'spark'"):
        _pinghu(tmp_path).ratings(folder, "2026-10", engine="spark")


def _scan(session: HallSession, data: Path) -> object:
    from govhall.assessment.workorders import month_bounds
    from govhall.engines.duck import DuckDBEngine
    from govhall.readers.duck_ratings import scan_ratings
    from govhall.readers.folder import DataFolder

    first, end = month_bounds(dt.date(2026, 10, 1), dt.date(2026, 11, 1), session.zone)
    duck = DuckDBEngine()
    try:
        folder = DataFolder(data)
        files = folder.files("ratings")
        ids = folder.case_ids(session.zone, session.window_ids)
        named = [("c7", "kiosk", dt.datetime(2026, 10, 23, 10, tzinfo=session.zone))]
        return scan_ratings(
            duck, files, session.zone, ReadReport(), session.window_ids, (first, end), end, named,
            ids,
        )  # fmt: skip
    finally:
        duck.close()


def test_the_fast_path_hands_python_only_the_ratings_rules_need(
    tmp_path: Path, folder: Path
) -> None:
    scan = _scan(_pinghu(tmp_path), folder)
    assert scan is not None
    python = sorted((r.case_id, r.channel, r.level) for _, _, r in scan.rows)  # type: ignore[attr-defined]
    # bad (c3, c4), repeated on a channel (c3 sms, c8 pad, c11 pad, c1 pad in two files),
    # named by a rectification row (c7); c11's level-2 rating at 11-01 00:00 is the as_of
    # moment itself: known, so it replaces the one of 10-31
    assert python == sorted(
        [
            ("c1", "pad", 5),
            ("c1", "pad", 5),
            ("c3", "sms", 1),
            ("c3", "sms", 2),
            ("c4", "app", 1),
            ("c7", "kiosk", 4),
            ("c8", "pad", 4),
            ("c8", "pad", 5),
            ("c11", "pad", 2),
            ("c11", "pad", 5),
        ]
    )
    # the rest, given in October: counted by DuckDB by channel as written and level
    assert scan.counts == {  # type: ignore[attr-defined]
        ("政务服务网", 4): 1,
        ("online", 5): 1,
        ("onsite", 3): 1,
        ("onsite", 4): 1,
        ("hotline", 5): 1,
        ("sms", 4): 1,
    }
    assert scan.unknown == {"onsite": 2}  # type: ignore[attr-defined]
    lines = {(Path(f).name, line) for f, line, r in scan.rows if r.case_id == "c1"}  # type: ignore[attr-defined]
    assert lines == {("ratings.csv", 2), ("ratings-2.csv", 2)}


def _as_parquet(folder: Path, typed: bool) -> None:
    """Write each CSV file of ``folder`` as Parquet instead: with DuckDB's types, or as text."""
    import duckdb

    for path in sorted(folder.glob("*.csv")):
        target = path.with_suffix(".parquet")
        read = f"read_csv('{path}', header = true, all_varchar = {str(not typed).lower()})"
        duckdb.connect().execute(f"COPY (SELECT * FROM {read}) TO '{target}' (FORMAT parquet)")
        path.unlink()


@pytest.mark.parametrize("typed", [True, False], ids=["typed", "text"])
@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_parquet_files_take_the_fast_path(
    tmp_path: Path, folder: Path, typed: bool, month: str
) -> None:
    """Parquet ratings are split by DuckDB too (lines: row numbers); a time-limit complaint's
    case is picked out of a Parquet cases file by its id as the careful reader strips it."""
    cases = folder / "cases.csv"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace("\nc4,", '\n" c4\t",'), encoding="utf-8"
    )
    _as_parquet(folder, typed)
    session = _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    scan = _scan(session, folder)
    assert scan is not None
    lines = {(Path(f).name, line) for f, line, r in scan.rows if r.case_id == "c1"}  # type: ignore[attr-defined]
    assert lines == {("ratings.parquet", 1), ("ratings-2.parquet", 1)}
    _both(session, folder, month)
    bulletin = session.ratings(folder, "2026-10", read=ReadReport(), engine="duckdb").to_json()
    # c4's complaint is checked against its case, found under its padded id (concluded in time)
    (order,) = [o for o in bulletin["orders"] if o["case_id"] == "c4"]
    check = order["complaint_check"]
    assert (check["result"], check["concluded"]) == ("not_confirmed", "2026-10-12T09:00:00+08:00")


@pytest.mark.parametrize(
    "text",
    [
        "c20,tax,,9,2026-10-08T10:00,pad,\n",  # a bad row
        "c24,tax,,2,2026-10-08T10:00,pad,\n\nc25,tax,,1,2026-10-09T10:00,pad,",  # a blank line
    ],
)
def test_a_file_the_fast_path_cannot_take_sends_every_file_the_careful_way(
    tmp_path: Path, folder: Path, text: str
) -> None:
    (folder / "ratings-x.csv").write_text(RATINGS_HEADER + text, encoding="utf-8")
    assert _scan(_pinghu(tmp_path), folder) is None


def test_a_file_without_a_line_break_at_the_end_takes_the_fast_path(
    tmp_path: Path, folder: Path
) -> None:
    (folder / "ratings-x.csv").write_text(
        RATINGS_HEADER + "c26,tax,,2,2026-10-08T10:00,pad,", encoding="utf-8"
    )
    scan = _scan(_pinghu(tmp_path), folder)
    assert scan is not None
    assert ("ratings-x.csv", 2) in {(Path(f).name, line) for f, line, _ in scan.rows}  # type: ignore[attr-defined]
    _both(_pinghu(tmp_path), folder, "2026-10")


@pytest.mark.parametrize(
    "text",
    [
        "c1,tax,,5,2026-10-08T10:00,pad,\n",  # a copy of a row of ratings.csv (same key)
        "c1,tax,,3,2026-10-08T10:00,pad,\n",  # another row with that key
        "c404,tax,,4,2026-10-08T10:00,pad,\n",  # a rating of no case: an orphan
    ],
)
def test_repeated_keys_and_orphans_are_left_to_the_careful_reader(
    tmp_path: Path, folder: Path, text: str
) -> None:
    (folder / "ratings-x.csv").write_text(RATINGS_HEADER + text, encoding="utf-8")
    session = _pinghu(tmp_path)
    assert _scan(session, folder) is None
    _both(session, folder, "2026-10")


# -- the orphan check: the usable cases as DuckDB reads them ------------------------------

CASE_ROWS = dict(line.split(",", 1) for line in CASES.splitlines())
"""Case id -> the rest of its row in ``cases.csv``."""


def _cases_files(folder: Path, files: dict[str, list[str]]) -> None:
    """Replace ``cases.csv`` by ``files`` (name -> rows, without the header; JSON Lines too)."""
    (folder / "cases.csv").unlink()
    for name, rows in files.items():
        if name.endswith(".jsonl"):
            names = CASES_HEADER.strip().split(",")
            lines = [json.dumps(dict(zip(names, row.split(","), strict=True))) for row in rows]
            (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        else:
            (folder / name).write_text(CASES_HEADER + "".join(r + "\n" for r in rows), "utf-8")


def _rows_but(**changed: str) -> list[str]:
    """Every case row of ``CASES``, with ``changed`` ones (id -> rest of the row) in its place."""
    return [f"{case},{changed.get(case, rest)}" for case, rest in CASE_ROWS.items()]


ROW = CASE_ROWS["c5"]
VARIANTS = {
    # one rated case missing, one rated case's row bad: their ratings are orphans
    "missing-case": {"cases.csv": [r for r in _rows_but() if not r.startswith("c6,")]},
    "bad-status": {"cases.csv": _rows_but(c5=ROW.replace("concluded", "finished"))},
    "bad-time": {"cases.csv": _rows_but(c5=ROW.replace("2026-09-28T09:00", "2026-09-31T09:00", 1))},
    "unknown-window": {"cases.csv": _rows_but(c7="nowhere," + ROW.split(",", 1)[1])},
    # an unknown item: not a usable case for counting, but the orphan check knows no items
    "unknown-item": {"cases.csv": _rows_but(c6=ROW.replace("residence-certificate", "nope"))},
    "padded-id": {"cases.csv": [f" {r[:2]} {r[2:]}" if r[:3] == "c8," else r for r in _rows_but()]},
    # split files: DuckDB takes both; or a JSON Lines part read the careful way
    "split": {"cases-1.csv": _rows_but()[:7], "cases-2.csv": _rows_but()[7:]},
    "split-jsonl": {"cases-1.csv": _rows_but()[:7], "cases-2.jsonl": _rows_but()[7:]},
    # an id in two files: an identical copy is one case; different rows make none
    "copy": {"cases-1.csv": _rows_but(), "cases-2.csv": [r for r in _rows_but() if r[:3] == "c8,"]},
    "conflict": {
        "cases-1.csv": _rows_but(),
        "cases-2.csv": [r[:-1] + "3" for r in _rows_but() if r[:3] == "c8,"],
    },
    # a second row of c8 naming an unknown item: counted without it, but for the orphan
    # check (no item check) two different rows of one id: c8 is no usable case
    "conflict-unknown-item": {
        "cases-1.csv": _rows_but(),
        "cases-2.csv": [r.replace("residence-certificate", "nope") for r in _rows_but()[7:8]],
    },
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_orphans_are_those_of_the_careful_reader_whatever_the_cases_files_hold(
    tmp_path: Path, folder: Path, variant: str, month: str
) -> None:
    _cases_files(folder, VARIANTS[variant])
    session = _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    _both(session, folder, month)


def _staged_ids(session: HallSession, data: Path) -> tuple[str | None, set[str]]:
    """Stage the cases files as the bulletin does: the ids table (or None) and its ids."""
    from govhall.engines.duck import DuckDBEngine
    from govhall.readers.duck_ratings import stage_cases
    from govhall.readers.folder import DataFolder

    duck = DuckDBEngine()
    try:
        files = DataFolder(data).files("cases")
        staged = stage_cases(duck, files, session.zone, session.keys)
        table = staged.ids_table
        rows = duck.connection.execute(f"SELECT case_id FROM {table}").fetchall() if table else []
        return table, {row[0] for row in rows}
    finally:
        duck.close()


def test_clean_cases_files_give_duckdb_the_ids_and_the_fast_path(
    tmp_path: Path, folder: Path
) -> None:
    _cases_files(folder, VARIANTS["split"])
    session = _pinghu(tmp_path, "[ratings]\nreply_days = 5\n")
    table, ids = _staged_ids(session, folder)
    assert table is not None
    assert ids == set(CASE_ROWS)
    assert _scan(session, folder) is not None  # no orphan: DuckDB counts the ratings
    _both(session, folder, "2026-10")


@pytest.mark.parametrize(
    "variant", ["unknown-item", "padded-id", "split-jsonl", "copy", "conflict-unknown-item"]
)
def test_cases_files_duckdb_cannot_vouch_for_leave_the_ids_to_the_folder(
    tmp_path: Path, folder: Path, variant: str
) -> None:
    _cases_files(folder, VARIANTS[variant])
    assert _staged_ids(_pinghu(tmp_path), folder) == (None, set())


CASE_ID = st.sampled_from(["c1", "c2", "c3", " c4", "c5 ", ""])
CASE_ROW = st.tuples(
    CASE_ID,
    st.sampled_from(["tax", "market", "nowhere"]),
    st.sampled_from(["invoice-issue", "business-licence", "nope"]),
    st.sampled_from(["immediate", "promised", "other"]),
    st.sampled_from(["2026-09-28T09:00", "2026-09-28 09:00:30", "2026-09-31T09:00", ""]),
    st.sampled_from(["concluded", "received", "finished"]),
    st.sampled_from(["2026-09-28T10:00", "2026-09-27T10:00", ""]),
    st.sampled_from(["1", "0", "-1", "x"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.lists(CASE_ROW, max_size=6), min_size=1, max_size=2))
def test_duckdbs_ids_are_the_folders_usable_case_ids(
    parts: list[list[tuple[str, ...]]],
) -> None:
    """Any cases files: DuckDB's ids, when it gives them, are ``DataFolder.case_ids``."""
    import csv
    import io
    import tempfile

    from govhall.readers.folder import DataFolder

    session = open_hall(PINGHU)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        for number, rows in enumerate(parts):
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            (data / f"cases-{number}.csv").write_text(CASES_HEADER + text.getvalue(), "utf-8")
        # the folder keeps the ids that ratings name (the orphan check needs no others)
        rated = "".join(f"c{n},tax,,5,2026-09-28T11:00,pad\n" for n in range(1, 6))
        (data / "ratings.csv").write_text(
            "case_id,window,staff,level,rated_at,channel\n" + rated, "utf-8"
        )
        table, ids = _staged_ids(session, data)
        usable = set(DataFolder(data).case_ids(session.zone, session.window_ids))
    if table is not None:
        assert ids == usable


@pytest.mark.parametrize(
    "text",
    [
        "case_id,window,item\nc1,tax,invoice-issue\n",  # required columns missing
        b"case_id,window,item,kind,received_at,status,concluded_at,visits\n\xff\n",  # not UTF-8
    ],
)
def test_a_cases_file_no_reader_can_read_is_the_same_error_in_both(
    tmp_path: Path, folder: Path, text: str | bytes
) -> None:
    from govhall.errors import GovhallError

    if isinstance(text, bytes):
        (folder / "cases-2.csv").write_bytes(text)
    else:
        (folder / "cases-2.csv").write_text(text, encoding="utf-8")
    session = _pinghu(tmp_path)
    errors = []
    for engine in ("rows", "duckdb"):
        with pytest.raises(GovhallError) as raised:
            session.ratings(folder, "2026-10", engine=engine)
        errors.append(str(raised.value))
    assert errors[0] == errors[1]
    assert str(folder / "cases-2.csv") in errors[0]
