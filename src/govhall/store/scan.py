"""A cases CSV file staged by DuckDB itself: the fast way into a DuckDB store.

Every row of the file is checked in SQL against a strict form, the one the
``duckdb`` engine's fast scan uses (:mod:`govhall.readers.duck_scan`): ids
without surrounding spaces, known windows and items, a known kind and
status, hall-local times written ``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]`` in
1900-2999, a conclusion not before the receipt, whole visits, pauses as
``START[/END];...``. A row of that form is exactly the case the careful
reader makes of it, so the file's rows go into the import's staging table
straight from DuckDB, with their file and line. A file with any other row,
or one whose lines the check cannot vouch for (a value spanning lines, a
blank line, a line too long for the careful reader), is read by the careful
reader instead, which names each bad row's line and column: the import is
the same either way, only its speed differs.

Times also need their offset from UTC: it is looked up once per distinct
hour of the file, and a row in an hour whose offset is not the same
throughout (a summer-time change) sends the file to the careful reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govhall.readers.duck_scan import PAUSES, TIME, TRIMMED, _in, _quote
from govhall.readers.duck_scan import _header as _csv_header
from govhall.readers.report import ReadReport
from govhall.readers.rows import CASE_COLUMNS, CASE_OPTIONAL, _start, _warn_unknown
from govhall.records import CASE_STATUSES, CONCLUDED_STATUSES

if TYPE_CHECKING:
    from govhall.store.backends import Backend

CHUNK_BYTES = 1 << 23
"""Bytes of the file read at a time while its lines are counted."""
LONGEST_ROW = 60_000
"""The most bytes a row's values may hold on the fast path: the longest line they can make
(quoted, quotes doubled) stays under the careful reader's limits on a field and a line."""


def _header(path: Path) -> list[str] | None:
    """Return the CSV header's column names, or ``None`` for the careful reader to judge."""
    names = _csv_header(path)
    if names is None or any(name not in names for name in CASE_COLUMNS):
        return None
    return names


def count_lines(path: Path) -> int | None:
    """Return the number of lines of a file ending them in ``\\n`` or ``\\r\\n``.

    ``None`` when a line ends in a lone ``\\r`` or the file holds a NUL byte:
    the careful reader's line numbers may then differ from a count of ``\\n``.
    """
    lines = 0
    returns = pairs = 0
    last = b""
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if b"\0" in chunk:
                return None
            lines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            pairs += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    if returns != pairs:
        return None
    return lines + (last not in (b"", b"\n"))


MAX_CHANGES = 500
"""The most changes of UTC offset (summer time starting or ending) a file's times may span
on the fast path; a longer span is read by the careful reader."""


def offset_sql(tz: dt.tzinfo, hours: Sequence[dt.datetime]) -> str | None:
    """Return SQL giving the UTC offset in seconds of a time ``{}`` of one of ``hours``.

    ``hours`` are the distinct hours (``date_trunc('hour', ...)``) of a file's
    times. ``None`` when one of them has no single offset (a summer-time change
    falls in it) or the offsets change more than :data:`MAX_CHANGES` times.
    """
    last = dt.timedelta(minutes=59, seconds=59, microseconds=999_999)
    changes: list[tuple[dt.datetime, int]] = []
    for hour in sorted(hours):
        seen = {
            moment.replace(tzinfo=tz, fold=fold).utcoffset()
            for moment in (hour, hour + last)
            for fold in (0, 1)
        }
        if len(seen) != 1:
            return None
        (offset,) = seen
        assert offset is not None
        seconds = int(offset.total_seconds())
        if not changes or changes[-1][1] != seconds:
            changes.append((hour, seconds))
    if not changes:
        return "NULL"
    if len(changes) > MAX_CHANGES:
        return None
    # the offset of the latest change at or before the time's hour
    steps = " ".join(
        f"WHEN {{}} >= TIMESTAMP '{hour.isoformat(sep=' ')}' THEN {seconds}"
        for hour, seconds in reversed(changes[1:])
    )
    first = changes[0][1]
    return f"CASE {steps} ELSE {first} END" if steps else str(first)


def _conforms(windows: Collection[str], items: Collection[str]) -> str:
    """SQL telling whether a scanned row has the strict form (``r``, ``f``: its cast times)."""
    concluded = _in(CONCLUDED_STATUSES)
    size = " + ".join(f"strlen({name}_t)" for name in (*CASE_COLUMNS, *CASE_OPTIONAL))
    return f"""(regexp_full_match(case_id_t, '{TRIMMED}')
   AND (staff_t = '' OR regexp_full_match(staff_t, '{TRIMMED}'))
   AND window_t IN {_in(windows)} AND item_t IN {_in(items)}
   AND kind_t IN ('immediate', 'promised') AND status_t IN {_in(CASE_STATUSES)}
   AND regexp_full_match(received_at_t, '{TIME}') AND r IS NOT NULL
   AND year(r) BETWEEN 1900 AND 2999
   AND (status_t NOT IN {concluded} OR (regexp_full_match(concluded_at_t, '{TIME}')
        AND f IS NOT NULL AND year(f) BETWEEN 1900 AND 2999 AND f >= r))
   AND regexp_full_match(visits_t, '\\d{{1,9}}')
   AND (pauses_t = '' OR (regexp_full_match(pauses_t, '{PAUSES}') AND pauses_ok))
   AND {size} + other_size < {LONGEST_ROW})"""


def scan_cases(
    backend: Backend,
    path: Path,
    tz: dt.tzinfo,
    report: ReadReport,
    windows: Collection[str],
    items: Collection[str],
    table: str,
) -> str | None:
    """Read a cases CSV file into the temporary ``table`` when every row has the strict form.

    Run it outside the import's transaction: a file DuckDB cannot parse is an
    error that would end the transaction. The table's rows follow the file's
    (a row's line is its ``rowid`` + 2); they are counted in ``report`` as read
    and used.

    Returns:
        A ``SELECT`` of each row's line and its stored case values; or ``None``
        (no table, ``report`` untouched) for the careful reader to read the file.
    """
    import duckdb

    if backend.kind != "duckdb" or path.suffix.lower() != ".csv":
        return None
    names = _header(path)
    if names is None:
        return None
    before = path.stat()
    lines = count_lines(path)
    if lines is None:
        return None
    wanted = (*CASE_COLUMNS, *CASE_OPTIONAL)
    types = ", ".join(f"{_quote(name)}: 'VARCHAR'" for name in names)
    source = (
        f"read_csv({_quote(str(path))}, header = true, auto_detect = false, "
        f"columns = {{{types}}}, delim = ',', quote = '\"', escape = '\"', "
        "strict_mode = true, encoding = 'utf-8')"
    )
    picks = []
    for name in wanted:
        if name in names:
            picks.append(f"COALESCE({_column(name)}, '') AS {name}_t")
        else:
            picks.append(f"'' AS {name}_t")
    others = [f"strlen(COALESCE({_column(name)}, ''))" for name in names if name not in wanted]
    picks.append(f"{' + '.join(others) if others else '0'} AS other_size")
    concluded = _in(CONCLUDED_STATUSES)
    start = "TRY_CAST(split_part(p, '/', 1) AS DATE)"
    end = "TRY_CAST(CASE WHEN contains(p, '/') THEN split_part(p, '/', 2) ELSE p END AS DATE)"
    # every pause's dates are real, its start in 1900 or later, its end not before its start
    pauses_ok = (
        f"list_bool_and([{start} IS NOT NULL AND year({start}) >= 1900 AND {end} >= {start} "
        "FOR p IN string_split(pauses_t, ';')])"
    )
    # a lone DATE pause is the one-day pause DATE/DATE, as the careful reader stores it
    pauses = (
        "array_to_string([CASE WHEN contains(p, '/') THEN p ELSE p || '/' || p END "
        "FOR p IN string_split(pauses_t, ';')], ';')"
    )
    checked = f"""
SELECT case_id_t AS case_id, window_t AS "window", item_t AS item, kind_t AS kind, r,
  status_t AS status, f, TRY_CAST(visits_t AS INTEGER) AS visits,
  NULLIF(staff_t, '') AS staff, CASE WHEN pauses_t = '' THEN '' ELSE {pauses} END AS pauses,
  {_conforms(windows, items)} AS ok
FROM (
  SELECT *, TRY_CAST(received_at_t AS TIMESTAMP) AS r,
    CASE WHEN status_t IN {concluded} THEN TRY_CAST(concluded_at_t AS TIMESTAMP) END AS f,
    pauses_t = '' OR NOT regexp_full_match(pauses_t, '{PAUSES}')
      OR COALESCE({pauses_ok}, FALSE) AS pauses_ok
  FROM (SELECT {", ".join(picks)} FROM {source})
)
"""
    db = backend.connection
    try:
        db.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {checked}")
        rows, bad, received, concluded_hours = db.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT ok), "
            "list(DISTINCT date_trunc('hour', r)) FILTER (WHERE r IS NOT NULL), "
            "list(DISTINCT date_trunc('hour', f)) FILTER (WHERE f IS NOT NULL) "
            f"FROM {table}"
        ).fetchall()[0]
    except (duckdb.Error, OSError):
        db.execute(f"DROP TABLE IF EXISTS {table}")
        return None
    after = path.stat()
    offset = None
    if not bad and rows + 1 == lines:
        offset = offset_sql(tz, sorted({*(received or ()), *(concluded_hours or ())}))
    if offset is None or (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        db.execute(f"DROP TABLE {table}")
        return None
    summary = _start(report, path)
    _warn_unknown(report, path, [name for name in names if name not in wanted], 1)
    summary.read += int(rows)
    summary.used += int(rows)
    received_offset = offset.replace("{}", "r")
    concluded_offset = offset.replace("{}", "f")
    return (
        f'SELECT rowid + 2 AS line, case_id, "window", item, kind, r, {received_offset}, '
        f"status, f, CASE WHEN f IS NOT NULL THEN {concluded_offset} END, visits, staff, "
        f"pauses FROM {table}"
    )


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
