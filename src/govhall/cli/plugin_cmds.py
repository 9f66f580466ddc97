"""``govhall plugins``: what is installed and what failed to load."""

from __future__ import annotations

from typing import Any

import click

from govhall.cli.output import emit_json, json_option, render_table


@click.command()
@json_option
def plugins(as_json: bool) -> None:
    """List installed plugins: name, county, version, hooks and load errors."""
    from govhall.plugins import get_plugin_manager

    manager = get_plugin_manager()
    notices: dict[str, list[str]] = {}
    for notice in manager.load_notices:
        notices.setdefault(notice.name, []).append(notice.error)
    entries: list[dict[str, Any]] = []
    for info in manager.plugin_infos():
        entries.append(
            {
                "name": info.name,
                "county": info.county.id if info.county else None,
                "county_name": info.county.name if info.county else None,
                "version": info.version,
                "hooks": list(info.hooks),
                "error": None,
                "notices": list(info.notices),
            }
        )
    for failed in manager.load_errors:
        entries.append(
            {
                "name": failed.name,
                "county": None,
                "county_name": None,
                "version": failed.version,
                "hooks": [],
                "error": failed.error,
                "notices": notices.get(failed.name, []),
            }
        )
    if as_json:
        emit_json({"plugins": entries})
        return
    rows = [
        (
            e["name"],
            e["county"] or "-",
            e["version"] or "-",
            len(e["hooks"]),
            "; ".join([e["error"] or "ok", *e["notices"]]),
        )
        for e in entries
    ]
    click.echo(render_table(["plugin", "county", "version", "hooks", "status"], rows))
    for failed in manager.load_errors:
        click.echo(f"warning: plugin {failed.name!r} failed to load: {failed.error}", err=True)
    for notice in manager.load_notices:
        click.echo(f"notice: plugin {notice.name!r}: {notice.error}", err=True)


COMMANDS = [plugins]
