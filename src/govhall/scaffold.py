"""Scaffold a new county plugin distribution (``govhall new-plugin COUNTY DIR``).

The generated project installs as ``govhall-<county>``, registers in the
``govhall`` entry-point group, ships a starter config, tests that use the
:mod:`govhall.testing` fixtures and a YAML case file
(``tests/<county>.govhall.yaml``), and passes those tests unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from govhall.errors import GovhallError
from govhall.files import write_text_atomic

COUNTY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

_PYPROJECT = Template("""\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "govhall-$dist"
version = "0.1.0"
description = "govhall county plugin: $name."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["govhall>=0.1"]

[project.optional-dependencies]
# pytest runs tests/*.py and the YAML case files (tests/*.govhall.yaml, read with PyYAML)
test = ["pytest>=8", "pyyaml>=6"]

[project.entry-points.govhall]
$county = "govhall_$county"

[tool.hatch.build.targets.wheel]
packages = ["src/govhall_$county"]
""")

_MODULE = Template('''\
"""govhall county plugin for $name.

Every value below is either a fact from your source document (say which
section, in a comment) or a documented assumption the deployment config can
override. See the hook reference (docs/hooks.md in govhall) for every hook.
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl

COUNTY_ID = "$county"
SOURCE = "replace with the document these facts come from"


@hookimpl
def govhall_county() -> County:
    """Serve the county ``$county``."""
    return County(id=COUNTY_ID, name="$name", province="", seed=SOURCE)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return the hall identity and windows every config of this county starts from."""
    return {
        "hall": {
            "id": COUNTY_ID,
            "name": "$name",
            "county": county,
            "timezone": "Asia/Shanghai",
            # "address": "...",  # source section ...
            # "phones": {"consultation": "0000-0000000"},
            "source": SOURCE,
        },
        "windows": [
            {"id": "general", "name": "综合窗口", "source": SOURCE},
        ],
    }


@hookimpl
def govhall_starter_config(county: str) -> dict[str, Any]:
    """Return what `govhall init $county PATH` writes: defaults plus examples to replace."""
    data = govhall_hall_defaults(county)
    data["items"] = [
        {"id": "example-item", "name": "示例事项（请替换）", "window": "general",
         "kind": "promised", "promised_days": 5},
    ]
    data["staff"] = [
        {"id": "example-a", "name": "示例人员甲", "window": "general", "post": "A"},
        {"id": "example-b", "name": "示例人员乙", "window": "general", "post": "B"},
    ]
    return data


# More hooks a county usually implements (see govhall's docs/hooks.md and
# docs/plugin-guide.md). Without them the built-in defaults answer: hours
# 09:00-12:00 and 14:00-17:00 on working days, no composite scoring weights.
#
# import datetime as dt
#
# @hookimpl
# def govhall_opening_hours(county: str) -> dict[str, Any]:
#     """Return the county's opening hours (source section ...)."""
#     return {
#         "note": "source ...: weekdays 08:30-12:00 and 14:00-17:30",
#         "schedules": [
#             {"since": dt.date(2010, 1, 1),
#              "workday": [["08:30", "12:00"], ["14:00", "17:30"]]},
#         ],
#     }
#
#
# @hookimpl
# def govhall_scoring_weights(county: str) -> dict[str, float]:
#     """Return the weights of a window's monthly score sources (source or assumption)."""
#     return {"window_head": 0.2, "managers": 0.2, "inspection": 0.3, "citizens": 0.3}
#
#
# @hookimpl
# def govhall_validate_config(config):
#     """Add this county's own checks; return a list of govhall.Problem."""
#     return None
''')

_CONFIG = Template("""\
# govhall hall config for $name (county plugin "$county").
# Values left out come from the plugin's defaults; `govhall show $county.toml` prints them.

[hall]
county = "$county"

[[items]]
# Example item: replace with the county's real items.
id = "example-item"
name = "示例事项（请替换）"
window = "general"
kind = "promised"
promised_days = 5

[[staff]]
id = "example-a"
name = "示例人员甲"
window = "general"
post = "A"

[[staff]]
id = "example-b"
name = "示例人员乙"
window = "general"
post = "B"
""")

_TESTS = Template('''\
"""Tests of the $county plugin, using govhall's pytest fixtures (govhall.testing)."""

from __future__ import annotations

from pathlib import Path

import govhall_$county

CONFIG = Path(__file__).resolve().parent.parent / "$county.toml"


def test_plugin_serves_its_county(govhall_manager):
    manager = govhall_manager(("$county", govhall_$county))
    assert manager.load_errors == []
    assert manager.counties()["$county"].name == "$name"


def test_config_loads_with_plugin_defaults(govhall_manager, govhall_load):
    manager = govhall_manager(("$county", govhall_$county))
    hall = govhall_load(CONFIG, manager)
    assert hall.hall.id == "$county"
    assert [window.id for window in hall.windows] == ["general"]


def test_starter_config_validates(govhall_manager, tmp_path):
    from govhall.config.load import check_config_text
    from govhall.config.starter import starter_toml

    manager = govhall_manager(("$county", govhall_$county))
    text = starter_toml("$county", manager)
    report = check_config_text(text, "starter.toml", manager)
    assert report.valid, report.problems
''')

_CASES = Template("""\
# $name: the plugin's rules as YAML cases, collected by pytest through
# govhall's test kit (govhall.testing). Each case asks one question, like the
# command of the same name, and names what the answer (the command's --json
# document) must contain. See docs/plugin-guide.md in govhall.
config: ../$county.toml
plugins: [govhall_$county]
cases:
  - name: the hall and its window come from the plugin
    show:
    expect:
      hall: {id: $county, county: $county}
      windows: [{id: general}]

  - name: working-day hours (the built-in assumption until the plugin gives its own)
    hours: {on: 2026-10-12}
    expect:
      day: {kind: workday}
      windows: [{window: general, intervals: [["09:00", "12:00"], ["14:00", "17:00"]]}]

  - name: a 5-day case received on a Monday is due at closing time the next Monday
    # the day of receipt is not counted: 10-13, 10-14, 10-15, 10-16, 10-19
    deadline: {item: example-item, received: 2026-10-12T10:00}
    expect: {due: 2026-10-19T17:00:00+08:00, working_days: 5}

  - name: a case concluded after its due time costs the window 5 points
    # received 2026-10-12, due 10-19 17:00, concluded 10-20: overdue (rulebook: -5 per case)
    score:
      month: 2026-10
      data:
        cases:
          - {case_id: c1, window: general, item: example-item, kind: promised,
             received_at: 2026-10-12T10:00, status: concluded,
             concluded_at: 2026-10-20T10:00, visits: 1}
    expect:
      windows:
        - window: general
          score: 95
          lines: {contains: [{rule: window.time-limit.overdue, points: -5, evidence: [case:c1]}]}
""")

_README = Template("""\
# govhall-$dist

govhall county plugin for $name.

    pip install -e ".[test]"     # install beside govhall
    govhall plugins              # lists "$county"
    govhall validate $county.toml
    pytest                       # tests/*.py and the YAML cases tests/$county.govhall.yaml

Edit `src/govhall_$county/__init__.py`: every fact with a comment pointing at its
source, every assumption documented and overridable in config.
""")


def scaffold_plugin(
    county: str, directory: str | Path, *, name: str | None = None, force: bool = False
) -> list[Path]:
    """Write a new county plugin project for ``county`` into ``directory``.

    Returns:
        The files written.

    Raises:
        GovhallError: ``county`` is not a valid id, or a file exists and ``force`` is false.
    """
    if not COUNTY_PATTERN.match(county):
        raise GovhallError(
            f"county id {county!r} must be 2-40 lowercase letters, digits or '_', "
            "starting with a letter"
        )
    if name is not None and any(char in '"\\' or not char.isprintable() for char in name):
        # the name goes into Python and TOML string literals as written
        raise GovhallError(
            f"--name {name!r} must not contain quotes, backslashes or control characters"
        )
    root = Path(directory)
    values = {"county": county, "dist": county.replace("_", "-"), "name": name or county}
    files = {
        root / "pyproject.toml": _PYPROJECT,
        root / "README.md": _README,
        root / f"{county}.toml": _CONFIG,
        root / "src" / f"govhall_{county}" / "__init__.py": _MODULE,
        root / "tests" / f"test_{county}.py": _TESTS,
        root / "tests" / f"{county}.govhall.yaml": _CASES,
    }
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise GovhallError(f"{existing[0]} already exists; use --force to overwrite")
    for path, template in files.items():
        write_text_atomic(path, template.substitute(values), force=force)
    return list(files)
