"""Problems found while reading a config or data file.

A :class:`Problem` names the file, the line (and column when known), the
dotted key and what was expected. Errors make a file invalid; warnings do not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one place in one file."""

    severity: Severity
    message: str
    key: str = ""
    """Dotted key in TOML terms, e.g. ``windows[3].phone``; empty for the whole file."""
    line: int | None = None
    """1-based line in the file, or ``None`` when the value came from a plugin."""
    column: int | None = None
    file: str = ""
    source: str = ""
    """Where the offending value came from when not from the file (e.g. ``plugin pinghu``)."""

    def format(self) -> str:
        """Render as ``file:line:col: severity: key: message`` for people."""
        where = self.file or "<config>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f"{self.key}: " if self.key else ""
        origin = f" (value from {self.source})" if self.source else ""
        return f"{where}: {self.severity}: {key}{self.message}{origin}"

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form used by ``govhall validate --json``."""
        data = asdict(self)
        data.pop("file")
        if not data["source"]:
            data.pop("source")
        if data["column"] is None:
            data.pop("column")
        return data
