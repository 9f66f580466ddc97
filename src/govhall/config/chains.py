"""The ``[[chains]]`` tables of a hall config: approval chains declared by the hall."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govhall.domain import ApprovalChain, ChainStep
from govhall.model import Identifier

if TYPE_CHECKING:
    from govhall.model import ServiceItem


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
