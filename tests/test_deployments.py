"""Deployments: many hall configs in one run (kpi, score, rewards, validate, show).

Every hall's answer in a deployment run must equal the single-hall command's
answer on the same data; totals come from the counts; a hall that fails or
has no data never stops the others and never looks like a perfect month.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govhall.cli import main
from govhall.config.deployment import check_deployment, read_deployment
from govhall.deployment import open_deployment
from govhall.plugins import get_plugin_manager
from govhall.session import open_hall

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
HALLS = ("luanchuan", "pinghu")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment folder with two hall configs and a data folder per hall id."""
    root = tmp_path_factory.mktemp("province")
    (root / "configs").mkdir()
    for county in HALLS:
        shutil.copy(CONFIGS / f"{county}.toml", root / "configs" / f"{county}.toml")
        open_hall(CONFIGS / f"{county}.toml").write_sample(root / "data" / county, rows=150)
    return root


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def _json(*args: str, code: int = 0) -> Any:
    result = _run(*args, "--json")
    assert result.exit_code == code, result.output + result.stderr
    return json.loads(result.stdout)


def _copy(province: Path, tmp_path: Path) -> Path:
    target = tmp_path / "province"
    shutil.copytree(province, target)
    return target


# -- per-hall answers equal single-hall answers ---------------------------------------------


def test_kpi_per_hall_equals_the_single_hall_command_and_totals_add_counts(
    province: Path,
) -> None:
    document = _json("kpi", province / "configs", "--data", province / "data")
    assert [hall["hall"] for hall in document["halls"]] == list(HALLS)
    counts = ("cases", "accepted", "concluded", "immediate", "on_time", "ratings", "satisfied")
    for hall in document["halls"]:
        single = _json(
            "kpi", CONFIGS / f"{hall['hall']}.toml", "--data", province / "data" / hall["hall"]
        )
        for key, value in single.items():
            if key != "data":
                assert hall[key] == value, key
        assert hall["status"] == "ok"
        assert hall["county"] == hall["hall"]
        assert hall["rules"]["distribution"] == f"govhall-{hall['county']}"
    total = document["total"]
    for key in counts:
        assert total[key] == sum(hall[key] for hall in document["halls"]), key
    expected = round(total["on_time"] / total["concluded"], 4)
    assert total["on_time_rate"] == expected


def test_totals_are_rates_of_summed_counts_not_averages_of_rates(
    province: Path, tmp_path: Path
) -> None:
    """One hall with 3 cases, one with 150: the total's rate is weighted by the counts."""
    root = _copy(province, tmp_path)
    cases = (root / "data" / "luanchuan" / "cases.csv").read_text(encoding="utf-8").splitlines()
    late = cases[1].split(",")
    late[6] = "2010-12-31T16:00"  # concluded long after its due time
    (root / "data" / "luanchuan" / "cases.csv").write_text(
        "\n".join([cases[0], ",".join(late)]) + "\n", encoding="utf-8"
    )
    document = _json("kpi", root / "configs", "--data", root / "data")
    small, large = document["halls"]
    assert small["on_time_rate"] == 0.0
    total = document["total"]
    mean_of_rates = (small["on_time_rate"] + large["on_time_rate"]) / 2
    assert total["on_time_rate"] == round(
        (small["on_time"] + large["on_time"]) / (small["concluded"] + large["concluded"]), 4
    )
    assert total["on_time_rate"] != round(mean_of_rates, 4)


def test_score_per_hall_equals_the_single_hall_command(province: Path) -> None:
    document = _json(
        "score", province / "configs", "--data", province / "data", "--month", "2010-03", code=1
    )
    assert document["month"] == "2010-03"
    by_hall = {hall["hall"]: hall for hall in document["halls"]}
    single = _json(
        "score",
        CONFIGS / "luanchuan.toml",
        "--data",
        province / "data" / "luanchuan",
        "--month",
        "2010-03",
    )
    hall = by_hall["luanchuan"]
    assert hall["status"] == "ok"
    assert hall["windows"] == single["windows"]
    assert hall["staff"] == single["staff"]
    assert {book["id"] for book in hall["rules"]["rulebooks"]} == {"window", "staff"}
    assert hall["rules"]["as_of"] == "2010-03-01"


def test_rewards_per_hall_equals_the_single_hall_command(province: Path) -> None:
    document = _json(
        "rewards", province / "configs", "--data", province / "data", "--year", "2010", code=1
    )
    hall = next(h for h in document["halls"] if h["hall"] == "luanchuan")
    single = _json(
        "rewards",
        CONFIGS / "luanchuan.toml",
        "--data",
        province / "data" / "luanchuan",
        "--year",
        "2010",
    )
    assert hall["windows"] == single["windows"]
    assert hall["staff"] == single["staff"]


# -- a hall without data, an invalid hall -------------------------------------------------------


def test_a_month_without_data_is_no_data_and_exits_1_naming_the_hall(province: Path) -> None:
    """Pinghu's sample is of 2025: its March 2010 is "no data", not every window at 100."""
    result = _run(
        "score", province / "configs", "--data", province / "data", "--month", "2010-03", "--json"
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    pinghu = next(h for h in document["halls"] if h["hall"] == "pinghu")
    assert pinghu["status"] == "no data"
    assert pinghu["windows"] == []
    assert pinghu["staff"] == []
    assert "pinghu (no data: no case, rating or finding in 2010-03)" in result.stderr
    luanchuan = next(h for h in document["halls"] if h["hall"] == "luanchuan")
    assert luanchuan["status"] == "ok"
    assert luanchuan["windows"]


def test_a_missing_data_folder_is_no_data(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    shutil.rmtree(root / "data" / "pinghu")
    result = _run("kpi", root / "configs", "--data", root / "data", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    pinghu = next(h for h in document["halls"] if h["hall"] == "pinghu")
    assert pinghu["status"] == "no data"
    assert pinghu["reason"] == "no data folder"
    assert pinghu["accepted"] == 0
    assert pinghu["on_time_rate"] is None
    assert "pinghu (no data: no data folder)" in result.stderr
    assert "pinghu: rows: read 0, used 0, rejected 0 (no data folder)" in result.stderr


def test_an_invalid_hall_does_not_stop_the_others(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    (root / "configs" / "broken.toml").write_text('[hall]\nid = "broken"\ncounty = 3\n')
    result = _run("kpi", root / "configs", "--data", root / "data", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [hall["hall"] for hall in document["halls"]] == list(HALLS)
    [failed] = document["failed"]
    assert failed["config"].endswith("broken.toml")
    assert any(p["severity"] == "error" for p in failed["problems"])
    assert "broken.toml (invalid config)" in result.stderr


def test_a_hall_id_used_twice_is_an_error_naming_both_configs(
    province: Path, tmp_path: Path
) -> None:
    root = _copy(province, tmp_path)
    shutil.copy(root / "configs" / "pinghu.toml", root / "configs" / "pinghu-copy.toml")
    result = _run("validate", root / "configs", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    own = document["files"][0]
    assert own["path"] == str(root / "configs")
    [problem] = own["problems"]
    assert "hall id 'pinghu' is used by" in problem["message"]
    assert "pinghu-copy.toml" in problem["message"]
    assert f"{root / 'configs' / 'pinghu.toml'};" in problem["message"]
    run = _run("kpi", root / "configs", "--data", root / "data", "--json")
    assert run.exit_code == 1
    document = json.loads(run.stdout)
    assert [hall["hall"] for hall in document["halls"]] == list(HALLS)
    assert document["failed"][0]["config"].endswith("pinghu.toml")


# -- the deployment file ------------------------------------------------------------------------


def _write(folder: Path, text: str) -> Path:
    path = folder / "deployment.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_deployment_file_names_halls_data_and_pins(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    path = _write(
        root,
        '[deployment]\nname = "两县"\nhalls = ["configs/*.toml"]\ndata = "data"\n\n'
        '[plugins]\npinghu = "govhall-pinghu >=0.1"\n',
    )
    deployment = read_deployment(path)
    assert deployment.problems == []
    assert deployment.name == "两县"
    assert [entry.config.name for entry in deployment.halls] == ["luanchuan.toml", "pinghu.toml"]
    session = open_deployment(path)
    assert [hall.id for hall in session.halls] == ["luanchuan", "pinghu"]
    assert session.data_for(session.halls[0], None) == root / "data" / "luanchuan"
    # the folder holding deployment.toml is that deployment
    document = _json("kpi", root, "--data", root / "data")
    assert document["deployment"] == "两县"


def test_deployment_file_problems_have_line_and_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[deployment]\n"  # 1
        'name = "x"\n'  # 2
        'halls = ["nope.toml", "*.missing", { config = "a.toml", colour = "red" }]\n'  # 3
        "speed = 3\n"  # 4
        "\n"
        "[plugins]\n"  # 6
        'pinghu = "not a requirement!"\n',  # 7
    )
    deployment = read_deployment(path)
    found = {(p.key, p.line): p.message for p in deployment.problems}
    assert "no such config file" in found[("deployment.halls[0]", 3)]
    assert "no file matches '*.missing'" in found[("deployment.halls[1]", 3)]
    assert found[("deployment.halls[2].colour", 3)].startswith("unknown key")
    assert found[("deployment.speed", 4)].startswith("unknown key")
    assert "requirement" in found[("plugins.pinghu", 7)]
    result = _run("validate", path, "--json")
    assert result.exit_code == 1
    [own] = json.loads(result.stdout)["files"]
    assert own["path"] == str(path)
    assert own["valid"] is False


def test_malformed_toml_in_a_deployment_file(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text("[deployment]\nhalls = [\n", encoding="utf-8")
    # not parseable, so not recognised as a deployment: the hall config checks report it
    result = _run("validate", path)
    assert result.exit_code == 1
    assert "d.toml" in result.output


def test_a_pin_the_installed_plugin_misses_blocks_only_that_county(
    province: Path, tmp_path: Path
) -> None:
    root = _copy(province, tmp_path)
    path = _write(
        root,
        '[deployment]\nhalls = ["configs/*.toml"]\n[plugins]\npinghu = "govhall-pinghu >=9"\n',
    )
    check = check_deployment(read_deployment(path), get_plugin_manager())
    [problem] = check.problems
    assert problem.line == 4
    assert problem.key == "plugins.pinghu"
    assert "outside the pin '>=9'" in problem.message
    result = _run("kpi", path, "--data", root / "data", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [hall["hall"] for hall in document["halls"]] == ["luanchuan"]
    assert document["failed"][0]["config"].endswith("pinghu.toml")


def test_a_pin_on_another_distribution(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    path = _write(
        root, '[deployment]\nhalls = ["configs/*.toml"]\n[plugins]\npinghu = "acme-pinghu"\n'
    )
    [problem] = check_deployment(read_deployment(path), get_plugin_manager()).problems
    assert "served by plugin 'pinghu' (distribution govhall-pinghu), not by 'acme-pinghu'" in (
        problem.message
    )


def test_two_halls_of_one_county_with_conflicting_pins(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    second = (root / "configs" / "pinghu.toml").read_text(encoding="utf-8")
    (root / "configs" / "pinghu-east.toml").write_text(
        second.replace("[hall]\n", '[hall]\nid = "pinghu-east"\n', 1), encoding="utf-8"
    )
    path = _write(
        root,
        "[deployment]\nhalls = [\n"
        '  { config = "configs/pinghu.toml", plugin = "govhall-pinghu >=0.1" },\n'
        '  { config = "configs/pinghu-east.toml", plugin = "govhall-pinghu <0.1" },\n'
        "]\n",
    )
    check = check_deployment(read_deployment(path), get_plugin_manager())
    assert len(check.problems) == 1
    problem = check.problems[0]
    assert "county 'pinghu' is pinned twice" in problem.message
    assert problem.key == "deployment.halls[1]"
    assert problem.line == 4
    session = open_deployment(path)
    assert session.halls == []
    assert len(session.failed) == 2


def test_a_hall_of_its_own_data_folder(province: Path, tmp_path: Path) -> None:
    root = _copy(province, tmp_path)
    (root / "data" / "luanchuan").rename(root / "elsewhere")
    path = _write(
        root,
        '[deployment]\nhalls = [{ config = "configs/luanchuan.toml", data = "elsewhere" }]\n',
    )
    document = _json("kpi", path, "--data", root / "data")
    [hall] = document["halls"]
    assert hall["status"] == "ok"
    assert hall["accepted"] > 0


def test_score_csv_of_a_deployment(province: Path) -> None:
    result = _run(
        "score", province / "configs", "--data", province / "data", "--month", "2010-03", "--csv"
    )
    header, first, *_ = result.stdout.splitlines()
    assert header == "month,hall,county,status,kind,id,rank,score"
    assert first.startswith("2010-03,luanchuan,luanchuan,ok,window,guihua,1,")


def test_the_example_deployment_is_valid() -> None:
    result = _run("validate", ROOT / "deployments" / "example.toml", "--json")
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert len(files) == 5
    assert all(f["valid"] for f in files)


def test_show_lists_halls_plugins_versions_and_pins() -> None:
    document = _json("show", ROOT / "deployments" / "example.toml")
    assert [h["hall"] for h in document["halls"]] == ["baoding", "luanchuan", "pinghu", "zhenhai"]
    zhenhai = document["halls"][-1]
    assert zhenhai["plugin"] == "zhenhai"
    assert zhenhai["distribution"] == "govhall-zhenhai"
    assert zhenhai["pin"] == "govhall-zhenhai >=0.1, <1"
    assert zhenhai["windows"] == 25
    assert document["failed"] == []


def test_show_flags_a_county_without_plugin_and_a_pin_outside(
    province: Path, tmp_path: Path
) -> None:
    root = _copy(province, tmp_path)
    (root / "configs" / "nowhere.toml").write_text(
        '[hall]\nid = "nowhere"\nname = "无处"\ncounty = "nowhere"\n', encoding="utf-8"
    )
    path = _write(
        root,
        '[deployment]\nhalls = ["configs/*.toml"]\n'
        '[plugins]\nluanchuan = "govhall-luanchuan >=2"\n',
    )
    result = _run("show", path)
    assert result.exit_code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()[3:]] == ["pinghu"]
    assert f"{path}:4: error: plugins.luanchuan: county 'luanchuan' is served by" in result.stderr
    assert "nowhere.toml: cannot run:" in result.stderr


# -- the province page --------------------------------------------------------------------------


def test_report_of_a_deployment_writes_the_province_page_and_each_hall_page(
    province: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "province.html"
    result = _run(
        "report",
        province / "configs",
        "--data",
        province / "data",
        "--month",
        "2010-03",
        "--out",
        out,
        "--json",
    )
    assert result.exit_code == 1  # Pinghu has no March 2010
    document = json.loads(result.stdout)
    halls = {hall["hall"]: hall for hall in document["halls"]}
    assert halls["pinghu"]["status"] == "no data"
    assert halls["pinghu"]["page"] is None
    luanchuan_page = Path(halls["luanchuan"]["page"])
    assert luanchuan_page == tmp_path / "out" / "province-luanchuan.html"
    single = _json(
        "report",
        CONFIGS / "luanchuan.toml",
        "--data",
        province / "data" / "luanchuan",
        "--month",
        "2010-03",
        "--out",
        tmp_path / "single.html",
    )
    assert halls["luanchuan"]["kpi"] == single["kpi"]
    assert document["total"]["accepted"] == sum(h["kpi"]["accepted"] for h in halls.values())
    page = out.read_text(encoding="utf-8")
    assert 'href="province-luanchuan.html"' in page
    assert 'data-hall="pinghu" data-status="no data"' in page
    rate = single["kpi"]["on_time_rate"]
    assert f'data-key="on_time_rate" data-value="{rate}"' in page
    assert "<script src" not in page
    assert "http://" not in page
    assert "https://" not in page
    # no overwrite without --force, of the page or of a hall page beside it
    again = _run(
        "report",
        province / "configs",
        "--data",
        province / "data",
        "--month",
        "2010-03",
        "--out",
        out,
    )
    assert again.exit_code == 1
    assert "already exist" in again.stderr


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_report_handed_hall_by_hall_is_the_report_kept(province: Path, engine: str) -> None:
    from govhall.report.html import render_report

    deployment = open_deployment(province / "configs")
    data = province / "data"
    page, kept = deployment.report(data, "2010-03", engine=engine)
    handed: list[tuple[str, str]] = []

    def each(hall_id: str, found: Any) -> None:
        handed.append((hall_id, render_report(found, version="test")))

    again, none = deployment.report(data, "2010-03", engine=engine, each=each)
    assert none == {}
    assert kept
    assert handed == [(h, render_report(r, version="test")) for h, r in kept.items()]
    assert again == page


def test_each_halls_session_is_released_once_its_part_of_a_run_is_done(province: Path) -> None:
    """Memory follows one hall: what a session built for its hall's part is dropped after
    it (and built again, to the same answers, when a later run needs it)."""
    deployment = open_deployment(province / "configs")
    sessions = {hall.id: hall.session for hall in deployment.halls}
    built = {"time", "due_times", "rulebooks"}
    during: list[tuple[str, set[str]]] = []

    def each(hall_id: str, found: Any) -> None:
        during.append((hall_id, built & set(vars(sessions[hall_id]))))

    deployment.report(province / "data", "2010-03", each=each)
    assert during == [("luanchuan", built)]  # pinghu has no data in 2010-03
    assert all(not built & set(vars(session)) for session in sessions.values())
    first = deployment.kpis(province / "data")
    assert [run.kpis for run in first.halls] == [
        run.kpis for run in deployment.kpis(province / "data").halls
    ]
    assert first.total.accepted > 0


def test_monthly_kpis_equal_kpis_of_each_month(province: Path) -> None:
    session = open_hall(CONFIGS / "luanchuan.toml")
    data = province / "data" / "luanchuan"
    months = ["2010-01", "2010-02", "2010-03"]
    found = session.monthly_kpis(data, months)
    for month, kpis in found.items():
        last = month.next().first_day - dt.timedelta(days=1)
        single = session.kpis(data, start=month.first_day, end=last).kpis
        assert kpis.to_json() == single.to_json()


def test_kpi_of_a_deployment_on_the_duckdb_engine_equals_rows(province: Path) -> None:
    rows = _json("kpi", province / "configs", "--data", province / "data", "--engine", "rows")
    duck = _json("kpi", province / "configs", "--data", province / "data", "--engine", "duckdb")
    assert duck["halls"] == rows["halls"]
    assert duck["total"] == rows["total"]


@pytest.mark.parametrize(
    "command", [["score", "--month", "2010-03"], ["rewards", "--year", "2010"]]
)
def test_scores_of_a_deployment_on_the_duckdb_engine_equal_rows(
    province: Path, command: list[str]
) -> None:
    data = ["--data", province / "data"]
    # exit 1: Pinghu has no 2010 data
    rows = _json(*command, province / "configs", *data, "--engine", "rows", code=1)
    duck = _json(*command, province / "configs", *data, "--engine", "duckdb", code=1)
    assert duck == rows
    assert any(hall["status"] == "ok" for hall in rows["halls"])


def test_report_of_a_deployment_on_the_duckdb_engine_equals_rows(
    province: Path, tmp_path: Path
) -> None:
    pages = {}
    for engine in ("rows", "duckdb"):
        out = tmp_path / engine / "province.html"
        args = ["--month", "2010-03", "--out", out, "--engine", engine]
        data = ["--data", province / "data"]
        document = _json("report", province / "configs", *data, *args, code=1)  # Pinghu: no data
        pages[engine] = sorted(p.read_text() for p in out.parent.glob("province*.html"))
        assert document["halls"]
    assert pages["duckdb"] == pages["rows"]
    assert pages["rows"]


# -- a deployment and a store -------------------------------------------------------------------


def test_ingest_a_deployment_then_read_it_from_the_store(province: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "halls.duckdb")
    document = _json("ingest", province / "configs", "--data", province / "data", "--store", store)
    assert [hall["hall"] for hall in document["halls"]] == list(HALLS)
    assert all(hall["import_id"] for hall in document["halls"])
    from_folder = _json("kpi", province / "configs", "--data", province / "data")
    from_store = _json("kpi", province / "configs", "--data", store)
    for folder_hall, store_hall in zip(from_folder["halls"], from_store["halls"], strict=True):
        for key in ("accepted", "concluded", "on_time", "ratings", "satisfied", "visit_counts"):
            assert store_hall[key] == folder_hall[key], (store_hall["hall"], key)
    assert from_store["total"]["accepted"] == from_folder["total"]["accepted"]
    again = _json("ingest", province / "configs", "--data", province / "data", "--store", store)
    for hall in again["halls"]:
        assert all(f["inserted"] == 0 and f["updated"] == 0 for f in hall["files"])


def test_a_hall_the_store_does_not_hold_is_no_data(province: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "one.duckdb")
    code = _run(
        "ingest",
        CONFIGS / "luanchuan.toml",
        "--data",
        province / "data" / "luanchuan",
        "--store",
        store,
    ).exit_code
    assert code == 0
    result = _run("kpi", province / "configs", "--data", store, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    by_hall = {hall["hall"]: hall for hall in document["halls"]}
    assert by_hall["luanchuan"]["status"] == "ok"
    assert by_hall["pinghu"]["status"] == "no data"
    assert "pinghu (no data" in result.stderr


def test_a_deployment_file_that_names_its_data_needs_no_data_option(
    province: Path, tmp_path: Path
) -> None:
    root = _copy(province, tmp_path)
    path = _write(root, '[deployment]\nhalls = ["configs/*.toml"]\ndata = "data"\n')
    document = _json("kpi", path)
    assert [hall["status"] for hall in document["halls"]] == ["ok", "ok"]
    assert document == _json("kpi", path, "--data", root / "data")


def test_without_data_a_deployment_that_names_none_is_an_error(province: Path) -> None:
    result = _run("kpi", province / "configs")
    assert result.exit_code == 1
    assert "the deployment names no data ([deployment] data); give --data" in result.stderr


def test_without_data_one_hall_is_a_usage_error() -> None:
    result = _run("score", CONFIGS / "pinghu.toml", "--month", "2010-03")
    assert result.exit_code == 2
    assert "Missing option '--data'" in result.stderr
