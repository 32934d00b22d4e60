"""Render the math of Markdown pages with KaTeX at build time, so readers download no math JavaScript.

pymdownx.arithmatex wraps each formula in `<span class="arithmatex">\\(...\\)</span>` or
`<div class="arithmatex">\\[...\\]</div>`. This hook sends every formula of a page to the pinned npm KaTeX in one
Node.js call (`scripts/render_math.cjs`) and puts the rendered HTML in its place. Notebook pages get the same: the
`$...$` and `$$...$$` of their Markdown cells (outside code) are first given the arithmatex markup. A page then needs
only KaTeX's stylesheet and fonts. Only the one-page print edition still renders in the browser: the print-site
plugin copies the content before this hook runs (its link rewriting is quadratic in the size of the HTML, and KaTeX
output is large). A formula KaTeX cannot parse fails the build, naming the page.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL)
DELIMITERS = re.compile(r"^\s*\\[(\[]\s*(?P<tex>.*?)\s*\\[)\]]\s*$", re.DOTALL)
NOTEBOOK_MARKDOWN = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(?=</div>)', re.DOTALL)
CODE = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.DOTALL)
# Pandoc's rule: inline math hugs its dollars (no space inside them) and no digit follows the closing one, so
# "costs $5 and $10" stays text; a formula stays within one paragraph (no tag inside).
DOLLARS = re.compile(r"\$\$(?P<display>[^$<]+?)\$\$|\$(?P<inline>[^$\s<](?:[^$<]*?[^$\s<])?)\$(?!\d)")
RENDERER = Path(__file__).resolve().parents[1] / "scripts" / "render_math.cjs"


def formula_of(match: re.Match, src_uri: str) -> dict:
    """{tex, display} of one arithmatex element; display math is the one in \\[ \\]."""
    body = html.unescape(match["body"])
    inner = DELIMITERS.match(body)
    if not inner:
        raise PluginError(f"{src_uri}: cannot read the formula {match['body'][:80]!r}")
    return {"tex": inner["tex"], "display": body.lstrip().startswith("\\[")}


def arithmatex_markup(markdown_html: str) -> str:
    """A notebook Markdown cell's HTML with each `$...$` or `$$...$$` outside code wrapped as arithmatex does."""
    def wrap(match: re.Match) -> str:
        if match["display"] is not None:
            return f'<span class="arithmatex">\\[{match["display"]}\\]</span>'
        return f'<span class="arithmatex">\\({match["inline"]}\\)</span>'

    parts = CODE.split(markdown_html)
    return "".join(part if i % 2 else DOLLARS.sub(wrap, part) for i, part in enumerate(parts))


def rendered(formulas: list[dict], src_uri: str) -> list[str]:
    """KaTeX HTML for each {tex, display} formula, in order; PluginError naming the first that fails."""
    try:
        result = subprocess.run(["node", str(RENDERER)], input=json.dumps(formulas), capture_output=True,
                                text=True, check=True, timeout=120, cwd=RENDERER.parent)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise PluginError(f"{src_uri}: could not run KaTeX through Node.js ({detail}); run `make setup`") from error
    outputs = json.loads(result.stdout)
    for formula, output in zip(formulas, outputs):
        if "error" in output:
            raise PluginError(f"{src_uri}: KaTeX cannot render {formula['tex']!r}: {output['error']}")
    return [output["html"] for output in outputs]


@event_priority(-50)  # after the print-site plugin keeps its copy: rendered math makes its link fixing crawl
def on_page_content(page_html, page, config, files):
    page_html = NOTEBOOK_MARKDOWN.sub(lambda m: m[1] + arithmatex_markup(m[2]), page_html)
    matches = list(FORMULA.finditer(page_html))
    if not matches:
        return page_html
    formulas = [formula_of(m, page.file.src_uri) for m in matches]
    outputs = iter(rendered(formulas, page.file.src_uri))
    return FORMULA.sub(lambda m: f'<{m["tag"]} class="arithmatex">{next(outputs)}</{m["tag"]}>', page_html)
