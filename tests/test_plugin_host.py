"""The plugin host: broken plugins are recorded with plugin and hook, never fatal."""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import govhall_pinghu
import pytest
from click.testing import CliRunner

from govhall import County, Problem, hookimpl
from govhall.cli import main
from govhall.config.load import check_config_text
from govhall.config.schema import HallConfig
from govhall.plugins import GovhallPluginManager, PluginLoadError, get_plugin_manager

CONFIG = '[hall]\ncounty = "pinghu"\n'


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """Build a plugin module whose functions are the given hook implementations."""
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        function.__name__ = hook
        setattr(module, hook, hookimpl(function))
    return module


def county(county_id: str) -> Callable[[], County]:
    return lambda: County(id=county_id, name=f"{county_id} hall")


def defaults(county_id: str) -> Callable[[str], dict[str, Any]]:
    return lambda county: {"hall": {"id": county_id, "name": f"{county_id} hall", "county": county}}


def boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("boom")


def build(*extra: tuple[str, object]) -> GovhallPluginManager:
    """A fresh manager: built-in defaults, Pinghu, then ``extra``."""
    return get_plugin_manager(load_entry_points=False, plugins=[("pinghu", govhall_pinghu), *extra])


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Replace the installed ``govhall`` entry points with the given ``name=module`` pairs."""
    (tmp_path / "govhall_test_exploding.py").write_text(
        'raise RuntimeError("cannot import me")\n', encoding="utf-8"
    )
    (tmp_path / "govhall_test_misspelt.py").write_text(
        "from govhall import hookimpl\n\n\n"
        "@hookimpl\ndef govhall_hal_defaults(county):\n    return {}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(**modules: str) -> None:
        points = [EntryPoint(name, value, "govhall") for name, value in modules.items()]
        monkeypatch.setattr(
            "govhall.plugins.entry_points", lambda group: points if group == "govhall" else []
        )

    return install


BROKEN = {
    "exploding": "govhall_test_exploding",
    "missing": "govhall_test_no_such_module",
    "misspelt": "govhall_test_misspelt",
    "pinghu": "govhall_pinghu",
}


# -- loading -----------------------------------------------------------------
def test_entry_points_that_fail_are_recorded(fake_entry_points: Callable[..., None]) -> None:
    fake_entry_points(**BROKEN)
    manager = get_plugin_manager()
    errors = {error.name: error.error for error in manager.load_errors}
    assert errors["exploding"] == "import failed: RuntimeError: cannot import me"
    assert errors["missing"] == (
        "import failed: ModuleNotFoundError: No module named 'govhall_test_no_such_module'"
    )
    assert "govhall_hal_defaults" in errors["misspelt"]
    assert errors["misspelt"].startswith("PluginValidationError: unknown hook")
    assert sorted(errors) == ["exploding", "missing", "misspelt"]
    assert list(manager.counties()) == ["pinghu"]
    assert manager.get_plugin("misspelt") is None
    assert check_config_text(CONFIG, "x.toml", manager).valid


def test_misspelt_hook_is_recorded_not_fatal() -> None:
    typo = plugin("typo", govhall_county=county("typo"), govhall_hal_defaults=defaults("typo"))
    manager = build(("typo", typo))
    [error] = manager.load_errors
    assert error.name == "typo"
    assert "unknown hook 'govhall_hal_defaults'" in error.error
    assert list(manager.counties()) == ["pinghu"]
    assert [info.name for info in manager.plugin_infos()] == ["govhall.builtin", "pinghu"]


def test_hook_with_wrong_arguments_is_recorded() -> None:
    def wrong(province: str) -> dict[str, Any]:
        return {}

    odd = plugin("odd", govhall_county=county("odd"), govhall_hall_defaults=wrong)
    manager = build(("odd", odd))
    [error] = manager.load_errors
    assert error.name == "odd"
    assert "province" in error.error
    assert "govhall_hall_defaults" in error.error


def test_county_hook_that_raises_is_recorded() -> None:
    manager = build(("raiser", plugin("raiser", govhall_county=boom)))
    assert manager.load_errors == [
        PluginLoadError("raiser", "hook govhall_county raised RuntimeError: boom", "")
    ]
    assert manager.get_plugin("raiser") is None
    assert list(manager.counties()) == ["pinghu"]


def test_county_hook_with_wrong_type_is_recorded() -> None:
    manager = build(("stringly", plugin("stringly", govhall_county=lambda: "stringly")))
    assert manager.load_errors == [
        PluginLoadError("stringly", "hook govhall_county returned str, expected County", "")
    ]


def test_second_claim_on_a_county_rejects_both_claimants() -> None:
    rival = plugin("rival", govhall_county=county("pinghu"), govhall_hall_defaults=boom)
    manager = build(("rival", rival))
    conflict = (
        "county 'pinghu' is claimed by two plugins: pinghu (no distribution) and "
        "rival (no distribution); uninstall one"
    )
    assert manager.load_errors == [
        PluginLoadError("pinghu", conflict, ""),
        PluginLoadError("rival", conflict, ""),
    ]
    assert manager.get_plugin("pinghu") is None
    assert manager.get_plugin("rival") is None
    assert manager.counties() == {}
    [problem] = check_config_text(CONFIG, "x.toml", manager).problems  # the rival is never called
    assert problem.message == f"no installed plugin serves county 'pinghu': {conflict}"


def test_name_clash_keeps_the_first_plugin() -> None:
    impostor = plugin("impostor", govhall_hall_defaults=boom)
    manager = build(("pinghu", impostor), ("again", govhall_pinghu))
    assert manager.load_errors == [
        PluginLoadError("pinghu", "another plugin is already registered under the name 'pinghu'"),
        PluginLoadError("again", "the same plugin is already registered as 'pinghu'"),
    ]
    assert [info.name for info in manager.plugin_infos()] == ["govhall.builtin", "pinghu"]
    assert manager.get_plugin("pinghu") is govhall_pinghu
    assert check_config_text(CONFIG, "x.toml", manager).valid


# -- calling -----------------------------------------------------------------
def test_raising_hall_defaults_is_a_problem_naming_plugin_and_hook() -> None:
    flaky = plugin("flaky", govhall_county=county("flaky"), govhall_hall_defaults=boom)
    manager = build(("flaky", flaky))
    report = check_config_text('[hall]\ncounty = "flaky"\n', "x.toml", manager)
    assert [problem.format() for problem in report.problems] == [
        "x.toml:2:1: error: hall.county: plugin 'flaky', hook govhall_hall_defaults: "
        "raised RuntimeError: boom"
    ]
    assert check_config_text(CONFIG, "y.toml", manager).valid  # other counties keep working


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("text", "returned str, expected a table (dict)"),
        ([{"hall": {}}], "returned list, expected a table (dict)"),
        ({"hall": {1: "x"}}, "returned a table with a non-string key 1"),
    ],
)
def test_hall_defaults_of_wrong_type(answer: object, why: str) -> None:
    odd = plugin("odd", govhall_county=county("odd"), govhall_hall_defaults=lambda: answer)
    manager = build(("odd", odd))
    [problem] = check_config_text('[hall]\ncounty = "odd"\n', "x.toml", manager).problems
    assert problem.message == f"plugin 'odd', hook govhall_hall_defaults: {why}"
    assert (problem.key, problem.line) == ("hall.county", 2)


def test_invalid_plugin_default_names_the_plugin() -> None:
    def bad_defaults(county: str) -> dict[str, Any]:
        return {
            "hall": {"id": "odd", "name": "odd hall", "county": county},
            "windows": [{"id": "w", "name": "窗口", "phone": "nope"}],
        }

    odd = plugin("odd", govhall_county=county("odd"), govhall_hall_defaults=bad_defaults)
    report = check_config_text('[hall]\ncounty = "odd"\n', "x.toml", build(("odd", odd)))
    assert [problem.format() for problem in report.problems] == [
        "x.toml: error: windows[0].phone: expected a phone number such as 0573-85061999, "
        "3355000 or 13800000000, got 'nope' (value from plugin odd)"
    ]


def test_validate_config_hook_adds_problems_for_its_county_only() -> None:
    calls: list[str] = []

    def check(config: HallConfig) -> list[Problem]:
        calls.append(config.hall.county)
        return [Problem("warning", "no address", key="hall.address")]

    strict = plugin(
        "strict",
        govhall_county=county("strict"),
        govhall_hall_defaults=defaults("strict"),
        govhall_validate_config=check,
    )
    manager = build(("strict", strict))
    pinghu = check_config_text(CONFIG, "p.toml", manager).problems
    assert [problem for problem in pinghu if problem.message == "no address"] == []
    report = check_config_text('[hall]\ncounty = "strict"\n', "s.toml", manager)
    assert "s.toml:1:1: warning: hall.address: no address" in [
        problem.format() for problem in report.problems
    ]
    assert calls == ["strict"]


def test_county_neutral_validate_config_runs_for_every_county() -> None:
    def check(config: HallConfig) -> list[Problem]:
        return [Problem("warning", f"checked {config.hall.id}", key="hall.id")]

    manager = build(("audit", plugin("audit", govhall_validate_config=check)))
    report = check_config_text(CONFIG, "p.toml", manager)
    assert [problem.format() for problem in report.problems if problem.key == "hall.id"] == [
        "p.toml: warning: hall.id: checked pinghu (value from plugin pinghu)"
    ]


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (
            lambda config: "fine",
            "plugin 'audit', hook govhall_validate_config: expected a list of Problem",
        ),
        (
            lambda config: ["fine"],
            "plugin 'audit', hook govhall_validate_config: expected a list of Problem",
        ),
        (boom, "plugin 'audit', hook govhall_validate_config: raised RuntimeError: boom"),
    ],
)
def test_broken_validate_config_hook(hook: Callable[..., Any], message: str) -> None:
    def validate(config: HallConfig) -> Any:
        return hook(config)

    manager = build(("audit", plugin("audit", govhall_validate_config=validate)))
    report = check_config_text(CONFIG, "p.toml", manager)
    errors = [problem.message for problem in report.problems if problem.severity == "error"]
    assert errors == [message]
    assert not report.valid


def test_broken_starter_config_is_a_plugin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = plugin("odd", govhall_county=county("odd"), govhall_starter_config=lambda: ["x"])
    monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: build(("odd", odd)))
    result = CliRunner().invoke(main, ["init", "odd", str(tmp_path / "x.toml")])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: plugin 'odd', hook govhall_starter_config: returned list, expected a table (dict)\n"
    )


# -- the CLI with broken plugins installed -----------------------------------
def test_cli_survives_broken_plugins(fake_entry_points: Callable[..., None]) -> None:
    fake_entry_points(**BROKEN)
    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0

    result = runner.invoke(main, ["plugins"])
    assert result.exit_code == 0
    assert "pinghu           pinghu" in result.stdout
    assert "exploding" in result.stdout
    assert (
        "warning: plugin 'exploding' failed to load: import failed: RuntimeError: cannot import me"
        in result.stderr
    )

    result = runner.invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0
    entries = {entry["name"]: entry for entry in json.loads(result.stdout)["plugins"]}
    assert entries["pinghu"]["error"] is None
    assert entries["pinghu"]["county"] == "pinghu"
    assert entries["exploding"]["error"] == "import failed: RuntimeError: cannot import me"
    assert entries["missing"]["error"].startswith("import failed: ModuleNotFoundError")
    assert "govhall_hal_defaults" in entries["misspelt"]["error"]


def test_cli_validate_with_raising_plugin_has_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = plugin("flaky", govhall_county=county("flaky"), govhall_hall_defaults=boom)
    monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: build(("flaky", flaky)))
    path = tmp_path / "x.toml"
    path.write_text('[hall]\ncounty = "flaky"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}: invalid (1 error, 0 warnings)",
        f"  {path}:2:1: error: hall.county: plugin 'flaky', hook govhall_hall_defaults: "
        "raised RuntimeError: boom",
    ]
    assert "Traceback" not in result.output


# -- tracing -----------------------------------------------------------------
def test_trace_logs_hook_calls_and_answering_plugin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = build()
    monkeypatch.setenv("GOVHALL_TRACE", "1")
    assert check_config_text(CONFIG, "x.toml", manager).valid
    lines = capsys.readouterr().err.splitlines()
    assert "govhall trace: govhall_hall_defaults -> pinghu: dict" in lines
    assert "govhall trace: govhall_validate_config -> govhall.builtin: list" in lines


def test_no_trace_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOVHALL_TRACE", raising=False)
    assert check_config_text(CONFIG, "x.toml", build()).valid
    assert capsys.readouterr().err == ""
