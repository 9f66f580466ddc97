"""`govhall --help` lists commands from a static table; the table matches the commands."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
import pytest

import govhall.cli
from govhall.cli import COMMAND_TABLE, load_command, main


def _all_commands() -> dict[str, tuple[str, click.Command]]:
    found = {}
    for info in pkgutil.iter_modules(govhall.cli.__path__):
        module = importlib.import_module(f"govhall.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            found[command.name] = (info.name, command)
    return found


def test_table_lists_every_command_with_its_module() -> None:
    found = _all_commands()
    assert sorted(COMMAND_TABLE) == sorted(found)
    for name, (module, _) in found.items():
        assert COMMAND_TABLE[name][0] == module


@pytest.mark.parametrize("name", sorted(COMMAND_TABLE))
def test_table_short_help_is_the_command_short_help(name: str) -> None:
    command = load_command(name)
    assert command is not None
    assert COMMAND_TABLE[name][1] == command.get_short_help_str(limit=1000)


def test_unknown_command_is_a_usage_error() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def test_help_imports_no_command_module_nor_pydantic() -> None:
    code = (
        "import sys\n"
        "from govhall.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('pydantic', 'numpy', 'pluggy'))"
        " or (m.startswith('govhall.cli.') and m != 'govhall.cli.output'))\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout
