"""A data folder gets the store's guarantees: one row a line, one row per key, no orphans.

A stray quote rejects its own line only; repeated keys (in one file or across
split files) are counted once when identical and rejected, both, when they
differ; a rating of a case the folder does not hold is rejected; a file named
as data that cannot be read is an error naming it; the hall's repeated-rating
rule holds for kpi, score and report as for ``govhall ratings``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import CASE_HEADER, FINDING_HEADER, RATING_HEADER, write_csv

from govhall.cli import main
from govhall.errors import GovhallError
from govhall.readers import ReadReport, read_cases, read_findings, read_ratings
from govhall.readers.folder import DataFolder
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = str(ROOT / "configs" / "zhenhai.toml")
TZ = ZoneInfo("Asia/Shanghai")


def case(case_id: str, day: int = 4, visits: int = 1) -> list[str]:
    received = f"2010-01-{day:02d}T09:00"
    concluded = f"2010-01-{day:02d}T10:00"
    return [case_id, "dishui", "tax-registration", "immediate", received, "concluded",
            concluded, str(visits), "", ""]  # fmt: skip


def rating(case_id: str, level: int, rated: str, channel: str = "pad") -> list[str]:
    return [case_id, "dishui", "", str(level), rated, channel]


def kpi(data: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(main, ["kpi", ZHENHAI, "--data", str(data), "--json", *args])
    document = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, document, result.stderr


@pytest.fixture(autouse=True)
def _known_item() -> None:
    items = {item.id: item for item in open_hall(ZHENHAI).config.items}
    assert items["tax-registration"].window == "dishui"


# -- one row a line ------------------------------------------------------------------


def test_a_stray_quote_rejects_its_own_line_and_loses_no_other_row(tmp_path: Path) -> None:
    rows = [case(f"c{n:04d}") for n in range(1, 3001)]
    path = write_csv(tmp_path / "cases.csv", CASE_HEADER, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[99] = lines[99].replace(",dishui,", ',"dishui,', 1)  # line 100 opens a quote
    path.write_text("".join(lines), encoding="utf-8")
    report = ReadReport()
    found = [c.case_id for c in read_cases(path, TZ, report)]
    assert len(found) == 2999
    assert "c0099" not in found
    assert found[-1] == "c3000"
    assert (report.read, report.used, report.rejected, report.lines) == (3000, 2999, 1, 3001)
    (problem,) = report.problems
    assert (problem.file, problem.line) == (str(path), 100)
    assert "a quoted field is not closed on this line" in problem.message
    code, document, err = kpi(tmp_path)
    assert code == 0
    data = document["data"]
    assert isinstance(data, dict)
    assert (data["read"], data["used"], data["rejected"], data["lines"]) == (3000, 2999, 1, 3001)
    assert f"{path}:100: error: a quoted field is not closed" in err
    assert kpi(tmp_path, "--strict")[0] == 1


def test_the_lines_after_a_stray_quote_are_rows_of_their_own(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", CASE_HEADER, [case(f"c{n}") for n in range(1, 7)])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",dishui,", ',"dishui,', 1)  # line 3 opens a quote
    lines[4] = lines[4].replace(",dishui,", ',"dishui",', 1)  # line 5 quotes a value
    lines[6] = lines[6].rstrip("\n") + ',"'  # the last line opens one and ends
    path.write_text("".join(lines), encoding="utf-8")
    report = ReadReport()
    assert [c.case_id for c in read_cases(path, TZ, report)] == ["c1", "c3", "c4", "c5"]
    assert [p.line for p in report.problems] == [3, 7]
    assert report.lines == 7


def test_a_stray_quote_in_the_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text('case_id,"window\n' + ",".join(case("c1")) + "\n", encoding="utf-8")
    with pytest.raises(GovhallError, match=r"cases\.csv:1: unreadable header row"):
        list(read_cases(path, TZ, ReadReport()))


def test_json_lines_count_their_lines(tmp_path: Path) -> None:
    rows = [dict(zip(CASE_HEADER, case(f"c{n}"), strict=True)) for n in (1, 2)]
    text = json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n"
    (tmp_path / "cases.jsonl").write_text(text, encoding="utf-8")
    report = ReadReport()
    assert len(list(read_cases(tmp_path, TZ, report))) == 2
    assert (report.read, report.lines) == (2, 3)


# -- one row per key -----------------------------------------------------------------


def test_repeated_cases_across_split_files_follow_the_store_rules(tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "cases-1.csv", CASE_HEADER, [case("a"), case("b"), case("c"), case("a")]
    )
    second = write_csv(
        tmp_path / "cases-2.csv", CASE_HEADER, [case("d"), case("b", visits=2), case("a")]
    )
    report = ReadReport()
    found = [c.case_id for c in read_cases(tmp_path, TZ, report)]
    assert sorted(found) == ["a", "c", "d"]  # b: two contents, neither used
    assert (report.read, report.used, report.rejected, report.copies) == (7, 3, 2, 2)
    errors = [(p.file, p.line, p.message) for p in report.problems]
    assert errors == [
        (str(first), 3, f"case 'b' also at {second}:3 with different content: neither row is used"),
        (str(second), 3, f"case 'b' also at {first}:3 with different content: neither row is used"),
    ]
    copies = [(p.file, p.line) for p in report.warnings]
    assert copies == [(str(first), 5), (str(second), 4)]
    assert all(f"the same row as {first}:2: counted once" in w.message for w in report.warnings)
    files = {
        Path(f.path).name: (f.read, f.used, f.rejected, f.copies) for f in report.files.values()
    }
    assert files == {"cases-1.csv": (4, 2, 1, 1), "cases-2.csv": (3, 1, 1, 1)}
    code, document, err = kpi(tmp_path)
    assert code == 0
    assert "rows: read 7, used 3, rejected 2, copies 2" in err
    assert document["data"]["copies"] == 2  # type: ignore[index]


def test_a_case_padded_differently_is_the_same_case(tmp_path: Path) -> None:
    padded = case("a")
    padded[0] = " a "
    write_csv(tmp_path / "cases.csv", CASE_HEADER, [case("a"), padded])
    report = ReadReport()
    assert len(list(read_cases(tmp_path, TZ, report))) == 1
    assert report.copies == 1


def test_repeated_ratings_and_findings_follow_the_store_rules(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "ratings.csv",
        RATING_HEADER,
        [
            rating("a", 5, "2010-01-05T10:00"),
            rating("a", 5, "2010-01-05T10:00+08:00"),  # the same moment: a copy
            rating("b", 1, "2010-01-05T10:00"),
            rating("b", 4, "2010-01-05T10:00"),  # another level: both rejected
            rating("b", 4, "2010-01-05T11:00"),  # another moment: a rating of its own
        ],
    )
    report = ReadReport()
    found = [(r.case_id, r.level) for r in read_ratings(tmp_path, TZ, report)]
    assert found == [("a", 5), ("b", 4)]
    assert [p.line for p in report.problems] == [4, 5]
    assert [w.line for w in report.warnings] == [3]
    write_csv(
        tmp_path / "findings.csv",
        FINDING_HEADER,
        [
            ["2010-01-05", "dishui", "", "attendance.late", "1", ""],
            ["2010-01-05", "dishui", "", "attendance.late", "1", ""],
            ["2010-01-06", "dishui", "", "attendance.late", "1", "1.0"],
            ["2010-01-06", "dishui", "", "attendance.late", "1", "1"],
        ],
    )
    report = ReadReport()
    assert len(list(read_findings(tmp_path, report))) == 1
    assert (report.used, report.rejected, report.copies) == (1, 2, 1)


# -- orphan ratings -------------------------------------------------------------------


def test_a_rating_of_a_case_the_folder_does_not_hold_is_rejected(tmp_path: Path) -> None:
    bad = case("bad")
    bad[4] = "yesterday"
    write_csv(tmp_path / "cases.csv", CASE_HEADER, [case("a"), bad])
    path = write_csv(
        tmp_path / "ratings.csv",
        RATING_HEADER,
        [
            rating("a", 5, "2010-01-05T10:00"),
            rating("nowhere", 1, "2010-01-05T10:00"),
            rating("bad", 1, "2010-01-05T10:00"),  # its case row is rejected: no usable case
        ],
    )
    code, document, err = kpi(tmp_path)
    assert code == 0
    assert f"{path}:3: error: case_id: rating of case 'nowhere'" in err
    assert "(an orphan rating): rejected" in err
    assert f"{path}:4: error: case_id: rating of case 'bad'" in err
    assert document["ratings"] == 1
    assert kpi(tmp_path, "--strict")[0] == 1
    report = ReadReport()
    folder = DataFolder(tmp_path)
    assert [r.case_id for r in folder.ratings(TZ, report)] == ["a"]  # cases read quietly first
    assert report.rejected == 2


def test_the_orphan_check_keeps_only_the_ids_ratings_name(tmp_path: Path) -> None:
    """Memory grows with the ratings: of many cases, only the rated ones' ids are kept."""
    write_csv(tmp_path / "cases.csv", CASE_HEADER, [case(f"c{n}") for n in range(50)])
    split = [rating(" c3 ", 5, "2010-01-05T10:00"), rating("nowhere", 1, "2010-01-05T10:00")]
    write_csv(tmp_path / "ratings.csv", RATING_HEADER, [rating("c7", 4, "2010-01-05T10:00")])
    write_csv(tmp_path / "ratings-2.csv", RATING_HEADER, split)
    folder = DataFolder(tmp_path)
    report = ReadReport()
    assert sum(1 for _ in folder.cases(TZ, report)) == 50
    assert sorted(folder.case_ids(TZ)) == ["c3", "c7"]  # the padded id as the reader strips it
    assert sorted(r.case_id for r in folder.ratings(TZ, report)) == ["c3", "c7"]
    assert report.rejected == 1  # the orphan
    quiet = DataFolder(tmp_path)  # ratings first: the cases are read quietly, same ids
    assert sorted(quiet.case_ids(TZ)) == ["c3", "c7"]


def test_without_a_cases_file_ratings_are_not_checked_for_orphans(tmp_path: Path) -> None:
    write_csv(tmp_path / "ratings.csv", RATING_HEADER, [rating("nowhere", 1, "2010-01-05T10:00")])
    report = ReadReport()
    assert len(list(DataFolder(tmp_path).ratings(TZ, report))) == 1


# -- files that cannot be read ------------------------------------------------------------


def test_a_ratings_file_that_is_a_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    write_csv(tmp_path / "cases.csv", CASE_HEADER, [case("a")])
    (tmp_path / "ratings.csv").mkdir()
    code, _, err = kpi(tmp_path)
    assert code == 1
    assert f"{tmp_path / 'ratings.csv'}: cannot read: a folder, not a data file" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_broken_link_among_split_files_is_an_error_naming_it(tmp_path: Path, engine: str) -> None:
    write_csv(tmp_path / "cases-1.csv", CASE_HEADER, [case("a")])
    (tmp_path / "cases-2.csv").symlink_to(tmp_path / "gone.csv")
    code, _, err = kpi(tmp_path, "--engine", engine)
    assert code == 1
    assert f"{tmp_path / 'cases-2.csv'}: cannot read: a broken link" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without permission")
def test_a_file_without_read_permission_is_an_error_naming_it(tmp_path: Path) -> None:
    write_csv(tmp_path / "cases.csv", CASE_HEADER, [case("a")])
    path = write_csv(tmp_path / "ratings.csv", RATING_HEADER, [])
    path.chmod(0)
    try:
        code, _, err = kpi(tmp_path)
    finally:
        path.chmod(0o644)
    assert code == 1
    assert f"{path}: cannot read: Permission denied" in err


# -- the repeated-rating rule in kpi, score and report -------------------------------------


def _rerated(tmp_path: Path, rule: str, *, replaced: bool = True) -> tuple[Path, str]:
    """Case a rated 1 and later 5 from one channel and 3 from another; case b rated 2.

    ``replaced=False`` leaves out the rating the ``latest`` rule replaces.
    """
    folder = tmp_path / f"{rule}-{replaced}"
    config = folder / "zhenhai.toml"
    folder.mkdir()
    extra = f'\n[ratings]\nrepeated = "{rule}"\n'
    config.write_text(Path(ZHENHAI).read_text(encoding="utf-8") + extra, encoding="utf-8")
    data = folder / "data"
    write_csv(data / "cases.csv", CASE_HEADER, [case("a"), case("b")])
    rows = [
        rating("a", 5, "2010-01-20T10:00"),  # the later rating: replaces the one below
        rating("a", 1, "2010-01-05T10:00"),
        rating("a", 3, "2010-01-05T10:00", channel="web"),
        rating("b", 2, "2010-01-05T10:00"),
    ]
    write_csv(data / "ratings.csv", RATING_HEADER, rows if replaced else rows[:1] + rows[2:])
    return data, str(config)


def test_kpi_score_and_report_count_only_the_latest_rating_of_a_case_and_channel(
    tmp_path: Path,
) -> None:
    data, config = _rerated(tmp_path, "latest")
    hall = open_hall(config)
    without, _ = _rerated(tmp_path, "latest", replaced=False)
    kpis = hall.kpis(data).kpis
    assert kpis.ratings == 3
    assert kpis.to_json() == hall.kpis(without).kpis.to_json()
    assert hall.score(data, "2010-01").to_json() == hall.score(without, "2010-01").to_json()
    report = hall.report(data, "2010-01")
    january = hall.kpis(data, start=dt.date(2010, 1, 1), end=dt.date(2010, 1, 31)).kpis
    assert report.kpis.to_json() == january.to_json()
    assert sorted(r.level for r in report.bad_ratings) == [2]
    assert hall.ratings(data, "2010-01").ratings == 3  # the bulletin: the same rule
    assert hall.kpis(data, engine="duckdb").kpis.to_json() == kpis.to_json()


def test_with_repeated_all_every_rating_counts(tmp_path: Path) -> None:
    data, config = _rerated(tmp_path, "all")
    hall = open_hall(config)
    without, _ = _rerated(tmp_path, "all", replaced=False)
    kpis = hall.kpis(data).kpis
    assert kpis.ratings == 4
    assert hall.kpis(without).kpis.ratings == 3
    assert hall.kpis(data, engine="duckdb").kpis.to_json() == kpis.to_json()
    scores = hall.score(data, "2010-01").to_json()
    assert scores != hall.score(without, "2010-01").to_json()  # the level-1 rating counts
    assert sorted(r.level for r in hall.report(data, "2010-01").bad_ratings) == [1, 2]


def test_a_replacing_rating_outside_the_period_still_replaces(tmp_path: Path) -> None:
    """The rule's scope is the ratings read, not the period counted."""
    data, config = _rerated(tmp_path, "latest")
    hall = open_hall(config)
    rows = (data / "ratings.csv").read_text(encoding="utf-8").replace("2010-01-20", "2010-02-03")
    (data / "ratings.csv").write_text(rows, encoding="utf-8")
    january = {"start": dt.date(2010, 1, 1), "end": dt.date(2010, 1, 31)}
    assert hall.kpis(data, **january).kpis.ratings == 2
    assert hall.kpis(data, engine="duckdb", **january).kpis.ratings == 2
    assert hall.report(data, "2010-01").kpis.ratings == 2


def test_a_parquet_file_counts_each_row_as_a_line(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [case("a"), case("b"), case("a")]
    table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(CASE_HEADER)})
    pq.write_table(table, tmp_path / "cases.parquet")
    report = ReadReport()
    assert [c.case_id for c in read_cases(tmp_path, TZ, report)] == ["b", "a"]
    assert (report.read, report.used, report.copies, report.lines) == (3, 2, 1, 3)


ID = st.sampled_from(["a", "b", " a", "a ", '"a"', "a,b", "a\tb", "\u3000a", "", "张三"])
LINE_END = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(ID, min_size=1, max_size=12),
    ends=st.lists(LINE_END, min_size=13, max_size=13),
    quoted=st.booleans(),
    first=st.booleans(),
)
def test_no_case_id_is_yielded_twice(
    ids: list[str], ends: list[str], quoted: bool, first: bool
) -> None:
    """The quick look at the ids misses no repeated id, however the rows are written."""
    header = CASE_HEADER if first else [*CASE_HEADER[1:], CASE_HEADER[0]]
    lines = [",".join(header)]
    for case_id in ids:
        values = case(case_id)
        row = values if first else [*values[1:], values[0]]
        text = io.StringIO()
        csv.writer(text, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL).writerow(row)
        lines.append(text.getvalue().rstrip("\r\n"))
    body = "".join(line + end for line, end in zip(lines, ends, strict=False))
    report = ReadReport()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "cases.csv").write_text(body, encoding="utf-8", newline="")
        found = [c.case_id for c in read_cases(folder, TZ, report)]
    assert len(found) == len(set(found))
    assert report.read == report.used + report.rejected + report.copies
