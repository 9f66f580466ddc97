"""What the command modules share: opening a session, parsing dates, data options, progress.

Command modules import this module and :mod:`govhall.cli.output`, never each other.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from govhall.assessment.scoring import Month
    from govhall.problems import Problem
    from govhall.session import HallSession

_T = TypeVar("_T")
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Show a progress bar (on a terminal) when a kind's data files add up to at least this."""

config_argument = click.argument("config", type=click.Path())
"""The hall config; a missing or unreadable one is invalid input (exit 1), from the loader."""
deployment_argument = click.argument("config", type=click.Path())
"""CONFIG of a data command: a hall config, or a deployment (a folder of hall configs or a
``deployment.toml``); see :mod:`govhall.cli.deployments`."""


def is_deployment(config: str) -> bool:
    """Tell whether CONFIG names a deployment rather than one hall config."""
    from govhall.config.deployment import is_deployment as found

    return found(config)


strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Exit 1, printing or writing no answer, when any row or record had to be rejected.",
)
DATA_HELP = (
    "Required, except for a deployment file that names its data. "
    "Folder with cases.csv / ratings.csv / findings.csv (or .jsonl, .parquet); a kind may be "
    "split over several files (cases-2010-01.csv, cases-2010-02.jsonl ...). Or a store "
    "filled by govhall ingest: a .duckdb file or a postgresql:// URL."
)


def check_data_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check ``--data``: a store (checked when opened) or a folder that exists, else exit 1.

    A missing or wrong ``--data`` is a file problem (exit 1), not wrong usage.
    Left out, it is ``None``: only a deployment may do that (see :func:`need_data`).
    """
    from govhall.store.backends import is_store_target

    if value is None:
        return None
    if is_store_target(value):
        return value
    path = Path(value)
    if not value.strip() or not path.exists():
        raise click.ClickException(f"--data {value!r}: no such folder")
    if not path.is_dir():
        raise click.ClickException(
            f"--data {value}: not a folder; give the folder that holds cases.csv, "
            "ratings.csv and findings.csv, a .duckdb store or a postgresql:// URL"
        )
    return value


data_option = click.option(
    "--data",
    "data_dir",
    metavar="DIR|STORE",
    callback=check_data_folder,
    help=DATA_HELP,
)


engine_option = click.option(
    "--engine",
    type=click.Choice(["auto", "rows", "duckdb", "spark"]),
    default="auto",
    show_default=True,
    help=(
        "Where the rows are counted: rows streams them through Python, duckdb counts "
        "in DuckDB in this process, spark on Apache Spark (needs pyspark and Java); "
        "auto is duckdb for a store and from 8 MiB of cases files on, else rows. "
        "Every engine gives the same numbers."
    ),
)
master_option = click.option(
    "--master",
    metavar="URL",
    help="Spark master for --engine spark (default local[*], or SPARK_REMOTE when set).",
)


def check_master(engine: str, master: str | None) -> None:
    """Refuse ``--master`` without ``--engine spark`` (a usage error)."""
    if master is not None and engine != "spark":
        raise click.UsageError("--master applies to --engine spark only")


def need_data(config: str, data: str | None) -> str:
    """Return ``--data``; left out, it is a usage error unless CONFIG is a deployment file
    that names its data (then ``""``, and the deployment's own ``data`` is used)."""
    if data is not None:
        return data
    if is_deployment(config):
        return ""
    raise click.UsageError("Missing option '--data'.")


def open_session(config: str) -> HallSession:
    """Open a session on a hall config with the installed plugins."""
    from govhall.session import open_hall

    return open_hall(config)


def print_problem(problem: Problem) -> None:
    """Print a bad row or reader warning on stderr, with file, line and column."""
    from govhall.cli.output import printable

    click.echo(printable(problem.format()), err=True)


def warn(warnings: Sequence[str]) -> None:
    """Print each warning on stderr."""
    from govhall.cli.output import printable

    for warning in warnings:
        click.echo(printable(f"warning: {warning}"), err=True)


def _check_year(year: int, text: str, option: str) -> None:
    # the years data rows may name (govhall.readers); beyond them date arithmetic overflows
    if not 1900 <= year <= 2999:
        raise click.BadParameter(f"{text!r}: year {year} is outside 1900-2999", param_hint=option)


def parse_date(text: str, option: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` or fail as a usage error (exit 2) naming the option."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        if _DATE_SHAPE.fullmatch(text.strip()):  # the format is right, the day does not exist
            raise click.BadParameter(f"{text!r} is not a date: {exc}", param_hint=option) from None
        raise click.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD (e.g. 2026-10-10)", param_hint=option
        ) from None
    _check_year(day.year, text, option)
    return day


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


def parse_month(text: str) -> Month:
    """Parse ``--month YYYY-MM`` or fail as a usage error (exit 2)."""
    from govhall.assessment.scoring import Month, ScoringError

    try:
        return Month.parse(text)
    except ScoringError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None


def progress_bar(label: str, paths: Sequence[Path], records: Iterator[_T]) -> Iterator[_T]:
    """Show one progress bar on a terminal across large files; pass records through unchanged."""
    sizes = [_size(path) for path in paths]
    if (
        sum(sizes) < PROGRESS_MIN_BYTES
        or not sys.stderr.isatty()
        or os.environ.get("GOVHALL_NO_PROGRESS")
    ):
        yield from records
        return
    estimate = max(
        1, sum(_estimate_rows(path, size) for path, size in zip(paths, sizes, strict=True))
    )
    step = 10_000
    with click.progressbar(length=estimate, label=f"reading {label}", file=sys.stderr) as bar:
        for count, record in enumerate(records, 1):
            if count % step == 0:
                bar.update(step)
            yield record


def _size(path: Path) -> int:
    """A file's size; 0 when it cannot be read (the reader then says why, naming it)."""
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _estimate_rows(path: Path, size: int) -> int:
    """Estimate a file's rows from the newlines in its first 64 KiB."""
    if not size:
        return 0
    try:
        with path.open("rb") as handle:
            sample = handle.read(1 << 16)
    except OSError:
        return 0
    return size * sample.count(b"\n") // max(1, len(sample))
