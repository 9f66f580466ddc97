"""The monthly report's 好差评 section: the month's bulletin, the same as ``govhall ratings``.

The hall is Pinghu (configs/pinghu.toml): windows close at 17:30 on working
days; 1-7 October 2026 are holidays, Saturday 10 October a make-up working day.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govhall.cli import main
from govhall.records import RATING_CHANNELS
from govhall.report.html import channel_name, render_report
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent
PINGHU = ROOT / "configs" / "pinghu.toml"
TIME_TAG = "无理由超过法定办理时间"
CASES = """case_id,window,item,kind,received_at,status,concluded_at,visits
k1,tax,invoice-issue,immediate,2026-10-08T10:00,concluded,2026-10-08T11:00,1
k2,market,business-licence,promised,2026-09-01T09:00,concluded,2026-10-20T09:00,2
k0,tax,invoice-issue,immediate,2026-09-18T10:00,concluded,2026-09-18T10:30,1
k3,police,residence-certificate,immediate,2026-10-26T09:00,concluded,2026-10-26T09:30,1
k4,police,residence-certificate,immediate,2026-10-27T09:00,concluded,2026-10-27T09:30,1
k5,police,residence-certificate,immediate,2026-10-28T09:00,concluded,2026-10-28T09:30,1
k6,police,residence-certificate,immediate,2026-11-02T09:00,concluded,2026-11-02T09:30,1
"""
RATINGS = f"""case_id,window,staff,level,rated_at,channel,tags
k0,tax,,2,2026-09-20T10:00,pad,态度差
k1,tax,,5,2026-09-30T10:00,pad,
k1,tax,,2,2026-10-09T10:00,pad,态度差
k1,tax,,4,2026-10-09T11:00,online,
k2,market,,1,2026-10-21T10:00,短信,{TIME_TAG};态度差
k3,police,,2,2026-10-26T10:00,app,
k4,police,,5,2026-10-27T10:00,onsite,
k5,police,,3,2026-10-28T10:00,hotline,
k6,police,,5,2026-11-02T10:00,pad,
"""
PROGRESS = """case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome
k0,pad,2026-09-20T10:00,2026-09-21T10:00,2026-09-22T10:00,2026-09-23T10:00,rectified
k1,pad,2026-10-09T10:00,2026-10-09T12:00,2026-10-10T10:00,2026-10-12T10:00,explained
k2,短信,2026-10-21T10:00,2026-10-22T10:00,,,
"""


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def hall(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "cases.csv").write_text(CASES, encoding="utf-8")
    (data / "ratings.csv").write_text(RATINGS, encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS, encoding="utf-8")
    config = tmp_path / "pinghu.toml"
    config.write_text(
        PINGHU.read_text(encoding="utf-8") + "\n[ratings]\nreply_days = 5\n", encoding="utf-8"
    )
    return tmp_path


def _ratings_json(folder: Path, month: str) -> dict:
    result = _run(
        "ratings", folder / "pinghu.toml", "--data", folder / "data", "--month", month, "--json"
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _report_json(folder: Path, month: str) -> tuple[dict, str]:
    out = folder / f"report-{month}.html"
    result = _run(
        "report", folder / "pinghu.toml", "--data", folder / "data", "--month", month,
        "--out", out, "--json", "--force",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out.read_text(encoding="utf-8")


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_the_section_shows_the_bulletin_of_govhall_ratings(hall: Path, month: str) -> None:
    bulletin = _ratings_json(hall, month)
    document, _ = _report_json(hall, month)
    section = document["ratings"]
    for key in ("ratings", "by_channel", "by_level", "good_rate", "summary"):
        assert section[key] == bulletin[key], key
    assert section["tags"] == bulletin["tags"][:10]
    pending = [o for o in bulletin["orders"] if o["status"] in ("open", "overdue")]
    assert [o["case_id"] for o in section["pending"]] == [o["case_id"] for o in pending]


def test_october_in_numbers(hall: Path) -> None:
    document, html = _report_json(hall, "2026-10")
    section = document["ratings"]
    # k1's pad rating of 9 Oct replaces the one of 30 Sep (another month); "onsite" is
    # no known channel: counted as other
    assert section["by_channel"] == {
        "pad": 1, "online": 1, "app": 1, "sms": 1, "hotline": 1, "other": 1,
    }  # fmt: skip
    assert section["by_level"] == {"1": 1, "2": 2, "3": 1, "4": 1, "5": 1}
    assert section["good_rate"] == 0.5
    # k1 answered 12 Oct, on time; k2 due 28 Oct, not answered; k3 due 2 Nov: still open
    assert section["summary"]["closed_on_time"] == 1
    assert section["summary"]["open_overdue"] == 1
    assert section["summary"]["open"] == 1
    assert [(o["case_id"], o["status"]) for o in section["pending"]] == [
        ("k2", "overdue"),
        ("k3", "open"),
    ]
    assert section["tags"] == [{"tag": "态度差", "count": 2}, {"tag": TIME_TAG, "count": 1}]
    table = html[html.index('<table class="orders">') :]
    table = table[: table.index("</table>")]
    assert re.findall(r'<tr data-case="([^"]+)" data-status="([^"]+)">', table) == [
        ("k2", "overdue"),
        ("k3", "open"),
    ]
    assert "2026-10-28 17:30" in table  # k2: 5 working days after 21 Oct
    tags = html[html.index('<table class="tags">') :]
    assert re.findall(r'<tr data-tag="([^"]+)">', tags[: tags.index("</table>")]) == [
        "态度差",
        TIME_TAG,
    ]


def test_charts_have_one_bar_per_channel_and_per_level(hall: Path) -> None:
    document, html = _report_json(hall, "2026-10")
    charts = re.findall(r'<svg class="chart counts".*?</svg>', html)
    assert len(charts) == 2
    channels = dict(
        re.findall(r'<rect class="bar[^"]*" data-key="([^"]+)"[^>]*data-value="(\d+)"', charts[0])
    )
    assert {k: int(v) for k, v in channels.items()} == document["ratings"]["by_channel"]
    levels = re.findall(
        r'<rect class="(bar[^"]*)" data-key="(\d)"[^>]*data-value="(\d+)"', charts[1]
    )
    assert [(key, int(value)) for _, key, value in levels] == [
        (k, document["ratings"]["by_level"][k]) for k in ("5", "4", "3", "2", "1")
    ]
    # bad levels are drawn in the warning colour
    assert [css for css, key, _ in levels if key in "12"] == ["bar warn", "bar warn"]
    assert "窗口评价器" in charts[0]
    assert "其他渠道" in charts[0]
    # the ranking chart is still the only one with class "ranking"
    assert html.count('class="chart ranking"') == 1


def test_tiles_carry_the_bulletin_numbers(hall: Path) -> None:
    document, html = _report_json(hall, "2026-10")
    section = document["ratings"]
    tiles = dict(
        re.findall(r'<div class="tile" data-rating="([a-z_]+)" data-value="([^"]*)"', html)
    )
    assert tiles["ratings"] == "6"
    assert float(tiles["good_rate"]) == section["good_rate"]
    assert tiles["orders"] == "3"
    assert float(tiles["orders_on_time_rate"]) == section["summary"]["on_time_rate"] == 0.5


def test_channel_names_come_from_the_records_module() -> None:
    for channel, name in RATING_CHANNELS.items():
        assert channel_name(channel) == name
        assert channel_name(name) == name
    assert channel_name("onsite") == "onsite"


def test_the_follow_up_table_names_channels_as_the_records_module_does(hall: Path) -> None:
    _, html = _report_json(hall, "2026-10")
    table = html[html.index('<table class="ratings">') :]
    table = table[: table.index("</table>")]
    assert "短信" in table
    assert "窗口评价器" in table
    assert "移动端" in table


def test_reading_counts_every_row_once(hall: Path) -> None:
    document, _ = _report_json(hall, "2026-10")
    # 7 cases + 9 ratings + 3 rectifications (read once, though the time-limit check
    # reads the cases again for k2), on 19 lines after three header lines
    assert document["data"] == {"read": 19, "used": 19, "rejected": 0, "copies": 0, "lines": 22}


def test_without_a_bulletin_the_page_has_no_section(hall: Path) -> None:
    session = open_hall(hall / "pinghu.toml")
    found = session.report(hall / "data", "2026-10")
    assert 'id="good-bad"' in render_report(found)
    found.bulletin = None
    html = render_report(found)
    assert 'id="good-bad"' not in html
    assert 'href="#good-bad"' not in html


def test_a_month_without_ratings_says_so(hall: Path) -> None:
    (hall / "data" / "ratings.csv").unlink()
    (hall / "data" / "rectifications.csv").unlink()
    document, html = _report_json(hall, "2026-10")
    assert document["ratings"]["ratings"] == 0
    assert document["ratings"]["good_rate"] is None
    section = html[html.index('<section id="good-bad">') :]
    section = section[: section.index("</section>")]
    assert "本月没有评价。" in section
    assert "没有未办结的差评工单。" in section
    assert "差评未注明原因。" in section
    assert 'data-rating="good_rate" data-value=""' in section


def _engine_report(folder: Path, month: str, engine: str) -> tuple[dict, str, str]:
    out = folder / engine / f"report-{month}.html"
    result = _run(
        "report", folder / "pinghu.toml", "--data", folder / "data", "--month", month,
        "--out", out, "--json", "--force", "--engine", engine,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    del document["path"]
    return document, out.read_text(encoding="utf-8"), result.stderr


VARIANTS = {
    "as written": ("", ""),
    # a rating of a case no cases file holds: rejected, and DuckDB leaves the ratings to Python
    "an orphan rating": ("k9,tax,,1,2026-10-12T10:00,pad,态度差\n", ""),
    # a progress row naming no rating: rejected (counted in the report's rows)
    "a progress row for no rating": ("", "k4,onsite,2026-10-27T11:00,2026-10-28T10:00,,,\n"),
    # a good rating with a progress row: rejected too
    "a progress row for a good rating": ("", "k4,onsite,2026-10-27T10:00,2026-10-28T10:00,,,\n"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_the_section_is_the_same_on_every_engine(hall: Path, month: str, variant: str) -> None:
    ratings, progress = VARIANTS[variant]
    data = hall / "data"
    (data / "ratings.csv").write_text(RATINGS + ratings, encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS + progress, encoding="utf-8")
    rows = _engine_report(hall, month, "rows")
    duck = _engine_report(hall, month, "duckdb")
    assert duck == rows
    if variant != "as written" and month == "2026-10":
        assert rows[0]["data"]["rejected"] == 1


@pytest.mark.parametrize("variant", ["as written", "an orphan rating"])
def test_the_section_is_the_same_on_every_engine_from_parquet_files(
    hall: Path, variant: str
) -> None:
    """Parquet data files (typed columns): DuckDB splits the ratings and picks the complained-
    about cases itself (or, with an orphan, leaves the ratings to Python); same report."""
    from test_ratings_engines import _as_parquet

    ratings, progress = VARIANTS[variant]
    data = hall / "data"
    (data / "ratings.csv").write_text(RATINGS + ratings, encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS + progress, encoding="utf-8")
    _as_parquet(data, typed=True)
    assert sorted(p.suffix for p in data.iterdir()) == [".parquet"] * 3
    assert _engine_report(hall, "2026-10", "duckdb") == _engine_report(hall, "2026-10", "rows")


def test_the_section_is_the_same_on_every_engine_without_ratings(hall: Path) -> None:
    (hall / "data" / "ratings.csv").unlink()
    (hall / "data" / "rectifications.csv").unlink()
    assert _engine_report(hall, "2026-10", "duckdb") == _engine_report(hall, "2026-10", "rows")


def test_the_section_is_the_same_on_every_engine_when_the_cases_are_read_carefully(
    hall: Path,
) -> None:
    """A time written with its offset is not the fast scan's form: the cases file goes to the
    careful reader, and the orphan check and the time-limit cross-check take its cases."""
    written = "k7,police,residence-certificate,immediate,2026-10-29T09:00+08:00,concluded,"
    (hall / "data" / "cases.csv").write_text(
        CASES + written + "2026-10-29T09:30+08:00,1\n", encoding="utf-8"
    )
    (hall / "data" / "ratings.csv").write_text(
        RATINGS + f"k7,police,,1,2026-10-29T10:00,pad,{TIME_TAG}\n", encoding="utf-8"
    )
    rows = _engine_report(hall, "2026-10", "rows")
    assert rows[0]["data"]["rejected"] == 0
    assert _engine_report(hall, "2026-10", "duckdb") == rows


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_a_store_of_several_months_gives_the_folders_section(hall: Path, month: str) -> None:
    """From a store the report reads only the ratings near its month and the cases of its
    time-limit complaints; what it shows is the folder's."""
    store = hall / "store.duckdb"
    result = _run("ingest", hall / "pinghu.toml", "--data", hall / "data", "--store", store)
    assert result.exit_code == 0, result.output
    found = []
    for data in (hall / "data", store):
        out = hall / f"report-{month}-{data.name}.html"
        result = _run(
            "report", hall / "pinghu.toml", "--data", data, "--month", month,
            "--out", out, "--json", "--force",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        for key in ("path", "bytes", "data"):  # where the rows came from differs
            del document[key]
        section = re.search('<section id="good-bad">.*?</section>', out.read_text("utf-8"))
        assert section is not None
        found.append((document, section.group(0)))
    assert found[0] == found[1]
    # the bulletin behind the section, complaint checks included (the page shows no checks)
    session = open_hall(hall / "pinghu.toml")
    bulletins = [
        session.report(data, month, engine=engine).bulletin
        for data, engine in ((hall / "data", "rows"), (store, "duckdb"))
    ]
    assert bulletins[0] is not None
    assert bulletins[1] is not None
    assert bulletins[0].to_json() == bulletins[1].to_json()
    if month == "2026-10":  # k2's complaint of the time taken, checked against its case
        checks = [order["complaint_check"] for order in bulletins[1].to_json()["orders"]]
        assert [check["result"] for check in checks if check] == ["confirmed"]
