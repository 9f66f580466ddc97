"""Data file readers: CSV and JSON Lines, bad rows reported by line and column."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govhall.errors import GovhallError
from govhall.readers import (
    ReadReport,
    find_data_files,
    parse_pauses,
    read_cases,
    read_findings,
    read_ratings,
)
from govhall.records import Pause

TZ = ZoneInfo("Asia/Shanghai")
CASE_HEADER = "case_id,window,item,kind,received_at,status,concluded_at,visits"


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_good_csv_rows_become_cases_with_local_times(tmp_path: Path) -> None:
    write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER},staff,pauses\n"
        "c1,w1,i1,promised,2010-03-01T09:00:00,concluded,2010-03-04 16:30,2,s1,"
        "2010-03-02/2010-03-03\n"
        "c2,w1,i1,immediate,2010-03-01T01:00:00+00:00,in_review,,1,,\n",
    )
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report))
    assert [c.case_id for c in cases] == ["c1", "c2"]
    first, second = cases
    assert first.received_at == dt.datetime(2010, 3, 1, 9, tzinfo=TZ)
    assert first.concluded_at == dt.datetime(2010, 3, 4, 16, 30, tzinfo=TZ)
    assert first.staff == "s1"
    assert first.pauses == (Pause(dt.date(2010, 3, 2), dt.date(2010, 3, 3)),)
    assert first.concluded
    assert first.accepted
    # an explicit offset is converted to hall time
    assert second.received_at.hour == 9
    assert second.received_at.utcoffset() == dt.timedelta(hours=8)
    assert second.concluded_at is None
    assert second.staff is None
    assert (report.read, report.used, report.rejected) == (2, 2, 0)
    assert report.problems == []


def test_broken_rows_are_reported_by_line_and_column_and_the_rest_used(tmp_path: Path) -> None:
    seen = []
    write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER}\n"
        "c1,w1,i1,promised,2010-03-01T09:00,concluded,2010-03-02T09:00,1\n"
        "c2,w1,i1,sometimes,2010-03-01T09:00,concluded,2010-03-02T09:00,1\n"
        "c3,w1,i1,promised,yesterday,concluded,2010-03-02T09:00,1\n"
        "c4,w1\n"
        "\n"
        "c5,w1,i1,promised,2010-03-01T09:00,delivered,,1\n"
        "c6,w1,i1,promised,2010-03-01T09:00,concluded,2010-02-01T09:00,1\n"
        "c7,w1,i1,promised,2010-03-01T09:00,accepted,,-1\n"
        "c8,w1,i1,promised,2010-03-01T09:00,lost,,1\n"
        "c9,w1,i1,immediate,2010-03-01T09:00,received,,0\n",
    )
    report = ReadReport(on_problem=seen.append)
    cases = list(read_cases(tmp_path / "cases.csv", TZ, report))
    assert [c.case_id for c in cases] == ["c1", "c9"]
    assert (report.read, report.used, report.rejected) == (9, 2, 7)
    where = [(p.line, p.column, p.key) for p in report.problems]
    assert where == [
        (3, 4, "kind"),
        (4, 5, "received_at"),
        (5, None, ""),
        (7, 7, "concluded_at"),
        (8, 7, "concluded_at"),
        (9, 8, "visits"),
        (10, 6, "status"),
    ]
    assert report.problems[0].message == "expected one of immediate, promised; found 'sometimes'"
    assert report.problems[2].message == "expected 8 fields, found 2"
    assert report.problems[4].message == "concluded before it was received"
    assert all(p.file == str(tmp_path / "cases.csv") for p in report.problems)
    assert seen == report.problems
    assert report.summary() == f"{tmp_path / 'cases.csv'}: read 9, used 2, rejected 7 (11 lines)"


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER}\nc1,w1,i1,immediate,2010-03-01T09:00,received,,1\n",
        bom=True,
    )
    report = ReadReport()
    assert [c.case_id for c in read_cases(path, TZ, report)] == ["c1"]
    assert report.warnings == []


def test_json_lines_are_read_by_extension(tmp_path: Path) -> None:
    rows = [
        {
            "case_id": "c1",
            "window": "w1",
            "item": "i1",
            "kind": "promised",
            "received_at": "2010-03-01T09:00:00",
            "status": "delivered",
            "concluded_at": "2010-03-03T10:00:00",
            "visits": 2,
            "pauses": [["2010-03-02", "2010-03-02"]],
        },
        {"case_id": 7, "window": "w1"},
    ]
    lines = [json.dumps(row) for row in rows] + ["", "{not json", "[1, 2]"]
    write(tmp_path / "cases.jsonl", "\n".join(lines) + "\n")
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report))
    assert len(cases) == 1
    assert cases[0].visits == 2
    assert cases[0].pauses == (Pause(dt.date(2010, 3, 2), dt.date(2010, 3, 2)),)
    assert (report.read, report.used, report.rejected) == (4, 1, 3)
    assert [(p.line, p.key) for p in report.problems] == [(2, "case_id"), (4, ""), (5, "")]
    assert report.problems[1].message.startswith("invalid JSON")
    assert report.problems[2].message == "expected a JSON object"


def test_identity_columns_are_ignored_and_never_echoed(tmp_path: Path) -> None:
    secret_values = ["张三丰", "13912345678", "330482199001011234"]
    write(
        tmp_path / "ratings.csv",
        "case_id,window,staff,level,rated_at,channel,name,phone,id_number\n"
        f"c1,w1,s1,5,2010-03-01T10:00,pad,{','.join(secret_values)}\n"
        f"c2,w1,,9,2010-03-01T10:00,pad,{','.join(secret_values)}\n",
    )
    report = ReadReport()
    ratings = list(read_ratings(tmp_path, TZ, report))
    assert len(ratings) == 1
    assert ratings[0].level == 5
    assert ratings[0].staff == "s1"
    assert [w.key for w in report.warnings] == ["name", "phone", "id_number"]
    assert report.problems[0].message == "expected 1 to 5, found 9"
    everything = repr(ratings) + json.dumps(report.to_json(), ensure_ascii=False)
    for value in secret_values:
        assert value not in everything


def test_json_lines_unknown_keys_are_warned_once(tmp_path: Path) -> None:
    row = {
        "case_id": "c1",
        "window": "w1",
        "staff": None,
        "level": 4,
        "rated_at": "2010-03-01T10:00",
        "channel": "online",
        "phone": "13912345678",
    }
    rows = [{**row, "rated_at": f"2010-03-0{day}T10:00"} for day in (1, 2, 3)]
    write(tmp_path / "ratings.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    report = ReadReport()
    assert len(list(read_ratings(tmp_path, TZ, report))) == 3
    assert [(w.key, w.line) for w in report.warnings] == [("phone", 1)]
    assert "13912345678" not in json.dumps(report.to_json())


def test_findings_default_count_and_decimal_points(tmp_path: Path) -> None:
    write(
        tmp_path / "findings.csv",
        "date,window,staff,rule,count,points\n"
        "2010-10-05,w1,s1,attendance.absent,,\n"
        "2010-10-06,w1,,results.wrong,2,3.5\n"
        "2010-10-32,w1,,results.wrong,1,\n"
        "2010-10-07,w1,,results.wrong,0,\n",
    )
    report = ReadReport()
    findings = list(read_findings(tmp_path, report))
    assert [(f.count, f.points, f.staff) for f in findings] == [
        (1, None, "s1"),
        (2, Decimal("3.5"), None),
    ]
    assert [(p.line, p.key) for p in report.problems] == [(4, "date"), (5, "count")]


def test_known_windows_and_items_reject_strangers(tmp_path: Path) -> None:
    write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER}\n"
        "c1,w1,i1,immediate,2010-03-01T09:00,received,,1\n"
        "c2,w9,i1,immediate,2010-03-01T09:00,received,,1\n"
        "c3,w1,i9,immediate,2010-03-01T09:00,received,,1\n",
    )
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report, windows={"w1"}, items={"i1"}))
    assert [c.case_id for c in cases] == ["c1"]
    assert [p.message for p in report.problems] == [
        "unknown window 'w9': not in the hall config",
        "unknown item 'i9': not in the hall config",
    ]


def test_a_missing_required_column_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "cases.csv", "case_id,window\nc1,w1\n")
    with pytest.raises(GovhallError, match=r"cases\.csv:1: missing required column\(s\) item"):
        list(read_cases(tmp_path, TZ, ReadReport()))


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    assert find_data_files(tmp_path, "ratings") == []
    with pytest.raises(GovhallError, match=r"no cases\.csv or cases\.jsonl \(nor cases\.ndjson"):
        list(read_cases(tmp_path, TZ, ReadReport()))
    with pytest.raises(GovhallError, match=r"no cases\.csv"):
        find_data_files(tmp_path, "cases", required=True)
    with pytest.raises(GovhallError, match="nowhere: no such file or folder"):
        find_data_files(tmp_path / "nowhere", "cases")
    with pytest.raises(GovhallError, match=r"unknown data file type '\.txt'"):
        list(read_cases(write(tmp_path / "cases.txt", ""), TZ, ReadReport()))


# -- a kind split over several files ------------------------------------------------


def case_row(case_id: str, day: int) -> str:
    return f"{case_id},w1,i1,immediate,2010-0{day}-01T09:00,received,,1\n"


def case_json(case_id: str, day: int) -> str:
    fields = case_row(case_id, day).strip().split(",")
    row = dict(zip(CASE_HEADER.split(","), fields, strict=True))
    return json.dumps({**row, "visits": 1}) + "\n"


def test_a_folder_gives_every_file_of_a_kind_in_sorted_name_order(tmp_path: Path) -> None:
    names = [
        "cases_2010-03.ndjson",
        "cases.csv",
        "cases-2010-02.jsonl",
        "cases-2010-01.csv",
        "cases-2010-04.CSV",
    ]
    for name in names:
        write(tmp_path / name, "")
    for other in (
        "cases_backup.txt",
        "oldcases.csv",
        "cases.csv.bak",
        "casesX.csv",
        "ratings.csv",
        "cases",
        "cases-old.csv.tmp",
    ):
        write(tmp_path / other, "")
    found = find_data_files(tmp_path, "cases")
    # sorted by name: "-" < "." < "_"
    assert [p.name for p in found] == [
        "cases-2010-01.csv",
        "cases-2010-02.jsonl",
        "cases-2010-04.CSV",
        "cases.csv",
        "cases_2010-03.ndjson",
    ]
    assert all(p.parent == tmp_path for p in found)
    assert [p.name for p in find_data_files(tmp_path, "ratings")] == ["ratings.csv"]
    assert find_data_files(tmp_path, "findings") == []
    # a file given directly is that file alone, whatever its name
    assert find_data_files(tmp_path / "oldcases.csv", "cases") == [tmp_path / "oldcases.csv"]


def test_mixed_csv_and_json_lines_files_are_read_in_order_and_counted_per_file(
    tmp_path: Path,
) -> None:
    first = write(tmp_path / "cases-2010-01.csv", CASE_HEADER + "\n" + case_row("a1", 1))
    second = write(tmp_path / "cases-2010-02.jsonl", case_json("b1", 2) + case_json("b2", 2))
    write(tmp_path / "cases_backup.txt", "not data")
    write(tmp_path / "oldcases.csv", CASE_HEADER + "\n" + case_row("old", 3))
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report))
    assert [c.case_id for c in cases] == ["a1", "b1", "b2"]
    assert [c.received_at.month for c in cases] == [1, 2, 2]
    assert (report.read, report.used, report.rejected) == (3, 3, 0)
    assert report.summary() == (
        f"{first}: read 1, used 1, rejected 0 (2 lines)\n"
        f"{second}: read 2, used 2, rejected 0 (2 lines)"
    )
    assert [f["path"] for f in report.to_json()["files"]] == [str(first), str(second)]


def test_a_bad_row_in_the_second_file_names_that_file_and_its_line(tmp_path: Path) -> None:
    first = write(
        tmp_path / "cases-2010-01.csv",
        CASE_HEADER + "\n" + case_row("a1", 1) + case_row("a2", 1),
    )
    second = write(
        tmp_path / "cases-2010-02.csv",
        CASE_HEADER
        + "\n"
        + case_row("b1", 2)
        + "b2,w1,i1,sometimes,2010-02-01T09:00,received,,1\n",
    )
    third = write(tmp_path / "cases-2010-03.jsonl", case_json("c1", 3) + '{"case_id": 3}\n')
    report = ReadReport()
    assert [c.case_id for c in read_cases(tmp_path, TZ, report)] == ["a1", "a2", "b1", "c1"]
    assert [(p.file, p.line, p.column, p.key) for p in report.problems] == [
        (str(second), 3, 4, "kind"),
        (str(third), 2, None, "case_id"),
    ]
    assert [(s.path, s.read, s.used, s.rejected) for s in report.files.values()] == [
        (str(first), 2, 2, 0),
        (str(second), 2, 1, 1),
        (str(third), 2, 1, 1),
    ]
    assert (report.read, report.used, report.rejected) == (6, 4, 2)


def test_each_file_has_its_own_header_and_unknown_column_warning(tmp_path: Path) -> None:
    first = write(
        tmp_path / "ratings-1.csv",
        "case_id,window,staff,level,rated_at,channel,phone\nc1,w1,,5,2010-03-01T10:00,pad,139\n",
    )
    second = write(
        tmp_path / "ratings-2.csv",
        "channel,rated_at,level,staff,window,case_id\npad,2010-03-02T10:00,2,s1,w1,c2\n",
    )
    report = ReadReport()
    ratings = list(read_ratings(tmp_path, TZ, report))
    assert [(r.case_id, r.level, r.staff) for r in ratings] == [("c1", 5, None), ("c2", 2, "s1")]
    assert [(w.file, w.key) for w in report.warnings] == [(str(first), "phone")]
    assert list(report.files) == [str(first), str(second)]


def test_a_broken_later_file_stops_the_read_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "findings-1.csv", "date,window,staff,rule\n2010-10-05,w1,,r\n")
    write(tmp_path / "findings-2.csv", "date,window\n2010-10-06,w1\n")
    found = []
    with pytest.raises(
        GovhallError, match=r"findings-2\.csv:1: missing required column\(s\) staff"
    ):
        found.extend(read_findings(tmp_path, ReadReport()))
    # findings are keyed over every file read: none is given before all are read
    assert found == []
    write(tmp_path / "cases-1.csv", CASE_HEADER + "\n" + case_row("a1", 1))
    write(tmp_path / "cases-2.csv", "case_id,window\nb1,w1\n")
    cases = []
    with pytest.raises(GovhallError, match=r"cases-2\.csv:1: missing required column\(s\)"):
        cases.extend(read_cases(tmp_path, TZ, ReadReport()))
    assert [c.case_id for c in cases] == ["a1"]  # cases stream, file by file


def test_a_list_of_files_is_read_in_the_order_given(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", CASE_HEADER + "\n" + case_row("a1", 1))
    b = write(tmp_path / "b.jsonl", case_json("b1", 2))
    report = ReadReport()
    assert [c.case_id for c in read_cases([b, a], TZ, report)] == ["b1", "a1"]
    assert list(report.files) == [str(b), str(a)]
    assert list(read_ratings([], TZ, report)) == []


def test_not_utf8_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(f"{CASE_HEADER}\n".encode() + "c1,窗口".encode("gbk") + b"\n")
    with pytest.raises(GovhallError, match="not UTF-8"):
        list(read_cases(path, TZ, ReadReport()))


def test_problems_kept_are_capped_but_all_counted(tmp_path: Path) -> None:
    bad = "c,w,i,never,2010-03-01T09:00,received,,1\n" * 5
    write(tmp_path / "cases.csv", f"{CASE_HEADER}\n{bad}")
    report = ReadReport(max_problems=2)
    assert list(read_cases(tmp_path, TZ, report)) == []
    assert report.rejected == 5
    assert len(report.problems) == 2


def test_parse_pauses_forms() -> None:
    assert parse_pauses("2010-01-01/2010-01-02;2010-02-01/2010-02-01") == (
        Pause(dt.date(2010, 1, 1), dt.date(2010, 1, 2)),
        Pause(dt.date(2010, 2, 1), dt.date(2010, 2, 1)),
    )
    assert parse_pauses(["2010-01-01/2010-01-02"]) == (
        Pause(dt.date(2010, 1, 1), dt.date(2010, 1, 2)),
    )
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_pauses("2010-01-02/2010-01-01")


def test_padded_ids_are_stripped_whichever_path_reads_the_row(tmp_path: Path) -> None:
    write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER},staff\n"
        " c1 ,w,i,promised,2010-03-01T09:00,concluded,2010-03-02T10:00,1, s1 \n"
        "c2, w,i,promised,2010-03-01T09:00,concluded,2010-03-02T10:00,1,s1\n",
    )
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report, windows={"w"}, items={"i"}))
    assert [(c.case_id, c.window, c.staff) for c in cases] == [("c1", "w", "s1"), ("c2", "w", "s1")]
    assert report.rejected == 0


@pytest.mark.parametrize("moment", ["9999-12-30T09:01", "0001-01-03T09:00", "1899-12-31T09:00"])
def test_a_year_outside_1900_2999_is_a_bad_row_not_a_crash(tmp_path: Path, moment: str) -> None:
    write(
        tmp_path / "cases.csv",
        f"{CASE_HEADER}\n"
        f"c1,w,i,promised,{moment},received,,1\n"
        "c2,w,i,promised,2010-03-01T09:00,received,,1\n",
    )
    report = ReadReport()
    cases = list(read_cases(tmp_path, TZ, report))
    assert [c.case_id for c in cases] == ["c2"]
    (problem,) = report.problems
    assert (problem.line, problem.key) == (2, "received_at")
    assert "is outside 1900-2999" in problem.message


def test_a_lone_pause_date_is_one_day_as_on_the_command_line() -> None:
    day = dt.date(2010, 1, 5)
    assert parse_pauses("2010-01-05") == (Pause(day, day),)
    assert parse_pauses("2010-01-05;2010-01-07/2010-01-08") == (
        Pause(day, day),
        Pause(dt.date(2010, 1, 7), dt.date(2010, 1, 8)),
    )
    assert parse_pauses(["2010-01-05"]) == (Pause(day, day),)
