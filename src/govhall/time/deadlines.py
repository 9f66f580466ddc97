"""Case deadlines: when a case is due, and how it stands (scalar API, no numpy).

The counting rule (:class:`DeadlineRule`):

- the day of receipt is not counted (民法典 art. 201); a time limit of N
  working days (行政许可法 art. 82) ends at the window's closing time on the
  N-th working day after the day of receipt;
- an immediate case (即办件, N = 0) is due at closing time the same day;
- a receipt after the window's closing time, or on a rest day, counts as
  received on the next working day (that day is then the uncounted day);
- working days inside a pause (补正, 特别程序; start and end dates both
  included) are not counted;
- elapsed and remaining business time are the window's open minutes on
  counted working days; the status is ``overdue`` after the due time,
  ``due_soon`` when at most ``due_soon_days`` counted working days remain
  before the due day, else ``on_track``.

Example: a 5-working-day item at a standard Pinghu window received
2026-09-30 10:00 is due 2026-10-13 17:30 +08:00 — 1–7 October are National
Day, 8 and 9 October count 1 and 2, the make-up Saturday 10 October counts
3, and 12 and 13 October count 4 and 5.

The vectorised form for arrays of receipts is :mod:`govhall.time.deadlines_batch`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, Literal

from govhall.domain import DeadlineRule as DeadlineRule  # re-exported: its old home
from govhall.errors import GovhallError

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager
    from govhall.records import Pause
    from govhall.time.hours import HallTime

Status = Literal["on_track", "due_soon", "overdue"]


class DeadlineInputError(GovhallError):
    """A deadline question cannot be answered: bad pause, unknown item or window."""


_DeadlineValues = tuple[
    str,
    str,
    dt.datetime,
    dt.date,
    dt.datetime,
    int,
    tuple[tuple[dt.date, dt.date], ...],
    tuple[str, ...],
    dt.datetime | None,
    int | None,
    int | None,
    "Status | None",
    "HallTime | None",
]

_DEADLINE_FIELDS = (
    "item",
    "window",
    "received",
    "counted_from",
    "due",
    "working_days",
    "pauses",
    "warnings",
    "now",
    "elapsed_minutes",
    "remaining_minutes",
    "status",
    "time",
)
_COMPARED = 12  # every field but ``time`` takes part in ==, hash and repr


class Deadline:
    """The due time of one case, with how it was counted.

    ``due`` and ``received`` are aware datetimes in the hall's zone. The
    progress fields are set when ``due_at`` was given ``now``.

    An immutable value: fields are read-only, two deadlines are equal when
    every field but ``time`` is equal, and :meth:`replace` returns a changed
    copy. The fields live in one tuple so that building a deadline costs one
    allocation (:class:`govhall.time.deadline_clock.DeadlineClock` builds one per call).
    """

    __slots__ = ("_values",)
    __match_args__ = _DEADLINE_FIELDS
    _values: _DeadlineValues

    def __init__(
        self,
        item: str,
        window: str,
        received: dt.datetime,
        counted_from: dt.date,
        due: dt.datetime,
        working_days: int,
        pauses: tuple[tuple[dt.date, dt.date], ...] = (),
        warnings: tuple[str, ...] = (),
        now: dt.datetime | None = None,
        elapsed_minutes: int | None = None,
        remaining_minutes: int | None = None,
        status: Status | None = None,
        time: HallTime | None = None,
    ) -> None:
        _set_values(
            self,
            (
                item,
                window,
                received,
                counted_from,
                due,
                working_days,
                pauses,
                warnings,
                now,
                elapsed_minutes,
                remaining_minutes,
                status,
                time,
            ),
        )

    @property
    def item(self) -> str:
        """Id of the service item."""
        return self._values[0]

    @property
    def window(self) -> str:
        """Id of the window the case is handled at."""
        return self._values[1]

    @property
    def received(self) -> dt.datetime:
        """Receipt time, aware, in the hall's zone."""
        return self._values[2]

    @property
    def counted_from(self) -> dt.date:
        """The uncounted day the time limit counts from."""
        return self._values[3]

    @property
    def due(self) -> dt.datetime:
        """Due time, aware, in the hall's zone."""
        return self._values[4]

    @property
    def working_days(self) -> int:
        """The time limit in working days (0 for an immediate item)."""
        return self._values[5]

    @property
    def pauses(self) -> tuple[tuple[dt.date, dt.date], ...]:
        """Sorted ``(start, end)`` pauses, both days included."""
        return self._values[6]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings, e.g. a year without a published holiday arrangement."""
        return self._values[7]

    @property
    def now(self) -> dt.datetime | None:
        """The moment progress was computed for, aware; None without ``now``."""
        return self._values[8]

    @property
    def elapsed_minutes(self) -> int | None:
        """Business minutes elapsed since receipt as of ``now``."""
        return self._values[9]

    @property
    def remaining_minutes(self) -> int | None:
        """Business minutes left until the due time as of ``now`` (negative when overdue)."""
        return self._values[10]

    @property
    def status(self) -> Status | None:
        """``on_track``, ``due_soon`` or ``overdue`` as of ``now``."""
        return self._values[11]

    @property
    def time(self) -> HallTime | None:
        """The hall's time setup the deadline was counted on (not compared)."""
        return self._values[12]

    @property
    def explanation(self) -> tuple[str, ...]:
        """Say how the due day was counted, one line per step (built on demand)."""
        if self.time is None:
            return ()
        local = self.time.local(self.received)
        due_day = self.time.local(self.due).date()
        return _explain(
            self.time, local, self.counted_from, due_day, self.working_days, self.pauses
        )

    def replace(self, **changes: Any) -> Deadline:
        """Return a copy with the given fields changed (as ``dataclasses.replace`` would).

        Raises:
            TypeError: A name is not a field.
        """
        unknown = set(changes) - set(_DEADLINE_FIELDS)
        if unknown:
            raise TypeError(f"Deadline has no field {sorted(unknown)[0]!r}")
        values: dict[str, Any] = dict(zip(_DEADLINE_FIELDS, self._values, strict=True))
        values.update(changes)
        return Deadline(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deadline) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values[:_COMPARED] == other._values[:_COMPARED]

    def __hash__(self) -> int:
        return hash(self._values[:_COMPARED])

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(_DEADLINE_FIELDS[:_COMPARED], self._values, strict=False)
        )
        return f"Deadline({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[Deadline], _DeadlineValues]:
        return (Deadline, self._values)


_set_values = Deadline.__dict__["_values"].__set__
"""Store a deadline's 13 field values, in field order, on ``object.__new__(Deadline)``
(bypasses the read-only ``__setattr__``; :mod:`govhall.time.deadline_clock` builds deadlines so)."""


def hall_time(config: HallConfig, manager: GovhallPluginManager) -> HallTime:
    """Build the hall's calendar, hours and counting rule from its config and plugins.

    A :class:`govhall.session.HallSession` builds this once and keeps it; call
    this directly only when you hold a manager and no session.
    """
    from govhall.time.hours import build_hall_time

    return build_hall_time(config, manager)


def normalise_pauses(
    pauses: Iterable[Pause | tuple[dt.date, dt.date]],
) -> tuple[tuple[dt.date, dt.date], ...]:
    """Return pauses as sorted ``(start, end)`` date pairs.

    Raises:
        DeadlineInputError: A pause ends before it starts.
    """
    spans = []
    for pause in pauses:
        if isinstance(pause, tuple):
            start, end = pause
        else:
            start, end = pause.start, pause.end
        if end < start:
            raise DeadlineInputError(f"pause {start}/{end} ends before it starts")
        spans.append((start, end))
    return tuple(sorted(spans))


def closing_minute(time: HallTime, window: str, day: dt.date) -> int:
    """Return the minute a case at ``window`` is due on ``day``: the window's closing.

    Falls back to the hall schedule's closing, then to midnight, when the
    window has no hours that day.
    """
    found = time.hours.closing(window, day)
    if found is None:
        found = time.hours.hall_closing(day)
    return 24 * 60 if found is None else found


def counted_from(time: HallTime, window: str, local: dt.datetime) -> dt.date:
    """Return the day a receipt at local time ``local`` counts from (the uncounted day)."""
    day = local.date()
    if not time.rule.after_hours_next_day:
        return day
    if not time.calendar.is_workday(day):
        return time.calendar.next_workday(day)
    minute = local.hour * 60 + local.minute
    closing = closing_minute(time, window, day)
    if minute >= closing:
        return time.calendar.next_workday(day)
    return day


def due_after(
    time: HallTime,
    window: str,
    local: dt.datetime,
    days: int,
    pauses: Sequence[tuple[dt.date, dt.date]] = (),
) -> tuple[dt.date, dt.datetime]:
    """Return the uncounted day and the naive local due time of a limit of ``days`` working days.

    The one counting rule for every time limit (a case's, a work order's
    stage): counting starts after :func:`counted_from` of ``local`` and ends
    at the window's closing time on the ``days``-th counted working day
    (``days`` = 0: closing time that day).
    """
    start = counted_from(time, window, local)
    count = days
    if time.rule.count_receipt_day and days > 0:
        count -= 1
    due_day = time.calendar.nth_workday_after(start, count, pauses)
    due_local = dt.datetime.combine(due_day, dt.time()) + dt.timedelta(
        minutes=closing_minute(time, window, due_day)
    )
    return start, due_local


def due_at(
    config: HallConfig,
    item: str | ServiceItem,
    received: dt.datetime,
    pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
    *,
    manager: GovhallPluginManager,
    window: str | None = None,
    now: dt.datetime | None = None,
) -> Deadline:
    """Return when a case of ``item`` received at ``received`` is due.

    This builds the hall's time setup on every call; for many calls open a
    session (:func:`govhall.open_hall`) and use its ``deadline``, or call
    :func:`deadline_on` with a time setup you keep.

    Args:
        config: The loaded hall config.
        item: The service item, or its id.
        received: Receipt time; naive means hall-local time.
        pauses: Date spans (both ends included) when the clock stops.
        window: The window the case is handled at (default: the item's).
        manager: The plugin manager the config was loaded with.
        now: When given, also compute elapsed/remaining business minutes and the status.

    Raises:
        LookupFailed: Unknown item or window.
        DeadlineInputError: A pause ends before it starts.

    Example:
        >>> from govhall import get_plugin_manager, load_config
        >>> manager = get_plugin_manager()
        >>> config = load_config("configs/pinghu.toml", manager)
        >>> d = due_at(config, "household-move", dt.datetime(2026, 9, 30, 10, 0), manager=manager)
        >>> d.due.isoformat(), d.working_days
        ('2026-10-13T17:30:00+08:00', 5)
    """
    return deadline_on(
        hall_time(config, manager), config, item, received, pauses, window=window, now=now
    )


def deadline_on(
    time: HallTime,
    config: HallConfig,
    item: str | ServiceItem,
    received: dt.datetime,
    pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
    *,
    window: str | None = None,
    now: dt.datetime | None = None,
) -> Deadline:
    """Return a case's deadline on an already built time setup (see :func:`due_at`).

    Raises:
        LookupFailed: Unknown item or window.
        DeadlineInputError: A pause ends before it starts.
    """
    if isinstance(item, str):
        found = time.items.get(item)
        service = found if found is not None else config.item(item)  # raises LookupFailed
    else:
        service = item
    window_id = window or service.window
    if window_id not in time.hours.windows:
        config.window(window_id)  # raises LookupFailed
    spans = normalise_pauses(pauses)
    days = (service.promised_days or 0) if service.kind == "promised" else 0
    local = time.local(received)
    start, due_local = due_after(time, window_id, local, days, spans)
    due_day = due_local.date()
    calendar = time.calendar
    settled = start.year == due_day.year and calendar.covered(start.year)  # the usual case
    warnings = () if settled else tuple(calendar.warnings(start, due_day))
    return counted(
        time, service.id, window_id, local, start, time.aware(due_local), days, spans, warnings, now
    )


def counted(
    time: HallTime,
    item: str,
    window: str,
    local: dt.datetime,
    start: dt.date,
    due: dt.datetime,
    days: int,
    spans: tuple[tuple[dt.date, dt.date], ...],
    warnings: tuple[str, ...],
    now: dt.datetime | None,
) -> Deadline:
    """Return the :class:`Deadline` of a case counted step by step (with progress at ``now``)."""
    deadline = Deadline(
        item=item,
        window=window,
        received=time.aware(local),
        counted_from=start,
        due=due,
        working_days=days,
        pauses=spans,
        warnings=warnings,
        time=time,
    )
    if now is None:
        return deadline
    return with_progress(time, deadline, now)


def _explain(
    time: HallTime,
    local: dt.datetime,
    start: dt.date,
    due_day: dt.date,
    days: int,
    pauses: Sequence[tuple[dt.date, dt.date]],
) -> tuple[str, ...]:
    lines = []
    if start != local.date():
        lines.append(f"received {local:%Y-%m-%d %H:%M} outside working hours: counts from {start}")
    if days == 0:
        lines.append(f"immediate: due at closing time on {due_day}")
    else:

        def counts(day: dt.date) -> bool:
            return time.calendar.is_workday(day) and not any(a <= day <= b for a, b in pauses)

        first_counts = time.rule.count_receipt_day
        counted = [start.isoformat()] if first_counts and counts(start) else []
        day = start
        one = dt.timedelta(days=1)
        while day < due_day:
            day += one
            if counts(day):
                counted.append(day.isoformat())
        how = f"from {start} (counted as day 1)" if first_counts else f"after {start} (not counted)"
        lines.append(f"{days} working days {how}: {', '.join(counted)}")
    for a, b in pauses:
        lines.append(f"paused {a}/{b}: working days inside not counted")
    return tuple(lines)


def business_minutes(
    time: HallTime,
    window: str,
    start: dt.datetime,
    end: dt.datetime,
    pauses: Sequence[tuple[dt.date, dt.date]] = (),
) -> int:
    """Return the window's open minutes on counted working days from ``start`` to ``end``.

    Both are naive hall-local times; negative when ``end`` is before ``start``.
    """
    if end < start:
        return -business_minutes(time, window, end, start, pauses)
    total = 0
    day = start.date()
    one = dt.timedelta(days=1)
    while day <= end.date():
        if time.calendar.is_workday(day) and not any(a <= day <= b for a, b in pauses):
            low = start.hour * 60 + start.minute if day == start.date() else 0
            high = end.hour * 60 + end.minute if day == end.date() else 24 * 60
            for a, b in time.hours.intervals(window, day):
                total += max(0, min(b, high) - max(a, low))
        day += one
    return total


def with_progress(time: HallTime, deadline: Deadline, now: dt.datetime) -> Deadline:
    """Return ``deadline`` with elapsed/remaining business minutes and status as of ``now``."""
    local_now = time.local(now)
    received = time.local(deadline.received)
    due = time.local(deadline.due)
    window, pauses = deadline.window, deadline.pauses
    elapsed = business_minutes(time, window, received, max(local_now, received), pauses)
    remaining = business_minutes(time, window, local_now, due, pauses)
    status: Status
    if local_now > due:
        status = "overdue"
    else:
        left = time.calendar.count_workdays(local_now.date(), due.date(), pauses)
        status = "due_soon" if left <= time.rule.due_soon_days else "on_track"
    return deadline.replace(
        now=time.aware(local_now),
        elapsed_minutes=elapsed,
        remaining_minutes=remaining,
        status=status,
    )
