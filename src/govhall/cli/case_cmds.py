"""Case commands: ``chain``, ``kpi``, ``sample``.

``kpi`` reads the ``--data`` folder (see docs/cases.md; each kind may be split over
several files, see :func:`govhall.readers.find_data_files`): each rejected
row is printed on stderr with file, line and column as it is found, then a
summary of rows read, used and rejected; ``--strict`` turns any rejected row into exit 1.
Progress of long runs goes to stderr, never into ``--json`` output.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from govhall.cli.common import (
    check_master,
    config_argument,
    data_option,
    deployment_argument,
    engine_option,
    is_deployment,
    master_option,
    need_data,
    open_session,
    parse_date,
    print_problem,
    progress_bar,
    warn,
)
from govhall.cli.output import emit_json, json_option, render_table

if TYPE_CHECKING:
    from govhall.readers import ReadReport


def _progress(what: str) -> Any:
    def report(count: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"{what}: {count:,} rows ...", err=True)

    return report


@click.command()
@config_argument
@click.option("--item", "item_id", required=True, metavar="ID", help="Id of the service item.")
@json_option
def chain(config: str, item_id: str, as_json: bool) -> None:
    """Show the approval chain of an item and whether it can be concluded on the spot."""
    from govhall.documents import chain_document

    document = chain_document(open_session(config), item_id)
    if as_json:
        emit_json(document)
        return
    spot = "yes" if document["on_the_spot"] else "no"
    conditional = sum(1 for step in document["steps"] if step.get("conditional"))
    levels = f"{document['depth']} level{'s' * (document['depth'] != 1)}"
    if conditional:
        levels += f" + {conditional} conditional"
    click.echo(f"item {document['item']}: {levels}, on the spot: {spot}")
    rows = [
        (
            step["level"],
            step["role"],
            step.get("condition") or "always",
            "yes" if step["delegated"] else "no",
            step.get("budget_days", ""),
        )
        for step in document["steps"]
    ]
    click.echo(render_table(["level", "role", "when", "delegated", "budget days"], rows))
    if document["source"]:
        click.echo(f"source: {document['source']}")
    warn(document["warnings"])


@click.command()
@deployment_argument
@data_option
@click.option(
    "--from", "start", metavar="DATE", help="First day of receipt, YYYY-MM-DD (included)."
)
@click.option("--to", "end", metavar="DATE", help="Last day of receipt, YYYY-MM-DD (included).")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1, printing no answer, when any row is rejected.",
)
@engine_option
@master_option
@json_option
def kpi(
    config: str,
    data_dir: str | None,
    start: str | None,
    end: str | None,
    strict: bool,
    engine: str,
    master: str | None,
    as_json: bool,
) -> None:
    """Count accepted, concluded, immediate, on-time and satisfaction rates and visits.

    Rates: completion = concluded / accepted, immediate =
    immediate / accepted, on time = concluded by the due time / concluded,
    satisfaction = ratings at level 3 or above (or the county's own level) /
    ratings. Cases are selected
    by the day they were received, ratings by the day they were given.
    """
    from govhall.documents import kpi_document
    from govhall.readers import ReadReport

    data_dir = need_data(config, data_dir)
    check_master(engine, master)
    first = parse_date(start, "--from") if start is not None else None
    last = parse_date(end, "--to") if end is not None else None
    if first and last and last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}", param_hint="--to")
    if is_deployment(config):
        from govhall.cli.deployments import run_kpi

        run_kpi(
            config, data_dir or None, first, last, strict, as_json, engine=engine, master=master
        )
        return
    session = open_session(config)
    report = ReadReport(on_problem=print_problem)
    document = kpi_document(
        session, data_dir, first, last, report, progress_bar, engine=engine, master=master
    )
    if _split(report):  # each file's counts, then the total
        click.echo(report.summary(), err=True)
    click.echo(_summary_line(report.read, report.used, report.rejected, report.copies), err=True)
    warn(document.get("warnings", ()))
    if strict and report.rejected:
        # as score, rewards and report: a --strict failure prints no answer
        raise click.ClickException(f"--strict: {report.rejected} row(s) rejected; nothing printed")
    if as_json:
        emit_json(document)
    else:
        _print_kpis(document)


def _split(report: ReadReport) -> bool:
    """Tell whether the cases or the ratings were read from several files."""
    from pathlib import Path

    kinds = {Path(name).name.startswith("ratings") for name in report.files}
    return len(report.files) > len(kinds)


def _summary_line(read: int, used: int, rejected: int, copies: int = 0) -> str:
    line = f"rows: read {read}, used {used}, rejected {rejected}"
    return f"{line}, copies {copies}" if copies else line


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.2f}%"


def _print_kpis(document: dict[str, Any]) -> None:
    if document["from"] or document["to"]:
        period = f"{document['from'] or 'first case'} .. {document['to'] or 'last case'}"
    else:
        period = "all cases in the data"
    visits = document["visits"]
    hours = document["average_handling_hours"]
    rows = [
        ("period (received)", period),
        ("accepted", document["accepted"]),
        ("concluded", document["concluded"]),
        ("completion rate", _percent(document["completion_rate"])),
        ("immediate", document["immediate"]),
        ("immediate rate", _percent(document["immediate_rate"])),
        ("on-time rate", _percent(document["on_time_rate"])),
        ("satisfaction rate", _percent(document["satisfaction_rate"])),
        ("ratings", document["ratings"]),
        (
            "visits 1 / 2 / 3+",
            " / ".join(_percent(visits[key]) for key in ("1", "2", "3+")),
        ),
        ("average handling", "n/a" if hours is None else f"{hours:.2f} open hours"),
    ]
    click.echo(render_table(["indicator", "value"], rows))


@click.command()
@deployment_argument
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    type=click.Path(),
    help="Folder to write into (created if missing); for a deployment, one subfolder per hall id.",
)
@click.option("--seed", default=2010, show_default=True, metavar="N", help="Random seed.")
@click.option(
    "--rows",
    metavar="N",
    type=click.IntRange(1, 100_000_000),
    help=(
        "Number of cases (a deployment: over all halls), at most 10,000,000 with the "
        "reported totals, 100,000,000 with --months (default: the totals reported for the "
        "hall, or its cases per month)."
    ),
)
@click.option(
    "--months",
    metavar="N",
    type=click.IntRange(1, 1200),
    help=(
        "Write N months with the province-scale generator (DuckDB, a million cases in "
        "seconds; shares, not the reported totals)."
    ),
)
@click.option(
    "--from",
    "start",
    metavar="YYYY-MM",
    help="First month of a province-scale sample (default: the hall's sample period's).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format; parquet is written by the province-scale generator.",
)
@click.option(
    "--ratings-per-case",
    "ratings_per_case",
    metavar="R",
    type=float,
    help=(
        "Expected ratings per concluded case, 0 to 7, for the province-scale generator "
        "(default: the hall's share of rated cases). Above 1 a case is also rated on further "
        "channels, one rating per case and channel (a province's bulletin counts more "
        "ratings than cases): the sample's assumption, not a fact."
    ),
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite existing files; a hall's files are replaced together or not at all.",
)
@json_option
def sample(
    config: str,
    out: str,
    seed: int,
    rows: int | None,
    months: int | None,
    start: str | None,
    file_format: str,
    ratings_per_case: float | None,
    force: bool,
    as_json: bool,
) -> None:
    """Write deterministic sample cases, ratings and findings for a hall into --out.

    For Zhenhai and Luanchuan the default data adds up to the reported totals
    (Zhenhai H1 2010: 28151 accepted, 28083 concluded, 14198 immediate;
    Luanchuan 2010: 311 accepted, all concluded on time). With --months or
    --format parquet, DuckDB draws the rows from the hall's shares instead,
    fast enough for a province (docs/scale.md). CONFIG may be a deployment:
    each hall is written into its own subfolder of --out. --ratings-per-case
    sets how many ratings the province-scale generator draws.
    """
    from govhall.samples import MAX_ROWS, write_sample, write_samples

    first = None
    if start is not None:
        first = parse_date(f"{start}-01", "--from") if len(start) == 7 else None
        if first is None:
            raise click.BadParameter(f"{start!r}: expected YYYY-MM", param_hint="--from")
    scaled = months is not None or first is not None or file_format != "csv"
    if rows is not None and rows > MAX_ROWS and not scaled:
        raise click.BadParameter(
            f"at most {MAX_ROWS:,} cases with the reported totals; give --months N "
            "for the province-scale generator",
            param_hint="--rows",
        )
    if ratings_per_case is not None:
        from govhall.engines.generate import MAX_RATINGS_PER_CASE

        if not scaled:
            raise click.BadParameter(
                "ratings per case are drawn by the province-scale generator: give --months N",
                param_hint="--ratings-per-case",
            )
        if not 0 <= ratings_per_case <= MAX_RATINGS_PER_CASE:  # also refuses nan
            raise click.BadParameter(
                f"{ratings_per_case:g}: expected 0 to {MAX_RATINGS_PER_CASE} "
                "(one rating per case and channel)",
                param_hint="--ratings-per-case",
            )
    options: dict[str, Any] = {
        "seed": seed,
        "rows": rows,
        "force": force,
        "progress": _progress("sample"),
        "months": months,
        "start": first,
        "format": file_format,
        "ratings_per_case": ratings_per_case,
    }
    if is_deployment(config):
        from govhall.cli.deployments import open_province

        province = open_province(config)
        if province.failed or province.problems:
            raise click.ClickException(f"{config}: not every hall config is valid; nothing written")
        halls = [(hall.session.config, hall.session.due_times) for hall in province.halls]
        summaries = write_samples(halls, out, **options)
    else:
        session = open_session(config)
        summaries = [write_sample(session.config, out, times=session.due_times, **options)]
    documents = [
        {
            "hall": summary.hall,
            "directory": str(summary.directory),
            "files": [str(path) for path in summary.files],
            "cases": summary.cases,
            "ratings": summary.ratings,
            "findings": summary.findings,
            "from": summary.profile.start.isoformat(),
            "to": summary.profile.end.isoformat(),
            "format": file_format,
            "seed": seed,
            "source": summary.profile.source,
        }
        for summary in summaries
    ]
    if as_json:
        if is_deployment(config):
            totals = {
                key: sum(getattr(summary, key) for summary in summaries)
                for key in ("cases", "ratings", "findings")
            }
            emit_json({"directory": out, "halls": documents, **totals, "seed": seed})
        else:
            emit_json(documents[0])
        return
    for summary in summaries:
        click.echo(
            f"wrote {summary.cases} cases, {summary.ratings} ratings, {summary.findings} "
            f"findings to {summary.directory} ({summary.profile.source})"
        )
    click.echo(f"try: govhall kpi {config} --data {out}")


COMMANDS = [chain, kpi, sample]
