"""Slim the HTML that mkdocs-jupyter writes for notebook pages.

nbconvert embeds about 590 KB of JupyterLab CSS in every notebook page, plus a MathJax configuration, an empty
`<script src="">` and a Mermaid loader that imports from a CDN when a notebook has a diagram. This hook moves the
embedded stylesheets of each notebook page into one shared file, `assets/notebooks/jupyter-<hash>.css`, which the
browser downloads once and caches, and removes the three scripts: math is rendered by the self-hosted KaTeX, and no
page may load anything from outside the site.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
DROPPED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".{0,400}?jp-Mermaid.*?</script>', re.DOTALL),
]
CSS_DIR = "assets/notebooks"


def is_notebook_page(page) -> bool:
    return str(page.file.abs_src_path or "").endswith(".ipynb")


def shared_stylesheet(css: str, site_dir: Path) -> str:
    """Write `css` once under assets/notebooks/, named by its hash; return its site path."""
    path = f"{CSS_DIR}/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = site_dir / path
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    return path


def on_post_page(output, page, config):
    if not is_notebook_page(page):
        return output
    styles = STYLE.findall(output)
    if not styles:
        raise PluginError(f"{page.file.src_uri}: mkdocs-jupyter output has no embedded stylesheet to move")
    href = get_relative_url(shared_stylesheet("\n".join(styles), Path(config["site_dir"])), page.url)
    output = STYLE.sub("", output)
    output = output.replace("</head>", f'<link rel="stylesheet" href="{href}">\n</head>', 1)
    for script in DROPPED_SCRIPTS:
        output = script.sub("", output)
    if "cdnjs" in output or "cdn.jsdelivr" in output:
        raise PluginError(f"{page.file.src_uri}: the notebook page still refers to a CDN")
    return output
