"""Shared fixtures: a plugin manager that holds only what a test names."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.plugins import GovhallPluginManager, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


@pytest.fixture
def manager() -> GovhallPluginManager:
    """Return a fresh manager with the built-in defaults and the Pinghu plugin only."""
    import govhall_pinghu

    return get_plugin_manager(load_entry_points=False, plugins=[("pinghu", govhall_pinghu)])


@pytest.fixture
def cli_manager(
    manager: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> GovhallPluginManager:
    """Make the CLI use ``manager`` instead of the installed plugins."""
    monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: manager)
    return manager
