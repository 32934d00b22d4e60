"""`make serve` re-renders only the edited page, and what is made from every page stays whole.

The server runs as the Makefile runs it. A dirty build skips the pages not edited, so the hooks that gather from every
page (the cards, the notebook stylesheet) and the search index must keep what the skipped pages gave them. One concept
page and one notebook (re-executed, then re-rendered) are edited.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT
from search_index import QUESTION_BOOST, QUESTION_SECTION

GATHERED = ["cards.json", "search/search_index.json", "assets/notebooks/jupyter.css", "questions.json"]


def serve_arguments() -> list[str]:
    """The arguments `make serve` gives `mkdocs serve`, the address aside."""
    line = next(line for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
                if "mkdocs serve" in line)
    words = line.split("#", 1)[0].split()
    arguments = words[words.index("serve") + 1:]
    address = arguments.index("--dev-addr")
    return arguments[:address] + arguments[address + 2:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def wait_for(check, seconds: float, what: str, server, log) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"mkdocs serve exited: {log.read_text(encoding='utf-8')[-3000:]}"
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


def test_make_serve_is_dirty():
    assert "--dirty" in serve_arguments()


def test_an_edit_shows_and_the_gathered_files_stay_whole(project_copy, tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", *serve_arguments(), "--dev-addr",
                               f"127.0.0.1:{port}"], cwd=project_copy, stdout=subprocess.DEVNULL,
                              stderr=log.open("w"), env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        wait_for(lambda: fetch(base + "evaluation/roc-auc/"), 300, "the first build did not finish", server, log)
        before = {path: fetch(base + path) for path in GATHERED}
        page = project_copy / "docs" / "evaluation" / "roc-auc.md"
        marker = f"edited-{time.time_ns()}"
        page.write_text(page.read_text(encoding="utf-8").replace("## Intuition", f"{marker}\n\n## Intuition", 1),
                        encoding="utf-8")
        wait_for(lambda: marker.encode() in fetch(base + "evaluation/roc-auc/"), 120, "the edit did not show",
                 server, log)
        wait_for(lambda: marker.encode() in fetch(base + "search/search_index.json"), 30,
                 "the edit did not reach the search index", server, log)
        assert b"edited-" not in fetch(base + "evaluation/regression-metrics/")
        notebook = project_copy / "docs" / "evaluation" / "notebooks" / "regression_metrics.py"
        text = notebook.read_text(encoding="utf-8")  # edited: re-executed, re-rendered, its stylesheet gathered again
        notebook.write_text(text.replace("# ## The data", f"# ## The data\n# {marker}", 1), encoding="utf-8")
        wait_for(lambda: marker.encode() in fetch(base + "evaluation/notebooks/regression_metrics/"), 180,
                 "the notebook edit did not show", server, log)
        after = {path: fetch(base + path) for path in GATHERED}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert json.loads(after["cards.json"]) == json.loads(before["cards.json"]), "every page keeps its cards"
    assert after["assets/notebooks/jupyter.css"] == before["assets/notebooks/jupyter.css"]
    assert after["questions.json"] == before["questions.json"]
    docs_before, docs_after = (json.loads(index)["docs"] for index in (before[GATHERED[1]], after[GATHERED[1]]))
    assert sorted(d["location"] for d in docs_after) == sorted(d["location"] for d in docs_before)
    edited = sorted(d["location"].split("#")[0] for d in docs_after if marker in d["text"])
    assert edited == ["evaluation/notebooks/regression_metrics/", "evaluation/roc-auc/"], edited
    boosted = [d for d in docs_after if QUESTION_SECTION.search(d["location"])]
    assert boosted and all(d.get("boost") == QUESTION_BOOST for d in boosted), "question sections keep their boost"
