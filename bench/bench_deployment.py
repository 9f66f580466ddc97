#!/usr/bin/env python
"""Benchmark: a 100-hall deployment month through kpi, score and report in one run.

Builds a deployment of ``--halls`` hall configs (the four repository configs,
each copied under new hall ids, so every county has many halls) with
``--rows`` sample cases per hall, then prints, measured in the same run:

- ``setup``: opening the deployment (one plugin manager, every config loaded
  and checked, a session per hall), and the per-hall cost split into the
  first hall of each county and the later ones — the county's plugin, calendar
  and hours are set up once per county, a later hall of the county pays only
  for its own config;
- ``kpi``, ``score``, ``report``: the deployment run, against the reference
  of the same halls run one by one as separate commands would (a new plugin
  manager and session per hall, then the same data call), as a ratio
  (goal: at most 1: a deployment run costs no more than its halls alone);
- ``counting``: the kpi run against the counting alone (sessions already
  open), to show what the deployment adds per row (goal: close to 1).

Usage: python bench/bench_deployment.py [--halls 100] [--rows 1000] [--month 2010-03]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = ("zhenhai", "luanchuan", "pinghu", "baoding")


def build(folder: Path, halls: int, rows: int) -> tuple[Path, Path]:
    """Write ``halls`` configs and their sample data; return (configs folder, data folder)."""
    from govhall.session import open_hall

    configs, data = folder / "configs", folder / "data"
    configs.mkdir()
    for index in range(halls):
        county = COUNTIES[index % len(COUNTIES)]
        text = (ROOT / "configs" / f"{county}.toml").read_text(encoding="utf-8")
        hall_id = f"{county}-{index:03d}"
        text = text.replace("[hall]\n", f'[hall]\nid = "{hall_id}"\n', 1)
        path = configs / f"{hall_id}.toml"
        path.write_text(text, encoding="utf-8")
        open_hall(path).write_sample(data / hall_id, rows=rows, seed=index)
    return configs, data


def timed(call: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--halls", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1000, help="sample cases per hall")
    parser.add_argument("--month", default="2010-03")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from govhall.config.load import load_config
    from govhall.deployment import open_deployment
    from govhall.plugins import get_plugin_manager
    from govhall.session import HallSession, open_hall

    with tempfile.TemporaryDirectory(prefix="govhall-deployment-") as tmp:
        configs, data = build(Path(tmp), args.halls, args.rows)
        paths = sorted(configs.glob("*.toml"))
        print(f"deployment: {len(paths)} halls x {args.rows} sample cases, month {args.month}")

        # setup: the whole deployment, then per hall (first of its county vs later ones)
        setup = timed(lambda: open_deployment(configs), args.repeat)
        manager = get_plugin_manager()
        first: list[float] = []
        later: list[float] = []
        seen: set[str] = set()
        for path in paths:
            start = time.perf_counter()
            session = HallSession(load_config(path, manager), manager)
            session.due_times  # noqa: B018 - build the time setup and due-time memo
            elapsed = time.perf_counter() - start
            county = session.config.hall.county
            (later if county in seen else first).append(elapsed)
            seen.add(county)
        print(f"setup   open_deployment: {setup * 1000:8.1f} ms")
        print(
            f"        per hall: first of its county {statistics.mean(first) * 1000:.1f} ms "
            f"({len(first)} counties), later halls {statistics.mean(later) * 1000:.1f} ms "
            f"({len(later)} halls)"
        )

        province = open_deployment(configs)

        def separately(call: Callable[[HallSession, Path], Any]) -> Callable[[], None]:
            def run() -> None:
                for path in paths:
                    hall = open_hall(path)  # a new plugin manager each, as a new command has
                    call(hall, data / hall.config.hall.id)

            return run

        runs = {
            "kpi": (
                lambda: province.kpis(data),
                separately(lambda hall, folder: hall.kpis(folder)),
            ),
            "score": (
                lambda: province.score(data, args.month),
                separately(lambda hall, folder: hall.score(folder, args.month)),
            ),
            "report": (
                lambda: province.report(data, args.month),
                separately(lambda hall, folder: hall.report(folder, args.month)),
            ),
        }
        for name, (together, alone) in runs.items():
            t_together = timed(together, args.repeat)
            t_alone = timed(alone, args.repeat)
            print(
                f"{name:7s} deployment {t_together:7.2f} s, halls one by one {t_alone:7.2f} s, "
                f"ratio {t_together / t_alone:.2f} (goal <= 1)"
            )
        counting = timed(lambda: [h.session.kpis(data / h.id) for h in province.halls], args.repeat)
        t_kpi = timed(lambda: province.kpis(data), args.repeat)
        print(
            f"counting: kpi over open sessions {counting:.2f} s; deployment kpi / counting "
            f"{t_kpi / counting:.2f} (goal close to 1)"
        )
        report_extra = "report also counts each hall's 12-month trend (a second pass)"
        print(f"note: {report_extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
