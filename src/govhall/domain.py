"""Domain vocabulary every layer shares: the deadline rule, approval chains, work-order limits.

These are plain immutable values, defined here once, below the time,
assessment and plugin layers that use them: a county plugin returns a
:class:`DeadlineRule` or an :class:`ApprovalChain` from its hooks, the time
layer counts with the rule, the config declares chains. Case statuses and
rating levels live beside the records in :mod:`govhall.records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """How a county counts time limits; the defaults are the standard rule.

    Attributes:
        count_receipt_day: Count the day of receipt as day 1 (default: not counted).
        after_hours_next_day: A receipt after closing time or on a rest day
            counts from the next working day (default: yes).
        due_soon_days: ``due_soon`` when at most this many counted working days
            remain before the due day.
    """

    count_receipt_day: bool = False
    after_hours_next_day: bool = True
    due_soon_days: int = 1


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One level of an approval chain.

    Attributes:
        level: 1-based position in the chain.
        role: Who decides at this level, e.g. ``科室审查`` or ``主管县长``.
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
        source: Where the chain comes from (section, config, default).
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


@dataclass(frozen=True, slots=True)
class RatingLimits:
    """The time limits of a bad-rating work order (差评工单), in working days.

    Each limit counts from the moment the rating was given, by the hall's
    calendar and the same rule as a case's time limit: the day of the rating
    is not counted, and a stage is due at the window's closing time on the
    N-th working day after it (a rating after closing time or on a rest day
    counts from the next working day).

    Attributes:
        verify: Days to verify the complaint (核实).
        rectify: Days to rectify (整改).
        reply: Days to answer the rater (回访/反馈); the order is due then.
        time_limit_tags: Tags that complain about the time taken; such an
            order is checked against the case's own deadline.
        repeated: ``latest``: of several ratings of one case from one channel
            the latest counts and the earlier ones are reported as replaced;
            ``all``: each counts and each repeat is reported. The rule holds for
            every count of ratings (:func:`govhall.assessment.workorders.counted_ratings`).
        notes: Where each value comes from (a source, or "assumption").
    """

    verify: int
    rectify: int
    reply: int
    time_limit_tags: tuple[str, ...]
    repeated: str
    notes: tuple[tuple[str, str], ...] = ()

    def note(self, key: str) -> str:
        """Return where ``key``'s value comes from, or an empty string."""
        return dict(self.notes).get(key, "")
