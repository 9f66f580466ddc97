"""Turn pydantic validation errors into problems in TOML words.

pydantic reports ``('windows', 3, 'phone')`` and "Input should be a valid
string"; an operator editing a TOML file needs ``windows[3].phone`` and
"expected a string, got an integer".
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "a boolean (true or false)",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "datetime_type": "a date-time",
    "date_type": "a date",
    "time_type": "a time",
}

_ID_HINT = "an id: letters, digits, '_', '.' or '-', starting with a letter or digit"
_PATTERN_HINTS = {
    "id": _ID_HINT,
    "window": _ID_HINT,
    "county": _ID_HINT,
    "phone": "a phone number such as 0573-85061999, 3355000 or 13800000000",
    "phones": "a phone number such as 0573-85061999, 3355000 or 13800000000",
    "area_code": "an area code such as 0573",
}


def dotted_key(loc: Sequence[str | int]) -> str:
    """Render a location as a dotted key: ``("windows", 3, "phone")`` → ``windows[3].phone``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _is_bare(part) else f'"{part}"'
            out += f".{text}" if out else text
    return out


def _is_bare(key: str) -> bool:
    return bool(key) and all(char.isascii() and (char.isalnum() or char in "_-") for char in key)


def toml_type(value: Any) -> str:
    """Name the TOML type of a parsed value, with an article."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return "an array of tables"
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def describe_error(error: ErrorDetails, root: type[BaseModel]) -> str:
    """Explain one pydantic error in TOML terms."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"missing required key {last!r}"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, loc[:-1])
        message = f"unknown key {last!r}"
        import difflib  # only an unknown key needs it; validate of a good file skips the import

        close = difflib.get_close_matches(str(last), allowed, n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        elif allowed:
            message += f"; allowed keys: {', '.join(allowed)}"
        return message
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {toml_type(value)}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected', 'one of the allowed values')}, got {value!r}"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(
            _field_name(root, loc), f"a string matching {ctx.get('pattern')!r}"
        )
        return f"expected {hint}, got {value!r}"
    if kind == "string_too_short":
        return "expected a non-empty string"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        return _length_message(kind, ctx, value)
    bounds = {
        "greater_than_equal": ">= {ge}",
        "greater_than": "> {gt}",
        "less_than_equal": "<= {le}",
        "less_than": "< {lt}",
    }
    if kind in bounds:
        return f"expected a number {bounds[kind].format(**ctx)}, got {value!r}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _length_message(kind: str, ctx: Mapping[str, Any], value: Any) -> str:
    """An array of the wrong length, in TOML words (pydantic's own says "after validation")."""
    low, high = ctx.get("min_length"), ctx.get("max_length")
    found = ctx.get("actual_length")
    if found is None and isinstance(value, list | tuple | dict):
        found = len(value)
    if low is not None and low == high:
        wanted = f"exactly {low} value{'s' * (low != 1)}"
    elif kind == "too_short":
        wanted = f"at least {low} value{'s' * (low != 1)}"
    else:
        wanted = f"at most {high} value{'s' * (high != 1)}"
    shape = ' (an interval is ["HH:MM", "HH:MM"])' if low == high == 2 else ""
    return f"expected an array of {wanted}{shape}, got {found}"


def _field_name(root: type[BaseModel], loc: Sequence[str | int]) -> str:
    """Return the model field a location falls in: ``hall.phones."fax line"`` is in ``phones``."""
    field = ""
    for index, part in enumerate(loc):
        model = _model_at(root, loc[:index]) if isinstance(part, str) else None
        if model is not None and part in model.model_fields:
            field = str(part)
    return field


def _allowed_keys(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    model = _model_at(root, loc)
    return sorted(model.model_fields) if model is not None else []


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """Follow ``loc`` through the model's field annotations to the model it lands on."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, str) and _is_model(current):
            field = current.model_fields.get(part)
            current = field.annotation if field is not None else None
        else:  # an array index, or a key of a table of values: step into the element type
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    return current if _is_model(current) else None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional`` and ``Annotated`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation
