"""The KPIs counted by an engine: the same :class:`~govhall.assessment.kpi.Kpis` as ``rows``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govhall.assessment.kpi import SATISFIED_LEVEL, Kpis
from govhall.engines import measures
from govhall.engines.relations import DateSpan
from govhall.engines.tables import EPOCH_ORDINAL, RuleTables, build_rule_tables

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.engines.base import Engine
    from govhall.time.hours import HallTime


def rule_tables_for(
    engine: Engine, config: HallConfig, time: HallTime, span: DateSpan | None = None
) -> RuleTables | None:
    """Build the rule tables for the dates the registered relations name, and register them.

    ``span`` is used when known (records just read), else the engine's own
    ``span`` when it has one (the ``spark`` engine takes it from the Arrow
    tables it was handed, which saves a Spark job); else the engine is
    asked for the relations' first and last dates. ``None`` when there is no
    date at all (no cases and no ratings).
    """
    if span is None or span.first is None:
        span = getattr(engine, "span", None)
    if span is None:
        span = counted_span(engine)
    if span.first is None or span.last is None:
        return None
    tables = build_rule_tables(config, time, span.first, span.last, after=span.counting_from)
    engine.register(tables.as_dict())
    return tables


def counted_span(engine: Engine) -> DateSpan:
    """Return the dates the registered relations name, counted by ``engine`` (one query)."""
    span = DateSpan()
    row = engine.query(measures.bounds_sql())[0]
    for value in row:
        if value is not None:
            span.add(dt.date.fromordinal(int(value) + EPOCH_ORDINAL))
    for value in (row[1], row[4]):  # the last receipt, the last pause's end
        if value is not None:
            span.add(dt.date.fromordinal(int(value) + EPOCH_ORDINAL), counts_from=True)
    return span


def count_kpis(
    engine: Engine,
    config: HallConfig,
    time: HallTime,
    relations: Mapping[str, Any],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    span: DateSpan | None = None,
    satisfied_level: int = SATISFIED_LEVEL,
    tables: RuleTables | None = None,
    years: bool = True,
) -> tuple[Kpis, set[int]]:
    """Count the KPIs of ``relations`` on ``engine``; also return the years the cases name.

    Args:
        engine: An engine (:func:`govhall.engines.open_engine`).
        config: The hall config (items, windows).
        time: The hall's calendar, hours and counting rule (a session's ``time``).
        relations: ``case_rows``, ``case_pauses`` and ``rating_rows``
            (:mod:`govhall.engines.relations`), as Arrow tables or SQL.
        start: First day of receipt / rating (included), or ``None``.
        end: Last day (included), or ``None``.
        span: The dates the relations name, when already known.
        satisfied_level: Ratings at this level or above are satisfied (the county's).
        tables: The rule tables, when already built and registered (:func:`rule_tables_for`).
        years: Whether to ask for the years (one more query over every case, whatever the
            period); without, the set returned is empty.
    """
    engine.register(relations)
    kpis = Kpis(start=start, end=end)
    if tables is None:
        tables = rule_tables_for(engine, config, time, span)
    if tables is None:  # no dates at all: no cases, no ratings
        return kpis, set()
    # one query (one Spark job): the case counts, the ratings and the timing of concluded cases
    row = engine.query(measures.kpi_sql(tables.spans, start, end, satisfied_level))[0]
    cases, accepted, concluded, immediate, one, two, more, ratings, satisfied = row[:9]
    timed, on_time, minutes = row[9:]
    kpis.cases = int(cases or 0)
    kpis.accepted, kpis.concluded = int(accepted or 0), int(concluded or 0)
    kpis.immediate = int(immediate or 0)
    kpis.visits = {"1": int(one or 0), "2": int(two or 0), "3+": int(more or 0)}
    kpis.ratings, kpis.satisfied = int(ratings or 0), int(satisfied or 0)
    if int(timed or 0) != kpis.concluded:
        from govhall.engines.base import EngineError

        raise EngineError(
            f"{engine.name} engine: timed {timed} of {kpis.concluded} concluded cases "
            "(a window or date outside the rule tables)"
        )
    kpis.on_time, kpis.handling_minutes = int(on_time or 0), int(minutes or 0)
    if not years:
        return kpis, set()
    return kpis, years_named(engine)


def years_named(engine: Engine) -> set[int]:
    """The years the registered cases were received or concluded in: one query, unless the
    engine was told them with the relations (the ``spark`` engine, by DuckDB:
    :attr:`SparkEngine.years <govhall.engines.spark.SparkEngine.years>`)."""
    known: set[int] | None = getattr(engine, "years", None)
    if known is not None:
        return set(known)
    return {int(row[0]) for row in engine.query(measures.years_sql())}
