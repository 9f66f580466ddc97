"""Monthly scoring: lines traced to evidence, caps, ranking, order independence, dated rules."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govhall.assessment.rulebook import Rulebook, reference_rulebook
from govhall.assessment.scoring import Line, Month, MonthScores, Score, Scorer, ScoringError
from govhall.config.load import check_config_text
from govhall.config.schema import HallConfig
from govhall.plugins import GovhallPluginManager
from govhall.records import Case, CaseStatus, Finding, Rating

TZ = ZoneInfo("Asia/Shanghai")
OCT = Month(2010, 10)
HALL = """
[hall]
county = "pinghu"

[[windows]]
id = "a"
name = "甲窗口"

[[windows]]
id = "b"
name = "乙窗口"

[[items]]
id = "p5"
name = "承诺件"
window = "a"
kind = "promised"
promised_days = 5

[[items]]
id = "now"
name = "即办件"
window = "a"
kind = "immediate"

[[staff]]
id = "a1"
name = "甲一"
window = "a"
post = "A"

[[staff]]
id = "a2"
name = "甲二"
window = "a"
post = "B"

[[staff]]
id = "b1"
name = "乙一"
window = "b"
post = "A"

[[staff]]
id = "b2"
name = "乙二"
window = "b"
post = "B"
"""


@pytest.fixture
def hall(manager: GovhallPluginManager) -> HallConfig:
    report = check_config_text(HALL, "hall.toml", manager)
    assert report.config is not None, report.problems
    return report.config


def _books(**window_overrides: Any) -> tuple[Rulebook, Rulebook]:
    window = reference_rulebook("window").with_overrides(
        {"window.results.completion.points": 1, **window_overrides}, "test"
    )
    return window, reference_rulebook("staff")


def _due(case: Case) -> dt.datetime:
    """A stand-in for the deadline engine: five calendar days after receipt, 17:00."""
    day = case.received_at.date() + dt.timedelta(days=5)
    return dt.datetime.combine(day, dt.time(17), TZ)


def _t(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2010, month, day, hour, tzinfo=TZ)


def _case(
    cid: str,
    received: dt.datetime,
    status: CaseStatus = "concluded",
    concluded: dt.datetime | None = None,
    *,
    window: str = "a",
    kind: str = "promised",
    staff: str | None = None,
) -> Case:
    item = "p5" if kind == "promised" else "now"
    return Case(cid, window, item, kind, received, status, concluded, 1, staff)  # type: ignore[arg-type]


def _score(
    hall: HallConfig,
    cases: list[Case] = (),  # type: ignore[assignment]
    ratings: list[Rating] = (),  # type: ignore[assignment]
    findings: list[Finding] = (),  # type: ignore[assignment]
    *,
    months: tuple[Month, ...] = (OCT,),
    books: tuple[Rulebook, Rulebook] | None = None,
    weights: dict[str, Decimal] | None = None,
    evidence: str = "summary",
) -> dict[Month, MonthScores]:
    window, staff = books or _books()
    scorer = Scorer(hall, window, staff, months, _due, weights, evidence=evidence)
    scorer.add_cases(cases)
    scorer.add_ratings(ratings)
    scorer.add_findings(findings)
    return scorer.results()


def _subject(scores: MonthScores, subject: str) -> Score:
    return next(s for s in (*scores.windows, *scores.staff) if s.subject == subject)


def _lines(score: Score) -> dict[str, tuple[Decimal, tuple[str, ...]]]:
    return {line.rule: (line.points, line.evidence) for line in score.lines}


CASES = [
    _case("c1", _t(10, 1), "concluded", _t(10, 5), staff="a1"),  # due 10-06: on time
    _case("c2", _t(10, 2), "concluded", _t(10, 9), staff="a1"),  # due 10-07: late
    _case("c3", _t(10, 20), "in_review", staff="a2"),  # due 10-25, open at month end: overdue
    _case("c4", _t(10, 28), "in_review"),  # due 11-02: not yet overdue in October
    _case("c5", _t(9, 28), "delivered", _t(10, 10)),  # due 10-03 (October): late
    _case("c6", _t(10, 3), "accepted", kind="immediate"),  # immediate: no promise to break
    _case("c7", _t(10, 4), "withdrawn"),  # withdrawn: accepted, never overdue
    _case("c8", _t(10, 4), "not_accepted"),  # refused at intake: neither
    _case("c9", _t(10, 6), "concluded", _t(10, 6), window="b"),
]


def test_overdue_promised_cases_are_the_evidence_of_the_time_limit_line(
    hall: HallConfig,
) -> None:
    scores = _score(hall, CASES)[OCT]
    lines = _lines(_subject(scores, "a"))
    assert lines["window.time-limit.overdue"] == (Decimal(-15), ("case:c2", "case:c3", "case:c5"))
    staff_lines = _lines(_subject(scores, "a1"))
    assert staff_lines["staff.skills.overdue"] == (Decimal(-5), ("case:c2",))
    assert _lines(_subject(scores, "a2"))["staff.skills.overdue"] == (Decimal(-5), ("case:c3",))


def test_completion_shortfall_is_per_whole_percentage_point(hall: HallConfig) -> None:
    scores = _score(hall, CASES)[OCT]
    line = next(li for li in _subject(scores, "a").lines if li.rule == "window.results.completion")
    # accepted in October at window a: c1 c2 c3 c4 c6 c7 (c5 came in September, c8 refused);
    # concluded: c1 c2 -> 2/6 = 33.33 %: 66 whole points short, × 1
    assert line.points == -66
    assert line.evidence == ("case:c3", "case:c4", "case:c6", "case:c7")
    assert line.note.startswith("completion 2/6 = 33.33 %: 66 whole percentage point(s) short")
    floor = next(li for li in _subject(scores, "a").lines if li.rule == "window.results.floor")
    assert (floor.points, floor.evidence) == (Decimal(51), ())
    assert not any(li.rule.startswith("window.results") for li in _subject(scores, "b").lines)


def test_score_is_base_plus_lines_and_lines_are_traceable(hall: HallConfig) -> None:
    cases, ratings, findings = _random_data(7)
    scores = _score(hall, cases, ratings, findings, evidence="full")[OCT]
    known = {f"case:{c.case_id}" for c in cases}
    known |= {f"rating:{r.case_id}@{r.rated_at.isoformat()}" for r in ratings}
    for entry in (*scores.windows, *scores.staff):
        assert entry.score == 100 + sum(line.points for line in entry.lines)
        for line in entry.lines:
            for evidence in line.evidence:
                assert evidence in known or evidence.startswith("finding:2010-10-"), evidence
            if line.rule.endswith((".floor", ".limit", ".maximum")):
                assert line.evidence == ()
            else:
                assert line.evidence, line


@pytest.mark.parametrize(
    ("satisfied", "points", "bucket"),
    [
        (20, 2, "good"),
        (19, 2, "good"),
        (18, 1, "fairly_good"),
        (17, 1, "fairly_good"),
        (16, 0, "average"),
        (14, 0, "average"),
        (13, -2, "poor"),
    ],
)
def test_a_month_of_ratings_gives_its_bucket(
    hall: HallConfig, satisfied: int, points: int, bucket: str
) -> None:
    ratings = [
        Rating(f"r{i}", "a", None, 4 if i < satisfied else 3, _t(10, 15), "onsite")
        for i in range(20)
    ]
    line = _subject(_score(hall, ratings=ratings, evidence="full")[OCT], "a").lines[0]
    assert (line.rule, line.points) == ("window.evaluation.overall", points)
    assert line.note.endswith(f": {bucket}")
    assert len(line.evidence) == 20
    assert line.evidence[0] == "rating:r0@2010-10-15T10:00:00+08:00"
    summary = _subject(_score(hall, ratings=ratings)[OCT], "a").lines[0]
    assert summary == Line(line.rule, line.points, ("ratings:a:2010-10",), line.note)


def test_the_summary_keeps_no_rating_ids_and_full_lists_each(hall: HallConfig) -> None:
    ratings = [Rating(f"r{i}", "a", None, 5, _t(10, 1 + i % 28), "onsite") for i in range(300)]
    for evidence, kept in (("summary", 0), ("full", 300)):
        window, staff = _books()
        scorer = Scorer(hall, window, staff, [OCT], _due, evidence=evidence)
        scorer.add_ratings(ratings)
        assert len(scorer._data[OCT].windows["a"].rating_ids) == kept
    with pytest.raises(ScoringError, match="evidence 'some'"):
        Scorer(hall, window, staff, [OCT], _due, evidence="some")


def test_findings_give_occurrence_and_range_lines(hall: HallConfig) -> None:
    findings = [
        Finding(dt.date(2010, 10, 5), "a", None, "window.attendance.review-meeting-late", 2),
        Finding(dt.date(2010, 10, 9), "a", None, "window.attendance.review-meeting-late"),
        Finding(dt.date(2010, 10, 9), "a", None, "window.intake.negligence", 1, Decimal(4)),
        Finding(dt.date(2010, 10, 9), "a", None, "window.evaluation.praise-letter", 2, Decimal(3)),
        Finding(dt.date(2010, 10, 9), "a", "a1", "staff.conduct.integrity", 1, Decimal(-6)),
    ]
    scores = _score(hall, findings=findings)[OCT]
    lines = [(li.rule, li.points, li.evidence) for li in _subject(scores, "a").lines]
    assert lines == [
        (
            "window.attendance.review-meeting-late",
            Decimal(-6),
            (
                "finding:2010-10-05:a:-:window.attendance.review-meeting-late",
                "finding:2010-10-09:a:-:window.attendance.review-meeting-late",
            ),
        ),
        (
            "window.intake.negligence",
            Decimal(-4),
            ("finding:2010-10-09:a:-:window.intake.negligence",),
        ),
        (
            "window.evaluation.praise-letter",
            Decimal(6),
            ("finding:2010-10-09:a:-:window.evaluation.praise-letter",),
        ),
    ]
    assert _subject(scores, "a").score == 96
    assert _lines(_subject(scores, "a1"))["staff.conduct.integrity"][0] == -6
    assert scores.rejected == ()


@pytest.mark.parametrize(
    ("finding", "reason"),
    [
        (
            Finding(dt.date(2010, 10, 1), "a", None, "window.intake.negligence", 1, Decimal(6)),
            "points 6 outside the rule's range 3-5",
        ),
        (
            Finding(dt.date(2010, 10, 1), "a", None, "window.intake.negligence"),
            "the finding must state its points",
        ),
        (
            Finding(dt.date(2010, 10, 1), "a", None, "window.fees.unauthorised-fee", 1, Decimal(3)),
            "gives fixed points (5)",
        ),
        (
            Finding(dt.date(2010, 10, 1), "a", None, "window.fees.nope"),
            "has no rule 'window.fees.nope'",
        ),
        (Finding(dt.date(2010, 10, 1), "a", None, "hall.fees"), "belongs to no rulebook"),
        (
            Finding(dt.date(2010, 10, 1), "a", None, "window.time-limit.overdue"),
            "computed from cases and ratings",
        ),
        (Finding(dt.date(2010, 10, 1), "a", None, "staff.conduct.quarrel"), "needs a staff id"),
        (
            Finding(dt.date(2010, 10, 1), "a", "zz", "staff.conduct.quarrel"),
            "staff 'zz' is not in the config",
        ),
        (
            Finding(dt.date(2010, 10, 1), "x", None, "window.fees.unauthorised-fee"),
            "window 'x' is not in the config",
        ),
        (
            Finding(
                dt.date(2010, 10, 1), "a", None, "window.evaluation.praise-letter", 1, Decimal(-2)
            ),
            "adds points: state a positive number",
        ),
    ],
)
def test_bad_findings_are_rejected_with_a_reason_never_dropped(
    hall: HallConfig, finding: Finding, reason: str
) -> None:
    scores = _score(hall, findings=[finding])[OCT]
    assert len(scores.rejected) == 1
    assert reason in scores.rejected[0].reason
    assert scores.rejected[0].evidence.startswith("finding:2010-10-01:")
    assert all(s.score == 100 for s in scores.windows)


def test_identical_findings_get_numbered_ids(hall: HallConfig) -> None:
    same = Finding(dt.date(2010, 10, 5), "a", None, "window.cleanliness.untidy")
    line = _subject(_score(hall, findings=[same, same])[OCT], "a").lines[0]
    base = "finding:2010-10-05:a:-:window.cleanliness.untidy"
    assert line.evidence == (base, f"{base}#2")
    assert line.points == -2


def test_caps_floor_a_category_and_limit_the_total(hall: HallConfig) -> None:
    findings = [
        Finding(dt.date(2010, 10, 5), "a", None, "window.fees.unauthorised-fee", 3),
        Finding(dt.date(2010, 10, 5), "b", None, "window.evaluation.media-province", 3),
        Finding(dt.date(2010, 10, 5), "b", "b1", "staff.other.quality-praise", 4, Decimal(3)),
    ]
    scores = _score(hall, findings=findings)[OCT]
    a = _lines(_subject(scores, "a"))
    assert a["window.fees.unauthorised-fee"][0] == -15
    assert a["window.fees.floor"] == (Decimal(5), ())
    assert _subject(scores, "a").score == 90
    b = _subject(scores, "b")
    assert _lines(b)["window.maximum"] == (Decimal(-5), ())
    assert b.score == 110
    b1 = _subject(scores, "b1")
    assert [(li.rule, li.points) for li in b1.lines] == [
        *[("staff.other.quality-praise", Decimal(12))],
        ("staff.other.limit", Decimal(-2)),
    ]
    assert b1.score == 110


def test_ranking_breaks_ties_by_deductions_then_id(hall: HallConfig) -> None:
    findings = [
        Finding(dt.date(2010, 10, 5), "a", None, "window.fees.unauthorised-fee"),  # -5
        Finding(dt.date(2010, 10, 5), "b", None, "window.attendance.review-meeting-absent"),  # -5
        Finding(dt.date(2010, 10, 6), "b", None, "window.intake.not-received"),  # -2
        Finding(dt.date(2010, 10, 6), "b", None, "window.evaluation.media-city"),  # +2
    ]
    scores = _score(hall, findings=findings)[OCT]
    assert [(s.subject, s.score, s.rank) for s in scores.windows] == [
        ("a", 95, 1),
        ("b", 95, 2),  # same score, 7 points of deductions against a's 5
    ]
    assert [(s.subject, s.rank) for s in scores.staff] == [
        ("a1", 1),
        ("a2", 2),
        ("b1", 3),
        ("b2", 4),
    ]


def _random_data(seed: int) -> tuple[list[Case], list[Rating], list[Finding]]:
    rng = random.Random(seed)
    statuses: list[CaseStatus] = ["concluded", "delivered", "in_review", "withdrawn", "accepted"]
    cases = []
    for i in range(120):
        received = _t(10, 1) + dt.timedelta(hours=rng.randrange(0, 24 * 30))
        status = rng.choice(statuses)
        concluded = None
        if status in ("concluded", "delivered"):
            concluded = received + dt.timedelta(days=rng.randrange(0, 9))
        cases.append(
            _case(
                f"k{i:03d}",
                received,
                status,
                concluded,
                window=rng.choice("ab"),
                kind=rng.choice(["promised", "immediate"]),
                staff=rng.choice(["a1", "a2", "b1", None]),
            )
        )
    ratings = [
        Rating(
            f"k{rng.randrange(120):03d}",
            rng.choice("ab"),
            None,
            rng.randint(1, 5),
            _t(10, rng.randint(1, 30), rng.randint(8, 17)),
            "onsite",
        )
        for _ in range(60)
    ]
    rules = ["window.cleanliness.untidy", "window.archives.irregular", "staff.skills.writing"]
    findings = [
        Finding(
            dt.date(2010, 10, rng.randint(1, 31)),
            rng.choice("ab"),
            rng.choice(["a1", "b2"]),
            rng.choice(rules),
            rng.randint(1, 2),
        )
        for _ in range(15)
    ]
    return cases, ratings, findings


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_input_gives_identical_output(hall: HallConfig, seed: int) -> None:
    cases, ratings, findings = _random_data(seed)
    expected = _score(hall, cases, ratings, findings)[OCT].to_json()
    rng = random.Random(seed * 100)
    for _ in range(3):
        rng.shuffle(cases)
        rng.shuffle(ratings)
        rng.shuffle(findings)
        assert _score(hall, cases, ratings, findings)[OCT].to_json() == expected


def test_a_past_month_uses_the_rules_in_force_then(hall: HallConfig) -> None:
    books = _books(
        **{"window.time-limit.overdue.points": [{"since": dt.date(2011, 1, 1), "value": 3}]}
    )
    late = [
        Case("dec", "a", "p5", "promised", _t(12, 1), "concluded", _t(12, 20), 1),
        Case(
            "jan",
            "a",
            "p5",
            "promised",
            dt.datetime(2011, 1, 3, 9, tzinfo=TZ),
            "concluded",
            dt.datetime(2011, 1, 20, 9, tzinfo=TZ),
            1,
        ),
    ]
    months = (Month(2010, 12), Month(2011, 1))
    results = _score(hall, late, months=months, books=books)
    december = _lines(_subject(results[Month(2010, 12)], "a"))["window.time-limit.overdue"]
    january = _lines(_subject(results[Month(2011, 1)], "a"))["window.time-limit.overdue"]
    assert december == (Decimal(-5), ("case:dec",))
    assert january == (Decimal(-3), ("case:jan",))


def test_a_month_before_the_rules_took_effect_is_an_error(hall: HallConfig) -> None:
    with pytest.raises(ScoringError, match=r"scoring 1999-12: .*not in force on 1999-12-01"):
        _score(hall, months=(Month(1999, 12),))


def test_a_needed_missing_number_is_an_error_naming_the_key(hall: HallConfig) -> None:
    books = (reference_rulebook("window"), reference_rulebook("staff"))
    ok = [_case("c1", _t(10, 1), "concluded", _t(10, 2))]
    assert _subject(_score(hall, ok, books=books)[OCT], "a").score == 100
    short = [*ok, _case("c2", _t(10, 3), "in_review", kind="immediate")]
    with pytest.raises(ScoringError, match=r'"window\.results\.completion\.points" = <points>'):
        _score(hall, short, books=books)


def test_month_parsing() -> None:
    assert Month.parse("2010-10") == OCT
    assert str(Month(2010, 1)) == "2010-01"
    assert Month(2010, 12).next() == Month(2011, 1)
    with pytest.raises(ScoringError, match="expected YYYY-MM"):
        Month.parse("2010-13")


def test_composite_weights_sources_and_shares_absent_weight(hall: HallConfig) -> None:
    ratings = [Rating(f"r{i}", "a", None, 5 if i else 2, _t(10, 2), "online") for i in range(4)]
    findings = [
        Finding(dt.date(2010, 10, 3), "a", None, "composite.managers", 1, Decimal(80)),
        Finding(dt.date(2010, 10, 4), "a", None, "composite.managers", 1, Decimal(90)),
        Finding(dt.date(2010, 10, 4), "a", None, "window.fees.unauthorised-fee"),
    ]
    weights = {s: Decimal("0.25") for s in ("window_head", "managers", "inspection", "citizens")}
    scores = _score(hall, ratings=ratings, findings=findings, weights=weights)[OCT]
    a = _subject(scores, "a")
    assert a.assessment is not None
    assert a.assessment.score == 95
    assert [(li.rule, li.points) for li in a.lines] == [
        ("composite.window_head", Decimal(0)),  # no score: its weight goes to the others
        ("composite.managers", Decimal("28.33")),  # 85 × 1/3
        ("composite.inspection", Decimal("31.67")),  # 95 × 1/3
        ("composite.citizens", Decimal(25)),  # 3 of 4 ratings at level >= 3: 75 × 1/3
    ]
    assert a.score == Decimal("85.00")
    assert _lines(a)["composite.managers"][1] == (
        "finding:2010-10-03:a:-:composite.managers",
        "finding:2010-10-04:a:-:composite.managers",
    )
    b = _subject(scores, "b")
    assert b.score == 100  # the rulebook score alone, its only source


def test_cached_due_times_match_the_deadline_engine(
    hall: HallConfig, manager: GovhallPluginManager
) -> None:
    from govhall.assessment.scoring import deadline_function
    from govhall.time.deadlines import due_at

    due = deadline_function(hall, manager)
    rng = random.Random(11)
    for n in range(300):
        received = dt.datetime(2010, 9, 25, tzinfo=TZ) + dt.timedelta(
            minutes=rng.randrange(60 * 24 * 40)
        )
        case = _case(f"d{n}", received, "in_review")
        assert due(case) == due_at(hall, "p5", received, manager=manager).due, received
