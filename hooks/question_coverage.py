"""Check that every question of the inventory is answered, once, under its own heading.

Concept pages claim questions in their front matter (`questions: [id, ...]`). The build fails, naming the page and the
id, when a page claims an id the inventory does not have, when two pages claim the same id, when a claimed id has no
heading carrying it as its anchor (`### The question { #id }`), when a question is claimed by no page and is not in
the inventory's `pending:` list, and when a pending question is claimed (it must then leave `pending:`).
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from front_matter import concept_pages, is_concept_page
from inventory import load_inventory


def claimed_questions(files) -> dict[str, str]:
    """Map each claimed question id to the src_uri of the page that claims it, checking ids and duplicates."""
    inventory = load_inventory()
    claims: dict[str, str] = {}
    for src_uri, meta in concept_pages(files).items():
        for qid in meta["questions"]:
            if qid not in inventory.questions:
                raise PluginError(f"{src_uri}: claims question {qid!r}, which is not in {inventory.path.name}")
            if qid in claims:
                raise PluginError(f"{src_uri}: claims question {qid!r}, already claimed by {claims[qid]}")
            claims[qid] = src_uri
    return claims


def unanswered_questions(files) -> list[str]:
    """Ids of questions no page claims; fail if one is not declared pending or a pending one is claimed."""
    inventory = load_inventory()
    claims = claimed_questions(files)
    for qid in inventory.pending:
        if qid in claims:
            raise PluginError(f"{claims[qid]}: answers {qid!r}; remove it from 'pending:' in {inventory.path.name}")
    missing = [qid for qid in inventory.questions if qid not in claims and qid not in inventory.pending]
    if missing:
        raise PluginError(
            f"{inventory.path.name}: no page answers {', '.join(missing)}; "
            "claim them in a page's front matter or list them under 'pending:'"
        )
    return [qid for qid in inventory.questions if qid not in claims]


def on_files(files, config):
    unanswered_questions(files)


def has_heading_anchor(html: str, anchor: str) -> bool:
    return re.search(rf'<h[1-6][^>]*\sid="{re.escape(anchor)}"', html) is not None


def on_page_content(html, page, config, files):
    if is_concept_page(page.file.src_uri):
        for qid in page.meta.get("questions", []):
            if not has_heading_anchor(html, qid):
                raise PluginError(
                    f"{page.file.src_uri}: claims question {qid!r} but has no heading with that anchor; "
                    f"add '### <the question> {{ #{qid} }}'"
                )
    return html
