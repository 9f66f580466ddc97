"""Dated parameters: a rule's number by effective date, with the source it comes from.

A :class:`Parameter` holds the values a number has had over time (OpenFisca's
parameter files): each :class:`DatedValue` takes effect on its ``start`` date
and holds until the next one. Code asks for the value *as of* a date, so
scoring October 2010 uses the number in force in October 2010. A value may be
*missing*: the source document states the rule but leaves its number out (每次扣分); such a
parameter must get a value from the county's config before it can be used.

Overrides never change a baseline: :meth:`ParameterSet.with_overrides` returns
a changed copy (OpenFisca's ``Reform``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from govhall.errors import GovhallError


class ParameterError(GovhallError):
    """A parameter has no value in force, its value is missing, or an override is malformed."""


class MissingValue(ParameterError):
    """The source document leaves this number out and no config has supplied it."""

    def __init__(self, name: str, source: str, when: dt.date) -> None:
        self.name = name
        self.source = source
        super().__init__(
            f"parameter {name!r} has no value as of {when.isoformat()}: the source document "
            f"leaves the number out ({source}); set it in the config under "
            f'[scoring.parameters] as "{name}" = <points>'
        )


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter, in force from ``start`` until the next value's start.

    ``value`` is ``None`` when the source states the rule without its number.
    """

    start: dt.date
    value: Decimal | None
    source: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named number with its history of values, oldest first."""

    name: str
    values: tuple[DatedValue, ...]
    description: str = ""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.values, key=lambda v: v.start))
        starts = [v.start for v in ordered]
        if len(set(starts)) != len(starts):
            raise ParameterError(f"parameter {self.name!r} has two values starting the same day")
        object.__setattr__(self, "values", ordered)

    def entry(self, when: dt.date) -> DatedValue:
        """Return the value entry in force on ``when``.

        Raises:
            ParameterError: ``when`` is before the first value took effect.
        """
        found: DatedValue | None = None
        for candidate in self.values:
            if candidate.start > when:
                break
            found = candidate
        if found is None:
            first = self.values[0].start.isoformat() if self.values else "never"
            raise ParameterError(
                f"parameter {self.name!r} is not in force on {when.isoformat()} "
                f"(first value takes effect {first})"
            )
        return found

    def at(self, when: dt.date) -> Decimal:
        """Return the value in force on ``when``.

        Raises:
            MissingValue: The value in force is missing (the source document leaves it out).
            ParameterError: No value is in force yet.
        """
        found = self.entry(when)
        if found.value is None:
            raise MissingValue(self.name, found.source, when)
        return found.value

    def missing_at(self, when: dt.date) -> bool:
        """Return True when the value in force on ``when`` exists but its number is missing."""
        try:
            return self.entry(when).value is None
        except ParameterError:
            return False


@dataclass(frozen=True, slots=True)
class ParameterSet:
    """Parameters by name; lookups are by name and date."""

    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters[name] for name in sorted(self.parameters))

    def get(self, name: str) -> Parameter:
        """Return the parameter ``name``.

        Raises:
            ParameterError: No such parameter.
        """
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name!r}") from None

    def at(self, name: str, when: dt.date) -> Decimal:
        """Return the value of ``name`` in force on ``when`` (see :meth:`Parameter.at`)."""
        return self.get(name).at(when)

    def missing(self, when: dt.date) -> list[Parameter]:
        """Return the parameters whose number is missing on ``when``, by name."""
        return [p for p in self if p.missing_at(when)]

    def with_overrides(self, overrides: Mapping[str, Any], source: str) -> ParameterSet:
        """Return a copy with ``overrides`` applied; this set is left unchanged.

        A plain number replaces the parameter's whole history. A list of
        ``{"since": date, "value": number, "source": text}`` tables adds dated
        values (a value starting the same day as an existing one replaces it).
        ``"value"`` may be left out to declare a number as missing.

        Example:
            >>> base = ParameterSet({"x": Parameter("x", (DatedValue(dt.date(2000, 1, 1),
            ...     Decimal(5), "seed"),))})
            >>> changed = base.with_overrides({"x": 3}, "config")
            >>> str(changed.at("x", dt.date(2010, 1, 1))), str(base.at("x", dt.date(2010, 1, 1)))
            ('3', '5')

        Raises:
            ParameterError: An override names no known parameter or is malformed.
        """
        changed = dict(self.parameters)
        for name, raw in overrides.items():
            if name not in changed:
                known = ", ".join(sorted(changed))
                raise ParameterError(f"no parameter named {name!r} to override (known: {known})")
            base = changed[name]
            changed[name] = replace(base, values=_apply(base, raw, source))
        return ParameterSet(changed)


def _apply(base: Parameter, raw: Any, source: str) -> tuple[DatedValue, ...]:
    if isinstance(raw, list):
        entries = {v.start: v for v in base.values}
        given: set[dt.date] = set()
        for index, item in enumerate(raw):
            entry = parse_dated(item, f"{base.name}[{index}]", source)
            if entry.start in given:
                raise ParameterError(
                    f"{base.name}[{index}]: two values starting the same day "
                    f"({entry.start.isoformat()})"
                )
            given.add(entry.start)
            entries[entry.start] = entry
        return tuple(entries.values())
    value = to_decimal(raw, base.name)
    start = base.values[0].start if base.values else dt.date.min
    return (DatedValue(start, value, source),)


def parse_dated(item: Any, where: str, source: str) -> DatedValue:
    """Read one ``{since, value, source}`` table as a :class:`DatedValue`.

    Raises:
        ParameterError: The table lacks ``since`` or has a value that is not a number.
    """
    if not isinstance(item, Mapping):
        raise ParameterError(f"{where}: expected a table with `since` and `value`")
    unknown = sorted(set(item) - {"since", "value", "source"})
    if unknown:
        raise ParameterError(f"{where}: unknown key(s) {', '.join(unknown)}")
    start = item.get("since")
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise ParameterError(f"{where}: `since` must be a TOML date such as 2010-01-01")
    value = to_decimal(item["value"], where) if "value" in item else None
    return DatedValue(start, value, str(item.get("source", source)))


def to_decimal(raw: Any, where: str) -> Decimal:
    """Return ``raw`` (an int, float or numeric string) as an exact Decimal.

    Raises:
        ParameterError: ``raw`` is not a finite number.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ParameterError(f"{where}: expected a number, got {type(raw).__name__}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ParameterError(f"{where}: expected a number, got {raw!r}") from None
    if not value.is_finite():
        raise ParameterError(f"{where}: expected a finite number, got {raw!r}")
    return value


def parameter_set(parameters: Iterable[Parameter]) -> ParameterSet:
    """Build a :class:`ParameterSet`; two parameters with one name are an error.

    Raises:
        ParameterError: A name is used twice.
    """
    table: dict[str, Parameter] = {}
    for parameter in parameters:
        if parameter.name in table:
            raise ParameterError(f"parameter {parameter.name!r} is defined twice")
        table[parameter.name] = parameter
    return ParameterSet(table)
