"""Dated parameters: values as of a date, missing numbers, overrides on a copy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govhall.params import (
    DatedValue,
    MissingValue,
    Parameter,
    ParameterError,
    ParameterSet,
    parameter_set,
)

D = dt.date


def _param(*values: tuple[dt.date, int | None], name: str = "window.x.points") -> Parameter:
    return Parameter(
        name,
        tuple(
            DatedValue(start, None if v is None else Decimal(v), f"src {start}")
            for start, v in values
        ),
    )


def test_value_as_of_a_date_is_the_latest_started() -> None:
    p = _param((D(2000, 1, 1), 5), (D(2011, 1, 1), 3))
    assert p.at(D(2010, 12, 31)) == 5
    assert p.at(D(2011, 1, 1)) == 3
    assert p.at(D(2030, 6, 1)) == 3
    assert p.entry(D(2005, 1, 1)).source == "src 2000-01-01"


def test_values_are_ordered_whatever_the_input_order() -> None:
    p = _param((D(2011, 1, 1), 3), (D(2000, 1, 1), 5))
    assert [v.start for v in p.values] == [D(2000, 1, 1), D(2011, 1, 1)]


def test_before_the_first_value_is_an_error_naming_the_date() -> None:
    p = _param((D(2000, 1, 1), 5))
    with pytest.raises(ParameterError, match=r"not in force on 1999-12-31 .*2000-01-01"):
        p.at(D(1999, 12, 31))


def test_missing_value_names_the_config_key() -> None:
    p = _param((D(2000, 1, 1), None))
    with pytest.raises(MissingValue) as caught:
        p.at(D(2010, 5, 1))
    assert caught.value.name == "window.x.points"
    assert '[scoring.parameters] as "window.x.points"' in str(caught.value)
    assert p.missing_at(D(2010, 5, 1))
    assert not p.missing_at(D(1990, 1, 1))


def test_two_values_on_one_day_are_an_error() -> None:
    with pytest.raises(ParameterError, match="two values starting the same day"):
        _param((D(2000, 1, 1), 1), (D(2000, 1, 1), 2))


def test_parameter_set_rejects_duplicate_names() -> None:
    with pytest.raises(ParameterError, match="defined twice"):
        parameter_set([_param((D(2000, 1, 1), 1)), _param((D(2000, 1, 1), 2))])


def _base() -> ParameterSet:
    return parameter_set([_param((D(2000, 1, 1), 5), (D(2011, 1, 1), 4))])


def test_scalar_override_replaces_history_on_a_copy() -> None:
    base = _base()
    changed = base.with_overrides({"window.x.points": 2}, "config")
    assert changed.at("window.x.points", D(2005, 1, 1)) == 2
    assert changed.at("window.x.points", D(2015, 1, 1)) == 2
    assert changed.get("window.x.points").values[0].source == "config"
    # the baseline is untouched (OpenFisca Reform)
    assert base.at("window.x.points", D(2005, 1, 1)) == 5
    assert base.at("window.x.points", D(2015, 1, 1)) == 4


def test_dated_override_adds_and_replaces_by_start() -> None:
    changed = _base().with_overrides(
        {
            "window.x.points": [
                {"since": D(2011, 1, 1), "value": 3, "source": "notice A"},
                {"since": D(2020, 1, 1), "value": 1.5},
            ]
        },
        "config",
    )
    p = changed.get("window.x.points")
    assert [(v.start, v.value, v.source) for v in p.values] == [
        (D(2000, 1, 1), Decimal(5), "src 2000-01-01"),
        (D(2011, 1, 1), Decimal(3), "notice A"),
        (D(2020, 1, 1), Decimal("1.5"), "config"),
    ]


def test_dated_override_without_value_declares_it_missing() -> None:
    changed = _base().with_overrides({"window.x.points": [{"since": D(2012, 1, 1)}]}, "c")
    assert [p.name for p in changed.missing(D(2012, 6, 1))] == ["window.x.points"]
    assert changed.missing(D(2011, 6, 1)) == []


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"window.nope": 1}, "no parameter named 'window.nope' to override"),
        ({"window.x.points": "many"}, "expected a number"),
        ({"window.x.points": True}, "expected a number, got bool"),
        ({"window.x.points": [{"value": 1}]}, "`since` must be a TOML date"),
        ({"window.x.points": [{"since": D(2012, 1, 1), "when": 1}]}, "unknown key"),
        ({"window.x.points": [3]}, "expected a table with `since` and `value`"),
        ({"window.x.points": float("inf")}, "expected a finite number"),
    ],
)
def test_malformed_override_is_an_error(override: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        _base().with_overrides(override, "config")


@given(
    st.dictionaries(
        st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)),
        st.integers(min_value=0, max_value=50),
        min_size=1,
        max_size=8,
    ),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2031, 12, 31)),
)
def test_as_of_is_the_value_with_the_latest_start_not_after_the_date(
    values: dict[dt.date, int], when: dt.date
) -> None:
    p = _param(*values.items())
    started = [start for start in values if start <= when]
    if not started:
        with pytest.raises(ParameterError):
            p.at(when)
    else:
        assert p.at(when) == values[max(started)]
