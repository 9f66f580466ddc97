"""Hook specifications: the contract between govhall and county plugins.

Every hook is prefixed ``govhall_``. A county plugin implements the hooks it
needs with :data:`govhall.hookimpl`; hooks it leaves out fall back to the
built-in defaults (:mod:`govhall.builtin`, itself registered as a plugin).

Hooks that take a ``county`` argument are *county hooks*: govhall calls them
only on the plugin that serves that county (see :func:`govhall_county`) and on
plugins that serve no county (cross-county add-ons), so a county plugin never
has to check whether a call is meant for it.

This module's docstrings are the hook reference; ``docs/hooks.md`` is
generated from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.county import County
    from govhall.problems import Problem

hookspec = pluggy.HookspecMarker("govhall")
hookimpl = pluggy.HookimplMarker("govhall")


@hookspec
def govhall_county() -> County | None:
    """Declare the county this plugin serves.

    A county plugin returns exactly one :class:`govhall.County`; a plugin that
    adds behaviour to every county (an extra validation check, say) returns
    ``None`` or does not implement the hook. Two plugins that claim the same
    county id are a load error for the second one.

    Example::

        from govhall import County, hookimpl

        @hookimpl
        def govhall_county():
            return County(id="pinghu", name="平湖行政服务中心", province="浙江")
    """


@hookspec(firstresult=True)
def govhall_hall_defaults(county: str) -> dict[str, Any] | None:
    """Return the county's default hall config, as a TOML-shaped mapping.

    The mapping has the shape of a hall config file (``hall``, ``windows``,
    ``items``, ``staff`` ...). When a config is loaded, the file is merged
    over it: tables merge key by key, and any other value the file sets
    (including a whole array such as ``windows``) replaces the default.
    Seed facts (hall name, address, phone numbers, windows) belong here, each
    with a comment pointing at its seed passage.

    Example::

        @hookimpl
        def govhall_hall_defaults(county):
            return {"hall": {"id": "pinghu", "name": "平湖行政服务中心", "county": county}}
    """


@hookspec(firstresult=True)
def govhall_starter_config(county: str) -> dict[str, Any] | None:
    """Return the config that ``govhall init COUNTY PATH`` writes.

    It must validate as written. When no plugin answers, ``init`` writes the
    county's :func:`govhall_hall_defaults`.

    Example::

        @hookimpl
        def govhall_starter_config(county):
            return {"hall": {"id": "pinghu", "name": "平湖行政服务中心", "county": county}}
    """


@hookspec
def govhall_validate_config(config: HallConfig) -> list[Problem] | None:
    """Check a loaded hall config and return the problems found.

    Called after the config has passed its schema. Return
    :class:`govhall.Problem` objects with ``key`` set to the dotted key at
    fault (``windows[2].phone``); govhall fills in the file and line. The
    built-in checks (unique ids, references to existing windows, A/B posts)
    are themselves an implementation of this hook. This is a county hook: it
    is called with the plugin of ``config.hall.county``.

    Example::

        from govhall import Problem, hookimpl

        @hookimpl
        def govhall_validate_config(config):
            if not config.hall.phones.get("callback"):
                return [Problem("warning", "no satisfaction call-back phone", key="hall.phones")]
            return None
    """
