"""A hall's 好差评 bulletin from a store, counted by DuckDB: only ratings rules need reach Python.

The ``rows`` engine streams every stored rating of the hall through Python
(:meth:`StoreSource.located_ratings <govhall.store.source.StoreSource.located_ratings>`),
and every stored case when a complaint about the time taken is checked. With
the ``duckdb`` engine, :func:`scan_store_ratings` copies the hall's ratings
into DuckDB in one statement (a DuckDB store is attached read-only; a
PostgreSQL store sends them with ``COPY ... TO STDOUT``) and splits them as
a data folder's are split (:func:`govhall.readers.duck_ratings.split_ratings`):
the ratings rated more than once on a channel, the bad ones and those a
rectification row names go to Python as ``(file, line, Rating)``, named by
the file and line they were imported from and in the store's order; the
others are counted by channel and level. :func:`count_stored_cases` counts
the stored cases without reading them, so only the cases complained about
need to be read. The bulletin and the run's counts and messages are the
``rows`` engine's:

- a rating whose window the hall config no longer has is rejected with the
  same message, in the same order;
- the store's order is its own: a PostgreSQL store sorts the ratings handed
  to Python itself, in its collation;
- when a stored offset is not one the config's zone has at that wall clock
  (the zone was changed after the import), or two ratings of a case and
  channel share a wall clock (a summer-time change), :func:`scan_store_ratings`
  returns ``None`` before counting anything and the caller streams the
  ratings as ``rows`` does.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.readers.duck_scan import _quote
from govhall.readers.report import ReadReport
from govhall.store.engine_scan import (
    _STORE,
    _csv,
    _member,
    copy_csv,
    offsets_agree,
    report_rejected,
    store_opened,
)
from govhall.store.source import _moments

if TYPE_CHECKING:
    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.tables import KeyNumbers
    from govhall.readers.duck_ratings import RatingScan
    from govhall.records import Rating
    from govhall.store.backends import Backend
    from govhall.store.source import StoreSource

_COLUMNS = {
    "case_id": "VARCHAR",
    "win": "VARCHAR",
    "staff": "VARCHAR",
    "level": "INTEGER",
    "t": "TIMESTAMP",
    "rated_offset": "INTEGER",
    "channel": "VARCHAR",
    "tags": "VARCHAR",
    "file": "VARCHAR",
    "line": "BIGINT",
}
"""The staged columns, with their DuckDB types."""
_SELECT = (
    'SELECT case_id, "window" AS win, staff, level, rated_at AS t, rated_offset, channel, tags, '
    "file, line FROM {table} WHERE hall = {hall}"
)
STORE_ORDER = (
    "case_id, channel, t, rated_offset DESC",
    "case_id, win, staff, level, t, rated_offset, channel, tags, file, line",
)
"""The ``rows`` engine's order of a store's ratings (the same wall clock twice: the earlier
instant first), and the columns handed to Python."""


def scan_store_ratings(
    engine: DuckDBEngine,
    source: StoreSource,
    tz: dt.tzinfo,
    report: ReadReport,
    keys: KeyNumbers,
    month: tuple[dt.datetime, dt.datetime],
    as_of: dt.datetime,
    named: Iterable[tuple[str, str, dt.datetime]],
    *,
    only: tuple[dt.datetime, dt.datetime] | None = None,
) -> RatingScan | None:
    """Split the hall's stored ratings into those Python needs and DuckDB's counts of the rest.

    Args:
        engine: The DuckDB engine to read with.
        source: The store and hall.
        tz: The hall's time zone (from its config).
        report: Receives the ratings' counts (under the store's name for the
            hall's ratings) and every rejected rating, as the ``rows`` engine
            reports them.
        keys: The hall's windows (a rating of another window is rejected).
        month: The month's first moment and the first moment after it.
        as_of: Ratings given after it are not yet known.
        named: ``(case_id, channel, rated_at)`` of every rectification row.
        only: Take only the ratings given from ``only[0]`` to ``only[1]``, both
            included (the others are neither read nor counted), by their
            hall-local wall clock, as Python compares two times of the hall's
            zone: a rating given at the very end of a month still replaces an
            earlier one of the month (:func:`govhall.report.data.tap_located`).

    Returns:
        The split, or ``None`` (nothing counted) when the ratings must be
        streamed: a stored offset the zone disagrees with, or a case and
        channel rated twice at one wall clock.

    Raises:
        StoreError: The store cannot be read.
    """
    from govhall.readers.duck_ratings import split_ratings
    from govhall.records import Rating

    db = engine.connection
    with _staged(engine, source) as backend:
        if only is not None:
            first, end = (moment.astimezone(tz).replace(tzinfo=None) for moment in only)
            db.execute("DELETE FROM govhall_ratings WHERE t < ? OR t > ?", [first, end])
        usable = _member("win", keys.windows)
        pairs = "SELECT epoch_us(t) AS us, rated_offset AS off FROM govhall_ratings"
        twice = db.execute(
            f"SELECT 1 FROM govhall_ratings WHERE {usable} GROUP BY case_id, channel, t "
            "HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        if twice or not offsets_agree(db, pairs, tz):
            db.execute("DROP TABLE govhall_ratings")
            return None
        read, rejected = db.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT {usable}) FROM govhall_ratings"
        ).fetchall()[0]
        summary = source.summary("ratings", report)
        summary.read += int(read)
        if rejected:
            report_rejected(db, source, report, "ratings", keys, backend)
            db.execute(f"DELETE FROM govhall_ratings WHERE NOT {usable}")
        summary.rejected += int(rejected)
        summary.used += int(read) - int(rejected)
        moment = _moments(tz)

        def located(row: tuple[Any, ...]) -> tuple[str, int, Rating]:
            case_id, window, staff, level, wall, offset, channel, tags, path, line = row
            found = tuple(tags.split(";")) if tags else ()
            rating = Rating(
                case_id, window, staff, int(level), moment(wall, offset), channel, found
            )
            return path, int(line), rating

        scan = split_ratings(engine, tz, month, as_of, named, located, STORE_ORDER)
        if backend is not None and len(scan.rows) > 1:
            scan.rows = _in_store_order(backend, scan.rows, tz)
    return scan


def count_stored_cases(
    engine: DuckDBEngine, source: StoreSource, report: ReadReport, keys: KeyNumbers
) -> None:
    """Count the hall's stored cases into ``report`` as the ``rows`` engine counts them when
    it reads them all (the rejected ones named, in its order), without reading them.

    Raises:
        StoreError: The store cannot be read.
    """
    window = _member('"window"', keys.windows)
    fits = f"{window} AND {_member('item', keys.items)}"
    sql = f"SELECT count(*), count(*) FILTER (WHERE NOT ({fits})) FROM {{table}} WHERE hall = ?"
    db = engine.connection
    with store_opened(db, source) as backend:
        if backend is not None:
            ((read, rejected),) = backend.execute(sql.format(table="govhall.cases"), [source.hall])
        else:
            table = f"{_STORE}.govhall.cases"
            ((read, rejected),) = db.execute(sql.format(table=table), [source.hall]).fetchall()
        summary = source.summary("cases", report)
        summary.read += int(read)
        summary.rejected += int(rejected)
        summary.used += int(read) - int(rejected)
        if rejected:
            report_rejected(db, source, report, "cases", keys, backend)


@contextmanager
def _staged(engine: DuckDBEngine, source: StoreSource) -> Iterator[Backend | None]:
    """Copy the hall's stored ratings into the engine's ``govhall_ratings`` table.

    Yields the PostgreSQL store's connection, kept open in the block (``None``
    for a DuckDB store, attached to the engine until the block ends).
    """
    db = engine.connection
    create = "CREATE OR REPLACE TEMP TABLE govhall_ratings AS "
    with store_opened(db, source) as backend:
        if backend is not None:
            folder = Path(tempfile.mkdtemp(prefix="govhall-store-"))
            try:
                path = folder / "ratings.csv"
                select = _SELECT.format(table="govhall.ratings", hall="%s")
                copy_csv(backend, select, (source.hall,), path)
                db.execute(f"{create} SELECT * FROM {_csv(path, _COLUMNS)}")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            table = f"{_STORE}.govhall.ratings"
            db.execute(create + _SELECT.format(table=table, hall=_quote(source.hall)))
        yield backend


def _in_store_order(
    backend: Backend, rows: list[tuple[str, int, Rating]], tz: dt.tzinfo
) -> list[tuple[str, int, Rating]]:
    """``rows`` in a PostgreSQL store's order (its collation may not sort text as DuckDB does)."""
    keys = [(r.case_id, r.channel, r.rated_at) for _, _, r in rows]
    walls = [moment.astimezone(tz).replace(tzinfo=None) for _, _, moment in keys]
    offsets = [int(moment.utcoffset().total_seconds()) for _, _, moment in keys]  # type: ignore[union-attr]
    sql = (
        "SELECT n FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamp[], "
        "%s::integer[]) AS v(n, case_id, channel, rated_at, rated_offset) "
        "ORDER BY case_id, channel, rated_at, rated_offset DESC"
    )
    order = backend.connection.execute(
        sql,
        (
            list(range(len(rows))),
            [case_id for case_id, _, _ in keys],
            [channel for _, channel, _ in keys],
            walls,
            offsets,
        ),
    ).fetchall()
    return [rows[n] for (n,) in order]
