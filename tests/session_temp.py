"""One temporary folder per test session: a run that leaves anything in it fails.

``tests/conftest.py`` takes these hooks. The session points ``tempfile`` (and
``TMPDIR``, for subprocesses) at a new folder of its own inside the system's
temporary folder; other runs on the machine write beside it, never into it, so
what is in it at the session's end is what this session left behind: the run
fails and the summary names it. pytest's own ``tmp_path`` folders stay where
they always are (pytest keeps the last few runs' for inspection).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


class _SessionTemp:
    """The session's temporary folder, and the settings it replaced."""

    def __init__(self) -> None:
        import tempfile

        root = tempfile.gettempdir()
        self.saved = {name: os.environ.get(name) for name in ("TMPDIR", "PYTEST_DEBUG_TEMPROOT")}
        self.tempdir = tempfile.tempdir
        # pytest's own tmp_path folders stay where they always are (it keeps the last few)
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", root)
        self.folder = Path(tempfile.mkdtemp(prefix="govhall-tests-", dir=root))
        # others may pass through (not list it): the test PostgreSQL server runs as the
        # postgres user in a folder of its own in here
        self.folder.chmod(0o711)
        os.environ["TMPDIR"] = str(self.folder)  # subprocesses
        tempfile.tempdir = str(self.folder)  # this process (tempfile caches the folder)
        self.left: list[str] = []

    def finish(self) -> None:
        """Note what is left in the folder, remove it, restore the settings (once)."""
        import shutil
        import tempfile

        if self.folder.is_dir():
            self.left = sorted(path.name for path in self.folder.iterdir())
            shutil.rmtree(self.folder, ignore_errors=True)
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = self.tempdir


_TEMP = pytest.StashKey[_SessionTemp]()


def pytest_configure(config: pytest.Config) -> None:
    """Point the temporary folder (``tempfile``, and ``TMPDIR`` for subprocesses) at a new one.

    Other runs on the machine write to the system's temporary folder at the
    same time; a folder of this session's own says for sure what this session
    left behind (:func:`pytest_sessionfinish` fails the run then).
    """
    config.stash[_TEMP] = _SessionTemp()


@pytest.hookimpl(trylast=True)  # after the plugins' own clean-up at the session's end
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when it left anything in its temporary folder; remove the folder."""
    temp = session.config.stash[_TEMP]
    temp.finish()
    if temp.left and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name what the run left in its temporary folder (a test or the code did not clean up)."""
    left = config.stash[_TEMP].left
    if left:
        terminalreporter.section("left in the temporary folder", red=True)
        shown = ", ".join(left[:20]) + (f" ... ({len(left)} in all)" if len(left) > 20 else "")
        terminalreporter.write_line(
            f"the test run left {shown}: a test, or the code it ran, did not remove what it "
            "made (use tmp_path / tmp_path_factory, or remove the folder in a finally)",
            red=True,
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the folder when no session ran to its end (``--help``, a usage error)."""
    config.stash[_TEMP].finish()


class Scratch:
    """A test module's folder for the files its tests write (set by :func:`module_scratch`)."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def __truediv__(self, name: str) -> Path:
        assert self.path is not None, "the module's scratch fixture has not run"
        return self.path / name


def module_scratch(scratch: Scratch, name: str) -> Any:
    """Return a module-scoped, autouse fixture that makes ``scratch``'s folder, then removes it.

    Use as ``SCRATCH = Scratch()`` and ``scratch = module_scratch(SCRATCH, "name")``.
    """

    @pytest.fixture(scope="module", autouse=True)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
        """Make the module's folder for the files its tests write; remove it after them."""
        scratch.path = tmp_path_factory.mktemp(name)
        yield
        shutil.rmtree(scratch.path, ignore_errors=True)
        scratch.path = None

    return fixture
