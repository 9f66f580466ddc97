"""KPIs, scores, ranks and rewards do not depend on row order, file layout, format or run.

The data is a Zhenhai sample (``govhall sample``). Properties, each against
the answers for the sample as written:

- shuffling the rows of cases, ratings and findings changes no answer of
  ``kpi``, ``score`` or ``rewards`` (``--json``), nor the table of ``score``;
- the same rows as JSON Lines (numbers as JSON numbers) give the same answers;
- repeated runs give byte-identical output;
- splitting the rows into two files and feeding both to the library (two
  reads, one KPI run / one :class:`Scorer`) gives the same answers.

The CLI takes one file per kind: a data folder holding ``cases.csv`` and
``cases.jsonl`` is refused (which one is meant?), as the last test pins.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhall.cli import main
from govhall.config.load import load_config
from govhall.kpi import compute_kpis
from govhall.plugins import get_plugin_manager
from govhall.readers import ReadReport, read_cases, read_findings, read_ratings
from govhall.rewards import annual_results, reward_rules
from govhall.rulebook import hall_rulebooks, hall_weights
from govhall.scoring import Month, Scorer, deadline_function

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
STEMS = ("cases", "ratings", "findings")
SCRATCH = Path(tempfile.mkdtemp(prefix="govhall-determinism-"))
_names = itertools.count()
MONTH = "2010-03"
YEAR = "2010"
INTEGERS = {"visits", "level", "count"}


def _sample() -> dict[str, tuple[list[str], list[list[str]]]]:
    out = SCRATCH / "sample"
    result = CliRunner().invoke(main, ["sample", str(CONFIG), "--out", str(out), "--rows", "400"])
    assert result.exit_code == 0, result.output
    tables = {}
    for stem in STEMS:
        rows = list(csv.reader(io.StringIO((out / f"{stem}.csv").read_text(encoding="utf-8"))))
        tables[stem] = (rows[0], rows[1:])
    return tables


SAMPLE = _sample()


def write_folder(tables: dict[str, tuple[list[str], list[list[str]]]], ext: str = "csv") -> Path:
    folder = SCRATCH / f"d{next(_names)}"
    folder.mkdir()
    for stem, (header, rows) in tables.items():
        write_file(folder / f"{stem}.{ext}", header, rows)
    return folder


def write_file(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    if path.suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return
    lines = []
    for row in rows:
        record: dict[str, Any] = {}
        for name, value in zip(header, row, strict=True):
            record[name] = int(value) if name in INTEGERS and value.isdigit() else value
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def answers(folder: Path, *, table: bool = False) -> dict[str, Any]:
    """Run kpi, score and rewards on ``folder``; return their answers without file paths."""
    runner = CliRunner()
    found: dict[str, Any] = {}
    for name, args in (
        ("kpi", ["kpi", str(CONFIG), "--data", str(folder), "--json"]),
        ("score", ["score", str(CONFIG), "--data", str(folder), "--month", MONTH, "--json"]),
        ("rewards", ["rewards", str(CONFIG), "--data", str(folder), "--year", YEAR, "--json"]),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        data = document.pop("data", None)
        if data is not None:
            found[f"{name} counts"] = (data["read"], data["used"], data["rejected"])
        found[name] = document
    if table:
        shown = runner.invoke(main, ["score", str(CONFIG), "--data", str(folder), "--month", MONTH])
        found["score table"] = shown.stdout
    return found


EXPECTED = answers(write_folder(SAMPLE), table=True)
FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_sample_gives_ranked_scores_and_rewards_to_compare() -> None:
    """The expectations are not empty: there is something that could change."""
    # kpi reads cases and ratings; score reads findings too
    assert EXPECTED["kpi counts"] == (len(SAMPLE["cases"][1]) + len(SAMPLE["ratings"][1]),) * 2 + (
        0,
    )
    assert EXPECTED["score counts"][0] == sum(len(rows) for _, rows in SAMPLE.values())
    assert EXPECTED["kpi"]["accepted"] > 0
    assert EXPECTED["kpi"]["ratings"] > 0
    scores = [entry["score"] for entry in EXPECTED["score"]["windows"]]
    assert len(set(scores)) > 1
    assert any(entry["lines"] for entry in EXPECTED["score"]["staff"])
    assert any(entry["allowance"] for entry in EXPECTED["rewards"]["staff"])


@FEW
@given(seed=st.integers(0, 2**32 - 1))
def test_shuffled_rows_give_the_same_answers(seed: int) -> None:
    rng = random.Random(seed)
    shuffled = {}
    for stem, (header, rows) in SAMPLE.items():
        copy = list(rows)
        rng.shuffle(copy)
        shuffled[stem] = (header, copy)
    assert answers(write_folder(shuffled), table=True) == EXPECTED


@FEW
@given(seed=st.integers(0, 2**32 - 1))
def test_json_lines_give_the_same_answers_as_csv(seed: int) -> None:
    rng = random.Random(seed)
    shuffled = {stem: (h, rng.sample(rows, len(rows))) for stem, (h, rows) in SAMPLE.items()}
    assert answers(write_folder(shuffled, "jsonl")) == {
        key: value for key, value in EXPECTED.items() if key != "score table"
    }


def test_repeated_runs_print_identical_bytes() -> None:
    folder = write_folder(SAMPLE)
    runner = CliRunner()
    for args in (
        ["kpi", str(CONFIG), "--data", str(folder)],
        ["score", str(CONFIG), "--data", str(folder), "--month", MONTH, "--csv"],
        ["rewards", str(CONFIG), "--data", str(folder), "--year", YEAR, "--csv"],
        ["rewards", str(CONFIG), "--data", str(folder), "--year", YEAR],
    ):
        first, second = runner.invoke(main, args), runner.invoke(main, args)
        assert first.exit_code == second.exit_code == 0
        assert first.output == second.output


# -- split files, through the library -------------------------------------------


def library_answers(folders: Sequence[Path]) -> dict[str, Any]:
    """KPIs, March scores and 2010 rewards from every folder's files, read one after another."""
    manager = get_plugin_manager()
    hall = load_config(CONFIG, manager)
    tz = ZoneInfo(hall.hall.timezone)
    report = ReadReport()
    cases = [c for folder in folders for c in read_cases(folder / "cases.csv", tz, report)]
    ratings = [r for folder in folders for r in read_ratings(folder / "ratings.csv", tz, report)]
    kpis = compute_kpis(hall, iter(cases), iter(ratings), manager=manager).to_json()
    books = hall_rulebooks(hall, manager)
    months = [Month(2010, m) for m in range(1, 13)]
    scorer = Scorer(
        hall,
        books["window"],
        books["staff"],
        months,
        deadline_function(hall, manager),
        hall_weights(hall, manager),
    )
    for folder in folders:  # one batch per file, as a caller feeding two exports would
        scorer.add_cases(read_cases(folder / "cases.csv", tz, report))
        scorer.add_ratings(read_ratings(folder / "ratings.csv", tz, report))
        scorer.add_findings(read_findings(folder / "findings.csv", report))
    results = scorer.results()
    rewards = annual_results(2010, hall, reward_rules(hall, manager), results)
    return {
        "kpi": kpis,
        "score": results[Month(2010, 3)].to_json(),
        "rewards": rewards.to_json(),
        "used": report.used,
    }


LIBRARY_EXPECTED = library_answers([write_folder(SAMPLE)])


def test_the_library_agrees_with_the_cli() -> None:
    for name in ("kpi", "score", "rewards"):
        assert "warnings" not in EXPECTED[name]  # 2010 is a published year
        assert LIBRARY_EXPECTED[name] == EXPECTED[name]


@FEW
@given(data=st.data())
def test_rows_split_across_two_files_give_the_same_answers(data: st.DataObject) -> None:
    parts: list[dict[str, tuple[list[str], list[list[str]]]]] = [{}, {}]
    for stem, (header, rows) in SAMPLE.items():
        sides = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
        for index in (0, 1):
            parts[index][stem] = (
                header,
                [r for r, s in zip(rows, sides, strict=True) if s == index],
            )
    folders = [write_folder(part) for part in parts]
    assert library_answers(folders) == LIBRARY_EXPECTED


def test_two_cases_files_in_one_folder_are_refused(tmp_path: Path) -> None:
    folder = write_folder(SAMPLE)
    header, rows = SAMPLE["cases"]
    write_file(folder / "cases.jsonl", header, rows[:1])
    result = CliRunner().invoke(main, ["kpi", str(CONFIG), "--data", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}: several cases files (cases.csv, cases.jsonl); keep one" in result.output


@pytest.mark.parametrize("stem", STEMS)
def test_the_sample_has_rows_of_every_kind(stem: str) -> None:
    assert len(SAMPLE[stem][1]) > 5
