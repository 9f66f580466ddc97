"""Shared by the benches: run one command as its own process, with wall time and peak RSS.

``run`` times a process by the wall clock and takes its peak resident memory:
the larger of the process's own ``ru_maxrss`` and the largest sum of
resident memory over it and its descendants, sampled every 0.2 s (Spark's
JVM is a child of the ``govhall`` process), and its CPU time: the larger of
the process's own (with the children it waited for) and the sum over it and
its descendants as last sampled (a descendant's last 0.2 s may be missed).
Linux only (``/proc``).

Linux carries the parent's peak into a child's ``ru_maxrss`` across fork and
exec, so the parent (a bench script) must stay small: it only starts
processes and reads their output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass


@dataclass
class Measure:
    label: str
    seconds: float
    peak_mb: float
    stdout: str
    cpu_seconds: float = 0.0
    """User and system CPU time of the process and its descendants."""


def tree_rss(root: int, cpu: dict[int, float] | None = None) -> int:
    """Return the resident bytes of process ``root`` and all its descendants (Linux /proc).

    With ``cpu``, also note each one's CPU seconds so far in it (by process id).
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            if cpu is not None:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                cpu[pid] = max(cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(label: str, args: list[str]) -> Measure:
    """Run one process; return its wall time, peak RSS and CPU time (exit 1 on failure).

    The peak is the larger of the process's own ``ru_maxrss`` and the largest
    sum of resident memory over it and its descendants, sampled every 0.2 s.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        peak = 0
        cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, tree_rss(process.pid, cpu))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max over all)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            print(f"{label}: exit {process.returncode}\n{err.read()[-3000:]}", file=sys.stderr)
            raise SystemExit(1)
        peak_mb = max(usage.ru_maxrss / 1024, peak / 2**20)
        cpu_seconds = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
        return Measure(label, seconds, peak_mb, out.read(), cpu_seconds)
