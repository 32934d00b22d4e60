"""Hooks stay small and say what they do: one module per job, a docstring first, under about 200 lines."""

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


def test_every_hook_module_is_registered(mkdocs_config):
    assert sorted(mkdocs_config["hooks"]) == sorted(f"hooks/{p.name}" for p in HOOKS)
