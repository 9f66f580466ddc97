"""A/B posts (A/B岗): who holds each window post on a date, given leave and absence.

Each post (a window and a position in it) has an A holder and a B holder
who covers when A is away (栾川县城乡规划办公室《行政服务窗口工作自查报告》:
窗口业务员A、B岗制度; leave is granted only when the B post covers). On a given date:

- A present: A holds the post;
- A away, B present: B covers;
- neither present: the post is *flagged* (nobody at the counter).

Leave (请假, planned) of one holder on a day when no other holder of the post
is present is a warning: leave without B cover. An absence (缺岗, unplanned)
is not a warning by itself; it only shows up as a flagged post.

Example::

    from govhall.assessment.posts import Absence, post_holders
    holders = post_holders(config.staff, [Absence("police-a", day, day)], day)
    holders[0].holder  # "police-b"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from govhall.model import Staff
from govhall.problems import Problem

AbsenceKind = Literal["leave", "absence"]


@dataclass(frozen=True, slots=True)
class Absence:
    """A staff member away from ``start`` to ``end`` (dates, both included)."""

    staff: str
    start: dt.date
    end: dt.date
    kind: AbsenceKind = "leave"

    def covers(self, day: dt.date) -> bool:
        """Return True when the person is away on ``day``."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class PostHolding:
    """Who holds one post on one date."""

    window: str
    position: str
    date: dt.date
    a: tuple[str, ...]
    b: tuple[str, ...]
    holder: str | None
    """The staff id at the counter, or ``None``."""
    covered_by_b: bool

    @property
    def flagged(self) -> bool:
        """True when neither an A nor a B holder is present."""
        return self.holder is None


def _posts(staff: Sequence[Staff]) -> dict[tuple[str, str], dict[str, list[str]]]:
    posts: dict[tuple[str, str], dict[str, list[str]]] = {}
    for person in staff:
        sides = posts.setdefault((person.window, person.position), {"A": [], "B": []})
        sides[person.post].append(person.id)
    return posts


def _away(absences: Iterable[Absence], day: dt.date) -> set[str]:
    return {absence.staff for absence in absences if absence.covers(day)}


def post_holders(
    staff: Sequence[Staff], absences: Iterable[Absence], on: dt.date
) -> list[PostHolding]:
    """Return who holds each post on ``on``, posts in (window, position) order."""
    away = _away(absences, on)
    result = []
    for (window, position), sides in sorted(_posts(staff).items()):
        present_a = [s for s in sides["A"] if s not in away]
        present_b = [s for s in sides["B"] if s not in away]
        holder = present_a[0] if present_a else (present_b[0] if present_b else None)
        result.append(
            PostHolding(
                window,
                position,
                on,
                tuple(sides["A"]),
                tuple(sides["B"]),
                holder,
                covered_by_b=not present_a and bool(present_b),
            )
        )
    return result


def flagged_posts(
    staff: Sequence[Staff], absences: Iterable[Absence], on: dt.date
) -> list[PostHolding]:
    """Return the posts nobody holds on ``on``."""
    return [holding for holding in post_holders(staff, absences, on) if holding.flagged]


def leave_problems(staff: Sequence[Staff], absences: Sequence[Absence]) -> list[Problem]:
    """Return a warning for every leave taken on days when no other holder of the post is present.

    Each warning names the staff member, the post and the uncovered dates.
    """
    post_of = {person.id: (person.window, person.position) for person in staff}
    posts = _posts(staff)
    problems = []
    for absence in absences:
        if absence.kind != "leave" or absence.staff not in post_of:
            continue
        window, position = post_of[absence.staff]
        others = [
            s for side in ("A", "B") for s in posts[(window, position)][side] if s != absence.staff
        ]
        uncovered = []
        day = absence.start
        while day <= absence.end:
            away = _away(absences, day)
            if not any(other not in away for other in others):
                uncovered.append(day)
            day += dt.timedelta(days=1)
        if uncovered:
            who = "no B post-holder" if not others else "no other holder present"
            problems.append(
                Problem(
                    "warning",
                    f"leave of {absence.staff!r} at window {window!r}, post {position!r} "
                    f"without B cover ({who}) on {_dates(uncovered)}",
                    key=absence.staff,
                )
            )
    return problems


def _dates(days: Sequence[dt.date]) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{len(days)} days, {days[0].isoformat()} to {days[-1].isoformat()}"
