"""Bad input fails the build with a message naming the file and the problem, never a silent pass.

Each test breaks one thing in a scratch copy of the project and runs the real `mkdocs build`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build
from front_matter import is_practice_page
from pages import concept_pages, notebooks


@pytest.fixture(scope="module")
def sample():
    """A concept page that claims a question, another page's claimed question, and a notebook with its page."""
    pages = {src: meta for src, (meta, _) in concept_pages().items() if not is_practice_page(src)}
    page = next(src for src, meta in pages.items() if meta["questions"])
    other = next(meta["questions"][0] for src, meta in pages.items() if meta["questions"] and src != page)
    notebook = notebooks()[0]
    return {"page": page, "qid": pages[page]["questions"][0], "other_qid": other, "notebook": notebook}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def failed_build(project: Path, tmp_path: Path) -> str:
    result = run_build(project, tmp_path / "out")
    assert result.returncode != 0, "the build passed, but it should have failed"
    return result.stderr


PAGE_EDITS = {
    "unknown question id": ("questions: [", "questions: [mentoring-77, ",
                            "{page}: claims question 'mentoring-77', which is not in questions.yml"),
    "claimed question without anchor": (" {{ #{qid} }}", "",
                                        "{page}: claims question '{qid}' but has no heading with that anchor"),
    "malformed front matter": ("questions: [", "questions: [[", "{page}: front matter is not valid YAML"),
    "follow-up with an empty answer": ("## Related concepts", '??? question "What is left unsaid?"\n\n## Related concepts',
                                       "{page}: the card 'What is left unsaid?' has an empty answer"),
    "two follow-ups asking one question": (
        "## Related concepts", '??? question "Asked twice?"\n    Yes.\n\n??? question "Asked twice?"\n    Yes, again.\n\n'
        "## Related concepts", "{page}: two cards have the id"),
    "formula KaTeX cannot parse": ("## The short answer", "## The short answer\n\nSee $\\notacommand{{x}}$.",
                                   "{page}: KaTeX cannot render '\\\\notacommand{{x}}'"),
}


@pytest.mark.parametrize("case", PAGE_EDITS)
def test_bad_page_edit(project_copy, tmp_path, sample, case):
    old, new, message = (text.format(**sample) for text in PAGE_EDITS[case])
    edit(project_copy / "docs" / sample["page"], old, new)
    assert message in failed_build(project_copy, tmp_path)


@pytest.mark.parametrize("value", ["last week", "2099-01-01"])
def test_bad_review_date(project_copy, tmp_path, value):
    edit(project_copy / "docs" / "career" / "recent-advances.md", "\nreviewed: ", f"\nreviewed: {value}\n_old: ")
    log = failed_build(project_copy, tmp_path)
    assert "career/recent-advances.md: front matter 'reviewed' must be a past date written YYYY-MM-DD" in log


def test_malformed_front_matter_on_an_overview_page(project_copy, tmp_path):
    overview = next(p for p in sorted((project_copy / "docs").glob("*/index.md")) if p.read_text().startswith("---"))
    edit(overview, "\ndescription: ", "\ndescription: this: breaks YAML, ")
    log = failed_build(project_copy, tmp_path)
    assert f"{overview.relative_to(project_copy / 'docs').as_posix()}: front matter is not valid YAML" in log


def test_two_pages_claim_one_question(project_copy, tmp_path, sample):
    edit(project_copy / "docs" / sample["page"], "questions: [", f"questions: [{sample['other_qid']}, ")
    log = failed_build(project_copy, tmp_path)
    assert re.search(rf"claims question '{sample['other_qid']}', already claimed by \S+\.md", log), log[-2000:]
    assert sample["page"] in log


def test_missing_front_matter_key(project_copy, tmp_path, sample):
    page = project_copy / "docs" / sample["page"]
    page.write_text(re.sub(r"^level: .*\n", "", page.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    log = failed_build(project_copy, tmp_path)
    assert f"{sample['page']}: front matter 'level' must be one of core, advanced, got None" in log


def test_question_neither_answered_nor_pending(project_copy, tmp_path, sample):
    """A page stops claiming its question, which is not pending either: the inventory has an unanswered question."""
    page = project_copy / "docs" / sample["page"]
    text = page.read_text(encoding="utf-8")
    claims = re.search(r"^questions: \[(.*)\]$", text, flags=re.M)
    kept = ", ".join(q.strip() for q in claims[1].split(",") if q.strip() != sample["qid"])
    page.write_text(text.replace(claims[0], f"questions: [{kept}]", 1), encoding="utf-8")
    log = failed_build(project_copy, tmp_path)
    assert f"questions.yml: no page answers {sample['qid']};" in log


def test_answered_question_still_pending(project_copy, tmp_path, sample):
    edit(project_copy / "hooks" / "questions.yml", "pending: []\n", f"pending:\n  - {sample['qid']}\n")
    log = failed_build(project_copy, tmp_path)
    assert f"{sample['page']}: answers '{sample['qid']}'; remove it from 'pending:'" in log


def test_broken_link_and_broken_anchor_are_both_named(project_copy, tmp_path, sample):
    """Validation reports every bad link of a build at its end, so one build checks both kinds."""
    edit(project_copy / "docs" / sample["page"], "## The short answer",
         "## The short answer\n\nSee [this](no-such-page.md) and [that](#no-such-anchor).")
    log = failed_build(project_copy, tmp_path)
    assert f"'{sample['page']}' contains a link 'no-such-page.md'" in log
    assert re.search(rf"{re.escape(sample['page'])}.*no-such-anchor", log), log[-2000:]


def test_notebook_cell_that_raises(project_copy, tmp_path, sample):
    notebook = project_copy / "docs" / sample["notebook"].relative_to(sample["notebook"].parents[2])
    with notebook.open("a", encoding="utf-8") as handle:
        handle.write('\n# %%\nraise ValueError("a deliberately failing cell")\n')
    log = failed_build(project_copy, tmp_path)
    src_uri = notebook.relative_to(project_copy / "docs").as_posix()
    assert re.search(rf"{re.escape(src_uri)}: cell \d+ raised ValueError: a deliberately failing cell", log), log[-3000:]
    assert "Traceback" in log or "ValueError" in log.split("raised", 1)[1]


def test_notebook_without_concept_page(project_copy, tmp_path, sample):
    notebook = project_copy / "docs" / sample["notebook"].relative_to(sample["notebook"].parents[2])
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(re.sub(r"concept: [\w/.-]+\.md", "concept: evaluation/nowhere.md", text, count=1), encoding="utf-8")
    log = failed_build(project_copy, tmp_path)
    assert "names concept page 'evaluation/nowhere.md', which does not exist" in log


def test_figure_tag_on_a_cell_without_figure(project_copy, tmp_path, sample):
    notebook = project_copy / "docs" / sample["notebook"].relative_to(sample["notebook"].parents[2])
    with notebook.open("a", encoding="utf-8") as handle:
        handle.write('\n# %% tags=["figure:nothing-here"]\nx = 1\n')
    log = failed_build(project_copy, tmp_path)
    assert "is tagged 'figure:nothing-here' but shows no figure" in log


def test_missing_npm_assets(project_copy, tmp_path):
    (project_copy / "node_modules").unlink()
    log = failed_build(project_copy, tmp_path)
    assert "vendor_assets.yml: katex:" in log and "run `npm ci`" in log
