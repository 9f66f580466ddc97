"""Output helpers shared by the commands: JSON documents and tables for people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document on stdout instead of a table."
)


def emit_json(document: Any) -> None:
    """Print ``document`` as indented JSON with Chinese text kept readable."""
    import json  # here, not at the top: ``govhall --help`` should not pay for it

    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def printable(text: str) -> str:
    r"""Return ``text`` with control characters shown as escapes (``\x1b``), never sent raw.

    Ids and names come from data files and configs; a terminal escape code in
    one must not recolour, move or clear the user's terminal.

    Example:
        >>> printable("c1\x1b[2J")
        'c1\\x1b[2J'
    """
    if text.isprintable():
        return text
    import unicodedata

    return "".join(
        char
        if char.isprintable() or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
        else repr(char)[1:-1]
        for char in text
    )


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as aligned columns; wide (CJK) characters count as two."""
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else printable(str(v)) for v in r] for r in rows
    ]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        pairs = zip(row, widths, strict=True)
        return "  ".join(cell + " " * (width - _width(cell)) for cell, width in pairs).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
