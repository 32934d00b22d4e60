"""Keep the search index to what readers search for: prose, headings, formulas as TeX, not notebook code.

Material's search plugin indexes each page's HTML when the page context is built. Measured on the query list of
`tests/search_queries.yml` and the guide of 2026-12-01:
- formulas are indexed as their TeX source, because `formulas.py` renders KaTeX only after indexing. Indexing the
  rendered markup made the index 5 % larger for nothing; plain text instead of TeX saved 3 % more with the same
  hit@3, so the simpler TeX stays.
- the code cells of notebook pages, and the hidden text of their copy buttons, carry `data-search-exclude`. They
  were a quarter of the index, and short notebook sections that merely mention a term crowded concept pages out of
  the top results. Notebook prose, outputs and headings stay searchable; code a concept page shows is indexed there.
- the search plugin never sees that code at all: it is cut from the page's HTML just before the plugin parses it and
  put back right after (the index is the same to the byte). Parsing it cost the warm build 13 of its 24 s. For the
  same reason the plugin gets code blocks without their syntax-highlighting spans (same index; its parsing time at
  67 concept pages went from 2.8 to 1.2 s).
- the section under each interview-question heading (`#mentoring-02`) weighs QUESTION_BOOST times a plain section.
  Material ranks a page's own entry far above its sections (score × (1 + g²), g ≥ 1 for a page), so a question typed
  in full ("How does a decision tree work?") found pages that merely share its common words before the heading that
  answers it: 45 of 52 answered questions found their page at boost 1, 52 of 52 at 4 (with titles weighted 1, see
  `mkdocs.yml`), and hit@3 on the 204 queries of `tests/search_queries.yml` went from 92.2 to 91.2 % (measured
  2026-12-01, 31 concept pages).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority

NOTEBOOK_CODE = re.compile(r'<div (?=class="(?:highlight-ipynb|clipboard-copy-txt)\b)')  # the cell and its copy text
EXCLUDED_CODE = re.compile(r'<div data-search-exclude class="highlight-ipynb[^"]*"><pre[^>]*>.*?</pre></div>'
                           r'|<div data-search-exclude class="clipboard-copy-txt"[^>]*>.*?</div>', re.DOTALL)
CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
HIGHLIGHT_SPAN = re.compile(r"</?span\b[^>]*>")
QUESTION_SECTION = re.compile(r"#(?:mentoring|epam|grad)-\d+$")  # inventory ids, as hooks/questions.yml spells them
QUESTION_BOOST = 4


def on_page_content(html, page, config, files):
    return NOTEBOOK_CODE.sub("<div data-search-exclude ", html)


_full_content: dict[str, str] = {}


@event_priority(50)  # just before the search plugin (priority 0) indexes the page
def _hide_excluded_code(context, page, config, nav):
    if page.content:
        _full_content[page.file.src_uri] = page.content
        page.content = CODE_BLOCK.sub(lambda block: HIGHLIGHT_SPAN.sub("", block[0]), EXCLUDED_CODE.sub("", page.content))
    return context


@event_priority(-50)  # right after it, before formulas.py renders the math (-100) and the theme the page
def _restore_excluded_code(context, page, config, nav):
    if page.file.src_uri in _full_content:
        page.content = _full_content.pop(page.file.src_uri)
    return context


on_page_context = CombinedEvent(_hide_excluded_code, _restore_excluded_code)


@event_priority(-50)  # after the search plugin writes the index, before the offline plugin turns it into a script
def on_post_build(config):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        if QUESTION_SECTION.search(doc["location"]):
            doc["boost"] = doc.get("boost", 1) * QUESTION_BOOST
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
