"""Deadlines and business minutes for arrays of cases, vectorised with numpy.

Same rule and answers as :func:`govhall.time.deadlines.due_at`, without a Python
loop per row: a table is built once per window over the span of days the
receipts need (a few thousand days at most, one Python step per *day*), then
every row is a handful of array lookups:

- ``cum[d]`` — running count of working days up to day ``d`` (included);
- ``work[k]`` — the day of the ``k+1``-th working day;
- ``close[d]`` — the window's closing minute on day ``d``.

A receipt on day ``d`` with a limit of ``n`` working days is due on
``work[cum[d] + n - 1]`` at ``close`` of that day. numpy is a runtime
dependency for this module only; the scalar API does not import it.

Times are ``datetime64`` values in hall-local time (no zone), as a hall's
case export has them; convert aware times first (``HallTime.local``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from govhall.errors import GovhallError
from govhall.time.deadlines import closing_minute, hall_time

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager
    from govhall.time.hours import HallTime

Int64Array = npt.NDArray[np.int64]
_EPOCH = np.datetime64("1970-01-01", "D")
_MAX_SPAN_DAYS = 40 * 366
_DAY = 1440


@dataclass(frozen=True)
class DayTable:
    """Per-day lookup arrays for one window over ``first`` .. ``first + len - 1``."""

    first: dt.date
    is_work: npt.NDArray[np.bool_]
    cum: Int64Array
    work: Int64Array
    next_work: Int64Array
    close: Int64Array
    starts: Int64Array
    ends: Int64Array
    open_before_day: Int64Array
    threshold: Int64Array
    due_stamp: Int64Array
    work_date: npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class BatchDeadlines:
    """Due times for an array of receipts (hall-local ``datetime64[m]``)."""

    due: npt.NDArray[np.datetime64]
    counted_from: npt.NDArray[np.datetime64]
    warnings: tuple[str, ...]


_MAX_TABLES = 32
"""Day tables kept per hall time setup (each is a few arrays of one row per day)."""


def day_table(time: HallTime, window: str, first: dt.date, days: int) -> DayTable:
    """Build (or reuse) the lookup arrays of ``window`` for ``days`` days from ``first``."""
    key = ("day_table", window, first, days)
    found: DayTable | None = time.tables.get(key)
    if found is not None:
        return found
    if days > _MAX_SPAN_DAYS:
        raise GovhallError(f"receipts span more than {_MAX_SPAN_DAYS} days: split the batch")
    one = dt.timedelta(days=1)
    dates = [first + one * i for i in range(days)]
    is_work = np.fromiter((time.calendar.is_workday(d) for d in dates), bool, days)
    cum = np.cumsum(is_work, dtype=np.int64)
    work = np.flatnonzero(is_work).astype(np.int64)
    # next working day strictly after each day (days past the last one point past the end)
    after = np.searchsorted(work, np.arange(days), side="right")
    next_work = np.append(work, days)[after]
    close = np.fromiter((closing_minute(time, window, d) for d in dates), np.int64, days)
    spans = [
        time.hours.intervals(window, d) if w else () for d, w in zip(dates, is_work, strict=True)
    ]
    width = max((len(s) for s in spans), default=0) or 1
    starts = np.zeros((days, width), np.int64)
    ends = np.zeros((days, width), np.int64)
    for row, day_spans in enumerate(spans):
        for col, (start, end) in enumerate(day_spans):
            starts[row, col], ends[row, col] = start, end
    per_day = (ends - starts).sum(axis=1)
    open_before_day = np.concatenate(([0], np.cumsum(per_day)))
    # a receipt at or after this minute is late (-1: every minute of a rest day is)
    threshold = np.where(is_work, close, -1)
    epoch_day = (first - dt.date(1970, 1, 1)).days
    due_stamp = (epoch_day + work) * _DAY + close[work]
    work_date = np.datetime64(first, "D") + work.astype("timedelta64[D]")
    table = DayTable(
        first, is_work, cum, work, next_work, close, starts, ends, open_before_day,
        threshold, due_stamp, work_date,
    )  # fmt: skip
    if len(time.tables) > _MAX_TABLES:
        time.tables.clear()
    time.tables[key] = table
    return table


def _as_minutes(values: Any, name: str) -> npt.NDArray[np.datetime64]:
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.datetime64):
        raise GovhallError(f"{name}: expected datetime64 values, got dtype {array.dtype}")
    minutes = array.astype("datetime64[m]", copy=False)
    if minutes.size and minutes.view(np.int64).min() == np.iinfo(np.int64).min:
        raise GovhallError(f"{name}: contains NaT (missing times)")
    return minutes


def _span(
    days: npt.NDArray[np.datetime64], margin: int
) -> tuple[dt.date, int, npt.NDArray[np.int64]]:
    low = days.min()
    first = low.astype(dt.date) - dt.timedelta(days=1)
    index = (days - np.datetime64(first, "D")).astype(np.int64)
    return first, int(index.max()) + margin + 2, index


def due_batch(
    config: HallConfig,
    received: Any,
    working_days: Any,
    *,
    window: str,
    manager: GovhallPluginManager,
    pause_start: Any = None,
    pause_end: Any = None,
) -> BatchDeadlines:
    """Return the due times of many receipts at one window, by the scalar rule.

    Args:
        config: The loaded hall config.
        received: Receipt times, ``datetime64`` in hall-local time.
        working_days: The time limit of each case (array or one integer); 0 = immediate.
        window: The window the cases are handled at.
        manager: The plugin manager the config was loaded with.
        pause_start: Optional first paused date per row (``datetime64[D]``, NaT = none).
        pause_end: Last paused date per row (included); needed with ``pause_start``.

    Raises:
        GovhallError: Non-datetime input, missing times, negative limits, unknown window.

    Example:
        >>> from govhall import get_plugin_manager, load_config
        >>> manager = get_plugin_manager()
        >>> config = load_config("configs/pinghu.toml", manager)
        >>> r = np.array(["2026-09-30T10:00"], dtype="datetime64[m]")
        >>> due_batch(config, r, 5, window="police", manager=manager).due
        array(['2026-10-13T17:30'], dtype='datetime64[m]')
    """
    time = hall_time(config, manager)
    config.window(window)
    moments = _as_minutes(received, "received")
    limits = np.broadcast_to(np.asarray(working_days, dtype=np.int64), moments.shape)
    if moments.size == 0:
        empty = np.array([], dtype="datetime64[m]")
        return BatchDeadlines(empty, empty.astype("datetime64[D]"), ())
    if limits.min() < 0:
        raise GovhallError("working_days: a time limit cannot be negative")
    has_pause = pause_start is not None
    pause_days = 0
    if has_pause:
        starts = np.broadcast_to(np.asarray(pause_start, "datetime64[D]"), moments.shape)
        ends = np.broadcast_to(np.asarray(pause_end, "datetime64[D]"), moments.shape)
        if (ends < starts).any():
            raise GovhallError("pause_end: a pause ends before it starts")
        lengths = (ends - starts).astype(np.int64)
        pause_days = int(np.nanmax(np.where(np.isnat(starts), 0, lengths))) + 1
    # integer minutes since the table's first day: plain int64 arithmetic from here on
    stamps = moments.view(np.int64)
    low, high = int(stamps.min()), int(stamps.max())
    first = dt.date(1970, 1, 1) + dt.timedelta(days=low // _DAY - 1)
    margin = int(limits.max()) * 3 // 2 + 40 + pause_days
    table = day_table(time, window, first, (high - low) // _DAY + margin + 3)
    offset = stamps - (first - dt.date(1970, 1, 1)).days * _DAY
    day = offset // _DAY
    count = limits - (limits > 0) if time.rule.count_receipt_day else limits
    # seen = working days up to the uncounted day; a late receipt moves it to the next one
    seen = table.cum.take(day)
    if time.rule.after_hours_next_day:
        seen += offset - day * _DAY >= table.threshold.take(day)
        ordinal = seen + count
    else:
        ordinal = seen + count + ((count == 0) & ~table.is_work.take(day))
    if has_pause:
        effective = table.work.take(seen - 1) if time.rule.after_hours_next_day else day
        ordinal = _skip_pauses(table, first, effective, seen, count, ordinal, starts, ends)
    due = table.due_stamp.take(ordinal - 1).view("datetime64[m]")
    if time.rule.after_hours_next_day:
        counted = table.work_date.take(seen - 1)
    else:
        counted = np.datetime64(first, "D") + day.astype("timedelta64[D]")
    low_day = counted.min().astype(dt.date)
    high_day = due.max().astype("datetime64[D]").astype(dt.date)
    return BatchDeadlines(due, counted, tuple(time.calendar.warnings(low_day, high_day)))


def _skip_pauses(
    table: DayTable,
    first: dt.date,
    effective: Int64Array,
    seen: Int64Array,
    count: Int64Array,
    ordinal: Int64Array,
    starts: npt.NDArray[np.datetime64],
    ends: npt.NDArray[np.datetime64],
) -> Int64Array:
    paused = ~np.isnat(starts)
    base = np.datetime64(first, "D")
    last = len(table.cum) - 1
    ps = np.clip(np.where(paused, (starts - base).astype(np.int64), 0), 0, last)
    pe = np.clip(np.where(paused, (ends - base).astype(np.int64), -1), -1, last)
    cum0 = np.concatenate(([0], table.cum))  # cum0[i] = working days before day i
    before = np.maximum(cum0[ps] - seen, 0)  # counted days after receipt, before the pause
    inside = np.maximum(cum0[pe + 1] - np.maximum(cum0[ps], seen), 0)
    immediate_inside = (count == 0) & (ps <= effective) & (effective <= pe)
    shifted = np.where((count > before) & (pe > effective), ordinal + inside, ordinal)
    shifted = np.where(immediate_inside, cum0[pe + 1] + 1, shifted)
    result: Int64Array = np.where(paused, shifted, ordinal)
    return result


def business_minutes_batch(
    config: HallConfig,
    start: Any,
    end: Any,
    *,
    window: str,
    manager: GovhallPluginManager,
) -> Int64Array:
    """Return the window's open minutes on working days between paired local times.

    Vectorised form of :func:`govhall.time.deadlines.business_minutes` (without
    pauses): split shifts count only their open intervals; negative where
    ``end`` is before ``start``.

    Raises:
        GovhallError: Non-datetime input, missing times, unknown window.
    """
    time = hall_time(config, manager)
    config.window(window)
    a = _as_minutes(start, "start")
    b = _as_minutes(end, "end")
    if a.size == 0:
        return np.array([], dtype=np.int64)
    low = min(int(a.view(np.int64).min()), int(b.view(np.int64).min()))
    high = max(int(a.view(np.int64).max()), int(b.view(np.int64).max()))
    first = dt.date(1970, 1, 1) + dt.timedelta(days=low // _DAY - 1)
    table = day_table(time, window, first, (high - low) // _DAY + 3)
    base = (first - dt.date(1970, 1, 1)).days * _DAY
    return _position(table, b.view(np.int64) - base) - _position(table, a.view(np.int64) - base)


def _position(table: DayTable, offset: Int64Array) -> Int64Array:
    """Open minutes from the table's first day up to each moment (minutes since that day)."""
    day = offset // _DAY
    minute = offset - day * _DAY
    result: Int64Array = table.open_before_day.take(day)
    for column in range(table.starts.shape[1]):
        start = table.starts[:, column].take(day)
        length = table.ends[:, column] - table.starts[:, column]
        # minutes of this interval already past: clip(minute - start, 0, length)
        past = np.subtract(minute, start, out=start)
        np.clip(past, 0, length.take(day), out=past)
        result += past
    return result
