"""The Spark driver's class archive: the classes one run's JVM loaded, mapped by the next.

A Spark run on one machine loads some 20,000 classes before its first
query (Spark, Scala, Catalyst, Parquet). The JVM can keep the classes a run
loaded in a file (a dynamic class-data-sharing archive, JDK 13 and later)
and map that file at its next start instead of loading and checking each
class again. Measured on two cores (``bench/bench_spark_phases.py``, 5,000,000
cases, Parquet, ``local[2]``): a whole run 24.0-27.9 s without the archive,
18.9-21.0 s with it; the JVM's CPU 29.5-33.7 s against 22.4-24.8 s.

The first run on a machine writes the archive: its JVM is given
``-XX:ArchiveClassesAtExit`` and, when the engine closes, is stopped and
waited for (it writes the file, about 180 MB, as it exits); the file is then
renamed into place, so no run ever maps a half-written archive. Later runs
give ``-XX:SharedArchiveFile``. The archive is named after the Java binary
and the pyspark install, so another JDK or Spark makes a new one; a JVM that
cannot use an archive (another build, a damaged file) starts without it, and
the JVM's own messages about archives are switched off (they would go to
standard output, where ``--json`` writes its document).

Where: ``$GOVHALL_SPARK_CLASS_ARCHIVE`` if set (a folder; ``off`` for no
archive), else ``$XDG_CACHE_HOME/govhall`` (``~/.cache/govhall``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ARCHIVE_ENV = "GOVHALL_SPARK_CLASS_ARCHIVE"
"""Environment variable: the folder of the class archive, or ``off``."""
QUIET = "-Xlog:cds*=off"
"""The JVM option that silences its messages about class archives (they go to standard output)."""
STALE_SECONDS = 3600
"""An unfinished archive older than this is left over from a run that did not close: removed."""
EXIT_SECONDS = 120
"""How long closing waits for a JVM writing the archive to exit."""


@dataclass(frozen=True, slots=True)
class ClassArchive:
    """The archive a driver JVM maps (``making`` is ``None``) or writes at exit (to ``making``)."""

    path: Path
    making: Path | None = None

    def java_options(self) -> list[str]:
        """The JVM options that map the archive, or write it at exit."""
        if self.making is None:
            return [f"-XX:SharedArchiveFile={self.path}", QUIET]
        return [f"-XX:ArchiveClassesAtExit={self.making}", QUIET]

    def finish(self) -> bool:
        """Put the archive the JVM wrote at exit into place; whether there is one now.

        Call it once the JVM has exited (:func:`stop_driver_jvm`); an empty or
        missing file (the JVM did not write it) is removed, not kept.
        """
        if self.making is None:
            return self.path.is_file()
        try:
            if self.making.stat().st_size > 0:
                os.replace(self.making, self.path)
                return True
        except OSError:
            pass
        self.making.unlink(missing_ok=True)
        return False


def class_archive() -> ClassArchive | None:
    """The class archive for a driver JVM started now, or ``None`` (switched off, no Java,
    or its folder cannot be written)."""
    setting = os.environ.get(ARCHIVE_ENV, "").strip()
    if setting.lower() == "off":
        return None
    if setting:
        folder = Path(setting)
    else:
        try:
            cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        except (KeyError, RuntimeError):  # no home folder to be found: no archive
            return None
        folder = Path(cache) / "govhall"
    key = _install_key()
    if key is None:
        return None
    path = folder / f"spark-classes-{key}.jsa"
    if path.is_file() and path.stat().st_size > 0:
        return ClassArchive(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale(folder, key)
    except OSError:
        return None
    return ClassArchive(path, folder / f"spark-classes-{key}.{uuid.uuid4().hex}.part")


def _install_key() -> str | None:
    """A name for this Java and pyspark install (another JDK or Spark: another archive)."""
    import pyspark

    home = os.environ.get("JAVA_HOME")
    java = Path(home) / "bin" / "java" if home else None
    if java is None or not java.exists():
        found = shutil.which("java")
        if found is None:
            return None
        java = Path(found)
    java = java.resolve()
    try:
        built = java.stat().st_mtime_ns
    except OSError:
        return None
    text = f"{java}|{built}|{pyspark.__version__}|{Path(pyspark.__file__).parent}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _remove_stale(folder: Path, key: str) -> None:
    """Remove unfinished archives of runs that did not close (older than an hour)."""
    now = time.time()
    for part in folder.glob(f"spark-classes-{key}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()
        except OSError:
            continue


def stop_driver_jvm() -> bool:
    """Stop the driver JVM pyspark launched in this process and wait for it to exit.

    The JVM ends when the pipe to its standard input closes; a later session
    starts a new one. Returns whether it exited in :data:`EXIT_SECONDS`
    (``False`` too when this process did not launch it).
    """
    import subprocess

    from pyspark import SparkContext

    gateway = SparkContext._gateway
    process = getattr(gateway, "proc", None)
    if gateway is None or process is None or process.stdin is None:
        return False
    with contextlib.suppress(Exception):  # the connection may be gone; the pipe still ends it
        gateway.shutdown()
    process.stdin.close()
    try:
        process.wait(timeout=EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        return False
    finally:
        SparkContext._gateway = None
        SparkContext._jvm = None
    return True
