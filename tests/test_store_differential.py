"""Differential test: a store filled by repeated exports answers as the folder of the
deduplicated data does (kpi and score JSON, number for number), on DuckDB and PostgreSQL.

Each random hall history has hundreds of cases whose statuses advance from one
export to the next (re-exports repeat earlier cases), clock pauses, identical
repeated rows, rows that conflict within one export (neither used: the store
keeps what it had), ratings on several channels repeated across exports, and
orphan ratings (rejected).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import CASE_HEADER, RATING_HEADER, write_csv

from govhall.cli import main
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "zhenhai.toml")
CHANNELS = ("pad", "web", "app", "sms", "hotline")
EXPORTS = 3


def _history(rng: random.Random, cases: int) -> tuple[list[list[list[str]]], list[list[list[str]]]]:
    """Return the case rows and rating rows of each export."""
    config = open_hall(CONFIG).config
    staff = {}
    for member in config.staff:
        staff.setdefault(member.window, []).append(member.id)
    items = list(config.items)
    ids = [f"k{n:05d}" for n in rng.sample(range(100_000), cases)]
    lives = {}
    for case_id in ids:
        item = rng.choice(items)
        day = dt.date(2010, 1, 4) + dt.timedelta(days=rng.randrange(100))
        received = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(
            minutes=rng.randrange(500)
        )
        concluded = received + dt.timedelta(hours=rng.choice((1, 3, 30, 200, 600)))
        pauses = ""
        if item.kind == "promised" and rng.random() < 0.3:
            start = day + dt.timedelta(days=rng.randrange(1, 6))
            pauses = f"{start}/{start + dt.timedelta(days=rng.randrange(0, 4))}"
        path = rng.choice(
            [
                ["received", "accepted", "in_review", "concluded", "delivered"],
                ["received", "accepted", "concluded"],
                ["received", "correction", "returned"],
                ["received", "not_accepted"],
                ["accepted", "withdrawn"],
            ]
        )
        who = rng.choice([*staff.get(item.window, []), ""])
        visits = str(rng.choice((1, 1, 1, 2, 3)))
        versions = []
        for status in path:
            done = status in ("concluded", "delivered")
            versions.append(
                [case_id, item.window, item.id, item.kind, received.isoformat(timespec="minutes"),
                 status, concluded.isoformat(timespec="minutes") if done else "", visits, who,
                 pauses]
            )  # fmt: skip
        lives[case_id] = (versions, rng.randrange(EXPORTS))
    case_exports: list[list[list[str]]] = [[] for _ in range(EXPORTS)]
    rating_exports: list[list[list[str]]] = [[] for _ in range(EXPORTS)]
    for case_id, (versions, first) in lives.items():
        step = rng.randrange(len(versions))
        for export in range(first, EXPORTS):
            row = versions[min(step, len(versions) - 1)]
            case_exports[export].append(row)
            if rng.random() < 0.05:
                case_exports[export].append(list(row))  # the same row again
            step += rng.randrange(0, 3)
            if row[5] in ("concluded", "delivered") and rng.random() < 0.6:
                level = str(rng.choice((1, 2, 3, 4, 5, 5, 5)))
                for channel in rng.sample(CHANNELS, rng.randrange(1, 3)):
                    rated = dt.datetime.fromisoformat(row[6]) + dt.timedelta(minutes=5)
                    rating = [case_id, row[1], row[8], level, rated.isoformat(), channel]
                    if rating not in rating_exports[export]:
                        rating_exports[export].append(rating)
    for export in range(EXPORTS):
        # a few conflicting rows (another visit count) and orphan ratings in each export
        for row in rng.sample(case_exports[export], min(3, len(case_exports[export]))):
            other = list(row)
            other[7] = str(int(row[7]) + 1)
            case_exports[export].append(other)
        rating_exports[export].append(
            ["no-such-case", "dishui", "", "1", "2010-02-01T10:00", "pad"]
        )
        rng.shuffle(case_exports[export])
        rng.shuffle(rating_exports[export])
    return case_exports, rating_exports


def _deduplicated(
    case_exports: list[list[list[str]]], rating_exports: list[list[list[str]]]
) -> tuple[list[list[str]], list[list[str]]]:
    """What the store should hold: per export, rows with one content per key replace earlier
    ones; keys with several contents in one export keep what was there; orphans are out."""
    cases: dict[str, list[str]] = {}
    ratings: dict[tuple[str, str, str], list[str]] = {}
    for case_rows, rating_rows in zip(case_exports, rating_exports, strict=True):
        seen: dict[str, set[tuple[str, ...]]] = {}
        for row in case_rows:
            seen.setdefault(row[0], set()).add(tuple(row))
        for case_id, contents in seen.items():
            if len(contents) == 1:
                cases[case_id] = list(next(iter(contents)))
        for row in rating_rows:
            if row[0] in cases:
                ratings[(row[0], row[5], row[4])] = row
    return list(cases.values()), list(ratings.values())


def _answers(data: str) -> dict[str, object]:
    runner = CliRunner()
    found: dict[str, object] = {}
    for name, args in (
        ("kpi", ["kpi", CONFIG, "--json"]),
        ("kpi-march", ["kpi", CONFIG, "--from", "2010-03-01", "--to", "2010-03-31", "--json"]),
        ("score-02", ["score", CONFIG, "--month", "2010-02", "--json"]),
        ("score-03", ["score", CONFIG, "--month", "2010-03", "--json"]),
    ):
        result = runner.invoke(main, [*args, "--data", data])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        document.pop("data")  # where the rows came from: files or a store
        found[name] = document
    return found


@pytest.mark.parametrize("seed", range(4))
def test_a_store_of_repeated_exports_answers_as_the_deduplicated_folder(
    seed: int, store_target: str, tmp_path: Path
) -> None:
    if store_target.startswith("postgresql") and seed >= 2:
        pytest.skip("two random histories suffice against the server; DuckDB runs four")
    rng = random.Random(seed)
    case_exports, rating_exports = _history(rng, 300)
    runner = CliRunner()
    for number, (case_rows, rating_rows) in enumerate(
        zip(case_exports, rating_exports, strict=True)
    ):
        export = tmp_path / f"export-{number}"
        write_csv(export / "cases.csv", CASE_HEADER, case_rows)
        write_csv(export / "ratings.csv", RATING_HEADER, rating_rows)
        result = runner.invoke(
            main, ["ingest", CONFIG, "--data", str(export), "--store", store_target, "--json"]
        )
        assert result.exit_code == 0, result.output
        files = json.loads(result.stdout)["files"]
        for entry in files:  # every row accounted for
            assert entry["read"] == sum(
                entry[k] for k in ("inserted", "updated", "unchanged", "rejected")
            )
        assert files[1]["rejected"] >= 1  # the orphan at least
    cases, ratings = _deduplicated(case_exports, rating_exports)
    folder = tmp_path / "deduplicated"
    write_csv(folder / "cases.csv", CASE_HEADER, cases)
    write_csv(folder / "ratings.csv", RATING_HEADER, ratings)
    expected = _answers(str(folder))
    assert expected["kpi"]["accepted"] > 50  # type: ignore[index]
    assert _answers(store_target) == expected


@pytest.mark.parametrize("seed", range(2))
def test_a_folder_and_the_store_imported_from_it_answer_alike(
    seed: int, store_target: str, tmp_path: Path
) -> None:
    """The folder's own rules (repeated keys, orphans, a stray quote, re-ratings) are the
    store's: kpi and score of the folder equal those of a store of the same folder."""
    if store_target.startswith("postgresql") and seed >= 1:
        pytest.skip("one random folder suffices against the server; DuckDB runs two")
    rng = random.Random(100 + seed)
    case_exports, rating_exports = _history(rng, 300)
    cases, ratings = case_exports[-1], rating_exports[-1]  # copies, conflicts, an orphan
    rated = [row for row in ratings if row[0] != "no-such-case"]
    for row in rng.sample(rated, 20):  # re-rated later from the same channel
        later = dt.datetime.fromisoformat(row[4]) + dt.timedelta(days=rng.randrange(1, 40))
        ratings.append([*row[:3], str(rng.randint(1, 5)), later.isoformat(), row[5]])
    folder = tmp_path / "folder"
    write_csv(folder / "cases-1.csv", CASE_HEADER, cases[: len(cases) // 2])
    path = write_csv(folder / "cases-2.csv", CASE_HEADER, cases[len(cases) // 2 :])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace(",", ',"', 1)  # a stray quote on line 6
    path.write_text("".join(lines), encoding="utf-8")
    write_csv(folder / "ratings.csv", RATING_HEADER, ratings)
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(folder), "--store", store_target, "--json"]
    )
    assert result.exit_code == 0, result.output
    expected = _answers(str(folder))
    assert expected["kpi"]["ratings"] > 50  # type: ignore[index]
    assert _answers(store_target) == expected
    for engine in ("duckdb",):
        runner = CliRunner()
        found = runner.invoke(main, ["kpi", CONFIG, "--json", "--data", str(folder),
                                     "--engine", engine])  # fmt: skip
        document = json.loads(found.stdout)
        document.pop("data")
        assert document == expected["kpi"]
