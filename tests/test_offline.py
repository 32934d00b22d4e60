"""The offline edition (`make offline`), unzipped and opened from file:// in Chromium: it works without a server and
makes no request outside its folder; and the site's button offers the zip with its true size."""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import ROOT, run_build
from make_offline import TOP
from offline import ZIP_NAME, human_size
from pages import concept_pages, offline_pages

CONCEPT = "evaluation/roc-auc.html"
NOTEBOOK = "evaluation/notebooks/roc_pr_imbalanced.html"


def visit(browser, folder: Path, url: str):
    """Open `url` (file://) blocking every request outside `folder`; return (page, console errors, blocked)."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors, blocked = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def guard(route):
        parsed = urlparse(route.request.url)
        inside = parsed.scheme == "file" and Path(unquote(parsed.path)).resolve().is_relative_to(folder)
        if inside or parsed.scheme in {"data", "blob", "about"}:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)  # the context's route also sees the search worker's iframe
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, errors, blocked


def figure_loads(page, selector: str) -> bool:
    """The first image `selector` matches, scrolled to (figures load lazily), shows a picture from the folder."""
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=image.element_handle(), timeout=5_000)
    return image.evaluate("img => img.naturalWidth > 0")


def test_the_zip_holds_one_folder(offline_edition):
    names = zipfile.ZipFile(offline_edition["zip"]).namelist()
    assert {name.split("/")[0] for name in names} == {TOP}
    assert f"{TOP}/index.html" in names and f"{TOP}/search/search_index.js" in names


def test_the_pages_checked_below_are_the_pages_of_the_edition(offline_edition):
    folder = offline_edition["folder"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")) == offline_pages()
    assert len(offline_pages()) > 20


@pytest.mark.parametrize("path", offline_pages())
def test_page_is_clean_and_stays_in_its_folder(browser, offline_edition, path):
    folder = offline_edition["folder"]
    page, errors, blocked = visit(browser, folder, (folder / path).as_uri())
    assert page.title(), path
    page.context.close()
    assert errors == [], f"{path}: {errors}"
    assert blocked == [], f"{path}: {blocked}"


def test_no_page_names_a_cdn(offline_edition):
    for html in offline_edition["folder"].rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "cdn.jsdelivr" not in text, html
        assert re.search(r'<script src="[^"]*assets/vendor/iframe-worker/index\.js"', text), html


def search(page, query: str) -> tuple[list[str], float]:
    """Type `query` as a reader would, once search is ready; return the result links, best first, and the seconds
    from the keystroke to the first result."""
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function("() => /type to start/i.test(document.querySelector('.md-search-result__meta').textContent)",
                           timeout=10_000)
    start = time.perf_counter()
    box.fill(query)
    box.press("End")  # Material searches on key events
    page.wait_for_function("() => document.querySelector('.md-search-result__item')", timeout=5_000)
    seconds = time.perf_counter() - start
    return page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)"), seconds


@pytest.mark.parametrize("src_uri", ["evaluation/roc-auc.md", "generalization/regularization.md"])
def test_search_finds_a_concept_by_its_alias_within_a_second(browser, offline_edition, src_uri):
    folder = offline_edition["folder"]
    meta, _ = concept_pages()[src_uri]
    alias, target = meta["aliases"][1], src_uri.removesuffix(".md") + ".html"  # AUC, ridge
    page, errors, blocked = visit(browser, folder, (folder / "index.html").as_uri())
    results, seconds = search(page, alias)
    assert seconds < 1, f"results for {alias!r} took {seconds:.2f} s"
    assert any(link.split("#")[0].split("?")[0].endswith(target) for link in results[:3]), (alias, results[:3])
    page.locator(".md-search-result__item > a").first.click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path.endswith(target)
    assert errors == [] and blocked == []
    page.context.close()


def test_math_is_rendered_and_navigation_works(browser, offline_edition):
    folder = offline_edition["folder"]
    page, errors, _ = visit(browser, folder, (folder / CONCEPT).as_uri())
    assert page.locator(".arithmatex .katex").count() > 0
    assert figure_loads(page, "article img")
    page.locator("a.md-footer__link--next").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("evaluation/regression-metrics.html")
    page.locator("a.md-footer__link--prev").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(CONCEPT)
    page.locator(".md-nav__link", has_text="All questions").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("questions.html")
    assert errors == []
    page.context.close()


def test_a_notebook_page_and_its_download(browser, offline_edition):
    folder = offline_edition["folder"]
    page, errors, _ = visit(browser, folder, (folder / NOTEBOOK).as_uri())
    assert figure_loads(page, ".jupyter-wrapper img")
    page.locator(".notebook-links a", has_text="Back to").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(CONCEPT)
    page.go_back()
    # From file:// Chromium ignores `download` (a file URL is an opaque origin) and opens the notebook's JSON, which
    # the reader saves; served over HTTP, the same link downloads it.
    page.locator(".notebook-links a[download]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("evaluation/notebooks/roc_pr_imbalanced.ipynb")
    notebook = json.loads(page.locator("body").inner_text())
    assert notebook["nbformat"] == 4 and any(cell["cell_type"] == "code" for cell in notebook["cells"])
    page.goto((folder / NOTEBOOK).as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    page.context.close()


def test_the_all_questions_page_links_resolve(browser, offline_edition):
    folder = offline_edition["folder"]
    records = [r for r in json.loads((folder / "questions.json").read_text()) if r["status"] == "answered"]
    assert records and all(".html#" in r["url"] for r in records), "questions.json has file:// friendly URLs"
    page, errors, _ = visit(browser, folder, (folder / "questions.html").as_uri())
    links = page.eval_on_selector_all("article a[href*='.html#']", "links => links.map(a => a.href)")
    assert len(links) >= len(records)
    for link in links:
        path, anchor = unquote(urlparse(link).path), link.split("#")[1]
        assert Path(path).is_file(), link
        assert f'id="{anchor}"' in Path(path).read_text(encoding="utf-8"), link
    assert errors == []
    page.context.close()


def test_the_pdf_button_says_whether_the_pdf_is_inside(offline_edition):
    folder = offline_edition["folder"]
    html = (folder / "index.html").read_text(encoding="utf-8")
    if (folder / "ml-interview-guide.pdf").is_file():
        assert 'href="ml-interview-guide.pdf"' in html
    else:
        assert "data-pdf-missing" in html and "make pdf" in html
        assert 'href="ml-interview-guide.pdf"' not in html


@pytest.fixture(scope="module")
def site_with_zip(offline_edition, tmp_path_factory):
    """The ordinary site, built after `make offline`: it publishes the zip and labels its button with the size."""
    site_dir = tmp_path_factory.mktemp("site-with-zip") / "site"
    result = run_build(ROOT, site_dir, env={"OFFLINE_ZIP": str(offline_edition["zip"])})
    assert result.returncode == 0, result.stderr[-4000:]
    return site_dir


def test_every_page_offers_the_zip_with_its_true_size(site_with_zip, offline_edition):
    published = site_with_zip / ZIP_NAME
    assert published.read_bytes() == offline_edition["zip"].read_bytes()
    size = human_size(published.stat().st_size)
    pages = [p for p in site_with_zip.rglob("*.html") if p.name != "404.html"]
    for html in pages:
        text = html.read_text(encoding="utf-8")
        button = re.search(r'<a href="([^"]*)" class="md-content__button md-icon md-content__button--offline".*?</a>',
                           text, re.DOTALL)
        assert button, html
        assert button.group(1).endswith(ZIP_NAME) and f">{size}</span>" in button.group(0), html


def test_practice_works_from_the_folder_and_keeps_progress(browser, offline_edition):
    """From file:// the cards come from cards.js (a page there cannot fetch), and progress persists in localStorage."""
    folder = offline_edition["folder"]
    page, errors, blocked = visit(browser, folder, (folder / CONCEPT).as_uri())
    page.get_by_role("link", name="Practise this page").click()
    page.wait_for_load_state("load")
    page.locator("[data-front]").wait_for()
    assert "practice.html?page=evaluation/roc-auc" in page.url
    first = page.locator("[data-front]").inner_text()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    assert page.locator("[data-front]").inner_text() != first
    page.reload(wait_until="load")
    page.locator("[data-front]").wait_for()
    assert page.locator("[data-front]").inner_text() != first, "the graded card is saved on file:// too"
    page.keyboard.press("Space")
    page.locator("[data-link]").click()
    page.wait_for_load_state("load")
    assert "evaluation/roc-auc.html#" in page.url
    assert errors == [] and blocked == []
    page.context.close()
