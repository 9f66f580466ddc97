"""``govhall score`` and ``govhall rewards``: JSON, table, CSV, exit codes; validate."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govhall.cli import main
from govhall.plugins import GovhallPluginManager, get_plugin_manager

HALL = """
[hall]
county = "pinghu"

[scoring.parameters]
"window.results.completion.points" = 1

[[windows]]
id = "a"
name = "甲窗口"

[[windows]]
id = "b"
name = "乙窗口"

[[items]]
id = "p5"
name = "承诺件"
window = "a"
kind = "promised"
promised_days = 5

[[items]]
id = "q5"
name = "乙承诺件"
window = "b"
kind = "promised"
promised_days = 5

[[staff]]
id = "a1"
name = "甲一"
window = "a"
post = "A"

[[staff]]
id = "b1"
name = "乙一"
window = "b"
post = "A"
"""
CASE_HEADER = "case_id,window,item,kind,received_at,status,concluded_at,visits,staff"
CASES = [
    "ok1,a,p5,promised,2010-10-08T09:00:00,concluded,2010-10-08T15:00:00,1,a1",
    "late1,a,p5,promised,2010-10-08T09:00:00,concluded,2010-11-20T10:00:00,2,a1",
    "ok2,b,q5,promised,2010-10-11T09:00:00,delivered,2010-10-12T10:00:00,1,b1",
    "open1,b,q5,promised,2010-10-29T09:00:00,in_review,,1,b1",
]
RATINGS = [
    "case_id,window,staff,level,rated_at,channel",
    "ok1,a,a1,5,2010-10-08T16:00:00,onsite",
    "ok2,b,,2,2010-10-12T11:00:00,online",
]
FINDINGS = [
    "date,window,staff,rule,count,points",
    "2010-10-15,b,,window.cleanliness.untidy,2,",
    "2010-10-15,b,,window.intake.negligence,1,9",
]


def _write(folder: Path, cases: list[str] | None = None, hall: str = HALL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hall.toml").write_text(hall, encoding="utf-8")
    rows = [CASE_HEADER, *(CASES if cases is None else cases)]
    (folder / "cases.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "ratings.csv").write_text("\n".join(RATINGS) + "\n", encoding="utf-8")
    (folder / "findings.csv").write_text("\n".join(FINDINGS) + "\n", encoding="utf-8")
    return folder


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture
def data(tmp_path: Path, cli_manager: GovhallPluginManager) -> Path:
    return _write(tmp_path / "d")


def _score(folder: Path, *extra: str) -> Result:
    return run("score", folder / "hall.toml", "--data", folder, "--month", "2010-10", *extra)


def test_score_json_follows_the_contract(data: Path) -> None:
    result = _score(data, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document)[:3] == ["month", "windows", "staff"]
    assert document["month"] == "2010-10"
    windows = {w["window"]: w for w in document["windows"]}
    for entry in document["windows"]:
        assert {"window", "score", "rank", "lines"} <= set(entry)
        for line in entry["lines"]:
            assert {"rule", "points", "evidence"} <= set(line)
    a_lines = {line["rule"]: line for line in windows["a"]["lines"]}
    assert a_lines["window.time-limit.overdue"]["points"] == -5
    assert a_lines["window.time-limit.overdue"]["evidence"] == ["case:late1"]
    # a ratings bucket names its ratings by one id; --evidence full lists each
    assert a_lines["window.evaluation.overall"]["evidence"] == ["ratings:a:2010-10"]
    full = json.loads(_score(data, "--json", "--evidence", "full").stdout)
    full_a = next(w for w in full["windows"] if w["window"] == "a")
    full_lines = {line["rule"]: line for line in full_a["lines"]}
    assert full_lines["window.evaluation.overall"]["evidence"] == [
        "rating:ok1@2010-10-08T16:00:00+08:00"
    ]
    assert windows["a"]["score"] == 97  # 100 - 5 + 2 (one rating, satisfied: good)
    b_lines = {line["rule"]: line for line in windows["b"]["lines"]}
    assert b_lines["window.cleanliness.untidy"]["points"] == -2
    assert "window.cleanliness.floor" not in b_lines  # -2 of 2: down to zero, not below
    # completion at b: ok2 concluded, open1 not (due in November: not overdue in October)
    assert b_lines["window.results.completion"]["evidence"] == ["case:open1"]
    assert b_lines["window.results.completion"]["points"] == -50
    assert b_lines["window.results.floor"]["points"] == 35
    assert b_lines["window.evaluation.overall"]["points"] == -2  # its one rating: poor
    assert "window.time-limit.overdue" not in b_lines
    assert windows["b"]["score"] == 81  # 100 - 2 - 15 - 2
    assert [(w["window"], w["rank"]) for w in document["windows"]] == [("a", 1), ("b", 2)]
    staff = {s["staff"]: s for s in document["staff"]}
    assert [line["rule"] for line in staff["a1"]["lines"]] == ["staff.skills.overdue"]
    assert document["rejected"] == [
        {
            "evidence": "finding:2010-10-15:b:-:window.intake.negligence",
            "reason": "points 9 outside the rule's range 3-5 "
            "(《县行政服务中心窗口服务考核实施细则》一.2)",
        }
    ]
    assert "not scored: points 9 outside" in result.stderr
    assert "cases.csv: read 4, used 4, rejected 0" in result.stderr


def test_shuffled_rows_give_identical_output(
    tmp_path: Path, cli_manager: GovhallPluginManager
) -> None:
    first = _score(_write(tmp_path / "one"), "--json")
    shuffled = list(CASES)
    random.Random(5).shuffle(shuffled)
    assert shuffled != CASES
    second = _score(_write(tmp_path / "two", shuffled), "--json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_score_table_and_csv(data: Path) -> None:
    table = _score(data)
    assert table.exit_code == 0
    assert table.stdout.startswith("windows — 2010-10\nrank  id  name")
    assert "window.time-limit.overdue" in table.stdout
    sheet = _score(data, "--csv")
    assert sheet.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(sheet.stdout)))
    assert list(rows[0]) == [
        "month",
        "kind",
        "id",
        "rank",
        "score",
        "rule",
        "points",
        "evidence_count",
        "evidence",
        "note",
    ]
    overdue = next(r for r in rows if r["rule"] == "window.time-limit.overdue")
    assert (overdue["id"], overdue["points"], overdue["evidence"]) == ("a", "-5", "case:late1")


def test_bad_month_is_a_usage_error(data: Path) -> None:
    result = run("score", data / "hall.toml", "--data", data, "--month", "2010-13")
    assert result.exit_code == 2
    assert "expected YYYY-MM" in result.output


def test_a_missing_seed_number_stops_scoring_with_the_key_to_set(
    tmp_path: Path, cli_manager: GovhallPluginManager
) -> None:
    folder = _write(tmp_path / "d", hall=HALL.replace('"window.results.completion.points" = 1', ""))
    result = _score(folder)
    assert result.exit_code == 1
    assert '"window.results.completion.points" = <points>' in result.stderr
    assert "Traceback" not in result.output


def test_strict_fails_on_rejected_rows(tmp_path: Path, cli_manager: GovhallPluginManager) -> None:
    folder = _write(tmp_path / "d", [*CASES, "bad,a,p5,promised,not-a-time,accepted,,1,a1"])
    lenient = _score(folder)
    assert lenient.exit_code == 0
    assert "rejected 1" in lenient.stderr
    strict = _score(folder, "--strict")
    assert strict.exit_code == 1
    assert "--strict: 1 row(s) rejected while reading" in strict.stderr


def test_validate_lists_missing_seed_numbers_and_the_80_warning(
    tmp_path: Path, cli_manager: GovhallPluginManager
) -> None:
    path = tmp_path / "hall.toml"
    path.write_text('[hall]\ncounty = "pinghu"\n\n[scoring]\n', encoding="utf-8")
    result = run("validate", path, "--json")
    assert result.exit_code == 0
    [report] = json.loads(result.stdout)["files"]
    messages = [p["message"] for p in report["problems"]]
    for key in (
        "window.results.completion.points",
        "staff.attendance.late-early.points",
        "staff.meetings.training-late.points",
    ):
        assert sum(f'"{key}"' in m for m in messages) == 1, key
    assert sum("add up to 80, not the base 100" in m for m in messages) == 1
    filled = HALL.split("[[windows]]")[0]
    path.write_text(filled, encoding="utf-8")
    again = json.loads(run("validate", path, "--json").stdout)["files"][0]["problems"]
    assert not any("window.results.completion.points" in p["message"] for p in again)


def test_rewards_for_zhenhai_pay_365_yuan_per_month_on_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import govhall_zhenhai

    zhenhai = get_plugin_manager(load_entry_points=False, plugins=[("zhenhai", govhall_zhenhai)])
    monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: zhenhai)
    hall = (
        '[hall]\ncounty = "zhenhai"\n[scoring.parameters]\n'
        '"window.results.completion.points" = 1\n'
        '[[items]]\nid = "p5"\nname = "承诺件"\nwindow = "fagai"\nkind = "promised"\n'
        "promised_days = 5\n"
        '[[staff]]\nid = "z1"\nname = "甲"\nwindow = "fagai"\npost = "A"\n'
        '[[staff]]\nid = "z2"\nname = "乙"\nwindow = "fagai"\npost = "B"\n'
    )
    cases = [
        f"c{m},fagai,p5,promised,2010-{m:02d}-05T09:00:00,concluded,2010-{m:02d}-05T11:00:00,1,z1"
        for m in range(1, 11)
    ] + ["x1,fagai,p5,promised,2010-03-05T09:00:00,concluded,2010-03-05T10:00:00,1,z2"]
    folder = _write(tmp_path / "z", cases, hall)
    (folder / "findings.csv").write_text("date,window,staff,rule,count,points\n", encoding="utf-8")
    (folder / "ratings.csv").write_text(RATINGS[0] + "\n", encoding="utf-8")
    result = run("rewards", folder / "hall.toml", "--data", folder, "--year", "2010", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document)[:1] == ["year"]
    staff = {s["staff"]: s for s in document["staff"]}
    assert staff["z1"]["allowance"] == 3650
    assert staff["z2"]["allowance"] == 365
    assert staff["z1"]["payments"][0]["explanation"].startswith("365 yuan × 10 month(s) on post")
    assert [a["amount"] for a in staff["z1"]["awards"]] == [2000]
    assert {"window", "score", "demonstration"} <= set(document["windows"][0])
    assert sum(w["demonstration"] for w in document["windows"]) == 3
    table = run("rewards", folder / "hall.toml", "--data", folder, "--year", "2010")
    assert table.exit_code == 0
    assert "z1: allowance 3650 yuan — 365 yuan × 10 month(s) on post" in table.stdout


def test_a_month_outside_1900_2999_is_a_usage_error() -> None:
    configs = Path(__file__).resolve().parent.parent / "configs"
    result = CliRunner().invoke(
        main, ["score", str(configs / "zhenhai.toml"), "--data", str(configs), "--month", "9999-12"]
    )
    assert result.exit_code == 2
    assert "between 1900-01 and 2999-12" in result.stderr


def test_data_must_be_a_folder_not_a_file(tmp_path: Path) -> None:
    configs = Path(__file__).resolve().parent.parent / "configs"
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id\n", encoding="utf-8")
    for command in (["score", "--month", "2010-03"], ["rewards", "--year", "2010"]):
        result = CliRunner().invoke(
            main, [command[0], str(configs / "zhenhai.toml"), "--data", str(cases), *command[1:]]
        )
        # a file problem, not a usage error (docs/cases.md: exit codes)
        assert result.exit_code == 1
        assert "not a folder" in result.stderr
