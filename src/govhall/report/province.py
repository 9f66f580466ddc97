"""The province page: many halls' month on one self-contained HTML page.

:meth:`govhall.deployment.DeploymentSession.report` fills a
:class:`ProvinceReport`; :func:`render_province` draws it:

* a league table of halls — accepted, completion, immediate, on-time and
  satisfaction rates (each with a bar), the plugin and rules that scored the
  hall, and a link to the hall's own month page (written beside this one);
* a bar chart of the halls' on-time rates;
* small multiples: one chart per hall of the cases it accepted in each of the
  last 12 months, with the month's on-time rate in each column's title;
* the halls that could not be assessed (no data, invalid config) and why.

Totals are computed from the halls' counts (:meth:`govhall.assessment.kpi.Kpis.combined`),
never averaged from their rates. Like the hall report, the page fetches
nothing and escapes every string that comes from a config, plugin or data file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govhall.report import svg
from govhall.report.html import esc, page

if TYPE_CHECKING:
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.scoring import Month

TREND_MONTHS = 12
"""Months in each hall's trend chart, ending with the reported month."""
STATUS_NAMES = {"ok": "已评估", "no data": "无数据"}


@dataclass
class HallMonth:
    """One hall's line of the province page."""

    hall: str
    name: str
    county: str
    status: str
    """``"ok"`` or ``"no data"``."""
    kpis: Kpis
    trend: list[tuple[Month, Kpis]] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    page: str = ""
    """Relative link to the hall's own month page; empty when it has none."""
    reason: str = ""


@dataclass
class ProvinceReport:
    """What the province page shows (see the module docs)."""

    name: str
    month: Month
    halls: list[HallMonth]
    total: Kpis
    failed: list[tuple[str, str]] = field(default_factory=list)
    """``(config, message)`` of each hall config that could not be loaded."""
    problems: list[str] = field(default_factory=list)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def render_province(report: ProvinceReport, *, version: str = "") -> str:
    """Return the whole HTML document of the province page."""
    month = report.month
    title = f"{report.name} · {month.year}年{month.month}月 各中心对比"
    assessed = [hall for hall in report.halls if hall.status == "ok"]
    body = [
        '<header class="top"><div class="inner">'
        '<div class="eyebrow">多中心月度对比 · DEPLOYMENT REPORT</div>'
        f"<h1>{esc(report.name)}</h1>"
        f'<div class="period">{month.year}年{month.month}月</div>'
        f'<div class="meta">中心 {len(report.halls) + len(report.failed)} 个，'
        f"已评估 {len(assessed)} 个</div>"
        '<nav class="toc"><a href="#league">排名表</a><a href="#ontime">按时办结率</a>'
        '<a href="#trend">近12个月</a><a href="#notes">说明</a></nav>'
        "</div></header>",
        "<main>",
        _league(report),
        _on_time_chart(assessed),
        _trends(report),
        _notes(report),
        f"<footer>govhall {esc(version)} · {esc(report.name)} · {esc(str(month))}</footer>",
        "</main>",
    ]
    return page(title, body)


_RATES = (
    ("completion_rate", "办结率"),
    ("immediate_rate", "即办率"),
    ("on_time_rate", "按时办结率"),
    ("satisfaction_rate", "满意率"),
)


def _rate_cell(key: str, name: str, rate: float | None) -> str:
    meter = svg.meter(rate, title=f"{name} {_pct(rate)}", width=90)
    value = "" if rate is None else esc(rate)
    return f'<td class="num" data-key="{key}" data-value="{value}">{_pct(rate)}{meter}</td>'


def _league(report: ProvinceReport) -> str:
    head = "".join(f"<th>{esc(name)}</th>" for _, name in _RATES)
    rows = []
    ordered = sorted(
        report.halls,
        key=lambda h: (h.status != "ok", -(h.kpis.on_time_rate or 0.0), h.hall),
    )
    for hall in ordered:
        doc = hall.kpis.to_json()
        name = esc(hall.name)
        link = f'<a href="{esc(hall.page)}">{name}</a>' if hall.page else name
        rules = hall.rules
        plugin = " ".join(filter(None, [rules.get("plugin"), rules.get("version")]))
        books = "、".join(
            f"{book['name']}（{book['source']}）" for book in rules.get("rulebooks", [])
        )
        status = STATUS_NAMES.get(hall.status, hall.status)
        if hall.status != "ok":
            cells = f'<td colspan="{len(_RATES) + 1}" class="muted">{esc(hall.reason)}</td>'
        else:
            cells = f'<td class="num">{doc["accepted"]:,}</td>' + "".join(
                _rate_cell(key, label, doc[key]) for key, label in _RATES
            )
        rows.append(
            f'<tr data-hall="{esc(hall.hall)}" data-status="{esc(hall.status)}">'
            f"<td>{link}<div class='sub'>{esc(hall.hall)} · {esc(hall.county)}</div></td>"
            f"<td>{esc(status)}</td>{cells}"
            f"<td class='sub'>插件 {esc(plugin or '—')}<br>{esc(books)}</td></tr>"
        )
    total = report.total.to_json()
    rows.append(
        '<tr class="total" data-hall="total">'
        "<td><strong>合计</strong><div class='sub'>由各中心件数相加后计算</div></td><td></td>"
        f'<td class="num">{total["accepted"]:,}</td>'
        + "".join(_rate_cell(key, label, total[key]) for key, label in _RATES)
        + "<td></td></tr>"
    )
    return (
        '<section id="league"><h2>排名表<span class="en">league table</span></h2>'
        '<p class="lead">按按时办结率排序；点击中心名称查看该中心本月报告。</p>'
        '<div class="scroll"><table class="league"><thead><tr><th>中心</th><th>状态</th>'
        f"<th>受理件数</th>{head}<th>规则</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _on_time_chart(assessed: list[HallMonth]) -> str:
    ranked = sorted(assessed, key=lambda h: (-(h.kpis.on_time_rate or 0.0), h.hall))
    bars = [
        svg.Bar(
            key=hall.hall,
            label=hall.name,
            value=(hall.kpis.on_time_rate or 0.0) * 100,
            rank=index,
            href=hall.page,
            shown=_pct(hall.kpis.on_time_rate),
        )
        for index, hall in enumerate(ranked, start=1)
    ]
    chart = (
        svg.bar_chart(bars, title="各中心按时办结率", maximum=100.0)
        if bars
        else '<p class="muted">本月没有可评估的中心。</p>'
    )
    return (
        '<section id="ontime"><h2>按时办结率<span class="en">on-time rate</span></h2>'
        f"<figure>{chart}</figure></section>"
    )


def _trends(report: ProvinceReport) -> str:
    cards = []
    for hall in report.halls:
        columns = [
            (
                f"{month.year}-{month.month:02d}",
                float(kpis.accepted),
                f"{month}: 受理 {kpis.accepted:,} 件，按时办结率 {_pct(kpis.on_time_rate)}",
            )
            for month, kpis in hall.trend
        ]
        chart = svg.columns(columns, title=f"{hall.name} 近{len(columns)}个月受理件数")
        cards.append(
            f'<figure class="multiple" data-hall="{esc(hall.hall)}">'
            f"<figcaption>{esc(hall.name)}</figcaption>{chart}</figure>"
        )
    return (
        '<section id="trend"><h2>近12个月<span class="en">last 12 months</span></h2>'
        '<p class="lead">每列为一个月的受理件数；悬停查看该月按时办结率。</p>'
        f'<div class="multiples">{"".join(cards)}</div></section>'
    )


def _notes(report: ProvinceReport) -> str:
    items = [
        "合计一行由各中心的件数相加后计算比率，不是各中心比率的平均数。",
        "每个中心按其所在县的插件和该月适用的考核细则计算（见“规则”一栏）。",
    ]
    items += [f"{config}：无法评估，{message}" for config, message in report.failed]
    items += report.problems
    items += [
        f"{hall.name}（{hall.hall}）：{STATUS_NAMES.get(hall.status, hall.status)}，{hall.reason}"
        for hall in report.halls
        if hall.status != "ok"
    ]
    lis = "".join(f"<li>{esc(item)}</li>" for item in items)
    return f'<section id="notes"><h2>说明<span class="en">notes</span></h2><ul>{lis}</ul></section>'
