"""The Spark driver's class archive (govhall.engines.spark_classes): where it is, when a run
writes it and when it maps it, and that a run with a damaged one still answers right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govhall.engines.spark import java_missing, java_options
from govhall.engines.spark_classes import (
    ARCHIVE_ENV,
    QUIET,
    STALE_SECONDS,
    ClassArchive,
    class_archive,
)

pytest.importorskip("pyspark")


@pytest.fixture
def fake_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JAVA_HOME whose ``bin/java`` exists (the archive's name comes from it)."""
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_bytes(b"")
    monkeypatch.setenv("JAVA_HOME", str(home))
    return home


def test_off_means_no_archive(monkeypatch: pytest.MonkeyPatch, fake_java: Path) -> None:
    monkeypatch.setenv(ARCHIVE_ENV, "off")
    assert class_archive() is None


def _to_write(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ClassArchive, Path]:
    """The archive a run started now writes (none is in ``folder`` yet), and its part file."""
    monkeypatch.setenv(ARCHIVE_ENV, str(folder))
    found = class_archive()
    assert found is not None
    assert found.making is not None
    return found, found.making


def test_the_first_run_writes_the_archive_and_later_runs_map_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    folder = tmp_path / "cache"
    first, _ = _to_write(folder, monkeypatch)
    assert first.making is not None
    assert first.making.parent == folder
    assert first.making.suffix == ".part"
    assert first.java_options() == [f"-XX:ArchiveClassesAtExit={first.making}", QUIET]
    options = java_options("local[2]", tmp_path, first).split()
    assert options[-2:] == first.java_options()
    assert not first.finish()  # the JVM wrote nothing: no archive
    second, part = _to_write(folder, monkeypatch)
    part.write_bytes(b"classes")
    assert second.finish()
    assert second.path.read_bytes() == b"classes"
    assert not part.exists()
    third = class_archive()
    assert third == ClassArchive(second.path)
    assert third.java_options() == [f"-XX:SharedArchiveFile={second.path}", QUIET]


def test_another_java_gets_an_archive_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    monkeypatch.setenv(ARCHIVE_ENV, str(tmp_path / "cache"))
    one = class_archive()
    other = tmp_path / "other-jdk"
    (other / "bin").mkdir(parents=True)
    (other / "bin" / "java").write_bytes(b"")
    monkeypatch.setenv("JAVA_HOME", str(other))
    two = class_archive()
    assert one is not None
    assert two is not None
    assert one.path != two.path


def test_an_empty_archive_is_written_again_and_stale_parts_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    folder = tmp_path / "cache"
    found, _ = _to_write(folder, monkeypatch)
    found.path.write_bytes(b"")  # a file left empty counts as none
    stale = folder / f"{found.path.stem}.old.part"
    fresh = folder / f"{found.path.stem}.new.part"
    for part in (stale, fresh):
        part.write_bytes(b"x")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    _to_write(folder, monkeypatch)
    assert not stale.exists()
    assert fresh.exists()  # another run may still be writing it


def test_a_folder_that_cannot_be_made_means_no_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ARCHIVE_ENV, str(blocked / "cache"))
    assert class_archive() is None


RUN = """
import json
from govhall.engines import open_engine
engine = open_engine("spark", master="local[1]")
jvm = engine.session.sparkContext._jvm
arguments = list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
answer = engine.query("SELECT 1 + 1 AS two")
engine.close()
print(json.dumps({"answer": answer, "archive": [a for a in arguments if "Archive" in a]}))
"""
"""A Spark run in a process of its own: its answer and the JVM's archive options, as JSON."""


def _run(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN],
        capture_output=True,
        text=True,
        env={**os.environ, ARCHIVE_ENV: str(folder)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, Any] = json.loads(done.stdout)  # the JVM wrote nothing else there
    assert found["answer"] == [[2]]
    return found


def test_runs_write_map_and_survive_a_damaged_archive(tmp_path: Path) -> None:
    """Three real runs: the first writes the archive, the second maps it, the third finds it
    damaged and starts without it; each answers and prints its JSON alone on stdout."""
    missing = java_missing()
    if missing:
        if os.environ.get("GOVHALL_REQUIRE_SPARK") == "1":
            pytest.fail(f"GOVHALL_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    folder = tmp_path / "archive"
    first = _run(folder)
    (archive,) = folder.iterdir()  # in place, no unfinished part left over
    assert archive.suffix == ".jsa"
    assert archive.stat().st_size > 1_000_000
    (written,) = first["archive"]  # the JVM wrote a part, renamed into place at close
    assert written.startswith(f"-XX:ArchiveClassesAtExit={folder / archive.stem}.")
    assert written.endswith(".part")
    assert _run(folder)["archive"] == [f"-XX:SharedArchiveFile={archive}"]
    archive.chmod(0o644)
    archive.write_bytes(b"not an archive" * 1000)
    assert _run(folder)["archive"] == [f"-XX:SharedArchiveFile={archive}"]
    assert sorted(folder.iterdir()) == [archive]  # a damaged archive is left, not rewritten


def test_the_default_folder_is_the_users_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    monkeypatch.delenv(ARCHIVE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    found = class_archive()
    assert found is not None
    assert found.path.parent == tmp_path / "xdg" / "govhall"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    found = class_archive()
    assert found is not None
    assert found.path.parent == tmp_path / "home" / ".cache" / "govhall"
