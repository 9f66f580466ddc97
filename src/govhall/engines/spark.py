"""The ``spark`` engine: the measures run by Apache Spark.

Local mode on this machine by default (``local[*]``); a cluster when
``master`` (``--master``) names one, or Spark Connect when ``SPARK_REMOTE``
is set. Spark's own files (``spark-warehouse/``, ``metastore_db/``, Derby's
log) go to a temporary folder, never into the working directory.

Relations given as Arrow tables are handed over as Parquet files in that
temporary folder; on a cluster whose workers do not share this machine's
disk, give the large relations as SQL over storage they can read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govhall.engines.base import EngineError
from govhall.engines.measures import for_dialect

DEFAULT_MASTER = "local[*]"
SHUFFLE_PARTITIONS = 8
"""Partitions after a join or aggregate: a few per core suits one machine (Spark's 200 do not)."""
ROW_GROUP_ROWS = 1 << 17
"""Rows per row group of a relation handed over as Parquet: Spark splits a file's scan
into tasks at row-group boundaries only, so a file of one large group is read by one core."""


class SparkEngine:
    """Counts on Apache Spark.

    Args:
        master: Spark master URL (``local[2]``, ``spark://host:7077`` ...);
            default ``SPARK_REMOTE`` (Spark Connect) if set, else ``local[*]``.
        session: A running ``SparkSession`` to use (and not stop on close).
    """

    name = "spark"
    dialect = "spark"

    def __init__(self, master: str | None = None, *, session: Any = None) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="govhall-spark-"))
        # removed on close, or when the engine is dropped unclosed, or at exit at the latest
        self._remove_scratch = weakref.finalize(
            self, shutil.rmtree, str(self._scratch), ignore_errors=True
        )
        self._owned = session is None
        try:
            self.session = session if session is not None else start_session(master, self._scratch)
        except BaseException:
            self._remove_scratch()
            raise
        self._count = 0

    def register(self, relations: Mapping[str, Any]) -> None:
        """Make each relation known by its name, as a temporary view."""
        import pyarrow.parquet as pq

        for name, relation in relations.items():
            if isinstance(relation, str):
                frame = self.session.sql(relation)
            else:
                self._count += 1
                path = self._scratch / f"{name}-{self._count}.parquet"
                pq.write_table(relation, path, row_group_size=ROW_GROUP_ROWS)
                frame = self.session.read.parquet(str(path))
            frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a measure's SQL (turned into Spark's dialect) and return its rows."""
        try:
            rows = self.session.sql(for_dialect(sql, self.dialect)).collect()
        except Exception as exc:  # py4j and Spark errors share no base class
            raise EngineError(f"spark engine: {str(exc).splitlines()[0]}") from None
        return [tuple(row) for row in rows]

    def close(self) -> None:
        """Stop the Spark session if this engine started it; remove the temporary folder."""
        try:
            if self._owned:
                self.session.stop()
        finally:
            self._remove_scratch()


def java_missing() -> str | None:
    """Return why Spark cannot start here (no Java), or ``None``."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "no Java found (install a Java runtime, e.g. Debian's default-jre-headless)"


def start_session(master: str | None, scratch: Path) -> Any:
    """Start (or join) a Spark session whose files stay in ``scratch``.

    Raises:
        EngineError: pyspark is not installed, or there is no Java.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the spark engine needs pyspark: pip install 'govhall[spark]'") from None
    remote = os.environ.get("SPARK_REMOTE")
    if master is None and remote:
        return SparkSession.builder.remote(remote).getOrCreate()
    why = java_missing()
    if why is not None:
        raise EngineError(f"the spark engine cannot start: {why}")
    derby = f"-Dderby.system.home={scratch}"
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("govhall")
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        .config("spark.driver.extraJavaOptions", derby)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start
        raise EngineError(f"the spark engine cannot start: {str(exc).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session
