"""The 好差评 bulletin counted by DuckDB: only the few ratings that need rules reach Python.

A month's bulletin (:class:`govhall.assessment.workorders.BulletinBuilder`)
counts every rating by channel and level, but only a few ratings need
Python's rules: the bad ones (they open work orders), the ones rated more
than once on one channel (the repeated-rating rule decides which counts), and
the ones a rectifications row names. :func:`scan_ratings` reads the ratings
files with DuckDB, checks every row in SQL as :mod:`govhall.readers.duck_scan`
does, and splits them:

* ``rows``: those few, as ``(file, line, Rating)``, in file and line order,
  exactly as :func:`govhall.readers.typed.located_ratings` yields them;
* ``counts``: every other rating given in the month, counted by channel (as
  written) and level; ``unknown``: those of them (up to ``as_of``) whose
  channel is not a known one, by channel.

Such a rating is alone in its (case, channel) group, good (level 3-5) and
named by no rectification row, so no rule of the builder can treat it other
than count it: the bulletin is the same either way (a differential test
checks). A file the fast path cannot take — neither CSV nor Parquet, a bad
row, a value holding a line break, a blank line (the lines would not be the
careful reader's) — makes :func:`scan_ratings` return ``None`` before anything is
counted, and the caller reads every file the careful way.

The cases files are read once, by :class:`govhall.readers.duck_scan.FolderScan`
(:func:`stage_cases`), quietly: their usable case ids are the orphan check's
(a rating whose case is not among them goes to the careful reader, which
rejects it), and their row counts are what the bulletin reports when it needs
the cases. :func:`read_wanted_cases` gives the time-limit cross-check its few
cases: only the rows of the wanted case ids are parsed by the careful reader.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.readers.duck_scan import (
    FolderScan,
    _in,
    _one_row_a_line,
    _quote,
    _source,
    _time_ok,
    lines_counted,
    plain_ends,
    trimmed,
)
from govhall.readers.report import ReadReport
from govhall.readers.rows import RATING_COLUMNS, RATING_OPTIONAL, _start, _warn_unknown
from govhall.records import BAD_LEVEL, RATING_CHANNELS, Rating

if TYPE_CHECKING:
    import duckdb

    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.tables import KeyNumbers
    from govhall.problems import Problem
    from govhall.records import Case


@dataclass
class RatingScan:
    """What DuckDB left for Python, and what it counted itself."""

    rows: list[tuple[str, int, Rating]] = field(default_factory=list)
    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    """``(channel as written, level)`` -> ratings given in the month, counted in DuckDB."""
    unknown: dict[str, int] = field(default_factory=dict)
    """Channel not known -> ratings up to ``as_of`` counted in DuckDB."""


_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
"""The characters Python's ``str.strip`` removes (the careful reader strips case ids)."""


def _stripped(text: str) -> str:
    """SQL: ``text`` as ``str.strip`` leaves it (its one parameter: :data:`_SPACES`).

    Text with a printable ASCII character at each end is left as it is
    without asking ``trim`` (which, given a set of characters, is slow).
    """
    return f"CASE WHEN {plain_ends(text)} THEN {text} ELSE trim({text}, ?) END"


def _naive(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Return ``moment`` as the hall's wall-clock time (how the files write it)."""
    return moment.astimezone(tz).replace(tzinfo=None)


@dataclass
class StagedCases:
    """A folder's cases files read by :class:`~govhall.readers.duck_scan.FolderScan`, quietly.

    The engine then holds their records (``case_rows``, ``case_pauses``) and
    the ids of their usable cases (``case_keys``); ``report`` and ``problems``
    hold what reading them found, for :meth:`replay`.
    """

    scan: FolderScan
    report: ReadReport
    problems: list[Problem]

    @property
    def ids_table(self) -> str | None:
        """The engine's table of the usable case ids for the orphan check, or ``None``.

        The orphan check of the careful reader (``DataFolder.case_ids``) takes
        the ids of the cases it accepts with the hall's windows but without
        the item check (the ratings' reader knows no items), under the
        folder's rules for repeated ids. When DuckDB took every cases file
        (every row passed its checks, the item check among them, and no id
        repeats), each row is such a case and ``case_keys`` holds exactly
        those ids. Otherwise (a file read the careful way) ``None``: the
        caller asks the careful reader.
        """
        return "case_keys" if self.scan.careful_files == 0 else None

    def ids(self) -> set[str] | None:
        """The ids in :attr:`ids_table` (for the careful reader), or ``None`` without one."""
        table = self.ids_table
        if table is None:
            return None
        rows = self.scan.connection.execute(f"SELECT case_id FROM {table}").fetchall()
        return {row[0] for row in rows}

    def replay(self, report: ReadReport) -> None:
        """Count the cases files' rows into ``report`` and give it their problems, in order."""
        for name, found in self.report.files.items():
            summary = _start(report, Path(name))
            summary.read += found.read
            summary.used += found.used
            summary.rejected += found.rejected
            summary.lines += found.lines
            summary.copies += found.copies
        for problem in self.problems:
            report.add_problem(problem)


def stage_cases(
    engine: DuckDBEngine,
    paths: Sequence[Path],
    tz: dt.tzinfo,
    keys: KeyNumbers,
) -> StagedCases:
    """Read the cases files into ``engine`` with :class:`~govhall.readers.duck_scan.FolderScan`.

    Nothing is reported yet: :meth:`StagedCases.replay` gives the row counts
    and problems to a report when the cases are needed.
    """
    problems: list[Problem] = []
    quiet = ReadReport(on_problem=problems.append, max_problems=0)
    scan = FolderScan(engine, tz, quiet, keys)
    scan.cases(paths)
    return StagedCases(scan, quiet, problems)


def start_files(report: ReadReport, paths: Iterable[Path]) -> None:
    """List ``paths`` in ``report`` now, so its per-file summary keeps the order files are named."""
    for path in paths:
        _start(report, path)


def scan_ratings(
    engine: DuckDBEngine,
    paths: Sequence[Path],
    tz: dt.tzinfo,
    report: ReadReport,
    windows: Collection[str],
    month: tuple[dt.datetime, dt.datetime],
    as_of: dt.datetime,
    named: Iterable[tuple[str, str, dt.datetime]],
    case_ids: Collection[str] | None = None,
    *,
    ids_table: str | None = None,
) -> RatingScan | None:
    """Split the ratings files into the rows Python needs and DuckDB's counts of the rest.

    Args:
        engine: The DuckDB engine to read with.
        paths: The ratings files, in order.
        tz: The hall's time zone.
        report: Receives each file's rows read and used (only when the fast
            path takes every file).
        windows: The hall's window ids.
        month: The month's first moment and the first moment after it.
        as_of: Ratings given after it are not yet known.
        named: ``(case_id, channel, rated_at)`` of every rectification row.
        case_ids: The ids of the folder's usable cases (a rating of another
            case is an orphan), or ``None`` when the folder has no cases file.
        ids_table: Instead of ``case_ids``: a table of ``engine`` holding those
            ids in its ``case_id`` column (:attr:`StagedCases.ids_table`).

    Returns:
        The split, or ``None`` when a file must be read the careful way: also
        when a key (case, channel, time) repeats or a rating is an orphan, so
        that the careful reader reports and rejects those rows by the folder's
        rules.
    """
    import duckdb

    db = engine.connection
    found: list[tuple[Path, list[str], int, int]] = []
    try:
        for number, path in enumerate(paths):
            if path.suffix.lower() not in (".csv", ".parquet"):
                return None
            source, names = _source(path, RATING_COLUMNS, RATING_OPTIONAL)
            counting = lines_counted(path)  # while DuckDB reads the file
            verb = (
                "CREATE OR REPLACE TEMP TABLE govhall_ratings AS"
                if number == 0
                else ("INSERT INTO govhall_ratings")
            )
            db.execute(
                f"""
{verb}
SELECT {number} AS file_no, row_number() OVER () AS pos, case_id_t AS case_id,
  window_t AS win, staff_t AS staff, TRY_CAST(level_t AS INTEGER) AS level,
  TRY_CAST(rated_at_t AS TIMESTAMP) AS t, channel_t AS channel, tags_t AS tags,
  ({trimmed("case_id_t")} AND (staff_t = '' OR {trimmed("staff_t")})
   AND window_t IN {_in(windows)}
   AND regexp_full_match(level_t, '[1-5]')
   AND {_time_ok("rated_at_t")}
   AND {trimmed("channel_t")}
   AND NOT regexp_matches(concat_ws('', case_id_t, window_t, staff_t, level_t, rated_at_t,
                                    channel_t, tags_t), '[\\r\\n]')) AS ok
FROM ({source})
"""
            )
            rows, bad = db.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT ok) FROM govhall_ratings "
                "WHERE file_no = ?",
                [number],
            ).fetchall()[0]
            # a row a line (after a CSV header): the rows' lines are the careful reader's
            lines = counting.result()
            if bad or not _one_row_a_line(path, int(rows), lines):
                return None
            found.append((path, names, int(rows), lines))
    except (LookupError, OSError, ValueError, duckdb.Error):
        return None
    if not found:
        return RatingScan()
    if _repeats_or_orphans(db, case_ids, ids_table):
        return None
    for path, names, rows, lines in found:
        summary = _start(report, path)
        _warn_unknown(
            report, path, [n for n in names if n not in (*RATING_COLUMNS, *RATING_OPTIONAL)], 1
        )
        summary.read += rows
        summary.used += rows
        summary.lines += lines
    # a row's line: its number, after a CSV file's header
    files = [(str(path), int(path.suffix.lower() == ".csv")) for path, *_ in found]

    def located(row: tuple[Any, ...]) -> tuple[str, int, Rating]:
        file_no, pos, case_id, window, staff, level, moment, channel, tags = row
        name, header = files[file_no]
        rating = Rating(
            case_id, window, staff or None, level, moment.replace(tzinfo=tz), channel, _tags(tags)
        )
        return name, int(pos) + header, rating

    return split_ratings(engine, tz, month, as_of, named, located)


def _repeats_or_orphans(
    db: duckdb.DuckDBPyConnection, case_ids: Collection[str] | None, ids_table: str | None
) -> bool:
    """Whether a staged rating's key repeats, or its case is not among the usable cases."""
    repeats = db.execute(
        "SELECT 1 FROM govhall_ratings GROUP BY case_id, channel, t HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if repeats:
        return True
    if ids_table is not None:
        return _orphans(db, ids_table)
    if case_ids is None:
        return False
    import pyarrow as pa

    known = pa.table({"case_id": pa.array(sorted(case_ids), pa.string())})
    db.register("govhall_known_cases", known)
    try:
        return _orphans(db, "govhall_known_cases")
    finally:
        db.unregister("govhall_known_cases")


def _orphans(db: duckdb.DuckDBPyConnection, ids_table: str) -> bool:
    """Whether a staged rating names a case that is not in ``ids_table``."""
    found = db.execute(
        f"SELECT 1 FROM govhall_ratings r ANTI JOIN {ids_table} c ON r.case_id = c.case_id LIMIT 1"
    ).fetchall()
    return bool(found)


FILE_ORDER = ("file_no, pos", "file_no, pos, case_id, win, staff, level, t, channel, tags")
"""How :func:`split_ratings` orders a folder's ratings for Python, and the columns it hands
over (the staged table's ``govhall_ratings``)."""


def split_ratings(
    engine: DuckDBEngine,
    tz: dt.tzinfo,
    month: tuple[dt.datetime, dt.datetime],
    as_of: dt.datetime,
    named: Iterable[tuple[str, str, dt.datetime]],
    located: Callable[[tuple[Any, ...]], tuple[str, int, Rating]],
    order: tuple[str, str] = FILE_ORDER,
) -> RatingScan:
    """Split the checked ratings staged in ``engine``'s ``govhall_ratings`` table (then dropped).

    The table holds a row per usable rating: at least ``case_id``, ``win``,
    ``level``, ``t`` (its hall-local wall clock) and ``channel``, with no
    key (case, channel, wall clock) twice. The ratings a rule needs (rated
    more than once on a channel, bad, or named in ``named``) are handed to
    ``located`` (the columns ``order[1]`` names, in the order ``order[0]``
    gives) to become ``(file, line, Rating)``; the others are counted.
    """
    db = engine.connection
    db.execute(
        "CREATE OR REPLACE TEMP TABLE govhall_named (case_id VARCHAR, channel VARCHAR, t TIMESTAMP)"
    )
    keys = [(case_id, channel, _naive(moment, tz)) for case_id, channel, moment in named]
    if keys:
        case_ids, channels, moments = zip(*keys, strict=True)
        _insert(db, "govhall_named", case_id=case_ids, channel=channels, t=moments)
    db.execute(
        """
CREATE OR REPLACE TEMP TABLE govhall_keyed AS
SELECT r.*, COUNT(*) OVER (PARTITION BY r.case_id, r.channel) AS n,
  EXISTS (SELECT 1 FROM govhall_named k
          WHERE k.case_id = r.case_id AND k.channel = r.channel AND k.t = r.t) AS is_named
FROM govhall_ratings r WHERE r.t <= ?
""",
        [_naive(as_of, tz)],
    )
    scan = RatingScan()
    python = db.execute(
        f"""
SELECT {order[1]} FROM govhall_keyed
WHERE n > 1 OR level <= {BAD_LEVEL} OR is_named ORDER BY {order[0]}
"""
    ).fetchall()
    scan.rows.extend(located(row) for row in python)
    first, end = (_naive(m, tz) for m in month)
    alone = f"n = 1 AND level > {BAD_LEVEL} AND NOT is_named"
    counted = db.execute(
        f"SELECT channel, level, COUNT(*) FROM govhall_keyed WHERE {alone} AND t >= ? AND t < ? "
        "GROUP BY channel, level",
        [first, end],
    ).fetchall()
    scan.counts = {(channel, int(level)): int(n) for channel, level, n in counted}
    known = _in({*RATING_CHANNELS, *RATING_CHANNELS.values()})
    unknown = db.execute(
        f"SELECT channel, COUNT(*) FROM govhall_keyed WHERE {alone} AND channel NOT IN {known} "
        "GROUP BY channel"
    ).fetchall()
    scan.unknown = {channel: int(n) for channel, n in unknown}
    for table in ("govhall_ratings", "govhall_named", "govhall_keyed"):
        db.execute(f"DROP TABLE {table}")
    return scan


def _insert(db: duckdb.DuckDBPyConnection, table: str, **columns: Sequence[object]) -> None:
    """Insert rows into ``table``, given column by column (one statement, not one a row)."""
    import pyarrow as pa

    db.register("govhall_rows", pa.table({name: list(values) for name, values in columns.items()}))
    try:
        db.execute(f"INSERT INTO {table} SELECT {', '.join(columns)} FROM govhall_rows")
    finally:
        db.unregister("govhall_rows")


def _tags(value: str) -> tuple[str, ...]:
    """Split a ``tags`` cell as the careful reader does (``;``, trimmed, no repeats)."""
    tags: list[str] = []
    for part in value.split(";") if value else ():
        text = part.strip()
        if text and text not in tags:
            tags.append(text)
    return tuple(tags)


def read_wanted_cases(
    engine: DuckDBEngine,
    paths: Sequence[Path],
    tz: dt.tzinfo,
    report: ReadReport,
    keys: KeyNumbers,
    wanted: Collection[str],
    staged: StagedCases | None = None,
) -> list[Case]:
    """Count the cases files into ``report`` (as the careful reader would), return the wanted cases.

    The files are checked and counted by :class:`~govhall.readers.duck_scan.FolderScan`
    (or were: ``staged``, by :func:`stage_cases` with the same arguments);
    the rows of ``wanted`` case ids are then copied, in file order, into a
    scratch file of the same format (a Parquet file's columns keep their
    types) that the careful reader parses (into a report of its own); a
    JSON Lines file is read whole by the careful reader.
    """
    from govhall.readers.rows import CASE_COLUMNS, CASE_OPTIONAL
    from govhall.readers.typed import read_cases

    if staged is None:
        FolderScan(engine, tz, report, keys).cases(paths)
    else:
        staged.replay(report)
    db = engine.connection
    db.execute("CREATE OR REPLACE TEMP TABLE govhall_wanted (case_id VARCHAR)")
    if wanted:
        _insert(db, "govhall_wanted", case_id=sorted(wanted))
    found: list[Case] = []
    columns = (*CASE_COLUMNS, *CASE_OPTIONAL)
    windows, items = keys.windows, keys.items
    with tempfile.TemporaryDirectory(prefix="govhall-cases-") as tmp:
        for number, path in enumerate(paths):
            suffix = path.suffix.lower()
            if suffix in (".csv", ".parquet"):
                # the wanted rows as written (a Parquet file's with their types), in order
                part = Path(tmp) / f"cases-{number}{suffix}"
                if suffix == ".csv":
                    source, _ = _source(path, CASE_COLUMNS, CASE_OPTIONAL)
                    picks = ", ".join(f"{name}_t AS {name}" for name in columns)
                    rows, key, form = f"SELECT {picks} FROM ({source})", "case_id_t", "HEADER"
                else:
                    rows, key = f"SELECT * FROM read_parquet({_quote(str(path))})", "case_id"
                    form = "FORMAT parquet"
                db.execute(
                    f"COPY ({rows} WHERE {_stripped(f'CAST({key} AS VARCHAR)')} IN "
                    f"(SELECT case_id FROM govhall_wanted)) TO {_quote(str(part))} ({form})",
                    [_SPACES],
                )
                found.extend(read_cases(part, tz, ReadReport(), windows=windows, items=items))
            else:  # JSON Lines: the careful reader reads it all
                quiet = ReadReport()
                cases = read_cases(path, tz, quiet, windows=windows, items=items)
                found.extend(case for case in cases if case.case_id in wanted)
    db.execute("DROP TABLE govhall_wanted")
    return found
