"""The DuckDB scan of a data folder: the staged cases' types, the repeated-id check, and
counting a data file's physical lines (the scan checks "one row a line")."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_engines import ROOT, _write

from govhall.engines.duck import DuckDBEngine
from govhall.readers import ReadReport
from govhall.readers.duck_scan import (
    FolderScan,
    enum_type,
    lines_counted,
    physical_lines,
    relation_tables,
)
from govhall.session import HallSession, open_hall

CHUNK = 1 << 20
"""What physical_lines reads at a time."""


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"", 0),
        (b"a,b\n", 1),
        (b"a,b\n1,2\n", 2),
        (b"a,b\n1,2", 2),  # no line end after the last line
        (b"a,b\r\n1,2\r\n", 2),
        (b"a,b\r1,2\r", 2),  # old Mac line ends
        (b"a,b\n\n1,2\n", 3),  # a blank line is a line
        (b"a,b\r\n\r\n1,2", 3),
    ],
)
def test_physical_lines_counts_every_kind_of_line_end(
    tmp_path: Path, content: bytes, lines: int
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    assert physical_lines(path) == lines
    assert lines_counted(path).result() == lines


def test_a_crlf_split_between_two_reads_is_one_line_end(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    first = b"x" * (CHUNK - 1) + b"\r"  # the \r ends the first read, its \n begins the next
    path.write_bytes(first + b"\n1,2\r\n")
    assert physical_lines(path) == 2


def test_a_parquet_file_has_a_line_a_row(tmp_path: Path) -> None:
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"case_id": ["a", "b", "c"]}), path)
    assert physical_lines(path) == 3


def test_a_count_that_fails_hands_its_error_to_whoever_waits(tmp_path: Path) -> None:
    counting = lines_counted(tmp_path / "gone.csv")
    with pytest.raises(FileNotFoundError):
        counting.result()


@pytest.fixture
def pinghu() -> HallSession:
    return open_hall(ROOT / "configs" / "pinghu.toml")


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    counter = DuckDBEngine()
    yield counter
    counter.close()


def _scan(hall: HallSession, engine: DuckDBEngine, folder: Path) -> FolderScan:
    scan = FolderScan(engine, hall.zone, ReadReport(), hall.keys)
    scan.cases(hall.source(folder).files("cases"))
    return scan


def test_staged_cases_hold_window_item_kind_and_status_as_codes_handed_on_as_text(
    tmp_path: Path, pinghu: HallSession, engine: DuckDBEngine
) -> None:
    """A window's code + 1 is its number; another engine is handed the ids as text."""
    data = _write(pinghu, tmp_path / "data", seed=4, count=400)
    scan = _scan(pinghu, engine, data)
    scan.ratings(pinghu.source(data).files("ratings"))
    assert (scan.fast_files, scan.careful_files) == (2, 0)
    db = engine.connection
    kinds = {name: kind for name, kind, *_ in db.execute("DESCRIBE case_rows").fetchall()}
    for column in ("win", "item", "kind", "status"):
        assert kinds[column].startswith("ENUM"), (column, kinds[column])
    rows = db.execute("SELECT win, win_no, item, item_no FROM case_rows").fetchall()
    assert len(rows) == 400
    assert {(w, n) for w, n, _, _ in rows} <= set(pinghu.keys.windows.items())
    assert {(i, n) for _, _, i, n in rows} <= set(pinghu.keys.items.items())
    assert len({w for w, *_ in rows}) > 1
    tables = relation_tables(db)
    for column in ("win", "item", "kind", "status"):
        assert tables["case_rows"].schema.field(column).type == pa.string()
    assert sorted(tables["case_rows"]["win"].to_pylist()) == sorted(w for w, *_ in rows)


@pytest.mark.parametrize(("column", "value"), [("kind", "Immediate"), ("status", "done")])
def test_a_kind_or_status_not_allowed_sends_the_file_to_the_careful_reader(
    tmp_path: Path, pinghu: HallSession, engine: DuckDBEngine, column: str, value: str
) -> None:
    data = _write(pinghu, tmp_path / "data", seed=5, count=200)
    path = data / "cases.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[7][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    scan = _scan(pinghu, engine, data)
    assert (scan.fast_files, scan.careful_files) == (0, 1)
    (rejected,) = scan.report.problems
    assert (rejected.line, rejected.key) == (9, column)
    assert engine.connection.execute("SELECT count(*) FROM case_rows").fetchall() == [(199,)]


def test_an_enumeration_is_made_once_for_its_values(engine: DuckDBEngine) -> None:
    db = engine.connection
    first = enum_type(db, "window", ["a", "b"])
    assert enum_type(db, "window", ["a", "b"]) == first
    other = enum_type(db, "window", ["a", "b", "c"])
    assert other != first
    assert db.execute(f"SELECT enum_code(TRY_CAST('c' AS {other}))").fetchall() == [(2,)]
    assert db.execute(f"SELECT TRY_CAST('c' AS {first})").fetchall() == [(None,)]


def _cases_file(path: Path, ids: list[str]) -> None:
    lines = ["case_id,window,item,kind,received_at,status,concluded_at,visits"]
    lines += [
        f"{i},police,residence-certificate,immediate,2025-10-09T09:00,accepted,,1" for i in ids
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "careful", "repeats"),
    [
        ([["A1", "A2", "A3"]], [], False),
        ([["A1", "A2", "A1"]], [], True),
        ([["A1", "A2"], ["A3", "A2"]], [], True),
        ([["A1", "A2"], ["A3"]], ["A4", "A5"], False),
        ([["A1", "A2"], ["A3"]], ["A4", "A3"], True),
        ([], ["A4", "A4"], True),
        ([], [], False),
    ],
)
def test_a_case_id_held_twice_is_found_in_a_file_across_files_and_against_careful_ids(
    tmp_path: Path,
    pinghu: HallSession,
    engine: DuckDBEngine,
    files: list[list[str]],
    careful: list[str],
    repeats: bool,
) -> None:
    scan = FolderScan(engine, pinghu.zone, ReadReport(), pinghu.keys)
    staged = []
    for number, ids in enumerate(files, 1):
        _cases_file(tmp_path / f"cases-{number}.csv", ids)
        staged.append(scan._stage_cases(tmp_path / f"cases-{number}.csv", number))
    assert all(staged)
    assert scan._ids_repeat(staged, careful) is repeats


def test_a_value_outside_an_enumeration_casts_to_null_in_a_csv_read(
    tmp_path: Path, engine: DuckDBEngine
) -> None:
    """DuckDB 2's type pushdown would make the CSV reader cast to the enumeration (and stop
    at a value outside it); the engine turns it off, so TRY_CAST gives null."""
    path = tmp_path / "ids.csv"
    path.write_text("police\nnowhere\ntax\n", encoding="utf-8")
    kind = enum_type(engine.connection, "window", ["police", "tax"])
    found = engine.connection.execute(
        f"SELECT TRY_CAST(w AS {kind}) FROM read_csv('{path}', header = false, "
        "auto_detect = false, columns = {'w': 'VARCHAR'})"
    ).fetchall()
    assert found == [("police",), (None,), ("tax",)]
