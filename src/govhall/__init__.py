"""govhall: a plugin-based SDK for county administrative service centres (行政服务中心).

Public names are imported lazily (PEP 562) so that ``govhall --help`` does
not pay for pydantic; type checkers and readers see them below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from govhall import _moved

_moved.install()

if TYPE_CHECKING:
    from govhall.api import due_at
    from govhall.domain import ApprovalChain
    from govhall.domain import ChainStep
    from govhall.assessment.chains import approval_chain
    from govhall.assessment.chains import build_chain
    from govhall.config.load import ConfigReport
    from govhall.config.load import check_config
    from govhall.config.load import check_paths
    from govhall.config.load import load_config
    from govhall.config.schema import HallConfig
    from govhall.county import County
    from govhall.time.deadlines import Deadline
    from govhall.domain import DeadlineRule
    from govhall.errors import ConfigError
    from govhall.errors import GovhallError
    from govhall.errors import LookupFailed
    from govhall.errors import PluginError
    from govhall.errors import UnknownCountyError
    from govhall.plugins.hookspecs import hookimpl
    from govhall.assessment.kpi import Kpis
    from govhall.assessment.kpi import compute_kpis
    from govhall.model import Hall
    from govhall.model import ServiceItem
    from govhall.model import Staff
    from govhall.model import Window
    from govhall.params import DatedValue
    from govhall.params import Parameter
    from govhall.params import ParameterSet
    from govhall.plugins import GovhallPluginManager
    from govhall.plugins import get_plugin_manager
    from govhall.problems import Problem
    from govhall.readers import ReadReport
    from govhall.readers import read_cases
    from govhall.readers import read_findings
    from govhall.readers import read_ratings
    from govhall.readers.folder import DataFolder
    from govhall.records import Case
    from govhall.records import Finding
    from govhall.records import Rating
    from govhall.assessment.rewards import RewardRules
    from govhall.assessment.rewards import YearResult
    from govhall.assessment.rewards import annual_results
    from govhall.assessment.rewards import reward_rules
    from govhall.assessment.rulebook import Rulebook
    from govhall.assessment.rulebook import hall_rulebooks
    from govhall.assessment.rulebook import reference_rulebook
    from govhall.assessment.scoring import Line
    from govhall.assessment.scoring import Month
    from govhall.assessment.scoring import MonthScores
    from govhall.assessment.scoring import Score
    from govhall.assessment.scoring import Scorer
    from govhall.session import HallSession
    from govhall.session import open_hall
    from govhall.time.workdays import WorkCalendar

__version__ = "0.1.0"

_LOCATIONS = {
    "ApprovalChain": "govhall.domain",
    "Case": "govhall.records",
    "ChainStep": "govhall.domain",
    "ConfigError": "govhall.errors",
    "ConfigReport": "govhall.config.load",
    "County": "govhall.county",
    "DataFolder": "govhall.readers.folder",
    "DatedValue": "govhall.params",
    "Deadline": "govhall.time.deadlines",
    "DeadlineRule": "govhall.domain",
    "Finding": "govhall.records",
    "GovhallError": "govhall.errors",
    "GovhallPluginManager": "govhall.plugins",
    "Hall": "govhall.model",
    "HallConfig": "govhall.config.schema",
    "HallSession": "govhall.session",
    "Kpis": "govhall.assessment.kpi",
    "Line": "govhall.assessment.scoring",
    "LookupFailed": "govhall.errors",
    "Month": "govhall.assessment.scoring",
    "MonthScores": "govhall.assessment.scoring",
    "Parameter": "govhall.params",
    "ParameterSet": "govhall.params",
    "PluginError": "govhall.errors",
    "Problem": "govhall.problems",
    "Rating": "govhall.records",
    "ReadReport": "govhall.readers",
    "RewardRules": "govhall.assessment.rewards",
    "Rulebook": "govhall.assessment.rulebook",
    "Score": "govhall.assessment.scoring",
    "Scorer": "govhall.assessment.scoring",
    "ServiceItem": "govhall.model",
    "Staff": "govhall.model",
    "UnknownCountyError": "govhall.errors",
    "Window": "govhall.model",
    "WorkCalendar": "govhall.time.workdays",
    "YearResult": "govhall.assessment.rewards",
    "annual_results": "govhall.assessment.rewards",
    "approval_chain": "govhall.assessment.chains",
    "build_chain": "govhall.assessment.chains",
    "check_config": "govhall.config.load",
    "check_paths": "govhall.config.load",
    "compute_kpis": "govhall.assessment.kpi",
    "due_at": "govhall.api",
    "get_plugin_manager": "govhall.plugins",
    "hall_rulebooks": "govhall.assessment.rulebook",
    "hookimpl": "govhall.plugins.hookspecs",
    "load_config": "govhall.config.load",
    "open_hall": "govhall.session",
    "read_cases": "govhall.readers",
    "read_findings": "govhall.readers",
    "read_ratings": "govhall.readers",
    "reference_rulebook": "govhall.assessment.rulebook",
    "reward_rules": "govhall.assessment.rewards",
}

__all__ = [
    "ApprovalChain",
    "Case",
    "ChainStep",
    "ConfigError",
    "ConfigReport",
    "County",
    "DataFolder",
    "DatedValue",
    "Deadline",
    "DeadlineRule",
    "Finding",
    "GovhallError",
    "GovhallPluginManager",
    "Hall",
    "HallConfig",
    "HallSession",
    "Kpis",
    "Line",
    "LookupFailed",
    "Month",
    "MonthScores",
    "Parameter",
    "ParameterSet",
    "PluginError",
    "Problem",
    "Rating",
    "ReadReport",
    "RewardRules",
    "Rulebook",
    "Score",
    "Scorer",
    "ServiceItem",
    "Staff",
    "UnknownCountyError",
    "Window",
    "WorkCalendar",
    "YearResult",
    "__version__",
    "annual_results",
    "approval_chain",
    "build_chain",
    "check_config",
    "check_paths",
    "compute_kpis",
    "due_at",
    "get_plugin_manager",
    "hall_rulebooks",
    "hookimpl",
    "load_config",
    "open_hall",
    "read_cases",
    "read_findings",
    "read_ratings",
    "reference_rulebook",
    "reward_rules",
]


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'govhall' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
