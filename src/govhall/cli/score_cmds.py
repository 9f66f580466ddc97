"""Assessment commands: ``score`` (a month) and ``rewards`` (a year)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
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
from govhall.cli.output import emit_json, json_option, printable, render_table

if TYPE_CHECKING:
    from govhall.assessment.rewards import YearResult
    from govhall.assessment.scoring import MonthScores, Rejection, Score
    from govhall.readers import ReadReport
    from govhall.session import HallSession

csv_option = click.option(
    "--csv", "as_csv", is_flag=True, help="Print CSV (for spreadsheets) instead of a table."
)
evidence_option = click.option(
    "--evidence",
    type=click.Choice(["summary", "full"]),
    default="summary",
    show_default=True,
    help=(
        "How a ratings line names its ratings: summary gives one id, "
        "ratings:<window>:<YYYY-MM> (all the window's ratings that month; the note has "
        "the count), and keeps memory flat however many there are; full lists every "
        "rating:<case_id>@<rated_at>."
    ),
)


@click.command()
@deployment_argument
@data_option
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to score.")
@strict_option
@engine_option
@master_option
@evidence_option
@json_option
@csv_option
def score(
    config: str,
    data_dir: str | None,
    month: str,
    strict: bool,
    engine: str,
    master: str | None,
    evidence: str,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Score every window and staff member for a month, with explanation lines and ranks.

    Each line names the rule, its points and the evidence behind them (case,
    rating and finding ids). The rules are those in force on the month's
    first day.
    """
    _one_format(as_json, as_csv)
    check_master(engine, master)
    data_dir = need_data(config, data_dir)
    wanted = parse_month(month)
    if is_deployment(config):
        from govhall.cli.deployments import run_score

        run_score(
            config,
            data_dir or None,
            wanted,
            strict,
            as_json,
            as_csv,
            engine=engine,
            master=master,
            evidence=evidence,
        )
        return
    session, read = _start(config)
    years: set[int] = set()
    scores = session.score(
        data_dir,
        wanted,
        read=read,
        years=years,
        progress=progress_bar,
        engine=engine,
        master=master,
        evidence=evidence,
    )
    _summary(read)
    if not scores.active:
        raise click.ClickException(
            f"no data for {wanted}: no case received, rating or finding in --data falls in "
            "that month (check --month); nothing was scored"
        )
    _finish(read, scores.rejected, strict)
    document = scores.to_json()
    document["data"] = read.counts()
    warnings = _calendar_warnings(session, years, wanted.year)
    if warnings:  # only then: the document stays equal to MonthScores.to_json() otherwise
        document["warnings"] = warnings
    if as_json:
        emit_json(document)
    elif as_csv:
        click.echo(_score_csv(scores), nl=False)
    else:
        _print_scores(session, scores)
    warn(warnings)


@click.command()
@deployment_argument
@data_option
@click.option(
    "--year", required=True, metavar="YYYY", type=click.IntRange(1900, 2999), help="The year."
)
@strict_option
@engine_option
@master_option
@json_option
@csv_option
def rewards(
    config: str,
    data_dir: str | None,
    year: int,
    strict: bool,
    engine: str,
    master: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Grade the year: window scores, demonstration windows, staff grades, allowances, awards.

    Window scores are averaged over the months with data; staff are assessed
    once for the year (德能勤绩); every payment is explained.
    """
    from govhall.assessment.rewards import annual_results

    _one_format(as_json, as_csv)
    check_master(engine, master)
    data_dir = need_data(config, data_dir)
    if is_deployment(config):
        from govhall.cli.deployments import run_rewards

        run_rewards(
            config, data_dir or None, year, strict, as_json, as_csv, engine=engine, master=master
        )
        return
    session, read = _start(config)
    years: set[int] = set()
    results, staff_year = session.score_year(
        data_dir, year, read=read, years=years, progress=progress_bar, engine=engine, master=master
    )
    _summary(read)
    rules = session.reward_rules
    rejected = sorted(
        {r for scores in results.values() for r in scores.rejected},
        key=lambda r: (r.evidence, r.reason),
    )
    if not any(scores.active for scores in results.values()):
        raise click.ClickException(
            f"no data for {year}: no case received, rating or finding in --data falls in "
            "that year (check --year); nothing was graded"
        )
    _finish(read, rejected, strict)
    result = annual_results(year, session.config, rules, results, staff_year=staff_year)
    warnings = _calendar_warnings(session, years, year)
    if as_json:
        emit_json({**result.to_json(), "warnings": warnings} if warnings else result.to_json())
    elif as_csv:
        click.echo(_rewards_csv(result), nl=False)
    else:
        _print_rewards(result)
    warn(warnings)


# -- running --------------------------------------------------------------------


def _one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise click.UsageError("--csv and --json cannot be used together: choose one")


def _start(config: str) -> tuple[HallSession, ReadReport]:
    """Open the session, print the rulebooks' warnings, and make the row report."""
    from govhall.readers import ReadReport

    session = open_session(config)
    warn(session.rulebook_warnings())
    return session, ReadReport(on_problem=print_problem)


def _summary(read: ReadReport) -> None:
    if read.files:
        click.echo(read.summary(), err=True)


def _calendar_warnings(session: HallSession, years: set[int], year: int) -> list[str]:
    """Warn for the scored year, and the year before if its cases were scored, when unpublished."""
    return session.calendar_warnings({year} | {y for y in years if year - 1 <= y <= year})


def _finish(report: ReadReport, rejected: Iterable[Rejection], strict: bool) -> None:
    count = 0
    for rejection in rejected:
        count += 1
        message = f"warning: {rejection.evidence}: not scored: {rejection.reason}"
        click.echo(printable(message), err=True)
    if strict and (report.rejected or count):
        raise click.ClickException(
            f"--strict: {report.rejected} row(s) rejected while reading, "
            f"{count} record(s) not scored; nothing printed"
        )


# -- output ---------------------------------------------------------------------


def _print_scores(session: HallSession, scores: MonthScores) -> None:
    hall = session.config
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
    from govhall.assessment.scoring import number

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
    from govhall.assessment.rewards import GRADES

    grade_names = dict(GRADES)
    months = result.active_months
    listed = (
        f": {months[0]} to {months[-1]}" if len(months) > 1 else f": {months[0]}" if months else ""
    )
    click.echo(f"windows — {result.year} ({len(months)} month(s) with data{listed})")
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
                    printable(
                        f"{s.staff}: {payment.rule} {_num(payment.amount)} yuan — "
                        f"{payment.explanation}"
                    )
                )
    click.echo("")
    click.echo("year-end procedure (what each step needs; --json lists who runs it and the source)")
    steps = [(step.id, step.round, step.needs) for step in result.procedure]
    click.echo(render_table(["step", "round", "needs"], steps))


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
