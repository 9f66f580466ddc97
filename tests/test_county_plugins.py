"""The Zhenhai, Luanchuan and Baoding plugins: installed, loadable, and true to their seeds."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
PLUGINS = ROOT / "plugins"
SEEDS = ROOT.parent / "shared" / "seeds"

# county -> (distribution, module, hall id, hall name, windows in the plugin defaults)
COUNTIES = {
    "zhenhai": ("govhall-zhenhai", "govhall_zhenhai", "zhenhai", "镇海区行政服务中心", 25),
    "luanchuan": ("govhall-luanchuan", "govhall_luanchuan", "luanchuan", "栾川县行政服务中心", 1),
    "baoding": ("govhall-baoding", "govhall_baoding", "baoding", "保定市行政服务中心", 47),
}

_COMMON_HOOKS = (
    "govhall_county",
    "govhall_hall_defaults",
    "govhall_reward_rules",
    "govhall_rulebook_overrides",
    "govhall_scoring_weights",
    "govhall_starter_config",
)
EXPECTED_HOOKS = {
    # Zhenhai also counts only 满意 as satisfied (govhall_satisfied_level).
    "zhenhai": tuple(sorted((*_COMMON_HOOKS, "govhall_satisfied_level"))),
    "baoding": _COMMON_HOOKS,
    # Luanchuan also ships the four-level planning chain (《行政服务中心窗口自查报告》一(二)).
    "luanchuan": tuple(sorted((*_COMMON_HOOKS, "govhall_approval_chain"))),
}

# 《关于行政服务中心窗口服务的调查报告》一(二), transcribed in simplified characters (the source's
# 區發革局 is a typo
# of 区发改局), in the source's order. The source says 24 windows and names these 25.
ZHENHAI_SEED_SENTENCE = (
    "中心現設有服務窗口24個,分別為區發革局、區外經貿局、區統計局、區質監分局、區環保局、"
    "會計師事務所、人民銀行、外江管理、建設銀行、區衛生局、區氣象局、區消防大隊、區建交局、"
    "區城管局、區農業局、區房管處、區國土局、區財政局、房屋評估所、區工商分局、區公證處、"
    "區地稅局、全程代理、區規劃局以及商務中心。"
)
ZHENHAI_NAMES = [
    "区发改局",
    "区外经贸局",
    "区统计局",
    "区质监分局",
    "区环保局",
    "会计师事务所",
    "人民银行",
    "外江管理",
    "建设银行",
    "区卫生局",
    "区气象局",
    "区消防大队",
    "区建交局",
    "区城管局",
    "区农业局",
    "区房管处",
    "区国土局",
    "区财政局",
    "房屋评估所",
    "区工商分局",
    "区公证处",
    "区地税局",
    "全程代理",
    "区规划局",
    "商务中心",
]
BAODING_PHONES = {
    "fuwutai": "3355000",  # 总服务台, front desk
    "bangongshi": "3355001",  # 办公室, office
    "xiaoneng-jiancha": "3355002",  # 效能监察处, efficiency supervision
    "zonghe-yewu": "3355003",  # 综合业务处, general business
}
BAODING_PEOPLE = ("马江涛", "梁燕", "小王", "陈景芳", "副主任")


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    return result


def _show(config: Path) -> dict[str, Any]:
    result = _invoke("show", str(config), "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize("county", sorted(COUNTIES))
def test_plugin_is_registered_under_its_entry_point(county: str) -> None:
    distribution, module, *_ = COUNTIES[county]
    (entry_point,) = [ep for ep in entry_points(group="govhall") if ep.name == county]
    assert entry_point.value == module
    assert entry_point.dist is not None
    assert entry_point.dist.name == distribution


@pytest.mark.parametrize("county", sorted(COUNTIES))
def test_plugin_loads_through_the_entry_point(county: str) -> None:
    manager = get_plugin_manager()
    assert [error for error in manager.load_errors if error.name == county] == []
    assert manager.county_plugin(county) == county
    assert manager.counties()[county].name == COUNTIES[county][3]
    info = next(info for info in manager.plugin_infos() if info.name == county)
    assert info.hooks == EXPECTED_HOOKS[county]


def test_plugins_json_lists_all_four_counties_without_errors() -> None:
    result = _invoke("plugins", "--json")
    assert result.exit_code == 0, result.output
    listed = {p["county"]: p for p in json.loads(result.stdout)["plugins"] if p["county"]}
    for county in ("pinghu", *COUNTIES):
        assert listed[county]["error"] is None


@pytest.mark.parametrize("county", sorted(COUNTIES))
def test_init_writes_a_config_that_validates(county: str, tmp_path: Path) -> None:
    path = tmp_path / "tmp.toml"
    written = _invoke("init", county, str(path))
    assert written.exit_code == 0, written.output
    checked = _invoke("validate", str(path), "--json")
    assert checked.exit_code == 0, checked.output
    (report,) = json.loads(checked.stdout)["files"]
    assert report["valid"] is True
    # A starter config leaves the source's three missing numbers for the operator to set.
    assert [(p["severity"], p["key"]) for p in report["problems"]] == [
        ("warning", "scoring"),
        ("warning", "scoring.parameters"),
        ("warning", "scoring.parameters"),
        ("warning", "scoring.parameters"),
    ]
    assert all(p["line"] is None for p in report["problems"])
    assert "add up to 80, not the base 100" in report["problems"][0]["message"]
    shown = _show(path)
    assert len(shown["windows"]) == COUNTIES[county][4]
    assert {s["post"] for s in shown["staff"]} == {"A", "B"}


def test_the_repository_configs_validate() -> None:
    result = _invoke("validate", str(CONFIGS), "--json")
    assert result.exit_code == 0, result.output
    reports = {Path(r["path"]).name: r for r in json.loads(result.stdout)["files"]}
    for county in ("pinghu", *COUNTIES):
        assert reports[f"{county}.toml"]["valid"] is True
        # The configs set the source's missing numbers; the source's 80-vs-100 remains.
        (problem,) = reports[f"{county}.toml"]["problems"]
        assert (problem["severity"], problem["key"]) == ("warning", "scoring")
        assert "add up to 80, not the base 100" in problem["message"]


@pytest.mark.parametrize("county", sorted(COUNTIES))
def test_show_has_the_hall_and_its_windows(county: str) -> None:
    _, _, hall_id, hall_name, window_count = COUNTIES[county]
    shown = _show(CONFIGS / f"{county}.toml")
    assert (shown["hall"]["id"], shown["hall"]["name"]) == (hall_id, hall_name)
    assert shown["hall"]["county"] == county
    assert len(shown["windows"]) == window_count
    window_ids = {w["id"] for w in shown["windows"]}
    assert len(window_ids) == window_count
    assert all(re.fullmatch(r"[a-z][a-z-]*[a-z]", wid) for wid in window_ids)
    assert {i["window"] for i in shown["items"]} <= window_ids


def test_zhenhai_window_names_are_the_seed_list() -> None:
    shown = _show(CONFIGS / "zhenhai.toml")
    assert [w["name"] for w in shown["windows"]] == ZHENHAI_NAMES
    # The source's own spelling (typo included) travels in each window's `source`.
    entries = re.split("、|以及", ZHENHAI_SEED_SENTENCE.split("分別為")[1].rstrip("。"))
    assert [w["source"].rsplit(": ", 1)[1] for w in shown["windows"]] == entries
    assert "24個" in ZHENHAI_SEED_SENTENCE
    assert len(entries) == 25


def test_zhenhai_seed_sentence_is_quoted_verbatim() -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip(f"source documents not present at {SEEDS}")
    assert any(ZHENHAI_SEED_SENTENCE in path.read_text(encoding="utf-8") for path in seeds)


def test_zhenhai_readme_documents_the_count_discrepancy() -> None:
    readme = (PLUGINS / "zhenhai" / "README.md").read_text(encoding="utf-8")
    assert "24-vs-25" in readme
    assert "區發革局" in readme


def test_luanchuan_has_the_planning_window_and_an_ab_pair() -> None:
    shown = _show(CONFIGS / "luanchuan.toml")
    (window,) = shown["windows"]
    assert (window["id"], window["department"]) == ("guihua", "栾川县城乡规划办公室")
    assert sorted((s["post"], s["window"]) for s in shown["staff"]) == [
        ("A", "guihua"),
        ("B", "guihua"),
    ]
    assert {i["kind"] for i in shown["items"]} == {"promised"}


def test_baoding_phones_are_the_unambiguous_pairs_only() -> None:
    shown = _show(CONFIGS / "baoding.toml")
    assert shown["hall"]["address"] == "七一中路"
    assert shown["hall"]["area_code"] == "0312"
    phones = {w["id"]: w["phone"] for w in shown["windows"]}
    assert {wid: phone for wid, phone in phones.items() if phone is not None} == BAODING_PHONES
    assert sum(phone is None for phone in phones.values()) == 47 - 4


def test_baoding_readme_table_matches_the_plugin() -> None:
    readme = (PLUGINS / "baoding" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \d+ \| `([a-z-]+)` \| ([^|]+) \| [^|]+ \| ([^|]+) \|$", readme, re.M)
    documented = {wid: (name.strip(), phone.strip()) for wid, name, phone in rows}
    shown = _show(CONFIGS / "baoding.toml")
    assert documented == {w["id"]: (w["name"], w["phone"] or "unknown") for w in shown["windows"]}


def test_baoding_people_are_not_windows() -> None:
    shown = _show(CONFIGS / "baoding.toml")
    names = " ".join(w["name"] for w in shown["windows"])
    assert [person for person in BAODING_PEOPLE if person in names] == []
