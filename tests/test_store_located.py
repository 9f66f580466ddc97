"""The store reads rows with the folder readers' checks: for any cases, ratings or findings
file, ``read_located`` yields the same records, in order, with the same problems as
``read_cases`` / ``read_ratings`` / ``read_findings`` — plus each record's line. The
folder readers then keep one row per key (:mod:`govhall.readers.unique`), which a store's
import decides in SQL: the located rows under those rules are the folder's records."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_temp import Scratch, module_scratch

from govhall.readers import ReadReport, read_cases, read_findings, read_ratings
from govhall.readers.located import read_located
from govhall.readers.unique import case_key, finding_key, rating_key, unique_rows

TZ = ZoneInfo("America/New_York")
SCRATCH = Scratch()
"""The folder of this module's files: made and removed by the ``scratch`` fixture."""
_names = itertools.count()
WINDOWS = frozenset({"w1", "w2"})
ITEMS = frozenset({"i1", "i2"})

TEXT = st.sampled_from(["", " ", "w1", "w2", " w1", "w1 ", "x", "i1", "i2", "张三", 'a"b', "a,b"])
MOMENT = st.sampled_from(
    [
        "2010-03-01T09:00", "2010-03-01T09:00+08:00", "2010-11-07T01:30-04:00",
        "2010-11-07T01:30-05:00", "2010-11-07T01:30", "2010-03-14T02:30", "0001-01-01T00:00",
        "3000-01-01T00:00", "2010-02-30T09:00", "yesterday", "", " 2010-03-02T10:00 ",
        "2010-03-01", "2010-03-01T08:59",
    ]
)  # fmt: skip
NUMBER = st.sampled_from(["0", "1", "5", "-1", "6", "1.5", "", "x", " 2", "3 "])
CASE = st.tuples(
    st.sampled_from(["c1", "c2", " c3", "c4 ", "", "c1"]),
    TEXT,
    TEXT,
    st.sampled_from(["immediate", "promised", "other", ""]),
    MOMENT,
    st.sampled_from(["received", "accepted", "concluded", "delivered", "withdrawn", "done"]),
    MOMENT,
    NUMBER,
    TEXT,
    st.sampled_from(["", "2010-03-02/2010-03-03", "2010-03-05", "2010-03-05/2010-03-01", "x"]),
)
RATING = st.tuples(TEXT, TEXT, TEXT, NUMBER, MOMENT, TEXT)
FINDING = st.tuples(
    st.sampled_from(["2010-03-01", "2010-3-1", "", "3000-01-01"]), TEXT, TEXT, TEXT, NUMBER,
    st.sampled_from(["", "3", "3.50", "x", "NaN", "1e2"]),
)  # fmt: skip
HEADERS = {
    "cases": ["case_id", "window", "item", "kind", "received_at", "status", "concluded_at",
              "visits", "staff", "pauses"],
    "ratings": ["case_id", "window", "staff", "level", "rated_at", "channel"],
    "findings": ["date", "window", "staff", "rule", "count", "points"],
}  # fmt: skip


scratch = module_scratch(SCRATCH, "located")


def _write(kind: str, rows: list[tuple[str, ...]], jsonl: bool) -> Path:
    path = SCRATCH / f"{kind}-{next(_names)}.{'jsonl' if jsonl else 'csv'}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        if jsonl:
            for row in rows:
                handle.write(json.dumps(dict(zip(HEADERS[kind], row, strict=True))) + "\n")
        else:
            writer = csv.writer(handle)
            writer.writerow(HEADERS[kind])
            writer.writerows(rows)
    return path


def _compare(kind: str, path: Path) -> None:
    typed, located = ReadReport(), ReadReport()
    if kind == "cases":
        expected = list(read_cases([path], TZ, typed, windows=WINDOWS, items=ITEMS))
    elif kind == "ratings":
        expected = list(read_ratings([path], TZ, typed, windows=WINDOWS))
    else:
        expected = list(read_findings([path], typed, windows=WINDOWS))
    found = list(read_located(kind, [path], TZ, located, windows=WINDOWS, items=ITEMS))
    # the folder's rules for repeated keys, applied to the located rows
    resolved = ReadReport()
    key = {"cases": case_key, "ratings": rating_key, "findings": finding_key}[kind]
    kept = unique_rows([(str(p), n, r) for p, n, r in found], key, resolved, [str(path)])  # type: ignore[arg-type]
    assert sorted(map(repr, (record for _, _, record in kept))) == sorted(map(repr, expected))
    if kind != "cases":  # cases repeating an id come last (held back until the end)
        assert [record for _, _, record in kept] == expected
        # the same instants are not enough: the same offsets (the repeated hour)
        assert [repr(record) for _, _, record in kept] == [repr(record) for record in expected]
    assert all(where == path for where, _, _ in found)
    lines = [line for _, line, _ in found]
    assert lines == sorted(set(lines))
    rejected = {problem.line for problem in located.problems}
    assert not rejected & set(lines)
    assert [(p.line, p.column, p.key, p.message) for p in located.problems + resolved.problems] == [
        (p.line, p.column, p.key, p.message) for p in typed.problems
    ]
    assert (located.read, resolved.used, located.rejected + resolved.rejected, resolved.copies) == (
        typed.read,
        typed.used,
        typed.rejected,
        typed.copies,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(CASE, max_size=12), jsonl=st.booleans())
def test_cases_are_read_as_the_folder_reads_them(rows: list[tuple[str, ...]], jsonl: bool) -> None:
    _compare("cases", _write("cases", rows, jsonl))


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(RATING, max_size=10), jsonl=st.booleans())
def test_ratings_are_read_as_the_folder_reads_them(
    rows: list[tuple[str, ...]], jsonl: bool
) -> None:
    _compare("ratings", _write("ratings", rows, jsonl))


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(FINDING, max_size=10), jsonl=st.booleans())
def test_findings_are_read_as_the_folder_reads_them(
    rows: list[tuple[str, ...]], jsonl: bool
) -> None:
    _compare("findings", _write("findings", rows, jsonl))
