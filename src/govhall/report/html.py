"""Render a :class:`~govhall.report.data.MonthReport` as one self-contained HTML page.

The page fetches nothing: styles and the few lines of script are inline, the
charts are inline SVG from :mod:`govhall.report.svg`, fonts are the system's.
Every string that comes from a config, a plugin or a data file is escaped
with :func:`html.escape`. Numbers are the engines' own, formatted as the CLI
formats them (rates from :meth:`govhall.assessment.kpi.Kpis.to_json`, scores with
:func:`govhall.assessment.scoring.number`); machine-readable copies sit in ``data-*``
attributes (``data-kpi``/``data-value`` on tiles, ``data-key``/``data-rank``/
``data-value`` on bars; ``data-rating``/``data-value`` on the 好差评 tiles,
``data-status`` on work-order rows) so tests and scrapers need not parse the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.records import BAD_LEVEL, OTHER_CHANNEL, RATING_CHANNELS, RATING_LEVELS
from govhall.report import svg
from govhall.report.style import css, script
from govhall.time.hours import format_clock

if TYPE_CHECKING:
    from govhall.assessment.scoring import Line, Score
    from govhall.assessment.workorders import Bulletin
    from govhall.report.data import Cell, MonthReport
    from govhall.time.workdays import DayInfo

MAX_ROWS = 200
"""Follow-up tables show at most this many rows; the rest are counted, not dropped silently."""
CHART_BARS = 30
"""Bars per ranking chart; a hall with more windows gets several charts, each fits a page."""
MAX_EVIDENCE = 6
"""Evidence ids shown per score line; the count of the rest follows."""
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DAY_KINDS = {
    "workday": "工作日",
    "saturday": "休息日",
    "sunday": "休息日",
    "holiday": "节假日",
    "closure": "闭厅",
}
TOP_TAGS = 10
"""Tags listed in the 好差评 section, most frequent first."""
ORDER_STATUSES = {
    "open": "办理中",
    "overdue": "已逾期",
    "closed_on_time": "按期办结",
    "closed_late": "逾期办结",
}
"""Display names of work-order statuses (``govhall ratings``)."""


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape(str(value), quote=True)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}"


def _int(value: int) -> str:
    return f"{value:,}"


def _num(value: Any) -> str:
    from govhall.assessment.scoring import number

    return str(number(value))


def _moment(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def channel_name(channel: str) -> str:
    """Return a rating channel's Chinese name (:data:`govhall.records.RATING_CHANNELS`).

    A channel written by its id or its Chinese name gets the name; any other
    is shown as written.
    """
    from govhall.assessment.workorders import channel_id

    return RATING_CHANNELS.get(channel_id(channel), channel)


def render_report(report: MonthReport, *, version: str = "") -> str:
    """Return the whole HTML document of the monthly report."""
    hall = report.config.hall
    month = report.month
    title = f"{hall.name} · {month.year}年{month.month}月 月度报告"
    body = [
        _header(report, version),
        "<main>",
        _kpi_section(report),
        _ranking_section(report),
        _week_section(report),
        _follow_up_section(report),
        _ratings_section(report),
        _notes_section(report),
        f"<footer>govhall {esc(version)} · {esc(hall.name)} · {esc(str(month))}</footer>",
        "</main>",
    ]
    return page(title, body)


def page(title: str, body: Sequence[str]) -> str:
    """Return a whole self-contained HTML document: inline style and script around ``body``."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="govhall report">',
            f"<title>{esc(title)}</title>",
            f"<style>{css()}</style>",
            "</head>",
            "<body>",
            *body,
            f"<script>{script()}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


# -- header -----------------------------------------------------------------------


def _header(report: MonthReport, version: str) -> str:
    hall = report.config.hall
    month = report.month
    read = report.read
    data = f"数据 {_int(read.read)} 行，采用 {_int(read.used)} 行，剔除 {_int(read.rejected)} 行"
    links = [
        ("kpi", "主要指标"),
        ("ranking", "窗口排名"),
        ("hours", "本周营业时间"),
        ("follow-up", "待跟进"),
        *([("good-bad", "好差评")] if report.bulletin is not None else []),
        ("notes", "说明"),
    ]
    nav = "".join(f'<a href="#{key}">{esc(text)}</a>' for key, text in links)
    return (
        '<header class="top"><div class="inner">'
        '<div class="eyebrow">行政服务中心月度报告 · MONTHLY REPORT</div>'
        f"<h1>{esc(hall.name)}</h1>"
        f'<div class="period">{month.year}年{month.month}月'
        f"（{report.first_day.isoformat()} 至 {report.last_day.isoformat()}）</div>"
        f'<div class="meta">窗口 {len(report.config.windows)} 个 · {esc(data)}</div>'
        f'<nav class="toc">{nav}</nav>'
        "</div></header>"
    )


# -- KPI tiles ----------------------------------------------------------------------


def _tile(
    key: str,
    name: str,
    english: str,
    value: Any,
    big: str,
    sub: str = "",
    extra: str = "",
    *,
    attribute: str = "kpi",
) -> str:
    return (
        f'<div class="tile" data-{attribute}="{esc(key)}" data-value="{esc(value)}">'
        f'<div class="name">{esc(name)}<span class="en">{esc(english)}</span></div>'
        f'<div class="big">{big}</div>{extra}'
        f'<div class="sub">{sub}</div></div>'
    )


def _data_value(value: float | None) -> str:
    """Render a number for a ``data-value`` attribute: 0 stays 0, ``None`` is empty."""
    return "" if value is None else esc(value)


def _rate_tile(
    key: str, name: str, english: str, rate: float | None, sub: str, *, attribute: str = "kpi"
) -> str:
    big = "—" if rate is None else f"{_percent(rate)}<small>%</small>"
    meter = svg.meter(rate, title=f"{name} {_percent(rate)}%")
    value = "" if rate is None else rate
    return _tile(key, name, english, value, big, sub, meter, attribute=attribute)


def _kpi_section(report: MonthReport) -> str:
    doc = report.kpis.to_json()
    k = report.kpis
    visits = doc["visits"]
    segments = [("1次", visits["1"]), ("2次", visits["2"]), ("3次及以上", visits["3+"])]
    counts = doc["visit_counts"]
    hours = doc["average_handling_hours"]
    visit_sub = "".join(
        f'<span><i class="s{n}"></i>{label} {_int(counts[key])} 件</span>'
        for n, (label, key) in enumerate((("1次", "1"), ("2次", "2"), ("3次及以上", "3+")))
    )
    tiles = [
        _tile(
            "accepted",
            "受理",
            "accepted",
            doc["accepted"],
            _int(doc["accepted"]),
            f"本月收件 {_int(k.cases)} 件",
        ),
        _tile(
            "concluded",
            "办结",
            "concluded",
            doc["concluded"],
            _int(doc["concluded"]),
            f"未办结 {_int(k.accepted - k.concluded)} 件 · 平均办理 "
            f'<b data-kpi="average_handling_hours" data-value="{_data_value(hours)}">'
            f"{'—' if hours is None else f'{hours:.2f}'}</b> 开放小时",
        ),
        _rate_tile(
            "completion_rate",
            "办结率",
            "completion",
            doc["completion_rate"],
            f"{_int(k.concluded)} / {_int(k.accepted)}",
        ),
        _tile(
            "immediate",
            "即办件",
            "immediate",
            doc["immediate"],
            _int(doc["immediate"]),
            f'即办率 <b data-kpi="immediate_rate" '
            f'data-value="{_data_value(doc["immediate_rate"])}">'
            f"{_percent(doc['immediate_rate'])}%</b>",
            svg.meter(doc["immediate_rate"], title=f"即办率 {_percent(doc['immediate_rate'])}%"),
        ),
        _rate_tile(
            "on_time_rate",
            "按时办结率",
            "on time",
            doc["on_time_rate"],
            f"{_int(k.on_time)} / {_int(k.concluded)} 件按承诺时限办结",
        ),
        _rate_tile(
            "satisfaction_rate",
            "满意率",
            "satisfaction",
            doc["satisfaction_rate"],
            f"{_int(k.satisfied)} / {_int(k.ratings)} 条评价为基本满意及以上",
        ),
    ]
    visit_chart = svg.share_bar(segments, title="办结一件事的跑动次数", width=460)
    tiles.append(
        f'<div class="tile wide" data-kpi="visits" '
        f'data-value="{esc(",".join(str(v) for v in visits.values()))}">'
        '<div class="name">跑动次数<span class="en">visits per concluded case</span></div>'
        f'<div class="big">{_percent(visits["1"])}<small>% 最多跑一次</small></div>'
        f'{visit_chart}<div class="sub keys">{visit_sub}</div></div>'
    )
    return (
        '<section id="kpi"><h2>主要指标<span class="en">Key figures</span></h2>'
        '<p class="lead">按收件日期统计本月案件，按评价日期统计本月评价；'
        "比率口径与 <code>govhall kpi</code> 相同。</p>"
        f'<div class="tiles">{"".join(tiles)}</div></section>'
    )


# -- ranking ----------------------------------------------------------------------


def _ranking_section(report: MonthReport) -> str:
    names = {w.id: w.name for w in report.config.windows}
    windows = report.scores.windows
    bars = [
        svg.Bar(
            key=s.subject,
            label=names.get(s.subject, s.subject),
            value=float(s.score),
            rank=s.rank,
            href=f"#score-{s.subject}",
            shown=_num(s.score),
            highlight=s.deductions > 0,
        )
        for s in windows
    ]
    top = max((bar.value for bar in bars), default=0.0)
    end = svg.nice_maximum(max(top, 100.0))
    title = f"{report.month} 窗口得分排名"
    # one SVG per chunk of bars: a printed page never cuts a chart in two
    labels = svg.label_column(bars)
    charts = "".join(
        "<figure>"
        + svg.bar_chart(bars[n : n + CHART_BARS], title=title, maximum=end, label_width=labels)
        + "</figure>"
        for n in range(0, len(bars), CHART_BARS)
    )
    legend = (
        '<div class="legend"><span><i class="bar"></i>无扣分</span>'
        '<span><i class="bar warn"></i>有扣分</span>'
        "<span>点击窗口查看得分明细 · click a bar for its score lines</span></div>"
    )
    details = "".join(_score_details(s, names.get(s.subject, s.subject)) for s in windows)
    composite = any(s.assessment is not None for s in windows)
    lead = (
        "综合得分（窗口负责人、管理人员、现场考核、群众满意度加权）"
        if composite
        else "按考核细则计分（基础分 100）"
    )
    return (
        '<section id="ranking"><h2>窗口排名<span class="en">Window ranking</span></h2>'
        f'<p class="lead">{esc(lead)}；同分按扣分少者、窗口编号先者排前，'
        "与 <code>govhall score</code> 相同。</p>"
        f"{charts}{legend}"
        f'<div class="scores">{details}</div></section>'
    )


def _score_details(score: Score, name: str) -> str:
    deductions = score.deductions
    ded = f"扣 {_num(deductions)}" if deductions else "无扣分"
    ded_class = "ded neg" if deductions else "ded"
    body = [_lines_table(score.lines)]
    if score.assessment is not None:
        body.append(
            f"<h4>现场考核明细（考核得分 {esc(_num(score.assessment.score))}）</h4>"
            + _lines_table(score.assessment.lines)
        )
    return (
        f'<details class="score" id="score-{esc(score.subject)}">'
        f'<summary><span class="rank">{score.rank}</span>'
        f'<span class="who">{esc(name)} <span class="en">{esc(score.subject)}</span></span>'
        f'<span class="pts">{esc(_num(score.score))}</span>'
        f'<span class="{ded_class}">{esc(ded)}</span></summary>'
        f'<div class="body">{"".join(body)}</div></details>'
    )


def _lines_table(lines: Sequence[Line]) -> str:
    if not lines:
        return '<div class="empty">没有加减分项：得基础分。</div>'
    rows = []
    for line in lines:
        shown = list(line.evidence[:MAX_EVIDENCE])
        evidence = ", ".join(shown)
        if len(line.evidence) > MAX_EVIDENCE:
            evidence += f" …（共 {len(line.evidence)} 项）"
        css = "num neg" if line.points < 0 else "num"
        rows.append(
            f'<tr><td class="id">{esc(line.rule)}</td><td class="{css}">{esc(_num(line.points))}'
            f'</td><td class="note">{esc(line.note)}</td><td class="id">{esc(evidence)}</td></tr>'
        )
    return (
        '<div class="scroll"><table class="lines"><thead><tr><th>规则</th>'
        '<th class="num">分值</th><th>说明</th><th>依据</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# -- week timetable -------------------------------------------------------------------


def _day_header(info: DayInfo) -> tuple[str, str, str]:
    weekday = info.date.weekday()
    kind = DAY_KINDS[info.kind]
    css = ""
    if info.kind == "workday" and weekday >= 5:
        kind, css = "调休上班", "makeup"
    elif info.kind in ("holiday", "closure"):
        css = "holiday"
        if info.name:
            kind = info.name
    elif not info.workday:
        css = "rest"
    return css, f"{WEEKDAYS[weekday]} {info.date.month}/{info.date.day}", kind


def _cell(cell: Cell) -> str:
    if not cell.spans:
        return '<td class="closed">休</td>'
    spans = "".join(
        f'<span class="span">{format_clock(a)}–{format_clock(b)}</span>' for a, b in cell.spans
    )
    tags = []
    css = ""
    if cell.staggered:
        tags.append('<span class="tag staggered">错时</span>')
        css = "staggered"
    if cell.duty:
        tags.append('<span class="tag duty">值班</span>')
        css = "duty"
    if cell.rota:
        tags.append('<span class="tag rota">轮值</span>')
        css = "rota"
    return f'<td class="{css}">{spans}{"".join(tags)}</td>'


def _week_section(report: MonthReport) -> str:
    week = report.week
    names = {w.id: w.name for w in report.config.windows}
    heads = []
    for info in week.days:
        css, label, kind = _day_header(info)
        heads.append(f'<th class="{css}">{esc(label)}<span class="kind">{esc(kind)}</span></th>')
    rows = [
        f'<tr data-window="{esc(window)}"><th class="win" scope="row">'
        f"{esc(names.get(window, window))}</th>{''.join(_cell(c) for c in cells)}</tr>"
        for window, cells in week.rows
    ]
    monday, sunday = week.days[0].date, week.days[-1].date
    legend = (
        '<div class="legend"><span><i class="staggered"></i>错时：午间不休</span>'
        '<span><i class="duty"></i>值班：休息日、节假日开放</span>'
        '<span><i class="rota"></i>轮值：周日轮流开放</span></div>'
    )
    return (
        '<section id="hours"><h2>本周营业时间<span class="en">Opening hours, one week</span></h2>'
        f'<p class="lead">本月第一个完整周（{monday.isoformat()} 至 {sunday.isoformat()}），'
        "按工作日历（含调休）和各窗口时间表计算，与 <code>govhall hours</code> 相同。</p>"
        f'{legend}<div class="scroll"><table class="timetable"><thead><tr>'
        f'<th class="win">窗口</th>{"".join(heads)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


# -- follow-up ----------------------------------------------------------------------


def _more(total: int) -> str:
    if total <= MAX_ROWS:
        return ""
    return f'<div class="empty">另有 {total - MAX_ROWS} 件未列出（共 {total} 件）。</div>'


def _overdue_table(report: MonthReport) -> str:
    windows = {w.id: w.name for w in report.config.windows}
    items = {i.id: i.name for i in report.config.items}
    cases = report.overdue
    if not cases:
        return '<div class="empty">本月没有逾期案件。</div>'
    rows = []
    for case in cases[:MAX_ROWS]:
        if case.open:
            status = '<span class="tag open">未办结</span>'
        else:
            status = f'<span class="tag late">逾期办结</span> {esc(_moment(case.concluded_at))}'
        rows.append(
            f'<tr data-case="{esc(case.case_id)}"><td class="id">{esc(case.case_id)}</td>'
            f"<td>{esc(windows.get(case.window, case.window))}</td>"
            f"<td>{esc(items.get(case.item, case.item))}</td>"
            f'<td class="num">{esc(_moment(case.received_at))}</td>'
            f'<td class="num">{esc(_moment(case.due))}</td><td>{status}</td></tr>'
        )
    return (
        '<div class="scroll"><table class="overdue"><thead><tr><th>案件编号</th><th>窗口</th>'
        '<th>事项</th><th class="num">收件时间</th><th class="num">承诺办结时间</th>'
        f"<th>状态</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        + _more(len(cases))
    )


def _ratings_table(report: MonthReport) -> str:
    windows = {w.id: w.name for w in report.config.windows}
    ratings = report.bad_ratings
    if not ratings:
        return '<div class="empty">本月没有不满意评价。</div>'
    rows = []
    for rating in ratings[:MAX_ROWS]:
        level = f"{rating.level} {RATING_LEVELS.get(rating.level, '')}"
        rows.append(
            f'<tr data-case="{esc(rating.case_id)}"><td class="id">{esc(rating.case_id)}</td>'
            f"<td>{esc(windows.get(rating.window, rating.window))}</td>"
            f'<td><span class="tag lvl{rating.level}">{esc(level)}</span></td>'
            f'<td class="num">{esc(_moment(rating.rated_at))}</td>'
            f"<td>{esc(channel_name(rating.channel))}</td></tr>"
        )
    return (
        '<div class="scroll"><table class="ratings"><thead><tr><th>案件编号</th><th>窗口</th>'
        '<th>评价</th><th class="num">评价时间</th><th>渠道</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>" + _more(len(ratings))
    )


def _follow_up_section(report: MonthReport) -> str:
    still_open = sum(1 for case in report.overdue if case.open)
    return (
        '<section id="follow-up"><h2>待跟进<span class="en">Awaiting follow-up</span></h2>'
        '<p class="lead">评价为匿名评价：只列案件编号，不含办事人信息。</p>'
        '<div class="cols"><div>'
        f'<h3>逾期案件 <span class="count">{len(report.overdue)} 件，'
        f"其中未办结 {still_open} 件</span></h3>"
        f"{_overdue_table(report)}</div><div>"
        "<h3>差评（不满意、非常不满意） "
        f'<span class="count">{len(report.bad_ratings)} 条</span></h3>'
        f"{_ratings_table(report)}</div></div></section>"
    )


# -- 好差评 ----------------------------------------------------------------------------


def _count_chart(bars: list[svg.Bar], title: str) -> str:
    top = max((bar.value for bar in bars), default=0.0)
    step = svg.tick_step(top) if top else 1.0
    end = max(step, -(-top // step) * step)
    return (
        "<figure>"
        + svg.bar_chart(bars, title=title, maximum=end, kind="counts", numbered=False)
        + "</figure>"
    )


def _channel_chart(bulletin: Bulletin) -> str:
    bars = [
        svg.Bar(
            key=channel,
            label=RATING_CHANNELS.get(channel, "其他渠道" if channel == OTHER_CHANNEL else channel),
            value=float(count),
            rank=rank,
            shown=_int(count),
        )
        for rank, (channel, count) in enumerate(bulletin.by_channel.items(), 1)
    ]
    if not bars:
        return '<div class="empty">本月没有评价。</div>'
    return _count_chart(bars, f"{bulletin.month} 各渠道评价数")


def _level_chart(bulletin: Bulletin) -> str:
    bars = [
        svg.Bar(
            key=level,
            label=f"{level} {RATING_LEVELS[int(level)]}",
            value=float(bulletin.by_level[level]),
            rank=rank,
            shown=_int(bulletin.by_level[level]),
            highlight=int(level) <= BAD_LEVEL,
        )
        for rank, level in enumerate(sorted(bulletin.by_level, reverse=True), 1)
    ]
    return _count_chart(bars, f"{bulletin.month} 各等级评价数")


def _orders_table(report: MonthReport, bulletin: Bulletin) -> str:
    windows = {w.id: w.name for w in report.config.windows}
    pending = [o for o in bulletin.orders if o.status in ("open", "overdue")]
    pending.sort(key=lambda o: (o.status != "overdue", o.due, o.rating.window, o.rating.case_id))
    if not pending:
        return '<div class="empty">没有未办结的差评工单。</div>'
    rows = []
    for order in pending[:MAX_ROWS]:
        rating = order.rating
        level = f"{rating.level} {RATING_LEVELS.get(rating.level, '')}"
        css = "open" if order.status == "overdue" else "late"
        rows.append(
            f'<tr data-case="{esc(rating.case_id)}" data-status="{esc(order.status)}">'
            f'<td class="id">{esc(rating.case_id)}</td>'
            f"<td>{esc(windows.get(rating.window, rating.window))}</td>"
            f'<td><span class="tag lvl{rating.level}">{esc(level)}</span></td>'
            f'<td class="num">{esc(_moment(order.opened))}</td>'
            f'<td class="num">{esc(_moment(order.due))}</td>'
            f'<td><span class="tag {css}">{esc(ORDER_STATUSES[order.status])}</span></td></tr>'
        )
    return (
        '<div class="scroll"><table class="orders"><thead><tr><th>案件编号</th><th>窗口</th>'
        '<th>评价</th><th class="num">评价（立单）时间</th><th class="num">回访期限</th>'
        f"<th>状态</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        + _more(len(pending))
    )


def _tags_table(bulletin: Bulletin) -> str:
    tags = bulletin.tags[:TOP_TAGS]
    if not tags:
        return '<div class="empty">差评未注明原因。</div>'
    rows = "".join(
        f'<tr data-tag="{esc(tag)}"><td>{esc(tag)}</td><td class="num">{_int(count)}</td></tr>'
        for tag, count in tags
    )
    return (
        '<div class="scroll"><table class="tags"><thead><tr><th>差评原因</th>'
        f'<th class="num">次数</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def _ratings_section(report: MonthReport) -> str:
    bulletin = report.bulletin
    if bulletin is None:
        return ""
    summary = bulletin.summary()
    limits = bulletin.limits
    good = sum(n for level, n in bulletin.by_level.items() if int(level) > BAD_LEVEL)
    on_time = summary["on_time_rate"]
    settled = summary["closed"] + summary["open_overdue"]
    tiles = [
        _tile(
            "ratings",
            "评价",
            "ratings",
            bulletin.ratings,
            _int(bulletin.ratings),
            f"{len(bulletin.by_channel)} 个渠道",
            attribute="rating",
        ),
        _rate_tile(
            "good_rate",
            "好评率",
            "good rate",
            bulletin.good_rate,
            f"{_int(good)} / {_int(bulletin.ratings)} 条为基本满意及以上",
            attribute="rating",
        ),
        _tile(
            "orders",
            "差评工单",
            "work orders",
            summary["orders"],
            _int(summary["orders"]),
            f"已办结 {_int(summary['closed'])} · 办理中 {_int(summary['open'])} · "
            f"已逾期 {_int(summary['open_overdue'])}",
            attribute="rating",
        ),
        _rate_tile(
            "orders_on_time_rate",
            "按期整改率",
            "on time",
            on_time,
            f"{_int(summary['closed_on_time'])} / {_int(settled)} 件按期回访办结",
            attribute="rating",
        ),
    ]
    repeated = {"latest": "以最后一次为准", "all": "每次均计"}.get(limits.repeated, limits.repeated)
    lead = (
        f"按评价时间统计本月评价（同一办件同一渠道多次评价{repeated}）；"
        f"每条差评（不满意、非常不满意）生成差评工单：核实 {limits.verify}、整改 {limits.rectify}、"
        f"回访 {limits.reply} 个工作日内完成，状态取至月末。与 <code>govhall ratings</code> 相同。"
    )
    return (
        '<section id="good-bad"><h2>好差评<span class="en">Ratings and work orders</span></h2>'
        f'<p class="lead">{lead}</p>'
        f'<div class="tiles">{"".join(tiles)}</div>'
        '<div class="cols"><div><h3>各渠道评价数</h3>'
        f"{_channel_chart(bulletin)}</div><div><h3>各等级评价数</h3>"
        f"{_level_chart(bulletin)}</div></div>"
        '<div class="cols"><div><h3>未办结差评工单 '
        f'<span class="count">办理中 {summary["open"]} 件，已逾期 {summary["open_overdue"]} 件'
        f"</span></h3>{_orders_table(report, bulletin)}</div><div>"
        f"<h3>差评原因（前 {TOP_TAGS} 项）</h3>{_tags_table(bulletin)}</div></div></section>"
    )


# -- notes --------------------------------------------------------------------------


def _notes_section(report: MonthReport) -> str:
    notes: Iterable[str] = [
        "办结率 = 办结 / 受理；即办率 = 即办件 / 受理；按时办结率 = 按时办结 / 办结；"
        "满意率 = 基本满意及以上评价 / 全部评价。",
        "逾期案件：承诺时限在本月届满而未按时办结的承诺件（与考核的逾期扣分口径相同）。",
        "好评率 = 基本满意及以上评价 / 全部评价（按重复评价规则计数）；"
        "按期整改率 = 按期回访办结的差评工单 / 已办结及已逾期的差评工单。",
        *(report.warnings),
        *(
            f"{Path(s.path).name}：读取 {s.read} 行，采用 {s.used} 行，剔除 {s.rejected} 行"
            + (f"，重复 {s.copies} 行（只计一次）" if s.copies else "")
            for s in report.read.files.values()
        ),
    ]
    items = "".join(f"<li>{esc(note)}</li>" for note in notes)
    return (
        '<section id="notes"><h2>说明<span class="en">Notes</span></h2>'
        f'<ul class="notes">{items}</ul></section>'
    )
