"""The Python API page: every example in docs/api.md runs, in a folder holding configs/."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "api.md"


def test_every_session_method_has_a_worked_example() -> None:
    text = PAGE.read_text(encoding="utf-8")
    calls = ["open_hall(", ".deadline(", ".hours(", ".open_at(", ".chain(", ".kpis("]
    calls += [".score(", ".rewards(", ".report(", ".ratings(", ".write_sample(", "govhall.due_at("]
    for call in calls:
        assert call in text, call


def test_the_api_page_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(PAGE.read_text(encoding="utf-8"), {}, "api.md", str(PAGE), 0)
    assert len(test.examples) >= 30
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed (see above)"
