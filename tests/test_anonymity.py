"""Identity columns in data files are ignored with a warning and reach no output.

Ratings are anonymous (无记名评议; see docs/concepts.md, Rating). A data folder whose
cases, ratings and findings carry extra columns ``name``, ``phone``,
``id_number``, ``姓名``, ``手机号``, ``身份证号`` with distinctive sentinel
values is run through every command that reads data (``kpi``, ``score``,
``rewards``, ``report``) in every output form (table, ``--json``, ``--csv``,
the HTML file), with good rows and bad ones (bad level, bad time, unknown
window, ragged row, invalid JSON). No sentinel appears on stdout, on
stderr, in a written file or in an error message; each identity column is
named in a warning, without its value.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
IDENTITY = {
    "name": "SENTINEL-NAME-Qx7",
    "phone": "13999912345",
    "id_number": "33048219990101987X",
    "姓名": "哨兵甲乙",
    "手机号": "13888867890",
    "身份证号": "110105198001019999",
}
STEMS = ("cases", "ratings", "findings")


def _sample(tmp: Path) -> dict[str, list[dict[str, str]]]:
    out = tmp / "sample"
    result = CliRunner().invoke(main, ["sample", str(CONFIG), "--out", str(out), "--rows", "120"])
    assert result.exit_code == 0, result.output
    return {
        stem: list(csv.DictReader(io.StringIO((out / f"{stem}.csv").read_text(encoding="utf-8"))))
        for stem in STEMS
    }


def _spoil(stem: str, rows: list[dict[str, str]]) -> None:
    """Make a few rows bad in the format's own columns."""
    if stem == "ratings":
        rows[0]["level"] = "9"
        rows[1]["rated_at"] = "yesterday"
        rows[2]["window"] = "no-such-window"
    elif stem == "cases":
        rows[0]["visits"] = "-1"
        rows[1]["received_at"] = "soon"
    else:
        rows[0]["date"] = "2010-02-31"


def write_data(folder: Path, ext: str, tables: dict[str, list[dict[str, str]]]) -> None:
    folder.mkdir()
    for stem, rows in tables.items():
        rows = [{**row, **IDENTITY} for row in rows]
        _spoil(stem, rows)
        header = list(rows[0])
        path = folder / f"{stem}.{ext}"
        if ext == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([row[name] for name in header] for row in rows)
            # a ragged row: the identity values without the rest
            writer.writerow(list(IDENTITY.values()))
            path.write_text(buffer.getvalue(), encoding="utf-8")
        else:
            lines = [json.dumps(row, ensure_ascii=False) for row in rows]
            # invalid JSON holding identity values, and an object that is not a row
            lines.append(f'{{"name": "{IDENTITY["name"]}", "phone": {IDENTITY["phone"]}')
            lines.append(json.dumps(list(IDENTITY.values()), ensure_ascii=False))
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    return _sample(tmp_path_factory.mktemp("anonymity"))


COMMANDS: list[list[str]] = [
    ["kpi", "{config}", "--data", "{data}"],
    ["kpi", "{config}", "--data", "{data}", "--json"],
    ["kpi", "{config}", "--data", "{data}", "--strict"],
    ["score", "{config}", "--data", "{data}", "--month", "2010-03"],
    ["score", "{config}", "--data", "{data}", "--month", "2010-03", "--json"],
    ["score", "{config}", "--data", "{data}", "--month", "2010-03", "--csv"],
    ["score", "{config}", "--data", "{data}", "--month", "2010-03", "--strict"],
    ["rewards", "{config}", "--data", "{data}", "--year", "2010"],
    ["rewards", "{config}", "--data", "{data}", "--year", "2010", "--json"],
    ["rewards", "{config}", "--data", "{data}", "--year", "2010", "--csv"],
    ["report", "{config}", "--data", "{data}", "--month", "2010-03", "--out", "{out}"],
    ["report", "{config}", "--data", "{data}", "--month", "2010-03", "--out", "{out}", "--json"],
]


def _leaks(text: str) -> list[str]:
    return [value for value in IDENTITY.values() if value in text]


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[0:1] + c[4:][-2:]))
def test_identity_values_reach_no_output(
    command: list[str], ext: str, tables: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_data(data, ext, tables)
    out = tmp_path / "report.html"
    args = [
        a.replace("{config}", str(CONFIG)).replace("{data}", str(data)).replace("{out}", str(out))
        for a in command
    ]
    result = CliRunner().invoke(main, args)
    strict = "--strict" in command
    assert result.exit_code == (1 if strict else 0), result.output
    assert _leaks(result.stdout) == []
    assert _leaks(result.stderr) == []
    assert "rejected" in result.stderr  # the bad rows were there, and reported
    for column in IDENTITY:
        warning = f"column {column!r} is not part of the format: ignored, not copied to any output"
        assert warning in result.stderr
    if command[0] == "report":
        html = out.read_text(encoding="utf-8")
        assert _leaks(html) == []
        assert "<svg" in html  # the report was really written


def test_identity_columns_leave_no_trace_in_records(tables: dict[str, Any], tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from govhall.readers import ReadReport, read_cases, read_findings, read_ratings

    data = tmp_path / "data"
    write_data(data, "csv", tables)
    tz = ZoneInfo("Asia/Shanghai")
    report = ReadReport()
    records = [
        *read_cases(data, tz, report),
        *read_ratings(data, tz, report),
        *read_findings(data, report),
    ]
    assert len(records) == report.used > 0
    assert _leaks(repr(records)) == []
    assert _leaks(json.dumps(report.to_json(), ensure_ascii=False)) == []
    # one warning per identity column and file, naming the column only
    assert sorted(w.key for w in report.warnings) == sorted(list(IDENTITY) * 3)
