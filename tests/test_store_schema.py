"""Store schema versions and the faults of opening a store: migrations, newer stores,
things that are not govhall stores, unreachable servers, a locked DuckDB file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PostgresServer
from store_helpers import CASE_HEADER, FINDING_HEADER, RATING_HEADER, dump, write_csv

from govhall.cli import main
from govhall.store import SCHEMA_VERSION, StoreError, open_store, schema_version

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "zhenhai.toml")
ROW = ["c1", "dishui", "tax-registration", "immediate", "2010-03-01T09:00", "concluded",
       "2010-03-01T10:00", "1", "", ""]  # fmt: skip


def data(tmp_path: Path) -> Path:
    write_csv(tmp_path / "data" / "cases.csv", CASE_HEADER, [ROW])
    return tmp_path / "data"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_new_store_has_the_current_schema_version(store_target: str) -> None:
    opened = open_store(store_target, create=True)
    try:
        assert schema_version(opened.backend) == SCHEMA_VERSION
        assert opened.notes == []
    finally:
        opened.close()


def test_an_older_store_is_upgraded_with_a_message_and_keeps_its_data(
    tmp_path: Path, store_target: str
) -> None:
    open_store(store_target, create=True, upto=1).close()
    opened = open_store(store_target)
    assert schema_version(opened.backend) == SCHEMA_VERSION
    opened.close()
    code, _, stderr = run("kpi", CONFIG, "--data", store_target)
    assert code == 1  # no data for the hall yet: the store itself opened fine
    assert "no data for hall 'zhenhai'" in stderr


def test_upgrading_a_store_with_data_keeps_it(tmp_path: Path) -> None:
    target = str(tmp_path / "old.duckdb")
    open_store(target, create=True, upto=1).close()
    # an import into the version-1 store upgrades it first and says so
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", target)
    assert code == 0
    assert f"upgraded the store's schema from version 1 to {SCHEMA_VERSION}" in stderr
    code, out, _ = run("store", "history", target, "--hall", "zhenhai", "--case", "c1", "--json")
    assert code == 0
    assert [v["status"] for v in json.loads(out)["versions"]] == ["concluded"]


def test_a_store_of_a_newer_schema_is_refused_and_left_alone(
    tmp_path: Path, store_target: str
) -> None:
    run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", store_target)
    opened = open_store(store_target)
    backend = opened.backend
    backend.begin()
    backend.execute(
        "INSERT INTO govhall.schema_version VALUES (?, current_timestamp, '99.0')",
        [SCHEMA_VERSION + 1],
    )
    backend.commit()
    opened.close()
    before = dump_newer(store_target)
    for args in (
        ("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", store_target),
        ("kpi", CONFIG, "--data", store_target),
        ("store", "info", store_target),
    ):
        code, _, stderr = run(*args)
        assert code == 1
        assert f"schema version {SCHEMA_VERSION + 1}, written by a newer govhall" in stderr
        assert "upgrade govhall" in stderr
    assert dump_newer(store_target) == before


def dump_newer(target: str) -> list[tuple[object, ...]]:
    """Read the cases table without opening the store (which refuses a newer schema)."""
    from govhall.store.backends import connect

    backend = connect(target, create=False)
    try:
        return sorted(backend.execute("SELECT * FROM govhall.cases"), key=repr)
    finally:
        backend.close()


def test_a_duckdb_file_with_other_tables_is_not_a_govhall_store(tmp_path: Path) -> None:
    import duckdb

    target = tmp_path / "other.duckdb"
    with duckdb.connect(str(target)) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", str(target))
    assert code == 1
    assert "not a govhall store (it holds other tables: main.invoices)" in stderr
    code, _, stderr = run("kpi", CONFIG, "--data", str(target))
    assert code == 1
    assert "not a govhall store" in stderr


def test_a_file_that_is_not_duckdb_is_refused_by_name(tmp_path: Path) -> None:
    target = tmp_path / "notes.duckdb"
    target.write_text("just some text\n" * 100, encoding="utf-8")
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", str(target))
    assert code == 1
    assert f"{target}: cannot open as a DuckDB store" in stderr
    assert "Traceback" not in stderr
    assert target.read_text(encoding="utf-8") == "just some text\n" * 100


def test_a_missing_store_is_not_created_by_reading(tmp_path: Path) -> None:
    target = tmp_path / "none.duckdb"
    code, _, stderr = run("kpi", CONFIG, "--data", str(target))
    assert code == 1
    assert "no such store" in stderr
    assert not target.exists()


def test_a_store_option_that_is_no_store_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run(
        "ingest", CONFIG, "--data", str(data(tmp_path)), "--store", str(tmp_path / "x.db")
    )
    assert code == 2
    assert "expected a path ending in .duckdb or a postgresql:// URL" in stderr


def test_a_data_file_is_a_file_problem_for_the_commands(tmp_path: Path) -> None:
    # exit 1, as every file that is missing or not what it should be (2 is for usage)
    code, _, stderr = run("kpi", CONFIG, "--data", str(data(tmp_path) / "cases.csv"))
    assert code == 1
    assert "a .duckdb store or a postgresql:// URL" in stderr


def test_a_duckdb_store_in_use_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "busy.duckdb"
    code, _, _ = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", str(target))
    assert code == 0
    before = dump(str(target))
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(target)!r}); "
         "print('open', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        code, _, stderr = run(
            "ingest", CONFIG, "--data", str(data(tmp_path)), "--store", str(target)
        )
        assert code == 1
        assert "in use by another process" in stderr
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    time.sleep(0.1)
    assert dump(str(target)) == before


def test_an_unreachable_server_names_its_host_and_exits_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://someone:hunter2@127.0.0.1:{port}/halls"
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", url)
    assert code == 1
    assert f"cannot reach the PostgreSQL store at 127.0.0.1:{port}/halls" in stderr
    assert "hunter2" not in stderr
    code, _, stderr = run("kpi", CONFIG, "--data", url)
    assert code == 1
    assert "hunter2" not in stderr
    assert f"127.0.0.1:{port}" in stderr


def test_a_refused_password_never_shows_the_password(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = (
        f"postgresql://{postgres_server.SECRET_USER}:wrong-Pa55word@127.0.0.1:"
        f"{postgres_server.port}/postgres"
    )
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", url)
    assert code == 1
    assert f"cannot reach the PostgreSQL store at 127.0.0.1:{postgres_server.port}" in stderr
    assert "password authentication failed" in stderr
    assert "wrong-Pa55word" not in stderr


def test_the_right_password_opens_the_store_and_is_not_echoed(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    database = postgres_server.new_database().rsplit("/", 1)[1]
    url = (
        f"postgresql://{postgres_server.SECRET_USER}:{postgres_server.SECRET_PASSWORD}"
        f"@127.0.0.1:{postgres_server.port}/{database}"
    )
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(data(tmp_path)), "--store", url, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert postgres_server.SECRET_PASSWORD not in result.output
    assert json.loads(result.stdout)["store"].endswith(
        f":***@127.0.0.1:{postgres_server.port}/{database}"
    )


def test_a_malformed_url_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, _, stderr = run(
        "ingest",
        CONFIG,
        "--data",
        str(data(tmp_path)),
        "--store",
        "postgresql://u:p@host:notaport/db",
    )
    assert code == 1
    assert "Traceback" not in stderr
    assert "internal error" not in stderr
    assert ":p@" not in stderr


def test_a_postgres_database_with_a_foreign_govhall_schema_is_refused(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.new_database()
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA govhall")
        connection.execute("CREATE TABLE govhall.things (id INTEGER)")
    code, _, stderr = run("ingest", CONFIG, "--data", str(data(tmp_path)), "--store", url)
    assert code == 1
    assert "not a govhall store" in stderr


def test_store_errors_are_govhall_errors() -> None:
    from govhall.errors import GovhallError

    assert issubclass(StoreError, GovhallError)
    with pytest.raises(StoreError, match=r"a store is a path ending in \.duckdb"):
        open_store("halls.sqlite")


KEYED = ("cases", "case_history", "ratings", "findings", "rectifications")


def _keys(target: str) -> set[str]:
    """Return the govhall data tables that have a primary key or unique constraint."""
    opened = open_store(target)
    try:
        rows = opened.backend.execute(
            "SELECT table_name FROM information_schema.table_constraints "
            "WHERE table_schema = 'govhall' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        )
        return {row[0] for row in rows} & set(KEYED)
    finally:
        opened.close()


def test_a_duckdb_store_keeps_no_keys_on_its_data_a_postgresql_store_keeps_them(
    store_target: str,
) -> None:
    open_store(store_target, create=True).close()
    expected = set() if store_target.endswith(".duckdb") else set(KEYED)
    assert _keys(store_target) == expected


def test_a_version_4_duckdb_store_loses_its_keys_and_keeps_every_row(tmp_path: Path) -> None:
    from govhall.store.backends import connect
    from govhall.store.schema import prepare

    # a store with every kind of row, history included, written by this govhall
    source = tmp_path / "source"
    write_csv(source / "cases.csv", CASE_HEADER, [ROW])
    rating = ["c1", "dishui", "", "2", "2010-03-01T10:05", "web", "a;b"]
    write_csv(source / "ratings.csv", [*RATING_HEADER, "tags"], [rating])
    finding = ["2010-03-10", "dishui", "", "window.intake.negligence", "1", "4"]
    write_csv(source / "findings.csv", FINDING_HEADER, [finding])
    progress = ["c1", "web", "2010-03-01T10:05", "2010-03-02T09:00", "", "", ""]
    header = ["case_id", "channel", "rated_at", "verified_at", "rectified_at", "replied_at"]
    write_csv(source / "rectifications.csv", [*header, "outcome"], [progress])
    written = str(tmp_path / "written.duckdb")
    assert run("ingest", CONFIG, "--data", str(source), "--store", written)[0] == 0
    write_csv(source / "cases.csv", CASE_HEADER, [[*ROW[:7], "2", *ROW[8:]]])
    assert run("ingest", CONFIG, "--data", str(source), "--store", written)[0] == 0
    expected = dump(written)
    assert all(expected[table] for table in ("cases", "case_history", "ratings", "findings"))
    # the same rows in a store of version 4 (keyed tables)
    old = str(tmp_path / "old.duckdb")
    backend = connect(old, create=True)
    prepare(backend, create=True, upto=4)
    backend.execute("ATTACH ? AS written (READ_ONLY)", [written])
    for table in (*KEYED, "halls", "imports"):
        backend.execute(
            f"INSERT INTO govhall.{table} BY NAME SELECT * FROM written.govhall.{table}"
        )
    backend.execute("DETACH written")
    keyed = backend.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() "
        "WHERE schema_name = 'govhall' AND constraint_type = 'PRIMARY KEY'"
    )
    assert set(KEYED) <= {row[0] for row in keyed}
    backend.close()
    opened = open_store(old)
    opened.close()
    assert opened.notes == [f"{old}: upgraded the store's schema from version 4 to 5"]
    assert dump(old) == expected
    assert _keys(old) == set()
    # and an import into it still finds its rows unchanged
    code, out, _ = run("ingest", CONFIG, "--data", str(source), "--store", old, "--json")
    assert code == 0
    assert {f["kind"]: f["unchanged"] for f in json.loads(out)["files"]} == {
        "cases": 1, "ratings": 1, "findings": 1, "rectifications": 1}  # fmt: skip
