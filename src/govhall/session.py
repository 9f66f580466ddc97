"""One object that owns a hall's run: :class:`HallSession`, opened with :func:`open_hall`.

A session holds the plugin manager, the loaded hall config, and everything
built from them once and then reused: the working calendar, opening hours
and counting rule (:attr:`HallSession.time`), the rulebooks with their
overrides, the composite weights, the reward rules and the due-time memo.
Every question about the hall goes through it::

    from govhall import open_hall

    hall = open_hall("configs/zhenhai.toml")
    march = hall.score("sample/zhenhai", "2010-03")
    print(march.windows[0].subject, march.windows[0].score)

The ``govhall`` commands, the ``govhall.testing`` pytest plugin, the report
and the benchmarks all go through a session, so they answer alike. A
session is cheap to keep and costly to open (plugins are loaded, the config
is validated): open one per hall and ask it many questions. It is not
thread-safe.

``data`` arguments take a data folder (``cases.csv``, ``ratings.csv``,
``findings.csv``, each possibly split over several files) or any object with
the same ``cases`` / ``ratings`` / ``findings`` / ``files`` methods as
:class:`govhall.readers.folder.DataFolder`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar
from zoneinfo import ZoneInfo

from govhall.errors import GovhallError

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.rewards import RewardRules, YearResult
    from govhall.assessment.rulebook import Rulebook
    from govhall.assessment.scoring import Month, MonthScores, Score, Scorer
    from govhall.assessment.workorders import Bulletin
    from govhall.bulletins import HallBulletins
    from govhall.config.schema import HallConfig
    from govhall.domain import ApprovalChain, RatingLimits
    from govhall.engines import Engine
    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.relations import DateSpan
    from govhall.engines.tables import KeyNumbers, RuleTables
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager
    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import FolderScan
    from govhall.readers.folder import DataFolder
    from govhall.records import Case, Finding, Pause, Rating
    from govhall.report.data import MonthReport, OverdueCase
    from govhall.samples import SampleSummary
    from govhall.store.source import StoreSource
    from govhall.time.deadline_clock import DeadlineClock
    from govhall.time.deadlines import Deadline
    from govhall.time.due_times import DueTimes
    from govhall.time.hours import HallTime, Span

_T = TypeVar("_T")


class DataSource(Protocol):
    """What a session reads records from: a data folder, or a store with the same methods."""

    def files(self, kind: str) -> list[Path]:
        """Return the files of one kind (empty for a source that is not made of files)."""
        ...

    def cases(
        self,
        tz: dt.tzinfo,
        report: ReadReport,
        *,
        windows: Collection[str] | None = None,
        items: Collection[str] | None = None,
    ) -> Iterator[Case]:
        """Yield usable cases, counting every row in ``report``."""
        ...

    def ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Rating]:
        """Yield usable ratings."""
        ...

    def findings(
        self, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Finding]:
        """Yield usable inspection findings."""
        ...


class DeadlineFunction(Protocol):
    """The type of :attr:`HallSession.deadline`."""

    def __call__(
        self,
        item: str | ServiceItem,
        received: dt.datetime,
        pauses: Iterable[Pause | tuple[dt.date, dt.date]] = (),
        window: str | None = None,
        now: dt.datetime | None = None,
    ) -> Deadline:
        """Return the deadline of a case (see :attr:`HallSession.deadline`)."""
        ...


class Progress(Protocol):
    """Wraps a stream of records to show progress; returns the records unchanged."""

    def __call__(self, label: str, paths: Sequence[Path], records: Iterator[_T]) -> Iterator[_T]:
        """Pass ``records`` (read from ``paths``) through, showing progress as they go."""
        ...


@dataclass(frozen=True, slots=True)
class DayHours:
    """Every window's open intervals on one day (``govhall hours``)."""

    date: dt.date
    kind: str
    """``workday``, ``makeup_workday``, ``holiday``, ``saturday`` or ``sunday``."""
    workday: bool
    name: str | None
    """The holiday's or make-up day's name, else ``None``."""
    windows: dict[str, tuple[Span, ...]]
    """Window id to open intervals, as minutes after midnight, in the config's order."""
    rota: tuple[str, ...]
    """Windows on the Sunday rota that day."""
    note: str | None
    """Where the hours come from (the county plugin's or the built-in assumption)."""
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenWindows:
    """Which windows are open at a moment, and when each closed one opens next."""

    at: dt.datetime
    open: tuple[str, ...]
    closed: dict[str, dt.datetime | None]
    """Closed window id to its next opening (``None``: not within 400 days)."""
    warnings: tuple[str, ...]


@dataclass
class KpiRun:
    """The KPIs of a data run, with the years its cases were received or concluded in."""

    kpis: Kpis
    years: set[int] = field(default_factory=set)


class HallSession:
    """A hall config with its plugins, time setup, rulebooks and caches, built once.

    Open one with :func:`open_hall`. Attributes built on first use and then
    kept: :attr:`time`, :attr:`clock`, :attr:`rulebooks`, :attr:`weights`,
    :attr:`reward_rules`, :attr:`due_times`.

    Args:
        config: The loaded, valid hall config.
        manager: The plugin manager it was loaded with.
    """

    def __init__(self, config: HallConfig, manager: GovhallPluginManager) -> None:
        self.config = config
        self.manager = manager
        self.zone = ZoneInfo(config.hall.timezone)
        self.window_ids = frozenset(window.id for window in config.windows)
        self.item_ids = frozenset(item.id for item in config.items)

    def __repr__(self) -> str:
        return f"<HallSession {self.config.hall.id!r} ({self.config.hall.county})>"

    @property
    def _bulletins(self) -> HallBulletins:
        """What reads the hall's bulletins (ratings, work orders, complained-about cases)."""
        from govhall.bulletins import HallBulletins

        return HallBulletins(self)

    @cached_property
    def keys(self) -> KeyNumbers:
        """The numbers the engines join the hall's windows and items on."""
        from govhall.engines.tables import KeyNumbers

        return KeyNumbers.of(self.config)

    def release(self) -> None:
        """Drop what the session built and remembered; it is built again when next needed.

        The hall's time, rulebooks, due-time memos and the like grow with the
        dates a run touched. A deployment releases each hall's session once
        its part of a run is done, so that memory follows one hall, not all.
        """
        for name, member in vars(HallSession).items():
            if isinstance(member, cached_property):
                self.__dict__.pop(name, None)

    # -- what the session builds once -----------------------------------------

    @cached_property
    def time(self) -> HallTime:
        """The hall's working calendar, opening hours and deadline rule."""
        from govhall.time.hours import build_hall_time

        return build_hall_time(self.config, self.manager)

    @cached_property
    def rulebooks(self) -> dict[str, Rulebook]:
        """The ``window`` and ``staff`` rulebooks with the county's and config's overrides."""
        from govhall.assessment.rulebook import hall_rulebooks

        return hall_rulebooks(self.config, self.manager)

    @cached_property
    def weights(self) -> dict[str, Decimal] | None:
        """The composite weights of a window's score, or ``None`` (the rulebook score alone)."""
        from govhall.assessment.rulebook import hall_weights

        return hall_weights(self.config, self.manager)

    @cached_property
    def satisfied_level(self) -> int:
        """The least rating level counted as satisfied (county hook, built-in default 3)."""
        from govhall.assessment.kpi import SATISFIED_LEVEL
        from govhall.errors import PluginError

        county = self.config.hall.county
        level = self.manager.call_first_as("govhall_satisfied_level", int, county)
        if level is None:
            return SATISFIED_LEVEL
        if not 1 <= level <= 5:
            plugin = self.manager.county_plugin(county)
            raise PluginError(
                plugin, "govhall_satisfied_level", f"expected a level 1-5, got {level!r}"
            )
        return level

    @cached_property
    def reward_rules(self) -> RewardRules:
        """The annual grade and reward rules (built-in, county plugin, then config)."""
        from govhall.assessment.rewards import reward_rules

        return reward_rules(self.config, self.manager)

    @cached_property
    def clock(self) -> DeadlineClock:
        """Due times of single cases by item id, remembered per day of receipt."""
        from govhall.time.deadline_clock import DeadlineClock

        return DeadlineClock(self.time, self.time.items)

    @cached_property
    def due_times(self) -> DueTimes:
        """Due times and open minutes of cases, memoised (shared by KPIs and scores)."""
        from govhall.time.due_times import DueTimes

        return DueTimes(self.config, self.time)

    def rulebook_warnings(self) -> list[str]:
        """Return the rulebooks' warnings (numbers the source leaves out, allotment totals)."""
        return [problem.message for book in self.rulebooks.values() for problem in book.check()]

    def calendar_warnings(self, years: Iterable[int]) -> list[str]:
        """Return one warning per year whose holiday arrangement is not published."""
        calendar = self.time.calendar
        return [calendar.warning(year) for year in sorted(set(years)) if not calendar.covered(year)]

    # -- time ----------------------------------------------------------------

    def hours(self, day: dt.date, window: str | None = None) -> DayHours:
        """Return each window's (or one window's) open intervals on ``day``.

        Raises:
            LookupFailed: No window ``window`` in the hall.
        """
        ids = [window] if window else [w.id for w in self.config.windows]
        for window_id in ids:
            self.config.window(window_id)
        time = self.time
        info = time.calendar.day(day)
        rota = time.hours.rota_windows(day) if info.kind == "sunday" else []
        return DayHours(
            date=day,
            kind=info.kind,
            workday=info.workday,
            name=info.name,
            windows={window_id: time.hours.intervals(window_id, day) for window_id in ids},
            rota=tuple(rota),
            note=time.note,
            warnings=tuple(time.calendar.warnings(day, day)),
        )

    def open_at(self, moment: dt.datetime) -> OpenWindows:
        """Return the windows open at ``moment`` (naive: hall-local) and when the others open."""
        time = self.time
        local = time.local(moment)
        opened: list[str] = []
        closed: dict[str, dt.datetime | None] = {}
        for window in self.config.windows:
            if time.hours.is_open(window.id, local):
                opened.append(window.id)
            else:
                upcoming = time.hours.next_open(window.id, local)
                closed[window.id] = time.aware(upcoming) if upcoming else None
        # the next opening may fall in a later year, whose arrangement then matters too
        last = max([local.date(), *(m.date() for m in closed.values() if m is not None)])
        return OpenWindows(
            at=time.aware(local),
            open=tuple(opened),
            closed=closed,
            warnings=tuple(time.calendar.warnings(local.date(), last)),
        )

    @cached_property
    def deadline(self) -> DeadlineFunction:
        """Return when a case received at ``received`` is due, and how it was counted.

        Call it as ``hall.deadline(item, received, pauses=(), window=None, now=None)``:

        - ``item``: the service item's id, or a service item;
        - ``received``: receipt time; naive means hall-local time;
        - ``pauses``: date spans (both ends included) when the clock stops;
        - ``window``: the window handling the case (default: the item's);
        - ``now``: also compute elapsed and remaining business minutes and the status.

        It raises ``LookupFailed`` for an unknown item or window and
        ``DeadlineInputError`` for a pause that ends before it starts. It is the
        hall's :class:`~govhall.time.deadline_clock.DeadlineClock` method itself,
        so a call costs no more than the clock's.
        """
        return self.clock.deadline

    def chain(self, item: str) -> ApprovalChain:
        """Return the approval chain of an item (config, then county plugin, then default).

        Raises:
            LookupFailed: No such item.
            PluginError: The county plugin's answer is unusable.
        """
        from govhall.assessment.chains import approval_chain

        return approval_chain(self.config, item, self.manager)

    # -- data runs -----------------------------------------------------------

    def source(self, data: str | Path | DataSource) -> DataSource:
        """Return ``data`` as a source of records.

        A path ending in ``.duckdb`` or a ``postgresql://`` URL is a store
        (:class:`govhall.store.StoreSource`, this hall's records); any other
        path is a data folder (:class:`DataFolder`).

        Raises:
            GovhallError: A path that is not a folder; a store that cannot be
                read or holds no data for this hall.
        """
        if isinstance(data, str | Path):
            from govhall.store.source import open_source

            return open_source(data, self.config.hall.id)
        return data

    def kpis(
        self,
        data: str | Path | DataSource,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        read: ReadReport | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
    ) -> KpiRun:
        """Count the KPIs of cases received and ratings given from ``start`` to ``end``.

        Args:
            data: A data folder (or a source with the same methods).
            start: First day of receipt (included), or ``None``.
            end: Last day of receipt (included), or ``None``.
            read: Receives the row counts and every bad row (default: a new one).
            progress: Shows progress over long files.
            engine: ``rows`` (stream through Python), ``duckdb``, ``spark``,
                ``auto`` (``duckdb`` for a store; for a folder
                :func:`govhall.engines.choose_engine`), or an open
                engine (:func:`govhall.engines.open_engine`, left open).
            master: The Spark master URL (``spark`` only).

        Raises:
            GovhallError: No cases file, an unreadable file.
            EngineError: The engine cannot start or run.
        """
        from govhall.assessment.kpi import compute_kpis

        source = self.source(data)
        read = read if read is not None else _new_report()
        engine = self._engine_name(source, engine)
        if engine != "rows":
            return self._engine_kpis(source, start, end, read, progress, engine, master)
        years: set[int] = set()
        cases = _years_seen(self._cases(source, read, progress), years)
        ratings = _wrap(progress, "ratings", source, self._ratings(source, read))
        found = compute_kpis(
            self.config,
            cases,
            ratings,
            start=start,
            end=end,
            times=self.due_times,
            satisfied_level=self.satisfied_level,
        )
        return KpiRun(found, years)

    def monthly_kpis(
        self,
        data: str | Path | DataSource,
        months: Iterable[Month | str],
        *,
        read: ReadReport | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
    ) -> dict[Month, Kpis]:
        """Count the KPIs of each of ``months`` in one pass over the data (e.g. a 12-month trend).

        Cases count in the month they were received, ratings in the month
        they were given, as :meth:`kpis` with that month as the period. With
        ``rows``, the cases and ratings of the months asked for are held in
        memory while counting (the others stream past); with an engine
        (``engine`` and ``master`` as in :meth:`kpis`) none are.
        """
        from govhall.assessment.kpi import compute_kpis

        wanted = sorted({_month(m) for m in months})
        source = self.source(data)
        read = read if read is not None else _new_report()
        engine = self._engine_name(source, engine)
        if engine != "rows":
            return self._engine_monthly_kpis(source, wanted, read, progress, engine, master)
        cases: dict[tuple[int, int], list[Case]] = {(m.year, m.month): [] for m in wanted}
        for case in self._cases(source, read, progress):
            bucket = cases.get((case.received_at.year, case.received_at.month))
            if bucket is not None:
                bucket.append(case)
        ratings: dict[tuple[int, int], list[Rating]] = {key: [] for key in cases}
        for rating in _wrap(progress, "ratings", source, self._ratings(source, read)):
            found = ratings.get((rating.rated_at.year, rating.rated_at.month))
            if found is not None:
                found.append(rating)
        result = {}
        for month in wanted:
            key = (month.year, month.month)
            last = month.next().first_day - dt.timedelta(days=1)
            result[month] = compute_kpis(
                self.config,
                cases[key],
                ratings[key],
                start=month.first_day,
                end=last,
                times=self.due_times,
                satisfied_level=self.satisfied_level,
            )
        return result

    def _engine_name(self, source: DataSource, engine: str | Engine) -> str | Engine:
        """Return the engine ``auto`` means for ``source`` (any other engine as it is)."""
        if engine == "auto":
            from govhall.engines import choose_engine
            from govhall.store.source import StoreSource

            if isinstance(source, StoreSource):
                return "duckdb"
            return choose_engine(source.files("cases"))
        return engine

    @contextmanager
    def _counting(
        self,
        source: DataSource,
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
        scans: list[FolderScan] | None = None,
    ) -> Iterator[tuple[Engine, DateSpan | None]]:
        """Open ``engine`` (a name) or take it (open), and register the source's relations in it.

        Yields the engine and the span of dates of the relations (``None``:
        ask the engine). An engine opened here is closed on leaving. ``scans``
        receives the scan of a data folder's cases when the engine is DuckDB
        and read them itself (they stay in it until the block ends).
        """
        from govhall.engines import open_engine, relations_from_records
        from govhall.engines.duck import DuckDBEngine
        from govhall.engines.spark import SparkEngine
        from govhall.readers.duck_scan import relation_tables
        from govhall.readers.folder import DataFolder
        from govhall.store.source import StoreSource

        counter = open_engine(engine, master=master) if isinstance(engine, str) else engine
        try:
            span: DateSpan | None = None
            if isinstance(source, DataFolder | StoreSource):
                # DuckDB reads and checks the files (govhall.readers.duck_scan) or takes
                # the stored rows (govhall.store.engine_scan); another engine is handed
                # the rows DuckDB kept
                reader = counter if isinstance(counter, DuckDBEngine) else DuckDBEngine()
                try:
                    scan = self._scan_into(reader, source, read)
                    if scan is not None and reader is counter and scans is not None:
                        scans.append(scan)
                    if isinstance(counter, SparkEngine):
                        counter.take_from(reader)
                    elif reader is not counter:
                        counter.register(relation_tables(reader.connection))
                finally:  # the reader of another engine goes, also when that one fails
                    if reader is not counter:
                        reader.close()
            else:
                cases = self._cases(source, read, progress)
                ratings = _wrap(progress, "ratings", source, self._ratings(source, read))
                records = relations_from_records(cases, ratings, self.keys)
                counter.register(records.as_dict())
                span = records.span
            yield counter, span
        finally:
            if isinstance(engine, str):
                counter.close()

    def _scan_into(
        self, reader: DuckDBEngine, source: DataFolder | StoreSource, read: ReadReport
    ) -> FolderScan | None:
        """Have DuckDB read ``source``'s cases and ratings into the engine's relations; return
        the scan of a data folder (``None``: a store's rows)."""
        from govhall.readers.folder import DataFolder

        if isinstance(source, DataFolder):
            from govhall.readers.duck_scan import FolderScan

            scan = FolderScan(reader, self.zone, read, self.keys)
            scan.cases(source.files("cases"))
            scan.ratings(source.files("ratings"), self.rating_limits.repeated)
            return scan
        from govhall.store.engine_scan import StoreScan

        StoreScan(reader, source, self.zone, read, self.keys).read(self.rating_limits.repeated)
        return None

    def _engine_kpis(
        self,
        source: DataSource,
        start: dt.date | None,
        end: dt.date | None,
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
    ) -> KpiRun:
        from govhall.engines import count_kpis

        with self._counting(source, read, progress, engine, master) as (counter, span):
            found, years = count_kpis(
                counter,
                self.config,
                self.time,
                {},
                start=start,
                end=end,
                span=span,
                satisfied_level=self.satisfied_level,
            )
        return KpiRun(found, years)

    def _engine_monthly_kpis(
        self,
        source: DataSource,
        months: list[Month],
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
    ) -> dict[Month, Kpis]:
        from govhall.engines.kpi import rule_tables_for

        with self._counting(source, read, progress, engine, master) as (counter, span):
            tables = rule_tables_for(counter, self.config, self.time, span)
            return self._count_months(counter, tables, months)

    def _count_months(
        self, counter: Engine, tables: RuleTables | None, months: list[Month]
    ) -> dict[Month, Kpis]:
        """Count each month's KPIs on an engine holding the data (``tables``: its rule tables)."""
        from govhall.assessment.kpi import Kpis
        from govhall.engines import count_kpis

        result = {}
        for month in months:
            first, last = month.first_day, month.next().first_day - dt.timedelta(days=1)
            if tables is None:  # no dates at all: nothing to count
                result[month] = Kpis(start=first, end=last)
                continue
            result[month], _ = count_kpis(
                counter,
                self.config,
                self.time,
                {},
                start=first,
                end=last,
                satisfied_level=self.satisfied_level,
                tables=tables,
                years=False,
            )
        return result

    def _engine_scores(
        self,
        scorer: Scorer,
        source: DataSource,
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
        years: set[int] | None,
    ) -> None:
        """Feed ``scorer`` the counts of ``engine`` (instead of the records)."""
        from govhall.engines.kpi import rule_tables_for, years_named
        from govhall.engines.score import count_scores

        with self._counting(source, read, progress, engine, master) as (counter, span):
            tables = rule_tables_for(counter, self.config, self.time, span)
            if tables is None:  # no dates at all: nothing to count
                return
            found = count_scores(
                counter, tables, scorer.months, self.zone, full_evidence=scorer.full_evidence
            )
            scorer.add_counts(found.counted)
            if years is not None:
                years.update(years_named(counter))

    def scorer(self, months: Iterable[Month], *, evidence: str = "summary") -> Scorer:
        """Return a scorer for ``months`` with the hall's rulebooks, weights and due times.

        ``evidence``: ``summary`` (a ratings bucket names its ratings by one
        id) or ``full`` (every rating id), see :class:`~govhall.assessment.scoring.Scorer`.
        """
        from govhall.assessment.scoring import Scorer

        books = self.rulebooks
        return Scorer(
            self.config,
            books["window"],
            books["staff"],
            months,
            self.due_times.due,
            self.weights,
            citizen_level=self.satisfied_level,
            evidence=evidence,
        )

    def _fill_scorer(
        self,
        scorer: Scorer,
        source: DataSource,
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
        years: set[int] | None,
    ) -> None:
        """Feed ``scorer`` the source's cases and ratings (or an engine's counts), then findings."""
        engine = self._engine_name(source, engine)
        if engine != "rows":
            self._engine_scores(scorer, source, read, progress, engine, master, years)
        else:
            cases = self._cases(source, read, progress)
            scorer.add_cases(cases if years is None else _years_seen(cases, years))
            scorer.add_ratings(_wrap(progress, "ratings", source, self._ratings(source, read)))
        scorer.add_findings(source.findings(read, windows=self.window_ids))
        self._bulletins.add_work_orders(scorer, source)

    def score_months(
        self,
        data: str | Path | DataSource,
        months: Iterable[Month | str],
        *,
        read: ReadReport | None = None,
        years: set[int] | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
        evidence: str = "summary",
    ) -> dict[Month, MonthScores]:
        """Score several months in one pass over the data.

        Args:
            data: A data folder (or a source with the same methods).
            months: The months (``Month`` or ``"YYYY-MM"``).
            read: Receives the row counts and every bad row.
            years: Receives the years the cases were received or concluded in.
            progress: Shows progress over long files.
            engine: ``rows`` (stream records through Python), ``duckdb``,
                ``spark``, ``auto`` (``duckdb`` for a store; for a folder
                :func:`govhall.engines.choose_engine`), or
                an open engine (left open); every engine gives the same scores.
            master: The Spark master URL (``spark`` only).
            evidence: ``summary`` (a ratings bucket is one id naming the
                window's ratings of the month) or ``full`` (each rating's id).

        Raises:
            ScoringError: A malformed month.
            GovhallError: No cases file, a rulebook number missing, a plugin failure.
        """
        source = self.source(data)
        read = read if read is not None else _new_report()
        scorer = self.scorer([_month(m) for m in months], evidence=evidence)
        self._fill_scorer(scorer, source, read, progress, engine, master, years)
        return scorer.results()

    def score(
        self,
        data: str | Path | DataSource,
        month: Month | str,
        *,
        read: ReadReport | None = None,
        years: set[int] | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
        evidence: str = "summary",
    ) -> MonthScores:
        """Score every window and staff member for ``month``, with lines and ranks.

        ``engine``, ``master`` and ``evidence`` as in :meth:`score_months`.

        Raises:
            ScoringError: A malformed month.
            GovhallError: As :meth:`score_months`.
        """
        wanted = _month(month)
        found = self.score_months(
            data,
            [wanted],
            read=read,
            years=years,
            progress=progress,
            engine=engine,
            master=master,
            evidence=evidence,
        )
        return found[wanted]

    def score_year(
        self,
        data: str | Path | DataSource,
        year: int,
        *,
        read: ReadReport | None = None,
        years: set[int] | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
        evidence: str = "summary",
    ) -> tuple[dict[Month, MonthScores], tuple[Score, ...]]:
        """Score the year's twelve months and the staff's annual 德能勤绩 result, in one pass.

        ``engine``, ``master`` and ``evidence`` as in :meth:`score_months`.

        Raises:
            GovhallError: As :meth:`score_months`.
        """
        from govhall.assessment.scoring import Month

        source = self.source(data)
        read = read if read is not None else _new_report()
        scorer = self.scorer([Month(year, m) for m in range(1, 13)], evidence=evidence)
        self._fill_scorer(scorer, source, read, progress, engine, master, years)
        return scorer.results(), scorer.staff_year(year)

    def rewards(
        self,
        data: str | Path | DataSource,
        year: int,
        *,
        read: ReadReport | None = None,
        years: set[int] | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
    ) -> YearResult:
        """Grade ``year``: window scores, demonstration windows, staff grades, allowances, awards.

        Windows: the mean of their monthly scores. Staff: one annual
        assessment (:meth:`govhall.assessment.scoring.Scorer.staff_year`).
        ``engine`` and ``master`` as in :meth:`score_months`.

        Raises:
            RewardsError: The reward rules are unusable.
            GovhallError: As :meth:`score_months`.
        """
        from govhall.assessment.rewards import annual_results

        rules = self.reward_rules
        monthly, staff = self.score_year(
            data, year, read=read, years=years, progress=progress, engine=engine, master=master
        )
        return annual_results(year, self.config, rules, monthly, staff_year=staff)

    def report(
        self,
        data: str | Path | DataSource,
        month: Month | str,
        *,
        read: ReadReport | None = None,
        progress: Progress | None = None,
        engine: str | Engine = "rows",
        master: str | None = None,
        trend: Iterable[Month | str] = (),
    ) -> MonthReport:
        """Compute what the month's report shows: KPIs, scores, hours, overdue cases, bad ratings.

        The data is read once. With ``rows``, only the month's own cases and
        ratings are kept in memory; with an engine (``engine`` and ``master``
        as in :meth:`score_months`) none are: the engine counts the KPIs and
        the scorer's inputs and lists the overdue cases and bad ratings.
        ``trend`` also counts those months' KPIs into ``MonthReport.trend``
        (as :meth:`monthly_kpis`; an engine counts them in the same pass,
        ``rows`` reads the data once more, quietly).
        Render it with :func:`govhall.report.html.render_report`.

        Raises:
            GovhallError: As :meth:`score_months`.
        """
        from govhall.assessment.kpi import compute_kpis
        from govhall.assessment.workorders import counted_ratings, month_bounds
        from govhall.report.data import BAD_LEVEL, in_month, tap_cases, tap_located

        repeated = self.rating_limits.repeated

        wanted = _month(month)
        source = self.source(data)
        read = read if read is not None else _new_report()
        scorer = self.scorer([wanted])
        first, end = month_bounds(wanted.first_day, wanted.next().first_day, self.zone)
        last_day = end.date() - dt.timedelta(days=1)
        engine = self._engine_name(source, engine)
        months = sorted({_month(m) for m in trend})
        if engine != "rows":
            counted = self._engine_report(scorer, source, read, progress, engine, master, months)
            report = self._month_report(wanted, *counted[:3], scorer, read, counted[4])
            report.trend = counted[3]
            return report
        month_cases: list[Case] = []
        overdue: list[OverdueCase] = []
        due = self.due_times.due
        cases = self._cases(source, read, progress)
        scorer.add_cases(tap_cases(cases, first, end, due, month_cases, overdue))
        month_ratings: list[Rating] = []
        located: list[tuple[str, int, Rating]] = []
        # the bulletin takes the month's ratings as read (it lists the replaced ones);
        # the scores and KPIs take those that count under the repeated-rating rule
        rated = tap_located(self._bulletins.located_ratings(source, read), first, end, located)
        ratings = counted_ratings(_wrap(progress, "ratings", source, rated), repeated)
        scorer.add_ratings(in_month(ratings, first, end, month_ratings))
        scorer.add_findings(source.findings(read, windows=self.window_ids))
        self._bulletins.add_work_orders(scorer, source)
        kpis = compute_kpis(
            self.config,
            month_cases,
            month_ratings,
            start=first.date(),
            end=last_day,
            times=self.due_times,
            satisfied_level=self.satisfied_level,
        )
        bad = [r for r in month_ratings if r.level <= BAD_LEVEL]
        bulletin = self._bulletins.for_report(source, str(wanted), first, end, located, read)
        report = self._month_report(wanted, kpis, overdue, bad, scorer, read, bulletin)
        if months:
            report.trend = self.monthly_kpis(source, months, read=_new_report(), engine="rows")
        return report

    def _engine_report(
        self,
        scorer: Scorer,
        source: DataSource,
        read: ReadReport,
        progress: Progress | None,
        engine: str | Engine,
        master: str | None,
        trend: list[Month],
    ) -> tuple[Kpis, list[OverdueCase], list[Rating], dict[Month, Kpis], Bulletin]:
        """Count the month's KPIs and the scorer's inputs on ``engine``; list the follow-ups.

        The fourth item holds the KPIs of each month of ``trend``, counted in the same pass;
        the last the month's bulletin, built while the engine still holds the cases (so
        DuckDB reads a folder's cases once for both).
        """
        from govhall.assessment.kpi import Kpis
        from govhall.assessment.workorders import month_bounds
        from govhall.engines.kpi import rule_tables_for
        from govhall.engines.score import count_scores, list_ratings
        from govhall.records import Rating
        from govhall.report.data import BAD_LEVEL, OverdueCase

        (wanted,) = scorer.months
        first, last = wanted.first_day, wanted.next().first_day - dt.timedelta(days=1)
        start, end = month_bounds(first, wanted.next().first_day, self.zone)
        scans: list[FolderScan] = []

        def follow_ups() -> Bulletin:
            """The findings, the work orders and the bulletin (in the engine that counted,
            while it holds a folder's cases; else in one of its own)."""
            scorer.add_findings(source.findings(read, windows=self.window_ids))
            self._bulletins.add_work_orders(scorer, source)
            return self._bulletins.for_report(
                source, str(wanted), start, end, None, read, scanned=scans[0] if scans else None
            )

        with self._counting(source, read, progress, engine, master, scans) as (counter, span):
            tables = rule_tables_for(counter, self.config, self.time, span)
            trended = self._count_months(counter, tables, trend)
            if tables is None:  # no dates at all: nothing to count
                kpis, found, ratings = Kpis(start=first, end=last), None, []
            else:
                found = count_scores(counter, tables, [wanted], self.zone)
                scorer.add_counts(found.counted)
                kpis = self._count_months(counter, tables, [wanted])[wanted]
                ratings = list_ratings(counter, [wanted], self.zone, most=BAD_LEVEL)
            if scans:
                bulletin = follow_ups()
        if not scans:  # (another engine, e.g. Spark's JVM, is closed first)
            bulletin = follow_ups()
        if found is None:
            return kpis, [], [], trended, bulletin
        overdue = [
            OverdueCase(
                row.case_id,
                row.window,
                row.item,
                row.received_at,
                row.due,
                row.concluded_at,
                row.status,
            )
            for row in found.overdue
        ]
        bad = [
            Rating(r.case_id, r.window, r.staff, r.level, r.rated_at, r.channel) for r in ratings
        ]
        return kpis, overdue, bad, trended, bulletin

    def _month_report(
        self,
        wanted: Month,
        kpis: Kpis,
        overdue: list[OverdueCase],
        bad: list[Rating],
        scorer: Scorer,
        read: ReadReport,
        bulletin: Bulletin,
    ) -> MonthReport:
        from govhall.report.data import MonthReport, first_full_week, week_table

        warnings = self.rulebook_warnings()
        scores = scorer.results()[wanted]
        warnings.extend(f"{r.evidence}: not scored: {r.reason}" for r in scores.rejected)
        last_day = wanted.next().first_day - dt.timedelta(days=1)
        warnings.extend(self.time.calendar.warnings(wanted.first_day, last_day))
        bad.sort(key=lambda r: (r.rated_at, r.window, r.case_id))
        overdue.sort(key=lambda c: (not c.open, c.due, c.window, c.case_id))
        return MonthReport(
            config=self.config,
            month=wanted,
            kpis=kpis,
            scores=scores,
            week=week_table(self.config, self.time, first_full_week(wanted)),
            overdue=overdue,
            bad_ratings=bad,
            read=read,
            warnings=warnings,
            bulletin=bulletin,
        )

    @cached_property
    def rating_limits(self) -> RatingLimits:
        """The bad-rating work-order rules (built-in, county plugin, then ``[ratings]``)."""
        from govhall.assessment.workorders import rating_limits

        return rating_limits(self.config, self.manager)

    def ratings(
        self,
        data: str | Path | DataSource,
        month: Month | str,
        *,
        as_of: dt.datetime | None = None,
        read: ReadReport | None = None,
        engine: str = "rows",
    ) -> Bulletin:
        """Compute the month's 好差评 bulletin: ratings by channel and level, work orders, tags.

        Args:
            data: A data folder (``ratings``, optional ``rectifications``; ``cases``
                when a complaint about the time taken is checked).
            month: The month (``Month`` or ``"YYYY-MM"``).
            as_of: When statuses are taken (naive: hall-local); default the
                end of the month.
            read: Receives the row counts and every bad or repeated row.
            engine: ``rows`` (every rating through Python) or ``duckdb``: DuckDB
                reads a folder's CSV or Parquet files (:mod:`govhall.readers.duck_ratings`)
                or a store's rows (:mod:`govhall.store.rating_scan`) and counts the
                ratings no rule can treat other than count; the bulletin is the same.
                ``auto``: :func:`bulletin_engine` chooses.

        Raises:
            RatingRulesError: The work-order rules are unusable.
            GovhallError: An unreadable file, a malformed month, an unknown engine.
        """
        if engine not in ("auto", "rows", "duckdb"):
            raise GovhallError(f"ratings: unknown engine {engine!r} (auto, rows, duckdb)")
        wanted = _month(month)
        source = self.source(data)
        read = read if read is not None else _new_report()
        if engine == "auto":
            engine = bulletin_engine(source)
        return self._bulletins.month(data, source, wanted, as_of, read, engine)

    def write_sample(
        self,
        out: str | Path,
        *,
        seed: int | None = None,
        rows: int | None = None,
        force: bool = False,
        progress: Callable[[int], None] | None = None,
        months: int | None = None,
        start: dt.date | None = None,
        format: str = "csv",
        ratings_per_case: float | None = None,
    ) -> SampleSummary:
        """Write deterministic sample ``cases``, ``ratings`` and ``findings`` files into ``out``.

        ``months``, ``start`` or ``format="parquet"`` write a province-scale
        sample (:func:`govhall.samples.write_sample`); ``ratings_per_case``
        sets its expected ratings per concluded case.

        Raises:
            GovhallError: A file exists and ``force`` is false, or cannot be written.
        """
        from govhall.samples import DEFAULT_SEED, write_sample

        return write_sample(
            self.config,
            out,
            seed=DEFAULT_SEED if seed is None else seed,
            rows=rows,
            force=force,
            times=self.due_times,
            progress=progress,
            months=months,
            start=start,
            format=format,
            ratings_per_case=ratings_per_case,
        )

    def _cases(
        self, source: DataSource, read: ReadReport, progress: Progress | None
    ) -> Iterator[Case]:
        cases = source.cases(self.zone, read, windows=self.window_ids, items=self.item_ids)
        return _wrap(progress, "cases", source, cases)

    def _ratings(self, source: DataSource, read: ReadReport) -> Iterator[Rating]:
        """The ratings that count: the source's, under the hall's repeated-rating rule."""
        from govhall.assessment.workorders import counted_ratings

        ratings = source.ratings(self.zone, read, windows=self.window_ids)
        return counted_ratings(ratings, self.rating_limits.repeated)


def open_hall(
    config: str | Path | HallConfig,
    *,
    manager: GovhallPluginManager | None = None,
    plugins: Iterable[tuple[str, object]] = (),
    entry_points: bool = True,
) -> HallSession:
    """Load a hall config with its plugins and return a session on it.

    Args:
        config: A hall config file, or an already loaded :class:`HallConfig`.
        manager: The plugin manager to use. Without one, a manager is built
            with the installed plugins (``entry_points``) and ``plugins``.
        plugins: Extra ``(name, plugin)`` pairs to register, e.g. a county
            plugin module under test (only without ``manager``).
        entry_points: Load the installed ``govhall`` plugins (only without ``manager``).

    Raises:
        ConfigError: The config has errors (each with file, line and key).
        GovhallError: ``manager`` given together with ``plugins``.

    Example:
        >>> hall = open_hall("configs/pinghu.toml")
        >>> hall.deadline("household-move", dt.datetime(2026, 9, 30, 10, 0)).due.isoformat()
        '2026-10-13T17:30:00+08:00'
    """
    extra = list(plugins)
    if manager is None:
        from govhall.plugins import get_plugin_manager

        manager = get_plugin_manager(load_entry_points=entry_points, plugins=extra)
    elif extra or not entry_points:
        raise GovhallError("open_hall: give either a manager or plugins/entry_points, not both")
    if isinstance(config, str | Path):
        from govhall.config.load import load_config

        loaded = load_config(config, manager)
    else:
        loaded = config
    return HallSession(loaded, manager)


def bulletin_engine(source: DataSource) -> str:
    """The engine ``auto`` means for a bulletin of ``source``: ``duckdb`` for a store, and
    for a data folder whose ratings and cases files hold 8 MiB or more
    (:data:`govhall.engines.AUTO_DUCKDB_BYTES`); else ``rows``."""
    from govhall.engines import choose_engine
    from govhall.readers.folder import DataFolder
    from govhall.store.source import StoreSource

    if isinstance(source, StoreSource):
        return "duckdb"
    if not isinstance(source, DataFolder):
        return "rows"
    files: list[Path] = []
    for kind in ("ratings", "cases"):
        try:
            files.extend(source.files(kind))
        except GovhallError:  # no such files: the run says so, whichever engine reads
            continue
    return choose_engine(files)


def _month(month: Month | str) -> Month:
    from govhall.assessment.scoring import Month

    return month if isinstance(month, Month) else Month.parse(month)


def _new_report() -> ReadReport:
    from govhall.readers import ReadReport

    return ReadReport()


def _years_seen(cases: Iterable[Case], years: set[int]) -> Iterator[Case]:
    """Pass cases through, noting the years they were received and concluded in."""
    add = years.add
    for case in cases:
        add(case.received_at.year)
        if case.concluded_at is not None:
            add(case.concluded_at.year)
        yield case


def _wrap(
    progress: Progress | None, kind: str, source: DataSource, records: Iterator[_T]
) -> Iterator[_T]:
    if progress is None:
        return records
    return progress(kind, source.files(kind), records)
