"""Scaffold a new county plugin distribution (``govhall new-plugin COUNTY DIR``).

The generated project installs as ``govhall-<county>``, registers in the
``govhall`` entry-point group, ships a starter config and tests that use the
:mod:`govhall.testing` fixtures, and passes those tests unchanged.
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
test = ["pytest>=8"]

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


# More hooks a county usually implements (see govhall's docs/hooks.md):
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

_README = Template("""\
# govhall-$dist

govhall county plugin for $name.

    pip install -e ".[test]"     # install beside govhall
    govhall plugins              # lists "$county"
    govhall validate $county.toml
    pytest                       # the plugin's own tests

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
    root = Path(directory)
    values = {"county": county, "dist": county.replace("_", "-"), "name": name or county}
    files = {
        root / "pyproject.toml": _PYPROJECT,
        root / "README.md": _README,
        root / f"{county}.toml": _CONFIG,
        root / "src" / f"govhall_{county}" / "__init__.py": _MODULE,
        root / "tests" / f"test_{county}.py": _TESTS,
    }
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise GovhallError(f"{existing[0]} already exists; use --force to overwrite")
    for path, template in files.items():
        write_text_atomic(path, template.substitute(values), force=force)
    return list(files)
