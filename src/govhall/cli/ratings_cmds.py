"""好差评 command: ``ratings``, the month's bulletin of ratings and bad-rating work orders.

Reads ``ratings`` (with optional ``tags``), optional ``rectifications`` and,
when a bad rating complains about the time a case took, ``cases`` from the
``--data`` folder. Each rejected row and each repeated rating is printed on
stderr with file and line as it is found, then a summary of rows read, used
and rejected; ``--strict`` turns any rejected row or unknown channel into exit 1.
"""

from __future__ import annotations

import csv
import sys
from typing import Any

import click

from govhall.cli.common import (
    check_data_folder,
    config_argument,
    open_session,
    parse_moment,
    parse_month,
    print_problem,
    strict_option,
    warn,
)
from govhall.cli.output import emit_json, json_option, render_table

ORDER_CSV_COLUMNS = (
    "case_id",
    "window",
    "level",
    "channel",
    "tags",
    "opened",
    "verify_due",
    "verified",
    "rectify_due",
    "rectified",
    "due",
    "closed",
    "status",
    "outcome",
    "complaint_check",
)
TOP_TAGS = 10
"""Tags shown in the table (``--json`` lists them all)."""


@click.command()
@config_argument
@click.option(
    "--data",
    "data_dir",
    required=True,
    metavar="DIR|STORE",
    callback=check_data_folder,
    help=(
        "Folder with ratings.csv (optional tags column), optionally rectifications.csv, "
        "and cases.csv when a bad rating complains about the time taken (or .jsonl; a kind "
        "may be split over several files). Or a store filled by govhall ingest: a .duckdb "
        "file or a postgresql:// URL."
    ),
)
@click.option("--month", required=True, metavar="YYYY-MM", help="The month, YYYY-MM.")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATETIME",
    help="Take statuses at this moment (YYYY-MM-DDTHH:MM; default: the end of the month).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "rows", "duckdb"]),
    default="auto",
    show_default=True,
    help=(
        "Where the ratings are counted: rows streams every rating through Python; duckdb "
        "reads the CSV or Parquet files (or the store's rows) with DuckDB, which counts the "
        "ratings no rule can change (good ones, rated once per channel, named by no "
        "rectification row) and hands the rest to Python; auto is duckdb for a store and "
        "from 8 MiB of ratings and cases files on, else rows. All give the same bulletin."
    ),
)
@strict_option
@json_option
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the work orders as CSV on stdout, one per row."
)
def ratings(
    config: str,
    data_dir: str,
    month: str,
    as_of: str | None,
    engine: str,
    strict: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show the month's 好差评 bulletin: ratings by channel and level, work orders, top tags.

    Every rating at level 1-2 (不满意, 非常不满意) opens a work order for its
    window, with stages 核实 (verify), 整改 (rectify) and 回访/反馈 (reply),
    each due at the window's closing time on the N-th working day after the
    rating. Status as of the moment: open, overdue, closed_on_time,
    closed_late. The good rate is ratings at level 3 or above / ratings.
    """
    from govhall.readers import ReadReport

    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    wanted = parse_month(month)
    moment = parse_moment(as_of, "--as-of") if as_of is not None else None
    session = open_session(config)
    report = ReadReport(on_problem=print_problem)
    bulletin = session.ratings(data_dir, wanted, as_of=moment, read=report, engine=engine)
    if len(report.files) > 1:
        click.echo(report.summary(), err=True)
    copies = f", copies {report.copies}" if report.copies else ""
    click.echo(
        f"rows: read {report.read}, used {report.used}, rejected {report.rejected}{copies}",
        err=True,
    )
    document = bulletin.to_json()
    document["data"] = report.counts()
    if as_json:
        emit_json(document)
    elif as_csv:
        _print_csv(document)
    else:
        _print_bulletin(document)
    warn(document["warnings"])
    unknown = document["by_channel"].get("other", 0)
    if strict and (report.rejected or unknown):
        raise click.ClickException(
            f"--strict: {report.rejected} row(s) rejected, "
            f"{unknown} rating(s) from an unknown channel"
        )


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.2f}%"


def _print_bulletin(document: dict[str, Any]) -> None:
    from govhall.records import RATING_CHANNELS, RATING_LEVELS

    click.echo(
        f"好差评 {document['month']} (as of {document['as_of']}): {document['ratings']} "
        f"rating(s), good rate {_percent(document['good_rate'])}"
    )
    channels = [
        (channel, RATING_CHANNELS.get(channel, "其他"), count)
        for channel, count in document["by_channel"].items()
    ]
    click.echo(render_table(["channel", "名称", "ratings"], channels))
    click.echo()
    levels = [
        (level, RATING_LEVELS[int(level)], document["by_level"][level])
        for level in sorted(document["by_level"], reverse=True)
    ]
    click.echo(render_table(["level", "等级", "ratings"], levels))
    click.echo()
    orders = [
        (
            order["case_id"],
            order["window"],
            order["level"],
            order["opened"][:16].replace("T", " "),
            order["due"][:16].replace("T", " "),
            (order["closed"] or "")[:16].replace("T", " "),
            order["status"],
            _check(order["complaint_check"]),
        )
        for order in document["orders"]
    ]
    click.echo(
        render_table(
            ["case", "window", "level", "opened", "due", "closed", "status", "time check"], orders
        )
    )
    summary = document["summary"]
    click.echo(
        f"work orders: {summary['orders']}, closed {summary['closed']} "
        f"({summary['closed_on_time']} on time), open {summary['open']}, "
        f"overdue {summary['open_overdue']}; on-time rate {_percent(summary['on_time_rate'])}"
    )
    tags = document["tags"][:TOP_TAGS]
    if tags:
        click.echo()
        click.echo(render_table(["tag", "count"], [(t["tag"], t["count"]) for t in tags]))
    if document["repeated"]:
        click.echo(f"repeated ratings: {len(document['repeated'])} (listed on stderr)")


def _check(check: dict[str, Any] | None) -> str:
    if check is None:
        return ""
    return {
        "confirmed": "case late",
        "not_confirmed": "case on time",
        "case_not_found": "case not found",
    }[check["result"]]


def _print_csv(document: dict[str, Any]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(ORDER_CSV_COLUMNS)
    for order in document["orders"]:
        stages = order["stages"]
        check = order["complaint_check"]
        writer.writerow(
            (
                order["case_id"],
                order["window"],
                order["level"],
                order["channel"],
                ";".join(order["tags"]),
                order["opened"],
                stages["verify"]["due"],
                stages["verify"]["done"] or "",
                stages["rectify"]["due"],
                stages["rectify"]["done"] or "",
                order["due"],
                order["closed"] or "",
                order["status"],
                order["outcome"] or "",
                "" if check is None else check["result"],
            )
        )


COMMANDS = [ratings]
