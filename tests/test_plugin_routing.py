"""County routing happens in pluggy's call path; hostile plugins hurt only themselves.

Each hostile plugin is loaded beside the four real county plugins, and every
other county is checked to keep working: ``manager.hook.X(county=...)`` and
govhall's helpers agree, a ``firstresult`` hook stops at the county's answer,
a plugin that declares no county cannot answer county hooks, two claims on
one county reject both, and nothing a plugin does at import or in a hook
(``sys.exit``, ``KeyboardInterrupt``, ``print``) escapes its name.
"""

from __future__ import annotations

import inspect
import json
import sys
import types
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import govhall_baoding
import govhall_luanchuan
import govhall_pinghu
import govhall_zhenhai
import pytest
from click.testing import CliRunner

from govhall import County, Problem, hookimpl
from govhall.cli import main
from govhall.config.load import check_config, check_config_text, load_config
from govhall.config.schema import HallConfig
from govhall.errors import PluginError, UnknownCountyError
from govhall.plugins import (
    BUILTIN_NAME,
    GovhallPluginManager,
    builtin,
    get_plugin_manager,
    hookspecs,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
COUNTIES = ("baoding", "luanchuan", "pinghu", "zhenhai")
FOUR = [
    ("baoding", govhall_baoding),
    ("luanchuan", govhall_luanchuan),
    ("pinghu", govhall_pinghu),
    ("zhenhai", govhall_zhenhai),
]
DEADLINE = [
    "deadline",
    str(CONFIGS / "pinghu.toml"),
    *("--item", "invoice-issue", "--received", "2010-03-02T09:00"),
    *("--now", "2010-03-02T10:00", "--json"),
]
MIDNIGHT_HOURS = {
    "note": "hostile: open one minute",
    "schedules": [{"since": "2000-01-01", "workday": [["00:00", "00:01"]]}],
}


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """Build a plugin module whose functions are the given hook implementations."""
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        function.__name__ = hook
        setattr(module, hook, hookimpl(function))
    return module


def county(county_id: str) -> Callable[[], County]:
    return lambda: County(id=county_id, name=f"{county_id} hall")


def build(*extra: tuple[str, object]) -> GovhallPluginManager:
    """The built-in defaults, the four real counties, then ``extra``."""
    return get_plugin_manager(load_entry_points=False, plugins=[*FOUR, *extra])


def assert_four_counties_work(manager: GovhallPluginManager) -> None:
    assert set(COUNTIES) <= set(manager.counties())
    for county_id in COUNTIES:
        report = check_config(CONFIGS / f"{county_id}.toml", manager)
        assert report.valid, [problem.format() for problem in report.problems]


@pytest.fixture(scope="module")
def four() -> GovhallPluginManager:
    manager = build()
    assert manager.load_errors == []
    return manager


@pytest.fixture(scope="module")
def configs(four: GovhallPluginManager) -> dict[str, HallConfig]:
    return {c: load_config(CONFIGS / f"{c}.toml", four) for c in COUNTIES}


# -- manager.hook and the helpers agree ---------------------------------------------
def test_county_hooks_are_exactly_the_specs_that_take_a_county() -> None:
    specs = {
        name: inspect.signature(function).parameters
        for name, function in vars(hookspecs).items()
        if name.startswith("govhall_") and callable(function)
    }
    assert {name for name, args in specs.items() if "county" in args} == hookspecs.COUNTY_HOOKS
    assert hookspecs.COUNTY_HOOKS - {"govhall_validate_config"} == hookspecs.COUNTY_ONLY_HOOKS
    assert set(hookspecs.ANSWER_TYPES) <= hookspecs.COUNTY_HOOKS


def _calls(
    hook: str, county_id: str, manager: GovhallPluginManager, config: HallConfig
) -> Iterator[dict[str, Any]]:
    """Keyword arguments of calls of ``hook`` for ``county_id``, one per item if it takes one."""
    spec = getattr(manager.hook, hook).spec
    base = {"county": county_id, "config": config, "manager": manager}
    if "item" not in spec.argnames:
        yield {name: base[name] for name in spec.argnames}
        return
    for item in config.items:
        yield {**{name: base[name] for name in spec.argnames if name != "item"}, "item": item}


@pytest.mark.parametrize("county_id", COUNTIES)
@pytest.mark.parametrize("hook", sorted(hookspecs.COUNTY_HOOKS))
def test_pm_hook_and_internal_calls_agree(
    hook: str, county_id: str, four: GovhallPluginManager, configs: dict[str, HallConfig]
) -> None:
    caller = getattr(four.hook, hook)
    firstresult = caller.spec.opts.get("firstresult", False)
    for kwargs in _calls(hook, county_id, four, configs[county_id]):
        direct = caller(**kwargs)
        rest = {name: value for name, value in kwargs.items() if name != "county"}
        pairs = four.call_all(hook, county_id, **rest)
        assert {plugin for plugin, _ in pairs} <= {county_id, BUILTIN_NAME}
        if firstresult:
            assert direct == four.call_first(hook, county_id, **rest)
            assert [answer for _, answer in pairs] == ([] if direct is None else [direct])
        else:
            assert direct == [answer for _, answer in pairs]


def test_zhenhai_hours_come_from_zhenhai_or_the_defaults_never_from_pinghu(
    four: GovhallPluginManager,
) -> None:
    assert not hasattr(govhall_zhenhai, "govhall_opening_hours")
    hours = four.hook.govhall_opening_hours(county="zhenhai")
    assert hours["note"] == builtin.DEFAULT_HOURS_NOTE
    assert four.hook.govhall_opening_hours(county="pinghu") == (
        govhall_pinghu.govhall_opening_hours("pinghu")
    )
    assert hours == four.call_first("govhall_opening_hours", "zhenhai")


def test_a_call_without_or_with_an_unknown_county_reaches_only_the_defaults(
    four: GovhallPluginManager,
) -> None:
    assert four.hook.govhall_reward_rules(county=None) == []
    assert four.hook.govhall_opening_hours(county="atlantis")["note"] == (
        builtin.DEFAULT_HOURS_NOTE
    )
    with pytest.raises(UnknownCountyError, match="no installed plugin serves county 'atlantis'"):
        four.call_first("govhall_opening_hours", "atlantis")


def test_hook_call_monitoring_sees_the_routed_implementations(four: GovhallPluginManager) -> None:
    seen: list[list[str]] = []

    def before(hook_name: str, impls: Any, kwargs: Any) -> None:
        seen.append([impl.plugin_name for impl in impls])

    undo = four.add_hookcall_monitoring(before, lambda *_: None)
    try:
        assert four.call_first_as("govhall_reward_rules", dict, "zhenhai") is not None
    finally:
        undo()
    assert seen == [["zhenhai"]]


# -- firstresult stops at the county's answer -----------------------------------------
def test_firstresult_stops_at_the_county_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    @hookimpl(trylast=True)
    def govhall_opening_hours(county: str) -> dict[str, Any]:
        asked.append(county)
        raise RuntimeError("the defaults were asked")

    monkeypatch.setattr(builtin, "govhall_opening_hours", govhall_opening_hours)
    manager = build()
    assert manager.call_first("govhall_opening_hours", "pinghu")["note"].startswith("《平湖")
    assert manager.hook.govhall_opening_hours(county="pinghu")["note"].startswith("《平湖")
    assert asked == []
    with pytest.raises(PluginError, match="the defaults were asked") as caught:
        manager.hook.govhall_opening_hours(county="zhenhai")  # Zhenhai gives no hours
    assert (caught.value.plugin, caught.value.hook) == (BUILTIN_NAME, "govhall_opening_hours")
    assert asked == ["zhenhai"]


def test_trace_shows_only_the_implementations_called(
    four: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOVHALL_TRACE", "1")
    four.hook.govhall_opening_hours(county="pinghu")
    assert capsys.readouterr().err.splitlines() == [
        "govhall trace: govhall_opening_hours -> pinghu: dict"
    ]


# -- a plugin that declares no county -------------------------------------------------
@pytest.mark.parametrize("declares", ["nothing", "None"])
def test_a_neutral_plugin_implementing_county_hooks_is_a_load_error(declares: str) -> None:
    hooks: dict[str, Callable[..., Any]] = {
        "govhall_opening_hours": lambda county: MIDNIGHT_HOURS,
        "govhall_deadline_rule": lambda county: None,
    }
    if declares == "None":
        hooks["govhall_county"] = lambda: None
    manager = build(("midnight", plugin("midnight", **hooks)))
    [error] = manager.load_errors
    assert error.name == "midnight"
    assert error.error.startswith(
        "declares no county (hook govhall_county) but implements the county hooks "
        "govhall_deadline_rule, govhall_opening_hours;"
    )
    assert manager.get_plugin("midnight") is None
    for county_id in COUNTIES:
        assert manager.hook.govhall_opening_hours(county=county_id) != MIDNIGHT_HOURS
    assert_four_counties_work(manager)


def test_a_plugin_registered_around_the_registry_answers_no_county_hook() -> None:
    manager = build()
    manager.register(plugin("sneaky", govhall_opening_hours=lambda county: MIDNIGHT_HOURS))
    for county_id in COUNTIES:
        assert manager.hook.govhall_opening_hours(county=county_id) != MIDNIGHT_HOURS


def test_pinghu_due_time_is_unaffected_by_a_neutral_hours_plugin(
    install: Callable[..., None],
) -> None:
    install(
        aaa_midnight="from govhall import hookimpl\n\n"
        "@hookimpl\ndef govhall_opening_hours(county):\n"
        "    return {'note': 'x', 'schedules': [{'workday': [['00:00', '00:01']]}]}\n",
    )
    runner = CliRunner()
    result = runner.invoke(main, DEADLINE)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["due"] == "2010-03-02T17:30:00+08:00"
    listed = runner.invoke(main, ["plugins", "--json"])
    entries = {entry["name"]: entry for entry in json.loads(listed.stdout)["plugins"]}
    assert "govhall_opening_hours" in entries["aaa-midnight"]["error"]
    assert entries["pinghu"]["error"] is None


def test_a_neutral_validate_config_runs_for_every_county() -> None:
    def govhall_validate_config(county: str, config: HallConfig) -> list[Problem]:
        return [Problem("warning", f"audited {county}", key="hall.id")]

    manager = build(("audit", plugin("audit", govhall_validate_config=govhall_validate_config)))
    assert manager.load_errors == []
    for county_id in COUNTIES:
        report = check_config(CONFIGS / f"{county_id}.toml", manager)
        assert f"audited {county_id}" in [problem.message for problem in report.problems]


def test_a_county_plugin_validate_config_never_runs_for_other_counties(
    configs: dict[str, HallConfig],
) -> None:
    calls: list[str] = []

    def govhall_validate_config(county: str, config: HallConfig) -> list[Problem]:
        calls.append(county)
        return [Problem("error", "strict says no", key="hall.id")]

    strict = plugin(
        "strict", govhall_county=county("strict"), govhall_validate_config=govhall_validate_config
    )
    manager = build(("strict", strict))
    assert_four_counties_work(manager)
    for county_id, config in configs.items():
        answers = manager.hook.govhall_validate_config(
            county=county_id, config=config, manager=manager
        )
        messages = [problem.message for found in answers for problem in found]
        assert "strict says no" not in messages
    assert calls == []
    # routing follows the call's county (the config's own county in govhall's loader)
    answers = manager.call_all(
        "govhall_validate_config", "strict", config=configs["pinghu"], manager=manager
    )
    assert answers[0] == ("strict", [Problem("error", "strict says no", key="hall.id")])
    assert [plugin for plugin, _ in answers] == ["strict", BUILTIN_NAME]
    assert calls == ["strict"]


# -- two claims on one county -----------------------------------------------------------
def test_two_plugins_claiming_a_county_are_both_rejected() -> None:
    rival = plugin("rival", govhall_county=county("pinghu"))
    manager = build(("rival", rival))
    conflict = (
        "county 'pinghu' is claimed by two plugins: pinghu (no distribution) and "
        "rival (no distribution); uninstall one"
    )
    assert {(error.name, error.error) for error in manager.load_errors} == {
        ("pinghu", conflict),
        ("rival", conflict),
    }
    assert manager.conflicts["pinghu"].plugins == (
        "pinghu (no distribution)",
        "rival (no distribution)",
    )
    assert "pinghu" not in manager.counties()
    with pytest.raises(UnknownCountyError) as caught:
        manager.county_plugin("pinghu")
    assert str(caught.value) == f"no installed plugin serves county 'pinghu': {conflict}"
    report = check_config(CONFIGS / "pinghu.toml", manager)
    assert [problem.message for problem in report.problems] == [str(caught.value)]
    for county_id in ("baoding", "luanchuan", "zhenhai"):
        assert check_config(CONFIGS / f"{county_id}.toml", manager).valid
    # a county in conflict gets no plugin answers through pluggy either
    assert manager.hook.govhall_opening_hours(county="pinghu")["note"] == (
        builtin.DEFAULT_HOURS_NOTE
    )


def test_three_claims_and_a_late_claim_are_conflicts_too() -> None:
    manager = build(
        ("rival", plugin("rival", govhall_county=county("zhenhai"))),
        ("third", plugin("third", govhall_county=county("zhenhai"))),
    )
    assert manager.conflicts["zhenhai"].message.startswith(
        "county 'zhenhai' is claimed by three plugins: zhenhai (no distribution), "
        "rival (no distribution) and third (no distribution)"
    )
    assert not manager.register_county_plugin(
        plugin("late", govhall_county=county("zhenhai")), "late"
    )
    assert "late (no distribution)" in manager.conflicts["zhenhai"].message
    assert not manager.register_county_plugin(
        plugin("late2", govhall_county=county("pinghu")), "l2"
    )
    assert manager.get_plugin("pinghu") is None  # the first owner loses the county too
    assert "pinghu (no distribution) and l2 (no distribution)" in (
        manager.conflicts["pinghu"].message
    )
    assert list(manager.counties()) == ["baoding", "luanchuan"]


def test_an_entry_point_that_sorts_first_cannot_take_a_county(
    install: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = types.SimpleNamespace(name="govhall-evil", version="6.6.6")
    evil = EntryPoint("aaa", "govhall_test_evil", "govhall")._for(dist)  # type: ignore[attr-defined]
    install(
        [evil],
        govhall_test_evil="from govhall import County, hookimpl\n\n"
        "@hookimpl\ndef govhall_county():\n    return County(id='pinghu', name='evil')\n",
    )
    real = next(ep for ep in entry_points(group="govhall") if ep.name == "pinghu")
    shipped = f"{real.dist.name} {real.dist.version}"
    conflict = (
        "county 'pinghu' is claimed by two plugins: aaa (distribution govhall-evil 6.6.6) and "
        f"pinghu (distribution {shipped}); uninstall one"
    )
    manager = get_plugin_manager()
    errors = {error.name: error.error for error in manager.load_errors}
    assert errors == {"aaa": conflict, "pinghu": conflict}
    assert list(manager.counties()) == ["baoding", "luanchuan", "zhenhai"]

    runner = CliRunner()
    listed = runner.invoke(main, ["plugins", "--json"])
    entries = {entry["name"]: entry for entry in json.loads(listed.stdout)["plugins"]}
    assert entries["aaa"]["error"] == entries["pinghu"]["error"] == conflict
    assert entries["zhenhai"]["error"] is None
    failed = runner.invoke(main, DEADLINE)
    assert failed.exit_code == 1
    assert "claimed by two plugins: aaa (distribution govhall-evil 6.6.6)" in failed.stderr
    zhenhai = runner.invoke(main, ["hours", str(CONFIGS / "zhenhai.toml"), "--on", "2010-03-02"])
    assert zhenhai.exit_code == 0, zhenhai.output


# -- containment at import -------------------------------------------------------------
@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Make the ``govhall`` entry points the four real ones plus modules written here.

    Each keyword is a module name (``_`` for ``-`` in the entry-point name,
    module ``govhall_test_<name>``) and its source; positional lists add
    ready-made entry points.
    """
    real = [ep for ep in entry_points(group="govhall") if ep.name in COUNTIES]
    assert len(real) == 4
    monkeypatch.syspath_prepend(str(tmp_path))

    def install_(*extra: list[EntryPoint], **sources: str) -> None:
        points = list(real)
        for given in extra:
            points.extend(given)
        for name, source in sources.items():
            module = name if name.startswith("govhall_") else f"govhall_test_{name}"
            (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
            if not name.startswith("govhall_"):
                points.append(EntryPoint(name.replace("_", "-"), module, "govhall"))
        monkeypatch.setattr(
            "govhall.plugins.entry_points", lambda group: points if group == "govhall" else []
        )

    return install_


HOSTILE_IMPORTS = {
    "exits": ("import sys\nsys.exit(3)\n", "import failed: SystemExit: 3"),
    "interrupts": ("raise KeyboardInterrupt\n", "import failed: KeyboardInterrupt"),
    "base": (
        "class Odd(BaseException):\n    pass\n\nraise Odd('odd')\n",
        "import failed: Odd: odd",
    ),
}


def test_exits_and_interrupts_at_import_are_load_errors_naming_the_plugin(
    install: Callable[..., None],
) -> None:
    install(**{name: source for name, (source, _) in HOSTILE_IMPORTS.items()})
    manager = get_plugin_manager()
    errors = {error.name: error.error for error in manager.load_errors}
    assert errors == {name: error for name, (_, error) in HOSTILE_IMPORTS.items()}
    assert_four_counties_work(manager)

    runner = CliRunner()
    table = runner.invoke(main, ["plugins"])
    assert table.exit_code == 0
    assert "import failed: SystemExit: 3" in table.stdout
    assert "warning: plugin 'interrupts' failed to load: import failed: KeyboardInterrupt" in (
        table.stderr
    )
    listed = runner.invoke(main, ["plugins", "--json"])
    assert listed.exit_code == 0
    entries = {entry["name"]: entry for entry in json.loads(listed.stdout)["plugins"]}
    assert entries["exits"]["error"] == "import failed: SystemExit: 3"
    assert entries["pinghu"]["error"] is None


def test_output_at_import_is_suppressed_and_noted(
    install: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    install(
        chatty="print('junk')\n",
        chatty_county="from govhall import County, hookimpl\nprint('hello', 'world')\n\n"
        "@hookimpl\ndef govhall_county():\n    print('which county?')\n"
        "    return County(id='chatty', name='Chatty hall')\n",
    )
    manager = get_plugin_manager()
    assert manager.load_errors == []
    assert list(manager.counties()) == ["baoding", "chatty", "luanchuan", "pinghu", "zhenhai"]
    notes = {info.name: info.notices for info in manager.plugin_infos()}
    assert notes["chatty"] == ("wrote 5 characters to stdout while importing (suppressed)",)
    assert notes["chatty-county"] == ("wrote 12 characters to stdout while importing (suppressed)",)
    assert notes["pinghu"] == ()

    runner = CliRunner()
    for module in ("govhall_test_chatty", "govhall_test_chatty_county"):
        monkeypatch.delitem(sys.modules, module)  # each command imports afresh
    listed = runner.invoke(main, ["plugins", "--json"])
    assert listed.exit_code == 0
    entries = {entry["name"]: entry for entry in json.loads(listed.stdout)["plugins"]}
    assert entries["chatty"]["notices"] == [
        "wrote 5 characters to stdout while importing (suppressed)"
    ]
    assert entries["chatty"]["error"] is None
    assert entries["pinghu"]["notices"] == []
    assert "junk" not in listed.stdout
    for module in ("govhall_test_chatty", "govhall_test_chatty_county"):
        monkeypatch.delitem(sys.modules, module)
    table = runner.invoke(main, ["plugins"])
    assert "ok; wrote 5 characters to stdout while importing (suppressed)" in table.stdout
    assert "junk" not in table.output
    for module in ("govhall_test_chatty", "govhall_test_chatty_county"):
        monkeypatch.delitem(sys.modules, module)
    due = runner.invoke(main, DEADLINE)
    assert due.exit_code == 0, due.output
    assert json.loads(due.stdout)["due"] == "2010-03-02T17:30:00+08:00"


# -- containment in hook calls ---------------------------------------------------------
class Odd(BaseException):
    """Neither an Exception nor SystemExit/KeyboardInterrupt."""


def _raise(error: BaseException) -> Callable[..., Any]:
    def raiser(county: str) -> Any:
        raise error

    return raiser


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (SystemExit(1), "raised SystemExit: 1"),
        (KeyboardInterrupt(), "raised KeyboardInterrupt"),
        (Odd("odd"), "raised Odd: odd"),
        (GeneratorExit(), "raised GeneratorExit"),
    ],
)
def test_a_hook_raising_any_base_exception_is_a_plugin_error(
    error: BaseException, detail: str
) -> None:
    hostile = plugin(
        "hostile", govhall_county=county("hostile"), govhall_reward_rules=_raise(error)
    )
    manager = build(("hostile", hostile))
    assert manager.load_errors == []
    for call in (
        lambda: manager.call_all("govhall_reward_rules", "hostile"),
        lambda: manager.hook.govhall_reward_rules(county="hostile"),
    ):
        with pytest.raises(PluginError) as caught:
            call()
        assert (caught.value.plugin, caught.value.hook) == ("hostile", "govhall_reward_rules")
        assert str(caught.value) == f"plugin 'hostile', hook govhall_reward_rules: {detail}"
    assert_four_counties_work(manager)


def test_a_plugin_error_from_a_nested_call_passes_unchanged(
    configs: dict[str, HallConfig],
) -> None:
    def govhall_validate_config(config: HallConfig, manager: GovhallPluginManager) -> None:
        manager.call_first("govhall_hall_defaults", "hostile")

    hostile = plugin(
        "hostile",
        govhall_county=county("hostile"),
        govhall_hall_defaults=_raise(SystemExit(2)),
    )
    audit = plugin("audit", govhall_validate_config=govhall_validate_config)
    manager = build(("hostile", hostile), ("audit", audit))
    with pytest.raises(PluginError) as caught:
        manager.hook.govhall_validate_config(
            county="pinghu", config=configs["pinghu"], manager=manager
        )
    assert str(caught.value) == "plugin 'hostile', hook govhall_hall_defaults: raised SystemExit: 2"


def test_a_wrong_answer_type_is_a_plugin_error_via_pm_hook_too() -> None:
    odd = plugin("odd", govhall_county=county("odd"), govhall_opening_hours=lambda county: 5)
    manager = build(("odd", odd))
    with pytest.raises(
        PluginError, match=r"plugin 'odd', hook govhall_opening_hours: returned int"
    ):
        manager.hook.govhall_opening_hours(county="odd")


def test_a_hook_that_prints_keeps_json_output_one_document(
    install: Callable[..., None], tmp_path: Path
) -> None:
    install(
        noisy="from govhall import County, hookimpl\nimport govhall_pinghu\n\n"
        "@hookimpl\ndef govhall_county():\n    return County(id='noisy', name='Noisy hall')\n\n"
        "@hookimpl\ndef govhall_hall_defaults(county):\n    print('defaults coming')\n"
        "    return govhall_pinghu.govhall_hall_defaults(county)\n\n"
        "@hookimpl\ndef govhall_opening_hours(county):\n    print('hours coming')\n"
        "    return govhall_pinghu.govhall_opening_hours(county)\n",
    )
    config = (CONFIGS / "pinghu.toml").read_text(encoding="utf-8")
    path = tmp_path / "noisy.toml"
    path.write_text(config.replace('county = "pinghu"', 'county = "noisy"'), encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(main, ["show", str(path), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["hall"]["county"] == "noisy"
    assert "defaults coming" in shown.stderr
    hours = runner.invoke(main, ["hours", str(path), "--on", "2010-03-02", "--json"])
    assert hours.exit_code == 0, hours.output
    assert json.loads(hours.stdout)
    assert "hours coming" in hours.stderr


def test_check_config_text_stays_valid_beside_every_hostile_plugin() -> None:
    manager = build(
        ("rival", plugin("rival", govhall_county=county("luanchuan"))),
        ("midnight", plugin("midnight", govhall_opening_hours=lambda county: MIDNIGHT_HOURS)),
        ("hostile", plugin("hostile", govhall_county=lambda: 5)),
    )
    assert sorted(error.name for error in manager.load_errors) == [
        "hostile",
        "luanchuan",
        "midnight",
        "rival",
    ]
    for county_id in ("baoding", "pinghu", "zhenhai"):
        text = f'[hall]\ncounty = "{county_id}"\n'
        assert check_config_text(text, "x.toml", manager).valid
