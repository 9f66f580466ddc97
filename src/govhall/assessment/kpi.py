"""Key performance indicators of a hall over a period (the counting rules below).

- accepted: cases not refused at intake (statuses ``accepted``, ``in_review``,
  ``concluded``, ``delivered``, ``withdrawn``);
- concluded: cases ``concluded`` or ``delivered``;
- completion rate = concluded / accepted;
- immediate: accepted cases of kind ``immediate`` (即办件);
  immediate rate = immediate / accepted;
- on-time rate = concluded cases concluded by their due time / concluded cases
  (due times from :func:`govhall.time.deadlines.due_at`: the item's promised days,
  or the same day for an immediate case, at the window's closing time);
- satisfaction rate = ratings at the satisfied level or above / ratings; the
  level is 3 (基本满意) unless the county says otherwise (hook
  ``govhall_satisfied_level``: Zhenhai counts 满意 only, level 4);
- visits: the share of concluded cases finished in at most one visit, two,
  and three or more (the survey's "最多跑一次" measure; a case with 0 visits,
  done online, counts as "1": at most one);
- average handling time: the window's open hours on counted working days
  between receipt and conclusion, averaged over concluded cases.

The period selects cases by the local date of receipt and ratings by the
local date of rating, both ends included.

A due time depends only on the day the case counts from (its receipt date and
whether it came after closing), the item's days and the window, so due times
are computed once per such key, not once per case; cases with pauses are
computed one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govhall.records import ACCEPTED_STATUSES, CONCLUDED_STATUSES, Case, Rating
from govhall.time.due_times import DueTimes, OpenClock

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager

SATISFIED_LEVEL = 3
"""Ratings at this level (基本满意) or above count as satisfied, unless the county says so."""
VISIT_BUCKETS = ("1", "2", "3+")
RATE_DIGITS = 4
"""Rates are rounded to 4 decimals in JSON (0.9976 = 99.76%)."""


@dataclass
class Kpis:
    """The counts behind every indicator; rates are derived from them."""

    start: dt.date | None = None
    end: dt.date | None = None
    cases: int = 0
    """Cases received in the period (any status)."""
    accepted: int = 0
    concluded: int = 0
    immediate: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    visits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VISIT_BUCKETS, 0))
    handling_minutes: int = 0
    """Open minutes between receipt and conclusion, summed over concluded cases."""

    @property
    def completion_rate(self) -> float | None:
        """Concluded / accepted, or ``None`` without accepted cases."""
        return _ratio(self.concluded, self.accepted)

    @property
    def immediate_rate(self) -> float | None:
        """Immediate / accepted."""
        return _ratio(self.immediate, self.accepted)

    @property
    def on_time_rate(self) -> float | None:
        """Concluded by the due time / concluded."""
        return _ratio(self.on_time, self.concluded)

    @property
    def satisfaction_rate(self) -> float | None:
        """Ratings at the satisfied level or above / ratings."""
        return _ratio(self.satisfied, self.ratings)

    @property
    def average_handling_hours(self) -> float | None:
        """Mean open hours from receipt to conclusion over concluded cases."""
        if not self.concluded:
            return None
        return self.handling_minutes / self.concluded / 60

    def visit_shares(self) -> dict[str, float | None]:
        """Share of concluded cases per visits bucket (1, 2, 3+)."""
        total = sum(self.visits.values())
        return {key: _rounded(_ratio(count, total)) for key, count in self.visits.items()}

    def combined(self, other: Kpis) -> Kpis:
        """Return the counts of ``self`` and ``other`` added up (rates follow from the sums).

        The period is this one's. Adding counts, not averaging rates, is how
        several halls' KPIs make one deployment's total.

        Example:
            >>> a = Kpis(accepted=10, concluded=9, on_time=9)
            >>> b = Kpis(accepted=90, concluded=81, on_time=72)
            >>> a.combined(b).on_time_rate
            0.9
        """
        visits = {key: self.visits.get(key, 0) + other.visits.get(key, 0) for key in VISIT_BUCKETS}
        return Kpis(
            start=self.start,
            end=self.end,
            cases=self.cases + other.cases,
            accepted=self.accepted + other.accepted,
            concluded=self.concluded + other.concluded,
            immediate=self.immediate + other.immediate,
            on_time=self.on_time + other.on_time,
            ratings=self.ratings + other.ratings,
            satisfied=self.satisfied + other.satisfied,
            visits=visits,
            handling_minutes=self.handling_minutes + other.handling_minutes,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``govhall kpi --json`` keys (rates as fractions), with their counts."""
        hours = self.average_handling_hours
        return {
            "accepted": self.accepted,
            "concluded": self.concluded,
            "completion_rate": _rounded(self.completion_rate),
            "immediate": self.immediate,
            "immediate_rate": _rounded(self.immediate_rate),
            "on_time_rate": _rounded(self.on_time_rate),
            "satisfaction_rate": _rounded(self.satisfaction_rate),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "cases": self.cases,
            "on_time": self.on_time,
            "ratings": self.ratings,
            "satisfied": self.satisfied,
            "visits": self.visit_shares(),
            "visit_counts": dict(self.visits),
            "average_handling_hours": None if hours is None else round(hours, 2),
        }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, RATE_DIGITS)


def compute_kpis(
    config: HallConfig,
    cases: Iterable[Case],
    ratings: Iterable[Rating] = (),
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    manager: GovhallPluginManager | None = None,
    times: DueTimes | None = None,
    progress: Callable[[int], None] | None = None,
    satisfied_level: int = SATISFIED_LEVEL,
) -> Kpis:
    """Count the KPIs of cases received and ratings given between ``start`` and ``end``.

    Case and rating times must be in the hall's zone, as the readers yield them.

    Args:
        config: The hall config (items give the promised days).
        cases: Cases, e.g. from :func:`govhall.readers.read_cases`.
        ratings: Ratings, e.g. from :func:`govhall.readers.read_ratings`.
        start: First day of the period (local date), or ``None`` for no bound.
        end: Last day of the period, included, or ``None``.
        manager: Plugin manager for calendar and hours (the config's own).
        times: Due times to reuse (a session keeps one); else built from
            ``manager``, which is then required.
        progress: Called with the number of cases seen every 100,000 cases.
        satisfied_level: The least rating level counted as satisfied (the
            county's ``govhall_satisfied_level``; a session passes it).

    Raises:
        GovhallError: A case names an item the config does not have.
    """
    kpis = Kpis(start=start, end=end)
    if times is None:
        if manager is None:
            raise TypeError("compute_kpis needs the manager the config was loaded with, or times")
        from govhall.time.hours import build_hall_time

        times = DueTimes(config, build_hall_time(config, manager))
    due = times.due
    open_minutes = times.open_minutes
    memo, day_entry, clocks = times._due, times._day_entry, times._clocks
    accepted_statuses = ACCEPTED_STATUSES
    concluded_statuses = CONCLUDED_STATUSES
    received_n = accepted = concluded = immediate = on_time = minutes = 0
    one = two = more = 0
    seen = 0
    for case in cases:
        seen += 1
        if progress is not None and seen % 100_000 == 0:
            progress(seen)
        if start is not None or end is not None:
            day = case.received_at.date()
            if (start is not None and day < start) or (end is not None and day > end):
                continue
        received_n += 1
        status = case.status
        if status not in accepted_statuses:
            continue
        accepted += 1
        if case.kind == "immediate":
            immediate += 1
        if status not in concluded_statuses:
            continue
        concluded += 1
        finished = case.concluded_at
        if finished is None:
            pass
        elif case.pauses:
            if finished <= due(case):
                on_time += 1
            minutes += open_minutes(case)
        else:
            # DueTimes.due and _OpenClock.at, inlined: this loop runs once per case
            received = case.received_at
            window = case.window
            key = (window, received.date(), case.item, case.kind)
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = day_entry(case)
            minute = received.hour * 60 + received.minute
            if finished <= (hit[1] if minute < hit[0] else hit[2]):
                on_time += 1
            clock = clocks.get(window)
            if clock is None:
                clock = clocks[window] = OpenClock(times.time, window)
            days = clock.days
            first = received.toordinal() - clock.base_ordinal
            last = finished.toordinal() - clock.base_ordinal
            if first < 0 or last >= len(days):
                minutes += clock.between(received, finished)
            else:
                # open minutes before each moment, as in _OpenClock.at
                start_open, spans = days[first]
                for a, b in spans:
                    if minute <= a:
                        break
                    start_open += (b if minute > b else minute) - a
                end_open, spans = days[last]
                end_minute = finished.hour * 60 + finished.minute
                for a, b in spans:
                    if end_minute <= a:
                        break
                    end_open += (b if end_minute > b else end_minute) - a
                minutes += end_open - start_open
        visits = case.visits
        if visits <= 1:
            one += 1
        elif visits == 2:
            two += 1
        else:
            more += 1
    kpis.cases, kpis.accepted, kpis.concluded = received_n, accepted, concluded
    kpis.immediate, kpis.on_time, kpis.handling_minutes = immediate, on_time, minutes
    kpis.visits = {"1": one, "2": two, "3+": more}
    for rating in ratings:
        if start is not None or end is not None:
            day = rating.rated_at.date()
            if (start is not None and day < start) or (end is not None and day > end):
                continue
        kpis.ratings += 1
        if rating.level >= satisfied_level:
            kpis.satisfied += 1
    return kpis
