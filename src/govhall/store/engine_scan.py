"""A hall's stored rows handed to the ``duckdb`` engine in SQL, without Python records.

The ``rows`` engine reads a store's cases and ratings one record at a time
(:class:`~govhall.store.source.StoreSource`). The ``duckdb`` engine takes
them by SQL instead: a DuckDB store is attached read-only and its rows of
the hall copied into the engine's own tables in one statement each; a
PostgreSQL store sends them with ``COPY ... TO STDOUT`` as CSV, which DuckDB
reads with the columns' types given. Either way the engine gets the same
relations a data folder gives it (:mod:`govhall.engines.relations`):
``case_rows``, ``case_pauses`` and ``rating_rows``, and the run counts the
same rows as ``rows`` does, with the same messages:

- a stored case whose window or item the hall config no longer has, or a
  rating whose window it lacks, is rejected, named with the file and line it
  was imported from (the rejected rows are looked up in the store, in the
  order the ``rows`` engine meets them);
- the ratings that count are chosen by the hall's repeated-rating rule
  (with ``latest``, the last of a case and channel; the same wall clock twice
  in a summer-time change: the later instant).

A stored time is its hall-local wall clock and its UTC offset. The engine
counts wall clocks; the ``rows`` engine first turns each pair into a time in
the *config's* zone, which keeps the wall clock unless the offset is not one
that zone has at that time (the zone was changed after the import). Every
(hour, offset) pair of the rows is checked against the zone first; if one
disagrees, the rows are read as records after all (slower, the same
answers).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.engines.tables import NAIVE_EPOCH
from govhall.readers.duck_scan import CaseEnums, _day, _in, _minute, _quote
from govhall.readers.report import ReadReport
from govhall.store.backends import (
    POSTGRES_SCHEMES,
    StoreError,
    duckdb_open_error,
    is_database_error,
)
from govhall.store.source import _moments, case_problem, rating_problem

if TYPE_CHECKING:
    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.tables import KeyNumbers
    from govhall.store.backends import Backend
    from govhall.store.source import StoreSource

HOUR_US = 3_600_000_000
"""Microseconds in an hour."""
_STORE = "govhall_store"
"""The name a DuckDB store is attached under in the engine."""
_CASE_COLUMNS = {
    "case_id": "VARCHAR",
    "win": "VARCHAR",
    "item": "VARCHAR",
    "kind": "VARCHAR",
    "status": "VARCHAR",
    "staff": "VARCHAR",
    "visits": "BIGINT",
    "received_at": "TIMESTAMP",
    "received_offset": "INTEGER",
    "concluded_at": "TIMESTAMP",
    "concluded_offset": "INTEGER",
    "pauses": "VARCHAR",
}
_RATING_COLUMNS = {
    "case_id": "VARCHAR",
    "win": "VARCHAR",
    "staff": "VARCHAR",
    "level": "INTEGER",
    "rated_at": "TIMESTAMP",
    "rated_offset": "INTEGER",
    "channel": "VARCHAR",
}
_STORED = {"win": '"window"'}
"""A relation column's name in the store, where it differs."""


def _member(column: str, values: Collection[str]) -> str:
    """SQL telling whether ``column`` is one of ``values`` (never null)."""
    return f"{column} IN {_in(values)}" if values else "FALSE"


def _hour(us: str) -> str:
    """SQL for the hour (since 1970-01-01 00:00) of a wall clock in microseconds, rounded down."""
    return f"(({us}) - ((({us}) % {HOUR_US}) + {HOUR_US}) % {HOUR_US}) // {HOUR_US}"


class StoreScan:
    """Give a DuckDB engine one hall's stored cases and ratings as its relations.

    Args:
        engine: The DuckDB engine to fill.
        source: The store and hall.
        tz: The hall's time zone (from its config).
        report: Receives the counts (one entry per kind, as the ``rows``
            engine counts a store) and every rejected row.
        keys: The hall's windows and items, and their numbers.
    """

    def __init__(
        self,
        engine: DuckDBEngine,
        source: StoreSource,
        tz: dt.tzinfo,
        report: ReadReport,
        keys: KeyNumbers,
    ) -> None:
        self.engine = engine
        self.connection = engine.connection
        self.source = source
        self.tz = tz
        self.report = report
        self.keys = keys
        self._enums = CaseEnums.made(self.connection, keys)
        self.as_records = False
        """Whether the rows were read as records (the zone disagreed with a stored offset, or
        a stored kind or status is not one an import writes)."""

    def read(self, repeated: str = "latest") -> None:
        """Fill ``case_rows``, ``case_pauses`` and ``rating_rows``; count the rows in the report.

        ``repeated``: the hall's repeated-rating rule (``latest`` or ``all``).

        Raises:
            StoreError: The store cannot be read.
        """
        self._drop()
        with self._staged() as backend:
            agree = self._offsets_agree() and not self._odd()
            if agree:
                self._finish(repeated, backend)
        if not agree:
            self._drop()
            self._as_records(repeated)

    def _odd(self) -> bool:
        """Whether a stored case has a kind or status that no import writes (a store changed
        by hand): the rows are then read as records, as ``rows`` reads them."""
        (odd,) = self.connection.execute(
            "SELECT count(*) FROM govhall_stored_cases WHERE odd"
        ).fetchall()[0]
        return bool(odd)

    @contextmanager
    def _staged(self) -> Iterator[Backend | None]:
        """Stage the hall's rows in the engine, with the store kept open while in the block.

        Yields the PostgreSQL store's connection (``None`` for a DuckDB store,
        attached to the engine until the block ends), where the rejected rows
        are looked up.
        """
        with store_opened(self.connection, self.source) as backend:
            if backend is not None:
                self._stage_postgres(backend)
            else:
                hall = _quote(self.source.hall)
                cases, ratings = (
                    f"{self._select(table)} FROM {_STORE}.govhall.{table} WHERE hall = {hall}"
                    for table in ("cases", "ratings")
                )
                self._stage(cases, ratings)
            yield backend

    @staticmethod
    def _select(table: str) -> str:
        """``SELECT`` of a store's ``table`` (``cases`` or ``ratings``) as the engine names
        the columns."""
        columns = _CASE_COLUMNS if table == "cases" else _RATING_COLUMNS
        picks = ", ".join(
            f"{_STORED[name]} AS {name}" if name in _STORED else name for name in columns
        )
        return f"SELECT {picks}"

    def _stage_postgres(self, backend: Backend) -> None:
        """Copy the hall's rows out of PostgreSQL as CSV files, and stage them from there."""
        folder = Path(tempfile.mkdtemp(prefix="govhall-store-"))
        try:
            files = []
            for table, columns in (("cases", _CASE_COLUMNS), ("ratings", _RATING_COLUMNS)):
                path = folder / f"{table}.csv"
                select = f"{self._select(table)} FROM govhall.{table} WHERE hall = %s"
                copy_csv(backend, select, (self.source.hall,), path)
                files.append(f"SELECT * FROM {_csv(path, columns)}")
            self._stage(*files)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _stage(self, cases: str, ratings: str) -> None:
        """Copy the hall's rows into the engine's staging tables, typed as the engine counts.

        ``cases`` and ``ratings``: SQL selecting the hall's rows, with the
        columns of :data:`_CASE_COLUMNS` and :data:`_RATING_COLUMNS`.
        """
        from govhall.readers.duck_scan import _unordered

        db = self.connection
        _unordered(
            db,
            f"""CREATE OR REPLACE TEMP TABLE govhall_stored_cases AS
SELECT win, item, kind, status, staff, CAST(visits AS BIGINT) AS visits,
  CAST({_day("r")} AS INTEGER) AS received_day,
  CAST({_minute("r")} AS INTEGER) AS received_minute,
  CAST({_day("f")} AS INTEGER) AS concluded_day,
  CAST({_minute("f")} AS INTEGER) AS concluded_minute,
  epoch_us(f) AS concluded_us, CAST(pauses <> '' AS INTEGER) AS has_pauses,
  case_id, NULLIF(pauses, '') AS pauses_t,
  epoch_us(r) AS received_us, received_offset, concluded_offset,
  {CaseEnums.numbers()}, (win IS NOT NULL AND item IS NOT NULL) AS ok,
  (kind IS NULL OR status IS NULL) AS odd
FROM (
  SELECT * EXCLUDE (win, item, kind, status), received_at AS r, concluded_at AS f,
    {self._enums.cast("win", "item", "kind", "status")}
  FROM ({cases})
)
""",
        )
        _unordered(
            db,
            f"""CREATE OR REPLACE TEMP TABLE govhall_stored_ratings AS
SELECT case_id, win, staff, level, CAST({_day("rated_at")} AS INTEGER) AS rated_day,
  epoch_us(rated_at) AS rated_us, channel, rated_offset,
  {_member("win", self.keys.windows)} AS ok
FROM ({ratings})
""",
        )

    def _finish(self, repeated: str, backend: Backend | None) -> None:
        """Count the staged rows in the report, and make the relations of those used."""
        db = self.connection
        for kind in ("cases", "ratings"):
            read, rejected = db.execute(
                f"SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM govhall_stored_{kind}"
            ).fetchall()[0]
            self._count(kind, int(read), int(rejected), backend)
            if rejected:
                db.execute(f"DELETE FROM govhall_stored_{kind} WHERE NOT ok")
        db.execute(
            "CREATE OR REPLACE TEMP TABLE govhall_stored_pauses AS "
            f"SELECT pos AS row_id, {_day('a')} AS start_day, {_day('b')} AS end_day FROM ("
            "SELECT pos, CAST(split_part(part, '/', 1) AS DATE) AS a, "
            "CAST(CASE WHEN contains(part, '/') THEN split_part(part, '/', 2) "
            "ELSE part END AS DATE) AS b FROM ("
            "SELECT rowid AS pos, unnest(string_split(pauses_t, ';')) AS part "
            "FROM govhall_stored_cases WHERE pauses_t IS NOT NULL))"
        )
        db.execute(
            "CREATE TEMP VIEW case_rows AS SELECT rowid AS row_id, win, item, kind, status, "
            "staff, visits, received_day, received_minute, concluded_day, concluded_minute, "
            "concluded_us, has_pauses, case_id, win_no, item_no FROM govhall_stored_cases"
        )
        db.execute("CREATE TEMP VIEW case_pauses AS SELECT * FROM govhall_stored_pauses")
        db.execute("CREATE TEMP VIEW case_keys AS SELECT case_id FROM case_rows")
        # the same wall clock twice (a summer-time change): the later instant is the latest
        latest = (
            "QUALIFY row_number() OVER (PARTITION BY case_id, channel "
            "ORDER BY rated_us DESC, rated_offset ASC) = 1"
            if repeated == "latest"
            else ""
        )
        db.execute(
            "CREATE OR REPLACE TEMP TABLE rating_rows AS SELECT case_id, win, staff, level, "
            f"rated_day, rated_us, channel FROM govhall_stored_ratings {latest}"
        )
        db.execute("DROP TABLE govhall_stored_ratings")

    def _count(self, kind: str, read: int, rejected: int, backend: Backend | None) -> None:
        """Count ``kind``'s rows in the report; name each rejected row as ``rows`` does."""
        summary = self.source.summary(kind, self.report)
        summary.read += read
        if rejected:
            self._reject(kind, backend)
        summary.rejected += rejected
        summary.used += read - rejected

    def _reject(self, kind: str, backend: Backend | None) -> None:
        """Report the rejected rows of ``kind``, found in the store in ``rows``'s order."""
        report_rejected(self.connection, self.source, self.report, kind, self.keys, backend)

    def _offsets_agree(self) -> bool:
        """Whether every stored (wall clock, offset) pair keeps its wall clock in the zone."""
        pairs = """
SELECT received_us AS us, received_offset AS off FROM govhall_stored_cases
UNION ALL SELECT concluded_us, concluded_offset FROM govhall_stored_cases
  WHERE concluded_us IS NOT NULL
UNION ALL SELECT rated_us, rated_offset FROM govhall_stored_ratings"""
        return offsets_agree(self.connection, pairs, self.tz)

    def _as_records(self, repeated: str) -> None:
        """Read the rows as the ``rows`` engine does and hand the engine their relations."""
        from govhall.assessment.workorders import counted_ratings
        from govhall.engines.relations import relations_from_records

        cases = self.source.cases(
            self.tz, self.report, windows=self.keys.windows, items=self.keys.items
        )
        ratings = self.source.ratings(self.tz, self.report, windows=self.keys.windows)
        relations = relations_from_records(cases, counted_ratings(ratings, repeated), self.keys)
        self.as_records = True
        db = self.connection
        for name, table in relations.as_dict().items():
            db.register("govhall_records", table)
            kept = name if name == "rating_rows" else f"govhall_stored_{name}"
            db.execute(f"CREATE OR REPLACE TEMP TABLE {kept} AS SELECT * FROM govhall_records")
            db.unregister("govhall_records")
        db.execute("CREATE TEMP VIEW case_rows AS SELECT * FROM govhall_stored_case_rows")
        db.execute("CREATE TEMP VIEW case_pauses AS SELECT * FROM govhall_stored_case_pauses")
        db.execute("CREATE TEMP VIEW case_keys AS SELECT case_id FROM case_rows")

    def _drop(self) -> None:
        db = self.connection
        for view in ("case_keys", "case_rows", "case_pauses"):
            db.execute(f"DROP VIEW IF EXISTS {view}")
        for table in (
            "rating_rows",
            "govhall_stored_cases",
            "govhall_stored_ratings",
            "govhall_stored_pauses",
            "govhall_stored_case_rows",
            "govhall_stored_case_pauses",
        ):
            db.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def store_opened(connection: Any, source: StoreSource) -> Iterator[Backend | None]:
    """Open ``source``'s store for reading while in the block; a database's error in the
    block becomes a :class:`StoreError` naming the store.

    Yields the PostgreSQL store's connection, or ``None`` for a DuckDB store,
    attached to ``connection`` as ``govhall_store`` (:func:`attach_store`)
    until the block ends.

    Raises:
        StoreError: The store cannot be opened or read.
    """
    if source.target.startswith(POSTGRES_SCHEMES):
        from govhall.store.open import open_store

        opened = open_store(source.target, read_only=True)
        try:
            with _store_errors(opened.display):
                yield opened.backend
        finally:
            opened.close()
        return
    attach_store(connection, source.target)
    try:
        with _store_errors(source.target):
            yield None
    finally:
        connection.execute(f"DETACH DATABASE IF EXISTS {_STORE}")


def attach_store(connection: Any, target: str) -> None:
    """Attach the DuckDB store ``target`` to ``connection``, read-only, as ``govhall_store``.

    Raises:
        StoreError: It cannot be opened (named; in use by another process, say so).
    """
    import duckdb

    try:
        connection.execute(f"ATTACH {_quote(target)} AS {_STORE} (READ_ONLY)")
    except duckdb.Error as exc:
        raise duckdb_open_error(target, exc, "cannot read the store") from None


def copy_csv(backend: Backend, select: str, params: Sequence[Any], path: Path) -> None:
    """Write the rows of a PostgreSQL ``select`` (``%s`` parameters) to ``path`` as CSV.

    Times are written ``YYYY-MM-DD HH:MM:SS[.ffffff]``, text as UTF-8, with no
    header; read them back with :func:`_csv`.
    """
    cursor = backend.connection.cursor()
    try:
        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        cursor.execute("SET LOCAL client_encoding = 'UTF8'")
        sql = f"COPY ({select}) TO STDOUT (FORMAT csv)"
        with path.open("wb") as out, cursor.copy(sql, params) as copy:
            for block in copy:
                out.write(block)
    finally:
        cursor.close()


def report_rejected(
    connection: Any,
    source: StoreSource,
    report: ReadReport,
    kind: str,
    keys: KeyNumbers,
    backend: Backend | None,
) -> None:
    """Report the hall's stored rows of ``kind`` (``cases`` or ``ratings``) that the config
    no longer fits, in the order the ``rows`` engine meets them, as it names them.

    ``backend``: a PostgreSQL store's connection, which then sorts them (in
    its own collation); ``None``: the DuckDB store attached to ``connection``.
    """
    from govhall.problems import Problem

    name = source.summary(kind, report).path
    table = f"govhall.{kind}" if backend is not None else f"{_STORE}.govhall.{kind}"
    fits = "(" + _member('"window"', keys.windows)
    if kind == "cases":
        fits += f" AND {_member('item', keys.items)})"
        sql = (
            f'SELECT case_id, "window", item, file, line FROM {table} '
            f"WHERE hall = ? AND NOT {fits} ORDER BY case_id"
        )
    else:
        fits += ")"
        sql = (
            f'SELECT case_id, "window", file, line FROM {table} WHERE hall = ? '
            f"AND NOT {fits} ORDER BY case_id, channel, rated_at, rated_offset DESC"
        )
    params = [source.hall]
    rows = (
        backend.execute(sql, params)
        if backend is not None
        else connection.execute(sql, params).fetchall()
    )
    for row in rows:
        if kind == "cases":
            case_id, window, item, path, line = row
            message = case_problem(case_id, window, item, path, line, keys.windows, keys.items)
        else:
            case_id, window, path, line = row
            message = rating_problem(case_id, window, path, line)
        assert message is not None
        report.add_problem(Problem("error", message, file=name))


def offsets_agree(connection: Any, pairs: str, tz: dt.tzinfo) -> bool:
    """Whether every stored (wall clock, offset) pair of ``pairs`` keeps its wall clock in ``tz``.

    ``pairs``: SQL selecting ``us`` (a wall clock in microseconds since
    1970-01-01 00:00) and ``off`` (its UTC offset in seconds). An hour with
    one offset throughout (either side of a summer-time change) is checked
    once; the rows of an hour in which the offset changes are checked one
    distinct time at a time, as the ``rows`` engine turns them into times.
    """
    db = connection
    hours = db.execute(f"SELECT DISTINCT {_hour('us')}, off FROM ({pairs})").fetchall()
    last = dt.timedelta(minutes=59, seconds=59, microseconds=999_999)
    changing: set[int] = set()
    for hour, offset in hours:
        start = NAIVE_EPOCH + dt.timedelta(hours=int(hour))
        seen = {
            moment.replace(tzinfo=tz, fold=fold).utcoffset()
            for moment in (start, start + last)
            for fold in (0, 1)
        }
        if len(seen) > 1:
            changing.add(int(hour))
        elif seen != {dt.timedelta(seconds=int(offset))}:
            return False
    if not changing:
        return True
    moment = _moments(tz)
    hour_list = ", ".join(str(hour) for hour in sorted(changing))
    exact = db.execute(
        f"SELECT DISTINCT us, off FROM ({pairs}) WHERE {_hour('us')} IN ({hour_list})"
    ).fetchall()
    for us, offset in exact:
        wall = NAIVE_EPOCH + dt.timedelta(microseconds=int(us))
        if moment(wall, int(offset)).replace(tzinfo=None) != wall:
            return False
    return True


@contextmanager
def _store_errors(display: str) -> Iterator[None]:
    """Turn a database's error while the store is read into a :class:`StoreError`."""
    try:
        yield
    except Exception as exc:
        if is_database_error(exc):
            raise StoreError(f"{display}: reading the store failed: {exc}") from exc
        raise


def _csv(path: Path, columns: dict[str, str]) -> str:
    """SQL reading a CSV file PostgreSQL wrote (no header; an empty unquoted field is null)."""
    typed = ", ".join(f"{_quote(name)}: {_quote(kind)}" for name, kind in columns.items())
    return (
        f"read_csv({_quote(str(path))}, header = false, auto_detect = false, "
        f"columns = {{{typed}}}, delim = ',', quote = '\"', escape = '\"', "
        "allow_quoted_nulls = false, strict_mode = true, encoding = 'utf-8')"
    )
