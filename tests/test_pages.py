"""Concept pages follow the template in docs/contributing/writing-a-page.md, practice pages its practice variant."""

from __future__ import annotations

import datetime
import re

import pytest

from conftest import ROOT
from inventory import load_inventory
from front_matter import is_practice_page
from pages import (
    SOURCE_PHRASING, concept_pages, prose_words, required_sections, sections, short_answer, spoken_words, without_code,
)

PAGES = concept_pages()
PRACTICE = [src_uri for src_uri in PAGES if is_practice_page(src_uri)]
DATED = ["career/recent-advances.md"]  # content that goes stale: it says when it was last checked


def test_there_are_concept_pages():
    assert len(PAGES) >= 10


@pytest.mark.parametrize("src_uri", PAGES)
def test_sections_follow_the_template(src_uri):
    _, body = PAGES[src_uri]
    titles = list(sections(body))
    assert titles == required_sections(src_uri, titles)
    assert len(titles) <= len(required_sections(src_uri, [])) + 2, "at most two optional sections"


def test_the_practice_variant_is_checked():
    assert required_sections("career/x.md", ["A", "B"])[3:5] == ["A", "B"]
    assert required_sections("models/x.md", ["A"]) == required_sections("models/y.md", [])
    assert len(PRACTICE) >= 4, "the practice and career pages"


@pytest.mark.parametrize("src_uri", PRACTICE)
def test_practice_page_has_an_outline_and_labelled_examples(src_uri):
    parts = sections(PAGES[src_uri][1])
    steps = re.findall(r"^\d+\. \S", parts["A strong answer in outline"], flags=re.M)
    assert 3 <= len(steps) <= 7, f"{src_uri}: the outline has {len(steps)} numbered steps; give 3-7"
    assert spoken_words(parts["A strong answer in outline"]) <= 130, "an outline is said in about 45 s"
    examples = re.split(r"^### ", parts["Example answers"], flags=re.M)[1:]
    assert len(examples) >= 2 and all(example.startswith("Example") for example in examples), src_uri
    for example in examples:
        assert re.search(r"illustrative", example, flags=re.I), f"{src_uri}: label the example as illustrative"
        assert re.search(r"\d", example), f"{src_uri}: an example answer has concrete numbers"


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
    assert len(re.findall(r'^\?\?\?\+? question "', parts["Follow-up questions"], flags=re.M)) >= 3
    assert len(re.findall(r"\]\((?:\.\./)?[\w/-]+\.md(?:#[\w-]+)?\)", parts["Related concepts"])) >= 3
    if not is_practice_page(src_uri):
        assert "$" in parts["How it works"], "the math is written out"
    assert parts["References"].strip()
    assert meta["aliases"], "also-known-as names help search"
    assert prose_words(body) >= 800, f"{prose_words(body)} words of prose"


@pytest.mark.parametrize("src_uri", PAGES)
def test_short_answer_can_be_said_in_thirty_seconds(src_uri):
    _, body = PAGES[src_uri]
    words = spoken_words(short_answer(src_uri, body))
    assert 40 <= words <= 80, f"{src_uri}: the short answer has {words} words; say it in 40-80 (about 30 s aloud)"


@pytest.mark.parametrize("src_uri", PAGES)
def test_prose_never_cites_the_source_articles(src_uri):
    _, body = PAGES[src_uri]
    found = [m.group(0) for m in SOURCE_PHRASING.finditer(without_code(body))]
    assert not found, f"{src_uri}: {found}: a reader has not seen the articles; name the claim as a common answer"


@pytest.mark.parametrize("text, words", [
    ("AUC is the chance a [positive](roc-auc.md#how-it-works) outranks a negative: $P(S_+ > S_-)$.", 10),
    ("Two words", 2), ("It - is 0.5 , not 1.", 5),
])
def test_spoken_words_counts_what_is_said(text, words):
    assert spoken_words(text) == words


@pytest.mark.parametrize("text, bad", [
    ("Both source answers say it does.", True), ("One source says k-fold helps.", True),
    ("A common answer says it does.", False), ("the source of the leak", False), ("fix the random seed", False),
    ("The seed answers are wrong here.", True), ("The sources disagree.", True), ("open-source code", False),
])
def test_source_phrasing_pattern(text, bad):
    assert bool(SOURCE_PHRASING.search(text)) is bad


@pytest.mark.parametrize("src_uri", PAGES)
def test_table_headers_have_words(src_uri):
    """A header cell that is only a formula has no accessible name (axe: empty-table-header)."""
    lines = PAGES[src_uri][1].splitlines()
    for header, rule in zip(lines, lines[1:]):
        if header.startswith("|") and re.match(r"^\|\s*:?-{3}", rule):
            cells = [cell.strip() for cell in header.strip().strip("|").split("|")]
            assert not [c for c in cells if not c or re.fullmatch(r"\$[^$]*\$", c)], f"{src_uri}: {header}"


def test_code_is_removed_but_the_prose_between_blocks_stays():
    markdown = "Intro.\n\n    ```python\n    x = 1\n    ```\n\nMiddle words.\n\n```\ny = 2\n```\nEnd.\n"
    assert without_code(markdown).split() == ["Intro.", "Middle", "words.", "End."]


@pytest.mark.parametrize("src_uri", DATED)
def test_dated_pages_say_when_they_were_last_reviewed(src_uri):
    reviewed = PAGES[src_uri][0].get("reviewed")
    assert isinstance(reviewed, datetime.date), f"{src_uri}: front matter needs 'reviewed: YYYY-MM-DD'"
    age = (datetime.date.today() - reviewed).days
    assert age <= 366, f"{src_uri}: last reviewed {age} days ago; check every claim again and update 'reviewed'"

