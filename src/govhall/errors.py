"""Exceptions raised by govhall.

The library raises :class:`GovhallError` subclasses and never exits; the CLI
turns them into exit code 1 with the message on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govhall.problems import Problem


class GovhallError(Exception):
    """Base class of every error govhall raises on purpose."""


class ConfigError(GovhallError):
    """A hall config cannot be used: it has at least one error-severity problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format() for p in errors] or ["invalid config"]
        super().__init__("\n".join(lines))


class PluginError(GovhallError):
    """A plugin failed: it raised inside a hook or returned something unusable."""

    def __init__(self, plugin: str, hook: str, message: str) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(f"plugin {plugin!r}, hook {hook}: {message}")


class UnknownCountyError(GovhallError):
    """No installed plugin serves the county a config or command names."""


class LookupFailed(GovhallError):
    """A window, item or staff id asked for does not exist in the hall."""
