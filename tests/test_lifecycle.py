"""The case life cycle (docs/cases.md): legal paths, illegal transitions, derived overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govhall.assessment.lifecycle import (
    Event,
    IllegalTransition,
    allowed_events,
    apply,
    case_overdue,
    is_overdue,
    run,
    start,
)
from govhall.config.load import load_config
from govhall.plugins import get_plugin_manager
from govhall.records import Case

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2010, 3, 1, 9, 0, tzinfo=TZ)
ROOT = Path(__file__).resolve().parent.parent


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_four_level_chain_is_walked_then_concluded_and_delivered() -> None:
    state = start("c1", T0, steps=4)
    events = [Event("accept", at(0)), Event("start_review", at(1))]
    events += [Event("approve_step", at(2 + n)) for n in range(4)]
    events += [Event("conclude", at(7), outcome="approved"), Event("deliver", at(8))]
    final = run(state, events)
    assert final.state == "delivered"
    assert final.approved_steps == 4
    assert final.outcome == "approved"
    assert final.concluded_at == at(7)
    assert [h[2] for h in final.history] == [
        "accepted",
        "in_review",
        "in_review",
        "in_review",
        "in_review",
        "in_review",
        "concluded",
        "delivered",
    ]


def test_correction_then_resubmission_then_return() -> None:
    state = run(start("c2", T0), [Event("request_correction", at(0)), Event("resubmit", at(1))])
    assert state.state == "received"
    state = run(state, [Event("request_correction", at(2)), Event("return_case", at(3))])
    assert state.state == "returned"
    assert not state.is_open


def test_illegal_transition_names_case_event_and_state() -> None:
    state = run(start("c3", T0), [Event("refuse", at(0))])
    with pytest.raises(IllegalTransition) as caught:
        apply(state, Event("accept", at(1)))
    assert str(caught.value) == (
        "case 'c3': event 'accept' is not allowed in state 'not_accepted' "
        "(allowed: none (final state))"
    )
    assert (caught.value.case_id, caught.value.event, caught.value.state) == (
        "c3",
        "accept",
        "not_accepted",
    )


def test_approval_cannot_be_skipped_but_denial_can_end_early() -> None:
    state = run(start("c4", T0, steps=2), [Event("accept", at(0)), Event("start_review", at(1))])
    state = apply(state, Event("approve_step", at(2)))
    with pytest.raises(IllegalTransition, match="only 1 of 2 approval steps done"):
        apply(state, Event("conclude", at(3), outcome="approved"))
    denied = apply(state, Event("conclude", at(3), outcome="denied"))
    assert (denied.state, denied.outcome) == ("concluded", "denied")
    accepted = apply(start("c5", T0, steps=2), Event("accept", at(0)))
    with pytest.raises(IllegalTransition, match="start_review first"):
        apply(accepted, Event("conclude", at(1), outcome="approved"))


def test_on_the_spot_concludes_from_accepted() -> None:
    state = run(
        start("c6", T0, steps=1, on_the_spot=True),
        [Event("accept", at(0)), Event("conclude", at(0), outcome="approved")],
    )
    assert state.state == "concluded"


def test_withdraw_only_from_open_states() -> None:
    assert allowed_events("in_review") == ["approve_step", "conclude", "withdraw"]
    state = apply(start("c7", T0), Event("withdraw", at(1)))
    assert state.state == "withdrawn"
    with pytest.raises(IllegalTransition, match="the case is not open"):
        apply(state, Event("withdraw", at(2)))


def test_unknown_event_and_time_before_receipt() -> None:
    with pytest.raises(IllegalTransition, match="unknown event"):
        apply(start("c8", T0), Event("approve", at(0)))
    with pytest.raises(IllegalTransition, match="before the receipt"):
        apply(start("c8", T0), Event("accept", at(-1)))


def test_overdue_is_derived_from_the_due_time() -> None:
    due = at(10)
    assert is_overdue(None, due, now=at(11)) is True
    assert is_overdue(None, due, now=at(9)) is False
    assert is_overdue(at(10), due, now=at(50)) is False
    assert is_overdue(at(11), due, now=at(50)) is True


def test_case_overdue_uses_the_deadline_engine() -> None:
    manager = get_plugin_manager()
    config = load_config(ROOT / "configs" / "luanchuan.toml", manager)
    received = dt.datetime(2010, 3, 1, 9, 0, tzinfo=TZ)
    case = Case("c9", "guihua", "works-permit", "promised", received, "in_review", None, 1)
    # 20 working days after Monday 1 March 2010 is Monday 29 March
    assert case_overdue(config, case, dt.datetime(2010, 3, 29, 12, 0, tzinfo=TZ), manager) is False
    assert case_overdue(config, case, dt.datetime(2010, 3, 30, 9, 0, tzinfo=TZ), manager) is True
    refused = Case("c10", "guihua", "works-permit", "promised", received, "not_accepted", None, 1)
    assert case_overdue(config, refused, dt.datetime(2011, 1, 1, tzinfo=TZ), manager) is False


def test_case_overdue_takes_the_case_kind_as_the_kpis_do() -> None:
    manager = get_plugin_manager()
    config = load_config(ROOT / "configs" / "luanchuan.toml", manager)
    received = dt.datetime(2010, 3, 1, 9, 0, tzinfo=TZ)
    concluded = dt.datetime(2010, 3, 3, 10, 0, tzinfo=TZ)
    # a promised item handled as an immediate case is due at closing time the same day
    case = Case("c11", "guihua", "works-permit", "immediate", received, "concluded", concluded, 1)
    assert case_overdue(config, case, dt.datetime(2010, 3, 4, tzinfo=TZ), manager) is True
    withdrawn = Case("c12", "guihua", "works-permit", "promised", received, "withdrawn", None, 1)
    assert case_overdue(config, withdrawn, dt.datetime(2011, 1, 1, tzinfo=TZ), manager) is False
