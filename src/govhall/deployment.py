"""Many halls in one run: :class:`DeploymentSession`, opened with :func:`open_deployment`.

A deployment (see :mod:`govhall.config.deployment`) is a folder of hall
configs or a ``deployment.toml``. Opening it loads one plugin manager for
all halls and one :class:`~govhall.session.HallSession` per valid hall
config, so each county's plugins and rules are set up once. A hall whose
config is invalid does not stop the others: it is listed in
:attr:`DeploymentSession.failed` with its problems.

Data for a deployment is a folder with one subfolder per hall id
(``data/pinghu-centre/cases.csv`` ...) or a store holding the halls
(``halls.duckdb``, ``postgresql://...``), unless the deployment file gives a
hall its own ``data``. A hall whose data is missing (no subfolder, no records
in the store), or that has no case, rating or finding in the period, is
reported with status ``"no data"`` and never as a perfect month.

Every hall is answered by its own county's plugin and the rules in force
for the period; :meth:`DeploymentSession.rules` says which, beside each hall.
Totals over halls are computed from the counts, never averaged from rates::

    from govhall.deployment import open_deployment

    province = open_deployment("configs")
    run = province.kpis("data")
    print(run.total.to_json()["accepted"], [hall.status for hall in run.halls])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.errors import GovhallError

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.rewards import YearResult
    from govhall.assessment.scoring import Month, MonthScores
    from govhall.config.deployment import Deployment, DeploymentCheck, HallEntry
    from govhall.plugins import GovhallPluginManager
    from govhall.problems import Problem
    from govhall.readers import ReadReport
    from govhall.report.data import MonthReport
    from govhall.report.province import ProvinceReport
    from govhall.session import DataSource, HallSession, Progress

OK = "ok"
NO_DATA = "no data"


@dataclass
class Hall:
    """One valid hall of a deployment, with its session."""

    entry: HallEntry
    session: HallSession

    @property
    def id(self) -> str:
        """The hall id."""
        return self.session.config.hall.id

    @property
    def county(self) -> str:
        """The hall's county."""
        return self.session.config.hall.county


@dataclass(frozen=True)
class FailedHall:
    """A hall config of the deployment that could not be loaded."""

    config: Path
    problems: tuple[Problem, ...]

    @property
    def message(self) -> str:
        """The first error, for a one-line summary."""
        errors = [p for p in self.problems if p.severity == "error"]
        return errors[0].format() if errors else "invalid config"

    def to_json(self) -> dict[str, Any]:
        """Return ``{"config", "problems"}``."""
        return {"config": str(self.config), "problems": [p.to_json() for p in self.problems]}


@dataclass
class HallRun:
    """What one hall of a deployment run found."""

    hall: Hall
    status: str
    """``"ok"`` or ``"no data"``."""
    data: Path | DataSource | None
    read: ReadReport
    kpis: Kpis | None = None
    scores: MonthScores | None = None
    year: YearResult | None = None
    reason: str = ""
    """Why the status is ``"no data"``."""


@dataclass
class DeploymentKpis:
    """KPIs per hall and over the deployment (sums of counts, rates from the sums)."""

    halls: list[HallRun]
    total: Kpis


@dataclass
class DeploymentSession:
    """A deployment's halls, each with a session on one shared plugin manager."""

    deployment: Deployment
    manager: GovhallPluginManager
    halls: list[Hall] = field(default_factory=list)
    failed: list[FailedHall] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """The deployment's own errors (its file, ids used twice, pins)."""
    pins: dict[str, str] = field(default_factory=dict)
    """County -> the requirement on the distribution that must serve it."""

    @property
    def name(self) -> str:
        """The deployment's name."""
        return self.deployment.name

    def data_for(self, hall: Hall, data: str | Path | None) -> Path | DataSource | None:
        """Return where ``hall``'s records are, or ``None`` when it has none.

        A hall's own ``data`` in the deployment file wins; otherwise ``data``
        (or, when it is ``None``, the deployment's ``data``): a store
        (``.duckdb`` path or ``postgresql://`` URL) gives the hall's records in
        it, a folder gives the hall's subfolder named by its hall id.

        Raises:
            StoreError: A store that cannot be read.
        """
        from govhall.store.backends import is_store_target

        folder = self.deployment.folder
        if hall.entry.data is not None:
            root: str | Path = hall.entry.data
            if not str(root).startswith("postgres"):  # a URL is not relative to anything
                root = folder / root
            own = True
        else:
            given = data if data is not None else self.deployment.data
            if given is None:
                return None
            root = given
            if data is None and not str(given).startswith("postgres"):
                root = folder / given  # the deployment file's paths are relative to it
            own = False
        if is_store_target(root):
            return _store_records(root, hall)
        found = Path(root) if own else Path(root) / hall.id
        return found if found.is_dir() else None

    def missing(self, hall: Hall, data: str | Path | None) -> str:
        """Say why :meth:`data_for` found nothing for ``hall``."""
        from govhall.store.backends import is_store_target

        given = data if data is not None else self.deployment.data
        if hall.entry.data is None and given is not None and is_store_target(given):
            return "the store holds no records of this hall"
        return "no data folder"

    def rules(self, hall: Hall, when: dt.date | None = None) -> dict[str, Any]:
        """Say which plugin answers for ``hall`` and, given ``when``, its rulebooks then.

        Each rulebook is named with its source and ``changed``, the latest day
        on or before ``when`` that one of its numbers took effect.
        """
        from govhall.config.deployment import served_by

        session = hall.session
        serving = served_by(self.manager, hall.county)
        plugin, distribution, version = serving if serving else ("", "", "")
        found: dict[str, Any] = {
            "plugin": plugin or None,
            "distribution": distribution or None,
            "version": version or None,
        }
        if when is None:
            return found
        rulebooks = []
        for rulebook_id, book in sorted(session.rulebooks.items()):
            rulebooks.append(
                {
                    "id": rulebook_id,
                    "name": book.name,
                    "source": book.source,
                    "changed": _last_change(book, when),
                }
            )
        return {**found, "as_of": when.isoformat(), "rulebooks": rulebooks}

    # -- data runs ---------------------------------------------------------------

    def kpis(
        self,
        data: str | Path | None = None,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        read_for: Any = None,
        progress: Progress | None = None,
        engine: str = "rows",
        master: str | None = None,
    ) -> DeploymentKpis:
        """Count each hall's KPIs and the deployment's totals.

        Args:
            data: A folder with one subfolder per hall id (default: the deployment's).
            start: First day of receipt (included), or ``None``.
            end: Last day of receipt (included), or ``None``.
            read_for: Called with a :class:`Hall`, returns the ``ReadReport`` for its rows.
            progress: Shows progress over long files.
            engine: ``rows``, ``duckdb``, ``spark`` or ``auto`` (per hall, by its data's
                size); a named engine is started once and counts every hall.
            master: Spark's master URL (``spark`` only).
        """
        with _shared_engine(engine, master) as counter:
            return self._kpis(data, start, end, read_for, progress, counter)

    def _kpis(
        self,
        data: str | Path | None,
        start: dt.date | None,
        end: dt.date | None,
        read_for: Any,
        progress: Progress | None,
        engine: Any,
    ) -> DeploymentKpis:
        from govhall.assessment.kpi import Kpis

        def answer(hall: Hall, found: Path | DataSource, read: ReadReport, run: HallRun) -> str:
            run.kpis = hall.session.kpis(
                found, start=start, end=end, read=read, progress=progress, engine=engine
            ).kpis
            if run.kpis.cases or run.kpis.ratings:
                return ""
            return "no case received and no rating given in the period"

        runs = self._runs(data, read_for, answer)
        total = Kpis(start=start, end=end)
        for run in runs:
            if run.kpis is None:  # no data: zero counts, rates unknown
                run.kpis = Kpis(start=start, end=end)
            total = total.combined(run.kpis)
        return DeploymentKpis(runs, total)

    def score(
        self,
        data: str | Path | None,
        month: Month | str,
        *,
        read_for: Any = None,
        progress: Progress | None = None,
        engine: str = "rows",
        master: str | None = None,
        evidence: str = "summary",
    ) -> list[HallRun]:
        """Score every hall's windows and staff for ``month``.

        ``engine`` and ``master`` as in :meth:`kpis`; ``evidence`` as in
        :meth:`govhall.session.HallSession.score_months`.
        """
        from govhall.assessment.scoring import Month

        wanted = month if isinstance(month, Month) else Month.parse(month)

        with _shared_engine(engine, master) as counter:

            def answer(hall: Hall, found: Path | DataSource, read: ReadReport, run: HallRun) -> str:
                run.scores = hall.session.score(
                    found, wanted, read=read, progress=progress, engine=counter, evidence=evidence
                )
                return "" if run.scores.active else f"no case, rating or finding in {wanted}"

            return self._runs(data, read_for, answer)

    def rewards(
        self,
        data: str | Path | None,
        year: int,
        *,
        read_for: Any = None,
        progress: Progress | None = None,
        engine: str = "rows",
        master: str | None = None,
    ) -> list[HallRun]:
        """Grade every hall's year (``engine`` and ``master`` as in :meth:`kpis`)."""
        with _shared_engine(engine, master) as counter:

            def answer(hall: Hall, found: Path | DataSource, read: ReadReport, run: HallRun) -> str:
                run.year = hall.session.rewards(
                    found, year, read=read, progress=progress, engine=counter
                )
                return "" if run.year.active_months else f"no month of {year} has data"

            return self._runs(data, read_for, answer)

    def report(
        self,
        data: str | Path | None,
        month: Month | str,
        *,
        read_for: Any = None,
        progress: Progress | None = None,
        engine: str = "rows",
        master: str | None = None,
        each: Callable[[str, MonthReport], None] | None = None,
    ) -> tuple[ProvinceReport, dict[str, MonthReport]]:
        """Compute the province page for ``month`` and each assessed hall's own month report.

        Returns the page's content and, by hall id, the hall's
        :class:`~govhall.report.data.MonthReport` (halls with data only).
        Each hall's trend covers the 12 months ending with ``month``.
        ``engine`` and ``master`` as in :meth:`kpis`. ``each`` is handed each
        assessed hall's id and month report as soon as it is counted (e.g. to
        render its page), and the reports are then not kept: the dict comes
        back empty, and memory follows the largest hall, not the deployment.
        """
        with _shared_engine(engine, master) as counter:
            return self._report(data, month, read_for, progress, counter, each)

    def _report(
        self,
        data: str | Path | None,
        month: Month | str,
        read_for: Any,
        progress: Progress | None,
        engine: Any,
        each: Callable[[str, MonthReport], None] | None,
    ) -> tuple[ProvinceReport, dict[str, MonthReport]]:
        from govhall.assessment.kpi import Kpis
        from govhall.assessment.scoring import Month
        from govhall.report.province import TREND_MONTHS, HallMonth, ProvinceReport

        wanted = month if isinstance(month, Month) else Month.parse(month)
        months = [wanted]
        while len(months) < TREND_MONTHS:
            months.insert(0, _previous(months[0]))
        halls: list[HallMonth] = []
        pages: dict[str, MonthReport] = {}
        total = Kpis(start=wanted.first_day, end=wanted.next().first_day - dt.timedelta(days=1))
        for hall, folder, read in self._each(data, read_for):
            session = hall.session
            line = HallMonth(
                hall=hall.id,
                name=session.config.hall.name,
                county=hall.county,
                status=NO_DATA,
                kpis=Kpis(start=total.start, end=total.end),
                rules=self.rules(hall, wanted.first_day),
                reason=self.missing(hall, data),
            )
            if folder is not None:
                found = session.report(
                    folder, wanted, read=read, progress=progress, engine=engine, trend=months
                )
                line.trend = [(m, found.trend[m]) for m in months]
                line.kpis = found.kpis
                if found.scores.active:
                    line.status, line.reason = OK, ""
                    if each is not None:
                        each(hall.id, found)
                    else:
                        pages[hall.id] = found
                else:
                    line.reason = f"no case, rating or finding in {wanted}"
            total = total.combined(line.kpis)
            halls.append(line)
        failed = [(str(f.config), f.message) for f in self.failed]
        problems = [problem.format() for problem in self.problems]
        return ProvinceReport(self.name, wanted, halls, total, failed, problems), pages

    def _runs(
        self,
        data: str | Path | None,
        read_for: Any,
        answer: Callable[[Hall, Path | DataSource, ReadReport, HallRun], str],
    ) -> list[HallRun]:
        """Run ``answer`` on each hall that has data; it fills the run and says why it is empty."""
        runs = []
        for hall, found, read in self._each(data, read_for):
            run = HallRun(hall, NO_DATA, found, read)
            run.reason = (
                self.missing(hall, data) if found is None else answer(hall, found, read, run)
            )
            if not run.reason:
                run.status = OK
            runs.append(run)
        return runs

    def _each(
        self, data: str | Path | None, read_for: Any
    ) -> Iterator[tuple[Hall, Path | DataSource | None, ReadReport]]:
        from govhall.readers import ReadReport
        from govhall.store.backends import is_store_target

        if data is not None and not is_store_target(data) and not Path(data).is_dir():
            raise GovhallError(
                f"--data {data}: not a folder (one subfolder per hall id) nor a store"
            )
        no_data = data is None and self.deployment.data is None
        if no_data and any(hall.entry.data is None for hall in self.halls):
            raise GovhallError(
                f"{self.deployment.path}: the deployment names no data "
                "([deployment] data); give --data"
            )
        for hall in self.halls:
            read = read_for(hall) if read_for is not None else ReadReport()
            try:
                yield hall, self.data_for(hall, data), read
            finally:
                # what the session remembered of this hall's run is not needed again
                hall.session.release()


@contextmanager
def _shared_engine(engine: str, master: str | None) -> Iterator[Any]:
    """Open a named engine once for every hall (``rows`` and ``auto`` as they are)."""
    from govhall.engines import open_engine

    if engine not in ("duckdb", "spark"):
        yield engine
        return
    shared = open_engine(engine, master=master)
    try:
        yield shared
    finally:
        shared.close()


def _store_records(target: str | Path, hall: Hall) -> DataSource | None:
    """Return ``hall``'s records in the store at ``target``, or ``None`` when it holds none."""
    from govhall.store.source import HallNotInStore

    try:
        return hall.session.source(str(target))
    except HallNotInStore:
        return None


def _previous(month: Month) -> Month:
    from govhall.assessment.scoring import Month

    return Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)


def _last_change(book: Any, when: dt.date) -> str | None:
    """Return the latest date on or before ``when`` that a number of ``book`` took effect."""
    from govhall.params import ParameterError

    latest: dt.date | None = None
    for parameter in book.parameters:
        try:
            start = parameter.entry(when).start
        except ParameterError:
            continue
        if latest is None or start > latest:
            latest = start
    return latest.isoformat() if latest else None


def open_deployment(
    path: str | Path, *, manager: GovhallPluginManager | None = None
) -> DeploymentSession:
    """Read a deployment, check it, and open a session on each valid hall.

    Raises:
        ConfigError: The deployment file itself is unusable (no hall can be found).
    """
    from govhall.config.deployment import check_deployment, read_deployment
    from govhall.errors import ConfigError
    from govhall.plugins import get_plugin_manager
    from govhall.session import HallSession

    manager = manager if manager is not None else get_plugin_manager()
    deployment = read_deployment(path)
    if not deployment.halls:
        raise ConfigError(deployment.problems)
    check = check_deployment(deployment, manager)
    session = DeploymentSession(deployment, manager, problems=_errors(check), pins=check.pins)
    pinned_out = check.blocked
    for entry, report in zip(deployment.halls, check.reports, strict=True):
        config = report.config
        problems = list(report.problems)
        if config is not None and config.hall.county in pinned_out:
            problems.append(pinned_out[config.hall.county])
        if config is None or not report.valid or config.hall.county in pinned_out:
            session.failed.append(FailedHall(entry.config, tuple(problems)))
            continue
        session.halls.append(Hall(entry, HallSession(config, manager)))
    _drop_duplicates(session)
    return session


def _errors(check: DeploymentCheck) -> list[Problem]:
    return [p for p in check.problems if p.severity == "error"]


def _drop_duplicates(session: DeploymentSession) -> None:
    """Keep the first hall of an id used twice; the later ones fail with the problem."""
    seen: set[str] = set()
    kept = []
    for hall in session.halls:
        if hall.id in seen:
            problem = next(
                (p for p in session.problems if f"hall id {hall.id!r}" in p.message), None
            )
            problems = (problem,) if problem else ()
            session.failed.append(FailedHall(hall.entry.config, problems))
            continue
        seen.add(hall.id)
        kept.append(hall)
    session.halls = kept
