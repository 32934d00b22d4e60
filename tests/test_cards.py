"""The practice cards (`site/cards.json`, hooks/cards.py) and the Anki deck (`site/ml-interview-guide.apkg`,
hooks/anki_deck.py): one card per answered question and per follow-up, answers that render and link, ids that survive
an edited answer, the size budgets, and a deck that is the zip and SQLite collection Anki reads."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import genanki

from conftest import run_build
from pages import concept_pages, sections

FOLLOW_UP = re.compile(r'^\?\?\? question "', re.M)
PAGES_PLANNED = 67  # ../shared/book-plan.md
QUESTIONS_IN_INVENTORY = 98


def cards_of(site: Path) -> list[dict]:
    data = json.loads((site / "cards.json").read_text(encoding="utf-8"))
    assert data["format"] == "mlguide-cards" and data["version"] == 1
    return data["cards"]


def deck_notes(apkg: Path, scratch: Path) -> list[dict]:
    """The notes of an .apkg: {guid, tags, fields} per note, read from its SQLite collection (copied to `scratch`)."""
    with zipfile.ZipFile(apkg) as archive, archive.open("collection.anki2") as collection:
        copy = scratch / f"{apkg.parent.name}-collection.anki2"
        copy.write_bytes(collection.read())
    with sqlite3.connect(copy) as db:
        rows = db.execute("SELECT guid, tags, flds FROM notes").fetchall()
    return [{"guid": guid, "tags": tags.split(), "fields": fields.split("\x1f")} for guid, tags, fields in rows]


def test_one_card_per_answered_question_and_per_follow_up(site):
    pages = concept_pages()
    questions = [qid for meta, _ in pages.values() for qid in meta["questions"]]
    own_questions = sum(len(re.findall(r"^### (?!.*\{ #)", sections(body)["Interview questions"], flags=re.M))
                        for _, body in pages.values())  # asked by a page that claims no inventory question
    follow_ups = sum(len(FOLLOW_UP.findall(body)) for _, body in pages.values())
    cards = cards_of(site)
    assert own_questions >= 2
    assert len(cards) == len(questions) + own_questions + follow_ups
    assert sorted(c["id"] for c in cards if c["kind"] == "question" and c["source"]) == sorted(questions)
    assert len([c for c in cards if c["kind"] == "question" and not c["source"]]) == own_questions
    assert len({c["id"] for c in cards}) == len(cards)
    for card in cards:
        assert card["page"] + ".md" in pages
        if card["kind"] == "follow-up":
            assert re.fullmatch(re.escape(card["page"]) + r"#fu-[0-9a-f]{10}", card["id"]), card["id"]


def test_answers_keep_their_math_as_mathml_only_and_their_links_resolve(site):
    practice = site / "practice"
    for card in cards_of(site):
        assert card["question"] and card["back"].strip()
        assert "katex-html" not in card["back"], f"{card['id']}: KaTeX's HTML twin should be stripped"
        if "katex" in card["back"]:
            assert "<math" in card["back"]
        links = re.findall(r'(?:href|src)="([^"]+)"', card["front"] + card["back"]) + [card["url"]]
        for link in links:
            parts = urlsplit(link)
            if parts.scheme:
                continue
            target = (practice / parts.path).resolve()
            target = target / "index.html" if target.is_dir() else target
            assert target.is_file(), f"{card['id']}: {link} leads nowhere from the Practice page"
            if parts.fragment:
                assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), f"{card['id']}: no #{parts.fragment}"


def test_cards_and_the_practice_page_stay_within_their_budgets(site):
    """cards.json at full size (projected from today's bytes per page) <= 400 KB gzip; the Practice page's HTML, CSS
    and JavaScript <= 150 KB gzip."""
    cards = cards_of(site)
    pages = {card["page"] for card in cards}
    follow_up_bytes = sum(len(gzip.compress(json.dumps(c).encode())) for c in cards if c["kind"] == "follow-up")
    question_cards = [c for c in cards if c["kind"] == "question"]
    per_question = sum(len(gzip.compress(json.dumps(c).encode())) for c in question_cards) / len(question_cards)
    whole = len(gzip.compress((site / "cards.json").read_bytes()))
    separate = follow_up_bytes + per_question * len(question_cards)
    projected = whole / separate * (follow_up_bytes / len(pages) * PAGES_PLANNED + per_question * QUESTIONS_IN_INVENTORY)
    assert projected <= 400_000, f"cards.json would be {projected / 1e3:.0f} KB gzip at {PAGES_PLANNED} pages"
    html = (site / "practice" / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'<(?:script[^>]*src|link[^>]*rel="stylesheet"[^>]*href)="([^"]+)"', html)
    total = len(gzip.compress(html.encode()))
    for asset in assets:
        total += len(gzip.compress((site / "practice" / urlsplit(asset).path).resolve().read_bytes()))
    assert total <= 150_000, f"the Practice page weighs {total / 1e3:.0f} KB gzip"


def test_every_follow_up_has_the_anchor_its_card_links_to(site):
    for card in (c for c in cards_of(site) if c["kind"] == "follow-up"):
        html = (site / card["page"] / "index.html").read_text(encoding="utf-8")
        assert f'<details class="question" id="{card["id"].split("#")[1]}">' in html


def test_every_concept_page_links_to_its_own_cards(site):
    for src_uri in concept_pages():
        html = (site / src_uri.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        assert f'href="../../practice/?page={src_uri.removesuffix(".md")}"' in html, src_uri


def test_the_anki_deck_holds_one_note_per_card(site, tmp_path):
    cards = {card["id"]: card for card in cards_of(site)}
    notes = deck_notes(site / "ml-interview-guide.apkg", tmp_path)
    assert len(notes) == len(cards)
    by_guid = {note["guid"]: note for note in notes}
    for card_id, card in cards.items():
        note = by_guid[genanki.guid_for(card_id)]
        front, back, title, link, note_id = note["fields"]
        assert (note_id, title) == (card_id, card["title"])
        assert link.startswith("https://") and link.endswith("#" + card["url"].split("#")[1])
        assert "<math" not in front + back, "Anki gets TeX, not MathML"
        if "<math" in card["back"]:
            assert re.search(r"\\\(.+?\\\)|\\\[.+?\\\]", back, re.S), f"{card_id}: math lost on its way to Anki"
        assert f"area::{card['area'].lower().replace(' ', '-')}" in note["tags"]
        assert f"level::{card['level']}" in note["tags"]
        assert (f"source::{card['source']}" in note["tags"]) == bool(card["source"])
        assert not re.search(r'href="(?!https?://)', back), f"{card_id}: a relative link cannot work inside Anki"


def test_ids_and_guids_survive_reworded_answers(project_copy, tmp_path, site):
    page_src, (meta, body) = next((src, page) for src, page in concept_pages().items() if page[0]["questions"])
    path = project_copy / "docs" / page_src
    text = path.read_text(encoding="utf-8")
    qid = meta["questions"][0]
    heading = re.search(rf"^### .*\{{ #{qid} \}}\n", text, re.M)
    reworded = text[: heading.end()] + "\nReworded in a scratch copy: the id must not change.\n" + text[heading.end():]
    follow_up = FOLLOW_UP.search(reworded)
    line_end = reworded.index("\n", follow_up.end())
    reworded = reworded[: line_end + 1] + "    An added first sentence.\n" + reworded[line_end + 1:]
    path.write_text(reworded, encoding="utf-8")
    result = run_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    before, after = cards_of(site), cards_of(tmp_path / "out")
    assert [c["id"] for c in after] == [c["id"] for c in before]
    changed = [c["id"] for b, c in zip(before, after) if b["back"] != c["back"]]
    assert qid in changed and len(changed) == 2, changed
    rebuilt, built = (deck_notes(s / "ml-interview-guide.apkg", tmp_path) for s in (tmp_path / "out", site))
    assert sorted(n["guid"] for n in rebuilt) == sorted(n["guid"] for n in built)


def test_a_dated_page_header_shows_its_review_date(site):
    """The header the front-matter hook renders (the same line as the Practise link) carries `reviewed`."""
    src_uri = "career/recent-advances.md"
    reviewed = concept_pages()[src_uri][0]["reviewed"]
    html = (site / src_uri.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'Last reviewed:</strong> <time datetime="{reviewed.isoformat()}">{reviewed.day} ', html)
