"""The case store: where a hall's data lives once its files have been imported.

A store is a DuckDB file (``*.duckdb``: embedded, created when missing) or a
PostgreSQL database (``postgresql://`` URL) holding many halls. Rows are
keyed (a case by hall and case id; a rating by hall, case, channel and
time; a finding by hall, date, window, staff and rule), so importing the
same export twice changes nothing, a later export updates its cases and
keeps their earlier versions, and every row remembers the import, file and
line it came from. See docs/store.md.

Example::

    from govhall import open_hall
    from govhall.store import ingest

    hall = open_hall("configs/zhenhai.toml")
    result = ingest(hall.config, "sample/zhenhai", "halls.duckdb")
    march = hall.score("halls.duckdb", "2010-03")
"""

from govhall.store.backends import StoreError, is_store_target, redact
from govhall.store.info import case_history, store_info
from govhall.store.ingest import KIND_LAYOUT, FileCounts, IngestResult, ingest
from govhall.store.open import OpenStore, open_store
from govhall.store.schema import MIGRATIONS, SCHEMA_VERSION, schema_version
from govhall.store.source import StoreSource, open_source

__all__ = [
    "KIND_LAYOUT",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "FileCounts",
    "IngestResult",
    "OpenStore",
    "StoreError",
    "StoreSource",
    "case_history",
    "ingest",
    "is_store_target",
    "open_source",
    "open_store",
    "redact",
    "schema_version",
    "store_info",
]
