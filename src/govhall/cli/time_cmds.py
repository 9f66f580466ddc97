"""Time commands: ``hours``, ``open``, ``deadline``.

Dates are ``YYYY-MM-DD``; moments are ISO 8601 (``2026-10-10T10:00``, a
space works too) in the hall's local time unless they carry an offset.
Answers give moments with the hall's offset (``+08:00``).
"""

from __future__ import annotations

import datetime as dt

import click

from govhall.cli.common import (
    config_argument,
    open_session,
    parse_date,
    parse_moment,
    parse_pause,
    warn,
)
from govhall.cli.output import emit_json, json_option, render_table


@click.command()
@config_argument
@click.option("--on", "on", required=True, metavar="DATE", help="The day, YYYY-MM-DD.")
@click.option("--window", metavar="ID", help="Only this window.")
@json_option
def hours(config: str, on: str, window: str | None, as_json: bool) -> None:
    """Show each window's open intervals on a day.

    The kind of day (working day, make-up working day, holiday, rest
    Saturday/Sunday) comes from the working calendar; the hours from the
    config's [hours] over the county plugin's (or the built-in assumption).
    """
    from govhall.documents import hours_document

    day = parse_date(on, "--on")
    session = open_session(config)
    document = hours_document(session, day, window)
    if as_json:
        emit_json(document)
        return
    info = document["day"]
    label = f"{info['kind']}: {info['name']}" if info["name"] else info["kind"]
    click.echo(f"{day.isoformat()} ({day:%A}, {label})")
    names = {w.id: w.name for w in session.config.windows}
    rows = [
        (
            w["window"],
            names[w["window"]],
            ", ".join(f"{a}–{b}" for a, b in w["intervals"]) or "closed",
        )
        for w in document["windows"]
    ]
    click.echo(render_table(["window", "name", "open"], rows))
    if document["note"]:
        click.echo(f"hours: {document['note']}")
    warn(document["warnings"])


@click.command(name="open")
@config_argument
@click.option("--at", "at", required=True, metavar="DATETIME", help="The moment, ISO 8601.")
@json_option
def open_(config: str, at: str, as_json: bool) -> None:
    """Show which windows are open at a moment, and when each closed one opens next."""
    from govhall.documents import open_document

    moment = parse_moment(at, "--at")
    document = open_document(open_session(config), moment)
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
    warn(document["warnings"])


@click.command()
@config_argument
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
    from govhall.documents import deadline_document

    moment = parse_moment(received, "--received")
    spans = [parse_pause(text) for text in pauses]
    at = parse_moment(now, "--now") if now else None
    session = open_session(config)
    if at is None:
        at = dt.datetime.now(session.zone)
    document = deadline_document(session, item, moment, spans, window=window, now=at)
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
    warn(document["warnings"])


COMMANDS = [hours, open_, deadline]
