"""The case life cycle as a state machine driven by events.

States are the statuses of the data files (:data:`govhall.records.CASE_STATUSES`)::

    received --accept--> accepted --start_review--> in_review --approve_step--> ...
    received --refuse--> not_accepted
    received --request_correction--> correction --resubmit--> received
                                     correction --return_case--> returned
    accepted | in_review --conclude(approved|denied)--> concluded --deliver--> delivered
    received | correction | accepted | in_review --withdraw--> withdrawn

A case in review walks its approval chain one step per ``approve_step``;
``conclude`` with ``approved`` needs every step of the chain approved
(``deny`` may end the case at any step). A case with a chain of depth 0, or
one that can be concluded on the spot, may be concluded straight from
``accepted``. Any other event is an :class:`IllegalTransition` naming the
case, the event and the state.

Overdue is not a state: it is derived from the due time
(:func:`is_overdue`, :func:`case_overdue`).

Example::

    state = start("c1", received_at, steps=2)
    for event in ("accept", "start_review", "approve_step", "approve_step"):
        state = apply(state, Event(event, at))
    state = apply(state, Event("conclude", at, outcome="approved"))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from govhall.errors import GovhallError
from govhall.records import ACCEPTED_STATUSES, CaseStatus

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager
    from govhall.records import Case

Outcome = Literal["approved", "denied"]
EVENTS = (
    "accept",
    "refuse",
    "request_correction",
    "resubmit",
    "return_case",
    "start_review",
    "approve_step",
    "conclude",
    "deliver",
    "withdraw",
)
OPEN_STATES: frozenset[str] = frozenset({"received", "correction", "accepted", "in_review"})
"""States from which a case can still be withdrawn."""

_MOVES: dict[tuple[str, str], CaseStatus] = {
    ("received", "accept"): "accepted",
    ("received", "refuse"): "not_accepted",
    ("received", "request_correction"): "correction",
    ("correction", "resubmit"): "received",
    ("correction", "return_case"): "returned",
    ("accepted", "start_review"): "in_review",
    ("in_review", "approve_step"): "in_review",
    ("accepted", "conclude"): "concluded",
    ("in_review", "conclude"): "concluded",
    ("concluded", "deliver"): "delivered",
}


class IllegalTransition(GovhallError):
    """An event that the case's current state does not allow."""

    def __init__(self, case_id: str, event: str, state: str, reason: str = "") -> None:
        self.case_id = case_id
        self.event = event
        self.state = state
        allowed = ", ".join(allowed_events(state)) or "none (final state)"
        why = f": {reason}" if reason else ""
        super().__init__(
            f"case {case_id!r}: event {event!r} is not allowed in state {state!r}{why} "
            f"(allowed: {allowed})"
        )


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a case, at a time."""

    name: str
    at: dt.datetime
    outcome: Outcome | None = None
    """For ``conclude``: ``approved`` or ``denied``."""


@dataclass(frozen=True, slots=True)
class CaseState:
    """Where a case stands: its state, approval progress and history."""

    case_id: str
    state: CaseStatus
    received_at: dt.datetime
    steps: int = 0
    """Levels of the approval chain (unconditional ones)."""
    approved_steps: int = 0
    on_the_spot: bool = False
    outcome: Outcome | None = None
    concluded_at: dt.datetime | None = None
    history: tuple[tuple[str, str, str, dt.datetime], ...] = ()
    """(event, from state, to state, time) for every event applied."""

    @property
    def is_open(self) -> bool:
        """True while the case can still move forward or be withdrawn."""
        return self.state in OPEN_STATES


def allowed_events(state: str) -> list[str]:
    """Return the events the state allows, in :data:`EVENTS` order."""
    names = {event for (source, event) in _MOVES if source == state}
    if state in OPEN_STATES:
        names.add("withdraw")
    return [name for name in EVENTS if name in names]


def start(
    case_id: str, received_at: dt.datetime, *, steps: int = 0, on_the_spot: bool = False
) -> CaseState:
    """Return a new case in state ``received``.

    Args:
        case_id: Id of the case, used in error messages.
        received_at: When the application was received.
        steps: Depth of the item's approval chain.
        on_the_spot: The chain allows concluding at the window at once.
    """
    return CaseState(case_id, "received", received_at, steps, 0, on_the_spot)


def apply(state: CaseState, event: Event) -> CaseState:
    """Return the state after ``event``.

    Raises:
        IllegalTransition: The event is unknown or not allowed now; the message
            names the case, the event, the state and the allowed events.
    """
    name = event.name
    if name not in EVENTS:
        raise IllegalTransition(state.case_id, name, state.state, "unknown event")
    if name == "withdraw":
        if state.state not in OPEN_STATES:
            raise IllegalTransition(state.case_id, name, state.state, "the case is not open")
        return _moved(state, event, "withdrawn")
    target = _MOVES.get((state.state, name))
    if target is None:
        raise IllegalTransition(state.case_id, name, state.state)
    if event.at < state.received_at:
        raise IllegalTransition(
            state.case_id, name, state.state, f"{event.at} is before the receipt"
        )
    if name == "approve_step":
        if state.approved_steps >= state.steps:
            raise IllegalTransition(
                state.case_id, name, state.state, f"all {state.steps} steps already approved"
            )
        return _moved(state, event, target, approved_steps=state.approved_steps + 1)
    if name == "conclude":
        return _conclude(state, event, target)
    return _moved(state, event, target)


def _conclude(state: CaseState, event: Event, target: CaseStatus) -> CaseState:
    if event.outcome not in ("approved", "denied"):
        raise IllegalTransition(
            state.case_id, "conclude", state.state, "outcome must be 'approved' or 'denied'"
        )
    if state.state == "accepted" and state.steps > 0 and not state.on_the_spot:
        raise IllegalTransition(
            state.case_id,
            "conclude",
            state.state,
            f"the item has {state.steps} approval steps: start_review first",
        )
    if (
        event.outcome == "approved"
        and state.state == "in_review"
        and state.approved_steps < state.steps
    ):
        raise IllegalTransition(
            state.case_id,
            "conclude",
            state.state,
            f"only {state.approved_steps} of {state.steps} approval steps done",
        )
    return _moved(state, event, target, outcome=event.outcome, concluded_at=event.at)


def _moved(state: CaseState, event: Event, target: CaseStatus, **changes: object) -> CaseState:
    record = (event.name, state.state, target, event.at)
    return replace(state, state=target, history=(*state.history, record), **changes)  # type: ignore[arg-type]


def run(state: CaseState, events: list[Event]) -> CaseState:
    """Apply events in order and return the final state."""
    for event in events:
        state = apply(state, event)
    return state


def is_overdue(concluded_at: dt.datetime | None, due: dt.datetime, now: dt.datetime) -> bool:
    """Return True when a case was not concluded by ``due`` (as of ``now`` if still open)."""
    if concluded_at is not None:
        return concluded_at > due
    return now > due


def case_overdue(
    config: HallConfig,
    case: Case,
    now: dt.datetime,
    manager: GovhallPluginManager,
) -> bool:
    """Return True when ``case`` is overdue as of ``now``, using the hall's deadline rule.

    Only accepted cases are owed (not those refused, returned, withdrawn or
    still at intake). The due time is the KPIs' own (:class:`govhall.time.due_times.DueTimes`):
    the case's kind wins over its item's, as in the on-time rate. For many
    cases, keep a session and use its ``due_times``.
    """
    if case.status not in ACCEPTED_STATUSES or case.status == "withdrawn":
        return False
    from govhall.time.due_times import DueTimes
    from govhall.time.hours import build_hall_time

    times = DueTimes(config, build_hall_time(config, manager))
    return is_overdue(case.concluded_at, times.due(case), now)
