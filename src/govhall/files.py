"""Safe file writing: atomic replace, no silent overwrite, nothing left behind.

A path govhall writes (``--out``, ``init PATH``, ``new-plugin DIRECTORY``) must
be a new path or an existing regular file. Anything else is refused before
any work is done, with or without ``--force``:

- a folder, a FIFO, a socket or a device node (``/dev/null``, ``/dev/full``):
  an atomic rename would replace the special file itself;
- a symbolic link, even to a regular file: a rename would replace the link
  with a plain file and writing through it would change a file elsewhere;
  the message names the link's target so the user can write there instead;
- an empty path, or a path ending in ``/`` where a file is expected.

Missing parent folders are created. Every file is first written to a hidden
temporary file ``.NAME.PID.xxxx`` beside it and renamed into place once
complete; a failure removes it. A run that was killed outright (``kill -9``)
cannot clean up; the next write to the same path removes the temporary
files of processes that no longer run.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from govhall.errors import GovhallError


def check_target(path: str | Path, *, force: bool = False, what: str = "file") -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if govhall may write a file there.

    Raises:
        GovhallError: ``path`` is empty, names a folder (ends in ``/``), is a
            symbolic link or anything but a regular file, or exists and
            ``force`` is false.

    Example:
        >>> try:
        ...     check_target("/dev/null", force=True)
        ... except GovhallError as exc:
        ...     print(exc)
        /dev/null is a character device; govhall writes only new paths or regular files
    """
    text = os.fspath(path)
    if not text.strip():
        raise GovhallError(f"the {what} path is empty")
    target = Path(text)
    if text.endswith(("/", os.sep)):
        raise GovhallError(f"{text} ends in '/', so it names a folder; give a {what} name")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise GovhallError(
            f"{target} is a symbolic link (to {os.readlink(target)}); govhall does not "
            "write through or replace links, give the real path instead"
        )
    if not stat.S_ISREG(info.st_mode):
        raise GovhallError(
            f"{target} is {_kind(info.st_mode)}; govhall writes only new paths or regular files"
        )
    if not force:
        raise GovhallError(f"{target} already exists; use --force to overwrite it")
    return target


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _remove_stale(target: Path, directory: Path) -> None:
    """Remove temporary files of ``target`` left by processes that no longer run."""
    with contextlib.suppress(OSError):
        for leftover in directory.glob(f".{target.name}.*.*"):
            pid = leftover.name[len(target.name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
                with contextlib.suppress(OSError):
                    leftover.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _stage(target: Path) -> tuple[int, str]:
    """Create the folder and a temporary file beside ``target``; return (fd, path)."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _remove_stale(target, directory)
        return tempfile.mkstemp(prefix=_prefix(target), dir=directory)
    except OSError as exc:
        raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def open_atomic(path: str | Path, *, force: bool = False, newline: str = "\n") -> Iterator[TextIO]:
    """Open a text stream whose content replaces ``path`` only once it is complete.

    The stream writes to a temporary file beside ``path``; on success it is
    renamed over ``path`` (a reader never sees a half-written file), and on
    any failure it is removed and the old file stays as it was.

    Raises:
        GovhallError: ``path`` exists and ``force`` is false, it is not a
            regular file (see :func:`check_target`), or it cannot be written.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
        >>> with open_atomic(target) as stream:
        ...     _ = stream.write("a,b\\n")
        >>> target.read_text()
        'a,b\\n'
    """
    target = check_target(path, force=force)
    handle, temporary = _stage(target)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as stream:
            yield stream
        # mkstemp creates the file 0600; give it the mode a plain open() would have.
        os.chmod(temporary, _mode_for(target))
        check_target(target, force=True)  # nothing replaced it by a special file meanwhile
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


class FileSet:
    """Files that replace their old versions together or not at all.

    Use :func:`open_set`; :meth:`open` writes one member to its temporary
    file, and the set is renamed into place only when every member is complete.
    """

    def __init__(self, targets: Sequence[Path]) -> None:
        self.targets = tuple(targets)
        self._staged: dict[Path, str] = {}

    @contextlib.contextmanager
    def open(self, target: Path, *, newline: str = "\n") -> Iterator[TextIO]:
        """Write member ``target``; it stays a temporary file until the set commits."""
        if target not in self.targets or target in self._staged:
            raise ValueError(f"{target} is not an unwritten member of this set")
        handle, temporary = _stage(target)
        self._staged[target] = temporary
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as stream:
                yield stream
        except OSError as exc:
            raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc

    def stage(self, target: Path) -> Path:
        """Return the temporary path of member ``target``, for a writer that takes a path.

        DuckDB's ``COPY ... TO`` writes a file by name: it writes here, and the
        path is renamed into place with the rest of the set.
        """
        if target not in self.targets or target in self._staged:
            raise ValueError(f"{target} is not an unwritten member of this set")
        handle, temporary = _stage(target)
        os.close(handle)
        self._staged[target] = temporary
        return Path(temporary)

    def _commit(self) -> None:
        missing = [str(t) for t in self.targets if t not in self._staged]
        if missing:
            raise ValueError(f"members never written: {', '.join(missing)}")
        done: list[tuple[Path, str | None]] = []  # (target, backup of its old version)
        try:
            for target in self.targets:
                temporary = self._staged[target]
                os.chmod(temporary, _mode_for(target))
                check_target(target, force=True)
                backup = None
                if target.exists():
                    handle, backup = tempfile.mkstemp(prefix=_prefix(target), dir=target.parent)
                    os.close(handle)
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(temporary, target)
        except OSError as exc:
            for target, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is None:
                        target.unlink()
                    else:
                        os.replace(backup, target)
            raise GovhallError(f"cannot write {target}: {exc.strerror or exc}") from exc
        finally:
            for _, backup in done:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(backup)

    def _discard(self) -> None:
        for temporary in self._staged.values():
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@contextlib.contextmanager
def open_set(paths: Sequence[str | Path], *, force: bool = False) -> Iterator[FileSet]:
    """Write several files that replace their old versions as one set.

    Every member is written to a temporary file first; only when the block
    ends without error are they renamed into place. A failure while writing
    (a full disk) leaves every old file as it was; a failed rename puts the
    members already renamed back to their old versions.

    Raises:
        GovhallError: A member exists and ``force`` is false (nothing is
            written then), a member is not a regular file, or one cannot be written.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> members = [folder / "a.csv", folder / "b.csv"]
        >>> with open_set(members) as files:
        ...     for member in members:
        ...         with files.open(member) as stream:
        ...             _ = stream.write(member.name)
        >>> sorted(p.name for p in folder.iterdir())
        ['a.csv', 'b.csv']
    """
    targets = [Path(p) for p in paths]
    for target in targets:
        check_target(target, force=True)
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise GovhallError(f"{', '.join(existing)} already exist(s); use --force to overwrite")
    files = FileSet(targets)
    try:
        yield files
        files._commit()
    finally:
        files._discard()


def _mode_for(target: Path) -> int:
    """Keep an overwritten file's mode; a new file gets 0666 minus the umask."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
