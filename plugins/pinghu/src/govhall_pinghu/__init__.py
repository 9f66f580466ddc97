"""govhall county plugin for 平湖行政服务中心 (Pinghu, Zhejiang).

Facts come from 《平湖行政服务中心窗口服务电话表》; each value below says where.
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl
from govhall_pinghu.scoring import *  # noqa: F403  (its hookimpls, see scoring.__all__)

COUNTY_ID = "pinghu"
SEED = "《平湖行政服务中心窗口服务电话表》"


@hookimpl
def govhall_county() -> County:
    """Serve the county ``pinghu``."""
    return County(id=COUNTY_ID, name="平湖行政服务中心", province="浙江", seed=SEED)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return Pinghu's hall identity, phones and the windows the source names."""
    return {
        "hall": {
            "id": COUNTY_ID,
            "name": "平湖行政服务中心",  # 《平湖行政服务中心窗口服务电话表》, title
            "county": county,
            "timezone": "Asia/Shanghai",
            # the area code of both phones in 《平湖行政服务中心窗口服务电话表》
            "area_code": "0573",
            "phones": {
                # 《平湖行政服务中心窗口服务电话表》: 工作日咨询电话
                "consultation": "0573-85061999",
                "callback": "0573-85061716",  # 《平湖行政服务中心窗口服务电话表》: 满意度回访电话
            },
            "source": SEED,
        },
        "windows": [
            # 《平湖行政服务中心窗口服务电话表》: 公安窗口全年无休 (the only window the source
            # names)
            {"id": "police", "name": "公安窗口", "department": "公安局", "source": SEED},
        ],
    }


# 《平湖行政服务中心窗口服务电话表》: 周一至周五工作日 上午8:30——11:30;下午2:00——5:30
WEEKDAY = [["08:30", "11:30"], ["14:00", "17:30"]]
# 《平湖行政服务中心窗口服务电话表》: 周六、节假日公安值班时间 上午 9:00-11:00 下午 14:00-16:00
DUTY = [["09:00", "11:00"], ["14:00", "16:00"]]

HOURS_NOTE = (
    "《平湖行政服务中心窗口服务电话表》: weekdays 08:30–11:30 and 14:00–17:30; "
    "the police window is open all year "
    "(weekday lunch duty, 09:00–11:00 and 14:00–16:00 on Saturdays and holidays). "
    "Assumptions: police Sunday duty keeps those hours, and a window on the Sunday rota "
    "serves them too; the source names neither the 错时 windows nor the rota windows, so "
    "the config marks them ([hours.windows.<id>] staggered = true, [hours.rota])"
)


@hookimpl
def govhall_opening_hours(county: str) -> dict[str, Any]:
    """Return Pinghu's hall hours and the police window's all-year duty (from its phone list)."""
    return {
        "note": HOURS_NOTE,
        "schedules": [{"workday": WEEKDAY, "saturday": [], "sunday": [], "holiday": []}],
        "windows": {
            "police": {
                # 《平湖行政服务中心窗口服务电话表》: 公安窗口全年无休, 工作日中午、双休、
                # 节假日均有值班
                "staggered": True,  # weekday lunch duty: 08:30–17:30 without a break
                "schedules": [{"saturday": DUTY, "holiday": DUTY, "sunday": DUTY}],
                "note": (
                    "《平湖行政服务中心窗口服务电话表》; "
                    "Sunday hours assumed equal to Saturday duty"
                ),
            }
        },
    }


@hookimpl
def govhall_duty_rota(county: str) -> dict[str, Any]:
    """Return the Sunday rota hours; which windows serve is left to the config (is silent)."""
    # 《平湖行政服务中心窗口服务电话表》: 周日部分窗口实行轮值服务 (which windows: not said; hours
    # assumed = DUTY)
    return {"intervals": DUTY}


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
