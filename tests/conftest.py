"""Shared fixtures: the site built once per test session, a local server for it, and headless Chromium."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT / "scripts")]

from local_site import launch_chromium, serve  # noqa: E402  (scripts/ is on the path only from here)


def run_build(project: Path, site_dir: Path, *, print_site: bool = False, offline: bool = False,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a strict `mkdocs build` of `project` into `site_dir` (with the print edition, or as the offline edition,
    if asked; `env` adds variables); return it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PRINT_SITE": "true" if print_site else "false",
           "OFFLINE": "true" if offline else "false", **(env or {})}
    return subprocess.run([*MKDOCS, "build", "--site-dir", str(site_dir)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def site(tmp_path_factory, worker_id) -> Path:
    """The guide, built once per test run from the working tree, whatever the number of pytest-xdist workers.

    The first worker to get here builds (notebooks come from the content-keyed cache); the others wait on a lock
    and use the same site, or report the same failure."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    site_dir, failure = shared / "site", shared / "site-build-failed.txt"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site_dir / "index.html").exists() and not failure.exists():
            result = run_build(ROOT, site_dir, print_site=True)
            if result.returncode:
                failure.write_text(result.stderr[-6000:], encoding="utf-8")
    assert not failure.exists(), f"the site does not build:\n{failure.read_text(encoding='utf-8')}"
    return site_dir


@pytest.fixture(scope="session")
def offline_edition(tmp_path_factory, worker_id) -> dict:
    """The offline edition as `make offline` makes it (OFFLINE=true build, scripts/make_offline.py), unzipped in a
    folder of its own: {"zip": Path, "folder": Path (the unzipped top folder, resolved)}. Built once per test run
    (first worker, under a lock, like `site`); notebooks come from the warm cache. No PDF goes in (OFFLINE_PDF)."""
    import zipfile

    from make_offline import TOP, make_zip

    shared = (tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent)
    root, failure = shared / "offline", shared / "offline-build-failed.txt"
    archive, unzipped = root / "ml-interview-guide-offline.zip", root / "unzipped"
    with open(shared / "offline.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not archive.exists() and not failure.exists():
            result = run_build(ROOT, root / "build", offline=True, env={"OFFLINE_PDF": "none"})
            if result.returncode:
                failure.write_text(result.stderr[-6000:], encoding="utf-8")
            else:
                make_zip(root / "build", archive)
                zipfile.ZipFile(archive).extractall(unzipped)
    assert not failure.exists(), f"the offline edition does not build:\n{failure.read_text(encoding='utf-8')}"
    return {"zip": archive, "folder": (unzipped / TOP).resolve()}


@pytest.fixture(scope="session")
def base_url(site) -> str:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def mkdocs_config() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


@pytest.fixture
def project_copy(tmp_path, site) -> Path:
    """A scratch copy of the project to break on purpose; shares node_modules and the (warm) notebook cache."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("mkdocs.yml", "constraints.txt", "docs", "hooks", "overrides", "includes", "src", "scripts"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", copy / ".cache")
    return copy
