"""The offline PDF: printed from the built site by Chromium, with every answered question, every concept title,
rendered math, an outline, and pages that are not blank. On paper, notebooks keep their text, figures and results
but not their code (the print rules of docs/stylesheets/extra.css): that is what keeps the full book in budget."""

from __future__ import annotations

import json
import re
import subprocess
import time
import unicodedata

import matplotlib.image
import pytest
from pypdf import PdfReader

from make_pdf import PDF_NAME, print_pdf
from pages import DOCS, concept_pages, notebooks


@pytest.fixture(scope="module")
def pdf(site, browser, base_url):
    start = time.perf_counter()
    path = print_pdf(browser, base_url, site / PDF_NAME)
    return {"path": path, "seconds": time.perf_counter() - start}


@pytest.fixture(scope="module")
def pdf_text(pdf) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(pdf["path"]).pages))


def words(text: str) -> str:
    """Lower-case words of `text`; NFKC undoes the ligatures (ﬀ, ﬁ) the PDF's fonts set."""
    return " ".join(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", text).lower()))


def test_pdf_is_printed_quickly(pdf):
    assert pdf["seconds"] < 60


def test_pdf_has_every_answered_question_and_concept(site, pdf_text):
    answered = [r for r in json.loads((site / "questions.json").read_text()) if r["status"] == "answered"]
    assert answered
    for record in answered:
        assert words(record["question"]) in pdf_text, record["id"]
    for meta, _ in concept_pages().values():
        assert words(meta["title"]) in pdf_text, meta["title"]


def test_pdf_math_is_rendered(pdf):
    raw = " ".join(page.extract_text() for page in PdfReader(pdf["path"]).pages)
    for tex in ("\\frac", "\\(", "\\[", "\\sum", "$$", "\\mathrm", "\\varepsilon"):  # the last two: notebook cells
        assert tex not in raw, f"raw TeX {tex!r} left in the PDF"


def test_pdf_has_an_outline_and_many_pages(pdf):
    reader = PdfReader(pdf["path"])
    assert len(reader.pages) > 50
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "All questions" in titles and len(reader.outline) >= 10


def test_pdf_pages_are_not_blank(pdf, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "5", "-l", "5", str(pdf["path"]), str(tmp_path / "p")], check=True)
    image = matplotlib.image.imread(next(tmp_path.glob("p*.png")))
    assert image.std() > 0.02, "page 5 renders blank"


def test_every_page_links_to_the_pdf(site):
    for html in site.rglob("*.html"):
        if html.parent.name in {"print_page"} or html.name == "404.html":
            continue
        assert f'{PDF_NAME}" class="md-content__button' in html.read_text(encoding="utf-8"), html


def printed_notebooks(site) -> list[tuple[str, list[str]]]:
    """(title, code lines) of every notebook the site publishes, read from its jupytext source."""
    found = []
    for path in notebooks():
        if not (site / path.relative_to(DOCS).with_suffix("") / "index.html").is_file():
            continue  # a notebook not in the nav yet
        cells = re.split(r"^# %%", path.read_text(encoding="utf-8"), flags=re.M)[1:]
        title = next(line[4:] for cell in cells if cell.startswith(" [markdown]")
                     for line in cell.splitlines() if line.startswith("# # "))
        code = [line for cell in cells if not cell.startswith(" [markdown]") for line in cell.splitlines()[1:]]
        found.append((title, code))
    return found


def test_pdf_prints_notebooks_without_their_code_but_with_their_figures(site, pdf, pdf_text):
    reader = PdfReader(pdf["path"])
    starts = sorted((reader.get_destination_page_number(item), words(item.title).replace(" ", ""))
                    for item in reader.outline if not isinstance(item, list))
    printed = printed_notebooks(site)
    assert printed
    for title, code in printed:
        asserts = [line for line in code if line.startswith("assert ") and len(words(line).split()) >= 6]
        assert asserts, title
        for line in asserts:
            assert words(line) not in pdf_text, f"{title}: its code is in the PDF: {line!r}"
        key = words(title).replace(" ", "")
        index = next(i for i, (_, outline_title) in enumerate(starts) if outline_title == key)
        first, end = starts[index][0], (starts[index + 1][0] if index + 1 < len(starts) else len(reader.pages))
        assert any(reader.pages[n].images for n in range(first, max(end, first + 1))), f"{title}: no figure printed"
