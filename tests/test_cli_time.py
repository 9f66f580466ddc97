"""``govhall hours``, ``open`` and ``deadline``: JSON, tables, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from govhall.cli import main

PINGHU = Path(__file__).resolve().parent.parent / "configs" / "pinghu.toml"
HALL = """
[hall]
county = "pinghu"

[[windows]]
id = "police"
name = "公安窗口"

[[windows]]
id = "social"
name = "社保窗口"

[[windows]]
id = "market"
name = "市场监管窗口"

[[items]]
id = "pension"
name = "养老保险关系转移"
window = "social"
kind = "promised"
promised_days = 5

[hours.windows.market]
staggered = true

[hours.rota]
anchor = 2026-10-11
cycle = [["market"], []]
"""

pytestmark = pytest.mark.usefixtures("cli_manager")


@pytest.fixture
def hall(tmp_path: Path) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(HALL, encoding="utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def run_json(*args: str | Path) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _intervals(document: Any) -> dict[str, list[list[str]]]:
    return {entry["window"]: entry["intervals"] for entry in document["windows"]}


# -- hours ---------------------------------------------------------------------
def test_hours_weekday_lunch(hall: Path) -> None:
    document = run_json("hours", hall, "--on", "2026-10-12")
    assert document["date"] == "2026-10-12"
    assert _intervals(document) == {
        "police": [["08:30", "17:30"]],
        "social": [["08:30", "11:30"], ["14:00", "17:30"]],
        "market": [["08:30", "17:30"]],
    }
    assert document["day"] == {"kind": "workday", "workday": True, "name": None}
    assert document["warnings"] == []


def test_hours_national_day_and_ordinary_saturday_police_only(hall: Path) -> None:
    for day in ("2026-10-05", "2026-10-17"):
        document = run_json("hours", hall, "--on", day)
        assert _intervals(document) == {
            "police": [["09:00", "11:00"], ["14:00", "16:00"]],
            "social": [],
            "market": [],
        }
    assert run_json("hours", hall, "--on", "2026-10-05")["day"]["name"] == "National Day"


def test_hours_make_up_saturday_is_a_working_day(hall: Path) -> None:
    document = run_json("hours", hall, "--on", "2026-10-10", "--window", "social")
    assert document["windows"] == [
        {"window": "social", "intervals": [["08:30", "11:30"], ["14:00", "17:30"]], "rota": False}
    ]
    assert document["day"]["name"] == "National Day (make-up working day)"


def test_hours_sunday_rota(hall: Path) -> None:
    document = run_json("hours", hall, "--on", "2026-10-11")
    assert document["windows"][2] == {
        "window": "market",
        "intervals": [["09:00", "11:00"], ["14:00", "16:00"]],
        "rota": True,
    }
    assert _intervals(run_json("hours", hall, "--on", "2026-10-18"))["market"] == []


def test_hours_table_and_unpublished_year_warning(hall: Path) -> None:
    result = run("hours", hall, "--on", "2027-03-03")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2027-03-03 (Wednesday, workday)"
    assert "social  社保窗口      08:30–11:30, 14:00–17:30" in lines
    assert "warning: no State Council holiday arrangement for 2027" in result.stderr
    assert "2027 estimated" in result.stderr
    document = run_json("hours", hall, "--on", "2027-03-03")
    (warning,) = document["warnings"]
    assert "2027" in warning
    # New Year's Day is a statutory holiday: an estimated rest day until the notice is out
    new_year = run("hours", hall, "--on", "2027-01-01")
    assert new_year.stdout.splitlines()[0] == (
        "2027-01-01 (Friday, holiday: New Year's Day (estimated))"
    )


def test_hours_on_the_shipped_config_names_its_source() -> None:
    document = run_json("hours", PINGHU, "--on", "2026-10-17")
    # An ordinary Saturday: police duty only (《平湖行政服务中心窗口服务电话表》); the example
    # windows are closed.
    assert _intervals(document) == {
        "police": [["09:00", "11:00"], ["14:00", "16:00"]],
        "market": [],
        "tax": [],
    }
    assert "《平湖行政服务中心窗口服务电话表》" in document["note"]


# -- open ---------------------------------------------------------------------
def test_open_at_weekday_lunch(hall: Path) -> None:
    document = run_json("open", hall, "--at", "2026-10-12T12:00")
    assert document == {
        "at": "2026-10-12T12:00:00+08:00",
        "open": ["police", "market"],
        "closed": [{"window": "social", "next_open": "2026-10-12T14:00:00+08:00"}],
        "warnings": [],
    }


def test_open_on_a_holiday_with_offset_input(hall: Path) -> None:
    document = run_json("open", hall, "--at", "2026-10-02T01:30:00+00:00")  # 09:30 local
    assert document["at"] == "2026-10-02T09:30:00+08:00"
    assert document["open"] == ["police"]
    assert document["closed"] == [
        {"window": "social", "next_open": "2026-10-08T08:30:00+08:00"},
        {"window": "market", "next_open": "2026-10-08T08:30:00+08:00"},
    ]


def test_open_table(hall: Path) -> None:
    result = run("open", hall, "--at", "2026-10-17 12:00")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "at 2026-10-17T12:00:00+08:00"
    assert "police  closed  2026-10-17T14:00:00+08:00" in lines
    assert "social  closed  2026-10-19T08:30:00+08:00" in lines


# -- deadline -------------------------------------------------------------------
def test_deadline_worked_example(hall: Path) -> None:
    document = run_json(
        "deadline", hall, "--item", "pension", "--received", "2026-09-30T10:00",
        "--now", "2026-10-12T12:00",
    )  # fmt: skip
    assert {k: document[k] for k in ("item", "received", "due", "working_days")} == {
        "item": "pension",
        "received": "2026-09-30T10:00:00+08:00",
        "due": "2026-10-13T17:30:00+08:00",
        "working_days": 5,
    }
    assert document["warnings"] == []
    assert document["status"] == "due_soon"
    assert document["remaining_minutes"] == 210 + 390


def test_deadline_pauses_and_after_hours(hall: Path) -> None:
    document = run_json(
        "deadline", hall, "--item", "pension", "--received", "2026-09-30T18:00",
        "--pause", "2026-10-09/2026-10-12", "--pause", "2026-10-15",
        "--now", "2026-10-20T09:00",
    )  # fmt: skip
    assert document["counted_from"] == "2026-10-08"
    assert document["pauses"] == [["2026-10-09", "2026-10-12"], ["2026-10-15", "2026-10-15"]]
    # counted: 13, 14, 16, 19, 20 October
    assert document["due"] == "2026-10-20T17:30:00+08:00"
    assert document["status"] == "due_soon"


def test_deadline_table(hall: Path) -> None:
    result = run(
        "deadline", hall, "--item", "pension", "--received", "2026-09-30T10:00",
        "--now", "2026-10-14T09:00",
    )  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "due                2026-10-13T17:30:00+08:00" in lines
    assert "status             overdue" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hours", "{hall}", "--on", "2026-10-12", "--window", "x"], "no window with id 'x'"),
        (
            ["deadline", "{hall}", "--item", "nope", "--received", "2026-09-30T10:00"],
            "no item with id 'nope'",
        ),
        (["hours", "missing.toml", "--on", "2026-10-12"], "cannot read file"),
    ],
)
def test_bad_input_exits_1_with_a_message(hall: Path, args: list[str], message: str) -> None:
    result = run(*[arg.replace("{hall}", str(hall)) for arg in args])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hours", "{hall}", "--on", "2026-13-01"], "--on: '2026-13-01' is not a date"),
        (["open", "{hall}", "--at", "noon"], "--at: 'noon' is not a date-time"),
        (
            ["deadline", "{hall}", "--item", "pension", "--received", "2026-09-31T10:00"],
            "--received: '2026-09-31T10:00' is not a date-time",
        ),
        (
            ["deadline", "{hall}", "--item", "pension", "--received", "2026-09-30", "--pause",
             "2026-10-09/2026-10-01"],
            "--pause: '2026-10-09/2026-10-01' ends before it starts",
        ),
        (
            ["deadline", "{hall}", "--item", "pension", "--received", "2026-09-30", "--pause",
             "2026-10-09/soon"],
            "--pause: 'soon' is not a date",
        ),
    ],
)  # fmt: skip
def test_malformed_option_values_are_usage_errors(
    hall: Path, args: list[str], message: str
) -> None:
    result = run(*[arg.replace("{hall}", str(hall)) for arg in args])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {message}" in result.stderr
    assert "Traceback" not in result.output


def test_missing_option_is_a_usage_error(hall: Path) -> None:
    assert run("deadline", hall, "--item", "pension").exit_code == 2


def test_deadline_explanation_lists_the_receipt_day_when_it_counts(tmp_path: Path) -> None:
    config = tmp_path / "pinghu.toml"
    config.write_text(
        Path(PINGHU).read_text(encoding="utf-8") + "\n[deadlines]\ncount_receipt_day = true\n",
        encoding="utf-8",
    )
    document = run_json(
        "deadline", config, "--item", "household-move", "--received", "2026-09-30T10:00"
    )
    assert document["due"] == "2026-10-12T17:30:00+08:00"
    assert document["explanation"] == [
        "5 working days from 2026-09-30 (counted as day 1): "
        "2026-09-30, 2026-10-08, 2026-10-09, 2026-10-10, 2026-10-12"
    ]


def test_open_at_a_moment_with_seconds_rounds_up_to_the_next_minute() -> None:
    document = run_json("open", PINGHU, "--at", "2026-10-12T08:29:30")
    assert document["closed"] == [
        {"window": "police", "next_open": "2026-10-12T08:30:00+08:00"},
        {"window": "market", "next_open": "2026-10-12T08:30:00+08:00"},
        {"window": "tax", "next_open": "2026-10-12T08:30:00+08:00"},
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["deadline", str(PINGHU), "--item", "household-move", "--received", "9999-12-30T10:00"],
        ["open", str(PINGHU), "--at", "9999-12-31T20:00"],
        ["hours", str(PINGHU), "--on", "0001-01-01"],
    ],
)
def test_a_year_outside_1900_2999_is_a_usage_error_not_a_crash(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "is outside 1900-2999" in result.stderr
    assert "internal error" not in result.output
