"""The monthly report in a real browser: headless Chromium renders it, logs nothing, prints.

Chromium is driven through its command line only (``--dump-dom``,
``--screenshot``, ``--print-to-pdf``): no browser-automation package. The
tests are skipped when no Chromium binary is found, unless
``GOVHALL_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
Set ``GOVHALL_CHROMIUM`` to use a particular binary.
"""

from __future__ import annotations

import html as html_module
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
WIDTH, HEIGHT = 1280, 2000
TIMEOUT = 180
"""Seconds before a hung browser is killed (a guard, not a speed assertion)."""
PROBE = """
<script>
(function () {
  function box(node) { var b = node.getBoundingClientRect(); return [b.width, b.height]; }
  var result = {
    bars: [].map.call(document.querySelectorAll("svg.ranking rect.bar"), function (r) {
      return [r.getAttribute("data-key")].concat(box(r), [getComputedStyle(r).fill]);
    }),
    counts: [].map.call(document.querySelectorAll("svg.counts rect.bar"), function (r) {
      return [r.getAttribute("data-key"), Number(r.getAttribute("data-value"))]
        .concat(box(r), [getComputedStyle(r).fill]);
    }),
    charts: [].map.call(document.querySelectorAll("svg.chart"), function (s) {
      return [s.getAttribute("class")].concat(box(s));
    }),
    open: [].map.call(document.querySelectorAll("details[open]"), function (d) { return d.id; }),
    font: getComputedStyle(document.body).fontFamily
  };
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>
"""
"""Appended to a copy of the report: measures what the browser laid out and painted."""


def _chromium() -> str:
    named = os.environ.get("GOVHALL_CHROMIUM")
    candidates = [named] if named else []
    candidates += ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in candidates:
        found = shutil.which(name) if name else None
        if found:
            return found
    if os.environ.get("GOVHALL_REQUIRE_BROWSER") == "1":
        pytest.fail("GOVHALL_REQUIRE_BROWSER=1 but no chromium binary was found")
    pytest.skip("no chromium binary found (set GOVHALL_REQUIRE_BROWSER=1 to make this fail)")


@pytest.fixture(scope="module")
def browser() -> str:
    """Return the Chromium binary (skip or fail when there is none)."""
    return _chromium()


def _run_browser(
    binary: str, profile: Path, *args: str, url: str
) -> subprocess.CompletedProcess[str]:
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *args, url]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=profile.parent
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stderr[-3000:]}"
    return done


def _console(stderr: str) -> list[str]:
    """Return the page's console messages from Chromium's ``--enable-logging`` output."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Zhenhai sample (3000 rows) and its March 2010 report."""
    folder = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    data = folder / "data"
    result = runner.invoke(main, ["sample", str(ZHENHAI), "--out", str(data), "--rows", "3000"])
    assert result.exit_code == 0, result.output
    out = folder / "report.html"
    args = ["report", str(ZHENHAI), "--data", str(data), "--month", "2010-03", "--out", str(out)]
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return {"folder": folder, "path": out, "json": json.loads(result.stdout)}


def test_report_loads_without_console_messages_and_renders_every_bar(
    browser: str, report: dict[str, Any], tmp_path: Path
) -> None:
    path: Path = report["path"]
    ranking = report["json"]["ranking"]
    done = _run_browser(
        browser,
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        url=path.as_uri(),
    )
    assert _console(done.stderr) == []
    dom = done.stdout
    assert dom.count('<svg class="chart ranking"') == 1
    chart = re.search(r'<svg class="chart ranking".*?</svg>', dom, re.S)
    assert chart
    assert len(re.findall(r'<rect class="bar[^"]*"', chart.group())) == len(ranking) == 25
    keys = re.findall(r'<rect class="bar[^"]*" data-key="([^"]+)"', chart.group())
    assert keys == [entry["window"] for entry in ranking]
    # the 好差评 section: one chart by channel, one by level
    assert dom.count('<svg class="chart counts"') == 2


def test_bars_are_painted_and_a_bar_link_opens_its_score_lines(
    browser: str, report: dict[str, Any], tmp_path: Path
) -> None:
    html = report["path"].read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    last = report["json"]["ranking"][-1]
    done = _run_browser(
        browser,
        tmp_path / "profile",
        f"--window-size={WIDTH},{HEIGHT}",
        "--dump-dom",
        url=f"{probed.as_uri()}#score-{last['window']}",
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout)
    assert found, done.stdout[-2000:]
    probe = json.loads(html_module.unescape(found.group(1)))
    bars = probe["bars"]
    assert [bar[0] for bar in bars] == [entry["window"] for entry in report["json"]["ranking"]]
    widths = [bar[1] for bar in bars]
    assert all(width > 0 for width in widths)
    assert all(bar[2] > 10 for bar in bars)  # laid out at a readable height
    assert widths == sorted(widths, reverse=True)
    # the stylesheet applied: bars in the accent colour, or the warning colour with deductions
    assert {bar[3] for bar in bars} <= {"rgb(31, 111, 235)", "rgb(232, 130, 58)"}
    assert all(width > 0 and height > 0 for _, width, height in probe["charts"])
    kinds = sorted({chart[0] for chart in probe["charts"]})
    assert kinds == ["chart counts", "chart meter", "chart ranking", "chart share"]
    # 好差评 counts: one bar per channel and per level, painted in proportion to the count
    section = report["json"]["ratings"]
    counts = probe["counts"]
    assert len(counts) == len(section["by_channel"]) + 5
    channels = {key: value for key, value, *_ in counts[: len(section["by_channel"])]}
    assert channels == section["by_channel"]
    for key, value, width, height, fill in counts:
        assert (width > 0) == (value > 0), key
        assert height > 10
        assert fill in ("rgb(31, 111, 235)", "rgb(232, 130, 58)")
    levels = counts[len(section["by_channel"]) :]
    per_rating = [width / value for _, value, width, _, _ in levels if value]
    assert max(per_rating) - min(per_rating) < 0.5  # one scale for every bar of a chart
    assert probe["open"] == [f"score-{last['window']}"]  # the inline script followed the link
    assert "Noto Sans CJK SC" in probe["font"]


def _png_facts(data: bytes) -> tuple[int, int, int]:
    """Return (width, height, distinct byte values in a sample of the image data)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels[::101]))


def test_screenshot_is_a_png_of_the_requested_size(
    browser: str, report: dict[str, Any], tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    _run_browser(
        browser,
        tmp_path / "profile",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={shot}",
        url=report["path"].as_uri(),
    )
    data = shot.read_bytes()
    width, height, variety = _png_facts(data)
    assert (width, height) == (WIDTH, HEIGHT)
    assert variety > 50  # a drawn page, not a blank one


def test_report_prints_to_a_multi_page_pdf(
    browser: str, report: dict[str, Any], tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    _run_browser(
        browser,
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        url=report["path"].as_uri(),
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 2


def test_console_check_catches_a_script_error(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><p>x</p><script>notDefined();</script>',
        encoding="utf-8",
    )
    done = _run_browser(
        browser,
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        url=page.as_uri(),
    )
    messages = _console(done.stderr)
    assert len(messages) == 1
    assert "notDefined is not defined" in messages[0]


# -- the province page (govhall report DEPLOYMENT) ---------------------------------------------

PROVINCE_PROBE = """
<script>
(function () {
  function box(node) { var b = node.getBoundingClientRect(); return [b.width, b.height]; }
  var result = {
    bars: [].map.call(document.querySelectorAll("svg.ranking rect.bar"), function (r) {
      return [r.getAttribute("data-key")].concat(box(r));
    }),
    columns: [].map.call(document.querySelectorAll("svg.trend rect.column"), function (r) {
      return [r.getAttribute("data-value")].concat(box(r));
    }),
    rows: [].map.call(document.querySelectorAll("table.league tbody tr"), function (r) {
      return r.getAttribute("data-hall");
    })
  };
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two halls (Zhenhai 3000 rows, Luanchuan's sample) and their March 2010 province page."""
    folder = tmp_path_factory.mktemp("province-browser")
    runner = CliRunner()
    for county, rows in (("zhenhai", "3000"), ("luanchuan", "300")):
        config = ROOT / "configs" / f"{county}.toml"
        (folder / "configs").mkdir(exist_ok=True)
        shutil.copy(config, folder / "configs" / config.name)
        out = folder / "data" / county
        result = runner.invoke(main, ["sample", str(config), "--out", str(out), "--rows", rows])
        assert result.exit_code == 0, result.output
    out = folder / "province.html"
    args = ["report", str(folder / "configs"), "--data", str(folder / "data")]
    result = runner.invoke(main, [*args, "--month", "2010-03", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return {"path": out, "json": json.loads(result.stdout)}


def test_province_page_paints_every_bar_and_column_without_console_messages(
    browser: str, province: dict[str, Any], tmp_path: Path
) -> None:
    path: Path = province["path"]
    done = _run_browser(
        browser,
        tmp_path / "p1",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        url=path.as_uri(),
    )
    assert _console(done.stderr) == []
    probed = tmp_path / "probed.html"
    probed.write_text(
        path.read_text(encoding="utf-8").replace("</body>", PROVINCE_PROBE + "</body>"),
        encoding="utf-8",
    )
    done = _run_browser(
        browser,
        tmp_path / "p2",
        f"--window-size={WIDTH},{HEIGHT}",
        "--dump-dom",
        url=probed.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout)
    assert found, done.stdout[-2000:]
    probe = json.loads(html_module.unescape(found.group(1)))
    assert sorted(probe["rows"]) == ["luanchuan", "total", "zhenhai"]
    assert sorted(bar[0] for bar in probe["bars"]) == ["luanchuan", "zhenhai"]
    assert all(width > 0 and height > 10 for _, width, height in probe["bars"])
    painted = [c for c in probe["columns"] if float(c[0]) > 0]
    assert painted  # months with cases draw a column of some height
    assert all(width > 0 and height > 0 for _, width, height in painted)
    pages = [hall["page"] for hall in province["json"]["halls"]]
    assert all(Path(page).is_file() for page in pages)


def test_province_page_screenshot_and_pdf(
    browser: str, province: dict[str, Any], tmp_path: Path
) -> None:
    shot = tmp_path / "province.png"
    url = province["path"].as_uri()
    _run_browser(
        browser, tmp_path / "p3", f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", url=url
    )
    width, height, variety = _png_facts(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert variety > 50
    pdf = tmp_path / "province.pdf"
    _run_browser(
        browser, tmp_path / "p4", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url=url
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
