"""Keep the search index to what readers search for: prose, headings, formulas as TeX, not notebook code.

Material's search plugin indexes each page's HTML when the page context is built. Two choices keep that index small
and its build fast, measured on the query list of `tests/search_queries.yml` (hit@3 the same either way):
- formulas are indexed as their TeX source, because `formulas.py` renders KaTeX only after indexing (indexing the
  rendered markup cost 5 % more index for nothing; plain text instead of TeX saved 3 % more and searched no better);
- the code cells of notebook pages carry `data-search-exclude`: they were a fifth of the index, and no query on the
  list needs them. Notebook prose, outputs and headings stay searchable, and the code a concept page shows is
  indexed on that page.
"""

from __future__ import annotations

NOTEBOOK_CODE = '<div class="highlight-ipynb'


def on_page_content(html, page, config, files):
    return html.replace(NOTEBOOK_CODE, f"<div data-search-exclude {NOTEBOOK_CODE.removeprefix('<div ')}")
