"""Every built page, in Chromium: nothing requested outside 127.0.0.1, no console error, no axe-core violation in
light or dark mode."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_browser import visit



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
        results = axe.run(page)
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{path}: axe {violation['id']} ({violation['help']}) at {targets}")
        problems += [f"{path}: console error {e}" for e in errors if "404.html" not in path]
        problems += [f"{path}: request left the site: {url}" for url in blocked]
        page.context.close()
    assert not problems, "\n".join(problems)
