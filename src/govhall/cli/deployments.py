"""Running ``kpi``, ``score`` and ``rewards`` on a deployment (a folder of hall configs).

The command modules call these when CONFIG is a deployment (see
:func:`govhall.config.deployment.is_deployment`). Every hall is read and
counted as the single-hall command would; bad rows are printed with their
file and line as they are found, then one summary line per hall. A hall
whose config is invalid, or that has no data for the period, does not stop
the others; the command then exits 1 at the end, naming each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from govhall.cli.common import print_problem, progress_bar, warn
from govhall.cli.output import emit_json, render_table

if TYPE_CHECKING:
    from govhall.deployment import DeploymentSession, Hall, HallRun
    from govhall.readers import ReadReport
    from govhall.report.data import MonthReport


def open_province(config: str) -> DeploymentSession:
    """Open the deployment at ``config`` and print its own problems on stderr."""
    from govhall.deployment import open_deployment

    province = open_deployment(config)
    for problem in province.problems:
        print_problem(problem)
    for failed in province.failed:
        click.echo(f"error: {failed.config}: not run: {failed.message}", err=True)
    for hall in province.halls:
        warn([f"{hall.id}: {w}" for w in hall.session.rulebook_warnings()])
    return province


def _read_for(hall: Hall) -> ReadReport:
    from govhall.readers import ReadReport

    return ReadReport(on_problem=print_problem)


def _summaries(runs: list[HallRun]) -> None:
    for run in runs:
        read = run.read
        where = str(run.data) if run.data is not None else run.reason
        click.echo(
            f"{run.hall.id}: rows: read {read.read}, used {read.used}, "
            f"rejected {read.rejected} ({where})",
            err=True,
        )


def finish(province: DeploymentSession, runs: list[HallRun], strict: bool) -> None:
    """Exit 1 naming every hall that failed or had no data (and, with ``strict``, rejected rows)."""
    unassessed = [(run.hall.id, run.status, run.reason) for run in runs if run.reason]
    rejected = {run.hall.id: run.read.rejected for run in runs}
    _finish(province, unassessed, rejected if strict else {})


def _finish(
    province: DeploymentSession,
    unassessed: list[tuple[str, str, str]],
    rejected: dict[str, int],
) -> None:
    trouble = [f"{failed.config} (invalid config)" for failed in province.failed]
    trouble += [f"{hall} ({status}: {reason})" for hall, status, reason in unassessed]
    if province.problems:
        trouble.append(f"{len(province.problems)} problem(s) in the deployment itself")
    trouble += [f"{hall} (--strict: {n} row(s) rejected)" for hall, n in rejected.items() if n]
    if trouble:
        shown = len(province.halls) + len(province.failed)
        raise click.ClickException(
            f"{len(trouble)} of {shown} hall(s) need attention: " + "; ".join(trouble)
        )


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.2f}%"


def run_kpi(
    config: str,
    data: str | None,
    start: dt.date | None,
    end: dt.date | None,
    strict: bool,
    as_json: bool,
    *,
    engine: str = "rows",
    master: str | None = None,
) -> None:
    """``govhall kpi DEPLOYMENT``: each hall's KPIs and the deployment's totals."""
    from govhall.documents import deployment_kpi_document

    province = open_province(config)
    run = province.kpis(
        data,
        start=start,
        end=end,
        read_for=_read_for,
        progress=progress_bar,
        engine=engine,
        master=master,
    )
    _summaries(run.halls)
    document = deployment_kpi_document(province, run)
    if as_json:
        emit_json(document)
    else:
        total = {**document["total"], "hall": "total", "county": "", "status": ""}
        rows = [
            (
                hall["hall"],
                hall["county"],
                hall["status"],
                hall["accepted"],
                hall["concluded"],
                _percent(hall["completion_rate"]),
                _percent(hall["on_time_rate"]),
                _percent(hall["satisfaction_rate"]),
            )
            for hall in [*document["halls"], total]
        ]
        headers = [
            "hall",
            "county",
            "status",
            "accepted",
            "concluded",
            "completion",
            "on time",
            "satisfaction",
        ]
        click.echo(f"{document['deployment']}: {len(document['halls'])} hall(s)")
        click.echo(render_table(headers, rows))
    finish(province, run.halls, strict)


def _entry(entry: dict[str, Any], key: str) -> tuple[Any, ...]:
    return entry[key], entry["rank"], entry["score"]


def _mark(window: dict[str, Any]) -> tuple[Any, ...]:
    return "yes" if window["demonstration"] else "no", "", ""


def _grade(staff: dict[str, Any]) -> tuple[Any, ...]:
    return "", staff["grade"] or "", staff["allowance"]


def _csv(header: list[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def run_score(
    config: str,
    data: str | None,
    month: Any,
    strict: bool,
    as_json: bool,
    as_csv: bool = False,
    *,
    engine: str = "rows",
    master: str | None = None,
    evidence: str = "summary",
) -> None:
    """``govhall score DEPLOYMENT``: each hall's windows and staff for the month."""
    from govhall.documents import deployment_score_document

    province = open_province(config)
    runs = province.score(
        data,
        month,
        read_for=_read_for,
        progress=progress_bar,
        engine=engine,
        master=master,
        evidence=evidence,
    )
    _summaries(runs)
    document = deployment_score_document(province, month, runs)
    if as_json:
        emit_json(document)
    elif as_csv:
        rows = [
            [document["month"], hall["hall"], hall["county"], hall["status"], key, *_entry(e, key)]
            for hall in document["halls"]
            for kind, key in (("windows", "window"), ("staff", "staff"))
            for e in hall[kind]
        ]
        header = ["month", "hall", "county", "status", "kind", "id", "rank", "score"]
        click.echo(_csv(header, rows), nl=False)
    else:
        for hall in document["halls"]:
            rules = hall["rules"]
            plugin = f"{rules['plugin']} {rules['version'] or ''}".strip()
            click.echo(f"{hall['hall']} ({hall['county']}, plugin {plugin}) — {month}")
            if hall["status"] != "ok":
                click.echo(f"  {hall['status']}: {hall.get('reason', '')}\n")
                continue
            for kind in ("windows", "staff"):
                key = "window" if kind == "windows" else "staff"
                ranked = [(e["rank"], e[key], e["score"]) for e in hall[kind]]
                click.echo(render_table(["rank", key, "score"], ranked))
            click.echo("")
    finish(province, runs, strict)


def run_rewards(
    config: str,
    data: str | None,
    year: int,
    strict: bool,
    as_json: bool,
    as_csv: bool = False,
    *,
    engine: str = "rows",
    master: str | None = None,
) -> None:
    """``govhall rewards DEPLOYMENT``: each hall's year."""
    from govhall.documents import deployment_rewards_document

    province = open_province(config)
    runs = province.rewards(
        data, year, read_for=_read_for, progress=progress_bar, engine=engine, master=master
    )
    _summaries(runs)
    document = deployment_rewards_document(province, year, runs)
    if as_json:
        emit_json(document)
    elif as_csv:
        rows = [
            [year, hall["hall"], hall["county"], "window", w["window"], w["score"], *_mark(w)]
            for hall in document["halls"]
            for w in hall["windows"]
        ] + [
            [year, hall["hall"], hall["county"], "staff", s["staff"], s["score"], *_grade(s)]
            for hall in document["halls"]
            for s in hall["staff"]
        ]
        header = ["year", "hall", "county", "kind", "id", "score", "demonstration", "grade"]
        click.echo(_csv([*header, "allowance"], rows), nl=False)
    else:
        for hall in document["halls"]:
            click.echo(f"{hall['hall']} ({hall['county']}) — {year}")
            if hall["status"] != "ok":
                click.echo(f"  {hall['status']}: {hall.get('reason', '')}\n")
                continue
            windows = [
                (w["window"], "-" if w["score"] is None else w["score"], w["demonstration"])
                for w in hall["windows"]
            ]
            click.echo(render_table(["window", "score", "demonstration"], windows))
            staff = [
                (s["staff"], s["score"], s["grade"] or "-", s["allowance"]) for s in hall["staff"]
            ]
            click.echo(render_table(["staff", "score", "grade", "allowance"], staff))
            click.echo("")
    finish(province, runs, strict)


def run_report(
    config: str,
    data: str | None,
    month: Any,
    target: Path,
    force: bool,
    strict: bool,
    as_json: bool,
    version: str,
    *,
    engine: str = "rows",
    master: str | None = None,
) -> None:
    """``govhall report DEPLOYMENT``: the province page and each hall's page beside it.

    With ``strict``, a rejected row in any hall writes nothing and exits 1.
    """
    from govhall.errors import GovhallError
    from govhall.files import write_text_atomic
    from govhall.report.html import render_report
    from govhall.report.province import render_province

    province = open_province(config)
    pages = {hall.id: target.with_name(f"{target.stem}-{hall.id}.html") for hall in province.halls}
    existing = [str(path) for path in pages.values() if path.exists()]
    if existing and not force:
        raise GovhallError(f"{', '.join(existing)} already exist(s); use --force to overwrite")
    reads: dict[str, ReadReport] = {}

    def read_for(hall: Hall) -> ReadReport:
        reads[hall.id] = _read_for(hall)
        return reads[hall.id]

    # each hall's page is rendered as soon as the hall is counted (its month report is not
    # kept) and written once every hall is counted, so that --strict can still write nothing
    rendered: dict[str, tuple[list[str], str]] = {}

    def render(hall_id: str, found: MonthReport) -> None:
        rendered[hall_id] = (found.warnings, render_report(found, version=version))

    page, _ = province.report(
        data,
        month,
        read_for=read_for,
        progress=progress_bar,
        engine=engine,
        master=master,
        each=render,
    )
    rejected = {hall: read.rejected for hall, read in reads.items() if read.rejected}
    if strict and rejected:
        counts = "; ".join(f"{hall}: {n} row(s)" for hall, n in rejected.items())
        raise click.ClickException(f"--strict: rejected rows ({counts}); nothing written")
    written: dict[str, str] = {}
    sessions = {hall.id: hall.session for hall in province.halls}
    for hall_id, (warnings, html) in rendered.items():
        shown = set(sessions[hall_id].rulebook_warnings())  # printed when the halls were opened
        warn([f"{hall_id}: {w}" for w in warnings if w not in shown])
        path = write_text_atomic(pages[hall_id], html, force=force)
        written[hall_id] = str(path)
    for line in page.halls:
        if line.hall in written:
            line.page = Path(written[line.hall]).name
    html = render_province(page, version=version)
    path = write_text_atomic(target, html, force=force)
    for line in page.halls:
        click.echo(
            f"{line.hall}: {line.status}{': ' + line.reason if line.reason else ''}", err=True
        )
    document = {
        "path": str(path),
        "month": str(month),
        "deployment": province.name,
        "bytes": len(html.encode("utf-8")),
        "halls": [
            {
                "hall": line.hall,
                "county": line.county,
                "status": line.status,
                "page": written.get(line.hall),
                "kpi": line.kpis.to_json(),
            }
            for line in page.halls
        ],
        "total": page.total.to_json(),
        "failed": [failed.to_json() for failed in province.failed],
    }
    if as_json:
        emit_json(document)
    else:
        click.echo(
            f"wrote {path} ({document['bytes']:,} bytes): {len(page.halls)} hall(s), "
            f"{len(written)} hall page(s) beside it"
        )
    _finish(province, [(h.hall, h.status, h.reason) for h in page.halls if h.reason], {})


def run_ingest(config: str, data: str, store: str, strict: bool, as_json: bool) -> None:
    """``govhall ingest DEPLOYMENT``: each hall's subfolder into the store, one import each."""
    from govhall.store import ingest

    province = open_province(config)
    halls = []
    unassessed: list[tuple[str, str, str]] = []
    rejected: dict[str, int] = {}
    for hall in province.halls:
        folder = province.data_for(hall, data)
        if not isinstance(folder, Path):
            unassessed.append((hall.id, "no data", "no data folder"))
            continue
        result = ingest(
            hall.session.config,
            folder,
            store,
            strict=strict,
            on_problem=print_problem,
            progress=progress_bar,
        )
        for note in result.notes:
            click.echo(note, err=True)
        rejected[hall.id] = result.rejected
        halls.append(result.to_json())
    document = {
        "store": halls[0]["store"] if halls else store,
        "deployment": province.name,
        "halls": halls,
        "failed": [failed.to_json() for failed in province.failed],
    }
    if as_json:
        emit_json(document)
    else:
        names = ("read", "inserted", "updated", "unchanged", "rejected")
        rows = [
            (
                entry["hall"],
                entry["import_id"] or "-",
                *(sum(f[n] for f in entry["files"]) for n in names),
            )
            for entry in halls
        ]
        click.echo(render_table(["hall", "import", *names], rows))
    _finish(province, unassessed, rejected if strict else {})


def _totals(entry: dict[str, Any], names: Sequence[str]) -> list[int]:
    return [sum(file[name] for file in entry["files"]) for name in names]
