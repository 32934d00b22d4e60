"""Measure what a concept page costs the PDF, and project the PDF to the book plan's size.

Usage: pdf_projection.py SITE_DIR [CONCEPTS]   (a site built with PRINT_SITE=true; default: the plan's 67 pages)

Prints the print edition twice as scripts/make_pdf.py does (everything; and only the front matter, cover, contents,
questions and area overviews), and reports pages, bytes and seconds per concept page and the projection:
front + CONCEPTS x concept page. Notebooks are not printed (mkdocs.yml, print-site `exclude:`).
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

AREA_SECTIONS = "section.print-page[id*='-']"  # `<area>-<page>`: concept pages and notebooks, not `<area>` overviews


def measure(site: Path, concepts: int) -> str:
    rows = {}
    with serve(site) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, hidden in (("all", []), ("front", [AREA_SECTIONS])):
                out = site / f"projection-{name.replace(' ', '-')}.pdf"
                start = time.perf_counter()
                print_pdf(browser, base_url, out, hide=hidden)
                rows[name] = (len(PdfReader(out).pages), out.stat().st_size, time.perf_counter() - start)
                out.unlink()
        finally:
            browser.close()
    html = (site / "print_page" / "index.html").read_text(encoding="utf-8")
    n_concept = len(re.findall(r'<section class="print-page" id="[^"]*-[^"]*"', html))
    front = rows["front"]
    per_concept = [(rows["all"][i] - front[i]) / n_concept for i in range(3)]
    projected = [front[i] + concepts * per_concept[i] for i in range(3)]
    lines = ["| | pages | MB | s |", "| --- | ---: | ---: | ---: |"]
    for label, (pages, size, seconds) in ((f"now ({n_concept} concept pages)", rows["all"]), ("front matter", front),
                                          ("per concept page", per_concept),
                                          (f"projected ({concepts} concept pages)", projected)):
        lines.append(f"| {label} | {pages:.1f} | {size / 1e6:.2f} | {seconds:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 67))
