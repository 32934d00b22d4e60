// Accessibility fixes that need the rendered page (axe-core checks them in tests/test_site_pages.py):
// content wider than its box (a long equation, a wide table, a long line of code) scrolls sideways, so each such
// region gets tabindex=0 to be reachable and scrollable from the keyboard; and the navs Material adds around code
// blocks get distinct names, so every landmark on the page is unique.
const SCROLLABLE = ".arithmatex, .md-typeset__scrollwrap, .highlight pre > code, .jp-InputArea-editor pre, .jp-OutputArea-output pre";

function markScrollRegions(root) {
  root.querySelectorAll(SCROLLABLE).forEach((el) => {
    if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
  });
}

function nameCodeNavs(root) {
  root.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach((nav, i) => {
    nav.setAttribute("aria-label", `Code block ${i + 1} actions`);
  });
}

document$.subscribe(({ body }) => {
  markScrollRegions(body);
  nameCodeNavs(body);
  // KaTeX renders after this runs on pages with math; check again once everything has loaded.
  window.addEventListener("load", () => { markScrollRegions(body); nameCodeNavs(body); }, { once: true });
});
