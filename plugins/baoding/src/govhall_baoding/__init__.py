"""govhall county plugin for 保定市行政服务中心 (Baoding, Hebei).

Facts come from 《保定市行政服务中心电话》, a phone directory whose layout scrambles names and
numbers after the first few lines. Only the pairs the source makes unambiguous
carry a phone; every other window's phone is unset (unknown). The README
explains the reading, and which directory entries are not windows.
"""

from __future__ import annotations

from typing import Any

from govhall import County, hookimpl
from govhall_baoding.scoring import *  # noqa: F403  (its hookimpls, see scoring.__all__)

COUNTY_ID = "baoding"
HALL_NAME = "保定市行政服务中心"
SEED = "《保定市行政服务中心电话》"

# (id, name, spelling in the source, phone or None when unknown), in the source's order.
# Phones are local numbers; the hall's `area_code` (0312) applies to them.
WINDOWS: tuple[tuple[str, str, str, str | None], ...] = (
    # 《保定市行政服务中心电话》, lines 3-6 and the first four numbers of line 9
    # ("保定市 3355000 3355001 3355002 3355003 ..."): one label per line, then
    # the numbers in the same order. These four are the only unambiguous pairs.
    ("fuwutai", "总服务台", "總服務臺", "3355000"),
    ("bangongshi", "办公室", "辦公室", "3355001"),
    ("xiaoneng-jiancha", "效能监察处", "效能監察處", "3355002"),
    ("zonghe-yewu", "综合业务处", "綜合業務處", "3355003"),
    # From here on the layout scrambles labels and numbers: phone unknown.
    # (".副主任", the deputy director's line, is a person's post, not a window.)
    ("gongan", "公安局窗口", "公安局窗口", None),
    ("guoshui-chegoushui", "国税局(车购税)收费窗口", "國稅局(車購稅)收費窗口", None),
    ("gongshang", "工商局窗口", "工商局窗口", None),
    ("caizheng", "财政局窗口", "財政局窗口", None),
    ("wujia", "物价局窗口", "物價局窗口", None),
    ("shangwu", "商务局窗口", "商務局窗口", None),
    ("anjian", "安监局窗口", "安監局窗口", None),
    ("yaojian", "药监局窗口", "藥監局窗口", None),
    ("weisheng", "卫生局窗口", "衛生局窗口", None),
    ("jishu-jiandu", "技术监督局窗口", "技術監督局窗口", None),
    ("yancao", "烟草专卖局窗口", "煙草專賣局窗口", None),
    ("guoziwei", "国资委窗口", "國資委窗口", None),
    ("gongye-yuanqu", "工业园区窗口", "工業園區窗口", None),
    ("guihua", "规划局窗口", "規劃局窗口", None),
    ("jianshe", "建设局窗口", "建設局窗口", None),
    ("fagaiwei", "发改委窗口", "發改委窗口", None),
    # (馬江濤, 梁燕 "預售", 市場處小王: personal contacts, not windows.)
    ("huanbao", "环保局窗口", "環保局窗口", None),
    ("guotu", "国土局窗口", "國土局窗口", None),
    ("anquan", "安全局窗口", "安全局窗口", None),
    ("qixiang", "气象局窗口", "氣象局窗口", None),
    ("xiaofang", "消防支队窗口", "消防支隊窗口", None),
    ("dizhen", "地震局窗口", "地震局窗口", None),
    ("yuanlin", "园林局窗口", "園林局窗口", None),
    ("chengguan", "城管局窗口", "城管局窗口", None),
    ("renfang", "人防办窗口", "人防辦窗口", None),
    ("jiaotong", "交通局窗口", "交通局窗口", None),
    ("fangguan", "房管局窗口", "房管局窗口", None),
    ("shuili", "水利局窗口", "水利局窗口", None),
    ("minzheng", "民政局窗口", "民政局窗口", None),
    ("wenhua", "文化局窗口", "文化局窗口", None),
    ("linye", "林业局窗口", "林業局窗口", None),
    ("laodong", "劳动局窗口", "勞動局窗口", None),
    ("keji", "科技局窗口", "科技局窗口", None),
    ("renshi", "人事局窗口", "人事局窗口", None),
    ("xumu-shuichan", "畜牧水产局窗口", "畜牧水產局窗口", None),
    ("zhengce-zixun", "政策咨询窗口", "政策咨詢窗口", None),
    ("zonghe", "综合窗口", "綜合窗口", None),
    ("chanquan-jiaoyi", "产权交易中心", "產權交易中心", None),
    ("tudi-zhaopaigua", "土地使用权招拍挂服务中心", "土地使用權招拍掛服務中心", None),
    ("zhengfu-caigou", "政府采购中心", "政府采購中心", None),
    ("renbao", "人保公司", "人保公司", None),
    # One line of the source, "東方會計師事務所、商務中心", names two entities.
    ("dongfang-kuaiji", "东方会计师事务所", "東方會計師事務所", None),
    ("shangwu-zhongxin", "商务中心", "商務中心", None),
    # (陳景芳: a personal name, not a window.)
)


@hookimpl
def govhall_county() -> County:
    """Serve the county ``baoding``."""
    return County(id=COUNTY_ID, name=HALL_NAME, province="河北", seed=SEED)


@hookimpl
def govhall_hall_defaults(county: str) -> dict[str, Any]:
    """Return Baoding's hall identity, address and the windows of its directory."""
    windows: list[dict[str, Any]] = []
    for window_id, name, spelling, phone in WINDOWS:
        window: dict[str, Any] = {"id": window_id, "name": name, "source": f"{SEED}: {spelling}"}
        if phone is not None:
            window["phone"] = phone
        windows.append(window)
    return {
        "hall": {
            "id": COUNTY_ID,
            "name": HALL_NAME,  # 《保定市行政服务中心电话》, title and line 2
            "county": county,
            "timezone": "Asia/Shanghai",
            # 《保定市行政服务中心电话》, line 2: "保定市行政服務中心 七一中路"
            "address": "七一中路",
            # Baoding's area code (保定 0312). The source prints local 335xxxx numbers only.
            "area_code": "0312",
            "source": SEED,
        },
        "windows": windows,
    }


@hookimpl
def govhall_starter_config(county: str) -> dict[str, Any]:
    """Return the hall defaults plus example items and an A/B staff pair to replace."""
    data = govhall_hall_defaults(county)
    data["items"] = [
        {
            "id": "example-business-registration",
            "name": "示例事项：企业设立登记（请替换）",
            "window": "gongshang",
            "kind": "promised",
            "promised_days": 5,
        },
        {
            "id": "example-policy-consultation",
            "name": "示例事项：政策咨询（请替换）",
            "window": "zhengce-zixun",
            "kind": "immediate",
        },
    ]
    data["staff"] = [
        {"id": "example-a", "name": "示例人员甲", "window": "gongshang", "post": "A"},
        {"id": "example-b", "name": "示例人员乙", "window": "gongshang", "post": "B"},
    ]
    return data
