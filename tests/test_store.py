"""The case store: keys, idempotent re-import, history, duplicates, orphans, provenance,
one transaction per import; on DuckDB and on a real PostgreSQL server alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from store_helpers import CASE_HEADER, FINDING_HEADER, RATING_HEADER, dump, write_csv

from govhall.cli import main
from govhall.store import SCHEMA_VERSION, open_store

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "zhenhai.toml")

CASES = [
    ["c1", "gongshang", "individual-business-registration", "immediate", "2010-03-01T09:00",
     "concluded", "2010-03-01T10:00", "1", "gongshang-a", ""],
    ["c2", "dishui", "tax-registration", "immediate", "2010-03-02T09:30", "accepted", "", "1",
     "", ""],
    ["c3", "dishui", "tax-registration", "immediate", "2010-03-03T09:30", "concluded",
     "2010-03-03T11:00", "2", "dishui-b", ""],
]  # fmt: skip
RATINGS = [
    ["c1", "gongshang", "gongshang-a", "5", "2010-03-01T10:05", "pad"],
    ["c3", "dishui", "dishui-b", "2", "2010-03-03T11:05", "web"],
]
FINDINGS = [["2010-03-10", "qixiang", "", "window.intake.negligence", "1", "4"]]


def folder(root: Path, cases=CASES, ratings=RATINGS, findings=FINDINGS) -> Path:  # type: ignore[no-untyped-def]
    write_csv(root / "cases.csv", CASE_HEADER, cases)
    if ratings is not None:
        write_csv(root / "ratings.csv", RATING_HEADER, ratings)
    if findings is not None:
        write_csv(root / "findings.csv", FINDING_HEADER, findings)
    return root


def ingest(data: Path, store: str, *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(data), "--store", store, "--json", *extra]
    )
    document = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, document, result.stderr


def counts(document: dict) -> dict[str, tuple[int, ...]]:  # type: ignore[type-arg]
    return {
        f["kind"]: (f["read"], f["inserted"], f["updated"], f["unchanged"], f["rejected"])
        for f in document["files"]
    }


def test_first_import_inserts_every_row_with_the_contract_keys(
    tmp_path: Path, store_target: str
) -> None:
    code, document, _ = ingest(folder(tmp_path / "data"), store_target)
    assert code == 0
    assert set(document) == {"store", "hall", "import_id", "files", "problems"}
    assert document["hall"] == "zhenhai"
    assert document["import_id"] == 1
    assert set(document["files"][0]) == {
        "path", "kind", "read", "inserted", "updated", "unchanged", "rejected"
    }  # fmt: skip
    assert counts(document) == {
        "cases": (3, 3, 0, 0, 0),
        "ratings": (2, 2, 0, 0, 0),
        "findings": (1, 1, 0, 0, 0),
    }
    assert document["problems"] == []
    assert "s3cret" not in document["store"]


def test_the_same_files_twice_change_nothing(tmp_path: Path, store_target: str) -> None:
    data = folder(tmp_path / "data")
    ingest(data, store_target)
    before = dump(store_target, imports=False)
    code, document, _ = ingest(data, store_target)
    assert code == 0
    assert document["import_id"] == 2
    assert counts(document) == {
        "cases": (3, 0, 0, 3, 0),
        "ratings": (2, 0, 0, 2, 0),
        "findings": (1, 0, 0, 1, 0),
    }
    assert dump(store_target, imports=False) == before


def test_a_later_status_updates_the_case_and_keeps_the_earlier_version(
    tmp_path: Path, store_target: str
) -> None:
    ingest(folder(tmp_path / "march"), store_target)
    later = [list(row) for row in CASES]
    later[1][5:7] = ["concluded", "2010-03-04T10:00"]  # c2 concluded since
    export = folder(tmp_path / "april", cases=[later[2], later[1]], ratings=None, findings=None)
    code, document, _ = ingest(export, store_target)
    assert code == 0
    assert counts(document)["cases"] == (2, 0, 1, 1, 0)
    result = CliRunner().invoke(
        main, ["store", "history", store_target, "--hall", "zhenhai", "--case", "c2", "--json"]
    )
    assert result.exit_code == 0, result.output
    versions = json.loads(result.stdout)["versions"]
    assert [(v["import_id"], v["status"], v["current"]) for v in versions] == [
        (1, "accepted", False),
        (2, "concluded", True),
    ]
    assert versions[0]["file"] == str(tmp_path / "march" / "cases.csv")
    assert versions[0]["line"] == 3
    assert versions[1]["file"] == str(export / "cases.csv")
    assert versions[1]["line"] == 3
    assert versions[1]["concluded_at"] == "2010-03-04T10:00:00+08:00"


def test_every_stored_row_keeps_its_import_file_and_line(tmp_path: Path, store_target: str) -> None:
    data = folder(tmp_path / "data")
    ingest(data, store_target)
    opened = open_store(store_target)
    try:
        rows = {
            table: opened.backend.execute(
                f"SELECT import_id, file, line FROM govhall.{table} ORDER BY line"
            )
            for table in ("cases", "ratings", "findings")
        }
    finally:
        opened.close()
    assert rows["cases"] == [(1, str(data / "cases.csv"), line) for line in (2, 3, 4)]
    assert rows["ratings"] == [(1, str(data / "ratings.csv"), line) for line in (2, 3)]
    assert rows["findings"] == [(1, str(data / "findings.csv"), 2)]


def test_two_different_rows_with_one_key_are_both_reported_and_neither_used(
    tmp_path: Path, store_target: str
) -> None:
    other = list(CASES[0])
    other[7] = "3"  # c1 again, with other visits
    copy = list(CASES[2])  # c3 again, the same row
    data = folder(tmp_path / "data", cases=[*CASES, other, copy], ratings=RATINGS[1:])
    code, document, stderr = ingest(data, store_target)
    assert code == 0
    assert counts(document)["cases"] == (5, 2, 0, 1, 2)
    path = str(data / "cases.csv")
    errors = [p for p in document["problems"] if p["severity"] == "error"]
    assert [(p["path"], p["line"]) for p in errors] == [(path, 2), (path, 5)]
    assert f"also at {path}:5" in errors[0]["message"]
    assert f"also at {path}:2" in errors[1]["message"]
    assert "neither row is used" in errors[0]["message"]
    (warning,) = [p for p in document["problems"] if p["severity"] == "warning"]
    assert warning["line"] == 6
    assert f"the same row as {path}:4: counted once" in warning["message"]
    stored = {row[1] for row in dump(store_target)["cases"]}
    assert stored == {"c2", "c3"}
    assert f"{path}:2:" in stderr
    assert f"{path}:5:" in stderr


def test_a_rating_of_a_case_the_store_does_not_hold_is_rejected(
    tmp_path: Path, store_target: str
) -> None:
    ratings = [*RATINGS, ["ghost", "dishui", "", "1", "2010-03-05T09:00", "pad"]]
    data = folder(tmp_path / "data", ratings=ratings)
    code, document, _ = ingest(data, store_target)
    assert code == 0
    assert counts(document)["ratings"] == (3, 2, 0, 0, 1)
    (problem,) = document["problems"]
    assert (problem["path"], problem["line"]) == (str(data / "ratings.csv"), 4)
    assert "orphan" in problem["message"]
    assert "'ghost'" in problem["message"]


def test_a_rating_of_a_case_imported_earlier_is_not_an_orphan(
    tmp_path: Path, store_target: str
) -> None:
    ingest(folder(tmp_path / "one", ratings=None, findings=None), store_target)
    code, document, _ = ingest(
        folder(tmp_path / "two", cases=CASES[:1], findings=None), store_target
    )
    assert code == 0
    assert counts(document)["ratings"] == (2, 2, 0, 0, 0)


def test_strict_with_a_rejected_row_leaves_the_store_as_it_was(
    tmp_path: Path, store_target: str
) -> None:
    ingest(folder(tmp_path / "one"), store_target)
    before = dump(store_target)
    bad = [list(row) for row in CASES]
    bad[1][5:7] = ["concluded", "2010-03-04T10:00"]  # an update ...
    bad.append(
        [
            "c9",
            "nowhere",
            "tax-registration",
            "immediate",
            "2010-03-05T09:00",
            "accepted",
            "",
            "1",
            "",
            "",
        ]
    )  # fmt: skip  ... and a bad row
    code, document, stderr = ingest(folder(tmp_path / "two", cases=bad), store_target, "--strict")
    assert code == 1
    assert document["import_id"] is None
    assert "nothing was imported" in stderr
    assert "unknown window 'nowhere'" in stderr
    assert dump(store_target) == before


def test_a_failure_mid_import_leaves_the_store_as_it_was(tmp_path: Path, store_target: str) -> None:
    ingest(folder(tmp_path / "one"), store_target)
    before = dump(store_target)
    later = [list(row) for row in CASES]
    later[1][5:7] = ["concluded", "2010-03-04T10:00"]
    data = folder(tmp_path / "two", cases=[*later, ["c4", *CASES[0][1:]]])
    # the findings file is not UTF-8: the import fails after its cases were written
    (data / "findings.csv").write_bytes(b"date,window,staff,rule\n\xff\xfe,x,y,z\n")
    code, _, stderr = ingest(data, store_target)
    assert code == 1
    assert "not UTF-8" in stderr
    assert "Traceback" not in stderr
    assert dump(store_target) == before


def test_a_fresh_store_stays_empty_when_the_first_import_fails(tmp_path: Path) -> None:
    data = folder(tmp_path / "data")
    (data / "ratings.csv").write_text("case_id,window\n", encoding="utf-8")  # columns missing
    target = str(tmp_path / "s.duckdb")
    code, _, stderr = ingest(data, target)
    assert code == 1
    assert "missing required column" in stderr
    assert all(not rows for table, rows in dump(target).items() if table != "halls")
    assert dump(target)["halls"] == []


def test_the_commands_read_a_store_as_they_read_the_folder(
    tmp_path: Path, store_target: str
) -> None:
    data = folder(tmp_path / "data")
    ingest(data, store_target)
    runner = CliRunner()
    for command in (
        ["kpi", CONFIG, "--json"],
        ["score", CONFIG, "--month", "2010-03", "--json"],
        ["rewards", CONFIG, "--year", "2010", "--json"],
    ):
        from_folder = runner.invoke(main, [*command, "--data", str(data)])
        from_store = runner.invoke(main, [*command, "--data", store_target])
        assert from_folder.exit_code == 0, from_folder.output
        assert from_store.exit_code == 0, from_store.output
        left, right = json.loads(from_folder.stdout), json.loads(from_store.stdout)
        if command[0] == "kpi":  # where the rows came from differs, the rows do not
            for document in (left, right):
                data_part = document.pop("data")
                assert (data_part["read"], data_part["rejected"]) == (5, 0)
        elif "data" in left:  # files have lines, a store has none
            assert (left["data"].pop("lines"), right["data"].pop("lines")) == (9, 0)
        assert left == right
        assert "rows: read 5, used 5, rejected 0" in from_store.stderr or command[0] != "kpi"
    report = runner.invoke(
        main,
        ["report", CONFIG, "--data", store_target, "--month", "2010-03", "--json",
         "--out", str(tmp_path / "r.html")],
    )  # fmt: skip
    folder_report = runner.invoke(
        main,
        ["report", CONFIG, "--data", str(data), "--month", "2010-03", "--json",
         "--out", str(tmp_path / "f.html")],
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    left, right = json.loads(folder_report.stdout), json.loads(report.stdout)
    for document in (left, right):  # the page names where its rows came from
        document.pop("path"), document.pop("bytes")
        document["data"].pop("lines")  # files have lines, a store has none
    assert left == right


def test_a_store_without_the_hall_is_an_error_naming_the_halls(
    tmp_path: Path, store_target: str
) -> None:
    ingest(folder(tmp_path / "data"), store_target)
    result = CliRunner().invoke(
        main, ["kpi", str(ROOT / "configs" / "pinghu.toml"), "--data", store_target]
    )
    assert result.exit_code == 1
    assert "no data for hall 'pinghu'" in result.stderr
    assert "halls: zhenhai" in result.stderr


def test_a_config_of_another_county_for_a_stored_hall_is_refused(
    tmp_path: Path, store_target: str
) -> None:
    ingest(folder(tmp_path / "data"), store_target)
    before = dump(store_target)
    text = (ROOT / "configs" / "pinghu.toml").read_text(encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(text.replace("[hall]\n", '[hall]\nid = "zhenhai"\n', 1), encoding="utf-8")
    data = tmp_path / "pinghu-data"
    result = CliRunner().invoke(main, ["sample", str(other), "--out", str(data), "--rows", "20"])
    assert result.exit_code == 0, result.output
    code, _, stderr = ingest_with(other, data, store_target)
    assert code == 1
    assert "holds hall 'zhenhai' of county 'zhenhai'" in stderr
    assert dump(store_target) == before


def ingest_with(config: Path, data: Path, store: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["ingest", str(config), "--data", str(data), "--store", store]
    )
    return result.exit_code, result.stdout, result.stderr


def test_store_info_lists_halls_counts_imports_and_version(
    tmp_path: Path, store_target: str
) -> None:
    data = folder(tmp_path / "data")
    ingest(data, store_target)
    ingest(data, store_target)
    result = CliRunner().invoke(main, ["store", "info", store_target, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema_version"] == SCHEMA_VERSION == 5
    (hall,) = document["halls"]
    assert (hall["hall"], hall["cases"], hall["ratings"], hall["findings"], hall["imports"]) == (
        "zhenhai", 3, 2, 1, 2
    )  # fmt: skip
    assert [(i["import_id"], i["inserted"], i["unchanged"]) for i in document["imports"]] == [
        (1, 6, 0),
        (2, 0, 6),
    ]


def test_split_files_holding_one_row_twice_count_it_once(tmp_path: Path, store_target: str) -> None:
    data = tmp_path / "data"
    write_csv(data / "cases-2010-03a.csv", CASE_HEADER, CASES[:2])
    write_csv(data / "cases-2010-03b.csv", CASE_HEADER, CASES[1:])
    code, document, _ = ingest(data, store_target)
    assert code == 0
    assert [(f["path"], f["inserted"], f["unchanged"]) for f in document["files"]] == [
        (str(data / "cases-2010-03a.csv"), 2, 0),
        (str(data / "cases-2010-03b.csv"), 1, 1),
    ]
    assert len(dump(store_target)["cases"]) == 3


def test_a_bad_row_is_reported_with_file_line_and_column(tmp_path: Path, store_target: str) -> None:
    bad = [*CASES, ["c9", "dishui", "tax-registration", "sometimes", "2010-03-05T09:00",
                    "accepted", "", "1", "", ""]]  # fmt: skip
    code, document, stderr = ingest(folder(tmp_path / "data", cases=bad), store_target)
    assert code == 0
    assert counts(document)["cases"] == (4, 3, 0, 0, 1)
    assert document["problems"][0]["line"] == 5
    assert "cases.csv:5:4" in stderr  # the kind column


def test_the_table_for_people(tmp_path: Path) -> None:
    data = folder(tmp_path / "data")
    target = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(main, ["ingest", CONFIG, "--data", str(data), "--store", target])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "file", "kind", "read", "inserted", "updated", "unchanged", "rejected"
    ]  # fmt: skip
    assert lines[-2].split() == ["total", "6", "6", "0", "0", "0"]
    assert lines[-1] == f"import 1 of hall zhenhai into {target}"


def test_the_data_of_a_copied_duckdb_store_is_still_read(tmp_path: Path) -> None:
    data = folder(tmp_path / "data")
    target = str(tmp_path / "s.duckdb")
    ingest(data, target)
    shutil.copy(target, tmp_path / "copy.duckdb")
    result = CliRunner().invoke(
        main, ["kpi", CONFIG, "--data", str(tmp_path / "copy.duckdb"), "--json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["accepted"] == 3


def test_rating_tags_survive_the_store(tmp_path: Path) -> None:
    """The sample's ratings carry 好差评 tags: a store gives them back as the folder does."""
    from govhall.readers import ReadReport
    from govhall.session import open_hall

    hall = open_hall(CONFIG)
    data = tmp_path / "sample"
    hall.write_sample(data, rows=300)
    target = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(
        main, ["ingest", str(CONFIG), "--data", str(data), "--store", target]
    )
    assert result.exit_code == 0, result.output
    from_folder = sorted(
        hall.source(data).ratings(hall.zone, ReadReport()), key=lambda r: (r.case_id, r.rated_at)
    )
    from_store = sorted(
        hall.source(target).ratings(hall.zone, ReadReport()), key=lambda r: (r.case_id, r.rated_at)
    )
    assert any(rating.tags for rating in from_folder)
    assert from_store == from_folder


PROGRESS_HEADER = [
    "case_id", "channel", "rated_at", "verified_at", "rectified_at", "replied_at", "outcome"
]  # fmt: skip
PROGRESS = [
    ["c3", "web", "2010-03-03T11:05", "2010-03-03T15:00", "2010-03-05T10:00",
     "2010-03-08T10:00", "rectified"],
    ["c3", "web", "2010-03-03T11:06", "2010-03-03T15:00", "", "", ""],  # no such rating
]  # fmt: skip


def test_rectifications_are_stored_keyed_as_their_rating_with_orphans_rejected(
    tmp_path: Path, store_target: str
) -> None:
    from zoneinfo import ZoneInfo

    from govhall.readers import ReadReport
    from govhall.readers.folder import DataFolder
    from govhall.store import StoreSource

    data = folder(tmp_path / "data")
    progress = write_csv(data / "rectifications.csv", PROGRESS_HEADER, PROGRESS)
    code, document, stderr = ingest(data, store_target)
    assert code == 0, stderr
    assert counts(document)["rectifications"] == (2, 1, 0, 0, 1)
    (problem,) = [p for p in document["problems"] if p["path"] == str(progress)]
    assert problem["line"] == 3
    assert "no such rating for hall 'zhenhai' (an orphan row)" in problem["message"]
    assert "2010-03-03T11:06:00+08:00" in problem["message"]
    # the store gives the folder's records, with the file and line they came from
    zone = ZoneInfo("Asia/Shanghai")
    stored = list(StoreSource(store_target, "zhenhai").rectifications(zone, ReadReport()))
    (expected, _) = DataFolder(data).rectifications(zone, ReadReport())
    assert stored == [expected]
    # the same file again changes nothing; a later stage of the order updates it
    code, document, _ = ingest(data, store_target)
    assert counts(document)["rectifications"] == (2, 0, 0, 1, 1)
    later = [*PROGRESS[0][:4], "2010-03-06T10:00", *PROGRESS[0][5:]]
    write_csv(progress, PROGRESS_HEADER, [later])
    code, document, _ = ingest(data, store_target)
    assert counts(document)["rectifications"] == (1, 0, 1, 0, 0)


def march_bulletin(source: str) -> Result:
    """Run ``govhall ratings`` for March 2010 on ``source`` (a folder or a store); it must pass."""
    result = CliRunner().invoke(
        main, ["ratings", CONFIG, "--data", source, "--month", "2010-03", "--json"]
    )
    assert result.exit_code == 0, result.output
    return result


def test_a_progress_row_the_bulletin_rejects_is_counted_rejected_from_a_store(
    tmp_path: Path, store_target: str
) -> None:
    """The store keeps a progress row of a good rating; the bulletin rejects it, in its counts."""
    good = [*RATINGS[1][:3], "5", *RATINGS[1][4:]]  # c3's web rating at level 5: no order
    data = folder(tmp_path / "data", ratings=[RATINGS[0], good])
    write_csv(data / "rectifications.csv", PROGRESS_HEADER, [PROGRESS[0]])
    code, _, stderr = ingest(data, store_target)
    assert code == 0, stderr
    seen = []
    for source in (str(data), store_target):
        result = march_bulletin(source)
        data_counts = json.loads(result.stdout)["data"]
        data_counts.pop("lines")
        totals = result.stderr.splitlines()
        seen.append((data_counts, [line for line in totals if line.startswith("rows:")]))
        assert "only levels 1-2 open a work order" in result.stderr
        (progress,) = [line for line in totals if "rectifications" in line and "read 1" in line]
        assert "used 0, rejected 1" in progress, result.stderr
    assert seen[0] == seen[1]
    assert seen[0][0]["rejected"] == 1


def test_ratings_read_the_same_bulletin_from_the_folder_and_the_store(
    tmp_path: Path, store_target: str
) -> None:
    data = tmp_path / "sample"
    result = CliRunner().invoke(main, ["sample", CONFIG, "--out", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "rectifications.csv").read_text(encoding="utf-8").count("\n") > 1
    code, _, stderr = ingest(data, store_target)
    assert code == 0, stderr
    documents = [json.loads(march_bulletin(source).stdout) for source in (str(data), store_target)]
    # a store keeps rows, not the files' physical lines: it reports 0 lines
    assert documents[0]["data"].pop("lines") > documents[0]["data"]["read"]
    assert documents[1]["data"].pop("lines") == 0
    assert documents[0] == documents[1]
    assert documents[0]["orders"]
    assert any(order["closed"] for order in documents[0]["orders"])


def test_a_store_names_repeated_ratings_by_the_file_and_line_they_came_from(
    tmp_path: Path, store_target: str
) -> None:
    ratings = [
        *RATINGS,
        ["c3", "dishui", "dishui-b", "4", "2010-03-04T09:00", "web"],  # replaces the 2 above
        ["c1", "gongshang", "gongshang-a", "1", "2010-03-05T09:00", "pad"],  # replaces the 5
    ]
    data = folder(tmp_path / "data", ratings=ratings)
    code, _, stderr = ingest(data, store_target)
    assert code == 0, stderr
    documents = [json.loads(march_bulletin(source).stdout) for source in (str(data), store_target)]
    for document in documents:
        document["data"].pop("lines")
    assert documents[0] == documents[1]
    replaced = {(r["case_id"], r["file"], r["line"]) for r in documents[1]["repeated"]}
    ratings_file = str(data / "ratings.csv")
    assert replaced == {("c1", ratings_file, 2), ("c3", ratings_file, 3)}


def test_an_import_under_a_small_memory_limit_stores_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "sample"
    CliRunner().invoke(main, ["sample", CONFIG, "--out", str(data), "--rows", "20000"])
    stores = []
    for name, limit in (("roomy", "4GB"), ("tight", "64MB")):
        monkeypatch.setenv("GOVHALL_STORE_MEMORY", limit)
        store = str(tmp_path / f"{name}.duckdb")
        code, _, stderr = ingest(data, store)
        assert code == 0, stderr
        stores.append(dump(store, imports=False))
    assert stores[0] == stores[1]
    assert len(stores[0]["cases"]) == 20_000


def test_a_malformed_memory_limit_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVHALL_STORE_MEMORY", "lots")
    code, _, stderr = ingest(folder(tmp_path / "data"), str(tmp_path / "store.duckdb"))
    assert code == 1
    assert "GOVHALL_STORE_MEMORY='lots': expected a size such as 512MB or 2GB" in stderr
    assert "Traceback" not in stderr


def _one_row_per_key(target: str) -> dict[str, int]:
    """Return the stored rows of each table, checking that no key is stored twice."""
    from govhall.store.ingest import KIND_LAYOUT

    opened = open_store(target)
    try:
        found = {}
        for kind in ("cases", "ratings", "findings"):
            layout = KIND_LAYOUT[kind]
            keys = ", ".join(f'"{name}"' for name in ("hall", *layout.key))
            rows, distinct = opened.backend.execute(
                f"SELECT count(*), count(DISTINCT ({keys})) FROM {layout.table}"
            )[0]
            assert rows == distinct, f"{kind}: a key stored twice"
            found[kind] = int(rows)
        return found
    finally:
        opened.close()


def test_the_fate_of_a_row_never_rests_on_a_key_constraint(
    tmp_path: Path, store_target: str
) -> None:
    # a DuckDB store's tables have no keys: imports alone keep one row per key
    data = folder(tmp_path / "data")
    ingest(data, store_target)
    ingest(data, store_target)
    assert _one_row_per_key(store_target) == {"cases": 3, "ratings": 2, "findings": 1}
    later = [list(row) for row in CASES]
    later[1][5:7] = ["concluded", "2010-03-04T10:00"]
    extra = ["c4", "dishui", "tax-registration", "immediate", "2010-03-05T09:30", "accepted",
             "", "1", "", ""]  # fmt: skip
    # a re-export with a change and a new case, each given twice (split files)
    export = folder(tmp_path / "export", cases=[*later, extra], ratings=RATINGS)
    write_csv(export / "cases-2.csv", CASE_HEADER, [later[1], extra])
    code, document, _ = ingest(export, store_target)
    assert code == 0
    assert [f["inserted"] + f["updated"] for f in document["files"] if f["kind"] == "cases"] == [
        2,
        0,
    ]
    assert _one_row_per_key(store_target) == {"cases": 4, "ratings": 2, "findings": 1}
    assert len(dump(store_target)["case_history"]) == 1
    # two different rows of a stored case and of a new one: neither row is used
    other, new = list(later[0]), list(extra)
    other[7], new[0] = "4", "c5"
    changed = list(new)
    changed[7] = "2"
    clash = folder(tmp_path / "clash", cases=[*later, other, new, changed], ratings=None)
    code, document, _ = ingest(clash, store_target)
    assert code == 0
    assert counts(document)["cases"] == (6, 0, 0, 2, 4)
    assert _one_row_per_key(store_target) == {"cases": 4, "ratings": 2, "findings": 1}


def test_an_import_into_duckdb_is_bounded_to_the_default_memory_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govhall.store.backends import IMPORT_MEMORY, connect

    def bound(target: str) -> str:
        backend = connect(target, create=True)
        try:
            backend.limit_memory()
            return str(backend.execute("SELECT current_setting('memory_limit')")[0][0])
        finally:
            backend.close()

    monkeypatch.delenv("GOVHALL_STORE_MEMORY", raising=False)
    assert IMPORT_MEMORY == "512MB"
    assert bound(str(tmp_path / "a.duckdb")) == "488.2 MiB"  # DuckDB shows 512 MB in MiB
    monkeypatch.setenv("GOVHALL_STORE_MEMORY", "2GB")
    assert bound(str(tmp_path / "b.duckdb")) == "1.8 GiB"
