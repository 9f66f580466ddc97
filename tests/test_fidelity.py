"""What the source documents say, no more and no less: the corrections, each pinned by a test."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from govhall import open_hall
from govhall.assessment.rewards import PROCEDURE
from govhall.plugins import hookspecs
from govhall.samples import PROFILES

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
CSV_HEAD = {
    "cases.csv": "case_id,window,item,kind,received_at,status,concluded_at,visits,staff\n",
    "ratings.csv": "case_id,window,staff,level,rated_at,channel\n",
    "findings.csv": "date,window,staff,rule,count,points\n",
}


def _folder(path: Path, **rows: list[str]) -> Path:
    path.mkdir()
    for name, head in CSV_HEAD.items():
        body = "".join(row + "\n" for row in rows.get(name.removesuffix(".csv"), []))
        (path / name).write_text(head + body, encoding="utf-8")
    return path


# 1. Zhenhai's composite: the report's recommendation, on a 100-point scale.


def test_the_composite_is_capped_at_100(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    rated = [f"c{i},gongshang,,5,2010-03-0{i}T10:05,pad" for i in (2, 3)]
    cases = [
        f"c{i},gongshang,individual-business-registration,immediate,2010-03-0{i}T09:30,"
        f"concluded,2010-03-0{i}T10:00,1,"
        for i in (2, 3)
    ]
    praise = ["2010-03-10,gongshang,,window.evaluation.media-province,2,"]
    data = _folder(tmp_path / "d", cases=cases, ratings=rated, findings=praise)
    (window,) = [s for s in hall.score(data, "2010-03").windows if s.subject == "gongshang"]
    assert window.assessment is not None
    assert window.assessment.score == 110
    assert window.score == 100
    assert window.lines[-1].rule == "composite.maximum"
    assert window.lines[-1].points == Decimal(-5)  # (110 + 100) / 2 = 105, capped


def test_the_composite_is_described_as_a_recommendation_adopted_as_an_assumption() -> None:
    import govhall_zhenhai.scoring as zhenhai

    for text in (hookspecs.govhall_scoring_weights.__doc__ or "", zhenhai.__doc__ or ""):
        assert "recommend" in text
        assert "百分制" in text
    scoring_page = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert "recommend" in scoring_page
    assert "adopted by this deployment" in (ROOT / "plugins/zhenhai/README.md").read_text(
        encoding="utf-8"
    )


def test_zhenhai_lists_the_six_assessment_contents_of_the_report() -> None:
    from govhall_zhenhai.scoring import ASSESSMENT_CONTENTS

    names = [name for _, name, _ in ASSESSMENT_CONTENTS]
    assert names == [
        "领导重视程度",
        "审批事项纳入情况",
        "窗口配合和人员授权情况",
        "群众办事满意程度",
        "窗口工作人员到位情况",
        "窗口工作人员遵纪守法情况",
    ]


# 2. Zhenhai satisfaction: 94% 满意; 一般 is not counted.


@pytest.fixture(scope="module")
def zhenhai_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zhenhai")
    open_hall(ZHENHAI).write_sample(out)
    return out


def test_the_zhenhai_sample_gives_the_survey_s_94_percent(zhenhai_sample: Path) -> None:
    hall = open_hall(ZHENHAI)
    assert hall.satisfied_level == 4
    kpis = hall.kpis(zhenhai_sample).kpis
    assert (kpis.ratings, kpis.satisfied) == (998, 938)
    assert kpis.satisfaction_rate is not None
    assert round(kpis.satisfaction_rate * 100, 1) == 94.0


def test_other_counties_keep_the_national_level_3(tmp_path: Path) -> None:
    hall = open_hall(ROOT / "configs" / "pinghu.toml")
    assert hall.satisfied_level == 3
    rated = [f"r{level},police,,{level},2026-03-02T10:00,pad" for level in (5, 4, 3, 2)]
    cases = [
        f"r{level},police,residence-certificate,immediate,2026-03-02T09:00,concluded,"
        "2026-03-02T09:30,1,"
        for level in (5, 4, 3, 2)
    ]  # a rating names a case of the folder (else it is an orphan, rejected)
    data = _folder(tmp_path / "d", cases=cases, ratings=rated)
    assert hall.kpis(data).kpis.satisfied == 3


# 3. The survey's questionnaires are not case data.


def test_the_sample_labels_the_survey_shares_as_its_own_assumption() -> None:
    source = PROFILES["zhenhai"].source
    assert "the sample's assumption" in source
    assert "《关于行政服务中心窗口服务的调查报告》" in source


# 4. The staff result is annual; annual rules apply once to the year.


def test_leave_over_15_days_costs_5_points_in_the_year(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    rule = "staff.attendance.leave-over-15-days"
    findings = [f"2010-{m:02d}-10,fagai,fagai-a,{rule},1," for m in range(1, 13)]
    findings += [f"2010-{m:02d}-10,fagai,fagai-b,window.cleanliness.untidy,1," for m in (1,)]
    data = _folder(tmp_path / "d", findings=findings[11:])  # one finding, in December
    staff = {s.staff: s for s in hall.rewards(data, 2010).staff}
    assert staff["fagai-a"].score == 95
    lines = [line for line in staff["fagai-a"].assessment.lines if line.rule == rule]  # type: ignore[union-attr]
    assert [line.points for line in lines] == [-5]
    # noted twice in the year, it still applies once
    twice = _folder(tmp_path / "e", findings=[findings[2], findings[11]])
    assert {s.staff: s for s in hall.rewards(twice, 2010).staff}["fagai-a"].score == 95


def test_an_annual_rule_gives_no_points_in_a_month(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    rule = "staff.attendance.leave-over-15-days"
    data = _folder(tmp_path / "d", findings=[f"2010-03-10,fagai,fagai-a,{rule},1,"])
    (person,) = [s for s in hall.score(data, "2010-03").staff if s.subject == "fagai-a"]
    assert person.score == 100
    assert [line.points for line in person.lines if line.rule == rule] == [0]


def test_the_staff_year_is_one_assessment_not_a_mean_of_months(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    quarrels = [f"2010-{m:02d}-10,fagai,fagai-a,staff.conduct.quarrel,1," for m in (3, 4, 5, 6)]
    data = _folder(tmp_path / "d", findings=quarrels)
    result = hall.rewards(data, 2010)
    person = {s.staff: s for s in result.staff}["fagai-a"]
    # four quarrels in the year: 4 × 5 = 20, the whole 思想品德 allotment
    assert person.score == 80
    document = result.to_json()
    lines = next(s for s in document["staff"] if s["staff"] == "fagai-a")["lines"]
    assert {line["rule"]: line["points"] for line in lines} == {"staff.conduct.quarrel": -20}


# 5. Luanchuan: the chain's passage, the roles as written, A/B posts labelled.


def test_luanchuan_chain_cites_the_section_that_exists() -> None:
    hall = open_hall(ROOT / "configs" / "luanchuan.toml")
    chain = hall.chain("site-selection")
    assert "《行政服务中心窗口自查报告》一(二)" in chain.source
    assert "二(二)" not in chain.source
    assert [step.role for step in chain.steps][:4] == ["科室审查", "主管主任", "主任", "主管县长"]


def test_a_b_posts_are_labelled_general_knowledge() -> None:
    from govhall.assessment import posts

    assert "general domain knowledge" in " ".join((posts.__doc__ or "").split())
    readme = (ROOT / "plugins/luanchuan/README.md").read_text(encoding="utf-8")
    assert "general domain knowledge" in " ".join(readme.split())
    assert "Not in this plugin (yet)" not in readme


# The annual procedure, in the rewards output.


def test_rewards_lists_the_year_end_procedure_with_rounds_and_data(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    document = hall.rewards(_folder(tmp_path / "d"), 2010).to_json()
    steps = document["procedure"]
    assert [s["step"] for s in steps] == [s.id for s in PROCEDURE]
    assert [s["step"] for s in steps][-4:] == [
        "window-round",
        "hall-round",
        "director-meeting",
        "prizes",
    ]
    assert all(s["round"] and s["needs"] and s["source"].startswith("《") for s in steps)
    assessment = steps[0]
    assert "督查科" in assessment["by"]
    assert "综合科" in assessment["needs"]


# Citations users can follow.


def test_shipped_text_cites_documents_by_title_not_by_seed_number() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "src", "plugins", "configs", "docs", "bench", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    offenders = []
    for name in listed:
        path = ROOT / name
        if path.suffix in {".png", ".ico"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"第[一二三四五]篇|\bseed 第|\bseeds?/", line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_the_rulebooks_cite_the_rules_by_title() -> None:
    from govhall.assessment.rulebook import reference_rulebook

    for book_id in ("window", "staff"):
        book = reference_rulebook(book_id)
        assert book.source.startswith("《县行政服务中心窗口服务考核实施细则》")
        assert all(
            rule.source.startswith("《县行政服务中心窗口服务考核实施细则》")
            for rule in book.rules()
            if rule.kind != "work_orders"
        )
        # the work-order rules are not in the 细则 (off by default): they cite the national
        # opinion that asks for bad ratings to be rectified, by its title
        national = "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》"
        assert all(
            rule.source.startswith(national) for rule in book.rules() if rule.kind == "work_orders"
        )


def test_the_rewards_command_prints_the_procedure(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from govhall.cli import main
    from govhall.session import open_hall

    data = tmp_path / "d"
    open_hall(ZHENHAI).write_sample(data, rows=300)  # a year with data: an empty one exits 1
    runner = CliRunner()
    result = runner.invoke(main, ["rewards", str(ZHENHAI), "--data", str(data), "--year", "2010"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"^window-round +first round, in each window +the personal summaries", result.stdout, re.M
    )
    as_json = runner.invoke(
        main, ["rewards", str(ZHENHAI), "--data", str(data), "--year", "2010", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    assert '"step": "director-meeting"' in as_json.stdout


def _pinghu_with_level(level: object) -> object:
    import types

    import govhall_pinghu

    from govhall import hookimpl

    def govhall_satisfied_level(county: str) -> object:
        return level

    own = {n: getattr(govhall_pinghu, n) for n in dir(govhall_pinghu) if n.startswith("govhall_")}
    own["govhall_satisfied_level"] = hookimpl(govhall_satisfied_level)
    return types.SimpleNamespace(**own)


def test_a_county_satisfied_level_outside_1_to_5_is_a_plugin_error() -> None:
    from govhall.errors import PluginError
    from govhall.plugins import get_plugin_manager

    plugged = get_plugin_manager(
        load_entry_points=False, plugins=[("pinghu", _pinghu_with_level(7))]
    )
    hall = open_hall(ROOT / "configs" / "pinghu.toml", manager=plugged)
    with pytest.raises(
        PluginError, match="'pinghu', hook govhall_satisfied_level: expected a level"
    ):
        _ = hall.satisfied_level


def test_the_composite_citizens_source_counts_at_the_county_level(tmp_path: Path) -> None:
    hall = open_hall(ZHENHAI)
    rated = [f"c{level},gongshang,,{level},2010-03-02T10:05,pad" for level in (5, 4, 3, 2)]
    cases = [
        f"c{level},gongshang,individual-business-registration,immediate,2010-03-02T09:30,"
        "concluded,2010-03-02T10:00,1,"
        for level in (5, 4, 3, 2)
    ]
    data = _folder(tmp_path / "d", cases=cases, ratings=rated)
    (window,) = [s for s in hall.score(data, "2010-03").windows if s.subject == "gongshang"]
    citizens = next(line for line in window.lines if line.rule == "composite.citizens")
    assert citizens.note.startswith("2 of 4 ratings at level >= 4")
