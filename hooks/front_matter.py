"""Validate the front matter of concept pages and render their header.

A concept page is `docs/<area>/<concept>.md` (not an `index.md`, not under `contributing/`). Its front matter must
parse as YAML and carry `title`, `description`, `aliases`, `questions`, `tags` and `level` with the right types, and
its first line must be the H1 `# <title>`. A page whose content dates (`career/recent-advances.md`) also carries
`reviewed`, the date it was last checked, as a YAML date no later than the build's. MkDocs itself drops front matter that fails to parse without a word, so this
hook parses it first and fails the build naming the page and the problem; the front matter of every other page
(section overviews, the home page) must parse too, or MkDocs would print it as text. Under the H1 it inserts the page's one-line
definition, its "also known as" line, its level, the date it was last reviewed if it has one, and a link to practise its cards (template: `hooks/templates/page_header.md.j2`), where both
readers and search see them.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
from pathlib import Path

import jinja2
import yaml
from mkdocs.exceptions import PluginError

NON_CONCEPT_DIRS = {"contributing"}
PRACTICE_DIRS = {"career"}  # pages about answering a kind of question: the practice variant of the template
LEVELS = ("core", "advanced")
STRING_KEYS = ("title", "description")
LIST_KEYS = ("aliases", "questions", "tags")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: several times faster
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)---[ \t]*\n(?P<body>.*)\Z", re.DOTALL)
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def is_concept_page(src_uri: str) -> bool:
    parts = src_uri.split("/")
    return len(parts) == 2 and parts[1].endswith(".md") and parts[1] != "index.md" and parts[0] not in NON_CONCEPT_DIRS


def is_practice_page(src_uri: str) -> bool:
    return is_concept_page(src_uri) and src_uri.split("/")[0] in PRACTICE_DIRS


def split_front_matter(src_uri: str, text: str) -> tuple[dict, str]:
    """Return (front matter, body) of a page's Markdown; PluginError if the front matter is missing or malformed."""
    match = FRONT_MATTER.match(text)
    if not match:
        raise PluginError(f"{src_uri}: a concept page must open with a '---' front matter block")
    try:
        meta = yaml.load(match["yaml"], Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise PluginError(f"{src_uri}: front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise PluginError(f"{src_uri}: front matter must be a mapping of keys to values, got {meta!r}")
    return meta, match["body"]


def validated_meta(src_uri: str, text: str) -> dict:
    """Check a concept page's front matter and H1; return the front matter."""
    meta, body = split_front_matter(src_uri, text)
    for key in STRING_KEYS:
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise PluginError(f"{src_uri}: front matter needs '{key}' as a non-empty string, got {meta.get(key)!r}")
    for key in LIST_KEYS:
        value = meta.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise PluginError(f"{src_uri}: front matter needs '{key}' as a list of strings, got {value!r}")
    if not meta["tags"]:
        raise PluginError(f"{src_uri}: front matter 'tags' must name at least the page's area")
    if meta.get("level") not in LEVELS:
        raise PluginError(f"{src_uri}: front matter 'level' must be one of {', '.join(LEVELS)}, got {meta.get('level')!r}")
    reviewed = meta.get("reviewed")
    if "reviewed" in meta and (not isinstance(reviewed, datetime.date) or isinstance(reviewed, datetime.datetime)
                               or reviewed > datetime.date.today()):
        raise PluginError(f"{src_uri}: front matter 'reviewed' must be a past date written YYYY-MM-DD, got {reviewed!r}")
    first_line = body.lstrip("\n").split("\n", 1)[0]
    if first_line.strip() != f"# {meta['title']}":
        raise PluginError(f"{src_uri}: the page must start with the H1 '# {meta['title']}', found {first_line!r}")
    return meta


@functools.lru_cache(maxsize=1024)
def _validated_meta(src_uri: str, text: str) -> dict:
    return validated_meta(src_uri, text)


def concept_pages(files) -> dict[str, dict]:
    """Map each concept page's src_uri to its validated front matter (parsed once per page text, not per caller)."""
    return {
        file.src_uri: copy.deepcopy(_validated_meta(file.src_uri, file.content_string))
        for file in files.documentation_pages()
        if is_concept_page(file.src_uri)
    }


def on_files(files, config):
    concept_pages(files)
    for file in files.documentation_pages():
        if not is_concept_page(file.src_uri) and file.content_string.startswith("---"):
            _parsed_front_matter(file.src_uri, file.content_string)


@functools.lru_cache(maxsize=256)
def _parsed_front_matter(src_uri: str, text: str) -> None:
    split_front_matter(src_uri, text)


def on_page_markdown(markdown, page, config, files):
    if not is_concept_page(page.file.src_uri):
        return markdown
    heading, _, rest = markdown.lstrip("\n").partition("\n")
    practice = f"../practice.md?page={page.file.src_uri[: -len('.md')]}"  # concept pages sit one folder down
    header = _TEMPLATES.get_template("page_header.md.j2").render(meta=page.meta, practice_link=practice)
    return f"{heading}\n\n{header}\n{rest}"
