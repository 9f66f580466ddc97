"""What a store holds: its halls with their counts and imports, and one case's history."""

from __future__ import annotations

from typing import Any

from govhall.store.open import open_store
from govhall.store.schema import schema_version


def store_info(target: str) -> dict[str, Any]:
    """Describe a store: schema version, halls with row counts, and every import.

    Returns:
        ``{"store", "schema_version", "halls": [{"hall", "county", "name", "timezone",
        "cases", "case_versions", "ratings", "findings", "rectifications", "imports"}],
        "imports":
        [{"import_id", "hall", "imported_at", "source", "govhall_version", "read",
        "inserted", "updated", "unchanged", "rejected"}]}``.

    Raises:
        StoreError: The store cannot be opened or is not a govhall store.
    """
    opened = open_store(target, read_only=True)
    backend = opened.backend
    try:
        halls = []
        for hall, county, name, zone in backend.execute(
            "SELECT hall, county, name, timezone FROM govhall.halls ORDER BY hall"
        ):
            counts = {
                key: int(
                    backend.execute(f"SELECT count(*) FROM {table} WHERE hall = ?", [hall])[0][0]
                )
                for key, table in (
                    ("cases", "govhall.cases"),
                    ("case_versions", "govhall.case_history"),
                    ("ratings", "govhall.ratings"),
                    ("findings", "govhall.findings"),
                    ("rectifications", "govhall.rectifications"),
                    ("imports", "govhall.imports"),
                )
            }
            counts["case_versions"] += counts["cases"]
            halls.append({"hall": hall, "county": county, "name": name, "timezone": zone, **counts})
        columns = (
            "import_id, hall, imported_at, source, govhall_version, read, inserted, updated, "
            "unchanged, rejected"
        )
        imports = [
            dict(zip([c.strip() for c in columns.split(",")], row, strict=True))
            for row in backend.execute(f"SELECT {columns} FROM govhall.imports ORDER BY import_id")
        ]
        for entry in imports:
            entry["imported_at"] = entry["imported_at"].isoformat() + "Z"
        return {
            "store": opened.display,
            "schema_version": schema_version(backend),
            "halls": halls,
            "imports": imports,
        }
    finally:
        opened.close()


def case_history(target: str, hall: str, case_id: str) -> list[dict[str, Any]]:
    """Return every stored version of one case, oldest first, the current one last.

    Each version: ``{"import_id", "file", "line", "current", "window", "item", "kind",
    "received_at", "status", "concluded_at", "visits", "staff", "pauses"}`` (times
    ISO 8601 with their offset).

    Raises:
        StoreError: The store cannot be opened or is not a govhall store.
    """
    opened = open_store(target, read_only=True)
    try:
        rows = opened.backend.execute(
            'SELECT import_id, file, line, replaced_by IS NULL, "window", item, kind, '
            "received_at, received_offset, status, concluded_at, concluded_offset, visits, "
            "staff, pauses FROM govhall.case_versions WHERE hall = ? AND case_id = ? "
            "ORDER BY import_id",
            [hall, case_id],
        )
    finally:
        opened.close()
    versions = []
    for row in rows:
        import_id, path, line, current, window, item, kind = row[:7]
        received, received_offset, status, concluded, concluded_offset = row[7:12]
        visits, staff, pauses = row[12:]
        versions.append(
            {
                "import_id": int(import_id),
                "file": path,
                "line": int(line),
                "current": bool(current),
                "window": window,
                "item": item,
                "kind": kind,
                "received_at": _iso(received, received_offset),
                "status": status,
                "concluded_at": None if concluded is None else _iso(concluded, concluded_offset),
                "visits": int(visits),
                "staff": staff,
                "pauses": pauses,
            }
        )
    return versions


def _iso(local: Any, offset: int) -> str:
    import datetime as dt

    zone = dt.timezone(dt.timedelta(seconds=int(offset)))
    return str(local.replace(tzinfo=zone).isoformat())
