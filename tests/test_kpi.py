"""KPIs: counting rules, on time against due_at, visits, open hours, period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govhall.assessment.kpi import compute_kpis
from govhall.config.schema import HallConfig
from govhall.errors import GovhallError
from govhall.plugins import get_plugin_manager
from govhall.records import Case, Pause, Rating
from govhall.session import HallSession, open_hall
from govhall.time.deadlines import Deadline
from govhall.time.due_times import DueTimes

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")
ITEM = "household-move"  # Pinghu example: promised, 5 working days, police window
QUICK = "residence-certificate"  # immediate


@pytest.fixture(scope="module")
def hall() -> HallSession:
    return open_hall(ROOT / "configs" / "pinghu.toml", manager=get_plugin_manager())


@pytest.fixture(scope="module")
def config(hall: HallSession) -> HallConfig:
    return hall.config


def due_at(
    hall: HallSession, item: str, received: dt.datetime, pauses: tuple[Pause, ...] = ()
) -> Deadline:
    return hall.deadline(item, received, pauses)


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def case(
    case_id: str,
    status: str,
    received: dt.datetime,
    concluded: dt.datetime | None = None,
    *,
    item: str = ITEM,
    visits: int = 1,
    pauses: tuple[Pause, ...] = (),
) -> Case:
    kind = "immediate" if item == QUICK else "promised"
    return Case(case_id, "police", item, kind, received, status, concluded, visits, None, pauses)  # type: ignore[arg-type]


def test_counting_rules(config: HallConfig, hall: HallSession) -> None:
    due = due_at(hall, ITEM, t(2, 10)).due  # Monday 2 March 2026, 5 working days
    cases = [
        case("a", "concluded", t(2, 10), due, visits=1),  # on time, exactly at the due time
        case("b", "delivered", t(2, 10), due + dt.timedelta(minutes=1), visits=2),  # late
        case("c", "in_review", t(2, 10)),
        case("d", "withdrawn", t(2, 10)),
        case("e", "not_accepted", t(2, 10)),
        case("f", "correction", t(2, 10)),
        case("g", "concluded", t(2, 9), t(2, 11), item=QUICK, visits=3),
        case("h", "accepted", t(2, 9), item=QUICK),
    ]
    ratings = [Rating("a", "police", None, level, t(9, 10), "pad") for level in (5, 4, 3, 2, 1)]
    kpis = compute_kpis(config, cases, ratings, times=hall.due_times)
    assert (kpis.cases, kpis.accepted, kpis.concluded, kpis.immediate) == (8, 6, 3, 2)
    assert kpis.on_time == 2
    assert kpis.completion_rate == 3 / 6
    assert kpis.immediate_rate == 2 / 6
    assert kpis.on_time_rate == 2 / 3
    assert kpis.satisfaction_rate == 3 / 5
    assert kpis.visits == {"1": 1, "2": 1, "3+": 1}
    document = kpis.to_json()
    assert document["completion_rate"] == 0.5
    assert document["immediate_rate"] == 0.3333
    assert document["visits"] == {"1": 0.3333, "2": 0.3333, "3+": 0.3333}


def test_after_closing_counts_from_the_next_working_day(
    config: HallConfig, hall: HallSession
) -> None:
    times = DueTimes(config, hall.time)
    early = case("x", "concluded", t(2, 9), t(2, 10))
    late = case("y", "concluded", t(2, 18), t(2, 19))
    assert times.due(early) == due_at(hall, ITEM, t(2, 9)).due
    assert times.due(late) == due_at(hall, ITEM, t(2, 18)).due
    assert times.due(late) > times.due(early)


def test_paused_cases_get_their_own_due_time(config: HallConfig, hall: HallSession) -> None:
    pause = (Pause(dt.date(2026, 3, 3), dt.date(2026, 3, 4)),)
    paused = case("p", "concluded", t(2, 10), t(2, 11), pauses=pause)
    expected = due_at(hall, ITEM, t(2, 10), pause).due
    assert DueTimes(config, hall.time).due(paused) == expected
    assert expected > due_at(hall, ITEM, t(2, 10)).due


def test_handling_time_counts_open_minutes_only(config: HallConfig, hall: HallSession) -> None:
    from govhall.time.deadlines import business_minutes

    times = DueTimes(config, hall.time)
    # The police window is on duty through the weekday lunch (《平湖行政服务中心窗口服务电话表》):
    # 08:30-17:30.
    # Monday 09:00-17:30 (510) + Tuesday 08:30-09:00 (30); nothing overnight.
    spanning = case("s", "concluded", t(2, 9), t(3, 9))
    assert times.open_minutes(spanning) == 540
    # Friday 17:00 to Monday 09:00: 30 + 30 minutes, the weekend is not a working day
    weekend = case("w", "concluded", t(6, 17), t(9, 9))
    assert times.open_minutes(weekend) == 60
    for one in (spanning, weekend):
        start, end = (m.replace(tzinfo=None) for m in (one.received_at, one.concluded_at))
        assert times.open_minutes(one) == business_minutes(times.time, "police", start, end)
    kpis = compute_kpis(config, [spanning, weekend], times=hall.due_times)
    assert kpis.average_handling_hours == (540 + 60) / 2 / 60


def test_period_selects_by_receipt_and_rating_day(config: HallConfig, hall: HallSession) -> None:
    cases = [
        case("in", "concluded", t(2, 10), t(3, 10)),
        case("before", "concluded", t(27, 10, month=2), t(2, 10)),
        case("after", "concluded", t(1, 10, month=4), t(2, 10, month=4)),
    ]
    ratings = [
        Rating("in", "police", None, 5, t(31, 23, 59), "pad"),
        Rating("x", "police", None, 1, t(1, 0, 0, month=4), "pad"),
    ]
    kpis = compute_kpis(
        config,
        cases,
        ratings,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
        times=hall.due_times,
    )
    assert (kpis.cases, kpis.accepted, kpis.ratings, kpis.satisfaction_rate) == (1, 1, 1, 1.0)


def test_empty_data_gives_no_rates(config: HallConfig, hall: HallSession) -> None:
    document = compute_kpis(config, [], times=hall.due_times).to_json()
    assert document["completion_rate"] is None
    assert document["on_time_rate"] is None
    assert document["average_handling_hours"] is None


def test_unknown_item_is_an_error_naming_the_case(config: HallConfig, hall: HallSession) -> None:
    stranger = case("z", "concluded", t(2, 10), t(2, 11), item="nope")
    with pytest.raises(GovhallError, match="case 'z': no item 'nope'"):
        compute_kpis(config, [stranger], times=hall.due_times)


def test_open_minutes_stay_right_when_an_earlier_day_comes_later(
    config: HallConfig, hall: HallSession
) -> None:
    from govhall.time.deadlines import business_minutes

    times = DueTimes(config, hall.time)
    later = case("n", "concluded", t(2, 9), t(3, 9))
    earlier = case("o", "concluded", t(2, 9, month=1) - dt.timedelta(days=800), t(3, 9))
    for one in (later, earlier, later):
        start, end = (m.replace(tzinfo=None) for m in (one.received_at, one.concluded_at))
        assert times.open_minutes(one) == business_minutes(times.time, "police", start, end)
