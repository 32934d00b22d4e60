"""Print the built site's one-page edition (print-site plugin) to a PDF with headless Chromium.

Usage: make_pdf.py SITE_DIR   ->   SITE_DIR/ml-interview-guide.pdf
Math is rendered by KaTeX at build time, so the page is printed with JavaScript off: Material's bundle would spend
seconds on a 700-heading page that paper does not need. This script then does the two things the page's scripts did
for print: it copies the table of contents into place (what the print-site plugin's script does) and opens the
collapsed answers; it also unlinks links to nowhere (see PREPARE). Chromium adds one page-number footer and a named destination for every heading (their permalinks
point at them); the outline (bookmarks: H1 > H2 > H3) is then written from those destinations with pikepdf, because
Chromium's own outline needs a tagged PDF, which takes a quarter longer to print. The file is saved with object
streams, a third smaller with the same pages and text.
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
# What the print page's scripts would do before printing, and the headings the outline is made of.
PREPARE = """() => {
  const toc = document.querySelector('.md-sidebar--secondary ul');
  document.querySelector('#print-page-toc nav')?.insertAdjacentHTML('beforeend', toc ? toc.outerHTML : '');
  document.querySelectorAll('details').forEach(d => d.open = true);
  // A nav section of notebooks only (not printed) would be a heading alone on its page: drop it and its contents line.
  document.querySelectorAll('section.md-section').forEach(section => {
    if ([...section.children].every(child => child.tagName === 'H1')) {
      document.querySelectorAll(`#print-page-toc a[href="#${section.id}"]`).forEach(a => a.closest('li').remove());
      section.remove();
    }
  });
  // Links to a place the print page does not have (the line anchors of code blocks, headings of pages not printed)
  // are dead on paper, and Chromium spends more on them than on the rest of the print: 3,700 of them took the book
  // from 38 s to 67 s. Their text stays; only the dead link goes.
  const targets = new Set([...document.querySelectorAll('[id], a[name]')].flatMap(el => [el.id, el.name]));
  document.querySelectorAll('a[href^="#"]').forEach(a => {
    if (!targets.has(decodeURIComponent(a.getAttribute('href').slice(1)))) a.removeAttribute('href');
  });
  // The outline: a page's H1 points at its section (the contents page links there), other headings at themselves.
  return [...document.querySelectorAll('#print-site-page :is(h1, h2, h3)')]
    .filter(h => h.offsetParent !== null && !h.closest('#print-page-toc'))
    .map(h => [Number(h.tagName[1]), h.textContent.replace(/\u00b6/g, '').trim(),
               (h.tagName === 'H1' && h.closest('section.print-page')?.id) || h.id]);
}"""


def print_pdf(browser, base_url: str, out: Path, *, hide: tuple[str, ...] | list[str] = ()) -> Path:
    """Print the print-site page served at `base_url` to `out` with an already launched Chromium (leaving out the
    elements the CSS selectors `hide` match: scripts/pdf_projection.py measures parts of the book that way)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "print_page/", wait_until="load")
    if not page.evaluate(MATH_RENDERED):
        raise RuntimeError("the print page has formulas KaTeX did not render at build time")
    for selector in hide:
        page.evaluate("css => document.head.append(Object.assign(document.createElement('style'), {textContent: css}))",
                      f"{selector} {{ display: none !important; }}")
    headings = page.evaluate(PREPARE)
    page.emulate_media(media="print", color_scheme="light")
    page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
             header_template="<span></span>", footer_template=FOOTER,
             margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
    context.close()
    return compact(out, headings)


def compact(path: Path, headings: list[tuple[int, str, str]]) -> Path:
    """Add the outline (each heading `(level, title, id)` under the last heading of a higher level, pointing at its
    named destination) and rewrite the PDF at `path` in place with object streams and recompressed streams."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        dests = pdf.Root.get("/Dests", pikepdf.Dictionary())
        with pdf.open_outline() as outline:
            parents: list[tuple[int, list]] = [(0, outline.root)]
            for level, title, anchor in headings:
                if not anchor or pikepdf.Name("/" + anchor) not in dests:
                    continue  # hidden from print, or an id Chromium did not keep
                item = pikepdf.OutlineItem(title, pikepdf.Name("/" + anchor))
                while parents[-1][0] >= level:
                    parents.pop()
                parents[-1][1].append(item)
                parents.append((level, item.children))
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
