"""One row per key in a data folder: the store's rules for repeated keys and orphan ratings.

The rows of one kind read together (one file, or a folder's split files
``cases-*.csv`` ...) are keyed as a store keys them:

- a case by ``case_id``;
- a rating by ``case_id``, ``channel`` and ``rated_at`` (the moment: its
  hall-local wall clock and UTC offset);
- a finding by ``date``, ``window``, ``staff`` and ``rule``.

Then, as ``govhall ingest`` decides within one import:

- two usable rows with one key and different content: every such row is
  rejected, each error naming the file and line of the others: neither is
  used (which one is right is not for the reader to guess);
- a rating whose case is not among the folder's usable cases: rejected (an
  orphan rating);
- a row identical to an earlier one with its key: counted once, the copy is
  a warning naming the first row and counts in ``copies``.

Bad rows are rejected before this (they have no trustworthy key). The
problems of this step come after the rows' own, in file and line order.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from govhall.errors import GovhallError
from govhall.problems import Problem
from govhall.readers.report import FileSummary, ReadReport
from govhall.readers.rows import EXTENSIONS, MAX_LINE_CHARS, _rows, open_data_file
from govhall.records import Case, Finding, Rating

_R = TypeVar("_R", Case, Rating, Finding)
Located = tuple[str, int, _R]
"""A record with the file and the line it came from."""


def case_key(case: Case) -> Hashable:
    """Return a case's key: its id."""
    return case.case_id


def rating_key(rating: Rating) -> Hashable:
    """Return a rating's key: case, channel, and the moment as wall clock and UTC offset."""
    moment = rating.rated_at
    return (rating.case_id, rating.channel, moment.replace(tzinfo=None), moment.utcoffset())


def finding_key(finding: Finding) -> Hashable:
    """Return a finding's key: date, window, staff (empty when none) and rule."""
    return (finding.date, finding.window, finding.staff or "", finding.rule)


def _content(record: Case | Rating | Finding) -> Hashable:
    """What two rows with one key must share to be copies of each other, as the store compares."""
    if isinstance(record, Finding):  # points as written: 1.0 and 1 differ, as in a store
        points = None if record.points is None else str(record.points)
        return (record.count, points)
    if isinstance(record, Rating):
        moment = record.rated_at
        return (record, moment.utcoffset())
    concluded = record.concluded_at
    return (
        record,
        record.received_at.utcoffset(),
        None if concluded is None else concluded.utcoffset(),
    )


def _label(record: Case | Rating | Finding) -> str:
    if isinstance(record, Case):
        return f"case {record.case_id!r}"
    if isinstance(record, Rating):
        return (
            f"rating of case {record.case_id!r} ({record.channel}, {record.rated_at.isoformat()})"
        )
    return f"finding {record.rule!r} of {record.window}/{record.staff or '-'} on {record.date}"


def unique_rows(
    rows: Sequence[Located[_R]],
    key: Callable[[_R], Hashable],
    report: ReadReport,
    order: Sequence[str],
    *,
    case_ids: Collection[str] | None = None,
) -> list[Located[_R]]:
    """Apply the rules to ``rows`` (in read order); return the rows used, in read order.

    Every row is counted in its file's summary in ``report``: used, rejected
    (a conflict or an orphan) or a copy; the caller has counted it as read.

    Args:
        rows: Usable records with their file and line.
        key: The kind's key (:func:`case_key` ...).
        report: Receives the counts and the problems, in file and line order.
        order: The files in the order they were read.
        case_ids: The folder's usable case ids, for ratings; ``None``: no orphan check.
    """
    groups: dict[Hashable, list[int]] = {}
    for index, (_, _, record) in enumerate(rows):
        groups.setdefault(key(record), []).append(index)
    problems: list[Problem] = []
    fate: dict[int, str] = {}
    for members in groups.values():
        first_path, first_line, first = rows[members[0]]
        if len(members) > 1 and len({_content(rows[i][2]) for i in members}) > 1:
            for index in members:
                path, line, record = rows[index]
                others = ", ".join(f"{rows[i][0]}:{rows[i][1]}" for i in members if i != index)
                problems.append(
                    Problem(
                        "error",
                        f"{_label(record)} also at {others} with different content: "
                        "neither row is used",
                        line=line,
                        file=path,
                    )
                )
                fate[index] = "rejected"
            continue
        if case_ids is not None and isinstance(first, Rating) and first.case_id not in case_ids:
            for index in members:
                path, line, record = rows[index]
                problems.append(
                    Problem(
                        "error",
                        f"{_label(record)}: no usable case {first.case_id!r} in the cases "
                        "files (an orphan rating): rejected",
                        key="case_id",
                        line=line,
                        file=path,
                    )
                )
                fate[index] = "rejected"
            continue
        for index in members[1:]:
            path, line, record = rows[index]
            problems.append(
                Problem(
                    "warning",
                    f"{_label(record)}: the same row as {first_path}:{first_line}: counted once",
                    line=line,
                    file=path,
                )
            )
            fate[index] = "copies"
    rank = {path: number for number, path in enumerate(order)}
    problems.sort(key=lambda p: (rank.get(p.file or "", len(rank)), p.line or 0))
    for problem in problems:
        report.add_problem(problem)
    used = []
    for index, row in enumerate(rows):
        summary = _summary(report, row[0])
        state = fate.get(index)
        if state is None:
            summary.used += 1
            used.append(row)
        elif state == "rejected":
            summary.rejected += 1
        else:
            summary.copies += 1
    return used


def _summary(report: ReadReport, path: str) -> FileSummary:
    summary = report.files.get(path)
    if summary is None:
        summary = report.files[path] = FileSummary(path)
    return summary


# -- the quick look for repeated case ids (before cases are streamed) -----------------


def repeated_case_ids(paths: Sequence[Path]) -> set[int]:
    """Return the hashes of the case ids that more than one row of ``paths`` holds.

    A quick first look at the files (the case id column only), so that
    :func:`govhall.readers.read_cases` can stream every other case at once
    and hold back only the rows whose id repeats. It may name ids the reading
    proper finds only once (a hash shared by two ids, a row that turns out
    bad): those are held back and then used. Memory: 8 bytes a row.
    """
    import numpy as np

    hashes = array("q")
    for path in paths:
        try:
            for batch in id_batches(path):
                hashes.extend(map(hash, batch))
        except (GovhallError, OSError, UnicodeDecodeError, csv.Error):
            continue  # the reading proper reports it when it reaches the file
    if len(hashes) < 2:
        return set()
    values = np.sort(np.frombuffer(hashes, dtype=np.int64))
    same = values[1:] == values[:-1]
    return {int(value) for value in values[1:][same]}


CHUNK_CHARS = 1 << 20
"""Characters of a CSV file looked at at a time for its ids."""


def id_batches(path: Path) -> Iterator[Iterable[str]]:
    """Yield the (stripped) case ids of a file's rows, a batch at a time, without checking them.

    A CSV row is one line: the lines of a chunk without a quote are split in
    bulk by a regular expression (as the csv module splits them), those of a
    chunk with one line by line.
    """
    if EXTENSIONS.get(path.suffix.lower()) != "csv":
        quiet = ReadReport()
        ids = []
        for _, values, _ in _rows(path, ("case_id",), (), quiet, FileSummary(str(path))):
            value: Any = values if isinstance(values, str) else values[0]
            if isinstance(value, str):
                ids.append(value.strip())
        yield ids
        return
    with open_data_file(path) as stream:
        header = stream.readline(MAX_LINE_CHARS)
        names = [name.strip().lstrip("\ufeff") for name in next(csv.reader((header,)), [])]
        if "case_id" not in names:
            return
        column = names.index("case_id")
        # each match takes a whole line (no attempt at every character); a line with fewer
        # fields gives no id, and the reading proper rejects it
        field = re.compile(r"(?:[^,\n]*,){" + str(column) + r"}([^,\n]*)[^\n]*\n?")
        rest = ""
        while chunk := stream.read(CHUNK_CHARS):
            text = rest + chunk
            cut = text.rfind("\n") + 1
            if not cut and len(text) > MAX_LINE_CHARS:
                rest = ""  # a line too long to be a row: the reading proper rejects it
                continue
            rest = text[cut:]
            yield _ids(text[:cut], field, column)
        if rest:
            yield _ids(rest, field, column)


def _ids(text: str, field: re.Pattern[str], column: int) -> Iterable[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if '"' not in text:
        return map(str.strip, field.findall(text))
    ids = []
    one_row = csv.reader
    for line in text.split("\n"):  # a line at a time: no row spans lines
        row = next(one_row((line,)), []) if '"' in line else line.split(",", column + 1)
        if column < len(row):
            ids.append(row[column].strip())
    return ids
