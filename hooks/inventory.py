"""Load and validate the question inventory, `hooks/questions.yml`.

The inventory lists every interview question of the three source articles with a stable id (`<source>-NN`), the
source it came from and the question as asked, plus the `pending:` list of questions no page answers yet. This hook
fails the build on bad YAML, a missing or unknown field, a malformed or duplicate id, a question whose source is not
declared, or a pending id that is not in the inventory. Other hooks import `load_inventory` from here.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError

INVENTORY_PATH = Path(__file__).with_name("questions.yml")
SOURCE_FIELDS = ("slug", "title", "description", "file")
QUESTION_FIELDS = ("id", "source", "question")
ID_PATTERN = re.compile(r"^(?P<source>[a-z][a-z0-9]*)-(?P<number>\d{2})$")


@dataclass(frozen=True)
class Question:
    id: str
    source: str
    question: str


@dataclass
class Inventory:
    path: Path
    sources: dict[str, dict] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)

    def by_source(self, slug: str) -> list[Question]:
        return [q for q in self.questions.values() if q.source == slug]


def _fail(path: Path, message: str) -> PluginError:
    return PluginError(f"Question inventory {path}: {message}")


def _checked_fields(path: Path, entry: object, fields: tuple[str, ...], what: str) -> dict:
    if not isinstance(entry, dict):
        raise _fail(path, f"{what} {entry!r} is not a mapping")
    label = entry.get("id") or entry.get("slug") or entry
    missing = [name for name in fields if not isinstance(entry.get(name), str) or not entry[name].strip()]
    if missing:
        raise _fail(path, f"{what} {label!r} is missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        raise _fail(path, f"{what} {label!r} has unknown field(s) {', '.join(unknown)}")
    return entry


def load_inventory(path: Path = INVENTORY_PATH) -> Inventory:
    """Parse and validate the inventory at `path`; raise PluginError naming the file and the bad entry."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _fail(path, f"cannot be read: {error}") from error
    return copy.deepcopy(_parsed_inventory(Path(path), text))


@functools.lru_cache(maxsize=8)
def _parsed_inventory(path: Path, text: str) -> Inventory:
    """The validated inventory of one text of the file: hooks and tests ask several times per build."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise _fail(path, f"cannot be read as YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list) or not isinstance(data.get("questions"), list):
        raise _fail(path, "must be a mapping with 'sources' and 'questions' lists")

    inventory = Inventory(path=Path(path))
    for entry in data["sources"]:
        source = _checked_fields(path, entry, SOURCE_FIELDS, "source")
        if source["slug"] in inventory.sources:
            raise _fail(path, f"source {source['slug']!r} is declared twice")
        inventory.sources[source["slug"]] = source

    for entry in data["questions"]:
        item = _checked_fields(path, entry, QUESTION_FIELDS, "question")
        match = ID_PATTERN.match(item["id"])
        if not match or match["source"] != item["source"]:
            raise _fail(path, f"question id {item['id']!r} must look like '{item['source']}-NN'")
        if item["source"] not in inventory.sources:
            raise _fail(path, f"question {item['id']!r} names unknown source {item['source']!r}")
        if item["id"] in inventory.questions:
            raise _fail(path, f"duplicate question id {item['id']!r}")
        inventory.questions[item["id"]] = Question(item["id"], item["source"], item["question"].strip())

    pending = data.get("pending") or []
    if not isinstance(pending, list):
        raise _fail(path, "'pending' must be a list of question ids")
    for qid in pending:
        if qid not in inventory.questions:
            raise _fail(path, f"pending id {qid!r} is not a question in the inventory")
    if len(set(pending)) != len(pending):
        raise _fail(path, "'pending' lists an id more than once")
    inventory.pending = list(pending)
    return inventory


def on_config(config):
    load_inventory()
