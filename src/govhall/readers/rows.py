"""Data files: finding them, reading raw rows (CSV, JSON Lines or Parquet), checking fields.

The slow, careful path lives here: it says which file, line and column is wrong
and why. The typed readers (:mod:`govhall.readers.typed`) use it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from os import PathLike
from pathlib import Path
from typing import Any, TextIO

from govhall.errors import GovhallError
from govhall.problems import Problem
from govhall.readers.report import FileSummary, ReadReport
from govhall.records import CASE_STATUSES, Pause

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
RATING_OPTIONAL = ("tags",)
RECTIFICATION_COLUMNS = (
    "case_id",
    "channel",
    "rated_at",
    "verified_at",
    "rectified_at",
    "replied_at",
    "outcome",
)
FINDING_COLUMNS = ("date", "window", "staff", "rule")
FINDING_OPTIONAL = ("count", "points")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
PARQUET_BATCH_ROWS = 65_536
"""Rows read from a Parquet file at a time (memory stays bounded on large files)."""

_KINDS = frozenset({"immediate", "promised"})
_STATUSES = frozenset(CASE_STATUSES)
_fromiso = dt.datetime.fromisoformat
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Years a data row may name: outside them a date is a typo, and calendar arithmetic
(a due date, a year's window) would overflow Python's date range."""
_datetime = dt.datetime
MAX_LINE_CHARS = 1 << 20
"""The longest line a data file may have (1,048,576 characters). A longer line is
rejected without being held in memory, so memory stays flat whatever the file holds."""


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
    being ``csv``, ``jsonl``, ``ndjson`` or ``parquet`` (any case): ``cases.csv``,
    ``cases-2010-01.csv`` and ``cases_2010-02.jsonl`` are cases files;
    ``oldcases.csv``, ``cases.csv.bak`` and ``cases_backup.txt`` are not.
    An entry with such a name is returned whatever it is: a folder, a broken
    link or a file without read permission is then an error naming it when a
    reader reaches it, never an empty file.

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
        if dot and f".{ext.lower()}" in EXTENSIONS and (base == stem or base.startswith(prefixes)):
            # named as a data file: one that cannot be read (a folder, a broken link, no
            # permission) is an error when it is read, never an empty file
            found.append(entry)
    if required and not found:
        raise GovhallError(
            f"{path}: no {stem}.csv or {stem}.jsonl (nor {stem}.ndjson, {stem}.parquet, "
            f"nor split files such as {stem}-2010-01.csv)"
        )
    return sorted(found, key=lambda entry: entry.name)


def _files(
    source: str | Path | Sequence[str | Path], stem: str, *, required: bool = False
) -> list[Path]:
    """Return the files a reader reads: a folder's (``required``: at least one), a file, a list."""
    if isinstance(source, str | PathLike):
        return find_data_files(source, stem, required=required)
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
    if kind == "parquet":
        return _parquet_rows(path, required, optional, report, summary)
    stream = open_data_file(path)
    lines = _Lines(stream, path, report, summary, one_row_each=kind == "csv")
    if kind == "csv":
        return _csv_rows(stream, lines, path, required, optional, report, summary)
    return _json_rows(stream, lines, path, required, optional, report, summary)


def open_data_file(path: Path) -> TextIO:
    """Open a CSV or JSON Lines data file as text (a byte-order mark is dropped).

    Raises:
        GovhallError: The file cannot be read (no such file, a folder, a broken
            link, no permission), naming it.
    """
    try:
        if path.is_dir():
            raise GovhallError(f"{path}: cannot read: a folder, not a data file")
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        what = exc.strerror or str(exc)
        if path.is_symlink() and not path.exists():
            what = f"a broken link (to {path.readlink()})"
        raise GovhallError(f"{path}: cannot read: {what}") from exc


class _Spans(Exception):
    """A CSV row asked for a second physical line: a quoted field left open."""


class _Lines:
    """A data file's physical lines, counted; a line over :data:`MAX_LINE_CHARS` is rejected
    unread.

    The rejected line is skipped in pieces and replaced by a blank line, which
    both readers pass over, so line numbers stay right.

    With ``one_row_each`` (CSV), a row is one physical line: when the csv
    module asks for the next line before the row of the last one is complete
    (a quoted field left open by a stray ``"``), :class:`_Spans` is raised
    instead, the reader rejects the line, and the next line is read as a row
    of its own. No value of the formats holds a line break, so no row is lost
    to a stray quote, whatever follows it.
    """

    __slots__ = ("number", "one_row_each", "path", "pending", "readline", "report", "summary")

    def __init__(
        self,
        stream: TextIO,
        path: Path,
        report: ReadReport,
        summary: FileSummary,
        *,
        one_row_each: bool,
    ) -> None:
        self.readline = stream.readline
        self.path = path
        self.report = report
        self.summary = summary
        self.one_row_each = one_row_each
        self.number = 0
        """Physical lines handed out so far."""
        self.pending = False
        """A line was handed out and its row is not complete yet."""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            raise _Spans
        limit = MAX_LINE_CHARS
        text = self.readline(limit)
        if not text:
            raise StopIteration
        self.number += 1
        self.pending = self.one_row_each
        if len(text) < limit or text[-1] in "\r\n":
            return text
        readline = self.readline
        while (rest := readline(limit)) and rest[-1] not in "\r\n":
            pass
        self.summary.read += 1
        self.summary.rejected += 1
        message = f"line longer than {limit:,} characters: rejected without reading it"
        self.report.add_problem(Problem("error", message, line=self.number, file=str(self.path)))
        return "\n"


def _not_utf8(path: Path, line: int, exc: UnicodeDecodeError) -> GovhallError:
    return GovhallError(
        f"{path}: not UTF-8 text after line {line}: byte {exc.object[exc.start]:#04x}"
    )


def _csv_rows(
    stream: TextIO,
    lines: _Lines,
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    with stream:
        try:
            yield from _csv_body(lines, path, required, optional, report, summary)
        finally:
            summary.lines += lines.number


def _csv_body(
    lines: _Lines,
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, 0, exc) from exc
    except csv.Error as exc:
        raise GovhallError(f"{path}:1: unreadable header row: {exc}") from None
    except _Spans:
        raise GovhallError(
            f'{path}:1: unreadable header row: a quoted name is not closed on the line (a stray ")'
        ) from None
    lines.pending = False
    if header is None:
        raise GovhallError(f"{path}:1: empty file: expected a header row ({', '.join(required)})")
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
    layout = _Layout(wanted, {name: positions[name] + 1 for name in wanted if name in positions})
    pick = itemgetter(*indexes)
    while True:  # restarted after a row the csv module cannot split, or a stray quote
        try:
            for row in reader:
                lines.pending = False
                line = lines.number  # every row is one physical line
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
            raise _not_utf8(path, lines.number, exc) from exc
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            lines.pending = False
            summary.read += 1
            summary.rejected += 1
            message = f"cannot split the row into fields: {exc}"
            report.add_problem(Problem("error", message, line=lines.number, file=str(path)))
            continue
        except _Spans:
            # the csv module (which resets itself on the next row) wants the next line
            # for this row: reject this line and read the next as a row of its own
            lines.pending = False
            summary.read += 1
            summary.rejected += 1
            message = (
                'a quoted field is not closed on this line (a stray "?): the row is '
                "rejected; the next line is read as a row of its own"
            )
            report.add_problem(Problem("error", message, line=lines.number, file=str(path)))
            continue
        break


def _json_rows(
    stream: TextIO,
    lines: _Lines,
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
            for text in lines:
                line = lines.number
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
        finally:
            summary.lines += lines.number


def _parquet_rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    report: ReadReport,
    summary: FileSummary,
) -> Iterator[tuple[int, Sequence[Any], _Layout]]:
    """Yield a Parquet file's rows; ``line`` is the row's 1-based number in the file.

    Every column is read as text (a timestamp as ``YYYY-MM-DD HH:MM:SS``, with its
    offset when it has one), so a row is checked exactly as the same row of a CSV file.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise GovhallError(f"{path}: not a readable Parquet file: {exc}") from None
    names = list(parquet.schema_arrow.names)
    missing = [name for name in required if name not in names]
    if missing:
        raise GovhallError(
            f"{path}: missing required column(s) {', '.join(missing)} (columns: {', '.join(names)})"
        )
    wanted = (*required, *optional)
    _warn_unknown(report, path, [n for n in names if n not in wanted], 1)
    present = [name for name in wanted if name in names]
    layout = _Layout(wanted, {name: names.index(name) + 1 for name in present})
    line = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present):
            columns: list[list[Any]] = []
            for name in wanted:
                if name not in names:
                    columns.append([""] * batch.num_rows)
                    continue
                column = batch.column(name)
                if not pa.types.is_string(column.type):
                    column = pc.cast(column, pa.string())
                columns.append(pc.fill_null(column, "").to_pylist())
            for values in zip(*columns, strict=True):
                line += 1
                yield line, values, layout
    except (OSError, pa.ArrowException) as exc:
        raise GovhallError(f"{path}: cannot read row {line + 1}: {exc}") from None
    finally:
        summary.lines += line  # a Parquet file has rows, not lines: each row counts as one


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
        local = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    except OverflowError:  # 0001-01-01T00:00+14:00 has no local time in year 1
        raise _BadRow(name, f"out of range in the hall's time zone: {_shown(value)}") from None
    _check_year(name, local.year, value)
    return local


def _check_year(name: str, year: int, value: Any) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _BadRow(name, f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}: {_shown(value)}")


def _date(name: str, value: Any) -> dt.date:
    try:
        day = dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError, TypeError):
        raise _BadRow(name, f"not an ISO 8601 date (YYYY-MM-DD): {_shown(value)}") from None
    _check_year(name, day.year, value)
    return day


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

    A JSON list holds ``"START/END"`` strings or ``[START, END]`` pairs. A lone
    ``DATE`` is a one-day pause, as on the command line (``--pause DATE``).

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
        if isinstance(ends, list) and len(ends) == 1:
            ends = [ends[0], ends[0]]  # one day
        if not isinstance(ends, list) or len(ends) != 2:
            raise ValueError(f"expected START/END, found {_shown(part)}")
        try:
            start, end = (dt.date.fromisoformat(str(e).strip()) for e in ends)
        except ValueError:
            raise ValueError(f"pause dates must be YYYY-MM-DD: {_shown(part)}") from None
        if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
            raise ValueError(f"pause years must be within {FIRST_YEAR}-{LAST_YEAR}: {_shown(part)}")
        if end < start:
            raise ValueError(f"pause ends before it starts: {_shown(part)}")
        pauses.append(Pause(start, end))
    return tuple(pauses)
