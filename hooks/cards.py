"""Practice cards, taken from the rendered concept pages, written to `site/cards.json`.

Every interview-question heading (`### ... { #<question id> }` under "Interview questions") and every follow-up
(`??? question "..."` under "Follow-up questions") becomes a card: the question on the front, the answer as the page
renders it on the back (its math as MathML only, which browsers lay out natively, so the Practice page loads no
KaTeX), and a link to its place on the page. A card's id survives edits of its answer: the question id, or for a
follow-up `<page>#fu-<hash of the question's words>`, which is also the anchor this hook gives the follow-up on its
page. The build fails, naming the page, on a card with an empty answer or two cards with one id.

Cards are read in `on_page_context` after `hooks/formulas.py` has rendered the math; `hooks/anki_deck.py` makes the
Anki deck from cards.json, recovering each formula's TeX from its MathML annotation. Links in a card are rewritten to
work from the Practice page (`practice.md`). The offline edition also gets `cards.js`, the same data as a script:
a page opened from file:// cannot fetch a file beside it.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from front_matter import is_concept_page
from site_links import relative, resolve
from inventory import load_inventory

FORMAT = {"format": "mlguide-cards", "version": 1}
PRACTICE_PAGE = "practice.md"
QUESTIONS_SECTION, FOLLOW_UPS_SECTION = "interview-questions", "follow-up-questions"
CARDS_JSON, CARDS_SCRIPT = "cards.json", "cards.js"
FOLLOW_UP_TAG = re.compile(r'<details class="question">')
KATEX_HTML = "//*[contains(concat(' ', normalize-space(@class), ' '), ' katex-html ')]"

CARDS: dict[str, dict] = {}  # card id -> card, this build's
_practice_url: list[str] = [""]
_nav_order: dict[str, int] = {}


def follow_up_id(page_slug: str, question: str) -> str:
    """A follow-up's stable id: its page and a hash of its question's words, not of its answer."""
    words = " ".join(question.split())
    return f"{page_slug}#fu-{hashlib.sha1(words.encode()).hexdigest()[:10]}"


def _text(element) -> str:
    return " ".join(element.text_content().split())


def inner_html(element) -> str:
    head = html.escape(element.text, quote=False) if element.text else ""
    return (head + "".join(etree.tostring(child, encoding="unicode", method="html") for child in element)).strip()


def _portable(parts: list, page_url: str) -> "lxml.html.HtmlElement":
    """Copies of `parts` in one <div>, without KaTeX's HTML twin of each formula, links made to work from Practice."""
    box = lxml.html.fragment_fromstring("", create_parent="div")
    for part in parts:
        if isinstance(part, str):
            box.text = (box.text or "") + part
        else:
            box.append(copy.deepcopy(part))
    for element in box.xpath(KATEX_HTML + " | //a[contains(@class, 'headerlink')]"):
        element.drop_tree()
    for node, attribute in [(a, "href") for a in box.iter("a")] + [(i, "src") for i in box.iter("img")]:
        value = node.get(attribute)
        if value and not urlsplit(value).scheme and not value.startswith("/"):
            node.set(attribute, relative(_practice_url[0], resolve(page_url, value)))
    return box


def _sections(root) -> dict[str, list]:
    """The top-level elements of each H2 section, by the H2's id."""
    sections, current = {}, None
    for element in root:
        if element.tag == "h2":
            current = sections.setdefault(element.get("id", ""), [])
        elif current is not None:
            current.append(element)
    return sections


def page_cards(html: str, src_uri: str, page_url: str, meta: dict, sources: dict[str, str]) -> list[dict]:
    """The cards of one rendered concept page, in page order. `sources` maps question ids to their source."""
    slug = src_uri[: -len(".md")]
    sections = _sections(lxml.html.fragment_fromstring(html, create_parent="div"))
    common = {"page": slug, "title": meta["title"], "area": meta["tags"][0], "tags": meta["tags"][1:],
              "level": meta["level"]}
    pairs = []  # (id, kind, anchor, source, front parts, back parts)
    heading, answer = None, []
    for element in [*sections.get(QUESTIONS_SECTION, []), None]:
        if element is None or element.tag == "h3":
            qid = heading.get("id") if heading is not None else None
            if qid in sources:  # an inventory question: its id is the card's
                pairs.append((qid, "question", qid, sources[qid], [heading.text or "", *heading], answer))
            elif qid:  # a question the page asks itself (no inventory id): the page slug and the heading's anchor
                pairs.append((f"{slug}#{qid}", "question", qid, None, [heading.text or "", *heading], answer))
            heading, answer = element, []
        elif heading is not None:
            answer.append(element)
    for details in (el for el in sections.get(FOLLOW_UPS_SECTION, []) if el.tag == "details"):
        summary = details.find("summary")
        if summary is None or not _text(summary):
            raise PluginError(f"{src_uri}: a follow-up question has no question text")
        card_id = follow_up_id(slug, _text(summary))
        pairs.append((card_id, "follow-up", card_id.split("#", 1)[1], None, [summary.text or "", *summary],
                      [details.text or "", *(child for child in details if child is not summary)]))
    cards = []
    for card_id, kind, anchor, source, front, back in pairs:
        front_box, back_box = _portable(front, page_url), _portable(back, page_url)
        question = _text(front_box)
        if not _text(back_box) and back_box.find(".//img") is None:
            raise PluginError(f"{src_uri}: the card {question!r} has an empty answer")
        cards.append({"id": card_id, "kind": kind, **common, "source": source, "question": question,
                      "front": inner_html(front_box), "back": inner_html(back_box),
                      "url": relative(_practice_url[0], f"{page_url}#{anchor}")})
    return cards


def _anchor_follow_ups(html: str, cards: list[dict], src_uri: str) -> str:
    """The page's HTML with each follow-up's <details> given the card's anchor, so a card can link to it."""
    start = html.find(f'<h2 id="{FOLLOW_UPS_SECTION}"')
    end = html.find("<h2 ", start + 1) if start >= 0 else -1
    end = len(html) if end < 0 else end
    anchors = iter(card["id"].split("#", 1)[1] for card in cards if card["kind"] == "follow-up")
    section, count = FOLLOW_UP_TAG.subn(lambda m: f'<details class="question" id="{next(anchors)}">',
                                        html[start:end])
    if start >= 0 and count != sum(card["kind"] == "follow-up" for card in cards):
        raise PluginError(f"{src_uri}: could not anchor the follow-up questions (nested or unusual <details>?)")
    return html[:start] + section + html[end:] if start >= 0 else html


def on_files(files, config):
    CARDS.clear()
    practice = files.get_file_from_path(PRACTICE_PAGE)
    if practice is None:
        raise PluginError(f"hooks/cards.py: docs/{PRACTICE_PAGE} is missing: the cards have no page to show them")
    _practice_url[0] = practice.url
    return files


def on_nav(nav, config, files):
    _nav_order.clear()
    _nav_order.update({page.file.src_uri[: -len(".md")]: i for i, page in enumerate(nav.pages)})
    return nav


@event_priority(-200)  # after hooks/formulas.py (-100) has rendered the math
def on_page_context(context, page, config, nav):
    if not is_concept_page(page.file.src_uri) or not page.content:
        return context
    inventory = load_inventory()
    sources = {qid: inventory.questions[qid].source for qid in page.meta.get("questions", [])}
    cards = page_cards(page.content, page.file.src_uri, page.url, page.meta, sources)
    for card in cards:
        if card["id"] in CARDS:
            raise PluginError(f"{page.file.src_uri}: two cards have the id {card['id']!r} "
                              f"(the other is on {CARDS[card['id']]['page']}.md): reword one question")
        CARDS[card["id"]] = card
    page.content = _anchor_follow_ups(page.content, cards, page.file.src_uri)
    return context


def cards_data() -> dict:
    """What cards.json holds: the cards in the order of the nav, and the titles of the source articles."""
    ordered = sorted(CARDS.values(), key=lambda card: _nav_order.get(card["page"], len(_nav_order)))
    CARDS.clear()
    CARDS.update((card["id"], card) for card in ordered)
    sources = {slug: source["title"] for slug, source in load_inventory().sources.items()}
    return {**FORMAT, "practice_page": _practice_url[0], "sources": sources, "cards": ordered}


def on_post_build(config):
    site = Path(config["site_dir"])
    data = json.dumps(cards_data(), ensure_ascii=False, separators=(",", ":"))
    (site / CARDS_JSON).write_text(data, encoding="utf-8")
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    if plugin and plugin.config.enabled:
        (site / CARDS_SCRIPT).write_text(f"window.MLGUIDE_CARDS = {data};\n", encoding="utf-8")
