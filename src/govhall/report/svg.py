"""Small inline-SVG charts for the HTML report: no library, no script, nothing fetched.

Every function returns an ``<svg>`` element as a string, ready to paste into
HTML5 (inline SVG needs no namespace declaration there). All text is escaped
here; callers pass plain strings. Sizes are in user units with a ``viewBox``,
so the charts scale with the page and print without being cut off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 150
"""Narrowest label column; it widens for long window names up to ``LABEL_MAX``."""
LABEL_MAX = 300
LABEL_FONT = 13
"""Font size of bar labels (the stylesheet's), used to estimate their width."""
VALUE_WIDTH = 60
CHART_WIDTH = 760
AXIS_HEIGHT = 26


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a ranking chart."""

    key: str
    """Stable id (a window id): becomes ``data-key`` and the link target's suffix."""
    label: str
    value: float
    rank: int
    href: str = ""
    """Where a click on the bar leads (``#score-<id>``); empty for no link."""
    shown: str = ""
    """The value as printed at the end of the bar; defaults to ``value``."""
    highlight: bool = False
    """Draw in the warning colour (e.g. a score below the base)."""


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def text_width(text: str, size: float = LABEL_FONT) -> float:
    """Estimate the drawn width of ``text``: wide (CJK) characters one em, others 0.6 em."""
    import unicodedata

    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)
    return ems * size


def _fit(text: str, width: float) -> str:
    """Cut ``text`` with an ellipsis so that it fits ``width``."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def nice_maximum(value: float) -> float:
    """Return the axis end for ``value``: the next multiple of 10 (at least 10)."""
    return max(10.0, math.ceil(value / 10) * 10)


def tick_step(end: float, most: int = 6) -> float:
    """Return a round tick step (1, 2, 2.5 or 5 × a power of ten): at most ``most`` steps."""
    if end <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(end / most))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if end / step <= most:
            return float(step)
    return float(10 * power)  # pragma: no cover - the loop always returns


def label_column(bars: Sequence[Bar]) -> int:
    """Return the label column width that fits the bars' "rank. label" texts (within limits)."""
    widest = max((text_width(f"{bar.rank}. {bar.label}") for bar in bars), default=0.0)
    return min(LABEL_MAX, max(LABEL_WIDTH, round(widest) + 16))


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    maximum: float | None = None,
    label_width: int | None = None,
    kind: str = "ranking",
    numbered: bool = True,
) -> str:
    """Draw a horizontal bar chart, one bar per entry, in the order given.

    Args:
        bars: The bars, top to bottom.
        title: Accessible title of the chart.
        maximum: Value at the right end of the axis; default: :func:`nice_maximum`
            of the largest value. The axis always starts at 0.
        label_width: Width of the label column; default: :func:`label_column`.
            Give the same to charts drawn one under the other so their bars line up.
        kind: The chart's class beside ``chart``: ``ranking`` (window scores) or
            ``counts`` (counts by a category, e.g. ratings by channel).
        numbered: Put "rank." before each label and the rank in ``data-rank`` (a
            ranking); off for counts in a fixed order.
    """
    top = max((bar.value for bar in bars), default=0.0)
    end = maximum if maximum is not None else nice_maximum(top)
    labels = [f"{bar.rank}. {bar.label}" if numbered else bar.label for bar in bars]
    if label_width is None:
        label_width = label_column(bars)
    plot = CHART_WIDTH - label_width - VALUE_WIDTH
    height = AXIS_HEIGHT + len(bars) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP

    def x(value: float) -> float:
        return label_width + plot * max(0.0, min(value, end)) / end

    parts = [
        f'<svg class="chart {_attr(kind)}" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" role="img" aria-label="{_attr(title)}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    step = tick_step(end)
    for n in range(int(end / step + 1e-9) + 1):
        value = n * step
        left = x(value)
        parts.append(
            f'<line class="grid" x1="{left:.1f}" y1="{AXIS_HEIGHT - 6}" '
            f'x2="{left:.1f}" y2="{height - BAR_GAP / 2:.1f}"/>'
            f'<text class="tick" x="{left:.1f}" y="{AXIS_HEIGHT - 10}" '
            f'text-anchor="middle">{_fmt(value)}</text>'
        )
    if tick_step(end) * int(end / tick_step(end) + 1e-9) < end - 1e-9:
        parts.append(
            f'<line class="grid" x1="{x(end):.1f}" y1="{AXIS_HEIGHT - 6}" '
            f'x2="{x(end):.1f}" y2="{height - BAR_GAP / 2:.1f}"/>'
        )
    for index, (bar, label) in enumerate(zip(bars, labels, strict=True)):
        y = AXIS_HEIGHT + BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        width = x(bar.value) - label_width
        css = "bar warn" if bar.highlight else "bar"
        rank = f' data-rank="{bar.rank}"' if numbered else ""
        shown = bar.shown or _fmt(bar.value)
        group = (
            f'<g class="row" data-key="{_attr(bar.key)}">'
            f"<title>{escape(f'{label}: {shown}')}</title>"
            f'<text class="label" x="{label_width - 8}" y="{y + BAR_HEIGHT / 2:.1f}" '
            f'text-anchor="end" dominant-baseline="central">'
            f"{escape(_fit(label, label_width - 12))}</text>"
            f'<rect class="{css}" data-key="{_attr(bar.key)}"{rank} '
            f'data-value="{_attr(_fmt(bar.value))}" x="{label_width}" y="{y}" '
            f'width="{width:.1f}" height="{BAR_HEIGHT}" rx="3"/>'
            f'<text class="value" x="{x(bar.value) + 6:.1f}" y="{y + BAR_HEIGHT / 2:.1f}" '
            f'dominant-baseline="central">{escape(shown)}</text>'
            "</g>"
        )
        if bar.href:
            group = f'<a href="{_attr(bar.href)}">{group}</a>'
        parts.append(group)
    parts.append("</svg>")
    return "".join(parts)


def share_bar(segments: Sequence[tuple[str, float | None]], *, title: str, width: int = 300) -> str:
    """Draw one stacked bar of shares (fractions adding up to about 1), labelled in %.

    Segments with no value (``None``) or a zero share take no room; with no
    data at all the bar is drawn empty.
    """
    height = 26
    bar_top, bar_height = 2, 22
    parts = [
        f'<svg class="chart share" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect class="track" x="0" y="{bar_top}" width="{width}" height="{bar_height}" rx="4"/>',
    ]
    left = 0.0
    for index, (label, share) in enumerate(segments):
        if not share:
            continue
        span = width * max(0.0, min(share, 1.0))
        percent = f"{share * 100:.1f}%"
        parts.append(
            f'<rect class="segment s{index}" data-label="{_attr(label)}" '
            f'data-value="{share}" x="{left:.1f}" y="{bar_top}" width="{span:.1f}" '
            f'height="{bar_height}"><title>{escape(f"{label}: {percent}")}</title></rect>'
        )
        if span >= 34:
            parts.append(
                f'<text class="inside" x="{left + span / 2:.1f}" y="{bar_top + bar_height / 2}" '
                f'text-anchor="middle" dominant-baseline="central">{escape(percent)}</text>'
            )
        left += span
    parts.append("</svg>")
    return "".join(parts)


def meter(share: float | None, *, title: str, width: int = 160) -> str:
    """Draw a thin horizontal meter filled to ``share`` (0–1); empty without a value."""
    height = 8
    filled = 0.0 if share is None else width * max(0.0, min(share, 1.0))
    return (
        f'<svg class="chart meter" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_attr(title)}" preserveAspectRatio="none">'
        f'<rect class="track" x="0" y="0" width="{width}" height="{height}" rx="4"/>'
        f'<rect class="fill" x="0" y="0" width="{filled:.1f}" height="{height}" rx="4"/>'
        "</svg>"
    )


def columns(
    values: Sequence[tuple[str, float, str]], *, title: str, width: int = 240, height: int = 90
) -> str:
    """Draw a small column chart (a "small multiple"): one column per ``(label, value, tip)``.

    Columns share one scale from 0 to the largest value; the first and last
    labels are printed under the axis, every column carries its tip as a
    tooltip and its value in ``data-value``.
    """
    axis = 16
    plot = height - axis
    top = max((value for _, value, _ in values), default=0.0) or 1.0
    step = width / max(len(values), 1)
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="grid" x1="0" y1="{plot}" x2="{width}" y2="{plot}"/>',
    ]
    for index, (label, value, tip) in enumerate(values):
        tall = plot * value / top
        x = index * step + step * 0.15
        parts.append(
            f'<rect class="column" data-key="{_attr(label)}" data-value="{_attr(_fmt(value))}" '
            f'x="{x:.1f}" y="{plot - tall:.1f}" width="{step * 0.7:.1f}" height="{tall:.1f}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    if values:
        parts.append(f'<text class="tick" x="0" y="{height - 3}">{escape(values[0][0])}</text>')
        parts.append(
            f'<text class="tick" x="{width}" y="{height - 3}" text-anchor="end">'
            f"{escape(values[-1][0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
