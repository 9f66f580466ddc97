"""Store commands: ``ingest`` (data files into a store) and ``store`` (``info``, ``history``).

A store is a ``.duckdb`` file (created when missing) or a ``postgresql://``
URL; see docs/store.md. ``ingest`` prints each problem on stderr as it is
found (file and line), then a table of what happened to each file's rows.
"""

from __future__ import annotations

from typing import Any

import click

from govhall.cli.common import (
    deployment_argument,
    is_deployment,
    open_session,
    print_problem,
    progress_bar,
)
from govhall.cli.output import emit_json, json_option, render_table

STORE_HELP = "A .duckdb file (created when missing) or a postgresql:// URL."


@click.command()
@deployment_argument
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder with the hall's data files (cases, ratings, findings, rectifications).",
)
@click.option("--store", required=True, metavar="STORE", help=STORE_HELP)
@click.option("--strict", is_flag=True, help="Import nothing and exit 1 when any row is rejected.")
@json_option
def ingest(config: str, data_dir: str, store: str, strict: bool, as_json: bool) -> None:
    """Import a hall's data files into a store: keyed, idempotent, one transaction.

    The same rows imported twice change nothing; a case whose row changed is
    updated and its earlier version kept in its history. Two different rows
    with one key in an import are both rejected, as is a rating whose case
    the store does not hold. Every stored row keeps its import id, file and line.

    For a deployment (a folder of hall configs or a deployment.toml), --data
    holds one subfolder per hall id; each hall is imported in its own
    transaction, and a hall without data is named (exit 1).
    """
    from govhall.store import ingest as run_ingest
    from govhall.store import is_store_target

    if not is_store_target(store):
        raise click.BadParameter(
            f"{store!r}: expected a path ending in .duckdb or a postgresql:// URL",
            param_hint="--store",
        )
    if is_deployment(config):
        from govhall.cli.deployments import run_ingest as ingest_halls

        ingest_halls(config, data_dir, store, strict, as_json)
        return
    session = open_session(config)
    result = run_ingest(
        session.config,
        data_dir,
        store,
        strict=strict,
        on_problem=print_problem,
        progress=progress_bar,
    )
    for note in result.notes:
        click.echo(note, err=True)
    document = result.to_json()
    if as_json:
        emit_json(document)
    else:
        _print_result(document)
    if strict and result.rejected:
        raise click.ClickException(
            f"--strict: {result.rejected} row(s) rejected; nothing was imported"
        )


def _print_result(document: dict[str, Any]) -> None:
    names = ("read", "inserted", "updated", "unchanged", "rejected")
    rows = [
        (entry["path"], entry["kind"], *(entry[name] for name in names))
        for entry in document["files"]
    ]
    rows.append(("total", "", *(sum(e[name] for e in document["files"]) for name in names)))
    click.echo(render_table(["file", "kind", *names], rows))
    if document["import_id"] is None:
        click.echo(f"nothing imported into {document['store']}")
    else:
        click.echo(
            f"import {document['import_id']} of hall {document['hall']} into {document['store']}"
        )


@click.group()
def store() -> None:
    """Show what a store holds: halls, counts, imports, and one case's history."""


@store.command()
@click.argument("target", metavar="STORE")
@json_option
def info(target: str, as_json: bool) -> None:
    """Show a store's schema version, halls with their row counts, and its imports."""
    from govhall.store import store_info

    _check_target(target)
    document = store_info(target)
    if as_json:
        emit_json(document)
        return
    click.echo(f"{document['store']}: schema version {document['schema_version']}")
    keys = ("cases", "case_versions", "ratings", "findings", "rectifications", "imports")
    rows = [(h["hall"], h["county"], *(h[key] for key in keys)) for h in document["halls"]]
    click.echo(render_table(["hall", "county", *keys], rows))
    names = ("read", "inserted", "updated", "unchanged", "rejected")
    rows = [
        (i["import_id"], i["hall"], i["imported_at"], *(i[n] for n in names))
        for i in document["imports"]
    ]
    if rows:
        click.echo()
        click.echo(render_table(["import", "hall", "at (UTC)", *names], rows))


@store.command()
@click.argument("target", metavar="STORE")
@click.option("--hall", required=True, help="The hall id.")
@click.option("--case", "case_id", required=True, help="The case id.")
@json_option
def history(target: str, hall: str, case_id: str, as_json: bool) -> None:
    """Show every stored version of one case, oldest first, with where each came from."""
    from govhall.store import case_history

    _check_target(target)
    versions = case_history(target, hall, case_id)
    if not versions:
        raise click.ClickException(f"{target}: no case {case_id!r} of hall {hall!r}")
    if as_json:
        emit_json({"hall": hall, "case_id": case_id, "versions": versions})
        return
    rows = [
        (
            v["import_id"],
            f"{v['file']}:{v['line']}",
            v["status"],
            v["received_at"],
            v["concluded_at"] or "",
            "current" if v["current"] else "",
        )
        for v in versions
    ]
    click.echo(render_table(["import", "from", "status", "received", "concluded", ""], rows))


def _check_target(target: str) -> None:
    from govhall.store import is_store_target

    if not is_store_target(target):
        raise click.BadParameter(
            f"{target!r}: expected a path ending in .duckdb or a postgresql:// URL",
            param_hint="STORE",
        )


COMMANDS = [ingest, store]
