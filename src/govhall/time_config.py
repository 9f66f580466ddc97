"""Config sections for time: ``[calendar]``, ``[hours]`` and ``[deadlines]``.

These strict models are wired into :class:`govhall.HallConfig`. Each section
only *overrides*: values a section leaves unset come from the county plugin
(hooks ``govhall_opening_hours``, ``govhall_extra_closures``,
``govhall_deadline_rule``) and then from the built-in defaults
(:mod:`govhall.plugins.builtin`). Times of day are ``"HH:MM"`` strings in the hall's
local time; an interval is a two-string array ``["08:30", "11:30"]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from govhall.model import Identifier

if TYPE_CHECKING:
    pass

_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _clock(text: str) -> str:
    if not _CLOCK.match(text):
        raise ValueError(f"expected a time of day HH:MM (00:00–24:00), got {text!r}")
    return text


Clock = Annotated[
    str, AfterValidator(_clock), WithJsonSchema({"type": "string", "pattern": _CLOCK.pattern})
]
"""A time of day ``"HH:MM"`` (00:00–24:00)."""


def clock_minutes(text: str) -> int:
    """Return the minutes since midnight of ``"HH:MM"``."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _ordered(interval: list[str]) -> list[str]:
    if clock_minutes(interval[0]) >= clock_minutes(interval[1]):
        raise ValueError(f"an interval must start before it ends, got {interval[0]}–{interval[1]}")
    return interval


Interval = Annotated[list[Clock], Field(min_length=2, max_length=2), AfterValidator(_ordered)]
"""An opening interval ``["HH:MM", "HH:MM"]``, start before end."""

Intervals = list[Interval]


def _sorted_disjoint(intervals: Intervals | None) -> Intervals | None:
    if intervals is None:
        return None
    spans = sorted((clock_minutes(a), clock_minutes(b)) for a, b in intervals)
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start < end:
            raise ValueError("intervals of one day must not overlap")
    return intervals


DayIntervals = Annotated[Intervals | None, AfterValidator(_sorted_disjoint)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


# -- calendar -----------------------------------------------------------------
class Arrangement(_Section):
    """One year's State Council holiday arrangement (国务院办公厅 放假安排), given in config."""

    year: int = Field(ge=1949, le=2200, description="The calendar year the arrangement is for.")
    holidays: list[dt.date] = Field(
        description="Every rest day of the year's public holidays, weekend days inside a "
        "holiday period included (e.g. 2027-10-01 … 2027-10-07)."
    )
    workdays: list[dt.date] = Field(
        default_factory=list,
        description="Make-up working days (调休上班) that fall on a Saturday or Sunday.",
    )
    source: str | None = Field(
        default=None, description="The notice the dates come from, e.g. 国办发明电〔2026〕号."
    )

    @model_validator(mode="after")
    def _dates_in_year(self) -> Arrangement:
        for day in [*self.holidays, *self.workdays]:
            if day.year != self.year:
                raise ValueError(f"date {day} is not in year {self.year}")
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"date {min(both)} is both a holiday and a make-up working day")
        return self


class Closure(_Section):
    """A day (or run of days) the hall is closed although the calendar says it works."""

    date: dt.date = Field(description="First closed day.")
    until: dt.date | None = Field(
        default=None, description="Last closed day (included); unset for a single day."
    )
    reason: str = Field(min_length=1, description="Why the hall is closed (shown in answers).")

    @model_validator(mode="after")
    def _until_after(self) -> Closure:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"`until` ({self.until}) is before `date` ({self.date})")
        return self


class CalendarConfig(_Section):
    """The working calendar (``[calendar]``): package arrangement plus local changes."""

    arrangements: list[Arrangement] = Field(
        default_factory=list,
        description="Holiday arrangements the calendar package does not carry yet (next "
        "year's, once published) or corrects; a year given here replaces the package's.",
    )
    closures: list[Closure] = Field(
        default_factory=list,
        description="Extra closures of this hall (`[[calendar.closures]]`): rest days that "
        "do not count as working days; duty windows keep their holiday hours.",
    )


# -- hours --------------------------------------------------------------------
class WeekSchedule(_Section):
    """Opening intervals by kind of day, in force from ``since`` (to ``until``)."""

    since: dt.date = Field(
        default=dt.date(1990, 1, 1), description="First day this schedule applies."
    )
    until: dt.date | None = Field(
        default=None, description="Last day it applies (included); unset = open-ended."
    )
    workday: DayIntervals = Field(
        default=None,
        description="Intervals on working days: Monday–Friday and make-up working weekends.",
    )
    saturday: DayIntervals = Field(default=None, description="Intervals on rest Saturdays.")
    sunday: DayIntervals = Field(
        default=None, description="Intervals on rest Sundays (the rota adds its own)."
    )
    holiday: DayIntervals = Field(
        default=None,
        description="Intervals on public-holiday rest days and hall closures.",
    )

    @model_validator(mode="after")
    def _until_after(self) -> WeekSchedule:
        if self.until is not None and self.until < self.since:
            raise ValueError(f"`until` ({self.until}) is before `since` ({self.since})")
        return self


class WindowHours(_Section):
    """One window's departures from the hall's hours (``[hours.windows.<id>]``)."""

    schedules: list[WeekSchedule] = Field(
        default_factory=list,
        description="The window's own schedules; a kind of day they leave unset follows the "
        "hall's schedule.",
    )
    staggered: bool | None = Field(
        default=None,
        description="错时服务: the window serves through the gaps of the working-day "
        "schedule (lunch), from its first opening to its last closing.",
    )
    note: str | None = Field(default=None, description="Where these hours come from.")


class SundayRota(_Section):
    """Which windows serve which Sunday (轮值服务, ``[hours.rota]``)."""

    intervals: Intervals = Field(
        default_factory=list, description="Hours of a window on its rota Sunday."
    )
    anchor: dt.date | None = Field(
        default=None, description="A Sunday on which `cycle[0]` serves; needed with `cycle`."
    )
    cycle: list[list[Identifier]] = Field(
        default_factory=list,
        description="Windows on duty, Sunday by Sunday, repeating: `cycle[k]` serves k "
        "weeks after `anchor` (modulo the length).",
    )
    dates: dict[str, list[Identifier]] = Field(
        default_factory=dict,
        description='Explicit Sundays: `"2026-10-18" = ["tax"]` replaces the cycle that day.',
    )

    @model_validator(mode="after")
    def _check(self) -> SundayRota:
        if self.cycle and self.anchor is None:
            raise ValueError("a rota `cycle` needs an `anchor` Sunday")
        if self.anchor is not None and self.anchor.weekday() != 6:
            raise ValueError(f"the rota anchor {self.anchor} is not a Sunday")
        for text in self.dates:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"rota date {text!r} is not a date YYYY-MM-DD") from None
            if day.weekday() != 6:
                raise ValueError(f"rota date {text} is not a Sunday")
        return self


class HoursConfig(_Section):
    """Opening hours (``[hours]``): hall schedules, per-window overrides, the Sunday rota."""

    note: str | None = Field(
        default=None,
        description="Where the hall's hours come from, or the assumption they rest on.",
    )
    schedules: list[WeekSchedule] = Field(
        default_factory=list,
        description="The hall's schedules (`[[hours.schedules]]`). They join the county "
        "plugin's; on a given day the one with the latest `since` that covers the day "
        "applies (on a tie, the config's).",
    )
    windows: dict[Identifier, WindowHours] = Field(
        default_factory=dict, description="Per-window overrides, by window id."
    )
    rota: SundayRota | None = Field(default=None, description="The Sunday rota.")


class DeadlinesConfig(_Section):
    """How deadlines are counted (``[deadlines]``); unset keys follow the plugin's rule."""

    count_receipt_day: bool | None = Field(
        default=None,
        description="Count the day of receipt as day 1 (default false: 民法典 art. 201 "
        "does not count the first day).",
    )
    after_hours_next_day: bool | None = Field(
        default=None,
        description="A receipt after closing time or on a rest day counts as received on "
        "the next working day.",
    )
    due_soon_days: int | None = Field(
        default=None,
        ge=0,
        le=30,
        description="Status `due_soon` when at most this many counted working days remain "
        "before the due day.",
    )
