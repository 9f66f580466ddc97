"""Deadlines: the counting rule (docs/time.md), pauses, after-hours receipt, progress, batch API."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from govhall import County, hookimpl
from govhall.config.load import check_config_text
from govhall.config.schema import HallConfig
from govhall.errors import GovhallError, LookupFailed
from govhall.model import ServiceItem
from govhall.plugins import GovhallPluginManager, get_plugin_manager
from govhall.records import Pause
from govhall.time.deadlines import (
    DeadlineInputError,
    DeadlineRule,
    business_minutes,
    due_at,
    hall_time,
)
from govhall.time.deadlines_batch import business_minutes_batch, due_batch

D = dt.date
T = dt.datetime
SHANGHAI = ZoneInfo("Asia/Shanghai")

HALL = """
[hall]
county = "pinghu"

[[windows]]
id = "police"
name = "公安窗口"

[[windows]]
id = "social"
name = "社保窗口"

[[items]]
id = "pension"
name = "养老保险关系转移"
window = "social"
kind = "promised"
promised_days = 5

[[items]]
id = "certificate"
name = "证明"
window = "social"
kind = "immediate"

[[items]]
id = "id-card"
name = "身份证"
window = "police"
kind = "promised"
promised_days = 20
"""


def _load(text: str, manager: GovhallPluginManager) -> HallConfig:
    report = check_config_text(text, "hall.toml", manager)
    assert report.valid, [p.format() for p in report.problems]
    assert report.config is not None
    return report.config


@pytest.fixture
def config(manager: GovhallPluginManager) -> HallConfig:
    return _load(HALL, manager)


def test_worked_example_national_day_then_make_up_saturday(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    deadline = due_at(config, "pension", T(2026, 9, 30, 10, 0), manager=manager)
    assert deadline.due.isoformat() == "2026-10-13T17:30:00+08:00"
    assert deadline.working_days == 5
    assert deadline.counted_from == D(2026, 9, 30)
    assert deadline.warnings == ()
    assert deadline.explanation == (
        "5 working days after 2026-09-30 (not counted): "
        "2026-10-08, 2026-10-09, 2026-10-10, 2026-10-12, 2026-10-13",
    )


def test_immediate_case_is_due_at_closing_the_same_day(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    deadline = due_at(config, "certificate", T(2026, 10, 12, 9, 0), manager=manager)
    assert deadline.due == T(2026, 10, 12, 17, 30, tzinfo=SHANGHAI)
    assert deadline.working_days == 0


@pytest.mark.parametrize(
    ("received", "counted_from", "due"),
    [
        (T(2026, 9, 30, 17, 29), D(2026, 9, 30), T(2026, 10, 13, 17, 30)),
        (T(2026, 9, 30, 17, 30), D(2026, 10, 8), T(2026, 10, 14, 17, 30)),  # at closing
        (T(2026, 9, 30, 19, 0), D(2026, 10, 8), T(2026, 10, 14, 17, 30)),  # after hours
        (T(2026, 9, 30, 7, 0), D(2026, 9, 30), T(2026, 10, 13, 17, 30)),  # before opening
        (T(2026, 9, 30, 12, 30), D(2026, 9, 30), T(2026, 10, 13, 17, 30)),  # lunch break
        (T(2026, 10, 3, 10, 0), D(2026, 10, 8), T(2026, 10, 14, 17, 30)),  # holiday
        (T(2026, 10, 17, 10, 0), D(2026, 10, 19), T(2026, 10, 26, 17, 30)),  # Saturday
        (T(2026, 10, 10, 10, 0), D(2026, 10, 10), T(2026, 10, 16, 17, 30)),  # make-up Sat
    ],
)
def test_receipt_time_decides_the_uncounted_day(
    config: HallConfig,
    manager: GovhallPluginManager,
    received: dt.datetime,
    counted_from: dt.date,
    due: dt.datetime,
) -> None:
    deadline = due_at(config, "pension", received, manager=manager)
    assert deadline.counted_from == counted_from
    assert deadline.due == due.replace(tzinfo=SHANGHAI)


def test_immediate_case_received_on_a_rest_day_is_due_next_working_day(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    deadline = due_at(config, "certificate", T(2026, 10, 17, 10, 0), manager=manager)
    assert deadline.due == T(2026, 10, 19, 17, 30, tzinfo=SHANGHAI)


def test_police_case_received_at_saturday_duty_counts_from_monday(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    deadline = due_at(config, "id-card", T(2026, 10, 17, 10, 0), manager=manager)
    assert deadline.counted_from == D(2026, 10, 19)
    assert deadline.due == T(2026, 11, 16, 17, 30, tzinfo=SHANGHAI)


def test_pauses_stop_the_clock_both_ends_included(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    received = T(2026, 9, 30, 10, 0)
    one_day = due_at(
        config, "pension", received, [(D(2026, 10, 9), D(2026, 10, 9))], manager=manager
    )
    assert one_day.due.date() == D(2026, 10, 14)
    records = [Pause(D(2026, 10, 9), D(2026, 10, 12)), Pause(D(2026, 10, 14), D(2026, 10, 14))]
    two = due_at(config, "pension", received, records, manager=manager)
    assert two.due.date() == D(2026, 10, 19)  # skips 9, 10, 12 and 14 October
    assert two.pauses == ((D(2026, 10, 9), D(2026, 10, 12)), (D(2026, 10, 14), D(2026, 10, 14)))
    rest_days_only = due_at(
        config, "pension", received, [(D(2026, 10, 1), D(2026, 10, 7))], manager=manager
    )
    assert rest_days_only.due.date() == D(2026, 10, 13)


def test_a_pause_ending_before_it_starts_is_refused(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    with pytest.raises(DeadlineInputError, match="ends before it starts"):
        due_at(
            config, "pension", T(2026, 9, 30), [(D(2026, 10, 9), D(2026, 10, 8))], manager=manager
        )


def test_unknown_item_or_window_is_a_lookup_error(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    with pytest.raises(LookupFailed, match="no item with id 'nope'"):
        due_at(config, "nope", T(2026, 9, 30), manager=manager)
    with pytest.raises(LookupFailed, match="no window with id 'nowhere'"):
        due_at(config, "pension", T(2026, 9, 30), window="nowhere", manager=manager)


def test_aware_receipt_is_converted_to_hall_time(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    utc = T(2026, 9, 30, 9, 45, tzinfo=dt.UTC)  # 17:45 in Pinghu: after hours
    deadline = due_at(config, "pension", utc, manager=manager)
    assert deadline.received.isoformat() == "2026-09-30T17:45:00+08:00"
    assert deadline.counted_from == D(2026, 10, 8)


def test_an_unpublished_year_warns_and_config_supplies_it(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    guessed = due_at(config, "pension", T(2026, 12, 28, 10, 0), manager=manager)
    # 1 January 2027 is a statutory holiday: estimated as a rest day until published
    assert guessed.due.date() == D(2027, 1, 5)
    (warning,) = guessed.warnings
    assert "2027" in warning
    assert "2027 estimated" in warning
    arrangement = (
        "\n[[calendar.arrangements]]\nyear = 2027\nholidays = [2027-01-01, 2027-01-02, "
        '2027-01-03]\nworkdays = []\nsource = "test"\n'
    )
    known = _load(HALL + arrangement, manager)
    settled = due_at(known, "pension", T(2026, 12, 28, 10, 0), manager=manager)
    assert settled.due.date() == D(2027, 1, 5)
    assert settled.warnings == ()


def test_progress_elapsed_remaining_and_status(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    received = T(2026, 9, 30, 10, 0)  # due 2026-10-13 17:30 at the social window

    def at(now: dt.datetime):  # type: ignore[no-untyped-def]
        return due_at(config, "pension", received, manager=manager, now=now)

    early = at(T(2026, 10, 8, 9, 0))
    assert (early.status, early.elapsed_minutes) == ("on_track", 90 + 210 + 30)
    assert early.remaining_minutes == 390 * 4 + 360  # rest of 8 Oct, then 9, 10, 12, 13
    soon = at(T(2026, 10, 12, 12, 0))
    assert soon.status == "due_soon"
    assert soon.remaining_minutes == 210 + 390
    late = at(T(2026, 10, 14, 9, 0))
    assert late.status == "overdue"
    assert late.remaining_minutes == -30


def test_govhall_deadline_rule_from_a_county_plugin_and_config_override() -> None:
    @hookimpl
    def govhall_county() -> County:
        return County(id="daycount", name="测试中心")

    @hookimpl
    def govhall_deadline_rule(county: str) -> DeadlineRule:
        return DeadlineRule(count_receipt_day=True)

    plugin = SimpleNamespace(
        govhall_county=govhall_county, govhall_deadline_rule=govhall_deadline_rule
    )
    manager = get_plugin_manager(load_entry_points=False, plugins=[("daycount", plugin)])
    text = HALL.replace('county = "pinghu"', 'id = "d"\nname = "测试"\ncounty = "daycount"')
    config = _load(text, manager)
    assert hall_time(config, manager).rule == DeadlineRule(count_receipt_day=True)
    counted = due_at(config, "pension", T(2026, 9, 30, 10, 0), manager=manager)
    assert counted.due.date() == D(2026, 10, 12)  # 30 Sep is day 1
    override = _load(text + "\n[deadlines]\ncount_receipt_day = false\n", manager)
    assert due_at(override, "pension", T(2026, 9, 30, 10), manager=manager).due.date() == D(
        2026, 10, 13
    )


# -- batch ------------------------------------------------------------------------
def _random_cases(
    seed: int, count: int
) -> list[tuple[dt.datetime, int, tuple[dt.date, dt.date] | None]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        received = T(2020, 1, 1) + dt.timedelta(minutes=rng.randrange(7 * 365 * 1440))
        days = rng.choice([0, 1, 3, 5, 20, 60])
        pause = None
        if rng.random() < 0.4:
            start = received.date() + dt.timedelta(days=rng.randrange(-3, 30))
            pause = (start, start + dt.timedelta(days=rng.randrange(10)))
        cases.append((received, days, pause))
    return cases


@pytest.mark.parametrize("window", ["social", "police"])
def test_batch_agrees_with_scalar(
    config: HallConfig, manager: GovhallPluginManager, window: str
) -> None:
    cases = _random_cases(7, 1500)
    received = np.array([c[0] for c in cases], dtype="datetime64[m]")
    days = np.array([c[1] for c in cases])
    starts = np.array([c[2][0] if c[2] else None for c in cases], dtype="datetime64[D]")
    ends = np.array([c[2][1] if c[2] else None for c in cases], dtype="datetime64[D]")
    batch = due_batch(
        config, received, days, window=window, manager=manager, pause_start=starts, pause_end=ends
    )
    for index, (moment, limit, pause) in enumerate(cases):
        kind = "promised" if limit else "immediate"
        item = ServiceItem(id="x", name="x", window=window, kind=kind, promised_days=limit or None)
        scalar = due_at(config, item, moment, [pause] if pause else [], manager=manager)
        assert batch.due[index] == np.datetime64(scalar.due.replace(tzinfo=None), "m"), index
        assert batch.counted_from[index] == np.datetime64(scalar.counted_from, "D")
    assert any("2027" in warning for warning in batch.warnings)


def test_batch_worked_example_and_bad_input(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    received = np.array(["2026-09-30T10:00", "2026-10-03T10:00"], dtype="datetime64[m]")
    batch = due_batch(config, received, 5, window="social", manager=manager)
    assert batch.due.tolist() == [T(2026, 10, 13, 17, 30), T(2026, 10, 14, 17, 30)]
    assert batch.warnings == ()
    with pytest.raises(GovhallError, match="expected datetime64"):
        due_batch(config, np.array([1, 2]), 5, window="social", manager=manager)
    with pytest.raises(GovhallError, match="NaT"):
        due_batch(config, np.array(["NaT"], "datetime64[m]"), 5, window="social", manager=manager)
    with pytest.raises(LookupFailed):
        due_batch(config, received, 5, window="nowhere", manager=manager)


def test_business_minutes_batch_agrees_with_scalar(
    config: HallConfig, manager: GovhallPluginManager
) -> None:
    rng = random.Random(3)
    starts = [
        T(2025, 1, 1) + dt.timedelta(minutes=rng.randrange(2 * 365 * 1440)) for _ in range(800)
    ]
    ends = [s + dt.timedelta(minutes=rng.randrange(-4000, 30000)) for s in starts]
    time = hall_time(config, manager)
    for window in ("social", "police"):
        batch = business_minutes_batch(
            config,
            np.array(starts, "datetime64[m]"),
            np.array(ends, "datetime64[m]"),
            window=window,
            manager=manager,
        )
        expected = [business_minutes(time, window, a, b) for a, b in zip(starts, ends, strict=True)]
        assert batch.tolist() == expected


def test_business_minutes_split_shift(config: HallConfig, manager: GovhallPluginManager) -> None:
    time = hall_time(config, manager)
    # Friday 9 Oct 11:00 to make-up Saturday 10 Oct 15:00 at the social window
    assert business_minutes(time, "social", T(2026, 10, 9, 11), T(2026, 10, 10, 15)) == (
        30 + 210 + 180 + 60
    )
    assert business_minutes(time, "social", T(2026, 10, 10, 15), T(2026, 10, 9, 11)) == -480


def test_day_tables_are_kept_with_their_hall_time_setup(manager: GovhallPluginManager) -> None:
    from pathlib import Path

    from govhall.config.load import load_config
    from govhall.time.deadlines import hall_time
    from govhall.time.deadlines_batch import day_table

    config = load_config(
        Path(__file__).resolve().parent.parent / "configs" / "pinghu.toml", manager
    )
    time = hall_time(config, manager)
    first = dt.date(2026, 10, 1)
    table = day_table(time, "tax", first, 30)
    assert day_table(time, "tax", first, 30) is table  # reused from the same setup
    other = hall_time(config, manager)  # a new setup (e.g. after a plugin changed) starts empty
    fresh = day_table(other, "tax", first, 30)
    assert fresh is not table
    assert (fresh.close == table.close).all()
