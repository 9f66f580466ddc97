"""What the monthly report shows: :class:`MonthReport` and the pieces it is built from.

:meth:`govhall.session.HallSession.report` fills it from the SDK's own
engines, so nothing here counts, scores or schedules by itself: the KPIs come
from :func:`govhall.assessment.kpi.compute_kpis`, the ranking from the session's
:class:`govhall.assessment.scoring.Scorer` (the same as ``govhall score``), the timetable
from :class:`govhall.time.hours.OpeningHours`, due times from the session's
:class:`govhall.time.due_times.DueTimes` and overdue status from
:func:`govhall.assessment.lifecycle.is_overdue`. The data files are read once; only the
month's own cases and ratings are kept in memory (for the KPIs and the
follow-up lists), the rest streams through the scorer.

Follow-up lists (documented choices):

* overdue cases: promised cases whose due time falls in the month and that
  were not concluded by it (still open at the month's end, or concluded
  late) — the cases the scoring's overdue rule counts in the month;
* bad ratings: ratings given in the month at level 1 or 2 (不满意,
  非常不满意); a rating carries no applicant identity, and the report shows
  only the case id, window, level, time and channel.

The 好差评 section shows the month's bulletin
(:class:`govhall.assessment.workorders.Bulletin`, the same as ``govhall
ratings`` for the month): it is built from the ratings the scoring pass
reads (with their file and line), the rectifications of the month's ratings
and, only when a bad rating complains about the time a case took, a second
read of the cases for that check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govhall.errors import GovhallError
from govhall.records import BAD_LEVEL as BAD_LEVEL  # re-exported: defined once, with the levels

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.scoring import DueFunction, Month, MonthScores
    from govhall.assessment.workorders import Bulletin
    from govhall.config.schema import HallConfig
    from govhall.readers import ReadReport
    from govhall.records import Case, Rating
    from govhall.time.hours import HallTime, Span
    from govhall.time.workdays import DayInfo

_OPEN = frozenset({"accepted", "in_review"})
_OPEN_OR_DONE = frozenset({"accepted", "in_review", "concluded", "delivered"})


@dataclass(frozen=True, slots=True)
class OverdueCase:
    """A promised case that fell due in the month and was not concluded by then."""

    case_id: str
    window: str
    item: str
    received_at: dt.datetime
    due: dt.datetime
    concluded_at: dt.datetime | None
    status: str

    @property
    def open(self) -> bool:
        """True when the case is still open (accepted or in review): it awaits follow-up."""
        return self.status in _OPEN


@dataclass(frozen=True, slots=True)
class Cell:
    """One window on one day of the timetable."""

    spans: tuple[Span, ...]
    staggered: bool = False
    """错时: the window serves through the lunch gap on a working day."""
    duty: bool = False
    """值班: open on a rest day or holiday by its own schedule."""
    rota: bool = False
    """轮值: on the Sunday rota that day."""


@dataclass(frozen=True, slots=True)
class Week:
    """Opening hours of every window over seven days (Monday to Sunday)."""

    days: tuple[DayInfo, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    """``(window id, one cell per day)`` in the config's window order."""


@dataclass
class MonthReport:
    """Everything the monthly report shows, computed by the SDK's engines."""

    config: HallConfig
    month: Month
    kpis: Kpis
    scores: MonthScores
    week: Week
    overdue: list[OverdueCase]
    bad_ratings: list[Rating]
    read: ReadReport
    warnings: list[str] = field(default_factory=list)
    """Rulebook, calendar and scoring warnings, for the report's notes."""
    bulletin: Bulletin | None = None
    """The month's 好差评 bulletin (``None``: not computed, the section is left out)."""
    trend: dict[Month, Kpis] = field(default_factory=dict)
    """The KPIs of each month asked for as a trend (``HallSession.report(trend=...)``)."""

    @property
    def first_day(self) -> dt.date:
        """Return the month's first day."""
        return self.month.first_day

    @property
    def last_day(self) -> dt.date:
        """Return the month's last day."""
        return self.month.next().first_day - dt.timedelta(days=1)


def first_full_week(month: Month) -> dt.date:
    """Return the Monday of the month's first week that lies wholly inside it."""
    first = month.first_day
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def week_table(config: HallConfig, time: HallTime, monday: dt.date) -> Week:
    """Return every window's opening hours from ``monday`` to the Sunday after it."""
    hours = time.hours
    days = tuple(time.calendar.day(monday + dt.timedelta(days=n)) for n in range(7))
    rota = {info.date: set(hours.rota_windows(info.date)) for info in days}
    rows = []
    for window in config.windows:
        own = hours.config.windows.get(window.id)
        staggered = bool(own is not None and own.staggered)
        cells = []
        for info in days:
            spans = hours.intervals(window.id, info.date)
            on_rota = window.id in rota[info.date]
            cells.append(
                Cell(
                    spans,
                    staggered=bool(spans) and staggered and info.workday,
                    duty=bool(spans) and not info.workday and not on_rota,
                    rota=bool(spans) and on_rota,
                )
            )
        rows.append((window.id, tuple(cells)))
    return Week(days, tuple(rows))


def tap_cases(
    cases: Iterable[Case],
    first: dt.datetime,
    end: dt.datetime,
    due: DueFunction,
    month_cases: list[Case],
    overdue: list[OverdueCase],
) -> Iterator[Case]:
    """Pass every case on to the scorer; keep the month's cases and its overdue ones.

    ``due`` is the hall's due-time function; a case whose due time cannot be
    computed is passed on (the scorer rejects it with the reason).
    """
    from govhall.assessment.lifecycle import is_overdue

    for case in cases:
        if first <= case.received_at < end:
            month_cases.append(case)
        if case.kind == "promised" and case.status in _OPEN_OR_DONE and case.received_at < end:
            try:
                due_time = due(case)
            except GovhallError:
                pass  # the scorer rejects it with the reason, and the report lists that
            else:
                if first <= due_time < end and is_overdue(case.concluded_at, due_time, end):
                    overdue.append(
                        OverdueCase(
                            case.case_id,
                            case.window,
                            case.item,
                            case.received_at,
                            due_time,
                            case.concluded_at,
                            case.status,
                        )
                    )
        yield case


def tap_located(
    located: Iterable[tuple[str, int, Rating]],
    first: dt.datetime,
    end: dt.datetime,
    kept: list[tuple[str, int, Rating]],
) -> Iterator[Rating]:
    """Pass every rating on; keep ``(file, line, rating)`` of those given from ``first`` to ``end``.

    ``end`` is included: a rating given at that very moment still replaces an
    earlier one of the month under the repeated-rating rule, as in ``govhall
    ratings``, whose statuses are taken at the month's end.
    """
    for entry in located:
        rating = entry[2]
        if first <= rating.rated_at <= end:
            kept.append(entry)
        yield rating


def in_month(
    ratings: Iterable[Rating], first: dt.datetime, end: dt.datetime, kept: list[Rating]
) -> Iterator[Rating]:
    """Pass every rating on; keep those given from ``first`` up to ``end`` (excluded)."""
    for rating in ratings:
        if first <= rating.rated_at < end:
            kept.append(rating)
        yield rating
