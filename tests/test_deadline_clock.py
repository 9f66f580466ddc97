"""DeadlineClock answers exactly what due_at answers: a differential test on random receipts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import govhall.time.deadlines
from govhall.config.load import load_config
from govhall.config.schema import HallConfig
from govhall.errors import LookupFailed
from govhall.plugins import GovhallPluginManager, get_plugin_manager
from govhall.time.deadline_clock import DeadlineClock
from govhall.time.deadlines import Deadline, DeadlineInputError, due_at
from govhall.time.hours import HallTime, build_hall_time

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))
UTC = dt.UTC


@pytest.fixture(scope="module")
def installed() -> GovhallPluginManager:
    return get_plugin_manager()


def _hall(path: Path, manager: GovhallPluginManager) -> tuple[HallConfig, HallTime]:
    config = load_config(path, manager)
    return config, build_hall_time(config, manager)


def _same_time_setup(monkeypatch: pytest.MonkeyPatch, time: HallTime) -> None:
    """Let due_at count on ``time`` instead of building an equal setup on every call."""
    monkeypatch.setattr(govhall.time.deadlines, "hall_time", lambda config, manager=None: time)


def _interesting_days(time: HallTime) -> list[dt.date]:
    """Holidays, make-up working weekends, ordinary weekends and year ends, 2024-2026."""
    days = []
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2026, 12, 31):
        info = time.calendar.day(day)
        makeup = info.workday and day.weekday() >= 5
        if info.kind in ("holiday", "closure") or makeup:
            days.append(day)
        day += dt.timedelta(days=1)
    days += [dt.date(2024, 12, 31), dt.date(2025, 12, 31), dt.date(2026, 12, 31)]
    days += [dt.date(2026, 12, 24), dt.date(2027, 3, 3), dt.date(2023, 12, 29)]  # 2027: warnings
    return days


def _cases(time: HallTime, seed: int, count: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    items = sorted(time.items)
    windows = list(time.hours.windows)
    special = _interesting_days(time)
    first = dt.date(2023, 12, 20)
    span = (dt.date(2027, 1, 20) - first).days
    edges = [0, 510, 689, 690, 719, 720, 839, 840, 1019, 1020, 1049, 1050, 1079, 1080, 1439]
    for _ in range(count):
        day = (
            rng.choice(special) if rng.random() < 0.4 else first + dt.timedelta(rng.randrange(span))
        )
        minute = rng.choice(edges) if rng.random() < 0.4 else rng.randrange(1440)
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(
            minutes=minute, seconds=rng.choice([0, 0, 59]), microseconds=rng.choice([0, 1])
        )
        how = rng.random()
        if how < 0.5:
            received = local
        elif how < 0.75:
            received = local.replace(tzinfo=time.zone)
        else:
            received = local.replace(tzinfo=time.zone).astimezone(UTC)
        pauses: Any = ()
        roll = rng.random()
        if roll < 0.15:
            start = day + dt.timedelta(days=rng.randrange(-3, 10))
            pauses = [(start, start + dt.timedelta(days=rng.randrange(0, 6)))]
            if rng.random() < 0.3:
                later = start + dt.timedelta(days=rng.randrange(8, 20))
                pauses.insert(0, (later, later))
        elif roll < 0.2:
            pauses = []
        window = rng.choice([None, None, None, *windows])
        now = None
        if rng.random() < 0.15:
            now = local + dt.timedelta(days=rng.randrange(-2, 40), minutes=rng.randrange(1440))
            if rng.random() < 0.5:
                now = now.replace(tzinfo=time.zone)
        yield {
            "item": rng.choice(items),
            "received": received,
            "pauses": pauses,
            "window": window,
            "now": now,
        }


def _key(deadline: Deadline) -> tuple[Any, ...]:
    """Besides ==: the exact offsets (fold) and the zone objects of the aware times."""
    now = deadline.now
    return (
        deadline.received.isoformat(),
        deadline.received.tzinfo,
        deadline.due.isoformat(),
        deadline.due.tzinfo,
        None if now is None else now.isoformat(),
    )


def _agree(
    clock: DeadlineClock, config: HallConfig, manager: GovhallPluginManager, case: dict[str, Any]
) -> None:
    item, received, window, now = case["item"], case["received"], case["window"], case["now"]
    expected = due_at(
        config, item, received, case["pauses"], window=window, manager=manager, now=now
    )
    got = clock.deadline(item, received, case["pauses"], window=window, now=now)
    assert got == expected, case
    assert _key(got) == _key(expected), case
    assert got.time is clock.time
    assert clock.due(item, received, case["pauses"], window=window) == expected.due, case


@pytest.mark.parametrize("path", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_clock_agrees_with_due_at_on_random_receipts(
    path: Path, installed: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, time = _hall(path, installed)
    _same_time_setup(monkeypatch, time)
    clock = DeadlineClock(time, time.items)
    for case in _cases(time, seed=len(path.stem), count=600):
        _agree(clock, config, installed, case)


def test_clock_agrees_with_due_at_building_its_own_setup(installed: GovhallPluginManager) -> None:
    """No monkeypatching: due_at as a caller uses it, a few receipts."""
    config, time = _hall(ROOT / "configs" / "pinghu.toml", installed)
    clock = DeadlineClock(time, time.items)
    for case in _cases(time, seed=7, count=5):
        _agree(clock, config, installed, case)


def test_explanation_and_warnings_match(
    installed: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, time = _hall(ROOT / "configs" / "pinghu.toml", installed)
    _same_time_setup(monkeypatch, time)
    clock = DeadlineClock(time, time.items)
    for received in (dt.datetime(2026, 9, 30, 10, 0), dt.datetime(2026, 12, 30, 18, 0)):
        expected = due_at(config, "household-move", received, manager=installed)
        got = clock.deadline("household-move", received)
        assert got.explanation == expected.explanation
        assert got.warnings == expected.warnings
    assert clock.deadline("household-move", dt.datetime(2026, 12, 30, 18, 0)).warnings


def test_unknown_item_window_and_bad_pause_raise_as_due_at(
    installed: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, time = _hall(ROOT / "configs" / "pinghu.toml", installed)
    _same_time_setup(monkeypatch, time)
    clock = DeadlineClock(time, time.items)
    received = dt.datetime(2026, 9, 30, 10, 0)
    bad_pause = [(dt.date(2026, 10, 9), dt.date(2026, 10, 8))]
    calls: list[tuple[str, Any, str | None, type[Exception]]] = [
        ("no-such-item", (), None, LookupFailed),
        ("household-move", (), "no-such-window", LookupFailed),
        ("household-move", bad_pause, None, DeadlineInputError),
        ("no-such-item", bad_pause, None, LookupFailed),  # the item is looked up first
    ]
    for item, pauses, window, error in calls:
        with pytest.raises(error) as reference:
            due_at(config, item, received, pauses, window=window, manager=installed)
        with pytest.raises(error) as from_clock:
            clock.deadline(item, received, pauses, window=window)
        assert str(from_clock.value) == str(reference.value)
        with pytest.raises(error) as from_due:
            clock.due(item, received, pauses, window=window)
        assert str(from_due.value) == str(reference.value)


def test_a_dst_zone_agrees(
    tmp_path: Path, installed: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "configs" / "pinghu.toml").read_text(encoding="utf-8")
    text = text.replace('county = "pinghu"', 'county = "pinghu"\ntimezone = "America/New_York"', 1)
    path = tmp_path / "new-york.toml"
    path.write_text(text, encoding="utf-8")
    config, time = _hall(path, installed)
    assert time.zone == ZoneInfo("America/New_York")
    _same_time_setup(monkeypatch, time)
    clock = DeadlineClock(time, time.items)
    cases = list(_cases(time, seed=11, count=400))
    # receipts around the 2025 and 2026 changes: a skipped hour and a repeated one
    for moment in ("2025-03-09T02:30", "2025-11-02T01:30", "2026-03-08T01:59", "2026-11-01T01:00"):
        local = dt.datetime.fromisoformat(moment)
        for fold in (0, 1):
            received = local.replace(fold=fold)
            for variant in (received, received.replace(tzinfo=time.zone)):
                case = {"item": "household-move", "pauses": (), "window": None, "now": None}
                cases.append({**case, "received": variant})
    for case in cases:
        _agree(clock, config, installed, case)


def test_deadline_stays_an_immutable_value() -> None:
    received = dt.datetime(2026, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    one = Deadline("a", "b", received, received.date(), received, 5)
    same = Deadline(
        item="a",
        window="b",
        received=received,
        counted_from=received.date(),
        due=received,
        working_days=5,
        time=None,
    )
    assert one == same
    assert hash(one) == hash(same)
    assert one != one.replace(status="overdue")
    assert one.replace(status="overdue").status == "overdue"
    with pytest.raises(AttributeError):
        one.item = "c"  # type: ignore[misc]
    with pytest.raises(TypeError):
        one.replace(colour="red")
    assert repr(one).startswith("Deadline(item='a', window='b', received=")
    assert "time=" not in repr(one)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_a_service_item_object_counts_as_due_at_does(
    path: Path, installed: GovhallPluginManager
) -> None:
    """The session's deadline is the clock's method: a service item (even one changed by the
    caller, not in the config) is counted as ``deadline_on`` counts it, pauses in a list too."""
    from govhall.session import open_hall
    from govhall.time.deadlines import deadline_on

    hall = open_hall(path, manager=installed)
    assert hall.deadline == hall.clock.deadline  # no wrapper in between
    promised = [i for i in hall.config.items if i.kind == "promised"]
    if not promised:
        pytest.skip("no promised item")
    item = promised[0].model_copy(update={"promised_days": (promised[0].promised_days or 1) + 3})
    received = dt.datetime(2026, 9, 29, 16, 0)
    pauses = [(dt.date(2026, 10, 9), dt.date(2026, 10, 12))]
    now = dt.datetime(2026, 10, 20, 9, 0)
    got = hall.deadline(item, received, pauses, now=now)
    want = deadline_on(hall.time, hall.config, item, received, pauses, now=now)
    assert got == want
    assert got.working_days == item.promised_days
