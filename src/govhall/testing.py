"""The govhall test kit: pytest fixtures and YAML case files (the pytest plugin ``govhall``).

Installed with govhall (entry point ``pytest11``), it adds to any test suite:

- ``govhall_manager``: build a fresh plugin manager holding only the plugins
  a test names (plus the built-in defaults), so other installed counties
  cannot change the result::

      def test_my_county(govhall_manager):
          import govhall_mycounty
          manager = govhall_manager(("mycounty", govhall_mycounty))
          assert "mycounty" in manager.counties()

- ``govhall_load``: load and validate a hall config with such a manager;
  it raises :class:`govhall.ConfigError` listing every problem::

      def test_config(govhall_manager, govhall_load):
          manager = govhall_manager(("mycounty", govhall_mycounty))
          hall = govhall_load("mycounty.toml", manager)
          assert hall.hall.county == "mycounty"

- YAML case files: every file named ``*.govhall.yaml`` that pytest meets is
  collected, one test per case. A case names a config (relative to the YAML
  file), the plugins to load, one question (``deadline``, ``open``,
  ``hours``, ``chain``, ``kpi``, ``score``, ``ratings`` or ``show``, asked
  like the command of that name) and what the answer must contain::

      - name: National Day moves the deadline past the make-up Saturday
        config: ../pinghu.toml
        plugins: [govhall_pinghu]
        deadline: {item: household-move, received: 2026-09-30T10:00}
        expect: {due: 2026-10-13T17:30:00+08:00, working_days: 5}

  The answer is the ``--json`` document of the command, built by the same
  functions the command uses; ``docs/plugin-guide.md`` describes the format.
  Reading YAML needs PyYAML (``pip install "govhall[testing]"``), imported
  only when a case file is collected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from govhall.config.schema import HallConfig
    from govhall.plugins import GovhallPluginManager
    from govhall.session import HallSession

ManagerFactory = Callable[..., "GovhallPluginManager"]
Loader = Callable[..., "HallConfig"]

CASE_FILE_SUFFIX = ".govhall.yaml"
"""Files whose name ends with this are collected as YAML case files."""

TESTING_EXTRA = 'pip install "govhall[testing]"'

# question -> (required keys, optional keys)
QUESTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "deadline": (frozenset({"item", "received"}), frozenset({"pauses", "window", "now"})),
    "open": (frozenset({"at"}), frozenset()),
    "hours": (frozenset({"on"}), frozenset({"window"})),
    "chain": (frozenset({"item"}), frozenset()),
    "kpi": (frozenset(), frozenset({"data", "sample", "from", "to"})),
    "score": (frozenset({"month"}), frozenset({"data", "sample"})),
    "ratings": (frozenset({"month"}), frozenset({"data", "sample", "as_of"})),
    "show": (frozenset(), frozenset()),
}
DATA_TABLES = frozenset({"cases", "ratings", "findings", "rectifications"})
"""Tables a case may give inline under ``data`` (the data-file columns, one mapping per row)."""
_CASE_KEYS = frozenset({"name", "config", "plugins", "expect", "raises", "tolerance"})
_FILE_KEYS = frozenset({"config", "plugins", "tolerance", "cases"})


# -- fixtures ---------------------------------------------------------------------


def build_manager(
    *plugins: tuple[str, object] | ModuleType, entry_points: bool = False
) -> GovhallPluginManager:
    """Build a manager with the built-in defaults and exactly ``plugins``.

    Each plugin is a module (registered under its last dotted name, without a
    ``govhall_`` prefix) or a ``(name, plugin)`` pair.
    """
    from govhall.plugins import get_plugin_manager

    named = []
    for plugin in plugins:
        if isinstance(plugin, tuple):
            named.append(plugin)
        else:
            name = plugin.__name__.rsplit(".", 1)[-1].removeprefix("govhall_")
            named.append((name, plugin))
    return get_plugin_manager(load_entry_points=entry_points, plugins=named)


@pytest.fixture
def govhall_manager() -> ManagerFactory:
    """Return a factory of fresh plugin managers holding only the plugins named."""
    return build_manager


@pytest.fixture
def govhall_load() -> Loader:
    """Return ``load(path, manager)``: load a hall config strictly (ConfigError on problems)."""
    from govhall.config.load import load_config

    def load(path: str | Path, manager: GovhallPluginManager | None = None) -> HallConfig:
        return load_config(path, manager if manager is not None else build_manager())

    return load


# -- reading case files -----------------------------------------------------------


class CaseFileError(Exception):
    """A YAML case file that cannot be read as a list of cases."""


class CaseFailure(Exception):
    """A case whose answer differs from its expectation; the message says how."""


@dataclass
class Case:
    """One case of a YAML case file, as written (checked when it runs)."""

    name: str
    line: int
    data: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def _yaml() -> Any:
    return importlib.import_module("yaml")


def _case_loader(yaml: Any) -> Any:
    """Return a SafeLoader reading the YAML 1.2 core schema.

    YAML 1.1 (PyYAML's default) reads ``on``/``yes`` as booleans, ``14:00`` as
    the number 840 and dates as date objects; in a case file they stay text.
    """
    drop = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    drop.add("tag:yaml.org,2002:timestamp")
    loader: Any = type("GovhallCaseLoader", (yaml.SafeLoader,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in drop]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"
    )
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), "-+0123456789"
    )
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?$"
            r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
        ),
        "-+0123456789.",
    )
    return loader


def read_case_file(path: Path, text: str | None = None) -> list[Case]:
    """Read the cases of a YAML case file: a list of cases, or ``{cases: [...]}`` with defaults.

    Raises:
        ImportError: PyYAML is not installed.
        CaseFileError: The file is not YAML, or not shaped as a list of cases.
    """
    yaml = _yaml()
    source = path.read_text(encoding="utf-8") if text is None else text
    loader = _case_loader(yaml)(source)
    try:
        root = loader.get_single_node()
        if root is None:
            return []
        nodes = root.value if isinstance(root, yaml.SequenceNode) else None
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                if key.value == "cases" and isinstance(value, yaml.SequenceNode):
                    nodes = value.value
        lines = [node.start_mark.line + 1 for node in nodes or ()]
        document = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CaseFileError(f"{where}: not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    defaults: dict[str, Any] = {}
    if isinstance(document, dict):
        unknown = sorted(str(key) for key in document if key not in _FILE_KEYS)
        if unknown:
            raise CaseFileError(
                f"{path}:1: unknown key {unknown[0]!r} at the top; "
                f"expected {', '.join(sorted(_FILE_KEYS))}"
            )
        defaults = {key: value for key, value in document.items() if key != "cases"}
        document = document.get("cases")
    if not isinstance(document, list):
        raise CaseFileError(
            f"{path}:1: a case file is a list of cases (or a mapping with 'cases'), "
            f"got {type(document).__name__}"
        )
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for index, (entry, line) in enumerate(zip(document, lines, strict=True)):
        data = entry if isinstance(entry, dict) else {}
        problem = None if isinstance(entry, dict) else f"a case is a mapping, got {_show(entry)}"
        name = data.get("name")
        name = name if isinstance(name, str) and name.strip() else f"case {index + 1}"
        if name in seen:
            problem = f"duplicate name {name!r}: already used on line {seen[name]}"
            name = f"{name} (line {line})"
        seen.setdefault(name, line)
        cases.append(Case(name, line, data, defaults, problem))
    return cases


# -- running a case ---------------------------------------------------------------


@dataclass
class _Question:
    kind: str
    params: dict[str, Any]


@dataclass
class _Prepared:
    base: Path
    config: Path
    plugins: list[str] | None
    question: _Question
    expect: dict[str, Any] | None
    raises: str | None
    tolerance: float


def _did_you_mean(word: str, choices: frozenset[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _prepare(case: Case, base: Path) -> _Prepared:
    """Check a case's shape; raise CaseFailure naming the key at fault."""
    if case.problem is not None:
        raise CaseFailure(case.problem)
    data = case.data
    known = _CASE_KEYS | frozenset(QUESTIONS)
    for key in data:
        if key not in known:
            raise CaseFailure(
                f"unknown key {key!r}{_did_you_mean(str(key), known)} "
                f"(questions: {', '.join(QUESTIONS)})"
            )
    merged = {**case.defaults, **data}
    if not isinstance(data.get("name"), str):
        raise CaseFailure("name: every case needs a name (text)")
    asked = [key for key in QUESTIONS if key in data]
    if len(asked) != 1:
        found = ", ".join(asked) or "none"
        raise CaseFailure(f"a case asks exactly one of {', '.join(QUESTIONS)}; found {found}")
    kind = asked[0]
    params = data[kind] if data[kind] is not None else {}
    if not isinstance(params, dict):
        raise CaseFailure(f"{kind}: expected a mapping of its options, got {_show(params)}")
    required, optional = QUESTIONS[kind]
    for key in params:
        if key not in required | optional:
            hint = _did_you_mean(str(key), required | optional)
            allowed = ", ".join(sorted(required | optional)) or "no options"
            raise CaseFailure(f"{kind}.{key}: unknown option{hint} ({kind} takes {allowed})")
    for key in sorted(required - set(params)):
        raise CaseFailure(f"{kind}.{key}: missing (required)")
    config = merged.get("config")
    if not isinstance(config, str):
        raise CaseFailure("config: missing: the path of a hall config, relative to this file")
    plugins = merged.get("plugins")
    if plugins is not None and not (
        isinstance(plugins, list) and all(isinstance(p, str) for p in plugins)
    ):
        raise CaseFailure(f"plugins: expected a list of module names, got {_show(plugins)}")
    expect, raises = data.get("expect"), data.get("raises")
    if (expect is None) == (raises is None):
        raise CaseFailure("a case has either 'expect' (the answer) or 'raises' (an error text)")
    if expect is not None and not isinstance(expect, dict):
        raise CaseFailure(f"expect: expected a mapping, got {_show(expect)}")
    if raises is not None and not isinstance(raises, str):
        raise CaseFailure(f"raises: expected the text of the error, got {_show(raises)}")
    tolerance = merged.get("tolerance", 0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise CaseFailure(f"tolerance: expected a number >= 0, got {_show(tolerance)}")
    return _Prepared(
        base, base / config, plugins, _Question(kind, params), expect, raises, float(tolerance)
    )


def _manager(plugins: list[str] | None) -> GovhallPluginManager:
    if plugins is None:
        from govhall.plugins import get_plugin_manager

        return get_plugin_manager()
    modules = []
    for index, name in enumerate(plugins):
        try:
            modules.append(importlib.import_module(name))
        except ImportError as exc:
            raise CaseFailure(f"plugins[{index}]: cannot import {name!r}: {exc}") from None
    manager = build_manager(*modules)
    for failed in manager.load_errors:
        raise CaseFailure(f"plugins: {failed.name!r} failed to load: {failed.error}")
    return manager


def _text(params: Mapping[str, Any], key: str, kind: str) -> str:
    value = params[key]
    if not isinstance(value, str | int):
        raise CaseFailure(f"{kind}.{key}: expected text, got {_show(value)}")
    return str(value)


def _date(params: Mapping[str, Any], key: str, kind: str) -> dt.date:
    text = _text(params, key, kind)
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CaseFailure(f"{kind}.{key}: {text!r} is not a date YYYY-MM-DD") from None


def _moment(params: Mapping[str, Any], key: str, kind: str) -> dt.datetime:
    text = _text(params, key, kind)
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CaseFailure(
            f"{kind}.{key}: {text!r} is not a date-time YYYY-MM-DDTHH:MM[+08:00]"
        ) from None


def _pauses(params: Mapping[str, Any]) -> list[tuple[dt.date, dt.date]]:
    given = params.get("pauses") or []
    spans = []
    for index, text in enumerate(given if isinstance(given, list) else [given]):
        key = f"pauses[{index}]"
        first, _, last = str(text).partition("/")
        start = _date({key: first}, key, "deadline")
        end = _date({key: last}, key, "deadline") if last else start
        if end < start:
            raise CaseFailure(f"deadline.{key}: {text!r} ends before it starts")
        spans.append((start, end))
    return spans


class _Samples:
    """Data folders of a session: samples (once per config, plugins, seed, rows), inline rows."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.folders: dict[tuple[Any, ...], Path] = {}
        self.count = 0

    def folder(self, session: HallSession, key: tuple[Any, ...], options: Any) -> Path:
        from govhall.samples import DEFAULT_SEED, write_sample

        if options is None:
            options = {}
        if not isinstance(options, dict) or set(options) - {"seed", "rows"}:
            raise CaseFailure(
                f"sample: expected {{seed: N, rows: N}} (both optional), got {options}"
            )
        seed, rows = options.get("seed", DEFAULT_SEED), options.get("rows")
        key = (*key, seed, rows)
        if key not in self.folders:
            out = self._new_folder()
            write_sample(session.config, out, seed=seed, rows=rows, times=session.due_times)
            self.folders[key] = out
        return self.folders[key]

    def inline(self, tables: dict[str, Any]) -> Path:
        """Write rows given in the case file as ``cases.jsonl``, ``ratings.jsonl`` ..."""
        unknown = sorted(set(tables) - set(DATA_TABLES))
        if unknown:
            hint = _did_you_mean(unknown[0], DATA_TABLES)
            raise CaseFailure(
                f"data.{unknown[0]}: unknown table{hint} (tables: {', '.join(sorted(DATA_TABLES))})"
            )
        out = self._new_folder()
        for table, rows in tables.items():
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise CaseFailure(f"data.{table}: expected a list of rows (mappings)")
            lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
            (out / f"{table}.jsonl").write_text("".join(lines), encoding="utf-8")
        return out

    def _new_folder(self) -> Path:
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="govhall-cases-"))
        self.count += 1
        out = self.root / str(self.count)
        out.mkdir()
        return out

    def close(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            self.folders.clear()


def _data_dir(prepared: _Prepared, session: HallSession, samples: _Samples) -> str:
    kind, params = prepared.question.kind, prepared.question.params
    if ("data" in params) == ("sample" in params):
        raise CaseFailure(f"{kind}: give either 'data' (a folder) or 'sample' (generated data)")
    if isinstance(params.get("data"), dict):
        return str(samples.inline(params["data"]))
    if "data" in params:
        return str(prepared.base / _text(params, "data", kind))
    key = (str(prepared.config.resolve()), tuple(prepared.plugins or ("<installed>",)))
    return str(samples.folder(session, key, params["sample"]))


def answer(prepared: _Prepared, samples: _Samples) -> dict[str, Any]:
    """Ask the question through a session, as the command does; return its JSON document."""
    from govhall import documents
    from govhall.readers import ReadReport
    from govhall.session import open_hall

    session = open_hall(prepared.config, manager=_manager(prepared.plugins))
    kind, params = prepared.question.kind, prepared.question.params
    document: dict[str, Any]
    if kind == "show":
        document = documents.show_document(session)
    elif kind == "chain":
        document = documents.chain_document(session, _text(params, "item", kind))
    elif kind == "hours":
        window = _text(params, "window", kind) if "window" in params else None
        document = documents.hours_document(session, _date(params, "on", kind), window)
    elif kind == "open":
        document = documents.open_document(session, _moment(params, "at", kind))
    elif kind == "deadline":
        received = _moment(params, "received", kind)
        document = documents.deadline_document(
            session,
            _text(params, "item", kind),
            received,
            _pauses(params),
            window=_text(params, "window", kind) if "window" in params else None,
            # a case file answers the same every day: "now" is the receipt unless given
            now=_moment(params, "now", kind) if "now" in params else received,
        )
    elif kind == "kpi":
        first = _date(params, "from", kind) if "from" in params else None
        last = _date(params, "to", kind) if "to" in params else None
        folder = _data_dir(prepared, session, samples)
        document = documents.kpi_document(session, folder, first, last, ReadReport())
    elif kind == "ratings":
        document = _ratings(prepared, session, samples)
    else:
        document = _score(prepared, session, samples)
    # exactly what `--json` prints: tuples become lists, dates and decimals text
    loaded: dict[str, Any] = json.loads(json.dumps(document, ensure_ascii=False, default=str))
    return loaded


def _score(prepared: _Prepared, session: HallSession, samples: _Samples) -> dict[str, Any]:
    from govhall.readers import ReadReport

    month = _text(prepared.question.params, "month", "score")
    folder = _data_dir(prepared, session, samples)
    read = ReadReport()
    document = session.score(folder, month, read=read).to_json()
    document["data"] = read.counts()
    return document


def _ratings(prepared: _Prepared, session: HallSession, samples: _Samples) -> dict[str, Any]:
    """Answer as ``govhall ratings --json``, with the rows read, used and rejected."""
    from govhall.readers import ReadReport

    params = prepared.question.params
    month = _text(params, "month", "ratings")
    as_of = _moment(params, "as_of", "ratings") if "as_of" in params else None
    folder = _data_dir(prepared, session, samples)
    read = ReadReport()
    document = session.ratings(folder, month, as_of=as_of, read=read).to_json()
    document["data"] = read.counts()
    return document


# -- comparing --------------------------------------------------------------------


def _show(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _same_moment(expected: str, actual: str) -> bool:
    """Compare two ISO date-times; one without an offset is the hall's local wall time."""
    if len(expected) <= 10 or len(actual) <= 10:
        return False
    try:
        want, got = dt.datetime.fromisoformat(expected), dt.datetime.fromisoformat(actual)
    except ValueError:
        return False
    if want.tzinfo is None or got.tzinfo is None:
        return want.replace(tzinfo=None) == got.replace(tzinfo=None)
    return want == got


def _same_scalar(expected: Any, actual: Any, tolerance: float) -> bool:
    if expected is None or isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float):
        if not isinstance(actual, int | float):
            return False
        return bool(expected == actual or abs(expected - actual) <= tolerance)
    if isinstance(expected, str) and isinstance(actual, str):
        return expected == actual or _same_moment(expected, actual)
    return False


def compare(expected: Any, actual: Any, path: str, tolerance: float = 0.0) -> list[str]:
    """Return how ``actual`` fails ``expected``, one line per difference (none: it matches).

    A mapping needs only the keys it names; a list needs the same length and
    each element to match in order, unless written ``{contains: [...]}``: then
    each listed element must match some element of the answer, in any order;
    ``{contains: text}`` checks that a text answer contains ``text``. Numbers
    match within ``tolerance``; date-times match as moments.
    """
    if isinstance(expected, dict) and set(expected) == {"contains"} and isinstance(actual, str):
        part = expected["contains"]
        if isinstance(part, str) and part in actual:
            return []
        return [f"{path}: expected text containing {_show(part)}, got {_show(actual)}"]
    if isinstance(expected, dict) and isinstance(actual, list) and set(expected) == {"contains"}:
        wanted = expected["contains"]
        if not isinstance(wanted, list):
            return [f"{path}.contains: expected a list, got {_show(wanted)}"]
        return [
            f"{path}: no element matches {_show(element)}; got {_show(actual)}"
            for element in wanted
            if not any(not compare(element, got, path, tolerance) for got in actual)
        ]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping {_show(expected)}, got {_show(actual)}"]
        problems = []
        for key, value in expected.items():
            name = str(key)
            if name not in actual:
                keys = ", ".join(actual) or "no keys"
                problems.append(f"{path}.{name}: not in the answer (it has {keys})")
                continue
            problems += compare(value, actual[name], f"{path}.{name}", tolerance)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list {_show(expected)}, got {_show(actual)}"]
        if len(expected) != len(actual):
            return [
                f"{path}: expected {len(expected)} element(s) {_show(expected)}, "
                f"got {len(actual)}: {_show(actual)}"
            ]
        problems = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problems += compare(want, got, f"{path}[{index}]", tolerance)
        return problems
    if _same_scalar(expected, actual, tolerance):
        return []
    return [f"{path}: expected {_show(expected)}, got {_show(actual)}"]


def run_case(case: Case, base: Path, samples: _Samples) -> None:
    """Run one case; raise CaseFailure saying what differs.

    Raises:
        CaseFailure: The case is malformed, govhall raised an unexpected error,
            or the answer differs from the expectation.
    """
    import click

    from govhall.errors import GovhallError

    prepared = _prepare(case, base)
    kind = prepared.question.kind
    try:
        document = answer(prepared, samples)
    except (GovhallError, click.ClickException) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        if prepared.raises is None:
            raise CaseFailure(f"{kind}: govhall raised {type(exc).__name__}: {message}") from None
        if prepared.raises not in message:
            raise CaseFailure(
                f"raises: expected an error containing {prepared.raises!r}, got: {message}"
            ) from None
        return
    if prepared.raises is not None:
        raise CaseFailure(
            f"raises: expected an error containing {prepared.raises!r}, "
            f"got the answer {_show(document)}"
        )
    problems = compare(prepared.expect, document, "expect", prepared.tolerance)
    if problems:
        raise CaseFailure("\n".join(problems))


# -- the pytest plugin ------------------------------------------------------------

_SAMPLES = pytest.StashKey[_Samples]()


def _samples(config: pytest.Config) -> _Samples:
    if _SAMPLES not in config.stash:
        samples = _Samples()
        config.stash[_SAMPLES] = samples
        config.add_cleanup(samples.close)  # also when no session ran to its end
    return config.stash[_SAMPLES]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the case files' data folders when the session ends (passed, failed or stopped)."""
    samples = session.config.stash.get(_SAMPLES, None)
    if samples is not None:
        samples.close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.govhall.yaml`` files as YAML case files."""
    if file_path.name.endswith(CASE_FILE_SUFFIX):
        collector: pytest.Collector = CaseFile.from_parent(parent, path=file_path)
        return collector
    return None


class CaseFile(pytest.File):
    """A YAML case file: one test item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        """Yield one item per case (or one failing item when PyYAML is missing)."""
        try:
            cases = read_case_file(self.path)
        except ImportError:
            yield MissingYaml.from_parent(self, name="pyyaml")
            return
        except CaseFileError as exc:
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One case of a YAML case file."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        """Ask the case's question and compare the answer with its expectation."""
        run_case(self.case, self.path.parent, _samples(self.config))

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """Say which case failed (file, line, name) and how, without a traceback."""
        if isinstance(excinfo.value, CaseFailure):
            where = f"{self.nodeid.split('::')[0]}:{self.case.line}"
            first, *rest = str(excinfo.value).splitlines() or [""]
            head = f"{where}: case {self.case.name!r}: {first}"
            return "\n".join([head, *(f"  {line}" for line in rest)])
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Point at the case's line in its file."""
        return self.path, self.case.line - 1, f"case {self.case.name}"


class MissingYaml(pytest.Item):
    """Stands for a case file that cannot be read because PyYAML is not installed."""

    def runtest(self) -> None:
        """Fail, naming the extra that installs PyYAML."""
        raise CaseFailure(
            f"PyYAML is needed to read YAML case files ({self.path.name}): {TESTING_EXTRA} "
            "(or pip install pyyaml)"
        )

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """Show the message alone."""
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Point at the case file."""
        return self.path, 0, "YAML case file"
