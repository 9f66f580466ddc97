"""Build the plugin manager and call hooks on the right plugins.

:func:`get_plugin_manager` is the only way govhall builds a manager: it adds
the hook specifications, registers the built-in defaults, loads the
``govhall`` entry points and verifies that every hook implementation matches
a specification. A plugin that cannot be used is recorded in
``manager.load_errors`` (naming it), never fatal.

Loading, in this order (deterministic whatever the install order):

1. The built-in defaults, ``govhall.plugins.builtin``; their hooks are ``trylast``.
2. Every entry point of the ``govhall`` group, sorted by (entry-point name,
   distribution name, value), is imported with stdout captured and every
   exception contained (``SystemExit`` and ``KeyboardInterrupt`` included):
   a failed import is a load error, output written to stdout while
   importing is dropped and recorded in ``manager.load_notices``. Then the
   ``plugins=`` pairs, in the order given.
3. Each of these candidates is asked its county (``govhall_county``, again
   contained). The claims are grouped by county id: a county claimed by two
   or more plugins (an already registered one included) is a conflict, a
   load error for *each* claimant naming all of them and their
   distributions; none of them is registered and the county has no plugin
   (``manager.conflicts``; :meth:`GovhallPluginManager.county_plugin` says
   why). The same plugin object offered twice keeps its first name.
4. The rest are registered in candidate order; of two plugins with the same
   name the first is kept. A plugin that declares no county may implement
   only the county hooks of :data:`govhall.plugins.hookspecs.SHARED_COUNTY_HOOKS`;
   any other county hook, or a wrapper implementation, is a load error.

Calling: routing lives in pluggy's own call path, so ``manager.hook.X(...)``
and the :meth:`~GovhallPluginManager.call_first` family give the same
answers. A call of a county hook (:data:`govhall.plugins.hookspecs.COUNTY_HOOKS`)
reaches only the plugin serving the call's ``county``, the built-in defaults
and, for shared county hooks, plugins serving no county; with no county, or
one no plugin serves, only the built-in (and the add-ons of shared hooks)
answer. Among the plugins reached, pluggy's order holds: ``tryfirst``
implementations, then the later-registered plugin first, ``trylast`` (the
built-in) last; a ``firstresult`` hook stops at the first non-``None``
answer.

Every implementation runs contained: its writes to stdout go to stderr (so
``--json`` output stays one JSON document), any exception it raises
(``BaseException`` included) becomes a :class:`~govhall.errors.PluginError`
naming plugin and hook, and so does an answer of the wrong type
(:data:`govhall.plugins.hookspecs.ANSWER_TYPES`).

Set ``GOVHALL_TRACE=1`` to log every hook call, and which plugin answered it,
on stderr.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, TypeVar

import pluggy

from govhall import __version__
from govhall.county import County
from govhall.errors import PluginError, UnknownCountyError
from govhall.plugins import builtin, hookspecs

_T = TypeVar("_T")
ENTRY_POINT_GROUP = "govhall"
# The built-in defaults keep their registered name across the module move (it is shown by
# `govhall plugins` and used in messages).
BUILTIN_NAME = "govhall.builtin"

#: Where the contained implementations of the current ``call_all`` record
#: ``(plugin, answer)``; ``None`` outside such a call and inside any
#: implementation (so nested hook calls record nothing into it).
_ANSWER_LOG: ContextVar[list[tuple[str, Any]] | None] = ContextVar(
    "govhall_answer_log", default=None
)


@dataclass(frozen=True, slots=True)
class PluginLoadError:
    """A plugin that could not be used (or a notice about one), with the reason."""

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
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountyConflict:
    """A county claimed by two or more plugins; none of them serves it."""

    county: str
    plugins: tuple[str, ...]
    """Each claimant as ``name (distribution NAME VERSION)``, in load order."""

    @property
    def message(self) -> str:
        """Say who claims the county and what to do."""
        *first, last = self.plugins
        count = _NUMBERS.get(len(self.plugins), str(len(self.plugins)))
        return (
            f"county {self.county!r} is claimed by {count} plugins: "
            f"{', '.join(first)} and {last}; uninstall one"
        )


_NUMBERS = {2: "two", 3: "three", 4: "four"}


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A plugin offered for registration, from an entry point or ``plugins=``."""

    name: str
    plugin: object
    version: str = ""
    distribution: str = ""

    @property
    def source(self) -> str:
        if not self.distribution:
            return f"{self.name} (no distribution)"
        shipped = " ".join(filter(None, (self.distribution, self.version)))
        return f"{self.name} (distribution {shipped})"


class GovhallPluginManager(pluggy.PluginManager):
    """A pluggy manager that knows which plugin serves which county.

    County routing happens in pluggy's call path (:meth:`_hookexec`), so
    ``manager.hook.govhall_opening_hours(county="zhenhai")`` reaches only
    Zhenhai's plugin and the built-in defaults, exactly like
    ``manager.call_first("govhall_opening_hours", "zhenhai")``.
    """

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.load_errors: list[PluginLoadError] = []
        self.load_notices: list[PluginLoadError] = []
        self.conflicts: dict[str, CountyConflict] = {}
        self.versions: dict[str, str] = {}
        self.distributions: dict[str, str] = {}
        self._counties: dict[str, tuple[str, County]] = {}
        self._neutral: set[str] = set()

    # -- registry ------------------------------------------------------------
    def counties(self) -> dict[str, County]:
        """Return the served counties by id."""
        return {cid: county for cid, (_, county) in sorted(self._counties.items())}

    def county_plugin(self, county: str) -> str:
        """Return the name of the plugin that serves ``county``.

        Raises:
            UnknownCountyError: No registered plugin serves it (the message
                names the plugins in conflict over it, if any).
        """
        try:
            return self._counties[county][0]
        except (KeyError, TypeError):
            if isinstance(county, str) and county in self.conflicts:
                reason = self.conflicts[county].message
                raise UnknownCountyError(
                    f"no installed plugin serves county {county!r}: {reason}"
                ) from None
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
            notices = tuple(n.error for n in self.load_notices if n.name == name)
            version = self.versions.get(name, "")
            infos.append(PluginInfo(name, county_of.get(name), version, hooks, notices))
        return sorted(infos, key=lambda info: (info.name != BUILTIN_NAME, info.name))

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` with pluggy and contain its hook implementations.

        Prefer :meth:`register_county_plugin`: a plugin registered here serves
        no county and answers no county hook.
        """
        registered = super().register(plugin, name)
        if registered is not None:
            for caller in self.get_hookcallers(plugin) or []:
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                        impl.function = _contained(impl, caller.name)  # type: ignore[misc]
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        """Unregister a plugin; it no longer serves its county."""
        if name is None:
            name = self.get_name(plugin)
        removed = super().unregister(plugin, name)
        for cid in [cid for cid, (owner, _) in self._counties.items() if owner == name]:
            del self._counties[cid]
        self._neutral.discard(name or "")
        return removed

    def register_county_plugin(self, plugin: object, name: str, version: str = "") -> bool:
        """Register ``plugin`` under ``name``; record instead of raising if it is unusable.

        A plugin that claims a county already served is a conflict: both are
        unregistered and the county has no plugin (see ``conflicts``).

        Returns:
            True when the plugin was registered and kept.
        """
        return self._register_candidates([_Candidate(name, plugin, version)]) == [name]

    def _register_candidates(self, candidates: Sequence[_Candidate]) -> list[str]:
        """Register ``candidates`` as the module docstring says; return the names kept."""
        errors: list[tuple[int, PluginLoadError]] = []

        def reject(index: int, candidate: _Candidate, message: str) -> None:
            errors.append((index, PluginLoadError(candidate.name, message, candidate.version)))

        offered: dict[int, str] = {}
        claims: dict[str, list[tuple[int, _Candidate]]] = {}
        declared: list[tuple[int, _Candidate, County | None]] = []
        for index, candidate in enumerate(candidates):
            if self.is_registered(candidate.plugin) or id(candidate.plugin) in offered:
                first = self.get_name(candidate.plugin) or offered[id(candidate.plugin)]
                reject(index, candidate, f"the same plugin is already registered as {first!r}")
                continue
            offered[id(candidate.plugin)] = candidate.name
            try:
                county = _declared_county(candidate.plugin)
            except _Unusable as exc:
                reject(index, candidate, str(exc))
                continue
            declared.append((index, candidate, county))
            if county is not None:
                claims.setdefault(county.id, []).append((index, candidate))

        rejected: set[int] = set()
        for cid, group in claims.items():
            owner = self._counties.get(cid)
            if owner is None and len(group) == 1 and cid not in self.conflicts:
                continue
            claimants = [candidate.source for _, candidate in group]
            if owner is not None:
                kept = _Candidate(
                    owner[0],
                    None,
                    self.versions.get(owner[0], ""),
                    self.distributions.get(owner[0], ""),
                )
                claimants.insert(0, kept.source)
            elif cid in self.conflicts:
                claimants[:0] = self.conflicts[cid].plugins
            conflict = CountyConflict(cid, tuple(claimants))
            self.conflicts[cid] = conflict
            if owner is not None:
                self.unregister(name=owner[0])
                self.load_errors.append(
                    PluginLoadError(owner[0], conflict.message, self.versions.get(owner[0], ""))
                )
            for index, candidate in group:
                reject(index, candidate, conflict.message)
                rejected.add(index)

        kept_names = []
        for index, candidate, county in declared:
            if index in rejected:
                continue
            if self.has_plugin(candidate.name):
                message = f"another plugin is already registered under the name {candidate.name!r}"
                reject(index, candidate, message)
                continue
            problem = self._register_one(candidate, county)
            if problem is None:
                kept_names.append(candidate.name)
            else:
                reject(index, candidate, problem)
        self.load_errors.extend(error for _, error in sorted(errors, key=lambda pair: pair[0]))
        return kept_names

    def _register_one(self, candidate: _Candidate, county: County | None) -> str | None:
        """Register one candidate; return why it cannot be used, or ``None``."""
        name, plugin = candidate.name, candidate.plugin
        try:
            if self.register(plugin, name=name) is None:
                return f"the plugin name {name!r} is blocked"
            self.check_pending()
        except BaseException as exc:  # a broken plugin must not break the others
            if self.get_plugin(name) is plugin:
                self.unregister(name=name)
            return _describe(exc)
        impls = [
            (caller.name, impl)
            for caller in self.get_hookcallers(plugin) or []
            for impl in caller.get_hookimpls()
            if impl.plugin is plugin
        ]
        wrappers = sorted(hook for hook, impl in impls if impl.wrapper or impl.hookwrapper)
        if wrappers:  # routing and containment act on plain implementations only
            self.unregister(name=name)
            return f"hook {wrappers[0]} is a wrapper; govhall hooks take plain implementations"
        county_only = sorted({hook for hook, _ in impls} & hookspecs.COUNTY_ONLY_HOOKS)
        if county is None and county_only:
            self.unregister(name=name)
            hooks = ", ".join(county_only)
            return (
                f"declares no county (hook govhall_county) but implements the county "
                f"hook{'s' if len(county_only) > 1 else ''} {hooks}; only a county plugin "
                "may (a plugin serving every county may implement govhall_validate_config)"
            )
        self.versions[name] = candidate.version
        self.distributions[name] = candidate.distribution
        if county is None:
            self._neutral.add(name)
        else:
            self._counties[county.id] = (name, county)
        return None

    # -- routing (inside pluggy's call path) -----------------------------------
    def _hookexec(
        self,
        hook_name: str,
        methods: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, object],
        firstresult: bool,
    ) -> object | list[object]:
        """Route a hook call to the plugins allowed to answer it, then let pluggy call them.

        Every :class:`pluggy.HookCaller` of this manager calls this method, so
        ``manager.hook.X(...)`` is routed too; ``self._inner_hookexec``
        (pluggy's multicall, wrapped by ``add_hookcall_monitoring`` and
        ``enable_tracing``) does firstresult, argument matching and tracing.
        """
        routed = self.route(hook_name, methods, kwargs.get("county"))
        return self._inner_hookexec(hook_name, routed, kwargs, firstresult)

    def route(
        self, hook_name: str, methods: Sequence[pluggy.HookImpl], county: object
    ) -> list[pluggy.HookImpl]:
        """Return the implementations of ``hook_name`` that may answer a call for ``county``.

        Only county hooks are routed: the county's plugin, the built-in
        defaults and, for shared county hooks, plugins serving no county.
        """
        if hook_name not in hookspecs.COUNTY_HOOKS:
            return list(methods)
        owner = None
        if isinstance(county, str) and county in self._counties:
            owner = self._counties[county][0]
        shared = hook_name in hookspecs.SHARED_COUNTY_HOOKS
        return [
            impl
            for impl in methods
            if impl.plugin is builtin
            or (owner is not None and impl.plugin_name == owner)
            or (shared and impl.plugin_name in self._neutral)
        ]

    # -- calling -------------------------------------------------------------
    def call_first(self, hook_name: str, county: str | None = None, **kwargs: Any) -> Any:
        """Call a hook and return the first non-``None`` answer, or ``None``.

        Same as ``manager.hook.<hook_name>(county=county, **kwargs)`` for a
        ``firstresult`` hook. With ``county``, only that county's plugin, the
        built-in defaults and (for shared county hooks) county-neutral plugins
        answer; implementations that take a ``county`` argument receive it.

        Raises:
            UnknownCountyError: ``county`` is given and no plugin serves it.
            PluginError: An implementation raised; the error names plugin and hook.
        """
        answers = self.call_all(hook_name, county, **kwargs)
        return answers[0][1] if answers else None

    def call_all(
        self, hook_name: str, county: str | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call a hook through pluggy; return ``(plugin, answer)`` pairs, minus ``None``.

        The answers are those of ``manager.hook.<hook_name>(county=county,
        **kwargs)`` (a ``firstresult`` hook gives at most one), each with the
        plugin that gave it.

        Raises:
            UnknownCountyError: ``county`` is given and no plugin serves it.
            PluginError: An implementation raised; the error names plugin and hook.
        """
        if county is not None:
            self.county_plugin(county)
        answers: list[tuple[str, Any]] = []
        token = _ANSWER_LOG.set(answers)
        try:
            getattr(self.hook, hook_name)(county=county, **kwargs)
        finally:
            _ANSWER_LOG.reset(token)
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
        for plugin, answer in self.call_all(hook_name, county, **kwargs):
            return _checked(answer, expected, plugin, hook_name)
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


def _contained(impl: pluggy.HookImpl, hook_name: str) -> Callable[..., Any]:
    """Wrap a hook implementation so that it names itself when it fails.

    The wrapper sends the implementation's stdout to stderr, turns anything
    it raises (``BaseException`` included; a :class:`PluginError` passes
    unchanged) or a wrong answer type into a :class:`PluginError`, logs the
    ``GOVHALL_TRACE`` line and records the answer for :meth:`call_all`.
    pluggy took the argument names from the original function when it
    built ``impl``, so the wrapper is called with the same arguments.
    """
    function = impl.function
    plugin = impl.plugin_name
    expected = hookspecs.ANSWER_TYPES.get(hook_name)

    @functools.wraps(function)
    def contained(*args: Any, **kwargs: Any) -> Any:
        log = _ANSWER_LOG.get()
        token = _ANSWER_LOG.set(None)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                result = function(*args, **kwargs)
        except PluginError:
            raise
        except BaseException as exc:
            raise PluginError(plugin, hook_name, f"raised {_describe(exc)}") from exc
        finally:
            _ANSWER_LOG.reset(token)
        if result is not None and expected is not None and not isinstance(result, expected[0]):
            got = type(result).__name__
            raise PluginError(plugin, hook_name, f"returned {got}, expected {expected[1]}")
        if _tracing():
            answer = "no answer" if result is None else type(result).__name__
            print(f"govhall trace: {hook_name} -> {plugin}: {answer}", file=sys.stderr)
        if log is not None and result is not None:
            log.append((plugin, result))
        return result

    return contained


class _Unusable(Exception):
    """A candidate plugin's ``govhall_county`` failed or answered something else."""


def _declared_county(plugin: object) -> County | None:
    """Ask ``plugin`` its county, contained like a hook call.

    Raises:
        _Unusable: The hook raised or answered something other than a County.
    """
    try:
        impl = getattr(plugin, "govhall_county", None)
        if impl is None:
            return None
        with contextlib.redirect_stdout(sys.stderr):
            county = impl()
    except BaseException as exc:
        raise _Unusable(f"hook govhall_county raised {_describe(exc)}") from exc
    if county is not None and not isinstance(county, County):
        raise _Unusable(f"hook govhall_county returned {type(county).__name__}, expected County")
    return county


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
        plugins: Extra ``(name, plugin)`` pairs to register, e.g. a module under test;
            their county claims are weighed together with the entry points'.

    Example:
        >>> pm = get_plugin_manager(load_entry_points=False)
        >>> [info.name for info in pm.plugin_infos()]
        ['govhall.builtin']
    """
    manager = GovhallPluginManager()
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, name=BUILTIN_NAME)
    manager.versions[BUILTIN_NAME] = __version__
    candidates: list[_Candidate] = []
    if load_entry_points:
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=_entry_point_order):
            loaded = _load_entry_point(manager, entry_point)
            if loaded is not None:
                candidates.append(loaded)
    candidates.extend(_Candidate(name, plugin) for name, plugin in plugins)
    manager._register_candidates(candidates)
    manager.check_pending()
    return manager


def _entry_point_order(entry_point: EntryPoint) -> tuple[str, str, str]:
    return (entry_point.name, _distribution(entry_point)[0], entry_point.value)


def _distribution(entry_point: EntryPoint) -> tuple[str, str]:
    """Return the name and version of the distribution that ships ``entry_point``."""
    dist = entry_point.dist
    if dist is None:
        return "", ""
    try:
        return str(dist.name or ""), str(dist.version or "")
    except Exception:  # broken metadata names no distribution
        return "", ""


def _load_entry_point(manager: GovhallPluginManager, entry_point: EntryPoint) -> _Candidate | None:
    """Import an entry point, contained; record a failure or stdout output, by name."""
    distribution, version = _distribution(entry_point)
    written = io.StringIO()
    failure = ""
    try:
        with contextlib.redirect_stdout(written):
            plugin = entry_point.load()
    except BaseException as exc:  # SystemExit, KeyboardInterrupt: still only this plugin
        failure = f"import failed: {_describe(exc)}"
    else:
        if plugin is None:
            failure = f"import failed: {entry_point.value} is None"
    if written.getvalue():
        count = len(written.getvalue())
        notice = f"wrote {count} characters to stdout while importing (suppressed)"
        manager.load_notices.append(PluginLoadError(entry_point.name, notice, version))
    if failure:
        manager.load_errors.append(PluginLoadError(entry_point.name, failure, version))
        return None
    return _Candidate(entry_point.name, plugin, version, distribution)


def _describe(exc: BaseException) -> str:
    """``Type: message``, or ``Type`` alone when the message is empty (``KeyboardInterrupt``)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _tracing() -> bool:
    return os.environ.get("GOVHALL_TRACE", "") not in ("", "0")
