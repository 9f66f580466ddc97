"""govhall county plugin for 栾川县行政服务中心 and its planning window (Luanchuan, Henan).

Facts come from 《行政服务中心窗口自查报告》 of
栾川县城乡规划办公室; each value below says where. The
example service items and staff of the starter config are not source facts.

Hook implementations kept in sibling modules are registered by importing them
into this module (pluggy collects the ``govhall_*`` names of the module the
entry point names).
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl
from govhall_luanchuan.chain import govhall_approval_chain as govhall_approval_chain
from govhall_luanchuan.scoring import *  # noqa: F403  (its hookimpls, see scoring.__all__)

COUNTY_ID = "luanchuan"
SEED = "《行政服务中心窗口自查报告》(栾川县城乡规划办公室)"
HALL_NAME = "栾川县行政服务中心"
"""The source's signatory is 栾川县城乡规划办公室 and it speaks of "县...行政服务中心"."""
PLANNING_WINDOW = "guihua"
EXAMPLE_PROMISED_DAYS = 20
"""Assumption, not a source fact: the source gives no committed time limit (承诺时限)."""


@hookimpl
def govhall_county() -> County:
    """Serve the county ``luanchuan``."""
    return County(id=COUNTY_ID, name=HALL_NAME, province="河南", seed=SEED)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return Luanchuan's hall identity and the planning window the source describes."""
    return {
        "hall": {
            "id": COUNTY_ID,
            # 《行政服务中心窗口自查报告》: signed 欒川縣城鄉規劃辦公室; the hall is
            # "縣...行政服務中心"
            "name": HALL_NAME,
            "county": county,
            "timezone": "Asia/Shanghai",
            "source": SEED,
        },
        "windows": [
            {
                "id": PLANNING_WINDOW,
                # 《行政服务中心窗口自查报告》: "行政服務中心規劃辦窗口" (the only window the
                # source names)
                "name": "规划办窗口",
                # 《行政服务中心窗口自查报告》, heading: "欒川縣城鄉規劃辦公室
                # 行政服務窗口工作自查報告"
                "department": "栾川县城乡规划办公室",
                "source": SEED,
            },
        ],
    }


@hookimpl
def govhall_starter_config(county: str) -> dict[str, Any]:
    """Return the hall defaults plus example planning items and an A/B staff pair."""
    data = govhall_hall_defaults(county)
    # Examples to replace: the source counts 311 planning cases (2010) but names no item.
    # promised_days is an assumption (EXAMPLE_PROMISED_DAYS); the source gives no limit.
    examples = [
        ("example-site-selection", "示例事项：建设项目选址意见书（请替换）"),
        ("example-land-use-permit", "示例事项：建设用地规划许可证（请替换）"),
        ("example-works-permit", "示例事项：建设工程规划许可证（请替换）"),
    ]
    data["items"] = [
        {
            "id": item_id,
            "name": name,
            "window": PLANNING_WINDOW,
            # 《行政服务中心窗口自查报告》: every item is taken back to the office to be signed and
            # sealed, so none is concluded on the spot: promised, never immediate
            "kind": "promised",
            "promised_days": EXAMPLE_PROMISED_DAYS,
        }
        for item_id, name in examples
    ]
    # 《行政服务中心窗口自查报告》一(二), heading only: "嚴格按要求實行窗口業務員A、B崗制度"
    # (B covering for A is general domain knowledge, not in the report); the
    # names are placeholders
    data["staff"] = [
        {"id": "example-a", "name": "示例人员甲", "window": PLANNING_WINDOW, "post": "A"},
        {"id": "example-b", "name": "示例人员乙", "window": PLANNING_WINDOW, "post": "B"},
    ]
    return data
