"""An import killed mid-transaction (SIGKILL), or stopped by a full disk, leaves the store
exactly as it was; two imports at once serialize or one fails clearly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_helpers import dump

from govhall.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "zhenhai.toml")
GOVHALL = str(Path(sys.executable).parent / "govhall")


def _sample(folder: Path, rows: int) -> Path:
    result = CliRunner().invoke(
        main, ["sample", CONFIG, "--out", str(folder), "--rows", str(rows), "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    return folder


def _in_transaction(store: str, scratch: Path) -> bool:
    """Tell whether an import into ``store`` has begun its transaction and not ended it."""
    if store.endswith(".duckdb"):
        # the careful reader's cases are staged through a temporary CSV file, inside the
        # transaction
        return any(scratch.glob("govhall-*.csv"))
    import psycopg

    with psycopg.connect(store, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON l.relation = c.oid "
            "WHERE c.relname = 'imports' AND l.mode = 'ExclusiveLock' AND l.granted"
        ).fetchone()
    return bool(row and row[0])


def test_an_import_killed_mid_transaction_changes_nothing(
    tmp_path: Path, store_target: str
) -> None:
    first = _sample(tmp_path / "first", 200)
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(first), "--store", store_target]
    )
    assert result.exit_code == 0, result.output
    before = dump(store_target)
    big = _sample(tmp_path / "big", 60_000)
    # a row with an explicit offset: the careful reader (not DuckDB's scan, which runs before
    # the transaction) stages the cases, inside it
    with (big / "cases.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "late-1,gongzheng,notarization,immediate,2010-12-30T09:00+08:00,received,,1,\n"
        )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "GOVHALL_NO_PROGRESS": "1"}
    process = subprocess.Popen(
        [GOVHALL, "ingest", CONFIG, "--data", str(big), "--store", store_target],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _in_transaction(store_target, scratch):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the import ended before it could be killed mid-transaction")
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    if store_target.startswith("postgresql"):
        time.sleep(0.5)  # the server notices the lost connection and rolls back
    assert dump(store_target) == before
    # and the store still takes the next import
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(first), "--store", store_target, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"import_id": 2' in result.stdout


def test_two_concurrent_imports_serialize_or_one_fails_clearly(
    tmp_path: Path, store_target: str
) -> None:
    data = _sample(tmp_path / "data", 3_000)
    processes = [
        subprocess.Popen(
            [GOVHALL, "ingest", CONFIG, "--data", str(data), "--store", store_target, "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [process.communicate(timeout=300) for process in processes]
    codes = [process.returncode for process in processes]
    for code, (_, stderr) in zip(codes, outcomes, strict=True):
        assert code in (0, 1), stderr
        if code == 1:  # DuckDB: one writer per file
            assert store_target.endswith(".duckdb"), stderr
            assert "in use by another process" in stderr
        assert "Traceback" not in stderr
    assert 0 in codes
    stored = dump(store_target)
    rows = len((data / "cases.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert len(stored["cases"]) == rows
    assert stored["case_history"] == []
    assert len(stored["imports"]) == codes.count(0)


def test_a_full_disk_mid_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = str(tmp_path / "store.duckdb")
    first = _sample(tmp_path / "first", 200)
    result = CliRunner().invoke(main, ["ingest", CONFIG, "--data", str(first), "--store", store])
    assert result.exit_code == 0, result.output
    before = dump(store)
    big = _sample(tmp_path / "big", 20_000)
    # no file of the process may grow beyond the store's size now: the disk is "full"
    limit = Path(store).stat().st_size
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
        "from govhall.cli import main\n"
        f"main(['ingest', {CONFIG!r}, '--data', {str(big)!r}, '--store', {store!r}])\n"
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch), "GOVHALL_NO_PROGRESS": "1"},
        timeout=300,
    )
    assert process.returncode == 1, process.stderr
    assert "the import failed, nothing was written" in process.stderr
    assert "File too large" in process.stderr
    assert "Traceback" not in process.stderr
    assert dump(store) == before
    # the disk has room again: the same import goes through
    result = CliRunner().invoke(
        main, ["ingest", CONFIG, "--data", str(big), "--store", store, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"import_id": 2' in result.stdout


def test_two_imports_at_once_in_one_process_never_store_a_key_twice(
    tmp_path: Path, store_target: str
) -> None:
    # Two threads share one DuckDB database (no file lock between them) and its data
    # tables have no keys: the imports table's key is what stops the second of two
    # overlapping imports (both take the same import id). Each import holds its
    # transaction open until the other has begun its own (or a while has passed).
    import threading

    from store_helpers import CASE_HEADER, RATING_HEADER, write_csv

    from govhall.session import open_hall
    from govhall.store import StoreError, ingest, open_store

    hall = open_hall(CONFIG).config
    cases = [
        [f"c{n}", "dishui", "tax-registration", "immediate", "2010-03-01T09:00", "accepted", "",
         "1", "", ""]
        for n in range(40)
    ]  # fmt: skip
    data = tmp_path / "data"
    write_csv(data / "cases.csv", CASE_HEADER, cases)
    write_csv(data / "ratings.csv", RATING_HEADER, [["c1", "dishui", "", "5",
              "2010-03-01T10:05", "pad"]])  # fmt: skip
    open_store(store_target, create=True).close()
    began = [threading.Event(), threading.Event()]
    outcomes: dict[int, object] = {}

    def run(number: int) -> None:
        def meet(kind: str, paths: object, rows: object) -> object:
            if kind == "ratings":  # read inside the transaction
                began[number].set()
                began[1 - number].wait(5)
            return rows

        try:
            outcomes[number] = ingest(hall, data, store_target, progress=meet).import_id  # type: ignore[arg-type]
        except StoreError as exc:
            outcomes[number] = exc

    threads = [threading.Thread(target=run, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done = [o for o in outcomes.values() if isinstance(o, int)]
    failed = [o for o in outcomes.values() if isinstance(o, StoreError)]
    assert len(done) + len(failed) == 2
    assert done, failed
    for error in failed:
        assert "nothing was written" in str(error) or "conflict" in str(error).lower(), error
    stored = dump(store_target)
    assert sorted(row[1] for row in stored["cases"]) == sorted(row[0] for row in cases)
    assert len(stored["ratings"]) == 1
    assert len(stored["imports"]) == len(done)
