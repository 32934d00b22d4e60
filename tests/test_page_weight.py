"""What keeps pages light: the pruned notebook stylesheet, math rendered at build time, deferred scripts."""

from __future__ import annotations

import re

import pytest

from formulas import arithmatex_markup
from notebook_css import pruned
from pages import notebooks

JUPYTER_CSS = "assets/notebooks/jupyter.css"


def test_selectors_needing_an_absent_class_are_dropped():
    css = ".a .b{color:red}.a,.gone{margin:0}.gone .a{padding:0}p{line-height:1}"
    assert pruned(css, {"a", "b"}).split("\n") == [".a .b{color:red;}", ".a{margin:0;}", "p{line-height:1;}"]


def test_classes_inside_functional_pseudo_classes_are_not_required():
    css = ".a:not(.gone){color:red}.a:is(.gone, .b){margin:0}"
    assert pruned(css, {"a"}) == ".a:not(.gone){color:red;}\n.a:is(.gone, .b){margin:0;}"


def test_grouping_rules_keep_only_what_applies_and_vanish_when_empty():
    css = "@media (max-width: 10px){.a{color:red}.gone{color:blue}}@media print{.gone{color:red}}"
    assert pruned(css, {"a"}) == "@media (max-width: 10px){.a{color:red;}}"


def test_custom_properties_stay_only_when_read_directly_or_through_others():
    css = ":root{--used:var(--base);--base:1px;--unused:2px;--chain:var(--unused)}.a{margin:var(--used)}"
    assert pruned(css, {"a"}) == ":root{--used:var(--base);--base:1px;}\n.a{margin:var(--used);}"


def test_rules_a_browser_drops_are_dropped():
    # mkdocs-jupyter 0.26 embeds the repr of a Python list of rules, which browsers read as one rule with no block
    css = ".a{color:red}\n['pre { line-height: 125%; }\\n.a { color: blue; }']"
    assert pruned(css, {"a"}) == ".a{color:red;}"


def test_notebook_stylesheet_is_small_and_keeps_the_cell_layout(site):
    css = (site / JUPYTER_CSS).read_text(encoding="utf-8")
    assert len(css.encode()) < 60_000, "nbconvert's 590 KB of JupyterLab CSS is pruned to what the cells use"
    for selector in (".jp-InputPrompt", ".jp-OutputArea-output", ".highlight-ipynb .k"):
        assert selector in css
    assert ".lm-" not in css and ".jp-Toolbar" not in css, "JupyterLab's own widgets are not on these pages"


@pytest.mark.parametrize("cell, expected", [
    ("<p>a $x^2$ b</p>", r'<p>a <span class="arithmatex">\(x^2\)</span> b</p>'),
    ("<p>$$\\sum_i x_i$$</p>", r'<p><span class="arithmatex">\[\sum_i x_i\]</span></p>'),
    ("<p>keep <code>$x$</code> and <pre>$y$</pre></p>", "<p>keep <code>$x$</code> and <pre>$y$</pre></p>"),
    ("<p>one $ sign</p>", "<p>one $ sign</p>"),
    ("<p>$a +\nb$</p>", '<p><span class="arithmatex">\\(a +\nb\\)</span></p>'),
    ("<p>costs $5</p><p>or $6</p>", "<p>costs $5</p><p>or $6</p>"),
    ("<p>costs $5 and $10, so $x$</p>", r'<p>costs $5 and $10, so <span class="arithmatex">\(x\)</span></p>'),
])
def test_notebook_markdown_math_gets_arithmatex_markup(cell, expected):
    assert arithmatex_markup(cell) == expected


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_notebook_pages_arrive_with_math_rendered(site, notebook):
    html = (site / notebook.parent.parent.name / "notebooks" / notebook.stem / "index.html").read_text(encoding="utf-8")
    cells = re.findall(r'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>(.*?)</div>', html, re.DOTALL)
    text = re.sub(r"<code>.*?</code>|<annotation[^>]*>.*?</annotation>|<[^>]+>", "", "".join(cells), flags=re.DOTALL)
    assert not re.search(r"\$[^$\s][^$]*\$", text), "no $...$ is left for the browser"
    assert "katex.min.js" not in html and "katex-init.js" not in html


def test_scripts_do_not_block_the_first_paint(site):
    html = (site / "evaluation" / "roc-auc" / "index.html").read_text(encoding="utf-8")
    external = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html)
    assert external and all(" defer " in tag for tag in external), external
