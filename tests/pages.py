"""Helpers that read the guide's source: concept pages, their front matter and sections, notebooks, nav entries."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT
from front_matter import is_concept_page, is_practice_page, split_front_matter

DOCS = ROOT / "docs"
TEMPLATE_SECTIONS = [
    "The short answer", "Intuition", "How it works", "In code", "Pitfalls and misconceptions",
    "Interview questions", "Follow-up questions", "Related concepts", "References",
]
# The practice variant (docs/career/): the short answer becomes what the interviewer is assessing and an outline.
PRACTICE_SECTIONS = [
    "What the interviewer is assessing", "A strong answer in outline", "A structure to follow", "Example answers",
    "What weakens an answer", "Interview questions", "Follow-up questions", "Related concepts", "References",
]
PRACTICE_EXTRAS_AFTER = "A structure to follow"  # optional sections (In code, a survey) go between this and the next
SHORT_ANSWER = {False: "The short answer", True: "What the interviewer is assessing"}


def concept_pages() -> dict[str, tuple[dict, str]]:
    """src_uri -> (front matter, Markdown body) for every concept page."""
    pages = {}
    for path in sorted(DOCS.glob("*/*.md")):
        src_uri = path.relative_to(DOCS).as_posix()
        if is_concept_page(src_uri):
            pages[src_uri] = split_front_matter(src_uri, path.read_text(encoding="utf-8"))
    return pages


def required_sections(src_uri: str, titles: list[str]) -> list[str]:
    """The sections a page must have, in order; for a practice page, with the optional ones it has in their place."""
    if not is_practice_page(src_uri):
        return TEMPLATE_SECTIONS
    cut = PRACTICE_SECTIONS.index(PRACTICE_EXTRAS_AFTER) + 1
    extras = [title for title in titles if title not in PRACTICE_SECTIONS]
    return PRACTICE_SECTIONS[:cut] + extras + PRACTICE_SECTIONS[cut:]


def short_answer(src_uri: str, body: str) -> str:
    """The part said aloud in about 30 seconds: the short answer, or on a practice page what is being assessed."""
    return sections(body)[SHORT_ANSWER[is_practice_page(src_uri)]]


def site_urls() -> list[str]:
    """Site-relative URL of every page a (print-enabled) build writes, derived from the sources."""
    urls = ["404.html", "print_page/"]
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).with_suffix("").as_posix()
        urls.append("" if rel == "index" else rel.removesuffix("/index").removesuffix("index") + "/")
    urls += [path.relative_to(DOCS).with_suffix("").as_posix() + "/" for path in notebooks()]
    return sorted(urls)


def offline_pages() -> list[str]:
    """Folder-relative file of every page the offline edition holds (`use_directory_urls: false`, no print page, no
    404 page), derived from the sources."""
    sources = [path.relative_to(DOCS) for path in DOCS.rglob("*.md")] + [path.relative_to(DOCS) for path in notebooks()]
    return sorted(source.with_suffix(".html").as_posix() for source in sources)


def notebooks() -> list[Path]:
    return sorted(DOCS.glob("*/notebooks/*.py"))


def without_code(markdown: str) -> str:
    """Markdown with fenced code, display math and snippet lines removed."""
    markdown = re.sub(r"^([ \t]*)(```|~~~).*?^\1\2", "", markdown, flags=re.S | re.M)
    return re.sub(r"\$\$.*?\$\$", "", markdown, flags=re.S)


def sections(markdown: str) -> dict[str, str]:
    """H2 title -> the Markdown under it, in page order."""
    parts = re.split(r"^## (.+?)\s*$", without_code(markdown), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def prose_words(markdown: str) -> int:
    text = re.sub(r"\$[^$\n]+\$", " ", without_code(markdown))
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", text))


def spoken_words(markdown: str) -> int:
    """Words a candidate says reading `markdown` aloud: link targets dropped, each inline formula one word."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    text = re.sub(r"\$[^$\n]+\$", "x", text)
    return len([token for token in text.split() if re.search(r"[A-Za-z0-9]", token)])


# Prose that points at the articles the inventory came from, which a reader has never seen. Name the claim as a
# common answer instead. "The source of" (an error, a signal) and "source code" are ordinary English.
SOURCE_PHRASING = re.compile(
    r"\b(?:source|seed)s? (?:articles?|answers?|texts?|lists?|claims?)\b"
    r"|\b(?:one|a|another|some|both|two|three|all|the|these|those|each) sources?\b(?! code| of\b)",
    flags=re.I,
)


def nav_entries(nav) -> list[str]:
    """Every file named in a MkDocs nav, depth first."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [entry for value in nav.values() for entry in nav_entries(value)]
    return [entry for item in nav for entry in nav_entries(item)]
