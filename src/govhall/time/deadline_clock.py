"""A hall's deadline clock: the due time of one case in about a microsecond.

:func:`govhall.time.deadlines.due_at` answers one question from a config; a
program that asks many (a session, a data file read row by row) builds one
:class:`DeadlineClock` per hall from the hall's time setup
(:class:`~govhall.time.hours.HallTime`) and asks it instead. It counts by exactly
the rule of :mod:`govhall.time.deadlines` (``counted_from``, ``closing_minute``,
``WorkCalendar.nth_workday_after``) and returns equal answers, warnings and
errors included.

How it is fast: the rule depends on the receipt only through its local day
and whether its minute is before the window's closing time that day. For
each (window, time limit) the clock remembers, per day of receipt, that
closing minute and the two possible answers — the uncounted day, the aware
due time and the warnings — computed once by the reference functions. A
call is then a dictionary look-up, a comparison and one allocation of the
:class:`~govhall.time.deadlines.Deadline`. Pauses, ``now`` (progress) and an
explicit window other than the item's go through the general path, which
is the same rule step by step.

Example:
    >>> import datetime as dt
    >>> from govhall.config.load import load_config
    >>> from govhall.time.hours import build_hall_time
    >>> from govhall.plugins import get_plugin_manager
    >>> manager = get_plugin_manager()
    >>> config = load_config("configs/pinghu.toml", manager)
    >>> time = build_hall_time(config, manager)
    >>> clock = DeadlineClock(time, time.items)
    >>> clock.due("household-move", dt.datetime(2026, 9, 30, 10, 0)).isoformat()
    '2026-10-13T17:30:00+08:00'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from govhall.errors import LookupFailed
from govhall.time.deadlines import (
    Deadline,
    _set_values,
    closing_minute,
    counted,
    counted_from,
    normalise_pauses,
    with_progress,
)

if TYPE_CHECKING:
    from govhall.model import ServiceItem
    from govhall.records import Pause
    from govhall.time.hours import HallTime

_Answer = tuple[dt.date, dt.datetime, tuple[str, ...]]
"""The uncounted day, the aware due time and the warnings."""
_Day = tuple[int, _Answer, _Answer]
"""Closing minute of the receipt day, answer before it, answer at or after it."""
_Days = dict[int, _Day]
"""Receipt days (ordinals) of one (window, time limit)."""

_DATETIME = dt.datetime
_combine = dt.datetime.combine
_new = object.__new__
_NEVER = 1 << 30  # a closing minute no receipt reaches (receipt day always counts from itself)
_CACHE_LIMIT = 100_000  # remembered receipt days per (window, time limit) before starting over


class DeadlineClock:
    """Due times of one hall's cases, from its time setup, built once and asked often.

    Args:
        time: The hall's calendar, hours and rule (:func:`govhall.time.hours.build_hall_time`).
        items: The hall's service items by id (usually ``time.items``).
    """

    def __init__(self, time: HallTime, items: Mapping[str, ServiceItem]) -> None:
        self.time = time
        self._zone = time.zone
        self._services = dict(items)
        self._windows = time.hours.windows
        self._days: dict[tuple[str, int], _Days] = {}
        # per item: (id, default window, promised days, days counted by the calendar, days)
        self._items: dict[str, tuple[str, str, int, int, _Days]] = {}
        for key, service in self._services.items():
            days = (service.promised_days or 0) if service.kind == "promised" else 0
            count = days - 1 if time.rule.count_receipt_day and days > 0 else days
            if service.window in self._windows:
                table = self._days.setdefault((service.window, count), {})
                self._items[key] = (service.id, service.window, days, count, table)

    # -- public ------------------------------------------------------------------
    def due(
        self,
        item_id: str,
        received: dt.datetime,
        pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
        window: str | None = None,
    ) -> dt.datetime:
        """Return when a case of ``item_id`` received at ``received`` is due (aware, hall zone).

        ``received`` naive means hall-local time.

        Raises:
            LookupFailed: Unknown item or window.
            DeadlineInputError: A pause ends before it starts.
        """
        entry = self._items.get(item_id)
        if entry is None or pauses.__class__ is not tuple or pauses or window:
            return self.deadline(item_id, received, pauses, window).due
        tz = received.tzinfo
        if tz is not None and tz is not self._zone:
            received = received.astimezone(self._zone)
        day = entry[4].get(received.toordinal())
        if day is None:
            day = self._fill(entry[1], entry[3], entry[4], received.toordinal())
        if received.hour * 60 + received.minute < day[0]:
            return day[1][1]
        return day[2][1]

    def deadline(
        self,
        item: str | ServiceItem,
        received: dt.datetime,
        pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
        window: str | None = None,
        now: dt.datetime | None = None,
    ) -> Deadline:
        """Return the deadline :func:`govhall.time.deadlines.due_at` returns for the same case.

        Args:
            item: The service item's id (the fast path), or a service item.
            received: Receipt time; naive means hall-local time.
            pauses: Date spans (both ends included) when the clock stops.
            window: The window the case is handled at (default: the item's).
            now: When given, also compute elapsed/remaining business minutes and the status.

        Raises:
            LookupFailed: Unknown item or window.
            DeadlineInputError: A pause ends before it starts.
        """
        try:
            entry = self._items.get(item)  # type: ignore[arg-type]
        except TypeError:  # a service item (unhashable), not an id
            entry = None
        if entry is None or pauses.__class__ is not tuple or pauses or window:
            return self._general(item, received, pauses, window, now)
        item_id, window_id, days, count, table = entry
        tz = received.tzinfo
        if tz is None:
            if received.__class__ is _DATETIME:
                # received.replace(tzinfo=zone), fold included, at a sixth of the cost
                aware = _combine(received, received.time(), self._zone)
            else:
                aware = received.replace(tzinfo=self._zone)
        elif tz is self._zone:
            aware = received  # what due_at returns: astimezone to its own zone is the same time
        else:
            aware = received = received.astimezone(self._zone)
        ordinal = received.toordinal()
        day = table.get(ordinal)
        if day is None:
            day = self._fill(window_id, count, table, ordinal)
        start, due, warnings = day[1] if received.hour * 60 + received.minute < day[0] else day[2]
        deadline = _new(Deadline)
        _set_values(
            deadline,
            (
                item_id,
                window_id,
                aware,
                start,
                due,
                days,
                (),
                warnings,
                None,
                None,
                None,
                None,
                self.time,
            ),
        )
        if now is None:
            return deadline
        return with_progress(self.time, deadline, now)

    # -- the general path ----------------------------------------------------------
    def _general(
        self,
        item: str | ServiceItem,
        received: dt.datetime,
        pauses: Iterable[Pause | tuple[dt.date, dt.date]],
        window: str | None,
        now: dt.datetime | None,
    ) -> Deadline:
        """The rule of ``due_at`` step by step (pauses, another window, unknown ids, an item)."""
        time = self.time
        service = self._services.get(item) if isinstance(item, str) else item
        if service is None:
            known = ", ".join(entry.id for entry in self._services.values()) or "none"
            raise LookupFailed(f"no item with id {item!r} (known: {known})")
        window_id = window or service.window
        if window_id not in self._windows:
            known = ", ".join(self._windows) or "none"
            raise LookupFailed(f"no window with id {window_id!r} (known: {known})")
        spans = normalise_pauses(pauses)
        days = (service.promised_days or 0) if service.kind == "promised" else 0
        local = time.local(received)
        if not spans:
            count = days - 1 if time.rule.count_receipt_day and days > 0 else days
            table = self._days.setdefault((window_id, count), {})
            ordinal = local.toordinal()
            day = table.get(ordinal)
            if day is None:
                day = self._fill(window_id, count, table, ordinal)
            start, due, warnings = day[1] if local.hour * 60 + local.minute < day[0] else day[2]
        else:
            start = counted_from(time, window_id, local)
            count = days - 1 if time.rule.count_receipt_day and days > 0 else days
            due, warnings = self._answer(window_id, start, count, spans)
        return counted(time, service.id, window_id, local, start, due, days, spans, warnings, now)

    def _answer(
        self,
        window: str,
        start: dt.date,
        count: int,
        spans: tuple[tuple[dt.date, dt.date], ...] = (),
    ) -> tuple[dt.datetime, tuple[str, ...]]:
        """The aware due time and the warnings for a case counted from ``start``."""
        time = self.time
        calendar = time.calendar
        due_day = calendar.nth_workday_after(start, count, spans)
        due_local = dt.datetime.combine(due_day, dt.time()) + dt.timedelta(
            minutes=closing_minute(time, window, due_day)
        )
        settled = start.year == due_day.year and calendar.covered(start.year)
        warnings = () if settled else tuple(calendar.warnings(start, due_day))
        return time.aware(due_local), warnings

    def _fill(self, window: str, count: int, table: _Days, ordinal: int) -> _Day:
        """Work out and remember the answers for receipts on one day (``counted_from``'s rule)."""
        time = self.time
        calendar = time.calendar
        day = dt.date.fromordinal(ordinal)
        if not time.rule.after_hours_next_day:
            closing, before, after = _NEVER, day, day
        elif not calendar.is_workday(day):
            closing, before = -1, calendar.next_workday(day)
            after = before
        else:
            closing, before, after = (
                closing_minute(time, window, day),
                day,
                calendar.next_workday(day),
            )
        first: _Answer = (before, *self._answer(window, before, count))
        second: _Answer = first if after == before else (after, *self._answer(window, after, count))
        if len(table) >= _CACHE_LIMIT:
            table.clear()
        found: _Day = (closing, first, second)
        table[ordinal] = found
        return found
