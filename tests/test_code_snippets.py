"""Code shown on a page is included from src/mlguide/, and the tests import that very function."""

from __future__ import annotations

import ast
import importlib
import re

import pytest

from conftest import ROOT
from pages import concept_pages

SNIPPET = re.compile(r'^\s*--8<-- "src/mlguide/(?P<module>\w+)\.py:(?P<section>[\w-]+)"', re.M)
SNIPPETS = sorted({(src, m["module"], m["section"]) for src, (_, body) in concept_pages().items() for m in SNIPPET.finditer(body)})


def test_pages_show_tested_code():
    assert len({src for src, _, _ in SNIPPETS}) >= 5, "at least half the concept pages show a function from mlguide"


@pytest.mark.parametrize(("page", "module", "section"), SNIPPETS, ids=lambda v: str(v))
def test_snippet_is_a_tested_function(page, module, section):
    source = (ROOT / "src" / "mlguide" / f"{module}.py").read_text(encoding="utf-8")
    region = re.search(rf"# --8<-- \[start:{section}\]\n(.*?)# --8<-- \[end:{section}\]", source, flags=re.S)
    assert region, f"{page}: src/mlguide/{module}.py has no section {section!r}"
    functions = [node.name for node in ast.parse(region[1]).body if isinstance(node, ast.FunctionDef)]
    assert functions, f"the section {section!r} shown on {page} defines no function"
    imported = importlib.import_module(f"mlguide.{module}")
    tests = (ROOT / "tests" / f"test_mlguide_{module}.py").read_text(encoding="utf-8")
    imported_names = {alias.name for node in ast.walk(ast.parse(tests)) if isinstance(node, ast.ImportFrom)
                      and node.module == f"mlguide.{module}" for alias in node.names}
    for name in functions:
        assert callable(getattr(imported, name))
        assert name in imported_names or re.search(rf"\b{module}\.{name}\b", tests), (
            f"tests/test_mlguide_{module}.py does not import {name}, shown on {page}"
        )
