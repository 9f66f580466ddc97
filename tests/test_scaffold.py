"""`govhall new-plugin` writes a county plugin that installs, lists and passes its tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.errors import GovhallError
from govhall.scaffold import scaffold_plugin


def _env_with(path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH", "")]))
    return env


def test_scaffold_writes_the_project(tmp_path: Path) -> None:
    written = scaffold_plugin("fifth", tmp_path / "p", name="第五县行政服务中心")
    names = sorted(str(p.relative_to(tmp_path / "p")) for p in written)
    assert names == [
        "README.md",
        "fifth.toml",
        "pyproject.toml",
        "src/govhall_fifth/__init__.py",
        "tests/fifth.govhall.yaml",
        "tests/test_fifth.py",
    ]
    assert 'fifth = "govhall_fifth"' in (tmp_path / "p" / "pyproject.toml").read_text()


def test_scaffold_case_file_names_its_config_and_plugin(tmp_path: Path) -> None:
    from govhall.testing import read_case_file

    scaffold_plugin("fifth", tmp_path)
    cases = read_case_file(tmp_path / "tests" / "fifth.govhall.yaml")
    assert [sorted(set(c.data) - {"name", "expect"}) for c in cases] == [
        ["show"],
        ["hours"],
        ["deadline"],
        ["score"],
    ]
    assert cases[0].defaults == {"config": "../fifth.toml", "plugins": ["govhall_fifth"]}
    assert (tmp_path / "tests" / cases[0].defaults["config"]).resolve() == (
        tmp_path / "fifth.toml"
    ).resolve()


@pytest.mark.parametrize("county", ["Fifth", "5th", "x", "with-dash", "a" * 41])
def test_scaffold_rejects_bad_county_ids(tmp_path: Path, county: str) -> None:
    with pytest.raises(GovhallError, match="must be 2-40 lowercase"):
        scaffold_plugin(county, tmp_path)


def test_new_plugin_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["new-plugin", "fifth", str(tmp_path)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["new-plugin", "fifth", str(tmp_path)])
    assert again.exit_code == 1
    assert "already exists; use --force" in again.output
    forced = runner.invoke(main, ["new-plugin", "fifth", str(tmp_path), "--force", "--json"])
    assert forced.exit_code == 0
    assert len(json.loads(forced.output)["files"]) == 6


def test_scaffold_passes_its_own_tests_unchanged(tmp_path: Path) -> None:
    scaffold_plugin("fifth", tmp_path, name="第五县行政服务中心")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "tests")],
        cwd=tmp_path,
        env=_env_with(tmp_path / "src"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout  # 3 Python tests, 4 YAML cases


def test_scaffold_installs_and_is_listed_by_govhall_plugins(tmp_path: Path) -> None:
    project = tmp_path / "project"
    target = tmp_path / "site"
    scaffold_plugin("fifth", project, name="第五县行政服务中心")
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    listed = subprocess.run(
        [sys.executable, "-c", "from govhall.cli import main; main()", "plugins", "--json"],
        env=_env_with(target),
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)["plugins"]}
    assert plugins["fifth"]["county"] == "fifth"
    assert plugins["fifth"]["error"] is None
    assert plugins["fifth"]["county_name"] == "第五县行政服务中心"


def test_plugin_guide_edits_give_a_passing_fifth_county(tmp_path: Path) -> None:
    """Apply the file edits of docs/plugin-guide.md to a fresh scaffold; its tests pass."""
    import re

    guide = (Path(__file__).resolve().parent.parent / "docs" / "plugin-guide.md").read_text(
        encoding="utf-8"
    )
    assert "govhall new-plugin fifth govhall-fifth --name 第五县行政服务中心" in guide
    project = tmp_path / "govhall-fifth"
    scaffold_plugin("fifth", project, name="第五县行政服务中心")
    edits = re.findall(r"cat (>>?) (\S+) <<'EOF'\n(.*?)\nEOF\n", guide, re.S)
    assert [(mode, path) for mode, path, _ in edits] == [
        (">>", "src/govhall_fifth/__init__.py"),
        (">>", "src/govhall_fifth/__init__.py"),
        (">", "tests/fifth.govhall.yaml"),
    ]
    for mode, path, text in edits:
        with (project / path).open("a" if mode == ">>" else "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=_env_with(project / "src"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed" in result.stdout
    assert "9 passed" in guide


@pytest.mark.parametrize("name", ['某县 "示范" 中心', "back\\slash", "new\nline"])
def test_scaffold_rejects_a_name_it_cannot_quote(tmp_path: Path, name: str) -> None:
    with pytest.raises(GovhallError, match="must not contain quotes"):
        scaffold_plugin("fifth", tmp_path, name=name)
    assert list(tmp_path.iterdir()) == []
