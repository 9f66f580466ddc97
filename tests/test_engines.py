"""Every engine gives the same KPIs as the ``rows`` engine, number for number.

Random data over holidays and make-up working days: receipts at any minute
(after closing, on rest days), immediate and promised items and cases whose
kind differs from their item's, every status, pauses (overlapping, across
holidays), conclusions exactly at a closing time and one second after, every
rating level; on four hall setups (a county counting the day of receipt, one
counting a late receipt from that day, a time zone with daylight saving).

The spark engine needs Java: without it these tests are skipped, unless
``GOVHALL_REQUIRE_SPARK=1`` (CI), where a missing Java fails them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main as cli
from govhall.engines import EngineError, open_engine
from govhall.errors import GovhallError
from govhall.records import CASE_STATUSES
from govhall.session import HallSession, open_hall

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = dt.date(2025, 9, 20)
"""Before National Day 2025 (its make-up Sunday 28 Sept) through Spring Festival 2026."""
DAYS = 170

SETUPS = {
    "pinghu": ("pinghu.toml", ""),
    "zhenhai": ("zhenhai.toml", ""),
    "receipt-day-counts": ("pinghu.toml", "\n[deadlines]\ncount_receipt_day = true\n"),
    "late-receipt-same-day": ("pinghu.toml", "\n[deadlines]\nafter_hours_next_day = false\n"),
    "new-york": ("pinghu.toml", "timezone"),
}


def _config(name: str, tmp_path: Path) -> Path:
    file, extra = SETUPS[name]
    text = (ROOT / "configs" / file).read_text(encoding="utf-8")
    if extra == "timezone":
        text = text.replace(
            'county = "pinghu"', 'county = "pinghu"\ntimezone = "America/New_York"', 1
        )
    else:
        text += extra
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _moment(day: dt.date, minute: int, second: int = 0) -> str:
    return (
        dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute, seconds=second)
    ).isoformat()


def _cases(hall: HallSession, rng: random.Random, count: int) -> Iterator[dict[str, Any]]:
    items = hall.config.items
    for number in range(count):
        item = rng.choice(items)
        window = item.window if rng.random() < 0.9 else rng.choice(hall.config.windows).id
        kind = item.kind if rng.random() < 0.85 else rng.choice(["immediate", "promised"])
        received = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        minute = rng.choice([rng.randrange(1440), rng.randrange(8 * 60, 18 * 60)])
        status = rng.choice(CASE_STATUSES)
        concluded = ""
        if status in ("concluded", "delivered"):
            day = received + dt.timedelta(days=rng.choice([0, 0, 1, 3, 7, 9, 12, 20]))
            if rng.random() < 0.3:
                # exactly at a closing time, or one second after it
                close = hall.time.hours.closing(window, day) or 17 * 60
                end = _moment(day, close, rng.choice([0, 1]))
            else:
                end = _moment(day, rng.randrange(1440), rng.randrange(60))
            begin = _moment(received, minute)
            concluded = max(begin, end)
        pauses = []
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
            start = received + dt.timedelta(days=rng.randrange(-2, 12))
            end_day = start + dt.timedelta(days=rng.randrange(0, 9))
            pauses.append(f"{start}/{end_day}" if end_day != start else str(start))
        yield {
            "case_id": f"C{number:05d}",
            "window": window,
            "item": item.id,
            "kind": kind,
            "received_at": _moment(received, minute),
            "status": status,
            "concluded_at": concluded,
            "visits": rng.choice([0, 1, 1, 2, 3, 4]),
            "staff": rng.choice(["", "s1", "s2"]),
            "pauses": ";".join(pauses),
        }


def _write(hall: HallSession, folder: Path, seed: int, count: int = 1500) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cases = list(_cases(hall, rng, count))
    with (folder / "cases.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(cases[0]))
        writer.writeheader()
        writer.writerows(cases)
    with (folder / "ratings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "window", "staff", "level", "rated_at", "channel"])
        for case in rng.sample(cases, count // 2):
            day = dt.date.fromisoformat(case["received_at"][:10]) + dt.timedelta(days=2)
            level = rng.randint(1, 5)
            writer.writerow([case["case_id"], case["window"], "", level, _moment(day, 600), "窗口"])
    return folder


def _kpis(hall: HallSession, data: Path, engine: Any, **period: Any) -> dict[str, Any]:
    run = hall.kpis(data, engine=engine, **period)
    return {**run.kpis.to_json(), "years": sorted(run.years)}


PERIODS = [{}, {"start": dt.date(2025, 10, 1), "end": dt.date(2025, 12, 31)}]


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_duckdb_counts_what_rows_counts(setup: str, tmp_path: Path) -> None:
    hall = open_hall(_config(setup, tmp_path))
    data = _write(hall, tmp_path / "data", seed=len(setup))
    engine = open_engine("duckdb")
    try:
        for period in PERIODS:
            expected = _kpis(hall, data, "rows", **period)
            assert expected["concluded"] > 100
            assert 0 < expected["on_time"] < expected["concluded"]
            assert _kpis(hall, data, engine, **period) == expected
    finally:
        engine.close()


@pytest.mark.parametrize("setup", ["receipt-day-counts", "new-york"])
def test_spark_counts_what_rows_counts(setup: str, tmp_path: Path, spark_session: Any) -> None:
    hall = open_hall(_config(setup, tmp_path))
    data = _write(hall, tmp_path / "data", seed=7 + len(setup), count=800)
    engine = open_engine("spark", spark_session=spark_session)
    try:
        for period in PERIODS:
            assert _kpis(hall, data, engine, **period) == _kpis(hall, data, "rows", **period)
    finally:
        engine.close()
    assert not (Path.cwd() / "spark-warehouse").exists()
    assert not (Path.cwd() / "metastore_db").exists()


def test_spark_reads_a_large_relation_on_every_core(spark_session: Any) -> None:
    """A relation handed over as Parquet is split into tasks: local[2] scans it on two cores."""
    import pyarrow as pa

    from govhall.engines.spark import ROW_GROUP_ROWS

    # about 7 MB that do not compress, fewer rows than pyarrow puts in one row group by
    # default: Spark packs files under 4 MB (its opening cost) into one task and splits
    # larger ones across the cores, each split reading the row groups that start in it
    draw = random.Random(3)
    values = [draw.getrandbits(63) for _ in range(7 * ROW_GROUP_ROWS)]
    engine = open_engine("spark", spark_session=spark_session)
    try:
        engine.register({"govhall_big": pa.table({"n": pa.array(values, pa.int64())})})
        frame = spark_session.table("govhall_big")
        assert spark_session.sparkContext.defaultParallelism == 2  # the fixture's local[2]
        from pyspark.sql.functions import spark_partition_id

        # a task (a split of the file) without a row group reads nothing: count the busy ones
        busy = frame.groupBy(spark_partition_id()).count().collect()
        assert len(busy) >= 2, busy
        assert engine.query("SELECT COUNT(*), SUM(n % 1000) FROM govhall_big") == [
            (len(values), sum(n % 1000 for n in values))
        ]
    finally:
        engine.close()


def test_pauses_move_the_due_day_in_every_engine(tmp_path: Path) -> None:
    # 5 working days from Tue 30 Sept 2025: National Day (1-8 Oct), make-up Sat 11 Oct;
    # paused 9-10 Oct: due 16 Oct at closing; concluded then is on time, a second later is not
    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    due = hall.deadline(
        "household-move",
        dt.datetime(2025, 9, 30, 10),
        [(dt.date(2025, 10, 9),) * 2, (dt.date(2025, 10, 10),) * 2],
    )
    folder = tmp_path / "data"
    folder.mkdir()
    closing = due.due.replace(tzinfo=None)
    rows = ["case_id,window,item,kind,received_at,status,concluded_at,visits,pauses"]
    for number, end in enumerate([closing, closing + dt.timedelta(seconds=1)]):
        rows.append(
            f"P{number},police,household-move,promised,2025-09-30T10:00,concluded,"
            f"{end.isoformat()},1,2025-10-09/2025-10-10"
        )
    (folder / "cases.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    engine = open_engine("duckdb")
    try:
        found = hall.kpis(folder, engine=engine).kpis
    finally:
        engine.close()
    assert (found.concluded, found.on_time) == (2, 1)
    assert found == hall.kpis(folder).kpis


def test_parquet_files_read_as_their_csv(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    hall = open_hall(ROOT / "configs" / "zhenhai.toml")
    data = _write(hall, tmp_path / "csv", seed=3, count=600)
    folder = tmp_path / "parquet"
    folder.mkdir()
    strings = pacsv.ConvertOptions(column_types={"visits": pa.int64(), "level": pa.int64()})
    cases = pacsv.read_csv(data / "cases.csv", convert_options=strings)
    half = cases.num_rows // 2
    pq.write_table(cases.slice(0, half), folder / "cases-1.parquet")
    pq.write_table(cases.slice(half), folder / "cases-2.parquet")
    pq.write_table(pacsv.read_csv(data / "ratings.csv"), folder / "ratings.parquet")
    expected = hall.kpis(data).kpis
    assert hall.kpis(folder).kpis == expected
    engine = open_engine("duckdb")
    try:
        assert hall.kpis(folder, engine=engine).kpis == expected
    finally:
        engine.close()


def test_a_bad_parquet_row_is_named_by_file_row_and_column(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "case_id": ["A1", "A2"],
            "window": ["police", "police"],
            "item": ["household-move", "household-move"],
            "kind": ["promised", "promised"],
            "received_at": ["2025-09-30T10:00", "2025-09-31T10:00"],
            "status": ["accepted", "accepted"],
            "concluded_at": [None, None],
            "visits": [1, 1],
            "phone": ["1", "2"],
        }
    )
    pq.write_table(table, tmp_path / "cases.parquet")
    result = CliRunner().invoke(
        cli,
        [
            "kpi",
            str(ROOT / "configs" / "pinghu.toml"),
            "--data",
            str(tmp_path),
            "--json",
            "--engine",
            "duckdb",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'cases.parquet'}:2:5" in result.stderr
    assert "received_at" in result.stderr
    assert "'phone' is not part of the format" in result.stderr
    assert json.loads(result.stdout)["accepted"] == 1


def _typed_parquet(
    folder: Path, cases: dict[str, list[Any]], ratings: dict[str, list[Any]]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    stamp = pa.timestamp("ms")
    case_types = {"received_at": stamp, "concluded_at": stamp, "visits": pa.int32()}
    rating_types = {"rated_at": stamp, "level": pa.int8()}
    for name, columns, types in (("cases", cases, case_types), ("ratings", ratings, rating_types)):
        arrays = {
            key: pa.array(values, types.get(key, pa.string())) if key in types else values
            for key, values in columns.items()
        }
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")


def _typed_base() -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    day = dt.datetime(2025, 9, 30, 10, 0)
    cases: dict[str, list[Any]] = {
        "case_id": ["A1", "A2", "A3"],
        "window": ["police"] * 3,
        "item": ["household-move"] * 3,
        "kind": ["promised"] * 3,
        "received_at": [day, day + dt.timedelta(hours=1), day.replace(microsecond=250_000)],
        "status": ["concluded", "accepted", "concluded"],
        "concluded_at": [day + dt.timedelta(days=2, seconds=1), None, day + dt.timedelta(days=9)],
        "visits": [1, 2, 0],
    }
    ratings: dict[str, list[Any]] = {
        "case_id": ["A1", "A3"],
        "window": ["police", "police"],
        "staff": ["", "police-a"],
        "level": [5, 2],
        "rated_at": [day + dt.timedelta(days=3), day + dt.timedelta(days=9, minutes=5)],
        "channel": ["pad", "app"],
    }
    return cases, ratings


TYPED_VARIANTS: list[tuple[str, str, int, Any, int]] = [
    # file, column, row, value, rows rejected (a rejected case takes its rating: A1, A3 are rated)
    ("cases", "visits", 0, -1, 2),
    ("cases", "visits", 1, 1_000_000_000, 0),  # past the fast check's 9 digits: read carefully
    ("cases", "received_at", 1, None, 1),
    ("cases", "received_at", 0, dt.datetime(1899, 12, 31, 23, 59), 2),
    ("cases", "received_at", 0, dt.datetime(1900, 1, 1), 0),
    ("cases", "concluded_at", 0, None, 2),
    ("cases", "concluded_at", 2, dt.datetime(2025, 9, 30, 9, 59), 2),
    ("ratings", "level", 0, 0, 1),
    ("ratings", "level", 1, 6, 1),
    ("ratings", "level", 1, None, 1),
    ("ratings", "rated_at", 0, dt.datetime(3000, 1, 1), 1),
]


def test_typed_parquet_columns_are_read_by_duckdb_as_rows_reads_their_text(
    tmp_path: Path,
) -> None:
    """Timestamps and integers stored as such: DuckDB checks the values, not their text."""
    from govhall.engines.duck import DuckDBEngine
    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import FolderScan, _read
    from govhall.readers.rows import CASE_COLUMNS, CASE_OPTIONAL

    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    cases, ratings = _typed_base()
    clean = tmp_path / "clean"
    _typed_parquet(clean, cases, ratings)
    times, wholes = ("received_at", "concluded_at"), ("visits",)
    found = _read(clean / "cases.parquet", CASE_COLUMNS, CASE_OPTIONAL, times=times, wholes=wholes)
    assert found.typed == {"received_at", "concluded_at", "visits"}
    engine = DuckDBEngine()
    try:
        scan = FolderScan(engine, hall.zone, ReadReport(), hall.keys)
        scan.cases(hall.source(clean).files("cases"))
        scan.ratings(hall.source(clean).files("ratings"))
        assert (scan.fast_files, scan.careful_files) == (2, 0)
    finally:
        engine.close()
    for number, (name, column, row, value, rejected) in enumerate(TYPED_VARIANTS):
        cases, ratings = _typed_base()
        (cases if name == "cases" else ratings)[column][row] = value
        folder = tmp_path / str(number)
        _typed_parquet(folder, cases, ratings)
        answers = []
        for counter in ("rows", "duckdb"):
            read = ReadReport()
            found = hall.kpis(folder, engine=counter, read=read).kpis.to_json()
            answers.append((found, read.to_json(), [p.format() for p in read.problems]))
        assert answers[0] == answers[1], (name, column, value)
        assert answers[0][1]["rejected"] == rejected, (name, column, value)


def test_a_parquet_timestamp_with_a_zone_is_read_as_its_text(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import _read
    from govhall.readers.rows import CASE_COLUMNS, CASE_OPTIONAL

    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    cases, _ = _typed_base()
    table = pa.table(
        {
            **{key: values for key, values in cases.items() if key != "received_at"},
            "received_at": pa.array(cases["received_at"], pa.timestamp("us", tz="Asia/Shanghai")),
        }
    )
    tmp_path.joinpath("zoned").mkdir()
    pq.write_table(table, tmp_path / "zoned" / "cases.parquet")
    answers = []
    for counter in ("rows", "duckdb"):
        read = ReadReport()
        found = hall.kpis(tmp_path / "zoned", engine=counter, read=read).kpis.to_json()
        answers.append((found, read.to_json(), [p.format() for p in read.problems]))
    assert answers[0] == answers[1]
    assert answers[0][1]["used"] == 3
    found = _read(
        tmp_path / "zoned" / "cases.parquet", CASE_COLUMNS, CASE_OPTIONAL, times=("received_at",)
    )
    assert found.typed == set()  # read as text, with its offset


def test_the_duckdb_engine_keeps_to_the_memory_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GOVHALL_ENGINE_MEMORY bounds DuckDB; what goes beyond goes to a folder of its own."""
    from govhall.engines.duck import MEMORY_VARIABLE, DuckDBEngine

    config = ROOT / "configs" / "pinghu.toml"
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=5, count=300)
    expected = hall.kpis(data).kpis
    monkeypatch.setenv(MEMORY_VARIABLE, "200MB")
    engine = DuckDBEngine()
    try:
        db = engine.connection
        (limit,) = db.execute("SELECT current_setting('memory_limit')").fetchall()[0]
        assert limit.endswith("MiB")
        assert 185 <= float(limit.split()[0]) <= 200  # DuckDB shows 200MB as 190.7 MiB
        (scratch,) = db.execute("SELECT current_setting('temp_directory')").fetchall()[0]
        assert Path(scratch).is_dir()
        assert Path(scratch).parent == Path(tempfile.gettempdir())
        assert hall.kpis(data, engine=engine).kpis == expected
    finally:
        engine.close()
    assert not Path(scratch).exists()
    monkeypatch.setenv(MEMORY_VARIABLE, "a lot")
    result = CliRunner().invoke(
        cli, ["kpi", str(config), "--data", str(data), "--engine", "duckdb", "--json"]
    )
    assert result.exit_code == 1, result.output
    assert "GOVHALL_ENGINE_MEMORY='a lot': expected a size such as 512MB or 2GB" in result.output
    assert "Traceback" not in result.output


def test_kpi_engine_option_gives_the_same_json(tmp_path: Path) -> None:
    config = ROOT / "configs" / "pinghu.toml"
    data = _write(open_hall(config), tmp_path / "data", seed=5, count=400)
    outputs = []
    for engine in ("rows", "duckdb"):
        result = CliRunner().invoke(
            cli, ["kpi", str(config), "--data", str(data), "--json", "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["accepted"] > 0


def test_master_without_spark_is_a_usage_error(tmp_path: Path) -> None:
    config = ROOT / "configs" / "pinghu.toml"
    data = _write(open_hall(config), tmp_path / "data", seed=5, count=10)
    result = CliRunner().invoke(
        cli, ["kpi", str(config), "--data", str(data), "--master", "local[1]"]
    )
    assert result.exit_code == 2
    assert "--master applies to --engine spark only" in result.output


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(EngineError, match="no engine 'polars'"):
        open_engine("polars")
    result = CliRunner().invoke(cli, ["kpi", "x.toml", "--data", ".", "--engine", "polars"])
    assert result.exit_code == 2


def test_duckdb_reads_clean_files_itself_and_others_carefully(tmp_path: Path) -> None:
    from govhall.engines.duck import DuckDBEngine
    from govhall.readers import ReadReport
    from govhall.readers.duck_scan import FolderScan

    config = ROOT / "configs" / "pinghu.toml"
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=9, count=300)
    lines = (data / "cases.csv").read_text(encoding="utf-8").splitlines()
    # a second file written another way (an offset, a padded window) and with a bad row
    # (new case ids: an id in both files would be a repeated key, read carefully throughout)
    odd = [lines[0], *(f"x-{line}" for line in lines[1:4])]
    odd[1] = odd[1].replace(",police,", ",police ,")
    fields = odd[2].split(",")
    fields[4] += "+08:00"
    odd[2] = ",".join(fields)
    first, rest = odd[3].split(",", 1)
    odd[3] = f"{first},nowhere," + rest.split(",", 1)[1]
    (data / "cases-2.csv").write_text("\n".join(odd) + "\n", encoding="utf-8")
    engine = DuckDBEngine()
    try:
        scan = FolderScan(engine, hall.zone, ReadReport(), hall.keys)
        scan.cases(hall.source(data).files("cases"))
        assert (scan.fast_files, scan.careful_files) == (1, 1)
    finally:
        engine.close()
    outputs = []
    for name in ("rows", "duckdb"):
        result = CliRunner().invoke(
            cli, ["kpi", str(config), "--data", str(data), "--json", "--engine", name]
        )
        assert result.exit_code == 0, result.output
        outputs.append((json.loads(result.stdout), result.stderr))
    assert outputs[0] == outputs[1]
    assert "cases-2.csv:4:2: error: window: unknown window 'nowhere'" in outputs[0][1]
    assert outputs[0][0]["data"]["rejected"] == 1


def test_auto_counts_large_folders_with_duckdb(tmp_path: Path) -> None:
    from govhall.engines import AUTO_DUCKDB_BYTES, choose_engine

    small = tmp_path / "cases.csv"
    small.write_bytes(b"x" * 100)
    assert choose_engine([small]) == "rows"
    large = tmp_path / "cases-2.csv"
    with large.open("wb") as handle:
        handle.truncate(AUTO_DUCKDB_BYTES)
    assert choose_engine([small, large]) == "duckdb"


def test_a_folder_without_rows_counts_nothing_in_every_engine(tmp_path: Path) -> None:
    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    header = "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
    (tmp_path / "cases.csv").write_text(header, encoding="utf-8")
    engine = open_engine("duckdb")
    try:
        assert _kpis(hall, tmp_path, engine) == _kpis(hall, tmp_path, "rows")
    finally:
        engine.close()


class _Records:
    """A data source that is not a folder (as a store will be): records only."""

    def __init__(self, folder: Path) -> None:
        from govhall.readers.folder import DataFolder

        self.folder = DataFolder(folder)

    def files(self, kind: str) -> list[Path]:
        return []

    def cases(self, *args: Any, **kwargs: Any) -> Any:
        return self.folder.cases(*args, **kwargs)

    def ratings(self, *args: Any, **kwargs: Any) -> Any:
        return self.folder.ratings(*args, **kwargs)

    def findings(self, *args: Any, **kwargs: Any) -> Any:
        return self.folder.findings(*args, **kwargs)


def test_a_source_of_records_is_counted_from_its_records(tmp_path: Path) -> None:
    hall = open_hall(_config("receipt-day-counts", tmp_path))
    data = _write(hall, tmp_path / "data", seed=21, count=600)
    engine = open_engine("duckdb")
    try:
        found = _kpis(hall, _Records(data), engine)  # type: ignore[arg-type]
    finally:
        engine.close()
    assert found == _kpis(hall, data, "rows")
    assert _kpis(hall, _Records(data), "auto") == found  # type: ignore[arg-type]


def test_spark_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    before = _spark_folders()
    with pytest.raises(EngineError, match="no Java found"):
        open_engine("spark")
    assert _spark_folders() == before  # its temporary folder is gone with it


def _spark_folders() -> set[str]:
    """The spark engines' temporary folders now in this run's temporary folder."""
    import tempfile

    return {path.name for path in Path(tempfile.gettempdir()).glob("govhall-spark-*")}


def test_the_spark_engines_folder_goes_on_close_or_when_dropped(spark_session: Any) -> None:
    import gc

    import pyarrow as pa

    before = _spark_folders()
    table = pa.table({"n": [1, 2, 3]})
    for closed in (True, False):
        engine = open_engine("spark", spark_session=spark_session)
        engine.register({"numbers": table})  # handed over as a Parquet file in the folder
        assert engine.query("SELECT SUM(n) FROM numbers") == [(6,)]
        assert len(_spark_folders() - before) == 1
        if closed:
            engine.close()
        del engine  # dropped without close (an error or Ctrl-C in a caller without finally)
        gc.collect()
        assert _spark_folders() == before


def test_the_spark_engines_folder_goes_when_python_stops_on_ctrl_c(spark_session: Any) -> None:
    """Open, never closed, then KeyboardInterrupt: the folder goes as the process exits."""
    import subprocess
    import sys

    code = (
        "from govhall.engines import open_engine\n"
        "engine = open_engine('spark', master='local[1]')\n"
        "assert engine.query('SELECT 1') == [(1,)]\n"
        "raise KeyboardInterrupt\n"
    )
    before = _spark_folders()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "KeyboardInterrupt" in done.stderr, done.stderr[-2000:]
    assert _spark_folders() == before


FIELD_VARIANTS = [
    lambda v: v,
    lambda v: f" {v}",
    lambda v: f"{v}\u3000",
    lambda v: "",
    lambda v: v.replace("T", " "),
    lambda v: v + "+08:00",
    lambda v: v + ":07",
    lambda v: v + ":07.25",
    lambda v: v[:11] + "24:00",
    lambda v: v[:11] + "9" + v[13:],
    lambda v: v[:8] + "31" + v[10:],
    lambda v: v.replace("-0", "-1", 1),
    lambda v: v.upper(),
    lambda v: f'"{v}"',
    lambda v: f'"{v},x"',
    lambda v: "1900-01-01T00:00",
    lambda v: "1899-12-31T23:59",
    lambda v: "٣",
    lambda v: "2025-10-09/2025-10-08",
    lambda v: "2025-10-09 ; 2025-10-10",
    lambda v: "-1",
]


ODD_COLUMNS = (
    "case_id", "window", "item", "kind", "status", "received_at", "concluded_at", "visits", "staff",
    "pauses",
)  # fmt: skip


@pytest.fixture(scope="module")
def odd_base() -> tuple[HallSession, list[dict[str, Any]]]:
    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    cases = list(_cases(hall, random.Random(4), 40))
    for case in cases[:3]:  # the rows mutated below: concluded, with a pause
        case.update(status="concluded", concluded_at=case["received_at"][:11] + "23:00")
        case["pauses"] = case["received_at"][:10]
    return hall, cases


@pytest.mark.parametrize("column", ODD_COLUMNS)
def test_duckdb_reads_every_odd_field_as_rows_does(
    column: str, odd_base: tuple[HallSession, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """Each field written another way (spaces, offsets, seconds, 24:00, quotes ...): same answer."""
    from govhall.readers import ReadReport

    hall, base = odd_base
    engine = open_engine("duckdb")
    try:
        for number, variant in enumerate(FIELD_VARIANTS):
            rows = [dict(case) for case in base]
            rows[number % 3][column] = variant(str(rows[number % 3][column]))
            folder = tmp_path / str(number)
            folder.mkdir()
            lines = [",".join(rows[0])]
            lines += [",".join(str(row[name]) for name in rows[0]) for row in rows]
            (folder / "cases.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
            answers = []
            for counter in ("rows", engine):
                read = ReadReport()
                try:
                    found: Any = hall.kpis(folder, engine=counter, read=read).kpis.to_json()
                except GovhallError as exc:
                    found = str(exc)
                answers.append((found, read.to_json(), [p.format() for p in read.problems]))
            assert answers[0] == answers[1], (column, number)
    finally:
        engine.close()


def test_the_sample_with_its_tags_and_channels_gives_the_same_json(tmp_path: Path) -> None:
    """govhall sample writes the optional ``tags`` column: no engine may warn about it."""
    config = ROOT / "configs" / "zhenhai.toml"
    data = tmp_path / "sample"
    open_hall(config).write_sample(data, rows=500)
    assert "tags" in (data / "ratings.csv").read_text(encoding="utf-8").splitlines()[0]
    outputs = []
    for engine in ("rows", "duckdb"):
        result = CliRunner().invoke(
            cli, ["kpi", str(config), "--data", str(data), "--json", "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["data"]["warnings"] == []


def test_a_trend_asks_the_engine_one_query_a_month(tmp_path: Path) -> None:
    """The KPIs of each month of a trend are one query; the years of the cases (the same
    whatever the month) are not asked for again and again."""
    from govhall.engines.duck import DuckDBEngine

    class Counting(DuckDBEngine):
        asked: list[str]

        def query(self, sql: str) -> list[tuple[Any, ...]]:
            self.asked.append(sql)
            return super().query(sql)

    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    data = _write(hall, tmp_path / "data", seed=3, count=200)
    months = ["2025-10", "2025-11", "2025-12", "2026-01"]
    engine = Counting()
    engine.asked = []
    try:
        found = hall.monthly_kpis(data, months, engine=engine)
    finally:
        engine.close()
    kpi_queries = [sql for sql in engine.asked if "AS on_time" in sql]
    assert len(kpi_queries) == len(months)
    assert not [sql for sql in engine.asked if "year_no" in sql and "DISTINCT" in sql]
    assert found == hall.monthly_kpis(data, months, engine="rows")
