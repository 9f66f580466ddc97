"""Zhenhai's assessment: the four-source composite and the allowance and award (seed 第二篇).

Seed 第二篇 四(一)1(1) (第四): a window unit is assessed by a weighted
composite on a 100-point scale (多途径、多角度百分制合成法) of four parts —
窗口负责人评分 (``window_head``), 管理人员评分 (``managers``), 现场考查评分
(``inspection``) and 办事群众满意度得分 (``citizens``) — "按比重汇总". The
weights are not given: this plugin assumes equal weights (0.25 each);
``[scoring.weights]`` in the hall config overrides them.

Seed 第二篇 四(一)1(2): 每月增发窗口工作人员岗位补贴365元; 年终……服务标兵的评选,
优胜者奖励2000元. How many win is not said: the plugin assumes one, and the
contest is stood in for by the yearly staff score (``[rewards]`` overrides both).

The seed gives Zhenhai no rulebook of its own: the ``inspection`` source uses
govhall's reference window rulebook (seed 第四篇) unchanged — an assumption.
"""

from __future__ import annotations

from typing import Any

from govhall import hookimpl

__all__ = ["govhall_reward_rules", "govhall_rulebook_overrides", "govhall_scoring_weights"]

COMPOSITE_SEED = (
    "第二篇 四(一)1(1) 第四: 窗口负责人评分、管理人员评分、现场考查评分和办事群众满意度得分"
)
REWARD_SEED = "第二篇 四(一)1(2)"


@hookimpl
def govhall_scoring_weights(county: str) -> dict[str, float]:
    """Return equal weights for the four sources (assumption: the seed gives none)."""
    return {"window_head": 0.25, "managers": 0.25, "inspection": 0.25, "citizens": 0.25}


@hookimpl
def govhall_rulebook_overrides(county: str) -> dict[str, Any]:
    """Return no overrides: the reference rulebook stands for Zhenhai's inspection (assumption)."""
    return {}


@hookimpl
def govhall_reward_rules(county: str) -> dict[str, Any]:
    """Return the 365-yuan monthly post allowance and the 2000-yuan service-model award."""
    return {
        "allowance_per_month": 365,  # seed 第二篇 四(一)1(2): 每月增發窗口工作人員崗位補貼365元
        "service_model_award": 2000,  # seed 第二篇 四(一)1(2): 優勝者獎勵2000元人民幣
        "service_model_winners": 1,  # assumption: the seed does not say how many win
        "notes": {
            "allowance_per_month": f"seed {REWARD_SEED}: 每月增发窗口工作人员岗位补贴365元",
            "service_model_award": f"seed {REWARD_SEED}: 服务标兵评选, 优胜者奖励2000元; "
            "winner by yearly score (assumption standing in for the contest)",
            "service_model_winners": "assumption: one winner (the seed does not say how many)",
        },
    }
