"""A cases CSV file DuckDB stages itself (govhall.store.scan) gives exactly the rows the careful
reader gives, with the same lines; any file it cannot vouch for goes to the careful reader."""

from __future__ import annotations

import csv
import importlib
import itertools
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_temp import Scratch, module_scratch
from store_helpers import CASE_HEADER, dump, write_csv

from govhall.cli import main
from govhall.readers import ReadReport
from govhall.readers.located import read_located
from govhall.store.backends import Backend
from govhall.store.ingest import record_values
from govhall.store.scan import scan_cases

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "zhenhai.toml")
SCRATCH = Scratch()
"""The folder of this module's files: made and removed by the ``scratch`` fixture."""
_names = itertools.count()
WINDOWS = frozenset({"w1", "w2"})
ITEMS = frozenset({"i1", "i2"})
NEW_YORK = ZoneInfo("America/New_York")

GOOD = ["c1", "w1", "i1", "immediate", "2010-03-01T09:00", "concluded", "2010-03-01T10:00", "1",
        "s1", ""]  # fmt: skip
MOMENT = st.sampled_from(
    [
        "2010-03-01T09:00", "2010-03-01 09:00:30", "2010-03-01T09:00:30.25",
        "2010-03-01T09:00+08:00", "2010-11-07T01:30", "2010-11-07T00:59", "2010-11-07T02:00",
        "2010-03-14T02:30", "2010-03-14T03:00", "1899-12-31T23:00", "3000-01-01T00:00",
        "2010-02-30T09:00", "2010-03-01", "", " 2010-03-02T10:00", "2010-03-01T08:59",
    ]
)  # fmt: skip
CASE = st.tuples(
    st.sampled_from(["c1", "c2", " c3", "c4\u3000", "", "c\n5", "张三"]),
    st.sampled_from(["w1", "w2", "w3", " w1"]),
    st.sampled_from(["i1", "i2", "i3"]),
    st.sampled_from(["immediate", "promised", "other"]),
    MOMENT,
    st.sampled_from(["received", "accepted", "concluded", "delivered", "withdrawn", "done"]),
    MOMENT,
    st.sampled_from(["0", "1", "12", "-1", "1.5", "", "٣", "0001"]),
    st.sampled_from(["", "s1", " s1", "s 1", 'a"b', "a,b"]),
    st.sampled_from(
        [
            "",
            "2010-03-02/2010-03-03",
            "2010-03-05",
            "2010-03-05;2010-03-07/2010-03-08",
            "2010-03-05/2010-03-01",
            "1850-01-01",
            "2010-02-30",
            "x",
            "2010-03-05;",
        ]
    ),
)

WELL_FORMED = st.sampled_from(
    ["2010-03-01T09:00", "2010-03-01 09:00:30", "2010-03-01T09:00:30.25", "2010-11-07T00:59",
     "2010-11-07T02:00", "2010-03-14T03:00", "2010-03-13T23:59:59.999999"]
)  # fmt: skip
GOOD_CASE = st.tuples(
    st.sampled_from(["c1", "c2", "张三", "a,b", 'a"b']),
    st.sampled_from(["w1", "w2"]),
    st.sampled_from(["i1", "i2"]),
    st.sampled_from(["immediate", "promised"]),
    WELL_FORMED,
    st.sampled_from(["received", "accepted", "concluded", "delivered", "withdrawn"]),
    WELL_FORMED,
    st.sampled_from(["0", "1", "12", "0001"]),
    st.sampled_from(["", "s1", "s 1"]),
    st.sampled_from(
        ["", "2010-03-02/2010-03-03", "2010-03-05", "2010-03-05;2010-03-07/2010-03-08"]
    ),
)


scratch = module_scratch(SCRATCH, "scan")


def _write(rows: list[Any], *, header: list[str] = CASE_HEADER, ending: str = "\n") -> Path:
    path = SCRATCH / f"cases-{next(_names)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator=ending)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _scan(path: Path, tz: ZoneInfo = NEW_YORK) -> tuple[list[tuple[Any, ...]] | None, ReadReport]:
    backend = Backend("duckdb", ":memory:", duckdb.connect())
    report = ReadReport()
    try:
        select = scan_cases(backend, path, tz, report, WINDOWS, ITEMS, "scanned")
        if select is None:
            return None, report
        return [tuple(row) for row in backend.execute(f"{select} ORDER BY line")], report
    finally:
        backend.close()


def _careful(path: Path, tz: ZoneInfo = NEW_YORK) -> tuple[list[tuple[Any, ...]], ReadReport]:
    report = ReadReport()
    rows = [
        (line, *record_values(record))
        for _, line, record in read_located(
            "cases", [path], tz, report, windows=WINDOWS, items=ITEMS
        )
    ]
    return rows, report


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.one_of(st.lists(GOOD_CASE, max_size=8), st.lists(CASE, max_size=8)))
def test_a_scanned_file_gives_the_careful_readers_rows_and_lines(rows: list[Any]) -> None:
    path = _write(rows)
    scanned, fast = _scan(path)
    careful, slow = _careful(path)
    if scanned is None:
        assert fast.files == {}
        assert fast.problems == []
        return
    assert slow.rejected == 0
    assert slow.problems == []
    assert scanned == careful
    assert (fast.read, fast.used, fast.rejected) == (slow.read, slow.used, 0)


def test_well_formed_rows_take_the_fast_way_with_offsets_pauses_and_lines() -> None:
    rows = [
        GOOD,
        ["c2", "w2", "i2", "promised", "2010-03-13 23:00", "delivered", "2010-03-15T08:00:00.5",
         "0", "", "2010-03-14;2010-03-15/2010-03-16"],
        ["c3", "w1", "i1", "immediate", "2010-11-08T09:00", "received", "junk", "3", "s1", ""],
    ]  # fmt: skip
    path = _write(rows, ending="\r\n")
    scanned, report = _scan(path)
    assert scanned is not None
    assert scanned == _careful(path)[0]
    assert [row[0] for row in scanned] == [2, 3, 4]
    # summer time: -04:00 from 14 March 2010 on, -05:00 again from 7 November
    assert [row[6] for row in scanned] == [-18000, -18000, -18000]
    assert scanned[1][9] == -14400
    assert scanned[1][12] == "2010-03-14/2010-03-14;2010-03-15/2010-03-16"
    assert report.read == report.used == 3


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda rows: rows.append(["c9", "w1", "i1", "immediate", "2010-11-07T01:30",
                                   "received", "", "1", "", ""]), "the repeated hour"),
        (lambda rows: rows.append(["c9", "w1", "i1", "immediate", "2010-03-14T02:30",
                                   "received", "", "1", "", ""]), "the skipped hour"),
        (lambda rows: rows.append(["c9\nc10", "w1", "i1", "immediate", "2010-03-01T09:00",
                                   "received", "", "1", "", ""]), "a value over two lines"),
        (lambda rows: rows.append(["c9", "w1", "i1", "immediate", "2010-03-01T09:00+08:00",
                                   "received", "", "1", "", ""]), "a time with an offset"),
        (lambda rows: rows.append([]), "a blank line"),
    ],
)  # fmt: skip
def test_rows_the_scan_cannot_vouch_for_send_the_file_to_the_careful_reader(
    change: Any, why: str
) -> None:
    rows = [list(GOOD)]
    change(rows)
    path = _write(rows)
    scanned, report = _scan(path)
    assert scanned is None, why
    assert report.files == {}


def test_a_lone_carriage_return_sends_the_file_to_the_careful_reader() -> None:
    path = SCRATCH / "cases-cr.csv"
    path.write_bytes(b",".join(n.encode() for n in CASE_HEADER) + b"\r" + ",".join(GOOD).encode())
    assert _scan(path)[0] is None


def _ingest(data: Path, store: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(data), "--store", store, "--json"]
    )
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_an_import_is_the_same_whether_duckdb_or_the_careful_reader_stages_the_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = tmp_path / "sample"
    CliRunner().invoke(main, ["sample", CONFIG, "--out", str(sample), "--rows", "3000"])
    later = tmp_path / "later"
    later.mkdir()
    for name in ("ratings.csv", "rectifications.csv", "findings.csv"):
        (later / name).write_bytes((sample / name).read_bytes())
    with (sample / "cases.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    # a later export: a status changed, a row twice, two rows of one case that differ
    status, visits = header.index("status"), header.index("visits")
    rows[4][status] = "withdrawn" if rows[4][status] != "withdrawn" else "received"
    rows.append(list(rows[6]))
    rows.append([*rows[8][:visits], str(int(rows[8][visits]) + 1), *rows[8][visits + 1 :]])
    write_csv(later / "cases.csv", header, rows)
    documents, stores = [], []
    for fast in (True, False):
        if not fast:
            module = importlib.import_module("govhall.store.ingest")
            monkeypatch.setattr(module, "scan_cases", lambda *args: None)
        store = str(tmp_path / f"store-{fast}.duckdb")
        documents.append([_ingest(sample, store), _ingest(later, store)])
        stores.append(dump(store, imports=False))
    assert documents[0] == [
        {**document, "store": documents[0][n]["store"]} for n, document in enumerate(documents[1])
    ]
    assert stores[0] == stores[1]
    second = documents[0][1]
    cases = next(f for f in second["files"] if f["kind"] == "cases")
    assert (cases["updated"], cases["rejected"]) == (1, 2)
    assert len(stores[0]["case_history"]) == 1
