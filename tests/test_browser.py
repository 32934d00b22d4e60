"""The built site in headless Chromium: no errors, no request leaves 127.0.0.1, math renders, search finds answers."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from pages import concept_pages

CONCEPT = "evaluation/roc-auc/"


def visit(browser, url: str, *, color_scheme: str = "light"):
    """Open `url`, blocking every host but 127.0.0.1; return (page, console errors, blocked requests)."""
    context = browser.new_context(color_scheme=color_scheme)
    page = context.new_page()
    errors, blocked = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def guard(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url, wait_until="networkidle")
    return page, errors, blocked


@pytest.mark.parametrize("path", ["", CONCEPT])
def test_page_loads_cleanly_and_stays_local(browser, base_url, path):
    page, errors, blocked = visit(browser, base_url + path)
    assert page.title()
    assert errors == []
    assert blocked == []
    page.context.close()


def test_math_is_rendered(browser, base_url, site):
    html = (site / CONCEPT / "index.html").read_text(encoding="utf-8")
    assert '<span class="arithmatex"><span class="katex">' in html, "math is rendered at build time"
    assert "katex.min.js" not in html, "a page with pre-rendered math loads no math JavaScript"
    page, errors, _ = visit(browser, base_url + CONCEPT)
    assert page.locator(".arithmatex .katex").count() > 0
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "\\frac" not in text and "\\[" not in text
    assert errors == []
    page.context.close()


def test_dark_mode_recolours_figures(browser, base_url):
    page, errors, _ = visit(browser, base_url + CONCEPT, color_scheme="dark")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    figure = page.locator("img.nb-figure").first
    assert "invert" in figure.evaluate("img => getComputedStyle(img).filter")
    page.context.close()


def search_results(page, query: str) -> list[str]:
    """Type `query` into the search box as a reader would; return the result pages, best first, without repeats."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    box.press("End")  # Material searches on key events, which fill() alone does not send
    page.wait_for_function("() => !document.querySelector('.md-search-result__item')")
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        "() => /matching document/i.test(document.querySelector('.md-search-result__meta').textContent)", timeout=10_000
    )
    links = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    return list(dict.fromkeys(link.split("?")[0].split("#")[0] for link in links))


def test_searching_a_question_finds_its_page(browser, base_url, site):
    records = [r for r in json.loads((site / "questions.json").read_text()) if r["status"] == "answered"]
    page, errors, _ = visit(browser, base_url)
    assert len(records) >= 50
    missed = []
    for record in records:  # pasted whole, as a candidate would paste the question just asked
        results = search_results(page, record["question"])
        if base_url + record["url"].split("#")[0] not in results[:3]:
            missed.append(f"{record['id']} {record['question']!r}: {[r.removeprefix(base_url) for r in results[:3]]}")
    assert not missed, "\n".join(missed)
    assert errors == []
    page.context.close()


NOTEBOOK = "evaluation/notebooks/roc_pr_imbalanced/"
CODE_BLOCKS = ".jupyter-wrapper .highlight-ipynb > pre"
BOXES = f"() => [...document.querySelectorAll('{CODE_BLOCKS}')].map(e => [e.offsetWidth, e.offsetHeight])"
IS_RENDERED = "pre => pre.firstElementChild.checkVisibility({contentVisibilityAuto: true})"
# Two painted frames, or an error if the page stops painting: a renderer that stalled once made a run hang for good.
FRAMES_OR_FAIL = """(count => new Promise((done, fail) => {
  const stalled = setTimeout(() => fail(new Error(`no frame painted within 5 s (waiting for ${count})`)), 5000);
  const next = left => left ? requestAnimationFrame(() => next(left - 1)) : (clearTimeout(stalled), done());
  next(count);
}))"""
TWO_FRAMES = f"() => {FRAMES_OR_FAIL}(2)"


@pytest.mark.parametrize("width", [390, 1280])
def test_code_blocks_out_of_view_are_skipped_but_keep_their_size(browser, base_url, width):
    """Notebook code far down is not laid out at load (content-visibility), yet takes exactly its rendered size."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + NOTEBOOK, wait_until="networkidle")
    assert not page.locator(CODE_BLOCKS).last.evaluate(IS_RENDERED), "the last code block waits until scrolled to"
    reserved = page.evaluate(BOXES)
    page.add_style_tag(content=f"{CODE_BLOCKS} {{ content-visibility: visible !important; }}")
    assert page.evaluate(BOXES) == reserved, "a code block changes size when it is shown"
    context.close()


def test_wide_code_becomes_keyboard_scrollable_when_shown(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(base_url + NOTEBOOK, wait_until="networkidle")
    code = page.locator(CODE_BLOCKS).last
    assert code.get_attribute("tabindex") is None, "not measured while skipped"
    code.scroll_into_view_if_needed()
    page.wait_for_function(IS_RENDERED, arg=code.element_handle())
    page.evaluate(TWO_FRAMES)
    assert code.evaluate("pre => pre.scrollWidth > pre.clientWidth"), "the last block has a line wider than a phone"
    assert code.evaluate("pre => (pre.scrollLeft = 40, pre.scrollLeft)") == 40, "the block scrolls (it is not clipped)"
    assert code.get_attribute("tabindex") == "0"
    context.close()
