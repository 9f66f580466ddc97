"""Fuzz the config reader with thousands of mutated real configs; count the crashes.

Run: ``python bench/fuzz_configs.py [--count N] [--seed S] [--cli-every K]``.

Each mutation takes a config from ``configs/`` and applies one to four edits:
delete, duplicate or swap lines, flip or insert bytes, insert a random key or
header, change a value's type, cut the file short. Every mutated file goes
through ``check_config_bytes``; every K-th also through ``govhall validate``
(click's runner). A crash is an exception out of the reader, a problem without
a message, or a CLI run that exits other than 0/1 or prints a traceback or an
"internal error". The script prints the mutation count and the crash count,
plus how far the mutated files got (valid, TOML syntax error, other error),
and exits 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    "'平湖'".encode(),
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


def _random_bytes(rng: random.Random, most: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(most + 1)))


def _value(rng: random.Random) -> bytes:
    return rng.choice(VALUES) if rng.random() < 0.8 else _random_bytes(rng, 6)


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """Apply one to four random edits to ``raw``."""
    for _ in range(rng.randint(1, 4)):
        rows = raw.split(b"\n")
        kind = rng.choice(["delete", "duplicate", "swap", "flip", "insert", "retype", "cut"])
        at = rng.randrange(len(rows))
        if kind == "delete":
            del rows[at]
        elif kind == "duplicate":
            rows.insert(at, rows[at])
        elif kind == "swap":
            other = rng.randrange(len(rows))
            rows[at], rows[other] = rows[other], rows[at]
        elif kind == "insert":
            choice = rng.random()
            if choice < 0.6:
                rows.insert(at, rng.choice(KEYS) + b" = " + _value(rng))
            elif choice < 0.9:
                rows.insert(at, rng.choice(HEADERS))
            else:
                rows.insert(at, _random_bytes(rng, 12))
        elif kind == "retype":
            candidates = [i for i, row in enumerate(rows) if b" = " in row]
            if candidates:
                at = rng.choice(candidates)
                rows[at] = rows[at].split(b" = ", 1)[0] + b" = " + _value(rng)
        elif raw:
            position = rng.randrange(len(raw))
            if kind == "cut":
                return raw[:position]
            return raw[:position] + bytes([rng.randrange(256)]) + raw[position + 1 :]
        raw = b"\n".join(rows)
    return raw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="mutations to run (5000)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument(
        "--cli-every", type=int, default=25, help="also run `govhall validate` on every K-th file"
    )
    parser.add_argument("--configs", type=Path, default=ROOT / "configs")
    args = parser.parse_args()

    from click.testing import CliRunner

    from govhall.cli import main as cli
    from govhall.config.load import check_config_bytes
    from govhall.plugins import get_plugin_manager

    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    originals = [path.read_bytes() for path in sorted(args.configs.glob("*.toml"))]
    if not originals:
        print(f"no *.toml in {args.configs}", file=sys.stderr)
        return 1
    manager = get_plugin_manager()
    outcomes: Counter[str] = Counter()
    crashes: list[tuple[int, str, bytes]] = []
    cli_runs = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "mutated.toml"
        for number in range(args.count):
            raw = mutate(rng, rng.choice(originals))
            try:
                report = check_config_bytes(raw, "mutated.toml", manager)
                if any(not problem.message.strip() for problem in report.problems):
                    raise AssertionError("a problem without a message")
            except Exception:
                crashes.append((number, traceback.format_exc(), raw))
                continue
            if report.valid:
                outcomes["valid"] += 1
            elif any(p.message.startswith("TOML syntax") for p in report.problems):
                outcomes["TOML syntax error"] += 1
            elif any(p.message.startswith("not UTF-8") for p in report.problems):
                outcomes["not UTF-8"] += 1
            else:
                outcomes["invalid after parsing"] += 1
            if args.cli_every and number % args.cli_every == 0:
                cli_runs += 1
                target.write_bytes(raw)
                result = CliRunner().invoke(cli, ["validate", str(target)])
                bad_exit = result.exit_code not in (0, 1)
                leaked = "Traceback" in result.output or "internal error" in result.output
                if bad_exit or leaked:
                    crashes.append((number, f"CLI exit {result.exit_code}: {result.output}", raw))
    elapsed = time.perf_counter() - started
    print(f"seed {seed}")
    print(f"mutations: {args.count} ({cli_runs} also through `govhall validate`)")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome}: {count}")
    print(f"crashes: {len(crashes)}")
    print(f"time: {elapsed:.1f} s")
    for number, error, raw in crashes[:5]:
        print(f"\n--- crash at mutation {number}; input {raw[:300]!r}\n{error}", file=sys.stderr)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
