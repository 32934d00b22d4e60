// Render math in the browser with the self-hosted KaTeX where the build has not: the $...$ of notebook Markdown
// cells, and the \( \) and \[ \] formulas of the one-page print edition (other pages arrive rendered by hooks/formulas.py).
document$.subscribe(({ body }) => {
  const render = (selector, delimiters) =>
    body.querySelectorAll(selector).forEach((el) => renderMathInElement(el, { delimiters, throwOnError: false }));
  render(".jp-MarkdownCell", [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
  ]);
  render(".arithmatex", [
    { left: "\\(", right: "\\)", display: false },
    { left: "\\[", right: "\\]", display: true },
  ]);
  markScrollRegions(body);  // rendered equations can be wider than the page (a11y.js)
});
