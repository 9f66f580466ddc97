"""Counts and problems of a data run: read = used + rejected + copies, per file and in total."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govhall.problems import Problem


@dataclass(slots=True)
class FileSummary:
    """Row counts of one data file: ``read = used + rejected + copies``.

    ``lines`` counts the file's physical lines (its header and blank lines
    included; a Parquet file's rows), so that a row that swallowed lines
    would show. ``copies`` counts rows identical to an earlier row with the
    same key (counted once, each reported as a warning).
    """

    path: str
    read: int = 0
    used: int = 0
    rejected: int = 0
    lines: int = 0
    copies: int = 0


@dataclass
class ReadReport:
    """What reading data files found: counts, problems with bad rows, warnings.

    One report can collect several files (cases, then ratings ...);
    ``read``, ``used`` and ``rejected`` are totals, ``files`` has them per
    file. Counts are complete once a reader's iterator is exhausted.

    Attributes:
        on_problem: Called with every problem (rejected row or warning) as it is
            found, e.g. to print it on stderr.
        max_problems: How many row problems ``problems`` keeps; all are counted
            and all go to ``on_problem``.
        counted_in: A row's file (where a stored row was imported from) → the
            name in ``files`` it is counted under (the store's table), for a
            step that rejects a row after it was read (:meth:`summary_of`).
    """

    on_problem: Callable[[Problem], None] | None = None
    max_problems: int = 1000
    files: dict[str, FileSummary] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counted_in: dict[str, str] = field(default_factory=dict, repr=False)

    def summary_of(self, path: str) -> FileSummary | None:
        """Return the summary the rows of file ``path`` are counted in (``None``: none yet)."""
        found = self.files.get(path)
        if found is None and path in self.counted_in:
            found = self.files.get(self.counted_in[path])
        return found

    @property
    def read(self) -> int:
        """Rows read from every file (blank lines are not rows)."""
        return sum(summary.read for summary in self.files.values())

    @property
    def used(self) -> int:
        """Rows that became records."""
        return sum(summary.used for summary in self.files.values())

    @property
    def rejected(self) -> int:
        """Rows reported as bad and left out."""
        return sum(summary.rejected for summary in self.files.values())

    @property
    def lines(self) -> int:
        """Physical lines of every file (headers and blank lines included; 0 for a store)."""
        return sum(summary.lines for summary in self.files.values())

    @property
    def copies(self) -> int:
        """Rows that repeat an earlier identical row with the same key: counted once."""
        return sum(summary.copies for summary in self.files.values())

    def add_problem(self, problem: Problem) -> None:
        """Record a problem and pass it to ``on_problem``."""
        if problem.severity == "warning":
            self.warnings.append(problem)
        elif len(self.problems) < self.max_problems:
            self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def summary(self) -> str:
        """Describe the counts per file, one line each (lines and copies when there are any)."""
        return "\n".join(_described(s) for s in self.files.values())

    def counts(self) -> dict[str, int]:
        """Return ``{"read", "used", "rejected", "lines", "copies"}``: a command's JSON ``data``."""
        return {
            "read": self.read,
            "used": self.used,
            "rejected": self.rejected,
            "lines": self.lines,
            "copies": self.copies,
        }

    def to_json(self) -> dict[str, Any]:
        """Return the counts and problems as a JSON-ready mapping."""
        return {
            **self.counts(),
            "files": [
                {
                    "path": s.path,
                    "read": s.read,
                    "used": s.used,
                    "rejected": s.rejected,
                    "lines": s.lines,
                    "copies": s.copies,
                }
                for s in self.files.values()
            ],
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
        }


def _described(summary: FileSummary) -> str:
    text = f"{summary.path}: read {summary.read}, used {summary.used}, rejected {summary.rejected}"
    if summary.copies:
        text += f", copies {summary.copies}"
    if summary.lines:
        text += f" ({summary.lines} lines)"
    return text


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, **problem.to_json()}
