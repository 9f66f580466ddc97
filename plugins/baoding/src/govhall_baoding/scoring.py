"""Baoding's assessment rules: documented assumptions (《保定市行政服务中心电话》 gives none).

《保定市行政服务中心电话》(保定市行政服务中心电话) is the county's only source.

The county's source states no assessment rules, weights or rewards. This
plugin therefore declares, explicitly:

* rulebooks: govhall's reference window and staff rulebooks
  (《县行政服务中心窗口服务考核实施细则》, a
  county hall's rules) apply unchanged — no overrides;
* weights: none — a window's monthly score is the rulebook score alone (no
  composite);
* rewards: the built-in defaults (3 demonstration windows, grade thresholds
  90 / 80 / 60, no allowance, no award), each an assumption.

A hall config overrides any of these under ``[scoring]`` and ``[rewards]``.
"""

from __future__ import annotations

from typing import Any

from govhall import hookimpl

__all__ = ["govhall_reward_rules", "govhall_rulebook_overrides", "govhall_scoring_weights"]

SEED = "《保定市行政服务中心电话》"


@hookimpl
def govhall_scoring_weights(county: str) -> None:
    """Return no composite weights: the rulebook score alone ranks windows (assumption)."""
    return None


@hookimpl
def govhall_rulebook_overrides(county: str) -> dict[str, Any]:
    """Return no overrides: the reference rulebooks apply unchanged (assumption)."""
    return {}


@hookimpl
def govhall_reward_rules(county: str) -> dict[str, Any]:
    """Return the built-in reward rules, declared as this county's assumption."""
    from govhall.assessment.rewards import assumed_reward_rules  # imported when asked: startup

    return assumed_reward_rules(SEED)
