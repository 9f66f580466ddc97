"""Approval chains: levels, conditional steps, on the spot, budgets, Luanchuan's seed chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.assessment.chains import (
    ApprovalChain,
    ChainStep,
    approval_chain,
    build_chain,
    check_chain,
    default_chain,
)
from govhall.config.load import check_config, load_config
from govhall.county import County
from govhall.errors import LookupFailed, PluginError
from govhall.model import ServiceItem
from govhall.plugins import get_plugin_manager
from govhall.plugins.hookspecs import hookimpl

ROOT = Path(__file__).resolve().parent.parent
PROMISED = ServiceItem(id="p", name="许可", window="w", kind="promised", promised_days=5)
IMMEDIATE = ServiceItem(id="i", name="证明", window="w", kind="immediate")


def test_depth_counts_unconditional_steps_only() -> None:
    chain = build_chain("p", ["科室审查", "主任", {"role": "委员会", "condition": "重大项目"}])
    assert chain.depth == 2
    assert [(s.level, s.role, s.conditional) for s in chain.steps] == [
        (1, "科室审查", False),
        (2, "主任", False),
        (3, "委员会", True),
    ]


def test_all_delegated_is_on_the_spot_unless_forbidden() -> None:
    delegated = [{"role": "窗口", "delegated": True}, {"role": "首席代表", "delegated": True}]
    assert build_chain("i", delegated).on_the_spot is True
    assert build_chain("i", delegated, spot_allowed=False).on_the_spot is False
    mixed = [{"role": "窗口", "delegated": True}, "局长"]
    assert build_chain("i", mixed).on_the_spot is False


def test_default_chain_is_one_window_level() -> None:
    assert default_chain(IMMEDIATE).on_the_spot is True
    assert default_chain(PROMISED).on_the_spot is False
    assert default_chain(PROMISED).depth == 1


def test_budgets_beyond_the_promise_are_a_warning() -> None:
    within = build_chain("p", [{"role": "a", "budget_days": 2}, {"role": "b", "budget_days": 3}])
    assert check_chain(within, PROMISED) == []
    over = build_chain(
        "p",
        [{"role": "a", "budget_days": 4}, {"role": "b", "condition": "x", "budget_days": 3}],
    )
    (problem,) = check_chain(over, PROMISED, key="items[0]")
    assert problem.severity == "warning"
    assert problem.key == "items[0]"
    assert problem.message == (
        "item 'p': the approval levels' budgets add up to 7 working days, more than the 5 promised"
    )


def test_luanchuan_planning_item_has_four_levels_and_is_never_on_the_spot() -> None:
    manager = get_plugin_manager()
    config = load_config(ROOT / "configs" / "luanchuan.toml", manager)
    chain = approval_chain(config, "works-permit", manager)
    assert chain.depth == 4
    assert chain.on_the_spot is False
    assert [step.role for step in chain.steps] == [
        "科室审查",
        "主管主任",
        "主任",
        "主管县长",
        "县规划委员会",
    ]
    assert [step.conditional for step in chain.steps] == [False, False, False, False, True]
    assert chain.source.startswith("《行政服务中心窗口自查报告》")


def test_unknown_item_names_the_known_ones() -> None:
    manager = get_plugin_manager()
    config = load_config(ROOT / "configs" / "luanchuan.toml", manager)
    with pytest.raises(LookupFailed, match="no item with id 'nope'"):
        approval_chain(config, "nope", manager)


class _Broken:
    """A Luanchuan plugin whose chains are not chains."""

    @staticmethod
    @hookimpl
    def govhall_county() -> County:
        return County(id="luanchuan", name="栾川")

    @staticmethod
    @hookimpl
    def govhall_approval_chain(config: object, item: ServiceItem) -> object:
        return "four levels"


class _Custom(_Broken):
    @staticmethod
    @hookimpl
    def govhall_approval_chain(config: object, item: ServiceItem) -> ApprovalChain:
        return ApprovalChain(item.id, (ChainStep(1, "窗口", delegated=True),), source="custom")


def test_govhall_approval_chain_answers_are_checked() -> None:
    config = load_config(ROOT / "configs" / "luanchuan.toml", get_plugin_manager())
    custom = get_plugin_manager(load_entry_points=False, plugins=[("custom", _Custom())])
    assert approval_chain(config, "works-permit", custom).source == "custom"
    broken = get_plugin_manager(load_entry_points=False, plugins=[("broken", _Broken())])
    with pytest.raises(
        PluginError, match=r"plugin .broken., hook govhall_approval_chain: expected"
    ):
        approval_chain(config, "works-permit", broken)


CONFIG_CHAINS = """\
[hall]
county = "luanchuan"

[[items]]
id = "works-permit"
name = "建设工程规划许可证"
window = "guihua"
kind = "promised"
promised_days = 5

[[chains]]
items = ["works-permit"{extra}]
steps = [
  {{ role = "科室审查", budget_days = 3 }},
  {{ role = "主任", budget_days = {budget}, delegated = true }},
]
"""


def test_a_config_chain_wins_over_the_plugin(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(CONFIG_CHAINS.format(extra="", budget=2), encoding="utf-8")
    manager = get_plugin_manager()
    report = check_config(path, manager)
    assert report.valid, report.problems
    assert report.config is not None
    chain = approval_chain(report.config, "works-permit", manager)
    assert chain.source == "hall config"
    assert [(s.role, s.budget_days, s.delegated) for s in chain.steps] == [
        ("科室审查", 3, False),
        ("主任", 2, True),
    ]


def test_config_chain_problems_name_the_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(CONFIG_CHAINS.format(extra=', "ghost"', budget=3), encoding="utf-8")
    report = check_config(path)
    found = [(p.severity, p.key, p.line, p.message) for p in report.problems]
    assert ("error", "chains[0].items[1]", 12, "no item with id 'ghost'") in found
    assert (
        "warning",
        "chains[0].steps",
        13,
        "item 'works-permit': the approval levels' budgets add up to 6 working days, "
        "more than the 5 promised",
    ) in found


def test_a_config_chain_needs_items_or_a_window(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    text = CONFIG_CHAINS.format(extra="", budget=1).replace('items = ["works-permit"]\n', "")
    path.write_text(text, encoding="utf-8")
    report = check_config(path)
    assert not report.valid
    assert any("a chain needs `items` or a `window`" in p.message for p in report.problems)
