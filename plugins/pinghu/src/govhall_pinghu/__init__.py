"""govhall county plugin for 平湖行政服务中心 (Pinghu, Zhejiang).

Facts come from the seed document 第一篇 "平湖行政服务中心窗口服务电话表"
(``shared/seeds``); each value below says where.
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl

COUNTY_ID = "pinghu"
SEED = "第一篇 平湖行政服务中心窗口服务电话表"


@hookimpl
def govhall_county() -> County:
    """Serve the county ``pinghu``."""
    return County(id=COUNTY_ID, name="平湖行政服务中心", province="浙江", seed=SEED)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return Pinghu's hall identity, phones and the windows the seed names."""
    return {
        "hall": {
            "id": COUNTY_ID,
            "name": "平湖行政服务中心",  # seed 第一篇, title
            "county": county,
            "timezone": "Asia/Shanghai",
            "area_code": "0573",  # the area code of both phones in seed 第一篇
            "phones": {
                "consultation": "0573-85061999",  # seed 第一篇: 工作日咨询电话
                "callback": "0573-85061716",  # seed 第一篇: 满意度回访电话
            },
            "source": SEED,
        },
        "windows": [
            # seed 第一篇: 公安窗口全年无休 (the only window the seed names)
            {"id": "police", "name": "公安窗口", "department": "公安局", "source": SEED},
        ],
    }


@hookimpl
def govhall_starter_config(county: str) -> dict[str, Any]:
    """Return the hall defaults plus example items and an A/B staff pair to replace."""
    data = govhall_hall_defaults(county)
    data["items"] = [
        {
            "id": "example-residence-certificate",
            "name": "示例事项：户籍证明（请替换）",
            "window": "police",
            "kind": "immediate",
        },
        {
            "id": "example-household-move",
            "name": "示例事项：户口迁移（请替换）",
            "window": "police",
            "kind": "promised",
            "promised_days": 5,
            "statutory_days": 20,
        },
    ]
    data["staff"] = [
        {"id": "example-a", "name": "示例人员甲", "window": "police", "post": "A"},
        {"id": "example-b", "name": "示例人员乙", "window": "police", "post": "B"},
    ]
    return data
