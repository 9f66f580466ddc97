"""Commands that write files refuse to overwrite without --force and write atomically.

The commands are ``init``, ``sample``, ``new-plugin`` and ``report``
(``score --csv`` and ``rewards --csv`` print on stdout and write no file).
For each: a first run writes; a second run without ``--force`` exits 1,
names the file and leaves it as it was; ``--force`` replaces it. Every file
is written through a temporary file in the same folder and one rename, so a
failed rename (disk full) leaves the old file whole and exits 1 with a
message, never a traceback.
"""

from __future__ import annotations

import os
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
    result = CliRunner().invoke(
        main, ["sample", str(ZHENHAI), "--out", str(out), "--rows", "60", "--force"]
    )
    assert result.exit_code == 0, result.output
    return out


def _init(tmp: Path, _: Path) -> tuple[list[str], list[Path]]:
    target = tmp / "out" / "pinghu.toml"
    return ["init", "pinghu", str(target)], [target]


def _sample(tmp: Path, _: Path) -> tuple[list[str], list[Path]]:
    out = tmp / "out"
    files = [out / f"{stem}.csv" for stem in ("cases", "ratings", "findings")]
    return ["sample", str(ZHENHAI), "--out", str(out), "--rows", "20"], files


def _new_plugin(tmp: Path, _: Path) -> tuple[list[str], list[Path]]:
    out = tmp / "out"
    return ["new-plugin", "fifth", str(out)], [out / "pyproject.toml", out / "fifth.toml"]


def _report(tmp: Path, data: Path) -> tuple[list[str], list[Path]]:
    target = tmp / "out" / "report.html"
    args = ["report", str(ZHENHAI), "--data", str(data), "--month", "2010-03", "--out", str(target)]
    return args, [target]


WRITERS: dict[str, Callable[[Path, Path], tuple[list[str], list[Path]]]] = {
    "init": _init,
    "sample": _sample,
    "new-plugin": _new_plugin,
    "report": _report,
}


def _leftovers(folder: Path) -> list[str]:
    """Temporary files (``.NAME.xxxx``) left in a folder tree."""
    return sorted(p.name for p in folder.rglob(".*") if p.is_file())


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_second_run_refuses_to_overwrite_without_force(
    name: str, tmp_path: Path, data: Path
) -> None:
    args, files = WRITERS[name](tmp_path, data)
    runner = CliRunner()
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert all(path.is_file() for path in files)
    files[0].write_text("kept by the operator\n", encoding="utf-8")

    again = runner.invoke(main, args)
    assert again.exit_code == 1
    assert str(files[0]) in again.stderr
    assert "already exist" in again.stderr
    assert "use --force to overwrite" in again.stderr
    assert "Traceback" not in again.output
    assert files[0].read_text(encoding="utf-8") == "kept by the operator\n"

    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert files[0].read_text(encoding="utf-8") != "kept by the operator\n"
    assert _leftovers(tmp_path / "out") == []


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_file_is_written_by_a_rename_from_the_same_folder(
    name: str, tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, files = WRITERS[name](tmp_path, data)
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        renames.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = {target for _, target in renames}
    assert set(files) <= written
    for source, target in renames:
        assert source.parent == target.parent
        assert source.name.startswith(f".{target.name}.")
        assert not source.exists()
    assert _leftovers(tmp_path / "out") == []


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_failed_rename_keeps_the_old_file_and_exits_1(
    name: str, tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, files = WRITERS[name](tmp_path, data)
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0
    old = {path: path.read_bytes() for path in files}

    def full_disk(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = runner.invoke(main, [*args, "--force"])
    assert result.exit_code == 1
    assert "cannot write " in result.stderr
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert {path: path.read_bytes() for path in files} == old


@pytest.mark.parametrize("name", ["init", "sample"])
def test_a_failed_rename_leaves_no_temporary_file(
    name: str, tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, _ = WRITERS[name](tmp_path, data)
    (tmp_path / "out").mkdir()

    def full_disk(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert CliRunner().invoke(main, args).exit_code == 1
    assert _leftovers(tmp_path / "out") == []


@pytest.mark.parametrize("command", ["score", "rewards"])
def test_csv_output_goes_to_stdout_and_writes_no_file(
    command: str, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = ["--month", "2010-03"] if command == "score" else ["--year", "2010"]
    monkeypatch.chdir(tmp_path)
    before = sorted(data.iterdir())
    result = CliRunner().invoke(
        main, [command, str(ZHENHAI), "--data", str(data), *period, "--csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(("month,kind,id", "year,kind,id"))
    assert list(tmp_path.iterdir()) == []
    assert sorted(data.iterdir()) == before
