"""The report's stylesheet and its few lines of script, inlined into the page.

Both live beside this module (``report.css``, ``report.js``) and are read
once. Fonts are system fonts only (nothing is fetched): the stack names the
common CJK faces of Linux (Noto Sans CJK, WenQuanYi), macOS (PingFang) and
Windows (Microsoft YaHei). Print rules keep charts and tiles whole, let
tables break across pages with their header repeated, and the script opens
every score explanation before printing.
"""

from __future__ import annotations

import functools
from importlib import resources

FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
    '"WenQuanYi Zen Hei", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Microsoft JhengHei", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", '
    "Arial, sans-serif"
)


def _read(name: str) -> str:
    return resources.files("govhall.report").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def css() -> str:
    """Return the report's stylesheet with the font stack filled in."""
    return _read("report.css").replace("FONT_STACK", FONT_STACK)


@functools.cache
def script() -> str:
    """Return the report's inline script (no network, no framework)."""
    return _read("report.js")
