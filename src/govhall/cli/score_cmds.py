"""Assessment commands: ``score`` (a month) and ``rewards`` (a year)."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from govhall.cli.output import emit_json, json_option, render_table

if TYPE_CHECKING:
    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager
    from govhall.readers import ReadReport
    from govhall.rewards import YearResult
    from govhall.scoring import Month, MonthScores, Rejection, Score

_T = TypeVar("_T")
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Show a progress bar (on a terminal) when a kind's data files add up to at least this."""

csv_option = click.option(
    "--csv", "as_csv", is_flag=True, help="Print CSV (for spreadsheets) instead of a table."
)
data_option = click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help=(
        "Folder with cases.csv / ratings.csv / findings.csv (or .jsonl); a kind may be "
        "split over several files (cases-2010-01.csv, cases-2010-02.jsonl ...)."
    ),
)
strict_option = click.option(
    "--strict", is_flag=True, help="Exit 1 when any row or record had to be rejected."
)


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@data_option
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to score.")
@strict_option
@json_option
@csv_option
def score(
    config: str, data_dir: str, month: str, strict: bool, as_json: bool, as_csv: bool
) -> None:
    """Score every window and staff member for a month, with explanation lines and ranks.

    Each line names the rule, its points and the evidence behind them (case,
    rating and finding ids). The rules are those in force on the month's
    first day.
    """
    from govhall.plugins import get_plugin_manager
    from govhall.scoring import Month, ScoringError

    try:
        wanted = Month.parse(month)
    except ScoringError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    manager = get_plugin_manager()
    years: set[int] = set()
    hall, results, report = _score_months(config, data_dir, [wanted], manager, years=years)
    scores = results[wanted]
    _finish(report, scores.rejected, strict)
    document = scores.to_json()
    document["data"] = {"read": report.read, "used": report.used, "rejected": report.rejected}
    warnings = _calendar_warnings(hall, manager, years, wanted.year)
    if warnings:  # only then: the document stays equal to MonthScores.to_json() otherwise
        document["warnings"] = warnings
    if as_json:
        emit_json(document)
    elif as_csv:
        click.echo(_score_csv(scores), nl=False)
    else:
        _print_scores(hall, scores)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command()
@click.argument("config", type=click.Path(dir_okay=False))
@data_option
@click.option("--year", required=True, type=click.IntRange(1900, 2999), help="The year.")
@strict_option
@json_option
@csv_option
def rewards(
    config: str, data_dir: str, year: int, strict: bool, as_json: bool, as_csv: bool
) -> None:
    """Grade the year: window scores, demonstration windows, staff grades, allowances, awards.

    Monthly scores are averaged over the months with data (staff: over their
    months on post); every payment is explained.
    """
    from govhall.plugins import get_plugin_manager
    from govhall.rewards import annual_results, reward_rules
    from govhall.scoring import Month

    manager = get_plugin_manager()
    months = [Month(year, m) for m in range(1, 13)]
    years: set[int] = set()
    hall, results, report = _score_months(config, data_dir, months, manager, years=years)
    rules = reward_rules(hall, manager)
    rejected = sorted(
        {r for scores in results.values() for r in scores.rejected},
        key=lambda r: (r.evidence, r.reason),
    )
    _finish(report, rejected, strict)
    result = annual_results(year, hall, rules, results)
    warnings = _calendar_warnings(hall, manager, years, year)
    if as_json:
        emit_json({**result.to_json(), "warnings": warnings} if warnings else result.to_json())
    elif as_csv:
        click.echo(_rewards_csv(result), nl=False)
    else:
        _print_rewards(result)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


# -- running --------------------------------------------------------------------


def _score_months(
    config_path: str,
    data_dir: str,
    months: Sequence[Month],
    manager: GovhallPluginManager | None = None,
    *,
    years: set[int] | None = None,
) -> tuple[HallConfig, dict[Month, MonthScores], ReadReport]:
    from zoneinfo import ZoneInfo

    from govhall.cli.time_cmds import years_seen
    from govhall.config.load import load_config
    from govhall.plugins import get_plugin_manager
    from govhall.readers import (
        ReadReport,
        find_data_files,
        read_cases,
        read_findings,
        read_ratings,
    )
    from govhall.rulebook import hall_rulebooks, hall_weights
    from govhall.scoring import Scorer, deadline_function

    manager = manager or get_plugin_manager()
    hall = load_config(config_path, manager)
    books = hall_rulebooks(hall, manager)
    for book in books.values():
        for problem in book.check():
            click.echo(f"warning: {problem.message}", err=True)
    scorer = Scorer(
        hall,
        books["window"],
        books["staff"],
        months,
        deadline_function(hall, manager),
        hall_weights(hall, manager),
    )
    report = ReadReport(on_problem=lambda p: click.echo(p.format(), err=True))
    tz = ZoneInfo(hall.hall.timezone)
    windows = {w.id for w in hall.windows}
    items = {i.id for i in hall.items}
    cases_files = find_data_files(data_dir, "cases", required=True)
    cases = read_cases(cases_files, tz, report, windows=windows, items=items)
    scorer.add_cases(
        _progress(cases if years is None else years_seen(cases, years), cases_files, "cases")
    )
    ratings_files = find_data_files(data_dir, "ratings")
    ratings = read_ratings(ratings_files, tz, report, windows=windows)
    scorer.add_ratings(_progress(ratings, ratings_files, "ratings"))
    findings = read_findings(find_data_files(data_dir, "findings"), report, windows=windows)
    scorer.add_findings(findings)
    results = scorer.results()
    if report.files:
        click.echo(report.summary(), err=True)
    return hall, results, report


def _calendar_warnings(
    hall: HallConfig, manager: GovhallPluginManager, years: set[int], year: int
) -> list[str]:
    """Warn for the scored year, and the year before if its cases were scored, when unpublished."""
    from govhall.cli.time_cmds import calendar_warnings

    return calendar_warnings(hall, manager, {year} | {y for y in years if year - 1 <= y <= year})


def _finish(report: ReadReport, rejected: Iterable[Rejection], strict: bool) -> None:
    count = 0
    for rejection in rejected:
        count += 1
        click.echo(f"warning: {rejection.evidence}: not scored: {rejection.reason}", err=True)
    if strict and (report.rejected or count):
        raise click.ClickException(
            f"--strict: {report.rejected} row(s) rejected while reading, "
            f"{count} record(s) not scored"
        )


def _progress(records: Iterator[_T], paths: Sequence[Path], label: str) -> Iterator[_T]:
    """Show one progress bar on a terminal across large files; pass records through unchanged."""
    sizes = [path.stat().st_size for path in paths]
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


def _estimate_rows(path: Path, size: int) -> int:
    """Estimate a file's rows from the newlines in its first 64 KiB."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 16)
    return size * sample.count(b"\n") // max(1, len(sample))


# -- output ---------------------------------------------------------------------


def _print_scores(hall: HallConfig, scores: MonthScores) -> None:
    names = {w.id: w.name for w in hall.windows} | {s.id: s.name for s in hall.staff}
    for title, entries in (("windows", scores.windows), ("staff", scores.staff)):
        click.echo(f"{title} — {scores.month}")
        rows = [
            (s.rank, s.subject, names.get(s.subject, ""), _num(s.score), _num(-s.deductions))
            for s in entries
        ]
        click.echo(render_table(["rank", "id", "name", "score", "deductions"], rows))
        click.echo("")
        lines = [row for s in entries for row in _line_rows(s)]
        if lines:
            click.echo(render_table(["id", "rule", "points", "evidence", "note"], lines))
            click.echo("")


def _line_rows(entry: Score) -> list[tuple[Any, ...]]:
    rows = []
    lines = list(entry.lines)
    if entry.assessment is not None:  # a composite: show the rulebook lines behind it too
        lines += entry.assessment.lines
    for line in lines:
        if not line.points and not line.evidence:
            continue  # e.g. an absent composite source: kept in --json, noise in a table
        shown = ", ".join(line.evidence[:2])
        if len(line.evidence) > 2:
            shown += f" (+{len(line.evidence) - 2} more)"
        rows.append((entry.subject, line.rule, _num(line.points), shown, line.note))
    return rows


def _num(value: Any) -> str:
    from govhall.scoring import number

    return str(number(value))


def _score_csv(scores: MonthScores) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "month",
            "kind",
            "id",
            "rank",
            "score",
            "rule",
            "points",
            "evidence_count",
            "evidence",
            "note",
        ]
    )
    for kind, entries in (("window", scores.windows), ("staff", scores.staff)):
        for entry in entries:
            head = [str(scores.month), kind, entry.subject, entry.rank, _num(entry.score)]
            if not entry.lines:
                writer.writerow([*head, "", "", 0, "", ""])
            for line in entry.lines:
                writer.writerow(
                    [
                        *head,
                        line.rule,
                        _num(line.points),
                        len(line.evidence),
                        " ".join(line.evidence),
                        line.note,
                    ]
                )
    return buffer.getvalue()


def _print_rewards(result: YearResult) -> None:
    from govhall.rewards import GRADES

    grade_names = dict(GRADES)
    click.echo(f"windows — {result.year} ({len(result.active_months)} month(s) with data)")
    rows: list[tuple[Any, ...]] = [
        (w.rank, w.window, _opt(w.score), "yes" if w.demonstration else "") for w in result.windows
    ]
    click.echo(render_table(["rank", "window", "score", "demonstration"], rows))
    click.echo("")
    click.echo(f"staff — {result.year}")
    rows = [
        (
            s.rank,
            s.staff,
            _opt(s.score),
            grade_names.get(s.grade or "", "-"),
            len(s.months_on_post),
            _num(s.allowance.amount),
            ", ".join(f"{a.rule} {_num(a.amount)}" for a in s.awards),
        )
        for s in result.staff
    ]
    click.echo(
        render_table(["rank", "staff", "score", "grade", "months", "allowance", "awards"], rows)
    )
    click.echo("")
    for s in result.staff:
        for payment in (s.allowance, *s.awards):
            if payment.amount:
                click.echo(
                    f"{s.staff}: {payment.rule} {_num(payment.amount)} yuan — {payment.explanation}"
                )


def _opt(value: Any) -> str:
    return "-" if value is None else _num(value)


def _rewards_csv(result: YearResult) -> str:
    from decimal import Decimal

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "year",
            "kind",
            "id",
            "rank",
            "score",
            "demonstration",
            "grade",
            "months_on_post",
            "allowance",
            "awards",
            "explanation",
        ]
    )
    for w in result.windows:
        writer.writerow(
            [
                result.year,
                "window",
                w.window,
                w.rank,
                _opt(w.score),
                "yes" if w.demonstration else "no",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    for s in result.staff:
        awards = sum((a.amount for a in s.awards), Decimal(0))  # 0, not int 0, when none
        explanation = " | ".join(p.explanation for p in (s.allowance, *s.awards))
        writer.writerow(
            [
                result.year,
                "staff",
                s.staff,
                s.rank,
                _opt(s.score),
                "",
                s.grade or "",
                len(s.months_on_post),
                _num(s.allowance.amount),
                _num(awards),
                explanation,
            ]
        )
    return buffer.getvalue()


COMMANDS = [score, rewards]
