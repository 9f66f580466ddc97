"""``govhall validate``, ``schema``, ``init``, ``show`` and ``plugins``: exit codes and output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from govhall.cli import main
from govhall.config.load import check_config
from govhall.config.schema import HallConfig
from govhall.plugins import GovhallPluginManager

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
PINGHU = CONFIGS / "pinghu.toml"
BAD = '[hall]\ncounty = "pinghu"\nadress = "x"\n'

pytestmark = pytest.mark.usefixtures("cli_manager")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


# -- validate ----------------------------------------------------------------
def test_validate_valid_file() -> None:
    result = run("validate", PINGHU)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{PINGHU}: valid (0 errors, ")
    assert " error: " not in result.stdout


def test_validate_folder_sorted_and_only_toml(tmp_path: Path) -> None:
    shutil.copy(PINGHU, tmp_path / "b.toml")
    (tmp_path / "a.toml").write_text(BAD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a config", encoding="utf-8")
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"{tmp_path / 'a.toml'}: invalid (1 error, 0 warnings)",
        f"  {tmp_path / 'a.toml'}:3:1: error: hall.adress: unknown key 'adress'; "
        "did you mean 'address'?",
    ]
    assert lines[2].startswith(f"{tmp_path / 'b.toml'}: valid (0 errors, ")
    assert len([line for line in lines if not line.startswith("  ")]) == 2


def test_validate_files_and_folders_mixed(tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    shutil.copy(PINGHU, folder / "copy.toml")
    result = run("validate", "--json", PINGHU, folder)
    assert result.exit_code == 0
    files = json.loads(result.stdout)["files"]
    assert [(entry["path"], entry["valid"]) for entry in files] == [
        (str(PINGHU), True),
        (str(folder / "copy.toml"), True),
    ]


def test_validate_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    result = run("validate", "--json", path)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "files": [
            {
                "path": str(path),
                "valid": False,
                "problems": [
                    {
                        "severity": "error",
                        "key": "hall.adress",
                        "line": 3,
                        "column": 1,
                        "message": "unknown key 'adress'; did you mean 'address'?",
                    }
                ],
            }
        ]
    }


def test_validate_folder_without_toml(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("x", encoding="utf-8")
    result = run("validate", tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: no *.toml config found in {tmp_path}\n"


def test_validate_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    result = run("validate", missing)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{missing}: invalid (1 error, 0 warnings)",
        f"  {missing}: error: cannot read file: No such file or directory",
    ]
    no_traceback(result)


def test_validate_one_bad_file_fails_the_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    result = run("validate", PINGHU, bad)
    assert result.exit_code == 1
    assert f"{PINGHU}: valid" in result.stdout
    assert f"{bad}: invalid" in result.stdout


# -- schema ------------------------------------------------------------------
def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize("args", [["schema"], ["schema", "--json"]])
def test_schema_is_a_json_schema_of_hall_config(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(HallConfig.model_fields)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["hall"]
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in schema["$defs"]
    for model in ("Hall", "Window", "ServiceItem", "Staff"):
        assert model in schema["$defs"]
        for name, prop in schema["$defs"][model]["properties"].items():
            assert prop.get("description"), f"{model}.{name} has no description"


# -- init --------------------------------------------------------------------
def test_init_writes_a_config_that_validates(tmp_path: Path, manager: GovhallPluginManager) -> None:
    target = tmp_path / "hall.toml"
    result = run("init", "pinghu", target)
    assert result.exit_code == 0
    assert result.stdout == (
        f"wrote {target} for county 'pinghu'\ncheck it with: govhall validate {target}\n"
    )
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# govhall hall config: 平湖行政服务中心 (county plugin 'pinghu')")
    report = check_config(target, manager)
    assert report.valid
    assert [p.format() for p in report.problems if p.line is not None] == []
    assert run("validate", target).exit_code == 0


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "hall.toml"
    target.write_text("keep me\n", encoding="utf-8")
    result = run("init", "pinghu", target)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} already exists; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_init_force_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "hall.toml"
    target.write_text("keep me\n", encoding="utf-8")
    result = run("init", "--force", "pinghu", target, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"path": str(target), "county": "pinghu", "written": True}
    assert "[hall]" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["hall.toml"]  # no temporary file left


def test_init_unknown_county_names_installed_ones(tmp_path: Path) -> None:
    target = tmp_path / "hall.toml"
    result = run("init", "atlantis", target)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no installed plugin serves county 'atlantis' (installed counties: pinghu)\n"
    )
    assert not target.exists()


# -- show --------------------------------------------------------------------
def test_show_json_contract() -> None:
    result = run("show", "--json", PINGHU)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert {"id", "name", "county"} <= set(document["hall"])
    assert (document["hall"]["id"], document["hall"]["county"]) == ("pinghu", "pinghu")
    assert document["hall"]["name"] == "平湖行政服务中心"
    assert document["windows"][0]["phone"] is None  # the source gives no direct number
    assert [window["id"] for window in document["windows"]] == ["police", "market", "tax"]
    for window in document["windows"]:
        assert {"id", "name", "phone"} <= set(window)
    assert [
        (item["id"], item["window"], item["kind"], item["promised_days"])
        for item in document["items"]
    ] == [
        ("residence-certificate", "police", "immediate", None),
        ("household-move", "police", "promised", 5),
        ("business-licence", "market", "promised", 5),
        ("invoice-issue", "tax", "immediate", None),
    ]
    for item in document["items"]:
        assert {"id", "name", "window", "kind", "promised_days"} <= set(item)
    assert [(p["id"], p["window"], p["post"]) for p in document["staff"]] == [
        ("police-a", "police", "A"),
        ("police-b", "police", "B"),
        ("market-a", "market", "A"),
        ("market-b", "market", "B"),
        ("tax-a", "tax", "A"),
        ("tax-b", "tax", "B"),
    ]
    for person in document["staff"]:
        assert {"id", "name", "window", "post"} <= set(person)


def test_show_text() -> None:
    result = run("show", PINGHU)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "平湖行政服务中心 (pinghu, county pinghu, Asia/Shanghai)"
    assert "phone (consultation): 0573-85061999" in lines
    assert "phone (callback): 0573-85061716" in lines
    assert "police  公安窗口      unknown" in lines
    assert re.search(r"^household-move +户口迁移 +police +promised +5$", result.stdout, re.M)
    assert re.search(r"^police-b +示例人员02 +police +B +window$", result.stdout, re.M)


def test_show_invalid_config_exits_1_with_location(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    result = run("show", path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}:3:1: hall.adress: unknown key 'adress'; did you mean 'address'?\n"
    )
    no_traceback(result)


# -- plugins -----------------------------------------------------------------
def test_plugins_json() -> None:
    result = run("plugins", "--json")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)["plugins"]
    assert [(e["name"], e["county"], e["error"]) for e in entries] == [
        ("govhall.builtin", None, None),
        ("pinghu", "pinghu", None),
    ]
    pinghu = entries[1]
    assert pinghu["county_name"] == "平湖行政服务中心"
    assert "govhall_hall_defaults" in pinghu["hooks"]
    assert "govhall_county" in pinghu["hooks"]


# -- usage -------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["no-such-command"],
        ["init", "pinghu"],
        ["show"],
        ["validate", "--no-such-option", "x.toml"],
        ["schema", "extra-argument"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert result.stdout == ""


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "plugins", "schema", "init", "show"):
        assert f"  {command} " in result.stdout
