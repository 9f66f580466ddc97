"""Every number of the reference rulebooks, pinned to the source's wording, and a mutation check.

The table below restates, for each rulebook number, the passage of
《县行政服务中心窗口服务考核实施细则》 it comes from (in the source's own
traditional characters) and the number itself. The tests check the table
against the rulebooks both ways (every number is in the table, every table
number is the rulebook's), that each wording states its number, and how each
kind of rule uses its numbers. The mutation test changes every number of the
rulebook files by ±1 and checks that a test here fails for each change.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from govhall.assessment.rulebook import (
    REFERENCE_RULEBOOKS,
    Rulebook,
    RulebookError,
    load_rulebook_text,
    reference_rulebook,
)
from govhall.assessment.scoring import Month, Scorer
from govhall.config.load import check_config_text
from govhall.config.schema import HallConfig
from govhall.plugins import GovhallPluginManager
from govhall.records import Case, Finding, Rating

TITLE = "《县行政服务中心窗口服务考核实施细则》"
TABLE: list[tuple[str, str, str, int]] = [
    # window rulebook, 一
    ("window.base", "一", "考核設基本分100分", 100),
    ("window.maximum", "一", "最高分110分", 110),
    ("window.attendance.allotment", "一.1", "窗口工作人員嚴格按規定到崗辦公,得20分", 20),
    ("window.attendance.absent-half-day.points", "一.1", "擅自脫崗半天以上,每人次每半天扣3分", 3),
    ("window.attendance.review-meeting-late.points", "一.1", "項目聯審會,遲到每次扣2分", 2),
    ("window.attendance.review-meeting-absent.points", "一.1", "缺席每次扣5分", 5),
    ("window.intake.allotment", "一.2", "嚴格按照“收退件”管理辦法辦理各項手續,得15分", 15),
    ("window.intake.not-received.points", "一.2", "可作收件處理而未收件,經查實每件次扣2分", 2),
    (
        "window.intake.correction-unexplained.points",
        "一.2",
        "需要補件,未向服務對象作詳細說明的,每件次扣2分",
        2,
    ),
    (
        "window.intake.return-unexplained.points",
        "一.2",
        "已作退件處理,未向服務對象充分說明理由的,每件次扣2分",
        2,
    ),
    (
        "window.intake.irregular-procedure.points",
        "一.2",
        "收退件手續不規范,報送不及時,每件次扣2分",
        2,
    ),
    ("window.intake.negligence.min", "一.2", "工作人員不負責任出現不良后果的,酌情扣3-5分", 3),
    ("window.intake.negligence.max", "一.2", "工作人員不負責任出現不良后果的,酌情扣3-5分", 5),
    ("window.fees.allotment", "一.3", "嚴格按政策和中心的規定進行收費,得10分", 10),
    (
        "window.fees.unauthorised-fee.points",
        "一.3",
        "擅自增加收費項目或提高收費標準,經查實每次扣5分",
        5,
    ),
    ("window.time-limit.allotment", "一.4", "在承諾時間內辦結各類事項的,得15分", 15),
    ("window.time-limit.overdue.points", "一.4", "超過承諾時限,每件次扣5分", 5),
    ("window.results.allotment", "一.5", "辦結率和準確率達到100%的,得15分", 15),
    ("window.results.wrong-result.min", "一.5", "辦事結果有差錯,每件次酌情扣2-5分", 2),
    ("window.results.wrong-result.max", "一.5", "辦事結果有差錯,每件次酌情扣2-5分", 5),
    ("window.archives.allotment", "一.6", "檔案管理規范,資料齊全,得3分", 3),
    ("window.archives.irregular.points", "一.6", "檔案管理不規范,經查實每起扣1分", 1),
    ("window.archives.missing-material.points", "一.6", "資料缺失,每起扣1分", 1),
    ("window.cleanliness.allotment", "一.7", "保持窗口整潔,資料擺放有序,得2分", 2),
    ("window.cleanliness.untidy.points", "一.7", "達不到要求的,發現一次扣1分", 1),
    ("window.evaluation.overall.good", "一.8 ①", "服務對象綜合反映“好”的,加2分", 2),
    ("window.evaluation.overall.fairly_good", "一.8 ①", "“較好”的加1分", 1),
    ("window.evaluation.overall.average", "一.8 ①", "“一般”的不加分", 0),
    ("window.evaluation.overall.poor", "一.8 ①", "“較差”的扣2分", -2),
    ("window.evaluation.praise-letter.min", "一.8 ②", "服務對象來信表揚,每件加1-3分", 1),
    ("window.evaluation.praise-letter.max", "一.8 ②", "服務對象來信表揚,每件加1-3分", 3),
    ("window.evaluation.media-city.points", "一.8 ③", "被新聞媒體表揚,市級2分", 2),
    ("window.evaluation.media-province.points", "一.8 ③", "省級5分", 5),
    # staff rulebook, 二
    ("staff.base", "二", "設基本分100分", 100),
    ("staff.maximum", "二", "最高分110分", 110),
    ("staff.conduct.allotment", "二.1", "思想作風正,大局觀念強,服務態度優,遵紀守法好,得20分", 20),
    ("staff.conduct.quarrel.points", "二.1", "發生吵架,經查實每次扣5分", 5),
    ("staff.conduct.badge-dress.points", "二.1", "不佩證上崗,穿戴不雅,著裝不規范,每次扣1分", 1),
    (
        "staff.conduct.disobedience.min",
        "二.1",
        "不服從中心指揮,協調辦理事項不積極主動,酌情扣1-3分",
        1,
    ),
    (
        "staff.conduct.disobedience.max",
        "二.1",
        "不服從中心指揮,協調辦理事項不積極主動,酌情扣1-3分",
        3,
    ),
    ("staff.conduct.integrity.min", "二.1", "經查實每次酌情扣5-10分", 5),
    ("staff.conduct.integrity.max", "二.1", "經查實每次酌情扣5-10分", 10),
    ("staff.conduct.integrity-serious.min", "二.1", "情節嚴重的,扣10-20分", 10),
    ("staff.conduct.integrity-serious.max", "二.1", "情節嚴重的,扣10-20分", 20),
    (
        "staff.skills.allotment",
        "二.2",
        "具有較高的政策水平和較強的協調處理、文字表達能力,得20分",
        20,
    ),
    ("staff.skills.exam-failed.points", "二.2", "在中心組織的業務考試中,不合格的扣5分", 5),
    (
        "staff.skills.consultation.points",
        "二.2",
        "不能及時、準確地解答服務對象咨詢,經查實每起扣2分",
        2,
    ),
    ("staff.skills.policy.min", "二.2", "政策執行不當,每起酌情扣1-3分", 1),
    ("staff.skills.policy.max", "二.2", "政策執行不當,每起酌情扣1-3分", 3),
    (
        "staff.skills.coordination.points",
        "二.2",
        "協調不力,影響其他部門和服務對象開展工作的,每起扣2分",
        2,
    ),
    ("staff.skills.writing.points", "二.2", "文字表達不清,文字材料送發不及時,每起扣1分", 1),
    (
        "staff.skills.overdue.points",
        "二.2",
        "不能在承諾時限內按要求辦結應獨立完成的事項,每件次酌情扣5分",
        5,
    ),
    ("staff.duty.allotment", "二.3", "嚴格執行中心內部管理制度,得20分", 20),
    ("staff.attendance.allotment", "二.3 ①", "自覺遵守中心考勤制度,得7分", 7),
    ("staff.attendance.leave-over-15-days.points", "二.3 ①", "病事假全年累計超過15天,扣5分", 5),
    ("staff.attendance.leave-post.points", "二.3 ①", "擅自離崗,每次扣1分", 1),
    ("staff.attendance.truancy-half-day.points", "二.3 ①", "曠工每半天扣2分", 2),
    ("staff.meetings.allotment", "二.3 ②", "自覺遵守各項會議制度,得7分", 7),
    ("staff.meetings.training-absent.points", "二.3 ②", "缺席每次扣1分", 1),
    ("staff.meetings.weekly-late.points", "二.3 ②", "周例會,遲到每次扣1分", 1),
    ("staff.meetings.weekly-absent.points", "二.3 ②", "缺席每次扣2分", 2),
    ("staff.meetings.review-late.points", "二.3 ②", "項目聯審會,遲到每次扣3分", 3),
    ("staff.meetings.review-absent.points", "二.3 ②", "缺席每次扣5分", 5),
    ("staff.rota.allotment", "二.3 ③", "自覺遵守值班制度和值班紀律,得6分", 6),
    ("staff.rota.leave-duty.points", "二.3 ③", "值班時擅自離崗,每次扣2分", 2),
    ("staff.rota.duty-negligence.points", "二.3 ③", "值班人員不負責任發生不良后果,每次扣5分", 5),
    ("staff.results.allotment", "二.4", "高質量完成各項任務,工作成績明顯,得40分", 40),
    ("staff.accuracy.allotment", "二.4 ①", "辦理事項,準確率達到100%的,得15分", 15),
    ("staff.accuracy.wrong-result.points", "二.4 ①", "辦理結果有差錯,每件次扣1分", 1),
    ("staff.completion.allotment", "二.4 ②", "在規定時限內,辦結率達到100%的,得15分", 15),
    ("staff.completion.shortfall.points", "二.4 ②", "辦結率每減少1個百分點,扣1分", 1),
    ("staff.satisfaction.allotment", "二.4 ③", "服務對象對辦理結果普遍表示滿意,得10分", 10),
    ("staff.satisfaction.dissatisfied.points", "二.4 ③", "對辦理結果不滿意的,經查實每件次扣3分", 3),
    ("staff.other.limit", "二.5", "本項加分或扣分不超過10分", 10),
    (
        "staff.other.attitude-praise.min",
        "二.5",
        "凡有群眾來信反映服務態度的,根據表揚或投訴內容,每件分別加或扣1-2分",
        1,
    ),
    (
        "staff.other.attitude-praise.max",
        "二.5",
        "凡有群眾來信反映服務態度的,根據表揚或投訴內容,每件分別加或扣1-2分",
        2,
    ),
    (
        "staff.other.attitude-complaint.min",
        "二.5",
        "凡有群眾來信反映服務態度的,根據表揚或投訴內容,每件分別加或扣1-2分",
        1,
    ),
    (
        "staff.other.attitude-complaint.max",
        "二.5",
        "凡有群眾來信反映服務態度的,根據表揚或投訴內容,每件分別加或扣1-2分",
        2,
    ),
    (
        "staff.other.quality-praise.min",
        "二.5",
        "凡反映服務質量和辦事效率,根據表揚或投訴內容每件分別加或扣2-3分",
        2,
    ),
    (
        "staff.other.quality-praise.max",
        "二.5",
        "凡反映服務質量和辦事效率,根據表揚或投訴內容每件分別加或扣2-3分",
        3,
    ),
    (
        "staff.other.quality-complaint.min",
        "二.5",
        "凡反映服務質量和辦事效率,根據表揚或投訴內容每件分別加或扣2-3分",
        2,
    ),
    (
        "staff.other.quality-complaint.max",
        "二.5",
        "凡反映服務質量和辦事效率,根據表揚或投訴內容每件分別加或扣2-3分",
        3,
    ),
]
"""(parameter, section of the source, the source's wording, the number)."""

ASSUMED: dict[str, Decimal] = {
    "window.evaluation.overall.satisfied_level": Decimal(4),
    "window.evaluation.overall.threshold.good": Decimal("0.95"),
    "window.evaluation.overall.threshold.fairly_good": Decimal("0.85"),
    "window.evaluation.overall.threshold.average": Decimal("0.70"),
    # work-order rules: no source sets points; off until a county turns them on
    "window.evaluation.work-order-overdue.points": Decimal(0),
    "window.evaluation.work-order-closed-late.points": Decimal(0),
    "staff.satisfaction.work-order-overdue.points": Decimal(0),
}
"""Numbers the source does not give: documented assumptions (docs/scoring.md)."""

MISSING = {
    "window.results.completion.points",
    "staff.attendance.late-early.points",
    "staff.meetings.training-late.points",
}
"""Numbers the source leaves out (每次扣分): a county's config supplies them."""

PINNED = {name: Decimal(number) for name, _, _, number in TABLE}


def mismatches(books: dict[str, Rulebook]) -> list[str]:
    """Return every difference between the rulebooks' numbers and the table."""
    found: list[str] = []
    seen: set[str] = set()
    for book in books.values():
        for parameter in book.parameters:
            seen.add(parameter.name)
            values = [v.value for v in parameter.values]
            if parameter.name in MISSING:
                if values != [None]:
                    found.append(f"{parameter.name}: {values}, expected missing")
                continue
            expected = PINNED.get(parameter.name, ASSUMED.get(parameter.name))
            if expected is None:
                found.append(f"{parameter.name}: not in the table")
            elif values != [expected]:
                found.append(f"{parameter.name}: {values}, the source says {expected}")
    for name in sorted((set(PINNED) | set(ASSUMED) | MISSING) - seen):
        found.append(f"{name}: in the table, not in the rulebooks")
    return found


def test_every_rulebook_number_is_the_source_number() -> None:
    books = {book_id: reference_rulebook(book_id) for book_id in REFERENCE_RULEBOOKS}
    assert mismatches(books) == []


@pytest.mark.parametrize(("name", "section", "wording", "number"), TABLE, ids=[t[0] for t in TABLE])
def test_the_wording_states_the_number_and_the_rulebook_cites_it(
    name: str, section: str, wording: str, number: int
) -> None:
    if number == 0:
        assert "不加分" in wording
    else:
        assert re.search(rf"(?<!\d){abs(number)}(?!\d)", wording), (name, wording)
    book = reference_rulebook(name.split(".", 1)[0])
    (value,) = book.parameters.get(name).values
    assert value.source == TITLE + section


# -- behaviour per kind of rule, with the table's numbers --------------------

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Month(2010, 3)
HALL = """
[hall]
county = "pinghu"

[[windows]]
id = "a"
name = "甲窗口"

[[items]]
id = "p5"
name = "承诺件"
window = "a"
kind = "promised"
promised_days = 5

[[staff]]
id = "s"
name = "甲一"
window = "a"
post = "A"
"""


@pytest.fixture
def hall(manager: GovhallPluginManager) -> HallConfig:
    report = check_config_text(HALL, "hall.toml", manager)
    assert report.config is not None, report.problems
    return report.config


def _due(case: Case) -> dt.datetime:
    return dt.datetime.combine(case.received_at.date() + dt.timedelta(days=5), dt.time(17), TZ)


def _scorer(hall: HallConfig, months: tuple[Month, ...] = (MARCH,)) -> Scorer:
    window = reference_rulebook("window").with_overrides(
        {"window.results.completion.points": 1}, "test"
    )
    return Scorer(hall, window, reference_rulebook("staff"), months, _due)


def _case(cid: str, day: int, status: str = "concluded", late: bool = False) -> Case:
    received = dt.datetime(2010, 3, day, 10, tzinfo=TZ)
    concluded = received + dt.timedelta(days=9 if late else 1)
    done = status == "concluded"
    return Case(cid, "a", "p5", "promised", received, status, concluded if done else None, 1, "s")  # type: ignore[arg-type]


def _lines(scores: object, rule: str) -> Decimal:
    return sum((line.points for line in scores.lines if line.rule == rule), Decimal(0))  # type: ignore[attr-defined]


def _rules_of(kind: str, period: str = "month") -> list[tuple[str, str]]:
    result = []
    for book_id in REFERENCE_RULEBOOKS:
        for rule in reference_rulebook(book_id).rules():
            missing = any(name.startswith(rule.id + ".") for name in MISSING)
            if rule.kind == kind and rule.period == period and not missing:
                result.append((book_id, rule.id))
    return result


@pytest.mark.parametrize(("book_id", "rule_id"), _rules_of("occurrence"))
def test_an_occurrence_rule_gives_its_points_per_occurrence(
    hall: HallConfig, book_id: str, rule_id: str
) -> None:
    rule = reference_rulebook(book_id).rule(rule_id)
    scorer = _scorer(hall)
    staff = "s" if book_id == "staff" else None
    scorer.add_findings([Finding(dt.date(2010, 3, 5), "a", staff, rule_id, count=2)])
    march = scorer.results()[MARCH]
    score = (march.staff if book_id == "staff" else march.windows)[0]
    assert _lines(score, rule_id) == rule.sign * 2 * PINNED[f"{rule_id}.points"]


@pytest.mark.parametrize(("book_id", "rule_id"), _rules_of("range"))
def test_a_range_rule_takes_its_ends_and_nothing_outside(
    hall: HallConfig, book_id: str, rule_id: str
) -> None:
    low, high = PINNED[f"{rule_id}.min"], PINNED[f"{rule_id}.max"]
    staff = "s" if book_id == "staff" else None
    scorer = _scorer(hall)
    day = dt.date(2010, 3, 5)
    stated = (low, high, low - 1, high + 1)
    scorer.add_findings([Finding(day, "a", staff, rule_id, 1, points) for points in stated])
    march = scorer.results()[MARCH]
    rejected = sorted(r.reason for r in march.rejected)
    assert rejected == sorted(
        f"points {p} outside the rule's range {low}-{high} ({TITLE}{_section(rule_id)})"
        for p in (low - 1, high + 1)
    )
    score = (march.staff if book_id == "staff" else march.windows)[0]
    sign = reference_rulebook(book_id).rule(rule_id).sign
    taken = sign * (low + high)
    category = rule_id.rsplit(".", 1)[0]
    if category == "staff.other":
        taken = max(min(taken, PINNED["staff.other.limit"]), -PINNED["staff.other.limit"])
    assert _lines(score, rule_id) + _lines(score, f"{category}.limit") == taken


def _section(rule_id: str) -> str:
    return next(s for n, s, _, _ in TABLE if n.startswith(rule_id + "."))


def test_an_overdue_case_costs_the_window_and_the_person_their_points(hall: HallConfig) -> None:
    scorer = _scorer(hall)
    scorer.add_cases([_case("late", 2, late=True), _case("fine", 3)])
    march = scorer.results()[MARCH]
    assert (
        _lines(march.windows[0], "window.time-limit.overdue")
        == -PINNED["window.time-limit.overdue.points"]
    )
    assert _lines(march.staff[0], "staff.skills.overdue") == -PINNED["staff.skills.overdue.points"]


def test_the_completion_shortfall_costs_its_points_per_percentage_point(hall: HallConfig) -> None:
    scorer = _scorer(hall)
    cases = [_case(f"c{i}", 2 + i % 20) for i in range(97)]
    cases += [_case(f"open{i}", 25, status="accepted") for i in range(3)]
    scorer.add_cases(cases)
    march = scorer.results()[MARCH]
    per = PINNED["staff.completion.shortfall.points"]
    assert _lines(march.staff[0], "staff.completion.shortfall") == -3 * per


@pytest.mark.parametrize(
    ("levels", "bucket"),
    [
        ([5] * 19 + [3], "good"),  # 95 % at level 4 or above
        ([5] * 17 + [3] * 3, "fairly_good"),  # 85 %
        ([5] * 14 + [3] * 6, "average"),  # 70 %
        ([5] * 13 + [3] * 7, "poor"),  # 65 %
    ],
)
def test_a_month_of_ratings_earns_its_bucket(
    hall: HallConfig, levels: list[int], bucket: str
) -> None:
    scorer = _scorer(hall)
    moment = dt.datetime(2010, 3, 5, 11, tzinfo=TZ)
    scorer.add_ratings(
        Rating(case_id=f"r{i}", window="a", staff=None, level=level, rated_at=moment, channel="pad")
        for i, level in enumerate(levels)
    )
    march = scorer.results()[MARCH]
    points = PINNED[f"window.evaluation.overall.{bucket}"]
    assert _lines(march.windows[0], "window.evaluation.overall") == points


def _exhaustible() -> list[tuple[str, str]]:
    """(category with an allotment, an occurrence rule of it or of a sub-item)."""
    result = []
    for name, *_ in TABLE:
        if not name.endswith(".allotment"):
            continue
        category = name.rsplit(".", 1)[0]
        book = reference_rulebook(category.split(".", 1)[0])
        members = [c for c in book.categories if category in (c.id, c.group)]
        rules = [
            r.id
            for c in members
            for r in c.rules
            if r.kind == "occurrence" and r.period == "month" and f"{r.id}.points" in PINNED
        ]
        if rules:
            result.append((category, rules[0]))
    return result


@pytest.mark.parametrize(("category", "rule_id"), _exhaustible())
def test_a_category_cannot_lose_more_than_its_allotment(
    hall: HallConfig, category: str, rule_id: str
) -> None:
    book_id = category.split(".", 1)[0]
    book = reference_rulebook(book_id)
    rule = book.rule(rule_id)
    scorer = _scorer(hall)
    staff = "s" if book_id == "staff" else None
    scorer.add_findings([Finding(dt.date(2010, 3, 5), "a", staff, rule.id, count=60)])
    march = scorer.results()[MARCH]
    score = (march.staff if book_id == "staff" else march.windows)[0]
    own = book.category_of(rule)
    assert (
        _lines(score, rule.id) + _lines(score, f"{own.id}.floor") == -PINNED[f"{own.id}.allotment"]
    )


def test_an_empty_month_scores_the_base_and_bonuses_stop_at_the_maximum(hall: HallConfig) -> None:
    scorer = _scorer(hall)
    march = scorer.results()[MARCH]
    assert march.windows[0].score == PINNED["window.base"]
    assert march.staff[0].score == PINNED["staff.base"]
    scorer = _scorer(hall)
    rule = "window.evaluation.media-province"
    scorer.add_findings([Finding(dt.date(2010, 3, 5), "a", None, rule, count=5)])
    assert scorer.results()[MARCH].windows[0].score == PINNED["window.maximum"]
    scorer = _scorer(hall)
    praise = "staff.other.quality-praise"
    scorer.add_findings([Finding(dt.date(2010, 3, 5), "a", "s", praise, 5, Decimal(2))])
    # the letters' bonus stops at the item's limit (10), well under the maximum
    expected = PINNED["staff.base"] + PINNED["staff.other.limit"]
    assert scorer.results()[MARCH].staff[0].score == min(expected, PINNED["staff.maximum"])


def test_an_annual_rule_costs_its_points_once_in_the_year(hall: HallConfig) -> None:
    rule = "staff.attendance.leave-over-15-days"
    scorer = _scorer(hall, tuple(Month(2010, m) for m in range(1, 13)))
    scorer.add_findings(
        [
            Finding(dt.date(2010, 3, 31), "a", "s", rule),
            Finding(dt.date(2010, 11, 30), "a", "s", rule),
        ]
    )
    (year,) = scorer.staff_year(2010)
    assert year.score == PINNED["staff.base"] - PINNED[f"{rule}.points"]
    assert _lines(scorer.results()[MARCH].staff[0], rule) == 0  # not in a month


# -- the mutation check ----------------------------------------------------------

NUMBER = re.compile(r"(?P<head>^\s*[\w-]+\s*=\s*(?:\{[^}]*?)?)(?P<num>-?\d+(?:\.\d+)?)(?![\d-])")


def _mutants(text: str) -> list[tuple[str, str]]:
    """Return (label, text) for every number of a rulebook file changed by +1 and by -1."""
    result = []
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        code = line.split("#", 1)[0]
        for match in re.finditer(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w.:-])", code):
            if code[: match.start()].count('"') % 2:
                continue  # inside a string
            number = Decimal(match.group())
            for delta in (1, -1):
                changed = code[: match.start()] + str(number + delta) + code[match.end() :]
                mutated = [*lines[:index], changed + line[len(code) :], *lines[index + 1 :]]
                result.append((f"line {index + 1}: {number} -> {number + delta}", "".join(mutated)))
    return result


def test_every_change_of_a_rulebook_number_fails_the_table_check() -> None:
    package = resources.files("govhall.assessment.rulebooks")
    survivors, total = [], 0
    for book_id in REFERENCE_RULEBOOKS:
        text = (package / f"{book_id}.toml").read_text("utf-8")
        for label, mutated in _mutants(text):
            total += 1
            books = {b: reference_rulebook(b) for b in REFERENCE_RULEBOOKS}
            try:
                books[book_id] = load_rulebook_text(mutated, f"{book_id}.toml")
            except RulebookError:
                continue  # the rulebook no longer loads: every test of it fails
            if not mismatches(books):
                survivors.append(f"{book_id}.toml {label}")
    # every number of the table is mutated in both directions (and the assumptions)
    assert total >= 2 * (len(TABLE) + len(ASSUMED))
    assert survivors == []
