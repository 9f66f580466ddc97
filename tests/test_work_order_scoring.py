"""Scoring bad-rating work orders through the rulebook: ``work_orders`` rules, off by default.

The hall is Pinghu (configs/pinghu.toml) with replies due in 5 working days:
1-7 October 2026 are holidays and Saturday 10 October a make-up working day.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.assessment.rulebook import RulebookError, load_rulebook_text, reference_rulebook
from govhall.cli import main
from govhall.plugins import get_plugin_manager
from govhall.session import HallSession, open_hall

ROOT = Path(__file__).resolve().parent.parent
PINGHU = ROOT / "configs" / "pinghu.toml"
RATINGS = """case_id,window,staff,level,rated_at,channel,tags
c1,tax,tax-a,1,2026-09-30T10:00,pad,
c2,market,,2,2026-10-14T10:00,online,
c3,police,police-a,2,2026-10-15T10:00,pad,
c4,police,police-b,5,2026-10-15T11:00,pad,
"""
PROGRESS = """case_id,channel,rated_at,verified_at,rectified_at,replied_at,outcome
c2,online,2026-10-14T10:00,2026-10-15T09:00,2026-10-20T09:00,2026-10-23T09:00,rectified
c3,pad,2026-10-15T10:00,2026-10-15T12:00,2026-10-16T09:00,2026-10-16T10:00,explained
"""
CASES = """case_id,window,item,kind,received_at,status,concluded_at,visits
k1,tax,invoice-issue,immediate,2026-10-08T10:00,concluded,2026-10-08T11:00,1
c1,tax,invoice-issue,immediate,2026-09-30T09:00,concluded,2026-09-30T09:30,1
c2,market,business-licence,promised,2026-10-09T09:00,concluded,2026-10-14T09:00,1
c3,police,residence-certificate,immediate,2026-10-15T09:00,concluded,2026-10-15T09:30,1
c4,police,residence-certificate,immediate,2026-10-15T09:10,concluded,2026-10-15T09:40,1
"""
OVERDUE = "window.evaluation.work-order-overdue"
LATE = "window.evaluation.work-order-closed-late"
STAFF_OVERDUE = "staff.satisfaction.work-order-overdue"


def _hall(tmp: Path, extra: str = "") -> HallSession:
    """Open Pinghu with replies due in 5 working days and ``extra`` rulebook parameters."""
    path = tmp / "pinghu.toml"
    text = PINGHU.read_text(encoding="utf-8").replace(
        "[scoring.parameters]\n", "[scoring.parameters]\n" + extra, 1
    )
    text += "\n[ratings]\nreply_days = 5\n"
    path.write_text(text, encoding="utf-8")
    return open_hall(path, manager=get_plugin_manager())


def _data(tmp: Path) -> Path:
    data = tmp / "data"
    data.mkdir()
    (data / "ratings.csv").write_text(RATINGS, encoding="utf-8")
    (data / "rectifications.csv").write_text(PROGRESS, encoding="utf-8")
    (data / "cases.csv").write_text(CASES, encoding="utf-8")
    return data


def _lines(scores: tuple, subject: str) -> dict[str, dict]:
    found = next(s for s in scores if s.subject == subject)
    return {line.rule: line.to_json() for line in found.lines}


TURNED_ON = f"""
"{OVERDUE}.points" = 2
"{LATE}.points" = 1
"{STAFF_OVERDUE}.points" = 3
"""


def test_the_reference_rulebooks_hold_the_work_order_rules_off() -> None:
    window = reference_rulebook("window")
    staff = reference_rulebook("staff")
    assert [r.measure for r in window.rules() if r.kind == "work_orders"] == [
        "overdue",
        "closed_late",
    ]
    assert [r.id for r in staff.rules() if r.kind == "work_orders"] == [STAFF_OVERDUE]
    day = window.parameters.get(f"{OVERDUE}.points").values[0].start
    assert window.work_order_rules(day) == staff.work_order_rules(day) == []


def test_off_by_default_no_line_and_no_second_read(tmp_path: Path) -> None:
    session = _hall(tmp_path)
    data = _data(tmp_path)
    october = session.score(data, "2026-10")
    for score in (*october.windows, *october.staff):
        assert not [line for line in score.lines if "work-order" in line.rule]


def test_a_config_turns_the_rules_on_and_each_line_cites_its_orders(tmp_path: Path) -> None:
    session = _hall(tmp_path, TURNED_ON)
    october = session.score(_data(tmp_path), "2026-10")
    tax = _lines(october.windows, "tax")
    # c1 was rated on 30 Sep: its reply fell due on 13 Oct and never came
    assert tax[OVERDUE]["points"] == -2
    assert tax[OVERDUE]["evidence"] == ["order:c1@2026-09-30T10:00:00+08:00"]
    assert "c1 due 2026-10-13 17:30, still open" in tax[OVERDUE]["note"]
    assert LATE not in tax
    # c2: due 21 Oct 17:30, answered 23 Oct: overdue and closed late, both in October
    market = _lines(october.windows, "market")
    assert market[OVERDUE]["points"] == -2
    assert market[LATE]["points"] == -1
    assert market[LATE]["evidence"] == ["order:c2@2026-10-14T10:00:00+08:00"]
    assert "c2 due 2026-10-21 17:30, closed 2026-10-23 09:00" in market[LATE]["note"]
    # c3 was answered on time: no line for police
    police = _lines(october.windows, "police")
    assert OVERDUE not in police
    assert LATE not in police
    # the rating of c1 names tax-a: the staff rule costs the person too
    assert _lines(october.staff, "tax-a")[STAFF_OVERDUE]["points"] == -3
    assert STAFF_OVERDUE not in _lines(october.staff, "police-a")


def test_an_order_counts_in_the_month_it_fell_due_not_the_month_of_the_rating(
    tmp_path: Path,
) -> None:
    session = _hall(tmp_path, TURNED_ON)
    months = session.score_months(_data(tmp_path), ["2026-09", "2026-10"])
    september = {str(m): s for m, s in months.items()}["2026-09"]
    assert OVERDUE not in _lines(september.windows, "tax")
    october = {str(m): s for m, s in months.items()}["2026-10"]
    assert _lines(october.windows, "tax")[OVERDUE]["points"] == -2


def test_score_json_shows_rule_points_and_evidence(tmp_path: Path) -> None:
    _hall(tmp_path, TURNED_ON)
    data = _data(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "score",
            str(tmp_path / "pinghu.toml"),
            "--data",
            str(data),
            "--month",
            "2026-10",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    tax = next(w for w in document["windows"] if w["window"] == "tax")
    line = next(line for line in tax["lines"] if line["rule"] == OVERDUE)
    assert line["points"] == -2
    assert line["evidence"] == ["order:c1@2026-09-30T10:00:00+08:00"]
    # the run's row counts are those of the scoring pass (5 cases, 4 ratings on 9
    # lines after 2 header lines): the work orders' second read is not counted again
    assert document["data"] == {"read": 9, "used": 9, "rejected": 0, "copies": 0, "lines": 11}


def test_a_finding_cannot_cite_a_work_order_rule(tmp_path: Path) -> None:
    session = _hall(tmp_path, TURNED_ON)
    data = _data(tmp_path)
    (data / "findings.csv").write_text(
        f"date,window,staff,rule,count,points\n2026-10-09,tax,,{OVERDUE},1,\n", encoding="utf-8"
    )
    october = session.score(data, "2026-10")
    assert [r.reason for r in october.rejected] == [
        f"rule {OVERDUE!r} is computed from cases and ratings, not from findings"
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", "measure: expected one of overdue, closed_late, got None"),
        ('measure = "late"', "measure: expected one of overdue, closed_late, got 'late'"),
    ],
)
def test_a_work_order_rule_needs_a_known_measure(extra: str, message: str) -> None:
    text = f"""
[rulebook]
id = "w"
name = "w"
subject = "window"
effective = 2000-01-01
source = "s"
base = 100
maximum = 110

[[categories]]
id = "c"
name = "c"
source = "s"

[[categories.rules]]
id = "r"
name = "r"
kind = "work_orders"
points = 1
source = "s"
{extra}
"""
    with pytest.raises(RulebookError, match=message):
        load_rulebook_text(text, "w.toml")


def test_only_a_work_order_rule_has_a_measure() -> None:
    text = """
[rulebook]
id = "w"
name = "w"
subject = "window"
effective = 2000-01-01
source = "s"
base = 100
maximum = 110

[[categories]]
id = "c"
name = "c"
source = "s"

[[categories.rules]]
id = "r"
name = "r"
kind = "occurrence"
measure = "overdue"
points = 1
source = "s"
"""
    with pytest.raises(RulebookError, match="only a work_orders rule has a measure"):
        load_rulebook_text(text, "w.toml")


def test_the_annual_staff_assessment_counts_the_year_s_orders(tmp_path: Path) -> None:
    session = _hall(tmp_path, TURNED_ON)
    _, staff = session.score_year(_data(tmp_path), 2026)
    line = _lines(staff, "tax-a")[STAFF_OVERDUE]
    assert line["points"] == -3
    assert line["evidence"] == ["order:c1@2026-09-30T10:00:00+08:00"]
    assert STAFF_OVERDUE not in _lines(staff, "police-a")  # c3 was answered on time
