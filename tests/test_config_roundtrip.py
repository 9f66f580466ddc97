"""Laws of the config reader and writer, tested with generated documents.

* Round trip: a config written with ``dumps_config(to_toml_data(c))`` loads back to ``c``.
* Locations: for any TOML document, :func:`locate_keys` reports every key path
  and array element, each at a line that really holds that key (or header) or element.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import types
from decimal import Decimal
from typing import Any

import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govhall import County, hookimpl
from govhall.config.load import check_config_text
from govhall.config.locate import locate_keys
from govhall.config.schema import HallConfig, to_toml_data
from govhall.config.toml_io import dumps_config
from govhall.model import PHONE_PATTERN, Hall, ServiceItem, Staff, Window
from govhall.plugins import GovhallPluginManager, get_plugin_manager

COUNTY = "roundtrip"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _manager() -> GovhallPluginManager:
    """A county plugin with no defaults, so a file is loaded exactly as written."""
    module = types.ModuleType("roundtrip_county")

    @hookimpl
    def govhall_county() -> County:
        return County(id=COUNTY, name="往返测试中心")

    module.govhall_county = govhall_county  # type: ignore[attr-defined]
    return get_plugin_manager(load_entry_points=False, plugins=[(COUNTY, module)])


MANAGER = _manager()

# -- strategies for hall configs -------------------------------------------------
identifiers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,11}", fullmatch=True)
cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
names = (
    st.text(cjk | st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
    .map(str.strip)
    .filter(bool)
)
phones = st.from_regex(PHONE_PATTERN, fullmatch=True)
optional_text = st.none() | names


@st.composite
def hall_configs(draw: st.DrawFn) -> HallConfig:
    hall = Hall(
        id=draw(identifiers),
        name=draw(names),
        county=COUNTY,
        address=draw(optional_text),
        area_code=draw(st.none() | st.from_regex(r"0\d{2,3}", fullmatch=True)),
        phones=draw(st.dictionaries(st.text(max_size=8), phones, max_size=3)),
        source=draw(optional_text),
    )
    window_ids = draw(st.lists(identifiers, max_size=4, unique=True))
    windows = [
        Window(
            id=window_id,
            name=draw(names),
            department=draw(optional_text),
            phone=draw(st.none() | phones),
        )
        for window_id in window_ids
    ]
    items: list[ServiceItem] = []
    staff: list[Staff] = []
    if window_ids:
        for item_id in draw(st.lists(identifiers, max_size=4, unique=True)):
            kind = draw(st.sampled_from(["immediate", "promised"]))
            days = (
                draw(st.integers(0, 366))
                if kind == "promised"
                else draw(st.sampled_from([None, 0]))
            )
            items.append(
                ServiceItem(
                    id=item_id,
                    name=draw(names),
                    window=draw(st.sampled_from(window_ids)),
                    kind=kind,
                    promised_days=days,
                    statutory_days=draw(st.none() | st.integers(0, 366)),
                    fee=draw(st.decimals(min_value=0, max_value=10**6, places=2)),
                )
            )
        for staff_id in draw(st.lists(identifiers, max_size=4, unique=True)):
            staff.append(
                Staff(
                    id=staff_id,
                    name=draw(names),
                    window=draw(st.sampled_from(window_ids)),
                    post=draw(st.sampled_from(["A", "B"])),
                    position=draw(st.sampled_from(["window", "受理岗", "审核岗"])),
                )
            )
    return HallConfig(hall=hall, windows=windows, items=items, staff=staff)


@SETTINGS
@given(hall_configs())
def test_round_trip(config: HallConfig) -> None:
    text = dumps_config(to_toml_data(config))
    report = check_config_text(text, "generated.toml", MANAGER)
    errors = [problem.format() for problem in report.problems if problem.severity == "error"]
    assert errors == []
    assert report.config == config


def test_round_trip_keeps_decimal_fees() -> None:
    hall = Hall(id="h", name="中心", county=COUNTY)
    window = Window(id="w", name="窗口")
    item = ServiceItem(id="i", name="事项", window="w", kind="immediate", fee=Decimal("12.34"))
    config = HallConfig(hall=hall, windows=[window], items=[item])
    text = dumps_config(to_toml_data(config))
    assert "fee = 12.34\n" in text
    loaded = check_config_text(text, "x.toml", MANAGER).config
    assert loaded is not None
    assert loaded.items[0].fee == Decimal("12.34")


# -- locate_keys -------------------------------------------------------------
awkward_keys = st.sampled_from(["a = b", "x.y", "", " ", '"', "'", "#", "[", "]]", "\n", "键 名"])
keys = st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True) | st.text(max_size=5) | awkward_keys
scalars = (
    st.integers(-(10**9), 10**9)
    | st.booleans()
    | st.text(max_size=12)
    | st.floats(allow_nan=False)
    | st.dates(min_value=dt.date(1, 1, 1))
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=5)


@SETTINGS
@given(documents)
def test_dumps_config_reads_back(data: dict[str, Any]) -> None:
    text = dumps_config(data)
    assert tomllib.loads(text) == data
    for line in text.split("\n"):
        if line.startswith("["):  # every table and array of tables has its own header
            assert tomllib.loads(line + "\n") is not None


def test_dumps_config_quotes_header_keys() -> None:
    data = {"t": {"a = b": {"x": 1}, "甲": {"y": 2}}, "l": [{"k": 1}]}
    text = dumps_config(data)
    assert text == '[t."a = b"]\nx = 1\n\n[t."甲"]\ny = 2\n\n[[l]]\nk = 1\n'
    assert tomllib.loads(text) == data


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    found = {prefix} if prefix else set()
    if isinstance(value, dict):
        for key, child in value.items():
            found |= _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found |= _paths(child, (*prefix, index))
    return found


def _rendered_key(key: str) -> str:
    return tomli_w.dumps({key: 0}).removesuffix(" = 0\n")


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _decorate(text: str) -> str:
    """Add comments, blank lines and spaces around the document's own lines."""
    out = []
    for line in text.split("\n"):
        if line.startswith("["):
            out.append("# a comment line before a header\n\n")
            line = line.replace("[", "[ ", 1) if not line.startswith("[[") else line
        out.append(line + "\n")
    return "".join(out)


@SETTINGS
@given(documents, st.sampled_from(["tomli_w", "multiline", "dumps_config"]), st.booleans())
def test_locate_keys_finds_every_path_on_its_line(
    data: dict[str, Any], style: str, decorate: bool
) -> None:
    if style == "dumps_config":
        text = dumps_config(data)
    else:
        text = tomli_w.dumps(data, multiline_strings=style == "multiline")
    if decorate:
        text = _decorate(text)
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)  # a decoration landed inside a multi-line string
        raise
    assume(parsed == data)
    lines = text.split("\n")  # TOML lines end at LF only, not at U+0085 and the like
    positions = locate_keys(text)
    assert set(positions) == _paths(data)
    for path, (line, column) in positions.items():
        source = lines[line - 1]
        rest = source[column - 1 :]
        last = path[-1]
        if isinstance(last, str):
            assert _rendered_key(last) in source, (path, source)
            assert re.match(r"[\[\"'A-Za-z0-9_-]", rest), (path, rest)
        else:
            value = _at(data, path)
            if isinstance(value, dict):
                assert rest.startswith(("{", "[")), (path, rest)
            elif isinstance(value, list):
                assert rest.startswith("["), (path, rest)
            elif isinstance(value, str):
                assert rest.startswith(("'", '"')), (path, rest)
            else:
                rendered = tomli_w.dumps({"x": value}).removeprefix("x = ").rstrip("\n")
                assert rest.startswith(rendered), (path, rest)


def test_locate_keys_example() -> None:
    text = (
        '"hall".county = "pinghu"  # dotted and quoted\n'
        "windows = [\n"
        '  { id = "a" },\n'
        "\n"
        '  { id = "b", "na me" = "x" },\n'
        "]\n"
        "[hall.phones]\n"
        "'咨询' = \"1\"\n"
    )
    positions = locate_keys(text)
    assert positions[("hall", "county")] == (1, 1)
    assert positions[("windows", 1)] == (5, 3)
    assert positions[("windows", 1, "na me")] == (5, 15)
    assert positions[("hall", "phones")] == (7, 1)
    assert positions[("hall", "phones", "咨询")] == (8, 1)
