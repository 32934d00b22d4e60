"""Every built page, in Chromium: nothing requested outside 127.0.0.1, no console error, no axe-core violation in
light or dark mode."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_browser import TWO_FRAMES, visit

# Notebook code out of view is not rendered until the reader scrolls near it (content-visibility: auto), and a11y.js
# makes a wide block focusable when it is shown. So on such pages axe runs as after a reader has scrolled through the
# page once, with every block then rendered for good so that axe checks the colours of all of them.
LAZY_CODE = ".jupyter-wrapper .highlight-ipynb > pre[style]"
READ_THROUGH = """async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
    scrollTo(0, y);
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
  scrollTo(0, 0);
}"""


def built_pages(site) -> list[str]:
    """Site-relative URLs of every HTML page the build wrote (404 page included)."""
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    return sorted(p.removesuffix("index.html") for p in pages)


def test_every_page_is_checked(site):
    assert len(built_pages(site)) >= 20


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_is_local_clean_and_accessible(browser, base_url, site, axe, scheme):
    problems = []
    for path in built_pages(site):
        page, errors, blocked = visit(browser, base_url + path, color_scheme=scheme)
        if page.locator(LAZY_CODE).count():
            page.evaluate(READ_THROUGH)
            page.add_style_tag(content=f"{LAZY_CODE} {{ content-visibility: visible !important; }}")
            page.evaluate(TWO_FRAMES)
        results = axe.run(page)
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{path}: axe {violation['id']} ({violation['help']}) at {targets}")
        problems += [f"{path}: console error {e}" for e in errors if "404.html" not in path]
        problems += [f"{path}: request left the site: {url}" for url in blocked]
        page.context.close()
    assert not problems, "\n".join(problems)
