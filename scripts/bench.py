"""Measure the guide against its performance budgets and print a Markdown table (`make bench`).

Measures: a cold build (no caches), a warm rebuild with nothing changed, `make pdf`'s printing step, the gzip weight
of every page with the CSS and JavaScript it loads (fonts excluded; figures reported apart), and Lighthouse scores
(npm `lighthouse`, Debian Chromium) for a concept page and a notebook page, mobile and desktop: the median of
LIGHTHOUSE_RUNS runs, with the range of the performance score, because one run on a small machine varies by several
points. This is a benchmark: it reports, and exits non-zero only when a measurement could not be taken.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

from local_site import CHROMIUM, CHROMIUM_ARGS, serve

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
MKDOCS = [str(ROOT / ".venv" / "bin" / "mkdocs"), "build"]
LIGHTHOUSE_RUNS = 5
LIGHTHOUSE_PAGES = {"concept page": "evaluation/roc-auc/", "notebook page": "evaluation/notebooks/roc_pr_imbalanced/"}
BUDGET_KB = {"notebook": 400, "concept": 150}
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
IMAGE = re.compile(r'<img[^>]+src="([^"]+)"')


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.perf_counter() - start


def gzip_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), 9)) / 1024


def page_weights() -> list[tuple[str, float, float]]:
    """(page, gzip KB of HTML + CSS + JS it loads, gzip KB of its images) for every built page."""
    rows = []
    for html in sorted(SITE.rglob("*.html")):
        url = html.relative_to(SITE).as_posix()
        text = html.read_text(encoding="utf-8")
        assets = {urljoin(url, href).split("#")[0] for href in ASSET.findall(text) if href}
        images = {urljoin(url, src) for src in IMAGE.findall(text) if not src.startswith("data:")}
        code = gzip_kb(html) + sum(gzip_kb(SITE / a) for a in assets if (SITE / a).is_file())
        rows.append((url.removesuffix("index.html") or "/", code, sum(gzip_kb(SITE / i) for i in images if (SITE / i).is_file())))
    return rows


def lighthouse(url: str, preset: str) -> dict[str, int]:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = ["npx", "--no-install", "lighthouse", url, "--output=json", "--quiet", f"--chrome-flags={flags}",
               "--only-categories=performance,accessibility,best-practices,seo"]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode:
        raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    categories = json.loads(result.stdout)["categories"]
    return {name: round(category["score"] * 100) for name, category in categories.items()}


def main() -> None:
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(SITE, ignore_errors=True)
    cold, warm = timed(MKDOCS), timed(MKDOCS)
    pdf = timed([str(ROOT / ".venv" / "bin" / "python"), "scripts/make_pdf.py", str(SITE)])
    print("| Measure | Value | Budget |\n| --- | ---: | ---: |")
    print(f"| cold `make build` (no caches) | {cold:.1f} s | |")
    print(f"| warm rebuild, nothing changed | {warm:.1f} s | ≤ 10 s |")
    print(f"| PDF printing (after the build) | {pdf:.1f} s | ≤ 60 s with the build |")
    weights = page_weights()
    for kind, budget in BUDGET_KB.items():
        pages = [w for w in weights if ("/notebooks/" in w[0]) == (kind == "notebook")
                 and w[0] not in {"404.html", "print_page/"}]  # the print edition is the PDF's source, not a page
        worst = max(pages, key=lambda w: w[1])
        print(f"| heaviest {kind} page, HTML+CSS+JS gzip (`{worst[0]}`) | {worst[1]:.0f} KB (+{worst[2]:.0f} KB figures) | ≤ {budget} KB |")
    with serve(SITE) as base_url:
        for label, path in LIGHTHOUSE_PAGES.items():
            for preset in ("mobile", "desktop"):
                runs = [lighthouse(base_url + path, preset) for _ in range(LIGHTHOUSE_RUNS)]
                performance = [run["performance"] for run in runs]
                summary = ", ".join(f"{name} {statistics.median(run[name] for run in runs):.0f}" for name in runs[0])
                summary += f" (perf {min(performance)}–{max(performance)} over {LIGHTHOUSE_RUNS} runs)"
                print(f"| Lighthouse {preset}, {label}, median | {summary} | perf ≥ 90, others 100 |")
    print("\nEvery page (gzip KB, HTML+CSS+JS / figures):")
    for url, code, images in weights:
        print(f"  {url:60s} {code:7.1f} {images:7.1f}")


if __name__ == "__main__":
    sys.exit(main())
