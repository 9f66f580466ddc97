"""The ``govhall`` command line.

Each command group lives in its own module and is imported only when one of
its commands runs: ``govhall --help`` lists commands from the table below
(``tests/test_cli_lazy.py`` checks it against the commands themselves), and
heavy imports (pydantic, numpy, the plugin manager) happen inside the
commands. Every command takes ``--json``. Exit codes: 0 success, 1 invalid
input or a failed check (message on stderr), 2 wrong usage.

To add a command: write it in a module of this package, list it in that
module's ``COMMANDS``, and add a row to :data:`COMMAND_TABLE`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

COMMAND_TABLE: dict[str, tuple[str, str]] = {
    # name: (module in govhall.cli, first sentence of the command's help)
    "chain": (
        "case_cmds",
        "Show the approval chain of an item and whether it can be concluded on the spot.",
    ),
    "deadline": (
        "time_cmds",
        "Show when a case is due, how it was counted, and how it stands now.",
    ),
    "hours": (
        "time_cmds",
        "Show each window's open intervals on a day.",
    ),
    "init": (
        "config_cmds",
        "Write a starter config for COUNTY's plugin to PATH; it validates as written.",
    ),
    "ingest": (
        "store_cmds",
        "Import a hall's data files into a store: keyed, idempotent, one transaction.",
    ),
    "kpi": (
        "case_cmds",
        "Count accepted, concluded, immediate, on-time and satisfaction rates and visits.",
    ),
    "new-plugin": (
        "dev_cmds",
        "Scaffold a county plugin distribution for COUNTY in DIRECTORY.",
    ),
    "open": (
        "time_cmds",
        "Show which windows are open at a moment, and when each closed one opens next.",
    ),
    "plugins": (
        "plugin_cmds",
        "List installed plugins: name, county, version, hooks and load errors.",
    ),
    "ratings": (
        "ratings_cmds",
        "Show the month's 好差评 bulletin: ratings by channel and level, work orders, top tags.",
    ),
    "report": (
        "report_cmds",
        "Write a month's report as one HTML file that opens offline in any browser.",
    ),
    "rewards": (
        "score_cmds",
        "Grade the year: window scores, demonstration windows, staff grades, allowances, awards.",
    ),
    "sample": (
        "case_cmds",
        "Write deterministic sample cases, ratings and findings for a hall into --out.",
    ),
    "schema": (
        "config_cmds",
        "Print the JSON Schema of a hall config (it is JSON with or without --json).",
    ),
    "score": (
        "score_cmds",
        "Score every window and staff member for a month, with explanation lines and ranks.",
    ),
    "show": (
        "config_cmds",
        "Show the hall as loaded, with defaults and plugin values applied.",
    ),
    "store": (
        "store_cmds",
        "Show what a store holds: halls, counts, imports, and one case's history.",
    ),
    "validate": (
        "config_cmds",
        "Check hall configs (files, or folders of *.toml) and deployments; report every problem.",
    ),
}


def load_command(name: str) -> click.Command | None:
    """Import the module of command ``name`` and return the command, or ``None``."""
    entry = COMMAND_TABLE.get(name)
    if entry is None:
        return None
    module = importlib.import_module(f"govhall.cli.{entry[0]}")
    commands: list[click.Command] = module.COMMANDS
    return next((command for command in commands if command.name == name), None)


class _Main(click.Group):
    """Lazy command loading, and the error boundary: library errors become exit 1
    with a message, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_TABLE)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMAND_TABLE)
        # A bare Command truncates help exactly as click does for real commands.
        rows = [
            (name, click.Command(name, help=COMMAND_TABLE[name][1]).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from govhall.errors import GovhallError

        _exit_cleanly_on_sigterm()
        try:
            return super().invoke(ctx)
        except GovhallError as exc:
            raise click.ClickException(_message(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`govhall show x | head`): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if os.environ.get("GOVHALL_TRACEBACK"):
                raise
            click.echo(
                f"Error: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in govhall or a plugin; rerun with GOVHALL_TRACEBACK=1 "
                "and report the traceback.",
                err=True,
            )
            sys.exit(1)


def _message(exc: Exception) -> str:
    """The error's text; a config's problems without "error:", which click's "Error: " says."""
    from govhall.errors import ConfigError

    if isinstance(exc, ConfigError) and exc.problems:
        errors = [p for p in exc.problems if p.severity == "error"]
        return "\n".join(p.format().replace(": error: ", ": ", 1) for p in errors)
    return str(exc)


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so a killed write removes its temporary files."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def terminate(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, terminate)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govhall")
def main() -> None:
    """Run a county administrative service centre: configs, hours, deadlines, assessment."""
