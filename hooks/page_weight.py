"""Keep every page light: what it loads, it needs, and its images reserve their space.

- Notebook pages: nbconvert embeds about 590 KB of JupyterLab CSS in each one, plus a MathJax configuration, an empty
  `<script src="">` and a Mermaid loader that imports from a CDN. The embedded stylesheets move into one shared file,
  `assets/notebooks/jupyter-<hash>.css`, downloaded once and cached, and the three scripts go: math is rendered by
  the self-hosted KaTeX, and no page may load anything from outside the site.
- The print-site plugin adds its stylesheets and script to every page; only its one-page print edition uses them, so
  ordinary pages drop them (the print edition is rendered separately and keeps them).
- Every PNG image gets its width and height (read from the file or the inline data) and lazy loading, so the layout
  does not jump while figures load.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
import struct
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
PRINT_SITE_ASSETS = re.compile(
    r'<link rel="stylesheet" href="[^"]*css/print-site[\w-]*\.css">\n?|<script src="[^"]*js/print-site\.js"></script>\n?'
)
UNSIZED_IMG = re.compile(r'<img (?![^>]*\bwidth=)(?P<attrs>[^>]*?\bsrc="(?P<src>[^"]+)"[^>]*?)\s*/?>')


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


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, or None if `data` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def image_bytes(src: str, page_url: str, site_dir: Path) -> bytes:
    if src.startswith("data:image/png;base64,"):
        return base64.b64decode(src.split(",", 1)[1][:64])
    if "://" in src or src.startswith("data:"):
        return b""
    path = site_dir / posixpath.normpath(posixpath.join(posixpath.dirname(page_url.rstrip("/") + "/x"), src))
    return path.read_bytes()[:32] if path.is_file() else b""


def sized_images(output: str, page_url: str, site_dir: Path) -> str:
    def add_size(match: re.Match) -> str:
        size = png_size(image_bytes(match["src"], page_url, site_dir))
        if not size:
            return match[0]
        return f'<img {match["attrs"]} width="{size[0]}" height="{size[1]}" loading="lazy" decoding="async">'

    return UNSIZED_IMG.sub(add_size, output)


def on_post_page(output, page, config):
    output = sized_images(PRINT_SITE_ASSETS.sub("", output), page.url, Path(config["site_dir"]))
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
