"""Cards read from one rendered concept page (shared code of `cards.py`, not a hook).

Every interview-question heading under "Interview questions" and every `??? question` under "Follow-up questions" is a
card: its front and back are copies of the page's HTML without KaTeX's HTML twin of each formula (MathML stays) and
with links rewritten to work from the Practice page. A pure function of the page's HTML and front matter, which is
what lets `cards.py` keep its result between builds.
"""

from __future__ import annotations

import copy
import hashlib
import html
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from mkdocs.exceptions import PluginError

from site_links import relative, resolve

QUESTIONS_SECTION, FOLLOW_UPS_SECTION = "interview-questions", "follow-up-questions"
KATEX_HTML = "//*[contains(concat(' ', normalize-space(@class), ' '), ' katex-html ')]"


def follow_up_id(page_slug: str, question: str) -> str:
    """A follow-up's stable id: its page and a hash of its question's words, not of its answer."""
    words = " ".join(question.split())
    return f"{page_slug}#fu-{hashlib.sha1(words.encode()).hexdigest()[:10]}"


def _text(element) -> str:
    return " ".join(element.text_content().split())


def inner_html(element) -> str:
    head = html.escape(element.text, quote=False) if element.text else ""
    return (head + "".join(etree.tostring(child, encoding="unicode", method="html") for child in element)).strip()


def _portable(parts: list, page_url: str, practice_url: str) -> "lxml.html.HtmlElement":
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
            node.set(attribute, relative(practice_url, resolve(page_url, value)))
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


def page_cards(html: str, src_uri: str, page_url: str, meta: dict, sources: dict[str, str],
               practice_url: str) -> list[dict]:
    """The cards of one rendered concept page, in page order. `sources` maps question ids to their source; links
    in the cards are made relative to `practice_url`."""
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
        front_box, back_box = _portable(front, page_url, practice_url), _portable(back, page_url, practice_url)
        question = _text(front_box)
        if not _text(back_box) and back_box.find(".//img") is None:
            raise PluginError(f"{src_uri}: the card {question!r} has an empty answer")
        cards.append({"id": card_id, "kind": kind, **common, "source": source, "question": question,
                      "front": inner_html(front_box), "back": inner_html(back_box),
                      "url": relative(practice_url, f"{page_url}#{anchor}")})
    return cards
