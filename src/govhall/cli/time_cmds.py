"""Time commands: ``hours``, ``open``, ``deadline``.

Dates are ``YYYY-MM-DD``; moments are ISO 8601 (``2026-10-10T10:00``, a
space works too) in the hall's local time unless they carry an offset.
Answers give moments with the hall's offset (``+08:00``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from govhall.cli.output import emit_json, json_option, render_table

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from govhall.config.schema import HallConfig
    from govhall.hours import HallTime
    from govhall.plugins import GovhallPluginManager
    from govhall.records import Case

_config_argument = click.argument("config", type=click.Path(dir_okay=False))


def parse_date(text: str, option: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` or fail as a usage error (exit 2) naming the option."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD (e.g. 2026-10-10)", param_hint=option
        ) from None
    _check_year(day.year, text, option)
    return day


def _check_year(year: int, text: str, option: str) -> None:
    # the years data rows may name (govhall.readers); beyond them date arithmetic overflows
    if not 1900 <= year <= 2999:
        raise click.BadParameter(f"{text!r}: year {year} is outside 1900-2999", param_hint=option)


def parse_moment(text: str, option: str) -> dt.datetime:
    """Parse an ISO 8601 date-time (a bare date means its midnight) or fail with exit 2."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
        _check_year(moment.year, text, option)
        return moment
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date-time YYYY-MM-DDTHH:MM[+08:00] (e.g. 2026-09-30T10:00)",
            param_hint=option,
        ) from None


def parse_pause(text: str) -> tuple[dt.date, dt.date]:
    """Parse ``START/END`` (dates, both included; ``START`` alone is one day)."""
    first, _, last = text.partition("/")
    start = parse_date(first, "--pause")
    end = parse_date(last, "--pause") if last else start
    if end < start:
        raise click.BadParameter(f"{text!r} ends before it starts", param_hint="--pause")
    return start, end


def _load(config: str) -> tuple[HallConfig, GovhallPluginManager, HallTime]:
    from govhall.config.load import load_config
    from govhall.deadlines import hall_time
    from govhall.plugins import get_plugin_manager

    manager = get_plugin_manager()
    hall = load_config(config, manager)
    return hall, manager, hall_time(hall, manager)


def _clock_pairs(spans: Any) -> list[list[str]]:
    from govhall.hours import format_clock

    return [[format_clock(a), format_clock(b)] for a, b in spans]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def years_seen(cases: Iterable[Case], years: set[int]) -> Iterator[Case]:
    """Pass cases through, noting the years they were received and concluded in."""
    add = years.add
    for case in cases:
        add(case.received_at.year)
        if case.concluded_at is not None:
            add(case.concluded_at.year)
        yield case


def calendar_warnings(
    hall: HallConfig, manager: GovhallPluginManager, years: Iterable[int]
) -> list[str]:
    """Return one warning per year whose holiday arrangement is not known."""
    from govhall.deadlines import hall_time

    calendar = hall_time(hall, manager).calendar
    return [calendar.warning(year) for year in sorted(set(years)) if not calendar.covered(year)]


def _warn(warnings: list[str] | tuple[str, ...]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command()
@_config_argument
@click.option("--on", "on", required=True, metavar="DATE", help="The day, YYYY-MM-DD.")
@click.option("--window", metavar="ID", help="Only this window.")
@json_option
def hours(config: str, on: str, window: str | None, as_json: bool) -> None:
    """Show each window's open intervals on a day.

    The kind of day (working day, make-up working day, holiday, rest
    Saturday/Sunday) comes from the working calendar; the hours from the
    config's [hours] over the county plugin's (or the built-in assumption).
    """
    day = parse_date(on, "--on")
    hall, _, time = _load(config)
    document = hours_document(hall, time, day, window)
    if as_json:
        emit_json(document)
        return
    info = document["day"]
    label = f"{info['kind']}: {info['name']}" if info["name"] else info["kind"]
    click.echo(f"{day.isoformat()} ({day:%A}, {label})")
    names = {w.id: w.name for w in hall.windows}
    rows = [
        (
            w["window"],
            names[w["window"]],
            ", ".join(f"{a}–{b}" for a, b in w["intervals"]) or "closed",
        )
        for w in document["windows"]
    ]
    click.echo(render_table(["window", "name", "open"], rows))
    if time.note:
        click.echo(f"hours: {time.note}")
    _warn(document["warnings"])


def hours_document(
    hall: HallConfig, time: HallTime, day: dt.date, window: str | None = None
) -> dict[str, Any]:
    """Build the JSON document of ``govhall hours`` (all windows, or only ``window``)."""
    ids = [window] if window else [w.id for w in hall.windows]
    for window_id in ids:
        hall.window(window_id)
    info = time.calendar.day(day)
    rota = time.hours.rota_windows(day) if info.kind == "sunday" else []
    windows = [
        {
            "window": window_id,
            "intervals": _clock_pairs(time.hours.intervals(window_id, day)),
            "rota": window_id in rota,
        }
        for window_id in ids
    ]
    return {
        "date": day.isoformat(),
        "windows": windows,
        "day": {"kind": info.kind, "workday": info.workday, "name": info.name},
        "note": time.note,
        "warnings": time.calendar.warnings(day, day),
    }


@click.command(name="open")
@_config_argument
@click.option("--at", "at", required=True, metavar="DATETIME", help="The moment, ISO 8601.")
@json_option
def open_(config: str, at: str, as_json: bool) -> None:
    """Show which windows are open at a moment, and when each closed one opens next."""
    moment = parse_moment(at, "--at")
    hall, _, time = _load(config)
    document = open_document(hall, time, moment)
    if as_json:
        emit_json(document)
        return
    click.echo(f"at {document['at']}")
    rows: list[tuple[str, str, str]] = [(window_id, "open", "") for window_id in document["open"]]
    rows += [
        (str(c["window"]), "closed", c["next_open"] or "not within 400 days")
        for c in document["closed"]
    ]
    click.echo(render_table(["window", "state", "next open"], rows))
    _warn(document["warnings"])


def open_document(hall: HallConfig, time: HallTime, moment: dt.datetime) -> dict[str, Any]:
    """Build the JSON document of ``govhall open`` for a moment (naive: the hall's local time)."""
    local = time.local(moment)
    opened, closed = [], []
    for window in hall.windows:
        if time.hours.is_open(window.id, local):
            opened.append(window.id)
        else:
            upcoming = time.hours.next_open(window.id, local)
            closed.append(
                {
                    "window": window.id,
                    "next_open": _iso(time.aware(upcoming) if upcoming else None),
                }
            )
    nexts = [c for c in closed if c["next_open"]]
    return {
        "at": time.aware(local).isoformat(),
        "open": opened,
        "closed": closed,
        # the next opening may fall in a later year, whose arrangement then matters too
        "warnings": time.calendar.warnings(
            local.date(),
            max([local.date(), *(dt.date.fromisoformat(str(c["next_open"])[:10]) for c in nexts)]),
        ),
    }


@click.command()
@_config_argument
@click.option("--item", required=True, metavar="ID", help="The service item's id.")
@click.option("--received", required=True, metavar="DATETIME", help="Receipt time, ISO 8601.")
@click.option(
    "--pause",
    "pauses",
    multiple=True,
    metavar="START/END",
    help="Dates (both included) when the clock stops; repeatable.",
)
@click.option("--window", metavar="ID", help="Window handling the case (default: the item's).")
@click.option("--now", metavar="DATETIME", help="Report progress as of this moment (default: now).")
@json_option
def deadline(
    config: str,
    item: str,
    received: str,
    pauses: tuple[str, ...],
    window: str | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Show when a case is due, how it was counted, and how it stands now.

    The day of receipt is not counted; the case is due at the window's
    closing time on the N-th working day after it (an immediate case: the
    same day). A receipt after closing or on a rest day counts from the next
    working day; working days inside a --pause are not counted.
    """
    moment = parse_moment(received, "--received")
    spans = [parse_pause(text) for text in pauses]
    at = parse_moment(now, "--now") if now else None
    hall, manager, time = _load(config)
    if at is None:
        at = dt.datetime.now(time.zone)
    document = deadline_document(hall, manager, item, moment, spans, window=window, now=at)
    if as_json:
        emit_json(document)
        return
    shown = ", ".join(f"{a}/{b}" for a, b in document["pauses"])
    rows = [
        (key.replace("_", " "), shown if key == "pauses" else value)
        for key, value in document.items()
        if key not in ("explanation", "warnings")
    ]
    click.echo(render_table(["", "value"], rows))
    for line in document["explanation"]:
        click.echo(f"  {line}")
    _warn(document["warnings"])


def deadline_document(
    hall: HallConfig,
    manager: GovhallPluginManager,
    item: str,
    received: dt.datetime,
    pauses: list[tuple[dt.date, dt.date]],
    *,
    window: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Build the JSON document of ``govhall deadline`` with :func:`govhall.deadlines.due_at`."""
    from govhall.deadlines import due_at

    answer = due_at(hall, item, received, pauses, window=window, manager=manager, now=now)
    return {
        "item": answer.item,
        "received": answer.received.isoformat(),
        "due": answer.due.isoformat(),
        "working_days": answer.working_days,
        "window": answer.window,
        "counted_from": answer.counted_from.isoformat(),
        "pauses": [[a.isoformat(), b.isoformat()] for a, b in answer.pauses],
        "now": _iso(answer.now),
        "status": answer.status,
        "elapsed_minutes": answer.elapsed_minutes,
        "remaining_minutes": answer.remaining_minutes,
        "explanation": list(answer.explanation),
        "warnings": list(answer.warnings),
    }


COMMANDS = [hours, open_, deadline]
