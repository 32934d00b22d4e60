"""Render the math of Markdown pages with KaTeX at build time, so readers download no math JavaScript.

pymdownx.arithmatex wraps each formula in `<span class="arithmatex">\\(...\\)</span>` or
`<div class="arithmatex">\\[...\\]</div>`; notebook pages first get the same markup for the `$...$` and `$$...$$` of
their Markdown cells (outside code). Each formula's HTML comes from a cache keyed on the formula and the KaTeX
version (`.cache/formulas/`); the ones not in it go to one Node.js process per build (`scripts/render_math.cjs`),
a page's worth at a time. A formula KaTeX cannot parse fails the build, naming the page.

Rendering happens in `on_page_context`, after the search plugin has indexed the page, so the index holds the TeX
source (short, searchable: `\\mathrm{TPR}`) rather than KaTeX's markup, and before the theme writes the page. The
one-page print edition copied the content earlier (its link rewriting is quadratic in the size of the HTML, and
KaTeX's is large), so its math is rendered in the file print-site writes, after it has written it, as MathML only:
Chromium lays MathML out natively, and without KaTeX's HTML (half the print page's elements) the tagged PDF prints
in half the time. No page loads KaTeX's JavaScript.
"""

from __future__ import annotations

import atexit
import hashlib
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
ROOT = Path(__file__).resolve().parents[1]
RENDERER = ROOT / "scripts" / "render_math.cjs"
KATEX_PACKAGE = ROOT / "node_modules" / "katex" / "package.json"
SITE_OUTPUT, PRINT_OUTPUT = "htmlAndMathml", "mathml"  # KaTeX's `output` option: the site's, the print edition's


def formula_of(match: re.Match, src_uri: str, output: str = SITE_OUTPUT) -> dict:
    """{tex, display, output} of one arithmatex element; display math is the one in \\[ \\]."""
    body = html.unescape(match["body"])
    inner = DELIMITERS.match(body)
    if not inner:
        raise PluginError(f"{src_uri}: cannot read the formula {match['body'][:80]!r}")
    return {"tex": inner["tex"], "display": body.lstrip().startswith("\\["), "output": output}


def arithmatex_markup(markdown_html: str) -> str:
    """A notebook Markdown cell's HTML with each `$...$` or `$$...$$` outside code wrapped as arithmatex does."""
    def wrap(match: re.Match) -> str:
        if match["display"] is not None:
            return f'<span class="arithmatex">\\[{match["display"]}\\]</span>'
        return f'<span class="arithmatex">\\({match["inline"]}\\)</span>'

    parts = CODE.split(markdown_html)
    return "".join(part if i % 2 else DOLLARS.sub(wrap, part) for i, part in enumerate(parts))


class KaTeX:
    """Formula HTML from the on-disk cache, or from one long-lived Node.js process for the formulas not in it."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.process: subprocess.Popen | None = None
        self.path: Path | None = None  # read at the first formula: assets.py reports missing npm packages first
        self.cache: dict[str, str] = {}
        self.dirty = False

    def load(self):
        try:
            version = json.loads(KATEX_PACKAGE.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError) as error:
            raise PluginError(f"cannot read KaTeX's version from {KATEX_PACKAGE} ({error}); run `make setup`") from error
        self.path = self.cache_dir / f"katex-{version}.json"
        try:
            self.cache = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}

    @staticmethod
    def key(formula: dict) -> str:
        return hashlib.sha1(f"{formula['output']}{formula['display']:d}{formula['tex']}".encode()).hexdigest()

    def render(self, formulas: list[dict], src_uri: str) -> list[str]:
        """KaTeX HTML for each {tex, display, output} formula, in order; PluginError naming the first that fails."""
        if self.path is None:
            self.load()
        missing = list({self.key(f): f for f in formulas if self.key(f) not in self.cache}.items())
        if missing:
            outputs = self.node([formula for _, formula in missing], src_uri)
            for (key, formula), output in zip(missing, outputs):
                if "error" in output:
                    raise PluginError(f"{src_uri}: KaTeX cannot render {formula['tex']!r}: {output['error']}")
                self.cache[key] = output["html"]
            self.dirty = True
        return [self.cache[self.key(f)] for f in formulas]

    def node(self, formulas: list[dict], src_uri: str) -> list[dict]:
        try:
            if self.process is None:
                self.process = subprocess.Popen(["node", str(RENDERER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=RENDERER.parent)
                atexit.register(self.close)
            self.process.stdin.write(json.dumps(formulas) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            return json.loads(line)
        except (OSError, ValueError) as error:
            detail = self.process.stderr.read() if self.process and self.process.poll() is not None else error
            raise PluginError(f"{src_uri}: could not run KaTeX through Node.js ({detail}); run `make setup`") from error

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None

    def save(self):
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.cache, sort_keys=True), encoding="utf-8")
            self.dirty = False


_katex: KaTeX | None = None


def on_pre_build(config):
    global _katex
    _katex = KaTeX(Path(config["config_file_path"]).parent / ".cache" / "formulas")


@event_priority(-50)  # after the print-site plugin keeps its copy of the page
def on_page_content(page_html, page, config, files):
    return NOTEBOOK_MARKDOWN.sub(lambda m: m[1] + arithmatex_markup(m[2]), page_html)


@event_priority(-100)  # after the search plugin has indexed the TeX, before the theme renders the page
def on_page_context(context, page, config, nav):
    if page.content:
        page.content = rendered_html(page.content, page.file.src_uri)
    return context


def rendered_html(page_html: str, src_uri: str, output: str = SITE_OUTPUT) -> str:
    """`page_html` with every arithmatex formula replaced by KaTeX's rendering (`output`: KaTeX's option)."""
    matches = list(FORMULA.finditer(page_html))
    if not matches:
        return page_html
    outputs = iter(_katex.render([formula_of(m, src_uri, output) for m in matches], src_uri))
    return FORMULA.sub(lambda m: f'<{m["tag"]} class="arithmatex">{next(outputs)}</{m["tag"]}>', page_html)


@event_priority(-100)  # after the print-site plugin has written its one-page edition
def on_post_build(config):
    print_page = Path(config["site_dir"]) / "print_page" / "index.html"
    if print_page.is_file():
        rendered = rendered_html(print_page.read_text(encoding="utf-8"), "print_page", PRINT_OUTPUT)
        print_page.write_text(rendered, encoding="utf-8")
    _katex.close()
    _katex.save()


def on_build_error(error):
    if _katex is not None:
        _katex.close()
