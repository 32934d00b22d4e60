"""Every built page, in Chromium: nothing requested outside 127.0.0.1, no console error, no axe-core violation in
light or dark mode, and at a phone's width formulas that fit and notebook code that spans the column."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from pages import site_urls
from test_browser import FRAMES_OR_FAIL, TWO_FRAMES, visit

# Notebook code out of view is not rendered until the reader scrolls near it (content-visibility: auto), and a11y.js
# makes a wide block focusable when it is shown. So on such pages axe runs as after a reader has scrolled through the
# page once, with every block then rendered for good so that axe checks the colours of all of them. The page is then
# switched to the dark scheme with its own toggle, as a reader would, and checked again: one load and one scroll per
# page for both schemes.
LAZY_CODE = ".jupyter-wrapper .highlight-ipynb > pre[style]"
READ_THROUGH = f"""async () => {{
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {{
    scrollTo(0, y);
    await {FRAMES_OR_FAIL}(2);
  }}
  scrollTo(0, 0);
}}"""
TO_DARK = 'label[title="Switch to dark mode"]'
# The print edition strings every page together (4 MB of HTML, a minute of axe per scheme). Each of those pages is
# checked at its own URL, so on the print page axe sees its own parts (cover, table of contents, layout) and the first
# two pages as they sit in it; the rest are taken out of the DOM first.
PRINT_PAGE_TRIM = """() => document.querySelectorAll('section.print-page[heading-number]').forEach(section => {
  if (!['1', '2'].includes(section.getAttribute('heading-number'))) section.remove();
})"""


def built_pages(site) -> list[str]:
    """Site-relative URLs of every HTML page the build wrote (404 page included)."""
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    return sorted(p.removesuffix("index.html") for p in pages)


def test_every_page_is_checked(site):
    assert site_urls() == built_pages(site), "the pages checked below are the pages the build writes"
    assert len(site_urls()) >= 20


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script, as the axe-playwright-python package ships it."""
    return Axe().axe_script


# axe's colour-contrast rule was 85 % of its time: it computes the colours of each of the thousands of highlighted code
# tokens and KaTeX glyphs on a page, most of them exact repeats. So of the spans inside code and formulas, contrast is
# checked on the first of each kind (class, colour, size, weight, shadow, and the backgrounds and opacities behind it);
# the repeats are marked and the rule skips them. Every other element, and every other rule, is checked in full. The
# marks are made afresh for each scheme, since colours that coincide in one may differ in the other.
MARK_REPEATS = """() => {
  document.querySelectorAll('[data-axe-repeat]').forEach(el => el.removeAttribute('data-axe-repeat'));
  const behind = new WeakMap();
  const backdrop = el => {
    if (!el || el.nodeType !== 1) return '';
    if (!behind.has(el)) {
      const style = getComputedStyle(el), solid = !/^rgba\\(.*, 0\\)$|^transparent$/.test(style.backgroundColor);
      behind.set(el, (solid && style.backgroundImage === 'none' ? '' : backdrop(el.parentElement) + '|')
        + style.backgroundColor + style.backgroundImage + (style.opacity === '1' ? '' : '@' + style.opacity));
    }
    return behind.get(el);
  };
  const kinds = new Set();
  for (const span of document.querySelectorAll('pre span, .katex span, .md-sidebar .md-ellipsis')) {
    const style = getComputedStyle(span);
    const kind = [span.className, style.color, style.fontSize, style.fontWeight, style.textShadow,
                  backdrop(span.parentElement)].join(';');
    if (kinds.has(kind)) span.setAttribute('data-axe-repeat', ''); else kinds.add(kind);
  }
}"""
SKIP_REPEATS = "() => axe.configure({rules: [{id: 'color-contrast', selector: '*:not([data-axe-repeat])'}]})"
RUN_AXE = """([within, rules]) => axe.run(within ? document.querySelector(within) : document,
  {resultTypes: ['violations'], ...rules}).then(results => results.violations)"""
# The dark scheme changes colours and nothing else (the toggle swaps CSS colour variables; the DOM and the layout stay),
# so the dark pass runs the rules that read colours on the whole page, and every rule on the header, where the toggle
# shows its other label. Only the light pass runs every rule on everything.
COLOUR_RULES = {"runOnly": ["color-contrast", "link-in-text-block"]}


def violations(axe: str, page, path: str, scheme: str, rules: dict | None = None, within: str = "") -> list[str]:
    """axe's violations on the page as it is now (axe injected on first use), with every rule or only `rules`
    (`{"runOnly": [...]}`), on the whole page or `within` one element (a CSS selector). Only violations are reported
    in full: axe then skips serializing every node that passed, a third of its time on a long page."""
    if not page.evaluate("() => typeof axe === 'object'"):
        page.evaluate(axe)
        page.evaluate(SKIP_REPEATS)
    page.evaluate(MARK_REPEATS)
    return [f"{path} ({scheme}): axe {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
            for v in page.evaluate(RUN_AXE, [within, rules or {}])]


FORMULA_WIDTHS = """() => [...document.querySelectorAll('.katex-display')].map(display => ({
  tex: (display.querySelector('annotation') || {}).textContent || '',
  width: display.querySelector('.katex').getBoundingClientRect().width,
  column: document.querySelector('.md-content__inner').clientWidth,
}))"""
CODE_WIDTHS = """() => [...document.querySelectorAll('.jupyter-wrapper .jp-InputArea-editor')].map(
  editor => editor.getBoundingClientRect().width / document.querySelector('.md-content__inner').clientWidth)"""


@pytest.mark.timeout(240)  # the slowest page takes about 25 s on a busy 2-core machine
@pytest.mark.parametrize("path", site_urls())
def test_page_is_local_clean_accessible_and_fits_a_phone(browser, base_url, axe, path):
    """One load per page: axe in light and dark, no console error, nothing fetched from outside, then at a phone's
    390 px no display formula wider than the content column and notebook code across the column."""
    page, errors, blocked = visit(browser, base_url + path, color_scheme="light")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    if path == "print_page/":
        page.evaluate(PRINT_PAGE_TRIM)
    if page.locator(LAZY_CODE).count():
        page.evaluate(READ_THROUGH)
        page.add_style_tag(content=f"{LAZY_CODE} {{ content-visibility: visible !important; }}")
        page.evaluate(TWO_FRAMES)
    problems = violations(axe, page, path, "light")
    page.locator(TO_DARK).click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.evaluate(TWO_FRAMES)
    problems += violations(axe, page, path, "dark", COLOUR_RULES)
    problems += violations(axe, page, path, "dark", within=".md-header")
    problems += [f"{path}: console error {e}" for e in errors if path != "404.html"]
    problems += [f"{path}: request left the site: {url}" for url in blocked]
    if path not in ("404.html", "print_page/"):
        problems += phone_problems(page, path)
    page.context.close()
    assert not problems, "\n".join(problems)


def test_the_contrast_check_sees_one_faint_code_token_among_its_repeats(browser, base_url, axe):
    """Repeats are skipped, not a token whose colour differs: one faint keyword in a notebook's code is reported."""
    path = "evaluation/notebooks/roc_pr_imbalanced/"
    page, _, _ = visit(browser, base_url + path, color_scheme="light")
    page.evaluate(READ_THROUGH)
    page.add_style_tag(content=f"{LAZY_CODE} {{ content-visibility: visible !important; }}")
    assert not violations(axe, page, path, "light")
    assert page.locator(".highlight-ipynb pre span.kn").count() > 1
    page.locator(".highlight-ipynb pre span.kn").last.evaluate("span => span.style.color = '#e6e6e6'")
    problems = violations(axe, page, path, "light")
    page.context.close()
    assert len(problems) == 1 and "color-contrast" in problems[0], problems


def test_the_dark_pass_sees_one_faint_sidebar_entry_among_its_repeats(browser, base_url, axe):
    """Sidebar entries are de-duplicated like code tokens, and the dark pass checks colours: one entry of the table of
    contents made faint in the dark scheme is reported, and nothing else."""
    path = "evaluation/roc-auc/"
    page, _, _ = visit(browser, base_url + path, color_scheme="light")
    page.locator(TO_DARK).click()
    page.evaluate(TWO_FRAMES)
    assert not violations(axe, page, path, "dark", COLOUR_RULES)
    entry = page.locator(".md-sidebar--secondary .md-ellipsis").nth(1)
    assert entry.is_visible()
    entry.evaluate("span => span.style.color = '#2e303e'")  # about the slate background
    problems = violations(axe, page, path, "dark", COLOUR_RULES)
    page.context.close()
    assert len(problems) == 1 and "color-contrast" in problems[0], problems


def test_the_phone_check_sees_a_formula_too_wide(browser, base_url):
    """The check above is not vacuous: a display formula made wider than the column is reported."""
    page, _, _ = visit(browser, base_url + "evaluation/roc-auc/", color_scheme="light")
    page.evaluate("document.querySelector('.katex-display .katex').style.paddingRight = '600px'")
    problems = phone_problems(page, "evaluation/roc-auc/")
    page.context.close()
    assert problems and "display formula" in problems[0], problems


def phone_problems(page, path: str) -> list[str]:
    """At 390 px: display formulas wider than the column (break them into aligned lines), code narrower than 90 %."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate(TWO_FRAMES)
    problems = [f"{path}: display formula {f['width']:.0f} px > {f['column']} px on a phone: {f['tex'][:90]!r}"
                for f in page.evaluate(FORMULA_WIDTHS) if f["width"] > f["column"]]
    code = page.evaluate(CODE_WIDTHS)
    if code and min(code) <= 0.9:
        problems.append(f"{path}: notebook code takes only {min(code):.0%} of a phone's column")
    return problems
