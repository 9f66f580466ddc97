"""好差评: ratings by channel and level, bad-rating work orders (差评工单), the monthly bulletin.

Every rating at level 1 or 2 (不满意, 非常不满意) opens a work order for its
window. The order goes through three stages, each with a limit in working
days counted from the rating by the hall's calendar and the case counting
rule (:func:`govhall.time.deadlines.due_after`): 核实 (verify), 整改
(rectify) and 回访/反馈 (reply). The order is due when the reply is due and
is closed when the rater has been answered. Its status as of a moment:
``closed_on_time`` or ``closed_late`` (answered by / after the due time),
``open`` (not answered, not yet due) or ``overdue`` (not answered, past due).

Several ratings of one case from one channel follow the hall's ``repeated``
rule (:class:`govhall.domain.RatingLimits`): by default the latest counts and
each earlier one is reported as replaced, never counted twice. The rule is
defined once, here (:func:`rating_groups`, :func:`apply_repeated`), and holds
for every count of ratings: the bulletin, and the KPIs, scores and report
(:func:`counted_ratings`, which a session applies to the ratings it reads; the
``duckdb`` engine's fast scan states the same rule in SQL). Its scope is the
ratings read: a rating is replaced by a later one of the same case and
channel wherever the later one falls, also outside the period counted; the
bulletin knows only the ratings given by its ``as_of`` moment.

Build a bulletin with :class:`BulletinBuilder` (a session does it:
:meth:`govhall.session.HallSession.ratings`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from govhall.domain import RatingLimits
from govhall.errors import GovhallError
from govhall.problems import Problem
from govhall.records import BAD_LEVEL, OTHER_CHANNEL, RATING_CHANNELS
from govhall.time.deadlines import due_after

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager
    from govhall.readers import ReadReport
    from govhall.records import Case, Rating, Rectification
    from govhall.time.hours import HallTime

STAGES = (("verify", "核实"), ("rectify", "整改"), ("reply", "回访/反馈"))
"""The stages of a work order, in order, with their Chinese names."""
ORDER_STATUSES = ("open", "overdue", "closed_on_time", "closed_late")
REPEATED_RULES = ("latest", "all")
"""The values of the ``repeated`` rule: the latest rating of a case from a channel counts
(the earlier ones are replaced), or every one counts."""
_CHANNEL_BY_NAME = {name: key for key, name in RATING_CHANNELS.items()}


class RatingRulesError(GovhallError):
    """The work-order rules (county plugin or ``[ratings]``) are unusable."""


def channel_id(text: str) -> str:
    """Return the channel id of a ``channel`` value (an id or a Chinese name), else ``other``."""
    if text in RATING_CHANNELS:
        return text
    return _CHANNEL_BY_NAME.get(text, OTHER_CHANNEL)


def rating_limits(config: HallConfig, manager: GovhallPluginManager) -> RatingLimits:
    """Merge built-in rules, the county plugin's answers and ``[ratings]``, key by key.

    Raises:
        RatingRulesError: A value is missing or of the wrong kind.
    """
    merged: dict[str, Any] = {}
    notes: dict[str, str] = {}
    answers = manager.call_all_as("govhall_rating_limits", dict, config.hall.county)
    layers = [(f"plugin {plugin}", dict(answer)) for plugin, answer in reversed(answers)]
    own = config.ratings.model_dump(exclude_none=True)
    layers.append((f"config [ratings] of {config.hall.id}", own))
    for source, layer in layers:
        layer_notes = layer.pop("notes", {}) or {}
        for key, value in layer.items():
            merged[key] = value
            notes[key] = str(layer_notes.get(key, f"set by {source}"))
    try:
        days = {}
        for key in ("verify_days", "rectify_days", "reply_days"):
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be a whole number of working days, not {value!r}")
            days[key] = value
        tags = merged["time_limit_tags"]
        if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
            raise ValueError(f"time_limit_tags must be a list of text, not {tags!r}")
        repeated = merged["repeated"]
        if repeated not in REPEATED_RULES:
            raise ValueError(f"repeated must be 'latest' or 'all', not {repeated!r}")
    except KeyError as exc:
        raise RatingRulesError(f"work-order rules: no value for {exc.args[0]}") from None
    except ValueError as exc:
        raise RatingRulesError(f"work-order rules: {exc}") from None
    return RatingLimits(
        verify=days["verify_days"],
        rectify=days["rectify_days"],
        reply=days["reply_days"],
        time_limit_tags=tuple(tags),
        repeated=repeated,
        notes=tuple(sorted(notes.items())),
    )


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a work order: when it is due, when it was done, how it stands."""

    name: str
    due: dt.datetime
    done: dt.datetime | None
    status: str

    def to_json(self) -> dict[str, Any]:
        """Return ``{"due", "done", "status"}``."""
        return {
            "due": self.due.isoformat(),
            "done": None if self.done is None else self.done.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """The work order (差评工单) of one bad rating, as of the bulletin's moment."""

    rating: Rating
    channel: str
    opened: dt.datetime
    due: dt.datetime
    closed: dt.datetime | None
    status: str
    stages: tuple[Stage, ...]
    outcome: str | None
    complaint_check: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the order as in ``govhall ratings --json``."""
        return {
            "case_id": self.rating.case_id,
            "window": self.rating.window,
            "level": self.rating.level,
            "channel": self.channel,
            "tags": list(self.rating.tags),
            "opened": self.opened.isoformat(),
            "due": self.due.isoformat(),
            "closed": None if self.closed is None else self.closed.isoformat(),
            "status": self.status,
            "outcome": self.outcome,
            "stages": {stage.name: stage.to_json() for stage in self.stages},
            "complaint_check": self.complaint_check,
        }


@dataclass
class Bulletin:
    """The month's 好差评 bulletin: counts by channel and level, work orders, top tags."""

    month: str
    as_of: dt.datetime
    limits: RatingLimits
    by_channel: dict[str, int]
    by_level: dict[str, int]
    orders: list[WorkOrder]
    tags: list[tuple[str, int]]
    repeated: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ratings(self) -> int:
        """Ratings counted in the month (after the repeated-rating rule)."""
        return sum(self.by_level.values())

    @property
    def good_rate(self) -> float | None:
        """Share of counted ratings at level 3 or above (好评), ``None`` without ratings."""
        total = self.ratings
        if not total:
            return None
        good = sum(n for level, n in self.by_level.items() if int(level) > BAD_LEVEL)
        return good / total

    def summary(self) -> dict[str, Any]:
        """Return ``{"orders", "closed", "closed_on_time", "on_time_rate", "open_overdue"}``.

        ``on_time_rate`` = orders closed on time / orders whose outcome is
        settled as of the moment (closed, or open past their due time);
        ``None`` when no order is settled.
        """
        statuses = Counter(order.status for order in self.orders)
        closed = statuses["closed_on_time"] + statuses["closed_late"]
        settled = closed + statuses["overdue"]
        return {
            "orders": len(self.orders),
            "closed": closed,
            "closed_on_time": statuses["closed_on_time"],
            "on_time_rate": statuses["closed_on_time"] / settled if settled else None,
            "open_overdue": statuses["overdue"],
            "open": statuses["open"],
            "closed_late": statuses["closed_late"],
        }

    def to_json(self) -> dict[str, Any]:
        """Return the ``govhall ratings --json`` document."""
        limits = self.limits
        return {
            "month": self.month,
            "as_of": self.as_of.isoformat(),
            "ratings": self.ratings,
            "by_channel": dict(self.by_channel),
            "by_level": dict(self.by_level),
            "good_rate": self.good_rate,
            "orders": [order.to_json() for order in self.orders],
            "summary": self.summary(),
            "tags": [{"tag": tag, "count": count} for tag, count in self.tags],
            "repeated": list(self.repeated),
            "limits": {
                "verify_days": limits.verify,
                "rectify_days": limits.rectify,
                "reply_days": limits.reply,
                "time_limit_tags": list(limits.time_limit_tags),
                "repeated": limits.repeated,
                "notes": dict(limits.notes),
            },
            "warnings": list(self.warnings),
        }


_Key = tuple[str, str, dt.datetime]
"""A rating's key: case, channel as written, the moment it was given."""
_E = TypeVar("_E")


def rating_groups(entries: Iterable[_E], rating_of: Callable[[_E], Rating]) -> list[list[_E]]:
    """Group ratings of one case from one channel (as written), each group in time order.

    Ratings given at the same moment keep the order they came in. Groups
    come in the order of their first rating.
    """
    groups: dict[tuple[str, str], list[tuple[dt.datetime, int, _E]]] = {}
    for number, entry in enumerate(entries):
        rating = rating_of(entry)
        groups.setdefault((rating.case_id, rating.channel), []).append(
            (rating.rated_at, number, entry)
        )
    found = []
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=lambda member: (member[0], member[1]))
        found.append([entry for _, _, entry in members])
    return found


def apply_repeated(group: list[_E], repeated: str) -> tuple[list[_E], list[_E]]:
    """Return ``(counted, replaced)`` of one group of :func:`rating_groups` under the rule.

    ``latest``: the last rating counts, the earlier ones are replaced by it;
    ``all``: every rating counts.
    """
    if repeated == "all" or len(group) == 1:
        return group, []
    return group[-1:], group[:-1]


def counted_ratings(ratings: Iterable[Rating], repeated: str) -> Iterator[Rating]:
    """Yield the ratings that count under the hall's ``repeated`` rule (``latest`` or ``all``).

    With ``latest`` every rating is read before the first is yielded (a later
    rating of the same case and channel may come last); ``all`` streams.
    """
    if repeated == "all":
        yield from ratings
        return
    for group in rating_groups(ratings, _itself):
        yield from apply_repeated(group, repeated)[0]


def _itself(rating: Rating) -> Rating:
    return rating


class BulletinBuilder:
    """Collect ratings, rectifications and cases for one month's bulletin.

    Feed :meth:`add_ratings`, then :meth:`add_rectifications`, then (only
    for the case ids of :meth:`cases_wanted`) :meth:`add_cases`, then call
    :meth:`result`.

    Args:
        time: The hall's calendar, hours and counting rule.
        limits: The work-order rules.
        month: The month's label (``YYYY-MM``).
        first: The month's first moment (aware).
        end: The first moment after the month (aware).
        as_of: The moment statuses are taken at; ratings and stage times
            after it are not yet known.
    """

    def __init__(
        self,
        time: HallTime,
        limits: RatingLimits,
        month: str,
        first: dt.datetime,
        end: dt.datetime,
        as_of: dt.datetime,
    ) -> None:
        self.time = time
        self.limits = limits
        self.month = month
        self.first = first
        self.end = end
        self.as_of = as_of
        self._ratings: dict[_Key, tuple[str, int, Rating]] = {}
        self._counted: list[tuple[str, int, Rating]] = []
        self._replaced: dict[_Key, tuple[str, int, Rating, _Key]] = {}
        self._progress: dict[_Key, Rectification] = {}
        self._cases: dict[str, Case] = {}
        self._due: Callable[[Case], dt.datetime] | None = None
        self.repeated: list[dict[str, Any]] = []
        self.unknown_channels: Counter[str] = Counter()
        self._precounted: Counter[tuple[str, int]] = Counter()

    # -- ratings ---------------------------------------------------------------

    def add_ratings(self, located: Iterable[tuple[str, int, Rating]], report: ReadReport) -> None:
        """Take every usable rating with its file and line; apply the repeated-rating rule.

        Ratings given after ``as_of`` are not yet known and left out.
        """
        kept: list[tuple[str, int, Rating]] = []
        for path, line, rating in located:
            if rating.rated_at > self.as_of:
                continue
            key = (rating.case_id, rating.channel, rating.rated_at)
            if key in self._ratings:
                first_path, first_line, _ = self._ratings[key]
                report.add_problem(
                    Problem(
                        "warning",
                        f"rating of case {rating.case_id!r} from channel {rating.channel!r} at "
                        f"{rating.rated_at.isoformat()} appears twice (first at "
                        f"{first_path}:{first_line}): counted once",
                        key="rated_at",
                        line=line,
                        file=path,
                    )
                )
                self.repeated.append(
                    _repeat_json(rating, "duplicate", (path, line), (first_path, first_line))
                )
                continue
            self._ratings[key] = (path, line, rating)
            if channel_id(rating.channel) == OTHER_CHANNEL:
                self.unknown_channels[rating.channel] += 1
            kept.append((path, line, rating))
        for entries in rating_groups(kept, _rating_of):
            counted, earlier = apply_repeated(entries, self.limits.repeated)
            self._counted.extend(counted)
            if not earlier:
                for path, line, rating in entries[1:]:
                    where = (entries[0][0], entries[0][1])
                    self.repeated.append(_repeat_json(rating, "counted", (path, line), where))
                    report.add_problem(
                        _repeat_problem(rating, path, line, "also counted (repeated = all)")
                    )
                continue
            ((last_path, last_line, last),) = counted
            last_key = (last.case_id, last.channel, last.rated_at)
            for path, line, rating in earlier:
                key = (rating.case_id, rating.channel, rating.rated_at)
                self._replaced[key] = (path, line, rating, last_key)
                self.repeated.append(
                    _repeat_json(rating, "replaced", (path, line), (last_path, last_line))
                )
                report.add_problem(
                    _repeat_problem(
                        rating,
                        path,
                        line,
                        f"replaced by the later rating at {last_path}:{last_line} "
                        f"({last.rated_at.isoformat()}): not counted",
                    )
                )

    def add_counted(
        self, counts: Mapping[tuple[str, int], int], unknown: Mapping[str, int]
    ) -> None:
        """Take ratings an engine counted itself: good, alone on their channel, named by no row.

        Such ratings can only be counted, whatever the rules: ``counts`` maps
        ``(channel as written, level)`` to the ratings of the month, ``unknown``
        a channel that is not known to the ratings up to ``as_of``
        (:func:`govhall.readers.duck_ratings.scan_ratings` gives both).
        """
        for (channel, level), count in counts.items():
            if level <= BAD_LEVEL:
                raise GovhallError(f"counted ratings at level {level}: bad ratings open orders")
            self._precounted[(channel, level)] += count
        self.unknown_channels.update(unknown)

    # -- rectifications --------------------------------------------------------

    def add_rectifications(
        self, located: Iterable[tuple[str, int, Rectification]], report: ReadReport
    ) -> None:
        """Attach each progress row to its bad rating; reject rows that name none.

        A row is rejected (an error with file and line, counted as rejected
        in ``report``) when no rating has its case, channel and time, when
        that rating is not a bad one or was replaced by a later one, or when
        another row already gave the same rating's progress.
        """
        seen: dict[_Key, tuple[str, int]] = {}
        for path, line, row in located:
            key = (row.case_id, row.channel, row.rated_at)
            reason = None
            found = self._ratings.get(key)
            if key in seen:
                reason = f"a second row for this rating (first at {seen[key][0]}:{seen[key][1]})"
            elif key in self._replaced:
                later = self._replaced[key][3]
                reason = f"the rating was replaced by a later one ({later[2].isoformat()})"
            elif found is None:
                if row.rated_at > self.as_of:
                    continue  # a rating not yet given: neither an order nor an orphan yet
                reason = (
                    f"no rating of case {row.case_id!r} from channel {row.channel!r} at "
                    f"{row.rated_at.isoformat()} in the ratings files"
                )
            elif found[2].level > BAD_LEVEL:
                reason = f"the rating is level {found[2].level}: only levels 1-2 open a work order"
            if reason is not None:
                summary = report.summary_of(path)
                if summary is not None:
                    summary.used -= 1
                    summary.rejected += 1
                report.add_problem(Problem("error", reason, key="rated_at", line=line, file=path))
                continue
            seen[key] = (path, line)
            self._progress[key] = row

    # -- cases (the time-limit cross-check) ------------------------------------

    def cases_wanted(self) -> set[str]:
        """Return the case ids whose own deadline a complaint of this month is checked against."""
        tags = set(self.limits.time_limit_tags)
        return {
            rating.case_id for _, _, rating in self._month_bad() if tags.intersection(rating.tags)
        }

    def add_cases(self, cases: Iterable[Case], due: Callable[[Case], dt.datetime]) -> None:
        """Keep the wanted cases (the last row of a case id wins) and the due-time function."""
        wanted = self.cases_wanted()
        self._due = due
        for case in cases:
            if case.case_id in wanted:
                self._cases[case.case_id] = case

    # -- the bulletin ------------------------------------------------------------

    def _month_bad(self) -> list[tuple[str, int, Rating]]:
        return [
            entry
            for entry in self._counted
            if self.first <= entry[2].rated_at < self.end and entry[2].level <= BAD_LEVEL
        ]

    def result(self) -> Bulletin:
        """Return the bulletin."""
        by_channel: Counter[str] = Counter()
        by_level = {str(level): 0 for level in range(1, 6)}
        tags: Counter[str] = Counter()
        # counting is order-free: only the bad ratings (few) are sorted, for the orders' order
        counted: Counter[tuple[str, int]] = Counter()
        bad = []
        first, end = self.first, self.end
        for entry in self._counted:
            rating = entry[2]
            if first <= rating.rated_at < end:
                counted[(rating.channel, rating.level)] += 1
                if rating.level <= BAD_LEVEL:
                    bad.append(entry)
        counted.update(self._precounted)
        for (written, level), count in counted.items():
            by_channel[channel_id(written)] += count
            by_level[str(level)] += count
        orders = []
        for _, _, rating in sorted(bad, key=lambda e: (e[2].rated_at, e[0], e[1])):
            tags.update(rating.tags)
            orders.append(self._order(rating, channel_id(rating.channel)))
        warnings = [
            f"channel {name!r} is not a known rating channel ({', '.join(RATING_CHANNELS)}, "
            f"or their Chinese names): {count} rating(s) counted under {OTHER_CHANNEL!r}"
            for name, count in sorted(self.unknown_channels.items())
        ]
        warnings.extend(self.time.calendar.warnings(self.first.date(), self.as_of.date()))
        ordered_channels = {c: by_channel[c] for c in (*RATING_CHANNELS, OTHER_CHANNEL)}
        return Bulletin(
            month=self.month,
            as_of=self.as_of,
            limits=self.limits,
            by_channel={c: n for c, n in ordered_channels.items() if n},
            by_level=by_level,
            orders=orders,
            tags=sorted(tags.items(), key=lambda pair: (-pair[1], pair[0])),
            repeated=self.repeated,
            warnings=warnings,
        )

    def _status(self, due: dt.datetime, done: dt.datetime | None) -> str:
        if done is not None:
            return "closed_on_time" if done <= due else "closed_late"
        return "overdue" if self.as_of > due else "open"

    def _known(self, moment: dt.datetime | None) -> dt.datetime | None:
        return moment if moment is not None and moment <= self.as_of else None

    def _order(self, rating: Rating, channel: str) -> WorkOrder:
        time, limits = self.time, self.limits
        local = time.local(rating.rated_at)
        progress = self._progress.get((rating.case_id, rating.channel, rating.rated_at))
        done = {
            "verify": self._known(progress.verified_at) if progress else None,
            "rectify": self._known(progress.rectified_at) if progress else None,
            "reply": self._known(progress.replied_at) if progress else None,
        }
        days = {"verify": limits.verify, "rectify": limits.rectify, "reply": limits.reply}
        stages = []
        for name, _ in STAGES:
            _, due_local = due_after(time, rating.window, local, days[name])
            due = time.aware(due_local)
            stages.append(Stage(name, due, done[name], self._status(due, done[name])))
        reply = stages[-1]
        outcome = progress.outcome if progress and reply.done is not None else None
        return WorkOrder(
            rating=rating,
            channel=channel,
            opened=rating.rated_at,
            due=reply.due,
            closed=reply.done,
            status=reply.status,
            stages=tuple(stages),
            outcome=outcome,
            complaint_check=self._complaint_check(rating),
        )

    def _complaint_check(self, rating: Rating) -> dict[str, Any] | None:
        tags = [tag for tag in rating.tags if tag in self.limits.time_limit_tags]
        if not tags:
            return None
        case = self._cases.get(rating.case_id)
        if case is None or self._due is None:
            return {
                "tag": tags[0],
                "result": "case_not_found",
                "case_due": None,
                "concluded": None,
                "case_late": None,
            }
        due = self._due(case)
        concluded = case.concluded_at
        # a case still open when rated is late if it was already past due then
        late = concluded > due if concluded is not None else rating.rated_at > due
        return {
            "tag": tags[0],
            "result": "confirmed" if late else "not_confirmed",
            "case_due": due.isoformat(),
            "concluded": None if concluded is None else concluded.isoformat(),
            "case_late": late,
        }


def _rating_of(entry: tuple[str, int, Rating]) -> Rating:
    return entry[2]


def _repeat_json(
    rating: Rating, rule: str, where: tuple[str, int], other: tuple[str, int]
) -> dict[str, Any]:
    return {
        "case_id": rating.case_id,
        "channel": rating.channel,
        "rated_at": rating.rated_at.isoformat(),
        "level": rating.level,
        "rule": rule,
        "file": where[0],
        "line": where[1],
        "other": f"{other[0]}:{other[1]}",
    }


def _repeat_problem(rating: Rating, path: str, line: int, what: str) -> Problem:
    return Problem(
        "warning",
        f"repeated rating of case {rating.case_id!r} from channel {rating.channel!r}: {what}",
        key="case_id",
        line=line,
        file=path,
    )


def month_bounds(
    first_day: dt.date, next_first_day: dt.date, zone: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """Return the month's first moment and the first moment after it, in the hall's zone."""
    return (
        dt.datetime.combine(first_day, dt.time(), zone),
        dt.datetime.combine(next_first_day, dt.time(), zone),
    )
