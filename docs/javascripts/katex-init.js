// Render math in the browser with the self-hosted KaTeX where the build has not: the one-page print edition, which the
// print-site plugin copies before hooks/formulas.py renders every other page. Its notebook cells still hold `$...$`.
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
});
