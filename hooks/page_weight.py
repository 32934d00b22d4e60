"""Keep every page light: what it loads, it needs, and its images reserve their space.

- Notebook pages: nbconvert adds a MathJax configuration, an empty `<script src="">` and a Mermaid loader that
  imports from a CDN. Before the print-site plugin copies the content into its one-page edition, the three scripts
  go: math is rendered by the self-hosted KaTeX, and no page may load from outside. (Their embedded JupyterLab
  stylesheets are hooks/notebook_css.py's business.)
- The print-site plugin adds its stylesheets and script to every page; only its one-page print edition uses them, so
  ordinary pages drop them (the print edition is rendered separately and keeps them).
- Figures that notebook pages carry inline as base64 (which does not compress) become PNG files under
  `assets/notebooks/img/`, named by content hash, so the page stays small and the images load lazily and cache.
- Each notebook code block says how many lines it has (`<pre style="--lines: N">`): the stylesheet lets the browser
  skip laying out blocks out of view (`content-visibility: auto`) and reserve exactly their height meanwhile, so
  nothing moves when they are shown.
- Every PNG image gets its width and height (read from the file or the inline data) and lazy loading, so the layout
  does not jump while figures load.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

from site_links import resolve

DROPPED_SCRIPTS = [
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.DOTALL),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".{0,400}?jp-Mermaid.*?</script>', re.DOTALL),
]
INLINE_PNG = re.compile(r'src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"')
IMAGE_DIR = "assets/notebooks/img"
PRINT_SITE_ASSETS = re.compile(
    r'<link rel="stylesheet" href="[^"]*css/print-site[\w-]*\.css">\n?|<script (?:defer )?src="[^"]*js/print-site\.js"></script>\n?'
)
NOTEBOOK_CODE = re.compile(r'(<div class="highlight-ipynb[^"]*">)<pre>(.*?)</pre>', re.DOTALL)
UNSIZED_IMG = re.compile(r'<img (?![^>]*\bwidth=)(?P<attrs>[^>]*?\bsrc="(?P<src>[^"]+)"[^>]*?)\s*/?>')


def is_notebook_page(page) -> bool:
    return str(page.file.abs_src_path or "").endswith(".ipynb")


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
    path = site_dir / resolve(page_url, src).partition("#")[0]
    return path.read_bytes()[:32] if path.is_file() else b""


def sized_images(output: str, page_url: str, site_dir: Path) -> str:
    def add_size(match: re.Match) -> str:
        size = png_size(image_bytes(match["src"], page_url, site_dir))
        if not size:
            return match[0]
        return f'<img {match["attrs"]} width="{size[0]}" height="{size[1]}" loading="lazy" decoding="async">'

    return UNSIZED_IMG.sub(add_size, output)


def line_count(code: str) -> int:
    return code.count("\n") + (not code.endswith("\n"))


@event_priority(50)  # before the print-site plugin keeps a copy of the page content
def on_page_content(html, page, config, files):
    if not is_notebook_page(page):
        return html
    for script in DROPPED_SCRIPTS:
        html = script.sub("", html)
    html = NOTEBOOK_CODE.sub(lambda m: f'{m[1]}<pre style="--lines: {line_count(m[2])}">{m[2]}</pre>', html)
    if "cdnjs" in html or "cdn.jsdelivr" in html:
        raise PluginError(f"{page.file.src_uri}: the notebook page still refers to a CDN")
    return html


def image_files(output: str, page_url: str, site_dir: Path) -> str:
    """Write each inline base64 PNG to a file named by its hash; point the image at the file."""
    def to_file(match: re.Match) -> str:
        png = base64.b64decode(match["data"])
        path = f"{IMAGE_DIR}/{hashlib.sha256(png).hexdigest()[:16]}.png"
        target = site_dir / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png)
        return f'src="{get_relative_url(path, page_url)}"'

    return INLINE_PNG.sub(to_file, output)


def on_post_page(output, page, config):
    site_dir = Path(config["site_dir"])
    output = PRINT_SITE_ASSETS.sub("", output)
    if is_notebook_page(page):
        output = image_files(output, page.url, site_dir)
    return sized_images(output, page.url, site_dir)
