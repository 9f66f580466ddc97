"""A data folder as a source of records: what a session reads cases, ratings and findings from.

:class:`DataFolder` is the one kind of source today; a store that holds the
same records will offer the same methods, so a session's ``kpis``,
``score``, ``rewards`` and ``report`` take either.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Iterator
from pathlib import Path

from govhall.errors import GovhallError
from govhall.readers.report import ReadReport
from govhall.readers.rows import find_data_files
from govhall.readers.typed import (
    located_ratings,
    located_rectifications,
    read_cases,
    read_findings,
)
from govhall.records import Case, Finding, Rating, Rectification


class DataFolder:
    """A folder of data files: ``cases`` (required); ``ratings``, ``findings``, ``rectifications``.

    Each kind may be split over several files (:func:`find_data_files`).

    Raises:
        GovhallError: The path is not a folder.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._case_ids: dict[tuple[dt.tzinfo, frozenset[str] | None], Collection[str]] = {}
        if not self.path.is_dir():
            what = "not a folder" if self.path.exists() else "no such folder"
            raise GovhallError(f"{self.path}: {what} (data must be a folder of data files)")

    def __repr__(self) -> str:
        return f"DataFolder({str(self.path)!r})"

    def files(self, kind: str) -> list[Path]:
        """Return the files of one kind (``cases``, ``ratings`` ...), sorted by name."""
        return find_data_files(self.path, kind, required=kind == "cases")

    def cases(
        self,
        tz: dt.tzinfo,
        report: ReadReport,
        *,
        windows: Collection[str] | None = None,
        items: Collection[str] | None = None,
    ) -> Iterator[Case]:
        """Yield the folder's usable cases, counting every row in ``report``.

        Once every case is read, the ids of those a ratings file names are
        kept for the orphan check of the ratings read after them (a quick
        first look at the ratings files' ``case_id`` column says which: the
        memory kept grows with the ratings, not with the cases).
        """
        ids = _NamedIds(self._rated_ids())
        yield from read_cases(
            self.files("cases"), tz, report, windows=windows, items=items, case_ids=ids
        )
        self._case_ids[(tz, _frozen(windows))] = ids

    def _rated_ids(self) -> set[str]:
        """Return the case ids the ratings files name (a superset: rows are not checked)."""
        from govhall.readers.unique import id_batches

        named: set[str] = set()
        for path in self.files("ratings"):
            try:
                for batch in id_batches(path):
                    named.update(batch)
            except (GovhallError, OSError, UnicodeDecodeError, csv.Error):
                continue  # the ratings' reader says what is wrong with the file
        return named

    def case_ids(self, tz: dt.tzinfo, windows: Collection[str] | None = None) -> Collection[str]:
        """Return the ids of the folder's usable cases that a ratings file names.

        The cases are read quietly unless already read. A rating whose case
        is not among them is an orphan. When the cases
        have not been read yet with these windows (the 好差评 bulletin reads
        ratings first), they are read now without reporting their rows (and
        without the item check, which the ratings' reader does not know).
        """
        key = (tz, _frozen(windows))
        found = self._case_ids.get(key)
        if found is None:
            ids = _NamedIds(self._rated_ids())
            quiet = ReadReport()
            for _ in read_cases(self.files("cases"), tz, quiet, windows=windows, case_ids=ids):
                pass
            found = self._case_ids[key] = ids
        return found

    def _orphan_check(
        self, tz: dt.tzinfo, windows: Collection[str] | None
    ) -> Collection[str] | None:
        """The case ids ratings must name, or ``None`` when the folder has no cases file."""
        if not find_data_files(self.path, "cases"):
            return None
        return self.case_ids(tz, windows)

    def ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Rating]:
        """Yield the folder's usable ratings (none when it has no ratings file).

        A rating whose case the folder's cases files do not hold as a usable
        case is rejected (an orphan), as a store rejects it.
        """
        for _, _, rating in self.located_ratings(tz, report, windows=windows):
            yield rating

    def findings(
        self, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Finding]:
        """Yield the folder's usable inspection findings (none when it has no findings file)."""
        return read_findings(self.files("findings"), report, windows=windows)

    def located_ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[tuple[str, int, Rating]]:
        """Yield ``(file, line, rating)`` for the folder's usable ratings (orphans rejected)."""
        paths = self.files("ratings")
        if not paths:
            return
        yield from located_ratings(
            paths, tz, report, windows=windows, case_ids=self._orphan_check(tz, windows)
        )

    def rectifications(
        self, tz: dt.tzinfo, report: ReadReport
    ) -> Iterator[tuple[str, int, Rectification]]:
        """Yield ``(file, line, record)`` for the folder's work-order progress rows (if any)."""
        return located_rectifications(self.files("rectifications"), tz, report)


class _NamedIds(set[str]):
    """A set of case ids that keeps, of the ids added, only those in ``named``."""

    def __init__(self, named: Collection[str]) -> None:
        super().__init__()
        self.named = named

    def add(self, case_id: str) -> None:
        if case_id in self.named:
            super().add(case_id)


def _frozen(values: Collection[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)
