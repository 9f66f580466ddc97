"""Helpers of the store tests: writing data folders, dumping a store's tables."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from govhall.store import open_store

CASE_HEADER = [
    "case_id", "window", "item", "kind", "received_at", "status", "concluded_at", "visits",
    "staff", "pauses",
]  # fmt: skip
RATING_HEADER = ["case_id", "window", "staff", "level", "rated_at", "channel"]
FINDING_HEADER = ["date", "window", "staff", "rule", "count", "points"]
TABLES = ("halls", "cases", "case_history", "ratings", "findings")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def dump(target: str, *, imports: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every govhall table, sorted (an empty dict for no store)."""
    if target.endswith(".duckdb") and not Path(target).exists():
        return {}
    opened = open_store(target)
    try:
        if not opened.backend.has_schema():
            return {}
        tables = (*TABLES, "imports") if imports else TABLES
        return {
            table: sorted(opened.backend.execute(f"SELECT * FROM govhall.{table}"), key=repr)
            for table in tables
        }
    finally:
        opened.close()
