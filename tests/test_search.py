"""Search finds the right page: at least 90% of realistic queries have their page in the top three results."""

from __future__ import annotations

import html
import json
from pathlib import Path

import jupytext
import yaml

from pages import DOCS, notebooks
from test_browser import search_results, visit

QUERIES = yaml.safe_load((Path(__file__).with_name("search_queries.yml")).read_text(encoding="utf-8"))


def test_query_set_is_large_and_points_at_real_pages():
    assert sum(len(queries) for queries in QUERIES.values()) >= 50
    for src_uri in QUERIES:
        assert (Path(__file__).parents[1] / "docs" / src_uri).is_file(), src_uri


def test_hit_at_3_is_at_least_90_percent(browser, base_url):
    page, errors, _ = visit(browser, base_url)
    misses, total = [], 0
    for src_uri, queries in QUERIES.items():
        target = base_url + src_uri.removesuffix(".md") + "/"
        for query in queries:
            total += 1
            top3 = search_results(page, query)[:3]
            if target not in top3:
                misses.append(f"{query!r} -> {src_uri} not in {[u.removeprefix(base_url) for u in top3]}")
    hit_rate = 1 - len(misses) / total
    print(f"search hit@3: {hit_rate:.1%} of {total} queries")
    assert hit_rate >= 0.9, "\n".join(misses)
    assert errors == []
    page.context.close()


def search_docs(site) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_the_index_holds_formulas_as_tex_not_rendered_markup(site):
    docs = search_docs(site)
    assert not [d["location"] for d in docs if "katex" in d["text"]], "KaTeX markup reached the search index"
    roc = " ".join(d["text"] for d in docs if d["location"].startswith("evaluation/roc-auc/"))
    assert "\\mathrm{TPR}" in roc, "the page's formulas are indexed as their TeX source"


def test_the_index_leaves_out_notebook_code_but_keeps_notebook_prose(site):
    docs = search_docs(site)
    for path in notebooks():
        notebook = jupytext.read(path)
        location = path.relative_to(DOCS).with_suffix("").as_posix() + "/"
        text = " ".join(d["text"] for d in docs if d["location"].startswith(location))
        code = [line.strip() for cell in notebook.cells if cell.cell_type == "code"
                for line in cell.source.splitlines() if len(line.strip()) > 40 and not line.strip().startswith("#")]
        assert code and not [line for line in code if html.escape(line, quote=False) in text], location
        title = notebook.cells[0].source.splitlines()[0].removeprefix("# ").strip()
        assert title in [d["title"] for d in docs if d["location"] == location], f"{location}: its title is searchable"
        assert any(d["text"] for d in docs if d["location"].startswith(location)), f"{location}: its prose is indexed"


INDEX_REQUESTED = "() => performance.getEntriesByType('resource').some(e => e.name.endsWith('/search/search_index.json'))"


def test_the_index_is_fetched_only_after_the_page_has_loaded(browser, base_url):
    page, errors, _ = visit(browser, base_url + "practice/")
    page.wait_for_function(INDEX_REQUESTED)
    timing = page.evaluate("""() => ({
        load: performance.getEntriesByType('navigation')[0].loadEventStart,
        index: performance.getEntriesByType('resource').find(e => e.name.endsWith('/search/search_index.json')).startTime,
        cards: performance.getEntriesByName('practice-first-card')[0].startTime })""")
    assert timing["index"] >= timing["load"] and timing["index"] >= timing["cards"], timing
    assert errors == []
    page.context.close()


def test_reaching_for_search_fetches_the_index_before_the_page_has_loaded(browser, base_url):
    """A reader who types at once does not wait for the page's slowest image: focusing the box sends the request."""
    context = browser.new_context()
    page = context.new_page()
    held = []

    def with_a_slow_image(route):  # the page as served, plus one image that holds its load event back
        body = route.fetch().text().replace("</body>", '<img src="held.png" alt=""></body>')
        route.fulfill(body=body, content_type="text/html")

    page.route(base_url + "evaluation/roc-auc/", with_a_slow_image)
    page.route("**/held.png", lambda route: held.append(route))
    page.goto(base_url + "evaluation/roc-auc/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('.md-search__input') && document.body.dataset.mdColorScheme")
    page.wait_for_timeout(500)
    assert page.evaluate("document.readyState") != "complete" and held
    assert not page.evaluate(INDEX_REQUESTED), "the index was requested before the page loaded or search was wanted"
    page.locator("input.md-search__input").focus()
    page.wait_for_function(INDEX_REQUESTED, timeout=5_000)
    held[0].abort()
    context.close()
