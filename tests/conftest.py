"""Shared fixtures: a plugin manager that holds only what a test names; a clean temp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# one temporary folder per test session, and a failed run when anything is left in it
from session_temp import (  # noqa: F401
    pytest_configure,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
)

from govhall.plugins import GovhallPluginManager, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"

# no Spark class archive in the user's cache from a test run (tests/test_spark_classes.py
# gives its runs a folder of their own)
os.environ.setdefault("GOVHALL_SPARK_CLASS_ARCHIVE", "off")


@pytest.fixture
def manager() -> GovhallPluginManager:
    """Return a fresh manager with the built-in defaults and the Pinghu plugin only."""
    import govhall_pinghu

    return get_plugin_manager(load_entry_points=False, plugins=[("pinghu", govhall_pinghu)])


@pytest.fixture
def cli_manager(
    manager: GovhallPluginManager, monkeypatch: pytest.MonkeyPatch
) -> GovhallPluginManager:
    """Make the CLI use ``manager`` instead of the installed plugins."""
    monkeypatch.setattr("govhall.plugins.get_plugin_manager", lambda **_: manager)
    return manager


# -- stores: a DuckDB file, and a real PostgreSQL server started for the session --------


def _pg_bin(name: str) -> str | None:
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free localhost port."""

    SECRET_USER = "govhall_secret"
    SECRET_PASSWORD = "s3cret-Pa55"  # a role that must give its password (scram)

    def __init__(self, root: Path) -> None:
        import os
        import subprocess

        self.root = root
        self.data = root / "cluster"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
            self._as_user = ["runuser", "-u", "postgres", "--"]
            subprocess.run(["chown", "-R", "postgres", str(root)], check=True)
        initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        assert initdb
        assert self.pg_ctl
        self._run(
            [initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"]
        )  # fmt: skip
        hba = self.data / "pg_hba.conf"
        rules = (
            f"host all {self.SECRET_USER} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\nlocal all all trust\n"
        )
        self._run(["sh", "-c", f"printf '{rules}' > {hba}"])
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off"
        self._run(
            [self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(root / "log"), "-w",
             "start"]
        )  # fmt: skip
        self.admin(
            f"CREATE ROLE {self.SECRET_USER} LOGIN SUPERUSER PASSWORD '{self.SECRET_PASSWORD}'"
        )
        self._count = 0

    def _run(self, command: list[str]) -> None:
        import subprocess

        subprocess.run([*self._as_user, *command], check=True, capture_output=True)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        self._count += 1
        name = f"govhall_test_{self._count}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        import subprocess

        subprocess.run(
            [*self._as_user, self.pg_ctl or "pg_ctl", "-D", str(self.data), "-m", "immediate",
             "stop"],
            capture_output=True,
        )  # fmt: skip


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL server once per test session, stop it at the end.

    Without PostgreSQL installed the tests that need it are skipped, unless
    ``GOVHALL_REQUIRE_POSTGRES=1`` (set by ``.ci/run``): then they fail.
    """
    import os

    if _pg_bin("initdb") is None or _pg_bin("pg_ctl") is None:
        if os.environ.get("GOVHALL_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "GOVHALL_REQUIRE_POSTGRES=1 but PostgreSQL (initdb, pg_ctl) is not installed"
            )
        pytest.skip("PostgreSQL is not installed (set GOVHALL_REQUIRE_POSTGRES=1 to fail instead)")
    import shutil
    import tempfile

    # a short path: the server's unix socket path must stay under 108 bytes
    root = Path(tempfile.mkdtemp(prefix="govhall-pg-"))
    try:
        server = PostgresServer(root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["duckdb", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return an empty store: a new ``.duckdb`` path, or a new database on the test server."""
    if request.param == "duckdb":
        yield str(tmp_path / "store.duckdb")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One Spark session for the whole test run (a JVM start takes seconds).

    Without Java (or pyspark) the tests that use it are skipped, unless
    ``GOVHALL_REQUIRE_SPARK=1`` (CI), where they fail.
    """
    from govhall.engines import open_engine
    from govhall.engines.spark import java_missing

    required = os.environ.get("GOVHALL_REQUIRE_SPARK") == "1"
    missing = java_missing()
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (pip install -e '.[spark]')"
    if missing:
        if required:
            pytest.fail(f"GOVHALL_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    engine = open_engine("spark", master="local[2]")
    yield engine.session  # type: ignore[attr-defined]
    engine.close()
