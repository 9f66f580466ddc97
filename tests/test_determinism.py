"""KPIs, scores, ranks and rewards do not depend on row order, file layout, format or run.

The data is a Zhenhai sample (``govhall sample``). Properties, each against
the answers for the sample as written:

- shuffling the rows of cases, ratings and findings changes no answer of
  ``kpi``, ``score`` or ``rewards`` (``--json``), nor the table of ``score``;
- the same rows as JSON Lines (numbers as JSON numbers) give the same answers;
- repeated runs give byte-identical output;
- splitting each kind's rows over two files in one data folder, one CSV and
  one JSON Lines (``cases-2010-a.csv`` + ``cases_2010-b.jsonl``, or
  ``cases.csv`` + ``cases.jsonl`` ...), gives the CLI's same answers: only
  the per-file read summary differs;
- splitting the rows into two folders and feeding both to the library (two
  reads, one KPI run / one :class:`Scorer`) gives the same answers.
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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from session_temp import Scratch, module_scratch

from govhall.assessment.kpi import compute_kpis
from govhall.assessment.rewards import annual_results
from govhall.assessment.scoring import Month
from govhall.cli import main
from govhall.config.load import load_config
from govhall.plugins import get_plugin_manager
from govhall.readers import ReadReport, read_cases, read_findings, read_ratings
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
STEMS = ("cases", "ratings", "findings")
SCRATCH = Scratch()
"""The folder of this module's files: made and removed by the ``scratch`` fixture."""
_names = itertools.count()
MONTH = "2010-03"
YEAR = "2010"
INTEGERS = {"visits", "level", "count"}


scratch = module_scratch(SCRATCH, "determinism")


def _sample() -> dict[str, tuple[list[str], list[list[str]]]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sample"
        args = ["sample", str(CONFIG), "--out", str(out), "--rows", "400"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        tables = {}
        for stem in STEMS:
            text = (out / f"{stem}.csv").read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(text)))
            tables[stem] = (rows[0], rows[1:])
    return tables


SAMPLE = _sample()


def write_folder(
    tables: dict[str, tuple[list[str], list[list[str]]]], ext: str = "csv", root: Path | None = None
) -> Path:
    folder = (SCRATCH if root is None else root) / f"d{next(_names)}"
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


def _expected() -> dict[str, Any]:
    """Answer of the sample as written (at import: the module's tests compare with it)."""
    with tempfile.TemporaryDirectory() as tmp:
        return answers(write_folder(SAMPLE, root=Path(tmp)), table=True)


EXPECTED = _expected()
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


# -- split files, through the CLI ---------------------------------------------------

Tables = dict[str, tuple[list[str], list[list[str]]]]
NAMINGS = (
    ("{stem}.csv", "{stem}.jsonl"),
    ("{stem}-2010-a.csv", "{stem}_2010-b.jsonl"),
    ("{stem}_2010-b.jsonl", "{stem}-2010-a.csv"),  # the JSON Lines file sorts first
    ("{stem}-1.jsonl", "{stem}.csv"),
)
"""Names of the two files of each kind: part one as CSV or JSON Lines, part two as the other."""


def split_sample(data: st.DataObject) -> list[Tables]:
    """Draw a side (0 or 1) for every row of the sample; return the two parts."""
    parts: list[Tables] = [{}, {}]
    for stem, (header, rows) in SAMPLE.items():
        sides = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
        for index in (0, 1):
            parts[index][stem] = (
                header,
                [r for r, s in zip(rows, sides, strict=True) if s == index],
            )
    return parts


def split_folder(parts: Sequence[Tables], naming: tuple[str, str]) -> tuple[Path, list[Path]]:
    """Write both parts into one folder, each kind's part one and two under the naming's names."""
    folder = SCRATCH / f"split{next(_names)}"
    folder.mkdir()
    written = []
    for part, pattern in zip(parts, naming, strict=True):
        for stem, (header, rows) in part.items():
            path = folder / pattern.format(stem=stem)
            write_file(path, header, rows)
            written.append(path)
    return folder, written


@pytest.mark.parametrize("naming", NAMINGS, ids=lambda naming: "+".join(naming))
@settings(FEW, max_examples=3, phases=[Phase.generate])  # no shrinking: 4 CLI runs a try
@given(data=st.data())
def test_rows_split_over_a_csv_and_a_json_lines_file_give_the_same_cli_answers(
    naming: tuple[str, str], data: st.DataObject
) -> None:
    folder, _ = split_folder(split_sample(data), naming)
    assert answers(folder, table=True) == EXPECTED


def test_split_files_are_each_summarised_and_the_totals_match_one_file() -> None:
    parts: list[Tables] = [
        {stem: (header, rows[index::2]) for stem, (header, rows) in SAMPLE.items()}
        for index in (0, 1)
    ]
    folder, written = split_folder(parts, NAMINGS[1])
    runner = CliRunner()
    result = runner.invoke(main, ["kpi", str(CONFIG), "--data", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    expected_files = []
    for stem in ("cases", "ratings"):  # kpi reads no findings
        for index, pattern in enumerate(NAMINGS[1]):  # "-2010-a" sorts before "_2010-b"
            rows = len(parts[index][stem][1])
            path = folder / pattern.format(stem=stem)
            lines = len(path.read_text(encoding="utf-8").splitlines())  # a CSV header too
            expected_files.append(
                {"path": str(path), "read": rows, "used": rows, "rejected": 0, "lines": lines,
                 "copies": 0}
            )  # fmt: skip
    assert data["files"] == expected_files
    assert (data["read"], data["used"], data["rejected"]) == EXPECTED["kpi counts"]
    summary = [
        f"{f['path']}: read {f['read']}, used {f['read']}, rejected 0 ({f['lines']} lines)"
        for f in expected_files
    ]
    read, used, rejected = EXPECTED["kpi counts"]
    summary.append(f"rows: read {read}, used {used}, rejected {rejected}")
    assert result.stderr.splitlines() == summary
    score = runner.invoke(main, ["score", str(CONFIG), "--data", str(folder), "--month", MONTH])
    assert score.exit_code == 0, score.output
    for path in written:  # findings too
        assert f"{path}: read " in score.stderr
    # one file of each kind: kpi prints the total alone, as before
    one = runner.invoke(main, ["kpi", str(CONFIG), "--data", str(write_folder(SAMPLE))])
    assert one.exit_code == 0, one.output
    assert one.stderr.splitlines() == summary[-1:]
    # ratings split, cases not: every file's counts again
    folder = write_folder({"cases": SAMPLE["cases"]})
    header, rows = SAMPLE["ratings"]
    write_file(folder / "ratings-a.csv", header, rows[:3])
    write_file(folder / "ratings-b.jsonl", header, rows[3:])
    some = runner.invoke(main, ["kpi", str(CONFIG), "--data", str(folder)])
    assert some.exit_code == 0, some.output
    assert some.stderr.splitlines() == [
        f"{folder / 'cases.csv'}: read {len(SAMPLE['cases'][1])}, used {len(SAMPLE['cases'][1])}, "
        f"rejected 0 ({len(SAMPLE['cases'][1]) + 1} lines)",
        f"{folder / 'ratings-a.csv'}: read 3, used 3, rejected 0 (4 lines)",
        f"{folder / 'ratings-b.jsonl'}: read {len(rows) - 3}, used {len(rows) - 3}, rejected 0 "
        f"({len(rows) - 3} lines)",
        *summary[-1:],
    ]


# -- split files, through the library -------------------------------------------


def library_answers(folders: Sequence[Path]) -> dict[str, Any]:
    """KPIs, March scores and 2010 rewards from every folder's files, read one after another."""
    manager = get_plugin_manager()
    hall = load_config(CONFIG, manager)
    tz = ZoneInfo(hall.hall.timezone)
    report = ReadReport()
    cases = [c for folder in folders for c in read_cases(folder / "cases.csv", tz, report)]
    ratings = [r for folder in folders for r in read_ratings(folder / "ratings.csv", tz, report)]
    session = open_hall(hall, manager=manager)
    kpis = compute_kpis(
        hall,
        iter(cases),
        iter(ratings),
        times=session.due_times,
        satisfied_level=session.satisfied_level,
    ).to_json()
    scorer = session.scorer([Month(2010, m) for m in range(1, 13)])
    for folder in folders:  # one batch per file, as a caller feeding two exports would
        scorer.add_cases(read_cases(folder / "cases.csv", tz, report))
        scorer.add_ratings(read_ratings(folder / "ratings.csv", tz, report))
        scorer.add_findings(read_findings(folder / "findings.csv", report))
    results = scorer.results()
    staff_year = scorer.staff_year(2010)
    rewards = annual_results(2010, hall, session.reward_rules, results, staff_year=staff_year)
    return {
        "kpi": kpis,
        "score": results[Month(2010, 3)].to_json(),
        "rewards": rewards.to_json(),
        "used": report.used,
    }


def _library_expected() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return library_answers([write_folder(SAMPLE, root=Path(tmp))])


LIBRARY_EXPECTED = _library_expected()


def test_the_library_agrees_with_the_cli() -> None:
    for name in ("kpi", "score", "rewards"):
        assert "warnings" not in EXPECTED[name]  # 2010 is a published year
        assert LIBRARY_EXPECTED[name] == EXPECTED[name]


@FEW
@given(data=st.data())
def test_rows_split_across_two_folders_give_the_same_library_answers(
    data: st.DataObject,
) -> None:
    folders = [write_folder(part) for part in split_sample(data)]
    assert library_answers(folders) == LIBRARY_EXPECTED


@pytest.mark.parametrize("stem", STEMS)
def test_the_sample_has_rows_of_every_kind(stem: str) -> None:
    assert len(SAMPLE[stem][1]) > 5
