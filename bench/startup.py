"""Measure how long ``govhall --help`` and ``govhall validate`` take against ``python -c pass``.

Run: ``python bench/startup.py [--repeat N] [--config PATH]``.

All commands run in the same session, interleaved (reference, ``--help``,
``validate``, reference, ...) so that machine load affects them alike, after
one warm-up run each. The script prints the median wall time of each and the
ratios to the reference:

- ``govhall --help``: goal at most 5x (``--help`` imports no
  plugin and no pydantic model);
- ``govhall validate configs/pinghu.toml``: goal at most 8x.

Byte-code: an installed package has its ``.pyc`` files, but a source checkout
run with ``PYTHONDONTWRITEBYTECODE=1`` recompiles govhall's modules on every
start. By default the commands therefore run with byte-code writing allowed
and ``PYTHONPYCACHEPREFIX`` pointing at a temporary folder (nothing is written
into the checkout; the warm-up run fills the cache). ``--no-bytecode-cache``
runs them with the caller's environment unchanged.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_GOAL = 5.0
VALIDATE_GOAL = 8.0
ROOT = Path(__file__).resolve().parent.parent


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - started


def _govhall_command() -> list[str]:
    """The console script installed beside this interpreter, else the same entry in-process."""
    script = Path(sys.executable).parent / "govhall"
    found = str(script) if script.exists() else shutil.which("govhall")
    if found:
        return [found]
    return [sys.executable, "-c", "from govhall.cli import main; main()"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="runs of each command (30)")
    parser.add_argument(
        "--config", default=str(ROOT / "configs" / "pinghu.toml"), help="config to validate"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep the environment as it is (PYTHONDONTWRITEBYTECODE included)",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    cache = None
    if not args.no_bytecode_cache:
        cache = tempfile.TemporaryDirectory(prefix="govhall-pyc-")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache.name

    govhall = _govhall_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "govhall --help": [*govhall, "--help"],
        "govhall validate": [*govhall, "validate", args.config],
    }
    check = subprocess.run(commands["govhall validate"], capture_output=True, env=env, check=False)
    if check.returncode not in (0, 1):
        print(check.stderr.decode(errors="replace"), file=sys.stderr)
        return 1
    for command in commands.values():
        _time(command, env)  # warm the file cache and byte-code
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            times[name].append(_time(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    cached = "no (environment as given)" if cache is None else "yes (temporary cache)"
    print(f"runs: {args.repeat} each, interleaved; byte-code cached: {cached}")
    for name, value in medians.items():
        print(f"{name + ':':18s} median {value * 1000:7.1f} ms")
    for name, goal in (("govhall --help", HELP_GOAL), ("govhall validate", VALIDATE_GOAL)):
        ratio = medians[name] / bare
        verdict = "ok" if ratio <= goal else "over the goal"
        print(f"ratio {name}: {ratio:.2f}x (goal <= {goal:g}x): {verdict}")
    print(f"(validate: {' '.join(commands['govhall validate'])})")
    if cache is not None:
        cache.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
