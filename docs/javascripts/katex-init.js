// Render math with the self-hosted KaTeX: arithmatex's \( \) and \[ \] on concept pages, $ and $$ in notebook cells.
document$.subscribe(({ body }) => {
  const render = (selector, delimiters) =>
    body.querySelectorAll(selector).forEach((el) => renderMathInElement(el, { delimiters, throwOnError: false }));
  render(".arithmatex", [
    { left: "\\(", right: "\\)", display: false },
    { left: "\\[", right: "\\]", display: true },
  ]);
  render(".jp-MarkdownCell", [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
  ]);
  markScrollRegions(body);  // rendered equations can be wider than the page (a11y.js)
});
