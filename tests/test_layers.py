"""The import graph: no cycle, and the layer contract in pyproject.toml really binds.

``scripts/check`` runs ``lint-imports`` on the contract; these tests check the graph
itself, so that a cycle is caught even among modules of one layer.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
import pytest

from govhall._moved import MOVED

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("govhall", exclude_type_checking_imports=True)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other == "govhall":  # the package root imports its names lazily
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle(graph: grimp.ImportGraph) -> None:
    assert _cycles(graph) == []


def test_every_module_sits_in_a_layer(graph: grimp.ImportGraph) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [layers] = [c["layers"] for c in contracts if c["type"] == "layers"]
    roots = [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]
    packages = {"govhall", "govhall.config"}  # package files holding no code of their own
    unplaced = [
        module
        for module in sorted(graph.modules)
        if module not in packages
        and not any(module == root or module.startswith(f"{root}.") for root in roots)
    ]
    assert unplaced == []


def test_an_upward_import_breaks_the_contract() -> None:
    # the check the contract makes, on a fresh graph with one import pointing up
    graph = grimp.build_graph("govhall", exclude_type_checking_imports=True)
    graph.add_import(importer="govhall.time.hours", imported="govhall.session")
    assert graph.find_shortest_chain(importer="govhall.time.hours", imported="govhall.session")
    chains = graph.find_illegal_dependencies_for_layers(
        layers=("govhall.session", "govhall.time.hours"), containers=set()
    )
    assert {(c.importer, c.imported) for c in chains} == {("govhall.time.hours", "govhall.session")}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_module_path_still_imports_the_moved_module(old: str) -> None:
    import importlib
    import sys

    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {MOVED[old]}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(MOVED[old])
    assert module.__spec__ is not None
    assert module.__spec__.name == MOVED[old]  # importlib.resources and pickling still work
    sys.modules.pop(old, None)


def test_no_module_of_the_repository_imports_an_old_path() -> None:
    pattern = re.compile(r"\b(?:from|import) (" + "|".join(map(re.escape, MOVED)) + r")\b")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for folder in ("src", "tests", "plugins", "bench", "docs")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in {".py", ".md"} and ".venv" not in path.parts and path.name != "_moved.py"
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
