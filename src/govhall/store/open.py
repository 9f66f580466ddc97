"""Opening a store: connect, check it is a govhall store, bring its schema up to date."""

from __future__ import annotations

from dataclasses import dataclass, field

from govhall.store.backends import Backend, StoreError, connect, is_database_error
from govhall.store.schema import SCHEMA_VERSION, prepare


@dataclass
class OpenStore:
    """An open store: its connection and what opening it said (e.g. an upgrade)."""

    backend: Backend
    notes: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        """The store as shown to people (a URL without its password)."""
        return self.backend.display

    def close(self) -> None:
        """Close the connection."""
        self.backend.close()


def open_store(
    target: str, *, create: bool = False, read_only: bool = False, upto: int = SCHEMA_VERSION
) -> OpenStore:
    """Open a store, creating (``create``) or upgrading its schema as needed.

    Args:
        target: A ``.duckdb`` path or a ``postgresql://`` URL.
        create: Create a missing DuckDB file and the tables of an empty database.
        read_only: Only read (an older schema is still upgraded first).
        upto: The schema version to reach (tests build older stores with it).

    Raises:
        StoreError: As :func:`govhall.store.backends.connect` and
            :func:`govhall.store.schema.prepare`.
    """
    from govhall.store.schema import schema_version

    backend = connect(target, create=create, read_only=read_only)
    try:
        found = schema_version(backend)
        if read_only and backend.kind == "duckdb" and (found or 0) < upto:
            # an older store is upgraded first, through a writable connection
            backend.close()
            backend = connect(target, create=create)
            notes = prepare(backend, create=create, upto=upto)
            backend.close()
            backend = connect(target, create=False, read_only=True)
        else:
            notes = prepare(backend, create=create, upto=upto)
    except BaseException as exc:
        backend.close()
        if isinstance(exc, Exception) and is_database_error(exc):
            raise StoreError(f"{backend.display}: cannot use the store: {exc}") from exc
        raise
    return OpenStore(backend, notes)
