"""Paths govhall writes must be new paths or regular files; a set of files is replaced whole.

A FIFO, a device node, a folder or a symbolic link named by ``--out`` (or
``init PATH``) is refused with exit 1 before any work, with or without
``--force``; ``sample --force`` replaces its three files together or not at
all; a killed run leaves no temporary file behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    result = CliRunner().invoke(main, ["sample", str(ZHENHAI), "--out", str(out), "--rows", "60"])
    assert result.exit_code == 0, result.output
    return out


def _report(data: Path, target: str) -> list[str]:
    return ["report", str(ZHENHAI), "--data", str(data), "--month", "2010-03", "--out", target]


def _init(data: Path, target: str) -> list[str]:
    return ["init", "pinghu", target]


COMMANDS: dict[str, Callable[[Path, str], list[str]]] = {"report": _report, "init": _init}


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.html"
    os.mkfifo(path)
    return path


def _folder(tmp: Path) -> Path:
    path = tmp / "folder.html"
    path.mkdir()
    return path


def _link(tmp: Path) -> Path:
    real = tmp / "real.html"
    real.write_text("kept\n", encoding="utf-8")
    path = tmp / "link.html"
    path.symlink_to(real)
    return path


def _dangling_link(tmp: Path) -> Path:
    path = tmp / "dangling.html"
    path.symlink_to(tmp / "nowhere" / "x.html")
    return path


SPECIAL: dict[str, tuple[Callable[[Path], Path], str, int]] = {
    "fifo": (_fifo, "is a FIFO", 1),
    # a file problem, not a usage error: exit 1 like the others
    "folder": (_folder, "is a folder", 1),
    "link": (_link, "is a symbolic link", 1),
    "dangling link": (_dangling_link, "is a symbolic link", 1),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_a_special_file_is_refused_even_with_force(
    command: str, kind: str, tmp_path: Path, data: Path
) -> None:
    make, message, code = SPECIAL[kind]
    path = make(tmp_path)
    before = os.lstat(path)
    result = CliRunner().invoke(main, [*COMMANDS[command](data, str(path)), "--force"])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert str(path) in result.stderr
    assert "internal error" not in result.output
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "link":
        assert (tmp_path / "real.html").read_text(encoding="utf-8") == "kept\n"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_device_node_is_refused(command: str, data: Path) -> None:
    # /dev/null is a character device on every Unix; replacing it breaks the machine
    before = os.stat("/dev/null")
    result = CliRunner().invoke(main, [*COMMANDS[command](data, "/dev/null"), "--force"])
    assert result.exit_code == 1, result.output
    assert "/dev/null is a character device" in result.stderr
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_path_ending_in_a_slash_names_a_folder_and_is_refused(
    command: str, tmp_path: Path, data: Path
) -> None:
    target = f"{tmp_path}/newdir/"
    result = CliRunner().invoke(main, COMMANDS[command](data, target))
    assert result.exit_code == 1, result.output
    assert "ends in '/'" in result.stderr
    assert not (tmp_path / "newdir").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_empty_path_is_refused_by_name(command: str, data: Path) -> None:
    result = CliRunner().invoke(main, COMMANDS[command](data, ""))
    assert result.exit_code == 1, result.output
    assert "path is empty" in result.stderr
    assert "Device or resource busy" not in result.output


def test_report_creates_missing_folders_and_says_so_in_its_help(tmp_path: Path, data: Path) -> None:
    target = tmp_path / "a" / "b" / "r.html"
    result = CliRunner().invoke(main, _report(data, str(target)))
    assert result.exit_code == 0, result.output
    assert target.is_file()
    help_text = CliRunner().invoke(main, ["report", "--help"]).output
    assert "missing folders are created" in " ".join(help_text.split())


def test_a_sample_member_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "ratings.csv")
    result = CliRunner().invoke(
        main, ["sample", str(ZHENHAI), "--out", str(tmp_path), "--rows", "20", "--force"]
    )
    assert result.exit_code == 1, result.output
    assert "ratings.csv is a FIFO" in result.stderr
    assert not (tmp_path / "cases.csv").exists()


def test_sample_force_is_all_or_nothing_when_the_disk_fills_part_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    args = ["sample", str(ZHENHAI), "--out", str(tmp_path), "--rows", "30"]
    assert runner.invoke(main, args).exit_code == 0
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    import csv
    import types

    import govhall.samples

    writers: list[Any] = []

    class FullDisk:
        """The third file's writer: the disk fills on its first row."""

        def writerow(self, row: Any) -> None:
            raise OSError(28, "No space left on device")

    def writer(stream: Any, **options: Any) -> Any:
        writers.append(stream)
        return FullDisk() if len(writers) == 3 else csv.writer(stream, **options)

    fake_csv = types.SimpleNamespace(writer=writer)
    monkeypatch.setattr(govhall.samples, "csv", fake_csv)
    result = runner.invoke(main, [*args, "--rows", "50", "--force"])
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr
    assert "internal error" not in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


def test_sample_force_restores_the_old_set_when_a_later_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    args = ["sample", str(ZHENHAI), "--out", str(tmp_path), "--rows", "30"]
    assert runner.invoke(main, args).exit_code == 0
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = os.replace
    failed: list[Any] = []

    def replace(source: Any, target: Any) -> None:
        # the third new file fails to move in; putting the old ones back works
        if Path(target).name == "findings.csv" and not failed:
            failed.append(source)
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = runner.invoke(main, [*args, "--rows", "50", "--force"])
    assert result.exit_code == 1, result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


def test_sample_rows_has_an_upper_bound(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["sample", str(ZHENHAI), "--out", str(tmp_path), "--rows", "10000000000"]
    )
    assert result.exit_code == 2
    assert "10000000" in result.output.replace(",", "")
    assert list(tmp_path.iterdir()) == []


def test_sample_into_a_folder_that_cannot_be_created_is_a_clean_error(
    tmp_path: Path,
) -> None:
    # /sys refuses new folders even to root (a read-only folder would not stop root)
    result = CliRunner().invoke(
        main, ["sample", str(ZHENHAI), "--out", "/sys/govhall-test/data", "--rows", "20"]
    )
    assert result.exit_code == 1, result.output
    assert "cannot write /sys/govhall-test/data" in result.stderr
    assert "internal error" not in result.output


def test_a_terminated_sample_leaves_no_temporary_file(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("govhall")),
            "sample",
            str(ZHENHAI),
            "--out",
            str(tmp_path),
            # enough rows that the first file takes seconds to write: the default's second
            # could pass while a busy machine paused this test between seeing it and the signal
            "--rows",
            "1000000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # wait until it writes its first temporary file, then terminate it
    for _ in range(600):
        if any(p.name.startswith(".cases.csv.") for p in tmp_path.iterdir()):
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("sample never started writing")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_the_next_write_removes_temporary_files_of_a_killed_run(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    leftover = tmp_path / f".init.toml.{dead.stdout.strip()}.abc123"
    leftover.write_text("half", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "pinghu", str(tmp_path / "init.toml")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["init.toml"]
