"""Benchmark: monthly scoring vs parsing the same files.

Generates a hall of 100 windows (two staff each) and data files of
1,000,000 cases and 500,000 ratings (plus a few findings), then measures in
separate child processes, interleaved:

* ``parse``: read every case and rating with :mod:`govhall.readers` (the reference);
* ``score``: the same reads feeding :class:`govhall.assessment.scoring.Scorer`, deadlines
  included, and scoring one month (what ``govhall score`` does).

It prints the medians and the ratio score / parse (goal: at most 3) and each
child's peak resident memory; "memory flat" is checked by also scoring a
quarter of the data: the peak should barely move.

Usage::

    python bench/bench_score.py                  # 1,000,000 cases, 500,000 ratings
    python bench/bench_score.py --cases 200000 --ratings 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WINDOWS = 100
MONTH = "2010-10"


def write_hall(folder: Path) -> Path:
    lines = ['[hall]\ncounty = "pinghu"\n', "[scoring.parameters]\n"]
    lines.append('"window.results.completion.points" = 1\n')
    for w in range(WINDOWS):
        lines.append(f'[[windows]]\nid = "w{w:03d}"\nname = "窗口{w}"\n')
    for w in range(WINDOWS):
        lines.append(
            f'[[items]]\nid = "p{w:03d}"\nname = "承诺件{w}"\nwindow = "w{w:03d}"\n'
            f'kind = "promised"\npromised_days = {3 + w % 10}\n'
        )
        lines.append(
            f'[[items]]\nid = "i{w:03d}"\nname = "即办件{w}"\nwindow = "w{w:03d}"\n'
            'kind = "immediate"\n'
        )
    for w in range(WINDOWS):
        for post in "AB":
            lines.append(
                f'[[staff]]\nid = "s{w:03d}{post}"\nname = "人员{w}{post}"\n'
                f'window = "w{w:03d}"\npost = "{post}"\n'
            )
    path = folder / "hall.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_data(folder: Path, cases: int, ratings: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2010, 9, 15, 8, 30)
    span = int((dt.datetime(2010, 11, 1) - start).total_seconds())
    statuses = ["concluded"] * 7 + ["delivered", "in_review", "accepted", "not_accepted"]
    with (folder / "cases.csv").open("w", encoding="utf-8") as out:
        out.write("case_id,window,item,kind,received_at,status,concluded_at,visits,staff\n")
        for n in range(cases):
            w = rng.randrange(WINDOWS)
            received = start + dt.timedelta(seconds=rng.randrange(span))
            promised = rng.random() < 0.5
            status = rng.choice(statuses)
            done = ""
            if status in ("concluded", "delivered"):
                days = rng.randrange(0, 12) if promised else 0
                done = (received + dt.timedelta(days=days, hours=1)).isoformat()
            item = f"p{w:03d}" if promised else f"i{w:03d}"
            kind = "promised" if promised else "immediate"
            staff = f"s{w:03d}{rng.choice('AB')}"
            out.write(
                f"c{n},w{w:03d},{item},{kind},{received.isoformat()},{status},{done},"
                f"{rng.randint(1, 3)},{staff}\n"
            )
    with (folder / "ratings.csv").open("w", encoding="utf-8") as out:
        out.write("case_id,window,staff,level,rated_at,channel\n")
        for _ in range(ratings):
            w = rng.randrange(WINDOWS)
            rated = start + dt.timedelta(seconds=rng.randrange(span))
            level = rng.choice((5, 5, 5, 4, 4, 3, 2, 1))
            out.write(f"c{rng.randrange(cases)},w{w:03d},,{level},{rated.isoformat()},onsite\n")
    with (folder / "findings.csv").open("w", encoding="utf-8") as out:
        out.write("date,window,staff,rule,count,points\n")
        for _ in range(500):
            w = rng.randrange(WINDOWS)
            out.write(f"2010-10-{rng.randint(1, 31):02d},w{w:03d},,window.cleanliness.untidy,1,\n")


def child(phase: str, folder: Path) -> None:
    """Run one measured phase in this process and print its time and peak memory as JSON."""
    from govhall.readers import ReadReport
    from govhall.readers.folder import DataFolder
    from govhall.session import open_hall

    hall = open_hall(folder / "hall.toml")
    data = DataFolder(folder)
    report = ReadReport()
    began = time.perf_counter()
    if phase == "parse":  # the reference: the same rows read through the same readers
        for _ in data.cases(hall.zone, report, windows=hall.window_ids, items=hall.item_ids):
            pass
        for _ in data.ratings(hall.zone, report, windows=hall.window_ids):
            pass
    else:
        scores = hall.score(data, MONTH, read=report)
        json.dumps(scores.to_json())
    elapsed = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_mib": peak_kib / 1024, "rows": report.read}))


def measure(phase: str, folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", phase, str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("PHASE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        full, quarter = Path(tmp) / "full", Path(tmp) / "quarter"
        for folder, share in ((full, 1), (quarter, 4)):
            folder.mkdir()
            write_hall(folder)
            write_data(folder, args.cases // share, args.ratings // share)
        print(f"{args.cases:,} cases, {args.ratings:,} ratings, {WINDOWS} windows, {MONTH}")
        times: dict[str, list[float]] = {"parse": [], "score": []}
        peaks: dict[str, float] = {}
        for _ in range(args.repeat):
            for phase in ("parse", "score"):
                result = measure(phase, full)
                times[phase].append(result["seconds"])
                peaks[phase] = max(peaks.get(phase, 0.0), result["peak_mib"])
        small = measure("score", quarter)
        parse, score = statistics.median(times["parse"]), statistics.median(times["score"])
        print(f"parse (reference): median {parse:.2f} s  peak {peaks['parse']:.0f} MiB")
        print(f"score:             median {score:.2f} s  peak {peaks['score']:.0f} MiB")
        print(f"ratio score / parse: {score / parse:.2f}  (goal <= 3)")
        print(
            f"memory: score peak {small['peak_mib']:.0f} MiB at 1/4 of the data, "
            f"{peaks['score']:.0f} MiB at all of it"
        )


if __name__ == "__main__":
    main()
