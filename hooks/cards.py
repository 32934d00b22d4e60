"""Practice cards, taken from the rendered concept pages, written to `site/cards.json`.

Every interview-question heading (`### ... { #<question id> }` under "Interview questions") and every follow-up
(`??? question "..."` under "Follow-up questions") becomes a card: the question on the front, the answer as the page
renders it on the back (its math as MathML only, which browsers lay out natively, so the Practice page loads no
KaTeX), and a link to its place on the page. A card's id survives edits of its answer: the question id, or for a
follow-up `<page>#fu-<hash of the question's words>`, which is also the anchor this hook gives the follow-up on its
page. The build fails, naming the page, on a card with an empty answer or two cards with one id.

Cards are read (`page_cards.py`) in `on_page_context`, after `hooks/formulas.py` has rendered the math, and kept
between builds on the page's HTML and front matter (`memo.py`, `.cache/cards/`). A dirty build (`make serve`) renders
only the pages edited since the last one; the others keep the cards the site already has. `hooks/anki_deck.py` makes
the Anki deck from cards.json, recovering each formula's TeX from its MathML annotation. The offline edition also gets
`cards.js`, the same data as a script: a page opened from file:// cannot fetch a file beside it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from front_matter import is_concept_page
from inventory import load_inventory
from memo import Memo
from page_cards import FOLLOW_UPS_SECTION, page_cards

FORMAT = {"format": "mlguide-cards", "version": 1}
PRACTICE_PAGE = "practice.md"
CARDS_JSON, CARDS_SCRIPT = "cards.json", "cards.js"
FOLLOW_UP_TAG = re.compile(r'<details class="question">')

CARDS: dict[str, dict] = {}  # card id -> card, this build's
_practice_url: list[str] = [""]
_nav_pages: dict[str, object] = {}  # page slug -> Page, in nav order
_memo: list[Memo] = []


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
    _memo[:] = [Memo(config, "cards")]
    practice = files.get_file_from_path(PRACTICE_PAGE)
    if practice is None:
        raise PluginError(f"hooks/cards.py: docs/{PRACTICE_PAGE} is missing: the cards have no page to show them")
    _practice_url[0] = practice.url
    return files


def on_nav(nav, config, files):
    _nav_pages.clear()
    _nav_pages.update({page.file.src_uri[: -len(".md")]: page for page in nav.pages})
    return nav


@event_priority(-200)  # after hooks/formulas.py (-100) has rendered the math
def on_page_context(context, page, config, nav):
    if not is_concept_page(page.file.src_uri) or not page.content:
        return context
    inventory = load_inventory()
    sources = {qid: inventory.questions[qid].source for qid in page.meta.get("questions", [])}
    meta = {name: page.meta.get(name) for name in ("title", "tags", "level")}
    key = Memo.key(page.content, page.file.src_uri, page.url, meta, sources, _practice_url[0])
    cards = _memo[0].get(key)
    if cards is None:
        cards = page_cards(page.content, page.file.src_uri, page.url, meta, sources, _practice_url[0])
        _memo[0].put(key, cards)
    for card in cards:
        if card["id"] in CARDS:
            raise PluginError(f"{page.file.src_uri}: two cards have the id {card['id']!r} "
                              f"(the other is on {CARDS[card['id']]['page']}.md): reword one question")
        CARDS[card["id"]] = card
    page.content = _anchor_follow_ups(page.content, cards, page.file.src_uri)
    return context


def keep_unrendered_pages_cards(site: Path) -> None:
    """A dirty build (`make serve`) renders only the pages edited since the last: the others keep their cards."""
    unrendered = {slug for slug, page in _nav_pages.items() if page.content is None}
    if unrendered and (site / CARDS_JSON).is_file():
        for card in json.loads((site / CARDS_JSON).read_text(encoding="utf-8"))["cards"]:
            if card["page"] in unrendered:
                CARDS.setdefault(card["id"], card)


def cards_data() -> dict:
    """What cards.json holds: the cards in the order of the nav, and the titles of the source articles."""
    order = {slug: i for i, slug in enumerate(_nav_pages)}
    ordered = sorted(CARDS.values(), key=lambda card: order.get(card["page"], len(order)))
    sources = {slug: source["title"] for slug, source in load_inventory().sources.items()}
    return {**FORMAT, "practice_page": _practice_url[0], "sources": sources, "cards": ordered}


def on_post_build(config):
    _memo[0].save()
    site = Path(config["site_dir"])
    keep_unrendered_pages_cards(site)
    data = json.dumps(cards_data(), ensure_ascii=False, separators=(",", ":"))
    (site / CARDS_JSON).write_text(data, encoding="utf-8")
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    if plugin and plugin.config.enabled:
        (site / CARDS_SCRIPT).write_text(f"window.MLGUIDE_CARDS = {data};\n", encoding="utf-8")
