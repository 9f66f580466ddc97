"""Due times and open minutes of many cases: the deadline rule, memoised for data runs.

A due time depends only on the day the case counts from (its receipt date and
whether it came after closing), the item's days, the case's kind and the
window, so :class:`DueTimes` computes it once per such key, not once per
case; cases with pauses are computed one by one. The KPIs' on-time rate and
the scoring's overdue rule both use it, so a case is late in one exactly when
it is late in the other.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from govhall.errors import GovhallError
from govhall.time.deadlines import business_minutes, closing_minute, deadline_on, normalise_pauses

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem
    from govhall.records import Case
    from govhall.time.hours import HallTime


class DueTimes:
    """Due times and open minutes of cases, memoised per (window, day, item, kind).

    Args:
        config: The hall config (its items give the promised days).
        time: The hall's calendar, hours and counting rule
            (:func:`govhall.time.hours.build_hall_time`; a session keeps one).
    """

    def __init__(self, config: HallConfig, time: HallTime) -> None:
        self.config = config
        self.time = time
        self._items = {item.id: item for item in config.items}
        self._due: dict[tuple[str, dt.date, str, str], tuple[int, dt.datetime, dt.datetime]] = {}
        self._clocks: dict[str, OpenClock] = {}

    def _item(self, case: Case) -> ServiceItem:
        item = self._items.get(case.item)
        if item is None:
            raise GovhallError(f"case {case.case_id!r}: no item {case.item!r} in the hall config")
        if case.kind != item.kind:
            # the case's own kind wins: an item may be handled at once this time
            update: dict[str, Any] = {"kind": case.kind}
            update["promised_days"] = None if case.kind == "immediate" else item.promised_days or 0
            item = item.model_copy(update=update)
        return item

    def due(self, case: Case) -> dt.datetime:
        """Return the case's due time (aware, hall zone)."""
        if case.pauses:
            return self._due_at(case, case.received_at, case.pauses)
        received = case.received_at
        key = (case.window, received.date(), case.item, case.kind)
        hit = self._due.get(key)
        if hit is None:
            hit = self._day_entry(case)
            self._due[key] = hit
        closing, before, after = hit
        return before if received.hour * 60 + received.minute < closing else after

    def _day_entry(self, case: Case) -> tuple[int, dt.datetime, dt.datetime]:
        day = case.received_at.date()
        closing = closing_minute(self.time, case.window, day)
        morning = dt.datetime.combine(day, dt.time())
        before = self._due_at(case, morning, ())
        if closing >= 24 * 60:
            return closing, before, before
        late = morning + dt.timedelta(minutes=closing)
        return closing, before, self._due_at(case, late, ())

    def _due_at(self, case: Case, received: dt.datetime, pauses: Any) -> dt.datetime:
        item = self._item(case)
        return deadline_on(self.time, self.config, item, received, pauses, window=case.window).due

    def open_minutes(self, case: Case) -> int:
        """Return the window's open minutes from receipt to conclusion (0 if not concluded)."""
        if case.concluded_at is None:
            return 0
        if case.pauses:
            start = self.time.local(case.received_at).replace(tzinfo=None)
            end = self.time.local(case.concluded_at).replace(tzinfo=None)
            spans = normalise_pauses(case.pauses)
            return business_minutes(self.time, case.window, start, end, spans)
        clock = self._clocks.get(case.window)
        if clock is None:
            clock = self._clocks[case.window] = OpenClock(self.time, case.window)
        return clock.between(case.received_at, case.concluded_at)


class OpenClock:
    """Open minutes of one window since a base day, for O(1) differences."""

    def __init__(self, time: HallTime, window: str) -> None:
        self.time = time
        self.window = window
        self.base: dt.date | None = None
        self.base_ordinal = 0
        self.days: list[tuple[int, tuple[tuple[int, int], ...]]] = []
        """Per day from ``base``: (open minutes before that day, that day's spans)."""

    def _extend_to(self, day: dt.date) -> None:
        if self.base is None or day < self.base:
            last = self.base + dt.timedelta(days=len(self.days) - 1) if self.base else day
            self.base = day - dt.timedelta(days=366)
            self.base_ordinal = self.base.toordinal()
            self.days = []
            day = max(day, last)
        total = self.days[-1][0] + _sum(self.days[-1][1]) if self.days else 0
        current = self.base + dt.timedelta(days=len(self.days))
        one = dt.timedelta(days=1)
        while current <= day:
            spans: tuple[tuple[int, int], ...] = ()
            if self.time.calendar.is_workday(current):
                spans = tuple((a, b) for a, b in self.time.hours.intervals(self.window, current))
            self.days.append((total, spans))
            total += _sum(spans)
            current += one

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Return open minutes from ``start`` to ``end`` (both hall-local)."""
        self.at(start)  # extend to both days first: extending may move the base
        self.at(end)
        return self.at(end) - self.at(start)

    def at(self, moment: dt.datetime) -> int:
        """Return open minutes from the base day to ``moment`` (hall-local time)."""
        index = moment.toordinal() - self.base_ordinal
        days = self.days
        if index < 0 or index >= len(days):
            self._extend_to(moment.date())
            days = self.days
            index = moment.toordinal() - self.base_ordinal
        before, spans = days[index]
        minute = moment.hour * 60 + moment.minute
        for a, b in spans:
            if minute <= a:
                break
            before += (b if minute > b else minute) - a
        return before


def _sum(spans: tuple[tuple[int, int], ...]) -> int:
    return sum(b - a for a, b in spans)
