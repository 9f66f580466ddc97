"""The README's main command works as written (all but its `pip install` step)."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _main_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- main-command -->\s*```sh\n(.*?)\n```", readme, re.S)
    assert block is not None, "README has no main-command block"
    return block.group(1).strip()


def test_main_command_installs_the_core_and_the_four_plugins() -> None:
    first = _main_command().split(" && ")[0]
    assert shlex.split(first) == [
        "pip",
        "install",
        ".",
        "plugins/pinghu",
        "plugins/luanchuan",
        "plugins/baoding",
        "plugins/zhenhai",
    ]


def test_main_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    steps = [shlex.split(step) for step in _main_command().split(" && ")[1:]]
    assert [step[:2] for step in steps] == [
        ["govhall", "validate"],
        ["govhall", "sample"],
        ["govhall", "ingest"],
        ["govhall", "kpi"],
        ["govhall", "score"],
        ["govhall", "report"],
    ]
    outputs = []
    for step in steps:
        result = runner.invoke(main, step[1:])
        assert result.exit_code == 0, (step, result.output)
        outputs.append(result.stdout)
    assert re.search(r"^total +29479 +29479 +0 +0 +0$", outputs[2], re.M)
    assert re.search(r"^completion rate +99\.76%$", outputs[3], re.M)
    assert re.search(r"^immediate rate +50\.44%$", outputs[3], re.M)
    again = runner.invoke(main, steps[2][1:])  # the import, run again, changes nothing
    assert again.exit_code == 0
    assert re.search(r"^total +29479 +0 +0 +29479 +0$", again.stdout, re.M)
    assert (tmp_path / "sample" / "zhenhai-2010-03.html").stat().st_size > 10_000


def _printed_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("What it prints")
    block = re.search(r"```text\n(.*?)\n```", readme[start:], re.S)
    assert block is not None
    return block.group(1).splitlines()


def test_the_printed_output_shown_is_real_and_says_where_it_is_trimmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line the README shows is printed, in that order; a gap is a line starting "…"."""
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    printed: list[str] = []
    for step in [shlex.split(step) for step in _main_command().split(" && ")[1:]]:
        result = runner.invoke(main, step[1:])
        assert result.exit_code == 0, (step, result.output)
        printed += result.output.splitlines()
    bytes_line = re.compile(r"\(\d{1,3}(,\d{3})* bytes\)")
    position = 0
    for shown in _printed_block():
        if shown.startswith("…"):
            continue
        wanted = bytes_line.sub("(N bytes)", shown)
        for index in range(position, len(printed)):
            if bytes_line.sub("(N bytes)", printed[index]) == wanted:
                position = index + 1
                break
        else:
            raise AssertionError(f"README shows a line not printed (in that order): {shown!r}")
    # a gap without a "…" line: two shown lines that are not neighbours in the output
    shown_lines = _printed_block()
    for before, after in itertools.pairwise(shown_lines):
        if before.startswith("…") or after.startswith("…"):
            continue
        b, a = (bytes_line.sub("(N bytes)", x) for x in (before, after))
        normal = [bytes_line.sub("(N bytes)", x) for x in printed]
        assert any(normal[i] == b and normal[i + 1] == a for i in range(len(normal) - 1)), (
            f"README leaves lines out between {before!r} and {after!r} without saying so"
        )
