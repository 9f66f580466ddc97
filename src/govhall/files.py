"""Safe file writing: atomic replace, no silent overwrite, nothing left behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from govhall.errors import GovhallError


@contextlib.contextmanager
def open_atomic(path: str | Path, *, force: bool = False, newline: str = "\n") -> Iterator[TextIO]:
    """Open a text stream whose content replaces ``path`` only once it is complete.

    The stream writes to a temporary file beside ``path``; on success it is
    renamed over ``path`` (a reader never sees a half-written file), and on
    any failure it is removed and the old file stays as it was.

    Raises:
        GovhallError: ``path`` exists and ``force`` is false, or it cannot be written.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
        >>> with open_atomic(target) as stream:
        ...     _ = stream.write("a,b\\n")
        >>> target.read_text()
        'a,b\\n'
    """
    target = Path(path)
    if target.exists() and not force:
        raise GovhallError(f"{target} already exists; use --force to overwrite it")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as stream:
            yield stream
        # mkstemp creates the file 0600; give it the mode a plain open() would have.
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


def write_text_atomic(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`open_atomic`).

    Raises:
        GovhallError: ``path`` exists and ``force`` is false, or it cannot be written.
    """
    with open_atomic(path, force=force) as stream:
        stream.write(text)
    return Path(path)


def _mode_for(target: Path) -> int:
    """Keep an overwritten file's mode; a new file gets 0666 minus the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
