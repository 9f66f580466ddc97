"""What a newcomer tripped on at the command line: exit codes, wording, help, escapes.

Exit codes follow one rule (docs/cases.md): 2 when the command line itself
is wrong, 1 when a file is missing or wrong or a check fails. Messages count
in singular and plural, name an impossible day as such, never print
"Error: ... error:", never leak pydantic's wording, and never send a
terminal escape code from a data file raw to the terminal.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import COMMAND_TABLE, main

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
PINGHU = ROOT / "configs" / "pinghu.toml"
LUANCHUAN = ROOT / "configs" / "luanchuan.toml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    result = CliRunner().invoke(main, ["sample", str(ZHENHAI), "--out", str(out), "--rows", "300"])
    assert result.exit_code == 0, result.output
    return out


def _run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_an_impossible_day_is_named_as_such_not_as_a_bad_format() -> None:
    result = _run("hours", PINGHU, "--on", "2026-02-30")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "'2026-02-30' is not a date: day is out of range for month" in (
        result.stderr  # type: ignore[attr-defined]
    )
    assert "YYYY-MM-DD" not in result.stderr  # type: ignore[attr-defined]


def test_to_before_from_is_a_usage_error_like_a_reversed_pause(data: Path) -> None:
    kpi = _run("kpi", ZHENHAI, "--data", data, "--from", "2010-03-01", "--to", "2010-02-01")
    pause = _run(
        "deadline", ZHENHAI, "--item", "property-transfer", "--received", "2010-03-01T10:00",
        "--pause", "2010-03-05/2010-03-02",
    )  # fmt: skip
    assert kpi.exit_code == pause.exit_code == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["kpi", "score", "rewards", "report"])
def test_a_missing_or_file_data_path_exits_1(command: str, data: Path, tmp_path: Path) -> None:
    extra = {
        "kpi": [],
        "score": ["--month", "2010-03"],
        "rewards": ["--year", "2010"],
        "report": ["--month", "2010-03", "--out", tmp_path / "r.html"],
    }[command]
    missing = _run(command, ZHENHAI, "--data", tmp_path / "nope", *extra)
    a_file = _run(command, ZHENHAI, "--data", data / "cases.csv", *extra)
    assert missing.exit_code == a_file.exit_code == 1  # type: ignore[attr-defined]
    assert "no such folder" in missing.stderr  # type: ignore[attr-defined]
    assert "not a folder" in a_file.stderr  # type: ignore[attr-defined]


def test_a_missing_config_and_a_folder_as_config_both_exit_1(tmp_path: Path) -> None:
    # a folder is a deployment: one without any hall config says so
    for path, message in (
        (tmp_path / "nope.toml", "cannot read file"),
        (tmp_path, "no *.toml hall config in this folder"),
    ):
        result = _run("show", path)
        assert result.exit_code == 1  # type: ignore[attr-defined]
        assert message in result.stderr  # type: ignore[attr-defined]
        assert "Error: " in result.stderr  # type: ignore[attr-defined]
        assert ": error: " not in result.stderr  # type: ignore[attr-defined]


def test_validate_counts_in_singular_and_plural(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PINGHU.read_text(encoding="utf-8") + "\nnope = 1\n", encoding="utf-8")
    result = _run("validate", bad)
    assert "invalid (1 error, " in result.stdout  # type: ignore[attr-defined]
    assert "1 errors" not in result.stdout  # type: ignore[attr-defined]
    assert "1 warnings" not in result.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize(("interval", "message"), [
    ('["08:00", "09:00", "10:00"]', "expected an array of at most 2 values, got 3"),
    ('["08:00"]', "expected an array of at least 2 values, got 1"),
])  # fmt: skip
def test_a_wrong_length_interval_is_explained_without_pydantic_words(
    interval: str, message: str, tmp_path: Path
) -> None:
    config = tmp_path / "hall.toml"
    config.write_text(
        PINGHU.read_text(encoding="utf-8") + f"\n[[hours.schedules]]\nworkday = [{interval}]\n",
        encoding="utf-8",
    )
    result = _run("validate", config)
    assert message in result.stdout  # type: ignore[attr-defined]
    assert "after validation" not in result.stdout  # type: ignore[attr-defined]


def test_chain_counts_the_conditional_level_apart() -> None:
    result = _run("chain", LUANCHUAN, "--item", "site-selection")
    first = result.stdout.splitlines()[0]  # type: ignore[attr-defined]
    assert first == "item site-selection: 4 levels + 1 conditional, on the spot: no"


def test_no_help_shows_a_bare_type_name_or_raw_backticks() -> None:
    for name in COMMAND_TABLE:
        text = _run(name, "--help").output  # type: ignore[attr-defined]
        assert " TEXT " not in text, name
        assert " INTEGER" not in text, name
        assert "``" not in text, name


@pytest.mark.parametrize("command", ["score", "rewards"])
def test_csv_and_json_together_are_a_usage_error(command: str, data: Path) -> None:
    period = ["--month", "2010-03"] if command == "score" else ["--year", "2010"]
    result = _run(command, ZHENHAI, "--data", data, *period, "--csv", "--json")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "--csv and --json cannot be used together" in result.stderr  # type: ignore[attr-defined]


@pytest.fixture
def bad_row_data(data: Path, tmp_path: Path) -> Path:
    for name in ("cases.csv", "ratings.csv", "findings.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    with (tmp_path / "cases.csv").open("a", encoding="utf-8") as stream:
        stream.write("broken,row\n")
    return tmp_path


@pytest.mark.parametrize("command", ["kpi", "score", "rewards", "report"])
def test_strict_prints_and_writes_no_answer_in_every_command(
    command: str, bad_row_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    extra = {
        "kpi": [],
        "score": ["--month", "2010-03"],
        "rewards": ["--year", "2010"],
        "report": ["--month", "2010-03", "--out", out],
    }[command]
    result = _run(command, ZHENHAI, "--data", bad_row_data, *extra, "--strict")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "--strict: 1 row(s) rejected" in result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert not out.exists()


def test_terminal_escape_codes_in_ids_are_shown_escaped(data: Path, tmp_path: Path) -> None:
    escape = "\x1b[2J\x1b[31m"
    lines = (data / "cases.csv").read_text(encoding="utf-8").splitlines()
    # an unknown window: the row is rejected and its id appears in a message
    fields = lines[1].split(",")
    fields[0] = f"evil{escape}"
    fields[1] = f"nowhere{escape}"
    (tmp_path / "cases.csv").write_text("\n".join([lines[0], ",".join(fields)]) + "\n")
    result = _run("kpi", ZHENHAI, "--data", tmp_path)
    assert "\x1b" not in result.output  # type: ignore[attr-defined]
    assert "\\x1b" in result.stderr  # type: ignore[attr-defined]


def test_table_cells_never_carry_control_characters() -> None:
    from govhall.cli.output import render_table

    table = render_table(["id"], [[f"c1{os.linesep}\x1b[31m"]])
    assert "\x1b" not in table
    assert table.splitlines()[-1] == "c1\\n\\x1b[31m"
