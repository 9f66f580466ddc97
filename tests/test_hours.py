"""Opening hours: Pinghu's seed hours, police duty, 错时, Sunday rota, dated schedules, hooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from govhall import County, hookimpl
from govhall.config.load import check_config_text, load_config
from govhall.config.schema import HallConfig
from govhall.errors import PluginError
from govhall.plugins import GovhallPluginManager, get_plugin_manager
from govhall.plugins.builtin import DEFAULT_HOURS_NOTE
from govhall.time.deadlines import hall_time
from govhall.time.hours import HallTime

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
D = dt.date
WEEKDAY = ((510, 690), (840, 1050))  # 08:30–11:30, 14:00–17:30
DUTY = ((540, 660), (840, 960))  # 09:00–11:00, 14:00–16:00
ALL_DAY = ((510, 1050),)  # 08:30–17:30

HALL = """
[hall]
county = "pinghu"

[[windows]]
id = "police"
name = "公安窗口"

[[windows]]
id = "social"
name = "社保窗口"

[[windows]]
id = "market"
name = "市场监管窗口"

[[windows]]
id = "tax"
name = "税务窗口"

[hours.windows.market]
staggered = true

[[hours.windows.tax.schedules]]
since = 2026-07-01
until = 2026-09-30
workday = [["08:00", "11:30"], ["14:30", "18:00"]]

[hours.rota]
anchor = 2026-10-11
cycle = [["market"], ["tax"]]
dates = { "2026-10-25" = ["social"] }
"""


def _load(text: str, manager: GovhallPluginManager) -> HallConfig:
    report = check_config_text(text, "hall.toml", manager)
    assert report.config is not None, [p.format() for p in report.problems]
    assert report.valid, [p.format() for p in report.problems]
    return report.config


@pytest.fixture
def time(manager: GovhallPluginManager) -> HallTime:
    return hall_time(_load(HALL, manager), manager)


def test_pinghu_weekday_has_the_lunch_break_except_police_and_staggered(time: HallTime) -> None:
    monday = D(2026, 10, 12)
    assert time.hours.intervals("social", monday) == WEEKDAY
    assert time.hours.intervals("police", monday) == ALL_DAY  # weekday lunch duty
    assert time.hours.intervals("market", monday) == ALL_DAY  # 错时
    lunch = dt.datetime(2026, 10, 12, 12, 0)
    assert time.hours.is_open("police", lunch)
    assert not time.hours.is_open("social", lunch)


def test_ordinary_saturday_police_duty_only(time: HallTime) -> None:
    saturday = D(2026, 10, 17)
    assert time.hours.intervals("police", saturday) == DUTY
    for window in ("social", "market", "tax"):
        assert time.hours.intervals(window, saturday) == ()


def test_national_day_police_holiday_duty_only(time: HallTime) -> None:
    for day in range(1, 8):
        holiday = D(2026, 10, day)
        assert time.hours.intervals("police", holiday) == DUTY
        assert time.hours.intervals("social", holiday) == ()


def test_make_up_saturday_follows_weekday_hours(time: HallTime) -> None:
    saturday = D(2026, 10, 10)
    assert time.hours.intervals("social", saturday) == WEEKDAY
    assert time.hours.intervals("police", saturday) == ALL_DAY


def test_sunday_rota_cycle_and_explicit_dates(time: HallTime) -> None:
    assert time.hours.rota_windows(D(2026, 10, 11)) == ["market"]
    assert time.hours.rota_windows(D(2026, 10, 18)) == ["tax"]
    assert time.hours.rota_windows(D(2026, 10, 25)) == ["social"]  # explicit date
    assert time.hours.rota_windows(D(2026, 11, 1)) == ["tax"]
    assert time.hours.rota_windows(D(2026, 10, 12)) == []  # not a Sunday
    assert time.hours.intervals("market", D(2026, 10, 11)) == DUTY
    assert time.hours.intervals("tax", D(2026, 10, 11)) == ()
    assert time.hours.intervals("police", D(2026, 10, 11)) == DUTY  # police every Sunday


def test_windows_sharing_the_halls_hours_share_their_answers_and_no_other_does(
    manager: GovhallPluginManager,
) -> None:
    """Windows without hours of their own or a rota duty are worked out once a day for all;
    asked in any order, every window gets what it would get on its own."""
    text = HALL.replace(
        '[[windows]]\nid = "tax"',
        '[[windows]]\nid = "records"\nname = "档案窗口"\n\n[[windows]]\nid = "tax"',
    )
    config = _load(text, manager)
    windows = [w.id for w in config.windows]
    assert "records" in windows
    days = [D(2026, 6, 20) + dt.timedelta(days=n) for n in range(150)]
    alone = {}
    for window in windows:
        fresh = hall_time(config, manager).hours
        alone[window] = [fresh.intervals(window, day) for day in days]
    for order in (windows, windows[::-1]):
        hours = hall_time(config, manager).hours
        for day_index, day in enumerate(days):
            for window in order:
                assert hours.intervals(window, day) == alone[window][day_index], (window, day)
    apart = [d for d, a, b in zip(days, alone["records"], alone["social"], strict=True) if a != b]
    assert apart == [D(2026, 10, 25)]  # social's rota Sunday
    assert alone["market"] != alone["records"] != alone["police"]


def test_schedule_changes_from_a_date(time: HallTime) -> None:
    summer = ((480, 690), (870, 1080))
    assert time.hours.intervals("tax", D(2026, 6, 30)) == WEEKDAY
    assert time.hours.intervals("tax", D(2026, 7, 1)) == summer
    assert time.hours.intervals("tax", D(2026, 9, 30)) == summer
    assert time.hours.intervals("tax", D(2026, 10, 8)) == WEEKDAY


def test_next_open_skips_lunch_rest_days_and_holidays(time: HallTime) -> None:
    at = dt.datetime
    assert time.hours.next_open("social", at(2026, 10, 12, 12, 0)) == at(2026, 10, 12, 14, 0)
    assert time.hours.next_open("social", at(2026, 9, 30, 18, 0)) == at(2026, 10, 8, 8, 30)
    assert time.hours.next_open("police", at(2026, 10, 3, 11, 30)) == at(2026, 10, 3, 14, 0)
    assert time.hours.next_open("social", at(2026, 10, 9, 17, 45)) == at(2026, 10, 10, 8, 30)


def test_config_overrides_the_plugin_hours(manager: GovhallPluginManager) -> None:
    text = HALL + '\n[[hours.schedules]]\nsince = 2026-11-01\nworkday = [["09:00", "17:00"]]\n'
    time = hall_time(_load(text, manager), manager)
    assert time.hours.intervals("social", D(2026, 10, 30)) == WEEKDAY
    assert time.hours.intervals("social", D(2026, 11, 2)) == ((540, 1020),)
    # the police window's own Saturday duty survives the hall-wide replacement
    assert time.hours.intervals("police", D(2026, 11, 7)) == DUTY


def test_config_closure_is_a_rest_day_with_holiday_duty(manager: GovhallPluginManager) -> None:
    text = HALL + '\n[[calendar.closures]]\ndate = 2026-11-02\nreason = "大厅搬迁"\n'
    time = hall_time(_load(text, manager), manager)
    assert not time.calendar.is_workday(D(2026, 11, 2))
    assert time.hours.intervals("social", D(2026, 11, 2)) == ()
    assert time.hours.intervals("police", D(2026, 11, 2)) == DUTY


def test_the_shipped_pinghu_config_uses_the_seed_hours(manager: GovhallPluginManager) -> None:
    config = load_config(CONFIGS / "pinghu.toml", manager)
    time = hall_time(config, manager)
    assert time.hours.intervals("police", D(2026, 10, 17)) == DUTY
    assert time.note is not None
    assert "《平湖行政服务中心窗口服务电话表》" in time.note


# -- hooks ----------------------------------------------------------------------
def _county_plugin(**hooks: Any) -> SimpleNamespace:
    @hookimpl
    def govhall_county() -> County:
        return County(id="testcounty", name="测试中心")

    return SimpleNamespace(govhall_county=govhall_county, **hooks)


TEST_HALL = """
[hall]
id = "t"
name = "测试中心"
county = "testcounty"

[[windows]]
id = "w"
name = "窗口"
"""


def _manager_with(plugin: SimpleNamespace) -> GovhallPluginManager:
    manager = get_plugin_manager(load_entry_points=False, plugins=[("testcounty", plugin)])
    assert manager.load_errors == []
    return manager


def test_builtin_default_hours_are_a_stated_assumption() -> None:
    manager = _manager_with(_county_plugin())
    time = hall_time(_load(TEST_HALL, manager), manager)
    assert time.note == DEFAULT_HOURS_NOTE
    assert "assumption" in DEFAULT_HOURS_NOTE
    assert time.hours.intervals("w", D(2026, 10, 12)) == ((540, 720), (840, 1020))
    assert time.hours.intervals("w", D(2026, 10, 17)) == ()


def test_govhall_opening_hours_and_govhall_duty_rota_from_a_county_plugin() -> None:
    @hookimpl
    def govhall_opening_hours(county: str) -> dict[str, Any]:
        assert county == "testcounty"
        return {"note": "test hours", "schedules": [{"workday": [["08:00", "16:00"]]}]}

    @hookimpl
    def govhall_duty_rota(county: str) -> dict[str, Any]:
        return {"intervals": [["10:00", "12:00"]], "anchor": D(2026, 10, 11), "cycle": [["w"]]}

    plugin = _county_plugin(
        govhall_opening_hours=govhall_opening_hours, govhall_duty_rota=govhall_duty_rota
    )
    manager = _manager_with(plugin)
    time = hall_time(_load(TEST_HALL, manager), manager)
    assert time.note == "test hours"
    assert time.hours.intervals("w", D(2026, 10, 12)) == ((480, 960),)
    assert time.hours.intervals("w", D(2026, 10, 18)) == ((600, 720),)


def test_govhall_extra_closures_from_a_county_plugin() -> None:
    @hookimpl
    def govhall_extra_closures(county: str) -> list[dict[str, Any]]:
        return [{"date": D(2026, 10, 12), "until": D(2026, 10, 13), "reason": "停电"}]

    manager = _manager_with(_county_plugin(govhall_extra_closures=govhall_extra_closures))
    time = hall_time(_load(TEST_HALL, manager), manager)
    assert time.calendar.day(D(2026, 10, 13)).name == "停电"
    assert time.calendar.nth_workday_after(D(2026, 10, 9), 2) == D(2026, 10, 14)


def test_a_bad_plugin_answer_names_plugin_and_hook() -> None:
    @hookimpl
    def govhall_opening_hours(county: str) -> dict[str, Any]:
        return {"schedules": [{"workday": [["17:00", "08:00"]]}]}

    manager = _manager_with(_county_plugin(govhall_opening_hours=govhall_opening_hours))
    # validate builds the hall's time too, so the config check already names the hook
    report = check_config_text(TEST_HALL, "hall.toml", manager)
    errors = [p.message for p in report.problems if p.severity == "error"]
    assert any("'testcounty', hook govhall_opening_hours" in message for message in errors)
    assert report.config is not None
    with pytest.raises(PluginError, match=r"'testcounty', hook govhall_opening_hours"):
        hall_time(report.config, manager)


# -- config errors ------------------------------------------------------------
@pytest.mark.parametrize(
    ("snippet", "key", "line", "message"),
    [
        (
            '[[hours.schedules]]\nworkday = [["17:30", "08:30"]]\n',
            "hours.schedules[0].workday[0]",
            2,
            "must start before it ends",
        ),
        ('[[hours.schedules]]\nworkday = [["8:30", "11:30"]]\n', "hours.schedules[0]", 2, "HH"),
        (
            "[hours.windows.nobody]\nstaggered = true\n",
            "hours.windows.nobody",
            1,
            "no window with id 'nobody'",
        ),
        (
            '[hours.windows."tax.2"]\nstaggered = true\n',
            'hours.windows."tax.2"',
            1,
            "no window with id 'tax.2'",
        ),
        ("[calendar]\nclosure = []\n", "calendar.closure", 2, "did you mean 'closures'"),
    ],
)
def test_config_errors_name_line_and_key(
    manager: GovhallPluginManager, snippet: str, key: str, line: int, message: str
) -> None:
    report = check_config_text(TEST_HALL_PINGHU + snippet, "hall.toml", manager)
    assert not report.valid
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert problem.key.startswith(key)
    assert problem.line == TEST_HALL_PINGHU.count("\n") + line  # line within the snippet
    assert message in problem.message


TEST_HALL_PINGHU = HALL.split("[hours.windows.market]")[0]
