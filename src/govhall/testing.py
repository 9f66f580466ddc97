"""pytest fixtures for plugin authors (registered as the pytest plugin ``govhall``).

Installed with govhall, these fixtures are available in any test suite:

- ``govhall_manager``: build a fresh plugin manager holding only the plugins
  a test names (plus the built-in defaults), so other installed counties
  cannot change the result::

      def test_my_county(govhall_manager):
          import govhall_mycounty
          manager = govhall_manager(("mycounty", govhall_mycounty))
          assert "mycounty" in manager.counties()

- ``govhall_load``: load and validate a hall config with such a manager;
  it raises :class:`govhall.ConfigError` listing every problem::

      def test_config(govhall_manager, govhall_load):
          manager = govhall_manager(("mycounty", govhall_mycounty))
          hall = govhall_load("mycounty.toml", manager)
          assert hall.hall.county == "mycounty"
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager

ManagerFactory = Callable[..., "GovhallPluginManager"]
Loader = Callable[..., "HallConfig"]


def build_manager(
    *plugins: tuple[str, object] | ModuleType, entry_points: bool = False
) -> GovhallPluginManager:
    """Build a manager with the built-in defaults and exactly ``plugins``.

    Each plugin is a module (registered under its last dotted name, without a
    ``govhall_`` prefix) or a ``(name, plugin)`` pair.
    """
    from govhall.plugins import get_plugin_manager

    named = []
    for plugin in plugins:
        if isinstance(plugin, tuple):
            named.append(plugin)
        else:
            name = plugin.__name__.rsplit(".", 1)[-1].removeprefix("govhall_")
            named.append((name, plugin))
    return get_plugin_manager(load_entry_points=entry_points, plugins=named)


@pytest.fixture
def govhall_manager() -> ManagerFactory:
    """Return a factory of fresh plugin managers holding only the plugins named."""
    return build_manager


@pytest.fixture
def govhall_load() -> Loader:
    """Return ``load(path, manager)``: load a hall config strictly (ConfigError on problems)."""
    from govhall.config.load import load_config

    def load(path: str | Path, manager: GovhallPluginManager | None = None) -> HallConfig:
        return load_config(path, manager if manager is not None else build_manager())

    return load
