"""Find the line and column of every key and array element in a TOML document.

``tomllib`` parses TOML but forgets where each value was. Config problems
found after parsing (an unknown key, a wrong type, a dangling reference) must
still name a line, so this module scans the source once more and maps every
path (``("windows", 3, "phone")``) to the position of its key.

The scanner only runs on text that ``tomllib`` has accepted, so it can be
lenient; if it meets something it does not understand it stops and returns
what it found so far rather than fail.
"""

from __future__ import annotations

import contextlib
import tomllib
from bisect import bisect_right
from collections.abc import Mapping

Path = tuple[str | int, ...]
Position = tuple[int, int]
"""1-based line and column."""

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r")


class _Stop(Exception):
    """Raised inside the scanner when the text is not as expected."""


def locate_keys(text: str) -> dict[Path, Position]:
    """Map each key path of a TOML document to the line and column where it is defined.

    Table headers map to the header line; array elements map to the start of
    the element; ``[[array]]`` tables map to their header. Paths use ints for
    array indices, counted from 0.

    Example:
        >>> locate_keys('[[w]]\\nid = "a"\\n[[w]]\\nid = "b"\\n')[("w", 1, "id")]
        (4, 1)
    """
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, IndexError):
        scanner.document()
    return scanner.positions


def nearest_position(positions: Mapping[Path, Position], path: Path) -> Position | None:
    """Return the position of ``path`` or, failing that, of its nearest ancestor."""
    for end in range(len(path), 0, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0]
        self.line_starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")
        self.positions: dict[Path, Position] = {}
        self.array_tables: dict[Path, int] = {}
        self.table: Path = ()

    # -- positions -----------------------------------------------------------
    def _where(self, pos: int) -> Position:
        line = bisect_right(self.line_starts, pos)
        return line, pos - self.line_starts[line - 1] + 1

    def _record(self, path: Path, pos: int) -> None:
        self.positions.setdefault(path, self._where(pos))

    # -- low-level reading ---------------------------------------------------
    def _peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (if asked) newlines."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def _expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _Stop
        self.pos += len(token)

    # -- grammar -------------------------------------------------------------
    def document(self) -> None:
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self._peek() == "[":
                self._header()
            else:
                self._key_value(self.table)

    def _header(self) -> None:
        start = self.pos
        is_array = self._peek(2) == "[["
        self.pos += 2 if is_array else 1
        keys = self._key()
        self._skip_blank(newlines=False)
        self._expect("]]" if is_array else "]")
        resolved = self._resolve(keys[:-1])
        base = (*resolved, keys[-1])
        # ``[a.b]`` also defines the table ``a`` when no header of its own came first.
        for end in range(1, len(resolved) + 1):
            self._record(resolved[:end], start)
        self._record(base, start)
        if is_array:
            index = self.array_tables.get(base, -1) + 1
            self.array_tables[base] = index
            self.table = (*base, index)
            self._record(self.table, start)
        else:
            self.table = self._resolve(keys)

    def _resolve(self, keys: list[str]) -> Path:
        """Turn header keys into a path, adding the current index of arrays of tables."""
        path: Path = ()
        for key in keys:
            path = (*path, key)
            if path in self.array_tables:
                path = (*path, self.array_tables[path])
        return path

    def _key_value(self, table: Path) -> None:
        start = self.pos
        keys = self._key()
        path = table
        for key in keys:
            path = (*path, key)
            self._record(path, start)
        self._skip_blank(newlines=False)
        self._expect("=")
        self._skip_blank(newlines=False)
        self._value(path)

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in ('"', "'"):
                begin = self.pos
                self._string()
                raw = self.text[begin : self.pos]
                keys.append(tomllib.loads(f"k = {raw}")["k"])
            else:
                begin = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE_KEY_CHARS:
                    self.pos += 1
                if self.pos == begin:
                    raise _Stop
                keys.append(self.text[begin : self.pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return keys
            self.pos += 1

    def _string(self) -> None:
        text = self.text
        for quote in ('"""', "'''", '"', "'"):
            if not text.startswith(quote, self.pos):
                continue
            self.pos += len(quote)
            escapes = quote[0] == '"'
            while self.pos < len(text):
                if escapes and text[self.pos] == "\\":
                    self.pos += 2
                elif text.startswith(quote, self.pos):
                    self.pos += len(quote)
                    # A multi-line string may end with up to two extra quote characters.
                    extra = 0
                    while len(quote) == 3 and extra < 2 and self._peek() == quote[0]:
                        self.pos += 1
                        extra += 1
                    return
                else:
                    self.pos += 1
            raise _Stop
        raise _Stop

    def _value(self, path: Path) -> None:
        char = self._peek()
        if char in ('"', "'"):
            self._string()
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:
            text = self.text
            begin = self.pos
            while self.pos < len(text) and text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == begin:
                raise _Stop

    def _array(self, path: Path) -> None:
        self.pos += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek() == "]":
                self.pos += 1
                return
            self._record((*path, index), self.pos)
            self._value((*path, index))
            index += 1
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
            elif self._peek() != "]":
                raise _Stop

    def _inline_table(self, path: Path) -> None:
        self.pos += 1
        while True:
            self._skip_blank(newlines=True)
            if self._peek() == "}":
                self.pos += 1
                return
            self._key_value(path)
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
            elif self._peek() != "}":
                raise _Stop
