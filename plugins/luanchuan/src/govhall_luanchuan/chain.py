"""Luanchuan's approval chain for planning items (《行政服务中心窗口自查报告》一(二)).

The report of 栾川县城乡规划办公室, part 一 (主要工作及成效), item (二), whose
heading is "嚴格按要求實行窗口業務員A、B崗制度" but whose text is about
approval instead (the A/B-post text itself is missing in the source; the
report also has no part 二, it goes from 一 to 三):
"我辦所有審批事項均實行四級審批制度，即科室出具審查意見後
報主管主任、主任和主管縣長審批，有的甚至還要上縣規劃委員會進行研究，所有審批事項
均需拿回單位審核、簽字、蓋章，致使所有審批項目不能夠當場辦理".

So every planning item goes through four levels, some also through the
county planning committee, and none can be concluded on the spot. The roles
are written as the source writes them: 主管主任 and 主管县长 are "in charge";
the source does not say 副 (deputy). It names no item that needs the
committee and gives no time per level: the
committee step is conditional (free-text condition) and no budget is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govhall import hookimpl
from govhall.domain import ApprovalChain, ChainStep

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.model import ServiceItem

CHAIN_SOURCE = (
    "《行政服务中心窗口自查报告》一(二) (栾川县城乡规划办公室; heading 窗口业务员A、B岗制度, "
    "text on the 四级审批制度)"
)
PLANNING_WINDOW = "guihua"
"""The planning office window (规划办窗口); every item there is a planning item."""

CHAIN_STEPS = (
    ChainStep(1, "科室审查"),  # 科室出具审查意见 (section review)
    ChainStep(2, "主管主任"),  # 报主管主任 (the director in charge; the source has no 副)
    ChainStep(3, "主任"),  # 主任 (director)
    ChainStep(4, "主管县长"),  # 主管县长 (the county head in charge; no 副 either)
    ChainStep(
        5,
        "县规划委员会",
        # 有的甚至还要上县规划委员会进行研究 (which items: not stated)
        condition="when the case must go to the county planning committee for study",
    ),
)


@hookimpl
def govhall_approval_chain(config: HallConfig, item: ServiceItem) -> ApprovalChain | None:
    """Return the four-level planning chain (+ committee) for items at the planning window."""
    if item.window != PLANNING_WINDOW:
        return None
    # 所有审批事项均需拿回单位审核、签字、盖章 -> never on the spot
    return ApprovalChain(item.id, CHAIN_STEPS, spot_allowed=False, source=CHAIN_SOURCE)
