"""The generated reference pages match the code; every hook is documented and tested."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govhall.plugins import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name in vars(hookspecs) if name.startswith("govhall_"))


def _signature(name: str) -> str:
    function = getattr(hookspecs, name)
    signature = inspect.signature(function)
    params = ", ".join(f"{arg}: {p.annotation}" for arg, p in signature.parameters.items())
    return f"{name}({params}) -> {signature.return_annotation}"


def test_generated_pages_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_heading_with_its_exact_signature(hook: str) -> None:
    page = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    assert f"## `{_signature(hook)}`" in page


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_docstring_has_an_example(hook: str) -> None:
    assert "Example" in (getattr(hookspecs, hook).__doc__ or "")


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook: str) -> None:
    pattern = re.compile(rf"\b{hook}\b")
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_docs.py"]
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in tests), (
        f"no test mentions {hook}"
    )


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- test-command -->\s*```(?:sh|bash|console)?\n(.*?)\n```", readme, re.S)
    assert block is not None, "README has no test-command block"
    command = block.group(1).strip()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci_lines
