"""The hover glossary (includes/abbreviations.md, loaded by hooks/glossary.py): parsed strictly, every term used."""

from __future__ import annotations

import re

import pytest
from mkdocs.exceptions import PluginError

from conftest import ROOT
from glossary import GLOSSARY, load_glossary


def test_every_abbreviation_is_used_on_some_page():
    """The glossary lists only terms the guide uses: one source of truth each."""
    docs = ROOT / "docs"
    text = " ".join(p.read_text(encoding="utf-8") for p in [*docs.rglob("*.md"), *docs.rglob("notebooks/*.py")])
    terms = load_glossary(ROOT / GLOSSARY)
    assert len(terms) >= 50
    unused = [term for term in terms if not re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text)]
    assert not unused, f"abbreviations no page uses: {unused}"


def test_definitions_and_comments_are_read(tmp_path):
    path = tmp_path / "abbreviations.md"
    path.write_text("<!-- a comment\nover two lines -->\n*[AUC]: Area under the ROC curve\n\n*[k-NN]: k nearest neighbours\n")
    assert load_glossary(path) == {"AUC": "Area under the ROC curve", "k-NN": "k nearest neighbours"}


@pytest.mark.parametrize(("text", "message"), [
    ("*[AUC]: Area\n*[AUC]: Again\n", "abbreviations.md:2: 'AUC' is defined twice"),
    ("<!-- c -->\n*[AUC]: Area\n*[ROC] Receiver\n", "abbreviations.md:3: not an abbreviation"),
    ("*[AUC]:\n", "abbreviations.md:1: not an abbreviation"),
    ("<!-- nothing -->\n", "abbreviations.md: no abbreviations"),
])
def test_a_bad_glossary_names_the_file_and_line(tmp_path, text, message):
    path = tmp_path / "abbreviations.md"
    path.write_text(text)
    with pytest.raises(PluginError, match=re.escape(message)):
        load_glossary(path)
