"""Approval chains: who signs an item off, level by level, and whether it can end on the spot.

An :class:`ApprovalChain` is a list of :class:`ChainStep` levels, each with
a role (科室审查, 主任 ...). A step may be *conditional* (Luanchuan: some
planning items also go to the county planning committee, 县规划委员会); the
chain's ``depth`` counts the unconditional steps. A step *delegated* to the
window is done by the window staff themselves (充分授权); a chain whose
steps are all delegated can be concluded on the spot (当场办结), unless the
chain says otherwise (Luanchuan: every item is taken back to the office to be
signed and sealed).

Where a chain comes from, first answer wins:

1. the hall config's ``[[chains]]`` (when the config declares chains);
2. the county plugin's :func:`govhall.plugins.hookspecs.govhall_approval_chain`;
3. the built-in default: one level, ``窗口审批`` (window approval), delegated
   for immediate items (即办件) and not for promised ones. This default is an
   assumption (the source documents do not describe a generic chain); a county or a
   config overrides it.

A step may carry a time budget in working days; budgets that add up to more
than the item's promised days are a validation warning (:func:`check_chain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from govhall.domain import ApprovalChain as ApprovalChain  # re-exported: its old home
from govhall.domain import ChainStep as ChainStep
from govhall.errors import PluginError
from govhall.problems import Problem

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager

DEFAULT_ROLE = "窗口审批"
"""Role of the built-in one-level chain (an assumption, see the module docs)."""


def build_chain(
    item: str,
    roles: Sequence[str | dict[str, Any]],
    *,
    spot_allowed: bool | None = None,
    source: str = "",
) -> ApprovalChain:
    """Build a chain from roles in order; a mapping gives a step's other fields.

    Example:
        >>> chain = build_chain("permit", ["科室审查", {"role": "主任", "budget_days": 2}])
        >>> chain.depth, chain.steps[1].budget_days
        (2, 2)
    """
    steps = []
    for level, entry in enumerate(roles, start=1):
        if isinstance(entry, str):
            steps.append(ChainStep(level, entry))
        else:
            steps.append(ChainStep(level=level, **entry))
    return ApprovalChain(item, tuple(steps), spot_allowed, source)


def default_chain(item: ServiceItem) -> ApprovalChain:
    """Return the built-in chain: one window level, delegated for immediate items."""
    step = ChainStep(1, DEFAULT_ROLE, delegated=item.kind == "immediate")
    return ApprovalChain(item.id, (step,), None, "built-in default (assumption)")


def approval_chain(
    config: HallConfig, item_id: str, manager: GovhallPluginManager
) -> ApprovalChain:
    """Return the approval chain of an item: config, then county plugin, then default.

    Raises:
        LookupFailed: The hall has no such item.
        PluginError: The county plugin raised or returned something that is not
            an :class:`ApprovalChain` for this item.
    """
    item = config.item(item_id)
    for entry in getattr(config, "chains", ()):
        if entry.applies_to(item):
            found: ApprovalChain = entry.chain_for(item.id)
            return found
    answers = manager.call_all(
        "govhall_approval_chain", config.hall.county, config=config, item=item
    )
    if not answers:
        return default_chain(item)
    plugin, answer = answers[0]
    if not isinstance(answer, ApprovalChain) or answer.item != item.id:
        got = type(answer).__name__ if not isinstance(answer, ApprovalChain) else answer.item
        raise PluginError(
            plugin,
            "govhall_approval_chain",
            f"expected an ApprovalChain for {item.id!r}, got {got}",
        )
    return answer


def check_config_chains(config: HallConfig) -> list[Problem]:
    """Check ``[[chains]]``: items and windows exist, budgets fit the promised days."""
    problems: list[Problem] = []
    items = {item.id: item for item in config.items}
    windows = {window.id for window in config.windows}
    for index, entry in enumerate(getattr(config, "chains", ())):
        for position, item_id in enumerate(entry.items):
            if item_id not in items:
                problems.append(
                    Problem(
                        "error",
                        f"no item with id {item_id!r}",
                        key=f"chains[{index}].items[{position}]",
                    )
                )
        if entry.window is not None and entry.window not in windows:
            problems.append(
                Problem(
                    "error", f"no window with id {entry.window!r}", key=f"chains[{index}].window"
                )
            )
        for item in items.values():
            if entry.applies_to(item):
                problems.extend(
                    check_chain(entry.chain_for(item.id), item, f"chains[{index}].steps")
                )
    return problems


def check_chain(chain: ApprovalChain, item: ServiceItem, key: str = "") -> list[Problem]:
    """Return a warning when the levels' time budgets add up to more than the promise.

    Every step's budget counts, conditional ones included: a case that goes
    through the committee must still be concluded within the promise.
    """
    problems: list[Problem] = []
    budgets = [step.budget_days for step in chain.steps if step.budget_days is not None]
    promised = item.promised_days if item.kind == "promised" else 0
    if budgets and promised is not None and sum(budgets) > promised:
        problems.append(
            Problem(
                "warning",
                f"item {item.id!r}: the approval levels' budgets add up to {sum(budgets)} "
                f"working days, more than the {promised} promised",
                key=key,
            )
        )
    return problems
