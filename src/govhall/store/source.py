"""A store as a source of records for a session: the same methods as a data folder.

:class:`StoreSource` yields one hall's cases, ratings and findings from a
store, checked against the hall config as the folder readers check rows
(a case whose window or item the config no longer has is rejected, with
its provenance). :func:`open_source` resolves a ``--data`` value: a store,
or a folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.problems import Problem
from govhall.readers.report import FileSummary, ReadReport
from govhall.readers.rows import parse_pauses
from govhall.records import Case, Finding, Rating, Rectification
from govhall.store.backends import StoreError, is_database_error, is_store_target, redact
from govhall.store.open import open_store

if TYPE_CHECKING:
    from govhall.readers.folder import DataFolder
    from govhall.store.backends import Backend


class HallNotInStore(StoreError):
    """The store holds no records of the hall asked for."""


class StoreSource:
    """One hall's records in a store, as a session reads them.

    Args:
        target: A ``.duckdb`` path or a ``postgresql://`` URL.
        hall: The hall id whose records to read.

    Raises:
        StoreError: The store cannot be opened, is not a govhall store, or
            holds no data for ``hall``.
    """

    def __init__(self, target: str | Path, hall: str) -> None:
        self.target = str(target)
        self.hall = hall
        opened = open_store(self.target, read_only=True)
        try:
            halls = [row[0] for row in opened.backend.execute("SELECT hall FROM govhall.halls")]
        finally:
            opened.close()
        self.notes = opened.notes
        if hall not in halls:
            known = ", ".join(sorted(halls)) or "none"
            raise HallNotInStore(
                f"{opened.display}: the store holds no data for hall {hall!r} "
                f"(halls: {known}); import it with govhall ingest"
            )

    def __repr__(self) -> str:
        return f"StoreSource({redact(self.target)!r}, {self.hall!r})"

    def __str__(self) -> str:
        return f"{redact(self.target)}, hall {self.hall}"

    def files(self, kind: str) -> list[Path]:
        """Return no files: a store is not made of files (no progress by file size)."""
        return []

    def summary(self, kind: str, report: ReadReport) -> FileSummary:
        """Return the counts of ``kind`` (cases, ratings ...) in ``report``, started if new.

        A store's rows are counted under one name per kind and hall, as a
        folder's are counted per file.
        """
        name = f"{kind} of hall {self.hall} in {redact(self.target)}"
        summary = report.files.get(name)
        if summary is None:
            summary = report.files[name] = FileSummary(name)
        return summary

    def _rows(
        self,
        kind: str,
        sql: str,
        report: ReadReport,
        *,
        located: int | None = None,
        params: Sequence[Any] | None = None,
    ) -> Iterator[tuple[Callable[[str], None], tuple[Any, ...]]]:
        """Yield each row with a function that rejects it (counted in ``report``).

        ``located``: the column holding the file a row was imported from; a
        later step that rejects the row by that file finds this count
        (:meth:`ReadReport.summary_of`).
        """
        summary = self.summary(kind, report)
        name = summary.path
        opened = open_store(self.target, read_only=True)
        backend: Backend = opened.backend
        rejected = False

        def reject(message: str) -> None:
            nonlocal rejected
            rejected = True
            summary.rejected += 1
            report.add_problem(Problem("error", message, file=name))

        try:
            for row in backend.stream(sql, params or [self.hall]):
                summary.read += 1
                if located is not None:
                    report.counted_in[row[located]] = name
                rejected = False
                yield reject, row
                if not rejected:
                    summary.used += 1
        except Exception as exc:
            if is_database_error(exc):
                raise StoreError(f"{opened.display}: reading the {kind} failed: {exc}") from exc
            raise
        finally:
            opened.close()

    def cases(
        self,
        tz: dt.tzinfo,
        report: ReadReport,
        *,
        windows: Collection[str] | None = None,
        items: Collection[str] | None = None,
        ids: Collection[str] | None = None,
    ) -> Iterator[Case]:
        """Yield the hall's stored cases (their latest versions), by case id.

        ``ids``: only the cases of these ids are read (and counted in ``report``).
        """
        only = ""
        params: list[Any] = [self.hall]
        if ids is not None:  # as parameters: an id may hold any character
            wanted = sorted(ids)
            only = f" AND case_id IN ({', '.join('?' * len(wanted))})" if wanted else " AND FALSE"
            params += wanted
        sql = (
            'SELECT case_id, "window", item, kind, received_at, received_offset, status, '
            "concluded_at, concluded_offset, visits, staff, pauses, file, line "
            f"FROM govhall.cases WHERE hall = ?{only} ORDER BY case_id"
        )
        moment = _moments(tz)
        for reject, row in self._rows("cases", sql, report, params=params):
            (case_id, window, item, kind, received, received_offset, status) = row[:7]
            concluded, concluded_offset, visits, staff, pauses, path, line = row[7:]
            problem = case_problem(case_id, window, item, path, line, windows, items)
            if problem is not None:
                reject(problem)
                continue
            yield Case(
                case_id,
                window,
                item,
                kind,
                moment(received, received_offset),
                status,
                None if concluded is None else moment(concluded, concluded_offset),
                int(visits),
                staff,
                parse_pauses(pauses) if pauses else (),
            )

    def ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Rating]:
        """Yield the hall's stored ratings, every one (keys are unique, orphans were refused).

        A session counts them under the hall's repeated-rating rule, as it
        counts a folder's (:func:`govhall.assessment.workorders.counted_ratings`).
        """
        for _, _, rating in self.located_ratings(tz, report, windows=windows):
            yield rating

    def located_ratings(
        self,
        tz: dt.tzinfo,
        report: ReadReport,
        *,
        windows: Collection[str] | None = None,
        around: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> Iterator[tuple[str, int, Rating]]:
        """Yield ``(file, line, rating)``: each stored rating with where it was imported from.

        The 好差评 bulletin names repeated ratings by these, as it names a
        data folder's rows. ``around`` (``first``, ``end``: aware times)
        reads only the ratings given within a day of that span, by their wall
        clock (the caller picks the exact span; the rest are neither read nor
        counted in ``report``).
        """
        near = ""
        params: list[Any] = [self.hall]
        if around is not None:
            day = dt.timedelta(days=1)
            near = " AND rated_at >= ? AND rated_at < ?"
            params += [around[0].replace(tzinfo=None) - day, around[1].replace(tzinfo=None) + day]
        sql = (
            'SELECT case_id, "window", staff, level, rated_at, rated_offset, channel, tags, '
            f"file, line FROM govhall.ratings WHERE hall = ?{near} ORDER BY "
            # the same wall clock twice (a summer-time change): the earlier instant first
            "case_id, channel, rated_at, rated_offset DESC"
        )
        moment = _moments(tz)
        for reject, row in self._rows("ratings", sql, report, params=params):
            case_id, window, staff, level, rated, offset, channel, tags, path, line = row
            if windows is not None and window not in windows:
                reject(rating_problem(case_id, window, path, line))
                continue
            found = tuple(tags.split(";")) if tags else ()
            rating = Rating(
                case_id, window, staff, int(level), moment(rated, offset), channel, found
            )
            yield path, int(line), rating

    def rectifications(
        self, tz: dt.tzinfo, report: ReadReport
    ) -> Iterator[tuple[str, int, Rectification]]:
        """Yield ``(file, line, record)`` for the hall's stored work-order progress rows.

        ``file`` and ``line`` are where the row was imported from, as a data
        folder names them.
        """
        sql = (
            "SELECT case_id, channel, rated_at, rated_offset, verified_at, verified_offset, "
            "rectified_at, rectified_offset, replied_at, replied_offset, outcome, file, line "
            "FROM govhall.rectifications WHERE hall = ? ORDER BY file, line"
        )
        moment = _moments(tz)
        for _, row in self._rows("rectifications", sql, report, located=11):
            case_id, channel, rated, rated_offset = row[:4]
            verified, rectified, replied = (
                None if row[at] is None else moment(row[at], row[at + 1]) for at in (4, 6, 8)
            )
            outcome, path, line = row[10:]
            record = Rectification(
                case_id,
                channel,
                moment(rated, rated_offset),
                verified,
                rectified,
                replied,
                outcome,
            )
            yield path, int(line), record

    def findings(
        self, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Finding]:
        """Yield the hall's stored inspection findings."""
        sql = (
            'SELECT "date", "window", staff, rule, count, points, file, line '
            'FROM govhall.findings WHERE hall = ? ORDER BY "date", "window", staff, rule'
        )
        for reject, row in self._rows("findings", sql, report):
            day, window, staff, rule, count, points, path, line = row
            if windows is not None and window not in windows:
                reject(
                    f"finding {rule!r} (imported from {path}:{line}): "
                    f"unknown window {window!r}: not in the hall config"
                )
                continue
            yield Finding(
                day,
                window,
                staff or None,
                rule,
                int(count),
                None if points is None else Decimal(points),
            )


def case_problem(
    case_id: str,
    window: str,
    item: str,
    path: str,
    line: int,
    windows: Collection[str] | None,
    items: Collection[str] | None,
) -> str | None:
    """Return why a stored case no longer fits the hall config (``None``: it fits)."""
    where = f"case {case_id!r} (imported from {path}:{line})"
    if windows is not None and window not in windows:
        return f"{where}: unknown window {window!r}: not in the hall config"
    if items is not None and item not in items:
        return f"{where}: unknown item {item!r}: not in the hall config"
    return None


def rating_problem(case_id: str, window: str, path: str, line: int) -> str:
    """Return the message rejecting a stored rating whose window the hall config lacks."""
    return (
        f"rating of case {case_id!r} (imported from {path}:{line}): "
        f"unknown window {window!r}: not in the hall config"
    )


def _moments(tz: dt.tzinfo) -> Callable[[dt.datetime, int], dt.datetime]:
    """Return a function that turns a stored wall-clock time and offset back into an aware time."""
    cache: dict[tuple[dt.datetime, int], dt.datetime] = {}

    def moment(local: dt.datetime, offset: int) -> dt.datetime:
        found = cache.get((local, offset))
        if found is not None:
            return found
        value = local.replace(tzinfo=tz)
        seen = value.utcoffset()
        if seen is None or int(seen.total_seconds()) != offset:
            # the other side of a summer-time change: go through UTC
            utc = local - dt.timedelta(seconds=offset)
            value = utc.replace(tzinfo=dt.UTC).astimezone(tz)
        if len(cache) >= 1 << 16:
            cache.clear()
        cache[(local, offset)] = value
        return value

    return moment


def open_source(data: str | Path, hall: str) -> StoreSource | DataFolder:
    """Resolve a ``--data`` value: a store (``.duckdb``, ``postgresql://``) or a data folder.

    Raises:
        StoreError: A store that cannot be read, or holds no data for ``hall``.
        GovhallError: A path that is neither a store nor a folder.
    """
    if is_store_target(data):
        return StoreSource(data, hall)
    from govhall.readers.folder import DataFolder

    return DataFolder(data)
