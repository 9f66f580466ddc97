"""Answers that looked right and were not: an empty month, a month on post, an empty schedule.

- ``score``/``report`` of a month (``rewards`` of a year) without any data
  exit 1 saying so, instead of ranking every window at 100;
- a month on post needs a case received (or a finding naming the person):
  ratings and late conclusions in the month after the data do not pay a
  seventh month's allowance on half a year's data;
- ``workday = []`` is a config error, not deadlines that fall at midnight;
- a finding's points are shown as written (with their sign) when refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
ZHENHAI = ROOT / "configs" / "zhenhai.toml"
PINGHU = ROOT / "configs" / "pinghu.toml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    result = CliRunner().invoke(main, ["sample", str(ZHENHAI), "--out", str(out), "--rows", "600"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("output", [[], ["--json"], ["--csv"]])
def test_score_of_a_month_without_data_exits_1_and_says_so(output: list[str], data: Path) -> None:
    result = CliRunner().invoke(
        main, ["score", str(ZHENHAI), "--data", str(data), "--month", "2011-03", *output]
    )
    assert result.exit_code == 1
    assert "no data for 2011-03" in result.stderr
    assert result.stdout == ""


def test_report_of_a_month_without_data_writes_nothing(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    result = CliRunner().invoke(
        main,
        ["report", str(ZHENHAI), "--data", str(data), "--month", "2011-03", "--out", str(target)],
    )
    assert result.exit_code == 1
    assert "no data for 2011-03" in result.stderr
    assert not target.exists()


def test_rewards_of_a_year_without_data_exits_1(data: Path) -> None:
    result = CliRunner().invoke(
        main, ["rewards", str(ZHENHAI), "--data", str(data), "--year", "2011"]
    )
    assert result.exit_code == 1
    assert "no data for 2011" in result.stderr


def test_a_month_with_data_still_scores(data: Path) -> None:
    result = CliRunner().invoke(
        main, ["score", str(ZHENHAI), "--data", str(data), "--month", "2010-03", "--json"]
    )
    assert result.exit_code == 0, result.output


def test_months_on_post_count_receipts_not_trailing_ratings_or_conclusions(
    data: Path, tmp_path: Path
) -> None:
    import json

    # the sample's receipts end in June; some conclusions and ratings fall in July
    ratings = (data / "ratings.csv").read_text(encoding="utf-8").splitlines()
    july = [r for r in ratings[1:] if ",2010-07-" in r]
    extra = ratings[1].split(",")
    extra[4] = "2010-07-15T10:00"
    (tmp_path / "ratings.csv").write_text(
        "\n".join([*ratings, ",".join(extra)]) + "\n", encoding="utf-8"
    )
    for name in ("cases.csv", "findings.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    assert july or extra
    result = CliRunner().invoke(
        main, ["rewards", str(ZHENHAI), "--data", str(tmp_path), "--year", "2010", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "2010-07" in document["months"]  # the windows' year still sees July's ratings
    rated_staff = extra[2]
    person = next(s for s in document["staff"] if s["staff"] == rated_staff)
    assert person["months_on_post"]
    assert "2010-07" not in person["months_on_post"]
    assert max(len(s["months_on_post"]) for s in document["staff"]) <= 6


def test_the_rewards_table_lists_the_months_with_data(data: Path) -> None:
    result = CliRunner().invoke(
        main, ["rewards", str(ZHENHAI), "--data", str(data), "--year", "2010"]
    )
    assert result.exit_code == 0, result.output
    assert "month(s) with data: 2010-01 to 2010-" in result.stdout


def _config_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(PINGHU.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "extra",
    [
        "\n[[hours.schedules]]\nsince = 2000-01-01\nworkday = []\n",
        "\n[[hours.windows.tax.schedules]]\nsince = 2000-01-01\nworkday = []\n",
    ],
    ids=["hall", "window"],
)
def test_an_empty_working_day_schedule_is_a_config_error(extra: str, tmp_path: Path) -> None:
    config = _config_with(tmp_path, extra)
    result = CliRunner().invoke(main, ["validate", str(config)])
    assert result.exit_code == 1
    assert "workday = [] in the schedule since 2000-01-01" in result.output
    assert "hall.toml:" in result.output
    deadline = CliRunner().invoke(
        main,
        ["deadline", str(config), "--item", "invoice-issue", "--received", "2026-03-02T09:00"],
    )
    assert deadline.exit_code == 1
    assert "Traceback" not in deadline.output


def test_refused_finding_points_are_shown_with_their_sign(data: Path, tmp_path: Path) -> None:
    for name in ("cases.csv", "ratings.csv"):
        (tmp_path / name).write_bytes((data / name).read_bytes())
    (tmp_path / "findings.csv").write_text(
        "date,window,staff,rule,count,points\n2010-03-05,jianjiao,,window.intake.negligence,1,-9\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["score", str(ZHENHAI), "--data", str(tmp_path), "--month", "2010-03"]
    )
    assert "points -9 outside the rule's range" in result.stderr, result.stderr
