"""The rules as small tables: what an engine counts the large tables (cases, ratings) against.

Python decides, the engine counts. Everything that is a rule (the working
calendar with its holidays and make-up days, each window's hours, the
counting rule, the items' time limits) is turned here into a few small
tables, a row per date or per window and date, built by the same functions
the ``rows`` engine calls (:func:`govhall.time.deadlines.counted_from`,
:func:`~govhall.time.deadlines.closing_minute`, the calendar, the hours). The
engine then only joins and adds whole numbers:

``rule_calendar`` (a row per date): ``day_no`` (days since 1970-01-01),
    ``year_no``, ``month_no`` (``year * 100 + month``), ``is_work`` (1 or 0),
    ``wd`` (working days on or before that date: a working-day ordinal, so
    "N working days later" is ``wd + N``).
``rule_workdays`` (a row per working day): ``wd``, ``day_no``.
``rule_window_days`` (a row per window and date): ``win`` (the window id),
    ``win_no`` (its number, :class:`KeyNumbers`), ``day_no``, ``closing``
    (the minute a case falls due that day), ``from_before`` / ``from_after``
    (the day a receipt before / at or after closing counts from),
    ``wd_before`` / ``wd_after`` and ``work_before`` / ``work_after`` (that
    day's ``wd`` and ``is_work``), ``due_us`` (closing time that day, as
    :func:`wall_us`), ``open_before`` (the window's open minutes on earlier
    days of the table) and the day's open intervals ``a1, b1, a2, b2, ...``
    (minutes after midnight; 0, 0 when fewer).
``rule_due`` (a row per window and working day): ``win_no``, ``wd``,
    ``due_us`` (the closing time of the window on that working day: what a
    case due on it must be concluded by).
``rule_items`` (a row per item): ``item``, ``item_no`` (its number,
    :class:`KeyNumbers`), ``n_immediate``, ``n_promised``: the working days
    counted after the day of receipt for a case of each kind (0: due the
    first counted day, as an immediate case).

Windows and items are joined on whole numbers, not on their ids: the
relations carry each case's ``win_no`` and ``item_no`` beside the ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from govhall.time.deadlines import closing_minute, counted_from

if TYPE_CHECKING:
    import pyarrow as pa

    from govhall.config.schema import HallConfig
    from govhall.time.hours import HallTime

EPOCH = dt.date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()
NAIVE_EPOCH = dt.datetime(1970, 1, 1)
ONE_MICROSECOND = dt.timedelta(microseconds=1)
MARGIN_DAYS = 31
"""Days added before and after the data's dates (a receipt's day before, a due day after)."""


def day_no(day: dt.date) -> int:
    """Return ``day`` as days since 1970-01-01 (the engines' day number)."""
    return day.toordinal() - EPOCH_ORDINAL


def wall_us(moment: dt.datetime) -> int:
    """Return a moment's hall-local wall clock as whole microseconds since 1970-01-01 00:00.

    Two times in the hall's zone compare as their wall clocks (Python compares
    datetimes that share a ``tzinfo`` so), and so do these numbers.
    """
    return (moment.replace(tzinfo=None) - NAIVE_EPOCH) // ONE_MICROSECOND


@dataclass(frozen=True)
class KeyNumbers:
    """The whole numbers an engine joins windows and items on.

    A window's number is its place among the hall config's windows (from 1),
    an item's its place among the items. The relations carry a case's
    numbers beside its ids (``win_no``, ``item_no``; null for an id the
    config does not have) and the rule tables are keyed by them: engines join
    whole numbers faster than text (Spark, 5,000,000 cases: about 0.9 s a
    join against 1.7 s on the window id).
    """

    windows: Mapping[str, int]
    """Window id → number."""
    items: Mapping[str, int]
    """Item id → number."""

    @classmethod
    def numbered(cls, windows: Iterable[str], items: Iterable[str]) -> KeyNumbers:
        """Number ``windows`` and ``items`` in the order given, from 1."""
        return cls(_numbers(windows), _numbers(items))

    @classmethod
    def of(cls, config: HallConfig) -> KeyNumbers:
        """Number the config's windows and items."""
        return cls.numbered((w.id for w in config.windows), (i.id for i in config.items))


def _numbers(ids: Iterable[str]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for key in ids:
        numbers.setdefault(key, len(numbers) + 1)
    return numbers


@dataclass(frozen=True, slots=True)
class RuleTables:
    """The small tables of one hall over a span of dates, as Arrow tables."""

    calendar: pa.Table
    workdays: pa.Table
    window_days: pa.Table
    due: pa.Table
    items: pa.Table
    spans: int
    """How many ``aN, bN`` interval columns ``window_days`` has."""

    def as_dict(self) -> dict[str, pa.Table]:
        """Return the tables by the names the measures' SQL uses."""
        return {
            "rule_calendar": self.calendar,
            "rule_workdays": self.workdays,
            "rule_window_days": self.window_days,
            "rule_due": self.due,
            "rule_items": self.items,
        }


def item_days(config: HallConfig, time: HallTime) -> list[tuple[str, int, int]]:
    """Return ``(item, n_immediate, n_promised)``: working days counted after receipt.

    A case's own kind wins over its item's (an item may be handled at once
    this time), as in :class:`govhall.time.due_times.DueTimes`: an immediate
    case counts no day after receipt, a promised one its item's promised
    days; a county that counts the day of receipt as day 1 counts one day
    fewer after it.
    """
    rows = []
    for item in config.items:
        days = item.promised_days or 0
        if time.rule.count_receipt_day and days > 0:
            days -= 1
        rows.append((item.id, 0, days))
    return rows


def build_rule_tables(
    config: HallConfig,
    time: HallTime,
    first: dt.date,
    last: dt.date,
    *,
    after: dt.date | None = None,
) -> RuleTables:
    """Build the rule tables from ``first`` to ``last``, and far enough on for every due day.

    Args:
        config: The hall config (windows and items).
        time: The hall's calendar, hours and counting rule.
        first: The earliest date in the data (a receipt, a pause).
        last: The latest date in the data (a conclusion, a pause's end).
        after: The latest date a case counts from (a receipt, a pause's end);
            the tables then reach beyond it by the longest time limit in working days.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    items = item_days(config, time)
    keys = KeyNumbers.of(config)
    longest = max((max(now, later) for _, now, later in items), default=0)
    start = first - dt.timedelta(days=MARGIN_DAYS)
    counting_from = max(after or last, last)
    end = max(last, counting_from) + dt.timedelta(days=MARGIN_DAYS)
    calendar = time.calendar
    # reach the working day that a case counted from the last date can fall due on
    one = dt.timedelta(days=1)
    ahead, probe = 0, counting_from
    while ahead < longest + 2:
        probe += one
        if calendar.is_workday(probe):
            ahead += 1
    end = max(end, probe + dt.timedelta(days=MARGIN_DAYS))

    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    work = [calendar.is_workday(day) for day in dates]
    numbers = [day_no(day) for day in dates]
    ordinals = []
    count = 0
    for is_work in work:
        count += is_work
        ordinals.append(count)
    calendar_table = pa.table(
        {
            "day_no": pa.array(numbers, pa.int32()),
            "year_no": pa.array([day.year for day in dates], pa.int32()),
            "month_no": pa.array([day.year * 100 + day.month for day in dates], pa.int32()),
            "is_work": pa.array([int(w) for w in work], pa.int32()),
            "wd": pa.array(ordinals, pa.int32()),
        }
    )
    workdays = pa.table(
        {
            "wd": pa.array([o for o, w in zip(ordinals, work, strict=True) if w], pa.int32()),
            "day_no": pa.array([d for d, w in zip(numbers, work, strict=True) if w], pa.int32()),
        }
    )
    days = {number: (o, int(w)) for number, o, w in zip(numbers, ordinals, work, strict=True)}
    window_days, spans = _window_days(config, time, keys, dates, days)
    items_table = pa.table(
        {
            "item": pa.array([i for i, _, _ in items], pa.string()),
            "item_no": pa.array([keys.items[i] for i, _, _ in items], pa.int32()),
            "n_immediate": pa.array([n for _, n, _ in items], pa.int32()),
            "n_promised": pa.array([n for _, _, n in items], pa.int32()),
        }
    )
    due = window_days.filter(pc.equal(window_days["is_work"], 1))
    due = pa.table({"win_no": due["win_no"], "wd": due["wd"], "due_us": due["due_us"]})
    window_days = window_days.drop_columns(["wd", "is_work"])
    return RuleTables(calendar_table, workdays, window_days, due, items_table, spans)


def _window_days(
    config: HallConfig,
    time: HallTime,
    keys: KeyNumbers,
    dates: list[dt.date],
    days: Mapping[int, tuple[int, int]],
) -> tuple[pa.Table, int]:
    """``rule_window_days``, with each day's own ``wd`` and ``is_work`` (for ``rule_due``);
    also how many open intervals a day has at most."""
    import pyarrow as pa

    names = (
        *("win", "win_no", "day_no", "closing", "from_before", "from_after"),
        *("wd_before", "work_before", "wd_after", "work_after", "due_us", "open_before"),
        *("wd", "is_work"),
    )
    rows: list[tuple[int | str | None, ...]] = []
    intervals: list[tuple[tuple[int, int], ...]] = []
    # a window's row for a day follows from the day and the window's hours that day,
    # which most windows share: each such pair is worked out once
    known: dict[tuple[dt.date, tuple[tuple[int, int], ...]], tuple[int | None, ...]] = {}
    opened: dict[tuple[tuple[int, int], ...], int] = {}  # open minutes of a day's intervals
    nothing = (None, None)
    on_days = [(day, day_no(day), *days[day_no(day)]) for day in dates]
    for window in config.windows:
        total = 0
        win_no = keys.windows[window.id]
        for day, number, wd, is_work in on_days:
            hours = time.hours.intervals(window.id, day)
            found = known.get((day, hours))
            if found is None:
                closing = closing_minute(time, window.id, day)
                morning = dt.datetime.combine(day, dt.time())
                late = morning + dt.timedelta(minutes=min(closing, 24 * 60 - 1))
                before = day_no(counted_from(time, window.id, morning))
                after = day_no(counted_from(time, window.id, late)) if closing < 24 * 60 else before
                due = wall_us(morning + dt.timedelta(minutes=closing))
                # a day the table does not hold (never, in practice) has no ordinal: its
                # cases cannot be timed, as when a join finds no row
                found = known[day, hours] = (
                    closing, before, after, *days.get(before, nothing), *days.get(after, nothing),
                    due,
                )  # fmt: skip
            rows.append((window.id, win_no, number, *found, total, wd, is_work))
            spans = hours if is_work else ()
            intervals.append(spans)
            minutes = opened.get(spans)
            if minutes is None:
                minutes = opened[spans] = sum(b - a for a, b in spans)
            total += minutes
    columns = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
    width = max(max((len(spans) for spans in intervals), default=0), 1)
    types = {"win": pa.string(), "due_us": pa.int64(), "open_before": pa.int64()}
    table = {name: pa.array(columns.get(name, ()), types.get(name, pa.int32())) for name in names}
    for index in range(width):
        table[f"a{index + 1}"] = pa.array(
            [s[index][0] if index < len(s) else 0 for s in intervals], pa.int32()
        )
        table[f"b{index + 1}"] = pa.array(
            [s[index][1] if index < len(s) else 0 for s in intervals], pa.int32()
        )
    return pa.table(table), width
