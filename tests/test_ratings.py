"""好差评: levels and channels, work-order limits, statuses, repeated ratings, rectifications.

The hall is Pinghu (configs/pinghu.toml): windows close at 17:30 on working
days; 1-7 October 2026 are the National Day holiday and Saturday 10 October
2026 is a make-up working day (调休).
"""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govhall import hookimpl
from govhall.assessment.workorders import RatingRulesError, channel_id
from govhall.config.load import load_config
from govhall.errors import ConfigError
from govhall.plugins import GovhallPluginManager, get_plugin_manager
from govhall.readers import ReadReport
from govhall.records import RATING_CHANNELS, RATING_LEVELS
from govhall.session import HallSession, open_hall

ROOT = Path(__file__).resolve().parent.parent
PINGHU = ROOT / "configs" / "pinghu.toml"
ZONE = ZoneInfo("Asia/Shanghai")
RATINGS_HEADER = "case_id,window,staff,level,rated_at,channel,tags\n"
PROGRESS_HEADER = "case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome\n"
CASES_HEADER = "case_id,window,item,kind,received_at,status,concluded_at,visits\n"
TIME_TAG = "无理由超过法定办理时间"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def hall(extra: str = "", manager: GovhallPluginManager | None = None, *, tmp: Path) -> HallSession:
    """Open Pinghu, with ``extra`` TOML appended to its config."""
    path = tmp / "pinghu.toml"
    path.write_text(PINGHU.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return open_hall(path, manager=manager or get_plugin_manager())


def folder(
    tmp: Path, ratings: str = "", progress: str | None = None, cases: str | None = None
) -> Path:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    (data / "ratings.csv").write_text(RATINGS_HEADER + ratings, encoding="utf-8")
    if progress is not None:
        (data / "rectifications.csv").write_text(PROGRESS_HEADER + progress, encoding="utf-8")
    if cases is not None:
        (data / "cases.csv").write_text(CASES_HEADER + cases, encoding="utf-8")
    return data


@pytest.fixture
def pinghu(tmp_path: Path) -> HallSession:
    return hall(tmp=tmp_path)


# -- vocabulary -------------------------------------------------------------------


def test_the_five_levels_are_named_as_the_standard_names_them() -> None:
    assert RATING_LEVELS == {
        5: "非常满意",
        4: "满意",
        3: "基本满意",
        2: "不满意",
        1: "非常不满意",
    }


def test_channels_are_known_by_id_or_chinese_name_and_the_rest_is_other() -> None:
    assert channel_id("pad") == "pad"
    assert channel_id("窗口评价器") == "pad"
    assert channel_id("热线") == "hotline"
    assert channel_id("carrier pigeon") == "other"
    assert set(RATING_CHANNELS) == {"pad", "online", "app", "sms", "kiosk", "hotline"}


# -- limits: hook, config, defaults ----------------------------------------------


def test_builtin_limits_are_documented_assumptions(pinghu: HallSession) -> None:
    limits = pinghu.rating_limits
    assert (limits.verify, limits.rectify, limits.reply) == (1, 15, 15)
    assert limits.repeated == "latest"
    assert limits.time_limit_tags == (TIME_TAG,)
    for key in ("verify_days", "rectify_days", "reply_days"):
        assert "assumption" in limits.note(key)
    assert "一事一评" in limits.note("repeated")


def _pinghu_with_limits(answer: dict[str, object]) -> GovhallPluginManager:
    """The Pinghu plugin carrying an extra govhall_rating_limits answer."""
    import govhall_pinghu

    module = types.ModuleType("pinghu_limits")
    for name in dir(govhall_pinghu):
        if name.startswith("govhall_"):
            setattr(module, name, getattr(govhall_pinghu, name))

    def govhall_rating_limits(county: str) -> dict[str, object]:
        return dict(answer)

    module.govhall_rating_limits = hookimpl(govhall_rating_limits)  # type: ignore[attr-defined]
    return get_plugin_manager(load_entry_points=False, plugins=[("pinghu", module)])


def test_county_hook_overrides_defaults_and_config_overrides_the_county(tmp_path: Path) -> None:
    manager = _pinghu_with_limits(
        {"rectify_days": 5, "reply_days": 6, "notes": {"rectify_days": "county notice"}}
    )
    session = hall(manager=manager, tmp=tmp_path)
    limits = session.rating_limits
    assert (limits.verify, limits.rectify, limits.reply) == (1, 5, 6)
    assert limits.note("rectify_days") == "county notice"
    assert limits.note("reply_days") == "set by plugin pinghu"
    session = hall("[ratings]\nreply_days = 7\n", manager=manager, tmp=tmp_path)
    assert session.rating_limits.reply == 7
    assert session.rating_limits.note("reply_days").startswith("set by config [ratings]")


def test_an_unusable_county_answer_is_an_error_naming_the_key(tmp_path: Path) -> None:
    session = hall(manager=_pinghu_with_limits({"verify_days": "one"}), tmp=tmp_path)
    with pytest.raises(RatingRulesError, match="verify_days must be a whole number"):
        _ = session.rating_limits


def test_config_ratings_table_is_strict(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        PINGHU.read_text(encoding="utf-8") + '\n[ratings]\nrepeated = "first"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"ratings\.repeated"):
        load_config(path, get_plugin_manager())


# -- stage due times: the case counting rule -------------------------------------


def _order(session: HallSession, data: Path, month: str = "2026-09", **kw: object) -> dict:
    document = session.ratings(data, month, **kw).to_json()  # type: ignore[arg-type]
    assert len(document["orders"]) == 1, document["orders"]
    return document["orders"][0]


def test_limits_count_working_days_across_a_holiday_and_a_makeup_saturday(
    tmp_path: Path,
) -> None:
    session = hall("[ratings]\nverify_days = 1\nrectify_days = 3\nreply_days = 5\n", tmp=tmp_path)
    data = folder(tmp_path, "c1,tax,,1,2026-09-30T10:00,pad,\n")
    order = _order(session, data)
    stages = order["stages"]
    # 30 Sep is the uncounted day; 1-7 Oct are holidays: 8 Oct counts 1, 9 Oct 2,
    # the make-up Saturday 10 Oct 3, 12 Oct 4 and 13 Oct 5 (Sunday 11 Oct does not count)
    assert stages["verify"]["due"] == "2026-10-08T17:30:00+08:00"
    assert stages["rectify"]["due"] == "2026-10-10T17:30:00+08:00"
    assert stages["reply"]["due"] == order["due"] == "2026-10-13T17:30:00+08:00"


@pytest.mark.parametrize(
    "rated",
    [
        "2026-09-30T10:00",  # before the holiday
        "2026-09-30T18:00",  # after closing: counts from the next working day
        "2026-10-03T10:00",  # on a holiday
        "2026-10-10T09:00",  # on the make-up Saturday
        "2026-12-31T17:29",  # across the year end
    ],
)
def test_a_stage_is_due_exactly_when_a_case_of_as_many_days_would_be(
    tmp_path: Path, rated: str
) -> None:
    session = hall("[ratings]\nrectify_days = 5\n", tmp=tmp_path)
    data = folder(tmp_path, f"c1,market,,2,{rated},pad,\n")
    order = _order(session, data, rated[:7])
    case = session.deadline("business-licence", dt.datetime.fromisoformat(rated))  # 5 days
    assert order["stages"]["rectify"]["due"] == case.due.isoformat()


# -- statuses ----------------------------------------------------------------------

DUE = "2026-10-13T17:30"  # reply due of a rating on 2026-09-30 10:00 with reply_days = 5


def _closed_at(tmp_path: Path, replied: str, as_of: str | None = None) -> dict:
    session = hall("[ratings]\nreply_days = 5\n", tmp=tmp_path)
    data = folder(
        tmp_path,
        "c1,tax,,1,2026-09-30T10:00,pad,\n",
        f"c1,pad,2026-09-30T10:00,2026-09-30T15:00,2026-10-09T10:00,{replied},rectified\n",
    )
    moment = dt.datetime.fromisoformat(as_of) if as_of else dt.datetime(2026, 11, 1)
    return _order(session, data, as_of=moment)


def test_an_order_closed_exactly_at_the_limit_is_on_time(tmp_path: Path) -> None:
    order = _closed_at(tmp_path, DUE)
    assert order["due"] == "2026-10-13T17:30:00+08:00"
    assert order["closed"] == "2026-10-13T17:30:00+08:00"
    assert order["status"] == "closed_on_time"
    assert order["outcome"] == "rectified"


def test_an_order_closed_one_minute_after_the_limit_is_late(tmp_path: Path) -> None:
    assert _closed_at(tmp_path, "2026-10-13T17:31")["status"] == "closed_late"


def test_a_reply_after_the_as_of_moment_is_not_yet_known(tmp_path: Path) -> None:
    order = _closed_at(tmp_path, "2026-10-12T09:00", as_of="2026-10-09T09:59")
    assert order["closed"] is None
    assert order["status"] == "open"
    assert order["stages"]["verify"]["status"] == "closed_on_time"
    assert order["stages"]["rectify"]["done"] is None  # rectified at 10:00, not yet
    order = _closed_at(tmp_path, "2026-10-12T09:00", as_of="2026-10-09T10:00")
    assert order["stages"]["rectify"]["done"] == "2026-10-09T10:00:00+08:00"
    assert order["status"] == "open"


def test_open_then_overdue_without_progress(tmp_path: Path) -> None:
    session = hall("[ratings]\nreply_days = 5\n", tmp=tmp_path)
    data = folder(tmp_path, "c1,tax,,2,2026-09-30T10:00,pad,\n")
    before = _order(session, data, as_of=dt.datetime.fromisoformat(DUE))
    assert before["status"] == "open"
    after = _order(session, data, as_of=dt.datetime.fromisoformat("2026-10-13T17:31"))
    assert after["status"] == "overdue"
    bulletin = session.ratings(data, "2026-09")  # as of the end of September
    assert bulletin.as_of == at("2026-10-01T00:00")
    assert bulletin.orders[0].status == "open"
    summary = session.ratings(data, "2026-09", as_of=dt.datetime(2026, 10, 20)).summary()
    assert summary["open_overdue"] == 1
    assert summary["on_time_rate"] == 0.0


def test_counts_by_channel_and_level_good_rate_tags_and_summary(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(
        tmp_path,
        "c1,tax,,5,2026-09-01T10:00,pad,服务热情\n"
        "c2,tax,,4,2026-09-02T10:00,窗口评价器,\n"  # the Chinese name of pad
        "c3,tax,,3,2026-09-03T10:00,app,\n"
        "c4,police,,2,2026-09-04T10:00,online,等候时间长;多次跑腿\n"
        "c5,police,,1,2026-09-05T10:00,hotline,等候时间长\n"
        "c6,police,,5,2026-10-05T10:00,pad,\n",  # another month
        "c4,online,2026-09-04T10:00,2026-09-04T11:00,,2026-09-10T10:00,explained\n",
    )
    # as of 12 September: c5's reply (15 working days) is not yet due
    bulletin = pinghu.ratings(data, "2026-09", as_of=dt.datetime(2026, 9, 12))
    document = bulletin.to_json()
    assert document["by_channel"] == {"pad": 2, "online": 1, "app": 1, "hotline": 1}
    assert document["by_level"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    assert document["good_rate"] == pytest.approx(3 / 5)
    assert document["tags"] == [
        {"tag": "等候时间长", "count": 2},
        {"tag": "多次跑腿", "count": 1},
    ]  # tags of bad ratings only
    assert [o["case_id"] for o in document["orders"]] == ["c4", "c5"]
    assert document["summary"] == {
        "orders": 2,
        "closed": 1,
        "closed_on_time": 1,
        "on_time_rate": 1.0,
        "open_overdue": 0,
        "open": 1,
        "closed_late": 0,
    }
    assert document["orders"][0]["outcome"] == "explained"


def test_no_ratings_means_no_rates(pinghu: HallSession, tmp_path: Path) -> None:
    document = pinghu.ratings(folder(tmp_path), "2026-09").to_json()
    assert document["good_rate"] is None
    assert document["summary"]["on_time_rate"] is None
    assert document["by_level"] == {str(n): 0 for n in range(1, 6)}


# -- repeated ratings ----------------------------------------------------------------


REPEATED = (
    "c1,tax,,1,2026-09-01T10:00,online,\n"
    "c1,tax,,4,2026-09-03T10:00,online,\n"  # the same case and channel, later
    "c1,tax,,5,2026-09-02T10:00,pad,\n"  # another channel: its own rating
)


def test_a_later_rating_from_one_channel_replaces_the_earlier(
    pinghu: HallSession, tmp_path: Path
) -> None:
    report = ReadReport()
    document = pinghu.ratings(folder(tmp_path, REPEATED), "2026-09", read=report).to_json()
    assert document["by_level"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert document["orders"] == []  # the bad rating was replaced
    assert len(document["repeated"]) == 1
    repeat = document["repeated"][0]
    assert (repeat["rule"], repeat["level"], repeat["line"]) == ("replaced", 1, 2)
    assert repeat["other"].endswith("ratings.csv:3")
    [warning] = report.warnings
    assert warning.line == 2
    assert "replaced by the later rating" in warning.message
    assert report.rejected == 0


def test_repeated_all_counts_each_and_still_reports(tmp_path: Path) -> None:
    session = hall('[ratings]\nrepeated = "all"\n', tmp=tmp_path)
    report = ReadReport()
    document = session.ratings(folder(tmp_path, REPEATED), "2026-09", read=report).to_json()
    assert document["by_level"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert len(document["orders"]) == 1
    assert [r["rule"] for r in document["repeated"]] == ["counted"]
    assert len(report.warnings) == 1


def test_the_same_row_twice_counts_once(pinghu: HallSession, tmp_path: Path) -> None:
    row = "c1,tax,,2,2026-09-01T10:00,pad,\n"
    report = ReadReport()
    document = pinghu.ratings(folder(tmp_path, row + row), "2026-09", read=report).to_json()
    assert document["by_level"]["2"] == 1
    assert len(document["orders"]) == 1
    # the reader counts the copy once, as a store does: the bulletin sees one rating
    assert document["repeated"] == []
    assert report.copies == 1
    assert "the same row as" in report.warnings[0].message
    assert report.warnings[0].line == 3


def test_two_different_rows_with_one_key_are_both_rejected(
    pinghu: HallSession, tmp_path: Path
) -> None:
    rows = "c1,tax,,2,2026-09-01T10:00,pad,\nc1,tax,,4,2026-09-01T10:00,pad,\n"
    report = ReadReport()
    document = pinghu.ratings(folder(tmp_path, rows), "2026-09", read=report).to_json()
    assert document["ratings"] == 0
    assert [(p.line, p.severity) for p in report.problems] == [(2, "error"), (3, "error")]
    assert "also at" in report.problems[0].message
    assert (report.read, report.used, report.rejected) == (2, 0, 2)


def test_a_rating_of_a_case_the_cases_files_do_not_hold_is_an_orphan(
    pinghu: HallSession, tmp_path: Path
) -> None:
    cases = "c1,tax,invoice-issue,immediate,2026-09-01T09:00,concluded,2026-09-01T09:30,1\n"
    rows = "c1,tax,,2,2026-09-01T10:00,pad,\nc7,tax,,2,2026-09-01T10:00,pad,\n"
    report = ReadReport()
    document = pinghu.ratings(folder(tmp_path, rows, cases=cases), "2026-09", read=report)
    assert document.ratings == 1
    assert [(p.line, p.key) for p in report.problems] == [(3, "case_id")]
    assert "orphan" in report.problems[0].message


def test_a_replacement_in_a_later_month_counts_only_as_of_a_later_moment(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(
        tmp_path, "c1,tax,,1,2026-09-30T10:00,online,\nc1,tax,,5,2026-10-09T10:00,online,\n"
    )
    assert len(pinghu.ratings(data, "2026-09").orders) == 1  # as of end of September
    later = pinghu.ratings(data, "2026-09", as_of=dt.datetime(2026, 10, 31))
    assert later.orders == []


# -- rectifications -------------------------------------------------------------------


def test_orphan_and_misplaced_progress_rows_are_rejected_with_file_and_line(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(
        tmp_path,
        "c1,tax,,2,2026-09-01T10:00,pad,\nc2,tax,,5,2026-09-01T11:00,pad,\n",
        "c1,pad,2026-09-01T10:00,2026-09-01T12:00,,,\n"  # line 2: fine
        "c9,pad,2026-09-01T10:00,2026-09-01T12:00,,,\n"  # line 3: no such rating
        "c1,pad,2026-09-01T10:05,2026-09-01T12:00,,,\n"  # line 4: wrong time
        "c2,pad,2026-09-01T11:00,2026-09-01T12:00,,,\n"  # line 5: a good rating
        "c1,pad,2026-09-01T10:00,2026-09-01T13:00,,,\n",  # line 6: a second row
    )
    report = ReadReport()
    bulletin = pinghu.ratings(data, "2026-09", read=report)
    errors = {p.line: p.message for p in report.problems}
    assert set(errors) == {3, 4, 5, 6}
    assert "no rating of case 'c9'" in errors[3]
    assert "no rating of case 'c1' from channel 'pad' at 2026-09-01T10:05" in errors[4]
    assert "level 5" in errors[5]
    assert "a second row for this rating" in errors[6]
    assert all(p.file.endswith("rectifications.csv") for p in report.problems)
    progress = report.files[str(data / "rectifications.csv")]
    assert (progress.read, progress.used, progress.rejected) == (5, 1, 4)
    assert bulletin.orders[0].stages[0].done == at("2026-09-01T12:00")


KEY = "c1,pad,2026-09-01T10:00"  # the rating's case, channel and time
T9, T11, D2, D3 = "2026-09-01T09:00", "2026-09-01T11:00", "2026-09-02T10:00", "2026-09-03T10:00"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (f"{KEY},,{D2},,", "rectified_at", "not verified"),
        (f"{KEY},{D3},{D2},,", "rectified_at", "before it was verified"),
        (f"{KEY},{T9},,,", "verified_at", "before the rating"),
        (f"{KEY},{T11},{D3},{D2},rectified", "replied_at", "before it was rectified"),
        (f"{KEY},{T11},,{D2},", "outcome", "give the outcome"),
        (f"{KEY},{T11},,{D2},fixed", "outcome", "expected one of"),
        (f"{KEY},{T11},,{D2},rectified", "rectified_at", "outcome is 'rectified'"),
        ("c1,pad,yesterday,,,,", "rated_at", "not an ISO 8601 time"),
    ],
)
def test_progress_rows_out_of_order_are_bad_rows(
    pinghu: HallSession, tmp_path: Path, row: str, column: str, message: str
) -> None:
    data = folder(tmp_path, "c1,tax,,2,2026-09-01T10:00,pad,\n", row + "\n")
    report = ReadReport()
    pinghu.ratings(data, "2026-09", read=report)
    [problem] = report.problems
    assert (problem.line, problem.key) == (2, column)
    assert problem.column == PROGRESS_HEADER.strip().split(",").index(column) + 1
    assert message in problem.message


def test_tags_read_from_json_lines_and_a_bad_tags_value_is_a_bad_row(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ratings.jsonl").write_text(
        '{"case_id": "c1", "window": "tax", "staff": "", "level": 1, '
        '"rated_at": "2026-09-01T10:00", "channel": "pad", "tags": ["等候时间长", " "]}\n'
        '{"case_id": "c2", "window": "tax", "staff": "", "level": 1, '
        '"rated_at": "2026-09-01T10:00", "channel": "pad", "tags": 7}\n',
        encoding="utf-8",
    )
    report = ReadReport()
    bulletin = pinghu.ratings(data, "2026-09", read=report)
    assert [order.rating.tags for order in bulletin.orders] == [("等候时间长",)]
    [problem] = report.problems
    assert (problem.line, problem.key) == (2, "tags")


def test_unknown_channel_counts_as_other_with_a_warning(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(tmp_path, "c1,tax,,4,2026-09-01T10:00,wechat,\n")
    bulletin = pinghu.ratings(data, "2026-09")
    assert bulletin.by_channel == {"other": 1}
    assert any("'wechat' is not a known rating channel" in w for w in bulletin.warnings)


# -- the time-limit complaint, checked against the case's own deadline ---------------


CASES = (
    # business-licence: 5 working days; received 1 Sep 10:00, due 8 Sep 17:30
    "late,market,business-licence,promised,2026-09-01T10:00,concluded,2026-09-09T09:00,1\n"
    "ontime,market,business-licence,promised,2026-09-01T10:00,concluded,2026-09-08T17:30,1\n"
    "open,market,business-licence,promised,2026-09-01T10:00,in_review,,1\n"
)


@pytest.mark.parametrize(
    ("case_id", "rated", "result", "late"),
    [
        ("late", "2026-09-09T10:00", "confirmed", True),
        ("ontime", "2026-09-09T10:00", "not_confirmed", False),
        ("open", "2026-09-09T10:00", "confirmed", True),  # still open, past due
        ("open", "2026-09-07T10:00", "not_confirmed", False),  # still open, not yet due
    ],
)
def test_a_time_limit_complaint_is_checked_against_the_case_deadline(
    pinghu: HallSession, tmp_path: Path, case_id: str, rated: str, result: str, late: bool | None
) -> None:
    data = folder(tmp_path, f"{case_id},market,,1,{rated},pad,{TIME_TAG};服务态度差\n", cases=CASES)
    check = _order(pinghu, data)["complaint_check"]
    assert check["tag"] == TIME_TAG
    assert (check["result"], check["case_late"]) == (result, late)
    if result != "case_not_found":
        assert check["case_due"] == "2026-09-08T17:30:00+08:00"


def test_orders_without_a_time_limit_tag_carry_no_check_and_read_no_cases(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(tmp_path, "late,market,,1,2026-09-09T10:00,pad,服务态度差\n")  # no cases file
    report = ReadReport()
    assert _order(pinghu, data, read=report)["complaint_check"] is None
    assert all("cases" not in name for name in report.files)


def test_without_a_cases_file_a_complaint_is_not_checked_and_said_so(
    pinghu: HallSession, tmp_path: Path
) -> None:
    data = folder(tmp_path, f"late,market,,1,2026-09-09T10:00,pad,{TIME_TAG}\n")
    bulletin = pinghu.ratings(data, "2026-09")
    assert bulletin.orders[0].complaint_check == {
        "tag": TIME_TAG,
        "result": "case_not_found",
        "case_due": None,
        "concluded": None,
        "case_late": None,
    }
    assert any(
        "no cases file: time-limit complaints are not checked" in w for w in bulletin.warnings
    )


def test_time_limit_tags_come_from_the_config(tmp_path: Path) -> None:
    session = hall('[ratings]\ntime_limit_tags = ["超时"]\n', tmp=tmp_path)
    data = folder(tmp_path, "late,market,,1,2026-09-09T10:00,pad,超时\n", cases=CASES)
    assert _order(session, data)["complaint_check"]["result"] == "confirmed"


# -- the sample --------------------------------------------------------------------------


def test_the_sample_has_channels_tags_and_consistent_rectifications(tmp_path: Path) -> None:
    session = open_hall(ROOT / "configs" / "zhenhai.toml", manager=get_plugin_manager())
    written = session.write_sample(tmp_path / "zh")
    assert (tmp_path / "zh" / "rectifications.csv") in written.files
    report = ReadReport()
    # ratings are given when cases conclude: January to July
    months = [session.ratings(tmp_path / "zh", f"2010-0{m}", read=report) for m in range(1, 8)]
    assert report.rejected == 0, [p.format() for p in report.problems]
    assert sum(b.ratings for b in months) == written.ratings  # no repeated ratings
    assert not any(b.repeated for b in months)
    channels = set().union(*(b.by_channel for b in months))
    assert {"pad", "online", "sms"} < channels
    statuses = {order.status for b in months for order in b.orders}
    assert {"closed_on_time", "open"} <= statuses
    assert any(b.tags for b in months)
    assert any(o.complaint_check for b in months for o in b.orders)
