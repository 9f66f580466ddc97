"""Hook specifications: the contract between govhall and county plugins.

Every hook is prefixed ``govhall_``. A county plugin implements the hooks it
needs with :data:`govhall.hookimpl`; hooks it leaves out fall back to the
built-in defaults (:mod:`govhall.plugins.builtin`, itself registered as a plugin).

Hooks that take a ``county`` argument are *county hooks*
(:data:`COUNTY_HOOKS`): a call, whether through ``manager.hook`` or govhall's
own helpers, reaches only the plugin that serves that county (see
:func:`govhall_county`) and the built-in defaults, so a county plugin never
has to check whether a call is meant for it. A plugin that serves no county
(a cross-county add-on) may implement only the county hooks in
:data:`SHARED_COUNTY_HOOKS` (``govhall_validate_config``) and then answers
them for every county; implementing any other county hook without declaring
a county is a load error.

This module's docstrings are the hook reference; ``docs/hooks.md`` is
generated from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import pluggy

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.county import County
    from govhall.domain import ApprovalChain, DeadlineRule
    from govhall.model import ServiceItem
    from govhall.plugins import GovhallPluginManager
    from govhall.problems import Problem

hookspec = pluggy.HookspecMarker("govhall")
hookimpl = pluggy.HookimplMarker("govhall")

#: The county hooks: their spec takes ``county``, and a call reaches only the
#: plugin serving that county, the built-in defaults and, for
#: :data:`SHARED_COUNTY_HOOKS`, plugins that serve no county.
COUNTY_HOOKS: Final = frozenset(
    {
        "govhall_approval_chain",
        "govhall_deadline_rule",
        "govhall_duty_rota",
        "govhall_extra_closures",
        "govhall_hall_defaults",
        "govhall_opening_hours",
        "govhall_rating_limits",
        "govhall_reward_rules",
        "govhall_rulebook_overrides",
        "govhall_satisfied_level",
        "govhall_scoring_weights",
        "govhall_starter_config",
        "govhall_validate_config",
    }
)
#: County hooks that a plugin serving no county may implement (it then answers
#: them for every county).
SHARED_COUNTY_HOOKS: Final = frozenset({"govhall_validate_config"})
#: County hooks only a county plugin (or the built-in defaults) may implement.
COUNTY_ONLY_HOOKS: Final = COUNTY_HOOKS - SHARED_COUNTY_HOOKS

#: The type every non-``None`` answer of a hook must have, and how to say it.
#: govhall checks it on every call (``manager.hook`` included) and raises a
#: :class:`govhall.errors.PluginError` naming plugin and hook. Answers of a
#: type defined in a module the host must not import eagerly
#: (``DeadlineRule``, ``ApprovalChain``) and ``govhall_validate_config``'s
#: list of problems (checked per plugin by the config loader) are checked
#: where they are used.
ANSWER_TYPES: Final[dict[str, tuple[type[Any], str]]] = {
    "govhall_duty_rota": (dict, "dict"),
    "govhall_extra_closures": (list, "list"),
    "govhall_hall_defaults": (Mapping, "a table (dict)"),
    "govhall_opening_hours": (dict, "dict"),
    "govhall_rating_limits": (dict, "dict"),
    "govhall_reward_rules": (dict, "dict"),
    "govhall_rulebook_overrides": (dict, "dict"),
    "govhall_satisfied_level": (int, "int"),
    "govhall_scoring_weights": (dict, "dict"),
    "govhall_starter_config": (Mapping, "a table (dict)"),
}


@hookspec
def govhall_county() -> County | None:
    """Declare the county this plugin serves.

    A county plugin returns exactly one :class:`govhall.County`; a plugin that
    adds behaviour to every county (an extra validation check, say) returns
    ``None`` or does not implement the hook. Two plugins that claim the same
    county id are a load error naming both, and neither serves the county
    (uninstall one). A plugin that declares no county may not implement a
    county hook other than :func:`govhall_validate_config`.

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
    Source facts (hall name, address, phone numbers, windows) belong here, each
    with a comment pointing at its source passage.

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
def govhall_validate_config(
    county: str, config: HallConfig, manager: GovhallPluginManager
) -> list[Problem] | None:
    """Check a loaded hall config and return the problems found.

    Called after the config has passed its schema. Return
    :class:`govhall.Problem` objects with ``key`` set to the dotted key at
    fault (``windows[2].phone``); govhall fills in the file and line. The
    built-in checks (unique ids, references to existing windows, A/B posts,
    the assessment rulebooks) are themselves an implementation of this hook.
    ``manager`` is the plugin manager loading the config, for checks that ask
    other hooks; ``county`` is ``config.hall.county`` (take either only if you
    need it). This is a county hook that add-ons may share: it is answered by
    the plugin of ``config.hall.county``, by every plugin that serves no
    county (validation add-ons for every county) and by the built-in checks,
    never by another county's plugin.

    Example::

        from govhall import Problem, hookimpl

        @hookimpl
        def govhall_validate_config(config):
            if not config.hall.phones.get("callback"):
                return [Problem("warning", "no satisfaction call-back phone", key="hall.phones")]
            return None
    """


@hookspec(firstresult=True)
def govhall_opening_hours(county: str) -> dict[str, Any] | None:
    """Return the county's opening hours, shaped like the ``[hours]`` config table.

    Keys: ``note`` (where the hours come from), ``schedules`` (dated weekly
    schedules: ``since``, ``until``, and ``workday`` / ``saturday`` /
    ``sunday`` / ``holiday`` lists of ``["HH:MM", "HH:MM"]``), ``windows``
    (per-window ``schedules`` and ``staggered`` 错时 flag) and ``rota``. The
    config's ``[hours]`` is merged over the answer (tables key by key, arrays
    replace). The built-in plugin answers last with a documented assumption,
    so a county plugin only implements this when its source gives hours. This is
    a county hook.

    Example::

        import datetime as dt

        @hookimpl
        def govhall_opening_hours(county):
            return {
                "note": "《平湖行政服务中心窗口服务电话表》: 周一至周五 8:30-11:30, 14:00-17:30",
                "schedules": [{"since": dt.date(2010, 1, 1),
                               "workday": [["08:30", "11:30"], ["14:00", "17:30"]]}],
            }
    """


@hookspec(firstresult=True)
def govhall_duty_rota(county: str) -> dict[str, Any] | None:
    """Return the county's Sunday rota (轮值服务), shaped like ``[hours.rota]``.

    Keys: ``intervals`` (hours of the window on duty), ``anchor`` (a Sunday
    on which ``cycle[0]`` serves), ``cycle`` (lists of window ids, repeating
    week by week) and ``dates`` (explicit Sundays, ``"YYYY-MM-DD"`` to window
    ids). Used when neither the config nor :func:`govhall_opening_hours` sets
    ``rota``. This is a county hook.

    Example::

        import datetime as dt

        @hookimpl
        def govhall_duty_rota(county):
            return {"intervals": [["09:00", "11:00"], ["14:00", "16:00"]],
                    "anchor": dt.date(2026, 1, 4), "cycle": [["tax"], ["social"]]}
    """


@hookspec
def govhall_extra_closures(county: str) -> list[dict[str, Any]] | None:
    """Return the county's own closed days, shaped like ``[[calendar.closures]]`` entries.

    Each entry has ``date``, optional ``until`` (included) and ``reason``. A
    closed day is not a working day; duty windows keep their holiday hours.
    Every plugin's answer is added to the config's ``[[calendar.closures]]``.
    This is a county hook.

    Example::

        import datetime as dt

        @hookimpl
        def govhall_extra_closures(county):
            return [{"date": dt.date(2026, 11, 2), "reason": "大厅搬迁"}]
    """


@hookspec(firstresult=True)
def govhall_deadline_rule(county: str) -> DeadlineRule | None:
    """Return how the county counts a case's time limit.

    The built-in rule is the standard one: the day of receipt is not counted, the
    case is due at the window's closing time on the N-th working day after
    it, a receipt after closing time or on a rest day counts from the next
    working day, and the status is ``due_soon`` when at most one counted
    working day remains. The config's ``[deadlines]`` overrides single fields.
    This is a county hook.

    Example::

        from govhall import DeadlineRule

        @hookimpl
        def govhall_deadline_rule(county):
            return DeadlineRule(count_receipt_day=True)  # a county that counts day 1
    """


@hookspec(firstresult=True)
def govhall_approval_chain(
    county: str, config: HallConfig, item: ServiceItem
) -> ApprovalChain | None:
    """Return the approval chain (审批链) of a service item, or ``None`` for the default.

    The chain lists the levels a case goes through in order, each with a
    role; a step may be conditional (only some cases take it), delegated to
    the window, and carry a time budget in working days. ``depth`` counts the
    unconditional levels; ``on_the_spot`` is true when every step is
    delegated and ``spot_allowed`` is not ``False``. A ``[[chains]]`` entry in
    the hall config wins over this hook; without either, the built-in default
    is one window level, delegated for immediate items. This is a county hook.

    Example::

        from govhall import hookimpl
        from govhall.assessment.chains import build_chain

        @hookimpl
        def govhall_approval_chain(county, config, item):
            if item.window != "guihua":
                return None
            return build_chain(
                item.id,
                ["科室审查", "主管主任", "主任", "主管县长",
                 {"role": "县规划委员会", "condition": "when the item needs the committee"}],
                spot_allowed=False,
                source="《行政服务中心窗口自查报告》一(二)",
            )
    """


@hookspec(firstresult=True)
def govhall_satisfied_level(county: str) -> int | None:
    """Return the least rating level (1-5) that counts as satisfied in the county.

    It decides the KPI ``satisfaction_rate`` and, with composite weights, the
    ``citizens`` source of a window's score. The built-in default is 3
    (基本满意 and above); a county whose source counts only 满意 answers 4, so
    that 一般 (3) is not counted as satisfied. This is a county hook.

    Example::

        @hookimpl
        def govhall_satisfied_level(county):
            return 4  # 一般 is not 满意
    """


@hookspec(firstresult=True)
def govhall_scoring_weights(county: str) -> dict[str, float] | None:
    """Return the weights of a window's monthly score sources, or ``None`` for none.

    With weights, a window's monthly score is a composite on a 100-point
    scale, capped at 100: the sources ``window_head`` (窗口负责人评分),
    ``managers`` (管理人员评分), ``inspection`` (现场考查评分: the monthly
    rulebook score) and ``citizens`` (办事群众满意度: the share of ratings at
    or above the county's :func:`govhall_satisfied_level`, × 100), each
    weighted. This is the method《关于行政服务中心窗口服务的调查报告》四(一)1(1)
    recommends (多途径、多角度百分制合成法); the report also says the hall it
    studies has no assessment system yet (三(三)), so a county that answers
    this hook adopts the recommendation as its own assumption. A source with
    no score in a month shares its weight among the others. Without weights
    (the default) a window's score is the rulebook score alone. ``[scoring.weights]``
    in the hall config wins over this hook. This is a county hook.

    Example::

        @hookimpl
        def govhall_scoring_weights(county):
            return {"window_head": 0.2, "managers": 0.2, "inspection": 0.3, "citizens": 0.3}
    """


@hookspec
def govhall_rulebook_overrides(county: str) -> dict[str, Any] | None:
    """Return parameter overrides for the reference rulebooks, by parameter name.

    Names are ``<rulebook>.<category>.<rule>.<number>`` (``govhall score``
    explains them; ``docs/scoring.md`` lists them), e.g.
    ``window.time-limit.overdue.points``. A plain number replaces the
    parameter's history; a list of ``{"since": date, "value": number,
    "source": text}`` adds dated values, so past months keep the rules in force
    then. Answers are applied in order built-in, county plugin, then the
    config's ``[scoring.parameters]``; every step returns a changed copy. This
    is a county hook.

    Example::

        import datetime as dt

        @hookimpl
        def govhall_rulebook_overrides(county):
            return {"window.time-limit.overdue.points": [
                {"since": dt.date(2012, 1, 1), "value": 3, "source": "county notice 2012-1"}]}
    """


@hookspec
def govhall_reward_rules(county: str) -> dict[str, Any] | None:
    """Return the county's annual grade and reward rules, shaped like ``[rewards]``.

    Keys: ``demonstration_windows``, ``grade_thresholds`` (``excellent``,
    ``competent``, ``basically_competent``), ``excellent_quota``,
    ``allowance_per_month`` (yuan), ``on_post`` (``data`` or ``config``),
    ``service_model_award`` (yuan), ``service_model_winners``, and ``notes``
    (a mapping from key to the source passage or assumption it rests on, shown
    next to each payment). Answers merge key by key: built-in defaults, then
    the county plugin, then the config's ``[rewards]``. This is a county hook.

    Example::

        @hookimpl
        def govhall_reward_rules(county):
            return {"allowance_per_month": 365,
                    "notes": {"allowance_per_month": "《关于行政服务中心窗口服务的调查报告》"}}
    """


@hookspec
def govhall_rating_limits(county: str) -> dict[str, Any] | None:
    """Return the county's rules for bad-rating work orders (差评工单), shaped like ``[ratings]``.

    Keys: ``verify_days`` (核实), ``rectify_days`` (整改), ``reply_days``
    (回访/反馈, when the order is due), each a number of working days counted
    from the rating by the hall's calendar and the case counting rule;
    ``time_limit_tags`` (tags that complain about the time a case took; such
    an order is checked against the case's own deadline); ``repeated``
    (``latest`` or ``all``: how several ratings of one case from one channel
    count); and ``notes`` (key to the source or assumption behind its value).
    Answers merge key by key: built-in defaults, then the county plugin, then
    the config's ``[ratings]``. This is a county hook.

    Example::

        @hookimpl
        def govhall_rating_limits(county):
            return {"rectify_days": 5, "reply_days": 5,
                    "notes": {"rectify_days": "county notice: 5个工作日内整改反馈"}}
    """
