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
- a page's entries are kept between builds (`memo.py`, `.cache/search/`), keyed on everything the plugin reads to
  make them: the HTML it is handed, the page's URL, title, table of contents and front matter. Parsing the HTML of
  147 pages was 2.8 s of a 14 s build with nothing changed.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

from material.plugins.search.plugin import SearchIndex
from mkdocs.plugins import CombinedEvent, event_priority

from memo import Memo
from render_cache import toc_tokens

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
_memo: list[Memo] = []


def remembered_entries(index: SearchIndex, page) -> None:
    """`SearchIndex.add_entry_from_context`, with the page's entries from the memo when its inputs are unchanged."""
    meta = {name: page.meta.get(name) for name in ("title", "tags", "search")}
    key = Memo.key(page.content, page.url, str(page.title), toc_tokens(page.toc), meta)
    entries = _memo[0].get(key)
    if entries is None:
        before = len(index.entries)
        SearchIndex.add_entry_from_context(index, page)
        entries = index.entries[before:]
        _memo[0].put(key, entries)
    else:
        index.entries.extend(entries)


def on_pre_build(config):
    _memo[:] = [Memo(config, "search")]


@event_priority(50)  # just before the search plugin (priority 0) indexes the page
def _hide_excluded_code(context, page, config, nav):
    index = config.plugins["material/search"].search_index
    if "add_entry_from_context" not in vars(index):
        index.add_entry_from_context = types.MethodType(remembered_entries, index)
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
    _memo[0].save()
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        if QUESTION_SECTION.search(doc["location"]):
            doc["boost"] = doc.get("boost", 1) * QUESTION_BOOST
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
