"""Deterministic sample data for a hall: cases, ratings, findings and rectifications.

``govhall sample CONFIG --out DIR`` writes a data folder that ``govhall kpi``
and ``govhall score`` read. For the halls the source documents report on,
the default data reproduces the reported aggregates exactly; everything else
is illustrative and says so:

- **Zhenhai, H1 2010** (《关于行政服务中心窗口服务的调查报告》一(二)): 28151
  cases accepted, 28083 concluded (99.76%), 14198 immediate (50.44%).
- **The sample's assumptions for Zhenhai.** The report's survey (一(一)) is
  not case data: 998 questionnaires, undated and tied to no case. The sample
  borrows the survey's shares anyway, as its own assumption: visits of
  concluded cases 70% / 25% / 5% in one / two / three visits (一(一)4), and
  998 ratings spread over the H1 2010 cases with levels from the survey's
  judgement of staff attitude (一(一)3: 94% 满意 -> levels 5 and 4, 3% 一般
  -> 3, 2% 难以接受 -> 2, 1% 投诉过 -> 1). With Zhenhai's satisfied level (4:
  一般 is not 满意) the sample's satisfaction rate is 938 / 998 = 94.0%, the
  survey's figure. Not in the report, and illustrative: 1% of receipts not
  accepted at intake, 0.5% of promised cases concluded late.
- **Luanchuan, 2010** (《行政服务中心窗口自查报告》, opening paragraph): 311
  planning cases accepted, all 311 concluded on time, no complaint (the
  sample's assumption: one rating per case, every one 4 or 5).
- **Any other hall**: 1000 cases in 2025, illustrative shares.

Ratings carry a channel and, for some, tags (the reasons a rater picks);
every bad rating (level 1-2) gets a row in ``rectifications.csv`` with its
work order's progress (核实, 整改, 回访/反馈), most in time, some late, some
still open. Channels beyond the pad, the portal and SMS, the tags and the
progress are illustrative, not from any seed; they are drawn from a second
random stream, so the cases, levels and findings are the same as without them.

Receipts fall on working days inside the window's opening hours (the hall's
calendar and hours); immediate cases end the same day before closing;
promised cases end by their due time (:func:`govhall.time.deadlines.due_at`)
unless chosen to be late. Exact totals come from sequential sampling without
replacement: each case takes a category with probability remaining-needed /
remaining-cases, so the totals are exact and the order is random. The same
config, seed and row count always give the same bytes.

**Province scale** (``--months N``, or ``--format parquet``): the rows are
drawn by DuckDB, vectorised (:mod:`govhall.engines.generate`), a million
cases in seconds. The hall's profile gives shares instead of totals (its
cases per month, and the shares of immediate, open, refused and late cases,
of visits, ratings and levels); the rules (calendar, hours, time limits)
reach DuckDB as the engines' small tables, so receipts fall inside opening
hours and on-time cases end by their due time as every engine counts it. A
share of promised cases has a pause (补正). ``ratings_per_case``
(``--ratings-per-case R``) sets the expected ratings per concluded case;
above 1 a case is rated on several channels, once each (the sample's
assumption: a province's bulletin counts more ratings than cases). Output
is CSV or Parquet (typed columns: times as timestamps, numbers as
integers). The same config, seed, row count, months, format and ratings per
case give the same bytes. :func:`write_samples`
writes a deployment's halls, one subfolder per hall id.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.errors import GovhallError
from govhall.files import FileSet, open_set
from govhall.readers import CASE_COLUMNS, RATING_COLUMNS, RATING_OPTIONAL, RECTIFICATION_COLUMNS

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.engines.generate import Mix
    from govhall.model import ServiceItem
    from govhall.time.due_times import DueTimes

DEFAULT_SEED = 2010
FILES = ("cases.csv", "ratings.csv", "findings.csv", "rectifications.csv")
BAD_TAGS = ("无理由超过法定办理时间", "服务态度差", "办事指南不清晰", "多次跑腿", "等候时间长")
"""Tags the sample gives bad ratings (illustrative)."""
GOOD_TAGS = ("服务热情", "一次办结", "指引清楚")
"""Tags the sample gives some good ratings (illustrative)."""
MAX_ROWS = 10_000_000
"""The most cases ``--rows`` may ask for (about 1.2 GB of CSV)."""
MAX_SCALED_ROWS = 100_000_000
"""The most cases the province-scale generator writes in one run (about 12 GB of CSV)."""
MAX_MONTHS = 1200
"""The most months ``--months`` may ask for (a century)."""
FORMATS = ("csv", "parquet")
"""Output formats: CSV for every sample, Parquet for the province-scale one."""
STEMS = ("cases", "ratings", "findings", "rectifications")


@dataclass(frozen=True, slots=True)
class Profile:
    """What a sample must add up to.

    Attributes:
        start: First day of receipts.
        end: Last day of receipts (included).
        accepted: Cases accepted.
        concluded: Accepted cases concluded (the rest stay open).
        immediate: Accepted cases that are immediate (all concluded).
        refused: Extra cases not accepted at intake.
        late: Promised concluded cases concluded after their due time.
        visits: Shares of concluded cases in 1, 2 and 3 visits.
        rating_levels: Ratings to write per level (5..1); ``None`` = one per case.
        source: Where the totals come from.
    """

    start: dt.date
    end: dt.date
    accepted: int
    concluded: int
    immediate: int
    refused: int
    late: int
    visits: tuple[float, float, float]
    rating_levels: dict[int, int] | None
    source: str

    def scaled(self, rows: int) -> Profile:
        """Return this profile scaled so that accepted + refused == ``rows``."""
        total = self.accepted + self.refused
        if rows == total:
            return self
        factor = rows / total
        accepted = round(self.accepted * factor)
        concluded = min(accepted, round(self.concluded * factor))
        ratings = None
        if self.rating_levels is not None:
            ratings = {k: round(v * factor) for k, v in self.rating_levels.items()}
        return Profile(
            self.start,
            self.end,
            accepted,
            concluded,
            min(concluded, round(self.immediate * factor)),
            rows - accepted,
            round(self.late * factor),
            self.visits,
            ratings,
            f"{self.source}, scaled to {rows} rows",
        )


PROFILES: dict[str, Profile] = {
    "zhenhai": Profile(
        dt.date(2010, 1, 1),
        dt.date(2010, 6, 30),
        accepted=28151,  # 《关于行政服务中心窗口服务的调查报告》一(二): 受理各类办件28151件
        concluded=28083,  # 办结28083件
        immediate=14198,  # 即办件14198件
        refused=282,  # illustrative: 1% of accepted, not in the report
        late=70,  # illustrative: 0.5% of promised concluded cases, not in the report
        visits=(0.70, 0.25, 0.05),  # the sample's assumption: the survey's shares, 一(一)4
        # the sample's assumption: the 998 questionnaires' shares (一(一)3: 94/3/2/1%) as ratings
        rating_levels={5: 600, 4: 338, 3: 30, 2: 20, 1: 10},
        source=(
            "《关于行政服务中心窗口服务的调查报告》一(二) (Zhenhai, H1 2010); ratings and "
            "visits: the survey's shares (一(一)), the sample's assumption"
        ),
    ),
    "luanchuan": Profile(
        dt.date(2010, 1, 1),
        dt.date(2010, 12, 31),
        accepted=311,  # 《行政服务中心窗口自查报告》: 全年...共受理各类规划审批事项311件
        concluded=311,  # 按期办结各类事项311件
        immediate=0,  # 一(二): no item can be concluded on the spot
        refused=0,
        late=0,  # 按期办结: all on time
        visits=(0.70, 0.25, 0.05),  # illustrative: the report gives no visits
        rating_levels=None,  # one rating per case, no complaint (全年没有接到服务对象投诉)
        source="《行政服务中心窗口自查报告》(Luanchuan, 2010)",
    ),
}
GENERIC = Profile(
    dt.date(2025, 1, 1),
    dt.date(2025, 12, 31),
    accepted=980,
    concluded=970,
    immediate=490,
    refused=20,
    late=5,
    visits=(0.70, 0.25, 0.05),
    rating_levels={5: 200, 4: 80, 3: 12, 2: 5, 1: 3},
    source="illustrative (no source document gives totals for this hall)",
)


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """What :func:`write_sample` wrote."""

    directory: Path
    files: tuple[Path, ...]
    cases: int
    ratings: int
    findings: int
    profile: Profile
    hall: str = ""
    """The hall id."""


def profile_for(config: HallConfig, rows: int | None = None) -> Profile:
    """Return the sample profile of the hall's county, scaled to ``rows`` if given."""
    profile = PROFILES.get(config.hall.county, GENERIC)
    if rows is not None:
        if not 1 <= rows <= MAX_ROWS:
            raise GovhallError(f"--rows must be between 1 and {MAX_ROWS:,}, got {rows:,}")
        profile = profile.scaled(rows)
    return profile


class _Draw:
    """Sequential sampling without replacement: exact totals, random order."""

    def __init__(self, rng: random.Random, counts: dict[str, int]) -> None:
        self.rng = rng
        self.left = dict(counts)

    def take(self) -> str:
        total = sum(self.left.values())
        pick = self.rng.randrange(total)
        for name, count in self.left.items():
            if pick < count:
                self.left[name] -= 1
                return name
            pick -= count
        raise AssertionError("drew from an empty pool")


def _shares(total: int, shares: Sequence[float]) -> list[int]:
    counts = [int(total * share) for share in shares]
    counts[0] += total - sum(counts)
    return counts


def write_sample(
    config: HallConfig,
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    rows: int | None = None,
    force: bool = False,
    times: DueTimes,
    progress: Callable[[int], None] | None = None,
    months: int | None = None,
    start: dt.date | None = None,
    format: str = "csv",
    ratings_per_case: float | None = None,
) -> SampleSummary:
    """Write ``cases``, ``ratings``, ``findings`` and ``rectifications`` files into ``out``.

    The files replace their old versions as one set
    (:func:`govhall.files.open_set`): each is written to a temporary file, and
    only when all are complete are they renamed into place, so a full
    disk part-way leaves the old set whole.

    Without ``months``, ``start`` and with ``format="csv"``, the profile's
    period with its exact totals (scaled to ``rows``); otherwise the
    province-scale generator (see the module docstring): ``months`` months
    (default: the profile's) from the first of ``start``'s month (default:
    the profile's start), ``rows`` cases (default: the profile's per month).
    ``ratings_per_case`` (province scale only) sets the expected ratings per
    concluded case instead of the profile's share of rated cases; above 1 a
    case is rated on several channels, one rating each (see
    :mod:`govhall.engines.generate`).

    Raises:
        GovhallError: A file exists and ``force`` is false (nothing is written
            then), ``out`` is not a folder or holds data files of the other
            format, the hall has no item of a kind the profile needs,
            ``ratings_per_case`` is given without the province-scale generator
            or outside 0 to 6, or a file cannot be written.
    """
    if not str(out).strip():
        raise GovhallError("the --out folder path is empty")
    directory = Path(out)
    if directory.exists() and not directory.is_dir():
        raise GovhallError(f"{directory} is not a folder")
    if format not in FORMATS:
        raise GovhallError(f"unknown sample format {format!r} (formats: {', '.join(FORMATS)})")
    if months is not None or start is not None or format != "csv":
        return _write_scaled(
            config,
            directory,
            seed=seed,
            rows=rows,
            force=force,
            times=times,
            progress=progress,
            months=months,
            start=start,
            format=format,
            ratings_per_case=ratings_per_case,
        )
    if ratings_per_case is not None:
        raise GovhallError(
            "ratings per case are drawn by the province-scale generator only: "
            "give months (--months N) or the parquet format"
        )
    targets = tuple(directory / name for name in FILES)
    _no_other_format(directory, "csv")
    profile = profile_for(config, rows)
    with open_set(targets, force=force) as files:
        rng = random.Random(seed)
        generator = _CaseMaker(config, profile, rng, times)
        rated: list[tuple[str, str, str, str]] = []
        keep_every = max(1, profile.concluded // 5000)

        def case_rows() -> Iterator[Sequence[Any]]:
            for number, row in enumerate(generator.rows(), start=1):
                if progress is not None and number % 100_000 == 0:
                    progress(number)
                if row[5] in ("concluded", "delivered") and number % keep_every == 0:
                    rated.append((row[0], row[1], row[8], row[6]))
                yield row

        cases = _write_csv(files, targets[0], (*CASE_COLUMNS, "staff"), case_rows())
        rating_rows = list(_ratings(profile, rated, rng, generator))
        extra = random.Random(seed * 7919 + 15)  # a second stream: see the module docstring
        rating_rows = [_rating_extras(row, extra) for row in rating_rows]
        _write_csv(files, targets[1], (*RATING_COLUMNS, *RATING_OPTIONAL), rating_rows)
        finding_rows = list(_findings(config, profile, rng))
        header = ("date", "window", "staff", "rule", "count", "points")
        _write_csv(files, targets[2], header, finding_rows)
        progress_rows = [_progress(row, extra, times) for row in rating_rows if int(row[3]) <= 2]
        _write_csv(files, targets[3], RECTIFICATION_COLUMNS, progress_rows)
    return SampleSummary(
        directory, targets, cases, len(rating_rows), len(finding_rows), profile, config.hall.id
    )


def _write_csv(
    files: FileSet, target: Path, header: Sequence[str], rows: Iterator[Sequence[Any]] | list[Any]
) -> int:
    count = 0
    with files.open(target, newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


class _CaseMaker:
    """Cases of one hall in receipt order."""

    def __init__(
        self, config: HallConfig, profile: Profile, rng: random.Random, times: DueTimes
    ) -> None:
        self.config = config
        self.profile = profile
        self.rng = rng
        self.times = times
        self.immediate_items = [i for i in config.items if i.kind == "immediate"]
        self.promised_items = [i for i in config.items if i.kind == "promised"]
        if profile.immediate and not self.immediate_items:
            raise GovhallError(f"{config.hall.id}: the sample needs an immediate item; none found")
        if profile.accepted > profile.immediate and not self.promised_items:
            raise GovhallError(f"{config.hall.id}: the sample needs a promised item; none found")
        self.staff: dict[str, list[str]] = {}
        for person in config.staff:
            self.staff.setdefault(person.window, []).append(person.id)
        self.tz = times.time.zone

    def _workdays(self) -> list[dt.date]:
        days = []
        day = self.profile.start
        while day <= self.profile.end:
            if self.times.time.calendar.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        if not days:
            raise GovhallError("the sample period has no working day")
        return days

    def _moment(
        self, window: str, day: dt.date, after: int = 0, before: int = 24 * 60
    ) -> dt.datetime:
        """A random open minute of ``window`` on ``day`` in [after, before), else ``after``."""
        spans = [
            (max(a, after), min(b, before))
            for a, b in self.times.time.hours.intervals(window, day)
            if min(b, before) > max(a, after)
        ]
        if not spans:
            minute = min(after, 24 * 60 - 1)
        else:
            total = sum(b - a for a, b in spans)
            pick = self.rng.randrange(total)
            for a, b in spans:
                if pick < b - a:
                    minute = a + pick
                    break
                pick -= b - a
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), self.tz)

    def rows(self) -> Iterator[Sequence[Any]]:
        p = self.profile
        promised_concluded = p.concluded - p.immediate
        kinds = _Draw(
            self.rng,
            {
                "immediate": p.immediate,
                "promised": promised_concluded,
                "open": p.accepted - p.concluded,
                "refused": p.refused,
            },
        )
        visits = _Draw(
            self.rng, dict(zip(("1", "2", "3"), _shares(p.concluded, p.visits), strict=True))
        )
        late = _Draw(self.rng, {"late": p.late, "on_time": max(0, promised_concluded - p.late)})
        days = self._workdays()
        total = p.accepted + p.refused
        number = 0
        for index, day in enumerate(days):
            todays = total * (index + 1) // len(days) - total * index // len(days)
            moments = []
            for _ in range(todays):
                category = kinds.take()
                item = self._item(category)
                moments.append((self._moment(item.window, day), category, item))
            moments.sort(key=lambda entry: entry[0])
            for received, category, item in moments:
                number += 1
                yield self._row(number, received, category, item, visits, late)

    def _within(self, window: str, received: dt.datetime, due: dt.datetime) -> dt.datetime:
        """A random open moment of ``window`` after ``received`` and by ``due``."""
        calendar = self.times.time.calendar
        days = []
        day = received.date()
        while day <= due.date():
            if calendar.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        day = days[self.rng.randrange(len(days))] if days else received.date()
        after = received.hour * 60 + received.minute + 1 if day == received.date() else 0
        before = due.hour * 60 + due.minute + 1 if day == due.date() else 24 * 60
        return min(max(self._moment(window, day, after, before), received), due)

    def _item(self, category: str) -> ServiceItem:
        pool = self.immediate_items if category == "immediate" else self.promised_items
        if not pool:
            pool = self.immediate_items or self.promised_items
        return pool[self.rng.randrange(len(pool))]

    def _row(
        self,
        number: int,
        received: dt.datetime,
        category: str,
        item: ServiceItem,
        visits: _Draw,
        late: _Draw,
    ) -> Sequence[Any]:
        from govhall.records import Case

        case_id = f"{self.config.hall.id}-{received.year}-{number:07d}"
        staff_pool = self.staff.get(item.window, [])
        staff = staff_pool[self.rng.randrange(len(staff_pool))] if staff_pool else ""
        status, concluded, visit_count = "", "", 1
        if category == "refused":
            status = self.rng.choice(("not_accepted", "not_accepted", "correction", "returned"))
        elif category == "open":
            status = self.rng.choice(("accepted", "in_review", "in_review", "withdrawn"))
        else:
            status = "delivered" if self.rng.random() < 0.3 else "concluded"
            visit_count = int(visits.take())
            case = Case(case_id, item.window, item.id, item.kind, received, "accepted", None, 1)
            due = self.times.due(case)
            if category == "immediate":
                end = self._moment(
                    item.window, received.date(), received.hour * 60 + received.minute + 5
                )
                finished = min(max(end, received + dt.timedelta(minutes=5)), due)
                finished = max(finished, received)
            elif late.take() == "late":
                finished = due + dt.timedelta(days=self.rng.randint(1, 5))
            else:
                finished = self._within(item.window, received, due)
            concluded = finished.replace(tzinfo=None).isoformat(timespec="minutes")
        return (
            case_id,
            item.window,
            item.id,
            item.kind,
            received.replace(tzinfo=None).isoformat(timespec="minutes"),
            status,
            concluded,
            visit_count,
            staff,
        )


def _ratings(
    profile: Profile,
    rated: list[tuple[str, str, str, str]],
    rng: random.Random,
    maker: _CaseMaker,
) -> Iterator[Sequence[Any]]:
    if not rated:
        return
    if profile.rating_levels is None:
        levels = {5: 0, 4: 0}
        levels[5] = (len(rated) * 2) // 3
        levels[4] = len(rated) - levels[5]
    else:
        levels = dict(profile.rating_levels)
    draw = _Draw(rng, {str(level): count for level, count in levels.items()})
    wanted = sum(levels.values())
    for index in range(wanted):
        # spread the ratings evenly over the rated cases
        case_id, window, staff, concluded = rated[index * len(rated) // wanted % len(rated)]
        channel = rng.choice(("pad", "pad", "pad", "online", "sms"))
        yield (case_id, window, staff, draw.take(), concluded, channel)


def _rating_extras(row: Sequence[Any], rng: random.Random) -> Sequence[Any]:
    """Add tags, and move some ratings to the app, kiosk and hotline channels."""
    case_id, window, staff, level, rated_at, channel = row
    moves = {"online": ("app", 0.3), "pad": ("kiosk", 0.05), "sms": ("hotline", 0.2)}
    target, share = moves.get(channel, (channel, 0.0))
    if rng.random() < share:
        channel = target
    tags: list[str] = []
    if int(level) <= 2:
        # the time-limit complaint often, the others now and then
        tags = [BAD_TAGS[0]] if rng.random() < 0.4 else []
        tags += rng.sample(BAD_TAGS[1:], rng.choice((0, 1, 1))) or [rng.choice(BAD_TAGS[1:])]
    elif rng.random() < 0.1:
        tags = [rng.choice(GOOD_TAGS)]
    return (case_id, window, staff, level, rated_at, channel, ";".join(tags))


def _progress(row: Sequence[Any], rng: random.Random, times: DueTimes) -> Sequence[Any]:
    """Return a bad rating's work-order progress: mostly in time, some late, some open."""
    from govhall.time.deadlines import due_after

    case_id, window, _, _, rated_at, channel, _ = row
    time = times.time
    rated = dt.datetime.fromisoformat(rated_at)

    def by(days: int, after: dt.datetime) -> dt.datetime:
        _, due = due_after(time, window, rated, days)
        return max(due - dt.timedelta(minutes=rng.randint(5, 120)), after + dt.timedelta(minutes=5))

    kind = rng.choices(("on_time", "late", "open"), weights=(75, 15, 10))[0]
    verified = by(rng.choice((0, 1)), rated)
    rectified = replied = None
    outcome = ""
    if kind != "open":
        outcome = rng.choices(("rectified", "explained", "not_upheld"), weights=(6, 3, 1))[0]
        rectified = by(rng.randint(2, 12), verified) if outcome == "rectified" else None
        reply_days = rng.randint(13, 15) if kind == "on_time" else rng.randint(16, 20)
        replied = by(reply_days, rectified or verified)

    def text(moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.isoformat(timespec="minutes")

    return (case_id, channel, rated_at, text(verified), text(rectified), text(replied), outcome)


FINDING_RULES = (
    ("window.attendance.absent-half-day", None),
    ("window.attendance.review-meeting-late", None),
    ("window.cleanliness.untidy", None),
    ("window.archives.missing-material", None),
    ("window.intake.negligence", "4"),
    ("window.evaluation.praise-letter", "2"),
    ("staff.conduct.badge-dress", None),
    ("staff.meetings.weekly-late", None),
    ("staff.other.attitude-praise", "1"),
)
"""Inspection findings written by the sample: full rule ids of the reference rulebooks
(``<rulebook>.<category>.<rule>``, see docs/scoring.md); staff rules name a staff member."""


def _findings(config: HallConfig, profile: Profile, rng: random.Random) -> Iterator[Sequence[Any]]:
    windows = [w.id for w in config.windows]
    staffed = sorted({s.window for s in config.staff})
    if not windows:
        return
    months = (
        (profile.end.year - profile.start.year) * 12 + profile.end.month - profile.start.month + 1
    )
    seen: set[tuple[str, str, str, str]] = set()  # a finding's key: one row per key
    for index in range(months * 3):
        month = profile.start.month - 1 + index // 3
        day = dt.date(profile.start.year + month // 12, month % 12 + 1, rng.randint(1, 28))
        rule, points = FINDING_RULES[rng.randrange(len(FINDING_RULES))]
        staff_rule = rule.startswith("staff.")
        pool = staffed if staff_rule else windows
        if not pool:
            continue
        window = pool[rng.randrange(len(pool))]
        people = [s.id for s in config.staff if s.window == window]
        staff = people[rng.randrange(len(people))] if staff_rule else ""
        key = (day.isoformat(), window, staff, rule)
        if key in seen:  # the same finding drawn twice: a record states it once
            continue
        seen.add(key)
        yield (day.isoformat(), window, staff, rule, 1, points or "")


# -- province scale ---------------------------------------------------------------


def _no_other_format(directory: Path, format: str) -> None:
    """Refuse a folder holding sample files of another format: both would be read."""
    if not directory.is_dir():
        return
    others = sorted(
        path.name
        for stem in STEMS
        for path in directory.glob(f"{stem}.*")
        if path.suffix.lower() in (".csv", ".parquet", ".jsonl", ".ndjson")
        and path.suffix.lower() != f".{format}"
    )
    if others:
        raise GovhallError(
            f"{directory} holds {', '.join(others)}, which would be read beside the new "
            f"{format} files: remove them or write into another folder"
        )


def _months_after(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_for(
    profile: Profile, months: int | None, start: dt.date | None
) -> tuple[dt.date, dt.date, int]:
    """Return the first and last day, and the months, of a province-scale sample."""
    if months is not None and not 1 <= months <= MAX_MONTHS:
        raise GovhallError(f"--months must be between 1 and {MAX_MONTHS}, got {months}")
    profile_months = (
        (profile.end.year - profile.start.year) * 12 + profile.end.month - profile.start.month + 1
    )
    count = months if months is not None else profile_months
    first = (start or profile.start).replace(day=1)
    last = _months_after(first, count) - dt.timedelta(days=1)
    if first.year < 1900 or last.year > 2999:
        raise GovhallError(f"the sample's months {first:%Y-%m}..{last:%Y-%m} leave 1900-2999")
    return first, last, count


def mix_for(profile: Profile) -> Mix:
    """Return the shares a profile's totals stand for, as :class:`~govhall.engines.generate.Mix`."""
    from govhall.engines.generate import Mix

    total = profile.accepted + profile.refused
    promised = profile.concluded - profile.immediate
    # no rating levels: one rating per case, two in three at level 5 (see _ratings)
    counts = [2, 1, 0, 0, 0]
    rated = 1.0
    if profile.rating_levels is not None:
        counts = [profile.rating_levels.get(level, 0) for level in (5, 4, 3, 2, 1)]
        rated = min(1.0, sum(counts) / max(1, profile.concluded))
    shares = [c / max(1, sum(counts)) for c in counts]
    return Mix(
        immediate=profile.immediate / total,
        promised=promised / total,
        open=(profile.accepted - profile.concluded) / total,
        late=profile.late / promised if promised else 0.0,
        visits=profile.visits,
        rated=rated,
        levels=(shares[0], shares[1], shares[2], shares[3], shares[4]),
    )


def _write_scaled(
    config: HallConfig,
    directory: Path,
    *,
    seed: int,
    rows: int | None,
    force: bool,
    times: DueTimes,
    progress: Callable[[int], None] | None,
    months: int | None,
    start: dt.date | None,
    format: str,
    ratings_per_case: float | None,
) -> SampleSummary:
    import duckdb

    from govhall.engines.generate import MAX_RATINGS_PER_CASE, generate

    base = PROFILES.get(config.hall.county, GENERIC)
    first, last, count = period_for(base, months, start)
    if rows is None:
        per_month = (base.accepted + base.refused) / max(1, period_for(base, None, None)[2])
        rows = max(1, round(per_month * count))
    if not 1 <= rows <= MAX_SCALED_ROWS:
        raise GovhallError(f"--rows must be between 1 and {MAX_SCALED_ROWS:,}, got {rows:,}")
    mix = mix_for(base)
    rated = ""
    if ratings_per_case is not None:
        if not 0 <= ratings_per_case <= MAX_RATINGS_PER_CASE:
            raise GovhallError(
                f"ratings per case must be between 0 and {MAX_RATINGS_PER_CASE} "
                f"(one per channel), got {ratings_per_case:g}"
            )
        mix = replace(mix, rated=ratings_per_case)
        rated = f", {ratings_per_case:g} ratings per concluded case assumed"
    accepted = round(rows * (mix.immediate + mix.promised + mix.open))
    profile = Profile(  # what the shares make of ``rows`` cases: expected, not exact, totals
        first,
        last,
        accepted=accepted,
        concluded=round(rows * (mix.immediate + mix.promised)),
        immediate=round(rows * mix.immediate),
        refused=rows - accepted,
        late=round(rows * mix.promised * mix.late),
        visits=base.visits,
        rating_levels=None,
        source=(
            f"{base.source}: its shares over {count} month(s) from {first:%Y-%m}, "
            f"{rows:,} cases expected{rated}, drawn by DuckDB"
        ),
    )
    _no_other_format(directory, format)
    targets = tuple(directory / f"{stem}.{format}" for stem in ("cases", *STEMS[1:]))
    with open_set(targets, force=force) as files:
        db = duckdb.connect()
        try:
            made = generate(
                db, config, times.time, first=first, last=last, cases=rows, seed=seed, mix=mix
            )
        except ValueError as exc:
            db.close()
            raise GovhallError(str(exc)) from None
        if progress is not None:
            progress(made.cases)
        try:
            _copy(db, files.stage(targets[0]), _CASES_SQL, format)
            _copy(db, files.stage(targets[1]), _RATINGS_SQL, format)
            _copy(db, files.stage(targets[3]), _RECTIFICATIONS_SQL, format)
        except (duckdb.Error, OSError) as exc:
            raise GovhallError(f"cannot write the sample into {directory}: {exc}") from None
        finally:
            db.close()
        finding_rows = list(_findings(config, profile, random.Random(seed)))
        header = ("date", "window", "staff", "rule", "count", "points")
        if format == "csv":
            _write_csv(files, targets[2], header, finding_rows)
        else:
            _write_parquet_findings(files.stage(targets[2]), header, finding_rows)
    return SampleSummary(
        directory, targets, made.cases, made.ratings, len(finding_rows), profile, config.hall.id
    )


_TIME_CSV = "strftime({0}, '%Y-%m-%dT%H:%M') AS {0}"
_CASES_SQL = (
    'SELECT case_id, "window", item, kind, {received_at}, status, {concluded_at}, visits, '
    "staff, pauses FROM gen_cases"
)
_RATINGS_SQL = (
    'SELECT case_id, "window", staff, level, {rated_at}, channel, tags FROM gen_ratings '
    "ORDER BY num, j"
)
_RECTIFICATIONS_SQL = (
    "SELECT case_id, channel, {rated_at}, {verified_at}, {rectified_at}, {replied_at}, outcome "
    "FROM gen_rectifications ORDER BY num, j"
)


def _copy(db: Any, path: Path, template: str, format: str) -> None:
    """Write a query's rows to ``path``: CSV with minute times, or Parquet with typed columns."""
    names = ("received_at", "concluded_at", "rated_at", "verified_at", "rectified_at", "replied_at")
    if format == "csv":
        sql = template.format(**{name: _TIME_CSV.format(name) for name in names})
        options = "FORMAT csv, HEADER true, DELIMITER ','"
    else:
        sql = template.format(**{name: name for name in names})
        options = "FORMAT parquet, COMPRESSION zstd"
    quoted = "'" + str(path).replace("'", "''") + "'"
    db.execute(f"COPY ({sql}) TO {quoted} ({options})")


def _write_parquet_findings(path: Path, header: Sequence[str], rows: list[Sequence[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    table = pa.table(
        {
            "date": pa.array([dt.date.fromisoformat(d) for d in columns[0]], pa.date32()),
            "window": pa.array(columns[1], pa.string()),
            "staff": pa.array([s or None for s in columns[2]], pa.string()),
            "rule": pa.array(columns[3], pa.string()),
            "count": pa.array(columns[4], pa.int32()),
            "points": pa.array([int(p) if p else None for p in columns[5]], pa.int32()),
        }
    )
    pq.write_table(table, path)


def write_samples(
    halls: Sequence[tuple[HallConfig, DueTimes]],
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    rows: int | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    months: int | None = None,
    start: dt.date | None = None,
    format: str = "csv",
    ratings_per_case: float | None = None,
) -> list[SampleSummary]:
    """Write a sample for each hall of a deployment into ``out/<hall id>/``.

    ``rows`` is the total over the halls, shared out evenly; each hall gets
    its own seed stream (``seed`` and its position). The other arguments are
    :func:`write_sample`'s.

    Raises:
        GovhallError: As :func:`write_sample`, for the first hall that fails
            (the halls before it are written).
    """
    if not str(out).strip():
        raise GovhallError("the --out folder path is empty")
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise GovhallError(f"{root} is not a folder")
    ids = [config.hall.id for config, _ in halls]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise GovhallError(f"hall id(s) {', '.join(twice)} appear twice: one subfolder each")
    if rows is not None and rows < len(halls):
        raise GovhallError(f"--rows {rows} is fewer than the {len(halls)} halls")
    written = []
    done = 0
    for index, (config, times) in enumerate(halls):
        share = None
        if rows is not None:
            share = rows * (index + 1) // len(halls) - rows * index // len(halls)

        def step(count: int, before: int = done) -> None:
            if progress is not None:
                progress(before + count)

        summary = write_sample(
            config,
            root / config.hall.id,
            seed=seed + index * 1_000_003,
            rows=share,
            force=force,
            times=times,
            progress=step,
            months=months,
            start=start,
            format=format,
            ratings_per_case=ratings_per_case,
        )
        done += summary.cases
        written.append(summary)
    return written
