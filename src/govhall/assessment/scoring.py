"""Score windows and staff for a month: explained lines, caps and a deterministic ranking.

:class:`Scorer` takes cases, ratings and inspection findings as plain
iterables (one pass each; memory grows with the number of windows, staff and
months, not with the number of records) and scores the months asked for with
the rulebooks in force on the first day of each month.

Every score is a list of :class:`Line` objects: the rule, the points, and the
evidence ids behind them (``case:<case_id>``,
``rating:<case_id>@<rated_at>``, ``finding:<date>:<window>:<staff>:<rule>``
with ``#2``, ``#3`` for identical findings). A ratings bucket may rest on
thousands of ratings: by default (``evidence="summary"``) its evidence is one
id naming them all, ``ratings:<window>:<YYYY-MM>`` (the window's ratings
given in the month; the line's note has the count), and the scorer keeps no
rating ids, so memory stays flat in the number of ratings;
``evidence="full"`` lists every ``rating:`` id instead. Lines that only enforce a cap
(a category cannot go below zero; the total cannot pass the maximum) have
the rule ``<category>.floor``, ``<category>.limit`` or ``<rulebook>.maximum``
and no evidence.

Counting rules (documented assumptions where the source is silent; see
``docs/scoring.md``):

* overdue: a promised case whose due time falls in the month and that was
  concluded after it, or is not concluded at all (the month's end is past its
  due time); each counts once, in the month it fell due;
* completion: accepted cases received in the month; concluded / accepted,
  short by whole percentage points (floor);
* ratings: those given in the month; findings: those dated in the month;
* work orders (``work_orders`` rules, off unless a county gives them points):
  ``overdue`` in the month the order fell due when not answered by then,
  ``closed_late`` in the month it was answered after its due time; evidence
  ``order:<case_id>@<rated_at>``, the due and answer times in the note.

Ranking: score descending, then the smaller total of deductions, then id.
Input order never matters: ``Scorer`` sorts everything it reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from govhall.assessment.rulebook import (
    BUCKETS,
    COMPOSITE_SOURCES,
    COMPUTED_KINDS,
    Category,
    Rule,
    Rulebook,
)
from govhall.errors import GovhallError
from govhall.records import CONCLUDED_STATUSES, Case, Finding, Rating

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager

DueFunction = Callable[[Case], dt.datetime]
"""Return a promised case's due time (timezone-aware)."""

COMPOSITE_RULES = {"composite.window-head": "window_head", "composite.managers": "managers"}
"""Finding rules that carry a window head's or managers' 0-100 score in ``points``."""
CITIZEN_LEVEL = 3
"""Ratings at this level or above count as satisfied for the citizens' source (default)."""
COMPOSITE_MAXIMUM = Decimal(100)
"""The composite is on a 100-point scale (百分制合成法): a total above 100 is capped."""
_ACCEPTED = frozenset({"accepted", "in_review", "concluded", "delivered", "withdrawn"})
_OPEN_OR_DONE = frozenset({"accepted", "in_review", "concluded", "delivered"})
_CENT = Decimal("0.01")
EVIDENCE_MODES = ("summary", "full")
"""``summary``: a ratings bucket names its ratings by one id; ``full``: it lists each."""


class ScoringError(GovhallError):
    """Scoring cannot proceed: a bad month, no rules in force, a number missing."""


class Month(NamedTuple):
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``.

        Raises:
            ScoringError: Not a month in that form.
        """
        try:
            year, month = (int(part) for part in text.split("-"))
            dt.date(year, month, 1)
            if not 1900 <= year <= 2999:  # the years data rows may name (readers)
                raise ValueError
        except ValueError:
            raise ScoringError(
                f"month {text!r}: expected YYYY-MM between 1900-01 and 2999-12, e.g. 2010-10"
            ) from None
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        """Return the month's first day."""
        return dt.date(self.year, self.month, 1)

    def next(self) -> Month:
        """Return the following month."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a score: the rule, the points it gives, and the evidence behind them."""

    rule: str
    points: Decimal
    evidence: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return ``{"rule", "points", "evidence", "note"}``, a line of ``govhall score --json``."""
        return {
            "rule": self.rule,
            "points": number(self.points),
            "evidence": list(self.evidence),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Score:
    """A window's or staff member's score for one month, with its lines and rank."""

    subject: str
    score: Decimal
    lines: tuple[Line, ...]
    rank: int = 0
    assessment: Score | None = None
    """With a composite (Zhenhai), the rulebook assessment behind the inspection source."""

    @property
    def deductions(self) -> Decimal:
        """Return the total of negative lines, as a positive number.

        A composite score's own lines are weighted sources, all positive; its
        deductions are those of the rulebook assessment behind it.
        """
        if self.assessment is not None:
            return self.assessment.deductions
        return -sum((line.points for line in self.lines if line.points < 0), Decimal(0))


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be used in scoring, and why (never dropped silently)."""

    evidence: str
    reason: str


@dataclass(frozen=True, slots=True)
class MonthScores:
    """The scores of one month, ranked."""

    month: Month
    windows: tuple[Score, ...]
    staff: tuple[Score, ...]
    rejected: tuple[Rejection, ...] = ()
    active: bool = False
    """True when any case, rating or finding fell in the month."""
    staff_on_post: frozenset[str] = frozenset()
    """Staff who received a case, or whom a finding names, in the month (on post).

    Ratings and conclusions do not count: they trail the receipt, so the
    month after the data's last receipts would look like a month worked."""

    def to_json(self) -> dict[str, Any]:
        """Return the ``govhall score --json`` document."""
        return {
            "month": str(self.month),
            "windows": [_score_json(s, "window") for s in self.windows],
            "staff": [_score_json(s, "staff") for s in self.staff],
            "rejected": [{"evidence": r.evidence, "reason": r.reason} for r in self.rejected],
        }


def _score_json(score: Score, key: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        key: score.subject,
        "score": number(score.score),
        "rank": score.rank,
        "lines": [line.to_json() for line in score.lines],
    }
    if score.assessment is not None:
        document["assessment"] = {
            "score": number(score.assessment.score),
            "lines": [line.to_json() for line in score.assessment.lines],
        }
    return document


def number(value: Decimal) -> int | float:
    """Return a Decimal as a JSON number: an int when whole."""
    return int(value) if value == value.to_integral_value() else float(value)


# -- accumulation ---------------------------------------------------------------


@dataclass
class _Tally:
    """What one subject (window or staff) collected in one month."""

    accepted: int = 0
    concluded: int = 0
    unconcluded: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    ratings: int = 0
    satisfied: int = 0
    citizen_satisfied: int = 0
    rating_ids: list[str] = field(default_factory=list)
    orders: dict[str, list[OrderEvidence]] = field(default_factory=lambda: defaultdict(list))
    """Work-order evidence by measure (``overdue``, ``closed_late``)."""


@dataclass(frozen=True, slots=True)
class OrderEvidence:
    """A bad-rating work order as a ``work_orders`` rule cites it."""

    id: str
    """``order:<case_id>@<rated_at>``."""
    due: dt.datetime
    closed: dt.datetime | None

    def describe(self) -> str:
        """Return ``<case_id> due <time>, closed <time>|still open``."""
        case = self.id.removeprefix("order:").rsplit("@", 1)[0]
        done = "still open" if self.closed is None else f"closed {_clock(self.closed)}"
        return f"{case} due {_clock(self.due)}, {done}"


def _clock(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class WorkOrderLike(Protocol):
    """What :meth:`Scorer.add_work_orders` reads of a work order (``workorders.WorkOrder``)."""

    @property
    def rating(self) -> Rating: ...
    @property
    def due(self) -> dt.datetime: ...
    @property
    def closed(self) -> dt.datetime | None: ...


@dataclass
class Counted:
    """What an engine counted for the scorer: the tallies :meth:`Scorer.add_cases` and
    :meth:`Scorer.add_ratings` build record by record, as a few rows each.

    Every row names its :class:`Month`; ``staff`` is ``None`` for a case without one.
    """

    receipts: list[tuple[Month, str, str | None, int, int, int]] = field(default_factory=list)
    """``(month, window, staff, cases, accepted, concluded)``: cases received in a month."""
    unconcluded: list[tuple[Month, str, str | None, str]] = field(default_factory=list)
    """``(month, window, staff, case id)``: accepted cases received in the month, not concluded."""
    overdue: list[tuple[Month, str, str | None, str]] = field(default_factory=list)
    """``(month, window, staff, case id)``: promised cases that fell overdue in the month."""
    rating_levels: list[tuple[Month, str, int, int]] = field(default_factory=list)
    """``(month, window, level, ratings)``: ratings given in the month, by level."""
    rating_ids: list[tuple[Month, str, str]] = field(default_factory=list)
    """``(month, window, evidence id)`` of each rating (only for ``evidence="full"``)."""


@dataclass
class _MonthData:
    windows: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    staff: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    findings: list[Finding] = field(default_factory=list)
    active: bool = False
    on_post: set[str] = field(default_factory=set)


class Scorer:
    """Collect a hall's records and score chosen months.

    Args:
        config: The hall (its windows and staff are the ones scored).
        window_book: The window rulebook (overrides already applied).
        staff_book: The staff rulebook.
        months: The months to score.
        due: Due time of a promised case (see :func:`deadline_function`).
        weights: Composite weights by source (:data:`COMPOSITE_SOURCES`), or
            ``None`` to rank windows by the rulebook score alone.
        citizen_level: The least rating level counted as satisfied for the
            composite's citizens source (the county's satisfied level).
        evidence: ``summary`` (a ratings bucket's evidence is one
            ``ratings:<window>:<YYYY-MM>`` id) or ``full`` (every rating's id).

    Example::

        scorer = Scorer(config, window_book, staff_book, [Month(2010, 10)], due)
        scorer.add_cases(cases); scorer.add_ratings(ratings); scorer.add_findings(findings)
        october = scorer.results()[Month(2010, 10)]
    """

    def __init__(
        self,
        config: HallConfig,
        window_book: Rulebook,
        staff_book: Rulebook,
        months: Iterable[Month],
        due: DueFunction,
        weights: Mapping[str, Decimal] | None = None,
        *,
        citizen_level: int = CITIZEN_LEVEL,
        evidence: str = "summary",
    ) -> None:
        if evidence not in EVIDENCE_MODES:
            raise ScoringError(
                f"evidence {evidence!r}: expected one of {', '.join(EVIDENCE_MODES)}"
            )
        self.full_evidence = evidence == "full"
        self.window_book = window_book
        self.citizen_level = citizen_level
        self.staff_book = staff_book
        self.due = due
        self.weights = dict(weights) if weights is not None else None
        self.window_ids = sorted(w.id for w in config.windows)
        self.staff_ids = sorted(s.id for s in config.staff)
        self._known_staff = frozenset(self.staff_ids)
        tz = ZoneInfo(config.hall.timezone)
        self.months = sorted(set(months))
        if not self.months:
            raise ScoringError("no month to score")
        self._data = {month: _MonthData() for month in self.months}
        self._bounds = {
            month: (
                dt.datetime(month.year, month.month, 1, tzinfo=tz),
                dt.datetime(*month.next(), 1, tzinfo=tz),
            )
            for month in self.months
        }
        self._first = self._bounds[self.months[0]][0]
        self._last = self._bounds[self.months[-1]][1]
        self._rejected: list[Rejection] = []
        self._unknown_staff: dict[str, int] = defaultdict(int)
        self._satisfied_level = {month: self._ratings_level(month) for month in self.months}

    def _ratings_level(self, month: Month) -> int:
        from govhall.params import ParameterError

        try:
            return self._satisfied_level_at(month)
        except ParameterError as exc:
            raise ScoringError(f"scoring {month}: {exc}") from None

    def _satisfied_level_at(self, month: Month) -> int:
        for rule in self.window_book.rules():
            if rule.kind == "ratings":
                return int(
                    self.window_book.parameters.at(f"{rule.id}.satisfied_level", month.first_day)
                )
        return 6  # no ratings rule: nothing counts as satisfied

    # -- feeding ----------------------------------------------------------------
    def add_cases(self, cases: Iterable[Case]) -> None:
        """Take cases into the months' tallies (one pass; nothing is kept per case)."""
        data, first, last, due = self._data, self._first, self._last, self.due
        known_staff, unknown = self._known_staff, self._unknown_staff
        for case in cases:
            received = case.received_at
            if received >= last:
                continue
            status = case.status
            staff = case.staff
            if first <= received:
                month = data.get(Month(received.year, received.month))
                if month is not None:
                    month.active = True
                    if status in _ACCEPTED:
                        done = status in CONCLUDED_STATUSES
                        tallies = [month.windows[case.window]]
                        if staff is not None:
                            if staff in known_staff:
                                month.on_post.add(staff)
                                tallies.append(month.staff[staff])
                            else:
                                unknown[staff] += 1
                        for tally in tallies:
                            tally.accepted += 1
                            if done:
                                tally.concluded += 1
                            else:
                                tally.unconcluded.append(case.case_id)
            if case.kind != "promised" or status not in _OPEN_OR_DONE:
                continue
            try:
                due_time = due(case)
            except GovhallError as exc:
                self._rejected.append(Rejection(f"case:{case.case_id}", f"no due time: {exc}"))
                continue
            if not first <= due_time < last:
                continue
            concluded = case.concluded_at
            if concluded is not None and concluded <= due_time:
                continue
            month = data.get(Month(due_time.year, due_time.month))
            if month is None:
                continue
            month.windows[case.window].overdue.append(case.case_id)
            if staff is not None and staff in known_staff:
                month.staff[staff].overdue.append(case.case_id)

    def add_ratings(self, ratings: Iterable[Rating]) -> None:
        """Take ratings into the months' tallies."""
        data, first, last = self._data, self._first, self._last
        citizen_level = self.citizen_level
        full = self.full_evidence
        for rating in ratings:
            rated = rating.rated_at
            if not first <= rated < last:
                continue
            key = Month(rated.year, rated.month)
            month = data.get(key)
            if month is None:
                continue
            month.active = True
            tally = month.windows[rating.window]
            tally.ratings += 1
            level = rating.level
            if level >= self._satisfied_level[key]:
                tally.satisfied += 1
            if level >= citizen_level:
                tally.citizen_satisfied += 1
            if full:
                tally.rating_ids.append(f"rating:{rating.case_id}@{rated.isoformat()}")
            # a rating is not evidence of presence: it trails the case's conclusion

    def work_order_rules(self) -> bool:
        """Return True when a ``work_orders`` rule gives points in any month scored.

        Only then are work orders worth building (:meth:`add_work_orders`).

        Raises:
            ScoringError: A rule's points are missing for a month.
        """
        from govhall.params import ParameterError

        try:
            return any(
                book.work_order_rules(month.first_day)
                for book in (self.window_book, self.staff_book)
                for month in self.months
            )
        except ParameterError as exc:
            raise ScoringError(f"work-order rules: {exc}") from None

    def add_work_orders(self, orders: Iterable[WorkOrderLike], month: Month | None = None) -> None:
        """Take bad-rating work orders for the ``work_orders`` rules.

        An order counts as ``overdue`` in the month its due time falls in when
        it was not answered by then (answered later, or not at all), and as
        ``closed_late`` in the month it was answered when that was after its
        due time. It counts for its window, and for the staff member the
        rating names (when the config lists them). An order given twice (the
        same rating) counts once. With ``month``, only what falls in that month
        is taken (orders as known at that month's end).
        """
        seen: set[str] = set()
        for order in orders:
            rating = order.rating
            oid = f"order:{rating.case_id}@{rating.rated_at.isoformat()}"
            if oid in seen:
                continue
            seen.add(oid)
            evidence = OrderEvidence(oid, order.due, order.closed)
            closed = order.closed
            late = closed is None or closed > order.due
            moments = [("overdue", order.due)] if late else []
            if closed is not None and late:
                moments.append(("closed_late", closed))
            for measure, moment in moments:
                if not self._first <= moment < self._last:
                    continue
                key = Month(moment.year, moment.month)
                data = self._data.get(key)
                if data is None or (month is not None and key != month):
                    continue
                data.windows[rating.window].orders[measure].append(evidence)
                if rating.staff is not None and rating.staff in self._known_staff:
                    data.staff[rating.staff].orders[measure].append(evidence)

    def add_counts(self, counted: Counted) -> None:
        """Take an engine's counts into the months' tallies (instead of cases and ratings).

        The same tallies :meth:`add_cases` and :meth:`add_ratings` build: the
        engine has applied the months and statuses, the scorer applies the
        hall (known staff, each month's satisfied level).
        """
        data, known_staff, unknown = self._data, self._known_staff, self._unknown_staff
        for month, window, staff, cases, accepted, concluded in counted.receipts:
            found = data.get(month)
            if found is None:
                continue
            found.active = found.active or cases > 0
            if not accepted:
                continue
            tallies = [found.windows[window]]
            if staff is not None:
                if staff in known_staff:
                    found.on_post.add(staff)
                    tallies.append(found.staff[staff])
                else:
                    unknown[staff] += accepted
            for tally in tallies:
                tally.accepted += accepted
                tally.concluded += concluded
        for rows, name in ((counted.unconcluded, "unconcluded"), (counted.overdue, "overdue")):
            for month, window, staff, case_id in rows:
                found = data.get(month)
                if found is None:
                    continue
                getattr(found.windows[window], name).append(case_id)
                if staff is not None and staff in known_staff:
                    getattr(found.staff[staff], name).append(case_id)
        for month, window, level, count in counted.rating_levels:
            found = data.get(month)
            if found is None or not count:
                continue
            found.active = True
            tally = found.windows[window]
            tally.ratings += count
            if level >= self._satisfied_level[month]:
                tally.satisfied += count
            if level >= self.citizen_level:
                tally.citizen_satisfied += count
        if self.full_evidence:
            for month, window, evidence in counted.rating_ids:
                found = data.get(month)
                if found is not None:
                    found.windows[window].rating_ids.append(evidence)

    def add_findings(self, findings: Iterable[Finding]) -> None:
        """Take inspection findings dated in the months."""
        for finding in findings:
            month = self._data.get(Month(finding.date.year, finding.date.month))
            if month is not None:
                month.active = True
                month.findings.append(finding)
                if finding.staff is not None and finding.staff in self._known_staff:
                    month.on_post.add(finding.staff)

    # -- scoring ----------------------------------------------------------------
    def results(self) -> dict[Month, MonthScores]:
        """Score every month asked for.

        Raises:
            ScoringError: A rulebook is not in force, or a number a line needs is missing.
        """
        return {month: self._score_month(month) for month in self.months}

    def staff_year(self, year: int) -> tuple[Score, ...]:
        """Score every staff member once for ``year``: the annual 德能勤绩 result, ranked.

        《县行政服务中心窗口服务考核实施细则》二 assesses staff on 德、能、勤、绩
        with a base of 100 and a maximum of 110, and 三.4 grades them at the
        year's end; only windows are assessed monthly (一: 每月考核一次). So
        the year is one assessment: the year's cases (received in the year),
        overdue cases and findings all count against one base, each
        category's floor and the maximum apply to the year's net, and a rule
        that is annual in the source (``period = "year"``, e.g. 病事假全年累计
        超过15天) applies at most once. The rulebook in force on 1 January is
        used. Months asked of the scorer outside ``year`` are ignored.

        Raises:
            ScoringError: The scorer has no month of ``year``, or a number is missing.
        """
        from govhall.params import ParameterError

        months = [m for m in self.months if m.year == year]
        if not months:
            raise ScoringError(f"no month of {year} to score")
        staff: dict[str, _Tally] = defaultdict(_Tally)
        findings: list[Finding] = []
        for month in months:
            data = self._data[month]
            findings.extend(data.findings)
            for person, tally in data.staff.items():
                total = staff[person]
                total.accepted += tally.accepted
                total.concluded += tally.concluded
                total.unconcluded.extend(tally.unconcluded)
                total.overdue.extend(tally.overdue)
                for measure, found_orders in tally.orders.items():
                    total.orders[measure].extend(found_orders)
        when = dt.date(year, 1, 1)
        found = _FindingLines(self, when, findings, annual=True)
        try:
            scores = [
                self._subject(self.staff_book, when, s, staff.get(s), found) for s in self.staff_ids
            ]
        except ParameterError as exc:
            raise ScoringError(f"scoring the year {year}: {exc}") from None
        return _ranked(scores)

    def _score_month(self, month: Month) -> MonthScores:
        from govhall.params import ParameterError

        data = self._data[month]
        rejected = list(self._rejected)
        for staff, count in sorted(self._unknown_staff.items()):
            rejected.append(
                Rejection(
                    f"staff:{staff}",
                    f"{count} case(s) name staff not in the config: scored for their window only",
                )
            )
        found = _FindingLines(self, month.first_day, data.findings)
        rejected.extend(found.rejected)
        try:
            windows = [
                self._subject(self.window_book, month, w, data.windows.get(w), found)
                for w in self.window_ids
            ]
            staff_scores = [
                self._subject(self.staff_book, month, s, data.staff.get(s), found)
                for s in self.staff_ids
            ]
        except ParameterError as exc:
            raise ScoringError(f"scoring {month}: {exc}") from None
        if self.weights is not None:
            windows = [
                _composite(
                    score,
                    self.weights,
                    data.windows.get(score.subject),
                    found,
                    self.citizen_level,
                    self._rating_ref(score.subject, month),
                )
                for score in windows
            ]
        return MonthScores(
            month,
            _ranked(windows),
            _ranked(staff_scores),
            tuple(sorted(set(rejected), key=lambda r: (r.evidence, r.reason))),
            data.active,
            frozenset(data.on_post),
        )

    def _rating_ref(self, subject: str, month: Month | dt.date) -> tuple[str, ...] | None:
        """The evidence of a ratings line: ``None`` (its rating ids), or the one summary id."""
        if self.full_evidence:
            return None
        return (f"ratings:{subject}:{month if isinstance(month, Month) else month.year}",)

    def _subject(
        self,
        book: Rulebook,
        month: Month | dt.date,
        subject: str,
        tally: _Tally | None,
        found: _FindingLines,
    ) -> Score:
        when = month.first_day if isinstance(month, Month) else month
        tally = tally or _Tally()
        lines: list[Line] = []
        for category in book.categories:
            cat_lines: list[Line] = []
            for rule in category.rules:
                cat_lines.extend(
                    _data_lines(book, rule, tally, when, self._rating_ref(subject, month))
                )
                cat_lines.extend(found.lines(book.subject, subject, rule))
            lines.extend(cat_lines)
            lines.extend(_cap_lines(book, category, cat_lines, when))
        base = book.value("base", when)
        maximum = book.value("maximum", when)
        total = base + sum((line.points for line in lines), Decimal(0))
        if total > maximum:
            lines.append(
                Line(
                    f"{book.id}.maximum",
                    maximum - total,
                    (),
                    f"the score cannot exceed the maximum {maximum}",
                )
            )
            total = maximum
        return Score(subject, total, tuple(lines))


def _data_lines(
    book: Rulebook, rule: Rule, tally: _Tally, when: dt.date, ratings: tuple[str, ...] | None
) -> list[Line]:
    """Lines a rule computes from cases and ratings (``ratings``: the summary evidence id)."""
    if rule.kind == "overdue" and tally.overdue:
        per = book.parameters.at(f"{rule.id}.points", when)
        ids = sorted(tally.overdue)
        note = f"{len(ids)} overdue promised case(s) × {rule.sign * per}"
        return [Line(rule.id, rule.sign * per * len(ids), _prefixed("case:", ids), note)]
    if rule.kind == "completion" and tally.accepted:
        missing = tally.accepted - tally.concluded
        shortfall = (missing * 100) // tally.accepted
        if shortfall <= 0:
            return []
        per = book.parameters.at(f"{rule.id}.points", when)
        rate = Decimal(tally.concluded * 100) / tally.accepted
        note = (
            f"completion {tally.concluded}/{tally.accepted} = {rate.quantize(_CENT)} %: "
            f"{shortfall} whole percentage point(s) short × {rule.sign * per}"
        )
        unconcluded = _prefixed("case:", sorted(tally.unconcluded))
        return [Line(rule.id, rule.sign * per * shortfall, unconcluded, note)]
    if rule.kind == "ratings" and tally.ratings:
        bucket = _bucket(book, rule, tally, when)
        points = book.parameters.at(f"{rule.id}.{bucket}", when)
        share = Decimal(tally.satisfied * 100) / tally.ratings
        note = (
            f"{tally.satisfied} of {tally.ratings} ratings satisfied "
            f"({share.quantize(_CENT)} %): {bucket}"
        )
        evidence = tuple(sorted(tally.rating_ids)) if ratings is None else ratings
        return [Line(rule.id, points, evidence, note)]
    if rule.kind == "work_orders" and rule.measure is not None and tally.orders.get(rule.measure):
        per = book.parameters.at(f"{rule.id}.points", when)
        if not per:
            return []  # off: the rule gives no points (the reference default)
        orders = sorted(tally.orders[rule.measure], key=lambda o: (o.due, o.id))
        what = {
            "overdue": "not answered by their due time",
            "closed_late": "answered after their due time",
        }[rule.measure]
        note = (
            f"{len(orders)} bad-rating work order(s) (差评工单) {what} × {rule.sign * per}: "
            + "; ".join(order.describe() for order in orders)
        )
        cited = tuple(order.id for order in orders)
        return [Line(rule.id, rule.sign * per * len(orders), cited, note)]
    return []


def _bucket(book: Rulebook, rule: Rule, tally: _Tally, when: dt.date) -> str:
    for bucket in BUCKETS[:-1]:
        threshold = book.parameters.at(f"{rule.id}.threshold.{bucket}", when)
        if tally.satisfied >= threshold * tally.ratings:
            return bucket
    return BUCKETS[-1]


def _cap_lines(
    book: Rulebook, category: Category, lines: Sequence[Line], when: dt.date
) -> list[Line]:
    net = sum((line.points for line in lines), Decimal(0))
    if category.allotment:
        allotment = book.parameters.at(f"{category.id}.allotment", when)
        if net < -allotment:
            note = f"{category.name} cannot go below zero (allotment {allotment})"
            return [Line(f"{category.id}.floor", -allotment - net, (), note)]
    if category.limit:
        limit = book.parameters.at(f"{category.id}.limit", when)
        if abs(net) > limit:
            capped = limit if net > 0 else -limit
            note = f"{category.name}: points are limited to ±{limit}"
            return [Line(f"{category.id}.limit", capped - net, (), note)]
    return []


def _prefixed(prefix: str, ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(prefix + i for i in ids)


def _ranked(scores: Sequence[Score]) -> tuple[Score, ...]:
    ordered = sorted(scores, key=lambda s: (-s.score, s.deductions, s.subject))
    return tuple(
        Score(s.subject, s.score, s.lines, rank, s.assessment) for rank, s in enumerate(ordered, 1)
    )


# -- findings -------------------------------------------------------------------


class _FindingLines:
    """Turn a month's findings into lines by (subject kind, subject, rule), checking each."""

    def __init__(
        self, scorer: Scorer, when: dt.date, findings: Sequence[Finding], *, annual: bool = False
    ) -> None:
        self.rejected: list[Rejection] = []
        self.when = when
        self.annual = annual
        self.by_rule: dict[tuple[str, str, str], list[tuple[str, Finding]]] = defaultdict(list)
        self.composite: dict[tuple[str, str], list[tuple[str, Decimal]]] = defaultdict(list)
        books = {scorer.window_book.id: scorer.window_book, scorer.staff_book.id: scorer.staff_book}
        self.books = books
        windows = set(scorer.window_ids)
        staff = scorer._known_staff
        for fid, finding in _identified(findings):
            reason = self._take(fid, finding, books, windows, staff)
            if reason:
                self.rejected.append(Rejection(fid, reason))

    def _take(
        self,
        fid: str,
        finding: Finding,
        books: Mapping[str, Rulebook],
        windows: set[str],
        staff: frozenset[str],
    ) -> str:
        if finding.window not in windows:
            return f"window {finding.window!r} is not in the config"
        if finding.rule in COMPOSITE_RULES:
            if finding.points is None or not 0 <= finding.points <= 100:
                return "a composite score needs points between 0 and 100"
            self.composite[(finding.window, COMPOSITE_RULES[finding.rule])].append(
                (fid, finding.points)
            )
            return ""
        book = books.get(finding.rule.split(".", 1)[0])
        if book is None:
            return f"rule {finding.rule!r} belongs to no rulebook ({', '.join(sorted(books))})"
        try:
            rule = book.rule(finding.rule)
        except GovhallError as exc:
            return str(exc)
        if rule.kind in COMPUTED_KINDS:
            return f"rule {rule.id!r} is computed from cases and ratings, not from findings"
        if book.subject == "staff":
            if finding.staff is None:
                return f"rule {rule.id!r} is a staff rule: the finding needs a staff id"
            if finding.staff not in staff:
                return f"staff {finding.staff!r} is not in the config"
            subject = finding.staff
        else:
            subject = finding.window
        problem = _check_points(book, rule, finding, self.when)
        if problem:
            return problem
        self.by_rule[(book.subject, subject, rule.id)].append((fid, finding))
        return ""

    def lines(self, kind: str, subject: str, rule: Rule) -> list[Line]:
        found = self.by_rule.get((kind, subject, rule.id))
        if not found:
            return []
        if rule.period == "year":
            return [self._annual_line(rule, found)]
        if rule.kind == "occurrence":
            return [self._occurrence_line(rule, found)]
        return [
            Line(
                rule.id,
                rule.sign * abs(f.points or Decimal(0)) * f.count,
                (fid,),
                f"{f.count} × {rule.sign * abs(f.points or Decimal(0))} (stated by the inspector)",
            )
            for fid, f in found
        ]

    def _annual_line(self, rule: Rule, found: list[tuple[str, Finding]]) -> Line:
        """A rule the source states for the whole year: once in the year, never in a month."""
        ids = tuple(fid for fid, _ in found)
        if not self.annual:
            note = f"annual rule ({rule.source}): counted once in the year's result, not in a month"
            return Line(rule.id, Decimal(0), ids, note)
        book = self.books[rule.id.split(".", 1)[0]]
        if rule.kind == "occurrence":
            per = book.parameters.at(f"{rule.id}.points", self.when)
        else:
            per = max(abs(f.points or Decimal(0)) for _, f in found)
        count = sum(f.count for _, f in found)
        note = f"annual rule ({rule.source}): applies once in the year × {rule.sign * per}"
        if count > 1:
            note += f" ({count} findings)"
        return Line(rule.id, rule.sign * per, ids, note)

    def _occurrence_line(self, rule: Rule, found: list[tuple[str, Finding]]) -> Line:
        book = self.books[rule.id.split(".", 1)[0]]
        count = sum(f.count for _, f in found)
        per = book.parameters.at(f"{rule.id}.points", self.when)
        note = f"{count} occurrence(s) × {rule.sign * per}"
        return Line(rule.id, rule.sign * per * count, tuple(fid for fid, _ in found), note)


def _check_points(book: Rulebook, rule: Rule, finding: Finding, when: dt.date) -> str:
    points = finding.points
    if rule.kind == "occurrence":
        fixed = book.parameters.at(f"{rule.id}.points", when)
        if points is not None and abs(points) != fixed:
            return f"rule {rule.id!r} gives fixed points ({fixed}); leave `points` empty"
        return ""
    if points is None:
        return f"rule {rule.id!r} allows a range: the finding must state its points"
    if points < 0 and rule.effect == "add":
        return f"rule {rule.id!r} adds points: state a positive number"
    low = book.parameters.at(f"{rule.id}.min", when)
    high = book.parameters.at(f"{rule.id}.max", when)
    if not low <= abs(points) <= high:
        return f"points {points} outside the rule's range {low}-{high} ({rule.source})"
    return ""


def _identified(findings: Iterable[Finding]) -> list[tuple[str, Finding]]:
    """Give each finding a stable id, independent of input order."""

    def key(f: Finding) -> tuple[Any, ...]:
        return (f.date, f.window, f.staff or "", f.rule, f.count, f.points or Decimal(0))

    result = []
    seen: dict[str, int] = defaultdict(int)
    for finding in sorted(findings, key=key):
        base = f"finding:{finding.date.isoformat()}:{finding.window}:{finding.staff or '-'}:"
        base += finding.rule
        seen[base] += 1
        result.append((base if seen[base] == 1 else f"{base}#{seen[base]}", finding))
    return result


# -- Zhenhai's composite ----------------------------------------------------------


def _composite(
    assessment: Score,
    weights: Mapping[str, Decimal],
    tally: _Tally | None,
    found: _FindingLines,
    citizen_level: int,
    ratings: tuple[str, ...] | None = None,
) -> Score:
    """Weight the four sources into one window score on a 100-point scale, capped at 100.

    Absent sources share out their weight. The inspection source is the
    rulebook score, which may reach 110 with bonuses; the composite itself is
    百分制 (《关于行政服务中心窗口服务的调查报告》四(一)1(1)), so a total above
    100 gets a ``composite.maximum`` line bringing it back to 100.
    """
    values: dict[str, tuple[Decimal, tuple[str, ...], str]] = {}
    evidence = sorted({e for line in assessment.lines for e in line.evidence})
    values["inspection"] = (assessment.score, tuple(evidence), "the monthly window assessment")
    if tally is not None and tally.ratings:
        share = Decimal(tally.citizen_satisfied * 100) / tally.ratings
        note = f"{tally.citizen_satisfied} of {tally.ratings} ratings at level >= {citizen_level}"
        ids = tuple(sorted(tally.rating_ids)) if ratings is None else ratings
        values["citizens"] = (share, ids, note)
    for source in ("window_head", "managers"):
        stated = found.composite.get((assessment.subject, source))
        if stated:
            mean = sum((p for _, p in stated), Decimal(0)) / len(stated)
            ids = tuple(sorted(fid for fid, _ in stated))
            values[source] = (mean, ids, f"mean of {len(stated)} stated score(s)")
    present = [s for s in COMPOSITE_SOURCES if s in values and weights.get(s, Decimal(0)) > 0]
    weight_sum = sum((weights[s] for s in present), Decimal(0))
    lines = []
    for source in COMPOSITE_SOURCES:
        weight = weights.get(source, Decimal(0))
        if source not in present:
            why = "weight 0" if source in values else "no score this month"
            lines.append(
                Line(f"composite.{source}", Decimal(0), (), f"{why}: weight shared among the rest")
            )
            continue
        value, ids, what = values[source]
        points = (weight / weight_sum * value).quantize(_CENT, ROUND_HALF_UP)
        scale = f"{weight}/{weight_sum}" if weight_sum != 1 else f"{weight}"
        note = f"{what}: {value.quantize(_CENT, ROUND_HALF_UP)} × weight {scale}"
        lines.append(Line(f"composite.{source}", points, ids, note))
    total = sum((line.points for line in lines), Decimal(0))
    if total > COMPOSITE_MAXIMUM:
        note = f"百分制: the composite cannot exceed {COMPOSITE_MAXIMUM}"
        lines.append(Line("composite.maximum", COMPOSITE_MAXIMUM - total, (), note))
        total = COMPOSITE_MAXIMUM
    return Score(assessment.subject, total, tuple(lines), assessment=assessment)


def deadline_function(config: HallConfig, manager: GovhallPluginManager) -> DueFunction:
    """Return a due-time function for cases, backed by :mod:`govhall.time.deadlines`.

    It is the KPIs' own (:class:`govhall.time.due_times.DueTimes`), so a case is overdue
    in its score exactly when it is late in the on-time rate. A due time
    depends only on the case's window, item, kind and pauses, the day it was
    received and whether that was after closing time, so answers are cached
    on those: scoring a million cases computes a few thousand deadlines.
    """
    from govhall.time.due_times import DueTimes
    from govhall.time.hours import build_hall_time

    return DueTimes(config, build_hall_time(config, manager)).due
