"""Importing a hall's data files into a store: keys, updates with history, one transaction.

An import reads the data folder with the folder readers (the same checks),
stages every usable row in a temporary table, and decides each row's fate
in SQL, the same for DuckDB and PostgreSQL:

- two different rows with one key in this import: both rejected (``conflict``);
- a rating whose case the store does not hold for the hall: rejected (``orphan``);
- a second identical row: counted once (``copy``, reported as a warning);
- the stored row has the same content: ``unchanged``;
- the stored row differs: ``updated`` (a case's earlier version goes to its history);
- otherwise ``inserted``.

Everything happens in one transaction: an import that fails in any way, or
that ``strict`` refuses, leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from govhall.problems import Problem
from govhall.readers.located import KINDS, read_located
from govhall.readers.report import ReadReport
from govhall.records import Case, Finding, Rating
from govhall.store.backends import Backend, StoreError, is_database_error
from govhall.store.open import open_store

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig

_T = TypeVar("_T")
Progress = Callable[[str, Sequence[Path], Iterator[_T]], Iterator[_T]]

MAX_PROBLEMS = 1000
"""Problems kept in a result (all are counted and all go to ``on_problem``)."""


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
            ("digest", "TEXT"),
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
            ("digest", "TEXT"),
        ),
        ("case_id", "channel", "rated_at", "rated_offset"),
        ("case_id", "channel", "window", "tags"),
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
            ("digest", "TEXT"),
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
    record: Case | Rating | Finding,
    split: Callable[[dt.datetime], tuple[dt.datetime, int]] = local_time,
) -> tuple[Any, ...]:
    """Return a record's stored values, in :data:`KIND_LAYOUT` order (without ``digest``)."""
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
    if kind == "ratings":
        case_id, channel, rated, offset = key
        moment = rated.replace(tzinfo=dt.timezone(dt.timedelta(seconds=int(offset))))
        return f"rating of case {case_id!r} ({channel}, {moment.isoformat()})"
    day, window, staff, rule = key
    return f"finding {rule!r} of {window}/{staff or '-'} on {day}"


def _fingerprint(columns: Iterable[str]) -> str:
    """Return SQL for an md5 of the columns' values, unambiguous (length-prefixed, NULL apart)."""
    parts = [
        f"CASE WHEN {_q(name)} IS NULL THEN 'n' ELSE CAST(length(CAST({_q(name)} AS TEXT)) "
        f"AS TEXT) || ':' || CAST({_q(name)} AS TEXT) END"
        for name in columns
    ]
    return "md5(" + " || '|' || ".join(parts) + ")"


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
    """Import the hall's data files (cases, ratings, findings) from ``data`` into ``store``.

    Args:
        config: The hall (its id keys every row; windows and items are checked).
        data: The data folder.
        store: A ``.duckdb`` path (created when missing) or a ``postgresql://`` URL.
        strict: Write nothing when any row is rejected.
        on_problem: Called with every problem as it is found (e.g. to print it).
        progress: Wraps each kind's stream of records to show progress.

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
    try:
        backend.begin()
        try:
            backend.lock_imports()
            _register_hall(backend, config)
            import_id = int(
                backend.execute("SELECT coalesce(max(import_id), 0) + 1 FROM govhall.imports")[0][0]
            )
            zone = ZoneInfo(config.hall.timezone)
            windows = frozenset(w.id for w in config.windows)
            items = frozenset(i.id for i in config.items)
            for kind in KINDS:
                records = read_located(
                    kind, paths[kind], zone, report, windows=windows, items=items
                )
                if progress is not None:
                    records = progress(kind, paths[kind], records)
                counts = _import_kind(backend, kind, hall, import_id, records, report)
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
            backend.rollback()
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


def _import_kind(
    backend: Backend,
    kind: str,
    hall: str,
    import_id: int,
    records: Iterator[tuple[Path, int, Case | Rating | Finding]],
    report: ReadReport,
) -> dict[str, FileCounts]:
    """Stage one kind's records, decide each row's fate, apply it; return counts per file."""
    layout = KIND_LAYOUT[kind]
    stage = f"govhall_stage_{kind}"
    stored = list(layout.columns)
    values_columns = [(name, sql_type) for name, sql_type in stored if name != "digest"]
    staged_columns = [("row_no", "BIGINT"), ("file", "TEXT"), ("line", "BIGINT"), *values_columns]
    backend.execute(f"DROP TABLE IF EXISTS {stage}")
    backend.execute(
        f"CREATE TEMP TABLE {stage} ("
        + ", ".join(f"{_q(name)} {sql_type}" for name, sql_type in staged_columns)
        + ", k TEXT, digest TEXT, state TEXT)"
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        split = _splitter()
        for number, (path, line, record) in enumerate(records):
            yield (number, str(path), line, *record_values(record, split))

    backend.bulk_insert(stage, staged_columns, rows(), not_null=layout.not_null)
    # the key and a digest of the content, computed alike by both databases
    backend.execute(
        f"UPDATE {stage} SET k = {_fingerprint(layout.key)}, "
        f"digest = {_fingerprint([name for name, _ in values_columns])}"
    )

    join = " AND ".join(f"t.{_q(name)} = s.{_q(name)}" for name in layout.key)
    table = layout.table
    steps: list[tuple[str, str, list[Any]]] = [
        (
            "conflict",
            f"k IN (SELECT k FROM {stage} GROUP BY k HAVING count(DISTINCT digest) > 1)",
            [],
        ),
    ]
    if kind == "ratings":
        steps.append(
            (
                "orphan",
                "case_id NOT IN (SELECT case_id FROM govhall.cases WHERE hall = ?)",
                [hall],
            )
        )
    steps += [
        (
            "copy",
            f"row_no NOT IN (SELECT min(row_no) FROM {stage} WHERE state IS NULL GROUP BY k)",
            [],
        ),
        ("classify", "", []),
        ("inserted", "TRUE", []),
    ]
    for state, condition, params in steps:
        if state == "classify":  # rows whose key the store holds: same content or not
            on = " AND ".join(f"t.{_q(n)} = {stage}.{_q(n)}" for n in layout.key)
            backend.execute(
                f"UPDATE {stage} SET state = CASE WHEN t.digest = {stage}.digest "
                f"THEN 'unchanged' ELSE 'updated' END FROM {table} t "
                f"WHERE {stage}.state IS NULL AND t.hall = ? AND {on}",
                [hall],
            )
            continue
        backend.execute(
            f"UPDATE {stage} SET state = ? WHERE state IS NULL AND {condition}", [state, *params]
        )

    _report_rejections(backend, kind, stage, hall, report)

    names = [name for name, _ in stored]
    targets = ", ".join(_q(n) for n in names)
    if kind == "cases":
        history = ", ".join(f"t.{_q(n)}" for n in names)
        backend.execute(
            f"INSERT INTO govhall.case_history (hall, {targets}, import_id, file, line, "
            f"replaced_by) SELECT t.hall, {history}, t.import_id, t.file, t.line, ? "
            f"FROM {table} t JOIN {stage} s ON t.hall = ? AND {join} WHERE s.state = 'updated'",
            [import_id, hall],
        )
    backend.execute(
        f"DELETE FROM {table} WHERE hall = ? AND EXISTS (SELECT 1 FROM {stage} s "
        f"WHERE s.state = 'updated' AND "
        + " AND ".join(f"{table}.{_q(n)} = s.{_q(n)}" for n in layout.key)
        + ")",
        [hall],
    )
    sources = ", ".join(f"s.{_q(n)}" for n in names)
    backend.execute(
        f"INSERT INTO {table} (hall, {targets}, import_id, file, line) "
        f"SELECT ?, {sources}, ?, s.file, s.line FROM {stage} s "
        "WHERE s.state IN ('inserted', 'updated') ORDER BY s.row_no",
        [hall, import_id],
    )
    counts: dict[str, FileCounts] = {}
    for path, state, number in backend.execute(
        f"SELECT file, state, count(*) FROM {stage} GROUP BY file, state"
    ):
        found = counts.setdefault(path, FileCounts(path, kind))
        if state in ("inserted", "updated", "unchanged"):
            setattr(found, state, getattr(found, state) + int(number))
        elif state == "copy":
            found.unchanged += int(number)
        else:
            found.rejected += int(number)
    backend.execute(f"DROP TABLE {stage}")
    return counts


def _report_rejections(
    backend: Backend, kind: str, stage: str, hall: str, report: ReadReport
) -> None:
    """Report every conflicting row (naming the others), orphan rating and repeated row."""
    key = KIND_LAYOUT[kind].key
    width = len(key)
    keys = ", ".join(f"s.{_q(name)}" for name in key)
    conflicts: dict[str, list[tuple[str, int, str]]] = {}
    for row in backend.stream(
        f"SELECT s.k, s.file, s.line, {keys} FROM {stage} s WHERE s.state = 'conflict' "
        "ORDER BY s.k, s.row_no"
    ):
        conflicts.setdefault(row[0], []).append((row[1], int(row[2]), _label(kind, row[3:])))
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
    if kind == "ratings":
        for row in backend.stream(
            f"SELECT s.file, s.line, {keys} FROM {stage} s WHERE s.state = 'orphan' "
            "ORDER BY s.row_no"
        ):
            report.add_problem(
                Problem(
                    "error",
                    f"{_label(kind, row[2:])}: the store holds no case {row[2]!r} for hall "
                    f"{hall!r} (an orphan rating): rejected",
                    line=int(row[1]),
                    file=row[0],
                )
            )
    for row in backend.stream(
        f"SELECT s.file, s.line, f.file, f.line, {keys} FROM {stage} s JOIN {stage} f "
        "ON f.k = s.k AND f.state <> 'copy' WHERE s.state = 'copy' ORDER BY s.row_no"
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
