"""Records with the file and line they came from: what a store keeps as provenance.

The same parsing and checks as :func:`govhall.readers.read_cases` and its
siblings (their careful path, field by field), so a row the store takes is
exactly a row the folder readers take, and a bad row is reported alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from govhall.readers.report import ReadReport
from govhall.readers.rows import (
    _KINDS,
    _STATUSES,
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
from govhall.readers.typed import _finding, _moment_cache, _rating, _slow_case
from govhall.records import CONCLUDED_STATUSES, Case, Finding, Rating

KINDS = ("cases", "ratings", "findings")
"""The kinds of data file, in the order a store imports them (ratings need their cases)."""


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
    fast = _fast_cases(tz, windows, items) if kind == "cases" else None
    for path in paths:
        summary = _start(report, path)
        for line, values, layout in _rows(path, *columns, report, summary):
            summary.read += 1
            record: Case | Rating | Finding | None
            try:
                record = fast(values) if fast is not None else None
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


def _fast_cases(
    tz: dt.tzinfo, windows: Collection[str] | None, items: Collection[str] | None
) -> Callable[[Sequence[Any]], Case]:
    """Return the typed reader's quick parse of a well-formed CSV case row.

    It raises on anything unusual (JSON values, padding, bad fields), and the
    row then goes through the careful path, as in :func:`govhall.readers.read_cases`.
    """
    moments, moment = _moment_cache(tz)
    kinds, statuses, concluded_statuses = _KINDS, _STATUSES, CONCLUDED_STATUSES

    def parse(values: Sequence[Any]) -> Case:
        (case_id, window, item, kind, received_s, status, concluded_s, visits, staff, pauses) = (
            values
        )
        if (
            not isinstance(case_id, str)  # JSON values may be of any type: the careful path
            or not case_id
            or case_id != case_id.strip()
            or (staff and staff != staff.strip())
            or not window
            or not item
            or kind not in kinds
            or status not in statuses
            or (windows is not None and window not in windows)
            or (items is not None and item not in items)
            or not isinstance(visits, str)
            or pauses
        ):
            raise ValueError
        received = moments.get(received_s)
        if received is None:
            received = moment(received_s)
        concluded = None
        if status in concluded_statuses:
            concluded = moments.get(concluded_s)
            if concluded is None:
                concluded = moment(concluded_s)
            if concluded < received:
                raise ValueError
        number = int(visits)
        if number < 0:
            raise ValueError
        return Case(case_id, window, item, kind, received, status, concluded, number, staff or None)

    return parse


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
