"""Cross-checks of a hall config that a schema cannot express.

:func:`check_references` works on the raw TOML data, so duplicate ids and
dangling window references are reported even when the schema fails
elsewhere; :func:`check_hall` checks a config that has passed its schema.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from govhall.config.schema import HallConfig
from govhall.model import Staff
from govhall.problems import Problem

SECTIONS_WITH_IDS = ("windows", "items", "staff")
SECTIONS_ON_WINDOWS = ("items", "staff")


def check_references(data: Mapping[str, Any]) -> list[Problem]:
    """Report duplicate ids and references to windows that do not exist.

    Tolerates any shape: entries that are not tables, or ids that are not
    strings, are left to the schema's own errors.
    """
    problems: list[Problem] = []
    entries = {section: _entries(data.get(section)) for section in SECTIONS_WITH_IDS}
    for section, listed in entries.items():
        ids = [(index, entry.get("id")) for index, entry in listed]
        problems.extend(_duplicate_ids(section, ids))
    window_ids = sorted({e["id"] for _, e in entries["windows"] if isinstance(e.get("id"), str)})
    for section in SECTIONS_ON_WINDOWS:
        for index, entry in entries[section]:
            window = entry.get("window")
            if isinstance(window, str) and window not in window_ids:
                message = unknown_window(window, window_ids)
                problems.append(Problem("error", message, key=f"{section}[{index}].window"))
    return problems


def check_hall(config: HallConfig) -> list[Problem]:
    """Return the problems of promised vs statutory limits and A/B posts."""
    problems: list[Problem] = []
    for index, item in enumerate(config.items):
        if (
            item.promised_days is not None
            and item.statutory_days is not None
            and item.promised_days > item.statutory_days
        ):
            problems.append(
                Problem(
                    "warning",
                    f"the promised limit ({item.promised_days} working days) is longer than "
                    f"the statutory limit ({item.statutory_days})",
                    key=f"items[{index}].promised_days",
                )
            )
    problems.extend(_ab_posts(config.staff))
    return problems


def _entries(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, Mapping)]


def _duplicate_ids(section: str, ids: Sequence[tuple[int, Any]]) -> Iterable[Problem]:
    first_seen: dict[str, int] = {}
    for index, entry_id in ids:
        if not isinstance(entry_id, str):
            continue
        if entry_id in first_seen:
            yield Problem(
                "error",
                f"duplicate id {entry_id!r}: already used by {section}[{first_seen[entry_id]}]",
                key=f"{section}[{index}].id",
            )
        else:
            first_seen[entry_id] = index


def _ab_posts(staff: Sequence[Staff]) -> Iterable[Problem]:
    """Each window post should have both an A and a B holder (A/B岗)."""
    posts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, person in enumerate(staff):
        posts[(person.window, person.position)][person.post].append(index)
    for (window, position), holders in posts.items():
        where = f"window {window!r}, post {position!r}"
        if not holders["B"]:
            first = holders["A"][0]
            yield Problem(
                "warning",
                f"{where} has no B post-holder: nobody covers when A is absent",
                key=f"staff[{first}].post",
            )
        if not holders["A"]:
            first = holders["B"][0]
            yield Problem(
                "warning", f"{where} has a B post-holder but no A", key=f"staff[{first}].post"
            )


def unknown_window(window: str, known: Iterable[str]) -> str:
    """Say that ``window`` is not a window of the hall, listing the ones that are."""
    return f"no window with id {window!r}; known windows: {_listing(sorted(known))}"


def _listing(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names) if names else "none"


def check_time_references(config: HallConfig) -> list[Problem]:
    """Return a problem for each ``[hours]`` window id that is not a window of the hall."""
    from govhall.config.messages import dotted_key

    known = {window.id for window in config.windows}
    problems = []

    def check(window_id: str, loc: tuple[str | int, ...], where: str = "") -> None:
        if window_id not in known:
            message = unknown_window(window_id, known) + where
            problems.append(Problem("error", message, key=dotted_key(loc)))

    for window_id in config.hours.windows:
        check(window_id, ("hours", "windows", window_id))
    rota = config.hours.rota
    if rota is not None:
        for index, turn in enumerate(rota.cycle):
            for window_id in turn:
                check(window_id, ("hours", "rota", "cycle", index), " (Sunday rota)")
        for day, turn in rota.dates.items():
            for window_id in turn:
                check(window_id, ("hours", "rota", "dates", str(day)), " (Sunday rota)")
    return problems
