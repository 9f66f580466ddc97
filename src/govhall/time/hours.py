"""Opening hours: which intervals each window is open on a given day.

A day's intervals for a window are resolved in this order:

1. the kind of day from the working calendar (:mod:`govhall.time.workdays`):
   ``workday`` (Monday–Friday and make-up working weekends, which therefore
   follow weekday hours), ``holiday`` (public-holiday rest days and hall
   closures), ``saturday`` or ``sunday`` (ordinary rest days);
2. the window's own schedule in force that day (``[hours.windows.<id>]``),
   for that kind of day; where it is unset, the hall's schedule
   (``[[hours.schedules]]``); a schedule is in force from ``since`` to
   ``until``, the latest ``since`` winning (summer/winter hours);
3. a staggered (错时) window serves through the gaps of its working day:
   one interval from its first opening to its last closing;
4. on an ordinary rest Sunday, the windows on the Sunday rota (轮值) that
   week add the rota's intervals.

The hours come from the config's ``[hours]`` merged over the county
plugin's (hooks ``govhall_opening_hours``, ``govhall_duty_rota``) or, when
the plugin is silent, the built-in default — an assumption, stated in its
``note``. Tables merge key by key; ``schedules`` arrays are joined rather
than replaced, since they are dated rules and the latest ``since`` wins.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govhall.errors import GovhallError, PluginError
from govhall.time.workdays import (
    WorkCalendar,
    YearArrangement,
    closures_by_day,
    package_arrangements,
)
from govhall.time_config import (
    CalendarConfig,
    Closure,
    HoursConfig,
    WeekSchedule,
    clock_minutes,
)

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.domain import DeadlineRule
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager

Span = tuple[int, int]
"""An open interval in minutes since local midnight, ``(510, 690)`` = 08:30–11:30."""

_DAY_KEY = {
    "workday": "workday",
    "holiday": "holiday",
    "closure": "holiday",
    "saturday": "saturday",
    "sunday": "sunday",
}


def format_clock(minutes: int) -> str:
    """Format minutes since midnight as ``"HH:MM"`` (``1440`` is ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _spans(intervals: Sequence[Sequence[str]]) -> tuple[Span, ...]:
    return _parsed_spans(tuple((a, b) for a, b in intervals))


@functools.lru_cache(maxsize=1024)
def _parsed_spans(intervals: tuple[tuple[str, str], ...]) -> tuple[Span, ...]:
    """Minutes of ``("HH:MM", "HH:MM")`` pairs, sorted (a handful of distinct schedules,
    asked for on every window-day)."""
    return tuple(sorted((clock_minutes(a), clock_minutes(b)) for a, b in intervals))


def _union(first: Sequence[Span], second: Sequence[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for start, end in sorted([*first, *second]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _in_force(schedules: Sequence[WeekSchedule], day: dt.date) -> WeekSchedule | None:
    best: WeekSchedule | None = None
    for schedule in schedules:
        # equal `since`: the later entry wins, so an override appended in config wins
        in_force = schedule.since <= day and (schedule.until is None or day <= schedule.until)
        if in_force and (best is None or schedule.since >= best.since):
            best = schedule
    return best


class OpeningHours:
    """Resolve window hours for a hall from its merged ``[hours]`` and calendar.

    Example:
        >>> from govhall.time_config import HoursConfig
        >>> hours = HoursConfig.model_validate(
        ...     {"schedules": [{"workday": [["08:30", "11:30"], ["14:00", "17:30"]]}]})
        >>> oh = OpeningHours(hours, WorkCalendar(package_arrangements()), ["tax"])
        >>> oh.intervals("tax", dt.date(2026, 10, 10))  # make-up Saturday
        ((510, 690), (840, 1050))
    """

    def __init__(self, hours: HoursConfig, calendar: WorkCalendar, windows: Sequence[str]):
        self.config = hours
        self.calendar = calendar
        self.windows = dict.fromkeys(windows)  # ordered, O(1) membership
        self._cache: dict[tuple[str, dt.date], tuple[Span, ...]] = {}
        rota = hours.rota
        # windows with hours of their own or a rota duty; every other window keeps the
        # hall's hours, so their intervals are worked out once a day for all of them
        self._own = {
            *hours.windows,
            *(w for duty in (rota.cycle if rota else []) for w in duty),
            *(w for duty in (rota.dates.values() if rota else []) for w in duty),
        }

    def intervals(self, window: str, day: dt.date) -> tuple[Span, ...]:
        """Return the window's open intervals on ``day``, in minutes, sorted and disjoint."""
        key = (window if window in self._own else "", day)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(window, day)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _resolve(self, window: str, day: dt.date) -> tuple[Span, ...]:
        kind = self.calendar.day(day).kind
        field = _DAY_KEY[kind]
        own = self.config.windows.get(window)
        chosen: Sequence[Sequence[str]] | None = None
        if own is not None:
            schedule = _in_force(own.schedules, day)
            if schedule is not None:
                chosen = getattr(schedule, field)
        if chosen is None:
            hall = _in_force(self.config.schedules, day)
            chosen = getattr(hall, field) if hall is not None else None
        spans = _spans(chosen or [])
        if kind == "workday" and own is not None and own.staggered and spans:
            spans = ((spans[0][0], spans[-1][1]),)
        if kind == "sunday" and window in self.rota_windows(day):
            rota = self.config.rota
            spans = _union(spans, _spans(rota.intervals if rota else []))
        return spans

    def rota_windows(self, day: dt.date) -> list[str]:
        """Return the windows on Sunday-rota duty on ``day`` (empty unless a Sunday)."""
        rota = self.config.rota
        if rota is None or day.weekday() != 6:
            return []
        explicit = rota.dates.get(day.isoformat())
        if explicit is not None:
            return list(explicit)
        if not rota.cycle or rota.anchor is None:
            return []
        weeks = (day - rota.anchor).days // 7
        return list(rota.cycle[weeks % len(rota.cycle)])

    def closing(self, window: str, day: dt.date) -> int | None:
        """Return the window's last closing minute on ``day``, or None if closed all day."""
        spans = self.intervals(window, day)
        return spans[-1][1] if spans else None

    def hall_closing(self, day: dt.date) -> int | None:
        """Return the closing minute of the hall's own schedule on ``day``."""
        schedule = _in_force(self.config.schedules, day)
        field = _DAY_KEY[self.calendar.day(day).kind]
        spans = _spans(getattr(schedule, field) or []) if schedule else ()
        return spans[-1][1] if spans else None

    def is_open(self, window: str, moment: dt.datetime) -> bool:
        """Return True when the window is open at the local naive ``moment``."""
        minute = moment.hour * 60 + moment.minute
        return any(a <= minute < b for a, b in self.intervals(window, moment.date()))

    def next_open(
        self, window: str, moment: dt.datetime, horizon_days: int = 400
    ) -> dt.datetime | None:
        """Return the next local opening after ``moment`` within ``horizon_days``, or None."""
        day = moment.date()
        # a moment inside a minute has passed that minute's opening: round up
        inside = 1 if moment.second or moment.microsecond else 0
        minute = moment.hour * 60 + moment.minute + inside
        for offset in range(horizon_days + 1):
            current = day + dt.timedelta(days=offset)
            for start, _ in self.intervals(window, current):
                if offset > 0 or start >= minute:
                    return dt.datetime.combine(current, dt.time()) + dt.timedelta(minutes=start)
        return None


@dataclass(frozen=True)
class HallTime:
    """Everything time-related about one hall: zone, calendar, hours and deadline rule."""

    zone: ZoneInfo
    calendar: WorkCalendar
    hours: OpeningHours
    rule: DeadlineRule
    note: str | None
    items: Mapping[str, ServiceItem] = field(default_factory=dict)
    tables: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Lookup tables derived from this setup (the batch deadlines' day tables), kept with it."""

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return ``moment`` as naive hall-local time (naive input is already local)."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def aware(self, local: dt.datetime) -> dt.datetime:
        """Attach the hall's zone to a naive local time."""
        return local.replace(tzinfo=self.zone)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(merged.get(key), Mapping) and isinstance(value, Mapping):
            merged[key] = _merge(merged[key], value)
        elif key == "schedules" and isinstance(merged.get(key), list):
            # dated rules layer: the config's schedules join the plugin's, latest `since` wins
            merged[key] = [*merged[key], *value]
        else:
            merged[key] = value
    return merged


def _validated(model: type[Any], data: Any, plugin: str, hook: str) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        from govhall.config.messages import describe_error, dotted_key

        first = exc.errors()[0]
        where = dotted_key(first["loc"]) or "the answer"
        raise PluginError(plugin, hook, f"{where}: {describe_error(first, model)}") from None


def _check_working_days_open(hours: HoursConfig) -> None:
    """Refuse a schedule whose working days have no opening interval.

    Deadlines fall due at a working day's closing time; with ``workday = []``
    there is none, and every due time would slide to the next midnight.

    Raises:
        GovhallError: A hall or window schedule sets ``workday = []``.
    """
    owners = [("hours.schedules", "the hall", hours.schedules)]
    owners += [
        (f"hours.windows.{window}.schedules", f"window {window!r}", own.schedules)
        for window, own in hours.windows.items()
    ]
    for key, owner, schedules in owners:
        for schedule in schedules:
            if schedule.workday == []:
                raise GovhallError(
                    f"{key}: workday = [] in the schedule since {schedule.since}: {owner} "
                    "would never open on a working day and no deadline could fall due; give "
                    "it opening intervals, or list the closed days in [[calendar.closures]]"
                )


def build_hall_time(config: HallConfig, manager: GovhallPluginManager) -> HallTime:
    """Assemble a hall's calendar, hours and rule from its config and plugins.

    Raises:
        GovhallError: Unknown time zone, or a plugin's answer is unusable.
    """
    from govhall.domain import DeadlineRule

    county = config.hall.county
    try:
        zone = ZoneInfo(config.hall.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise GovhallError(f"hall.timezone: unknown time zone {config.hall.timezone!r}") from None

    calendar = _calendar(config.calendar, manager, county)

    base: dict[str, Any] = {}
    for plugin, answer in manager.call_all_as("govhall_opening_hours", dict, county):
        base = dict(answer)
        _validated(HoursConfig, base, plugin, "govhall_opening_hours")
        break
    if "rota" not in base:
        for plugin, answer in manager.call_all_as("govhall_duty_rota", dict, county):
            base["rota"] = answer
            _validated(HoursConfig, base, plugin, "govhall_duty_rota")
            break
    merged = _merge(base, config.hours.model_dump(exclude_unset=True))
    hours = HoursConfig.model_validate(merged)
    _check_working_days_open(hours)

    rule = manager.call_first_as("govhall_deadline_rule", DeadlineRule, county) or DeadlineRule()
    changes = config.deadlines.model_dump(exclude_none=True)
    rule = replace(rule, **changes)
    window_ids = [window.id for window in config.windows]
    opening = OpeningHours(hours, calendar, window_ids)
    items = {item.id: item for item in config.items}
    return HallTime(zone, calendar, opening, rule, hours.note, items)


def _calendar(section: CalendarConfig, manager: GovhallPluginManager, county: str) -> WorkCalendar:
    arrangements = dict(_package_arrangements())
    for given in section.arrangements:
        source = given.source or "config [[calendar.arrangements]]"
        holidays = dict.fromkeys(given.holidays, "public holiday (config)")
        workdays = dict.fromkeys(given.workdays, "make-up working day (config)")
        arrangements[given.year] = YearArrangement(given.year, holidays, workdays, source)
    closures = list(section.closures)
    for plugin, answer in manager.call_all_as("govhall_extra_closures", list, county):
        for entry in answer:
            closures.append(_validated(Closure, entry, plugin, "govhall_extra_closures"))
    days = closures_by_day((c.date, c.until, c.reason) for c in closures)
    return WorkCalendar(
        arrangements, days, package_source=_package_source(), estimate=_estimated_holidays
    )


@functools.cache
def _estimated_holidays(year: int) -> dict[dt.date, str]:
    from govhall.time.workdays import estimated_holidays

    return estimated_holidays(year)


@functools.cache
def _package_arrangements() -> dict[int, YearArrangement]:
    return package_arrangements()


def _package_source() -> str:
    for arrangement in _package_arrangements().values():
        return arrangement.source
    return "chinese-calendar"
