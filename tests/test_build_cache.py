"""What the build keeps between runs (`hooks/memo.py`, `hooks/render_cache.py`) is reused only while its inputs hold.

The render cache is tested on a two-page project of its own (a build takes a second); the guide's own test is that a
build from the caches writes the same site as one that had to compute everything.
"""

from __future__ import annotations

import filecmp
import json
import logging
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_build
from memo import Memo

SENTINEL = "<p>served from the cache</p>"


def small_project(tmp_path: Path) -> Path:
    project = tmp_path / "small"
    (project / "docs").mkdir(parents=True)
    (project / "snippets").mkdir()
    (project / "mkdocs.yml").write_text(
        "site_name: small\nstrict: true\nvalidation: {links: {anchors: warn}}\n"
        f"hooks: [{ROOT / 'hooks' / 'render_cache.py'}]\n"
        "markdown_extensions: [toc, {pymdownx.snippets: {base_path: ['.'], check_paths: true}}]\n", encoding="utf-8")
    (project / "snippets" / "code.txt").write_text("first version of the snippet\n", encoding="utf-8")
    (project / "docs" / "index.md").write_text("# Home\n\nSee [the other page](other.md#deep).\n\n"
                                               '--8<-- "snippets/code.txt"\n', encoding="utf-8")
    (project / "docs" / "other.md").write_text("# Other\n\n## Deep\n\nText.\n", encoding="utf-8")
    return project


def entries(project: Path) -> dict[Path, dict]:
    return {p: json.loads(p.read_text(encoding="utf-8")) for p in (project / ".cache" / "pages").glob("*.json")}


def plant_sentinel(project: Path) -> None:
    """Make the cached rendering of index.md recognizable, so that reusing it shows in the output."""
    for path, entry in entries(project).items():
        if "snippet" in entry["content"]:
            entry["content"] = entry["content"].replace("</h1>", "</h1>" + SENTINEL)
            path.write_text(json.dumps(entry), encoding="utf-8")


def home(out: Path) -> str:
    return (out / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def small(tmp_path):
    project = small_project(tmp_path)
    result = run_build(project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert len(entries(project)) == 2, "one rendering kept per page"
    plant_sentinel(project)
    return project


def test_an_unchanged_page_is_reused(small, tmp_path):
    assert run_build(small, tmp_path / "out").returncode == 0
    assert SENTINEL in home(tmp_path / "out")


def test_an_edited_snippet_renders_the_page_again(small, tmp_path):
    (small / "snippets" / "code.txt").write_text("second version of the snippet\n", encoding="utf-8")
    assert run_build(small, tmp_path / "out").returncode == 0
    assert SENTINEL not in home(tmp_path / "out") and "second version" in home(tmp_path / "out")


def test_an_edited_page_renders_again(small, tmp_path):
    page = small / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    assert run_build(small, tmp_path / "out").returncode == 0
    assert SENTINEL not in home(tmp_path / "out") and "A new paragraph." in home(tmp_path / "out")


def test_a_link_whose_target_went_away_fails_the_build_as_before(small, tmp_path):
    (small / "docs" / "other.md").rename(small / "docs" / "moved.md")
    result = run_build(small, tmp_path / "out")
    assert result.returncode != 0 and "contains a link 'other.md#deep'" in result.stderr, result.stderr


def test_an_anchor_that_went_away_fails_the_build_as_before(small, tmp_path):
    (small / "docs" / "other.md").write_text("# Other\n\n## Shallow\n\nText.\n", encoding="utf-8")
    result = run_build(small, tmp_path / "out")
    assert result.returncode != 0 and "'#deep'" in result.stderr, result.stderr


def test_a_build_with_a_warning_keeps_nothing(tmp_path):
    project = small_project(tmp_path)
    (project / "docs" / "other.md").write_text("# Other\n\nNo such anchor here.\n", encoding="utf-8")
    result = run_build(project, tmp_path / "out")
    assert result.returncode != 0 and "'#deep'" in result.stderr
    assert not entries(project), "a rendering from a build that logged a warning must not be reused"


class FakeConfig:
    def __init__(self, root: Path):
        self.config_file_path = str(root / "mkdocs.yml")


def test_memo_round_trip_skips_saving_after_a_warning_and_forgets_unused_entries(tmp_path):
    memo = Memo(FakeConfig(tmp_path), "unit")
    key = Memo.key("page html", {"title": "T"})
    assert key != Memo.key("page html", {"title": "U"}) and key == Memo.key("page html", {"title": "T"})
    assert memo.get(key) is None
    memo.put(key, {"answer": [1, 2]})
    memo.save()
    assert Memo(FakeConfig(tmp_path), "unit").get(key) == {"answer": [1, 2]}

    failing = Memo(FakeConfig(tmp_path), "unit")
    failing.put("other", 3)
    logging.getLogger("mkdocs.test").warning("a problem during the build")
    failing.save()
    assert failing.get("other") is None

    old = time.time() - 40 * 86400
    os.utime(tmp_path / ".cache" / "unit" / f"{key}.json", (old, old))
    Memo(FakeConfig(tmp_path), "unit").save()
    assert not (tmp_path / ".cache" / "unit" / f"{key}.json").exists(), "unused for 40 days: deleted"


MEMOS = ("pages", "search", "cards", "downloads")


def test_a_build_from_the_caches_writes_the_same_site(project_copy, tmp_path):
    """Every page, the search index and the cards from a build that reused everything equal those of a build that
    computed them (the Anki deck aside: it is stamped with the time it was made)."""
    for name in MEMOS:
        shutil.rmtree(project_copy / ".cache" / name, ignore_errors=True)
    computed, reused = tmp_path / "computed", tmp_path / "reused"
    for out in (computed, reused):
        result = run_build(project_copy, out)
        assert result.returncode == 0, result.stderr[-3000:]
    assert all(any((project_copy / ".cache" / name).iterdir()) for name in MEMOS)
    differ = []

    def compare(comparison: filecmp.dircmp, prefix: str = "") -> None:
        differ.extend(prefix + name for name in comparison.diff_files + comparison.left_only + comparison.right_only)
        for name, sub in comparison.subdirs.items():
            compare(sub, f"{prefix}{name}/")

    filecmp.clear_cache()
    compare(filecmp.dircmp(computed, reused, ignore=[]))
    assert differ == ["ml-interview-guide.apkg"] or not differ, differ
