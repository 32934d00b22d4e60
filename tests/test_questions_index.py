"""`site/questions.json` and the All questions page agree with the inventory and with the pages that answer."""

from __future__ import annotations

import json
import re

from inventory import load_inventory
from pages import concept_pages


def test_questions_json_lists_every_question(site):
    records = json.loads((site / "questions.json").read_text(encoding="utf-8"))
    inventory = load_inventory()
    assert [r["id"] for r in records] == list(inventory.questions)
    for record in records:
        question = inventory.questions[record["id"]]
        assert set(record) == {"id", "source", "question", "url", "status"}
        assert (record["source"], record["question"]) == (question.source, question.question)
        expected = "pending" if record["id"] in inventory.pending else "answered"
        assert record["status"] == expected, record["id"]


def test_answered_urls_land_on_the_answering_heading(site):
    claims = {qid: src for src, (meta, _) in concept_pages().items() for qid in meta["questions"]}
    records = [r for r in json.loads((site / "questions.json").read_text(encoding="utf-8")) if r["status"] == "answered"]
    assert records and {r["id"] for r in records} == set(claims)
    for record in records:
        path, anchor = record["url"].split("#")
        assert anchor == record["id"]
        assert path == claims[record["id"]].removesuffix(".md") + "/", record
        html = (site / path / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'<h3 id="{anchor}"', html), f"{path} has no heading {anchor}"


def test_pending_questions_have_no_url(site):
    pending = [r for r in json.loads((site / "questions.json").read_text(encoding="utf-8")) if r["status"] == "pending"]
    assert all(r["url"] is None for r in pending)
    assert len(pending) == len(load_inventory().pending)


def test_all_questions_page_lists_each_question_with_its_status(site):
    html = (site / "questions" / "index.html").read_text(encoding="utf-8")
    inventory = load_inventory()
    answered = len(inventory.questions) - len(inventory.pending)
    assert f"<strong>{answered} of 98</strong>" in html
    assert html.count("not answered yet") == len(inventory.pending)
    for qid in set(inventory.questions) - set(inventory.pending):
        assert f'#{qid}"' in html, f"no link to the answer of {qid}"
    for source in inventory.sources.values():
        assert source["title"] in html
