"""Fuzz the data readers with thousands of mutated sample files; count the crashes.

Run: ``python bench/fuzz_readers.py [--count N] [--seed S] [--cli-every K]``.

The seed files are real sample rows (``govhall sample`` for Zhenhai, in CSV
and in JSON Lines). Each mutation takes one of them (cases, ratings or
findings) and applies one to four edits: delete, duplicate or swap lines;
flip, insert or delete bytes; insert NULs, a byte-order mark, CRLF line ends,
a huge field, random bytes or a line in another encoding (GBK); drop, repeat
or rename a header column; add or remove fields (ragged rows); cut the file
short. Every mutated file goes through its reader. A crash is:

- an exception other than :class:`govhall.GovhallError` out of the reader;
- a GovhallError whose message does not name the file;
- a finished read where ``read != used + rejected + copies``, or a rejected-row problem
  without file and line.

Every K-th mutation also runs ``govhall kpi``, ``score`` and ``rewards`` on a
data folder holding the mutated file (click's runner); exiting other than
0/1, a traceback or an "internal error" is a crash. The script prints the
mutation count and the crash count (with the first few crashes), and exits 1
when anything crashed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "zhenhai.toml"
STEMS = ("cases", "ratings", "findings")
EXTRA = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\r\n",
    b'"',
    b",",
    b"\n",
    b"{",
    b"}",
    b"[]",
    b"null",
    b"1e400",
    b"9" * 5000,
    b"x" * 140_000,
    b"-1",
    b"\xff\xfe",
    "姓名".encode(),
    "张三".encode("gbk"),
    b"0001-01-01T00:00+14:00",
    b"9999-12-31T23:59-12:00",
    b"2010-13-45",
    b"[" * 3000,
]


def sample_files(out: Path) -> dict[tuple[str, str], bytes]:
    """Write a small Zhenhai sample; return its files as CSV and JSON Lines bytes."""
    from click.testing import CliRunner

    from govhall.cli import main

    result = CliRunner().invoke(
        main, ["sample", str(CONFIG), "--out", str(out), "--rows", "60", "--force"]
    )
    if result.exit_code != 0:
        raise SystemExit(f"govhall sample failed: {result.output}")
    files: dict[tuple[str, str], bytes] = {}
    for stem in STEMS:
        raw = (out / f"{stem}.csv").read_bytes()
        files[(stem, "csv")] = raw
        files[(stem, "jsonl")] = to_jsonl(raw)
    return files


def to_jsonl(raw: bytes) -> bytes:
    """Convert CSV bytes to JSON Lines (numbers stay strings, as in many exports)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def _random_bytes(rng: random.Random, most: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(most + 1)))


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """Apply one to four random edits to ``raw``."""
    for _ in range(rng.randint(1, 4)):
        rows = raw.split(b"\n")
        at = rng.randrange(len(rows))
        kind = rng.choice(
            [
                "delete",
                "duplicate",
                "swap",
                "flip",
                "insert",
                "erase",
                "extra",
                "field",
                "header",
                "crlf",
                "cut",
            ]
        )
        if kind == "delete":
            del rows[at]
        elif kind == "duplicate":
            rows.insert(at, rows[at])
        elif kind == "swap":
            other = rng.randrange(len(rows))
            rows[at], rows[other] = rows[other], rows[at]
        elif kind == "flip" and rows[at]:
            row = bytearray(rows[at])
            row[rng.randrange(len(row))] = rng.randrange(256)
            rows[at] = bytes(row)
        elif kind == "insert":
            row = rows[at]
            spot = rng.randrange(len(row) + 1)
            rows[at] = row[:spot] + _random_bytes(rng, 8) + row[spot:]
        elif kind == "erase" and rows[at]:
            row = rows[at]
            spot = rng.randrange(len(row))
            rows[at] = row[:spot] + row[spot + rng.randint(1, 12) :]
        elif kind == "extra":
            row = rows[at]
            spot = rng.randrange(len(row) + 1)
            rows[at] = row[:spot] + rng.choice(EXTRA) + row[spot:]
        elif kind == "field":
            fields = rows[at].split(b",")
            if rng.random() < 0.5 and len(fields) > 1:
                del fields[rng.randrange(len(fields))]
            else:
                fields.insert(rng.randrange(len(fields) + 1), _random_bytes(rng, 4))
            rows[at] = b",".join(fields)
        elif kind == "header":
            fields = rows[0].split(b",")
            spot = rng.randrange(len(fields))
            choice = rng.random()
            if choice < 0.3:
                fields.insert(spot, fields[spot])  # duplicate column
            elif choice < 0.6:
                del fields[spot]  # missing column
            else:
                fields[spot] = rng.choice([b"name", b"phone", "姓名".encode(), b"x", b""])
            rows[0] = b",".join(fields)
        elif kind == "crlf":
            return b"\r\n".join(rows)
        elif kind == "cut":
            joined = b"\n".join(rows)
            return joined[: rng.randrange(len(joined) + 1)]
        raw = b"\n".join(rows)
    return raw


def check_read(path: Path, stem: str) -> str | None:
    """Read ``path`` with its reader; return a description of a crash, or None."""
    from govhall.errors import GovhallError
    from govhall.readers import ReadReport, read_cases, read_findings, read_ratings

    tz = ZoneInfo("Asia/Shanghai")
    report = ReadReport()
    try:
        if stem == "cases":
            records = list(read_cases(path, tz, report, windows={"fagai"}, items=None))
        elif stem == "ratings":
            records = list(read_ratings(path, tz, report))
        else:
            records = list(read_findings(path, report))
    except GovhallError as exc:
        if str(path) not in str(exc):
            return f"error without the file name: {exc}"
        return None
    except Exception:
        return traceback.format_exc(limit=3)
    if report.read != report.used + report.rejected + report.copies or report.used != len(records):
        return (
            f"counts: read {report.read}, used {report.used}, rejected {report.rejected}, "
            f"copies {report.copies}"
        )
    for problem in report.problems:
        if problem.file != str(path) or not problem.line or not problem.message:
            return f"problem without file or line: {problem}"
    return None


def check_cli(folder: Path) -> str | None:
    """Run kpi, score and rewards on ``folder``; return a description of a crash, or None."""
    from click.testing import CliRunner

    from govhall.cli import main

    runner = CliRunner()
    for args in (
        ["kpi", str(CONFIG), "--data", str(folder), "--json"],
        ["score", str(CONFIG), "--data", str(folder), "--month", "2010-03"],
        ["rewards", str(CONFIG), "--data", str(folder), "--year", "2010", "--csv"],
        ["rewards", str(CONFIG), "--data", str(folder), "--year", "2010", "--json"],
    ):
        result = runner.invoke(main, args)
        text = result.output
        if (
            result.exit_code not in (0, 1)
            or "Traceback" in text
            or "internal error" in text
            or (result.exception is not None and not isinstance(result.exception, SystemExit))
        ):
            return f"{args[0]}: exit {result.exit_code}: {text[-400:]!r} {result.exception!r}"
    return None


def main() -> int:
    """Run the fuzzer and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cli-every", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    crashes: list[str] = []
    outcome: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        originals = sample_files(base / "sample")
        keys = sorted(originals)
        for number in range(1, args.count + 1):
            stem, ext = rng.choice(keys)
            folder = base / f"run{number % 2}"
            if folder.exists():
                for old in folder.iterdir():
                    old.unlink()
            folder.mkdir(exist_ok=True)
            for other in STEMS:
                if other != stem:
                    (folder / f"{other}.{ext}").write_bytes(originals[(other, ext)])
            path = folder / f"{stem}.{ext}"
            path.write_bytes(mutate(rng, originals[(stem, ext)]))
            crash = check_read(path, stem)
            if crash is None and number % args.cli_every == 0:
                crash = check_cli(folder)
                outcome["cli runs"] += 1
            if crash is not None:
                crashes.append(f"#{number} {stem}.{ext}: {crash}\n  {path.read_bytes()[:300]!r}")
            outcome[f"{stem}.{ext}"] += 1
    elapsed = time.perf_counter() - started
    print(f"mutations: {args.count} ({elapsed:.1f} s), crashes: {len(crashes)}")
    print("by file: " + ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())))
    for crash in crashes[:10]:
        print(crash)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
