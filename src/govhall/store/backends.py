"""The two database backends of a store: an embedded DuckDB file and a PostgreSQL server.

Both speak the same SQL (written with ``?`` placeholders) through one small
class, :class:`Backend`; only connecting, bulk loading and locking differ.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govhall.errors import GovhallError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SCHEMA_LOCK = 0x60F4A11
"""PostgreSQL advisory lock id held while a store's schema is created or migrated."""
FETCH_ROWS = 10_000
"""Rows fetched from the database at a time while streaming records."""
MEMORY_VARIABLE = "GOVHALL_STORE_MEMORY"
"""The environment variable bounding the memory DuckDB may use for an import (e.g. ``2GB``);
unset, :data:`IMPORT_MEMORY`. Staged rows beyond it go to a temporary folder beside the
store."""
IMPORT_MEMORY = "512MB"
"""The memory DuckDB may use for an import when :data:`MEMORY_VARIABLE` is unset. A DuckDB
store has no key index (schema 5), so everything an import holds can go to disk: with this
bound its peak memory barely grows with the rows (docs/store.md has the figures)."""


class StoreError(GovhallError):
    """A store cannot be opened, is not a govhall store, or an import failed."""


def is_store_target(text: str | os.PathLike[str]) -> bool:
    """Tell whether ``text`` names a store (a ``.duckdb`` path or a ``postgresql://`` URL)."""
    value = os.fspath(text)
    return value.lower().endswith(".duckdb") or value.startswith(POSTGRES_SCHEMES)


def redact(target: str) -> str:
    """Return ``target`` with any password in a URL replaced by ``***``."""
    if not target.startswith(POSTGRES_SCHEMES):
        return target
    try:
        parts = urlsplit(target)
        password = parts.password
    except ValueError:
        return target.split("://", 1)[0] + "://(malformed URL)"
    if not password:
        return target
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def is_database_error(exc: BaseException) -> bool:
    """Tell whether ``exc`` comes from DuckDB or psycopg (to be shown as a store error)."""
    module = type(exc).__module__ or ""
    return module.startswith(("duckdb", "_duckdb", "psycopg"))


class Backend:
    """One open connection to a store's database, DuckDB or PostgreSQL.

    SQL is written once with ``?`` placeholders; :meth:`execute` adapts it.
    Nothing is committed until :meth:`commit`: a store is used inside one
    transaction at a time.
    """

    kind: str
    target: str

    def __init__(self, kind: str, target: str, connection: Any) -> None:
        self.kind = kind
        self.target = target
        self.connection = connection

    def __repr__(self) -> str:
        return f"<{self.kind} store {redact(self.target)}>"

    @property
    def display(self) -> str:
        """The store as shown to people (a URL without its password)."""
        return redact(self.target)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.kind == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows (none for a statement without a result)."""
        cursor = self._cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            if cursor.description is None:
                return []
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            self._done(cursor)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Yield the rows of a query a batch at a time (memory stays flat)."""
        cursor = self._cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            while True:
                rows = cursor.fetchmany(FETCH_ROWS)
                if not rows:
                    return
                for row in rows:
                    yield tuple(row)
        finally:
            self._done(cursor)

    def _cursor(self) -> Any:
        # A DuckDB cursor is a second connection with its own transaction and temporary
        # tables: statements go to the connection itself.
        return self.connection if self.kind == "duckdb" else self.connection.cursor()

    def _done(self, cursor: Any) -> None:
        if self.kind != "duckdb":
            cursor.close()

    def begin(self) -> None:
        """Start the transaction an import runs in."""
        if self.kind == "duckdb":
            self.connection.execute("BEGIN TRANSACTION")
        # psycopg opens a transaction with the first statement (autocommit is off)

    def commit(self) -> None:
        """Make the transaction's changes permanent."""
        self.connection.commit()

    def rollback(self) -> None:
        """Undo everything since :meth:`begin`."""
        self.connection.rollback()

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        self.connection.close()

    def limit_memory(self) -> None:
        """Bound the memory of an import into a DuckDB file (:data:`MEMORY_VARIABLE`, else
        :data:`IMPORT_MEMORY`).

        Raises:
            StoreError: The variable is not a size such as ``512MB``.
        """
        if self.kind != "duckdb":
            return  # a PostgreSQL server manages its own memory
        from govhall.engines.duck import memory_size

        try:
            size = memory_size(MEMORY_VARIABLE, IMPORT_MEMORY)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        self.execute(f"SET memory_limit = '{size}'")

    def lock_imports(self) -> None:
        """Serialize imports: one at a time per store (DuckDB: one writer per file anyway)."""
        if self.kind == "postgresql":
            self.execute("LOCK TABLE govhall.imports IN EXCLUSIVE MODE")

    def lock_schema(self) -> None:
        """Serialize schema changes (two processes creating one store's tables at once)."""
        if self.kind == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(?)", [SCHEMA_LOCK])

    def has_schema(self) -> bool:
        """Tell whether the database holds a ``govhall`` schema."""
        if self.kind == "duckdb":
            sql = "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'govhall'"
        else:
            sql = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'govhall'"
        return bool(self.execute(sql)[0][0])

    def tables(self, schema: str) -> set[str]:
        """Return the names of the tables in ``schema``."""
        rows = self.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
        )
        return {row[0] for row in rows}

    def user_tables(self) -> set[str]:
        """Return the tables outside the ``govhall`` schema (a DuckDB file's other contents)."""
        rows = self.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('govhall', 'information_schema', 'pg_catalog')"
        )
        return {row[0] for row in rows}

    def bulk_insert(
        self,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[Any]],
        not_null: Sequence[str] = (),
    ) -> int:
        """Insert many rows fast (DuckDB: through a temporary CSV file; PostgreSQL: COPY).

        Args:
            table: The table (already created) to insert into.
            columns: ``(name, SQL type)`` of each value, in the rows' order.
            rows: Values: ``None`` for NULL, ``str``, ``int``, dates and naive times.
                An empty text is NULL unless its column is in ``not_null``.

        Returns:
            The number of rows inserted.
        """
        names = ", ".join(_quoted(name) for name, _ in columns)
        if self.kind == "postgresql":
            count = 0
            cursor = self.connection.cursor()
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            cursor.close()
            return count
        handle, name = tempfile.mkstemp(prefix="govhall-", suffix=".csv")
        try:
            counter = _Counter(rows)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                csv.writer(out, lineterminator="\n").writerows(counter)
            if counter.count:
                types = ", ".join(f"'{n}': '{t}'" for n, t in columns)
                # an empty field is NULL, but an empty text in a NOT NULL column stays empty
                keep = ", ".join(f"'{n}'" for n in not_null)
                self.execute(
                    f"INSERT INTO {table} ({names}) SELECT * FROM read_csv(?, header = false, "
                    "delim = ',', quote = '\"', escape = '\"', new_line = '\\n', "
                    "auto_detect = false, "
                    f"force_not_null = [{keep}], columns = {{{types}}})",
                    [name],
                )
            return counter.count
        finally:
            Path(name).unlink(missing_ok=True)


def _quoted(name: str) -> str:
    return f'"{name}"'


class _Counter:
    """Pass rows through, counting them."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def connect(target: str, *, create: bool, read_only: bool = False) -> Backend:
    """Open the database of a store: a ``.duckdb`` file or a ``postgresql://`` URL.

    Args:
        target: The store.
        create: Create a missing DuckDB file (otherwise a missing file is an error).
        read_only: Open a DuckDB file read-only (several readers may share it).

    Raises:
        StoreError: The file cannot be opened (missing, locked, not DuckDB),
            the server cannot be reached, or the URL is malformed. The
            message names the file or the server's host, never a password.
    """
    if target.startswith(POSTGRES_SCHEMES):
        return _connect_postgres(target)
    if not target.lower().endswith(".duckdb"):
        raise StoreError(f"{target}: a store is a path ending in .duckdb or a postgresql:// URL")
    return _connect_duckdb(target, create=create, read_only=read_only)


def _connect_duckdb(target: str, *, create: bool, read_only: bool) -> Backend:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - duckdb is a dependency
        raise StoreError(f"{target}: DuckDB is not installed: {exc}") from exc
    path = Path(target)
    if path.is_dir():
        raise StoreError(f"{target}: a folder, not a store file")
    if not path.exists():
        if not create:
            raise StoreError(f"{target}: no such store (create it with govhall ingest)")
        if not path.parent.is_dir():
            raise StoreError(f"{target}: no such folder {path.parent}")
    try:
        connection = duckdb.connect(str(path), read_only=read_only and path.exists())
    except duckdb.IOException as exc:
        raise duckdb_open_error(target, exc, "cannot open as a DuckDB store") from None
    except duckdb.Error as exc:
        raise StoreError(
            f"{target}: cannot open as a DuckDB store: {_first_line(str(exc))}"
        ) from None
    return Backend("duckdb", target, connection)


def duckdb_open_error(target: str, exc: Exception, failed: str) -> StoreError:
    """Return the error for a DuckDB store file that could not be opened (``failed``: what).

    A file another process writes (DuckDB's lock) is named as such: try again later.
    """
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(
            f"{target}: the store is in use by another process (a DuckDB file has one "
            "writer at a time); try again when it has finished"
        )
    return StoreError(f"{target}: {failed}: {_first_line(text)}")


def _connect_postgres(target: str) -> Backend:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            f"{redact(target)}: PostgreSQL stores need psycopg (pip install 'psycopg[binary]')"
        ) from exc
    where = _server(target)
    try:
        connection = psycopg.connect(target, autocommit=False, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = _first_line(str(exc)).replace(_password(target) or "\0", "***")
        raise StoreError(f"cannot reach the PostgreSQL store at {where}: {reason}") from None
    except (psycopg.Error, ValueError) as exc:
        reason = _first_line(str(exc)).replace(_password(target) or "\0", "***")
        raise StoreError(f"{redact(target)}: not a usable PostgreSQL URL: {reason}") from None
    return Backend("postgresql", target, connection)


def _password(target: str) -> str | None:
    try:
        return urlsplit(target).password
    except ValueError:
        return None


def _server(target: str) -> str:
    """Return ``host:port/database`` of a URL (never its user or password)."""
    try:
        parts = urlsplit(target)
        host, port = parts.hostname or "localhost", parts.port or 5432
    except ValueError:
        return "(malformed URL)"
    database = parts.path.lstrip("/") or "(default database)"
    return f"{host}:{port}/{database}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
