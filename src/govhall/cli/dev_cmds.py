"""Commands for plugin authors: ``new-plugin``."""

from __future__ import annotations

import click

from govhall.cli.output import emit_json, json_option


@click.command("new-plugin")
@click.argument("county")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--name", metavar="NAME", help="Name of the county's service centre, e.g. 某某县行政服务中心."
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@json_option
def new_plugin(county: str, directory: str, name: str | None, force: bool, as_json: bool) -> None:
    """Scaffold a county plugin distribution for COUNTY in DIRECTORY."""
    from govhall.scaffold import scaffold_plugin

    written = scaffold_plugin(county, directory, name=name, force=force)
    if as_json:
        emit_json({"county": county, "directory": directory, "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f'next: pip install -e "{directory}[test]" && govhall plugins && pytest {directory}')


COMMANDS = [new_plugin]
