"""An answer that depends on an unpublished holiday arrangement carries a warning.

Every command whose answer counts working days or opening hours — ``hours``,
``open``, ``deadline``, ``kpi``, ``score``, ``rewards`` — warns in its JSON
(``"warnings"``) and beside its table (stderr) when a year it depends on has
no State Council arrangement, and stays silent for published years. The
years are found from the calendar itself (the first year the installed
package and the config do not cover), so the tests keep working when a new
arrangement is published.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.config.load import load_config
from govhall.plugins import get_plugin_manager
from govhall.time.deadlines import hall_time

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "pinghu.toml"


def _first_unpublished() -> int:
    manager = get_plugin_manager()
    calendar = hall_time(load_config(CONFIG, manager), manager).calendar
    return next(year for year in range(2020, 2200) if not calendar.covered(year))


UNPUBLISHED = _first_unpublished()
PUBLISHED = UNPUBLISHED - 1
FAR = UNPUBLISHED + 3


def warning_for(year: int) -> str:
    return f"no State Council holiday arrangement for {year} "


def write_cases(folder: Path, *rows: tuple[str, str]) -> Path:
    """Write cases.csv with one concluded invoice case per (received, concluded) pair."""
    folder.mkdir(exist_ok=True)
    lines = ["case_id,window,item,kind,received_at,status,concluded_at,visits"]
    for number, (received, concluded) in enumerate(rows, 1):
        lines.append(f"c{number},tax,invoice-issue,promised,{received},concluded,{concluded},1")
    (folder / "cases.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def commands(year: int, data: Path) -> dict[str, list[str]]:
    config = str(CONFIG)
    return {
        "hours": ["hours", config, "--on", f"{year}-03-05"],
        "open": ["open", config, "--at", f"{year}-03-05T10:00"],
        "deadline": [
            *("deadline", config, "--item", "invoice-issue"),
            *("--received", f"{year}-03-05T10:00", "--now", f"{year}-03-05T11:00"),
        ],
        "kpi": ["kpi", config, "--data", str(data)],
        "score": ["score", config, "--data", str(data), "--month", f"{year}-03"],
        "rewards": ["rewards", config, "--data", str(data), "--year", str(year)],
    }


NAMES = ["hours", "open", "deadline", "kpi", "score", "rewards"]


def _run(args: list[str]) -> tuple[dict[str, object], str]:
    runner = CliRunner()
    as_json = runner.invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    table = runner.invoke(main, args)
    assert table.exit_code == 0, table.output
    return json.loads(as_json.stdout), table.stderr


@pytest.mark.parametrize("name", NAMES)
def test_an_unpublished_year_is_warned_in_json_and_beside_the_table(
    name: str, tmp_path: Path
) -> None:
    data = write_cases(tmp_path / "data", (f"{FAR}-03-05T09:00", f"{FAR}-03-06T09:00"))
    document, stderr = _run(commands(FAR, data)[name])
    warnings = document["warnings"]
    assert isinstance(warnings, list)
    assert len(warnings) == 1
    assert warnings[0].startswith(warning_for(FAR))
    assert f"add [[calendar.arrangements]] year = {FAR} once it is published" in warnings[0]
    assert f"warning: {warnings[0]}" in stderr


@pytest.mark.parametrize("name", NAMES)
def test_a_published_year_is_not_warned(name: str, tmp_path: Path) -> None:
    data = write_cases(tmp_path / "data", (f"{PUBLISHED}-03-05T09:00", f"{PUBLISHED}-03-06T09:00"))
    document, stderr = _run(commands(PUBLISHED, data)[name])
    assert document.get("warnings", []) == []
    assert "holiday arrangement" not in stderr


def test_open_warns_when_the_next_opening_is_in_an_unpublished_year() -> None:
    args = ["open", str(CONFIG), "--at", f"{PUBLISHED}-12-31T18:00", "--json"]
    result = CliRunner().invoke(main, args)
    document = json.loads(result.stdout)
    assert all(c["next_open"].startswith(f"{UNPUBLISHED}-") for c in document["closed"])
    assert [w[: len(warning_for(UNPUBLISHED))] for w in document["warnings"]] == [
        warning_for(UNPUBLISHED)
    ]


def test_deadline_warns_when_the_count_crosses_into_an_unpublished_year() -> None:
    args = [
        *("deadline", str(CONFIG), "--item", "business-licence", "--json"),
        *("--received", f"{PUBLISHED}-12-28T10:00", "--now", f"{PUBLISHED}-12-28T11:00"),
    ]
    document = json.loads(CliRunner().invoke(main, args).stdout)
    assert document["due"].startswith(f"{UNPUBLISHED}-")
    assert [w.startswith(warning_for(UNPUBLISHED)) for w in document["warnings"]] == [True]


def test_kpi_warns_for_a_case_concluded_in_an_unpublished_year(tmp_path: Path) -> None:
    data = write_cases(tmp_path / "d", (f"{PUBLISHED}-12-30T09:00", f"{UNPUBLISHED}-01-05T09:00"))
    result = CliRunner().invoke(main, ["kpi", str(CONFIG), "--data", str(data), "--json"])
    warnings = json.loads(result.stdout)["warnings"]
    assert [w.startswith(warning_for(UNPUBLISHED)) for w in warnings] == [True]


def test_kpi_warns_only_for_years_inside_its_period(tmp_path: Path) -> None:
    data = write_cases(
        tmp_path / "d",
        (f"{PUBLISHED}-03-05T09:00", f"{PUBLISHED}-03-06T09:00"),
        (f"{FAR}-03-05T09:00", f"{FAR}-03-06T09:00"),
    )
    args = ["kpi", str(CONFIG), "--data", str(data), "--json", "--to", f"{PUBLISHED}-12-31"]
    document = json.loads(CliRunner().invoke(main, args).stdout)
    assert "warnings" not in document
    assert document["accepted"] == 1


def test_an_arrangement_from_the_config_silences_the_warning(tmp_path: Path) -> None:
    config = tmp_path / "pinghu.toml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        + f"\n[[calendar.arrangements]]\nyear = {FAR}\nholidays = [{FAR}-01-01]\n"
        'source = "test: pretend it is published"\n',
        encoding="utf-8",
    )
    data = write_cases(tmp_path / "data", (f"{FAR}-03-05T09:00", f"{FAR}-03-06T09:00"))
    for name, args in commands(FAR, data).items():
        args[1] = str(config)
        result = CliRunner().invoke(main, [*args, "--json"])
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.stdout).get("warnings", []) == [], name
