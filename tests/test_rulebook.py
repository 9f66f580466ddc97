"""Reference rulebooks from the county assessment rules, their checks, and a hall's overrides."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal
from typing import Any

import pytest

from govhall import hookimpl
from govhall.assessment.rulebook import (
    RulebookError,
    check_hall_rulebooks,
    hall_rulebooks,
    hall_weights,
    load_rulebook_text,
    reference_rulebook,
)
from govhall.config.load import check_config_text, load_config
from govhall.params import ParameterError
from govhall.plugins import GovhallPluginManager, get_plugin_manager

WHEN = dt.date(2010, 10, 1)
MISSING = [
    "staff.attendance.late-early.points",
    "staff.meetings.training-late.points",
    "window.results.completion.points",
]

HALL = """
[hall]
county = "pinghu"
"""


def test_window_rulebook_restates_seed_part_one() -> None:
    book = reference_rulebook("window")
    assert (book.value("base", WHEN), book.value("maximum", WHEN)) == (100, 110)
    allotments = {
        c.id.split(".")[1]: book.parameters.at(f"{c.id}.allotment", WHEN)
        for c in book.categories
        if c.allotment
    }
    # 《县行政服务中心窗口服务考核实施细则》一.1-7: 20, 15, 10, 15, 15, 3, 2; item 8 (evaluation)
    # has none
    assert allotments == {
        "attendance": 20,
        "intake": 15,
        "fees": 10,
        "time-limit": 15,
        "results": 15,
        "archives": 3,
        "cleanliness": 2,
    }
    assert [c.id for c in book.categories][-1] == "window.evaluation"
    assert book.allotment_total(WHEN) == 80
    assert book.value("time-limit.overdue.points", WHEN) == 5
    assert book.value("fees.unauthorised-fee.points", WHEN) == 5
    assert book.value("attendance.absent-half-day.points", WHEN) == 3
    assert (
        book.value("intake.negligence.min", WHEN),
        book.value("intake.negligence.max", WHEN),
    ) == (3, 5)
    overall = {b: book.value(f"evaluation.overall.{b}", WHEN) for b in ("good", "fairly_good")}
    assert overall == {"good": 2, "fairly_good": 1}
    assert book.value("evaluation.overall.average", WHEN) == 0
    assert book.value("evaluation.overall.poor", WHEN) == -2
    assert book.value("evaluation.media-province.points", WHEN) == 5
    assert book.rule("window.evaluation.media-city").effect == "add"


def test_staff_rulebook_restates_seed_part_two() -> None:
    book = reference_rulebook("staff")
    assert (book.value("base", WHEN), book.value("maximum", WHEN)) == (100, 110)
    assert book.allotment_total(WHEN) == 100
    assert book.allotment_total(WHEN, "staff.duty") == 20  # 7 + 7 + 6
    assert book.allotment_total(WHEN, "staff.results") == 40  # 15 + 15 + 10
    assert book.value("other.limit", WHEN) == 10
    assert book.value("completion.shortfall.points", WHEN) == 1
    assert book.value("skills.overdue.points", WHEN) == 5
    assert book.category_of(book.rule("staff.meetings.review-absent")).group == "staff.duty"


def test_check_lists_every_missing_seed_number_and_the_80_not_100() -> None:
    problems = reference_rulebook("window").check() + reference_rulebook("staff").check()
    assert all(p.severity == "warning" for p in problems)
    named = sorted(name for name in MISSING if any(f'"{name}"' in p.message for p in problems))
    assert named == MISSING
    assert [p.message for p in problems if "add up to" in p.message] == [
        "rulebook 'window' (《县行政服务中心窗口服务考核实施细则》一): "
        "the category allotments add up to 80, "
        "not the "
        "base 100; the score still starts from 100"
    ]
    assert len(problems) == 4


def test_supplying_the_number_clears_its_warning_on_a_copy() -> None:
    base = reference_rulebook("window")
    filled = base.with_overrides({"window.results.completion.points": 1}, "config")
    assert filled.value("results.completion.points", WHEN) == 1
    assert not any("completion" in p.message for p in filled.check())
    assert any("completion" in p.message for p in base.check())


def test_override_for_another_rulebook_is_ignored_by_this_one() -> None:
    book = reference_rulebook("window")
    assert book.with_overrides({"staff.other.limit": 5}, "c") is book


def test_unknown_reference_rulebook() -> None:
    with pytest.raises(
        RulebookError, match=r"no reference rulebook 'county' \(known: staff, window"
    ):
        reference_rulebook("county")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rulebook]\nid = 1", "rulebook.id: expected a non-empty string"),
        ("x = [", "TOML syntax"),
        (
            '[rulebook]\nid="w"\nname="n"\nsubject="hall"\neffective=2000-01-01\nsource="s"\n'
            "base=100\nmaximum=110",
            "rulebook.subject: expected 'window' or 'staff'",
        ),
        (
            '[rulebook]\nid="w"\nname="n"\nsubject="window"\neffective=2000-01-01\nsource="s"\n'
            'base=100\nmaximum=110\n[[categories]]\nid="a"\nname="A"\nsource="s"\n'
            '[[categories.rules]]\nid="r"\nname="R"\nkind="sometimes"\nsource="s"\npoints=1',
            r"categories\[0\].rules\[0\].kind: expected one of occurrence",
        ),
        (
            '[rulebook]\nid="w"\nname="n"\nsubject="window"\neffective=2000-01-01\nsource="s"\n'
            'base=100\nmaximum=110\n[[categories]]\nid="a"\nname="A"\nsource="s"\n'
            '[[categories.rules]]\nid="r"\nname="R"\nkind="range"\nsource="s"\nmin=1',
            "missing key 'max'",
        ),
    ],
)
def test_malformed_rulebook_names_the_key(text: str, message: str) -> None:
    with pytest.raises(RulebookError, match=message):
        load_rulebook_text(text, "test.toml")


# -- a hall's rulebooks: built-in, plugin, config --------------------------------


def _manager_with(**hooks: Any) -> GovhallPluginManager:
    import govhall_pinghu

    # county hooks are answered by the county's own plugin: a Pinghu plugin with these hooks
    own = {name: getattr(govhall_pinghu, name) for name in dir(govhall_pinghu)}
    own = {name: impl for name, impl in own.items() if name.startswith("govhall_")}
    own.update({name: hookimpl(fn) for name, fn in hooks.items()})
    return get_plugin_manager(
        load_entry_points=False, plugins=[("pinghu", types.SimpleNamespace(**own))]
    )


def test_plugin_overrides_then_config_overrides(tmp_path: Any) -> None:
    def govhall_rulebook_overrides(county: str) -> dict[str, Any]:
        return {
            "window.time-limit.overdue.points": [{"since": dt.date(2012, 1, 1), "value": 4}],
            "window.fees.unauthorised-fee.points": 6,
        }

    manager = _manager_with(govhall_rulebook_overrides=govhall_rulebook_overrides)
    path = tmp_path / "hall.toml"
    path.write_text(HALL + '[scoring.parameters]\n"window.fees.unauthorised-fee.points" = 7\n')
    config = load_config(path, manager)
    book = hall_rulebooks(config, manager)["window"]
    assert book.value("time-limit.overdue.points", dt.date(2011, 12, 1)) == 5  # seed
    assert book.value("time-limit.overdue.points", dt.date(2012, 1, 1)) == 4  # plugin
    assert book.value("fees.unauthorised-fee.points", WHEN) == 7  # config wins
    fee = book.parameters.get("window.fees.unauthorised-fee.points").values[0]
    assert fee.source == "config pinghu"
    assert reference_rulebook("window").value("fees.unauthorised-fee.points", WHEN) == 5


def test_plugin_override_with_an_unknown_rulebook_is_an_error(manager: Any) -> None:
    def govhall_rulebook_overrides(county: str) -> dict[str, Any]:
        return {"hall.base": 90}

    plugged = _manager_with(govhall_rulebook_overrides=govhall_rulebook_overrides)
    config = check_config_text(HALL, "h.toml", plugged).config
    assert config is not None
    with pytest.raises(ParameterError, match=r"plugin pinghu: no parameter named 'hall\.base'"):
        hall_rulebooks(config, plugged)


def test_weights_from_plugin_unless_config_sets_them() -> None:
    def govhall_scoring_weights(county: str) -> dict[str, float]:
        return {"inspection": 0.5, "citizens": 0.5}

    manager = _manager_with(govhall_scoring_weights=govhall_scoring_weights)
    config = check_config_text(HALL, "h.toml", manager).config
    assert config is not None
    assert hall_weights(config, manager) == {
        "inspection": Decimal("0.5"),
        "citizens": Decimal("0.5"),
    }
    own = check_config_text(HALL + "[scoring.weights]\nmanagers = 1.0\n", "h.toml", manager).config
    assert own is not None
    assert hall_weights(own, manager) == {"managers": Decimal("1.0")}


def test_no_weights_anywhere_means_rulebook_score_alone(manager: GovhallPluginManager) -> None:
    config = check_config_text(HALL, "h.toml", manager).config
    assert config is not None
    assert hall_weights(config, manager) is None


def test_hall_checks_name_the_bad_config_key(manager: GovhallPluginManager) -> None:
    text = (
        HALL + '[scoring.parameters]\n"window.nope" = 1\n'
        '"window.fees.unauthorised-fee.points" = [{ since = 2010-01-01, value = 1 }, '
        "{ since = 2010-01-01, value = 2 }]\n"
    )
    config = check_config_text(text, "h.toml", manager).config
    assert config is not None
    problems = check_hall_rulebooks(config, manager)
    assert [(p.severity, p.key) for p in problems] == [
        ("error", 'scoring.parameters."window.nope"'),
        ("error", 'scoring.parameters."window.fees.unauthorised-fee.points"'),
    ]
    assert "two values starting the same day" in problems[1].message
