"""The practice cards as an Anki deck, `site/ml-interview-guide.apkg`, built with genanki.

One note per card of `site/cards.json` (written by `hooks/cards.py` just before), tagged with its area, topics, level and (for inventory questions) source.
Anki renders math itself between `\\(...\\)` and `\\[...\\]`, so each KaTeX formula goes back to its TeX, which
KaTeX keeps in the MathML annotation. Links point at the hosted site (`site_url`). A note's GUID is derived from the
card id only, so importing a newer deck updates a reader's notes, with their review history, instead of adding
copies. The model and deck ids are fixed numbers for the same reason; changing them makes Anki see a new deck.
"""

from __future__ import annotations

import re
import json
import time
from pathlib import Path

import genanki
import lxml.html
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from cards import CARDS_JSON
from page_cards import inner_html
from site_links import resolve

DECK_FILE = "ml-interview-guide.apkg"
DECK_ID, MODEL_ID = 1_772_311_530, 1_772_311_531  # chosen once, at random; never change them
FIELDS = ["Front", "Back", "Page", "Link", "Id"]
KATEX = "//span[contains(concat(' ', normalize-space(@class), ' '), ' katex ')]"
TEX = ".//annotation[@encoding='application/x-tex']"
MODEL = genanki.Model(
    MODEL_ID, "ML Interview Guide card",
    fields=[{"name": name} for name in FIELDS],
    templates=[{
        "name": "Question",
        "qfmt": '<div class="front">{{Front}}</div>',
        "afmt": '{{FrontSide}}<hr id="answer"><div class="back">{{Back}}</div>'
                '<p class="source"><a href="{{Link}}">{{Page}}</a></p>',
    }],
    css=".card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; line-height: 1.5; }\n"
        ".front { font-weight: 600; }\n.source { font-size: 14px; opacity: 0.75; }\n",
)


def anki_html(card_html: str, practice_url: str, site_url: str) -> str:
    """A card's HTML for Anki: formulas as \\(TeX\\) or \\[TeX\\], links (relative to the Practice page) absolute
    to the hosted site."""
    box = lxml.html.fragment_fromstring(card_html or "", create_parent="div")
    for formula in box.xpath(KATEX):
        annotation = formula.find(TEX)
        if annotation is None:
            raise PluginError(f"hooks/anki_deck.py: a formula has no TeX annotation: {card_html[:200]!r}")
        parent = formula.getparent()
        display = parent is not None and "katex-display" in (parent.get("class") or "")
        tex = annotation.text or ""
        replacement = lxml.html.Element("span")
        replacement.text = f"\\[{tex}\\]" if display else f"\\({tex}\\)"
        replacement.tail = formula.tail
        formula.getparent().replace(formula, replacement)
    for node, attribute in [(a, "href") for a in box.iter("a")] + [(i, "src") for i in box.iter("img")]:
        value = node.get(attribute)
        if value and not re.match(r"^[a-z]+:", value):
            node.set(attribute, site_url + resolve(practice_url, value))
    return inner_html(box)


def tag(text: str) -> str:
    """An Anki tag (no spaces): 'Neural networks' -> 'neural-networks'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def deck(cards: list[dict], practice_url: str, site_url: str) -> genanki.Deck:
    result = genanki.Deck(DECK_ID, "ML Interview Guide")
    for card in cards:
        page = resolve(practice_url, card["url"])
        tags = [f"area::{tag(card['area'])}", f"level::{card['level']}", *(f"topic::{tag(t)}" for t in card["tags"])]
        if card["source"]:
            tags.append(f"source::{card['source']}")
        result.add_note(genanki.Note(
            model=MODEL, guid=genanki.guid_for(card["id"]), tags=tags,
            fields=[anki_html(card["front"], practice_url, site_url), anki_html(card["back"], practice_url, site_url),
                    card["title"], site_url + page, card["id"]],
        ))
    return result


@event_priority(-10)  # after hooks/cards.py has written cards.json
def on_post_build(config):
    site_url = config.get("site_url") or ""
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    data = json.loads((Path(config["site_dir"]) / CARDS_JSON).read_text(encoding="utf-8"))
    package = genanki.Package(deck(data["cards"], data["practice_page"], site_url))
    package.write_to_file(str(Path(config["site_dir"]) / DECK_FILE), timestamp=time.time())
