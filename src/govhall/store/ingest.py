"""Importing a hall's data files into a store: keys, updates with history, one transaction.

An import reads the data folder with the folder readers (the same checks),
stages every usable row in a temporary table, and decides each row's fate
in SQL, the same for DuckDB and PostgreSQL. Into a DuckDB store, a cases
CSV file whose every row has the strict form is staged by DuckDB itself
(:mod:`govhall.store.scan`), which is much faster and stages the same rows.
A row's fate:

- two different rows with one key in this import: both rejected (``conflict``);
- a rating whose case the store does not hold for the hall, or a work order's progress
  whose rating it does not hold: rejected (``orphan``);
- a second identical row: counted once (``copy``, reported as a warning);
- the stored row has the same values: ``unchanged``;
- the stored row differs: ``updated`` (a case's earlier version goes to its history);
- otherwise ``inserted``.

Everything that changes the store happens in one transaction: an import
that fails in any way, or that ``strict`` refuses, leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from govhall.problems import Problem
from govhall.readers.located import read_located
from govhall.readers.report import ReadReport
from govhall.readers.typed import located_rectifications
from govhall.records import Case, Finding, Rating, Rectification
from govhall.store.backends import Backend, StoreError, is_database_error
from govhall.store.open import open_store
from govhall.store.scan import scan_cases

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig

_T = TypeVar("_T")
Progress = Callable[[str, Sequence[Path], Iterator[_T]], Iterator[_T]]

KINDS = ("cases", "ratings", "findings", "rectifications")
"""The kinds of data file, in the order a store imports them (ratings need their cases,
rectifications their ratings)."""
MAX_PROBLEMS = 1000
"""Problems kept in a result (all are counted and all go to ``on_problem``)."""
ROW_BLOCK = 1 << 40
"""Staged row numbers of a kind's n-th file start at n × this (files never hold that many)."""
Record = Case | Rating | Finding | Rectification


@dataclass(slots=True)
class FileCounts:
    """What an import did with the rows of one file: read = inserted + updated + unchanged +
    rejected."""

    path: str
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def to_json(self) -> dict[str, Any]:
        """Return ``{"path", "kind", "read", "inserted", "updated", "unchanged", "rejected"}``."""
        return {
            "path": self.path,
            "kind": self.kind,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class IngestResult:
    """The outcome of one import.

    Attributes:
        import_id: The import's id in the store, or ``None`` when nothing was
            written (``strict`` refused rejected rows).
        notes: Messages for people (e.g. the store's schema was upgraded).
    """

    store: str
    hall: str
    import_id: int | None
    files: list[FileCounts]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        """Return one count (``read``, ``inserted`` ...) summed over the files."""
        return sum(getattr(counts, name) for counts in self.files)

    @property
    def rejected(self) -> int:
        """Rows rejected in all files."""
        return self.total("rejected")

    def to_json(self) -> dict[str, Any]:
        """Return the document of ``govhall ingest --json``."""
        return {
            "store": self.store,
            "hall": self.hall,
            "import_id": self.import_id,
            "files": [counts.to_json() for counts in self.files],
            "problems": [
                {
                    "path": problem.file,
                    "line": problem.line,
                    "message": problem.message,
                    "severity": problem.severity,
                }
                for problem in self.problems
            ],
        }


# -- what a row of each kind looks like in the store ----------------------------------


@dataclass(frozen=True, slots=True)
class _Kind:
    table: str
    columns: tuple[tuple[str, str], ...]
    """``(name, SQL type)`` of the stored values, key first, without hall and provenance."""
    key: tuple[str, ...]
    not_null: tuple[str, ...]
    """Text columns that are never NULL (an empty value stays an empty text)."""


KIND_LAYOUT = {
    "cases": _Kind(
        "govhall.cases",
        (
            ("case_id", "TEXT"),
            ("window", "TEXT"),
            ("item", "TEXT"),
            ("kind", "TEXT"),
            ("received_at", "TIMESTAMP"),
            ("received_offset", "INTEGER"),
            ("status", "TEXT"),
            ("concluded_at", "TIMESTAMP"),
            ("concluded_offset", "INTEGER"),
            ("visits", "INTEGER"),
            ("staff", "TEXT"),
            ("pauses", "TEXT"),
        ),
        ("case_id",),
        ("case_id", "window", "item", "kind", "status", "pauses"),
    ),
    "ratings": _Kind(
        "govhall.ratings",
        (
            ("case_id", "TEXT"),
            ("channel", "TEXT"),
            ("rated_at", "TIMESTAMP"),
            ("rated_offset", "INTEGER"),
            ("window", "TEXT"),
            ("staff", "TEXT"),
            ("level", "INTEGER"),
            ("tags", "TEXT"),
        ),
        ("case_id", "channel", "rated_at", "rated_offset"),
        ("case_id", "channel", "window", "tags"),
    ),
    "rectifications": _Kind(
        "govhall.rectifications",
        (
            ("case_id", "TEXT"),
            ("channel", "TEXT"),
            ("rated_at", "TIMESTAMP"),
            ("rated_offset", "INTEGER"),
            ("verified_at", "TIMESTAMP"),
            ("verified_offset", "INTEGER"),
            ("rectified_at", "TIMESTAMP"),
            ("rectified_offset", "INTEGER"),
            ("replied_at", "TIMESTAMP"),
            ("replied_offset", "INTEGER"),
            ("outcome", "TEXT"),
        ),
        ("case_id", "channel", "rated_at", "rated_offset"),
        ("case_id", "channel"),
    ),
    "findings": _Kind(
        "govhall.findings",
        (
            ("date", "DATE"),
            ("window", "TEXT"),
            ("staff", "TEXT"),
            ("rule", "TEXT"),
            ("count", "INTEGER"),
            ("points", "TEXT"),
        ),
        ("date", "window", "staff", "rule"),
        ("window", "staff", "rule"),
    ),
}
"""The stored columns of each kind of record."""


def local_time(value: dt.datetime) -> tuple[dt.datetime, int]:
    """Split an aware hall-local time into its wall-clock time and its UTC offset in seconds."""
    offset = value.utcoffset()
    assert offset is not None
    return value.replace(tzinfo=None), int(offset.total_seconds())


def _splitter() -> Callable[[dt.datetime], tuple[dt.datetime, int]]:
    """Return :func:`local_time` with a bounded memo (rows share minutes), for one import."""
    memo: dict[tuple[dt.datetime, int], tuple[dt.datetime, int]] = {}

    def split(value: dt.datetime) -> tuple[dt.datetime, int]:
        # times in one zone compare by wall clock, fold ignored: the repeated hour of a
        # summer-time change needs the fold in the key
        key = (value, value.fold)
        found = memo.get(key)
        if found is None:
            if len(memo) >= 1 << 16:
                memo.clear()
            found = memo[key] = local_time(value)
        return found

    return split


def record_values(
    record: Record,
    split: Callable[[dt.datetime], tuple[dt.datetime, int]] = local_time,
) -> tuple[Any, ...]:
    """Return a record's stored values, in :data:`KIND_LAYOUT` order."""
    if isinstance(record, Case):
        received, received_offset = split(record.received_at)
        concluded, concluded_offset = (
            split(record.concluded_at) if record.concluded_at else (None, None)
        )
        pauses = ";".join(f"{p.start}/{p.end}" for p in record.pauses)
        values: tuple[Any, ...] = (
            record.case_id,
            record.window,
            record.item,
            record.kind,
            received,
            received_offset,
            record.status,
            concluded,
            concluded_offset,
            record.visits,
            record.staff,
            pauses,
        )
        return values
    if isinstance(record, Rating):
        rated, rated_offset = split(record.rated_at)
        values = (
            record.case_id,
            record.channel,
            rated,
            rated_offset,
            record.window,
            record.staff,
            record.level,
            ";".join(record.tags),
        )
        return values
    if isinstance(record, Rectification):
        rated, rated_offset = split(record.rated_at)
        values = (record.case_id, record.channel, rated, rated_offset)
        for stage in (record.verified_at, record.rectified_at, record.replied_at):
            values += split(stage) if stage is not None else (None, None)
        return (*values, record.outcome)
    points = None if record.points is None else str(record.points)
    values = (
        record.date,
        record.window,
        record.staff or "",
        record.rule,
        record.count,
        points,
    )
    return values


def _label(kind: str, key: Sequence[Any]) -> str:
    """Name a staged row by its key, for messages."""
    if kind == "cases":
        return f"case {key[0]!r}"
    if kind in ("ratings", "rectifications"):
        case_id, channel, rated, offset = key
        moment = rated.replace(tzinfo=dt.timezone(dt.timedelta(seconds=int(offset))))
        rating = f"rating of case {case_id!r} ({channel}, {moment.isoformat()})"
        return rating if kind == "ratings" else f"work order of the {rating}"
    day, window, staff, rule = key
    return f"finding {rule!r} of {window}/{staff or '-'} on {day}"


def _q(name: str) -> str:
    return f'"{name}"'


# -- the import -----------------------------------------------------------------------


def ingest(
    config: HallConfig,
    data: str | Path,
    store: str,
    *,
    strict: bool = False,
    on_problem: Callable[[Problem], None] | None = None,
    progress: Progress[Any] | None = None,
) -> IngestResult:
    """Import the hall's data files (cases, ratings, findings, rectifications) into ``store``.

    Args:
        config: The hall (its id keys every row; windows and items are checked).
        data: The data folder.
        store: A ``.duckdb`` path (created when missing) or a ``postgresql://`` URL.
        strict: Write nothing when any row is rejected.
        on_problem: Called with every problem as it is found (e.g. to print it).
        progress: Wraps each file's stream of records to show progress.

    Raises:
        StoreError: The store cannot be opened or used, or holds this hall
            with another county or time zone. Nothing is written.
        GovhallError: The folder has no cases file, a file is unreadable.
            Nothing is written.
    """
    from govhall.readers.folder import DataFolder

    folder = DataFolder(data)
    paths = {kind: folder.files(kind) for kind in KINDS}
    opened = open_store(store, create=True)
    backend = opened.backend
    hall = config.hall.id
    report = ReadReport(on_problem=on_problem, max_problems=MAX_PROBLEMS)
    result = IngestResult(opened.display, hall, None, [], notes=list(opened.notes))
    reading = _Reading(
        ZoneInfo(config.hall.timezone),
        frozenset(w.id for w in config.windows),
        frozenset(i.id for i in config.items),
        report,
        progress,
    )
    try:
        backend.limit_memory()
        # files DuckDB reads itself are read before the transaction: a file it cannot
        # parse is an error that would end the transaction (that file is then read
        # by the careful reader, inside it)
        scans = {}
        for number, path in enumerate(paths["cases"], 1):
            scanned = scan_cases(
                backend,
                path,
                reading.zone,
                report,
                reading.windows,
                reading.items,
                f"govhall_scan_{number}",
            )
            if scanned is not None:
                scans[path] = scanned
        backend.begin()
        try:
            backend.lock_imports()
            _register_hall(backend, config)
            # two imports at once in one process (a DuckDB file has no lock between them,
            # and its data tables no keys) take the same id: the imports table's key stops
            # the second at its commit
            import_id = int(
                backend.execute("SELECT coalesce(max(import_id), 0) + 1 FROM govhall.imports")[0][0]
            )
            for kind in KINDS:
                stage = _stage(backend, kind, paths[kind], scans, reading)
                counts = _apply(backend, kind, stage, hall, import_id, report)
                if stage != f"govhall_careful_{kind}":
                    backend.execute(f"DROP VIEW {stage}")
                backend.execute(f"DROP TABLE govhall_careful_{kind}")
                if kind == "cases":
                    for number in range(1, len(paths[kind]) + 1):
                        backend.execute(f"DROP TABLE IF EXISTS govhall_scan_{number}")
                for path in paths[kind]:
                    summary = report.files.get(str(path))
                    found = counts.get(str(path)) or FileCounts(str(path), kind)
                    if summary is not None:
                        found.read = summary.read
                        found.rejected += summary.rejected
                    result.files.append(found)
            result.problems = report.problems + report.warnings
            result.problems.sort(key=lambda p: (p.file or "", p.line or 0))
            if strict and result.rejected:
                backend.rollback()
                return result
            backend.execute(
                "INSERT INTO govhall.imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    hall,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    str(Path(data).resolve()),
                    _own_version(),
                    result.total("read"),
                    result.total("inserted"),
                    result.total("updated"),
                    result.total("unchanged"),
                    result.rejected,
                ],
            )
            backend.commit()
            result.import_id = import_id
            return result
        except BaseException:
            try:
                backend.rollback()
            except Exception as exc:  # a failed commit has ended the transaction already
                if not is_database_error(exc):
                    raise
            raise
    except StoreError:
        raise
    except Exception as exc:
        if is_database_error(exc):
            raise StoreError(
                f"{opened.display}: the import failed, nothing was written: {exc}"
            ) from exc
        raise
    finally:
        backend.close()


@dataclass(frozen=True, slots=True)
class _Reading:
    """How an import reads the rows of its files: the hall's zone, ids and report."""

    zone: ZoneInfo
    windows: frozenset[str]
    items: frozenset[str]
    report: ReadReport
    progress: Progress[Any] | None


def _own_version() -> str:
    from importlib.metadata import version

    return version("govhall")


def _register_hall(backend: Backend, config: HallConfig) -> None:
    """Record the hall, or check that the store's record of it agrees with the config.

    Raises:
        StoreError: The store holds the hall with another county or time zone.
    """
    hall = config.hall
    rows = backend.execute("SELECT county, timezone FROM govhall.halls WHERE hall = ?", [hall.id])
    if not rows:
        backend.execute(
            "INSERT INTO govhall.halls VALUES (?, ?, ?, ?)",
            [hall.id, hall.county, hall.name, hall.timezone],
        )
        return
    county, zone = rows[0]
    if county != hall.county:
        raise StoreError(
            f"{backend.display}: the store holds hall {hall.id!r} of county {county!r}; "
            f"the config says county {hall.county!r}: is it the right config?"
        )
    if zone != hall.timezone:
        raise StoreError(
            f"{backend.display}: the store holds hall {hall.id!r} in time zone {zone}; "
            f"the config says {hall.timezone}: its stored times would change meaning"
        )
    backend.execute("UPDATE govhall.halls SET name = ? WHERE hall = ?", [hall.name, hall.id])


def _located(kind: str, path: Path, reading: _Reading) -> Iterator[tuple[Any, int, Record]]:
    """Yield ``(file, line, record)`` for the usable rows of one file, as the folder reads it."""
    if kind == "rectifications":
        rows: Iterator[tuple[Any, int, Record]] = located_rectifications(
            [path], reading.zone, reading.report
        )
    else:
        rows = read_located(
            kind,
            [path],
            reading.zone,
            reading.report,
            windows=reading.windows,
            items=reading.items,
        )
    if reading.progress is not None:
        rows = reading.progress(kind, [path], rows)
    return rows


def _stage(
    backend: Backend,
    kind: str,
    paths: Sequence[Path],
    scans: dict[Path, str],
    reading: _Reading,
) -> str:
    """Stage the usable rows of one kind's files; return the table (or view) holding them.

    Each row has a number (file by file, in file order), its file and line,
    and its stored values. The careful reader's rows go into a temporary
    table; the rows DuckDB scanned (``scans``: a ``SELECT`` of each file's
    lines and values) are added to them by a view.
    """
    layout = KIND_LAYOUT[kind]
    careful = f"govhall_careful_{kind}"
    columns = [("row_no", "BIGINT"), ("file", "TEXT"), ("line", "BIGINT"), *layout.columns]
    backend.execute(f"DROP TABLE IF EXISTS {careful}")
    backend.execute(
        f"CREATE TEMP TABLE {careful} ("
        + ", ".join(f"{_q(name)} {sql_type}" for name, sql_type in columns)
        + ")"
    )
    parts = [f"SELECT * FROM {careful}"]
    for number, path in enumerate(paths, 1):
        first = number * ROW_BLOCK
        scanned = scans.get(path) if kind == "cases" else None
        if scanned is not None:
            text = "'" + str(path).replace("'", "''") + "'"
            parts.append(f"SELECT {first} + line, {text}, * FROM ({scanned})")
            continue
        split = _splitter()
        rows = (
            (first + line, str(path), line, *record_values(record, split))
            for _, line, record in _located(kind, path, reading)
        )
        backend.bulk_insert(careful, columns, rows, not_null=layout.not_null)
    if len(parts) == 1:
        return careful
    stage = f"govhall_stage_{kind}"
    backend.execute(f"CREATE OR REPLACE TEMP VIEW {stage} AS " + " UNION ALL ".join(parts))
    return stage


def _apply(
    backend: Backend, kind: str, stage: str, hall: str, import_id: int, report: ReadReport
) -> dict[str, FileCounts]:
    """Decide each staged row's fate, apply it to the store; return the counts per file.

    Only the rows that are not simply new get a recorded fate (``govhall_fate``):
    a first import into an empty store records none.
    """
    layout = KIND_LAYOUT[kind]
    names = [name for name, _ in layout.columns]
    values = [name for name in names if name not in layout.key]
    keys = ", ".join(_q(name) for name in layout.key)
    staged = ", ".join(f"s.{_q(n)}" for n in layout.key)

    def same(left: str, right: str, columns: Sequence[str] = layout.key) -> str:
        return " AND ".join(f"{left}.{_q(n)} = {right}.{_q(n)}" for n in columns)

    for table in ("govhall_fate", "govhall_repeats"):
        backend.execute(f"DROP TABLE IF EXISTS {table}")
    # keys staged more than once: their first row, and whether their rows differ
    differ = " OR ".join(
        f"count(DISTINCT s.{_q(n)}) > 1 OR (count(s.{_q(n)}) > 0 AND count(s.{_q(n)}) < count(*))"
        for n in values
    )
    backend.execute(
        f"CREATE TEMP TABLE govhall_repeats AS SELECT {staged}, min(s.row_no) AS first, "
        f"CASE WHEN {differ} THEN 1 ELSE 0 END AS conflict "
        f"FROM {stage} s JOIN (SELECT {keys} FROM {stage} GROUP BY {keys} "
        f"HAVING count(*) > 1) d ON {same('d', 's')} GROUP BY {staged}"
    )
    orphan, orphan_state, orphan_kept, params = "", "", "", [hall]
    if kind in ORPHANS:
        parent, columns = ORPHANS[kind]
        picked = ", ".join(_q(n) for n in columns)
        orphan = (
            f"LEFT JOIN (SELECT {picked} FROM {parent} WHERE hall = ?) o "
            f"ON {same('o', 's', columns)} "
        )
        orphan_state = f"WHEN o.{_q(columns[0])} IS NULL THEN 'orphan' "
        orphan_kept = f" OR o.{_q(columns[0])} IS NULL"
        params.append(hall)
    unchanged = " AND ".join(f"t.{_q(n)} IS NOT DISTINCT FROM s.{_q(n)}" for n in values)
    table = layout.table
    backend.execute(
        "CREATE TEMP TABLE govhall_fate AS SELECT s.row_no, s.file, "
        f"CASE WHEN r.conflict = 1 THEN 'conflict' {orphan_state}"
        "WHEN r.first IS NOT NULL AND s.row_no <> r.first THEN 'copy' "
        f"WHEN t.{_q(layout.key[0])} IS NULL THEN 'inserted' "
        f"WHEN {unchanged} THEN 'unchanged' ELSE 'updated' END AS state "
        f"FROM {stage} s LEFT JOIN govhall_repeats r ON {same('r', 's')} "
        f"LEFT JOIN {table} t ON t.hall = ? AND {same('t', 's')} {orphan}"
        f"WHERE r.first IS NOT NULL OR t.{_q(layout.key[0])} IS NOT NULL{orphan_kept}",
        params,
    )
    counts: dict[str, FileCounts] = {}
    for path, number in backend.execute(f"SELECT file, count(*) FROM {stage} GROUP BY file"):
        counts[path] = FileCounts(path, kind, inserted=int(number))
    states: dict[str, int] = {}
    for path, state, number in backend.execute(
        "SELECT file, state, count(*) FROM govhall_fate GROUP BY file, state"
    ):
        found = counts[path]
        states[state] = states.get(state, 0) + int(number)
        if state == "inserted":
            continue
        found.inserted -= int(number)
        if state in ("updated", "unchanged"):
            setattr(found, state, getattr(found, state) + int(number))
        elif state == "copy":
            found.unchanged += int(number)
        else:
            found.rejected += int(number)
    if set(states) - {"inserted", "updated", "unchanged"}:
        _report_rejections(backend, kind, stage, hall, report)

    targets = ", ".join(_q(n) for n in names)
    if states.get("updated"):
        updated = (
            f"JOIN {stage} s ON {same(table, 's')} "
            "JOIN govhall_fate f ON f.row_no = s.row_no AND f.state = 'updated'"
        )
        if kind == "cases":
            history = ", ".join(f"{table}.{_q(n)}" for n in names)
            backend.execute(
                f"INSERT INTO govhall.case_history (hall, {targets}, import_id, file, line, "
                f"replaced_by) SELECT {table}.hall, {history}, {table}.import_id, "
                f"{table}.file, {table}.line, ? FROM {table} {updated} WHERE {table}.hall = ?",
                [import_id, hall],
            )
        backend.execute(
            f"DELETE FROM {table} WHERE hall = ? AND EXISTS (SELECT 1 FROM {stage} s "
            "JOIN govhall_fate f ON f.row_no = s.row_no AND f.state = 'updated' "
            f"WHERE {same(table, 's')})",
            [hall],
        )
    if sum(found.inserted + found.updated for found in counts.values()):
        sources = ", ".join(f"s.{_q(n)}" for n in names)
        # PostgreSQL fills its key's index fastest in key order; a DuckDB store has no key
        # index, and sorting every row would only cost memory
        order = f" ORDER BY {staged}" if backend.kind == "postgresql" else ""
        backend.execute(
            f"INSERT INTO {table} (hall, {targets}, import_id, file, line) "
            f"SELECT ?, {sources}, ?, s.file, s.line FROM {stage} s "
            "LEFT JOIN govhall_fate f ON f.row_no = s.row_no "
            f"WHERE f.state IS NULL OR f.state IN ('inserted', 'updated'){order}",
            [hall, import_id],
        )
    for table in ("govhall_fate", "govhall_repeats"):
        backend.execute(f"DROP TABLE {table}")
    return counts


ORPHANS = {
    "ratings": ("govhall.cases", ("case_id",)),
    "rectifications": ("govhall.ratings", ("case_id", "channel", "rated_at", "rated_offset")),
}
"""The kinds whose rows need a stored parent: its table and the columns naming it."""


def _report_rejections(
    backend: Backend, kind: str, stage: str, hall: str, report: ReadReport
) -> None:
    """Report every conflicting row (naming the others), orphan row and repeated row."""
    key = KIND_LAYOUT[kind].key
    width = len(key)
    keys = ", ".join(f"s.{_q(name)}" for name in key)
    rows_in = f"govhall_fate f JOIN {stage} s ON s.row_no = f.row_no"
    conflicts: dict[tuple[Any, ...], list[tuple[str, int, str]]] = {}
    for row in backend.stream(
        f"SELECT s.file, s.line, {keys} FROM {rows_in} WHERE f.state = 'conflict' "
        f"ORDER BY {keys}, s.row_no"
    ):
        conflicts.setdefault(row[2:], []).append((row[0], int(row[1]), _label(kind, row[2:])))
    for rows in conflicts.values():
        for path, line, label in rows:
            others = ", ".join(f"{p}:{n}" for p, n, _ in rows if (p, n) != (path, line))
            report.add_problem(
                Problem(
                    "error",
                    f"{label} also at {others} with different content: neither row is used",
                    line=line,
                    file=path,
                )
            )
    if kind in ORPHANS:
        for row in backend.stream(
            f"SELECT s.file, s.line, {keys} FROM {rows_in} WHERE f.state = 'orphan' "
            "ORDER BY s.row_no"
        ):
            if kind == "ratings":
                reason = f"the store holds no case {row[2]!r} for hall {hall!r} (an orphan rating)"
            else:
                reason = f"the store holds no such rating for hall {hall!r} (an orphan row)"
            report.add_problem(
                Problem(
                    "error",
                    f"{_label(kind, row[2:])}: {reason}: rejected",
                    line=int(row[1]),
                    file=row[0],
                )
            )
    same = " AND ".join(f"r.{_q(n)} = s.{_q(n)}" for n in key)
    for row in backend.stream(
        f"SELECT s.file, s.line, p.file, p.line, {keys} FROM {rows_in} "
        f"JOIN govhall_repeats r ON {same} JOIN {stage} p ON p.row_no = r.first "
        "WHERE f.state = 'copy' ORDER BY s.row_no"
    ):
        assert len(row) == 4 + width
        report.add_problem(
            Problem(
                "warning",
                f"{_label(kind, row[4:])}: the same row as {row[2]}:{row[3]}: counted once",
                line=int(row[1]),
                file=row[0],
            )
        )
