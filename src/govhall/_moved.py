"""Old module paths, kept importable after the modules moved into subpackages.

The time layer lives in :mod:`govhall.time`, the assessment layer in
:mod:`govhall.assessment` and the plugin host in :mod:`govhall.plugins`.
``import govhall.deadlines`` (or any other old path listed in ``MOVED``) still
works: it gives the moved module itself, so attributes, monkeypatching and
identity checks behave as before, and warns once with a ``DeprecationWarning``
naming the new path.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Loader, MetaPathFinder
else:  # importlib.abc would import importlib.resources and tempfile on every start
    Loader = MetaPathFinder = object

MOVED: dict[str, str] = {
    **{
        f"govhall.{name}": f"govhall.time.{name}"
        for name in (
            "workdays",
            "hours",
            "deadlines",
            "deadlines_batch",
            "deadline_clock",
            "due_times",
        )
    },
    **{
        f"govhall.{name}": f"govhall.assessment.{name}"
        for name in (
            "kpi",
            "scoring",
            "rewards",
            "rulebook",
            "rulebooks",
            "lifecycle",
            "chains",
            "posts",
        )
    },
    "govhall.builtin": "govhall.plugins.builtin",
    "govhall.hookspecs": "govhall.plugins.hookspecs",
}


class _Alias(Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.target}; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(self.target)
        self.spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Give the moved module back its own spec (the import system set the alias's)."""
        module.__spec__ = self.spec


class MovedModuleFinder(MetaPathFinder):
    """Resolve an old module path to the module that now lives elsewhere."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
