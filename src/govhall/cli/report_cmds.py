"""Report command: ``report`` writes a month as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from govhall.cli.output import emit_json, json_option


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help=(
        "Folder with cases.csv / ratings.csv / findings.csv (or .jsonl); a kind may be "
        "split over several files (cases-2010-01.csv, cases-2010-02.jsonl ...)."
    ),
)
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to report.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The HTML file to write (e.g. report-2010-03.html).",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@json_option
def report(config: str, data_dir: str, month: str, out: str, force: bool, as_json: bool) -> None:
    """Write a month's report as one HTML file that opens offline in any browser.

    The page shows the KPI tiles (as ``govhall kpi`` for the month), the
    window ranking as a bar chart with each window's score lines (as
    ``govhall score``), the opening hours of the month's first full week,
    and the overdue cases and bad ratings awaiting follow-up. Charts are
    inline SVG; nothing is fetched from the network.
    """
    from importlib.metadata import PackageNotFoundError, version

    from govhall.config.load import load_config
    from govhall.errors import GovhallError
    from govhall.files import write_text_atomic
    from govhall.plugins import get_plugin_manager
    from govhall.report.data import collect_month
    from govhall.report.html import render_report
    from govhall.scoring import Month, ScoringError

    try:
        wanted = Month.parse(month)
    except ScoringError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    target = Path(out)
    if target.exists() and not force:
        # fail before the work; write_text_atomic checks again at the end
        raise GovhallError(f"{target} already exists; use --force to overwrite it")
    manager = get_plugin_manager()
    hall = load_config(config, manager)
    found = collect_month(
        hall, data_dir, wanted, manager, on_problem=lambda p: click.echo(p.format(), err=True)
    )
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)
    if found.read.files:
        click.echo(found.read.summary(), err=True)
    try:
        own_version = version("govhall")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        own_version = ""
    html = render_report(found, version=own_version)
    written = write_text_atomic(target, html, force=force)
    document = {
        "path": str(written),
        "month": str(wanted),
        "bytes": len(html.encode("utf-8")),
        "windows": len(found.scores.windows),
        "kpi": found.kpis.to_json(),
        "ranking": [
            {"window": s.subject, "rank": s.rank, "score": _number(s.score)}
            for s in found.scores.windows
        ],
        "overdue": len(found.overdue),
        "overdue_open": sum(1 for case in found.overdue if case.open),
        "bad_ratings": len(found.bad_ratings),
        "data": {"read": found.read.read, "used": found.read.used, "rejected": found.read.rejected},
    }
    if as_json:
        emit_json(document)
        return
    click.echo(
        f"wrote {written} ({document['bytes']:,} bytes): {document['windows']} windows, "
        f"{document['overdue']} overdue case(s), {document['bad_ratings']} bad rating(s)"
    )


def _number(value: object) -> int | float:
    from decimal import Decimal

    from govhall.scoring import number

    assert isinstance(value, Decimal)
    return number(value)


COMMANDS = [report]
