// Accessibility fixes that need the rendered page (axe-core checks them in tests/test_site_pages.py):
// content wider than its box (a long equation, a wide table, a long line of code) scrolls sideways, so each such
// region gets tabindex=0 to be reachable and scrollable from the keyboard; and the navs Material adds around code
// blocks get distinct names, so every landmark on the page is unique.
const SCROLLABLE = ".arithmatex, .md-typeset__scrollwrap, .highlight pre > code, .jp-InputArea-editor pre, .jp-OutputArea-output pre";

// Widths are read when the browser has laid the region out anyway: in a ResizeObserver callback, and, for notebook
// code that `content-visibility: auto` skips until it comes into view (extra.css), when it stops being skipped.
// Reading them straight from a script would force a layout of the whole page, skipped content included.
function markIfWide(el) {
  if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
}

const resized = new ResizeObserver((entries) => entries.forEach(({ target }) => markIfWide(target)));

document.addEventListener("contentvisibilityautostatechange", (event) => {
  if (!event.skipped && event.target.matches(SCROLLABLE)) requestAnimationFrame(() => markIfWide(event.target));
}, true);

function markScrollRegions(root) {
  root.querySelectorAll(SCROLLABLE).forEach((el) => resized.observe(el));
}

function nameCodeNavs(root) {
  root.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach((nav, i) => {
    nav.setAttribute("aria-label", `Code block ${i + 1} actions`);
  });
}

document$.subscribe(({ body }) => {
  markScrollRegions(body);
  nameCodeNavs(body);
  // Material adds the code-block navs after this runs; name them once everything has loaded.
  window.addEventListener("load", () => nameCodeNavs(body), { once: true });
});
