"""Read hall configs: TOML syntax, plugin defaults, schema, cross-checks.

:func:`check_config` never raises for a bad file: it returns a report of
every problem with file, line, dotted key and message. :func:`load_config`
is the strict form used by commands that need a usable hall.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from govhall.config.checks import check_references
from govhall.config.locate import Path as KeyPath
from govhall.config.locate import Position, locate_keys, nearest_position
from govhall.config.messages import describe_error
from govhall.config.schema import HallConfig
from govhall.errors import ConfigError, GovhallError, PluginError
from govhall.problems import Problem, Severity

if TYPE_CHECKING:
    from govhall.plugins import GovhallPluginManager

MAX_CONFIG_BYTES = 2 * 1024 * 1024
"""The largest config file read (2 MiB): a hall's config is a few KB, and
checking a much larger file would take minutes (TOML strings are parsed
character by character)."""
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = " (at end of document)"
_KEY_PART = re.compile(r'"((?:[^"\\]|\\.)*)"|([^.\[\]"]+)|\[(\d+)\]')


@dataclass
class ConfigReport:
    """What reading one config file found."""

    path: str
    config: HallConfig | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when the config loaded and no problem is an error."""
        return self.config is not None and not any(p.severity == "error" for p in self.problems)


def load_config(path: str | Path, manager: GovhallPluginManager | None = None) -> HallConfig:
    """Load a hall config, with the county plugin's defaults applied.

    Raises:
        ConfigError: The file has at least one error; ``.problems`` lists them all.
    """
    report = check_config(path, manager)
    if not report.valid or report.config is None:
        raise ConfigError(report.problems)
    return report.config


def check_config(path: str | Path, manager: GovhallPluginManager | None = None) -> ConfigReport:
    """Read and check one config file; never raises for bad content."""
    name = str(path)
    try:
        raw = _read_config(Path(path))
    except _Unreadable as exc:
        return ConfigReport(name, problems=[Problem("error", str(exc), file=name)])
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        problem = Problem("error", f"cannot read file: {reason}", file=name)
        return ConfigReport(name, problems=[problem])
    return check_config_bytes(raw, name, manager)


class _Unreadable(Exception):
    """A config path that is not read at all: a FIFO, a device, a huge file."""


def _read_config(path: Path) -> bytes:
    """Read a config file, refusing special files (a FIFO would block forever) and huge ones."""
    import os
    import stat

    # O_NONBLOCK: opening a FIFO without a writer must not wait for one
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise _Unreadable("cannot read file: it is a folder")
        if not stat.S_ISREG(mode):
            raise _Unreadable("cannot read file: not a regular file (a FIFO, socket or device)")
        raw = stream.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise _Unreadable(
            f"file is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; "
            "a hall config is a few KB, so this is not one"
        )
    return raw


def check_config_bytes(
    raw: bytes, name: str = "<config>", manager: GovhallPluginManager | None = None
) -> ConfigReport:
    """Check the bytes of a config file; ``name`` is used in messages."""
    report = ConfigReport(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        # Everything before the bad byte decodes, so the column can count characters.
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")) + 1
        message = f"not UTF-8 text: byte {raw[exc.start]:#04x}"
        report.problems.append(Problem("error", message, line=line, column=column, file=name))
        return report
    return check_config_text(text.removeprefix("\ufeff"), name, manager)


def check_config_text(
    text: str, name: str = "<config>", manager: GovhallPluginManager | None = None
) -> ConfigReport:
    """Check TOML text as a hall config; ``name`` is used in messages."""
    try:
        return _check_text(text, name, manager)
    except RecursionError:
        # tomllib, the key locator and pydantic all recurse into nested values
        message = "values nested too deep (arrays or inline tables inside each other)"
        return ConfigReport(name, problems=[Problem("error", message, file=name)])


def _check_text(text: str, name: str, manager: GovhallPluginManager | None) -> ConfigReport:
    report = ConfigReport(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = column = None
        if match:
            line, column = int(match[1]), int(match[2])
            message = message[: match.start()]
        elif message.endswith(_TOML_AT_END):
            # The error is at the end of the text: name its last line, past its last character.
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
            message = message.removesuffix(_TOML_AT_END) + " at the end of the file"
        report.problems.append(
            Problem("error", f"TOML syntax: {message}", line=line, column=column, file=name)
        )
        return report
    return _check_data(data, locate_keys(text), name, manager)


class _Placer:
    """Attach file positions (or the plugin as source) to problems."""

    def __init__(
        self,
        name: str,
        positions: Mapping[KeyPath, Position],
        file_data: Mapping[str, Any],
        defaults: Mapping[str, Any],
        plugin: str,
    ) -> None:
        self.name = name
        self.positions = positions
        self.file_data = file_data
        self.defaults = defaults
        self.plugin = plugin

    def problem(self, severity: Severity, message: str, loc: KeyPath) -> Problem:
        from govhall.config.messages import dotted_key

        key = dotted_key(loc)
        if not _has_path(self.file_data, loc) and _has_path(self.defaults, loc):
            source = f"plugin {self.plugin}"
            return Problem(severity, message, key=key, file=self.name, source=source)
        if loc[:1] in (("scoring",), ("rewards",)) and not _has_path(self.file_data, loc[:1]):
            # a built-in rule the file does not touch: there is no line to name
            source = f"govhall's built-in {'rulebooks' if loc[0] == 'scoring' else 'reward rules'}"
            source += f"; [{loc[0]}] is not in this file"
            return Problem(severity, message, key=key, file=self.name, source=source)
        position = nearest_position(self.positions, loc)
        line, column = position if position else (None, None)
        return Problem(severity, message, key=key, line=line, column=column, file=self.name)


def _check_data(
    data: dict[str, Any],
    positions: Mapping[KeyPath, Position],
    name: str,
    manager: GovhallPluginManager | None,
) -> ConfigReport:
    if manager is None:
        from govhall.plugins import get_plugin_manager

        manager = get_plugin_manager()
    report = ConfigReport(name)
    placer = _Placer(name, positions, data, {}, "")
    county = data.get("hall", {}).get("county") if isinstance(data.get("hall"), dict) else None
    defaults: dict[str, Any] = {}
    if isinstance(county, str):
        try:
            placer.plugin = manager.county_plugin(county)
            defaults = manager.call_first("govhall_hall_defaults", county) or {}
            _check_toml_shaped(defaults, placer.plugin, "govhall_hall_defaults")
        except GovhallError as exc:
            report.problems.append(placer.problem("error", str(exc), ("hall", "county")))
            return report
        placer.defaults = defaults
    merged = merge_config(defaults, data)
    for found in check_references(merged):
        report.problems.append(placer.problem(found.severity, found.message, parse_key(found.key)))
    try:
        config = HallConfig.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            report.problems.append(placer.problem("error", describe_error(error, HallConfig), loc))
    else:
        report.config = config
        _plugin_checks(report, config, manager, placer)
        _time_checks(report, config, manager, placer)
    report.problems.sort(key=_problem_order)
    return report


def _check_toml_shaped(data: Any, plugin: str, hook: str) -> None:
    """Check that a plugin's answer is a table whose keys (at any depth) are strings.

    Raises:
        PluginError: It is not; the error names the plugin and the hook.
    """
    if not isinstance(data, Mapping):
        raise PluginError(plugin, hook, f"returned {type(data).__name__}, expected a table (dict)")
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            bad = next((key for key in value if not isinstance(key, str)), None)
            if bad is not None:
                raise PluginError(plugin, hook, f"returned a table with a non-string key {bad!r}")
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)


def _time_checks(
    report: ConfigReport, config: HallConfig, manager: GovhallPluginManager, placer: _Placer
) -> None:
    """Build the hall's calendar and hours as ``hours`` and ``deadline`` will.

    This calls the county plugin's time hooks (opening hours, duty rota,
    deadline rule, extra closures), so a plugin that fails there fails
    ``validate`` too, not only the commands that need the hours.
    """
    from govhall.time.deadlines import hall_time

    try:
        hall_time(config, manager)
    except GovhallError as exc:
        message = str(exc)
        key, _, rest = message.partition(": ")
        if key.startswith(("hours.", "hall.")) and rest:
            loc = parse_key(key)
            report.problems.append(placer.problem("error", rest, loc))
        else:
            report.problems.append(Problem("error", message, file=report.path))


def _plugin_checks(
    report: ConfigReport, config: HallConfig, manager: GovhallPluginManager, placer: _Placer
) -> None:
    try:
        answers = manager.call_all(
            "govhall_validate_config", config.hall.county, config=config, manager=manager
        )
    except GovhallError as exc:
        report.problems.append(Problem("error", str(exc), file=report.path))
        return
    for plugin, problems in answers:
        if not isinstance(problems, list) or not all(isinstance(p, Problem) for p in problems):
            message = f"plugin {plugin!r}, hook govhall_validate_config: expected a list of Problem"
            report.problems.append(Problem("error", message, file=report.path))
            continue
        for found in problems:
            loc = parse_key(found.key)
            report.problems.append(placer.problem(found.severity, found.message, loc))


def _problem_order(problem: Problem) -> tuple[bool, int, int, str]:
    return (problem.line is None, problem.line or 0, problem.column or 0, problem.key)


def check_paths(
    paths: Iterable[str | Path], manager: GovhallPluginManager | None = None
) -> list[ConfigReport]:
    """Check files and folders (every ``*.toml`` inside, sorted) and return one report each."""
    reports = []
    for path in _expand(paths):
        reports.append(check_config(path, manager))
    return reports


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(path.glob("*.toml"))
        else:
            yield path


def merge_config(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge a config file over plugin defaults: tables merge, everything else replaces."""
    merged = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_config(base, value)
        else:
            merged[key] = value
    return merged


def parse_key(key: str) -> KeyPath:
    """Parse a dotted key such as ``windows[3].phone`` back into a path."""
    parts: list[str | int] = []
    for quoted, bare, index in _KEY_PART.findall(key):
        if index:
            parts.append(int(index))
        elif quoted:
            parts.append(quoted)
        elif bare:
            parts.append(bare)
    return tuple(parts)


def _has_path(data: Any, loc: KeyPath) -> bool:
    for part in loc:
        in_array = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_table = isinstance(part, str) and isinstance(data, Mapping) and part in data
        if not (in_array or in_table):
            return False
        data = data[part]
    return True
