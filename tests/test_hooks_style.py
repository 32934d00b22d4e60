"""Hooks stay small and say what they do: one module per job, a docstring first, under about 200 lines; a module\nthat handles no event is code shared by hooks."""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

HOOKS = sorted((ROOT / "hooks").glob("*.py"))


@pytest.mark.parametrize("path", HOOKS, ids=lambda p: p.name)
def test_hook_module_is_small_and_documented(path):
    source = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(source)), f"{path.name} must open with a docstring"
    assert len(source.splitlines()) <= 200, f"{path.name} has grown past 200 lines: split it by responsibility"


def handles_events(path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name.startswith("on_") for node in tree.body)


def test_every_hook_module_is_registered(mkdocs_config):
    assert sorted(mkdocs_config["hooks"]) == sorted(f"hooks/{p.name}" for p in HOOKS if handles_events(p))


@pytest.mark.parametrize("path", [p for p in HOOKS if not handles_events(p)], ids=lambda p: p.name)
def test_a_helper_module_in_hooks_serves_a_hook(path):
    """A module in hooks/ that handles no event is shared code, imported by a hook: never dead code."""
    users = [p.name for p in HOOKS if p != path and f"from {path.stem} import" in p.read_text(encoding="utf-8")]
    assert users, f"{path.name} handles no MkDocs event and no hook imports it"
