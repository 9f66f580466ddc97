"""govhall county plugin for 镇海区行政服务中心 (Zhenhai district, Ningbo, Zhejiang).

Facts come from 《关于行政服务中心窗口服务的调查报告》,
part 一(二). The source is in traditional characters; names
here are simplified, and each window keeps the source's own spelling in
:data:`WINDOWS` and in its ``source``.

The source says "中心现设有服务窗口24个" and then names 25 entries. This plugin
keeps all 25 (see the README for why it does not warn about the count).
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl
from govhall_zhenhai.scoring import *  # noqa: F403  (its hookimpls, see scoring.__all__)

COUNTY_ID = "zhenhai"
HALL_NAME = "镇海区行政服务中心"
SEED = "《关于行政服务中心窗口服务的调查报告》一(二)"
STATED_WINDOW_COUNT = 24
"""The report, 一(二): "中心現設有服務窗口24個" -- but it names 25 (:data:`WINDOWS`)."""

# (id, name, spelling in the source), in the source's order: 《关于行政服务中心窗口服务的调查报告》
# 一(二), the sentence
# "中心現設有服務窗口24個,分別為區發革局、……、區規劃局以及商務中心。"
WINDOWS: tuple[tuple[str, str, str], ...] = (
    ("fagai", "区发改局", "區發革局"),  # typo in the source: 發革 for 發改 (发展和改革局)
    ("waijingmao", "区外经贸局", "區外經貿局"),
    ("tongji", "区统计局", "區統計局"),
    ("zhijian", "区质监分局", "區質監分局"),
    ("huanbao", "区环保局", "區環保局"),
    ("kuaiji", "会计师事务所", "會計師事務所"),
    ("renmin-yinhang", "人民银行", "人民銀行"),
    ("waijiang", "外江管理", "外江管理"),
    ("jianshe-yinhang", "建设银行", "建設銀行"),
    ("weisheng", "区卫生局", "區衛生局"),
    ("qixiang", "区气象局", "區氣象局"),
    ("xiaofang", "区消防大队", "區消防大隊"),
    ("jianjiao", "区建交局", "區建交局"),
    ("chengguan", "区城管局", "區城管局"),
    ("nongye", "区农业局", "區農業局"),
    ("fangguan", "区房管处", "區房管處"),
    ("guotu", "区国土局", "區國土局"),
    ("caizheng", "区财政局", "區財政局"),
    ("fangwu-pinggu", "房屋评估所", "房屋評估所"),
    ("gongshang", "区工商分局", "區工商分局"),
    ("gongzheng", "区公证处", "區公證處"),
    ("dishui", "区地税局", "區地稅局"),
    ("quancheng-daili", "全程代理", "全程代理"),  # full-agency window (全程代理窗口)
    ("guihua", "区规划局", "區規劃局"),
    ("shangwu", "商务中心", "商務中心"),  # joined by 以及 ("and") in the source
)


@hookimpl
def govhall_county() -> County:
    """Serve the county ``zhenhai``."""
    return County(id=COUNTY_ID, name=HALL_NAME, province="浙江", seed=SEED)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return Zhenhai's hall identity and the 25 windows the source names."""
    return {
        "hall": {
            "id": COUNTY_ID,
            # 《关于行政服务中心窗口服务的调查报告》一(二): "以鎮海區行政服務中心為例"
            "name": HALL_NAME,
            "county": county,
            "timezone": "Asia/Shanghai",
            "source": SEED,
        },
        "windows": [
            {"id": window_id, "name": name, "source": f"{SEED}: {spelling}"}
            for window_id, name, spelling in WINDOWS
        ],
    }


@hookimpl
def govhall_starter_config(county: str) -> dict[str, Any]:
    """Return the hall defaults plus example items and an A/B staff pair to replace."""
    data = govhall_hall_defaults(county)
    data["items"] = [
        {
            "id": "example-investment-project",
            "name": "示例事项：企业投资项目备案（请替换）",
            "window": "fagai",
            "kind": "promised",
            "promised_days": 5,
        },
        {
            "id": "example-business-licence",
            "name": "示例事项：个体工商户登记（请替换）",
            "window": "gongshang",
            "kind": "immediate",
        },
    ]
    data["staff"] = [
        {"id": "example-a", "name": "示例人员甲", "window": "fagai", "post": "A"},
        {"id": "example-b", "name": "示例人员乙", "window": "fagai", "post": "B"},
    ]
    return data
