"""The ``govhall`` command line.

Each command group lives in its own module; heavy imports (pydantic, the
plugin manager) happen inside the commands so that ``govhall --help`` stays
fast. Every command takes ``--json``. Exit codes: 0 success, 1 invalid input
or a failed check (message on stderr), 2 wrong usage.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from govhall.cli import case_cmds, config_cmds, dev_cmds, plugin_cmds, score_cmds, time_cmds


class _Main(click.Group):
    """The error boundary: library errors become exit 1 with a message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from govhall.errors import GovhallError

        try:
            return super().invoke(ctx)
        except GovhallError as exc:
            raise click.ClickException(str(exc)) from exc
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


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govhall")
def main() -> None:
    """Run a county administrative service centre: configs, hours, deadlines, assessment."""


for _module in (config_cmds, plugin_cmds, dev_cmds, time_cmds, case_cmds, score_cmds):
    for _command in _module.COMMANDS:
        main.add_command(_command)
