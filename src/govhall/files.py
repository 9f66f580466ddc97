"""Safe file writing: atomic replace, no silent overwrite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from govhall.errors import GovhallError


def write_text_atomic(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A reader never sees a half-written file, and a crash leaves the old file.

    Raises:
        GovhallError: ``path`` exists and ``force`` is false, or it cannot be written.
    """
    target = Path(path)
    if target.exists() and not force:
        raise GovhallError(f"{target} already exists; use --force to overwrite it")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp creates the file 0600; give it the mode a plain open() would have.
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as exc:
        raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def _mode_for(target: Path) -> int:
    """Keep an overwritten file's mode; a new file gets 0666 minus the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
