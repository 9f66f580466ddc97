"""The built-in defaults, registered as the plugin ``govhall.plugins.builtin``.

Every county plugin sits on top of these; a county overrides a default by
implementing the same hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govhall.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.domain import DeadlineRule
    from govhall.plugins import GovhallPluginManager
    from govhall.problems import Problem


@hookimpl(trylast=True)
def govhall_validate_config(config: HallConfig, manager: GovhallPluginManager) -> list[Problem]:
    """Check ids, window references, time limits, A/B posts, hours and assessment rules."""
    from govhall.assessment.chains import check_config_chains
    from govhall.assessment.rewards import check_reward_rules
    from govhall.assessment.rulebook import check_assessment
    from govhall.config.checks import check_hall, check_time_references

    problems = check_hall(config) + check_time_references(config)
    if config.hall.county in manager.counties():  # else the loader reports the unknown county
        problems += check_assessment(config, manager) + check_reward_rules(config, manager)
    return problems + check_config_chains(config)


DEFAULT_HOURS_NOTE = (
    "built-in default, an assumption (the hall's source gives no hours): working days "
    "09:00–12:00 and 14:00–17:00, closed on rest days; override with [[hours.schedules]]"
)


@hookimpl(trylast=True)
def govhall_opening_hours(county: str) -> dict[str, Any]:
    """Return the assumed hours of a hall whose plugin gives none (see ``DEFAULT_HOURS_NOTE``)."""
    return {
        "note": DEFAULT_HOURS_NOTE,
        "schedules": [{"workday": [["09:00", "12:00"], ["14:00", "17:00"]]}],
    }


@hookimpl(trylast=True)
def govhall_deadline_rule(county: str) -> DeadlineRule:
    """Return the standard counting rule (receipt day not counted, due at closing time)."""
    from govhall.domain import DeadlineRule

    return DeadlineRule()


@hookimpl(trylast=True)
def govhall_satisfied_level(county: str) -> int:
    """Return 3: ratings at 基本满意 or above count as satisfied (the national default)."""
    from govhall.assessment.kpi import SATISFIED_LEVEL

    return SATISFIED_LEVEL


RATING_LIMIT_NOTES = {
    "verify_days": (
        "assumption: 国办发〔2019〕51号 asks for bad ratings to be verified (核实) and sets "
        'no number; 1 working day, as 《辽宁省政务服务"好差评"管理办法》 sets'
    ),
    "rectify_days": (
        "assumption: 国办发〔2019〕51号 asks for rectification within a set time (限期整改) and "
        "sets no number; 15 working days, as the Liaoning measures and several city plans set"
    ),
    "reply_days": (
        "assumption: the answer to the rater (反馈) is due with the rectification, 15 working days"
    ),
    "time_limit_tags": "assumption: the bad-rating tag 无理由超过法定办理时间",
    "repeated": (
        "一事一评 (国办发〔2019〕51号; GB/T 39734-2020): one rating of a case per channel "
        "counts, the latest; earlier ones are reported as replaced"
    ),
}


@hookimpl(trylast=True)
def govhall_rating_limits(county: str) -> dict[str, Any]:
    """Return the built-in work-order rules; every number is a documented assumption."""
    return {
        "verify_days": 1,
        "rectify_days": 15,
        "reply_days": 15,
        "time_limit_tags": ["无理由超过法定办理时间"],
        "repeated": "latest",
        "notes": dict(RATING_LIMIT_NOTES),
    }
