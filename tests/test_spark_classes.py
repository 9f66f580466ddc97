"""The Spark driver's class archive (govhall.engines.spark_classes): where it is, when a run
writes it and when it maps it, and that a run with a damaged one still answers right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_engines import _config, _write

from govhall.cli import main as cli
from govhall.engines.spark import java_missing, java_options
from govhall.engines.spark_classes import (
    ARCHIVE_ENV,
    QUIET,
    STALE_SECONDS,
    ClassArchive,
    class_archive,
)
from govhall.session import open_hall

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


def test_the_first_run_writes_the_archive_and_later_runs_map_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(ARCHIVE_ENV, str(folder))
    first = class_archive()
    assert first is not None
    assert first.making is not None
    assert first.making.parent == folder
    assert first.making.suffix == ".part"
    assert first.java_options() == [f"-XX:ArchiveClassesAtExit={first.making}", QUIET]
    options = java_options("local[2]", tmp_path, first).split()
    assert options[-2:] == first.java_options()
    assert not first.finish()  # the JVM wrote nothing: no archive
    second = class_archive()
    assert second is not None
    assert second.making is not None
    second.making.write_bytes(b"classes")
    assert second.finish()
    assert second.path.read_bytes() == b"classes"
    assert not second.making.exists()
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
    monkeypatch.setenv(ARCHIVE_ENV, str(folder))
    found = class_archive()
    assert found is not None
    found.path.write_bytes(b"")  # a file left empty counts as none
    stale = folder / f"{found.path.stem}.old.part"
    fresh = folder / f"{found.path.stem}.new.part"
    for part in (stale, fresh):
        part.write_bytes(b"x")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    again = class_archive()
    assert again is not None
    assert again.making is not None
    assert not stale.exists()
    assert fresh.exists()  # another run may still be writing it


def test_a_folder_that_cannot_be_made_means_no_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_java: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ARCHIVE_ENV, str(blocked / "cache"))
    assert class_archive() is None


def _kpi(config: Path, data: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """``govhall kpi --engine spark --json`` in a process of its own, archive in ``folder``."""
    code = "import sys\nfrom govhall.cli import main\nsys.exit(main())"
    args = ["kpi", str(config), "--data", str(data), "--engine", "spark", "--master",
            "local[1]", "--json"]  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, ARCHIVE_ENV: str(folder)},
        timeout=600,
    )


def test_runs_write_map_and_survive_a_damaged_archive(tmp_path: Path) -> None:
    """Three real runs: the first writes the archive, the second maps it, the third finds it
    damaged and starts without it; each prints the rows engine's JSON and nothing else."""
    missing = java_missing()
    if missing:
        if os.environ.get("GOVHALL_REQUIRE_SPARK") == "1":
            pytest.fail(f"GOVHALL_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    config = _config("pinghu", tmp_path)
    data = _write(open_hall(config), tmp_path / "data", seed=2, count=60)
    expected = CliRunner().invoke(
        cli, ["kpi", str(config), "--data", str(data), "--engine", "rows", "--json"]
    )
    assert expected.exit_code == 0, expected.output
    folder = tmp_path / "archive"
    for run in ("writes", "maps", "damaged"):
        done = _kpi(config, data, folder)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout) == json.loads(expected.stdout), run
        archives = sorted(folder.iterdir())
        assert [path.suffix for path in archives] == [".jsa"], archives  # no part left over
        if run == "writes":
            assert archives[0].stat().st_size > 1_000_000
        if run == "maps":
            archives[0].chmod(0o644)
            archives[0].write_bytes(b"not an archive" * 1000)
