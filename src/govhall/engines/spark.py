"""The ``spark`` engine: the measures run by Apache Spark.

Local mode on this machine by default (``local[*]``); a cluster when
``master`` (``--master``) names one, or Spark Connect when ``SPARK_REMOTE``
is set. Spark's own files (``spark-warehouse/``, ``metastore_db/``, Derby's
log) go to a temporary folder, never into the working directory.

Relations given as Arrow tables, or held by a DuckDB engine
(:meth:`SparkEngine.take_from`), are handed over as Parquet files in that
temporary folder; on a cluster whose workers do not share this machine's
disk, give the large relations as SQL over storage they can read.

What a run on one machine costs, and what is done about it (measured with
``bench/bench_engines.py``, see the Scale page of the docs):

- the JVM starts in a background thread as soon as the engine is opened,
  so that it starts while DuckDB reads the files and the rows are written
  out; the first use of :attr:`SparkEngine.session` waits for it;
- in local mode the driver's JVM compiles with its quick compiler only and
  collects garbage on one thread (:data:`LOCAL_JAVA_OPTIONS`), and Spark
  plans each query once, without adaptive re-planning (:data:`LOCAL_SETTINGS`):
  a run is a few queries of a few seconds, over before the JVM's slower,
  better compiler or re-planning would pay for themselves;
- the cases are written as two files, the paused ones and the others, so
  that the steps of a due time that only concern paused cases skip the
  other row groups (Parquet's statistics) instead of reading every case;
- Spark's ANSI checks of arithmetic are off (:data:`SETTINGS`): the measures
  add whole numbers far inside their types, and the checks cost a third of
  the query;
- the relations a DuckDB engine read from a data folder or a store are
  written as Parquet by DuckDB itself, on its threads, rather than handed
  over as Arrow tables and written by pyarrow (5,000,000 cases: 6.2 s
  instead of 8.8 s to the first query, and no Arrow copy of the rows held:
  the run's peak memory 1.4 GB instead of 2.2 GB);
- Parquet files are read with the schema of the relation (no Spark job to
  read it back), and the dates the rule tables must cover are taken from the
  Arrow tables or counted by DuckDB (:attr:`SparkEngine.span`), not by a Spark job;
- the driver JVM maps the classes an earlier run loaded from a class archive
  (:mod:`govhall.engines.spark_classes`) instead of loading them one by one: a
  whole run about a quarter faster; the first run on a machine writes it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.engines.base import EngineError
from govhall.engines.measures import for_dialect
from govhall.engines.relations import CASE_RELATION, PAUSE_RELATION, RATING_RELATION
from govhall.engines.spark_classes import ClassArchive, class_archive, stop_driver_jvm

if TYPE_CHECKING:
    import pyarrow as pa

    from govhall.engines.duck import DuckDBEngine
    from govhall.engines.relations import DateSpan

RELATIONS = (CASE_RELATION, PAUSE_RELATION, RATING_RELATION)

DEFAULT_MASTER = "local[*]"
SHUFFLE_PARTITIONS = 8
"""Partitions after a join or aggregate: a few per core suits one machine (Spark's 200 do not)."""
ROW_GROUP_ROWS = 1 << 17
"""Rows per row group of a relation handed over as Parquet: Spark splits a file's scan
into tasks at row-group boundaries only, so a file of one large group is read by one core."""
PARQUET_COMPRESSION = "lz4"
"""How the handed-over Parquet files are compressed: LZ4 writes faster than Snappy
(5,000,000 cases: 2.3 s against 3.1 s of CPU) for files of the same size."""
LOCAL_JAVA_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""Options of the driver's JVM in local mode: the quick (C1) compiler only, one GC thread.

Spark compiles each query's code at run time, and the JVM compiles it again
to machine code; a run of a few short queries spends more on the second
compiler (C2) than it saves. Measured on two cores (1,000,000 cases, one
process): the JVM's start took 5.8 s of CPU instead of 9.8 s, the KPI query
16.4 s instead of 23.1 s."""
LOCAL_SETTINGS = {"spark.sql.adaptive.enabled": "false"}
"""Spark settings of local mode: plan each query once (adaptive execution re-plans at every
shuffle, which pays on a cluster's skewed partitions, not for a few queries on one machine)."""
SETTINGS = {"spark.sql.ansi.enabled": "false"}
"""Spark settings of every session the engine starts (but Spark Connect's): no ANSI checks.

Since Spark 4 every addition, sum and cast is checked for overflow by
default (ANSI mode), which made the measures' arithmetic about a third of
the KPI query: on 5,000,000 cases in a warm session, 13.0-13.6 s with the
checks against 8.1-9.7 s without (the case counts alone 2.9-3.3 s against
0.8 s). The measures add whole numbers far inside their types (days,
minutes, wall-clock microseconds, counts: the sum of a national year's open
minutes is about 10^12 against 9·10^18 for a ``BIGINT``) and cast nothing
that can fail, so the checks never fire; the answers are the same, as the
tests comparing every engine with ``rows`` check."""
PAUSED = "has_pauses"
"""The column of ``case_rows`` whose paused cases (``1``) are written to a file of their own."""


class SparkEngine:
    """Counts on Apache Spark.

    Args:
        master: Spark master URL (``local[2]``, ``spark://host:7077`` ...);
            default ``SPARK_REMOTE`` (Spark Connect) if set, else ``local[*]``.
        session: A running ``SparkSession`` to use (and not stop on close).

    Raises:
        EngineError: pyspark is not installed, or there is no Java. A JVM
            that fails to start is reported by the first use of the engine
            (it starts in the background).
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
        self._session = session
        self._starting: Future[Started] | None = None
        self._archive: ClassArchive | None = None
        self._launched = False
        try:
            if session is None:
                check_can_start(master)
                if connect_url(master) is None:
                    self._archive = class_archive()
                self._starting = start_in_background(master, self._scratch, self._archive)
        except BaseException:
            self._remove_scratch()
            raise
        self._count = 0
        self.span: DateSpan | None = None
        """The dates the registered ``case_rows``, ``case_pauses`` and ``rating_rows`` name,
        when all three were handed over as Arrow tables (``None``: ask the engine)."""
        self.years: set[int] | None = None
        """The years the registered cases were received or concluded in, when a DuckDB
        engine handed them over (:meth:`take_from`; ``None``: ask the engine)."""

    @property
    def session(self) -> Any:
        """The Spark session (waits for the JVM to start, the first time).

        Raises:
            EngineError: The JVM failed to start.
        """
        if self._session is None:
            assert self._starting is not None
            started = self._starting.result()
            self._session, self._launched = started.session, started.launched
        return self._session

    def register(self, relations: Mapping[str, Any]) -> None:
        """Make each relation known by its name, as a temporary view.

        Arrow tables are written out first (while the JVM may still be
        starting), then read by Spark.
        """
        written = {
            name: self._write(name, relation)
            for name, relation in relations.items()
            if not isinstance(relation, str)
        }
        for name, relation in relations.items():
            if isinstance(relation, str):
                self.session.sql(relation).createOrReplaceTempView(name)
            else:
                self._view(name, *written[name])
        if any(name in relations for name in RELATIONS):
            self.span = arrow_span(relations)
            self.years = None

    def take_from(self, duck: DuckDBEngine) -> None:
        """Take the relations ``duck`` holds: ``case_rows``, ``case_pauses`` and ``rating_rows``.

        DuckDB writes them as Parquet files in the temporary folder (on its
        own threads; the cases in two files, as :meth:`register` writes them)
        and counts the dates they name (:attr:`span`) and the years of the
        cases (:attr:`years`: no Spark job for them); Spark then reads the files.
        """
        from govhall.engines.kpi import counted_span
        from govhall.engines.measures import years_of_days_sql

        db = duck.connection
        setting = "SELECT current_setting('preserve_insertion_order')"
        (keep_order,) = db.execute(setting).fetchall()[0]
        db.execute("SET preserve_insertion_order = false")  # each thread writes row groups
        try:
            written = {name: self._copy(db, name) for name in RELATIONS}
        finally:
            db.execute(f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")
        self.span = counted_span(duck)
        self.years = {int(row[0]) for row in duck.query(years_of_days_sql())}
        for name in RELATIONS:
            self._view(name, *written[name])

    def _copy(self, db: Any, name: str) -> tuple[list[str], Any]:
        """Have DuckDB (connection ``db``) write relation ``name`` as Parquet, as :meth:`_write`."""
        from govhall.engines.duck import arrow_table

        schema = arrow_table(db.sql(f"SELECT * FROM {name} LIMIT 0")).schema
        self._count += 1
        path = self._scratch / f"{name}-{self._count}.parquet"
        parts = [(path, "")]
        if name == CASE_RELATION and PAUSED in schema.names:
            paused = self._scratch / f"{name}-{self._count}-paused.parquet"
            parts = [(path, f"WHERE {PAUSED} IS DISTINCT FROM 1"), (paused, f"WHERE {PAUSED} = 1")]
        for target, where in parts:
            quoted = str(target).replace("'", "''")
            db.execute(
                f"COPY (SELECT * FROM {name} {where}) TO '{quoted}' (FORMAT parquet, "
                f"COMPRESSION {PARQUET_COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            )
        return [str(target) for target, _ in parts], spark_schema(schema)

    def _view(self, name: str, paths: list[str], schema: Any) -> None:
        """Make the Parquet files ``paths`` known as view ``name`` (``schema``: Spark's, or
        ``None`` to read it from the files)."""
        reader = self.session.read
        frame = (reader if schema is None else reader.schema(schema)).parquet(*paths)
        frame.createOrReplaceTempView(name)

    def _write(self, name: str, table: pa.Table) -> tuple[list[str], Any]:
        """Write ``table`` as Parquet in the temporary folder; return its files and Spark schema.

        A table of cases (with ``has_pauses``) is written as two files, its
        paused cases and the others, so that no row group mixes them; it is
        split a row group at a time, so no second copy of it is held.
        """
        import pyarrow.parquet as pq

        self._count += 1
        path = self._scratch / f"{name}-{self._count}.parquet"
        options: dict[str, Any] = {"compression": PARQUET_COMPRESSION}
        if name != CASE_RELATION or PAUSED not in table.column_names:
            pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, **options)
            return [str(path)], spark_schema(table.schema)
        import pyarrow as pa
        import pyarrow.compute as pc

        paused_path = self._scratch / f"{name}-{self._count}-paused.parquet"
        paused: list[pa.Table] = []
        with pq.ParquetWriter(path, table.schema, **options) as others:
            for start in range(0, max(table.num_rows, 1), ROW_GROUP_ROWS):
                piece = table.slice(start, ROW_GROUP_ROWS)
                mask = pc.fill_null(pc.equal(piece[PAUSED], 1), False)
                paused.append(piece.filter(mask))
                others.write_table(piece.filter(pc.invert(mask)), row_group_size=ROW_GROUP_ROWS)
        pq.write_table(
            pa.concat_tables(paused), paused_path, row_group_size=ROW_GROUP_ROWS, **options
        )
        return [str(path), str(paused_path)], spark_schema(table.schema)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a measure's SQL (turned into Spark's dialect) and return its rows."""
        session = self.session
        try:
            rows = session.sql(for_dialect(sql, self.dialect)).collect()
        except Exception as exc:  # py4j and Spark errors share no base class
            raise EngineError(f"spark engine: {str(exc).splitlines()[0]}") from None
        return [tuple(row) for row in rows]

    def close(self) -> None:
        """Stop the Spark session if this engine started it; remove the temporary folder.

        A JVM still starting is waited for, then stopped. A JVM writing the class
        archive (:mod:`govhall.engines.spark_classes`) is stopped and waited for,
        and the archive put into place.
        """
        try:
            if self._owned:
                try:
                    session = self.session
                except Exception:  # it never started: nothing to stop
                    session = None
                if session is not None:
                    session.stop()
                    archive = self._archive
                    writing = archive is not None and archive.making is not None
                    if writing and self._launched and stop_driver_jvm():
                        assert archive is not None
                        archive.finish()
        finally:
            self._remove_scratch()


def arrow_span(relations: Mapping[str, Any]) -> DateSpan | None:
    """Return the dates the rule tables must cover, from the three relations as Arrow tables.

    The same dates as :func:`govhall.engines.measures.bounds_sql` counts:
    first and last receipt, last conclusion, first pause start and last
    pause end, first and last rating; counting from the last receipt or
    pause end at the latest. ``None`` unless all three are Arrow tables.
    """
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    from govhall.engines.relations import DateSpan
    from govhall.engines.tables import EPOCH_ORDINAL

    tables = [relations.get(name) for name in RELATIONS]
    if not all(isinstance(table, pa.Table) for table in tables):
        return None
    cases, pauses, ratings = tables
    span = DateSpan()

    def add(table: pa.Table, column: str, which: str, *, counts_from: bool = False) -> None:
        value = pc.min_max(table[column])[which]
        if value.is_valid:
            day = dt.date.fromordinal(int(value.as_py()) + EPOCH_ORDINAL)
            span.add(day, counts_from=counts_from)

    add(cases, "received_day", "min")
    add(cases, "received_day", "max", counts_from=True)
    add(cases, "concluded_day", "max")
    add(pauses, "start_day", "min")
    add(pauses, "end_day", "max", counts_from=True)
    add(ratings, "rated_day", "min")
    add(ratings, "rated_day", "max")
    return span


def spark_schema(schema: pa.Schema) -> Any:
    """Return Spark's schema for an Arrow schema, or ``None`` when a type has no equivalent
    (Spark then reads the schema from the file)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    try:
        return from_arrow_schema(schema)
    except (TypeError, ValueError, NotImplementedError):
        return None


def java_missing() -> str | None:
    """Return why Spark cannot start here (no Java), or ``None``."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "no Java found (install a Java runtime, e.g. Debian's default-jre-headless)"


def connect_url(master: str | None) -> str | None:
    """The Spark Connect server a session with ``master`` goes to: ``SPARK_REMOTE`` when no
    master is named and it is set; else ``None`` (Spark runs from this process)."""
    remote = os.environ.get("SPARK_REMOTE")
    return remote if master is None and remote else None


def is_local(master: str | None) -> bool:
    """Whether ``master`` (``None``: the default) runs Spark in this process's JVM alone."""
    if connect_url(master) is not None:
        return False
    return (master or DEFAULT_MASTER).startswith("local")


def check_can_start(master: str | None) -> None:
    """Raise unless pyspark is installed and (but for Spark Connect) Java is found.

    Raises:
        EngineError: pyspark is not installed, or there is no Java.
    """
    if importlib.util.find_spec("pyspark") is None:
        raise EngineError("the spark engine needs pyspark: pip install 'govhall[spark]'")
    if connect_url(master) is not None:  # the server's Java, not this machine's
        return
    why = java_missing()
    if why is not None:
        raise EngineError(f"the spark engine cannot start: {why}")


@dataclass(frozen=True, slots=True)
class Started:
    """A session started in the background, and whether its start launched the JVM."""

    session: Any
    launched: bool


def start_in_background(
    master: str | None, scratch: Path, archive: ClassArchive | None = None
) -> Future[Started]:
    """Start a Spark session (:func:`start_session`) in a thread; return its future.

    The thread is not a daemon: Python waits for a JVM still starting before
    it exits, and the JVM stops with Python. ``launched``: no JVM ran in this
    process before (else the session joins it, and its options stay its own).
    """
    future: Future[Started] = Future()

    def start() -> None:
        try:
            from pyspark import SparkContext

            launched = SparkContext._gateway is None
            future.set_result(Started(start_session(master, scratch, archive), launched))
        except BaseException as exc:  # handed to whoever waits for the session
            future.set_exception(exc)

    threading.Thread(target=start, name="govhall-spark-start").start()
    return future


def java_options(master: str | None, scratch: Path, archive: ClassArchive | None = None) -> str:
    """The driver's JVM options: Derby's folder, :data:`LOCAL_JAVA_OPTIONS` in local mode,
    and those of the class ``archive`` (:mod:`govhall.engines.spark_classes`) when given."""
    options = [f"-Dderby.system.home={scratch}"]
    if is_local(master):
        options.extend(LOCAL_JAVA_OPTIONS)
    if archive is not None:
        options.extend(archive.java_options())
    return " ".join(options)


def start_session(master: str | None, scratch: Path, archive: ClassArchive | None = None) -> Any:
    """Start (or join) a Spark session whose files stay in ``scratch``.

    ``archive``: the driver JVM maps the class archive, or writes it at exit.

    Raises:
        EngineError: pyspark is not installed, or there is no Java, or the JVM failed.
    """
    check_can_start(master)
    from pyspark.sql import SparkSession

    remote = connect_url(master)
    if remote is not None:
        return SparkSession.builder.remote(remote).getOrCreate()
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("govhall")
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        .config("spark.driver.extraJavaOptions", java_options(master, scratch, archive))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
    )
    settings = {**SETTINGS, **(LOCAL_SETTINGS if is_local(master) else {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start
        raise EngineError(f"the spark engine cannot start: {str(exc).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session
