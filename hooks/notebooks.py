"""Publish the executed notebooks: their pages, their downloads and their key figures.

Notebooks are jupytext percent-format files, `docs/<area>/notebooks/<name>.py`, whose header names their concept page
(`mlguide: {concept: <area>/<page>.md}`); `notebook_execution.py` has executed them (or found them cached) before this
hook runs. It hands each executed `.ipynb` to mkdocs-jupyter to render, and publishes, next to each notebook page,
the executed `.ipynb` for download (with the `mlguide` code it imports inlined, so it runs anywhere) and each output
of a cell tagged `figure:<name>` as `notebooks/figures/<name>.png`, for the concept page to show inline. It checks that the concept page exists and links
to its notebook, and gives the notebook page's template the links back (`page.meta.notebook`).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import posixpath
import re
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from notebook_execution import NOTEBOOK_GLOB

# `from mlguide.x import f, g` or the parenthesized form spread over several lines
MLGUIDE_IMPORT = re.compile(r"^from mlguide\.(?P<module>[\w.]+) import (?:\([^)]*\)|.+)$", re.MULTILINE)
SNIPPET_MARKER = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$\n?|^from __future__ import .*$\n?", re.MULTILINE)
DOWNLOAD_VERSION = "1"  # raise it when download_json changes what it writes
_notebooks: dict[str, dict] = {}  # notebook src_uri -> {"concept", "download"}, rebuilt by every on_files
_files = None  # the build's Files, for the template links


def project_root(config) -> Path:
    return Path(config["config_file_path"]).parent


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
    """The executed notebook with each `from mlguide.<module> import ...` preceded by that module's code, and the
    code of the `mlguide` modules that module imports before it, each module once."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    inlined: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = MLGUIDE_IMPORT.sub(lambda m: inlined_module(root, m["module"], src_uri, inlined), cell.source)
    return nbformat.v4.writes_json(notebook)  # as nbformat.writes, without re-validating the validated executed copy


def cached_download(notebook: nbformat.NotebookNode, executed: Path, root: Path, src_uri: str) -> Path:
    """`download_json`'s result, kept in `.cache/downloads/` under the executed copy's name: that name hashes the
    notebook and every module it imports, which is all the download is made of (0.5 s of every build otherwise)."""
    path = root / ".cache" / "downloads" / f"v{DOWNLOAD_VERSION}-{executed.name}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(download_json(notebook, root, src_uri), encoding="utf-8")
    return path


def inlined_module(root: Path, module: str, src_uri: str, inlined: set[str]) -> str:
    relative = f"src/mlguide/{module.replace('.', '/')}.py"
    if module in inlined:
        return f"# (the guide's {relative} is inlined above)"
    path = root / relative
    if not path.exists():
        raise PluginError(f"{src_uri}: imports mlguide.{module}, but {relative} does not exist")
    inlined.add(module)
    code = SNIPPET_MARKER.sub("", path.read_text(encoding="utf-8")).strip()
    code = MLGUIDE_IMPORT.sub(lambda m: inlined_module(root, m["module"], src_uri, inlined), code)
    return f"# ---- inlined from the guide's {relative} ----\n{code}\n# ---- end of {relative} ----"


@event_priority(50)  # before mkdocs-jupyter wraps the files it renders
def on_files(files, config):
    root = project_root(config)
    global _files
    _files = files
    _notebooks.clear()
    for file in [f for f in files if fnmatch.fnmatch(f.src_uri, NOTEBOOK_GLOB)]:
        executed = file.abs_src_path  # notebook_execution.py pointed the file at its executed copy
        # written and validated by notebook_execution.py; validating each again on read was 0.2 s of every build
        notebook = nbformat.v4.reads(Path(executed).read_text(encoding="utf-8"))
        folder, stem = posixpath.split(posixpath.splitext(file.src_uri)[0])
        download = f"{folder}/{stem}.ipynb"
        concept = concept_of(notebook, file.src_uri, files)
        _notebooks[file.src_uri] = {"concept": concept, "download": download, "executed": str(executed)}
        download_copy = cached_download(notebook, Path(executed), root, file.src_uri)
        files.append(File.generated(config, download, abs_src_path=str(download_copy)))
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
        page.meta.setdefault("search", {"boost": 0.2})  # the concept page ranks above its notebook
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
