"""Stream cases, ratings and findings from data files (SPEC §5).

Each reader takes a file (``cases.csv``, ``ratings.jsonl`` ...), a data
folder, or a list of files, and yields records one at a time: nothing is
kept, so memory stays flat however long the files are. In a folder, a kind
may be split over several files (operators export month by month):
:func:`find_data_files` takes every ``STEM.EXT``, ``STEM-*.EXT`` and
``STEM_*.EXT`` (``cases-2010-01.csv``, ``cases_2010-02.jsonl`` ...) and
they are read one after another in sorted name order. The format follows
each file's extension: ``.csv`` (UTF-8 with a header row; a byte-order mark
is tolerated) or ``.jsonl`` / ``.ndjson`` (one JSON object per line).

Every row is counted in a :class:`ReadReport`, per file and in total:
``read = used + rejected``. A bad row is never dropped silently: it becomes
a :class:`govhall.Problem` with file, line, column (CSV: 1-based column
number; ``key`` is the column name) and the reason, handed to
``report.on_problem`` at once (the CLI prints it on stderr) and kept in
``report.problems`` (the first ``report.max_problems`` of them). Columns
that are not part of the format are ignored with one warning per file and
are never copied anywhere: the warning names the column, never a value
(ratings are anonymous).

Times without an offset are the hall's local time (``tz``); times with one
are converted to it.

Example::

    from zoneinfo import ZoneInfo
    from govhall.readers import ReadReport, read_cases

    report = ReadReport()
    for case in read_cases("data/", ZoneInfo("Asia/Shanghai"), report):
        ...
    print(report.summary())  # "data/cases.csv: read 10, used 9, rejected 1"
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from os import PathLike
from pathlib import Path
from typing import Any, TextIO

from govhall.errors import GovhallError
from govhall.problems import Problem
from govhall.records import CASE_STATUSES, CONCLUDED_STATUSES, Case, Finding, Pause, Rating

CASE_COLUMNS = (
    "case_id",
    "window",
    "item",
    "kind",
    "received_at",
    "status",
    "concluded_at",
    "visits",
)
CASE_OPTIONAL = ("staff", "pauses")
RATING_COLUMNS = ("case_id", "window", "staff", "level", "rated_at", "channel")
FINDING_COLUMNS = ("date", "window", "staff", "rule")
FINDING_OPTIONAL = ("count", "points")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

_KINDS = frozenset({"immediate", "promised"})
_STATUSES = frozenset(CASE_STATUSES)
_fromiso = dt.datetime.fromisoformat
_datetime = dt.datetime


@dataclass(slots=True)
class FileSummary:
    """Row counts of one data file."""

    path: str
    read: int = 0
    used: int = 0
    rejected: int = 0


@dataclass
class ReadReport:
    """What reading data files found: counts, problems with bad rows, warnings.

    One report can collect several files (cases, then ratings ...);
    ``read``, ``used`` and ``rejected`` are totals, ``files`` has them per
    file. Counts are complete once a reader's iterator is exhausted.

    Attributes:
        on_problem: Called with every problem (rejected row or warning) as it is
            found, e.g. to print it on stderr.
        max_problems: How many row problems ``problems`` keeps; all are counted
            and all go to ``on_problem``.
    """

    on_problem: Callable[[Problem], None] | None = None
    max_problems: int = 1000
    files: dict[str, FileSummary] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Rows read from every file (blank lines are not rows)."""
        return sum(summary.read for summary in self.files.values())

    @property
    def used(self) -> int:
        """Rows that became records."""
        return sum(summary.used for summary in self.files.values())

    @property
    def rejected(self) -> int:
        """Rows reported as bad and left out."""
        return sum(summary.rejected for summary in self.files.values())

    def add_problem(self, problem: Problem) -> None:
        """Record a problem and pass it to ``on_problem``."""
        if problem.severity == "warning":
            self.warnings.append(problem)
        elif len(self.problems) < self.max_problems:
            self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def summary(self) -> str:
        """Describe the counts per file, one line each."""
        return "\n".join(
            f"{s.path}: read {s.read}, used {s.used}, rejected {s.rejected}"
            for s in self.files.values()
        )

    def to_json(self) -> dict[str, Any]:
        """Return the counts and problems as a JSON-ready mapping."""
        return {
            "read": self.read,
            "used": self.used,
            "rejected": self.rejected,
            "files": [
                {"path": s.path, "read": s.read, "used": s.used, "rejected": s.rejected}
                for s in self.files.values()
            ],
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
        }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, **problem.to_json()}


class _BadRow(Exception):
    """A row that cannot be used: which column and why."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


# -- locating files -------------------------------------------------------------


def find_data_files(path_or_dir: str | Path, stem: str, *, required: bool = False) -> list[Path]:
    """Return the data files of one kind (``cases`` ...) in sorted name order.

    A file path is returned alone, whatever its name. In a folder, every
    file named ``STEM.EXT``, ``STEM-*.EXT`` or ``STEM_*.EXT`` is taken, EXT
    being ``csv``, ``jsonl`` or ``ndjson`` (any case): ``cases.csv``,
    ``cases-2010-01.csv`` and ``cases_2010-02.jsonl`` are cases files;
    ``oldcases.csv``, ``cases.csv.bak`` and ``cases_backup.txt`` are not.

    Args:
        path_or_dir: A data file or a data folder.
        stem: The kind of data: ``cases``, ``ratings`` or ``findings``.
        required: Raise instead of returning an empty list.

    Raises:
        GovhallError: The path does not exist, or ``required`` and the folder
            holds no file of that kind.
    """
    path = Path(path_or_dir)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise GovhallError(f"{path}: no such file or folder")
    prefixes = (f"{stem}-", f"{stem}_")
    found = []
    for entry in path.iterdir():
        base, dot, ext = entry.name.rpartition(".")
        if (
            dot
            and f".{ext.lower()}" in EXTENSIONS
            and (base == stem or base.startswith(prefixes))
            and entry.is_file()
        ):
            found.append(entry)
    if required and not found:
        raise GovhallError(
            f"{path}: no {stem}.csv or {stem}.jsonl (nor {stem}.ndjson, "
            f"nor split files such as {stem}-2010-01.csv)"
        )
    return sorted(found, key=lambda entry: entry.name)


def _files(source: str | Path | Sequence[str | Path], stem: str) -> list[Path]:
    """Return the files a reader reads: a folder's (at least one), a file, or the list given."""
    if isinstance(source, str | PathLike):
        return find_data_files(source, stem, required=True)
    return [Path(name) for name in source]


# -- raw rows -------------------------------------------------------------------


@dataclass(slots=True)
class _Layout:
    """Where each wanted column sits in a file's rows (CSV) and how to name it."""

    names: tuple[str, ...]
    columns: dict[str, int]
    """1-based column number of each wanted column in the CSV header."""


def _rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    """Yield ``(line, values in required+optional order, layout)`` for each row.

    Rows that cannot even be split into values (wrong number of CSV fields,
    invalid JSON) are reported here and not yielded.
    """
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(EXTENSIONS)
        raise GovhallError(f"{path}: unknown data file type {path.suffix!r} (expected {known})")
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise GovhallError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if kind == "csv":
        return _csv_rows(stream, path, required, optional, report, summary)
    return _json_rows(stream, path, required, optional, report, summary)


def _not_utf8(path: Path, line: int, exc: UnicodeDecodeError) -> GovhallError:
    return GovhallError(
        f"{path}: not UTF-8 text after line {line}: byte {exc.object[exc.start]:#04x}"
    )


def _csv_rows(
    stream: TextIO,
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    with stream:
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, 0, exc) from exc
        except csv.Error as exc:
            raise GovhallError(f"{path}:1: unreadable header row: {exc}") from None
        if header is None:
            raise GovhallError(
                f"{path}:1: empty file: expected a header row ({', '.join(required)})"
            )
        # a second byte-order mark (files joined with `cat`) is not part of the name
        names = [name.strip().lstrip("\ufeff") for name in header]
        positions: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in positions:
                raise GovhallError(f"{path}:1:{index + 1}: column {name!r} appears twice")
            positions[name] = index
        missing = [name for name in required if name not in positions]
        if missing:
            raise GovhallError(
                f"{path}:1: missing required column(s) {', '.join(missing)} "
                f"(header has: {', '.join(names)})"
            )
        wanted = (*required, *optional)
        _warn_unknown(report, path, [n for n in names if n not in wanted], 1)
        width = len(names)
        indexes = [positions.get(name, width) for name in wanted]
        pad = any(name not in positions for name in optional)
        layout = _Layout(
            wanted, {name: positions[name] + 1 for name in wanted if name in positions}
        )
        pick = itemgetter(*indexes)
        previous = 1
        while True:  # restarted after a row the csv module cannot split
            try:
                for row in reader:
                    line = previous + 1
                    previous = reader.line_num
                    if len(row) != width:
                        if not row:
                            continue  # a blank line is not a row
                        summary.read += 1
                        summary.rejected += 1
                        message = f"expected {width} fields, found {len(row)}"
                        report.add_problem(Problem("error", message, line=line, file=str(path)))
                        continue
                    if pad:
                        row.append("")
                    yield line, pick(row), layout
            except UnicodeDecodeError as exc:
                raise _not_utf8(path, previous, exc) from exc
            except csv.Error as exc:  # e.g. a field over the csv module's size limit
                line, previous = previous + 1, max(reader.line_num, previous + 1)
                summary.read += 1
                summary.rejected += 1
                message = f"cannot split the row into fields: {exc}"
                report.add_problem(Problem("error", message, line=line, file=str(path)))
                continue
            break


def _json_rows(
    stream: TextIO,
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    wanted = (*required, *optional)
    wanted_set = frozenset(wanted)
    layout = _Layout(wanted, {})
    known_keys: frozenset[str] = frozenset()
    warned: set[str] = set()
    loads = json.loads
    line = 0
    with stream:
        try:
            for line, text in enumerate(stream, start=1):
                if not text.strip():
                    continue
                try:
                    data = loads(text)
                except json.JSONDecodeError as exc:
                    summary.read += 1
                    summary.rejected += 1
                    report.add_problem(
                        Problem(
                            "error",
                            f"invalid JSON: {exc.msg}",
                            line=line,
                            column=exc.colno,
                            file=str(path),
                        )
                    )
                    continue
                except (ValueError, RecursionError):
                    # a number of more than 4300 digits, or arrays nested too deep
                    summary.read += 1
                    summary.rejected += 1
                    message = "invalid JSON: a number too long or values nested too deep"
                    report.add_problem(Problem("error", message, line=line, file=str(path)))
                    continue
                if not isinstance(data, dict):
                    summary.read += 1
                    summary.rejected += 1
                    report.add_problem(
                        Problem("error", "expected a JSON object", line=line, file=str(path))
                    )
                    continue
                keys = data.keys()
                if keys != known_keys:
                    known_keys = frozenset(keys)
                    unknown = [k for k in keys if k not in wanted_set and k not in warned]
                    warned.update(unknown)
                    _warn_unknown(report, path, unknown, line)
                values = []
                for name in wanted:
                    value = data.get(name)
                    values.append("" if value is None else value)
                yield line, values, layout
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, line, exc) from exc


def _warn_unknown(report: ReadReport, path: Path, unknown: Sequence[str], line: int) -> None:
    for name in unknown:
        report.add_problem(
            Problem(
                "warning",
                f"column {name!r} is not part of the format: ignored, not copied to any output",
                key=name,
                line=line,
                file=str(path),
            )
        )


def _reject(
    report: ReadReport, summary: FileSummary, path: Path, line: int, layout: _Layout, bad: _BadRow
) -> None:
    summary.rejected += 1
    column = layout.columns.get(bad.column) if bad.column else None
    report.add_problem(
        Problem("error", bad.reason, key=bad.column or "", line=line, column=column, file=str(path))
    )


def _start(report: ReadReport, path: Path) -> FileSummary:
    name = str(path)
    summary = report.files.get(name)
    if summary is None:
        summary = report.files[name] = FileSummary(name)
    return summary


# -- field parsers (the slow path that says which column is wrong and why) --------


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(name: str, value: Any, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise _BadRow(name, f"expected text, found {_shown(value)}")
    text = value.strip()
    if required and not text:
        raise _BadRow(name, "empty: a value is required")
    return text


def _time(name: str, value: Any, tz: dt.tzinfo) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise _BadRow(name, f"expected an ISO 8601 time, found {_shown(value)}")
    try:
        moment = _fromiso(value.strip())
    except ValueError:
        raise _BadRow(name, f"not an ISO 8601 time: {_shown(value)}") from None
    try:
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    except OverflowError:  # 0001-01-01T00:00+14:00 has no local time in year 1
        raise _BadRow(name, f"out of range in the hall's time zone: {_shown(value)}") from None


def _date(name: str, value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError, TypeError):
        raise _BadRow(name, f"not an ISO 8601 date (YYYY-MM-DD): {_shown(value)}") from None


def _int(name: str, value: Any, low: int, high: int | None = None) -> int:
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(value)
    except (ValueError, TypeError):
        raise _BadRow(name, f"expected a whole number, found {_shown(value)}") from None
    if number < low or (high is not None and number > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise _BadRow(name, f"expected {span}, found {number}")
    return number


def _choice(name: str, value: Any, allowed: Collection[str]) -> str:
    if value not in allowed:
        raise _BadRow(name, f"expected one of {', '.join(allowed)}; found {_shown(value)}")
    return str(value)


def _member(name: str, value: str, known: Collection[str] | None) -> None:
    if known is not None and value not in known:
        raise _BadRow(name, f"unknown {name} {value!r}: not in the hall config")


def parse_pauses(value: Any) -> tuple[Pause, ...]:
    """Parse pauses: ``"START/END;START/END"`` (dates, both included) or a JSON list.

    A JSON list holds ``"START/END"`` strings or ``[START, END]`` pairs.

    Raises:
        ValueError: A pause is malformed or ends before it starts.
    """
    if value in ("", None):
        return ()
    parts: list[Any]
    if isinstance(value, str):
        parts = [part for part in value.split(";") if part.strip()]
    elif isinstance(value, list):
        parts = value
    else:
        raise ValueError(f"expected START/END;START/END, found {_shown(value)}")
    pauses = []
    for part in parts:
        ends = part.split("/") if isinstance(part, str) else part
        if not isinstance(ends, list) or len(ends) != 2:
            raise ValueError(f"expected START/END, found {_shown(part)}")
        try:
            start, end = (dt.date.fromisoformat(str(e).strip()) for e in ends)
        except ValueError:
            raise ValueError(f"pause dates must be YYYY-MM-DD: {_shown(part)}") from None
        if end < start:
            raise ValueError(f"pause ends before it starts: {_shown(part)}")
        pauses.append(Pause(start, end))
    return tuple(pauses)


# -- cases ----------------------------------------------------------------------

MOMENT_CACHE_SIZE = 1 << 16
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
) -> Iterator[Case]:
    """Yield the usable cases of a cases file, of a folder's cases files, or of a list of files.

    Args:
        path_or_dir: A ``.csv`` / ``.jsonl`` / ``.ndjson`` file; a folder holding
            at least one cases file (:func:`find_data_files`), read in sorted
            name order; or a list of files, read in the order given.
        tz: The hall's time zone; naive times are taken as local time in it.
        report: Receives the counts and every problem.
        windows: Known window ids; a case naming another window is rejected.
        items: Known item ids; a case naming another item is rejected.

    Raises:
        GovhallError: The path is missing, a folder holds no cases file, or a
            file is unreadable, not UTF-8, or its header lacks a required
            column (raised when that file is reached, after the records of
            the files before it). Bad rows are reported, not raised.
    """
    concluded_statuses = CONCLUDED_STATUSES
    moments, moment = _moment_cache(tz)
    kinds, statuses = _KINDS, _STATUSES
    # the per-file work stays out here: the row loop below is the one of a single file
    for path in _files(path_or_dir, "cases"):
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
                        if concluded < received:
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
                used += 1
                yield case
        finally:
            summary.read += read
            summary.used += used


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
        if concluded < received:
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
) -> Iterator[Rating]:
    """Yield the usable ratings of a ratings file, a folder's ratings files or a list of files.

    Ratings are anonymous (无记名评议): columns other than the format's,
    such as a name or phone number, are never read into a record or echoed
    in a message. ``staff`` may be empty.

    Raises:
        GovhallError: As :func:`read_cases`.
    """
    for path in _files(path_or_dir, "ratings"):
        summary = _start(report, path)
        for line, values, layout in _rows(path, RATING_COLUMNS, (), report, summary):
            summary.read += 1
            try:
                rating = _rating(values, tz, windows)
            except _BadRow as bad:
                _reject(report, summary, path, line, layout, bad)
                continue
            summary.used += 1
            yield rating


def _rating(values: Sequence[Any], tz: dt.tzinfo, windows: Collection[str] | None) -> Rating:
    case_id = _text("case_id", values[0])
    window = _text("window", values[1])
    _member("window", window, windows)
    staff = _text("staff", values[2], required=False) or None
    level = _int("level", values[3], 1, 5)
    rated_at = _time("rated_at", values[4], tz)
    channel = _text("channel", values[5])
    return Rating(case_id, window, staff, level, rated_at, channel)


# -- findings -------------------------------------------------------------------


def read_findings(
    path_or_dir: str | Path | Sequence[str | Path],
    report: ReadReport,
    *,
    windows: Collection[str] | None = None,
) -> Iterator[Finding]:
    """Yield the usable inspection records (督查记录) of findings files, as :func:`read_cases`.

    ``count`` defaults to 1 when empty; ``points`` is a decimal number, only
    where the rule allows a range.

    Raises:
        GovhallError: As :func:`read_cases`.
    """
    for path in _files(path_or_dir, "findings"):
        summary = _start(report, path)
        rows = _rows(path, FINDING_COLUMNS, FINDING_OPTIONAL, report, summary)
        for line, values, layout in rows:
            summary.read += 1
            try:
                finding = _finding(values, windows)
            except _BadRow as bad:
                _reject(report, summary, path, line, layout, bad)
                continue
            summary.used += 1
            yield finding


def _finding(values: Sequence[Any], windows: Collection[str] | None) -> Finding:
    date = _date("date", values[0])
    window = _text("window", values[1])
    _member("window", window, windows)
    staff = _text("staff", values[2], required=False) or None
    rule = _text("rule", values[3])
    count = 1 if values[4] in ("", None) else _int("count", values[4], 1)
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
    return Finding(date, window, staff, rule, count, points)
