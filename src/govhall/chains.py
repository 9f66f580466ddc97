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
2. the county plugin's :func:`govhall.hookspecs.govhall_approval_chain`;
3. the built-in default: one level, ``窗口审批`` (window approval), delegated
   for immediate items (即办件) and not for promised ones. This default is an
   assumption (the seeds do not describe a generic chain); a county or a
   config overrides it.

A step may carry a time budget in working days; budgets that add up to more
than the item's promised days are a validation warning (:func:`check_chain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govhall.errors import PluginError
from govhall.model import Identifier
from govhall.problems import Problem

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager

DEFAULT_ROLE = "窗口审批"
"""Role of the built-in one-level chain (an assumption, see the module docs)."""


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One level of an approval chain.

    Attributes:
        level: 1-based position in the chain.
        role: Who decides at this level, e.g. ``科室审查`` or ``主管副县长``.
        condition: For a conditional step, when it applies (free text); ``None``
            for a step every case goes through.
        delegated: True when the window staff decide this level themselves.
        budget_days: Working days this level may take, if the hall sets a budget.
    """

    level: int
    role: str
    condition: str | None = None
    delegated: bool = False
    budget_days: int | None = None

    @property
    def conditional(self) -> bool:
        """True when only some cases go through this step."""
        return self.condition is not None

    def to_json(self) -> dict[str, Any]:
        """Return ``{"level", "role"}`` plus the optional facts that are set."""
        data: dict[str, Any] = {"level": self.level, "role": self.role}
        data["conditional"] = self.conditional
        if self.condition is not None:
            data["condition"] = self.condition
        data["delegated"] = self.delegated
        if self.budget_days is not None:
            data["budget_days"] = self.budget_days
        return data


@dataclass(frozen=True, slots=True)
class ApprovalChain:
    """The approval chain of one service item.

    Attributes:
        item: Id of the service item.
        steps: The levels in order; conditional steps included.
        spot_allowed: ``False`` forbids concluding on the spot even when every
            step is delegated (e.g. a seal must be fetched from the office);
            ``None`` lets the steps decide.
        source: Where the chain comes from (seed section, config, default).
    """

    item: str
    steps: tuple[ChainStep, ...]
    spot_allowed: bool | None = None
    source: str = ""

    @property
    def depth(self) -> int:
        """Number of levels every case goes through (conditional steps excluded)."""
        return sum(1 for step in self.steps if not step.conditional)

    @property
    def on_the_spot(self) -> bool:
        """True when a case can be concluded at the window there and then."""
        if self.spot_allowed is False:
            return False
        return all(step.delegated for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        """Return the ``govhall chain`` document: item, depth, steps, on_the_spot, source."""
        return {
            "item": self.item,
            "depth": self.depth,
            "steps": [step.to_json() for step in self.steps],
            "on_the_spot": self.on_the_spot,
            "source": self.source,
        }


class ChainStepConfig(BaseModel):
    """One level of a chain declared in the hall config (`[[chains.steps]]`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    role: str = Field(min_length=1, description="Who decides at this level, e.g. 科室审查.")
    condition: str | None = Field(
        default=None, description="When only some cases take this step: when (free text)."
    )
    delegated: bool = Field(
        default=False, description="The window staff decide this level themselves (充分授权)."
    )
    budget_days: int | None = Field(
        default=None, ge=0, le=366, description="Working days this level may take."
    )


class ChainConfig(BaseModel):
    """An approval chain declared in the hall config (`[[chains]]`); wins over the plugin."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    items: list[Identifier] = Field(
        default_factory=list, description="Ids of the items this chain applies to."
    )
    window: Identifier | None = Field(
        default=None, description="Apply to every item of this window (when `items` is empty)."
    )
    steps: list[ChainStepConfig] = Field(min_length=1, description="The levels, in order.")
    on_the_spot: bool | None = Field(
        default=None,
        description="`false` forbids concluding on the spot even when every step is delegated.",
    )
    source: str | None = Field(default=None, description="Where the chain comes from.")

    @model_validator(mode="after")
    def _has_target(self) -> ChainConfig:
        if not self.items and self.window is None:
            raise ValueError("a chain needs `items` or a `window`")
        return self

    def applies_to(self, item: ServiceItem) -> bool:
        """Return True when this chain is the one for ``item``."""
        return item.id in self.items if self.items else item.window == self.window

    def chain_for(self, item_id: str) -> ApprovalChain:
        """Return the chain of one item."""
        steps = tuple(
            ChainStep(level, s.role, s.condition, s.delegated, s.budget_days)
            for level, s in enumerate(self.steps, start=1)
        )
        return ApprovalChain(item_id, steps, self.on_the_spot, self.source or "hall config")


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
