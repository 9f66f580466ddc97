#!/usr/bin/env python
"""Benchmark: a province-month through a deployment — kpi, score and report on duckdb.

The shape is Guangdong's public bulletin for July 2023: 11,238,000 cases
handled and 13,879,360 ratings in one month. The bench builds a deployment
of ``--halls`` hall configs (the four repository configs copied under new
hall ids, in turn, so every county has a quarter of the halls) listed by a
``deployment.toml``, writes one month of data for it with ``govhall sample
--months 1 --rows CASES --ratings-per-case R`` (R chosen so that the
expected ratings are ``--ratings``; the sample's assumption, see
docs/cases.md), then runs, each as its own process (the command a user
types), timed by the wall clock with its peak resident memory (the process
and its children; ``bench/measuring.py``):

1. ``govhall sample DEPLOYMENT --out DATA ...``;
2. ``govhall kpi DEPLOYMENT --data DATA --engine duckdb --json``;
3. ``govhall score DEPLOYMENT --data DATA --month M --engine duckdb --json``;
4. ``govhall report DEPLOYMENT --data DATA --month M --engine duckdb --out F``.

Goal: ``kpi``, ``score`` and ``report`` each complete with a peak RSS of at
most 2 GiB; the last line says whether they did. The load average is
printed beside each step: on a shared machine it explains the wall times.

Usage:
    python bench/bench_province.py                      # 100 halls, 11.2M cases, ~13.9M ratings
    python bench/bench_province.py --cases 200000       # a quick check, same shape
    python bench/bench_province.py --keep /tmp/province # keep the deployment and data
    python bench/bench_province.py --keep /tmp/province --reuse --steps report
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from measuring import Measure, run

ROOT = Path(__file__).resolve().parent.parent
GOVHALL = str(Path(sys.executable).with_name("govhall"))
COUNTIES = ("zhenhai", "luanchuan", "pinghu", "baoding")
GOAL_MIB = 2048
CASES = 11_200_000
"""Cases in the month: Guangdong's 11,238,000, rounded to 112,000 a hall over 100 halls."""
RATINGS = 13_879_360
"""Ratings in the month: Guangdong's bulletin, July 2023."""
STEPS = ("sample", "kpi", "score", "report")


def build(folder: Path, halls: int) -> Path:
    """Write ``halls`` hall configs and a deployment file listing them; return the file."""
    configs = folder / "halls"
    configs.mkdir(parents=True, exist_ok=True)
    for index in range(halls):
        county = COUNTIES[index % len(COUNTIES)]
        text = (ROOT / "configs" / f"{county}.toml").read_text(encoding="utf-8")
        hall_id = f"{county}-{index:03d}"
        text = text.replace("[hall]\n", f'[hall]\nid = "{hall_id}"\n', 1)
        (configs / f"{hall_id}.toml").write_text(text, encoding="utf-8")
    deployment = folder / "deployment.toml"
    deployment.write_text(
        f'[deployment]\nname = "province-month bench: {halls} halls"\nhalls = ["halls/*.toml"]\n',
        encoding="utf-8",
    )
    return deployment


def ratings_per_case(halls: int, cases: int, ratings: int) -> float:
    """The ``--ratings-per-case`` whose expected ratings over the deployment are ``ratings``.

    ``govhall sample`` shares ``cases`` out evenly over the halls in hall-id
    order; each county's profile concludes its own share of them.
    """
    from govhall.samples import GENERIC, PROFILES, mix_for

    ids = sorted(
        (f"{COUNTIES[index % len(COUNTIES)]}-{index:03d}", COUNTIES[index % len(COUNTIES)])
        for index in range(halls)
    )
    concluded = 0.0
    for index, (_, county) in enumerate(ids):
        share = cases * (index + 1) // halls - cases * index // halls
        mix = mix_for(PROFILES.get(county, GENERIC))
        concluded += share * (mix.immediate + mix.promised)
    return round(ratings / concluded, 6)


def show(measure: Measure, note: str = "") -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{measure.label:8} {measure.seconds:9.1f} s  peak {measure.peak_mb:7.0f} MiB"
        f"  (load after: {load}){'  ' + note if note else ''}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--halls", type=int, default=100)
    parser.add_argument("--cases", type=int, default=CASES, help="cases over all halls")
    parser.add_argument(
        "--ratings",
        type=int,
        help=f"expected ratings over all halls (default: {RATINGS:,} scaled to --cases / "
        f"{CASES:,})",
    )
    parser.add_argument("--month", default="2010-03", help="the month, YYYY-MM")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--keep", metavar="DIR", help="build the deployment here and keep it")
    parser.add_argument(
        "--reuse", action="store_true", help="use the deployment and data already in --keep DIR"
    )
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}"
    )
    args = parser.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown or (args.reuse and not args.keep):
        parser.error(f"unknown step(s) {unknown}" if unknown else "--reuse needs --keep DIR")
    wanted = args.ratings if args.ratings is not None else round(RATINGS * args.cases / CASES)
    tmp = tempfile.mkdtemp(prefix="govhall-province-")
    folder = Path(args.keep) if args.keep else Path(tmp)
    try:
        deployment = folder / "deployment.toml"
        data = folder / "data"
        if not args.reuse:
            shutil.rmtree(folder / "halls", ignore_errors=True)
            build(folder, args.halls)
        per_case = ratings_per_case(args.halls, args.cases, wanted)
        print(
            f"province-month: {args.halls} halls, {args.cases:,} cases, {wanted:,} ratings "
            f"expected ({per_case:g} a concluded case), month {args.month}; "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        seen: dict[str, Measure] = {}
        if "sample" in steps and not args.reuse:
            measure = run(
                "sample",
                [
                    GOVHALL, "sample", str(deployment), "--out", str(data),
                    "--rows", str(args.cases), "--months", "1", "--from", args.month,
                    "--ratings-per-case", str(per_case), "--seed", str(args.seed),
                    "--force", "--json",
                ],
            )  # fmt: skip
            document = json.loads(measure.stdout)
            size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 2**20
            show(
                measure,
                f"{document['cases']:,} cases, {document['ratings']:,} ratings, {size:,.0f} MiB",
            )
        common = ["--data", str(data), "--engine", "duckdb"]
        month = ["--month", args.month]
        commands: dict[str, list[str]] = {
            "kpi": [GOVHALL, "kpi", str(deployment), *common, "--json"],
            "score": [GOVHALL, "score", str(deployment), *common, *month, "--json"],
            "report": [
                GOVHALL, "report", str(deployment), *common, *month,
                "--out", str(folder / f"report-{args.month}.html"), "--force",
            ],
        }  # fmt: skip
        for step in ("kpi", "score", "report"):
            if step not in steps:
                continue
            measure = run(step, commands[step])
            seen[step] = measure
            note = ""
            if step == "kpi":
                total: dict[str, Any] = json.loads(measure.stdout)["total"]
                note = f"{total['cases']:,} cases, {total['ratings']:,} ratings counted"
            show(measure, note)
        if seen:
            peak = max(seen.values(), key=lambda m: m.peak_mb)
            met = "met" if peak.peak_mb <= GOAL_MIB else "NOT met"
            print(
                f"goal: {' + '.join(seen)} each within {GOAL_MIB} MiB peak RSS: {met} "
                f"(largest: {peak.label}, {peak.peak_mb:.0f} MiB); wall "
                + ", ".join(f"{m.label} {m.seconds:.1f} s" for m in seen.values())
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
