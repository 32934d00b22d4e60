"""Code shown on a page is included from src/mlguide/, and the tests import that very function (or, for a method,\nits class)."""

from __future__ import annotations

import ast
import importlib
import re
import textwrap

import pytest

from conftest import ROOT
from pages import concept_pages

SNIPPET = re.compile(r'^\s*--8<-- "src/mlguide/(?P<module>[\w/]+)\.py:(?P<section>[\w-]+)"', re.M)
SNIPPETS = sorted({(src, m["module"], m["section"]) for src, (_, body) in concept_pages().items() for m in SNIPPET.finditer(body)})


def test_pages_show_tested_code():
    assert len({src for src, _, _ in SNIPPETS}) >= 5, "at least half the concept pages show a function from mlguide"


@pytest.mark.parametrize(("page", "module", "section"), SNIPPETS, ids=lambda v: str(v))
def test_snippet_is_a_tested_function(page, module, section):
    source = (ROOT / "src" / "mlguide" / f"{module}.py").read_text(encoding="utf-8")
    area, _, short = module.rpartition("/")
    test_file = f"tests/mlguide/{area}/test_{short}.py"  # the tests mirror the package: one folder per area
    region = re.search(rf"# --8<-- \[start:{section}\]\n(.*?)# --8<-- \[end:{section}\]", source, flags=re.S)
    assert region, f"{page}: src/mlguide/{module}.py has no section {section!r}"
    body = ast.parse(textwrap.dedent(region[1])).body
    # The functions a section defines are what the reader sees computed; a class is the subject only when the section
    # defines no function (a NamedTuple of results beside a function is not), and a method is tested through its class.
    defined = [node.name for node in body if isinstance(node, ast.FunctionDef)] or [
        node.name for node in body if isinstance(node, ast.ClassDef)]
    assert defined, f"the section {section!r} shown on {page} defines no function or class"
    dotted = "mlguide." + module.replace("/", ".")
    imported = importlib.import_module(dotted)
    tests = (ROOT / test_file).read_text(encoding="utf-8")
    imported_names = {alias.name for node in ast.walk(ast.parse(tests)) if isinstance(node, ast.ImportFrom)
                      and node.module == dotted for alias in node.names}
    owners = {item.name: node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)
              for item in node.body if isinstance(item, ast.FunctionDef)}
    for name in defined:
        name = name if hasattr(imported, name) else owners.get(name, name)  # a method is tested through its class
        assert callable(getattr(imported, name))
        assert name in imported_names or re.search(rf"\b{short}\.{name}\b", tests), (
            f"{test_file} does not import {name}, shown on {page}"
        )


def test_the_package_has_a_subpackage_per_area_mirrored_by_the_tests():
    package = ROOT / "src" / "mlguide"
    modules = [p.relative_to(package) for p in package.rglob("*.py") if p.name != "__init__.py"]
    assert len(modules) >= 10
    for module in modules:
        assert len(module.parts) == 2, f"src/mlguide/{module} is not in an area's subpackage"
        area = module.parts[0]
        folder = area.replace("_", "-")  # a Python name for the docs folder: neural_networks for neural-networks/
        assert (ROOT / "docs" / folder).is_dir(), f"src/mlguide/{area}/ names no area of docs/"
        assert (package / area / "__init__.py").is_file(), f"src/mlguide/{area}/ has no __init__.py"
        assert (ROOT / "tests" / "mlguide" / area / f"test_{module.stem}.py").is_file(), (
            f"src/mlguide/{module} has no tests/mlguide/{area}/test_{module.stem}.py")
