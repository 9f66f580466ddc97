"""Measure how long ``govhall --help`` takes against a bare ``python -c pass``.

Run: ``python bench/startup.py [--repeat N]``.

Both commands run in the same session, interleaved (reference, govhall,
reference, ...) so that machine load affects both alike, after one warm-up
run each. The script prints the median wall time of each and their ratio;
the goal is a ratio of at most 5 (STYLE.md §14: ``--help`` imports no plugin
and no pydantic model).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL = 5.0


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _govhall_command() -> list[str]:
    """The console script installed beside this interpreter, else the same entry in-process."""
    script = Path(sys.executable).parent / "govhall"
    found = str(script) if script.exists() else shutil.which("govhall")
    if found:
        return [found, "--help"]
    return [sys.executable, "-c", "from govhall.cli import main; main()", "--help"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="runs of each command (30)")
    args = parser.parse_args()

    reference = [sys.executable, "-c", "pass"]
    govhall = _govhall_command()
    for command in (reference, govhall):
        _time(command)  # warm the file cache and byte-code
    bare: list[float] = []
    cli: list[float] = []
    for _ in range(args.repeat):
        bare.append(_time(reference))
        cli.append(_time(govhall))
    bare_median = statistics.median(bare)
    cli_median = statistics.median(cli)
    ratio = cli_median / bare_median
    print(f"runs: {args.repeat} each, interleaved")
    print(f"python -c pass:   median {bare_median * 1000:7.1f} ms")
    print(f"govhall --help:   median {cli_median * 1000:7.1f} ms  ({' '.join(govhall)})")
    print(f"ratio: {ratio:.2f}x (goal <= {GOAL:g}x): {'ok' if ratio <= GOAL else 'over the goal'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
