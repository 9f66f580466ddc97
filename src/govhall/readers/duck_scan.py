"""Data files read by DuckDB itself: the ``duckdb`` engine's fast way in.

A cases or ratings file (CSV or Parquet) is scanned by DuckDB and every row
is checked in SQL against a strict form: ids without surrounding spaces,
known windows and items, a known kind and status, times written
``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]`` (no offset: hall-local) in 1900-2999, a
conclusion not before the receipt, whole visits, pauses as
``START[/END];...``. The rows of such a file are exactly the records the
careful reader (:mod:`govhall.readers.typed`) would make of them, so they go
straight into the engine's relations. A file with any other row (a bad one,
or one written another way, e.g. with an offset) is read by the careful
reader instead, which names each bad row's line and column: the answers are
the same either way, only the speed differs.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.readers.report import ReadReport
from govhall.readers.rows import (
    CASE_COLUMNS,
    CASE_OPTIONAL,
    RATING_COLUMNS,
    RATING_OPTIONAL,
    _start,
    _warn_unknown,
)
from govhall.records import CASE_STATUSES

if TYPE_CHECKING:
    from govhall.engines.duck import DuckDBEngine
    from govhall.records import Case, Rating

_NOT_SPACE = r"[^\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]"
TRIMMED = f"(?s){_NOT_SPACE}(.*{_NOT_SPACE})?"
"""Text that Python's ``str.strip`` leaves as it is (and not empty)."""
TIME = r"[12]\d{3}-[01]\d-[0-3]\d[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
DAY = r"[12]\d{3}-[01]\d-[0-3]\d"
PAUSES = f"{DAY}(/{DAY})?(;{DAY}(/{DAY})?)*"
ROW_BLOCK = 1 << 40
"""Row ids of the n-th file start at n × this (files never hold that many rows)."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Collection[str]) -> str:
    return "(" + ", ".join(_quote(v) for v in sorted(values)) + ")" if values else "(NULL)"


def _header(path: Path) -> list[str] | None:
    """Return a CSV file's column names, or ``None`` when the careful reader should say why."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not header:
        return None
    names = [name.strip().lstrip("\ufeff") for name in header]
    return names if len(set(names)) == len(names) else None


def _source(path: Path, required: Sequence[str], optional: Sequence[str]) -> tuple[str, list[str]]:
    """Return DuckDB SQL reading ``path``'s wanted columns as text, and the file's columns."""
    wanted = (*required, *optional)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        names = list(pq.ParquetFile(path).schema_arrow.names)
        scan = f"read_parquet({_quote(str(path))})"
    else:
        found = _header(path)
        if found is None:
            raise LookupError
        names = found
        columns = ", ".join(f"{_quote(name)}: 'VARCHAR'" for name in names)
        scan = (
            f"read_csv({_quote(str(path))}, header = true, auto_detect = false, "
            f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, encoding = 'utf-8')"
        )
    if any(name not in names for name in required):
        raise LookupError
    picks = []
    for name in wanted:
        if name in names:
            column = '"' + name.replace('"', '""') + '"'
            picks.append(f"COALESCE(CAST({column} AS VARCHAR), '') AS {name}_t")
        else:
            picks.append(f"'' AS {name}_t")
    return f"SELECT {', '.join(picks)} FROM {scan}", names


def _time_ok(column: str) -> str:
    cast = f"TRY_CAST({column} AS TIMESTAMP)"
    return (
        f"(regexp_full_match({column}, '{TIME}') AND {cast} IS NOT NULL "
        f"AND year({cast}) BETWEEN 1900 AND 2999)"
    )


def _minute(ts: str) -> str:
    return f"(hour({ts}) * 60 + minute({ts}))"


def _day(ts: str) -> str:
    return f"date_diff('day', DATE '1970-01-01', CAST({ts} AS DATE))"


class FolderScan:
    """Fill a DuckDB engine's ``case_rows``, ``case_pauses`` and ``rating_rows`` from files.

    Args:
        engine: The DuckDB engine to fill.
        tz: The hall's time zone (for files the careful reader reads).
        report: Receives each file's counts and every problem.
        windows: The hall's window ids.
        items: The hall's item ids.
    """

    def __init__(
        self,
        engine: DuckDBEngine,
        tz: dt.tzinfo,
        report: ReadReport,
        windows: Collection[str],
        items: Collection[str],
    ) -> None:
        self.engine = engine
        self.connection = engine.connection
        self.tz = tz
        self.report = report
        self.windows = windows
        self.items = items
        self.fast_files = 0
        self.careful_files = 0

    def cases(self, paths: Sequence[Path]) -> None:
        """Read the cases files, in order, into ``case_rows`` and ``case_pauses``."""
        from govhall.engines.relations import relations_from_records
        from govhall.readers.typed import read_cases

        db = self.connection
        db.execute(
            "CREATE OR REPLACE TEMP TABLE case_rows (row_id BIGINT, win VARCHAR, item VARCHAR, "
            "kind VARCHAR, status VARCHAR, staff VARCHAR, visits BIGINT, received_day INTEGER, "
            "received_minute INTEGER, concluded_day INTEGER, concluded_minute INTEGER, "
            "concluded_us BIGINT, has_pauses INTEGER, case_id VARCHAR)"
        )
        db.execute(
            "CREATE OR REPLACE TEMP TABLE case_pauses "
            "(row_id BIGINT, start_day INTEGER, end_day INTEGER)"
        )
        for number, path in enumerate(paths, 1):
            offset = number * ROW_BLOCK
            if self._fast_cases(path, offset):
                self.fast_files += 1
                continue
            self.careful_files += 1
            records: list[Case] = list(
                read_cases([path], self.tz, self.report, windows=self.windows, items=self.items)
            )
            part = relations_from_records(records, ())
            self._append_records(part.cases, part.pauses, offset)

    def _append_records(self, cases: Any, pauses: Any, offset: int) -> None:
        db = self.connection
        db.register("govhall_part_cases", cases)
        db.register("govhall_part_pauses", pauses)
        db.execute(
            "INSERT INTO case_rows SELECT * REPLACE (row_id + ? AS row_id) FROM govhall_part_cases",
            [offset],
        )
        db.execute(
            "INSERT INTO case_pauses SELECT * REPLACE (row_id + ? AS row_id) "
            "FROM govhall_part_pauses",
            [offset],
        )
        db.unregister("govhall_part_cases")
        db.unregister("govhall_part_pauses")

    def _fast_cases(self, path: Path, offset: int) -> bool:
        import duckdb

        db = self.connection
        try:
            source, names = _source(path, CASE_COLUMNS, CASE_OPTIONAL)
        except (LookupError, OSError, duckdb.Error, ValueError):
            return False
        concluded = _in(("concluded", "delivered"))
        # one pass over the file: each time cast once, the check on the cast values;
        # pos numbers the rows once (an unordered row_number may differ per query)
        checked = f"""
SELECT row_number() OVER () AS pos, case_id_t, window_t, item_t, kind_t, status_t, staff_t,
  visits_t, pauses_t, r, f,
  (regexp_full_match(case_id_t, '{TRIMMED}')
   AND (staff_t = '' OR regexp_full_match(staff_t, '{TRIMMED}'))
   AND window_t IN {_in(self.windows)} AND item_t IN {_in(self.items)}
   AND kind_t IN ('immediate', 'promised') AND status_t IN {_in(CASE_STATUSES)}
   AND regexp_full_match(received_at_t, '{TIME}') AND r IS NOT NULL
   AND year(r) BETWEEN 1900 AND 2999
   AND (status_t NOT IN {concluded} OR (regexp_full_match(concluded_at_t, '{TIME}')
        AND f IS NOT NULL AND year(f) BETWEEN 1900 AND 2999 AND f >= r))
   AND regexp_full_match(visits_t, '\\d{{1,9}}')
   AND (pauses_t = '' OR regexp_full_match(pauses_t, '{PAUSES}'))) AS ok
FROM (
  SELECT *, TRY_CAST(received_at_t AS TIMESTAMP) AS r,
    CASE WHEN status_t IN {concluded} THEN TRY_CAST(concluded_at_t AS TIMESTAMP) END AS f
  FROM ({source})
)
"""
        try:
            db.execute(f"CREATE OR REPLACE TEMP TABLE govhall_scan AS {checked}")
            db.execute(
                "CREATE OR REPLACE TEMP TABLE govhall_scan_pauses AS "
                "SELECT pos, TRY_CAST(split_part(part, '/', 1) AS DATE) AS a, "
                "TRY_CAST(CASE WHEN contains(part, '/') THEN split_part(part, '/', 2) "
                "ELSE part END AS DATE) AS b FROM ("
                "SELECT pos, unnest(string_split(pauses_t, ';')) AS part "
                "FROM govhall_scan WHERE pauses_t <> '')"
            )
            rows, bad = db.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT ok) FROM govhall_scan"
            ).fetchall()[0]
            (bad_pauses,) = db.execute(
                "SELECT COUNT(*) FROM govhall_scan_pauses WHERE a IS NULL OR b IS NULL OR b < a"
            ).fetchall()[0]
        except (duckdb.Error, OSError):
            return False
        if bad or bad_pauses:
            return False
        db.execute(
            f"""
INSERT INTO case_rows
SELECT {offset} + pos, window_t, item_t, kind_t, status_t, NULLIF(staff_t, ''),
       CAST(visits_t AS BIGINT), {_day("r")}, {_minute("r")},
       {_day("f")}, {_minute("f")}, epoch_us(f), CASE WHEN pauses_t = '' THEN 0 ELSE 1 END,
       case_id_t
FROM govhall_scan
"""
        )
        db.execute(
            f"INSERT INTO case_pauses SELECT {offset} + pos, {_day('a')}, {_day('b')} "
            "FROM govhall_scan_pauses"
        )
        db.execute("DROP TABLE govhall_scan")
        db.execute("DROP TABLE govhall_scan_pauses")
        self._counted(path, names, (*CASE_COLUMNS, *CASE_OPTIONAL), int(rows))
        return True

    def ratings(self, paths: Sequence[Path]) -> None:
        """Read the ratings files, in order, into ``rating_rows``."""
        from govhall.readers.typed import read_ratings

        db = self.connection
        db.execute(
            "CREATE OR REPLACE TEMP TABLE rating_rows (case_id VARCHAR, win VARCHAR, "
            "staff VARCHAR, level INTEGER, rated_day INTEGER, rated_us BIGINT, channel VARCHAR)"
        )
        for path in paths:
            if self._fast_ratings(path):
                self.fast_files += 1
                continue
            self.careful_files += 1
            records: list[Rating] = list(
                read_ratings([path], self.tz, self.report, windows=self.windows)
            )
            from govhall.engines.relations import relations_from_records

            part = relations_from_records((), records)
            db.register("govhall_part_ratings", part.ratings)
            db.execute("INSERT INTO rating_rows SELECT * FROM govhall_part_ratings")
            db.unregister("govhall_part_ratings")

    def _fast_ratings(self, path: Path) -> bool:
        import duckdb

        db = self.connection
        try:
            source, names = _source(path, RATING_COLUMNS, RATING_OPTIONAL)  # tags: any text
        except (LookupError, OSError, duckdb.Error, ValueError):
            return False
        checked = f"""
SELECT *,
  (regexp_full_match(case_id_t, '{TRIMMED}')
   AND (staff_t = '' OR regexp_full_match(staff_t, '{TRIMMED}'))
   AND window_t IN {_in(self.windows)}
   AND regexp_full_match(level_t, '[1-5]')
   AND {_time_ok("rated_at_t")}
   AND regexp_full_match(channel_t, '{TRIMMED}')) AS ok
FROM ({source})
"""
        try:
            db.execute(f"CREATE OR REPLACE TEMP TABLE govhall_scan AS {checked}")
            rows, bad = db.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT ok) FROM govhall_scan"
            ).fetchall()[0]
        except (duckdb.Error, OSError):
            return False
        if bad:
            return False
        db.execute(
            f"""
INSERT INTO rating_rows
SELECT case_id_t, window_t, NULLIF(staff_t, ''), CAST(level_t AS INTEGER), {_day("t")},
       epoch_us(t), channel_t
FROM (SELECT *, TRY_CAST(rated_at_t AS TIMESTAMP) AS t FROM govhall_scan)
"""
        )
        db.execute("DROP TABLE govhall_scan")
        self._counted(path, names, (*RATING_COLUMNS, *RATING_OPTIONAL), int(rows))
        return True

    def tables(self) -> dict[str, Any]:
        """Return the relations read so far as Arrow tables (to hand to another engine)."""
        tables = {}
        for name in ("case_rows", "case_pauses", "rating_rows"):
            relation: Any = self.connection.sql(f"SELECT * FROM {name}")
            # DuckDB 2 names it to_arrow_table, earlier versions arrow
            fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
            tables[name] = fetch()
        return tables

    def _counted(self, path: Path, names: Sequence[str], wanted: Sequence[str], rows: int) -> None:
        summary = _start(self.report, path)
        _warn_unknown(self.report, path, [n for n in names if n not in wanted], 1)
        summary.read += rows
        summary.used += rows
