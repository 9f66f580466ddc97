"""A/B posts: who holds a post on a date; flagged posts; leave without B cover."""

from __future__ import annotations

import datetime as dt

from govhall.assessment.posts import Absence, flagged_posts, leave_problems, post_holders
from govhall.model import Staff

DAY = dt.date(2010, 5, 10)
STAFF = [
    Staff(id="a1", name="甲", window="police", post="A"),
    Staff(id="b1", name="乙", window="police", post="B"),
    Staff(id="a2", name="丙", window="tax", post="A"),
]


def test_a_holds_the_post_when_present() -> None:
    holdings = post_holders(STAFF, [], DAY)
    assert [(h.window, h.holder, h.covered_by_b) for h in holdings] == [
        ("police", "a1", False),
        ("tax", "a2", False),
    ]


def test_b_covers_when_a_is_away() -> None:
    (police, _) = post_holders(STAFF, [Absence("a1", DAY, DAY)], DAY)
    assert (police.holder, police.covered_by_b, police.flagged) == ("b1", True, False)


def test_neither_present_is_flagged() -> None:
    away = [Absence("a1", DAY, DAY, "leave"), Absence("b1", DAY, DAY, "absence")]
    assert [(h.window, h.position) for h in flagged_posts(STAFF, away, DAY)] == [
        ("police", "window")
    ]
    assert flagged_posts(STAFF, away, DAY + dt.timedelta(days=1)) == []


def test_leave_without_b_cover_is_a_warning() -> None:
    absences = [
        Absence("a1", DAY, DAY + dt.timedelta(days=2)),
        Absence("b1", DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2), "absence"),
        Absence("a2", DAY, DAY),
    ]
    messages = [p.message for p in leave_problems(STAFF, absences)]
    assert messages == [
        "leave of 'a1' at window 'police', post 'window' without B cover "
        "(no other holder present) on 2 days, 2010-05-11 to 2010-05-12",
        "leave of 'a2' at window 'tax', post 'window' without B cover "
        "(no B post-holder) on 2010-05-10",
    ]
    assert all(p.severity == "warning" for p in leave_problems(STAFF, absences))


def test_covered_leave_and_plain_absence_are_not_warnings() -> None:
    assert leave_problems(STAFF, [Absence("a1", DAY, DAY)]) == []
    assert leave_problems(STAFF, [Absence("a2", DAY, DAY, "absence")]) == []
