"""Print the built site's one-page edition (print-site plugin) to a PDF with headless Chromium.

Usage: make_pdf.py SITE_DIR   ->   SITE_DIR/ml-interview-guide.pdf
Math is rendered by KaTeX before printing, collapsed answers are opened, and Chromium adds the outline (bookmarks)
and one page-number footer. Chromium writes the tagged PDF's structure (which its outline needs) as loose objects; the
file is then rewritten with object streams (pikepdf), a third smaller with the same pages, text and outline.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from local_site import launch_chromium, serve

PDF_NAME = "ml-interview-guide.pdf"
FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
MATH_RENDERED = """() => [...document.querySelectorAll('.arithmatex')].every(el => el.querySelector('.katex'))"""


def print_pdf(browser, base_url: str, out: Path, *, hide: tuple[str, ...] | list[str] = ()) -> Path:
    """Print the print-site page served at `base_url` to `out` with an already launched Chromium (leaving out the
    elements the CSS selectors `hide` match: scripts/pdf_projection.py measures parts of the book that way)."""
    page = browser.new_page()
    page.goto(base_url + "print_page/", wait_until="networkidle")
    page.wait_for_function(MATH_RENDERED, timeout=60_000)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    for selector in hide:
        page.add_style_tag(content=f"{selector} {{ display: none !important; }}")
    page.emulate_media(media="print", color_scheme="light")
    page.pdf(path=str(out), format="A4", print_background=True, outline=True, tagged=True,
             display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
             margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
    page.close()
    return compact(out)


def compact(path: Path) -> Path:
    """Rewrite the PDF at `path` in place with object streams and recompressed streams; contents unchanged."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                 recompress_flate=True)
    return path


def make_pdf(site_dir: Path) -> Path:
    with serve(site_dir) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return print_pdf(browser, base_url, site_dir / PDF_NAME)
        finally:
            browser.close()


if __name__ == "__main__":
    start = time.perf_counter()
    pdf = make_pdf(Path(sys.argv[1]))
    print(f"wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
