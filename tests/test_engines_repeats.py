"""Every engine counts what ``rows`` counts when rows repeat: the folder's rules in each.

The random data of ``test_engines`` with, added: identical copies of case
rows (in the same file and in a split file), case ids with two contents
(neither used), ratings given again later from the same channel (the hall's
``repeated`` rule: ``latest`` or ``all``), identical and conflicting rating
rows, orphan ratings, and a stray quote. The JSON and the messages on stderr
are the same, engine for engine.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_engines import _config, _write

from govhall.cli import main as cli
from govhall.engines import open_engine
from govhall.readers import ReadReport
from govhall.readers.duck_scan import FolderScan
from govhall.session import open_hall


def _repeat(data: Path, rng: random.Random) -> None:
    """Add repeated, conflicting, orphan and re-given rows to a folder of ``_write``."""
    with (data / "cases.csv").open(encoding="utf-8", newline="") as handle:
        header, *cases = list(csv.reader(handle))
    copies = rng.sample(cases, 20)
    conflicts = [[*row[:7], str(int(row[7]) + 1), *row[8:]] for row in rng.sample(cases, 5)]
    split = [*rng.sample(cases, 10), *[[f"S{n}", *row[1:]] for n, row in enumerate(cases[:30])]]
    cases = [*cases, *copies, *conflicts]
    rng.shuffle(cases)
    for name, rows in (("cases.csv", cases), ("cases-2026.csv", split)):
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    with (data / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        rating_header, *ratings = list(csv.reader(handle))
    again = []
    for row in rng.sample(ratings, 60):  # given again later (or earlier) from the channel
        moment = row[4][:11] + f"{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}"
        again.append([*row[:3], str(rng.randint(1, 5)), moment, row[5]])
    other = [[*row[:5], "web"] for row in rng.sample(ratings, 10)]  # another channel
    same = rng.sample(ratings, 5)  # identical
    differ = [[*row[:3], str(6 - int(row[3]) or 1), *row[4:]] for row in rng.sample(ratings, 3)]
    orphans = [["nowhere", row[1], "", "1", row[4], row[5]] for row in ratings[:3]]
    ratings = [*ratings, *again, *other, *same, *differ, *orphans]
    rng.shuffle(ratings)
    with (data / "ratings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(rating_header)
        writer.writerows(ratings)


def _run(config: Path, data: Path, engine: str) -> tuple[dict[str, object], str]:
    result = CliRunner().invoke(
        cli, ["kpi", str(config), "--data", str(data), "--json", "--engine", engine]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


@pytest.mark.parametrize(
    ("setup", "rule"), [("pinghu", "latest"), ("zhenhai", "all"), ("new-york", "latest")]
)
def test_duckdb_counts_repeated_rows_as_rows_does(setup: str, rule: str, tmp_path: Path) -> None:
    config = _config(setup, tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[ratings]\nrepeated = "{rule}"\n',
        encoding="utf-8",
    )
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=len(setup) + 7)
    _repeat(data, random.Random(len(setup)))
    expected = _run(config, data, "rows")
    document, err = expected
    assert "counted once" in err
    assert "neither row is used" in err
    assert "orphan" in err
    assert document["data"]["copies"] >= 25  # type: ignore[index]
    assert _run(config, data, "duckdb") == expected
    for period in ({"start": None, "end": None},):
        engine = open_engine("duckdb")
        try:
            assert (
                hall.kpis(data, engine=engine, **period).kpis.to_json()
                == hall.kpis(data, **period).kpis.to_json()
            )
        finally:
            engine.close()


def test_re_given_ratings_alone_keep_the_fast_scan(tmp_path: Path) -> None:
    """Ratings given again (distinct moments) are counted by the rule in SQL, not carefully."""
    config = _config("pinghu", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=3)
    with (data / "ratings.csv").open(encoding="utf-8", newline="") as handle:
        header, *ratings = list(csv.reader(handle))
    later = [[*row[:3], "5", row[4][:11] + "17:59", row[5]] for row in ratings[:50]]
    with (data / "ratings.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([*ratings, *later])
    engine = open_engine("duckdb")
    try:
        scan = FolderScan(engine, hall.zone, ReadReport(), hall.keys)  # type: ignore[arg-type]
        scan.cases(hall.source(data).files("cases"))
        scan.ratings(hall.source(data).files("ratings"), "latest")
        assert (scan.fast_files, scan.careful_files) == (2, 0)
        (counted,) = engine.connection.execute("SELECT count(*) FROM rating_rows").fetchall()[0]  # type: ignore[attr-defined]
        assert counted == len(ratings)
    finally:
        engine.close()
    assert hall.kpis(data, engine="duckdb").kpis.to_json() == hall.kpis(data).kpis.to_json()


def test_a_stray_quote_sends_the_file_to_the_careful_reader(tmp_path: Path) -> None:
    config = _config("zhenhai", tmp_path)
    hall = open_hall(config)
    data = _write(hall, tmp_path / "data", seed=5)
    path = data / "cases.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[40] = lines[40].replace(",", ',"', 1)
    path.write_text("".join(lines), encoding="utf-8")
    rows, duck = _run(config, data, "rows"), _run(config, data, "duckdb")
    assert rows == duck
    assert f"{path}:41: error: a quoted field is not closed" in rows[1]
    rating_lines = len((data / "ratings.csv").read_text(encoding="utf-8").splitlines())
    assert rows[0]["data"]["lines"] == len(lines) + rating_lines  # type: ignore[index]
