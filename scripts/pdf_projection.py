"""Measure what a concept page and a notebook cost the PDF, and project the PDF to the book plan's size.

Usage: pdf_projection.py SITE_DIR [CONCEPTS NOTEBOOKS]   (a site built with PRINT_SITE=true; default plan 67 40)

Prints the print edition three times as scripts/make_pdf.py does (everything; without the notebooks; without the
notebooks and the concept pages, i.e. the front matter and area overviews), and reports pages, bytes and seconds per
concept page and per notebook, and the projection: front + CONCEPTS x concept + NOTEBOOKS x notebook.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from local_site import launch_chromium, serve
from make_pdf import print_pdf

NOTEBOOK_SECTIONS = "section.print-page[id*='-notebooks-']"
AREA_SECTIONS = "section.print-page[id*='-']"  # `<area>-<page>`: concept pages and notebooks, not `<area>` overviews


def measure(site: Path, concepts: int, notebooks: int) -> str:
    rows = {}
    with serve(site) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, hidden in (("all", []), ("no notebooks", [NOTEBOOK_SECTIONS]),
                                 ("front", [AREA_SECTIONS])):
                out = site / f"projection-{name.replace(' ', '-')}.pdf"
                start = time.perf_counter()
                print_pdf(browser, base_url, out, hide=hidden)
                rows[name] = (len(PdfReader(out).pages), out.stat().st_size, time.perf_counter() - start)
                out.unlink()
        finally:
            browser.close()
    html = (site / "print_page" / "index.html").read_text(encoding="utf-8")
    n_all = len(re.findall(r'<section class="print-page" id="[^"]*-[^"]*"', html))
    n_nb = len(re.findall(r'<section class="print-page" id="[^"]*-notebooks-[^"]*"', html))
    n_concept = n_all - n_nb
    per_nb = [(rows["all"][i] - rows["no notebooks"][i]) / n_nb for i in range(3)]
    per_concept = [(rows["no notebooks"][i] - rows["front"][i]) / n_concept for i in range(3)]
    front = rows["front"]
    projected = [front[i] + concepts * per_concept[i] + notebooks * per_nb[i] for i in range(3)]
    lines = [f"| | pages | MB | s |", "| --- | ---: | ---: | ---: |"]
    for label, (pages, size, seconds) in (
            (f"now ({n_concept} concept pages, {n_nb} notebooks)", rows["all"]), ("front matter", front),
            ("per concept page", per_concept), ("per notebook", per_nb),
            (f"projected ({concepts} concept pages, {notebooks} notebooks)", projected)):
        lines.append(f"| {label} | {pages:.1f} | {size / 1e6:.2f} | {seconds:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    plan = [int(n) for n in sys.argv[2:4]] or [67, 40]
    print(measure(Path(sys.argv[1]), *plan))
