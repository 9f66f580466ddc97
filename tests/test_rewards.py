"""Annual results: yearly scores, demonstration windows, grades, allowances and awards."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govhall import hookimpl
from govhall.assessment.rewards import (
    RewardRules,
    RewardsError,
    annual_results,
    check_reward_rules,
    reward_rules,
)
from govhall.assessment.rulebook import reference_rulebook
from govhall.assessment.scoring import Month, MonthScores, Score, Scorer
from govhall.config.load import check_config_text
from govhall.config.schema import HallConfig
from govhall.plugins import GovhallPluginManager, get_plugin_manager
from govhall.records import Case

TZ = ZoneInfo("Asia/Shanghai")
ZHENHAI = """
[hall]
county = "zhenhai"

[[items]]
id = "p5"
name = "承诺件"
window = "fagai"
kind = "promised"
promised_days = 5

[[staff]]
id = "z1"
name = "甲"
window = "fagai"
post = "A"

[[staff]]
id = "z2"
name = "乙"
window = "fagai"
post = "B"

[[staff]]
id = "z3"
name = "丙"
window = "tongji"
post = "A"
"""


@pytest.fixture
def zhenhai() -> GovhallPluginManager:
    import govhall_zhenhai

    return get_plugin_manager(load_entry_points=False, plugins=[("zhenhai", govhall_zhenhai)])


def _hall(manager: GovhallPluginManager, extra: str = "") -> HallConfig:
    report = check_config_text(ZHENHAI + extra, "zhenhai.toml", manager)
    assert report.config is not None, report.problems
    return report.config


def _due(case: Case) -> dt.datetime:
    return case.received_at + dt.timedelta(days=7)


def _year(hall: HallConfig, on_post: dict[str, list[int]]) -> dict[Month, MonthScores]:
    """Score 2010 with one on-time concluded case per staff member per listed month."""
    window = reference_rulebook("window").with_overrides(
        {"window.results.completion.points": 1}, "test"
    )
    scorer = Scorer(
        hall, window, reference_rulebook("staff"), [Month(2010, m) for m in range(1, 13)], _due
    )
    cases = []
    for staff, months in on_post.items():
        for month in months:
            received = dt.datetime(2010, month, 10, 9, tzinfo=TZ)
            cases.append(
                Case(
                    f"{staff}-{month}",
                    "fagai",
                    "p5",
                    "promised",
                    received,
                    "concluded",
                    received + dt.timedelta(days=1),
                    1,
                    staff,
                )
            )
    scorer.add_cases(cases)
    return scorer.results()


def test_zhenhai_reward_rules_come_from_seed_part_two(zhenhai: GovhallPluginManager) -> None:
    rules = reward_rules(_hall(zhenhai), zhenhai)
    assert rules.allowance_per_month == 365
    assert rules.service_model_award == 2000
    assert rules.service_model_winners == 1
    assert "365" in rules.notes["allowance_per_month"]
    assert "《关于行政服务中心窗口服务的调查报告》" in rules.notes["allowance_per_month"]
    assert (
        rules.demonstration_windows == 3
    )  # built-in default, 《县行政服务中心窗口服务考核实施细则》 says 3-5


def test_zhenhai_pays_365_yuan_per_month_on_post(zhenhai: GovhallPluginManager) -> None:
    hall = _hall(zhenhai)
    monthly = _year(hall, {"z1": list(range(1, 12)), "z2": [3, 4, 5]})
    result = annual_results(2010, hall, reward_rules(hall, zhenhai), monthly)
    staff = {s.staff: s for s in result.staff}
    assert staff["z1"].allowance.amount == 365 * 11
    assert staff["z1"].months_on_post == tuple(f"2010-{m:02d}" for m in range(1, 12))
    assert staff["z1"].allowance.explanation.startswith(
        "365 yuan × 11 month(s) on post (2010-01, 2010-02,"
    )
    assert staff["z2"].allowance.amount == 365 * 3
    assert staff["z3"].allowance.amount == 0
    assert (staff["z3"].score, staff["z3"].grade) == (None, None)
    document = result.to_json()
    z1 = next(s for s in document["staff"] if s["staff"] == "z1")
    assert z1["allowance"] == 4015
    assert set(z1) >= {"staff", "score", "grade", "allowance", "awards"}


def test_the_service_model_award_goes_to_the_top_yearly_score(
    zhenhai: GovhallPluginManager,
) -> None:
    hall = _hall(zhenhai)
    monthly = _year(hall, {"z1": [1, 2], "z2": [1]})
    result = annual_results(2010, hall, reward_rules(hall, zhenhai), monthly)
    awarded = {s.staff: [(a.rule, a.amount) for a in s.awards] for s in result.staff}
    # both score 100 every month; z1 has no more deductions: the tie goes to the id
    assert awarded == {"z1": [("service_model", Decimal(2000))], "z2": [], "z3": []}
    z1 = result.to_json()["staff"][0]
    assert z1["awards"][0]["amount"] == 2000
    assert "服务标兵" in z1["awards"][0]["explanation"]


def test_config_overrides_the_plugin_key_by_key(zhenhai: GovhallPluginManager) -> None:
    hall = _hall(zhenhai, '\n[rewards]\nallowance_per_month = 400\non_post = "config"\n')
    rules = reward_rules(hall, zhenhai)
    assert (rules.allowance_per_month, rules.service_model_award) == (400, 2000)
    assert rules.notes["allowance_per_month"] == "set by config [rewards] of zhenhai"
    monthly = _year(hall, {"z1": [1, 2]})
    staff = {s.staff: s for s in annual_results(2010, hall, rules, monthly).staff}
    # on_post = "config": every listed person counts every month with data
    assert staff["z3"].allowance.amount == 800
    assert staff["z3"].months_on_post == ("2010-01", "2010-02")


def test_reward_rules_hook_merges_over_built_in(manager: GovhallPluginManager) -> None:
    import govhall_pinghu

    def govhall_reward_rules(county: str) -> dict[str, Any]:
        return {"excellent_quota": 0.2, "notes": {"excellent_quota": "county rule 7"}}

    # county hooks are answered by the county's own plugin: a Pinghu plugin with this hook
    own = {name: getattr(govhall_pinghu, name) for name in dir(govhall_pinghu)}
    own = {name: impl for name, impl in own.items() if name.startswith("govhall_")}
    own["govhall_reward_rules"] = hookimpl(govhall_reward_rules)
    plugged = get_plugin_manager(
        load_entry_points=False, plugins=[("pinghu", types.SimpleNamespace(**own))]
    )
    hall = check_config_text('[hall]\ncounty = "pinghu"\n', "p.toml", plugged).config
    assert hall is not None
    rules = reward_rules(hall, plugged)
    assert rules.excellent_quota == Decimal("0.2")
    assert rules.notes["excellent_quota"] == "county rule 7"
    assert rules.thresholds == (
        ("excellent", Decimal(90)),
        ("competent", Decimal(80)),
        ("basically_competent", Decimal(60)),
    )


def _rules(**changes: Any) -> RewardRules:
    base: dict[str, Any] = {
        "demonstration_windows": 2,
        "thresholds": (
            ("excellent", Decimal(95)),
            ("competent", Decimal(85)),
            ("basically_competent", Decimal(70)),
        ),
        "excellent_quota": None,
        "allowance_per_month": Decimal(0),
        "on_post": "config",
        "service_model_award": Decimal(0),
        "service_model_winners": 0,
        "notes": {},
    }
    return RewardRules(**{**base, **changes})


def _month(month: int, windows: dict[str, int], staff: dict[str, int]) -> MonthScores:
    def scores(values: dict[str, int]) -> tuple[Score, ...]:
        return tuple(Score(k, Decimal(v), ()) for k, v in values.items())

    return MonthScores(Month(2010, month), scores(windows), scores(staff), active=True)


@pytest.fixture
def small(manager: GovhallPluginManager) -> HallConfig:
    text = (
        '[hall]\ncounty = "pinghu"\n'
        + "".join(f'[[windows]]\nid = "{w}"\nname = "{w}"\n' for w in ("w1", "w2", "w3"))
        + "".join(
            f'[[staff]]\nid = "{s}"\nname = "{s}"\nwindow = "w1"\npost = "A"\n'
            for s in ("s1", "s2", "s3", "s4", "s5")
        )
    )
    report = check_config_text(text, "small.toml", manager)
    assert report.config is not None
    return report.config


def test_yearly_window_score_and_demonstration_windows(small: HallConfig) -> None:
    monthly = {
        Month(2010, 1): _month(1, {"w1": 100, "w2": 96, "w3": 99}, {}),
        Month(2010, 2): _month(2, {"w1": 90, "w2": 97, "w3": 99}, {}),
        Month(2010, 3): MonthScores(Month(2010, 3), (), (), active=False),
    }
    result = annual_results(2010, small, _rules(), monthly)
    assert [(w.window, w.score, w.rank, w.demonstration) for w in result.windows] == [
        ("w3", Decimal("99.00"), 1, True),
        ("w2", Decimal("96.50"), 2, True),
        ("w1", Decimal("95.00"), 3, False),
    ]
    assert result.active_months == ("2010-01", "2010-02")


def test_grades_by_threshold_with_a_quota_on_excellent(small: HallConfig) -> None:
    staff = {"s1": 100, "s2": 97, "s3": 96, "s4": 80, "s5": 60}
    monthly = {Month(2010, 1): _month(1, {}, staff)}
    plain = annual_results(2010, small, _rules(), monthly)
    assert [(s.staff, s.grade) for s in plain.staff] == [
        ("s1", "excellent"),
        ("s2", "excellent"),
        ("s3", "excellent"),
        ("s4", "basically_competent"),
        ("s5", "incompetent"),
    ]
    quota = annual_results(2010, small, _rules(excellent_quota=Decimal("0.4")), monthly)
    assert [(s.staff, s.grade) for s in quota.staff][:3] == [
        ("s1", "excellent"),
        ("s2", "excellent"),
        ("s3", "competent"),
    ]
    s3 = quota.staff[2]
    assert "quota (0.4 of 5 graded = 2) is full" in s3.grade_note


def test_reward_rule_checks(zhenhai: GovhallPluginManager) -> None:
    many = _hall(zhenhai, "\n[rewards]\ndemonstration_windows = 7\n")
    [problem] = check_reward_rules(many, zhenhai)
    assert (problem.severity, problem.key) == ("warning", "rewards.demonstration_windows")
    assert "names 3-5 a year" in problem.message
    rising = _hall(
        zhenhai,
        "\n[rewards]\ngrade_thresholds = { excellent = 80, competent = 85, "
        "basically_competent = 60 }\n",
    )
    with pytest.raises(RewardsError, match="must not rise"):
        reward_rules(rising, zhenhai)
    assert check_reward_rules(rising, zhenhai)[0].severity == "error"
