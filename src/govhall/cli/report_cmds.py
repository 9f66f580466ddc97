"""Report command: ``report`` writes a month as one self-contained HTML page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from govhall.cli.common import (
    check_master,
    data_option,
    deployment_argument,
    engine_option,
    is_deployment,
    master_option,
    need_data,
    open_session,
    parse_month,
    print_problem,
    progress_bar,
    strict_option,
    warn,
)
from govhall.cli.output import emit_json, json_option

if TYPE_CHECKING:
    from govhall.assessment.workorders import Bulletin

TOP_TAGS = 10
"""Tags in the JSON's ``ratings.tags`` (as on the page)."""


@click.command()
@deployment_argument
@data_option
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to report.")
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    metavar="FILE",
    help=(
        "The HTML file to write (e.g. report-2010-03.html); missing folders are created. "
        "Must be a new path or a regular file (not a link, folder or device)."
    ),
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@strict_option
@engine_option
@master_option
@json_option
def report(
    config: str,
    data_dir: str | None,
    month: str,
    out: str,
    force: bool,
    strict: bool,
    engine: str,
    master: str | None,
    as_json: bool,
) -> None:
    """Write a month's report as one HTML file that opens offline in any browser.

    The page shows the KPI tiles (as govhall kpi for the month), the
    window ranking as a bar chart with each window's score lines (as
    govhall score), the opening hours of the month's first full week,
    the overdue cases and bad ratings awaiting follow-up, and the month's
    好差评 bulletin (ratings by channel and level, good rate, open and
    overdue work orders, top tags; as govhall ratings). Charts are inline
    SVG; nothing is fetched from the network.

    For a deployment (a folder of hall configs or a deployment.toml), --out is
    the province page: a league table of the halls, their on-time rates, each
    hall's last 12 months; each assessed hall's own month page is written
    beside it as <out name>-<hall id>.html and linked from the table.
    """
    from govhall.files import check_target, write_text_atomic
    from govhall.readers import ReadReport
    from govhall.report.html import render_report

    check_master(engine, master)
    data_dir = need_data(config, data_dir)
    wanted = parse_month(month)
    # fail before the work; write_text_atomic checks again at the end
    target = check_target(out, force=force)
    if is_deployment(config):
        from govhall.cli.deployments import run_report

        run_report(
            config,
            data_dir or None,
            wanted,
            target,
            force,
            strict,
            as_json,
            _own_version(),
            engine=engine,
            master=master,
        )
        return
    session = open_session(config)
    read = ReadReport(on_problem=print_problem)
    found = session.report(
        data_dir, wanted, read=read, progress=progress_bar, engine=engine, master=master
    )
    warn(found.warnings)
    if found.read.files:
        click.echo(found.read.summary(), err=True)
    not_scored = len(found.scores.rejected)
    if strict and (found.read.rejected or not_scored):
        raise click.ClickException(
            f"--strict: {found.read.rejected} row(s) rejected while reading, "
            f"{not_scored} record(s) not scored; no report written"
        )
    if not found.scores.active:
        raise click.ClickException(
            f"no data for {wanted}: no case received, rating or finding in --data falls in "
            "that month (check --month); no report written"
        )
    html = render_report(found, version=_own_version())
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
        "ratings": _bulletin_json(found.bulletin),
        "data": found.read.counts(),
    }
    if as_json:
        emit_json(document)
        return
    click.echo(
        f"wrote {written} ({document['bytes']:,} bytes): {document['windows']} windows, "
        f"{document['overdue']} overdue case(s), {document['bad_ratings']} bad rating(s)"
    )


def _bulletin_json(bulletin: Bulletin | None) -> dict[str, Any] | None:
    """Return the page's 好差评 numbers: ``govhall ratings --json`` without the order list."""
    if bulletin is None:
        return None
    document = bulletin.to_json()
    pending = [o for o in document["orders"] if o["status"] in ("open", "overdue")]
    return {
        "ratings": document["ratings"],
        "by_channel": document["by_channel"],
        "by_level": document["by_level"],
        "good_rate": document["good_rate"],
        "summary": document["summary"],
        "pending": [
            {key: order[key] for key in ("case_id", "window", "level", "opened", "due", "status")}
            for order in pending
        ],
        "tags": document["tags"][:TOP_TAGS],
    }


def _own_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govhall")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return ""


def _number(value: object) -> int | float:
    from decimal import Decimal

    from govhall.assessment.scoring import number

    assert isinstance(value, Decimal)
    return number(value)


COMMANDS = [report]
