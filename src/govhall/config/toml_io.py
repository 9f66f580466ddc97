"""Write configs as TOML people can edit: one ``[table]`` or ``[[array]]`` header per entry.

``tomli_w`` writes short arrays of tables inline (``windows = [{...}, ...]``),
which is valid but hard to edit and to comment. Here tables and arrays of
tables always get headers; ``tomli_w`` renders the keys and values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomli_w


def dumps_config(data: Mapping[str, Any]) -> str:
    """Render a TOML document with every table and array of tables under its own header.

    Example:
        >>> print(dumps_config({"hall": {"id": "x"}, "windows": [{"id": "a"}]}), end="")
        [hall]
        id = "x"
        <BLANKLINE>
        [[windows]]
        id = "a"
    """
    chunks: list[str] = []
    _table(chunks, (), data, header=None)
    return "\n".join(chunk for chunk in chunks if chunk).rstrip("\n") + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(path: tuple[str, ...]) -> str:
    # tomli_w quotes a key only when it must; reuse it on a one-key document. The key
    # itself may contain " = ", so cut the value off the end rather than split.
    return ".".join(tomli_w.dumps({part: 0}).removesuffix(" = 0\n") for part in path)


def _table(
    chunks: list[str], path: tuple[str, ...], table: Mapping[str, Any], header: str | None
) -> None:
    values = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_array(v)}
    body = tomli_w.dumps(values) if values else ""
    nested = len(values) < len(table)
    if header is not None and (body or not nested or header.startswith("[[")):
        chunks.append(f"{header}\n{body}")
    elif body:
        chunks.append(body)
    for key, value in table.items():
        child = (*path, key)
        if _is_table(value):
            _table(chunks, child, value, header=f"[{_key(child)}]")
        elif _is_table_array(value):
            for entry in value:
                _table(chunks, child, entry, header=f"[[{_key(child)}]]")
