"""The ``duckdb`` engine: the measures run by DuckDB in this process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govhall.engines.base import EngineError
from govhall.engines.measures import for_dialect


class DuckDBEngine:
    """Counts in an in-process DuckDB database (in memory, or a store's file).

    Args:
        database: A DuckDB database file to attach as the main database
            (e.g. a case store), or ``":memory:"``.
        threads: Worker threads (default: DuckDB's, one per core).
    """

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, database: str = ":memory:", *, threads: int | None = None) -> None:
        try:
            import duckdb
        except ImportError as exc:  # a dependency of govhall; a broken install
            raise EngineError(f"the duckdb engine needs the duckdb package: {exc}") from None
        self._duckdb = duckdb
        self.connection = duckdb.connect(database)
        if threads is not None:
            self.connection.execute(f"SET threads TO {int(threads)}")
        self._held: dict[str, Any] = {}

    def register(self, relations: Mapping[str, Any]) -> None:
        """Make each relation known by its name (Arrow tables are read in place, not copied)."""
        for name, relation in relations.items():
            if isinstance(relation, str):
                self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {relation}")
            else:
                self.connection.register(name, relation)
                self._held[name] = relation

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a measure's SQL and return its rows."""
        try:
            return self.connection.execute(for_dialect(sql, self.dialect)).fetchall()
        except self._duckdb.Error as exc:
            raise EngineError(f"duckdb engine: {exc}") from None

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
        self._held.clear()
