"""Execute the guide's notebooks, cache the results, and publish their downloads and key figures.

Notebooks are jupytext percent-format files, `docs/<area>/notebooks/<name>.py`, whose header names their concept page
(`mlguide: {concept: <area>/<page>.md}`). Each build executes every notebook whose source, the `mlguide` package or the
pinned environment changed (the cache key covers all three; results live in `.cache/notebooks/`), and hands the
executed `.ipynb` to mkdocs-jupyter to render. A cell that raises fails the build with the notebook, the cell number
and the traceback. The hook also publishes, next to each notebook page, the executed `.ipynb` for download (with the
`mlguide` code it imports inlined, so it runs anywhere) and each output of a cell tagged `figure:<name>` as
`notebooks/figures/<name>.png`, for the concept page to show inline. It checks that the concept page exists and links
to its notebook, and gives the notebook page's template the links back (`page.meta.notebook`).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import posixpath
import re
import sys
from pathlib import Path

import jupytext
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

NOTEBOOK_GLOB = "*/notebooks/*.py"
CACHE_VERSION = "1"
CELL_TIMEOUT_S = 300
MLGUIDE_IMPORT = re.compile(r"^from mlguide\.(?P<module>\w+) import .+$", re.MULTILINE)
SNIPPET_MARKER = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$\n?|^from __future__ import .*$\n?", re.MULTILINE)
_notebooks: dict[str, dict] = {}  # notebook src_uri -> {"concept", "download"}, rebuilt by every on_files
_files = None  # the build's Files, for the template links


def project_root(config) -> Path:
    return Path(config["config_file_path"]).parent


def cache_key(source: bytes, root: Path) -> str:
    """Hash of everything an execution depends on: the notebook, the mlguide package, the pinned environment."""
    digest = hashlib.sha256(f"v{CACHE_VERSION} python {sys.version}".encode())
    digest.update(source)
    for path in sorted((root / "src" / "mlguide").rglob("*.py")) + [root / "constraints.txt"]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def executed_notebook(src_uri: str, source: str, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell of a jupytext notebook in a fresh kernel; PluginError names the failing cell."""
    try:
        notebook = jupytext.reads(source, fmt="py:percent")
    except Exception as error:  # jupytext raises several types for malformed input
        raise PluginError(f"{src_uri}: not a readable jupytext percent-format notebook: {error}") from error
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        failed = next((i for i, c in enumerate(notebook.cells, 1) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        raise PluginError(f"{src_uri}: cell {failed} raised {error.ename}: {error.evalue}\n{error}") from error
    except DeadKernelError as error:
        raise PluginError(f"{src_uri}: the kernel died while running the notebook ({error})") from error
    return notebook


def cached_notebook(file: File, root: Path, cache_dir: Path) -> Path:
    """Path of the executed notebook for `file`, executing it only when its cache entry is missing."""
    source = Path(file.abs_src_path).read_bytes()
    path = cache_dir / f"{Path(file.src_uri).stem}-{cache_key(source, root)[:16]}.ipynb"
    if not path.exists():
        notebook = executed_notebook(file.src_uri, source.decode("utf-8"), Path(file.abs_src_path).parent)
        cache_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
    return path


def concept_of(notebook: nbformat.NotebookNode, src_uri: str, files) -> str:
    concept = notebook.metadata.get("mlguide", {}).get("concept")
    if not concept:
        raise PluginError(f"{src_uri}: the jupytext header needs 'mlguide: {{concept: <area>/<page>.md}}'")
    if files.get_file_from_path(concept) is None:
        raise PluginError(f"{src_uri}: names concept page {concept!r}, which does not exist")
    return concept


def tagged_figures(notebook: nbformat.NotebookNode, src_uri: str) -> dict[str, bytes]:
    """PNG bytes of the last image output of each cell tagged `figure:<name>`."""
    figures = {}
    for number, cell in enumerate(notebook.cells, 1):
        for tag in cell.get("metadata", {}).get("tags", []):
            if not tag.startswith("figure:"):
                continue
            pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if not pngs:
                raise PluginError(f"{src_uri}: cell {number} is tagged {tag!r} but shows no figure")
            figures[tag.removeprefix("figure:")] = base64.b64decode(pngs[-1])
    return figures


def download_json(notebook: nbformat.NotebookNode, root: Path, src_uri: str) -> str:
    """The executed notebook with each `from mlguide.<module> import ...` preceded by that module's code."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = MLGUIDE_IMPORT.sub(lambda m: inlined_module(root, m["module"], src_uri), cell.source)
    return nbformat.writes(notebook)


def inlined_module(root: Path, module: str, src_uri: str) -> str:
    path = root / "src" / "mlguide" / f"{module}.py"
    if not path.exists():
        raise PluginError(f"{src_uri}: imports mlguide.{module}, but {path} does not exist")
    code = SNIPPET_MARKER.sub("", path.read_text(encoding="utf-8")).strip()
    return f"# ---- inlined from the guide's src/mlguide/{module}.py ----\n{code}\n# ---- end of mlguide/{module}.py ----"


@event_priority(50)  # before mkdocs-jupyter wraps the files it renders
def on_files(files, config):
    root = project_root(config)
    cache_dir = root / ".cache" / "notebooks"
    global _files
    _files = files
    _notebooks.clear()
    for file in [f for f in files if fnmatch.fnmatch(f.src_uri, NOTEBOOK_GLOB)]:
        executed = cached_notebook(file, root, cache_dir)
        notebook = nbformat.read(executed, as_version=4)
        folder, stem = posixpath.split(posixpath.splitext(file.src_uri)[0])
        download = f"{folder}/{stem}.ipynb"
        concept = concept_of(notebook, file.src_uri, files)
        _notebooks[file.src_uri] = {"concept": concept, "download": download, "executed": str(executed)}
        file.abs_src_path = str(executed)  # mkdocs-jupyter picks it up, and renders the executed copy
        files.append(File.generated(config, download, content=download_json(notebook, root, file.src_uri)))
        for name, png in tagged_figures(notebook, file.src_uri).items():
            figure = f"{folder}/figures/{name}.png"
            if files.get_file_from_path(figure):
                raise PluginError(f"{file.src_uri}: figure name {name!r} is already used in {folder}/")
            files.append(File.generated(config, figure, content=png))
    return files


@event_priority(50)  # mkdocs-jupyter wrapped the file, so point the wrapper at the executed copy too
def on_pre_page(page, config, files):
    info = _notebooks.get(page.file.src_uri)
    if info:
        page.file.abs_src_path = info["executed"]
    return page


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri in _notebooks:
        page.meta.setdefault("search", {"boost": 0.5})  # the concept page should rank above its notebook
    for src_uri, info in _notebooks.items():
        if info["concept"] == page.file.src_uri:
            target = posixpath.relpath(src_uri, posixpath.dirname(page.file.src_uri))
            if f"]({target})" not in markdown:
                raise PluginError(f"{page.file.src_uri}: must link to its notebook with a Markdown link to {target}")
    return markdown


def on_page_context(context, page, config, nav):
    info = _notebooks.get(page.file.src_uri)
    if info:
        concept, download = (_files.get_file_from_path(info[key]) for key in ("concept", "download"))
        page.meta["notebook"] = {
            "concept_url": concept.url_relative_to(page.file),
            "concept_title": concept.page.title if concept.page else info["concept"],
            "download_url": download.url_relative_to(page.file),
        }
    return context
