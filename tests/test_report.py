"""``govhall report``: a self-contained page whose numbers are the engines' own."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from govhall.assessment.scoring import Month
from govhall.cli import main
from govhall.report.data import first_full_week
from govhall.report.svg import (
    Bar,
    bar_chart,
    label_column,
    nice_maximum,
    share_bar,
    text_width,
    tick_step,
)

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
PINGHU = ROOT / "configs" / "pinghu.toml"

EVIL = '<script>alert("x")</script> & 窗口'
HALL = f"""
[hall]
county = "pinghu"

[scoring.parameters]
"window.results.completion.points" = 1
"staff.attendance.late-early.points" = 1
"staff.meetings.training-late.points" = 1

[[windows]]
id = "a"
name = "甲窗口"

[[windows]]
id = "evil"
name = {json.dumps(EVIL, ensure_ascii=False)}

[[items]]
id = "p5"
name = "承诺件"
window = "a"
kind = "promised"
promised_days = 5

[[items]]
id = "q5"
name = "乙承诺件"
window = "evil"
kind = "promised"
promised_days = 5

[[staff]]
id = "a1"
name = "甲一"
window = "a"
post = "A"
"""
CASES = [
    "case_id,window,item,kind,received_at,status,concluded_at,visits,staff",
    "ok1,a,p5,promised,2010-10-08T09:00:00,concluded,2010-10-08T15:00:00,1,a1",
    "late1,a,p5,promised,2010-10-08T09:00:00,concluded,2010-11-20T10:00:00,2,a1",
    "ok2,evil,q5,promised,2010-10-11T09:00:00,delivered,2010-10-12T10:00:00,1,",
    "open1,evil,q5,promised,2010-10-29T09:00:00,in_review,,1,",
]
RATINGS = [
    # applicant_name is not part of the format: read with a warning, never shown
    "case_id,window,staff,level,rated_at,channel,applicant_name",
    "ok1,a,a1,5,2010-10-08T16:00:00,pad,张三丰",
    "ok2,evil,,2,2010-10-12T11:00:00,online,李四光",
    "late1,a,a1,1,2010-11-21T09:00:00,sms,王五岳",
]


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


class _Elements(HTMLParser):
    """Collect every element's tag and attributes, and the text of tiles' big numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def having(self, attribute: str) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.elements if attribute in a]


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def zhenhai(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Sample data for Zhenhai (3000 rows), its March 2010 report, kpi and score JSON."""
    folder = tmp_path_factory.mktemp("zhenhai")
    data = folder / "data"
    result = _run("sample", ZHENHAI, "--out", data, "--rows", "3000")
    assert result.exit_code == 0, result.output
    out = folder / "report.html"
    result = _run("report", ZHENHAI, "--data", data, "--month", "2010-03", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    kpi = _run(
        "kpi", ZHENHAI, "--data", data, "--from", "2010-03-01", "--to", "2010-03-31", "--json"
    )
    score = _run("score", ZHENHAI, "--data", data, "--month", "2010-03", "--json")
    return {
        "data": data,
        "out": out,
        "html": out.read_text(encoding="utf-8"),
        "json": json.loads(result.stdout),
        "kpi": json.loads(kpi.stdout),
        "score": json.loads(score.stdout),
    }


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A two-window hall (one with a hostile name) and its data files."""
    (tmp_path / "hall.toml").write_text(HALL, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "cases.csv").write_text("\n".join(CASES) + "\n", encoding="utf-8")
    (data / "ratings.csv").write_text("\n".join(RATINGS) + "\n", encoding="utf-8")
    return tmp_path


def _report(folder: Path, month: str) -> tuple[Result, str]:
    out = folder / f"report-{month}.html"
    result = _run(
        "report", folder / "hall.toml", "--data", folder / "data", "--month", month, "--out", out
    )
    return result, out.read_text(encoding="utf-8") if out.exists() else ""


# -- self-contained -----------------------------------------------------------------------


def test_page_fetches_nothing(zhenhai: dict[str, Any]) -> None:
    html = zhenhai["html"]
    assert "http://" not in html
    assert "https://" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?://|[a-z][a-z0-9+.-]*:)""", html, re.I)
    assert "@import" not in html
    assert "url(" not in html
    assert not re.search(r"<(?:link|img|iframe|object|embed)\b", html)
    assert re.findall(r"<script\b[^>]*>", html) == ["<script>"]  # inline, no src
    every_href = [a["href"] for _, a in _parse(html).having("href")]
    assert every_href
    assert all(href.startswith("#") for href in every_href)


def test_page_declares_utf8_and_a_cjk_font_stack(zhenhai: dict[str, Any]) -> None:
    html = zhenhai["html"]
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    for font in ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei"):
        assert f'"{font}"' in html
    assert "@media print" in html
    assert "@page" in html


def test_every_window_of_the_config_is_on_the_page(zhenhai: dict[str, Any]) -> None:
    from govhall.config.load import load_config
    from govhall.plugins import get_plugin_manager

    hall = load_config(ZHENHAI, get_plugin_manager())
    elements = _parse(zhenhai["html"])
    bars = {a["data-key"] for t, a in elements.having("data-rank") if t == "rect"}
    rows = [a["data-window"] for t, a in elements.having("data-window") if t == "tr"]
    details = {a["id"] for t, a in elements.having("id") if t == "details"}
    ids = [w.id for w in hall.windows]
    assert len(ids) == 25
    assert bars == set(ids)
    assert rows == ids  # the timetable keeps the config's order
    assert details == {f"score-{i}" for i in ids}
    for window in hall.windows:
        assert window.name in zhenhai["html"]


# -- numbers: the engines' own ---------------------------------------------------------------


def _tiles(html: str) -> dict[str, tuple[str, str]]:
    """Map data-kpi to (data-value, visible big number) for every tile."""
    found = {}
    pattern = r'class="tile[^"]*" data-kpi="([^"]+)" data-value="([^"]*)">(.*?)</div></div>'
    for key, value, inner in re.findall(pattern, html):
        big = re.search(r'<div class="big">(.*?)</div>', inner)
        shown = re.sub(r"<small>.*?</small>|<[^>]+>", "", big.group(1)) if big else ""
        found[key] = (value, shown)
    return found


def test_tiles_show_what_govhall_kpi_gives(zhenhai: dict[str, Any]) -> None:
    kpi = zhenhai["kpi"]
    tiles = _tiles(zhenhai["html"])
    assert set(tiles) == {
        "accepted",
        "concluded",
        "completion_rate",
        "immediate",
        "on_time_rate",
        "satisfaction_rate",
        "visits",
    }
    for key in ("accepted", "concluded", "immediate"):
        assert tiles[key] == (str(kpi[key]), f"{kpi[key]:,}")
    for key in ("completion_rate", "on_time_rate", "satisfaction_rate"):
        assert tiles[key] == (str(kpi[key]), f"{kpi[key] * 100:.2f}")
    visits = kpi["visits"]
    assert tiles["visits"] == (
        ",".join(str(visits[k]) for k in ("1", "2", "3+")),
        f"{visits['1'] * 100:.2f}",
    )
    inline = dict(re.findall(r'<b data-kpi="([^"]+)" data-value="([^"]*)">', zhenhai["html"]))
    assert inline == {
        "immediate_rate": str(kpi["immediate_rate"]),
        "average_handling_hours": str(kpi["average_handling_hours"]),
    }
    assert zhenhai["json"]["kpi"] == {k: v for k, v in kpi.items() if k != "data"}


def test_bars_follow_govhall_score_ranks(zhenhai: dict[str, Any]) -> None:
    windows = zhenhai["score"]["windows"]
    bars = [a for t, a in _parse(zhenhai["html"]).having("data-rank") if t == "rect"]
    assert [(b["data-key"], int(b["data-rank"]), float(b["data-value"])) for b in bars] == [
        (w["window"], w["rank"], float(w["score"])) for w in windows
    ]
    widths = [float(b["width"]) for b in bars]
    assert widths == sorted(widths, reverse=True)  # ranked by score, longest first
    links = [a["href"] for t, a in _parse(zhenhai["html"]).having("href") if t == "a"]
    assert [link for link in links if link.startswith("#score-")] == [
        f"#score-{w['window']}" for w in windows
    ]
    ranking = zhenhai["json"]["ranking"]
    assert ranking == [
        {"window": w["window"], "rank": w["rank"], "score": w["score"]} for w in windows
    ]


def test_score_lines_sit_under_each_window(zhenhai: dict[str, Any]) -> None:
    html = zhenhai["html"]
    for window in zhenhai["score"]["windows"]:
        start = html.index(f'<details class="score" id="score-{window["window"]}">')
        block = html[start : html.index("</details>", start)]
        for line in window["lines"]:
            assert f'<td class="id">{line["rule"]}</td>' in block
        for line in window.get("assessment", {}).get("lines", []):
            assert f'<td class="id">{line["rule"]}</td>' in block


def test_overdue_cases_are_those_the_score_counts(zhenhai: dict[str, Any]) -> None:
    counted = {
        evidence.removeprefix("case:")
        for window in zhenhai["score"]["windows"]
        for line in window.get("assessment", {}).get("lines", [])
        if line["rule"].endswith(".overdue")
        for evidence in line["evidence"]
    }
    html = zhenhai["html"]
    table = html[
        html.index('<table class="overdue">') : html.index(
            "</table>", html.index('<table class="overdue">')
        )
    ]
    listed = set(re.findall(r'<tr data-case="([^"]+)">', table))
    assert counted
    assert listed == counted
    assert zhenhai["json"]["overdue"] == len(counted)


# -- escaping, follow-ups, anonymity -------------------------------------------------------


def test_a_window_name_with_markup_is_escaped(small: Path) -> None:
    result, html = _report(small, "2010-10")
    assert result.exit_code == 0, result.output
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 窗口" in html
    assert EVIL not in html
    assert len(re.findall(r"<script\b", html)) == 1


def test_follow_up_lists_overdue_cases_and_bad_ratings_without_identity(small: Path) -> None:
    result, html = _report(small, "2010-10")
    assert result.exit_code == 0, result.output
    overdue = html[html.index('<table class="overdue">') :]
    overdue = overdue[: overdue.index("</table>")]
    # late1: 5 working days from 2010-10-08 -> due 2010-10-15 closing, concluded 11-20
    assert re.findall(r'<tr data-case="([^"]+)">', overdue) == ["late1"]
    assert "逾期办结" in overdue
    assert "2010-11-20 10:00" in overdue
    ratings = html[html.index('<table class="ratings">') :]
    ratings = ratings[: ratings.index("</table>")]
    assert re.findall(r'<tr data-case="([^"]+)">', ratings) == ["ok2"]  # level 2; ok1 is 5
    assert "2 不满意" in ratings
    for name in ("张三丰", "李四光", "王五岳", "applicant_name"):
        assert name not in html
    assert "applicant_name" in result.stderr  # the unknown column is warned about

    result, html = _report(small, "2010-11")
    assert result.exit_code == 0, result.output
    overdue = html[html.index('<table class="overdue">') :]
    overdue = overdue[: overdue.index("</table>")]
    # open1: received 10-29, due in November, still in review at the month's end
    assert re.findall(r'<tr data-case="([^"]+)">', overdue) == ["open1"]
    assert "未办结" in overdue
    ratings = html[html.index('<table class="ratings">') :]
    assert re.findall(r'<tr data-case="([^"]+)">', ratings[: ratings.index("</table>")]) == [
        "late1"
    ]


# -- week timetable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "monday"),
    [
        (Month(2010, 3), dt.date(2010, 3, 1)),  # starts on a Monday
        (Month(2025, 6), dt.date(2025, 6, 2)),  # starts on a Sunday
        (Month(2025, 10), dt.date(2025, 10, 6)),  # starts on a Wednesday
    ],
)
def test_first_full_week(month: Month, monday: dt.date) -> None:
    assert first_full_week(month) == monday


def test_timetable_is_govhall_hours_with_duty_and_rota(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _run("sample", PINGHU, "--out", data, "--rows", "200").exit_code == 0
    out = tmp_path / "r.html"
    result = _run("report", PINGHU, "--data", data, "--month", "2025-10", "--out", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    table = html[html.index('<table class="timetable">') :]
    table = table[: table.index("</table>")]
    rows = dict(re.findall(r'<tr data-window="([^"]+)">(.*?)</tr>', table))
    days = [dt.date(2025, 10, 6) + dt.timedelta(days=n) for n in range(7)]
    for day_index, day in enumerate(days):
        hours = json.loads(_run("hours", PINGHU, "--on", day.isoformat(), "--json").stdout)
        for entry in hours["windows"]:
            cell = re.findall(r"<td[^>]*>(.*?)</td>", rows[entry["window"]])[day_index]
            spans = re.findall(r'<span class="span">(\d\d:\d\d)–(\d\d:\d\d)</span>', cell)
            assert [list(s) for s in spans] == entry["intervals"], (entry["window"], day)
    cells = {w: re.findall(r"<td[^>]*>(.*?)</td>", row) for w, row in rows.items()}
    # 2025-10-06..08 are National Day holidays: the police window is on duty, others closed
    assert all("值班" in cells["police"][n] for n in range(3))
    assert cells["tax"][0] == "休"
    # 2025-10-11 is a make-up working Saturday; the market window serves through lunch
    assert "调休上班" in table
    assert "错时" in cells["market"][5]
    # Sunday 2025-10-12: the rota (anchor 2026-01-04, cycle market/tax) puts market on duty
    assert "轮值" in cells["market"][6]
    assert cells["tax"][6] == "休"


# -- CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2010-13", "March", "2010"])
def test_a_bad_month_is_a_usage_error(small: Path, month: str) -> None:
    result, _ = _report(small, month)
    assert result.exit_code == 2
    assert "--month" in result.output
    assert not list(small.glob("*.html"))


def test_an_existing_file_is_kept_without_force(small: Path) -> None:
    out = small / "report-2010-10.html"
    out.write_text("keep me", encoding="utf-8")
    result, html = _report(small, "2010-10")
    assert result.exit_code == 1
    assert "already exists; use --force" in result.output
    assert html == "keep me"
    result = _run(
        "report",
        small / "hall.toml",
        "--data",
        small / "data",
        "--month",
        "2010-10",
        "--out",
        out,
        "--force",
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result.stdout.startswith(f"wrote {out} (")


def test_missing_data_and_bad_config(small: Path) -> None:
    out = small / "r.html"
    result = _run(
        "report", small / "hall.toml", "--data", small / "nope", "--month", "2010-10", "--out", out
    )
    assert result.exit_code == 1  # a missing folder is a file problem, like a missing config
    assert "no such folder" in result.stderr
    (small / "empty").mkdir()
    result = _run(
        "report", small / "hall.toml", "--data", small / "empty", "--month", "2010-10", "--out", out
    )
    assert result.exit_code == 1
    assert "no cases.csv or cases.jsonl" in result.output
    result = _run(
        "report",
        small / "missing.toml",
        "--data",
        small / "data",
        "--month",
        "2010-10",
        "--out",
        out,
    )
    assert result.exit_code == 1
    assert not out.exists()


def test_json_summary(small: Path) -> None:
    out = small / "r.html"
    result = _run(
        "report",
        small / "hall.toml",
        "--data",
        small / "data",
        "--month",
        "2010-10",
        "--out",
        out,
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["path"] == str(out)
    assert document["bytes"] == len(out.read_bytes())
    assert (document["month"], document["windows"]) == ("2010-10", 2)
    assert (document["overdue"], document["overdue_open"], document["bad_ratings"]) == (1, 0, 1)
    assert document["kpi"]["accepted"] == 4
    assert document["kpi"]["concluded"] == 3


# -- charts ---------------------------------------------------------------------------------


def test_bar_chart_draws_one_escaped_bar_per_entry() -> None:
    bars = [
        Bar("a", "<甲>", 100, 1, href="#score-a"),
        Bar("b", "乙", 50, 2, highlight=True, shown="50.0"),
    ]
    chart = bar_chart(bars, title='t"<', maximum=100)
    assert chart.count('<rect class="bar') == 2
    assert '<rect class="bar warn"' in chart
    assert "&lt;甲&gt;" in chart
    assert "<甲>" not in chart
    assert 'aria-label="t&quot;&lt;"' in chart
    widths = [float(w) for w in re.findall(r'class="bar[^"]*"[^>]*width="([\d.]+)"', chart)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert '<a href="#score-a">' in chart
    assert chart.count("<a ") == 1
    assert ">50.0</text>" in chart


def test_axis_and_share_bar() -> None:
    assert [nice_maximum(v) for v in (0, 92.5, 100, 101)] == [10, 100, 100, 110]
    assert [tick_step(v) for v in (10, 100, 110, 7)] == [2, 20, 20, 2]
    drawn = share_bar([("一", 0.7), ("二", 0.3), ("三", None)], title="x", width=100)
    assert re.findall(r'data-label="([^"]+)"', drawn) == ["一", "二"]
    assert ">70.0%</text>" in drawn


def test_long_window_names_widen_the_label_column_then_are_cut() -> None:
    short = [Bar("a", "甲", 90, 1)]
    assert label_column(short) == 150
    medium = [Bar("a", "土地使用权招拍挂服务中心", 90, 34)]
    assert label_column(medium) == round(text_width("34. 土地使用权招拍挂服务中心")) + 16
    long_name = "很" * 40
    chart = bar_chart([Bar("a", long_name, 90, 1)], title="t")
    assert label_column([Bar("a", long_name, 90, 1)]) == 300
    drawn = re.search(r'<text class="label"[^>]*>(.*?)</text>', chart)
    assert drawn is not None
    assert drawn.group(1).endswith("…")
    assert text_width(drawn.group(1)) <= 300 - 12
    assert f"<title>1. {long_name}: 90</title>" in chart  # the full name on hover
    bars = re.findall(
        r'<rect class="bar"[^>]* x="(\d+)"', bar_chart(short, title="t", label_width=200)
    )
    assert bars == ["200"]


def test_a_zero_rate_keeps_its_machine_readable_value(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from govhall.cli import main

    config = str(Path(__file__).resolve().parent.parent / "configs" / "luanchuan.toml")
    runner = CliRunner()
    assert runner.invoke(main, ["sample", config, "--out", str(tmp_path / "d")]).exit_code == 0
    out = tmp_path / "r.html"
    args = [
        "report",
        config,
        "--data",
        str(tmp_path / "d"),
        "--month",
        "2010-03",
        "--out",
        str(out),
    ]
    assert runner.invoke(main, args).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert 'data-kpi="immediate_rate" data-value="0.0"' in page  # Luanchuan: no immediate case
