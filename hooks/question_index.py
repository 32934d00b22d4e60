"""Generate the "All questions" page and `site/questions.json`.

The page (`docs/questions.md`) gets, below its own introduction, one section per source article listing each question
with a link to the heading that answers it, or "not answered yet" for a pending question, and the answered/pending
counts (template: `hooks/templates/question_index.md.j2`). Links are ordinary Markdown links, so MkDocs' validation
checks every page and anchor. After the build, `questions.json` at the site root lists every question as
`{id, source, question, url, status}`, `url` being site-relative with the `#id` anchor; readers and tests use it.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import jinja2

from question_coverage import claimed_questions
from front_matter import concept_pages
from inventory import load_inventory

INDEX_PAGE = "questions.md"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_files = None  # the build's Files, kept from on_files for on_post_build
_TEMPLATES.filters["cell"] = lambda text: text.replace("|", "\\|")


def question_rows(files) -> list[dict]:
    """Every inventory question with the page that answers it (None when pending), in inventory order."""
    inventory = load_inventory()
    claims = claimed_questions(files)
    rows = []
    for question in inventory.questions.values():
        page = files.get_file_from_path(claims[question.id]) if question.id in claims else None
        rows.append({"question": question, "page": page})
    return rows


def on_files(files, config):
    global _files
    _files = files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != INDEX_PAGE:
        return markdown
    inventory = load_inventory()
    rows = question_rows(files)
    titles = {src_uri: meta["title"] for src_uri, meta in concept_pages(files).items()}
    groups = [
        {"source": source, "rows": [row for row in rows if row["question"].source == slug]}
        for slug, source in inventory.sources.items()
    ]
    listing = _TEMPLATES.get_template("question_index.md.j2").render(
        groups=groups,
        titles=titles,
        total=len(rows),
        answered=sum(1 for row in rows if row["page"]),
        link=lambda file, qid: posixpath.relpath(file.src_uri, posixpath.dirname(INDEX_PAGE)) + f"#{qid}",
    )
    return f"{markdown.rstrip()}\n\n{listing}"


def on_post_build(config):
    records = [
        {
            "id": row["question"].id,
            "source": row["question"].source,
            "question": row["question"].question,
            "url": f"{row['page'].url}#{row['question'].id}" if row["page"] else None,
            "status": "answered" if row["page"] else "pending",
        }
        for row in question_rows(_files)
    ]
    out = Path(config["site_dir"]) / "questions.json"
    out.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
