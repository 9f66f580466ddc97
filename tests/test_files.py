"""Safe writes: atomic, no silent overwrite, the file mode a plain open() would give."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govhall.errors import GovhallError
from govhall.files import write_text_atomic


def test_new_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        written = write_text_atomic(tmp_path / "x.toml", "a = 1\n")
    finally:
        os.umask(old)
    assert written.stat().st_mode & 0o777 == 0o644


def test_overwrite_keeps_the_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("a = 1\n")
    target.chmod(0o600)
    write_text_atomic(target, "a = 2\n", force=True)
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text() == "a = 2\n"


def test_refuses_to_overwrite_without_force_and_leaves_the_file(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("keep\n")
    with pytest.raises(GovhallError, match="already exists; use --force"):
        write_text_atomic(target, "new\n")
    assert target.read_text() == "keep\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.toml"]
