"""Config commands: ``validate``, ``schema``, ``init``, ``show``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from govhall.cli.output import emit_json, json_option, render_table

if TYPE_CHECKING:
    from govhall.config.deployment import DeploymentReport
    from govhall.config.load import ConfigReport


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@json_option
def validate(paths: tuple[str, ...], as_json: bool) -> None:
    """Check hall configs (files, or folders of *.toml) and deployments; report every problem.

    Each problem names the file, line, dotted key, severity and what was
    expected. A deployment file (or a folder holding deployment.toml) is
    checked with the hall configs it names: hall ids used twice and county
    plugin pins too. Exits 1 when any file has an error; warnings alone pass.
    """
    from govhall.config.deployment import check_deployment_paths
    from govhall.plugins import get_plugin_manager

    reports = check_deployment_paths(paths, get_plugin_manager())
    if not reports:
        raise click.ClickException(f"no *.toml config found in {', '.join(paths)}")
    if as_json:
        emit_json({"files": [_report_json(report) for report in reports]})
    else:
        for report in reports:
            _print_report(report)
    if not all(report.valid for report in reports):
        raise SystemExit(1)


def _report_json(report: ConfigReport | DeploymentReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "valid": report.valid,
        "problems": [problem.to_json() for problem in report.problems],
    }


def _count(number: int, noun: str) -> str:
    """``1 error``, ``2 errors``, ``0 warnings``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _print_report(report: ConfigReport | DeploymentReport) -> None:
    errors = sum(problem.severity == "error" for problem in report.problems)
    warnings = len(report.problems) - errors
    verdict = "valid" if report.valid else "invalid"
    counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    click.echo(f"{report.path}: {verdict} ({counts})")
    for problem in report.problems:
        click.echo(f"  {problem.format()}")


@click.command()
@json_option
def schema(as_json: bool) -> None:
    """Print the JSON Schema of a hall config (it is JSON with or without --json)."""
    from govhall.config.schema import config_json_schema

    emit_json(config_json_schema())


@click.command()
@click.argument("county")
@click.argument("path", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists (a regular file only).")
@json_option
def init(county: str, path: str, force: bool, as_json: bool) -> None:
    """Write a starter config for COUNTY's plugin to PATH; it validates as written."""
    from govhall.config.starter import starter_toml
    from govhall.files import write_text_atomic
    from govhall.plugins import get_plugin_manager

    text = starter_toml(county, get_plugin_manager())
    written = write_text_atomic(path, text, force=force)
    if as_json:
        emit_json({"path": str(written), "county": county, "written": True})
    else:
        click.echo(f"wrote {written} for county {county!r}")
        click.echo(f"check it with: govhall validate {written}")


@click.command()
@click.argument("config", type=click.Path())
@json_option
def show(config: str, as_json: bool) -> None:
    """Show the hall as loaded, with defaults and plugin values applied.

    For a deployment (a folder of hall configs or a deployment.toml): each hall
    with its county, the plugin that serves it, its version and the pin; a
    hall that cannot run (invalid config, no plugin for its county, a plugin
    outside its pin) is flagged and the command exits 1.
    """
    from govhall.config.deployment import is_deployment
    from govhall.documents import show_document
    from govhall.session import open_hall

    if is_deployment(config):
        _show_deployment(config, as_json)
        return
    document = show_document(open_hall(config))
    if as_json:
        emit_json(document)
        return
    info = document["hall"]
    click.echo(f"{info['name']} ({info['id']}, county {info['county']}, {info['timezone']})")
    if info.get("address"):
        click.echo(f"address: {info['address']}")
    for purpose, phone in info.get("phones", {}).items():
        click.echo(f"phone ({purpose}): {phone}")
    hours = document["hours"]
    click.echo(f"hours: {hours.get('note') or 'from the county plugin and [hours]'}")
    for schedule in hours.get("schedules", []):
        days = ", ".join(
            f"{kind} " + " ".join(f"{start}-{end}" for start, end in schedule[kind])
            for kind in ("workday", "saturday", "sunday", "holiday")
            if schedule.get(kind)
        )
        click.echo(f"  since {schedule['since']}: {days or 'closed'}")
    click.echo("\nwindows")
    rows: list[tuple[Any, ...]]
    rows = [(w["id"], w["name"], w["phone"] or "unknown") for w in document["windows"]]
    click.echo(render_table(["id", "name", "phone"], rows))
    click.echo("\nitems")
    rows = [
        (i["id"], i["name"], i["window"], i["kind"], i["promised_days"]) for i in document["items"]
    ]
    click.echo(render_table(["id", "name", "window", "kind", "promised days"], rows))
    click.echo("\nstaff")
    rows = [(s["id"], s["name"], s["window"], s["post"], s["position"]) for s in document["staff"]]
    click.echo(render_table(["id", "name", "window", "post", "position"], rows))


def _show_deployment(config: str, as_json: bool) -> None:
    from govhall.deployment import open_deployment
    from govhall.documents import deployment_show_document

    document = deployment_show_document(open_deployment(config))
    if as_json:
        emit_json(document)
    else:
        click.echo(
            f"{document['deployment']} ({document['path']}): {len(document['halls'])} hall(s)"
        )
        rows = [
            (
                h["hall"],
                h["name"],
                h["county"],
                h["plugin"] or "-",
                h["version"] or "-",
                h["pin"] or "-",
                h["windows"],
            )
            for h in document["halls"]
        ]
        headers = ["hall", "name", "county", "plugin", "version", "pin", "windows"]
        click.echo(render_table(headers, rows))
    for problem in document["problems"]:
        where = document["path"] + (f":{problem['line']}" if problem["line"] else "")
        click.echo(f"{where}: error: {problem['key']}: {problem['message']}", err=True)
    for failed in document["failed"]:
        first = next((p for p in failed["problems"] if p["severity"] == "error"), None)
        reason = first["message"] if first else "invalid config"
        click.echo(f"error: {failed['config']}: cannot run: {reason}", err=True)
    if document["problems"] or document["failed"]:
        raise SystemExit(1)


COMMANDS = [validate, schema, init, show]
