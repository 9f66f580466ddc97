"""The large tables an engine counts: case rows, their pauses, and ratings.

An engine reads three relations (any source that gives these columns: Arrow
tables built here from a data folder's checked records, or a query on a
store):

``case_rows``: ``row_id`` (unique), ``win`` (window id), ``item``, ``kind``,
    ``status``, ``staff``, ``visits``, ``received_day`` and
    ``received_minute`` (the hall-local date as days since 1970-01-01 and
    minute of the day), ``concluded_day``, ``concluded_minute`` and
    ``concluded_us`` (the same for the conclusion, and its wall clock in
    microseconds, :func:`~govhall.engines.tables.wall_us`; null when not
    concluded), ``has_pauses`` (1 or 0), ``case_id`` (the case's own id, for
    evidence and follow-up lists), ``win_no`` and ``item_no`` (the window's
    and item's numbers, :class:`~govhall.engines.tables.KeyNumbers`; null for
    an id the hall config does not have).
``case_pauses``: ``row_id``, ``start_day``, ``end_day`` (both included).
``rating_rows``: ``case_id``, ``win``, ``staff``, ``level``, ``rated_day``,
    ``rated_us`` (the wall clock, :func:`~govhall.engines.tables.wall_us`), ``channel``.

:class:`DataRelations` builds them from records (the readers check every
row first, so every engine sees exactly the rows the ``rows`` engine counts)
and notes the span of dates the rule tables must cover. ``rating_rows`` holds
the ratings that count: a session hands over the ratings under the hall's
repeated-rating rule (:func:`govhall.assessment.workorders.counted_ratings`),
and the ``duckdb`` engine's fast scan of a folder applies the same rule in
SQL (:class:`govhall.readers.duck_scan.FolderScan`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from govhall.engines.tables import EPOCH_ORDINAL, wall_us

if TYPE_CHECKING:
    import pyarrow as pa

    from govhall.engines.tables import KeyNumbers
    from govhall.records import Case, Rating

CASE_RELATION = "case_rows"
PAUSE_RELATION = "case_pauses"
RATING_RELATION = "rating_rows"
CHUNK_ROWS = 500_000
"""Records turned into one Arrow record batch at a time."""


@dataclass
class DateSpan:
    """The dates a relation's rows name: what the rule tables must cover."""

    first: dt.date | None = None
    last: dt.date | None = None
    counting_from: dt.date | None = None
    """The latest date a case can count from (a receipt or a pause's end)."""

    def add(self, day: dt.date, *, counts_from: bool = False) -> None:
        """Widen the span to ``day``."""
        if self.first is None or day < self.first:
            self.first = day
        if self.last is None or day > self.last:
            self.last = day
        if counts_from and (self.counting_from is None or day > self.counting_from):
            self.counting_from = day


@dataclass
class DataRelations:
    """The case, pause and rating relations of a data run, as Arrow tables."""

    cases: pa.Table
    pauses: pa.Table
    ratings: pa.Table
    span: DateSpan = field(default_factory=DateSpan)

    def as_dict(self) -> dict[str, pa.Table]:
        """Return the relations by the names the measures' SQL uses."""
        return {
            CASE_RELATION: self.cases,
            PAUSE_RELATION: self.pauses,
            RATING_RELATION: self.ratings,
        }


def _case_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("row_id", pa.int64()),
            ("win", pa.string()),
            ("item", pa.string()),
            ("kind", pa.string()),
            ("status", pa.string()),
            ("staff", pa.string()),
            ("visits", pa.int64()),
            ("received_day", pa.int32()),
            ("received_minute", pa.int32()),
            ("concluded_day", pa.int32()),
            ("concluded_minute", pa.int32()),
            ("concluded_us", pa.int64()),
            ("has_pauses", pa.int32()),
            ("case_id", pa.string()),
            ("win_no", pa.int32()),
            ("item_no", pa.int32()),
        ]
    )


def relations_from_records(
    cases: Iterable[Case], ratings: Iterable[Rating], keys: KeyNumbers
) -> DataRelations:
    """Turn checked records into the engine's relations, chunk by chunk.

    Times are the records' own (aware, in the hall's zone), taken as their
    hall-local wall clock; ``keys`` numbers the windows and items
    (:meth:`KeyNumbers.of <govhall.engines.tables.KeyNumbers.of>` the hall config).
    """
    import pyarrow as pa

    schema = _case_schema()
    span = DateSpan()
    batches: list[pa.RecordBatch] = []
    names = schema.names
    columns: list[list[object]] = [[] for _ in names]
    (row_ids, wins, items, kinds, statuses, staffs, visits, r_days, r_minutes) = columns[:9]
    c_days, c_minutes, c_instants, paused, case_ids, win_nos, item_nos = columns[9:]
    window_no, item_no = keys.windows.get, keys.items.get
    pause_rows: tuple[list[int], list[int], list[int]] = ([], [], [])
    epoch = EPOCH_ORDINAL
    first = last = None

    def flush() -> None:
        arrays = [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        for values in columns:
            values.clear()

    for row_id, case in enumerate(cases, 1):
        received = case.received_at
        day = received.toordinal() - epoch
        if first is None or day < first:
            first = day
        if last is None or day > last:
            last = day
        row_ids.append(row_id)
        case_ids.append(case.case_id)
        wins.append(case.window)
        items.append(case.item)
        win_nos.append(window_no(case.window))
        item_nos.append(item_no(case.item))
        kinds.append(case.kind)
        statuses.append(case.status)
        staffs.append(case.staff)
        visits.append(case.visits)
        r_days.append(day)
        r_minutes.append(received.hour * 60 + received.minute)
        finished = case.concluded_at
        if finished is None:
            c_days.append(None)
            c_minutes.append(None)
            c_instants.append(None)
        else:
            c_days.append(finished.toordinal() - epoch)
            c_minutes.append(finished.hour * 60 + finished.minute)
            c_instants.append(wall_us(finished))
            span.add(finished.date())
        if case.pauses:
            paused.append(1)
            for pause in case.pauses:
                pause_rows[0].append(row_id)
                pause_rows[1].append(pause.start.toordinal() - epoch)
                pause_rows[2].append(pause.end.toordinal() - epoch)
                span.add(pause.start)
                span.add(pause.end, counts_from=True)
        else:
            paused.append(0)
        if len(row_ids) >= CHUNK_ROWS:
            flush()
    if row_ids or not batches:
        flush()
    if first is not None and last is not None:
        span.add(dt.date.fromordinal(first + epoch), counts_from=True)
        span.add(dt.date.fromordinal(last + epoch), counts_from=True)
    pauses = pa.table(
        {
            "row_id": pa.array(pause_rows[0], pa.int64()),
            "start_day": pa.array(pause_rows[1], pa.int32()),
            "end_day": pa.array(pause_rows[2], pa.int32()),
        }
    )
    return DataRelations(
        pa.Table.from_batches(batches, schema=schema), pauses, _ratings(ratings, span), span
    )


def _ratings(ratings: Iterable[Rating], span: DateSpan) -> pa.Table:
    import pyarrow as pa

    case_ids: list[str] = []
    wins: list[str] = []
    staffs: list[str | None] = []
    levels: list[int] = []
    days: list[int] = []
    instants: list[int] = []
    channels: list[str] = []
    epoch = EPOCH_ORDINAL
    for rating in ratings:
        case_ids.append(rating.case_id)
        wins.append(rating.window)
        staffs.append(rating.staff)
        levels.append(rating.level)
        days.append(rating.rated_at.toordinal() - epoch)
        instants.append(wall_us(rating.rated_at))
        channels.append(rating.channel)
    if days:
        span.add(dt.date.fromordinal(min(days) + epoch))
        span.add(dt.date.fromordinal(max(days) + epoch))
    return pa.table(
        {
            "case_id": pa.array(case_ids, pa.string()),
            "win": pa.array(wins, pa.string()),
            "staff": pa.array(staffs, pa.string()),
            "level": pa.array(levels, pa.int32()),
            "rated_day": pa.array(days, pa.int32()),
            "rated_us": pa.array(instants, pa.int64()),
            "channel": pa.array(channels, pa.string()),
        }
    )
