"""Keep the search index to what readers search for: prose, headings, formulas as TeX, not notebook code.

Material's search plugin indexes each page's HTML when the page context is built. Measured on the query list of
`tests/search_queries.yml` and the guide of 2026-12-01:
- formulas are indexed as their TeX source, because `formulas.py` renders KaTeX only after indexing. Indexing the
  rendered markup made the index 5 % larger for nothing; plain text instead of TeX saved 3 % more with the same
  hit@3, so the simpler TeX stays.
- the code cells of notebook pages, and the hidden text of their copy buttons, carry `data-search-exclude`. They
  were a quarter of the index, and short notebook sections that merely mention a term crowded concept pages out of
  the top results. Notebook prose, outputs and headings stay searchable; code a concept page shows is indexed there.
"""

from __future__ import annotations

import re

NOTEBOOK_CODE = re.compile(r'<div (?=class="(?:highlight-ipynb|clipboard-copy-txt)\b)')  # the cell and its copy text


def on_page_content(html, page, config, files):
    return NOTEBOOK_CODE.sub("<div data-search-exclude ", html)
