"""Notebooks: text sources in the nav, executed in the build, downloadable as valid self-contained .ipynb files."""

from __future__ import annotations

import posixpath
import re

import jupytext
import nbformat
import pytest

from conftest import ROOT
from front_matter import is_practice_page
from pages import DOCS, concept_pages, nav_entries, notebooks


def test_there_are_notebooks():
    assert len(notebooks()) >= 5


def test_no_notebook_is_committed_with_outputs():
    assert not list(DOCS.rglob("*.ipynb")), "notebooks are jupytext .py files; .ipynb files are built, not committed"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebook_is_in_the_nav_and_names_its_concept(path, mkdocs_config):
    src_uri = path.relative_to(DOCS).as_posix()
    assert src_uri in nav_entries(mkdocs_config["nav"])
    notebook = jupytext.read(path)
    concept = notebook.metadata["mlguide"]["concept"]
    assert concept in concept_pages(), f"{src_uri}: concept {concept} is not a concept page"
    assert any("assert " in cell.source for cell in notebook.cells if cell.cell_type == "code"), "no assert cell"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_download_is_an_executed_self_contained_notebook(path, site):
    download = site / path.relative_to(DOCS).with_suffix(".ipynb")
    notebook = nbformat.read(download, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code), "every code cell has run"
    assert not any(o.output_type == "error" for cell in code for o in cell.outputs)
    assert not re.search(r"^from mlguide", "\n".join(c.source for c in code), flags=re.M), "mlguide must be inlined"
    for number, cell in enumerate(code, 1):  # what a reader runs: the inlined code must still be Python
        compile(cell.source, f"{download.name}, code cell {number}", "exec")
    assert any("image/png" in o.get("data", {}) for cell in code for o in cell.outputs), "the notebook draws a figure"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebook_page_links_back_and_offers_the_download(path, site):
    src_uri = path.relative_to(DOCS).as_posix()
    html = (site / src_uri.removesuffix(".py") / "index.html").read_text(encoding="utf-8")
    concept = jupytext.read(path).metadata["mlguide"]["concept"].removesuffix(".md")
    back = posixpath.relpath(concept, src_uri.removesuffix(".py")) + "/"
    assert f'href="{back}"' in html, f"no link back to the concept page ({back})"
    assert f'href="../{path.stem}.ipynb" download' in html
    assert "jp-OutputArea" in html, "the page shows executed outputs"


def test_concept_pages_show_figures_that_the_build_made(site):
    for src_uri, (_, body) in concept_pages().items():
        figures = re.findall(r"!\[[^\]]+\]\((notebooks/figures/[\w-]+\.png)\)\{ \.nb-figure", body)
        if is_practice_page(src_uri) and "## In code" not in body:
            continue  # a practice page has a notebook only where it serves (writing-a-page.md)
        assert figures, f"{src_uri} shows no notebook figure inline"
        for figure in figures:
            png = site / src_uri.split("/")[0] / figure
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{src_uri}: {figure} was not produced"


def test_executed_notebooks_are_cached(site):
    cached = list((ROOT / ".cache" / "notebooks").glob("*.ipynb"))
    stems = {p.stem.rsplit("-", 1)[0] for p in cached}
    assert {p.stem for p in notebooks()} <= stems
