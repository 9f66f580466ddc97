"""The ``duckdb`` engine: the measures run by DuckDB in this process."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from typing import Any

from govhall.engines.base import EngineError
from govhall.engines.measures import for_dialect

MEMORY_VARIABLE = "GOVHALL_ENGINE_MEMORY"
"""The environment variable bounding the memory of the ``duckdb`` engine (e.g. ``1GB``).

Unset, DuckDB's own bound holds (80% of the machine's memory). Rows beyond the
bound go to a temporary folder of the engine's own, removed when it closes:
a bound trades speed for memory (at 5,000,000 cases from CSV, which peaked at
about 735 MB in 6.6-7.6 s unbounded: ``512MB`` 678 MB in 7.4 s, ``256MB`` 476 MB
in 8.4 s)."""
_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_size(variable: str, default: str | None = None) -> str | None:
    """Return the DuckDB memory size that environment ``variable`` gives, else ``default``.

    Raises:
        ValueError: The variable is set to something other than a size such as
            ``512MB`` or ``2GB`` (the message names it).
    """
    size = os.environ.get(variable, "").strip() or default
    if size is not None and not _SIZE.fullmatch(size):
        raise ValueError(f"{variable}={size!r}: expected a size such as 512MB or 2GB")
    return size


def arrow_table(relation: Any) -> Any:
    """Return a DuckDB relation's rows as an Arrow table (DuckDB 2 names the method
    ``to_arrow_table``, earlier versions ``arrow``)."""
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    return fetch()


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
        try:
            memory = memory_size(MEMORY_VARIABLE)
        except ValueError as exc:
            raise EngineError(str(exc)) from None
        self._duckdb = duckdb
        self.connection = duckdb.connect(database)
        self._removal: weakref.finalize[Any, Any] | None = None
        if database == ":memory:":
            # rows beyond the memory bound go here, never into the working directory
            scratch = tempfile.mkdtemp(prefix="govhall-duckdb-")
            self._removal = weakref.finalize(self, shutil.rmtree, scratch, True)
            self.connection.execute("SET temp_directory = ?", [scratch])
        if memory is not None:
            self.connection.execute(f"SET memory_limit = '{memory}'")
        if threads is not None:
            self.connection.execute(f"SET threads TO {int(threads)}")
        self.connection.execute(f"SET disabled_optimizers = '{','.join(self._disabled())}'")
        self._held: dict[str, Any] = {}

    def _disabled(self) -> list[str]:
        """The DuckDB optimizers this engine turns off (those this DuckDB version has).

        - ``join_order``: the measures' SQL joins each case to its rule rows in
          the order it is written; DuckDB's join reordering, misled by its
          estimate of a union of cases, built a hash table of millions of
          rule-row pairs instead (1.4 s of a 3 s KPI query at 5M cases).
        - ``type_pushdown`` (DuckDB 2): it moves a ``TRY_CAST`` of a CSV column
          into the CSV reader as the column's type, where a value that does not
          cast stops the read with a conversion error instead of giving null
          (seen with a window id outside the hall's enumeration of windows).
        """
        found = self.connection.execute("SELECT name FROM duckdb_optimizers()").fetchall()
        known = {name for (name,) in found}
        return [name for name in ("join_order", "type_pushdown") if name in known]

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
        """Close the connection; remove the temporary folder."""
        self.connection.close()
        self._held.clear()
        if self._removal is not None:
            self._removal()
