"""What the scorer and the monthly report need, counted by an engine.

The engine counts a few rows per month, window and staff
(:class:`~govhall.assessment.scoring.Counted`: receipts, ratings by level)
and lists what a score line or the report names one by one (overdue and
unconcluded case ids, bad ratings, and every rating id only when asked
for); the :class:`~govhall.assessment.scoring.Scorer` applies the rulebooks
to them in Python, exactly as it does to the records the ``rows`` engine
streams. Nothing here grows with the number of cases or ratings, except
the lists a score or report shows anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govhall.assessment.scoring import Counted, Month
from govhall.engines import measures
from govhall.engines.base import EngineError
from govhall.engines.tables import NAIVE_EPOCH, RuleTables, wall_us

if TYPE_CHECKING:
    from govhall.engines.base import Engine


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """A promised case that fell overdue in a month, as an engine lists it."""

    month: Month
    window: str
    staff: str | None
    case_id: str
    item: str
    status: str
    received_at: dt.datetime
    """To the minute (the engines keep a receipt's day and minute)."""
    concluded_at: dt.datetime | None
    due: dt.datetime


@dataclass(frozen=True, slots=True)
class RatingRow:
    """A rating as an engine lists it (no tags: the engines do not carry them)."""

    month: Month
    window: str
    staff: str | None
    case_id: str
    level: int
    rated_at: dt.datetime
    channel: str


@dataclass
class ScoreCounts:
    """The scorer's counts, with the overdue cases behind them in full."""

    counted: Counted = field(default_factory=Counted)
    overdue: list[OverdueRow] = field(default_factory=list)


def _month(number: int) -> Month:
    return Month(number // 100, number % 100)


def month_number(month: Month) -> int:
    """Return ``month`` as the rule calendar's ``month_no`` (``year * 100 + month``)."""
    return month.year * 100 + month.month


def wall_time(us: int, zone: dt.tzinfo) -> dt.datetime:
    """Return the hall-local moment whose wall clock is ``us`` (:func:`wall_us`'s inverse)."""
    return (NAIVE_EPOCH + dt.timedelta(microseconds=us)).replace(tzinfo=zone)


def count_scores(
    engine: Engine,
    tables: RuleTables,
    months: Sequence[Month],
    zone: dt.tzinfo,
    *,
    full_evidence: bool = False,
) -> ScoreCounts:
    """Count what the scorer needs for ``months`` on ``engine`` (relations and tables registered).

    Raises:
        EngineError: A case the rule tables cannot give a due time.
    """
    result = ScoreCounts()
    counted = result.counted
    numbers = [month_number(m) for m in months]
    for month_no, win, staff, cases, accepted, concluded in engine.query(
        measures.receipts_sql(numbers)
    ):
        counted.receipts.append(
            (_month(month_no), win, staff, int(cases), int(accepted or 0), int(concluded or 0))
        )
    for month_no, win, staff, case_id in engine.query(measures.unconcluded_sql(numbers)):
        counted.unconcluded.append((_month(month_no), win, staff, case_id))
    first = min(months)
    end = max(months).next()
    first_us = wall_us(dt.datetime.combine(first.first_day, dt.time()))
    end_us = wall_us(dt.datetime.combine(end.first_day, dt.time()))
    for row in engine.query(measures.overdue_sql(tables.spans, numbers, first_us, end_us)):
        month_no, win, staff, case_id, item, status, day, minute, concluded_us, due_us = row
        if due_us is None:
            raise EngineError(
                f"{engine.name} engine: case {case_id!r} has no due time "
                "(a window or date outside the rule tables)"
            )
        month = _month(month_no)
        counted.overdue.append((month, win, staff, case_id))
        received = NAIVE_EPOCH + dt.timedelta(days=int(day), minutes=int(minute))
        result.overdue.append(
            OverdueRow(
                month,
                win,
                staff,
                case_id,
                item,
                status,
                received.replace(tzinfo=zone),
                None if concluded_us is None else wall_time(int(concluded_us), zone),
                wall_time(int(due_us), zone),
            )
        )
    for month_no, win, level, count in engine.query(measures.rating_levels_sql(numbers)):
        counted.rating_levels.append((_month(month_no), win, int(level), int(count)))
    if full_evidence:
        for rating in list_ratings(engine, months, zone):
            evidence = f"rating:{rating.case_id}@{rating.rated_at.isoformat()}"
            counted.rating_ids.append((rating.month, rating.window, evidence))
    return result


def list_ratings(
    engine: Engine, months: Sequence[Month], zone: dt.tzinfo, *, most: int = 5
) -> list[RatingRow]:
    """List the ratings given in ``months`` at level ``most`` or below."""
    numbers = [month_number(m) for m in months]
    return [
        RatingRow(_month(month_no), win, staff, case_id, int(level), wall_time(int(us), zone), ch)
        for month_no, win, staff, case_id, level, us, ch in engine.query(
            measures.rating_list_sql(numbers, most)
        )
    ]
