"""The working calendar: State Council arrangements, 调休, config years, closures."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from govhall.time.workdays import (
    WorkCalendar,
    YearArrangement,
    closures_by_day,
    package_arrangements,
)

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(package_arrangements())


def test_national_day_2026_is_seven_rest_days_then_work(cal: WorkCalendar) -> None:
    for day in range(1, 8):
        info = cal.day(D(2026, 10, day))
        assert (info.kind, info.workday, info.name) == ("holiday", False, "National Day")
    assert cal.day(D(2026, 10, 8)).kind == "workday"
    assert cal.day(D(2026, 9, 30)).workday


def test_make_up_weekend_days_are_working_days(cal: WorkCalendar) -> None:
    saturday = cal.day(D(2026, 10, 10))
    assert (saturday.kind, saturday.workday) == ("workday", True)
    assert saturday.name == "National Day (make-up working day)"
    assert cal.is_workday(D(2026, 9, 20))  # a Sunday, 调休 for National Day
    assert cal.is_workday(D(2026, 2, 14))
    assert cal.is_workday(D(2026, 2, 28))


def test_ordinary_weekend_days_rest(cal: WorkCalendar) -> None:
    assert cal.day(D(2026, 10, 17)).kind == "saturday"
    assert cal.day(D(2026, 10, 18)).kind == "sunday"
    assert not cal.is_workday(D(2026, 10, 17))


def test_nth_workday_counts_the_make_up_saturday(cal: WorkCalendar) -> None:
    assert cal.nth_workday_after(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.nth_workday_after(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.nth_workday_after(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_zero_days_is_the_day_itself_or_the_next_workday(cal: WorkCalendar) -> None:
    assert cal.nth_workday_after(D(2026, 10, 9), 0) == D(2026, 10, 9)
    assert cal.nth_workday_after(D(2026, 10, 3), 0) == D(2026, 10, 8)


def test_pauses_are_inclusive_and_skip_working_days(cal: WorkCalendar) -> None:
    pause = [(D(2026, 10, 9), D(2026, 10, 12))]  # Fri, make-up Sat, Sun, Mon
    assert cal.nth_workday_after(D(2026, 9, 30), 5, pause) == D(2026, 10, 16)
    assert cal.count_workdays(D(2026, 9, 30), D(2026, 10, 16), pause) == 5
    assert cal.nth_workday_after(D(2026, 10, 9), 0, pause) == D(2026, 10, 13)


def test_negative_day_count_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        cal.nth_workday_after(D(2026, 1, 5), -1)


@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=120),
)
def test_count_inverts_nth(start: dt.date, n: int) -> None:
    cal = _CAL
    due = cal.nth_workday_after(start, n)
    assert cal.is_workday(due)
    assert cal.count_workdays(start, due) == n
    assert cal.count_workdays(start, due - dt.timedelta(days=1)) == n - 1


def _reference(cal: WorkCalendar, start: dt.date, n: int) -> dt.date:
    """Step day by day through ``is_workday``: the definition the table must match."""
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        left -= cal.is_workday(day)
    return day


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)),
    n=st.integers(min_value=1, max_value=366),
)
def test_running_count_table_matches_day_by_day_counting(start: dt.date, n: int) -> None:
    assert _CAL.nth_workday_after(start, n) == _reference(_CAL, start, n)


_CAL = WorkCalendar(package_arrangements())


def test_the_running_count_table_is_is_workday_day_by_day() -> None:
    """The table behind nth_workday_after agrees with is_workday on every day it covers:
    closures (one on a make-up Saturday, one on a holiday), estimated years and weekends."""
    from govhall.time.hours import _estimated_holidays
    from govhall.time.workdays import _TABLE_FIRST, _TABLE_LAST

    closures = {D(2026, 10, 10): "closed", D(2026, 10, 1): "closed", D(2031, 3, 4): "closed"}
    cal = WorkCalendar(package_arrangements(), closures, estimate=_estimated_holidays)
    table = cal._counts()
    day, count, index = _TABLE_FIRST, 0, 0
    while day <= _TABLE_LAST:
        count += cal.is_workday(day)
        assert table.cumulative[index] == count, day
        day += dt.timedelta(days=1)
        index += 1
    assert len(table.cumulative) == index
    assert len(table.work_ordinals) == count
    assert not cal.is_workday(D(2026, 10, 10))  # the closure wins over the make-up day


def test_unpublished_year_warns_and_counts_monday_to_friday(cal: WorkCalendar) -> None:
    assert not cal.covered(2027)
    assert cal.covered(2026)
    assert cal.warnings(D(2026, 12, 1), D(2026, 12, 31)) == []
    (warning,) = cal.warnings(D(2026, 12, 28), D(2027, 1, 8))
    assert "no State Council holiday arrangement for 2027" in warning
    assert "2004–2026" in warning
    assert "[[calendar.arrangements]] year = 2027" in warning
    assert cal.is_workday(D(2027, 1, 1))  # a Friday: no arrangement, so not a holiday
    assert not cal.day(D(2027, 1, 1)).covered


def test_config_arrangement_covers_a_year_and_replaces_the_package() -> None:
    arrangements = package_arrangements()
    arrangements[2027] = YearArrangement(
        2027,
        {D(2027, 1, 1): "New Year (config)"},
        {D(2027, 1, 2): "make-up (config)"},
        "config",
    )
    cal = WorkCalendar(arrangements)
    assert cal.covered(2027)
    assert cal.warnings(D(2027, 1, 1), D(2027, 12, 31)) == []
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 1, 2))  # a Saturday made a working day
    assert cal.nth_workday_after(D(2026, 12, 31), 1) == D(2027, 1, 2)


def test_closures_are_rest_days_with_their_reason() -> None:
    closures = closures_by_day([(D(2026, 11, 2), D(2026, 11, 3), "大厅搬迁")])
    cal = WorkCalendar(package_arrangements(), closures)
    info = cal.day(D(2026, 11, 3))
    assert (info.kind, info.workday, info.name) == ("closure", False, "大厅搬迁")
    assert cal.nth_workday_after(D(2026, 10, 30), 1) == D(2026, 11, 4)


def test_every_covered_date_agrees_with_the_holidays_package(cal: WorkCalendar) -> None:
    """Independent check against ``holidays.China`` (the package not chosen).

    Every year the calendar covers (2004 to the installed package's last),
    make-up working days included. No disagreement is tolerated: where the
    two differed (2005-12-31) the State Council notice decided, and govhall
    ships the correction.
    """
    years = sorted(cal.arrangements)
    assert years[0] <= 2005
    other = holidays.China(years=years)
    day, last = D(years[0], 1, 1), D(years[-1], 12, 31)
    disagreements = []
    while day <= last:
        if cal.is_workday(day) != other.is_working_day(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


def test_2005_12_31_was_a_make_up_working_day(cal: WorkCalendar) -> None:
    # 国办发明电〔2005〕35号: New Year 2006 rest 1-3 January, Saturday 31 December worked
    info = cal.day(D(2005, 12, 31))
    assert (info.kind, info.workday) == ("workday", True)
    assert "国办发明电〔2005〕35号" in (info.name or "")
    assert not cal.is_workday(D(2006, 1, 2))


def test_is_workday_takes_a_datetime_as_its_date(cal: WorkCalendar) -> None:
    holiday = dt.datetime(2026, 10, 1, 10, 0)
    assert cal.is_workday(holiday) is False
    assert cal.is_workday(holiday.replace(tzinfo=dt.UTC)) is False
    assert cal.day(holiday).kind == "holiday"
    with pytest.raises(TypeError, match="expected a date, got str"):
        cal.is_workday("2026-10-01")  # type: ignore[arg-type]


def _estimating() -> WorkCalendar:
    from govhall.time.workdays import estimated_holidays

    return WorkCalendar(package_arrangements(), estimate=estimated_holidays)


def test_an_unpublished_year_rests_on_its_statutory_holidays_estimated() -> None:
    cal = _estimating()
    year = max(cal.arrangements) + 1
    assert not cal.covered(year)
    new_year = cal.day(D(year, 1, 1))
    if new_year.kind not in ("saturday", "sunday"):
        assert (new_year.kind, new_year.workday) == ("holiday", False)
    assert "(estimated)" in (new_year.name or cal.day(D(year, 1, 3)).name or "")
    assert "estimated" in cal.warning(year)
    # National Day, 1-3 October, by law; each an estimated rest day
    for day in (1, 2, 3):
        info = cal.day(D(year, 10, day))
        assert not info.workday
        assert info.kind in ("holiday", "saturday", "sunday")
    assert sum(not cal.is_workday(D(year, 10, d)) for d in (1, 2, 3)) == 3


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2027, 1, 1), "New Year's Day"),
        (D(2027, 2, 8), "Chinese New Year (Spring Festival)"),  # 初三, a Monday
        (D(2027, 4, 5), "Tomb-Sweeping Day"),
        (D(2027, 6, 9), "Dragon Boat Festival"),
        (D(2027, 9, 15), "Mid-Autumn Festival"),
        (D(2028, 1, 26), "Chinese New Year (Spring Festival)"),
    ],
)
def test_statutory_holidays_of_2027_and_2028_are_estimated_rest_days(
    day: dt.date, name: str
) -> None:
    cal = _estimating()
    if cal.covered(day.year):
        pytest.skip(f"{day.year}'s arrangement is published in the installed package")
    info = cal.day(day)
    assert (info.kind, info.workday, info.name) == ("holiday", False, f"{name} (estimated)")


def test_years_far_from_the_covered_span_stay_monday_to_friday() -> None:
    cal = _estimating()
    far = max(cal.arrangements) + 20
    assert cal.is_workday(D(far, 10, 1)) == (D(far, 10, 1).weekday() < 5)
    assert "counted as Monday–Friday" in cal.warning(far)
