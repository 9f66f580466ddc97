"""Build the plugin manager and call hooks on the right plugins.

:func:`get_plugin_manager` is the only way govhall builds a manager: it adds
the hook specifications, registers the built-in defaults, loads the
``govhall`` entry points one by one (a plugin that fails to import, to
register or to declare its county is recorded, not fatal) and verifies that
every hook implementation matches a specification.

Set ``GOVHALL_TRACE=1`` to log every hook call, and which plugin answered it,
on stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

import pluggy

from govhall import __version__, builtin, hookspecs
from govhall.county import County
from govhall.errors import PluginError, UnknownCountyError

_T = TypeVar("_T")
ENTRY_POINT_GROUP = "govhall"
BUILTIN_NAME = "govhall.builtin"


@dataclass(frozen=True, slots=True)
class PluginLoadError:
    """A plugin that could not be used, with the reason."""

    name: str
    error: str
    version: str = ""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One registered plugin, as ``govhall plugins`` lists it."""

    name: str
    county: County | None
    version: str
    hooks: tuple[str, ...]


class GovhallPluginManager(pluggy.PluginManager):
    """A pluggy manager that knows which plugin serves which county."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.load_errors: list[PluginLoadError] = []
        self.versions: dict[str, str] = {}
        self._counties: dict[str, tuple[str, County]] = {}

    # -- registry ------------------------------------------------------------
    def counties(self) -> dict[str, County]:
        """Return the served counties by id."""
        return {cid: county for cid, (_, county) in sorted(self._counties.items())}

    def county_plugin(self, county: str) -> str:
        """Return the name of the plugin that serves ``county``.

        Raises:
            UnknownCountyError: No registered plugin serves it.
        """
        try:
            return self._counties[county][0]
        except KeyError:
            known = ", ".join(sorted(self._counties)) or "none"
            raise UnknownCountyError(
                f"no installed plugin serves county {county!r} (installed counties: {known})"
            ) from None

    def plugin_infos(self) -> list[PluginInfo]:
        """Describe every registered plugin, built-in first, then by name."""
        county_of = dict(self._counties.values())
        infos = []
        for name, plugin in self.list_name_plugin():
            hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or []))
            infos.append(PluginInfo(name, county_of.get(name), self.versions.get(name, ""), hooks))
        return sorted(infos, key=lambda info: (info.name != BUILTIN_NAME, info.name))

    def register_county_plugin(self, plugin: object, name: str, version: str = "") -> bool:
        """Register ``plugin`` under ``name``; record instead of raising if it is unusable.

        Returns:
            True when the plugin was registered and kept.
        """
        clash = None
        if self.has_plugin(name):
            clash = f"another plugin is already registered under the name {name!r}"
        elif self.is_registered(plugin):
            clash = f"the same plugin is already registered as {self.get_name(plugin)!r}"
        if clash is not None:  # never unregister the plugin that came first
            self.load_errors.append(PluginLoadError(name, clash, version))
            return False
        try:
            self.register(plugin, name=name)
            self.check_pending()
        except Exception as exc:  # a broken plugin must not break the others
            if self.get_plugin(name) is plugin:
                self.unregister(name=name)
            self.load_errors.append(PluginLoadError(name, _describe(exc), version))
            return False
        wrappers = [
            impl.function.__name__
            for caller in self.get_hookcallers(plugin) or []
            for impl in caller.get_hookimpls()
            if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper)
        ]
        if wrappers:  # hooks are called one implementation at a time (see _call_impl)
            self.unregister(name=name)
            message = f"hook {wrappers[0]} is a wrapper; govhall hooks take plain implementations"
            self.load_errors.append(PluginLoadError(name, message, version))
            return False
        self.versions[name] = version
        return self._claim_county(plugin, name, version)

    def _claim_county(self, plugin: object, name: str, version: str) -> bool:
        impl = getattr(plugin, "govhall_county", None)
        if impl is None:
            return True
        try:
            county = impl()
        except Exception as exc:
            self.unregister(name=name)
            message = f"hook govhall_county raised {_describe(exc)}"
            self.load_errors.append(PluginLoadError(name, message, version))
            return False
        if county is None:
            return True
        if not isinstance(county, County):
            self.unregister(name=name)
            message = f"hook govhall_county returned {type(county).__name__}, expected County"
            self.load_errors.append(PluginLoadError(name, message, version))
            return False
        if county.id in self._counties:
            owner = self._counties[county.id][0]
            self.unregister(name=name)
            message = f"county {county.id!r} is already served by plugin {owner!r}"
            self.load_errors.append(PluginLoadError(name, message, version))
            return False
        self._counties[county.id] = (name, county)
        return True

    # -- calling -------------------------------------------------------------
    def _impls_for(self, hook_name: str, county: str | None) -> list[pluggy.HookImpl]:
        """Hook implementations to call, in pluggy's call order (last registered first)."""
        caller = getattr(self.hook, hook_name)
        others = set()
        if county is not None:
            owner = self.county_plugin(county)
            others = {name for name, _ in self._counties.values() if name != owner}
        return [impl for impl in reversed(caller.get_hookimpls()) if impl.plugin_name not in others]

    def _call_impl(self, impl: pluggy.HookImpl, hook_name: str, kwargs: dict[str, Any]) -> Any:
        args = {name: kwargs[name] for name in impl.argnames}
        try:
            result = impl.function(**args)
        except Exception as exc:
            raise PluginError(impl.plugin_name, hook_name, f"raised {_describe(exc)}") from exc
        if _tracing():
            answer = "no answer" if result is None else type(result).__name__
            print(f"govhall trace: {hook_name} -> {impl.plugin_name}: {answer}", file=sys.stderr)
        return result

    def call_first(self, hook_name: str, county: str | None = None, **kwargs: Any) -> Any:
        """Call a hook and return the first non-``None`` answer, or ``None``.

        With ``county``, only that county's plugin and county-neutral plugins answer;
        implementations that take a ``county`` argument receive it.

        Raises:
            PluginError: An implementation raised; the error names plugin and hook.
        """
        arguments = {**kwargs, "county": county}
        for impl in self._impls_for(hook_name, county):
            result = self._call_impl(impl, hook_name, arguments)
            if result is not None:
                return result
        return None

    def call_all(
        self, hook_name: str, county: str | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call a hook on every implementation; return ``(plugin, answer)`` pairs, minus ``None``.

        Raises:
            PluginError: An implementation raised; the error names plugin and hook.
        """
        answers = []
        arguments = {**kwargs, "county": county}
        for impl in self._impls_for(hook_name, county):
            result = self._call_impl(impl, hook_name, arguments)
            if result is not None:
                answers.append((impl.plugin_name, result))
        return answers

    def call_first_as(
        self, hook_name: str, expected: type[_T], county: str | None = None, **kwargs: Any
    ) -> _T | None:
        """Call a hook like :meth:`call_first` and check that the answer is an ``expected``.

        Example:
            >>> pm = get_plugin_manager(load_entry_points=False)
            >>> pm.call_first_as("govhall_scoring_weights", dict) is None
            True

        Raises:
            PluginError: An implementation raised or answered something else; the
                error names plugin and hook.
        """
        arguments = {**kwargs, "county": county}
        for impl in self._impls_for(hook_name, county):
            result = self._call_impl(impl, hook_name, arguments)
            if result is not None:
                return _checked(result, expected, impl.plugin_name, hook_name)
        return None

    def call_all_as(
        self, hook_name: str, expected: type[_T], county: str | None = None, **kwargs: Any
    ) -> list[tuple[str, _T]]:
        """Call a hook like :meth:`call_all` and check that every answer is an ``expected``.

        Raises:
            PluginError: An implementation raised or answered something else; the
                error names plugin and hook.
        """
        return [
            (plugin, _checked(answer, expected, plugin, hook_name))
            for plugin, answer in self.call_all(hook_name, county, **kwargs)
        ]


def _checked(answer: Any, expected: type[_T], plugin: str, hook: str) -> _T:
    """Return ``answer`` if it is an ``expected``, else raise a PluginError saying what came."""
    if not isinstance(answer, expected):
        raise PluginError(
            plugin, hook, f"returned {type(answer).__name__}, expected {expected.__name__}"
        )
    return answer


def get_plugin_manager(
    *, load_entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()
) -> GovhallPluginManager:
    """Build a plugin manager: specs, built-in defaults, entry points, then ``plugins``.

    Args:
        load_entry_points: Load plugins installed under the ``govhall`` entry-point
            group. Tests turn this off to hold only the plugins they name.
        plugins: Extra ``(name, plugin)`` pairs to register, e.g. a module under test.

    Example:
        >>> pm = get_plugin_manager(load_entry_points=False)
        >>> [info.name for info in pm.plugin_infos()]
        ['govhall.builtin']
    """
    manager = GovhallPluginManager()
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, name=BUILTIN_NAME)
    manager.versions[BUILTIN_NAME] = __version__
    if load_entry_points:
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            _load_entry_point(manager, entry_point)
    for name, plugin in plugins:
        manager.register_county_plugin(plugin, name)
    manager.check_pending()
    return manager


def _load_entry_point(manager: GovhallPluginManager, entry_point: EntryPoint) -> None:
    version = entry_point.dist.version if entry_point.dist is not None else ""
    try:
        plugin = entry_point.load()
    except Exception as exc:  # an import error in one county must not stop the others
        manager.load_errors.append(
            PluginLoadError(entry_point.name, f"import failed: {_describe(exc)}", version)
        )
        return
    manager.register_county_plugin(plugin, entry_point.name, version)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _tracing() -> bool:
    return os.environ.get("GOVHALL_TRACE", "") not in ("", "0")
