"""Any bytes in a data file give used rows or reported problems, never a crash.

Property: reading cases, ratings or findings (CSV or JSON Lines) either ends
with ``read == used + rejected + copies`` and every rejected row reported with file
and line, or stops with a :class:`GovhallError` naming the file (not UTF-8,
no header, a required column missing or repeated). The inputs are random
bytes and mutated real rows from ``govhall sample``. ``kpi``, ``score`` and
``rewards`` on mutated data folders exit 0 or 1 without a traceback.
``bench/fuzz_readers.py`` runs the long version.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from session_temp import Scratch, module_scratch

from govhall.cli import main
from govhall.errors import GovhallError
from govhall.readers import ReadReport, read_cases, read_findings, read_ratings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
TZ = ZoneInfo("Asia/Shanghai")
STEMS = ("cases", "ratings", "findings")
FORMATS = ("csv", "jsonl")
SCRATCH = Scratch()
"""The folder of this module's files: made and removed by the ``scratch`` fixture."""
_names = itertools.count()


scratch = module_scratch(SCRATCH, "reader-fuzz")


EXTRA = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\r\n",
    b'"',
    b",",
    b"\n",
    b"{",
    b"[]",
    b"null",
    b"1e400",
    b"9" * 5000,
    b"x" * 140_000,
    b"\xff\xfe",
    "张三".encode("gbk"),
    b"0001-01-01T00:00+14:00",
    b"[" * 3000,
]


def _sample() -> dict[tuple[str, str], bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sample"
        args = ["sample", str(CONFIG), "--out", str(out), "--rows", "40"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        written = {stem: (out / f"{stem}.csv").read_bytes() for stem in STEMS}
    files = {}
    for stem in STEMS:
        raw = written[stem]
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        files[(stem, "csv")] = raw
        files[(stem, "jsonl")] = "".join(
            json.dumps(row, ensure_ascii=False) + "\n" for row in rows
        ).encode()
    return files


SAMPLE = _sample()


def read(path: Path, stem: str, report: ReadReport) -> list[Any]:
    """Read ``path`` with the reader for ``stem``."""
    if stem == "cases":
        return list(read_cases(path, TZ, report))
    if stem == "ratings":
        return list(read_ratings(path, TZ, report))
    return list(read_findings(path, report))


def write(stem: str, ext: str, raw: bytes) -> Path:
    folder = SCRATCH / f"f{next(_names)}"
    folder.mkdir()
    path = folder / f"{stem}.{ext}"
    path.write_bytes(raw)
    return path


def check(path: Path, stem: str) -> ReadReport | None:
    """Assert the reader's contract on ``path``; return the report (None: file refused)."""
    report = ReadReport()
    try:
        records = read(path, stem, report)
    except GovhallError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert str(path) in message
        return None
    assert report.read == report.used + report.rejected + report.copies
    assert report.used == len(records)
    assert len(report.problems) == min(report.rejected, report.max_problems)
    first_row = 2 if path.suffix == ".csv" else 1
    for problem in report.problems:
        assert problem.file == str(path)
        assert problem.line is not None
        assert problem.line >= first_row
        assert problem.message
    return report


def _mutate(data: st.DataObject, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 4))):
        rows = raw.split(b"\n")
        at = data.draw(st.integers(0, len(rows) - 1))
        kind = data.draw(
            st.sampled_from(
                ["delete", "duplicate", "bytes", "extra", "field", "header", "crlf", "cut"]
            )
        )
        row = rows[at]
        if kind == "delete":
            del rows[at]
        elif kind == "duplicate":
            rows.insert(at, row)
        elif kind in ("bytes", "extra"):
            spot = data.draw(st.integers(0, len(row)))
            insert = (
                data.draw(st.binary(min_size=1, max_size=8))
                if kind == "bytes"
                else data.draw(st.sampled_from(EXTRA))
            )
            rows[at] = row[:spot] + insert + row[spot:]
        elif kind == "field":
            fields = row.split(b",")
            if len(fields) > 1 and data.draw(st.booleans()):
                del fields[data.draw(st.integers(0, len(fields) - 1))]
            else:
                fields.insert(data.draw(st.integers(0, len(fields))), b"extra")
            rows[at] = b",".join(fields)
        elif kind == "header":
            fields = rows[0].split(b",")
            spot = data.draw(st.integers(0, len(fields) - 1))
            fields[spot] = data.draw(st.sampled_from([b"name", "姓名".encode(), fields[-1], b""]))
            rows[0] = b",".join(fields)
        elif kind == "crlf":
            return b"\r\n".join(rows)
        else:
            joined = b"\n".join(rows)
            return joined[: data.draw(st.integers(0, len(joined)))]
        raw = b"\n".join(rows)
    return raw


stems = st.sampled_from(STEMS)
formats = st.sampled_from(FORMATS)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(stem=stems, ext=formats, raw=st.binary(max_size=300))
def test_random_bytes_never_crash_a_reader(stem: str, ext: str, raw: bytes) -> None:
    check(write(stem, ext, raw), stem)


@FAST
@given(stem=stems, ext=formats, data=st.data())
def test_mutated_sample_rows_never_crash_a_reader(stem: str, ext: str, data: st.DataObject) -> None:
    check(write(stem, ext, _mutate(data, SAMPLE[(stem, ext)])), stem)


@FAST
@given(stem=stems, ext=formats, data=st.data())
def test_sample_rows_with_random_lines_are_counted(
    stem: str, ext: str, data: st.DataObject
) -> None:
    """Good rows plus random text lines: the good rows are all used, the rest rejected."""
    lines = SAMPLE[(stem, ext)].decode().splitlines(keepends=True)
    head, body = (lines[:1], lines[1:]) if ext == "csv" else ([], lines)
    noise = data.draw(
        st.lists(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1), max_size=5)
    )
    mixed = list(body)
    for text in noise:
        line = text.replace("\r", "").replace("\n", "").replace('"', "") or "?"
        mixed.insert(data.draw(st.integers(0, len(mixed))), line + "\n")
    report = check(write(stem, ext, "".join(head + mixed).encode()), stem)
    assert report is not None
    assert report.used >= len(body)  # noise that happens to be a good row may be used too
    assert report.read == len(body) + len(noise) - _blank(noise, ext)


def _blank(noise: list[str], ext: str) -> int:
    """Noise lines that are not rows: blank JSON lines (an empty CSV line became ``?``)."""
    if ext == "csv":
        return 0
    lines = (text.replace("\r", "").replace("\n", "").replace('"', "") or "?" for text in noise)
    return sum(1 for line in lines if not line.strip())  # as the test writes them


# -- the kinds of damage a file can carry, one by one ----------------------------


def _csv(stem: str) -> bytes:
    return SAMPLE[(stem, "csv")]


def _rows(raw: bytes) -> int:
    return len(raw.decode("utf-8-sig").splitlines()) - 1


@pytest.mark.parametrize("stem", STEMS)
def test_bom_and_crlf_give_the_same_records(stem: str) -> None:
    raw = _csv(stem)
    plain = read(write(stem, "csv", raw), stem, ReadReport())
    variant = b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")
    report = ReadReport()
    assert read(write(stem, "csv", variant), stem, report) == plain
    assert report.rejected == 0


def test_a_second_bom_before_the_header_is_tolerated() -> None:
    raw = b"\xef\xbb\xbf\xef\xbb\xbf" + _csv("ratings")
    report = ReadReport()
    assert len(read(write("ratings", "csv", raw), "ratings", report)) == _rows(_csv("ratings"))


def test_a_wrong_encoding_names_file_and_line() -> None:
    text = _csv("ratings").decode() + "x,gongshang,,5,2010-01-04T15:53,窗口\n"
    path = write("ratings", "csv", text.encode("gbk"))
    with pytest.raises(GovhallError, match=r"not UTF-8 text after line \d+: byte 0x"):
        read(path, "ratings", ReadReport())


@pytest.mark.parametrize("ext", FORMATS)
def test_a_nul_in_a_row_rejects_that_row(ext: str) -> None:
    raw = SAMPLE[("cases", ext)]
    lines = raw.split(b"\n")
    lines[2] = lines[2].replace(b"T", b"T\x00", 1)  # inside received_at
    report = ReadReport()
    path = write("cases", ext, b"\n".join(lines))
    assert len(read(path, "cases", report)) == _rows(_csv("cases")) - 1
    # CSV: a bad time; JSON: a raw control character inside a string is invalid JSON
    key = "received_at" if ext == "csv" else ""
    assert [(p.line, p.key) for p in report.problems] == [(3, key)]


def test_a_huge_field_is_a_rejected_row_and_reading_goes_on() -> None:
    lines = _csv("findings").split(b"\n")
    lines.insert(2, b"2010-01-04,fagai,," + b"x" * 200_000 + b",1,")
    report = ReadReport()
    records = read(write("findings", "csv", b"\n".join(lines)), "findings", report)
    assert len(records) == _rows(_csv("findings"))
    assert [p.line for p in report.problems] == [3]
    assert "field larger than field limit" in report.problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"case_id": ' + "9" * 5000 + "}", "a number too long"),
        ("[" * 5000, "nested too deep"),
        ("[1, 2]", "expected a JSON object"),
        ('{"case_id": "x",', "invalid JSON"),
    ],
)
def test_bad_json_lines_are_rejected_with_their_line(text: str, message: str) -> None:
    raw = SAMPLE[("ratings", "jsonl")] + text.encode() + b"\n"
    report = ReadReport()
    records = read(write("ratings", "jsonl", raw), "ratings", report)
    assert len(records) == _rows(_csv("ratings"))
    assert [p.line for p in report.problems] == [_rows(_csv("ratings")) + 1]
    assert message in report.problems[0].message


def test_ragged_rows_are_rejected_with_the_field_count() -> None:
    lines = _csv("cases").split(b"\n")
    lines[1] += b",extra"
    lines[2] = lines[2].rsplit(b",", 2)[0]
    report = ReadReport()
    read(write("cases", "csv", b"\n".join(lines)), "cases", report)
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "expected 9 fields, found 10"),
        (3, "expected 9 fields, found 7"),
    ]


def test_a_repeated_header_column_stops_the_file() -> None:
    raw = _csv("ratings").replace(b"channel", b"window", 1)
    path = write("ratings", "csv", raw)
    with pytest.raises(GovhallError, match=r":1:6: column 'window' appears twice"):
        read(path, "ratings", ReadReport())


@pytest.mark.parametrize("stem", STEMS)
def test_a_missing_required_column_stops_the_file(stem: str) -> None:
    header, _, rest = _csv(stem).partition(b"\n")
    first = header.split(b",")[0].decode()
    path = write(stem, "csv", header.split(b",", 1)[1] + b"\n" + rest)
    with pytest.raises(GovhallError, match=f":1: missing required column\\(s\\) {first} "):
        read(path, stem, ReadReport())


def test_a_time_out_of_range_in_the_hall_zone_is_a_bad_value() -> None:
    lines = _csv("ratings").split(b"\n")
    fields = lines[1].split(b",")
    fields[4] = b"0001-01-01T00:00+14:00"
    lines[1] = b",".join(fields)
    report = ReadReport()
    read(write("ratings", "csv", b"\n".join(lines)), "ratings", report)
    assert [(p.line, p.key, p.column) for p in report.problems] == [(2, "rated_at", 5)]
    assert "out of range" in report.problems[0].message


# -- the CLI ----------------------------------------------------------------------


def _folder(stem: str, ext: str, raw: bytes) -> Iterator[Path]:
    folder = SCRATCH / f"d{next(_names)}"
    folder.mkdir()
    for other in STEMS:
        (folder / f"{other}.{ext}").write_bytes(raw if other == stem else SAMPLE[(other, ext)])
    yield folder


# no shrinking: each example runs three commands, and shrinking one could take minutes
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(stem=stems, ext=formats, data=st.data())
def test_commands_on_fuzzed_data_never_show_a_traceback(
    stem: str, ext: str, data: st.DataObject
) -> None:
    raw = _mutate(data, SAMPLE[(stem, ext)])
    for folder in _folder(stem, ext, raw):
        for args in (
            ["kpi", str(CONFIG), "--data", str(folder), "--json"],
            ["score", str(CONFIG), "--data", str(folder), "--month", "2010-03"],
            ["rewards", str(CONFIG), "--data", str(folder), "--year", "2010", "--csv"],
        ):
            result = CliRunner().invoke(main, args)
            assert result.exit_code in (0, 1), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            assert "internal error" not in result.output
