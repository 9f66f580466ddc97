"""Starter configs written by ``govhall init``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govhall.errors import GovhallError, PluginError

if TYPE_CHECKING:
    from govhall.plugins import GovhallPluginManager


def starter_data(county: str, manager: GovhallPluginManager) -> tuple[dict[str, Any], str]:
    """Return the starter config (or the hall defaults) and the hook that gave it."""
    hook = "govhall_starter_config"
    data = manager.call_first(hook, county)
    if data is None:
        hook = "govhall_hall_defaults"
        data = manager.call_first(hook, county)
    if data is None:
        raise GovhallError(f"plugin for county {county!r} provides no starter config")
    if not isinstance(data, Mapping):
        plugin = manager.county_plugin(county)
        raise PluginError(plugin, hook, f"returned {type(data).__name__}, expected a table (dict)")
    if not data:
        raise GovhallError(f"plugin for county {county!r} provides an empty starter config")
    return dict(data), hook


def starter_toml(county: str, manager: GovhallPluginManager) -> str:
    """Render the starter config as TOML and check that it validates.

    Raises:
        GovhallError: The county is unknown, or its plugin's starter config is invalid.
    """
    from govhall.config.load import check_config_text
    from govhall.config.toml_io import dumps_config

    name = manager.counties()[county].name if county in manager.counties() else county
    header = (
        f"# govhall hall config: {name} (county plugin {county!r}), written by `govhall init`.\n"
        "# Values left out here come from the county plugin; see `govhall show`.\n"
        "# Reference: `govhall schema` and docs/config.md.\n\n"
    )
    data, hook = starter_data(county, manager)
    try:
        text = header + dumps_config(data)
    except (TypeError, ValueError) as exc:  # tomli-w meets a value TOML cannot hold
        plugin = manager.county_plugin(county)
        raise PluginError(plugin, hook, f"not writable as TOML: {exc}") from exc
    report = check_config_text(text, f"<starter config of {county}>", manager)
    if not report.valid:
        problems = "\n".join(problem.format() for problem in report.problems)
        raise GovhallError(f"the starter config of county {county!r} is invalid:\n{problems}")
    return text
