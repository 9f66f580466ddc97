"""The store's tables and their versions: every change to them is a numbered migration.

A store records which migrations it has (``govhall.schema_version``). Opening
a store applies the missing ones in one transaction (an older store is
upgraded, and the caller is told); a store written by a newer govhall is
refused with a message naming both versions. The SQL is the same for DuckDB
and PostgreSQL.

Times are kept as the hall's local wall-clock time (``TIMESTAMP``, so SQL can
take its date directly) beside their offset from UTC in seconds (``*_offset``),
which makes every instant exact, in a zone with summer time too.
"""

from __future__ import annotations

import datetime as dt

from govhall.store.backends import Backend, StoreError

_PROVENANCE = "import_id BIGINT NOT NULL, file TEXT NOT NULL, line BIGINT NOT NULL"
_CASE_COLUMNS = (
    'hall TEXT NOT NULL, case_id TEXT NOT NULL, "window" TEXT NOT NULL, item TEXT NOT NULL, '
    "kind TEXT NOT NULL, received_at TIMESTAMP NOT NULL, received_offset INTEGER NOT NULL, "
    "status TEXT NOT NULL, concluded_at TIMESTAMP, concluded_offset INTEGER, "
    "visits INTEGER NOT NULL, staff TEXT, pauses TEXT NOT NULL, digest TEXT NOT NULL, "
    + _PROVENANCE
)

_CASE_NAMES_4 = (
    'hall, case_id, "window", item, kind, received_at, received_offset, status, '
    "concluded_at, concluded_offset, visits, staff, pauses, import_id, file, line"
)
_CASE_COLUMNS_4 = _CASE_COLUMNS.replace("digest TEXT NOT NULL, ", "")
_CASE_VERSIONS = (
    f"CREATE VIEW govhall.case_versions AS SELECT {_CASE_NAMES_4}, replaced_by "
    f"FROM govhall.case_history UNION ALL SELECT {_CASE_NAMES_4}, NULL FROM govhall.cases"
)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE govhall.halls (hall TEXT PRIMARY KEY, county TEXT NOT NULL, "
        "name TEXT NOT NULL, timezone TEXT NOT NULL)",
        "CREATE TABLE govhall.imports (import_id BIGINT PRIMARY KEY, hall TEXT NOT NULL, "
        "imported_at TIMESTAMP NOT NULL, source TEXT NOT NULL, govhall_version TEXT NOT NULL, "
        "read BIGINT NOT NULL, inserted BIGINT NOT NULL, updated BIGINT NOT NULL, "
        "unchanged BIGINT NOT NULL, rejected BIGINT NOT NULL)",
        f"CREATE TABLE govhall.cases ({_CASE_COLUMNS}, PRIMARY KEY (hall, case_id))",
        f"CREATE TABLE govhall.case_history ({_CASE_COLUMNS}, replaced_by BIGINT NOT NULL, "
        "PRIMARY KEY (hall, case_id, import_id))",
        "CREATE TABLE govhall.ratings (hall TEXT NOT NULL, case_id TEXT NOT NULL, "
        "channel TEXT NOT NULL, rated_at TIMESTAMP NOT NULL, rated_offset INTEGER NOT NULL, "
        '"window" TEXT NOT NULL, staff TEXT, level INTEGER NOT NULL, digest TEXT NOT NULL, '
        f"{_PROVENANCE}, PRIMARY KEY (hall, case_id, channel, rated_at, rated_offset))",
        'CREATE TABLE govhall.findings (hall TEXT NOT NULL, "date" DATE NOT NULL, '
        '"window" TEXT NOT NULL, staff TEXT NOT NULL, rule TEXT NOT NULL, '
        "count INTEGER NOT NULL, points TEXT, digest TEXT NOT NULL, "
        f'{_PROVENANCE}, PRIMARY KEY (hall, "date", "window", staff, rule))',
    ),
    2: (
        # every version of every case, the current one last: what `store history` shows
        _CASE_VERSIONS,
    ),
    3: (
        # a rating's tags (好差评 tags, ';'-separated; '' for none)
        "ALTER TABLE govhall.ratings ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
    ),
    4: (
        # rows are compared column by column (exact, and cheaper than hashing every row)
        "ALTER TABLE govhall.cases DROP COLUMN digest",
        # case_history is rebuilt: its key's import_id comes after digest, which DuckDB
        # cannot drop
        "DROP VIEW govhall.case_versions",
        f"CREATE TABLE govhall.case_history_4 ({_CASE_COLUMNS_4}, replaced_by BIGINT NOT NULL, "
        "PRIMARY KEY (hall, case_id, import_id))",
        f"INSERT INTO govhall.case_history_4 SELECT {_CASE_NAMES_4}, replaced_by "
        "FROM govhall.case_history",
        "DROP TABLE govhall.case_history",
        "ALTER TABLE govhall.case_history_4 RENAME TO case_history",
        _CASE_VERSIONS,
        "ALTER TABLE govhall.ratings DROP COLUMN digest",
        "ALTER TABLE govhall.findings DROP COLUMN digest",
        # the work-order progress of bad ratings (rectifications files), keyed as the rating
        "CREATE TABLE govhall.rectifications (hall TEXT NOT NULL, case_id TEXT NOT NULL, "
        "channel TEXT NOT NULL, rated_at TIMESTAMP NOT NULL, rated_offset INTEGER NOT NULL, "
        "verified_at TIMESTAMP, verified_offset INTEGER, rectified_at TIMESTAMP, "
        "rectified_offset INTEGER, replied_at TIMESTAMP, replied_offset INTEGER, outcome TEXT, "
        f"{_PROVENANCE}, PRIMARY KEY (hall, case_id, channel, rated_at, rated_offset))",
    ),
    # a DuckDB store's data tables lose their keys (DUCKDB_MIGRATIONS); PostgreSQL keeps them
    5: (),
}
"""Each schema version's statements, applied in order to reach it."""

_RATING_KEY_COLUMNS = (
    "hall TEXT NOT NULL, case_id TEXT NOT NULL, channel TEXT NOT NULL, "
    "rated_at TIMESTAMP NOT NULL, rated_offset INTEGER NOT NULL"
)
_UNKEYED = {
    # the tables as version 4 left them, without their keys; column order kept
    "cases": _CASE_COLUMNS_4,
    "case_history": f"{_CASE_COLUMNS_4}, replaced_by BIGINT NOT NULL",
    "ratings": f'{_RATING_KEY_COLUMNS}, "window" TEXT NOT NULL, staff TEXT, '
    f"level INTEGER NOT NULL, {_PROVENANCE}, tags TEXT NOT NULL DEFAULT ''",
    "findings": 'hall TEXT NOT NULL, "date" DATE NOT NULL, "window" TEXT NOT NULL, '
    f"staff TEXT NOT NULL, rule TEXT NOT NULL, count INTEGER NOT NULL, points TEXT, "
    f"{_PROVENANCE}",
    "rectifications": f"{_RATING_KEY_COLUMNS}, verified_at TIMESTAMP, verified_offset INTEGER, "
    "rectified_at TIMESTAMP, rectified_offset INTEGER, replied_at TIMESTAMP, "
    f"replied_offset INTEGER, outcome TEXT, {_PROVENANCE}",
}


def _rebuilt_without_key(table: str) -> tuple[str, ...]:
    columns = _UNKEYED[table]
    return (
        f"CREATE TABLE govhall.{table}_5 ({columns})",
        f"INSERT INTO govhall.{table}_5 BY NAME SELECT * FROM govhall.{table}",
        f"DROP TABLE govhall.{table}",
        f"ALTER TABLE govhall.{table}_5 RENAME TO {table}",
    )


DUCKDB_MIGRATIONS: dict[int, tuple[str, ...]] = {
    5: (
        # DuckDB keeps a key's index in memory whole: a store of millions of cases would
        # need it for every import. An import decides each row's fate by joining its rows
        # to the stored ones (never by the key), so a DuckDB store's data tables go
        # without keys; a PostgreSQL store keeps them (its indexes live on disk).
        "DROP VIEW govhall.case_versions",
        *(
            statement
            for table in ("cases", "case_history", "ratings", "findings", "rectifications")
            for statement in _rebuilt_without_key(table)
        ),
        _CASE_VERSIONS,
    ),
}
"""Statements a DuckDB store runs after a version's :data:`MIGRATIONS` (a PostgreSQL store
skips them)."""

SCHEMA_VERSION = max(MIGRATIONS)
"""The schema version this govhall writes and reads."""


def schema_version(backend: Backend) -> int | None:
    """Return the store's schema version, or ``None`` for a database without govhall tables.

    Raises:
        StoreError: The database has a ``govhall`` schema without a version table
            (not a govhall store).
    """
    if not backend.has_schema():
        return None
    if "schema_version" not in backend.tables("govhall"):
        raise StoreError(
            f"{backend.display}: not a govhall store (a govhall schema without a version table)"
        )
    found = backend.execute("SELECT max(version) FROM govhall.schema_version")[0][0]
    return int(found) if found is not None else 0


def prepare(backend: Backend, *, create: bool, upto: int = SCHEMA_VERSION) -> list[str]:
    """Bring the store's schema to ``upto``, creating it in an empty database when ``create``.

    Returns:
        Messages for people (e.g. that an older store was upgraded).

    Raises:
        StoreError: Not a govhall store (other tables, no govhall schema), a
            store of a newer schema, or no store at all when not ``create``.
    """
    found = schema_version(backend)
    if found is None:
        if not create:
            raise StoreError(
                f"{backend.display}: not a govhall store (no govhall tables); "
                "fill it with govhall ingest"
            )
        if backend.kind == "duckdb" and backend.user_tables():
            tables = ", ".join(sorted(backend.user_tables())[:5])
            raise StoreError(
                f"{backend.display}: not a govhall store (it holds other tables: {tables})"
            )
    elif found > SCHEMA_VERSION:
        raise StoreError(
            f"{backend.display}: the store has schema version {found}, written by a newer "
            f"govhall; this govhall reads versions up to {SCHEMA_VERSION}: upgrade govhall"
        )
    current = found or 0
    if current >= upto:
        return []
    from importlib.metadata import version

    backend.begin()
    try:
        backend.lock_schema()
        # another process may have migrated the store while this one waited for the lock
        found = schema_version(backend)
        current = found or 0
        if current >= upto:
            backend.commit()
            return []
        if found is None:
            backend.execute("CREATE SCHEMA IF NOT EXISTS govhall")
            backend.execute(
                "CREATE TABLE govhall.schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL, govhall_version TEXT NOT NULL)"
            )
        for number in range(current + 1, upto + 1):
            statements = MIGRATIONS[number]
            if backend.kind == "duckdb":
                statements += DUCKDB_MIGRATIONS.get(number, ())
            for statement in statements:
                backend.execute(statement)
            backend.execute(
                "INSERT INTO govhall.schema_version VALUES (?, ?, ?)",
                [number, dt.datetime.now(dt.UTC).replace(tzinfo=None), version("govhall")],
            )
        backend.commit()
    except Exception:
        backend.rollback()
        raise
    if found is None:
        return []
    return [f"{backend.display}: upgraded the store's schema from version {found} to {upto}"]
