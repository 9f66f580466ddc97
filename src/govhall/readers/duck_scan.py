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

One pass reads a file, types its rows as the engine wants them and checks
them, into a table of the file's own: the engine's ``case_rows`` and
``case_pauses`` are views joining up these tables, so the rows are stored
once. A Parquet column that holds timestamps (without a zone) or integers
is checked by value, not as text.

The folder's rules hold here too (:mod:`govhall.readers.unique`): a file
whose rows do not match its physical lines one for one (a stray quote, a
blank line) is read carefully; a case id held by two rows sends all the cases
files to the careful reader; a repeated rating key or an orphan rating sends
all the ratings files to it. Otherwise the hall's repeated-rating rule is
applied in SQL (with ``latest``, the last rating of a case from a channel).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
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
    from govhall.engines.tables import KeyNumbers
    from govhall.records import Case

_NOT_SPACE = r"[^\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]"
TRIMMED = f"(?s){_NOT_SPACE}(.*{_NOT_SPACE})?"
"""Text that Python's ``str.strip`` leaves as it is (and not empty)."""
TIME = r"[12]\d{3}-[01]\d-[0-3]\d[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
DAY = r"[12]\d{3}-[01]\d-[0-3]\d"
PAUSES = f"{DAY}(/{DAY})?(;{DAY}(/{DAY})?)*"
ROW_BLOCK = 1 << 40
"""Row ids of the n-th file start at n × this (files never hold that many rows)."""
_CASE_TABLE = (
    "row_id BIGINT, win VARCHAR, item VARCHAR, kind VARCHAR, status VARCHAR, staff VARCHAR, "
    "visits BIGINT, received_day INTEGER, received_minute INTEGER, concluded_day INTEGER, "
    "concluded_minute INTEGER, concluded_us BIGINT, has_pauses INTEGER, case_id VARCHAR, "
    "win_no INTEGER, item_no INTEGER"
)
"""The columns of ``case_rows`` (:mod:`govhall.engines.relations`), with their DuckDB types."""
_CASE_VALUES = ", ".join(column.split()[0] for column in _CASE_TABLE.split(", ")[1:])
_PAUSE_TABLE = "row_id BIGINT, start_day INTEGER, end_day INTEGER"


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
    found = _read(path, required, optional)
    return found.sql, found.names


@dataclass(frozen=True, slots=True)
class _Read:
    """DuckDB SQL reading a file's wanted columns: ``<name>_t`` as text, ``<name>_v`` typed."""

    sql: str
    names: list[str]
    """The file's columns."""
    typed: frozenset[str]
    """The wanted columns read with their own type (``<name>_v``) instead of as text."""

    def time(self, name: str) -> tuple[str, str]:
        """Return SQL for column ``name`` as a ``TIMESTAMP`` and the check of its written form."""
        if name in self.typed:
            return f"{name}_v", "TRUE"
        return f"TRY_CAST({name}_t AS TIMESTAMP)", f"regexp_full_match({name}_t, '{TIME}')"

    def whole(self, name: str, pattern: str, low: int, high: int) -> tuple[str, str]:
        """Return SQL for column ``name`` as a ``BIGINT`` and its check.

        The check: the text matches ``pattern`` (a regular expression of
        whole numbers from ``low`` to ``high``), or the integer lies there.
        """
        if name in self.typed:
            return f"CAST({name}_v AS BIGINT)", f"({name}_v BETWEEN {low} AND {high})"
        return f"TRY_CAST({name}_t AS BIGINT)", f"regexp_full_match({name}_t, '{pattern}')"


def _read(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    *,
    times: Collection[str] = (),
    wholes: Collection[str] = (),
) -> _Read:
    """Return how DuckDB reads ``path``'s wanted columns.

    Every column is read as text, as the careful reader sees it, except a
    Parquet column named in ``times`` that holds timestamps without a zone
    (in seconds to microseconds) and one named in ``wholes`` that holds
    integers: those keep their type, which says all the text would (the
    careful reader writes such a timestamp ``YYYY-MM-DD HH:MM:SS[.ffffff]``,
    such an integer in digits, with ``-`` when negative).

    Raises:
        LookupError: The CSV header cannot be read, repeats a name or lacks a
            required column.
    """
    wanted = (*required, *optional)
    typed: set[str] = set()
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(path).schema_arrow
        names = list(schema.names)
        for name in wanted:
            if name not in names or names.count(name) > 1:
                continue
            kind = schema.field(name).type
            if name in times and pa.types.is_timestamp(kind):
                if kind.tz is None and kind.unit in ("s", "ms", "us"):
                    typed.add(name)
            elif name in wholes and pa.types.is_integer(kind):
                typed.add(name)
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
        if name in typed:
            picks.append(f'"{name}" AS {name}_v')
        elif name in names:
            column = '"' + name.replace('"', '""') + '"'
            picks.append(f"COALESCE(CAST({column} AS VARCHAR), '') AS {name}_t")
        else:
            picks.append(f"'' AS {name}_t")
    return _Read(f"SELECT {', '.join(picks)} FROM {scan}", names, frozenset(typed))


def plain_ends(text: str) -> str:
    """SQL: whether text ``text`` begins and ends with a printable ASCII character (then
    ``str.strip`` leaves it as it is; cheaper to ask than :data:`TRIMMED`'s pattern)."""
    return f"(ascii({text}) BETWEEN 33 AND 126 AND ascii({text}[-1]) BETWEEN 33 AND 126)"


def trimmed(column: str) -> str:
    """SQL: whether text ``column`` is :data:`TRIMMED` (:func:`plain_ends` says so at once
    for nearly every value; the pattern decides the rest)."""
    pattern = f"regexp_full_match({column}, '{TRIMMED}')"
    return f"CASE WHEN {plain_ends(column)} THEN TRUE ELSE {pattern} END"


def _time_ok(column: str) -> str:
    cast = f"TRY_CAST({column} AS TIMESTAMP)"
    return (
        f"(regexp_full_match({column}, '{TIME}') AND {cast} IS NOT NULL "
        f"AND year({cast}) BETWEEN 1900 AND 2999)"
    )


def enum_type(db: Any, name: str, values: Iterable[str]) -> str:
    """Create (once) a temporary DuckDB enumeration of ``values`` in their order; return its name.

    The name holds a digest of the values, so halls with other windows or
    items sharing a connection each get their own type.
    """
    import duckdb

    listed = list(values)
    digest = hashlib.sha1("\n".join(listed).encode()).hexdigest()[:16]
    type_name = f"govhall_{name}_{digest}"
    # made already (for the same values) when it exists: asking the catalog first took
    # 2 ms, six times as long as trying
    with contextlib.suppress(duckdb.CatalogException):
        db.execute(f"CREATE TEMP TYPE {type_name} AS ENUM {_in_order(listed)}")
    return type_name


def _in_order(values: Sequence[str]) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")"


@dataclass(frozen=True, slots=True)
class CaseEnums:
    """The DuckDB enumerations a staged case's window, item, kind and status are kept as.

    Each holds the values the hall allows (the config's windows and items in
    their order, the two kinds, the statuses): a value is stored as a code of
    a byte or two instead of a string; one outside the list does not cast
    (``TRY_CAST`` gives null); and a window's or item's code plus one is its
    number (:class:`~govhall.engines.tables.KeyNumbers`), which the measures
    join on. Storing the strings and joining the ids to their numbers took
    0.3-0.4 s longer at 5,000,000 cases, and grouping by a code is faster.
    """

    windows: str
    items: str
    kinds: str
    statuses: str

    @classmethod
    def made(cls, db: Any, keys: KeyNumbers) -> CaseEnums:
        """Make (once per connection) the enumerations of ``keys``' hall."""
        return cls(
            enum_type(db, "window", keys.windows),
            enum_type(db, "item", keys.items),
            enum_type(db, "kind", ("immediate", "promised")),
            enum_type(db, "status", CASE_STATUSES),
        )

    def cast(self, window: str, item: str, kind: str, status: str) -> str:
        """SQL selecting text columns ``window``, ``item``, ``kind`` and ``status`` cast to the
        enumerations, as ``win``, ``item``, ``kind`` and ``status`` (null: not allowed)."""
        return (
            f"TRY_CAST({window} AS {self.windows}) AS win, "
            f"TRY_CAST({item} AS {self.items}) AS item, "
            f"TRY_CAST({kind} AS {self.kinds}) AS kind, "
            f"TRY_CAST({status} AS {self.statuses}) AS status"
        )

    @staticmethod
    def numbers() -> str:
        """SQL selecting ``win_no`` and ``item_no`` from the cast ``win`` and ``item``."""
        return (
            "CAST(enum_code(win) AS INTEGER) + 1 AS win_no, "
            "CAST(enum_code(item) AS INTEGER) + 1 AS item_no"
        )


def _minute(ts: str) -> str:
    return f"(hour({ts}) * 60 + minute({ts}))"


def _day(ts: str) -> str:
    return f"date_diff('day', DATE '1970-01-01', CAST({ts} AS DATE))"


class FolderScan:
    """Give a DuckDB engine the relations ``case_rows``, ``case_pauses`` and ``rating_rows``.

    (Also ``case_keys``: the ids of the cases read, for the orphan check of ratings.)

    Args:
        engine: The DuckDB engine to fill.
        tz: The hall's time zone (for files the careful reader reads).
        report: Receives each file's counts and every problem.
        keys: The hall's windows and items, and their numbers.
    """

    def __init__(
        self, engine: DuckDBEngine, tz: dt.tzinfo, report: ReadReport, keys: KeyNumbers
    ) -> None:
        self.engine = engine
        self.connection = engine.connection
        self.tz = tz
        self.report = report
        self.keys = keys
        self._enums = CaseEnums.made(self.connection, keys)
        self.fast_files = 0
        self.careful_files = 0
        self._parts: list[str] = []  # the tables behind the views

    def cases(self, paths: Sequence[Path]) -> None:
        """Read cases files in order into the views ``case_rows``, ``case_pauses``, ``case_keys``.

        Each file becomes a table of its own (the rows of a file that passes
        the checks as DuckDB typed them; those of another file as the careful
        reader made them); the views join them up. A row's ``row_id`` is its
        file's number × :data:`ROW_BLOCK` plus its ``rowid`` in the file's
        table (a key: the rows of a checked file are stored in no set order).
        A case id that more than one row holds (in one file or across files)
        sends every cases file to the careful reader, which applies the
        folder's rules for repeated keys (:mod:`govhall.readers.unique`).
        """
        from govhall.readers.unique import id_batches

        self._drop_views()
        self._drop(*self._parts)
        self._parts.clear()
        staged = [self._stage_cases(path, number) for number, path in enumerate(paths, 1)]
        # the ids of the files the careful reader reads, as it will key them (a superset)
        careful_ids: list[str] = []
        for path, stage in zip(paths, staged, strict=True):
            if stage is None:
                try:
                    for batch in id_batches(path):
                        careful_ids.extend(batch)
                except Exception:  # the careful reader says what is wrong
                    continue
        cases: list[str] = []
        pauses: list[str] = []
        if self._ids_repeat(staged, careful_ids):
            for stage in staged:
                if stage is not None:
                    self._drop(stage.table, stage.table + "_pauses")
            self.careful_files += len(paths)
            cases.append(self._careful_cases(paths, 0))
            pauses.append(cases[-1] + "_pauses")
        else:
            for number, (path, stage) in enumerate(zip(paths, staged, strict=True), 1):
                if stage is None:
                    self.careful_files += 1
                    cases.append(self._careful_cases([path], number))
                    pauses.append(cases[-1] + "_pauses")
                    continue
                self.fast_files += 1
                offset = number * ROW_BLOCK
                self._parts.extend((stage.table, stage.table + "_pauses"))
                cases.append(
                    f"SELECT CAST({offset} + rowid AS BIGINT) AS row_id, {_CASE_VALUES} "
                    f"FROM {stage.table}"
                )
                pauses.append(
                    f"SELECT CAST({offset} + pos AS BIGINT) AS row_id, "
                    f"{_day('a')} AS start_day, {_day('b')} AS end_day FROM {stage.table}_pauses"
                )
                self._counted(path, stage, (*CASE_COLUMNS, *CASE_OPTIONAL))
        self._views(cases, pauses)

    def _views(self, cases: Sequence[str], pauses: Sequence[str]) -> None:
        db = self.connection
        if not cases:  # no file: empty relations of the right types
            db.execute(f"CREATE OR REPLACE TEMP TABLE govhall_no_cases ({_CASE_TABLE})")
            db.execute(f"CREATE OR REPLACE TEMP TABLE govhall_no_pauses ({_PAUSE_TABLE})")
            self._parts.extend(("govhall_no_cases", "govhall_no_pauses"))
            cases, pauses = ["govhall_no_cases"], ["govhall_no_pauses"]

        def union(parts: Sequence[str]) -> str:
            return " UNION ALL ".join(
                part if part.startswith("SELECT") else f"SELECT * FROM {part}" for part in parts
            )

        db.execute(f"CREATE TEMP VIEW case_rows AS {union(cases)}")
        db.execute(f"CREATE TEMP VIEW case_pauses AS {union(pauses)}")
        db.execute("CREATE TEMP VIEW case_keys AS SELECT case_id FROM case_rows")

    def _drop_views(self) -> None:
        for name in ("case_keys", "case_rows", "case_pauses"):
            self.connection.execute(f"DROP VIEW IF EXISTS {name}")

    def _careful_cases(self, paths: Sequence[Path], number: int) -> str:
        """Read ``paths`` with the careful reader into a table of their own; return its name."""
        from govhall.engines.relations import relations_from_records
        from govhall.readers.typed import read_cases

        records: list[Case] = list(
            read_cases(
                paths, self.tz, self.report, windows=self.keys.windows, items=self.keys.items
            )
        )
        part = relations_from_records(records, (), self.keys)
        table = f"govhall_careful_{number}"
        db = self.connection
        db.register("govhall_part_cases", part.cases)
        db.register("govhall_part_pauses", part.pauses)
        offset = number * ROW_BLOCK
        db.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            "SELECT * REPLACE (row_id + ? AS row_id) FROM govhall_part_cases",
            [offset],
        )
        db.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_pauses AS "
            "SELECT * REPLACE (row_id + ? AS row_id) FROM govhall_part_pauses",
            [offset],
        )
        db.unregister("govhall_part_cases")
        db.unregister("govhall_part_pauses")
        self._parts.extend((table, table + "_pauses"))
        return table

    def _ids_repeat(self, staged: Sequence[_Staged | None], careful: list[str]) -> bool:
        """Whether a case id is held by more than one row of the staged files and ``careful``.

        The ids' 64-bit hashes are sorted (numpy sorts 5,000,000 of them in
        about 0.2 s, where DuckDB took 0.6 s to group them on two cores); only
        ids whose hashes meet are compared as text (two ids may share a hash).
        """
        import numpy as np
        import pyarrow as pa

        db = self.connection
        parts = [f"SELECT case_id AS k FROM {stage.table}" for stage in staged if stage]
        if careful:
            db.register("govhall_careful_ids", pa.table({"k": pa.array(careful, pa.string())}))
            parts.append("SELECT k FROM govhall_careful_ids")
        try:
            if not parts:
                return False
            union = " UNION ALL ".join(parts)
            hashes = np.asarray(db.execute(f"SELECT hash(k) AS h FROM ({union})").fetchnumpy()["h"])
            hashes.sort()
            met = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
            del hashes
            if not met.size:
                return False
            db.register("govhall_met_hashes", pa.table({"h": pa.array(met, pa.uint64())}))
            try:
                found = db.execute(
                    f"SELECT 1 FROM ({union}) WHERE hash(k) IN (SELECT h FROM govhall_met_hashes) "
                    "GROUP BY k HAVING count(*) > 1 LIMIT 1"
                ).fetchall()
            finally:
                db.unregister("govhall_met_hashes")
            return bool(found)
        finally:
            if careful:
                db.unregister("govhall_careful_ids")

    def _known(self, table: str, **columns: Collection[str]) -> bool:
        """Whether every value of each of ``table``'s ``columns`` is among the values given.

        Checked on the distinct values (a handful: windows, kinds,
        statuses), not row by row; more distinct values than allowed ones
        means an unknown one, so no more than that many are fetched.
        """
        for column, allowed in columns.items():
            found = self.connection.execute(
                f"SELECT DISTINCT {column} FROM {table} LIMIT {len(allowed) + 1}"
            ).fetchall()
            if any(value not in allowed for (value,) in found):
                return False
        return True

    def _drop(self, *tables: str) -> None:
        for table in tables:
            self.connection.execute(f"DROP TABLE IF EXISTS {table}")

    def _stage_cases(self, path: Path, number: int) -> _Staged | None:
        """Check and type a cases file in DuckDB into a table; ``None``: not every row passes."""
        import duckdb

        db = self.connection
        try:
            read = _read(
                path,
                CASE_COLUMNS,
                CASE_OPTIONAL,
                times=("received_at", "concluded_at"),
                wholes=("visits",),
            )
        except (LookupError, OSError, duckdb.Error, ValueError):
            return None
        counting = lines_counted(path)  # while DuckDB reads the file
        table = f"govhall_scan_{number}"
        concluded = _in(("concluded", "delivered"))
        received, received_form = read.time("received_at")
        conclusion, conclusion_form = read.time("concluded_at")
        visits, visits_ok = read.whole("visits", "\\d{1,9}", 0, 999_999_999)
        # one pass over the file: each time cast once, the rows typed as the engine wants
        # them, with the check on the cast values beside them
        checked = f"""
SELECT win, item, kind, status,
  NULLIF(staff_t, '') AS staff, {visits} AS visits,
  CAST({_day("r")} AS INTEGER) AS received_day,
  CAST({_minute("r")} AS INTEGER) AS received_minute,
  CAST({_day("f")} AS INTEGER) AS concluded_day,
  CAST({_minute("f")} AS INTEGER) AS concluded_minute,
  epoch_us(f) AS concluded_us, CAST(pauses_t <> '' AS INTEGER) AS has_pauses,
  case_id_t AS case_id, {CaseEnums.numbers()},
  NULLIF(pauses_t, '') AS pauses_t,
  ({trimmed("case_id_t")} AND (staff_t = '' OR {trimmed("staff_t")})
   AND {received_form} AND r IS NOT NULL AND year(r) BETWEEN 1900 AND 2999
   AND (status_t NOT IN {concluded} OR ({conclusion_form}
        AND f IS NOT NULL AND year(f) BETWEEN 1900 AND 2999 AND f >= r))
   AND {visits_ok}
   AND (pauses_t = '' OR regexp_full_match(pauses_t, '{PAUSES}'))
   AND win IS NOT NULL AND item IS NOT NULL AND kind IS NOT NULL AND status IS NOT NULL) AS ok
FROM (
  SELECT *, {received} AS r, CASE WHEN status_t IN {concluded} THEN {conclusion} END AS f,
    {self._enums.cast("window_t", "item_t", "kind_t", "status_t")}
  FROM ({read.sql})
)
"""
        try:
            _unordered(db, f"CREATE OR REPLACE TEMP TABLE {table} AS {checked}")
            # a pause's row is its case's place in the table (rowid: the order of insertion)
            db.execute(
                f"CREATE OR REPLACE TEMP TABLE {table}_pauses AS "
                "SELECT pos, TRY_CAST(split_part(part, '/', 1) AS DATE) AS a, "
                "TRY_CAST(CASE WHEN contains(part, '/') THEN split_part(part, '/', 2) "
                "ELSE part END AS DATE) AS b FROM ("
                "SELECT rowid AS pos, unnest(string_split(pauses_t, ';')) AS part "
                f"FROM {table} WHERE pauses_t IS NOT NULL)"
            )
            rows, bad = db.execute(
                f"SELECT COUNT(*), COUNT(*) FILTER (WHERE ok IS NOT TRUE) FROM {table}"
            ).fetchall()[0]
            (bad_pauses,) = db.execute(
                f"SELECT COUNT(*) FROM {table}_pauses WHERE a IS NULL OR b IS NULL OR b < a"
            ).fetchall()[0]
            lines = counting.result()
        except (duckdb.Error, OSError, ValueError):  # ValueError: a Parquet footer unread
            self._drop(table, table + "_pauses")
            return None
        # a row per line after the header: else a quoted field spans lines, or a line is blank
        if bad or bad_pauses or not _one_row_a_line(path, int(rows), lines):
            self._drop(table, table + "_pauses")
            return None
        return _Staged(table, read.names, int(rows), lines)

    def ratings(self, paths: Sequence[Path], repeated: str = "latest") -> None:
        """Read the ratings files into ``rating_rows``, under the ``repeated`` rule.

        The fast scan takes the files when every row of every file passes its
        checks, no key (case, channel, time) repeats and every rating's case
        is among the cases read (:meth:`cases`); it then keeps the ratings
        the rule counts (:func:`govhall.assessment.workorders.counted_ratings`:
        with ``latest``, the last of each case and channel; the same rule in
        SQL). Otherwise the careful reader reads them all, with the folder's
        rules for repeated keys and orphans, and the rule is applied to its
        records.
        """
        db = self.connection
        db.execute(
            "CREATE OR REPLACE TEMP TABLE rating_rows (case_id VARCHAR, win VARCHAR, "
            "staff VARCHAR, level INTEGER, rated_day INTEGER, rated_us BIGINT, channel VARCHAR)"
        )
        if not paths:
            return
        staged = [self._stage_ratings(path, number) for number, path in enumerate(paths, 1)]
        if all(staged) and self._ratings_clean(staged):
            tables = [stage for stage in staged if stage is not None]
            union = " UNION ALL ".join(f"SELECT * FROM {stage.table}" for stage in tables)
            # no key repeats here, so the time alone tells the latest of a case and channel
            latest = (
                "QUALIFY row_number() OVER (PARTITION BY case_id, channel "
                "ORDER BY rated_us DESC) = 1"
                if repeated == "latest"
                else ""
            )
            db.execute(
                "INSERT INTO rating_rows SELECT case_id, win, staff, level, rated_day, rated_us, "
                f"channel FROM ({union}) {latest}"
            )
            for path, done in zip(paths, tables, strict=True):
                self._drop(done.table)
                self._counted(path, done, (*RATING_COLUMNS, *RATING_OPTIONAL))
            self.fast_files += len(paths)
            return
        for stage in staged:
            if stage is not None:
                self._drop(stage.table)
        self.careful_files += len(paths)
        self._careful_ratings(paths, repeated)

    def _careful_ratings(self, paths: Sequence[Path], repeated: str) -> None:
        from govhall.assessment.workorders import counted_ratings
        from govhall.engines.relations import relations_from_records
        from govhall.readers.typed import read_ratings

        db = self.connection
        known = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'case_keys'"
        ).fetchall()[0][0]
        ids = (
            {row[0] for row in db.execute("SELECT case_id FROM case_keys").fetchall()}
            if known
            else None
        )
        records = read_ratings(paths, self.tz, self.report, windows=self.keys.windows, case_ids=ids)
        part = relations_from_records((), list(counted_ratings(records, repeated)), self.keys)
        db.register("govhall_part_ratings", part.ratings)
        db.execute("INSERT INTO rating_rows SELECT * FROM govhall_part_ratings")
        db.unregister("govhall_part_ratings")

    def _ratings_clean(self, staged: Sequence[_Staged | None]) -> bool:
        """Whether no key repeats across the staged ratings and every case is known."""
        db = self.connection
        union = " UNION ALL ".join(
            f"SELECT case_id, channel, rated_us FROM {stage.table}" for stage in staged if stage
        )
        repeats = db.execute(
            f"SELECT 1 FROM ({union}) GROUP BY case_id, channel, rated_us HAVING count(*) > 1 "
            "LIMIT 1"
        ).fetchall()
        if repeats:
            return False
        known = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'case_keys'"
        ).fetchall()[0][0]
        if not known:
            return True
        orphans = db.execute(
            f"SELECT 1 FROM ({union}) r ANTI JOIN case_keys c ON r.case_id = c.case_id LIMIT 1"
        ).fetchall()
        return not orphans

    def _stage_ratings(self, path: Path, number: int) -> _Staged | None:
        """Check and type a ratings file in DuckDB into a table; ``None``: not every row passes."""
        import duckdb

        db = self.connection
        try:
            read = _read(
                path, RATING_COLUMNS, RATING_OPTIONAL, times=("rated_at",), wholes=("level",)
            )  # tags: any text
        except (LookupError, OSError, duckdb.Error, ValueError):
            return None
        counting = lines_counted(path)  # while DuckDB reads the file
        table = f"govhall_rscan_{number}"
        rated, rated_form = read.time("rated_at")
        level, level_ok = read.whole("level", "[1-5]", 1, 5)
        checked = f"""
SELECT case_id_t AS case_id, window_t AS win, NULLIF(staff_t, '') AS staff,
  CAST({level} AS INTEGER) AS level, CAST({_day("t")} AS INTEGER) AS rated_day,
  epoch_us(t) AS rated_us, channel_t AS channel,
  ({trimmed("case_id_t")} AND (staff_t = '' OR {trimmed("staff_t")})
   AND {level_ok}
   AND {rated_form} AND t IS NOT NULL AND year(t) BETWEEN 1900 AND 2999
   AND {trimmed("channel_t")}) AS ok
FROM (SELECT *, {rated} AS t FROM ({read.sql}))
"""
        try:
            _unordered(db, f"CREATE OR REPLACE TEMP TABLE {table} AS {checked}")
            rows, bad = db.execute(
                f"SELECT COUNT(*), COUNT(*) FILTER (WHERE ok IS NOT TRUE) FROM {table}"
            ).fetchall()[0]
            known = self._known(table, win=self.keys.windows)
            lines = counting.result()
        except (duckdb.Error, OSError, ValueError):  # ValueError: a Parquet footer unread
            self._drop(table)
            return None
        if bad or not known or not _one_row_a_line(path, int(rows), lines):
            self._drop(table)
            return None
        return _Staged(table, read.names, int(rows), lines)

    def tables(self) -> dict[str, Any]:
        """Return the relations read so far as Arrow tables (to hand to another engine)."""
        return relation_tables(self.connection)

    def _counted(self, path: Path, stage: _Staged, wanted: Sequence[str]) -> None:
        summary = _start(self.report, path)
        _warn_unknown(self.report, path, [n for n in stage.names if n not in wanted], 1)
        summary.read += stage.rows
        summary.used += stage.rows
        summary.lines += stage.lines


def relation_tables(db: Any) -> dict[str, Any]:
    """Return a DuckDB connection's ``case_rows``, ``case_pauses`` and ``rating_rows`` as Arrow.

    A column DuckDB holds as an enumeration (a staged case's window, item,
    kind and status) comes as plain text, as the relations are described.
    """
    from govhall.engines.duck import arrow_table

    tables = {}
    for name in ("case_rows", "case_pauses", "rating_rows"):
        columns = [
            f'CAST("{column}" AS VARCHAR) AS "{column}"'
            if kind.startswith("ENUM")
            else f'"{column}"'
            for column, kind, *_ in db.execute(f"DESCRIBE {name}").fetchall()
        ]
        tables[name] = arrow_table(db.sql(f"SELECT {', '.join(columns)} FROM {name}"))
    return tables


def _unordered(db: Any, sql: str) -> None:
    """Run ``sql`` with DuckDB free to store rows in any order (faster on many threads).

    A staged row's ``rowid`` is then unique but not its place in the file:
    the rows of a file are a set here (a key, not an order, joins them).
    """
    (setting,) = db.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0]
    db.execute("SET preserve_insertion_order = false")
    try:
        db.execute(sql)
    finally:
        db.execute(f"SET preserve_insertion_order = {'true' if setting else 'false'}")


@dataclass(frozen=True, slots=True)
class _Staged:
    """A file whose rows all passed the fast checks, waiting in a staging table."""

    table: str
    names: Sequence[str]
    rows: int
    lines: int


def physical_lines(path: Path) -> int:
    """Count a file's physical lines as the careful reader does (``\\n``, ``\\r\\n`` or ``\\r``
    end a line; a last line without one counts); a Parquet file's rows.

    Raises:
        OSError: The file cannot be read.
    """
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    count = 0
    last = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):  # a small buffer: it overlaps DuckDB's work
            count += chunk.count(b"\n")
            if b"\r" in chunk:  # rare: a file written with \r\n or \r line ends
                count += chunk.count(b"\r") - chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":
                count -= 1  # a \r\n split between two chunks
            last = chunk[-1:]
    if last and last not in (b"\n", b"\r"):
        count += 1
    return count


def lines_counted(path: Path) -> Future[int]:
    """Count ``path``'s physical lines (:func:`physical_lines`) on a thread of their own.

    Started before DuckDB reads the file, the count overlaps the read (DuckDB
    lets go of Python's lock while it works): on a 575 MiB CSV file the count
    alone takes about 0.4 s. The future holds the count, or the error that
    stopped it (``OSError``; ``ValueError`` for a Parquet footer that cannot be read).
    Every count runs on the same thread: a new thread per file gets memory of
    its own from the C allocator, which a deployment of 100 halls kept (its
    report's peak went from 381 to 501 MiB).
    """
    return _line_counter().submit(physical_lines, path)


@cache
def _line_counter() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="govhall-lines")


def _one_row_a_line(path: Path, rows: int, lines: int) -> bool:
    """Whether a file of ``rows`` rows and ``lines`` physical lines has one row a line."""
    if path.suffix.lower() == ".parquet":
        return rows == lines
    return rows == lines - 1  # the header
