// Render TeX to HTML with the pinned npm KaTeX at build time. hooks/formulas.py writes a JSON list of
// {tex, display} to stdin and reads back, in the same order, {html} or {error} for each.
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const rendered = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true }) };
    } catch (error) {
      return { error: String(error.message) };
    }
  });
  process.stdout.write(JSON.stringify(rendered));
});
