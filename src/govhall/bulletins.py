"""A hall's 好差评 bulletin, read from its data: ratings, work orders, the cases complained about.

:class:`HallBulletins` does the reading for a hall's session
(:class:`~govhall.session.HallSession`): the bulletin of ``govhall ratings``
(every rating through Python, or DuckDB counting what no rule needs to
see: :mod:`govhall.readers.duck_ratings` for a data folder,
:mod:`govhall.store.rating_scan` for a store), the month report's bulletin, and
the work orders a score's ``work_orders`` rule counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from govhall.errors import GovhallError
from govhall.readers import ReadReport

if TYPE_CHECKING:
    from govhall.assessment.scoring import Month, Scorer
    from govhall.assessment.workorders import Bulletin, BulletinBuilder
    from govhall.engines.duck import DuckDBEngine
    from govhall.readers.duck_ratings import StagedCases
    from govhall.readers.duck_scan import FolderScan
    from govhall.readers.folder import DataFolder
    from govhall.records import Case, Rating
    from govhall.session import DataSource, HallSession
    from govhall.store.source import StoreSource

WORK_ORDER_LOOKBACK_DAYS = 366
"""A ``work_orders`` rule looks at bad ratings given up to this many days before the month
(an order falls due a few working days after its rating)."""


class HallBulletins:
    """Reads the bulletins of the hall of ``session`` (its zone, ids, rules and due times)."""

    def __init__(self, session: HallSession) -> None:
        self.session = session

    def month(
        self,
        data: str | Path | DataSource,
        source: DataSource,
        wanted: Month,
        as_of: dt.datetime | None,
        read: ReadReport,
        engine: str,
    ) -> Bulletin:
        """The bulletin of month ``wanted`` of ``data`` (opened as ``source``), as
        :meth:`HallSession.ratings <govhall.session.HallSession.ratings>` describes it."""
        from govhall.assessment.workorders import BulletinBuilder, month_bounds
        from govhall.readers.folder import DataFolder
        from govhall.store.source import StoreSource

        session = self.session
        first, end = month_bounds(wanted.first_day, wanted.next().first_day, session.zone)
        moment = end if as_of is None else session.time.aware(session.time.local(as_of))
        builder = BulletinBuilder(
            session.time, session.rating_limits, str(wanted), first, end, moment
        )
        if engine == "duckdb" and isinstance(source, DataFolder):
            return self._duckdb(source, builder, read, label=str(data))
        if engine == "duckdb" and isinstance(source, StoreSource):
            bulletin = self._duckdb_store(source, builder, read)
            assert bulletin is not None  # (only the report's reading may give none)
            return bulletin
        progress = getattr(source, "rectifications", None)
        builder.add_ratings(self.located_ratings(source, read), read)
        if progress is not None:
            builder.add_rectifications(progress(session.zone, read), read)
        no_cases = None
        if builder.cases_wanted():
            # a store holds its hall's cases: importing them is how a hall gets into it
            folder = isinstance(source, DataFolder)
            if isinstance(data, str | Path) and folder and not _has_files(source, "cases"):
                no_cases = str(data)
            else:  # every case is read and counted, from a store too (as from a folder)
                builder.add_cases(self._cases(source, read), session.due_times.due)
        return _result(builder, no_cases)

    def for_report(
        self,
        source: DataSource,
        month: str,
        first: dt.datetime,
        end: dt.datetime,
        located: list[tuple[str, int, Rating]] | None,
        read: ReadReport,
        *,
        scanned: FolderScan | None = None,
    ) -> Bulletin:
        """Build the report's bulletin from the month's ratings (statuses at its end).

        ``located`` holds the month's ratings as the scoring pass read them;
        ``None`` (an engine counted the scores) reads them once more, quietly.
        Repeated ratings are not reported again (the bulletin lists them); the
        rectifications of the month's ratings are read (into ``read``); the
        cases are read a second time (quietly) only for time-limit complaints.
        ``scanned``: the DuckDB scan that read a data folder's cases for the
        scores, still holding them; its engine then builds the bulletin too,
        and the cases are not read again.
        """
        from govhall.assessment.workorders import BulletinBuilder
        from govhall.readers.folder import DataFolder
        from govhall.report.data import tap_located
        from govhall.store.source import StoreSource

        session = self.session

        builder = BulletinBuilder(session.time, session.rating_limits, month, first, end, end)
        if located is None and isinstance(source, DataFolder):  # DuckDB reads the ratings
            return self._duckdb(source, builder, read, counted=True, scanned=scanned)
        if located is None and isinstance(source, StoreSource):
            counted = self._duckdb_store(source, builder, read, counted=True)
            if counted is not None:
                return counted  # (else the builder was given nothing yet)
        if located is None:
            located = []
            # a store reads only the ratings near the month (tap_located takes the month's)
            rated = (
                source.located_ratings(session.zone, ReadReport(), windows=session.window_ids,
                                       around=(first, end))
                if isinstance(source, StoreSource)
                else self.located_ratings(source, ReadReport())
            )  # fmt: skip
            for _ in tap_located(rated, first, end, located):
                pass
        builder.add_ratings(located, ReadReport())
        progress = getattr(source, "rectifications", None)
        if progress is not None:
            rows = progress(session.zone, read)
            builder.add_rectifications((row for row in rows if row[2].rated_at >= first), read)
        wanted = builder.cases_wanted()
        if wanted:
            builder.add_cases(self._cases(source, ReadReport(), wanted), session.due_times.due)
        return builder.result()

    def located_ratings(
        self, source: DataSource, read: ReadReport
    ) -> Iterator[tuple[str, int, Rating]]:
        """Yield ``(file, line, rating)``; a source without row locations names rows by key only."""
        session = self.session
        located = getattr(source, "located_ratings", None)
        if located is not None:
            yield from located(session.zone, read, windows=session.window_ids)
            return
        for rating in source.ratings(session.zone, read, windows=session.window_ids):
            yield "<ratings>", 0, rating

    def _duckdb(
        self,
        source: DataFolder,
        builder: BulletinBuilder,
        read: ReadReport,
        *,
        counted: bool = False,
        label: str = "",
        scanned: FolderScan | None = None,
    ) -> Bulletin:
        """Build a folder's bulletin with DuckDB counting what needs no rule (same answer).

        For ``govhall ratings`` (``counted`` false) the ratings and cases files
        are read into ``read``, every rating reaches the builder, and a folder
        without a cases file (named ``label``) gets a warning that complaints
        about time are not checked. For the report (``counted``: its counting
        pass read and reported the files) they are read quietly, and only the
        month's ratings and the rectifications of ratings from the month's
        start reach the builder. The rectification rows are read into ``read``
        either way. ``scanned``: a scan that read the folder's cases into its
        engine (the report's counting pass), used instead of a new engine that
        reads them again.
        """
        from govhall.engines.duck import DuckDBEngine
        from govhall.readers.duck_ratings import read_wanted_cases, scan_ratings, start_files
        from govhall.readers.typed import located_ratings
        from govhall.report.data import tap_located

        session = self.session

        reader = ReadReport() if counted else read  # the ratings' and cases' rows
        files = source.files("ratings")
        if not counted:
            start_files(read, files)  # the summary lists ratings first, as the rows engine does
        progress = getattr(source, "rectifications", None)
        steps = list(progress(session.zone, read)) if progress is not None else []
        if counted:
            steps = [row for row in steps if row[2].rated_at >= builder.first]
        named = [(row.case_id, row.channel, row.rated_at) for _, _, row in steps]
        no_cases = None
        duck = scanned.engine if scanned is not None else DuckDBEngine()
        try:
            month = (builder.first, builder.end)
            has_cases = _has_files(source, "cases")
            staged, ids = (
                self._staged_cases(duck, source, scanned) if has_cases and files else (None, None)
            )
            scan = scan_ratings(
                duck, files, session.zone, reader, session.window_ids, month, builder.as_of, named,
                ids, ids_table=staged.ids_table if staged is not None else None,
            )  # fmt: skip
            if scan is None:  # a file the fast path cannot take: every rating the careful way
                # the orphan check takes the usable cases DuckDB read, when it kept them
                known = staged.ids() if staged is not None else None
                rows: Iterable[tuple[str, int, Rating]] = (
                    self.located_ratings(source, reader)
                    if known is None
                    else located_ratings(
                        files, session.zone, reader, windows=session.window_ids, case_ids=known
                    )
                )
                if counted:
                    located: list[tuple[str, int, Rating]] = []
                    for _ in tap_located(rows, *month, located):
                        pass
                    rows = located
                builder.add_ratings(rows, reader)
            else:
                builder.add_ratings(scan.rows, reader)
                builder.add_counted(scan.counts, scan.unknown)
            builder.add_rectifications(steps, read)
            wanted = builder.cases_wanted()
            if wanted and not has_cases and not counted:
                no_cases = label
            elif wanted and has_cases:
                paths = source.files("cases")
                cases = read_wanted_cases(
                    duck, paths, session.zone, reader, session.keys, wanted, staged
                )
                builder.add_cases(cases, session.due_times.due)
        finally:
            if scanned is None:
                duck.close()
        return _result(builder, no_cases)

    def _duckdb_store(
        self,
        source: StoreSource,
        builder: BulletinBuilder,
        read: ReadReport,
        *,
        counted: bool = False,
    ) -> Bulletin | None:
        """Build a store's bulletin with DuckDB counting what needs no rule (same answer).

        For ``govhall ratings`` (``counted`` false) the counts and messages are
        those of the ``rows`` engine: the ratings first, then the
        rectification rows, then (only when a complaint about the time taken
        is checked) the cases, counted in the store and read only for the ids
        complained about. For the report (``counted``: its counting pass read
        and reported the rows) the month's ratings and cases are read quietly,
        and only the rectifications of ratings from the month's start reach the
        builder (and ``read``); ``None`` then when the ratings must be streamed
        (:func:`~govhall.store.rating_scan.scan_store_ratings`), with nothing
        read into ``read``.
        """
        from govhall.engines.duck import DuckDBEngine
        from govhall.store.rating_scan import count_stored_cases, scan_store_ratings

        session = self.session
        zone = session.zone
        reader = ReadReport() if counted else read  # the ratings' and cases' rows
        if not counted:
            source.summary("ratings", read)  # the summary lists the ratings first, as rows does
        # the report's rectification rows reach `read` only when the scan takes the ratings
        steps = list(source.rectifications(zone, ReadReport() if counted else read))
        if counted:
            steps = [row for row in steps if row[2].rated_at >= builder.first]
        named = [(row.case_id, row.channel, row.rated_at) for _, _, row in steps]
        duck = DuckDBEngine()
        try:
            month = (builder.first, builder.end)
            scan = scan_store_ratings(
                duck, source, zone, reader, session.keys, month, builder.as_of, named,
                only=month if counted else None,
            )  # fmt: skip
            if scan is None and counted:
                return None
            if scan is None:  # an offset the zone disagrees with: stream them, as rows does
                builder.add_ratings(self.located_ratings(source, read), read)
            else:
                builder.add_ratings(scan.rows, reader)
                builder.add_counted(scan.counts, scan.unknown)
            if counted:  # read again, into `read` this time
                rows = source.rectifications(zone, read)
                steps = [row for row in rows if row[2].rated_at >= builder.first]
            builder.add_rectifications(steps, read)
            wanted = builder.cases_wanted()
            if wanted:
                if not counted:
                    count_stored_cases(duck, source, read, session.keys)
                cases = self._cases(source, ReadReport(), wanted)
                builder.add_cases(cases, session.due_times.due)
        finally:
            duck.close()
        return builder.result()

    def _staged_cases(
        self, duck: DuckDBEngine, source: DataFolder, scan: FolderScan | None = None
    ) -> tuple[StagedCases, Collection[str] | None]:
        """Have DuckDB read the cases once for a bulletin: the orphan check's ids, and the
        time-limit cross-check's rows (``ids``: the folder's, when DuckDB kept no id table).

        ``scan``: the cases already read into ``duck`` (by a counting pass, which
        reported their rows), taken as they are.
        """
        from govhall.readers.duck_ratings import StagedCases, stage_cases

        session = self.session

        if scan is not None:
            staged = StagedCases(scan, ReadReport(), [])
        else:
            staged = stage_cases(duck, source.files("cases"), session.zone, session.keys)
        if staged.ids_table is None:  # a file read the careful way: ask the folder
            return staged, source.case_ids(session.zone, session.window_ids)
        return staged, None

    def add_work_orders(self, scorer: Scorer, source: DataSource) -> None:
        """Feed the work orders to a scorer whose rulebooks have a ``work_orders`` rule on.

        Off by default (the reference rules give 0 points), so nothing is read.
        When on, the ratings and rectifications are read once more, into a
        report of their own (the run's row counts and messages stay those of
        the scoring pass); each month's orders are taken as known at its end.
        """
        if not scorer.work_order_rules():
            return
        from govhall.assessment.workorders import BulletinBuilder, month_bounds

        session = self.session

        quiet = ReadReport()
        last = month_bounds(
            scorer.months[-1].first_day, scorer.months[-1].next().first_day, session.zone
        )[1]
        rows = [e for e in self.located_ratings(source, quiet) if e[2].rated_at <= last]
        progress = getattr(source, "rectifications", None)
        steps = list(progress(session.zone, quiet)) if progress is not None else []
        for month in scorer.months:
            first, end = month_bounds(month.first_day, month.next().first_day, session.zone)
            since = first - dt.timedelta(days=WORK_ORDER_LOOKBACK_DAYS)
            builder = BulletinBuilder(
                session.time, session.rating_limits, str(month), since, end, end
            )
            builder.add_ratings(iter(rows), ReadReport())
            builder.add_rectifications(iter(steps), ReadReport())
            scorer.add_work_orders(builder.result().orders, month)

    def _cases(
        self, source: DataSource, read: ReadReport, wanted: Collection[str] | None = None
    ) -> Iterator[Case]:
        """The source's cases; of a store, only those of the ``wanted`` ids when given (the
        others are neither read nor counted in ``read``; a folder's files are read whole)."""
        from govhall.store.source import StoreSource

        session = self.session
        windows, items = session.window_ids, session.item_ids
        if wanted is not None and isinstance(source, StoreSource):
            return source.cases(session.zone, read, windows=windows, items=items, ids=wanted)
        return source.cases(session.zone, read, windows=windows, items=items)


def _result(builder: BulletinBuilder, no_cases: str | None) -> Bulletin:
    """The builder's bulletin; ``no_cases`` names a data folder without a cases file, whose
    complaints about the time taken could not be checked (the bulletin says so)."""
    bulletin = builder.result()
    if no_cases is not None:
        bulletin.warnings.append(
            f"{no_cases}: no cases file: time-limit complaints are not checked"
        )
    return bulletin


def _has_files(source: DataSource, kind: str) -> bool:
    try:
        return bool(source.files(kind))
    except GovhallError:  # a folder without a required kind says so by raising
        return False
