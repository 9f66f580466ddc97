"""A plugin that raises in, or answers the wrong type from, a hook fails only its county.

The faulty county plugin here serves county ``faulty`` (a copy of the Pinghu
config) and implements one broken hook; the four installed counties are
loaded beside it. The command that uses the hook exits 1 with a message
naming the plugin and the hook, no traceback; Pinghu keeps working on the
same plugin manager. Last, a broken distribution is really installed (pip
``--target``) and the CLI runs in a subprocess beside the four counties.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall import County, hookimpl
from govhall.cli import main
from govhall.errors import PluginError
from govhall.plugins import GovhallPluginManager, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
PINGHU = ROOT / "configs" / "pinghu.toml"


def boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("boom")


def answer(value: Any) -> Callable[..., Any]:
    return lambda *_, **__: value


def faulty_plugin(hook: str, function: Callable[..., Any]) -> types.ModuleType:
    """A county plugin for ``faulty`` whose ``hook`` runs ``function``."""
    module = types.ModuleType("govhall_faulty")

    def govhall_county() -> County:
        return County(id="faulty", name="Faulty hall")

    def govhall_hall_defaults(county: str) -> dict[str, Any]:
        return {"hall": {"id": "faulty", "name": "Faulty hall", "county": county}}

    # the hook takes the arguments its spec names (pluggy checks the names)
    params = {
        "govhall_approval_chain": "county, config, item",
    }.get(hook, "county")
    namespace: dict[str, Any] = {"function": function}
    exec(f"def {hook}({params}):\n    return function({params})\n", namespace)
    for name, impl in (
        ("govhall_county", govhall_county),
        ("govhall_hall_defaults", govhall_hall_defaults),
        (hook, namespace[hook]),
    ):
        setattr(module, name, hookimpl(impl))
    return module


@pytest.fixture
def use_plugin(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[str, Callable[..., Any]], tuple[GovhallPluginManager, Path]]:
    """Install the faulty plugin beside the four counties; return the manager and its config."""

    def install(hook: str, function: Callable[..., Any]) -> tuple[GovhallPluginManager, Path]:
        manager = get_plugin_manager(plugins=[("faulty", faulty_plugin(hook, function))])
        assert manager.load_errors == []
        monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: manager)
        config = tmp_path / "faulty.toml"
        text = PINGHU.read_text(encoding="utf-8").replace('county = "pinghu"', 'county = "faulty"')
        config.write_text(text, encoding="utf-8")
        return manager, config

    return install


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "cases.csv").write_text(
        "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
        "c1,tax,invoice-issue,immediate,2010-03-02T09:00,concluded,2010-03-02T09:30,1\n",
        encoding="utf-8",
    )
    return folder


COMMANDS: dict[str, list[str]] = {
    "govhall_opening_hours": ["hours", "{config}", "--on", "2010-03-02"],
    "govhall_duty_rota": ["open", "{config}", "--at", "2010-03-07T10:00"],
    "govhall_extra_closures": ["hours", "{config}", "--on", "2010-03-02"],
    "govhall_deadline_rule": [
        "deadline",
        "{config}",
        "--item",
        "invoice-issue",
        "--received",
        "2010-03-02T09:00",
        "--now",
        "2010-03-02T10:00",
    ],
    "govhall_approval_chain": ["chain", "{config}", "--item", "business-licence"],
    "govhall_scoring_weights": ["score", "{config}", "--data", "{data}", "--month", "2010-03"],
    "govhall_rulebook_overrides": ["score", "{config}", "--data", "{data}", "--month", "2010-03"],
    "govhall_reward_rules": ["rewards", "{config}", "--data", "{data}", "--year", "2010"],
}
WRONG_TYPES: dict[str, tuple[Any, str]] = {
    "govhall_opening_hours": (5, "returned int, expected dict"),
    "govhall_duty_rota": (["sunday"], "returned list, expected dict"),
    "govhall_extra_closures": ({"date": "2010-03-02"}, "returned dict, expected list"),
    "govhall_deadline_rule": ("5 days", "returned str, expected DeadlineRule"),
    "govhall_approval_chain": (["director"], "expected an ApprovalChain for"),
    "govhall_scoring_weights": (0.5, "returned float, expected dict"),
    "govhall_rulebook_overrides": ("none", "returned str, expected dict"),
    "govhall_reward_rules": (365, "returned int, expected dict"),
}


def run(args: list[str], config: Path, data: Path) -> Any:
    filled = [a.replace("{config}", str(config)).replace("{data}", str(data)) for a in args]
    return CliRunner().invoke(main, filled)


def assert_fails_cleanly(result: Any, hook: str, detail: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"plugin 'faulty', hook {hook}: " in result.output
    assert detail in result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("hook", sorted(COMMANDS))
def test_a_hook_that_raises_fails_its_command_naming_plugin_and_hook(
    hook: str, use_plugin: Callable[..., Any], data_dir: Path
) -> None:
    _, config = use_plugin(hook, boom)
    result = run(COMMANDS[hook], config, data_dir)
    assert_fails_cleanly(result, hook, "raised RuntimeError: boom")


@pytest.mark.parametrize("hook", sorted(COMMANDS))
def test_a_wrong_answer_type_fails_its_command_naming_plugin_and_hook(
    hook: str, use_plugin: Callable[..., Any], data_dir: Path
) -> None:
    value, detail = WRONG_TYPES[hook]
    _, config = use_plugin(hook, answer(value))
    result = run(COMMANDS[hook], config, data_dir)
    assert_fails_cleanly(result, hook, detail)


@pytest.mark.parametrize("hook", sorted(COMMANDS))
def test_other_counties_keep_working_beside_a_faulty_plugin(
    hook: str, use_plugin: Callable[..., Any], data_dir: Path
) -> None:
    use_plugin(hook, boom)
    result = run(COMMANDS[hook], PINGHU, data_dir)
    assert result.exit_code == 0, result.output
    assert "faulty" not in result.output


@pytest.mark.parametrize(
    ("hook", "value", "detail"),
    [
        ("govhall_opening_hours", {"weekday": 5}, "weekday: unknown key 'weekday'"),
        ("govhall_scoring_weights", {"gossip": 1}, "unknown source 'gossip'"),
        ("govhall_rulebook_overrides", {"window.nothing": 1}, "no parameter"),
    ],
)
def test_a_bad_answer_inside_the_right_type_names_plugin_and_hook(
    hook: str, value: Any, detail: str, use_plugin: Callable[..., Any], data_dir: Path
) -> None:
    _, config = use_plugin(hook, answer(value))
    assert_fails_cleanly(run(COMMANDS[hook], config, data_dir), hook, detail)


def test_typed_calls_check_the_answer_and_name_the_plugin() -> None:
    manager = get_plugin_manager(
        load_entry_points=False,
        plugins=[("faulty", faulty_plugin("govhall_scoring_weights", answer([1])))],
    )
    with pytest.raises(PluginError) as caught:
        manager.call_first_as("govhall_scoring_weights", dict, "faulty")
    assert (caught.value.plugin, caught.value.hook) == ("faulty", "govhall_scoring_weights")
    assert str(caught.value).endswith("returned list, expected dict")
    with pytest.raises(PluginError, match="returned list, expected dict"):
        manager.call_all_as("govhall_scoring_weights", dict, "faulty")
    assert manager.call_first_as("govhall_reward_rules", dict, "faulty") is None


# -- a broken distribution really installed beside the four counties ---------------

BROKEN_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "govhall-broken"
version = "0.0.1"

[tool.hatch.build.targets.wheel]
packages = ["govhall_broken", "govhall_broken_import"]

[project.entry-points.govhall]
broken = "govhall_broken"
broken-import = "govhall_broken_import"
"""
BROKEN_MODULE = """\
from govhall import County, hookimpl


@hookimpl
def govhall_county():
    return County(id="broken", name="Broken hall")


@hookimpl
def govhall_hall_defaults(county):
    return {"hall": {"id": "broken", "name": "Broken hall", "county": county}}


@hookimpl
def govhall_opening_hours(county):
    raise RuntimeError("no hours today")
"""


def _govhall(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "govhall"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_an_installed_broken_plugin_leaves_the_four_counties_working(tmp_path: Path) -> None:
    project, target = tmp_path / "project", tmp_path / "site"
    (project / "govhall_broken").mkdir(parents=True)
    (project / "govhall_broken_import").mkdir()
    (project / "pyproject.toml").write_text(BROKEN_PYPROJECT, encoding="utf-8")
    (project / "govhall_broken" / "__init__.py").write_text(BROKEN_MODULE, encoding="utf-8")
    (project / "govhall_broken_import" / "__init__.py").write_text(
        'raise ImportError("half installed")\n', encoding="utf-8"
    )
    install = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--target", str(target), str(project)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH", "")]))
    env.pop("GOVHALL_TRACEBACK", None)

    listed = _govhall(["plugins", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    entries = {e["name"]: e for e in json.loads(listed.stdout)["plugins"]}
    assert entries["broken-import"]["error"] == "import failed: ImportError: half installed"
    assert entries["broken"]["county"] == "broken"
    for county in ("baoding", "luanchuan", "pinghu", "zhenhai"):
        assert entries[county]["error"] is None
    table = _govhall(["plugins"], env)
    assert "plugin 'broken-import' failed to load" in table.stderr
    assert _govhall(["--help"], env).returncode == 0

    for config in sorted((ROOT / "configs").glob("*.toml")):
        shown = _govhall(["hours", str(config), "--on", "2010-03-02", "--json"], env)
        assert shown.returncode == 0, shown.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text(
        PINGHU.read_text(encoding="utf-8").replace('county = "pinghu"', 'county = "broken"'),
        encoding="utf-8",
    )
    failed = _govhall(["hours", str(broken), "--on", "2010-03-02"], env)
    assert failed.returncode == 1
    assert "plugin 'broken', hook govhall_opening_hours: raised RuntimeError: no hours today" in (
        failed.stderr
    )
    assert "Traceback" not in failed.stderr


def test_a_wrapper_hook_implementation_is_a_load_error_naming_plugin_and_hook() -> None:
    import types

    from govhall import County, hookimpl
    from govhall.plugins import get_plugin_manager

    module = types.ModuleType("wrapping")

    @hookimpl
    def govhall_county() -> County:
        return County(id="wrapping", name="包装县")

    @hookimpl(wrapper=True)
    def govhall_opening_hours(county: str):  # type: ignore[no-untyped-def]
        return (yield)

    module.govhall_county = govhall_county  # type: ignore[attr-defined]
    module.govhall_opening_hours = govhall_opening_hours  # type: ignore[attr-defined]
    manager = get_plugin_manager(load_entry_points=False, plugins=[("wrapping", module)])
    (error,) = manager.load_errors
    assert error.name == "wrapping"
    assert "hook govhall_opening_hours is a wrapper" in error.error
    assert "wrapping" not in manager.counties()


@pytest.mark.parametrize(
    "hook",
    [
        "govhall_opening_hours",
        "govhall_duty_rota",
        "govhall_extra_closures",
        "govhall_deadline_rule",
    ],
)
def test_validate_calls_the_time_hooks_that_hours_and_deadline_depend_on(
    hook: str, use_plugin: Callable[[str, Callable[..., Any]], tuple[Any, Path]]
) -> None:
    _, config = use_plugin(hook, boom)
    result = CliRunner().invoke(main, ["validate", str(config)])
    assert_fails_cleanly(result, hook, "raised RuntimeError: boom")
    assert "invalid (1 error," in result.output
