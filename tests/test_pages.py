"""Concept pages follow the template in docs/contributing/writing-a-page.md."""

from __future__ import annotations

import re

import pytest

from inventory import load_inventory
from pages import TEMPLATE_SECTIONS, concept_pages, prose_words, sections

PAGES = concept_pages()


def test_there_are_concept_pages():
    assert len(PAGES) >= 10


@pytest.mark.parametrize("src_uri", PAGES)
def test_sections_follow_the_template(src_uri):
    _, body = PAGES[src_uri]
    assert list(sections(body)) == TEMPLATE_SECTIONS


@pytest.mark.parametrize("src_uri", PAGES)
def test_question_headings_quote_the_inventory(src_uri):
    meta, body = PAGES[src_uri]
    questions = load_inventory().questions
    asked = sections(body)["Interview questions"]
    headings = dict((anchor, text) for text, anchor in re.findall(r"^### (.+?) \{ #([\w-]+) \}\s*$", asked, flags=re.M))
    assert list(headings) == meta["questions"], "one H3 per claimed question, in front-matter order"
    for qid, text in headings.items():
        assert text == questions[qid].question, f"{qid}: heading differs from the inventory"


@pytest.mark.parametrize("src_uri", PAGES)
def test_page_depth(src_uri):
    meta, body = PAGES[src_uri]
    parts = sections(body)
    assert 3 <= len(re.split(r"[.!?](?:\s|$)", parts["The short answer"].strip())) - 1 <= 6, "3-5 sentences"
    assert len(re.findall(r'^\?\?\?\+? question "', parts["Follow-up questions"], flags=re.M)) >= 3
    assert len(re.findall(r"\]\((?:\.\./)?[\w/-]+\.md(?:#[\w-]+)?\)", parts["Related concepts"])) >= 3
    assert "$" in parts["How it works"], "the math is written out"
    assert parts["References"].strip()
    assert meta["aliases"], "also-known-as names help search"
    assert prose_words(body) >= 800, f"{prose_words(body)} words of prose"
