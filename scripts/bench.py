"""Measure the guide against its performance budgets and print a Markdown report (`make bench`).

Measures, on this machine with whatever else it is running (run it on an idle machine):
- a cold build (no caches) and the sum of the notebooks' own run times it reports, a warm rebuild with nothing
  changed, and the time from saving an edited page to seeing the edit in a browser on `mkdocs serve`;
- the print edition: the build with the one-page edition, printing it to PDF, its pages and size;
- the search index and the gzip weight of every page with the CSS and JavaScript it loads (figures apart);
- how the warm build, the print edition's extra cost and the search index grow: a scratch copy with every concept
  page duplicated under new slugs, at 1x, 2x and 4x;
- Lighthouse (npm `lighthouse`, Debian Chromium) on the longest concept page and a notebook page, mobile and desktop,
  the median of LIGHTHOUSE_RUNS runs with the performance range, because one run here varies by several points.
It reports; it exits non-zero only when a measurement could not be taken.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

from local_site import CHROMIUM, CHROMIUM_ARGS, launch_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
MKDOCS = str(ROOT / ".venv" / "bin" / "mkdocs")
LIGHTHOUSE_RUNS = 5
NOTEBOOK_PAGE = "evaluation/notebooks/roc_pr_imbalanced/"
BUDGET_KB = {"notebook": 400, "concept": 150}
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
IMAGE = re.compile(r'<img[^>]+src="([^"]+)"')
NOTEBOOK_TIME = re.compile(r"notebook time ([\d.]+) s on (\d+) workers")
NOTEBOOK_RUN = re.compile(r"notebook \d+/\d+ executed in ([\d.]+) s: (\S+)")
COPIED = ("mkdocs.yml", "constraints.txt", "docs", "hooks", "overrides", "includes", "src", "scripts")


def build(project: Path = ROOT, *, site_dir: Path | None = None, print_site: bool = False,
          offline: bool = False) -> tuple[float, str]:
    """Seconds a strict `mkdocs build` of `project` takes (the offline edition if asked), and its log."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PRINT_SITE": "true" if print_site else "false",
           "OFFLINE": "true" if offline else "false", "OFFLINE_PDF": "none"}
    command = [MKDOCS, "build"] + (["--site-dir", str(site_dir)] if site_dir else [])
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(f"the build of {project} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, result.stderr


def gzip_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), 9)) / 1024


def page_weights(site: Path) -> list[tuple[str, float, float]]:
    """(page, gzip KB of HTML + CSS + JS it loads, gzip KB of its images) for every built page."""
    rows = []
    for html in sorted(site.rglob("*.html")):
        url = html.relative_to(site).as_posix()
        text = html.read_text(encoding="utf-8")
        assets = {urljoin(url, href).split("#")[0] for href in ASSET.findall(text) if href}
        images = {urljoin(url, src) for src in IMAGE.findall(text) if not src.startswith("data:")}
        code = gzip_kb(html) + sum(gzip_kb(site / a) for a in assets if (site / a).is_file())
        rows.append((url.removesuffix("index.html") or "/", code, sum(gzip_kb(site / i) for i in images if (site / i).is_file())))
    return rows


def scratch_copy(target: Path, copies: int) -> Path:
    """The project in `target`, with every concept page present `copies` times (extra ones claim no questions)."""
    target.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", target / ".cache")
    nav = (target / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted((target / "docs").glob("*/*.md")):
        text = page.read_text(encoding="utf-8")
        if page.name == "index.md" or "\nquestions:" not in text:
            continue
        src_uri = page.relative_to(target / "docs").as_posix()
        for n in range(2, copies + 1):
            copy = page.with_name(f"{page.stem}-copy{n}.md")
            copy.write_text(re.sub(r"^questions: \[.*?\]", "questions: []", text, count=1, flags=re.M | re.S), encoding="utf-8")
            nav = nav.replace(f"      - {src_uri}\n", f"      - {src_uri}\n      - {copy.relative_to(target / 'docs').as_posix()}\n", 1)
    (target / "mkdocs.yml").write_text(nav, encoding="utf-8")
    return target


def scaling() -> list[tuple[int, int, float, float, int]]:
    """(copies, HTML pages, warm build s, print edition's extra s, search index bytes) at 1x, 2x and 4x."""
    rows = []
    for copies in (1, 2, 4):
        with tempfile.TemporaryDirectory(prefix=f"bench-x{copies}-") as tmp:
            project = scratch_copy(Path(tmp) / "project", copies)
            out = Path(tmp) / "site"
            build(project, site_dir=out)  # warms the formula cache for the new pages
            warm = statistics.median(build(project, site_dir=out)[0] for _ in range(3))
            with_print = statistics.median(build(project, site_dir=out, print_site=True)[0] for _ in range(2))
            pages = len(list(out.rglob("*.html")))
            rows.append((copies, pages, warm, with_print - warm, (out / "search" / "search_index.json").stat().st_size))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_reload_seconds(edits: int = 3) -> list[float]:
    """Seconds from saving an edit to a concept page to seeing it in a browser on `mkdocs serve --dirty` (what
    `make serve` runs), per edit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        project = scratch_copy(Path(tmp) / "project", 1)
        port = free_port()
        server = subprocess.Popen([MKDOCS, "serve", "--dirty", "--no-strict", "--dev-addr", f"127.0.0.1:{port}"], cwd=project,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        page_md = project / "docs" / "evaluation" / "roc-auc.md"
        seconds = []
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page()
                for _ in range(120):
                    try:
                        page.goto(f"http://127.0.0.1:{port}/evaluation/roc-auc/", wait_until="load")
                        break
                    except Exception:  # the server is still building  # noqa: BLE001
                        time.sleep(0.5)
                for n in range(edits):
                    marker = f"bench-edit-{n}-{time.time_ns()}"
                    text = page_md.read_text(encoding="utf-8")
                    start = time.perf_counter()
                    page_md.write_text(text.replace("## Intuition", f"{marker}\n\n## Intuition", 1), encoding="utf-8")
                    page.wait_for_function(f"() => document.body && document.body.innerText.includes('{marker}')",
                                           timeout=60_000, polling=50)
                    seconds.append(time.perf_counter() - start)
                    time.sleep(1)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return seconds


def lighthouse_report(url: str, *options: str) -> dict:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = ["npx", "--no-install", "lighthouse", url, "--output=json", "--quiet", f"--chrome-flags={flags}", *options]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    if result.returncode:
        raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)


def lighthouse(url: str, preset: str) -> dict[str, int]:
    options = ["--only-categories=performance,accessibility,best-practices,seo"]
    if preset == "desktop":
        options.append("--preset=desktop")
    categories = lighthouse_report(url, *options)["categories"]
    return {name: round(category["score"] * 100) for name, category in categories.items()}


def first_card_ms(url: str) -> tuple[float, float, float]:
    """When the Practice page shows its first card (its `practice-first-card` mark), in ms from navigation and in ms
    after DOMContentLoaded, and the page's first contentful paint for scale, under Lighthouse's mobile throttling
    applied for real (devtools method: 4x CPU slowdown, slow 4G with 562.5 ms of latency per request)."""
    report = lighthouse_report(url, "--only-audits=user-timings,metrics", "--throttling-method=devtools")
    marks = {item["name"]: item["startTime"] for item in report["audits"]["user-timings"]["details"]["items"]}
    metrics = report["audits"]["metrics"]["details"]["items"][0]
    card = marks["practice-first-card"]
    return card, card - metrics["observedDomContentLoaded"], metrics["observedFirstContentfulPaint"]


def first_card_summary(base_url: str) -> str:
    runs = [first_card_ms(base_url + "practice/") for _ in range(LIGHTHOUSE_RUNS)]
    parts = []
    for label, values in (("from navigation", [r[0] for r in runs]), ("after DOMContentLoaded", [r[1] for r in runs]),
                          ("the page's first contentful paint", [r[2] for r in runs])):
        parts.append(f"{label} {statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})")
    after = statistics.median(r[1] for r in runs)
    return (f"Practice page, first card under mobile throttling (median of {LIGHTHOUSE_RUNS}): {'; '.join(parts)}; "
            f"budget ≤ 1000 ms after the page's load{' ✓' if after <= 1000 else ' ✗'}")


def longest_concept_page(site: Path) -> str:
    pages = [p for p in site.glob("*/*/index.html") if "notebooks" not in p.parts and p.parent.parent.name != "contributing"]
    return max(pages, key=lambda p: p.stat().st_size).parent.relative_to(site).as_posix() + "/"


def row(measure: str, value: str, budget: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else (" ✓" if ok else " ✗ over budget")
    print(f"| {measure} | {value} | {budget}{mark} |")


def main() -> None:
    cores = os.cpu_count() or 1
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(SITE, ignore_errors=True)
    cold, log = build()
    notebook_sum = sum(float(m[1]) for m in NOTEBOOK_TIME.finditer(log))
    warm = statistics.median(build()[0] for _ in range(3))
    reloads = serve_reload_seconds()
    with_print, _ = build(print_site=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_pdf.py"), str(SITE)], check=True, capture_output=True)
    printing = time.perf_counter() - start
    pdf = SITE / "ml-interview-guide.pdf"
    from pypdf import PdfReader
    from make_offline import make_zip

    with tempfile.TemporaryDirectory() as scratch:
        edition = Path(scratch) / "ml-interview-guide"
        offline_build, _ = build(site_dir=edition, offline=True)
        offline_zip = make_zip(edition, Path(scratch) / "offline.zip").stat().st_size
        offline_unzipped = sum(p.stat().st_size for p in edition.rglob("*") if p.is_file())

    print(f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {cores} cores.\n")
    print("| Measure | Value | Budget |\n| --- | ---: | ---: |")
    cold_budget = 1.3 * notebook_sum / cores + warm
    row("cold `make build` (no caches)", f"{cold:.1f} s (notebooks' own time {notebook_sum:.1f} s)",
        f"≤ 1.3 × {notebook_sum:.1f} / {cores} + warm = {cold_budget:.1f} s", cold <= cold_budget)
    row("warm rebuild, nothing changed (median of 3)", f"{warm:.1f} s", "≤ 10 s", warm <= 10)
    row("`mkdocs serve`: edit saved → visible in the browser", " / ".join(f"{s:.1f}" for s in reloads) + " s", "≤ 3 s",
        max(reloads) <= 3)
    row("build with the print edition (`make pdf`)", f"{with_print:.1f} s")
    row("printing the PDF", f"{printing:.1f} s ({len(PdfReader(pdf).pages)} pages, {pdf.stat().st_size / 1e6:.1f} MB)",
        "≤ 60 s with the build", with_print + printing <= 60)
    row("offline edition (`make offline`, without the PDF)", f"{offline_zip / 1e6:.1f} MB zip "
        f"({offline_unzipped / 1e6:.1f} MB unzipped), its build {offline_build:.1f} s")
    row("search index", f"{(SITE / 'search' / 'search_index.json').stat().st_size / 1024:.0f} KB "
        f"({gzip_kb(SITE / 'search' / 'search_index.json'):.0f} KB gzip)")
    weights = page_weights(SITE)
    for kind, budget in BUDGET_KB.items():
        pages = [w for w in weights if ("/notebooks/" in w[0]) == (kind == "notebook") and w[0] not in {"404.html", "print_page/"}]
        worst = max(pages, key=lambda w: w[1])
        row(f"heaviest {kind} page, HTML+CSS+JS gzip (`{worst[0]}`)", f"{worst[1]:.0f} KB (+{worst[2]:.0f} KB figures)",
            f"≤ {budget} KB", worst[1] <= budget)

    print("\nGrowth with the number of concept pages (scratch copies, pages duplicated under new slugs):\n")
    print("| concept pages × | HTML pages | warm build | print edition's extra cost | search index |\n| ---: | ---: | ---: | ---: | ---: |")
    for copies, pages, warm_x, print_x, index in scaling():
        print(f"| {copies} | {pages} | {warm_x:.1f} s{' ✓' if warm_x <= 10 else ' ✗'} | {print_x:.1f} s | {index / 1024:.0f} KB |")

    print("\nLighthouse (median of %d runs; performance range in brackets):\n" % LIGHTHOUSE_RUNS)
    print("| page | preset | scores | budget |\n| --- | --- | --- | --- |")
    with serve(SITE) as base_url:
        for path in (longest_concept_page(SITE), NOTEBOOK_PAGE):
            for preset in ("mobile", "desktop"):
                runs = [lighthouse(base_url + path, preset) for _ in range(LIGHTHOUSE_RUNS)]
                performance = [run["performance"] for run in runs]
                median = statistics.median(performance)
                summary = ", ".join(f"{name} {statistics.median(run[name] for run in runs):.0f}" for name in runs[0])
                ok = median >= 95 if preset == "mobile" else None
                mark = "" if ok is None else (" ✓" if ok else " ✗")
                print(f"| `{path}` | {preset} | {summary} ({min(performance)}–{max(performance)}) | "
                      f"{'perf ≥ 95, others 100' if preset == 'mobile' else ''}{mark} |")
        first_card = first_card_summary(base_url)
    print("\n" + first_card)
    print("\nNotebooks in the cold build, run two at a time (seconds of wall time each):")
    for seconds, src_uri in sorted(((float(m[1]), m[2]) for m in NOTEBOOK_RUN.finditer(log)), reverse=True):
        print(f"  {seconds:5.1f}  {src_uri}")
    print("\nEvery page (gzip KB, HTML+CSS+JS / figures):")
    for url, code, images in weights:
        print(f"  {url:60s} {code:7.1f} {images:7.1f}")


def practice_only() -> None:
    """`python scripts/bench.py practice`: the first-card measure alone, on the site already built in site/."""
    with serve(SITE) as base_url:
        print(first_card_summary(base_url))


if __name__ == "__main__":
    sys.exit(practice_only() if sys.argv[1:] == ["practice"] else main())
