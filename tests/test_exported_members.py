"""The public API: ``govhall.__all__`` is sorted, complete and every name resolves."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

import govhall


def test_all_is_sorted() -> None:
    assert govhall.__all__ == sorted(govhall.__all__)
    assert len(set(govhall.__all__)) == len(govhall.__all__)


def test_every_exported_name_resolves() -> None:
    for name in govhall.__all__:
        assert getattr(govhall, name) is not None, name


def test_lazy_table_matches_all() -> None:
    assert set(govhall.__all__) == set(govhall._LOCATIONS) | {"__version__"}


def test_type_checking_imports_match_lazy_table() -> None:
    """What type checkers see (the ``TYPE_CHECKING`` imports) is what ``__getattr__`` serves."""
    tree = ast.parse(inspect.getsource(govhall))
    [block] = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    imported = {}
    for statement in block.body:
        assert isinstance(statement, ast.ImportFrom)
        assert len(statement.names) == 1, "one public name per import line"
        imported[statement.names[0].name] = statement.module
    assert imported == govhall._LOCATIONS


def test_lazy_names_come_from_their_modules() -> None:
    for name, module in govhall._LOCATIONS.items():
        assert getattr(govhall, name) is getattr(importlib.import_module(module), name)


def test_public_module_members_are_exported() -> None:
    public = {
        name
        for name, value in vars(govhall).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("govhall.")
    }
    assert public <= set(govhall.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        govhall.no_such_name  # noqa: B018


def test_dir_lists_the_public_api() -> None:
    assert set(govhall.__all__) <= set(dir(govhall))
