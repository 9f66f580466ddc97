"""Stream cases, ratings and findings from data files.

Each reader takes a file (``cases.csv``, ``ratings.jsonl`` ...), a data
folder, or a list of files, and yields records one at a time. Cases stream
(a hash of each id is kept to find repeated ids, 8 bytes a row); ratings and
findings are yielded once every file of their kind is read. In a folder, a kind
may be split over several files (operators export month by month):
:func:`find_data_files` takes every ``STEM.EXT``, ``STEM-*.EXT`` and
``STEM_*.EXT`` (``cases-2010-01.csv``, ``cases_2010-02.jsonl`` ...) and
they are read one after another in sorted name order. The format follows
each file's extension: ``.csv`` (UTF-8 with a header row; a byte-order mark
is tolerated) or ``.jsonl`` / ``.ndjson`` (one JSON object per line).

A CSV row is one physical line: a line that opens a quoted field and does
not close it (a stray ``"``) is rejected and the next line read as a row of
its own. Over the files of a kind read together, a case, rating or finding
is one row per key, as in a store (:mod:`govhall.readers.unique`): an
identical copy counts once, different rows with one key are all rejected;
a folder's rating whose case it does not hold is rejected (an orphan). A
file named as a data file that cannot be read is an error naming it.

Every row is counted in a :class:`ReadReport`, per file and in total:
``read = used + rejected + copies``, and ``lines`` counts each file's
physical lines. A bad row is never dropped silently: it becomes
a :class:`govhall.Problem` with file, line, column (CSV: 1-based column
number; ``key`` is the column name) and the reason, handed to
``report.on_problem`` at once (the CLI prints it on stderr) and kept in
``report.problems`` (the first ``report.max_problems`` of them). Columns
that are not part of the format are ignored with one warning per file and
are never copied anywhere: the warning names the column, never a value
(ratings are anonymous).

Times without an offset are the hall's local time (``tz``); times with one
are converted to it.

Example::

    from zoneinfo import ZoneInfo
    from govhall.readers import ReadReport, read_cases

    report = ReadReport()
    for case in read_cases("data/", ZoneInfo("Asia/Shanghai"), report):
        ...
    print(report.summary())  # "data/cases.csv: read 10, used 9, rejected 1 (11 lines)"
"""

from govhall.readers.report import FileSummary, ReadReport
from govhall.readers.rows import (
    CASE_COLUMNS,
    CASE_OPTIONAL,
    EXTENSIONS,
    FINDING_COLUMNS,
    FINDING_OPTIONAL,
    RATING_COLUMNS,
    RATING_OPTIONAL,
    RECTIFICATION_COLUMNS,
    find_data_files,
    parse_pauses,
)
from govhall.readers.typed import (
    located_ratings,
    located_rectifications,
    read_cases,
    read_findings,
    read_ratings,
)

__all__ = [
    "CASE_COLUMNS",
    "CASE_OPTIONAL",
    "EXTENSIONS",
    "FINDING_COLUMNS",
    "FINDING_OPTIONAL",
    "RATING_COLUMNS",
    "RATING_OPTIONAL",
    "RECTIFICATION_COLUMNS",
    "FileSummary",
    "ReadReport",
    "find_data_files",
    "located_ratings",
    "located_rectifications",
    "parse_pauses",
    "read_cases",
    "read_findings",
    "read_ratings",
]
