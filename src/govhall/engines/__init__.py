"""Engines: where the large tables are counted (the engine counts, Python decides).

``rows`` streams records through Python (:func:`govhall.assessment.kpi.compute_kpis`);
``duckdb`` counts in DuckDB in this process; ``spark`` on Apache Spark. The
rules (calendar, hours, deadlines, rulebooks, plugins) stay in Python and
reach an engine as small tables (:mod:`govhall.engines.tables`); each measure
is one SQL definition (:mod:`govhall.engines.measures`) run by every engine,
and every engine gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govhall.engines.base import ENGINE_NAMES, Engine, EngineError
from govhall.engines.kpi import count_kpis
from govhall.engines.relations import DataRelations, relations_from_records

__all__ = [
    "AUTO_DUCKDB_BYTES",
    "ENGINE_NAMES",
    "DataRelations",
    "Engine",
    "EngineError",
    "choose_engine",
    "count_kpis",
    "open_engine",
    "relations_from_records",
]


AUTO_DUCKDB_BYTES = 8 * 1024 * 1024
"""``auto`` counts with DuckDB from this size of cases files on (about 90,000 cases).

Measured on a 2-core machine (bench/bench_engines.py, docs/engines.md): the
two are even at about 40,000-50,000 cases (DuckDB's fixed cost, the rule
tables and a connection, is about half a second); at 200,000 DuckDB takes
half the time of the rows engine, at 1,000,000 less than a third.
"""


def choose_engine(case_files: Sequence[Path]) -> str:
    """Return the engine ``auto`` means for these cases files: ``rows`` or ``duckdb``."""
    size = sum(path.stat().st_size for path in case_files if path.exists())
    return "duckdb" if size >= AUTO_DUCKDB_BYTES else "rows"


def open_engine(name: str, *, master: str | None = None, spark_session: Any = None) -> Engine:
    """Open a counting engine by name (``duckdb`` or ``spark``); close it when done.

    Args:
        name: ``duckdb`` or ``spark`` (``rows`` needs no engine).
        master: Spark master URL (spark only).
        spark_session: A running Spark session to reuse (spark only).

    Raises:
        EngineError: An unknown name, or the engine cannot start.
    """
    if name == "duckdb":
        from govhall.engines.duck import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from govhall.engines.spark import SparkEngine

        return SparkEngine(master, session=spark_session)
    raise EngineError(f"no engine {name!r} to open (engines: duckdb, spark; rows streams)")
