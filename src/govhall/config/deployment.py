"""Deployments: many hall configs that run together, and the file that describes them.

A *deployment* is either a folder of hall configs (every ``*.toml`` in it) or a
deployment file, a TOML file with a ``[deployment]`` table::

    [deployment]
    name = "示例部署"
    # paths or globs, relative to this file; a table adds the hall's own data
    halls = ["pinghu.toml", "luanchuan.toml", { config = "zhenhai.toml", data = "zh" }]
    data = "data"            # default --data: a folder with one subfolder per hall id

    [plugins]                # county = requirement on the distribution that serves it
    pinghu = "govhall-pinghu >=0.1, <1"

A folder that holds a file named ``deployment.toml`` is that deployment; a
folder without one is every ``*.toml`` in it, in name order, under the folder's
name. A ``[plugins]`` entry (or a hall entry's own ``plugin`` requirement) pins
the distribution that must serve a county: a hall whose county is served by
another distribution, or by a version outside the pin, is reported.

:func:`read_deployment` never raises for a bad file: like the hall config
checks it returns problems with file, line and dotted key.
:func:`check_deployment` then loads each hall config and checks what needs
the plugins: hall ids used twice, pins that conflict or that the installed
plugin does not satisfy.
"""

from __future__ import annotations

import glob
import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govhall.config.load import ConfigReport, check_config
from govhall.config.locate import locate_keys, nearest_position
from govhall.config.messages import dotted_key
from govhall.problems import Problem, Severity

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from govhall.plugins import GovhallPluginManager

DEPLOYMENT_FILE = "deployment.toml"
"""The name under which a folder's deployment file is found."""
_TOP_KEYS = {"deployment", "plugins"}
_DEPLOYMENT_KEYS = {"name", "halls", "data"}
_HALL_KEYS = {"config", "data", "plugin"}
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class HallEntry:
    """One hall config of a deployment."""

    config: Path
    data: str | None = None
    """This hall's own data (a folder or a store), overriding the deployment's."""
    plugin: str | None = None
    """This hall's own requirement on its county's plugin distribution."""
    key: str = ""
    """Where the entry is declared in the deployment file (e.g. ``deployment.halls[2]``)."""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Pin:
    """A requirement on the distribution that serves a county."""

    county: str
    requirement: str
    key: str
    line: int | None


@dataclass
class Deployment:
    """A deployment as read from its folder or file (see the module docs)."""

    path: Path
    """The deployment file, or the folder when it has none."""
    name: str
    halls: list[HallEntry] = field(default_factory=list)
    data: str | None = None
    """The default data location (relative paths resolved against the deployment's folder)."""
    pins: list[Pin] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The folder that relative paths in the deployment are resolved against."""
        return self.path if self.path.is_dir() else self.path.parent

    @property
    def valid(self) -> bool:
        """True when no problem is an error."""
        return not any(problem.severity == "error" for problem in self.problems)


def is_deployment(path: str | Path) -> bool:
    """Tell whether ``path`` names a deployment: a folder, or a TOML file with ``[deployment]``.

    A file that cannot be read or parsed is not a deployment (the hall config
    checks then report what is wrong with it).
    """
    path = Path(path)
    if path.is_dir():
        return True
    if not path.is_file() or path.suffix != ".toml":
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(1 << 20)
        data = tomllib.loads(head.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return isinstance(data.get("deployment"), dict)


def read_deployment(path: str | Path) -> Deployment:
    """Read a deployment folder or file; problems are collected, never raised."""
    path = Path(path)
    if path.is_dir():
        file = path / DEPLOYMENT_FILE
        if file.is_file():
            return _read_file(file)
        deployment = Deployment(path=path, name=path.resolve().name)
        # not only regular files: a FIFO or a folder named *.toml is reported by the config checks
        configs = sorted(path.glob("*.toml"))
        deployment.halls = [HallEntry(config) for config in configs]
        if not configs:
            deployment.problems.append(_error(str(path), "no *.toml hall config in this folder"))
        return deployment
    return _read_file(path)


def _read_file(path: Path) -> Deployment:
    label = str(path)
    deployment = Deployment(path=path, name=path.parent.resolve().name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        deployment.problems.append(_error(label, f"cannot read the deployment file: {exc}"))
        return deployment
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        deployment.problems.append(_error(label, f"not valid TOML: {exc}"))
        return deployment
    except RecursionError:
        deployment.problems.append(_error(label, "not valid TOML: nested too deeply"))
        return deployment
    positions = locate_keys(text)

    def problem(key: tuple[str | int, ...], message: str, severity: Severity = "error") -> None:
        found = nearest_position(positions, key)
        deployment.problems.append(
            Problem(
                severity,
                message,
                key=dotted_key(key),
                line=found[0] if found else None,
                file=label,
            )
        )

    for key in sorted(set(data) - _TOP_KEYS):
        problem((key,), f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})")
    table = data.get("deployment")
    if not isinstance(table, dict):
        problem(("deployment",), "a deployment file needs a [deployment] table")
        return deployment
    for key in sorted(set(table) - _DEPLOYMENT_KEYS):
        problem(
            ("deployment", key), f"unknown key (allowed: {', '.join(sorted(_DEPLOYMENT_KEYS))})"
        )
    name = table.get("name", deployment.name)
    if isinstance(name, str) and name.strip():
        deployment.name = name
    else:
        problem(("deployment", "name"), "expected a non-empty string")
    data_location = table.get("data")
    if data_location is not None and not _non_empty_string(data_location):
        problem(("deployment", "data"), "expected a folder or a store, as a string")
    elif data_location is not None:
        deployment.data = data_location
    halls = table.get("halls")
    if halls is None:
        halls = ["*.toml"]
    if not isinstance(halls, list) or not halls:
        problem(("deployment", "halls"), "expected a list of config paths or globs")
        halls = []
    seen: dict[Path, str] = {}
    for index, entry in enumerate(halls):
        hall_key: tuple[str | int, ...] = ("deployment", "halls", index)
        for hall in _hall_entries(path, entry, hall_key, positions, problem):
            resolved = hall.config.resolve()
            if resolved == path.resolve():
                continue  # a glob such as *.toml also matches the deployment file itself
            if resolved in seen:
                problem(hall_key, f"{hall.config} is listed twice (first at {seen[resolved]})")
                continue
            seen[resolved] = hall.key
            deployment.halls.append(hall)
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict):
        problem(("plugins",), "expected a table: county = requirement")
        plugins = {}
    for county, requirement in plugins.items():
        pin_key = ("plugins", county)
        if _requirement(requirement) is None:
            problem(pin_key, _REQUIREMENT_HELP)
            continue
        found = nearest_position(positions, pin_key)
        deployment.pins.append(
            Pin(county, requirement, dotted_key(pin_key), found[0] if found else None)
        )
    return deployment


_REQUIREMENT_HELP = (
    "expected a requirement on a plugin distribution, e.g. 'govhall-pinghu >=0.1, <1'"
)


def _hall_entries(
    path: Path,
    entry: Any,
    key: tuple[str | int, ...],
    positions: Mapping[tuple[str | int, ...], tuple[int, int]],
    problem: Any,
) -> Iterator[HallEntry]:
    found = nearest_position(positions, key)
    line = found[0] if found else None
    data: str | None = None
    plugin: str | None = None
    config: str
    if isinstance(entry, dict):
        for unknown in sorted(set(entry) - _HALL_KEYS):
            problem((*key, unknown), f"unknown key (allowed: {', '.join(sorted(_HALL_KEYS))})")
        data = entry.get("data")
        plugin = entry.get("plugin")
        if data is not None and not _non_empty_string(data):
            problem((*key, "data"), "expected a folder or a store, as a string")
            data = None
        if plugin is not None and _requirement(plugin) is None:
            problem((*key, "plugin"), _REQUIREMENT_HELP)
            plugin = None
        if not _non_empty_string(entry.get("config")):
            problem((*key, "config"), "expected the path of a hall config")
            return
        config = entry["config"]
    elif _non_empty_string(entry):
        config = entry
    else:
        problem(key, "expected a config path or glob, or a table with 'config'")
        return
    dotted = dotted_key(key)
    pattern = os.path.normpath(path.parent / config)
    if _GLOB_CHARS & set(config):
        matches = [Path(p) for p in sorted(glob.glob(pattern)) if not Path(p).is_dir()]
        if not matches:
            problem(key, f"no file matches {config!r}")
        for match in matches:
            yield HallEntry(match, data, plugin, dotted, line)
        return
    target = Path(pattern)
    if not target.exists() or target.is_dir():
        problem(key, f"no such config file: {target}")
        return
    yield HallEntry(target, data, plugin, dotted, line)


def _non_empty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _requirement(text: Any) -> Requirement | None:
    from packaging.requirements import InvalidRequirement, Requirement

    if not isinstance(text, str):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _error(file: str, message: str, key: str = "", line: int | None = None) -> Problem:
    return Problem("error", message, key=key, line=line, file=file)


@dataclass
class DeploymentReport:
    """The problems of a deployment file itself, shaped like a hall config's report."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when no problem is an error."""
        return not any(problem.severity == "error" for problem in self.problems)


def check_deployment_paths(
    paths: Iterable[str | Path], manager: GovhallPluginManager | None = None
) -> list[ConfigReport | DeploymentReport]:
    """Check configs and deployments as ``govhall validate`` does, one report per file.

    A deployment file (or a folder holding ``deployment.toml``) is checked as a
    deployment: its own report, then one per hall config it names. A folder of
    configs is checked file by file, plus hall ids used twice. Other paths are
    hall configs.
    """
    from govhall.config.load import check_paths
    from govhall.plugins import get_plugin_manager

    manager = manager if manager is not None else get_plugin_manager()
    reports: list[ConfigReport | DeploymentReport] = []
    for path in map(Path, paths):
        if not is_deployment(path):
            reports.extend(check_paths([path], manager))
            continue
        deployment = read_deployment(path)
        if path.is_dir() and deployment.path == path and not deployment.halls:
            continue  # a folder with no config at all: the caller says so
        check = check_deployment(deployment, manager)
        own = check.file_report()
        if own is not None:
            reports.append(own)
        reports.extend(check.reports)
    return reports


@dataclass
class DeploymentCheck:
    """What checking a deployment found: each hall config's report and the deployment's problems."""

    deployment: Deployment
    reports: list[ConfigReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """The deployment's own problems (its file, ids used twice, pins)."""
    pins: dict[str, str] = field(default_factory=dict)
    """County -> the requirement that applies to it."""
    blocked: dict[str, Problem] = field(default_factory=dict)
    """County -> why its halls cannot run (its plugin does not satisfy the pin)."""

    def file_report(self) -> DeploymentReport | None:
        """Return the deployment's own report for ``govhall validate``, or ``None``.

        A deployment file always has one; a plain folder of configs only when
        the folder as a whole has a problem (a hall id used twice).
        """
        path = self.deployment.path
        if path.is_dir() and not self.problems:
            return None
        return DeploymentReport(str(path), list(self.problems))

    @property
    def valid(self) -> bool:
        """True when neither the deployment nor any hall config has an error."""
        return not any(p.severity == "error" for p in self.problems) and all(
            report.valid for report in self.reports
        )


def check_deployment(
    deployment: Deployment, manager: GovhallPluginManager | None = None
) -> DeploymentCheck:
    """Load every hall config and check the deployment as a whole.

    Problems of the deployment itself are: those of its file, a hall id used
    by two configs, two pins on one county that differ, and a county whose
    installed plugin does not satisfy its pin (or that no plugin serves).
    """
    from govhall.plugins import get_plugin_manager

    manager = manager if manager is not None else get_plugin_manager()
    check = DeploymentCheck(deployment, problems=list(deployment.problems))
    label = str(deployment.path)
    ids: dict[str, HallEntry] = {}
    pinned: dict[str, tuple[str, str]] = {}  # county -> (requirement, where)
    for pin in deployment.pins:
        pinned[pin.county] = (pin.requirement, pin.key)
    for entry in deployment.halls:
        report = check_config(entry.config, manager)
        check.reports.append(report)
        config = report.config
        if config is None:
            continue
        hall_id = config.hall.id
        first = ids.get(hall_id)
        if first is not None:
            check.problems.append(
                _error(
                    label,
                    f"hall id {hall_id!r} is used by {first.config} and {entry.config}; "
                    "a deployment needs one id per hall",
                    entry.key,
                    entry.line,
                )
            )
        else:
            ids[hall_id] = entry
        if entry.plugin is not None:
            county = config.hall.county
            earlier = pinned.get(county)
            if earlier is not None and not _same(earlier[0], entry.plugin):
                conflict = _error(
                    label,
                    f"county {county!r} is pinned twice: {earlier[0]!r} ({earlier[1]}) and "
                    f"{entry.plugin!r} ({entry.key}); one interpreter loads one version "
                    "of a plugin, so the pins must agree",
                    entry.key,
                    entry.line,
                )
                check.problems.append(conflict)
                check.blocked.setdefault(county, conflict)
            else:
                pinned.setdefault(county, (entry.plugin, entry.key))
    counties = {report.config.hall.county for report in check.reports if report.config}
    where = {pin.county: pin for pin in deployment.pins}
    for county, (requirement, key) in sorted(pinned.items()):
        check.pins[county] = requirement
        message = pin_problem(manager, county, requirement)
        if message is not None and (county in counties or county in where):
            declared = where.get(county)
            line = (
                declared.line
                if declared is not None
                else next((h.line for h in deployment.halls if h.key == key), None)
            )
            problem = _error(label, message, key, line)
            check.problems.append(problem)
            check.blocked.setdefault(county, problem)
    return check


def _same(first: str, second: str) -> bool:
    a, b = _requirement(first), _requirement(second)
    if a is None or b is None:
        return False
    return _normal(a.name) == _normal(b.name) and a.specifier == b.specifier


def _normal(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


def served_by(manager: GovhallPluginManager, county: str) -> tuple[str, str, str] | None:
    """Return ``(plugin, distribution, version)`` of the plugin serving ``county``, if any."""
    from govhall.errors import UnknownCountyError

    try:
        plugin = manager.county_plugin(county)
    except UnknownCountyError:
        return None
    version = next((info.version for info in manager.plugin_infos() if info.name == plugin), "")
    return plugin, manager.distributions.get(plugin, ""), version


def pin_problem(manager: GovhallPluginManager, county: str, requirement: str) -> str | None:
    """Say why the installed plugin of ``county`` does not satisfy ``requirement``, or ``None``."""
    wanted = _requirement(requirement)
    if wanted is None:
        return f"county {county!r}: {requirement!r} is not a requirement"
    serving = served_by(manager, county)
    if serving is None:
        return f"county {county!r} is pinned to {requirement!r} but no installed plugin serves it"
    plugin, distribution, version = serving
    if _normal(distribution or plugin) != _normal(wanted.name):
        shipped = f"distribution {distribution}" if distribution else "no distribution"
        return (
            f"county {county!r} is served by plugin {plugin!r} ({shipped}), "
            f"not by {wanted.name!r} as pinned"
        )
    if wanted.specifier and not wanted.specifier.contains(version, prereleases=True):
        return (
            f"county {county!r} is served by {distribution} {version}, "
            f"outside the pin {str(wanted.specifier)!r}"
        )
    return None
