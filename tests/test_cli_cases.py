"""CLI: ``chain``, ``kpi`` and ``sample`` with exit codes and output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = str(ROOT / "configs" / "zhenhai.toml")
LUANCHUAN = str(ROOT / "configs" / "luanchuan.toml")
CONTRACT_KEYS = {
    "accepted",
    "concluded",
    "completion_rate",
    "immediate",
    "immediate_rate",
    "on_time_rate",
    "satisfaction_rate",
}


@pytest.fixture(scope="module")
def zhenhai_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zhenhai")
    result = CliRunner().invoke(main, ["sample", ZHENHAI, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["cases"] == 28151 + 282
    assert document["ratings"] == 998
    return out


def test_kpi_over_generated_zhenhai_data_matches_the_seed(zhenhai_data: Path) -> None:
    result = CliRunner().invoke(main, ["kpi", ZHENHAI, "--data", str(zhenhai_data), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= CONTRACT_KEYS
    assert document["accepted"] == 28151
    assert document["concluded"] == 28083
    assert document["immediate"] == 14198
    assert document["completion_rate"] == 0.9976
    assert document["immediate_rate"] == 0.5044
    assert document["visits"] == {"1": 0.7, "2": 0.25, "3+": 0.05}
    assert document["data"]["rejected"] == 0
    assert document["data"]["read"] == 28433 + 998
    assert "rows: read 29431, used 29431, rejected 0" in result.stderr


def test_kpi_table_shows_percentages(zhenhai_data: Path) -> None:
    result = CliRunner().invoke(main, ["kpi", ZHENHAI, "--data", str(zhenhai_data)])
    assert result.exit_code == 0
    assert re.search(r"^completion rate +99\.76%$", result.stdout, re.M)
    assert re.search(r"^immediate rate +50\.44%$", result.stdout, re.M)


def test_kpi_over_generated_luanchuan_data_is_all_on_time(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["sample", LUANCHUAN, "--out", str(tmp_path)]).exit_code == 0
    result = CliRunner().invoke(main, ["kpi", LUANCHUAN, "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["accepted"], document["concluded"]) == (311, 311)
    assert document["completion_rate"] == 1.0
    assert document["on_time_rate"] == 1.0
    assert document["satisfaction_rate"] == 1.0


def test_sample_is_deterministic_and_refuses_to_overwrite(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = CliRunner().invoke(main, ["sample", LUANCHUAN, "--out", str(out), "--seed", "7"])
        assert result.exit_code == 0
    assert (first / "cases.csv").read_bytes() == (second / "cases.csv").read_bytes()
    again = CliRunner().invoke(main, ["sample", LUANCHUAN, "--out", str(first)])
    assert again.exit_code == 1
    assert "already exist(s); use --force to overwrite" in again.stderr
    forced = CliRunner().invoke(main, ["sample", LUANCHUAN, "--out", str(first), "--force"])
    assert forced.exit_code == 0
    assert (first / "cases.csv").read_bytes() != (second / "cases.csv").read_bytes()


def test_kpi_reports_broken_rows_and_strict_fails(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text(
        "case_id,window,item,kind,received_at,status,concluded_at,visits,name\n"
        "c1,guihua,works-permit,promised,2010-03-01T09:00,concluded,2010-03-02T10:00,1,王五\n"
        "c2,guihua,works-permit,promised,2010-03-01T09:00,finished,,1,王五\n"
        "c3,nowhere,works-permit,promised,2010-03-01T09:00,concluded,2010-03-02T10:00,1,王五\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["kpi", LUANCHUAN, "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0
    cases = tmp_path / "cases.csv"
    assert f"{cases}:3:6: error: status: expected one of" in result.stderr
    assert f"{cases}:4:2: error: window: unknown window 'nowhere'" in result.stderr
    assert f"{cases}:1: warning: name: column 'name' is not part of the format" in result.stderr
    assert "rows: read 3, used 1, rejected 2" in result.stderr
    assert "王五" not in result.output
    document = json.loads(result.stdout)
    assert (document["accepted"], document["data"]["rejected"]) == (1, 2)
    strict = CliRunner().invoke(main, ["kpi", LUANCHUAN, "--data", str(tmp_path), "--strict"])
    assert strict.exit_code == 1
    assert "--strict: 2 row(s) rejected" in strict.stderr


def test_kpi_period_and_bad_dates(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["kpi", LUANCHUAN, "--data", str(tmp_path), "--from", "2010-13-01"]
    )
    assert result.exit_code == 2  # a malformed option value is a usage error
    assert (
        "Invalid value for --from: '2010-13-01' is not a date: month must be in 1..12"
        in result.stderr
    )
    missing = CliRunner().invoke(main, ["kpi", LUANCHUAN, "--data", str(tmp_path)])
    assert missing.exit_code == 1
    assert "no cases.csv or cases.jsonl" in missing.stderr


def test_chain_for_a_luanchuan_planning_item() -> None:
    result = CliRunner().invoke(main, ["chain", LUANCHUAN, "--item", "site-selection", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["item"] == "site-selection"
    assert document["depth"] == 4
    assert document["on_the_spot"] is False
    assert [(s["level"], s["role"]) for s in document["steps"][:4]] == [
        (1, "科室审查"),
        (2, "主管主任"),
        (3, "主任"),
        (4, "主管县长"),
    ]
    table = CliRunner().invoke(main, ["chain", LUANCHUAN, "--item", "site-selection"])
    assert table.stdout.startswith(
        "item site-selection: 4 levels + 1 conditional, on the spot: no\n"
    )


def test_chain_unknown_item_exits_1() -> None:
    result = CliRunner().invoke(main, ["chain", LUANCHUAN, "--item", "nope"])
    assert result.exit_code == 1
    assert "no item with id 'nope'" in result.stderr
