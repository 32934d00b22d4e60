"""The question inventory: shape, counts, fidelity to the source articles, and a pending list that only shrinks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from inventory import INVENTORY_PATH, load_inventory

SEEDS = ROOT.parent / "shared" / "seeds"
EXPECTED_COUNTS = {"mentoring": 40, "epam": 42, "grad": 16}


def normalized(text: str) -> str:
    """Lower-case words only, with the capture damage of the third article (â for an apostrophe) repaired."""
    text = text.replace("\u00e2", "'").replace("\u2019", "'").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_counts_and_ids():
    inventory = load_inventory()
    assert len(inventory.questions) == 98
    assert {slug: len(inventory.by_source(slug)) for slug in inventory.sources} == EXPECTED_COUNTS
    for slug in EXPECTED_COUNTS:
        numbers = [int(q.id.rsplit("-", 1)[1]) for q in inventory.by_source(slug)]
        assert numbers == list(range(1, EXPECTED_COUNTS[slug] + 1)), f"{slug} ids must be numbered in article order"


def test_sources_are_described():
    for slug, source in load_inventory().sources.items():
        assert source["title"] and source["description"], slug
        assert (SEEDS / source["file"]).is_file() or not SEEDS.is_dir(), f"{slug}: {source['file']} not in seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_questions_are_quoted_not_reworded():
    inventory = load_inventory()
    for slug, source in inventory.sources.items():
        seed = normalized((SEEDS / source["file"]).read_text(encoding="utf-8", errors="replace"))
        for question in inventory.by_source(slug):
            assert normalized(question.question) in seed, f"{question.id} is not worded as in {source['file']}"


def test_damaged_apostrophes_are_repaired():
    assert not any("\u00e2" in q.question for q in load_inventory().questions.values())


def pending_at(revision: str) -> set[str] | None:
    shown = subprocess.run(["git", "show", f"{revision}:hooks/questions.yml"], cwd=ROOT, capture_output=True, text=True)
    return set(yaml.safe_load(shown.stdout).get("pending") or []) if shown.returncode == 0 else None


def test_pending_only_shrinks_through_history():
    log = subprocess.run(["git", "log", "--format=%H", "--", "hooks/questions.yml"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    revisions = log.stdout.split()[::-1]  # oldest first
    snapshots = [pending for pending in map(pending_at, revisions) if pending is not None]
    snapshots.append(set(load_inventory().pending))  # the working tree last
    for older, newer in zip(snapshots, snapshots[1:]):
        assert newer <= older, f"questions went back to pending: {sorted(newer - older)}"


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["questions"].append(dict(d["questions"][0])), "duplicate question id 'mentoring-01'"),
        (lambda d: d["questions"][3].pop("question"), "question 'mentoring-04' is missing question"),
        (lambda d: d["questions"][5].update(id="mentoring-6"), "question id 'mentoring-6' must look like"),
        (lambda d: d["questions"][0].update(source="nowhere"), "must look like 'nowhere-NN'"),
        (lambda d: d["pending"].append("epam-99"), "pending id 'epam-99' is not a question"),
        (lambda d: d["sources"][2].pop("description"), "source 'grad' is missing description"),
    ],
)
def test_bad_inventory_is_rejected(tmp_path, mutation, message):
    from mkdocs.exceptions import PluginError

    data = yaml.safe_load(INVENTORY_PATH.read_text(encoding="utf-8"))
    mutation(data)
    bad = tmp_path / "questions.yml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(PluginError, match=re.escape(message)) as raised:
        load_inventory(bad)
    assert str(bad) in str(raised.value)


def test_unparsable_inventory_names_the_file(tmp_path):
    from mkdocs.exceptions import PluginError

    bad = tmp_path / "questions.yml"
    bad.write_text("sources: [\n  - slug: x\n", encoding="utf-8")
    with pytest.raises(PluginError, match="cannot be read as YAML") as raised:
        load_inventory(bad)
    assert str(bad) in str(raised.value)
