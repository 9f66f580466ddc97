"""The typed readers: cases, ratings and findings as records, one row at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal, InvalidOperation
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
    FIRST_YEAR,
    LAST_YEAR,
    RATING_COLUMNS,
    RATING_OPTIONAL,
    RECTIFICATION_COLUMNS,
    _BadRow,
    _choice,
    _date,
    _datetime,
    _files,
    _fromiso,
    _int,
    _member,
    _reject,
    _rows,
    _shown,
    _start,
    _text,
    _time,
    parse_pauses,
)
from govhall.readers.unique import (
    case_key,
    finding_key,
    rating_key,
    repeated_case_ids,
    unique_rows,
)
from govhall.records import (
    CASE_STATUSES,
    CONCLUDED_STATUSES,
    RECTIFICATION_OUTCOMES,
    Case,
    Finding,
    Rating,
    Rectification,
)

# -- cases ----------------------------------------------------------------------

MOMENT_CACHE_SIZE = 1 << 16
MAX_FINDING_COUNT = 10_000
"""The most occurrences one findings row may record; more is a typo, and is rejected."""
MAX_FINDING_POINTS = 1000
"""The largest points a findings row may state (scores are out of 100); more is rejected."""
"""Distinct time strings remembered while reading (timestamps repeat: minutes of a day)."""


def _moment_cache(
    tz: dt.tzinfo,
) -> tuple[dict[str, dt.datetime], Callable[[str], dt.datetime]]:
    """Return a bounded cache of parsed times and the function that fills it.

    Attaching a zone costs more than parsing; many rows share a minute, so
    each distinct string is parsed once (the cache is emptied when full, so
    memory stays bounded).
    """
    cache: dict[str, dt.datetime] = {}

    def parse(text: str) -> dt.datetime:
        value = _fromiso(text)
        if value.tzinfo is None:
            # the constructor is about twice as fast as .replace(tzinfo=tz)
            value = _datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                tz,
            )
        else:
            value = value.astimezone(tz)
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError  # the slow path says why
        if len(cache) >= MOMENT_CACHE_SIZE:
            cache.clear()
        cache[text] = value
        return value

    return cache, parse


def read_cases(
    path_or_dir: str | Path | Sequence[str | Path],
    tz: dt.tzinfo,
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
    items: Collection[str] | None = None,
    case_ids: set[str] | None = None,
) -> Iterator[Case]:
    """Yield the usable cases of a cases file, of a folder's cases files, or of a list of files.

    One case id is one case over all the files read (:mod:`govhall.readers.unique`):
    rows that repeat an id are held back until every file is read, then an
    identical copy is counted once (a warning) and different rows are all
    rejected (neither is used). The others stream at once; a quick first look
    at the files' id column says which ids repeat.

    Args:
        path_or_dir: A ``.csv`` / ``.jsonl`` / ``.ndjson`` file; a folder holding
            at least one cases file (:func:`find_data_files`), read in sorted
            name order; or a list of files, read in the order given.
        tz: The hall's time zone; naive times are taken as local time in it.
        report: Receives the counts and every problem.
        windows: Known window ids; a case naming another window is rejected.
        items: Known item ids; a case naming another item is rejected.
        case_ids: Receives the id of every case yielded (for the orphan check of ratings).

    Raises:
        GovhallError: The path is missing, a folder holds no cases file, or a
            file is unreadable, not UTF-8, or its header lacks a required
            column (raised when that file is reached, after the records of
            the files before it). Bad rows are reported, not raised.
    """
    concluded_statuses = CONCLUDED_STATUSES
    moments, moment = _moment_cache(tz)
    kinds, statuses = _KINDS, _STATUSES
    paths = _files(path_or_dir, "cases", required=True)
    repeated = repeated_case_ids(paths)
    held: list[tuple[str, int, Case]] = []
    note = case_ids.add if case_ids is not None else None
    # the per-file work stays out here: the row loop below is the one of a single file
    for path in paths:
        summary = _start(report, path)
        read = used = 0  # counted locally (hot loop), added to the summary at the end
        try:
            for line, values, layout in _rows(path, CASE_COLUMNS, CASE_OPTIONAL, report, summary):
                read += 1
                try:
                    if not layout.columns:
                        raise ValueError  # JSON values may be of any type: check each one
                    (
                        case_id,
                        window,
                        item,
                        kind,
                        received_s,
                        status,
                        concluded_s,
                        visits,
                        staff,
                        pauses,
                    ) = values
                    if (
                        not case_id
                        or case_id != case_id.strip()  # the slow path strips: same answer
                        or (staff and staff != staff.strip())
                        or not window
                        or not item
                        or kind not in kinds
                        or status not in statuses
                        or (windows is not None and window not in windows)
                        or (items is not None and item not in items)
                    ):
                        raise ValueError
                    received = moments.get(received_s)
                    if received is None:
                        received = moment(received_s)
                    if status in concluded_statuses:
                        concluded = moments.get(concluded_s)
                        if concluded is None:
                            concluded = moment(concluded_s)
                        # same zone: wall clocks compare as instants unless a fold differs
                        if (concluded < received or concluded.fold != received.fold) and _earlier(
                            concluded, received
                        ):
                            raise ValueError
                    else:
                        concluded = None
                    visits = int(visits)
                    if visits < 0:
                        raise ValueError
                    case = Case(
                        case_id,
                        window,
                        item,
                        kind,
                        received,
                        status,
                        concluded,
                        visits,
                        staff or None,
                        parse_pauses(pauses) if pauses else (),
                    )
                except Exception:
                    try:
                        case = _slow_case(values, tz, windows, items)
                    except _BadRow as bad:
                        _reject(report, summary, path, line, layout, bad)
                        continue
                if repeated and hash(case.case_id) in repeated:
                    held.append((str(path), line, case))
                    continue
                used += 1
                if note is not None:
                    note(case.case_id)
                yield case
        finally:
            summary.read += read
            summary.used += used
    if held:
        for _, _, case in unique_rows(held, case_key, report, [str(p) for p in paths]):
            if note is not None:
                note(case.case_id)
            yield case


def quick_case(
    tz: dt.tzinfo, windows: Collection[str] | None, items: Collection[str] | None
) -> Callable[[Sequence[Any]], Case]:
    """Return the quick parse of a well-formed CSV case row (text values, in column order).

    It raises on anything unusual (padding, unknown ids, bad fields) without
    saying why; the caller then reads the row with the careful parse, which
    gives the same case or the exact problem. The store's import uses it;
    :func:`read_cases` runs the same steps inline in its row loop (a call per
    row costs that loop about 10%), so the two change together:
    ``tests/test_store_located.py`` checks they give the same records.
    """
    concluded_statuses = CONCLUDED_STATUSES
    moments, moment = _moment_cache(tz)
    kinds, statuses = _KINDS, _STATUSES

    def parse(values: Sequence[Any]) -> Case:
        (case_id, window, item, kind, received_s, status, concluded_s, visits, staff, pauses) = (
            values
        )
        if (
            not case_id
            or case_id != case_id.strip()  # the slow path strips: same answer
            or (staff and staff != staff.strip())
            or not window
            or not item
            or kind not in kinds
            or status not in statuses
            or (windows is not None and window not in windows)
            or (items is not None and item not in items)
        ):
            raise ValueError
        received = moments.get(received_s)
        if received is None:
            received = moment(received_s)
        if status in concluded_statuses:
            concluded = moments.get(concluded_s)
            if concluded is None:
                concluded = moment(concluded_s)
            # same zone: wall clocks compare as instants unless a fold differs
            if (concluded < received or concluded.fold != received.fold) and _earlier(
                concluded, received
            ):
                raise ValueError
        else:
            concluded = None
        number = int(visits)
        if number < 0:
            raise ValueError
        return Case(
            case_id,
            window,
            item,
            kind,
            received,
            status,
            concluded,
            number,
            staff or None,
            parse_pauses(pauses) if pauses else (),
        )

    return parse


def _earlier(first: dt.datetime, second: dt.datetime) -> bool:
    """Whether instant ``first`` is before ``second``.

    Python compares two times of the same zone by their wall clocks, fold
    ignored: in the hour repeated when daylight saving ends, 01:10 (second
    pass) compares before 01:30 (first pass) though it is 40 minutes later.
    """
    return first.astimezone(dt.UTC) < second.astimezone(dt.UTC)


def _slow_case(
    values: Sequence[Any],
    tz: dt.tzinfo,
    windows: Collection[str] | None,
    items: Collection[str] | None,
) -> Case:
    """Parse a case row field by field, raising :class:`_BadRow` at the first bad one."""
    case_id = _text("case_id", values[0])
    window = _text("window", values[1])
    _member("window", window, windows)
    item = _text("item", values[2])
    _member("item", item, items)
    kind = _choice("kind", _text("kind", values[3]), sorted(_KINDS))
    received = _time("received_at", values[4], tz)
    status = _choice("status", _text("status", values[5]), CASE_STATUSES)
    concluded = None
    if status in CONCLUDED_STATUSES:
        if values[6] in ("", None):
            raise _BadRow("concluded_at", f"empty, but the case is {status}: a time is required")
        concluded = _time("concluded_at", values[6], tz)
        if _earlier(concluded, received):
            raise _BadRow("concluded_at", "concluded before it was received")
    visits = _int("visits", values[7], 0)
    staff = _text("staff", values[8], required=False) or None
    try:
        pauses = parse_pauses(values[9])
    except ValueError as exc:
        raise _BadRow("pauses", str(exc)) from None
    return Case(case_id, window, item, kind, received, status, concluded, visits, staff, pauses)  # type: ignore[arg-type]


# -- ratings --------------------------------------------------------------------


def read_ratings(
    path_or_dir: str | Path | Sequence[str | Path],
    tz: dt.tzinfo,
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
    case_ids: Collection[str] | None = None,
) -> Iterator[Rating]:
    """Yield the usable ratings of a ratings file, a folder's ratings files or a list of files.

    Ratings are anonymous (无记名评议): columns other than the format's,
    such as a name or phone number, are never read into a record or echoed
    in a message. ``staff`` may be empty; the optional ``tags`` column holds
    the rater's reasons, ``;``-separated (a JSON list in JSON Lines). A
    folder without ratings files yields nothing (ratings are optional), as
    it does for the commands.

    A rating is keyed by case, channel and time over all the files read
    (:mod:`govhall.readers.unique`): an identical copy counts once, different
    rows with one key are all rejected; with ``case_ids``, a rating of a case
    not among them is rejected (an orphan). The ratings are therefore yielded
    once every file is read. The hall's repeated-rating rule (the later rating
    of a case from a channel replaces the earlier) is not applied here:
    :func:`govhall.assessment.workorders.counted_ratings` applies it.

    Raises:
        GovhallError: As :func:`read_cases`.
    """
    for _, _, rating in located_ratings(
        path_or_dir, tz, report, windows=windows, case_ids=case_ids
    ):
        yield rating


def located_ratings(
    path_or_dir: str | Path | Sequence[str | Path],
    tz: dt.tzinfo,
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
    case_ids: Collection[str] | None = None,
) -> Iterator[tuple[str, int, Rating]]:
    """Yield ``(file, line, rating)`` for each usable rating, as :func:`read_ratings`.

    For checks that name the row of a record (a repeated rating).
    """
    found: list[tuple[str, int, Rating]] = []
    order = []
    for path in _files(path_or_dir, "ratings"):
        summary = _start(report, path)
        name = str(path)
        order.append(name)
        for line, values, layout in _rows(path, RATING_COLUMNS, RATING_OPTIONAL, report, summary):
            summary.read += 1
            try:
                rating = _rating(values, tz, windows)
            except _BadRow as bad:
                _reject(report, summary, path, line, layout, bad)
                continue
            found.append((name, line, rating))
    yield from unique_rows(found, rating_key, report, order, case_ids=case_ids)


def _rating(values: Sequence[Any], tz: dt.tzinfo, windows: Collection[str] | None) -> Rating:
    case_id = _text("case_id", values[0])
    window = _text("window", values[1])
    _member("window", window, windows)
    staff = _text("staff", values[2], required=False) or None
    level = _int("level", values[3], 1, 5)
    rated_at = _time("rated_at", values[4], tz)
    channel = _text("channel", values[5])
    tags = _tags(values[6])
    return Rating(case_id, window, staff, level, rated_at, channel, tags)


def _tags(value: Any) -> tuple[str, ...]:
    if value in ("", None):
        return ()
    if isinstance(value, str):
        parts: list[Any] = value.split(";")
    elif isinstance(value, list):
        parts = value
    else:
        raise _BadRow("tags", f"expected tags separated by ';', found {_shown(value)}")
    tags = []
    for part in parts:
        if not isinstance(part, str):
            raise _BadRow("tags", f"expected text, found {_shown(part)}")
        if part.strip() and part.strip() not in tags:
            tags.append(part.strip())
    return tuple(tags)


# -- rectifications -------------------------------------------------------------


def located_rectifications(
    path_or_dir: str | Path | Sequence[str | Path],
    tz: dt.tzinfo,
    report: ReadReport,
) -> Iterator[tuple[str, int, Rectification]]:
    """Yield ``(file, line, record)`` for each usable row of the rectifications files.

    A row names a rating by ``case_id``, ``channel`` and ``rated_at`` and
    gives the work order's progress: ``verified_at`` (核实), ``rectified_at``
    (整改), ``replied_at`` (回访/反馈, closes the order), each empty until
    done, and ``outcome`` (``rectified``, ``not_upheld``, ``explained``),
    required once the order is closed. A row is rejected, with its file,
    line and column, when a stage comes before the one it follows
    (rectified or replied before verified, replied before rectified,
    verified before the rating) or when the outcome is missing or unknown.
    A folder without rectifications files yields nothing.

    Raises:
        GovhallError: As :func:`read_cases`.
    """
    for path in _files(path_or_dir, "rectifications"):
        summary = _start(report, path)
        name = str(path)
        for line, values, layout in _rows(path, RECTIFICATION_COLUMNS, (), report, summary):
            summary.read += 1
            try:
                record = _rectification(values, tz)
            except _BadRow as bad:
                _reject(report, summary, path, line, layout, bad)
                continue
            summary.used += 1
            yield name, line, record


def _optional_time(name: str, value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    if value in ("", None) or (isinstance(value, str) and not value.strip()):
        return None
    return _time(name, value, tz)


def _rectification(values: Sequence[Any], tz: dt.tzinfo) -> Rectification:
    case_id = _text("case_id", values[0])
    channel = _text("channel", values[1])
    rated_at = _time("rated_at", values[2], tz)
    verified = _optional_time("verified_at", values[3], tz)
    rectified = _optional_time("rectified_at", values[4], tz)
    replied = _optional_time("replied_at", values[5], tz)
    outcome_text = _text("outcome", values[6], required=False)
    outcome = _choice("outcome", outcome_text, RECTIFICATION_OUTCOMES) if outcome_text else None
    if verified is not None and verified < rated_at:
        raise _BadRow("verified_at", "verified before the rating was given")
    for column, done in (("rectified_at", rectified), ("replied_at", replied)):
        if done is not None and verified is None:
            raise _BadRow(column, f"{column[:-3]} but not verified: verified_at is empty")
        if done is not None and verified is not None and done < verified:
            raise _BadRow(column, f"{column[:-3]} before it was verified")
    if replied is not None and rectified is not None and replied < rectified:
        raise _BadRow("replied_at", "replied before it was rectified")
    if replied is not None and outcome is None:
        raise _BadRow("outcome", "empty, but the order is closed (replied_at): give the outcome")
    if outcome == "rectified" and replied is not None and rectified is None:
        raise _BadRow("rectified_at", "empty, but the outcome is 'rectified'")
    return Rectification(case_id, channel, rated_at, verified, rectified, replied, outcome)  # type: ignore[arg-type]


# -- findings -------------------------------------------------------------------


def read_findings(
    path_or_dir: str | Path | Sequence[str | Path],
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
) -> Iterator[Finding]:
    """Yield the usable inspection records (督查记录) of findings files, as :func:`read_cases`.

    ``count`` defaults to 1 when empty and is at most :data:`MAX_FINDING_COUNT`;
    ``points`` is a decimal number of at most :data:`MAX_FINDING_POINTS`
    either way, only where the rule allows a range. A finding is keyed by
    date, window, staff and rule over all the files read, as a rating is
    (:func:`read_ratings`).

    Raises:
        GovhallError: As :func:`read_cases`.
    """
    found: list[tuple[str, int, Finding]] = []
    order = []
    for path in _files(path_or_dir, "findings"):
        summary = _start(report, path)
        order.append(str(path))
        rows = _rows(path, FINDING_COLUMNS, FINDING_OPTIONAL, report, summary)
        for line, values, layout in rows:
            summary.read += 1
            try:
                finding = _finding(values, windows)
            except _BadRow as bad:
                _reject(report, summary, path, line, layout, bad)
                continue
            found.append((str(path), line, finding))
    for _, _, finding in unique_rows(found, finding_key, report, order):
        yield finding


def _finding(values: Sequence[Any], windows: Collection[str] | None) -> Finding:
    date = _date("date", values[0])
    window = _text("window", values[1])
    _member("window", window, windows)
    staff = _text("staff", values[2], required=False) or None
    rule = _text("rule", values[3])
    count = 1 if values[4] in ("", None) else _int("count", values[4], 1, MAX_FINDING_COUNT)
    points = None
    if values[5] not in ("", None):
        raw = values[5]
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise _BadRow("points", f"expected a number, found {_shown(raw)}")
        try:
            points = Decimal(str(raw).strip())
        except InvalidOperation:
            raise _BadRow("points", f"expected a number, found {_shown(raw)}") from None
        if not points.is_finite():
            raise _BadRow("points", f"expected a finite number, found {_shown(raw)}")
        if points.copy_abs() > MAX_FINDING_POINTS:  # abs() would round, and overflow
            raise _BadRow(
                "points",
                f"expected -{MAX_FINDING_POINTS} to {MAX_FINDING_POINTS}, found {_shown(raw)}",
            )
    return Finding(date, window, staff, rule, count, points)
