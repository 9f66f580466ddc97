"""One bad row or one hostile file never aborts a run with an internal error.

Each case here once ended in "internal error" (or hung, or took minutes):
an overflowing pause, points or count in a data row; a TOML value nested
thousands deep; a FIFO or a 50 MB file where a config is expected; a data
line of tens of megabytes. Each is now a rejected row or a clean message.
"""

from __future__ import annotations

import datetime as dt
import os
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.config.load import MAX_CONFIG_BYTES, check_config
from govhall.readers import ReadReport, read_cases, read_findings
from govhall.readers.rows import MAX_LINE_CHARS

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
PINGHU = ROOT / "configs" / "pinghu.toml"
TZ = ZoneInfo("Asia/Shanghai")
CASE_HEADER = "case_id,window,item,kind,received_at,status,concluded_at,visits,staff,pauses"
FINDING_HEADER = "date,window,staff,rule,count,points"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    result = CliRunner().invoke(main, ["sample", str(ZHENHAI), "--out", str(out), "--rows", "80"])
    assert result.exit_code == 0, result.output
    return out


def _promised_concluded_row(data: Path) -> list[str]:
    for line in (data / "cases.csv").read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split(",")
        if fields[3] == "promised" and fields[5] == "concluded":
            return fields
    raise AssertionError("no concluded promised case in the sample")


def test_a_pause_ending_in_year_9999_is_a_rejected_row_not_an_overflow(
    data: Path, tmp_path: Path
) -> None:
    fields = _promised_concluded_row(data)
    (tmp_path / "cases.csv").write_text(
        f"{CASE_HEADER}\n{','.join(fields)},2010-01-05/9999-12-31\n", encoding="utf-8"
    )
    for command in (["kpi"], ["score", "--month", "2010-01"]):
        result = CliRunner().invoke(
            main, [command[0], str(ZHENHAI), "--data", str(tmp_path), *command[1:]]
        )
        assert "internal error" not in result.output, result.output
        assert "cases.csv:2:10: error: pauses: pause years must be within 1900-2999" in (
            result.stderr
        )


@pytest.mark.parametrize(
    ("count", "points", "message"),
    [
        ("1", "1e999999999", "points: expected -1000 to 1000, found '1e999999999'"),
        ("1", "-1e999999999", "points: expected -1000 to 1000"),
        ("10" * 15, "", "count: expected 1 to 10000, found 1010101010"),
    ],
)
def test_overflowing_findings_are_rejected_rows(
    count: str, points: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "findings.csv").write_text(
        f"{FINDING_HEADER}\n2010-01-05,jianjiao,,window.intake.negligence,{count},{points}\n"
        "2010-01-06,jianjiao,,window.intake.negligence,1,\n",
        encoding="utf-8",
    )
    report = ReadReport()
    found = list(read_findings(tmp_path, report))
    assert len(found) == 1
    assert (report.read, report.used, report.rejected) == (2, 1, 1)
    assert message in report.problems[0].format()


def test_a_huge_findings_row_does_not_stop_score(data: Path, tmp_path: Path) -> None:
    for name in ("cases.csv", "ratings.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    (tmp_path / "findings.csv").write_text(
        f"{FINDING_HEADER}\n2010-01-05,jianjiao,,window.intake.negligence,1,1e999999999\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["score", str(ZHENHAI), "--data", str(tmp_path), "--month", "2010-01"]
    )
    assert result.exit_code == 0, result.output
    assert "findings.csv:2:6: error: points" in result.stderr


def test_concluded_in_the_repeated_daylight_saving_hour_is_after_receipt(tmp_path: Path) -> None:
    # 2024-11-03 in New York: 01:00-02:00 happens twice (-04:00, then -05:00)
    (tmp_path / "cases.csv").write_text(
        f"{CASE_HEADER}\n"
        "c1,w,i,immediate,2024-11-03T01:30-04:00,concluded,2024-11-03T01:10-05:00,1,,\n"
        "c2,w,i,immediate,2024-11-03T01:10-05:00,concluded,2024-11-03T01:30-04:00,1,,\n",
        encoding="utf-8",
    )
    report = ReadReport()
    cases = list(read_cases(tmp_path, ZoneInfo("America/New_York"), report))
    assert [c.case_id for c in cases] == ["c1"]
    assert cases[0].concluded_at is not None
    elapsed = cases[0].concluded_at.astimezone(dt.UTC) - cases[0].received_at.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(minutes=40)
    assert "3:7: error: concluded_at: concluded before it was received" in (
        report.problems[0].format()
    )


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000],
    ids=["array", "inline table"],
)
def test_a_deeply_nested_toml_value_is_a_config_error(value: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(PINGHU.read_text(encoding="utf-8") + f"\nx = {value}\n", encoding="utf-8")
    for command in ("validate", "show"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 1, result.output
        assert "values nested too deep" in result.output
        assert "internal error" not in result.output


def test_a_fifo_in_a_configs_folder_is_reported_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_bytes(PINGHU.read_bytes())
    os.mkfifo(tmp_path / "x.toml")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "x.toml: error: cannot read file: not a regular file" in result.output
    assert "a.toml: valid" in result.output


def test_a_config_over_the_size_cap_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(
        PINGHU.read_text(encoding="utf-8") + '\nx = "' + "a" * MAX_CONFIG_BYTES + '"\n',
        encoding="utf-8",
    )
    report = check_config(path)
    assert not report.valid
    assert [p.message for p in report.problems] == [
        "file is larger than 2 MiB; a hall config is a few KB, so this is not one"
    ]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_huge_line_is_rejected_without_holding_it_in_memory(kind: str, tmp_path: Path) -> None:
    good_csv = "c{n},w,i,immediate,2010-03-01T09:00,concluded,2010-03-01T10:00,1,,"
    good_json = (
        '{{"case_id": "c{n}", "window": "w", "item": "i", "kind": "immediate", '
        '"received_at": "2010-03-01T09:00", "status": "concluded", '
        '"concluded_at": "2010-03-01T10:00", "visits": 1}}'
    )
    good = good_csv if kind == "csv" else good_json
    huge = "x" * (20 * MAX_LINE_CHARS)  # 20 M characters on one line
    lines = [CASE_HEADER] if kind == "csv" else []
    lines += [good.format(n=1), huge, good.format(n=3)]
    path = tmp_path / f"cases.{kind}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    del huge, lines
    report = ReadReport()
    tracemalloc.start()
    try:
        cases = list(read_cases(path.parent, TZ, report))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [c.case_id for c in cases] == ["c1", "c3"]
    assert (report.read, report.used, report.rejected) == (3, 2, 1)
    line = 3 if kind == "csv" else 2
    assert report.problems[0].format() == (
        f"{path}:{line}: error: line longer than 1,048,576 characters: rejected without reading it"
    )
    assert peak < 8 * MAX_LINE_CHARS  # never the whole 20 M character line
