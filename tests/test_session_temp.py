"""A test run leaves nothing in the temporary folder, or fails naming what it left.

Each run here is a pytest session of its own (pytester) with the hooks of
``tests/session_temp.py``, which ``tests/conftest.py`` gives this suite.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

LEAK = """
import tempfile

def test_leaves_a_folder():
    tempfile.mkdtemp(prefix="govhall-leaky-")
"""

CLEAN = """
import subprocess
import sys
import tempfile

def test_cleans_up(tmp_path):
    with tempfile.TemporaryDirectory(prefix="govhall-tidy-"):
        pass
    (tmp_path / "kept-by-pytest.txt").write_text("pytest's own folders are not checked")
    code = "import tempfile; tempfile.TemporaryDirectory(prefix='govhall-child-').cleanup()"
    subprocess.run([sys.executable, "-c", code], check=True)
"""

CHILD_LEAK = """
import subprocess
import sys

def test_a_subprocess_leaves_a_folder():
    code = "import tempfile; tempfile.mkdtemp(prefix='govhall-child-')"
    subprocess.run([sys.executable, "-c", code], check=True)
"""


def _sessions_left() -> list[str]:
    """This process's temporary folder's ``govhall-tests-*`` folders (the runs' own)."""
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob("govhall-tests-*"))


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    before = _sessions_left()
    settings = (os.environ.get("TMPDIR"), tempfile.gettempdir())
    result = pytester.runpytest_inprocess(
        "-p", "session_temp", "-p", "no:cacheprovider", *args, no_reraise_ctrlc=True
    )
    assert _sessions_left() == before  # the run's folder is gone, whatever happened
    assert (os.environ.get("TMPDIR"), tempfile.gettempdir()) == settings  # and restored
    return result


def test_a_run_that_leaves_a_folder_fails_and_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak=LEAK)
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*left in the temporary folder*", "*the test run left govhall-leaky-*"]
    )


def test_a_folder_a_subprocess_leaves_counts_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_child=CHILD_LEAK)
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*the test run left govhall-child-*"])


def test_a_run_that_cleans_up_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_clean=CLEAN)
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)
    assert "left in the temporary folder" not in result.stdout.str()


def test_a_failed_run_stays_failed_and_still_names_what_it_left(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_leak=LEAK + "\ndef test_fails():\n    assert False\n")
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*the test run left govhall-leaky-*"])


def test_help_leaves_no_session_folder(pytester: pytest.Pytester) -> None:
    assert _run(pytester, "--help").ret == pytest.ExitCode.OK


YAML_CASE = """\
- name: one overdue case
  config: hall.toml
  plugins: [govhall_pinghu]
  kpi:
    data: {cases: [{case_id: c1, window: police, item: move, kind: promised,
                    received_at: 2010-03-01T09:00, status: concluded,
                    concluded_at: 2010-03-10T10:00, visits: 1}]}
  expect: {accepted: 1}
"""
HALL = """\
[hall]
county = "pinghu"

[[items]]
id = "move"
name = "户口迁移"
window = "police"
kind = "promised"
promised_days = 5
"""


@pytest.mark.parametrize("then", ["passes", "fails", "interrupts"])
def test_the_data_folders_of_yaml_cases_are_removed_when_the_session_ends(
    pytester: pytest.Pytester, then: str
) -> None:
    """govhall.testing writes a case's rows into a temporary folder; it goes at the end."""
    pytester.makefile(".toml", hall=HALL)
    pytester.makefile(".govhall.yaml", a_cases=YAML_CASE)  # collected first
    body = {"passes": "pass", "fails": "assert False", "interrupts": "raise KeyboardInterrupt"}
    pytester.makepyfile(test_then=f"def test_then():\n    {body[then]}\n")
    result = _run(pytester)
    assert "left in the temporary folder" not in result.stdout.str()
    expected = {
        "passes": pytest.ExitCode.OK,
        "fails": pytest.ExitCode.TESTS_FAILED,
        "interrupts": pytest.ExitCode.INTERRUPTED,
    }
    assert result.ret == expected[then], textwrap.indent(result.stdout.str(), "  ")
