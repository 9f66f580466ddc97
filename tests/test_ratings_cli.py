"""``govhall ratings``: the table, ``--json``, ``--csv``, row counts and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.plugins import GovhallPluginManager

ROOT = Path(__file__).resolve().parent.parent
PINGHU = str(ROOT / "configs" / "pinghu.toml")
RATINGS = (
    "case_id,window,staff,level,rated_at,channel,tags\n"
    "c1,tax,,5,2026-09-01T10:00,pad,\n"
    "c2,tax,,1,2026-09-30T10:00,online,无理由超过法定办理时间;服务态度差\n"
    "c3,police,,2,2026-09-02T10:00,sms,\n"
    "c3,police,,9,2026-09-02T11:00,sms,\n"  # line 5: level out of range
)
PROGRESS = (
    "case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome\n"
    "c3,sms,2026-09-02T10:00,2026-09-02T15:00,2026-09-10T10:00,2026-09-11T10:00,rectified\n"
    "c9,sms,2026-09-02T10:00,2026-09-02T15:00,,,\n"  # line 3: no such rating
)
CASES = (
    "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
    "c2,tax,invoice-issue,immediate,2026-09-29T10:00,concluded,2026-09-29T11:00,1\n"
    "c1,tax,invoice-issue,immediate,2026-09-01T09:00,concluded,2026-09-01T09:30,1\n"
    "c3,police,residence-certificate,immediate,2026-09-02T09:00,concluded,2026-09-02T09:30,1\n"
)


@pytest.fixture
def data(tmp_path: Path, cli_manager: GovhallPluginManager) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ratings.csv").write_text(RATINGS, encoding="utf-8")
    (folder / "rectifications.csv").write_text(PROGRESS, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["ratings", PINGHU, *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_has_the_contract_keys(data: Path) -> None:
    code, out, err = run("--data", str(data), "--month", "2026-09", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert {"month", "by_channel", "by_level", "good_rate", "orders", "summary", "tags"} <= set(
        document
    )
    assert document["month"] == "2026-09"
    assert document["by_channel"] == {"pad": 1, "online": 1, "sms": 1}
    assert document["by_level"] == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 1}
    assert document["good_rate"] == pytest.approx(1 / 3)
    assert {"orders", "closed", "closed_on_time", "on_time_rate", "open_overdue"} <= set(
        document["summary"]
    )
    for order in document["orders"]:
        assert {"case_id", "window", "level", "opened", "due", "closed", "status"} <= set(order)
        assert order["status"] in {"open", "overdue", "closed_on_time", "closed_late"}
    by_case = {order["case_id"]: order for order in document["orders"]}
    assert by_case["c3"]["status"] == "closed_on_time"
    assert by_case["c2"]["status"] == "open"  # rated 30 Sep, as of the end of September
    assert by_case["c2"]["complaint_check"]["result"] == "not_confirmed"  # concluded at once
    assert document["tags"][0] == {"tag": "无理由超过法定办理时间", "count": 1}


def test_rows_read_used_rejected_and_each_bad_row_on_stderr(data: Path) -> None:
    code, _, err = run("--data", str(data), "--month", "2026-09", "--json")
    assert code == 0
    assert "ratings.csv:5:4: error: level: expected 1 to 5, found 9" in err
    assert "rectifications.csv:3: error: rated_at: no rating of case 'c9'" in err
    # ratings 4 read (1 rejected), progress 2 read (1 rejected), cases 3 read
    assert "rows: read 9, used 7, rejected 2" in err


def test_strict_fails_on_a_rejected_row(data: Path) -> None:
    code, _, err = run("--data", str(data), "--month", "2026-09", "--strict")
    assert code == 1
    assert "--strict: 2 row(s) rejected" in err


def test_strict_fails_on_an_unknown_channel(
    tmp_path: Path, cli_manager: GovhallPluginManager
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ratings.csv").write_text(
        "case_id,window,staff,level,rated_at,channel\nc1,tax,,5,2026-09-01T10:00,fax\n",
        encoding="utf-8",
    )
    code, _, err = run("--data", str(folder), "--month", "2026-09")
    assert code == 0
    assert "'fax' is not a known rating channel" in err
    code, _, err = run("--data", str(folder), "--month", "2026-09", "--strict")
    assert code == 1
    assert "1 rating(s) from an unknown channel" in err


def test_table_for_people(data: Path) -> None:
    code, out, _ = run("--data", str(data), "--month", "2026-09")
    assert code == 0
    assert "好差评 2026-09" in out
    assert "非常不满意" in out
    assert "closed_on_time" in out
    assert "case on time" in out
    assert "work orders: 2, closed 1 (1 on time), open 1, overdue 0; on-time rate 100.00%" in out


def test_csv_lists_the_orders(data: Path) -> None:
    code, out, _ = run("--data", str(data), "--month", "2026-09", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["case_id"] for row in rows] == ["c3", "c2"]
    assert rows[0]["status"] == "closed_on_time"
    assert rows[1]["complaint_check"] == "not_confirmed"
    assert rows[1]["tags"] == "无理由超过法定办理时间;服务态度差"


def test_as_of_moves_the_statuses(data: Path) -> None:
    code, out, _ = run("--data", str(data), "--month", "2026-09", "--as-of", "2026-12-01", "--json")
    assert code == 0
    by_case = {order["case_id"]: order for order in json.loads(out)["orders"]}
    assert by_case["c2"]["status"] == "overdue"


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "2026-13"],
        ["--month", "2026-09", "--as-of", "soon"],
        ["--month", "2026-09", "--json", "--csv"],
    ],
)
def test_wrong_usage_exits_2(data: Path, args: list[str]) -> None:
    code, _, _ = run("--data", str(data), *args)
    assert code == 2


def test_an_unreadable_progress_file_exits_1(data: Path) -> None:
    (data / "rectifications.csv").write_text("case_id,channel\n", encoding="utf-8")
    code, _, err = run("--data", str(data), "--month", "2026-09")
    assert code == 1
    assert "missing required column(s) rated_at" in err
    assert "Traceback" not in err


def test_the_sample_bulletin(tmp_path: Path) -> None:
    config = str(ROOT / "configs" / "zhenhai.toml")
    runner = CliRunner()
    sample = runner.invoke(main, ["sample", config, "--out", str(tmp_path / "zh")])
    assert sample.exit_code == 0, sample.output
    result = runner.invoke(
        main, ["ratings", config, "--data", str(tmp_path / "zh"), "--month", "2010-03", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["orders"] == document["by_level"]["1"] + document["by_level"]["2"]
    assert document["summary"]["orders"] > 0
    assert "rejected 0" in result.stderr
