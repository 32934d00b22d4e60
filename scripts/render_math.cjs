// Render TeX to HTML with the pinned npm KaTeX at build time. hooks/formulas.py keeps one process per build and
// writes one JSON list of {tex, display, output} per line to stdin (output: KaTeX's "htmlAndMathml" for the site,
// "mathml" for the print edition); for each line this writes back one JSON line with, in the same order, {html} or
// {error} for each formula.
const katex = require("katex");
const readline = require("readline");

const render = ({ tex, display, output }) => {
  try {
    return { html: katex.renderToString(tex, { displayMode: display, output, throwOnError: true }) };
  } catch (error) {
    return { error: String(error.message) };
  }
};

readline.createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  process.stdout.write(JSON.stringify(JSON.parse(line).map(render)) + "\n");
});
