"""Reuse a Markdown page's rendering from an earlier build when nothing it depends on has changed.

Converting Markdown to HTML was the largest part of a build with nothing changed (about 4 s for 84 pages). A page's
rendering (its HTML, table of contents, title, anchors and the anchors it links to) is kept in `.cache/pages/`
(`memo.py`) under a key covering everything the conversion reads: the page's Markdown as the earlier hooks left it,
its path and URL, the Markdown extensions and their options, link validation, the pinned environment and Python.
Two more inputs are recorded while it renders and checked on reuse: each file a link was resolved against (its URL,
or that it did not exist) and each file `pymdownx.snippets` included (its bytes). Anything else the renderer asks of
the build's files makes the page uncacheable. Entries are written only after a build without warnings, so a reused
rendering is one that passed strict validation with the same inputs. Anchors are still validated on every build,
against the anchors pages have now. Notebook pages (mkdocs-jupyter renders them, with its own cache) are left alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import types
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc
from pymdownx.snippets import SnippetPreprocessor

from memo import Memo

CACHE_VERSION = "1"
_state: dict = {"project": Path(), "memo": None, "base": ""}


class RecordingFiles:
    """The build's Files as the renderer sees them, noting each lookup so a reused rendering can be checked."""

    def __init__(self, files):
        self._files, self.lookups, self.opaque = files, {}, False

    def get_file_from_path(self, path):
        file = self._files.get_file_from_path(path)
        self.lookups[path] = None if file is None else [file.url, file.inclusion.is_excluded()]
        return file

    def __getattr__(self, name):  # any other question about the files: the rendering depends on more than lookups
        self.opaque = True
        return getattr(self._files, name)

    def __iter__(self):
        self.opaque = True
        return iter(self._files)

    def __len__(self):
        self.opaque = True
        return len(self._files)


@contextlib.contextmanager
def recording_snippets(read: dict[str, str]):
    """Note the path and digest of every file `pymdownx.snippets` reads while the block runs."""
    original = SnippetPreprocessor.read_lines

    def read_lines(self, path):
        read[project_path(Path(path))] = digest_of(Path(path))
        return original(self, path)

    SnippetPreprocessor.read_lines = read_lines
    try:
        yield
    finally:
        SnippetPreprocessor.read_lines = original


def project_path(path: Path) -> str:
    """`path` relative to the project, so that a copy of the project checks its own files."""
    path = path.resolve()
    return path.relative_to(_state["project"]).as_posix() if path.is_relative_to(_state["project"]) else str(path)


def digest_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def build_base(config) -> list:
    """What every page's rendering depends on alike: extensions, their options, validation, pins, Python."""
    constraints = _state["project"] / "constraints.txt"
    return [CACHE_VERSION, sys.version, digest_of(constraints),
            [e if isinstance(e, str) else f"{type(e).__module__}.{type(e).__qualname__}"
             for e in config.markdown_extensions],
            config.mdx_configs, dict(config.validation), config.use_directory_urls]


def still_valid(entry: dict, files) -> bool:
    """True if every file the rendering resolved or included is as it was."""
    for path, seen in entry["lookups"].items():
        file = files.get_file_from_path(path)
        if (None if file is None else [file.url, file.inclusion.is_excluded()]) != seen:
            return False
    return all(digest_of(_state["project"] / path) == digest for path, digest in entry["snippets"].items())


def cached_render(page, config, files) -> None:
    """`Page.render`, reusing the page's entry when it is still valid, else rendering and keeping a new one."""
    key = Memo.key(*_state["base"], page.file.src_uri, page.url, page.markdown)
    entry = _state["memo"].get(key)
    if entry and still_valid(entry, files):
        page.content, page._title_from_render = entry["content"], entry["title"]
        page.toc = get_toc(entry["toc"])
        page.present_anchor_ids = set(entry["anchors"])
        if entry["links_to_anchors"] is not None:
            page.links_to_anchors = {files.get_file_from_path(src): links
                                     for src, links in entry["links_to_anchors"].items()}
        return
    recording, snippets = RecordingFiles(files), {}
    with recording_snippets(snippets):
        type(page).render(page, config, recording)
    if recording.opaque:
        return
    links = getattr(page, "links_to_anchors", None)
    _state["memo"].put(key, {
        "content": page.content, "title": page._title_from_render, "toc": toc_tokens(page.toc),
        "anchors": sorted(page.present_anchor_ids), "lookups": recording.lookups, "snippets": snippets,
        "links_to_anchors": None if links is None else {f.src_uri: anchors for f, anchors in links.items()},
    })


def toc_tokens(items) -> list[dict]:
    """The table of contents as the tokens `get_toc` makes it from."""
    return [{"level": a.level, "id": a.id, "name": a.title, "children": toc_tokens(a.children)} for a in items]


def on_pre_build(config):
    _state["project"] = Path(config.config_file_path).parent.resolve()
    _state["memo"] = Memo(config, "pages")
    _state["base"] = build_base(config)


@event_priority(-100)  # after mkdocs-jupyter has given notebook pages their own render
def on_pre_page(page, config, files):
    if page.file.src_uri.endswith(".md") and "render" not in vars(page):
        page.render = types.MethodType(cached_render, page)
    return page


def on_post_build(config):
    _state["memo"].save()
