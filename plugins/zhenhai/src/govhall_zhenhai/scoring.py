"""Zhenhai's assessment: the survey report's recommended composite, adopted as an assumption.

《关于行政服务中心窗口服务的调查报告》 does not describe an assessment in
force: it says the hall lacks one (三(三): 服务中心缺乏窗口服务管理考评系统)
and *recommends* one (四(一)1(1)): assess window units on six contents
(:data:`ASSESSMENT_CONTENTS`) by a "多途径、多角度百分制合成法" — a composite on a
100-point scale of 窗口负责人评分 (``window_head``), 管理人员评分
(``managers``), 现场考查评分 (``inspection``) and 办事群众满意度得分
(``citizens``), "按比重汇总". This deployment adopts that recommendation; it
is an assumption, not the hall's practice. The report gives no weights: the
plugin assumes equal weights (0.25 each); ``[scoring.weights]`` overrides
them. The composite is capped at 100 (百分制).

Satisfaction (:func:`govhall_satisfied_level`): the survey counts 94% 满意, 3%
一般, 2% 难以接受, 1% 投诉过 (一(一)3). Only 满意 is satisfied, so Zhenhai
counts ratings at level 4 (满意) or above; 一般 (level 3) is not satisfied.

Reported practice (四(一)1(2)): 每月增发窗口工作人员岗位补贴365元; 年终……服务标兵
的评选, 优胜者奖励2000元. How many win is not said: the plugin assumes one, and
the contest is stood in for by the yearly staff score (``[rewards]`` overrides
both).

The report gives no rulebook: the ``inspection`` source uses govhall's
reference window rulebook (《县行政服务中心窗口服务考核实施细则》一) unchanged —
an assumption.
"""

from __future__ import annotations

from typing import Any

from govhall import hookimpl

__all__ = [
    "ASSESSMENT_CONTENTS",
    "govhall_reward_rules",
    "govhall_rulebook_overrides",
    "govhall_satisfied_level",
    "govhall_scoring_weights",
]

REPORT = "《关于行政服务中心窗口服务的调查报告》"
COMPOSITE_SOURCE = (
    f"{REPORT}四(一)1(1) 第四: 多途径、多角度百分制合成法 (recommended; adopted by this "
    "deployment as an assumption)"
)
REWARD_SOURCE = f"{REPORT}四(一)1(2)"
SATISFACTION_SOURCE = f"{REPORT}一(一)3: 94%的被调查者表示满意, 3%认为一般"

ASSESSMENT_CONTENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("leadership", "领导重视程度", ("composite.window_head", "composite.managers")),
    ("items-brought-in", "审批事项纳入情况", ("composite.managers",)),
    ("cooperation-authorisation", "窗口配合和人员授权情况", ("composite.managers",)),
    ("citizen-satisfaction", "群众办事满意程度", ("composite.citizens", "window.evaluation")),
    ("staff-on-post", "窗口工作人员到位情况", ("window.attendance",)),
    ("discipline", "窗口工作人员遵纪守法情况", ("window.fees", "window.intake")),
)
"""The six assessment contents the report recommends (四(一)1(1) 第三), in its order.

Each is (id, the report's wording, where this deployment scores it: composite
sources and reference window rulebook categories). The report names the
contents but gives them no points and no rules; the mapping onto sources
and categories is this deployment's assumption. ``govhall_zhenhai`` exposes
it for reports and the README; scoring itself uses the sources and the
reference rulebook.
"""


@hookimpl
def govhall_scoring_weights(county: str) -> dict[str, float]:
    """Return equal weights for the four sources (assumption: the report gives none)."""
    return {"window_head": 0.25, "managers": 0.25, "inspection": 0.25, "citizens": 0.25}


@hookimpl
def govhall_satisfied_level(county: str) -> int:
    """Return 4: only 满意 and above are satisfied (the survey counts 一般 apart)."""
    return 4


@hookimpl
def govhall_rulebook_overrides(county: str) -> dict[str, Any]:
    """Return no overrides: the reference rulebook stands for Zhenhai's inspection (assumption)."""
    return {}


@hookimpl
def govhall_reward_rules(county: str) -> dict[str, Any]:
    """Return the 365-yuan monthly post allowance and the 2000-yuan service-model award."""
    return {
        "allowance_per_month": 365,  # 四(一)1(2): 每月增發窗口工作人員崗位補貼365元
        "service_model_award": 2000,  # 四(一)1(2): 優勝者獎勵2000元人民幣
        "service_model_winners": 1,  # assumption: the report does not say how many win
        "notes": {
            "allowance_per_month": f"{REWARD_SOURCE}: 每月增发窗口工作人员岗位补贴365元",
            "service_model_award": f"{REWARD_SOURCE}: 服务标兵评选, 优胜者奖励2000元; "
            "winner by yearly score (assumption standing in for the contest)",
            "service_model_winners": "assumption: one winner (the report does not say how many)",
        },
    }
