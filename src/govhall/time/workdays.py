"""The working calendar: which days are working days (工作日) in a hall.

Working days follow the State Council holiday arrangement (国务院办公厅
关于部分节假日安排的通知): public holidays are rest days, and some Saturdays
or Sundays are make-up working days (调休上班).

**Source: the ``chinese-calendar`` package** (``chinese_calendar``), not
``holidays``. Both carry holidays and make-up days for the published years,
but they differ on the one thing that matters most: a year whose
arrangement is not published. ``chinese-calendar`` holds exactly the
published notices (2004 to its latest release) as explicit date tables and
refuses any other year, so govhall knows which years are covered and warns
for the rest. ``holidays`` (``holidays.China``) *computes* any year from
rules — for 2027 it returns New Year, Spring Festival "observed" days and so
on with no make-up working days — which would silently treat an unpublished
year as settled. Its explicit tables also make the vectorised batch API a
plain array lookup. ``holidays`` serves as the independent check in the
tests (every date 2020–2026 must agree).

On top of the package, a hall config adds (``[calendar]``):

- ``[[calendar.arrangements]]``: a whole year's arrangement (next year's, as
  soon as the notice is out and before the package ships it); it replaces the
  package's data for that year;
- ``[[calendar.closures]]``: the hall's own extra rest days; county plugins
  add theirs through the hook ``govhall_extra_closures``.

**Corrections.** The package's data is checked against ``holidays``
(``holidays.China``) for every year it covers (``tests/test_workdays.py``);
where they differ, the State Council notice decides and govhall ships the
correction (:data:`CORRECTIONS`): 2005-12-31, a Saturday, was a make-up
working day for New Year 2006 (国务院办公厅关于2006年部分节假日安排的通知,
国办发明电〔2005〕35号), which ``chinese-calendar`` counts as a rest day.

**Years without a published notice.** The statutory public holidays are
fixed by law (《全国年节及纪念日放假办法》, as amended in 2024: 元旦 1 day,
春节 4 days (除夕 to 初三), 清明节 1, 劳动节 2, 端午节 1, 中秋节 1, 国庆节 3; a
holiday falling on a Saturday or Sunday is made up on a working day, 第六条).
For a year no notice covers, within :data:`ESTIMATE_YEARS` of the covered
span, govhall takes those days as rest days, the lunar dates computed by
``holidays.China``; the make-up working days of the future notice cannot be
known, so none are assumed. Such days are named "... (estimated)", and every
answer touching the year still carries a warning that says "estimated".
Further years count Monday–Friday as working days, with the same warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

DayKind = Literal["workday", "holiday", "closure", "saturday", "sunday"]
"""What kind of day a date is, for opening hours: a working day (weekday or
make-up weekend), a public-holiday rest day, a hall closure, or an ordinary
rest Saturday / Sunday."""

PACKAGE = "chinese-calendar"

ESTIMATE_YEARS = 5
"""How many years before and after the covered span get estimated holidays."""
CORRECTIONS: dict[dt.date, tuple[str, str]] = {
    dt.date(2005, 12, 31): (
        "workday",
        "New Year's Day (make-up working day; 国办发明电〔2005〕35号)",
    ),
}
"""Days the calendar package gets wrong, by the State Council notice: (kind, name)."""

_TABLE_FIRST = dt.date(2000, 1, 1)
_TABLE_LAST = dt.date(2069, 12, 31)


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one date."""

    date: dt.date
    kind: DayKind
    workday: bool
    name: str | None
    covered: bool


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's rest days and make-up working days, with where they come from."""

    year: int
    holidays: Mapping[dt.date, str]
    workdays: Mapping[dt.date, str]
    source: str


@dataclass
class _Table:
    """Running count of working days over a fixed span, for O(1) counting."""

    base: int
    cumulative: list[int] = field(default_factory=list)
    work_ordinals: list[int] = field(default_factory=list)


def package_arrangements() -> dict[int, YearArrangement]:
    """Return the arrangements ``chinese-calendar`` carries, by year."""
    import chinese_calendar  # type: ignore[import-untyped]

    version = getattr(chinese_calendar, "__version__", "")
    source = f"{PACKAGE} {version}".strip()
    holidays: dict[int, dict[dt.date, str]] = {}
    workdays: dict[int, dict[dt.date, str]] = {}
    for day, holiday in chinese_calendar.constants.holidays.items():
        holidays.setdefault(day.year, {})[day] = str(getattr(holiday, "value", holiday))
    for day, holiday in chinese_calendar.constants.workdays.items():
        name = getattr(holiday, "value", holiday)
        workdays.setdefault(day.year, {})[day] = f"{name} (make-up working day)"
    for day, (kind, name) in CORRECTIONS.items():
        holidays.get(day.year, {}).pop(day, None)
        workdays.get(day.year, {}).pop(day, None)
        target = workdays if kind == "workday" else holidays
        target.setdefault(day.year, {})[day] = name
    return {
        year: YearArrangement(year, holidays[year], workdays.get(year, {}), source)
        for year in sorted(holidays)
    }


def estimated_holidays(year: int) -> dict[dt.date, str]:
    """Return the statutory rest days of ``year`` by law, named "... (estimated)".

    See the module docstring: the holidays of 《全国年节及纪念日放假办法》 with
    weekend holidays made up on working days; no make-up working days.
    """
    import holidays

    statutory = holidays.country_holidays("CN", years=year)
    return {day: f"{name} (estimated)" for day, name in sorted(statutory.items())}


class WorkCalendar:
    """Working days of one hall: arrangements by year, plus the hall's closures.

    Build one with :func:`work_calendar` (package + config + plugins) or
    directly for tests.

    Example:
        >>> cal = WorkCalendar(package_arrangements())
        >>> cal.is_workday(dt.date(2026, 10, 10))  # make-up Saturday after National Day
        True
        >>> cal.nth_workday_after(dt.date(2026, 9, 30), 5)
        datetime.date(2026, 10, 13)
    """

    def __init__(
        self,
        arrangements: Mapping[int, YearArrangement],
        closures: Mapping[dt.date, str] | None = None,
        *,
        package_source: str = PACKAGE,
        estimate: Callable[[int], Mapping[dt.date, str]] | None = None,
    ) -> None:
        self.arrangements = dict(arrangements)
        self.closures = dict(closures or {})
        self.package_source = package_source
        self._holidays: dict[dt.date, str] = {}
        self._workdays: dict[dt.date, str] = {}
        for arrangement in self.arrangements.values():
            self._holidays.update(arrangement.holidays)
            self._workdays.update(arrangement.workdays)
        self._table: _Table | None = None
        self._estimate = estimate
        self._looked: set[int] = set(self.arrangements)
        self.estimated: set[int] = set()
        """Uncovered years whose statutory holidays were estimated (so far)."""
        known = sorted(self.arrangements)
        self._estimable = (
            range(known[0] - ESTIMATE_YEARS, known[-1] + ESTIMATE_YEARS + 1) if known else range(0)
        )

    def _look(self, year: int) -> None:
        """Estimate an uncovered year's holidays the first time it is asked about."""
        self._looked.add(year)
        if self._estimate is not None and year in self._estimable:
            for day, name in self._estimate(year).items():
                self._holidays.setdefault(day, name)
            self.estimated.add(year)

    def estimates(self, year: int) -> bool:
        """Return True when ``year`` is uncovered and its holidays are estimated."""
        if year not in self._looked:
            self._look(year)
        return year in self.estimated

    # -- single days -----------------------------------------------------------
    def covered(self, year: int) -> bool:
        """Return True when the year's holiday arrangement is known."""
        return year in self.arrangements

    def is_workday(self, day: dt.date) -> bool:
        """Return True when ``day`` is a working day of the hall.

        A :class:`datetime.datetime` is taken as its date.

        Raises:
            TypeError: ``day`` is not a date.
        """
        if type(day) is not dt.date:
            day = _as_date(day)
        if day.year not in self._looked:
            self._look(day.year)
        if day in self.closures or day in self._holidays:
            return False
        if day in self._workdays:
            return True
        return day.weekday() < 5

    def day(self, day: dt.date) -> DayInfo:
        """Describe ``day``: its kind, whether it is worked, its holiday name.

        Raises:
            TypeError: ``day`` is not a date.
        """
        if type(day) is not dt.date:
            day = _as_date(day)
        if day.year not in self._looked:
            self._look(day.year)
        covered = self.covered(day.year)
        if day in self.closures:
            return DayInfo(day, "closure", False, self.closures[day], covered)
        if day in self._holidays:
            return DayInfo(day, "holiday", False, self._holidays[day], covered)
        if day in self._workdays:
            return DayInfo(day, "workday", True, self._workdays[day], covered)
        weekday = day.weekday()
        if weekday == 5:
            return DayInfo(day, "saturday", False, None, covered)
        if weekday == 6:
            return DayInfo(day, "sunday", False, None, covered)
        return DayInfo(day, "workday", True, None, covered)

    def warning(self, year: int) -> str:
        """Return the warning for a year whose arrangement is not known."""
        known = sorted(self.arrangements)
        span = f"{known[0]}–{known[-1]}" if known else "no year"
        if self.estimates(year):
            counted = (
                f"{year} estimated: the statutory holidays of 全国年节及纪念日放假办法 are "
                "rest days (lunar dates computed), no make-up working days are known, "
                "other days Monday–Friday"
            )
        else:
            counted = f"{year} counted as Monday–Friday working days"
        return (
            f"no State Council holiday arrangement for {year} ({self.package_source} and the "
            f"config cover {span}): {counted}; add "
            f"[[calendar.arrangements]] year = {year} once it is published"
        )

    def warnings(self, first: dt.date, last: dt.date) -> list[str]:
        """Return one warning per uncovered year between two dates (both included)."""
        low, high = sorted((first, last))
        return [self.warning(y) for y in range(low.year, high.year + 1) if not self.covered(y)]

    # -- counting --------------------------------------------------------------
    def _counts(self) -> _Table:
        if self._table is None:
            # is_workday over day ordinals (a deployment builds one per hall: in numpy, about
            # 2 ms where a loop over the 25,567 days took 20-25 ms)
            import numpy as np

            for year in range(_TABLE_FIRST.year, _TABLE_LAST.year + 1):
                if year not in self._looked:
                    self._look(year)
            base, last = _TABLE_FIRST.toordinal(), _TABLE_LAST.toordinal()
            ordinals = np.arange(base, last + 1)
            # ordinal 1 (0001-01-01) was a Monday: weekday = (ordinal - 1) % 7
            work = (ordinals - 1) % 7 < 5
            for days, worked in (
                (self._workdays, True),
                ((*self.closures, *self._holidays), False),
            ):
                inside = [d.toordinal() - base for d in days if base <= d.toordinal() <= last]
                work[np.asarray(inside, dtype=np.int64)] = worked  # rest days win: set last
            table = _Table(base)
            table.cumulative = np.cumsum(work).tolist()
            table.work_ordinals = ordinals[work].tolist()
            self._table = table
        return self._table

    def _in_table(self, day: dt.date, n: int) -> bool:
        return day >= _TABLE_FIRST and day.year + n // 200 + 2 <= _TABLE_LAST.year

    def next_workday(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after ``day``."""
        return self.nth_workday_after(day, 1)

    def nth_workday_after(
        self, day: dt.date, n: int, pauses: Sequence[tuple[dt.date, dt.date]] = ()
    ) -> dt.date:
        """Return the ``n``-th working day after ``day`` (``day`` itself not counted).

        Working days inside a pause (start and end dates both included) are not
        counted. ``n = 0`` returns ``day`` if it is a counted working day, else
        the next one.

        Raises:
            ValueError: ``n`` is negative.
        """
        if n > 0 and not pauses:
            table = self._table or self._counts()
            index = day.toordinal() - table.base
            if 0 <= index < len(table.cumulative):
                position = table.cumulative[index] + n - 1
                if position < len(table.work_ordinals):
                    return dt.date.fromordinal(table.work_ordinals[position])
        if n < 0:
            raise ValueError(f"a number of working days cannot be negative: {n}")
        one = dt.timedelta(days=1)
        if n == 0:
            current = day
            while not self._counted(current, pauses):
                current += one
            return current
        current, left = day, n
        while left:
            current += one
            if self._counted(current, pauses):
                left -= 1
        return current

    def _counted(self, day: dt.date, pauses: Sequence[tuple[dt.date, dt.date]]) -> bool:
        if not self.is_workday(day):
            return False
        return not any(start <= day <= end for start, end in pauses)

    def count_workdays(
        self,
        start: dt.date,
        end: dt.date,
        pauses: Sequence[tuple[dt.date, dt.date]] = (),
    ) -> int:
        """Return the counted working days after ``start`` up to ``end`` (included).

        Zero when ``end <= start``.
        """
        if end <= start:
            return 0
        if not pauses and self._in_table(start, 0) and self._in_table(end, 0):
            table = self._counts()
            cum = table.cumulative
            return cum[end.toordinal() - table.base] - cum[start.toordinal() - table.base]
        one = dt.timedelta(days=1)
        total, day = 0, start + one
        while day <= end:
            total += self._counted(day, pauses)
            day += one
        return total

    def workday_flags(self, first: dt.date, days: int) -> list[bool]:
        """Return ``is_workday`` for ``days`` consecutive dates from ``first``."""
        one = dt.timedelta(days=1)
        return [self.is_workday(first + one * i) for i in range(days)]


def _as_date(day: object) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):  # a date subclass
        return dt.date(day.year, day.month, day.day)
    raise TypeError(f"expected a date, got {type(day).__name__}: {day!r}")


def closures_by_day(
    entries: Iterable[tuple[dt.date, dt.date | None, str]],
) -> dict[dt.date, str]:
    """Expand ``(first, last or None, reason)`` closures into one reason per day."""
    days: dict[dt.date, str] = {}
    one = dt.timedelta(days=1)
    for first, last, reason in entries:
        day = first
        while day <= (last or first):
            days[day] = reason
            day += one
    return days
