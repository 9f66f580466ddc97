"""What the spark engine does to be cheaper on one machine, each behaviour pinned.

The JVM starts in the background (a failure to start is reported by the
first use, and closing waits for it); local mode runs with its own JVM
options and settings, a cluster without them; the cases are handed over
with the paused ones in row groups of their own; the dates the rule tables
must cover are taken from the Arrow tables, the same as the engine counts.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.engines import open_engine
from govhall.engines.duck import DuckDBEngine
from govhall.engines.kpi import counted_span, rule_tables_for
from govhall.engines.relations import DateSpan
from govhall.engines.spark import (
    LOCAL_JAVA_OPTIONS,
    LOCAL_SETTINGS,
    SETTINGS,
    arrow_span,
    is_local,
    java_options,
)
from govhall.engines.tables import day_no
from govhall.readers import ReadReport
from govhall.readers.duck_scan import FolderScan
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent


def _relations(
    received: list[int],
    concluded: list[int | None],
    paused: list[int],
    pauses: list[tuple[int, int]],
    rated: list[int],
) -> dict[str, pa.Table]:
    """Three relations with the columns the span and the hand-over look at."""
    count = len(received)
    cases = pa.table(
        {
            "row_id": pa.array(range(1, count + 1), pa.int64()),
            "win": pa.array(["w1"] * count, pa.string()),
            "received_day": pa.array(received, pa.int32()),
            "concluded_day": pa.array(concluded, pa.int32()),
            "has_pauses": pa.array(paused, pa.int32()),
        }
    )
    stops = pa.table(
        {
            "row_id": pa.array([1] * len(pauses), pa.int64()),
            "start_day": pa.array([p[0] for p in pauses], pa.int32()),
            "end_day": pa.array([p[1] for p in pauses], pa.int32()),
        }
    )
    ratings = pa.table({"rated_day": pa.array(rated, pa.int32())})
    return {"case_rows": cases, "case_pauses": stops, "rating_rows": ratings}


def _duck_span(relations: dict[str, pa.Table]) -> DateSpan:
    engine = DuckDBEngine()
    try:
        engine.register(relations)
        return counted_span(engine)
    finally:
        engine.close()


@pytest.mark.parametrize(
    "relations",
    [
        # a pause ending after the last receipt, a rating before the first: both widen it
        _relations(
            [20000, 20010, 20005], [20003, None, 20030], [0, 1, 0], [(20011, 20040)], [19990]
        ),
        # conclusions and ratings only after the receipts; no pause at all
        _relations([20100, 20101], [20150, 20160], [0, 0], [], [20170, 20100]),
        # no cases, no pauses, no ratings: no dates
        _relations([], [], [], [], []),
    ],
)
def test_the_span_from_arrow_tables_is_the_span_the_engine_counts(
    relations: dict[str, pa.Table],
) -> None:
    assert arrow_span(relations) == _duck_span(relations)


def test_the_span_of_a_data_folder_is_the_span_the_engine_counts(tmp_path: Path) -> None:
    config = ROOT / "configs" / "zhenhai.toml"
    out = tmp_path / "sample"
    written = CliRunner().invoke(main, ["sample", str(config), "--out", str(out), "--rows", "400"])
    assert written.exit_code == 0, written.output
    hall = open_hall(config)
    source = hall.source(out)
    reader = DuckDBEngine()
    try:
        scan = FolderScan(reader, hall.zone, ReadReport(), hall.keys)
        scan.cases(source.files("cases"))
        scan.ratings(source.files("ratings"), hall.rating_limits.repeated)
        relations = scan.tables()
        assert relations["case_rows"].num_rows > 0
        expected = counted_span(reader)
    finally:
        reader.close()
    assert expected.first is not None
    assert arrow_span(relations) == expected


def test_no_span_unless_all_three_relations_are_arrow_tables() -> None:
    relations: dict[str, Any] = _relations([20000], [None], [0], [], [])
    assert arrow_span({"case_rows": relations["case_rows"]}) is None
    assert arrow_span({**relations, "rating_rows": "SELECT 1 AS rated_day"}) is None


def test_local_mode_has_its_own_java_options_and_a_cluster_does_not(tmp_path: Path) -> None:
    for master in (None, "local", "local[2]", "local[*]"):
        assert is_local(master), master
    for master in ("spark://host:7077", "yarn"):
        assert not is_local(master), master
    local = java_options("local[2]", tmp_path).split()
    assert local == [f"-Dderby.system.home={tmp_path}", *LOCAL_JAVA_OPTIONS]
    assert java_options("spark://host:7077", tmp_path).split() == [
        f"-Dderby.system.home={tmp_path}"
    ]


def test_spark_connect_is_not_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARK_REMOTE", "sc://host:15002")
    assert not is_local(None)
    assert is_local("local[1]")  # a master given wins over SPARK_REMOTE


def test_a_local_session_runs_with_the_local_options_and_settings(spark_session: Any) -> None:
    """The fixture's session was started by the engine on local[2]: its JVM has the options."""
    jvm = spark_session.sparkContext._jvm
    arguments = list(
        jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    )
    for option in LOCAL_JAVA_OPTIONS:
        assert option in arguments, arguments
    for key, value in {**SETTINGS, **LOCAL_SETTINGS}.items():
        assert spark_session.conf.get(key) == value


def _hand_over(engine: Any, relations: dict[str, pa.Table], how: str) -> None:
    """Give ``engine`` the relations as Arrow tables, or from a DuckDB engine holding them."""
    if how == "arrow":
        engine.register(relations)
        return
    duck = DuckDBEngine()
    try:
        for name, table in relations.items():  # tables, as a data folder's scan leaves them
            duck.connection.register("given", table)
            duck.connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM given")
            duck.connection.unregister("given")
        engine.take_from(duck)
    finally:
        duck.close()


@pytest.mark.parametrize("how", ["arrow", "duckdb"])
def test_the_paused_cases_are_handed_over_in_row_groups_of_their_own(
    spark_session: Any, how: str
) -> None:
    received = [20000 + n % 50 for n in range(3000)]
    paused = [1 if n % 7 == 0 else 0 for n in range(3000)]
    relations = _relations(received, [None] * 3000, paused, [(20001, 20002)], [20000])
    engine = open_engine("spark", spark_session=spark_session)
    try:
        _hand_over(engine, relations, how)
        files = sorted(engine._scratch.glob("case_rows-*.parquet"))  # type: ignore[attr-defined]
        assert len(files) == 2
        for path in files:
            metadata = pq.ParquetFile(path).metadata
            column = metadata.schema.names.index("has_pauses")
            for group in range(metadata.num_row_groups):
                stats = metadata.row_group(group).column(column).statistics
                assert stats.min == stats.max  # Spark can skip a group by its statistics
        assert engine.query("SELECT has_pauses, COUNT(*) FROM case_rows GROUP BY 1 ORDER BY 1") == [
            (0, paused.count(0)),
            (1, paused.count(1)),
        ]
        assert engine.span == arrow_span(relations)  # type: ignore[attr-defined]
        hall = open_hall(ROOT / "configs" / "zhenhai.toml")
        tables = rule_tables_for(engine, hall.config, hall.time)
        assert tables is not None  # built for the span above, without a bounds query
        first_day = engine.query("SELECT MIN(day_no) FROM rule_calendar")[0][0]
        assert first_day <= day_no(dt.date(2024, 10, 6))  # 20002, the pause's end
    finally:
        engine.close()


@pytest.mark.parametrize("how", ["arrow", "duckdb"])
@pytest.mark.parametrize("paused", [[0, 0], [1, 1], [], [0, None, 1]])
def test_every_case_is_handed_over_paused_or_not(
    spark_session: Any, paused: list[Any], how: str
) -> None:
    """No paused case, only paused ones, none at all, one without the flag: none is lost."""
    count = len(paused)
    flags = [p for p in paused if p is not None]
    relations = _relations([20000] * count, [None] * count, paused, [], [20000])
    engine = open_engine("spark", spark_session=spark_session)
    try:
        _hand_over(engine, relations, how)
        assert engine.query("SELECT COUNT(*), SUM(has_pauses) FROM case_rows") == [
            (count, sum(flags) if flags else None)
        ]
    finally:
        engine.close()


def test_a_failed_start_is_reported_by_the_first_use_and_close_waits(
    spark_session: Any,
) -> None:
    """In its own process (this one has a running session): a bad master, then a quick close."""
    code = (
        "from govhall.engines import open_engine, EngineError\n"
        "engine = open_engine('spark', master='nonsense')\n"
        "print('opened', flush=True)\n"
        "try:\n"
        "    engine.query('SELECT 1')\n"
        "except EngineError as exc:\n"
        "    print('refused:', exc)\n"
        "engine.close()\n"
        "engine = open_engine('spark', master='local[1]')\n"
        "engine.close()  # the JVM is still starting: close waits for it, then stops it\n"
        "print('closed')\n"
    )
    before = _spark_folders()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "opened"
    assert lines[1].startswith("refused: the spark engine cannot start"), done.stdout
    assert lines[-1] == "closed"
    assert _spark_folders() == before


def _spark_folders() -> set[str]:
    import tempfile

    return {path.name for path in Path(tempfile.gettempdir()).glob("govhall-spark-*")}


def test_a_spark_engine_that_cannot_start_leaves_no_duckdb_reader_behind(
    spark_session: Any, tmp_path: Path
) -> None:
    """The DuckDB engine that read the folder for Spark is closed (its temporary folder
    removed) when Spark then fails to start; in a process of its own, as above."""
    from test_engines import _config, _write

    config = _config("pinghu", tmp_path)
    data = _write(open_hall(config), tmp_path / "data", seed=1, count=40)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = (
        "import sys\n"
        "from govhall.engines import EngineError\n"
        "from govhall.session import open_hall\n"
        "try:\n"
        "    open_hall(sys.argv[1]).kpis(sys.argv[2], engine='spark', master='nonsense')\n"
        "except EngineError as exc:\n"
        "    print('refused:', exc)\n"
        "    import glob, os\n"  # the failed run's frames are still alive here
        "    print('left:', glob.glob(os.path.join(os.environ['TMPDIR'], 'govhall-*')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config), str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("refused: the spark engine cannot start"), done.stdout
    assert done.stdout.splitlines()[-1] == "left: []"  # neither DuckDB's folder nor Spark's


@pytest.mark.parametrize("how", ["arrow", "duckdb"])
def test_the_years_of_the_cases_are_the_calendars(spark_session: Any, how: str) -> None:
    """Handed over by DuckDB, the years come with the relations (no Spark job); either way
    they are those the rule calendar gives the receipts and conclusions."""
    from govhall.engines.kpi import years_named
    from govhall.engines.measures import years_sql

    received = [day_no(dt.date(2022, 12, 31)), day_no(dt.date(2024, 6, 1))]
    concluded = [day_no(dt.date(2023, 1, 2)), None]
    relations = _relations(received, concluded, [0, 0], [], [received[1]])
    engine = open_engine("spark", spark_session=spark_session)
    try:
        _hand_over(engine, relations, how)
        assert engine.years == ({2022, 2023, 2024} if how == "duckdb" else None)  # type: ignore[attr-defined]
        hall = open_hall(ROOT / "configs" / "zhenhai.toml")
        assert rule_tables_for(engine, hall.config, hall.time) is not None
        asked = {int(row[0]) for row in engine.query(years_sql())}
        assert asked == {2022, 2023, 2024}
        assert years_named(engine) == asked
    finally:
        engine.close()
