"""Records with the file and line they came from: what a store keeps as provenance.

The same parsing and checks as :func:`govhall.readers.read_cases` and its
siblings (their careful path, field by field), so a row the store takes is
exactly a row the folder readers take, and a bad row is reported alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from govhall.readers.report import ReadReport
from govhall.readers.rows import (
    CASE_COLUMNS,
    CASE_OPTIONAL,
    FINDING_COLUMNS,
    FINDING_OPTIONAL,
    RATING_COLUMNS,
    RATING_OPTIONAL,
    _BadRow,
    _reject,
    _rows,
    _start,
)
from govhall.readers.typed import _finding, _rating, _slow_case, quick_case
from govhall.records import Case, Finding, Rating

KINDS = ("cases", "ratings", "findings")
"""The kinds of data file :func:`read_located` reads (ratings after their cases)."""


def read_located(
    kind: str,
    paths: Sequence[Path],
    tz: dt.tzinfo,
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
    items: Collection[str] | None = None,
) -> Iterator[tuple[Path, int, Case | Rating | Finding]]:
    """Yield ``(file, line, record)`` for every usable row of ``paths`` (all of one ``kind``).

    Bad rows are counted and reported in ``report`` as by the typed readers.

    Raises:
        GovhallError: As :func:`govhall.readers.read_cases` (unreadable file,
            missing column ...).
    """
    if kind == "cases":
        columns: tuple[tuple[str, ...], tuple[str, ...]] = (CASE_COLUMNS, CASE_OPTIONAL)
    elif kind == "ratings":
        columns = (RATING_COLUMNS, RATING_OPTIONAL)
    elif kind == "findings":
        columns = (FINDING_COLUMNS, FINDING_OPTIONAL)
    else:
        raise ValueError(f"unknown kind of data {kind!r}")
    fast = quick_case(tz, windows, items) if kind == "cases" else None
    for path in paths:
        summary = _start(report, path)
        for line, values, layout in _rows(path, *columns, report, summary):
            summary.read += 1
            record: Case | Rating | Finding | None
            try:
                # the quick parse takes CSV rows only: JSON values may be of any type
                record = fast(values) if fast is not None and layout.columns else None
            except Exception:
                record = None  # the careful path below says what is wrong
            if record is None:
                try:
                    record = _parse(kind, values, tz, windows, items)
                except _BadRow as bad:
                    _reject(report, summary, path, line, layout, bad)
                    continue
            summary.used += 1
            yield path, line, record


def _parse(
    kind: str,
    values: Sequence[Any],
    tz: dt.tzinfo,
    windows: Collection[str] | None,
    items: Collection[str] | None,
) -> Case | Rating | Finding:
    if kind == "cases":
        return _slow_case(values, tz, windows, items)
    if kind == "ratings":
        return _rating(values, tz, windows)
    return _finding(values, windows)
