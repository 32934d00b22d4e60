"""Serve the JupyterLab styles of notebook pages once, as one small cached stylesheet.

nbconvert embeds about 590 KB of JupyterLab CSS (3,300 rules, most for JupyterLab's own widgets) in every notebook
page. Before the print-site plugin copies a page's content into its one-page edition, this hook takes the embedded
`<style>` blocks out. After the build it writes the distinct blocks to `assets/notebooks/jupyter.css`, which
`overrides/main.html` links from every page with notebook cells, keeping only what can apply to those pages:

- a selector that needs a class no such page has can never match, so it goes; a rule left with no selector goes;
- a custom property (`--jp-...`) that no kept declaration reads, directly or through other properties, goes;
- what a browser would drop anyway goes too: mkdocs-jupyter 0.26 also embeds the Python repr of a list of Pygments
  rules, `['pre { ... }\\n...']`, which parses as one selector-less rule, as do invalid declarations.

Classes inside `:not()`, `:is()` and other functional pseudo-classes are not required, so such selectors stay. Nothing
adds JupyterLab classes at run time (there is no JupyterLab here), so the page-time class set is the whole set.
Pruning takes about a second, so its result is cached (`.cache/notebook-css/`) on the stylesheets and the classes.
A dirty build (`make serve`) renders only the pages edited since the last one: the classes of the notebook pages it
leaves alone are read from the HTML they already have, so the stylesheet still serves them all.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import tinycss2
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from page_weight import is_notebook_page

STYLE_OPEN = re.compile(r"<style[\s>]")
CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')  # `\b` instead of `\s` made this search 2.5x slower
VAR_REFERENCE = re.compile(r"var\(\s*(--[\w-]+)")
JUPYTER_CSS = "assets/notebooks/jupyter.css"
GROUPING_RULES = {"media", "supports", "layer", "container"}

_styles: dict[str, str] = {}  # the distinct stylesheets taken out of notebook pages in this build, by hash
_classes: set[str] = set()    # every class on a page that links the shared stylesheet
_files: list = []             # the build's Files


def selectors(prelude: list) -> list[list]:
    """The comma-separated selectors of a rule, each as its list of top-level tokens."""
    groups: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return groups


def required_classes(selector: list) -> set[str]:
    """Classes an element must have for `selector` to match (those inside functions such as `:not()` do not count)."""
    return {ident.value for dot, ident in zip(selector, selector[1:])
            if dot.type == "literal" and dot.value == "." and ident.type == "ident"}


def live_rules(rules: list, classes: set[str]) -> list[tuple[str, list]]:
    """(prelude, declarations or nested rules) of each rule that can still apply to a page with these classes;
    at-rules that group nothing (`@font-face`, `@keyframes`) as (their text, [])."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            live = [s for s in selectors(rule.prelude) if required_classes(s) <= classes]
            if live:
                body = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
                kept.append((",".join(tinycss2.serialize(s).strip() for s in live), body))
        elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING_RULES and rule.content is not None:
            inner = live_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), classes)
            if inner:
                kept.append((f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude).rstrip()}", inner))
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":  # only valid first; the file is UTF-8
            kept.append((tinycss2.serialize([rule]), []))
    return kept


def declarations(rules: list[tuple[str, list]]):
    """Every declaration in `rules`, nested ones included."""
    for _, body in rules:
        for item in body:
            if isinstance(item, tuple):
                yield from declarations([item])
            elif item.type == "declaration":
                yield item


def read_properties(rules: list[tuple[str, list]]) -> set[str]:
    """Custom properties that the ordinary declarations read, directly or through other custom properties."""
    assigned: dict[str, list[str]] = {}
    todo: set[str] = set()
    for declaration in declarations(rules):
        value = tinycss2.serialize(declaration.value)
        if declaration.name.startswith("--"):
            assigned.setdefault(declaration.name, []).append(value)
        else:
            todo |= set(VAR_REFERENCE.findall(value))
    wanted: set[str] = set()
    while todo:
        name = todo.pop()
        wanted.add(name)
        for value in assigned.get(name, []):
            todo |= set(VAR_REFERENCE.findall(value)) - wanted
    return wanted


def serialized(rules: list[tuple[str, list]], wanted: set[str]) -> str:
    """`rules` as CSS text, without custom properties outside `wanted` or rules left empty by that."""
    out = []
    for prelude, body in rules:
        if not body:
            out.append(prelude)
        elif isinstance(body[0], tuple):
            inner = serialized(body, wanted)
            out.append(f"{prelude}{{{inner}}}" if inner else "")
        else:
            kept = [item for item in body if item.type != "declaration"
                    or not item.name.startswith("--") or item.name in wanted]
            text = "".join(tinycss2.serialize([item]).strip() for item in kept)
            out.append(f"{prelude}{{{text}}}" if kept else "")
    return "\n".join(filter(None, out))


def pruned(css: str, classes: set[str]) -> str:
    """`css` without the rules and custom properties that cannot matter on pages with these classes."""
    live = live_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), classes)
    return serialized(live, read_properties(live))


def on_pre_build(config):
    _styles.clear()
    _classes.clear()


def on_files(files, config):
    _files[:] = [files]
    return files


def split_styles(html: str) -> tuple[list[str], str]:
    """The contents of the `<style>` elements in `html`, and `html` without them. Found with `str.find`: a lazy
    regular expression over nbconvert's 590 KB of CSS per page took 1.5 s per build."""
    styles, rest, position = [], [], 0
    while (opening := STYLE_OPEN.search(html, position)) is not None:
        body = html.index(">", opening.start()) + 1
        closing = html.find("</style>", body)
        if closing < 0:
            break
        styles.append(html[body:closing])
        rest.append(html[position:opening.start()])
        position = closing + len("</style>")
    rest.append(html[position:])
    return styles, "".join(rest)


@event_priority(50)  # before the print-site plugin keeps a copy of the page content
def on_page_content(html, page, config, files):
    if not is_notebook_page(page):
        return html
    styles, html = split_styles(html)
    if not styles:
        raise PluginError(f"{page.file.src_uri}: mkdocs-jupyter output has no embedded stylesheet to move")
    for css in styles:
        _styles.setdefault(hashlib.sha256(css.encode()).hexdigest(), css)
    return html


def on_post_page(output, page, config):
    if JUPYTER_CSS in output:
        _classes.update(" ".join(CLASS_ATTRIBUTE.findall(output)).split())
    return output


def add_unrendered_pages_classes() -> None:
    """Classes of the notebook pages this (dirty) build did not render, from the pages already in the site."""
    for file in _files[0].documentation_pages():
        built = Path(file.abs_dest_path)
        # on_post_page keeps only the pages that link the stylesheet
        if file.page is not None and file.page.content is None and built.is_file():
            on_post_page(built.read_text(encoding="utf-8"), file.page, None)


def cached_pruned(css: str, classes: set[str], cache_dir: Path) -> str:
    """`pruned(css, classes)`, from the cache when the same stylesheets met the same classes before."""
    key = hashlib.sha256(css.encode() + b"\0" + " ".join(sorted(classes)).encode()).hexdigest()[:24]
    cached = cache_dir / f"{key}.css"
    if not cached.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        cached.write_text(pruned(css, classes), encoding="utf-8")
    return cached.read_text(encoding="utf-8")


def on_post_build(config):
    if _styles:
        add_unrendered_pages_classes()
        target = Path(config["site_dir"]) / JUPYTER_CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        cache_dir = Path(config["config_file_path"]).parent / ".cache" / "notebook-css"
        target.write_text(cached_pruned("\n".join(_styles.values()), _classes, cache_dir), encoding="utf-8")
