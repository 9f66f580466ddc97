"""The documentation site builds with ``mkdocs build --strict`` and no warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _blocks(text: str) -> dict[str, str]:
    """Return the command blocks marked ``<!-- main-command -->`` / ``<!-- test-command -->``."""
    pattern = r"<!-- (main-command|test-command) -->\s*```(?:sh|bash|console)?\n(.*?)\n```"
    return {name: body.strip() for name, body in re.findall(pattern, text, re.S)}


def test_docs_build_strictly_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is in the dev extra")
    pytest.importorskip("material", reason="mkdocs-material is in the dev extra")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    for page in ("index", "concepts", "plugin-guide", "hooks", "config", "cli"):
        assert (tmp_path / ("" if page == "index" else page) / "index.html").is_file(), page


def test_every_docs_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w-]+\.md)\s*$", config, re.M))
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert pages == listed


def test_quickstart_gives_the_readme_commands() -> None:
    readme = _blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    index = _blocks((ROOT / "docs" / "index.md").read_text(encoding="utf-8"))
    assert set(readme) == {"main-command", "test-command"}
    assert index == readme
