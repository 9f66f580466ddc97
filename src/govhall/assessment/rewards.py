"""Annual results: yearly scores, demonstration windows, staff grades, allowances and awards.

The year is built from the scores (:mod:`govhall.assessment.scoring`):

* a window's yearly score is the mean of its monthly scores over the year's
  *active* months (months with any case, rating or finding): windows are
  assessed monthly (《县行政服务中心窗口服务考核实施细则》一: 每月考核一次);
* a staff member's yearly score is the annual 德能勤绩 assessment
  (:meth:`govhall.assessment.scoring.Scorer.staff_year`), graded when they
  were on post in the year (staff are graded at the year's end, 三.4);
* demonstration windows (示范窗口, 三.3: 3-5 a year) are the top
  ``demonstration_windows`` by yearly score, ties broken as in the monthly
  ranking (fewer deductions, then id);
* grades 优秀 / 称职 / 基本称职 / 不称职 (三.4: by score) use thresholds from
  the rules, with an optional quota on 优秀: the excellent beyond the quota,
  lowest first, become 称职;
* the post allowance is paid per month on post (Zhenhai: 365 yuan,
  《关于行政服务中心窗口服务的调查报告》四(一)1(2)); the service-model award
  (服务标兵, Zhenhai: 2000 yuan) goes to the top ``service_model_winners`` by
  yearly score — an assumption standing in for the contest the report
  describes;
* :data:`PROCEDURE` lists the year-end steps the county rules lay down
  (《县行政服务中心窗口服务考核实施细则》三 and 《县行政服务中心评先评优及奖励办法》),
  which round each belongs to and what data it needs.

Every payment carries its explanation. Rules merge key by key: built-in
defaults (:data:`BUILTIN_RULES`), the county plugin's ``govhall_reward_rules``,
then the config's ``[rewards]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from govhall.errors import GovhallError
from govhall.params import ParameterError, to_decimal
from govhall.problems import Problem

if TYPE_CHECKING:
    from govhall.assessment.scoring import Month, MonthScores, Score
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager

GRADES = (
    ("excellent", "优秀"),
    ("competent", "称职"),
    ("basically_competent", "基本称职"),
    ("incompetent", "不称职"),
)
"""The four grades of 《县行政服务中心窗口服务考核实施细则》三.4, best first."""

RULES_TITLE = "《县行政服务中心窗口服务考核实施细则》"
AWARDS_TITLE = "《县行政服务中心评先评优及奖励办法》"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the year-end procedure, as the source lays it down.

    Attributes:
        id: Stable key in ``govhall rewards --json`` (``procedure[].step``).
        name: The source's heading, in Chinese.
        round: Which round of the procedure the step belongs to.
        by: Who runs it.
        needs: What data the step needs.
        govhall: What this result supplies for the step (empty: nothing, the
            step is done by people).
        source: Document title and section.
    """

    id: str
    name: str
    round: str
    by: str
    needs: str
    govhall: str
    source: str

    def to_json(self) -> dict[str, str]:
        """Return the step as ``govhall rewards --json`` lists it under ``procedure``."""
        return {
            "step": self.id,
            "name": self.name,
            "round": self.round,
            "by": self.by,
            "needs": self.needs,
            "govhall": self.govhall,
            "source": self.source,
        }


PROCEDURE: tuple[Step, ...] = (
    Step(
        "assessment",
        "考核实施",
        "the year's assessment",
        "督查科 (the hall's supervision section)",
        "attendance and other data, sent on time by 综合科 and 业务科",
        "windows[].score (monthly window scores averaged) and staff[].score "
        "(the annual 德能勤绩 assessment), with their lines",
        f"{RULES_TITLE}三.1",
    ),
    Step(
        "supervision",
        "监督小组讨论通过、中心主要领导审核后通报",
        "the year's assessment",
        "监督小组 (县机关效能投诉中心, hall managers, window heads); the hall's head",
        "the assessment results",
        "",
        f"{RULES_TITLE}三.2",
    ),
    Step(
        "demonstration-windows",
        "评定示范窗口",
        "the year's assessment",
        "the hall",
        "the windows' yearly scores",
        "windows[].demonstration (the top demonstration_windows by yearly score)",
        f"{RULES_TITLE}三.3",
    ),
    Step(
        "grades",
        "确定优秀、称职、基本称职、不称职四个等次，反馈给原单位",
        "the year's assessment",
        "the hall; the home unit (原单位) rewards and promotes on the grade",
        "the staff's yearly scores, ranked",
        "staff[].grade and staff[].grade_note (to send back to each home unit)",
        f"{RULES_TITLE}三.4",
    ),
    Step(
        "summary",
        "总结工作",
        "self-summary",
        "each person; each window",
        "a 1500-3000 字 personal summary; the window's own summary after discussion",
        "",
        f"{AWARDS_TITLE} 总结工作",
    ),
    Step(
        "window-round",
        "窗口初评",
        "first round, in each window",
        "the window head (负责人), with every member",
        "the personal summaries (德、能、勤、绩); mutual evaluation; a democratic vote",
        "staff[].score and staff[].assessment as reference for the 德能勤绩 summaries",
        f"{AWARDS_TITLE} 窗口初评",
    ),
    Step(
        "hall-round",
        "“中心”全体工作人员总评",
        "general round, hall-wide",
        "the director (主任); all hall managers and window heads",
        "each window's summary and its nominees; the summaries go to the hall's leaders; "
        "mutual evaluation, discussion, a democratic vote on advanced windows and workers",
        "windows[] (yearly scores and ranks) as reference for the vote",
        f"{AWARDS_TITLE} “中心”全体工作人员总评 ⑴-⑷",
    ),
    Step(
        "director-meeting",
        "主任办公室会议研究审定",
        "final decision",
        "the director's office meeting (主任办公室会议)",
        "the list elected in the general round",
        "",
        f"{AWARDS_TITLE} 主任办公室会议研究审定",
    ),
    Step(
        "prizes",
        "奖励",
        "prizes",
        "the hall, at a meeting of all staff",
        "the decided list of advanced windows and workers",
        "staff[].awards and staff[].allowance where the county pays money "
        "(prizes and certificates themselves are not computed)",
        f"{AWARDS_TITLE} 奖励: 发给奖品和证书……并通报其原单位",
    ),
)
"""The year-end procedure of the county assessment rules, in order.

The first four steps are the organisation of the assessment
(《县行政服务中心窗口服务考核实施细则》三); the rest are the annual 评先评优
procedure (《县行政服务中心评先评优及奖励办法》): self-summary, a first round
in each window, a general round, the director's office meeting, prizes and
certificates. govhall computes scores, ranks, demonstration windows and
grades; summaries, votes and decisions are done by people.
"""

BUILTIN_RULES: dict[str, Any] = {
    "demonstration_windows": 3,
    "grade_thresholds": {"excellent": 90, "competent": 80, "basically_competent": 60},
    "excellent_quota": None,
    "allowance_per_month": 0,
    "on_post": "data",
    "service_model_award": 0,
    "service_model_winners": 0,
    "notes": {
        "demonstration_windows": "《县行政服务中心窗口服务考核实施细则》三.3: 評定示範窗口3-5個; "
        "built-in default 3 "
        "(assumption: the least the source allows)",
        "grade_thresholds": "《县行政服务中心窗口服务考核实施细则》三.4 grades by score "
        "but gives no thresholds; "
        "built-in assumption 90 / 80 / 60",
        "excellent_quota": "no quota (the source sets none)",
        "allowance_per_month": f"no post allowance ({RULES_TITLE} names none)",
        "on_post": "a month on post is one in which the person received a case at the "
        "window, or a finding names them (ratings and conclusions trail receipts and do "
        "not count): assumption",
        "service_model_award": f"no service-model award ({RULES_TITLE} names none)",
    },
}
"""The built-in reward rules; each note says where the value comes from."""


def assumed_reward_rules(seed: str) -> dict[str, Any]:
    """Return the built-in reward rules, declared by a county whose source gives none.

    For a county plugin's ``govhall_reward_rules``: the values are
    :data:`BUILTIN_RULES`, and every note says they are an assumption because
    ``seed`` (the county's source) states no assessment rules.

    Example:
        >>> rules = assumed_reward_rules("《平湖行政服务中心窗口服务电话表》")
        >>> rules["demonstration_windows"], rules["notes"]["allowance_per_month"]
        (3, 'no post allowance: assumption: 《平湖行政服务中心窗口服务电话表》 gives no ...')
    """
    assumption = f"assumption: {seed} gives no assessment rules"
    return {
        "demonstration_windows": BUILTIN_RULES["demonstration_windows"],
        "grade_thresholds": dict(BUILTIN_RULES["grade_thresholds"]),
        "allowance_per_month": 0,
        "service_model_award": 0,
        "notes": {
            "demonstration_windows": f"《县行政服务中心窗口服务考核实施细则》三.3: 3-5 a year; "
            f"3 is an {assumption}",
            "grade_thresholds": f"90 / 80 / 60: {assumption}",
            "allowance_per_month": f"no post allowance: {assumption}",
            "service_model_award": f"no service-model award: {assumption}",
        },
    }


_CENT = Decimal("0.01")


class RewardsError(GovhallError):
    """The reward rules cannot be used."""


@dataclass(frozen=True, slots=True)
class RewardRules:
    """The reward rules in force for one hall."""

    demonstration_windows: int
    thresholds: tuple[tuple[str, Decimal], ...]
    """(grade, least score) for excellent, competent, basically competent."""
    excellent_quota: Decimal | None
    allowance_per_month: Decimal
    on_post: str
    service_model_award: Decimal
    service_model_winners: int
    notes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Payment:
    """Money paid to one person, with why."""

    rule: str
    amount: Decimal
    explanation: str

    def to_json(self) -> dict[str, Any]:
        """Return ``{"rule", "amount", "explanation"}`` (amount in yuan)."""
        return {"rule": self.rule, "amount": _money(self.amount), "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class WindowYear:
    """A window's year: score, rank and whether it is a demonstration window."""

    window: str
    score: Decimal | None
    rank: int
    demonstration: bool
    months: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaffYear:
    """A staff member's year: score, grade and every payment."""

    staff: str
    score: Decimal | None
    rank: int
    grade: str | None
    grade_note: str
    months_on_post: tuple[str, ...]
    allowance: Payment
    awards: tuple[Payment, ...]
    assessment: Score | None = None
    """The annual 德能勤绩 assessment behind ``score`` (its explained lines)."""


@dataclass(frozen=True, slots=True)
class YearResult:
    """The annual results of one hall."""

    year: int
    active_months: tuple[str, ...]
    windows: tuple[WindowYear, ...]
    staff: tuple[StaffYear, ...]
    procedure: tuple[Step, ...] = PROCEDURE

    def to_json(self) -> dict[str, Any]:
        """Return the ``govhall rewards --json`` document (money in yuan).

        ``procedure`` lists the year-end steps, which round each belongs to,
        what data it needs and which part of this document supplies it.
        """
        return {
            "year": self.year,
            "months": list(self.active_months),
            "windows": [
                {
                    "window": w.window,
                    "score": _score(w.score),
                    "demonstration": w.demonstration,
                    "rank": w.rank,
                    "months": len(w.months),
                }
                for w in self.windows
            ],
            "staff": [
                {
                    "staff": s.staff,
                    "score": _score(s.score),
                    "grade": s.grade,
                    "allowance": _money(s.allowance.amount),
                    "awards": [award.to_json() for award in s.awards],
                    "rank": s.rank,
                    "grade_note": s.grade_note,
                    "months_on_post": list(s.months_on_post),
                    "payments": [s.allowance.to_json(), *(a.to_json() for a in s.awards)],
                    "lines": []
                    if s.assessment is None
                    else [line.to_json() for line in s.assessment.lines],
                }
                for s in self.staff
            ],
            "procedure": [step.to_json() for step in self.procedure],
        }


def _score(value: Decimal | None) -> int | float | None:
    from govhall.assessment.scoring import number

    return None if value is None else number(value)


def _money(value: Decimal) -> int | float:
    from govhall.assessment.scoring import number

    return number(value.quantize(_CENT, ROUND_HALF_UP))


# -- rules ------------------------------------------------------------------------


def merged_rule_data(config: HallConfig, manager: GovhallPluginManager) -> dict[str, Any]:
    """Merge built-in rules, the county plugin's answers and ``[rewards]``, key by key."""
    merged = {**BUILTIN_RULES, "notes": dict(BUILTIN_RULES["notes"])}
    answers = manager.call_all_as("govhall_reward_rules", dict, config.hall.county)
    layers = [(f"plugin {plugin}", dict(answer)) for plugin, answer in reversed(answers)]
    own = config.rewards.model_dump(exclude_none=True)
    layers.append((f"config [rewards] of {config.hall.id}", own))
    for source, layer in layers:
        notes = layer.pop("notes", {})
        for key, value in layer.items():
            merged[key] = value
            merged["notes"][key] = notes.get(key, f"set by {source}")
    return merged


def reward_rules(config: HallConfig, manager: GovhallPluginManager) -> RewardRules:
    """Return the hall's reward rules.

    Raises:
        RewardsError: A value is of the wrong kind or out of order.
    """
    data = merged_rule_data(config, manager)
    try:
        thresholds = tuple(
            (grade, to_decimal(data["grade_thresholds"][grade], f"grade_thresholds.{grade}"))
            for grade, _ in GRADES[:-1]
        )
        quota = data.get("excellent_quota")
        rules = RewardRules(
            demonstration_windows=int(data["demonstration_windows"]),
            thresholds=thresholds,
            excellent_quota=None if quota is None else to_decimal(quota, "excellent_quota"),
            allowance_per_month=to_decimal(data["allowance_per_month"], "allowance_per_month"),
            on_post=str(data["on_post"]),
            service_model_award=to_decimal(data["service_model_award"], "service_model_award"),
            service_model_winners=int(data["service_model_winners"]),
            notes=dict(data["notes"]),
        )
    except (KeyError, TypeError, ValueError, ParameterError) as exc:
        raise RewardsError(f"reward rules: {exc}") from None
    values = [value for _, value in rules.thresholds]
    if values != sorted(values, reverse=True):
        raise RewardsError(
            "reward rules: grade thresholds must not rise from excellent to basically "
            f"competent (got {', '.join(str(v) for v in values)})"
        )
    if rules.on_post not in ("data", "config"):
        raise RewardsError(
            f"reward rules: on_post must be 'data' or 'config', not {rules.on_post!r}"
        )
    return rules


def check_reward_rules(config: HallConfig, manager: GovhallPluginManager) -> list[Problem]:
    """Return the problems of a hall's reward rules, for ``govhall validate``."""
    try:
        rules = reward_rules(config, manager)
    except GovhallError as exc:
        return [Problem("error", str(exc), key="rewards")]
    if not 3 <= rules.demonstration_windows <= 5:
        message = (
            f"{rules.demonstration_windows} demonstration windows: {RULES_TITLE}三.3 "
            "names 3-5 a year"
        )
        return [Problem("warning", message, key="rewards.demonstration_windows")]
    return []


# -- the year ---------------------------------------------------------------------


def annual_results(
    year: int,
    config: HallConfig,
    rules: RewardRules,
    monthly: Mapping[Month, MonthScores],
    *,
    staff_year: Sequence[Score] | None = None,
) -> YearResult:
    """Build the year from its monthly scores (the months not in ``monthly`` did not happen).

    ``staff_year`` is the staff's annual assessment
    (:meth:`govhall.assessment.scoring.Scorer.staff_year`): a person's yearly
    score is that one result, graded if they were on post in an active month.
    Without it (monthly scores built by hand), the mean of the months on
    post stands in.
    """
    months = sorted(m for m in monthly if m.year == year)
    active = [m for m in months if monthly[m].active]
    window_scores: dict[str, list[Decimal]] = {w.id: [] for w in config.windows}
    deductions: dict[str, Decimal] = dict.fromkeys(window_scores, Decimal(0))
    for month in active:
        for score in monthly[month].windows:
            window_scores.setdefault(score.subject, []).append(score.score)
            deductions[score.subject] = deductions.get(score.subject, Decimal(0)) + score.deductions
    windows = _rank_windows(window_scores, deductions, rules, [str(m) for m in active])
    staff = _staff_years(config, rules, monthly, active, staff_year)
    return YearResult(year, tuple(str(m) for m in active), windows, staff)


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(_CENT, ROUND_HALF_UP)


def _rank_windows(
    scores: Mapping[str, list[Decimal]],
    deductions: Mapping[str, Decimal],
    rules: RewardRules,
    active: list[str],
) -> tuple[WindowYear, ...]:
    means = {window: _mean(values) for window, values in scores.items()}
    order = sorted(
        means,
        key=lambda w: (means[w] is None, -(means[w] or 0), deductions.get(w, Decimal(0)), w),
    )
    result = []
    for rank, window in enumerate(order, 1):
        scored = means[window] is not None
        demonstration = scored and rank <= rules.demonstration_windows
        months = tuple(active) if scored else ()
        result.append(WindowYear(window, means[window], rank, demonstration, months))
    return tuple(result)


def _staff_years(
    config: HallConfig,
    rules: RewardRules,
    monthly: Mapping[Month, MonthScores],
    active: Sequence[Month],
    staff_year: Sequence[Score] | None,
) -> tuple[StaffYear, ...]:
    per_staff: dict[str, list[Decimal]] = {}
    on_post: dict[str, list[str]] = {}
    deductions: dict[str, Decimal] = {}
    for person in config.staff:
        per_staff[person.id], on_post[person.id] = [], []
        deductions[person.id] = Decimal(0)
    for month in active:
        scores = monthly[month]
        for score in scores.staff:
            if score.subject not in per_staff:
                continue
            if rules.on_post == "config" or score.subject in scores.staff_on_post:
                per_staff[score.subject].append(score.score)
                on_post[score.subject].append(str(month))
                deductions[score.subject] += score.deductions
    means = {staff: _mean(values) for staff, values in per_staff.items()}
    annual = {score.subject: score for score in staff_year or ()}
    if staff_year is not None:
        for staff in means:
            found = annual.get(staff)
            scored = found is not None and bool(on_post[staff])
            means[staff] = found.score if scored and found is not None else None
            deductions[staff] = found.deductions if found is not None else Decimal(0)
    order = sorted(
        means,
        key=lambda s: (means[s] is None, -(means[s] or 0), deductions[s], s),
    )
    grades = _grades([s for s in order if means[s] is not None], means, rules)
    winners = [s for s in order if means[s] is not None][: rules.service_model_winners]
    result = []
    for rank, staff in enumerate(order, 1):
        grade, note = grades.get(staff, (None, "no month on post: not graded"))
        months = tuple(on_post[staff])
        allowance = _allowance(rules, months)
        awards: tuple[Payment, ...] = ()
        if staff in winners and rules.service_model_award > 0:
            place = winners.index(staff) + 1
            awards = (
                Payment(
                    "service_model",
                    rules.service_model_award,
                    f"服务标兵: place {place} of {len(winners)} by yearly score "
                    f"{means[staff]} ({rules.notes.get('service_model_award', '')})",
                ),
            )
        assessment = annual.get(staff) if means[staff] is not None else None
        result.append(
            StaffYear(staff, means[staff], rank, grade, note, months, allowance, awards, assessment)
        )
    return tuple(result)


def _grades(
    ranked: Sequence[str], means: Mapping[str, Decimal | None], rules: RewardRules
) -> dict[str, tuple[str, str]]:
    names = dict(GRADES)
    thresholds = dict(rules.thresholds)
    result: dict[str, tuple[str, str]] = {}
    for staff in ranked:
        score = means[staff]
        assert score is not None  # ranked holds scored staff only
        grade = next((g for g, least in rules.thresholds if score >= least), "incompetent")
        least = thresholds.get(grade)
        why = f"score {score} >= {least}" if least is not None else "below every threshold"
        result[staff] = (grade, f"{names[grade]}: {why}")
    if rules.excellent_quota is not None:
        excellent = [s for s in ranked if result[s][0] == "excellent"]
        allowed = int((rules.excellent_quota * len(ranked)).to_integral_value(ROUND_FLOOR))
        for staff in excellent[allowed:]:
            result[staff] = (
                "competent",
                f"{names['competent']}: score {means[staff]} reaches 优秀 but the quota "
                f"({rules.excellent_quota} of {len(ranked)} graded = {allowed}) is full",
            )
    return result


def _allowance(rules: RewardRules, months: Sequence[str]) -> Payment:
    amount = rules.allowance_per_month * len(months)
    if rules.allowance_per_month == 0:
        return Payment("allowance", amount, rules.notes.get("allowance_per_month", "no allowance"))
    listed = ", ".join(months) if months else "none"
    explanation = (
        f"{rules.allowance_per_month} yuan × {len(months)} month(s) on post ({listed}); "
        f"{rules.notes.get('allowance_per_month', '')}"
    )
    return Payment("allowance", amount, explanation)
