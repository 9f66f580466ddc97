"""Mutated real configs never crash the reader or the CLI.

Each example takes a config from ``configs/`` and applies a few mutations
(delete, duplicate or swap lines; flip or insert bytes; insert a random key;
change a value's type). :func:`check_config_bytes` must return a report whose
problems all have a message and a sensible line; ``govhall validate`` must
exit 0 or 1 without a traceback. ``bench/fuzz_configs.py`` runs the long version.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhall.cli import main
from govhall.config.load import check_config_bytes
from govhall.plugins import GovhallPluginManager, get_plugin_manager

CONFIGS = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.toml"))
ORIGINALS = [path.read_bytes() for path in CONFIGS]

VALUES = [
    b"1",
    b"-7",
    b"99999999999999999999",
    b"3.5",
    b"nan",
    b"-inf",
    b"true",
    b'""',
    b'"x"',
    b"'\xe5\xb9\xb3\xe6\xb9\x96'",
    b"[]",
    b'[1, "a"]',
    b"{}",
    b'{ id = "x" }',
    b"1979-05-27",
    b"07:32:00",
    b"2010-01-01T08:30:00+08:00",
    b'"""\nmulti\n"""',
]
KEYS = [b"id", b"name", b"window", b"kind", b"post", b"phone", b"fee", b"x", b'"q k"', b"a.b"]
HEADERS = [b"[hall]", b"[[windows]]", b"[[items]]", b"[[staff]]", b"[hall.phones]", b"[x]"]

values = st.sampled_from(VALUES) | st.binary(max_size=6)
lines = (
    st.tuples(st.sampled_from(KEYS), values).map(lambda kv: kv[0] + b" = " + kv[1])
    | st.sampled_from(HEADERS)
    | st.binary(max_size=12)
)


def _mutate(data: st.DataObject, raw: bytes) -> bytes:
    """Apply one to four mutations chosen by hypothesis."""
    for _ in range(data.draw(st.integers(1, 4))):
        rows = raw.split(b"\n")
        kind = data.draw(
            st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "retype", "cut"])
        )
        at = data.draw(st.integers(0, len(rows) - 1))
        if kind == "delete":
            del rows[at]
        elif kind == "duplicate":
            rows.insert(at, rows[at])
        elif kind == "swap":
            other = data.draw(st.integers(0, len(rows) - 1))
            rows[at], rows[other] = rows[other], rows[at]
        elif kind == "insert":
            rows.insert(at, data.draw(lines))
        elif kind == "retype" and b" = " in rows[at]:
            rows[at] = rows[at].split(b" = ", 1)[0] + b" = " + data.draw(values)
        elif kind in ("flip", "cut") and raw:
            position = data.draw(st.integers(0, len(raw) - 1))
            if kind == "cut":
                return raw[:position]
            byte = data.draw(st.integers(0, 255))
            return raw[:position] + bytes([byte]) + raw[position + 1 :]
        raw = b"\n".join(rows)
    return raw


@functools.cache
def _manager() -> GovhallPluginManager:
    return get_plugin_manager()


def test_there_are_configs_to_mutate() -> None:
    assert CONFIGS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(range(len(ORIGINALS))), data=st.data())
def test_reader_never_raises(which: int, data: st.DataObject) -> None:
    raw = _mutate(data, ORIGINALS[which])
    report = check_config_bytes(raw, "mutated.toml", _manager())
    line_count = raw.count(b"\n") + 1
    for problem in report.problems:
        assert problem.message.strip()
        assert problem.severity in ("error", "warning")
        assert problem.file == "mutated.toml"
        assert problem.line is None or 1 <= problem.line <= line_count
        assert problem.column is None or problem.column >= 1
        if problem.severity == "error" and problem.line is None:
            # Only a whole-file problem (no [hall] at all) or a plugin's value has no line.
            assert problem.source or problem.key in ("", "hall"), problem.format()
    if report.valid:
        assert report.config is not None
    else:
        assert any(problem.severity == "error" for problem in report.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(range(len(ORIGINALS))), data=st.data())
def test_cli_validate_never_prints_a_traceback(
    which: int, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "mutated.toml"
    path.write_bytes(_mutate(data, ORIGINALS[which]))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert result.stdout.startswith(f"{path}: ")
