"""A data folder as a source of records: what a session reads cases, ratings and findings from.

:class:`DataFolder` is the one kind of source today; a store that holds the
same records will offer the same methods, so a session's ``kpis``,
``score``, ``rewards`` and ``report`` take either.
"""

from __future__ import annotations

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
    read_ratings,
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
        """Yield the folder's usable cases, counting every row in ``report``."""
        return read_cases(self.files("cases"), tz, report, windows=windows, items=items)

    def ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Rating]:
        """Yield the folder's usable ratings (none when it has no ratings file)."""
        return read_ratings(self.files("ratings"), tz, report, windows=windows)

    def findings(
        self, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[Finding]:
        """Yield the folder's usable inspection findings (none when it has no findings file)."""
        return read_findings(self.files("findings"), report, windows=windows)

    def located_ratings(
        self, tz: dt.tzinfo, report: ReadReport, *, windows: Collection[str] | None = None
    ) -> Iterator[tuple[str, int, Rating]]:
        """Yield ``(file, line, rating)`` for the folder's usable ratings."""
        return located_ratings(self.files("ratings"), tz, report, windows=windows)

    def rectifications(
        self, tz: dt.tzinfo, report: ReadReport
    ) -> Iterator[tuple[str, int, Rectification]]:
        """Yield ``(file, line, record)`` for the folder's work-order progress rows (if any)."""
        return located_rectifications(self.files("rectifications"), tz, report)
