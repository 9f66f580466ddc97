"""The invalid-config corpus: each ``tests/invalid-configs/NAME.toml`` beside its problems.

``NAME.errors.txt`` holds every problem exactly as :meth:`Problem.format` renders
it, with the file shown by its name. Each file runs through the API
(:func:`check_config`) and through ``govhall validate``, as text and as JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.config.load import check_config
from govhall.errors import ConfigError
from govhall.plugins import GovhallPluginManager
from govhall.problems import Problem

CORPUS = Path(__file__).parent / "invalid-configs"
CASES = sorted(path.stem for path in CORPUS.glob("*.toml"))
_SEVERITY = re.compile(r"^[^:]+(?::\d+){0,2}: (error|warning): ")
# The built-in assessment rulebook warns about the source's own gaps (allotments adding up
# to 80, deductions without a number) in every config that passes its schema. Those
# warnings have no line and are tested with the rulebook; the corpus is about the file.
_RULEBOOK_WARNING = re.compile(r"^\S+\.toml: warning: scoring[.:]")


def _about_the_file(lines: list[str]) -> list[str]:
    return [line for line in lines if not _RULEBOOK_WARNING.match(line.strip())]


def _expected(name: str) -> list[str]:
    return (CORPUS / f"{name}.errors.txt").read_text(encoding="utf-8").splitlines()


def _severities(lines: list[str]) -> list[str]:
    found = [_SEVERITY.match(line) for line in lines]
    assert all(found), lines
    return [match[1] for match in found if match]


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 30
    expectations = {path.name.removesuffix(".errors.txt") for path in CORPUS.glob("*.errors.txt")}
    assert expectations == set(CASES)
    for name in CASES:
        assert _expected(name), f"{name}.errors.txt lists no problem"


@pytest.mark.parametrize("name", CASES)
def test_check_config(
    name: str, manager: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    expected = _expected(name)
    report = check_config(f"{name}.toml", manager)
    assert _about_the_file([problem.format() for problem in report.problems]) == expected
    assert all(problem.message for problem in report.problems)
    has_error = "error" in _severities(expected)
    assert report.valid is not has_error


@pytest.mark.parametrize("name", CASES)
def test_validate_text(name: str, cli_manager: GovhallPluginManager, monkeypatch) -> None:
    monkeypatch.chdir(CORPUS)
    expected = _expected(name)
    severities = _severities(expected)
    errors, warnings = severities.count("error"), severities.count("warning")
    result = CliRunner().invoke(main, ["validate", f"{name}.toml"])
    [header, *lines] = result.stdout.splitlines()
    warnings += len(lines) - len(_about_the_file(lines))
    verdict = "invalid" if errors else "valid"
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    assert header == f"{name}.toml: {verdict} ({counts})"
    assert _about_the_file(lines) == [f"  {line}" for line in expected]
    assert result.exit_code == (1 if errors else 0)


@pytest.mark.parametrize("name", CASES)
def test_validate_json(name: str, cli_manager: GovhallPluginManager, monkeypatch) -> None:
    monkeypatch.chdir(CORPUS)
    expected = _expected(name)
    result = CliRunner().invoke(main, ["validate", "--json", f"{name}.toml"])
    document = json.loads(result.stdout)
    [entry] = document["files"]
    assert entry["path"] == f"{name}.toml"
    rendered = [Problem(file=entry["path"], **problem).format() for problem in entry["problems"]]
    assert _about_the_file(rendered) == expected
    for problem in entry["problems"]:
        assert {"severity", "key", "line", "message"} <= set(problem)
    has_error = "error" in _severities(expected)
    assert entry["valid"] is not has_error
    assert result.exit_code == (1 if has_error else 0)


@pytest.mark.parametrize("name", [name for name in CASES if name != "warning-only"])
def test_load_config_raises_with_every_error(
    name: str, manager: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govhall.config.load import load_config

    monkeypatch.chdir(CORPUS)
    errors = [line for line in _expected(name) if _severities([line]) == ["error"]]
    with pytest.raises(ConfigError) as caught:
        load_config(f"{name}.toml", manager)
    assert str(caught.value).splitlines() == errors


def test_warning_only_loads(manager: GovhallPluginManager) -> None:
    from govhall.config.load import load_config

    config = load_config(CORPUS / "warning-only.toml", manager)
    assert [person.id for person in config.staff] == ["police-a"]
