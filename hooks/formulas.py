"""Render the math of Markdown pages with KaTeX at build time, so readers download no math JavaScript.

pymdownx.arithmatex wraps each formula in `<span class="arithmatex">\\(...\\)</span>` or
`<div class="arithmatex">\\[...\\]</div>`. This hook sends every formula of a page to the pinned npm KaTeX in one
Node.js call (`scripts/render_math.cjs`) and puts the rendered HTML in its place. The page then needs only KaTeX's
stylesheet and fonts. Two places still render in the browser: notebook Markdown cells (`$...$`), and the one-page
print edition, which the print-site plugin copies before this hook runs (its link rewriting is quadratic in the size
of the HTML, and KaTeX output is large). A formula KaTeX cannot parse fails the build, naming the page.
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
RENDERER = Path(__file__).resolve().parents[1] / "scripts" / "render_math.cjs"


def tex_of(match: re.Match, src_uri: str) -> str:
    inner = DELIMITERS.match(html.unescape(match["body"]))
    if not inner:
        raise PluginError(f"{src_uri}: cannot read the formula {match['body'][:80]!r}")
    return inner["tex"]


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
    matches = list(FORMULA.finditer(page_html))
    if not matches:
        return page_html
    formulas = [{"tex": tex_of(m, page.file.src_uri), "display": m["tag"] == "div"} for m in matches]
    outputs = iter(rendered(formulas, page.file.src_uri))
    return FORMULA.sub(lambda m: f'<{m["tag"]} class="arithmatex">{next(outputs)}</{m["tag"]}>', page_html)
