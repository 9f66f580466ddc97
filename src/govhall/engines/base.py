"""What every engine offers: take relations by name, run a measure's SQL, close.

A relation is either an Arrow table (small rule tables, or records read
from files) or a SQL query in the engine's own dialect that yields the
relation's columns (e.g. a view over a store's case table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from govhall.errors import GovhallError

if TYPE_CHECKING:
    pass

ENGINE_NAMES = ("rows", "duckdb", "spark")
"""Every engine, the streaming reference first."""

Relation = "pa.Table | str"


class EngineError(GovhallError):
    """An engine cannot start or cannot run a measure (not installed, no Java, a bad master)."""


class Engine(Protocol):
    """A place where relations live and measures are counted."""

    name: str
    dialect: str
    """The SQLGlot dialect of its SQL."""

    def register(self, relations: Mapping[str, Any]) -> None:
        """Make each relation (an Arrow table, or a SQL query in ``dialect``) known by its name."""
        ...

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a measure's SQL (DuckDB's dialect, turned into ``dialect``) and return its rows."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a connection; a Spark session it started)."""
        ...
