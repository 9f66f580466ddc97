"""Rulebooks: an assessment's categories, rules and their dated numbers, as data.

A :class:`Rulebook` is the structure of one assessment (the monthly window
assessment, the staff 德能勤绩 assessment): a base score, a maximum, categories
with allotments, and rules. Every number (base, maximum, allotments, points,
ranges, bucket thresholds) is a dated :class:`~govhall.params.Parameter` named
``<rulebook>.<...>``, so the rulebook answers "as of" a date and overrides
return a changed copy.

Rule kinds and where their evidence comes from:

``occurrence``
    Fixed points per occurrence, from inspection findings (``count`` times).
``range``
    Discretionary points (酌情扣3-5分): each finding states its points, which
    must lie within ``[min, max]`` per occurrence.
``overdue``
    Fixed points per promised case concluded after its due time (or not
    concluded by the month's end and past due), from cases.
``completion``
    Points per whole percentage point by which the month's completion rate
    (concluded / accepted) falls short of 100 %, from cases.
``ratings``
    A bucket rule: the month's ratings give good / fairly good / average /
    poor by the share of satisfied ratings, each bucket its points.
``work_orders``
    Fixed points per bad-rating work order (差评工单, :mod:`govhall.assessment.workorders`)
    that the rule's ``measure`` names: ``overdue`` (due in the month and not
    answered by its due time) or ``closed_late`` (answered in the month, after
    its due time). Evidence: the orders (``order:<case_id>@<rated_at>``) with
    their due times. The reference rulebooks hold such rules at 0 points (off):
    no source document sets them; a county turns one on by giving it points.

Points are magnitudes; ``effect`` says whether a rule deducts or adds.
Reference rulebooks ship as TOML in ``govhall/assessment/rulebooks/``; see
``docs/scoring.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from govhall.errors import GovhallError
from govhall.params import (
    DatedValue,
    Parameter,
    ParameterError,
    ParameterSet,
    parameter_set,
    parse_dated,
    to_decimal,
)
from govhall.problems import Problem

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager

RuleKind = Literal["occurrence", "range", "overdue", "completion", "ratings", "work_orders"]
RULE_KINDS: tuple[RuleKind, ...] = (
    "occurrence",
    "range",
    "overdue",
    "completion",
    "ratings",
    "work_orders",
)
COMPUTED_KINDS: frozenset[str] = frozenset({"overdue", "completion", "ratings", "work_orders"})
"""Rule kinds computed from cases, ratings and work orders, never cited by a finding."""
WorkOrderMeasure = Literal["overdue", "closed_late"]
WORK_ORDER_MEASURES: tuple[WorkOrderMeasure, ...] = ("overdue", "closed_late")
"""What a ``work_orders`` rule counts: orders due in the month and not answered by their
due time, or orders answered in the month after their due time."""
Effect = Literal["deduct", "add"]
Period = Literal["month", "year"]
Subject = Literal["window", "staff"]
BUCKETS: tuple[str, ...] = ("good", "fairly_good", "average", "poor")
"""The four overall citizen verdicts 好, 较好, 一般, 较差 (《县行政服务中心窗口服务考核实施细则》
一.8)."""
COMPOSITE_SOURCES: tuple[str, ...] = ("window_head", "managers", "inspection", "citizens")
"""The composite's four sources (《关于行政服务中心窗口服务的调查报告》四(一)1(1))."""
MISSING = "missing"
"""The TOML value of a number the source leaves out."""


class RulebookError(GovhallError):
    """A rulebook file is malformed, or a rule is used against its definition."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a category; its numbers live in the rulebook's parameters.

    Attributes:
        id: Full id, ``<rulebook>.<category>.<rule>``; findings cite it.
        name: The source's wording, in Chinese.
        kind: Where evidence comes from (see the module docstring).
        effect: ``deduct`` or ``add``.
        source: The passage of the source document the rule restates.
        period: ``month``, or ``year`` for a rule the source states for the
            whole year (病事假全年累计超过15天): it applies once, to the year's
            result, and gives no points in a month.
        measure: For a ``work_orders`` rule, which orders it counts
            (:data:`WORK_ORDER_MEASURES`); ``None`` for other kinds.
    """

    id: str
    name: str
    kind: RuleKind
    effect: Effect
    source: str
    period: Period = "month"
    measure: WorkOrderMeasure | None = None

    @property
    def sign(self) -> int:
        """Return -1 for a deduction, +1 for a bonus."""
        return -1 if self.effect == "deduct" else 1


@dataclass(frozen=True, slots=True)
class Category:
    """A scored category (考核项目) with its allotment and rules.

    Attributes:
        id: Full id, ``<rulebook>.<category>``.
        allotment: True when the category has an allotment (parameter
            ``<id>.allotment``): its deductions cannot take it below zero.
        limit: True when the category's net points are bounded by ±
            parameter ``<id>.limit`` (the staff ``other`` item: ±10).
        group: Id of the category this one is a sub-item of, for display.
    """

    id: str
    name: str
    source: str
    rules: tuple[Rule, ...]
    allotment: bool = False
    limit: bool = False
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Rulebook:
    """One assessment: base, maximum, categories and dated parameters."""

    id: str
    name: str
    subject: Subject
    source: str
    categories: tuple[Category, ...]
    parameters: ParameterSet
    groups: Mapping[str, str]
    """Group id -> name (e.g. ``staff.duty`` -> 出勤值勤), for sub-item display."""

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with full id ``rule_id``.

        Raises:
            RulebookError: No such rule.
        """
        for category in self.categories:
            for rule in category.rules:
                if rule.id == rule_id:
                    return rule
        raise RulebookError(f"rulebook {self.id!r} has no rule {rule_id!r}")

    def rules(self) -> list[Rule]:
        """Return every rule, in rulebook order."""
        return [rule for category in self.categories for rule in category.rules]

    def work_order_rules(self, when: dt.date) -> list[Rule]:
        """Return the ``work_orders`` rules that give points as of ``when`` (0 points: off).

        Raises:
            ParameterError: A rule's points are missing as of ``when``.
        """
        return [
            rule
            for rule in self.rules()
            if rule.kind == "work_orders"
            and self.value(rule.id[len(self.id) + 1 :] + ".points", when)
        ]

    def category_of(self, rule: Rule) -> Category:
        """Return the category that holds ``rule``."""
        return next(c for c in self.categories if rule in c.rules)

    def value(self, name: str, when: dt.date) -> Decimal:
        """Return parameter ``<rulebook>.<name>`` as of ``when``."""
        return self.parameters.at(f"{self.id}.{name}", when)

    def with_overrides(self, overrides: Mapping[str, Any], source: str) -> Rulebook:
        """Return a copy with parameter overrides applied (see ``ParameterSet.with_overrides``).

        Only names that start with ``<rulebook id>.`` are taken; others are left
        for other rulebooks.
        """
        mine = {k: v for k, v in overrides.items() if k.startswith(f"{self.id}.")}
        if not mine:
            return self
        return replace(self, parameters=self.parameters.with_overrides(mine, source))

    def allotment_total(self, when: dt.date, group: str | None = None) -> Decimal:
        """Return the sum of the category allotments in force (of one group's sub-items)."""
        return sum(
            (
                self.parameters.at(f"{c.id}.allotment", when)
                for c in self.categories
                if c.allotment and (group is None or c.group == group)
            ),
            Decimal(0),
        )

    def check(self) -> list[Problem]:
        """Return problems with the rulebook: missing numbers, allotments that do not add up.

        Every number missing in some period is a warning naming the config key
        that supplies it; allotments that do not add up to the base (on any
        date a number changes) are a warning too: the source's window items add
        up to 80, not 100.
        """
        problems: list[Problem] = []
        for parameter in self.parameters:
            gaps = [v for v in parameter.values if v.value is None]
            if gaps:
                since = gaps[0].start.isoformat()
                problems.append(
                    Problem(
                        "warning",
                        f"rulebook {self.id!r}: {parameter.description} has no number from "
                        f"{since} ({gaps[0].source}); set "
                        f'[scoring.parameters] "{parameter.name}" = <points>',
                        key="scoring.parameters",
                    )
                )
        seen: set[str] = set()
        for when in sorted({v.start for p in self.parameters for v in p.values}):
            for message in self._allotment_messages(when):
                if message not in seen:
                    seen.add(message)
                    problems.append(Problem("warning", message, key="scoring"))
        return problems

    def _allotment_messages(self, when: dt.date) -> list[str]:
        try:
            total = self.allotment_total(when)
            base = self.value("base", when)
        except ParameterError:
            return []  # a number not yet in force (or missing) is reported elsewhere
        messages = []
        if total != base:
            messages.append(
                f"rulebook {self.id!r} ({self.source}): the category allotments add up "
                f"to {total}, not the base {base}; the score still starts from {base}"
            )
        for group, name in self.groups.items():
            try:
                expected = self.parameters.at(f"{group}.allotment", when)
                parts = self.allotment_total(when, group)
            except ParameterError:
                continue
            if parts != expected:
                messages.append(
                    f"rulebook {self.id!r}: the sub-items of {name} add up to {parts}, "
                    f"not its allotment {expected}"
                )
        return messages


def load_rulebook_text(text: str, name: str) -> Rulebook:
    """Read a rulebook from TOML text; ``name`` is used in messages.

    Raises:
        RulebookError: Bad TOML or a malformed rulebook, naming the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(f"{name}: TOML syntax: {exc}") from None
    try:
        return _build(data)
    except (RulebookError, ParameterError, KeyError, TypeError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise RulebookError(f"{name}: {detail}") from None


@functools.cache
def reference_rulebook(rulebook_id: str) -> Rulebook:
    """Return a reference rulebook shipped with govhall (``window`` or ``staff``).

    Parsed once per process: a :class:`Rulebook` is frozen and overrides
    return changed copies, so every caller can share it.

    Raises:
        RulebookError: No such reference rulebook.
    """
    package = resources.files("govhall.assessment.rulebooks")
    resource = package / f"{rulebook_id}.toml"
    if not resource.is_file():
        known = sorted(p.name[:-5] for p in package.iterdir() if p.name.endswith(".toml"))
        raise RulebookError(f"no reference rulebook {rulebook_id!r} (known: {', '.join(known)})")
    return load_rulebook_text(
        resource.read_text("utf-8"), f"govhall/assessment/rulebooks/{resource.name}"
    )


REFERENCE_RULEBOOKS = ("window", "staff")
"""The reference rulebooks from 《县行政服务中心窗口服务考核实施细则》, by id."""


# -- building from TOML ------------------------------------------------------


class _Builder:
    def __init__(self, effective: dt.date, rulebook_source: str) -> None:
        self.effective = effective
        self.rulebook_source = rulebook_source
        self.parameters: list[Parameter] = []

    def number(self, name: str, raw: Any, source: str, description: str = "") -> None:
        if isinstance(raw, list):
            values = tuple(
                parse_dated(item, f"{name}[{index}]", source) for index, item in enumerate(raw)
            )
        elif raw == MISSING:
            values = (DatedValue(self.effective, None, source),)
        else:
            values = (DatedValue(self.effective, to_decimal(raw, name), source),)
        self.parameters.append(Parameter(name, values, description or name))


def _build(data: Mapping[str, Any]) -> Rulebook:
    head = _table(data, "rulebook")
    rulebook_id = _text(head, "id", "rulebook")
    subject = _text(head, "subject", "rulebook")
    if subject not in ("window", "staff"):
        raise RulebookError(f"rulebook.subject: expected 'window' or 'staff', got {subject!r}")
    effective = head["effective"]
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise RulebookError("rulebook.effective: expected a TOML date")
    source = _text(head, "source", "rulebook")
    build = _Builder(effective, source)
    build.number(f"{rulebook_id}.base", head["base"], source, "base score")
    build.number(f"{rulebook_id}.maximum", head["maximum"], source, "maximum score")
    groups: dict[str, str] = {}
    for index, raw_group in enumerate(data.get("groups", [])):
        where = f"groups[{index}]"
        gid = f"{rulebook_id}.{_text(raw_group, 'id', where)}"
        groups[gid] = _text(raw_group, "name", where)
        group_source = _text(raw_group, "source", where)
        build.number(f"{gid}.allotment", raw_group["allotment"], group_source, groups[gid])
    categories = []
    for index, raw in enumerate(data.get("categories", [])):
        categories.append(_category(build, rulebook_id, raw, f"categories[{index}]", groups))
    if not categories:
        raise RulebookError("a rulebook needs at least one [[categories]]")
    return Rulebook(
        id=rulebook_id,
        name=_text(head, "name", "rulebook"),
        subject=subject,  # type: ignore[arg-type]  # checked above
        source=source,
        categories=tuple(categories),
        parameters=parameter_set(build.parameters),
        groups=groups,
    )


def _category(
    build: _Builder, book: str, raw: Any, where: str, groups: Mapping[str, str]
) -> Category:
    if not isinstance(raw, Mapping):
        raise RulebookError(f"{where}: expected a table")
    cid = f"{book}.{_text(raw, 'id', where)}"
    source = _text(raw, "source", where)
    name = _text(raw, "name", where)
    if "allotment" in raw:
        build.number(f"{cid}.allotment", raw["allotment"], source, f"allotment of {name}")
    if "limit" in raw:
        build.number(f"{cid}.limit", raw["limit"], source, f"limit of {name}")
    group = raw.get("group")
    if group is not None and f"{book}.{group}" not in groups:
        raise RulebookError(f"{where}.group: no [[groups]] entry {group!r}")
    rules = tuple(
        _rule(build, cid, item, f"{where}.rules[{index}]")
        for index, item in enumerate(raw.get("rules", []))
    )
    return Category(
        id=cid,
        name=name,
        source=source,
        rules=rules,
        allotment="allotment" in raw,
        limit="limit" in raw,
        group=f"{book}.{group}" if group is not None else None,
    )


def _rule(build: _Builder, category: str, raw: Any, where: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise RulebookError(f"{where}: expected a table")
    rid = f"{category}.{_text(raw, 'id', where)}"
    kind = _text(raw, "kind", where)
    if kind not in RULE_KINDS:
        raise RulebookError(f"{where}.kind: expected one of {', '.join(RULE_KINDS)}, got {kind!r}")
    effect = raw.get("effect", "deduct")
    if effect not in ("deduct", "add"):
        raise RulebookError(f"{where}.effect: expected 'deduct' or 'add', got {effect!r}")
    source = _text(raw, "source", where)
    name = _text(raw, "name", where)
    period = raw.get("period", "month")
    if period not in ("month", "year"):
        raise RulebookError(f"{where}.period: expected 'month' or 'year', got {period!r}")
    if period == "year" and kind not in ("occurrence", "range"):
        raise RulebookError(f"{where}.period: only occurrence and range rules can be annual")
    measure = raw.get("measure")
    if kind == "work_orders":
        if measure not in WORK_ORDER_MEASURES:
            raise RulebookError(
                f"{where}.measure: expected one of {', '.join(WORK_ORDER_MEASURES)}, "
                f"got {measure!r}"
            )
    elif measure is not None:
        raise RulebookError(f"{where}.measure: only a work_orders rule has a measure")
    if kind == "range":
        build.number(f"{rid}.min", raw["min"], source, f"{name} (least points)")
        build.number(f"{rid}.max", raw["max"], source, f"{name} (most points)")
    elif kind == "ratings":
        for bucket in BUCKETS:
            build.number(f"{rid}.{bucket}", raw["points"][bucket], source, f"{name}: {bucket}")
        thresholds = raw["thresholds"]
        note = str(thresholds.get("source", "documented assumption"))
        for bucket in BUCKETS[:-1]:
            build.number(
                f"{rid}.threshold.{bucket}",
                thresholds[bucket],
                note,
                f"{name}: least satisfied share for {bucket}",
            )
        build.number(f"{rid}.satisfied_level", raw["satisfied_level"], note, "satisfied level")
    else:
        build.number(f"{rid}.points", raw["points"], source, name)
    return Rule(
        id=rid, name=name, kind=kind, effect=effect, source=source, period=period, measure=measure
    )


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise RulebookError(f"[{key}]: expected a table")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise RulebookError(f"{where}.{key}: expected a non-empty string")
    return value


# -- the rulebooks of a hall -------------------------------------------------


def hall_rulebooks(config: HallConfig, manager: GovhallPluginManager) -> dict[str, Rulebook]:
    """Return the reference rulebooks with the county's and the config's overrides applied.

    Order: built-in, then the county plugin (hook ``govhall_rulebook_overrides``),
    then ``[scoring.parameters]``; each step returns a changed copy.

    Raises:
        ParameterError: An override names no parameter or is malformed.
        PluginError: A plugin's hook failed.
    """
    books = {book_id: reference_rulebook(book_id) for book_id in REFERENCE_RULEBOOKS}
    answers = manager.call_all_as("govhall_rulebook_overrides", dict, config.hall.county)
    layers: list[tuple[str, str | None, dict[str, Any]]] = [
        (f"plugin {plugin}", plugin, overrides) for plugin, overrides in reversed(answers)
    ]
    layers.append((f"config {config.hall.id}", None, config_overrides(config)))
    for source, plugin, overrides in layers:
        try:
            _check_prefixes(overrides, books, source)
            books = {k: book.with_overrides(overrides, source) for k, book in books.items()}
        except ParameterError as exc:
            if plugin is None:
                raise
            hook = "govhall_rulebook_overrides"
            raise ParameterError(f"plugin {plugin!r}, hook {hook}: {exc}") from None
    return books


def config_overrides(config: HallConfig) -> dict[str, Any]:
    """Return ``[scoring.parameters]`` in the shape ``ParameterSet.with_overrides`` takes."""
    result: dict[str, Any] = {}
    for name, value in config.scoring.parameters.items():
        if isinstance(value, list):
            result[name] = [
                {k: v for k, v in item.model_dump().items() if v is not None} for item in value
            ]
        else:
            result[name] = value
    return result


def _check_prefixes(
    overrides: Mapping[str, Any], books: Mapping[str, Rulebook], source: str
) -> None:
    for name in overrides:
        if name.split(".", 1)[0] not in books:
            raise ParameterError(
                f"{source}: no parameter named {name!r} (names start with "
                f"{' or '.join(repr(b + '.') for b in sorted(books))})"
            )


def check_hall_rulebooks(config: HallConfig, manager: GovhallPluginManager) -> list[Problem]:
    """Return the problems of a hall's rulebooks and composite weights, for ``govhall validate``."""
    problems: list[Problem] = []
    books = {book_id: reference_rulebook(book_id) for book_id in REFERENCE_RULEBOOKS}
    for name, value in config_overrides(config).items():
        key = f'scoring.parameters."{name}"'
        book = books.get(name.split(".", 1)[0])
        if book is None or name not in book.parameters:
            problems.append(Problem("error", f"no rulebook parameter named {name!r}", key=key))
            continue
        try:
            book.with_overrides({name: value}, "config")
        except ParameterError as exc:
            problems.append(Problem("error", str(exc), key=key))
    if any(p.severity == "error" for p in problems):
        return problems
    try:
        resolved = hall_rulebooks(config, manager)
    except GovhallError as exc:
        return [Problem("error", str(exc), key="scoring.parameters")]
    for book in resolved.values():
        problems.extend(book.check())
    try:
        hall_weights(config, manager)
    except GovhallError as exc:
        problems.append(Problem("error", str(exc), key="scoring.weights"))
    return problems


def hall_weights(config: HallConfig, manager: GovhallPluginManager) -> dict[str, Decimal] | None:
    """Return the composite weights: ``[scoring.weights]``, else the county plugin's, else None.

    Raises:
        ParameterError: An unknown source, a negative weight, or all weights zero.
        PluginError: The plugin's hook failed.
    """
    own = config.scoring.weights
    raw: Mapping[str, Any] | None = None if own is None else {str(k): v for k, v in own.items()}
    source = "[scoring.weights]"
    if raw is None:
        raw = manager.call_first_as("govhall_scoring_weights", dict, config.hall.county)
        plugin = manager.county_plugin(config.hall.county)
        source = f"plugin {plugin!r}, hook govhall_scoring_weights"
    if raw is None:
        return None
    weights = {}
    for name, value in raw.items():
        if name not in COMPOSITE_SOURCES:
            raise ParameterError(
                f"{source}: unknown source {name!r} (sources: {', '.join(COMPOSITE_SOURCES)})"
            )
        weights[name] = to_decimal(value, f"{source} {name}")
    if any(w < 0 for w in weights.values()) or not any(w > 0 for w in weights.values()):
        raise ParameterError(f"{source}: weights must be >= 0 and not all 0")
    return weights


def check_assessment(config: HallConfig, manager: GovhallPluginManager) -> list[Problem]:
    """Return the problems of a hall's rulebooks and weights (for ``validate``).

    Lists every number the source leaves out and neither plugin nor config has
    supplied, and warns that the window allotments add up to 80, not 100.
    Every hall can be scored, so every config is checked; ``govhall score``
    and ``govhall rewards`` print the same warnings on every run.
    """
    return check_hall_rulebooks(config, manager)
